//! Load on loopback over a real SurrealDB server: one, then two Gatehouse instances (separate
//! processes of the release binary, over `ws://`) driven by 200 signed-in people at once, each
//! looping over a mix of a records list (40 %), the users list (30 %) and a user page (30 %),
//! spread round-robin over the instances as a load balancer would; plus two clients signing in
//! over and over. Each phase runs 20 s. Prints throughput, p50 / p95 / p99, errors and each
//! process's peak memory. Run with:
//!
//!     cargo build -p surreal-server --profile server-release --target x86_64-unknown-linux-gnu
//!     cargo bench --bench cluster_load --features server --profile server-release --target x86_64-unknown-linux-gnu
//!
//! The SurrealDB server is `GATEHOUSE_SURREAL_SERVER`, or the one built beside this benchmark (the
//! same profile), or else the test build's (`server-dev`, much slower; the output says which).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;

const PEOPLE: usize = 200;
const TASKS_EACH: usize = 5;
const PHASE: Duration = Duration::from_secs(20);
use common::PASSWORD;

/// A child process, stopped when dropped.
struct Proc {
    child: Child,
    name: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Proc {
    /// Peak and current resident memory, in MiB.
    fn memory_mib(&self) -> (f64, f64) {
        (common::memory_mib(self.child.id(), "VmHWM:"), common::memory_mib(self.child.id(), "VmRSS:"))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn surreal_binary() -> (PathBuf, &'static str) {
    if let Some(p) = std::env::var_os("GATEHOUSE_SURREAL_SERVER") {
        return (p.into(), "GATEHOUSE_SURREAL_SERVER");
    }
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let beside = profile_dir.join("surreal-server");
    if beside.exists() {
        return (beside, "release build");
    }
    let dev = profile_dir.parent().unwrap().join("server-dev").join("surreal-server");
    assert!(dev.exists(), "build the SurrealDB server first: cargo build -p surreal-server --profile server-release --target <host>");
    (dev, "DEBUG build (server-dev): figures are a lower bound")
}

async fn wait_until_up(url: &str, proc: &mut Proc) {
    for _ in 0..300 {
        if let Ok(Some(status)) = proc.child.try_wait() {
            panic!("{} exited at start-up: {status}", proc.name);
        }
        if reqwest::get(url).await.map(|r| r.status().is_success()).unwrap_or(false) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} did not answer {url}", proc.name);
}

async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let r = client.post(&url).json(&body).send().await.unwrap();
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{url}: {status} {body}");
    body
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    common::percentile(sorted, p)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

struct Person {
    id: String,
    client: reqwest::Client,
}

/// The activation tokens of every invitation mail in the outbox.
fn activation_tokens(outbox: &std::path::Path) -> Vec<String> {
    let mut tokens = Vec::new();
    for entry in std::fs::read_dir(outbox).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default().replace("=\r\n", "").replace("=\n", "");
        if let Some(at) = text.find("/activate/") {
            let token: String = text[at + 10..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            if !token.is_empty() && !tokens.contains(&token) {
                tokens.push(token);
            }
        }
    }
    tokens
}

#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    errors: u64,
}

/// One phase: every person loops over the mix on `bases` (round-robin) for `PHASE`; two more
/// clients sign in over and over. Answers (requests, sign-ins).
async fn phase(bases: &[String], people: &Arc<Vec<Person>>) -> (Tally, Tally) {
    let bases = Arc::new(bases.to_vec());
    let end = Instant::now() + PHASE;
    let mut handles = Vec::new();
    for (i, _) in people.iter().enumerate() {
        let (bases, people) = (bases.clone(), people.clone());
        handles.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut n = i;
            while Instant::now() < end {
                n += 1;
                let base = &bases[n % bases.len()];
                let me = &people[i];
                let request = match n % 10 {
                    0..=3 => me.client.post(format!("{base}/api/records/search")).json(&json!({ "query": { "module": "Tasks" } })),
                    4..=6 => me.client.post(format!("{base}/api/users/search")).json(&json!({ "query": {} })),
                    _ => me.client.get(format!("{base}/api/users/{}", people[(i * 7 + n) % people.len()].id)),
                };
                let t = Instant::now();
                match request.send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        tally.times.push(t.elapsed());
                    }
                    _ => tally.errors += 1,
                }
            }
            tally
        }));
    }
    let mut sign_ins = Vec::new();
    for k in 0..2 {
        let bases = bases.clone();
        sign_ins.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut n = k;
            while Instant::now() < end {
                n += 1;
                let client = reqwest::Client::new();
                let t = Instant::now();
                let r = client
                    .post(format!("{}/api/auth/sign-in", bases[n % bases.len()]))
                    .json(&json!({ "email": format!("signer{k}@example.com"), "password": PASSWORD }))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => tally.times.push(t.elapsed()),
                    _ => tally.errors += 1,
                }
            }
            tally
        }));
    }
    let mut requests = Tally::default();
    for h in handles {
        let t = h.await.unwrap();
        requests.times.extend(t.times);
        requests.errors += t.errors;
    }
    let mut signs = Tally::default();
    for h in sign_ins {
        let t = h.await.unwrap();
        signs.times.extend(t.times);
        signs.errors += t.errors;
    }
    requests.times.sort();
    signs.times.sort();
    (requests, signs)
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("gatehouse-cluster-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let outbox = dir.join("outbox");
    let (surreal, which) = surreal_binary();
    println!("SurrealDB server: {} ({which})", surreal.display());
    let db_port = free_port();
    let mut server = Proc {
        child: Command::new(&surreal)
            .args(["start", "--bind", &format!("127.0.0.1:{db_port}"), "--user", "root", "--pass", "root", "--log", "error", "memory"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
        name: "surreal-server".into(),
    };
    wait_until_up(&format!("http://127.0.0.1:{db_port}/health"), &mut server).await;

    let mut instances = Vec::new();
    let mut bases = Vec::new();
    for i in 0..2 {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
            .env("GATEHOUSE_DB", format!("ws://127.0.0.1:{db_port}"))
            .env("GATEHOUSE_DB_USER", "root")
            .env("GATEHOUSE_DB_PASSWORD", "root")
            .env("GATEHOUSE_ADDR", format!("127.0.0.1:{port}"))
            .env("GATEHOUSE_OUTBOX", &outbox)
            .env("GATEHOUSE_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut p = Proc { child, name: format!("instance {}", i + 1) };
        let base = format!("http://127.0.0.1:{port}");
        wait_until_up(&format!("{base}/healthz"), &mut p).await;
        instances.push(p);
        bases.push(base);
    }

    // The organisation, through instance 1: an administrator, a role that may list people and
    // tasks, 200 people of it (invited, activated, so signed in) with 5 tasks each, and two more
    // people who only sign in.
    let started = Instant::now();
    let a = &bases[0];
    let admin = reqwest::Client::builder().cookie_store(true).build().unwrap();
    post(&admin, format!("{a}/api/setup"), json!({ "full_name": "Load Admin", "email": "load@example.com", "password": PASSWORD })).await;
    let perms: Vec<Value> = [("Users", "View"), ("Tasks", "View"), ("Tasks", "Create")]
        .iter()
        .map(|(m, act)| json!({ "module": m, "action": act, "level": "All" }))
        .collect();
    post(&admin, format!("{a}/api/admin/save"), json!({ "change": { "SaveProfile": { "id": null, "name": "Coordinator", "permissions": perms, "field_rules": [] } } })).await;
    let org: Value = admin.get(format!("{a}/api/admin/org")).send().await.unwrap().json().await.unwrap();
    let profile = org["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Coordinator").unwrap()["id"].clone();
    post(&admin, format!("{a}/api/admin/save"), json!({ "change": { "SaveRole": { "id": null, "name": "Coordinator", "parent": "administrator", "profiles": [profile] } } })).await;
    let org: Value = admin.get(format!("{a}/api/admin/org")).send().await.unwrap().json().await.unwrap();
    let role = org["roles"].as_array().unwrap().iter().find(|r| r["name"] == "Coordinator").unwrap()["id"].clone();
    let department = org["departments"][0]["id"].clone();
    let companies: Value = admin.get(format!("{a}/api/companies")).send().await.unwrap().json().await.unwrap();
    let company = companies[0]["id"].clone();
    let mut ids = Vec::new();
    for i in 0..PEOPLE + 2 {
        let email = if i < PEOPLE { format!("person{i}@example.com") } else { format!("signer{}@example.com", i - PEOPLE) };
        let input = json!({ "input": { "full_name": format!("Person {i}"), "email": email, "mobile": "", "department": department,
            "role": role, "companies": [company], "is_approver": false } });
        let created = post(&admin, format!("{}/api/users", bases[i % 2]), input).await;
        ids.push(created["id"].as_str().unwrap().to_string());
    }
    let mut tokens = Vec::new();
    for _ in 0..600 {
        tokens = activation_tokens(&outbox);
        if tokens.len() >= PEOPLE + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(tokens.len(), PEOPLE + 2, "every invitation mail arrived");
    // Four activations at a time: every activation writes the access version row, and more at
    // once clash there (see the README).
    let mut people = Vec::new();
    let mut activated = Vec::new();
    for (n, batch) in tokens.chunks(4).enumerate() {
        let mut running = Vec::new();
        for (i, token) in batch.iter().enumerate() {
            let (base, token) = (bases[(n + i) % 2].clone(), token.clone());
            running.push(tokio::spawn(async move {
                let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
                post(&client, format!("{base}/api/links/complete"), json!({ "token": token, "password": PASSWORD })).await;
                client
            }));
        }
        for h in running {
            activated.push(h.await.unwrap());
        }
    }
    for client in activated {
        let me: Value = client.get(format!("{a}/api/auth/me")).send().await.unwrap().json().await.unwrap();
        let email = me["email"].as_str().unwrap_or_default().to_string();
        let id = me["id"].as_str().unwrap_or_default().to_string();
        if email.starts_with("person") {
            people.push(Person { id, client });
        }
    }
    assert_eq!(people.len(), PEOPLE, "every person activated and signed in");
    let people = Arc::new(people);
    let mut creates = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let (client, base, company) = (p.client.clone(), bases[i % 2].clone(), company.clone());
        creates.push(tokio::spawn(async move {
            for t in 0..TASKS_EACH {
                post(&client, format!("{base}/api/records/create"), json!({ "module": "Tasks", "input": { "values": { "title": format!("Task {i}-{t}") }, "company": company } })).await;
            }
        }));
    }
    for h in creates {
        h.await.unwrap();
    }
    println!("seeded {} people and {} tasks in {:.0} s", ids.len(), PEOPLE * TASKS_EACH, started.elapsed().as_secs_f64());

    println!();
    println!("| instances | requests/s | p50 | p95 | p99 | errors | sign-ins/s | sign-in p50 | sign-in p99 |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut throughput = Vec::new();
    for n in [1, 2] {
        let (requests, signs) = phase(&bases[..n], &people).await;
        let rate = requests.times.len() as f64 / PHASE.as_secs_f64();
        throughput.push(rate);
        println!(
            "| {n} | {rate:.0} | {} | {} | {} | {} | {:.1} | {} | {} |",
            ms(percentile(&requests.times, 0.5)),
            ms(percentile(&requests.times, 0.95)),
            ms(percentile(&requests.times, 0.99)),
            requests.errors + signs.errors,
            signs.times.len() as f64 / PHASE.as_secs_f64(),
            ms(percentile(&signs.times, 0.5)),
            ms(percentile(&signs.times, 0.99)),
        );
    }
    println!();
    println!("two instances / one: {:.2}× the throughput", throughput[1] / throughput[0]);
    for p in instances.iter().chain(std::iter::once(&server)) {
        let (peak, now) = p.memory_mib();
        println!("{}: peak {peak:.0} MiB, now {now:.0} MiB", p.name);
    }
    drop(instances);
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
