//! Access with a start and an end: a grant that ends stops counting at the first request after
//! its end on another instance sharing the database, one that starts later begins counting on
//! time, and neither a later start nor an extension gets past the no-escalation judgement.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "linen compass autumn bell";

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn profile(app: &TestApp, name: &str, module: &str) -> String {
    let p = json!({ "SaveProfile": { "id": null, "name": name, "permissions": [{ "module": module, "action": "View", "level": "All" }], "field_rules": [] } });
    assert_eq!(app.post("/api/admin/save", json!({ "change": p })).await.status, 200);
    let org = app.get("/api/admin/org").await;
    org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

fn grant(profile: &str, user: &str, from: Option<i64>, until: Option<i64>) -> Value {
    json!({ "profile": profile, "to": { "User": user }, "from": from, "until": until })
}

async fn lists(app: &TestApp, client: &reqwest::Client, module: &str) -> u16 {
    app.call_with(client, "POST", "/api/records/search", Some(json!({ "query": { "module": module } }))).await.status
}

#[tokio::test]
async fn a_grant_ends_and_another_starts_on_time_on_a_second_instance() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let plain = app.define_role("Plain", &[]).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &plain, &[&company], &dept).await;
    let leads = profile(&app, "Lead viewer", "Leads").await;
    let tasks = profile(&app, "Task viewer", "Tasks").await;
    let second = spawn_second_instance(&app).await;

    let t0 = now();
    let (ends, starts) = (t0 + 2_500, t0 + 2_500);
    for g in [grant(&leads, &rita, None, Some(ends)), grant(&tasks, &rita, Some(starts), None)] {
        let a = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": g } } })).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    // The grants page lists both with their window; the reasons say until when.
    let org = app.get("/api/admin/org").await;
    let listed: Vec<&Value> = org.body["grants"].as_array().unwrap().iter().filter(|g| g["to"]["User"] == rita.as_str()).collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|g| g["until"] == ends) && listed.iter().any(|g| g["from"] == starts), "{listed:?}");
    let access = app.call_with(&second.client, "POST", "/api/auth/sign-in", Some(json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))).await;
    assert_eq!(access.status, 200);
    let cells = app.call_with(&second.client, "GET", &format!("/api/users/{rita}/access"), None).await;
    let view_leads = cells.body["cells"].as_array().unwrap().iter().find(|c| c["module"] == "Leads" && c["action"] == "View").unwrap().clone();
    assert_eq!(view_leads["decision"]["level"], "All");
    let reason = view_leads["decision"]["reasons"][0].as_str().unwrap();
    assert!(reason.contains("granted directly, until "), "{reason}");

    // Before: Leads yes (on either instance), Tasks not yet.
    assert_eq!(lists(&second, &rita_client, "Leads").await, 200);
    assert_eq!(lists(&second, &rita_client, "Tasks").await, 403);
    assert_eq!(lists(&app, &rita_client, "Leads").await, 200);

    // After the instant: the first request on B already sees the change, with no write since.
    let wait = (ends - now()).max(0) as u64 + 100;
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    assert_eq!(lists(&second, &rita_client, "Leads").await, 403, "the ended grant no longer counts on B");
    assert_eq!(lists(&second, &rita_client, "Tasks").await, 200, "the started grant counts on B");
    assert_eq!(lists(&app, &rita_client, "Leads").await, 403);
    assert_eq!(lists(&app, &rita_client, "Tasks").await, 200);
}

#[tokio::test]
async fn a_later_start_or_an_extension_is_judged_as_if_it_counted_now() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let plain = app.define_role("Plain", &[]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &plain, &[&company], &dept).await;
    let people = app.define_role("People desk", &[("Users", "View", "All"), ("Users", "Edit", "All")]).await;
    let (_, pat) = app.onboard("Pat People", "pat@example.com", PASSWORD, &people, &[&company], &dept).await;
    let leads = profile(&app, "Lead viewer", "Leads").await;

    // Pat cannot hand out Leads, now or from tomorrow.
    let tomorrow = now() + 86_400_000;
    let later = app
        .call_with(&pat, "POST", "/api/admin/save", Some(json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, Some(tomorrow), None) } } })))
        .await;
    assert_eq!(later.status, 403, "{:?}", later.body);
    assert!(later.message().contains("no escalation"), "{:?}", later.body);
    // Nor extend a grant the administrator gave until tomorrow.
    let given = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(tomorrow)) } } })).await;
    assert_eq!(given.status, 200);
    let extend = app
        .call_with(&pat, "POST", "/api/admin/save", Some(json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(tomorrow + 14 * 86_400_000)) } } })))
        .await;
    assert_eq!(extend.status, 403, "{:?}", extend.body);
    // The administrator extends it: one grant, with the new end.
    let extended = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(tomorrow + 14 * 86_400_000)) } } })).await;
    assert_eq!(extended.status, 200, "{:?}", extended.body);
    let org = app.get("/api/admin/org").await;
    let hers: Vec<&Value> = org.body["grants"].as_array().unwrap().iter().filter(|g| g["to"]["User"] == rita.as_str()).collect();
    assert_eq!(hers.len(), 1, "{hers:?}");
    assert_eq!(hers[0]["until"], tomorrow + 14 * 86_400_000);
    // Removing it needs no window: the grant is the profile and the person.
    let removed = app.post("/api/admin/save", json!({ "change": { "RemoveGrant": { "grant": { "profile": leads, "to": { "User": rita } } } } })).await;
    assert_eq!(removed.status, 200);
    let org = app.get("/api/admin/org").await;
    assert!(!org.body["grants"].as_array().unwrap().iter().any(|g| g["to"]["User"] == rita.as_str()));
    let stored = app.state.db.query("RETURN array::len((SELECT id FROM grant WHERE to_id = $r));", json!({ "r": rita })).await.unwrap().all::<Value>(0).unwrap();
    assert_eq!(stored, vec![json!(0)]);
}
