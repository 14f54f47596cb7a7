//! Users list latency against a running server: 100k users across 20 companies and 200
//! departments on an embedded on-disk SurrealDB; the first page with a search term and two
//! filters, p50 and p95 over 200 requests. Run with:
//!
//!     cargo bench --bench users_list --features server --profile server-release --target x86_64-unknown-linux-gnu

use std::time::Instant;

mod common;

use serde_json::{json, Value};

const USERS: usize = 100_000;
const COMPANIES: usize = 20;
const DEPARTMENTS: usize = 200;
const REQUESTS: usize = 200;

const FIRST: &[&str] = &["Ann", "Bo", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Milo", "Nia", "Omar", "Pia", "Quin", "Rosa", "Sam", "Tara"];
const LAST: &[&str] = &["Smith", "Garcia", "Chen", "Okafor", "Novak", "Silva", "Kowalski", "Nguyen", "Haddad", "Larsen", "Moreau", "Rossi", "Tanaka", "Petrov", "Walsh", "Kaya", "Ibrahim", "Costa", "Berg", "Young"];

#[tokio::main]
async fn main() {
    let bench = common::start("users-bench").await;
    let (state, base, client) = (&bench.state, bench.base.clone(), bench.admin.clone());
    use common::percentile;

    let started = Instant::now();
    let db = &state.db;
    let companies: Vec<String> = (0..COMPANIES).map(|i| format!("co{i:02}")).collect();
    let departments: Vec<String> = (0..DEPARTMENTS).map(|i| format!("dep{i:03}")).collect();
    db.query(
        "FOR $c IN $companies { CREATE type::record('company', $c) SET name = 'Company ' + $c, name_key = $c, archived = false, created_at = 0; };
         FOR $i IN 0..$n { CREATE type::record('department', $deps[$i]) SET name = 'Department ' + $deps[$i],
            parent = IF $i >= 20 { type::record('department', $deps[$i % 20]) } ELSE { NONE }, created_at = 0; };",
        json!({ "companies": companies, "deps": departments, "n": DEPARTMENTS }),
    )
    .await
    .unwrap();
    let statuses = ["active", "active", "active", "inactive", "invited", "blocked"];
    for chunk in 0..(USERS / 2000) {
        let rows: Vec<Value> = (chunk * 2000..(chunk + 1) * 2000)
            .map(|i| {
                let first = FIRST[i % FIRST.len()];
                let last = LAST[(i / FIRST.len()) % LAST.len()];
                let name = format!("{first} {last} {i}");
                let email = format!("{}.{}{}@example.com", first.to_lowercase(), last.to_lowercase(), i);
                json!({
                    "id": format!("u{i:06}"), "name": name, "email": email,
                    "search": format!("{} {} +4477009{:05}", name.to_lowercase(), email, i % 100_000),
                    "dept": departments[i % DEPARTMENTS], "status": statuses[i % statuses.len()],
                    "companies": [companies[i % COMPANIES].clone(), companies[(i / 7) % COMPANIES].clone()],
                    "role": if i % 50 == 0 { "administrator" } else { "manager" },
                })
            })
            .collect();
        db.query(
            "FOR $u IN $rows { CREATE type::record('user', $u.id) SET full_name = $u.name, email = $u.email, email_key = $u.email,
                department = type::record('department', $u.dept), role = type::record('role', $u.role),
                companies = $u.companies.map(|$c| type::record('company', $c)), status = $u.status, is_approver = false,
                must_change_password = false, created_at = 0, updated_at = 0, search_text = $u.search,
                licenses = [], hidden_modules = []; };",
            json!({ "rows": rows }),
        )
        .await
        .unwrap();
    }
    db.query("UPSERT access_version:current SET version += 1;", json!({})).await.unwrap();
    println!("seeded {USERS} users, {COMPANIES} companies, {DEPARTMENTS} departments in {:.1} s", started.elapsed().as_secs_f64());

    let query = |i: usize| {
        json!({ "query": {
            "search": LAST[i % LAST.len()].to_lowercase(),
            "status": "active",
            "department": departments[(i * 37) % DEPARTMENTS],
        }})
    };
    for i in 0..10 {
        client.post(format!("{base}/api/users/search")).json(&query(i)).send().await.unwrap();
    }
    let mut times = Vec::with_capacity(REQUESTS);
    let mut total_rows = 0u64;
    for i in 0..REQUESTS {
        let t = Instant::now();
        let resp = client.post(format!("{base}/api/users/search")).json(&query(i)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let body: Value = resp.json().await.unwrap();
        times.push(t.elapsed());
        total_rows += body["total"].as_u64().unwrap_or(0);
    }
    times.sort();
    println!(
        "users list, search + status + department, first page of 25, {REQUESTS} requests: p50 {:.1} ms, p95 {:.1} ms (avg {} matches)",
        percentile(&times, 0.50).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0,
        total_rows / REQUESTS as u64
    );
    let mut times = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let resp = client.get(format!("{base}/api/auth/me")).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let _ = resp.bytes().await;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "baseline GET /api/auth/me (session check only), {REQUESTS} requests: p50 {:.2} ms, p95 {:.2} ms",
        percentile(&times, 0.50).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0
    );
    let company_query = |i: usize| json!({ "query": { "search": LAST[i % LAST.len()].to_lowercase(), "status": "active", "company": companies[i % COMPANIES] } });
    let mut times = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS {
        let t = Instant::now();
        let resp = client.post(format!("{base}/api/users/search")).json(&company_query(i)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let _ = resp.bytes().await;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "users list, search + status + company, first page of 25, {REQUESTS} requests: p50 {:.1} ms, p95 {:.1} ms",
        percentile(&times, 0.50).as_secs_f64() * 1000.0,
        percentile(&times, 0.95).as_secs_f64() * 1000.0
    );
}
