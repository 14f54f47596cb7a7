#![allow(dead_code)]
//! What the HTTP latency benchmarks share: a real server over an embedded on-disk SurrealDB in a
//! temporary folder, set up with a first administrator, and percentiles.

use std::path::PathBuf;
use std::time::Duration;

use gatehouse::server::{http::Assets, AppState, Settings};
use serde_json::json;

pub const PASSWORD: &str = "quiet servers count their requests";

pub struct Bench {
    pub state: AppState,
    pub base: String,
    /// Signed in as the first administrator.
    pub admin: reqwest::Client,
    pub dir: PathBuf,
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub async fn start(name: &str) -> Bench {
    start_with(name, |_| {}).await
}

/// As [`start`], with the settings changed first (e.g. behind a trusted proxy).
pub async fn start_with(name: &str, change: impl FnOnce(&mut Settings)) -> Bench {
    let dir = std::env::temp_dir().join(format!("gatehouse-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut settings = Settings::for_tests(dir.join("outbox").to_str().unwrap());
    settings.database_url = format!("surrealkv://{}", dir.join("db").display());
    // `GATEHOUSE_BENCH_DB=ws://host:port`: a SurrealDB server (root / root) instead, in a database
    // of its own.
    if let Ok(url) = std::env::var("GATEHOUSE_BENCH_DB") {
        settings.database_url = url;
        settings.database_user = Some("root".into());
        settings.database_password = Some("root".into());
        settings.database_name = format!("{name}-{}", std::process::id());
    }
    change(&mut settings);
    let state = AppState::open(settings).await.expect("the app starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serve_state = state.clone();
    tokio::spawn(async move {
        gatehouse::server::serve_on(listener, serve_state, Assets::None, std::future::pending()).await.unwrap();
    });
    let admin = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = admin
        .post(format!("{base}/api/setup"))
        .json(&json!({ "full_name": "Bench Admin", "email": "bench@example.com", "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    Bench { state, base, admin, dir }
}

impl Bench {
    /// The first company and department (setup creates one of each): what a new person needs.
    pub async fn defaults(&self) -> (String, String) {
        let rows: Vec<serde_json::Value> = self
            .state
            .db
            .query("RETURN { company: (SELECT VALUE record::id(id) FROM company)[0], department: (SELECT VALUE record::id(id) FROM department)[0] };", json!({}))
            .await
            .unwrap()
            .all(0)
            .unwrap();
        (rows[0]["company"].as_str().unwrap().to_string(), rows[0]["department"].as_str().unwrap().to_string())
    }
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Creates active users in bulk, 2,000 per query, all with the password hash `hash`. Each row:
/// `id`, `name`, `email`, `company`, `dept`, `role` (record keys).
pub async fn insert_users(db: &gatehouse::server::db::Db, rows: &[serde_json::Value], hash: &Option<String>) {
    for chunk in rows.chunks(2_000) {
        db.query(
            "FOR $u IN $rows { CREATE type::record('user', $u.id) SET full_name = $u.name, email = $u.email, email_key = $u.email,
                department = type::record('department', $u.dept), role = type::record('role', $u.role),
                companies = [type::record('company', $u.company)], status = 'active', is_approver = false, password_hash = $hash,
                must_change_password = false, created_at = 0, updated_at = 0, search_text = string::lowercase($u.name), licenses = [], hidden_modules = []; };",
            json!({ "rows": chunk, "hash": hash }),
        )
        .await
        .unwrap();
    }
    db.query("UPSERT access_version:current SET version += 1;", json!({})).await.unwrap();
}

/// Creates records in bulk, one query per call. Each row: `id`, `module`, `owner`, `company`,
/// `name`, `at` (record keys; `at` is both creation and update time).
pub async fn insert_records(db: &gatehouse::server::db::Db, rows: &[serde_json::Value]) {
    db.query(
        "FOR $r IN $rows { CREATE type::record('crm_record', $r.id) SET module = $r.module, attrs = { name: $r.name },
            search_text = string::lowercase($r.name), owner = type::record('user', $r.owner),
            company = type::record('company', $r.company), created_at = $r.at, updated_at = $r.at; };",
        json!({ "rows": rows }),
    )
    .await
    .unwrap();
}

/// Department `d` of company `c`: 0 the division, 1..=3 its regions, 4..=9 its teams (two per
/// region); see [`company_tree`].
pub fn dept(c: usize, d: usize) -> String {
    format!("d{c:02}_{d}")
}

/// Creates `companies` companies (`co00`, `co01`, …), each with a division of three regions of two
/// teams (ten departments, [`dept`]); answers the company keys.
pub async fn company_tree(db: &gatehouse::server::db::Db, companies: usize) -> Vec<String> {
    let keys: Vec<String> = (0..companies).map(|i| format!("co{i:02}")).collect();
    let parent = |d: usize| match d {
        0 => None,
        1..=3 => Some(0),
        _ => Some(1 + (d - 4) / 2),
    };
    let depts: Vec<serde_json::Value> = (0..companies)
        .flat_map(|c| (0..10).map(move |d| (c, d)))
        .map(|(c, d)| json!({ "id": dept(c, d), "parent": parent(d).map(|p| dept(c, p)) }))
        .collect();
    db.query(
        "FOR $c IN $companies { CREATE type::record('company', $c) SET name = 'Company ' + $c, name_key = $c, archived = false, created_at = 0; };
         FOR $d IN $depts { CREATE type::record('department', $d.id) SET name = 'Department ' + $d.id, created_at = 0,
            parent = IF $d.parent { type::record('department', $d.parent) } ELSE { NONE }; };",
        json!({ "companies": keys, "depts": depts }),
    )
    .await
    .unwrap();
    keys
}

/// The first administrator's password hash, to give seeded people the same password.
pub async fn admin_hash(db: &gatehouse::server::db::Db) -> Option<String> {
    db.query("SELECT VALUE password_hash FROM user WHERE email_key = 'bench@example.com';", json!({})).await.unwrap().first(0).unwrap()
}

/// A process's resident memory from /proc, in MiB: `VmRSS:` now, `VmHWM:` at its peak.
pub fn memory_mib(pid: u32, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}
