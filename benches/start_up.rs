//! Start-up and memory of the release server with 100,000 users and 1,000,000 records on an
//! embedded on-disk SurrealDB: the database is filled by this process, which then closes it and
//! starts the `gatehouse` binary on it as an operator would, and measures the time until
//! `/healthz` answers, the first users list (the directory loads every user) and the first
//! records list (the access engine compiles every user), with the process's resident memory after
//! each. Run with:
//!
//!     cargo bench --bench start_up --features server --profile server-release --target x86_64-unknown-linux-gnu

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gatehouse::server::demo::Rng;
use serde_json::{json, Value};

mod common;

const USERS: usize = 100_000;
const RECORDS: usize = 1_000_000;
const COMPANIES: usize = 20;
const BATCH: usize = 5_000;
const MODULES: [&str; 6] = ["Leads", "Customers", "Opportunities", "Tasks", "Projects", "SupportActivities"];

/// Fills a fresh database folder and answers its path; the database is closed when the runtime
/// that ran this stops.
async fn seed() -> std::path::PathBuf {
    let mut bench = common::start("start-up-bench").await;
    let db = &bench.state.db;
    let started = Instant::now();
    let companies = common::company_tree(db, COMPANIES).await;
    db.query("UPDATE user SET companies = (SELECT VALUE id FROM company) WHERE email_key = 'bench@example.com';", json!({})).await.unwrap();
    let hash = common::admin_hash(db).await;
    let per_company = USERS / COMPANIES;
    let users: Vec<Value> = (0..USERS)
        .map(|i| {
            let (c, k) = (i / per_company, i % per_company);
            json!({ "id": format!("u{i:06}"), "name": format!("User {i}"), "email": format!("u{i}@example.com"), "company": companies[c],
                "dept": common::dept(c, 4 + k % 6), "role": "manager" })
        })
        .collect();
    common::insert_users(db, &users, &hash).await;
    let mut rng = Rng(0x5EED_0005);
    for b in 0..RECORDS / BATCH {
        let rows: Vec<Value> = (0..BATCH)
            .map(|j| {
                let i = b * BATCH + j;
                let owner = rng.below(USERS);
                json!({ "id": format!("r{i:07}"), "module": MODULES[rng.below(MODULES.len())], "owner": format!("u{owner:06}"),
                    "company": companies[owner / per_company], "name": format!("Record {i}"), "at": rng.below(1_000_000_000) })
            })
            .collect();
        common::insert_records(db, &rows).await;
    }
    println!("seeded {USERS} users and {RECORDS} records in {:.0} s", started.elapsed().as_secs_f64());
    bench.keep_dir = true;
    bench.dir.clone()
}

async fn measure(dir: &std::path::Path) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .env("GATEHOUSE_DB", format!("surrealkv://{}", dir.join("db").display()))
        .env("GATEHOUSE_ADDR", format!("127.0.0.1:{port}"))
        .env("GATEHOUSE_OUTBOX", dir.join("outbox"))
        .env("GATEHOUSE_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut ready = None;
    for _ in 0..6_000 {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the server exited at start-up: {status}");
        }
        if reqwest::get(format!("{base}/healthz")).await.map(|r| r.status().is_success()).unwrap_or(false) {
            ready = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let ready = ready.expect("the server answered /healthz");
    let at_ready = common::memory_mib(pid, "VmRSS:");
    let admin = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = admin.post(format!("{base}/api/auth/sign-in")).json(&json!({ "email": "bench@example.com", "password": common::PASSWORD })).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let timed = |path: &'static str, body: Value| {
        let (admin, base) = (admin.clone(), base.clone());
        async move {
            let t = Instant::now();
            let r = admin.post(format!("{base}{path}")).json(&body).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let body: Value = r.json().await.unwrap();
            (t.elapsed(), body)
        }
    };
    let (users_first, users) = timed("/api/users/search", json!({ "query": {} })).await;
    let after_users = common::memory_mib(pid, "VmRSS:");
    let (records_first, records) = timed("/api/records/search", json!({ "query": { "module": "Opportunities" } })).await;
    let after_records = common::memory_mib(pid, "VmRSS:");
    let (users_again, _) = timed("/api/users/search", json!({ "query": {} })).await;
    let (records_again, _) = timed("/api/records/search", json!({ "query": { "module": "Opportunities" } })).await;
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!();
    println!("| step | time | resident memory |");
    println!("|---|---|---|");
    println!("| start → `/healthz` answers | {} | {at_ready:.0} MiB |", ms(ready));
    println!("| first users list ({} users; the directory loads) | {} (then {}) | {after_users:.0} MiB |", users["total"], ms(users_first), ms(users_again));
    println!(
        "| first records list ({} opportunities; the engine compiles) | {} (then {}) | {after_records:.0} MiB |",
        records["page"]["total"],
        ms(records_first),
        ms(records_again)
    );
    println!("| peak | | {:.0} MiB |", common::memory_mib(pid, "VmHWM:"));
    println!("start to ready with both loaded: {}", ms(ready + users_first + records_first));
    let _ = child.kill();
    let _ = child.wait();
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = runtime.block_on(seed());
    // Stopping the runtime drops every task holding the database, which closes it.
    runtime.shutdown_timeout(Duration::from_secs(10));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(measure(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}
