//! CSV import and REST list benchmarks (issue 14): a real server over an embedded on-disk
//! SurrealDB, its first administrator importing 10,000 people from one file (the largest one
//! import takes): the dry run's time, then rows per second from the start of the import until
//! its job says done (each row through the Add user checks, judgement and audit; invitations are
//! queued, not sent, as the mail worker sends them afterwards). Then the users list asked the
//! same way through the console's server function and through the REST API with a token: p50 and
//! p95 over 200 requests each. Run with:
//!
//!     cargo bench --bench import --features server --profile server-release --target x86_64-unknown-linux-gnu
//!
//! `GATEHOUSE_BENCH_IMPORT_ROWS` imports fewer rows (a quick look).

use std::time::{Duration, Instant};

mod common;

use common::percentile;
use serde_json::{json, Value};

const REQUESTS: usize = 200;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::var("GATEHOUSE_BENCH_IMPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let bench = common::start("import-bench").await;
    let (base, client) = (bench.base.clone(), bench.admin.clone());
    let mut csv = String::from("full_name,email,role,department,companies\n");
    for i in 0..rows {
        csv.push_str(&format!("Imported Person {i},imported{i}@example.com,Manager,Head office,My company\n"));
    }

    let t = Instant::now();
    let plan: Value = client.post(format!("{base}/api/users/import/preview")).json(&json!({ "csv": csv })).send().await.unwrap().json().await.unwrap();
    let dry = t.elapsed();
    assert_eq!(plan["create"].as_u64(), Some(rows as u64), "{}", plan["refused"]);
    println!("dry run of {rows} rows: {:.2} s ({:.0} rows/s)", dry.as_secs_f64(), rows as f64 / dry.as_secs_f64());

    let t = Instant::now();
    let job: Value = client
        .post(format!("{base}/api/users/import"))
        .json(&json!({ "file_name": "bench.csv", "csv": csv }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = job["id"].as_str().unwrap().to_string();
    let done = loop {
        let j: Value = client.get(format!("{base}/api/imports/{id}")).send().await.unwrap().json().await.unwrap();
        if j["status"] == "done" {
            break j;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let took = t.elapsed();
    assert_eq!(done["created"].as_u64(), Some(rows as u64), "{done}");
    println!("import of {rows} rows: {:.2} s, {:.0} rows/s (invitations queued)", took.as_secs_f64(), rows as f64 / took.as_secs_f64());

    // The same list both ways: people invited, a search term, first page of 25.
    let made: Value = client
        .post(format!("{base}/api/tokens"))
        .json(&json!({ "input": { "name": "bench", "write": false, "days": 1 } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = made["secret"].as_str().unwrap().to_string();
    let plain = reqwest::Client::new();
    let console = json!({ "query": { "search": "person 12", "status": "invited", "per_page": 25, "page": 1 } });
    let rest = format!("{base}/api/v1/users?search=person%2012&status=invited&limit=25");
    for _ in 0..10 {
        client.post(format!("{base}/api/users/search")).json(&console).send().await.unwrap();
        plain.get(&rest).bearer_auth(&token).send().await.unwrap();
    }
    let (mut by_console, mut by_rest) = (Vec::with_capacity(REQUESTS), Vec::with_capacity(REQUESTS));
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let a = client.post(format!("{base}/api/users/search")).json(&console).send().await.unwrap();
        assert_eq!(a.status(), 200);
        let a: Value = a.json().await.unwrap();
        by_console.push(t.elapsed());
        let t = Instant::now();
        let b = plain.get(&rest).bearer_auth(&token).send().await.unwrap();
        assert_eq!(b.status(), 200);
        let b: Value = b.json().await.unwrap();
        by_rest.push(t.elapsed());
        assert_eq!(a["total"], b["total"], "both ways find the same people");
    }
    by_console.sort();
    by_rest.sort();
    let (c95, r95) = (percentile(&by_console, 0.95), percentile(&by_rest, 0.95));
    println!(
        "users list (invited, search, first page of 25) over {} people, {REQUESTS} requests each: console p50 {:.1} ms p95 {:.1} ms; REST p50 {:.1} ms p95 {:.1} ms ({:+.0} % at p95)",
        rows + 1,
        ms(percentile(&by_console, 0.50)),
        ms(c95),
        ms(percentile(&by_rest, 0.50)),
        ms(r95),
        (r95.as_secs_f64() / c95.as_secs_f64() - 1.0) * 100.0
    );
}
