//! `surreal start` and the rest of SurrealDB's command line, as crates.io ships it: the tests
//! start `surreal-server start --bind 127.0.0.1:PORT --user root --pass root memory` and point
//! two or more Gatehouse instances at it over `ws://`.

fn main() -> std::process::ExitCode {
    surrealdb_server::init(surrealdb_server::core::CommunityComposer())
}
