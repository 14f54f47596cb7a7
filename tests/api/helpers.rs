//! `spawn_app()`: a real server on a random port over a fresh in-memory SurrealDB, and a
//! cookie-keeping HTTP client to drive it, as a browser would.

use std::sync::atomic::{AtomicU64, Ordering};

use gatehouse::server::{http::Assets, AppState, Settings};
use serde_json::{json, Value};

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: AppState,
    #[allow(dead_code)]
    pub outbox: std::path::PathBuf,
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The typed error's variant name, e.g. "Unauthorized" or "Invalid".
    pub fn error_kind(&self) -> String {
        match &self.body["data"] {
            Value::String(s) => s.clone(),
            Value::Object(o) => o.keys().next().cloned().unwrap_or_default(),
            _ => String::new(),
        }
    }
    pub fn message(&self) -> String {
        self.body["message"].as_str().unwrap_or_default().to_string()
    }
    pub fn field_message(&self, field: &str) -> Option<String> {
        self.body["data"]["Invalid"]["fields"]
            .as_array()?
            .iter()
            .find(|f| f["field"] == field)
            .and_then(|f| f["message"].as_str().map(str::to_string))
    }
}

pub const ADMIN_NAME: &str = "Ada Admin";
pub const ADMIN_EMAIL: &str = "ada@example.com";
pub const ADMIN_PASSWORD: &str = "violet mountain coffee lantern";

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, with settings adjusted first.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    // Server errors show in a failing test's output; TEST_LOG=debug shows more.
    let filter = std::env::var("TEST_LOG").unwrap_or_else(|_| "error".into());
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter(filter).try_init();
    let outbox = std::env::temp_dir().join(format!(
        "gatehouse-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let mut settings = Settings::for_tests(outbox.to_str().unwrap());
    adjust(&mut settings);
    let state = AppState::open(settings).await.expect("the app starts on an in-memory database");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serve_state = state.clone();
    tokio::spawn(async move {
        gatehouse::server::serve_on(listener, serve_state, Assets::None, std::future::pending()).await.unwrap();
    });
    TestApp { base, client: new_client(), state, outbox }
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

impl TestApp {
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call_with(&self.client, method, path, body).await
    }

    pub async fn call_with(&self, client: &reqwest::Client, method: &str, path: &str, body: Option<Value>) -> Answer {
        let url = format!("{}{}", self.base, path);
        let req = match method {
            "GET" => client.get(url),
            "POST" => client.post(url),
            "PUT" => client.put(url),
            "PATCH" => client.patch(url),
            "DELETE" => client.delete(url),
            other => panic!("unsupported method {other}"),
        };
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let resp = req.send().await.expect("the server answers");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        Answer { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call("GET", path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call("POST", path, Some(body)).await
    }

    /// First-run setup with the standard administrator; leaves this client signed in.
    pub async fn set_up(&self) -> Answer {
        let a = self
            .post("/api/setup", json!({ "full_name": ADMIN_NAME, "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
            .await;
        assert_eq!(a.status, 200, "setup failed: {:?}", a.body);
        a
    }

    pub async fn sign_in_with(&self, client: &reqwest::Client, email: &str, password: &str) -> Answer {
        self.call_with(client, "POST", "/api/auth/sign-in", Some(json!({ "email": email, "password": password }))).await
    }
}
