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
