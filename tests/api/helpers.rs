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
    let outbox = new_outbox();
    let mut settings = Settings::for_tests(outbox.to_str().unwrap());
    adjust(&mut settings);
    let state = AppState::open(settings).await.expect("the app starts on an in-memory database");
    serve(state, outbox).await
}

/// Serves `state` on a free loopback port.
async fn serve(state: AppState, outbox: std::path::PathBuf) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serve_state = state.clone();
    tokio::spawn(async move {
        gatehouse::server::serve_on(listener, serve_state, Assets::None, std::future::pending()).await.unwrap();
    });
    TestApp { base, client: new_client(), state, outbox }
}

fn new_outbox() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("gatehouse-test-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst)))
}

/// The real SurrealDB server (`surreal start`, built from crates.io by tests/surreal-server),
/// started for one test on a free loopback port with an in-memory store and a root user, and
/// stopped when dropped.
#[allow(dead_code)]
pub struct SurrealServer {
    child: std::process::Child,
    pub url: String,
}

#[allow(dead_code)]
impl SurrealServer {
    /// The binary: `GATEHOUSE_SURREAL_SERVER`, or the one cargo built beside this test binary
    /// (`cargo build -p surreal-server` with the same profile and target, as scripts/test does).
    fn binary() -> std::path::PathBuf {
        if let Some(path) = std::env::var_os("GATEHOUSE_SURREAL_SERVER") {
            return path.into();
        }
        let exe = std::env::current_exe().unwrap();
        let beside = exe.parent().and_then(|deps| deps.parent()).unwrap().join("surreal-server");
        assert!(
            beside.exists(),
            "the SurrealDB server is not built ({}): run `cargo build -p surreal-server` with this test's profile and target \
             (scripts/test does), or set GATEHOUSE_SURREAL_SERVER",
            beside.display()
        );
        beside
    }

