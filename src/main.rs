//! Entry point: the browser build launches the app; the server build runs the console.

fn main() {
    #[cfg(feature = "server")]
    gatehouse::server::run();

    #[cfg(all(not(feature = "server"), feature = "web"))]
    dioxus::launch(gatehouse::App);
}
