//! Records list latency against a running server: 10k users and 1M records across 20 companies
//! on an embedded on-disk SurrealDB. A sales rep's first page of Opportunities (Own) and a sales
//! manager's (Department tree, a region of two teams), p50 and p95 over 200 requests each.
//! Run with:
//!
//!     cargo bench --bench records_list --features server --profile server-release --target x86_64-unknown-linux-gnu

use std::time::Instant;

use gatehouse::server::demo::Rng;
use common::{percentile, PASSWORD};

mod common;
use serde_json::{json, Value};

const COMPANIES: usize = 20;
/// Per company: one division, three regions below it, two teams below each region.
const DEPTS_PER_COMPANY: usize = 10;
const USERS: usize = 10_000;
const RECORDS: usize = 1_000_000;
const REQUESTS: usize = 200;
const BATCH: usize = 5_000;
const MODULES: [&str; 6] = ["Leads", "Customers", "Opportunities", "Tasks", "Projects", "SupportActivities"];

async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let r = client.post(url).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::main]
async fn main() {
    let bench = common::start("records-bench").await;
    let (state, base, admin) = (&bench.state, bench.base.clone(), bench.admin.clone());

    // Two profiles and roles through the API, as an administrator would make them.
    let view = |level: &str| json!([{ "module": "Opportunities", "action": "View", "level": level }]);
    for (name, level) in [("Bench Rep", "Own"), ("Bench Manager", "DepartmentTree")] {
        post(&admin, format!("{base}/api/admin/save"), json!({ "change": { "SaveProfile": { "id": null, "name": name, "permissions": view(level), "field_rules": [] } } })).await;
    }
    let org = admin.get(format!("{base}/api/admin/org")).send().await.unwrap().json::<Value>().await.unwrap();
    let profile = |name: &str| org["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_str().unwrap().to_string();
    let (rep_profile, mgr_profile) = (profile("Bench Rep"), profile("Bench Manager"));
    let db = &state.db;
    db.query(
        "CREATE role:bench_rep SET name = 'Bench Rep', name_key = 'bench rep', parent = role:administrator,
            profiles = [type::record('profile', $rep)], built_in = false, created_at = 0;
         CREATE role:bench_manager SET name = 'Bench Manager', name_key = 'bench manager', parent = role:administrator,
            profiles = [type::record('profile', $mgr)], built_in = false, created_at = 0;",
        json!({ "rep": rep_profile, "mgr": mgr_profile }),
    )
    .await
    .unwrap();

    let started = Instant::now();
    let companies = common::company_tree(db, COMPANIES).await;
    let dept = common::dept;
    // Users: 500 per company, in the six teams; the first user of each region manages it.
    let hash = common::admin_hash(db).await;
    let per_company = USERS / COMPANIES;
    let users: Vec<Value> = (0..USERS)
        .map(|i| {
            let (c, k) = (i / per_company, i % per_company);
            let manager = k < 3;
            let d = if manager { 1 + k } else { 4 + k % 6 };
            json!({ "id": format!("u{i:05}"), "name": format!("User {i}"), "email": format!("u{i}@example.com"), "company": companies[c],
                "dept": dept(c, d), "role": if manager { "bench_manager" } else { "bench_rep" } })
        })
        .collect();
    common::insert_users(db, &users, &hash).await;
    println!("seeded {USERS} users in {} departments, {COMPANIES} companies in {:.1} s", COMPANIES * DEPTS_PER_COMPANY, started.elapsed().as_secs_f64());

    // Records: 100 per user on average, spread over the six modules, in the owner's company.
    let mut rng = Rng(0xBE_4C_0001);
    let started = Instant::now();
    for b in 0..RECORDS / BATCH {
        let rows: Vec<Value> = (0..BATCH)
            .map(|j| {
                let i = b * BATCH + j;
                let owner = rng.below(USERS);
                let module = MODULES[rng.below(MODULES.len())];
                json!({ "id": format!("r{i:07}"), "module": module, "owner": format!("u{owner:05}"),
                    "company": companies[owner / per_company], "name": format!("Record {i}"), "at": rng.below(1_000_000_000) })
            })
            .collect();
        common::insert_records(db, &rows).await;
    }
    println!("seeded {RECORDS} records in {:.1} s", started.elapsed().as_secs_f64());

    // Sign in a rep (a team member) and a regional manager of company 7.
    let sign_in = |email: String| {
        let base = base.clone();
        async move {
            let c = reqwest::Client::builder().cookie_store(true).build().unwrap();
            let r = c.post(format!("{base}/api/auth/sign-in")).json(&json!({ "email": email, "password": PASSWORD })).send().await.unwrap();
            assert_eq!(r.status(), 200, "{email}");
            c
        }
    };
    let rep = sign_in(format!("u{}@example.com", 7 * per_company + 10)).await;
    let manager = sign_in(format!("u{}@example.com", 7 * per_company + 1)).await;
    // The administrator gets every company, to measure a list at All over the whole module.
    db.query(
        "UPDATE user SET companies = (SELECT VALUE id FROM company) WHERE email_key = 'bench@example.com';
         UPSERT access_version:current SET version += 1;",
        json!({}),
    )
    .await
    .unwrap();
    let query = json!({ "query": { "module": "Opportunities" } });
    for (who, client) in [
        ("sales rep (Own)", &rep),
        ("sales manager (Department tree: a region of two teams)", &manager),
        ("administrator (All, every company)", &admin),
    ] {
        let mut total = 0;
        for _ in 0..10 {
            total = post(client, format!("{base}/api/records/search"), query.clone()).await["page"]["total"].as_u64().unwrap();
        }
        let mut times = Vec::with_capacity(REQUESTS);
        for _ in 0..REQUESTS {
            let t = Instant::now();
            let resp = client.post(format!("{base}/api/records/search")).json(&query).send().await.unwrap();
            assert_eq!(resp.status(), 200);
            let _ = resp.bytes().await;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "{who}: first page of 25 Opportunities of {total} in reach, {REQUESTS} requests: p50 {:.1} ms, p95 {:.1} ms",
            percentile(&times, 0.50).as_secs_f64() * 1000.0,
            percentile(&times, 0.95).as_secs_f64() * 1000.0
        );
    }
}