    pub async fn start() -> Self {
        let binary = Self::binary();
        for _attempt in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let mut child = std::process::Command::new(&binary)
                .args(["start", "--bind", &format!("127.0.0.1:{port}"), "--user", "root", "--pass", "root", "--log", "error", "memory"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", binary.display()));
            for _ in 0..150 {
                if child.try_wait().unwrap().is_some() {
                    break; // the port was taken meanwhile: try another
                }
                let health = reqwest::get(format!("http://127.0.0.1:{port}/health")).await;
                if health.map(|r| r.status().is_success()).unwrap_or(false) {
                    return Self { child, url: format!("ws://127.0.0.1:{port}") };
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("the SurrealDB server did not answer /health");
    }
}

impl Drop for SurrealServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `n` instances over one database of `server`, opened at the same moment (so their start-ups
/// race for the migrations), each with its own connection, caches and workers, on its own
/// port; they share the mail outbox, as they would share an SMTP relay.
#[allow(dead_code)]
pub async fn spawn_cluster(server: &SurrealServer, n: usize) -> Vec<TestApp> {
    let filter = std::env::var("TEST_LOG").unwrap_or_else(|_| "error".into());
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter(filter).try_init();
    let outbox = new_outbox();
    let database = format!("cluster{}", COUNTER.fetch_add(1, Ordering::SeqCst));
    let opening: Vec<_> = (0..n)
        .map(|_| {
            let mut settings = Settings::for_tests(outbox.to_str().unwrap());
            settings.database_url = server.url.clone();
            settings.database_user = Some("root".into());
            settings.database_password = Some("root".into());
            settings.database_name = database.clone();
            tokio::spawn(AppState::open(settings))
        })
        .collect();
    let mut apps = Vec::new();
    for (i, open) in opening.into_iter().enumerate() {
        let state = open.await.unwrap().unwrap_or_else(|e| panic!("instance {i} did not start: {e:#}"));
        apps.push(serve(state, outbox.clone()).await);
    }
    apps
}

/// A second instance over the same database (its own caches and mail worker) on its own port,
/// sharing nothing else with `app`: what a second machine behind a load balancer would be.
#[allow(dead_code)]
pub async fn spawn_second_instance(app: &TestApp) -> TestApp {
    let state = app.state.second_instance();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let serve_state = state.clone();
    tokio::spawn(async move {
        gatehouse::server::serve_on(listener, serve_state, Assets::None, std::future::pending()).await.unwrap();
    });
    TestApp { base, client: new_client(), state, outbox: app.outbox.clone() }
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).build().unwrap()
}

/// Sends a request and reads its answer (a JSON body, else the text).
pub async fn send(req: reqwest::RequestBuilder) -> Answer {
    let resp = req.send().await.expect("the server answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Answer { status, headers, body }
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
        send(req).await
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

/// Decodes the quoted-printable soft breaks and escapes of an .eml body.
pub fn unquote(eml: &str) -> String {
    let joined = eml.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl TestApp {
    /// Every message written to the outbox for `to`, oldest first (waits up to 5 s for one more
    /// than `at_least - 1`).
    pub async fn mails_to(&self, to: &str, at_least: usize) -> Vec<String> {
        for _ in 0..50 {
            let mut found: Vec<(std::time::SystemTime, String)> = Vec::new();
            if let Ok(dir) = std::fs::read_dir(&self.outbox) {
                for entry in dir.flatten() {
                    let text = unquote(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                    if text.to_lowercase().contains(&format!("<{}>", to.to_lowercase())) {
                        found.push((entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH), text));
                    }
                }
            }
            if found.len() >= at_least {
                found.sort_by_key(|f| f.0);
                return found.into_iter().map(|f| f.1).collect();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("fewer than {at_least} mails to {to} arrived in the outbox");
    }

    /// The first link in a mail that contains `marker` (e.g. "/activate/").
    pub fn link_in(mail: &str, marker: &str) -> String {
        let start = mail.find(marker).expect("the mail has the link");
        let begin = mail[..start].rfind("http").unwrap();
        mail[begin..].split(|c: char| c.is_whitespace() || c == '"' || c == '<').next().unwrap().to_string()
    }

    pub fn token_of(link: &str) -> String {
        link.rsplit('/').next().unwrap().to_string()
    }

    /// The ids of the setup's company and department, and of the built-in Manager role.
    pub async fn defaults(&self) -> (String, String) {
        let rows: Vec<Value> = self
            .state
            .db
            .query("RETURN { company: (SELECT VALUE record::id(id) FROM company)[0], department: (SELECT VALUE record::id(id) FROM department)[0] };", json!({}))
            .await
            .unwrap()
            .all(0)
            .unwrap();
        (rows[0]["company"].as_str().unwrap().to_string(), rows[0]["department"].as_str().unwrap().to_string())
    }

    /// Adds a user through the API as the signed-in admin of `client`.
    pub async fn invite(&self, client: &reqwest::Client, name: &str, email: &str, role: &str, companies: &[&str], department: &str) -> Answer {
        self.call_with(
            client,
            "POST",
            "/api/users",
            Some(json!({ "input": {
                "full_name": name, "email": email, "mobile": "", "department": department, "role": role,
                "companies": companies, "is_approver": false
            }})),
        )
        .await
    }

    /// Invites, activates with `password`, and returns (user id, a client signed in as them).
    pub async fn onboard(&self, name: &str, email: &str, password: &str, role: &str, companies: &[&str], department: &str) -> (String, reqwest::Client) {
        let a = self.invite(&self.client, name, email, role, companies, department).await;
        assert_eq!(a.status, 200, "invite failed: {:?}", a.body);
        let id = a.body["id"].as_str().unwrap().to_string();
        let mail = self.mails_to(email, 1).await.pop().unwrap();
        let token = Self::token_of(&Self::link_in(&mail, "/activate/"));
        let client = new_client();
        let done = self.call_with(&client, "POST", "/api/links/complete", Some(json!({ "token": token, "password": password }))).await;
        assert_eq!(done.status, 200, "activation failed: {:?}", done.body);
        (id, client)
    }

    pub async fn audit_actions(&self, target: &str) -> Vec<String> {
        let rows: Vec<Value> = self
            .state
            .db
            .query("SELECT action, at FROM audit WHERE target_id = $t ORDER BY at;", json!({ "t": target }))
            .await
            .unwrap()
            .all(0)
            .unwrap();
        rows.iter().map(|r| r["action"].as_str().unwrap().to_string()).collect()
    }
}

impl TestApp {
    /// Creates, through the admin API as the signed-in administrator, a profile with these
    /// (module, action, level) entries and a role below Administrator carrying it; returns the role id.
    pub async fn define_role(&self, name: &str, permissions: &[(&str, &str, &str)]) -> String {
        let perms: Vec<Value> = permissions.iter().map(|(m, a, l)| json!({ "module": m, "action": a, "level": l })).collect();
        let p = self
            .post("/api/admin/save", json!({ "change": { "SaveProfile": { "id": null, "name": name, "permissions": perms, "field_rules": [] } } }))
            .await;
        assert_eq!(p.status, 200, "profile: {:?}", p.body);
        let org = self.get("/api/admin/org").await;
        let profile = org.body["profiles"].as_array().unwrap().iter().find(|x| x["name"] == name).unwrap()["id"].as_str().unwrap().to_string();
        let r = self
            .post("/api/admin/save", json!({ "change": { "SaveRole": { "id": null, "name": name, "parent": "administrator", "profiles": [profile] } } }))
            .await;
        assert_eq!(r.status, 200, "role: {:?}", r.body);
        let org = self.get("/api/admin/org").await;
        org.body["roles"].as_array().unwrap().iter().find(|x| x["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
    }
}
