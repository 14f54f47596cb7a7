//! Several instances over one real SurrealDB server (tests/surreal-server, started for each test
//! on a free loopback port, reached over `ws://`), as a load balancer would spread requests over
//! several machines: a change made through one instance is in force at the next request on
//! another for each cache (access engine, users directory, sessions); sign-in locks, mail and
//! migrations are shared, never doubled.
//!
//! Cookies are kept per host, not per port, so a client signed in on one instance carries the
//! same session cookie to the others, as a browser behind a load balancer does.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "harbour signal winter oak";

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn tasks_total(app: &TestApp, client: &reqwest::Client) -> (u16, u64) {
    let a = app.call_with(client, "POST", "/api/records/search", Some(json!({ "query": { "module": "Tasks" } }))).await;
    (a.status, a.body["page"]["total"].as_u64().unwrap_or(0))
}

async fn users_found(app: &TestApp, client: &reqwest::Client, query: Value) -> (u64, Vec<String>) {
    let a = app.call_with(client, "POST", "/api/users/search", Some(json!({ "query": query }))).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let emails = a.body["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_string()).collect();
    (a.body["total"].as_u64().unwrap(), emails)
}

/// Saves a profile (new with `id` None) viewing `module` at All; answers its id.
async fn save_viewer(app: &TestApp, id: Option<&str>, name: &str, module: &str) -> String {
    let change = json!({ "SaveProfile": { "id": id, "name": name,
        "permissions": [{ "module": module, "action": "View", "level": "All" }], "field_rules": [] } });
    let save = app.post("/api/admin/save", json!({ "change": change })).await;
    assert_eq!(save.status, 200, "{:?}", save.body);
    let org = app.get("/api/admin/org").await;
    org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn instances_started_together_apply_each_migration_once() {
    let server = SurrealServer::start().await;
    let apps = spawn_cluster(&server, 3).await;
    let rows: Vec<Value> = apps[2].state.db.query("SELECT version FROM schema_migration ORDER BY version;", json!({})).await.unwrap().all(0).unwrap();
    let applied: Vec<u64> = rows.iter().map(|r| r["version"].as_u64().unwrap()).collect();
    let expected: Vec<u64> = gatehouse::server::db::MIGRATIONS.iter().map(|m| u64::from(m.0)).collect();
    assert_eq!(applied, expected, "every migration recorded once, in order");
    let lock: Vec<Value> = apps[0].state.db.query("SELECT * FROM schema_lock;", json!({})).await.unwrap().all(0).unwrap();
    assert!(lock.is_empty(), "the migration lock was released: {lock:?}");
    for app in &apps {
        let health = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
        assert_eq!(health.status(), 200);
    }
    // A fourth instance joining a database in use finds nothing to apply and starts.
    let again = apps[1].state.db.migrate().await.unwrap();
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test]
async fn a_change_through_one_instance_is_in_force_at_the_next_request_on_another() {
    let server = SurrealServer::start().await;
    let apps = spawn_cluster(&server, 2).await;
    let (a, b) = (&apps[0], &apps[1]);
    a.set_up().await;
    let admin = &a.client;
    let (company, dept) = a.defaults().await;
    let contoso = a.post("/api/companies", json!({ "name": "Contoso" })).await;
    assert_eq!(contoso.status, 200, "{:?}", contoso.body);
    let contoso = contoso.body["id"].as_str().unwrap().to_string();
    let role = a.define_role("Coordinator", &[]).await;

    // B's directory is loaded before the change, then follows it.
    assert_eq!(users_found(b, admin, json!({})).await.0, 1);
    let (rita, rita_client) = a.onboard("Rita Rep", "rita@example.com", PASSWORD, &role, &[&company, &contoso], &dept).await;
    assert_eq!(users_found(b, admin, json!({ "search": "rita" })).await, (1, vec!["rita@example.com".to_string()]));
    assert_eq!(users_found(b, admin, json!({ "company": contoso })).await.0, 2, "Ada (the creator) and Rita have Contoso");
    assert_eq!(users_found(b, admin, json!({})).await.0, 2);

    // A profile change on A: B's decisions change at once (B's engine was compiled before it).
    let task = a.post("/api/records/create", json!({ "module": "Tasks", "input": { "values": { "title": "Call Contoso" }, "company": contoso } })).await;
    assert_eq!(task.status, 200, "{:?}", task.body);
    assert_eq!(tasks_total(b, &rita_client).await.0, 403);
    let org = a.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Coordinator").unwrap()["id"].as_str().unwrap().to_string();
    save_viewer(a, Some(&profile), "Coordinator", "Tasks").await;
    assert_eq!(tasks_total(b, &rita_client).await, (200, 1), "B applies the profile saved on A");

    // Archiving a company on A takes its records out of reach on B.
    let archive = a.post(&format!("/api/companies/{contoso}/archive"), json!({ "archived": true })).await;
    assert_eq!(archive.status, 200, "{:?}", archive.body);
    assert_eq!(tasks_total(b, &rita_client).await, (200, 0), "B leaves the archived company's records out");

    // An expiry passing: a grant that ends counts on B until then, and not after, with no write between.
    let viewer = save_viewer(a, None, "Lead viewer", "Leads").await;
    let ends = now() + 2_000;
    let g = a.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": viewer, "to": { "User": rita }, "until": ends } } } })).await;
    assert_eq!(g.status, 200, "{:?}", g.body);
    let leads = json!({ "query": { "module": "Leads" } });
    assert_eq!(b.call_with(&rita_client, "POST", "/api/records/search", Some(leads.clone())).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis((ends - now()).max(0) as u64 + 100)).await;
    let after = b.call_with(&rita_client, "POST", "/api/records/search", Some(leads)).await;
    assert_eq!(after.status, 403, "the ended grant no longer counts on B");

    // Blocking on A ends Rita's session on B; B's list counts her as blocked.
    assert_eq!(b.call_with(&rita_client, "GET", "/api/auth/me", None).await.status, 200);
    let block = a.post(&format!("/api/users/{rita}/status"), json!({ "status": "blocked" })).await;
    assert_eq!(block.status, 200, "{:?}", block.body);
    assert_eq!(b.call_with(&rita_client, "GET", "/api/auth/me", None).await.status, 401, "her session died on B too");
    assert_eq!(users_found(b, admin, json!({ "status": "blocked" })).await.1, vec!["rita@example.com".to_string()]);
}

#[tokio::test]
async fn sessions_and_sign_in_locks_are_shared_by_every_instance() {
    let server = SurrealServer::start().await;
    let apps = spawn_cluster(&server, 2).await;
    let (a, b) = (&apps[0], &apps[1]);
    a.set_up().await;

    // Signed in on A, known on B; signed out on B, gone on A.
    let c = new_client();
    assert_eq!(a.sign_in_with(&c, ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    assert_eq!(b.call_with(&c, "GET", "/api/auth/me", None).await.status, 200);
    assert_eq!(b.call_with(&c, "POST", "/api/auth/sign-out", Some(json!({}))).await.status, 200);
    assert_eq!(a.call_with(&c, "GET", "/api/auth/me", None).await.status, 401);

    // Wrong passwords on A until the account locks; then the right one on B is refused too.
    let mut locked = false;
    for i in 0..10 {
        let s = a.sign_in_with(&new_client(), ADMIN_EMAIL, &format!("a wrong guess {i}")).await.status;
        if s == 429 {
            locked = true;
            break;
        }
        assert_eq!(s, 401);
    }
    assert!(locked, "A locked the account");
    let right = b.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(right.status, 429, "the lock taken on A holds on B: {:?}", right.body);
}

#[tokio::test]
async fn mail_queued_on_either_instance_goes_out_once_with_every_worker_racing() {
    let server = SurrealServer::start().await;
    let apps = spawn_cluster(&server, 3).await;
    apps[0].set_up().await;
    let admin = &apps[0].client;
    let (company, dept) = apps[0].defaults().await;
    let emails: Vec<String> = (0..9).map(|i| format!("person{i}@example.com")).collect();
    for (i, email) in emails.iter().enumerate() {
        // Each invitation through another instance: each queues the mail and wakes its own worker.
        let a = apps[i % 3].invite(admin, &format!("Person {i}"), email, "manager", &[&company], &dept).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    for email in &emails {
        apps[0].mails_to(email, 1).await;
    }
    // Every worker has had time to look again; still one message each.
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    for email in &emails {
        let count = std::fs::read_dir(&apps[0].outbox)
            .unwrap()
            .flatten()
            .filter(|e| unquote(&std::fs::read_to_string(e.path()).unwrap_or_default()).contains(&format!("<{email}>")))
            .count();
        assert_eq!(count, 1, "one invitation mail to {email}");
    }
    let sent: Vec<Value> = apps[1].state.db.query("SELECT status FROM mail_job;", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(sent.len(), 9, "one job per invitation: {sent:?}");
    assert!(sent.iter().all(|j| j["status"] == "sent"), "{sent:?}");
}

#[tokio::test]
async fn simultaneous_access_changes_through_two_instances_all_succeed() {
    let server = SurrealServer::start().await;
    let apps = spawn_cluster(&server, 2).await;
    let (a, b) = (&apps[0], &apps[1]);
    a.set_up().await;
    // 96 profiles saved at once, half through each instance: each is its own row, and the stamp
    // that tells every instance the access setup moved must not make them collide.
    let mut tasks = Vec::new();
    for i in 0..96 {
        let (client, base) = (a.client.clone(), if i % 2 == 0 { a.base.clone() } else { b.base.clone() });
        tasks.push(tokio::spawn(async move {
            let change = json!({ "SaveProfile": { "id": null, "name": format!("Viewer {i}"),
                "permissions": [{ "module": "Tasks", "action": "View", "level": "All" }], "field_rules": [] } });
            let r = client.post(format!("{base}/api/admin/save")).json(&json!({ "change": change })).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap_or_default())
        }));
    }
    let mut refused = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        if status != 200 {
            refused.push((status, body));
        }
    }
    assert!(refused.is_empty(), "{refused:?}");
    // Each instance has all 96 at its next request.
    for app in [a, b] {
        let org = app.call_with(&a.client, "GET", "/api/admin/org", None).await;
        let n = org.body["profiles"].as_array().unwrap().iter().filter(|p| p["name"].as_str().unwrap_or("").starts_with("Viewer ")).count();
        assert_eq!(n, 96);
    }
}
