//! The REST API (`/api/v1`) and API tokens: a token acts as its owner and never more, a
//! read-only token never writes, a token stops at once when its owner is blocked or it is
//! revoked or expired, REST and console answer the same for the same person, updates are
//! guarded by ETags, errors are problem details, and every documented operation needs a token.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "copper kettle evening walk";
const TASK_REP: &[(&str, &str, &str)] = &[("Tasks", "View", "Own"), ("Tasks", "Create", "Own"), ("Tasks", "Edit", "Own")];

/// Makes a token as the person signed in on `client`; returns its secret.
async fn make_token(app: &TestApp, client: &reqwest::Client, name: &str, write: bool) -> String {
    let a = app.call_with(client, "POST", "/api/tokens", Some(json!({ "input": { "name": name, "write": write, "days": 30 } }))).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let secret = a.body["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("gh_") && secret.len() == 67, "{secret}");
    secret
}

/// A REST call with a bearer token (no cookies).
async fn api(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>, if_match: Option<&str>) -> Answer {
    let client = reqwest::Client::new();
    let url = format!("{}{}", app.base, path);
    let mut req = match method {
        "GET" => client.get(url),
        "POST" => client.post(url),
        "PUT" => client.put(url),
        "PATCH" => client.patch(url),
        "DELETE" => client.delete(url),
        other => panic!("unsupported method {other}"),
    };
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    if let Some(tag) = if_match {
        req = req.header("If-Match", tag);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    send(req).await
}

fn problem(a: &Answer, status: u16, code: &str) {
    assert_eq!(a.status, status, "{:?}", a.body);
    assert_eq!(a.headers["content-type"], "application/problem+json", "{:?}", a.headers);
    assert_eq!(a.body["status"], status);
    assert_eq!(a.body["code"], code, "{:?}", a.body);
    assert!(!a.body["detail"].as_str().unwrap_or_default().is_empty());
}

#[tokio::test]
async fn a_token_acts_as_its_owner_never_more_and_stops_at_once() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let admin_rw = make_token(&app, &app.client, "HR sync", true).await;
    let admin_ro = make_token(&app, &app.client, "Reports", false).await;

    // The owner's list never shows a secret; last use is recorded.
    let listed = app.get("/api/tokens").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["tokens"].as_array().unwrap().len(), 2);
    assert!(!listed.body.to_string().contains(&admin_rw[3..]), "no secret is sent back");

    // REST and console give the same answer for the same person and filters.
    let rest = api(&app, &admin_ro, "GET", "/api/v1/users?sort=email&limit=10", None, None).await;
    assert_eq!(rest.status, 200, "{:?}", rest.body);
    let console = app.post("/api/users/search", json!({ "query": { "sort": "Email", "per_page": 10 } })).await;
    assert_eq!(console.status, 200, "{:?}", console.body);
    assert_eq!(rest.body["items"], console.body["items"]);
    assert_eq!(rest.body["total"], console.body["total"]);
    let listed = app.get("/api/tokens").await;
    let used = listed.body["tokens"].as_array().unwrap().iter().find(|t| t["name"] == "Reports").unwrap().clone();
    assert!(used["last_used_at"].is_number(), "{used:?}");

    // A read-only token never writes, whatever its owner may do.
    let invite = json!({ "full_name": "Ivy Import", "email": "ivy@example.com", "mobile": "", "department": dept,
        "role": "administrator", "companies": [company], "is_approver": false });
    let refused = api(&app, &admin_ro, "POST", "/api/v1/users", Some(invite.clone()), None).await;
    problem(&refused, 403, "forbidden");
    assert!(refused.body["detail"].as_str().unwrap().contains("read-only"), "{:?}", refused.body);

    // Handing out the Administrator role needs a recent sign-in with a password: never a token.
    let admin_by_token = api(&app, &admin_rw, "POST", "/api/v1/users", Some(invite.clone()), None).await;
    problem(&admin_by_token, 401, "unauthorized");
    assert!(admin_by_token.body["detail"].as_str().unwrap().contains("console"), "{:?}", admin_by_token.body);

    // A read-write token invites like the Add user form: 201, Location, ETag, the invitation
    // email, and an audit row that says it came through the token.
    let rep_role = app.define_role("Task Rep", TASK_REP).await;
    let ivy = json!({ "full_name": "Ivy Import", "email": "ivy@example.com", "mobile": "", "department": dept,
        "role": rep_role, "companies": [company], "is_approver": false });
    let made = api(&app, &admin_rw, "POST", "/api/v1/users", Some(ivy), None).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let ivy_id = made.body["id"].as_str().unwrap().to_string();
    assert_eq!(made.headers["location"], format!("/api/v1/users/{ivy_id}"));
    assert!(made.headers.contains_key("etag"));
    assert_eq!(made.body["status"], "invited");
    app.mails_to("ivy@example.com", 1).await;
    let via: Vec<Value> = app
        .state
        .db
        .query("SELECT VALUE via FROM audit WHERE action = 'user.invite' AND target_id = $id;", json!({ "id": ivy_id }))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(via, [json!("API token “HR sync”")]);
    let audit = app.post("/api/audit/search", json!({ "query": { "action": "user.invite" } })).await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let sentences: Vec<&str> = audit.body["items"].as_array().unwrap().iter().map(|r| r["sentence"].as_str().unwrap()).collect();
    assert!(sentences.contains(&"Ada Admin invited Ivy Import, through the API token “HR sync”"), "{sentences:?}");

    // Updates are guarded by the ETag of what was read.
    let read = api(&app, &admin_rw, "GET", &format!("/api/v1/users/{ivy_id}"), None, None).await;
    assert_eq!(read.status, 200);
    let etag = read.headers["etag"].to_str().unwrap().to_string();
    let renamed = api(&app, &admin_rw, "PATCH", &format!("/api/v1/users/{ivy_id}"), Some(json!({ "full_name": "Ivy Imported" })), Some(&etag)).await;
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(renamed.body["full_name"], "Ivy Imported");
    assert_eq!(renamed.body["role"]["id"], rep_role.as_str(), "fields not sent stay as they were");
    assert_ne!(renamed.headers["etag"].to_str().unwrap(), etag);
    let stale = api(&app, &admin_rw, "PATCH", &format!("/api/v1/users/{ivy_id}"), Some(json!({ "full_name": "Ivy Late" })), Some(&etag)).await;
    problem(&stale, 412, "precondition_failed");
    let after = api(&app, &admin_rw, "GET", &format!("/api/v1/users/{ivy_id}"), None, None).await;
    assert_eq!(after.body["full_name"], "Ivy Imported", "a stale write changes nothing");
    let bad = api(&app, &admin_rw, "PATCH", &format!("/api/v1/users/{ivy_id}"), Some(json!({ "email": "not an address" })), None).await;
    problem(&bad, 422, "invalid");
    assert_eq!(bad.body["errors"][0]["field"], "email", "{:?}", bad.body);

    // A person without Users / View gets the same refusal from REST as from the console.
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let rita_token = make_token(&app, &rita_client, "My script", true).await;
    problem(&api(&app, &rita_token, "GET", "/api/v1/users", None, None).await, 403, "forbidden");
    assert_eq!(app.call_with(&rita_client, "POST", "/api/users/search", Some(json!({ "query": {} }))).await.status, 403);
    let me = api(&app, &rita_token, "GET", "/api/v1/me", None, None).await;
    assert_eq!(me.status, 200, "{:?}", me.body);
    assert_eq!(me.body["id"], rita.as_str());
    // Someone out of her reach is not found, over REST as in the console.
    problem(&api(&app, &rita_token, "PUT", &format!("/api/v1/users/{ivy_id}/status"), Some(json!({ "status": "blocked" })), None).await, 404, "not_found");
    let console = app.call_with(&rita_client, "POST", &format!("/api/users/{ivy_id}/status"), Some(json!({ "status": "blocked" }))).await;
    assert_eq!(console.status, 404, "{:?}", console.body);

    // Blocking the owner stops their token at the next request.
    let blocked = api(&app, &admin_rw, "PUT", &format!("/api/v1/users/{rita}/status"), Some(json!({ "status": "blocked" })), None).await;
    assert_eq!(blocked.status, 200, "{:?}", blocked.body);
    assert_eq!(blocked.body["status"], "blocked");
    let gone = api(&app, &rita_token, "GET", "/api/v1/me", None, None).await;
    problem(&gone, 401, "unauthorized");
    assert!(gone.headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"));

    // An expired token and a revoked one stop too.
    app.state.db.query("UPDATE api_token SET expires_at = 1 WHERE name = 'Reports';", json!({})).await.unwrap();
    problem(&api(&app, &admin_ro, "GET", "/api/v1/me", None, None).await, 401, "unauthorized");
    let rw_id = app.get("/api/tokens").await.body["tokens"].as_array().unwrap().iter().find(|t| t["name"] == "HR sync").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.post(&format!("/api/tokens/{rw_id}/revoke"), json!({})).await.status, 200);
    problem(&api(&app, &admin_rw, "GET", "/api/v1/me", None, None).await, 401, "unauthorized");
    let actions = app.audit_actions(&app.get("/api/session").await.body["me"]["id"].as_str().unwrap().to_string()).await;
    assert!(actions.contains(&"api_token.create".to_string()) && actions.contains(&"api_token.revoke".to_string()), "{actions:?}");
}

#[tokio::test]
async fn lists_are_paged_by_cursor_and_offboarding_works_through_the_api() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let token = make_token(&app, &app.client, "Paging", true).await;
    let rep_role = app.define_role("Task Rep", TASK_REP).await;
    for i in 0..5 {
        let a = app.invite(&app.client, &format!("Person {i}"), &format!("p{i}@example.com"), &rep_role, &[&company], &dept).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=2&sort=email".to_string();
    loop {
        let page = api(&app, &token, "GET", &path, None, None).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        assert_eq!(page.body["total"], 6);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_string()));
        match page.body["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/users?limit=2&sort=email&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "every person once, in order");
    assert_eq!(seen.len(), 6);
    // A cursor is tied to its filters.
    let first = api(&app, &token, "GET", "/api/v1/users?limit=2&sort=email", None, None).await;
    let c = first.body["next_cursor"].as_str().unwrap();
    problem(&api(&app, &token, "GET", &format!("/api/v1/users?limit=3&cursor={c}"), None, None).await, 400, "bad_request");
    problem(&api(&app, &token, "GET", "/api/v1/users?sort=shoe", None, None).await, 400, "bad_request");

    // Offboarding through the API: the person is blocked and their own tokens end with them.
    let (sam, sam_client) = app.onboard("Sam Rep", "sam@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let sam_token = make_token(&app, &sam_client, "Sam's script", false).await;
    let done = api(&app, &token, "POST", &format!("/api/v1/users/{sam}/offboard"), Some(json!({ "new_owner": null })), None).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["user"]["status"], "blocked");
    assert!(done.body["steps"][0].as_str().unwrap().contains("Block Sam Rep"), "{:?}", done.body);
    let left: Vec<Value> =
        app.state.db.query("SELECT id FROM api_token WHERE user = type::record('user', $id);", json!({ "id": sam })).await.unwrap().all(0).unwrap();
    assert!(left.is_empty(), "the leaver's tokens are gone");
    problem(&api(&app, &sam_token, "GET", "/api/v1/me", None, None).await, 401, "unauthorized");
}

#[tokio::test]
async fn every_documented_operation_needs_a_token_and_nothing_else_answers() {
    let app = spawn_app().await;
    app.set_up().await;
    let doc = api(&app, "", "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(doc.status, 200);
    assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"), "{:?}", doc.body["openapi"]);
    assert_eq!(doc.body["components"]["securitySchemes"]["token"]["scheme"], "bearer");
    let ops = gatehouse::server::rest::operations();
    let documented: usize = doc.body["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(ops.len(), documented + 1, "the gate knows exactly the documented operations and the document itself");
    assert!(ops.len() >= 11);
    // The console's API reference lists the same operations, from the same document.
    let reference = app.get("/api/api-reference").await;
    assert_eq!(reference.status, 200, "{:?}", reference.body);
    assert_eq!(reference.body["operations"].as_array().unwrap().len(), documented);
    assert!(reference.body["operations"].as_array().unwrap().iter().any(|o| o["method"] == "PATCH" && o["path"] == "/api/v1/users/{id}"));
    // The console's server functions never use the API's prefix.
    for f in dioxus::server::ServerFunction::collect() {
        assert!(!f.path().starts_with("/api/v1"), "{} collides with the REST API", f.path());
    }
    let forged = format!("gh_{}", "ab".repeat(32));
    for (method, path) in ops {
        if path == "/api/v1/openapi.json" {
            continue;
        }
        let concrete = path.replace("{id}", "x0x0x0x0");
        let body = if method == "GET" { None } else { Some(json!({})) };
        for token in ["", forged.as_str(), "not-a-token"] {
            let a = api(&app, token, method.as_str(), &concrete, body.clone(), None).await;
            problem(&a, 401, "unauthorized");
        }
    }
    problem(&api(&app, &forged, "GET", "/api/v1/nothing-here", None, None).await, 404, "not_found");
    let wrong = api(&app, &forged, "DELETE", "/api/v1/users", None, None).await;
    problem(&wrong, 405, "method_not_allowed");
    assert_eq!(wrong.headers["allow"], "GET, POST");
    // What the framework cannot read is a problem too, never plain text.
    let token = make_token(&app, &app.client, "Reader", true).await;
    problem(&api(&app, &token, "GET", "/api/v1/users?limit=many", None, None).await, 400, "bad_request");
    problem(&api(&app, &token, "GET", "/api/v1/records/Nothing", None, None).await, 400, "bad_request");
    let client = reqwest::Client::new();
    let raw = client
        .post(format!("{}/api/v1/companies", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    assert_eq!(raw.headers()["content-type"], "application/problem+json");
    // A session cookie is not a token: the API does not read cookies (no cross-site requests).
    assert_eq!(app.get("/api/v1/me").await.status, 401);
}

#[tokio::test]
async fn records_and_the_audit_log_answer_as_in_the_console() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let token = make_token(&app, &app.client, "Records", true).await;
    let rep_role = app.define_role("Task Rep", TASK_REP).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let rita_token = make_token(&app, &rita_client, "Rita's", true).await;

    // Made through the API, for Rita: the answer and the record are what the console shows.
    let made = api(&app, &token, "POST", "/api/v1/records/Tasks", Some(json!({ "values": { "title": "Call Acme" }, "company": company, "owner": rita })), None).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["record"]["id"].as_str().unwrap().to_string();
    assert_eq!(made.body["record"]["owner"]["id"], rita.as_str());
    let console = app.post("/api/records/get", json!({ "module": "Tasks", "id": id })).await;
    assert_eq!(console.body["record"], made.body["record"]);
    let mine = api(&app, &token, "POST", "/api/v1/records/Tasks", Some(json!({ "values": { "title": "Admin's own" }, "company": company })), None).await;
    assert_eq!(mine.status, 201, "{:?}", mine.body);

    // Rita's token lists only her own task, like her console list.
    let hers = api(&app, &rita_token, "GET", "/api/v1/records/Tasks", None, None).await;
    assert_eq!(hers.status, 200, "{:?}", hers.body);
    let console = app.call_with(&rita_client, "POST", "/api/records/search", Some(json!({ "query": { "module": "Tasks" } }))).await;
    assert_eq!(hers.body["items"], console.body["page"]["items"]);
    assert_eq!(hers.body["total"], 1);
    // A module she cannot open is refused, and a non-record module is not found.
    problem(&api(&app, &rita_token, "GET", "/api/v1/records/Leads", None, None).await, 403, "forbidden");
    problem(&api(&app, &token, "GET", "/api/v1/records/Users", None, None).await, 404, "not_found");

    // Changes are guarded by the ETag; a delete is a 204 and the record is gone.
    let read = api(&app, &rita_token, "GET", &format!("/api/v1/records/Tasks/{id}"), None, None).await;
    let tag = read.headers["etag"].to_str().unwrap().to_string();
    let changed = api(&app, &rita_token, "PATCH", &format!("/api/v1/records/Tasks/{id}"), Some(json!({ "values": { "title": "Call Acme today" } })), Some(&tag)).await;
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(changed.body["title"], "Call Acme today");
    problem(
        &api(&app, &rita_token, "PATCH", &format!("/api/v1/records/Tasks/{id}"), Some(json!({ "values": { "title": "Late" } })), Some(&tag)).await,
        412,
        "precondition_failed",
    );
    // Rita has no Delete on tasks.
    problem(&api(&app, &rita_token, "DELETE", &format!("/api/v1/records/Tasks/{id}"), None, None).await, 403, "forbidden");
    assert_eq!(api(&app, &token, "DELETE", &format!("/api/v1/records/Tasks/{id}"), None, None).await.status, 204);
    problem(&api(&app, &token, "GET", &format!("/api/v1/records/Tasks/{id}"), None, None).await, 404, "not_found");

    // The audit log through the API: the same rows and sentences as the console's first page.
    let rest = api(&app, &token, "GET", "/api/v1/audit?action=record.", None, None).await;
    assert_eq!(rest.status, 200, "{:?}", rest.body);
    let console = app.post("/api/audit/search", json!({ "query": { "action": "record." } })).await;
    assert_eq!(rest.body["items"], console.body["items"]);
    let sentences: Vec<&str> = rest.body["items"].as_array().unwrap().iter().map(|r| r["sentence"].as_str().unwrap()).collect();
    assert!(sentences.iter().any(|s| s.contains("through the API token “Rita's”")), "{sentences:?}");
    problem(&api(&app, &rita_token, "GET", "/api/v1/audit", None, None).await, 403, "forbidden");
    let lic = api(&app, &token, "GET", "/api/v1/licenses", None, None).await;
    assert_eq!(lic.status, 200, "{:?}", lic.body);
}

#[tokio::test]
async fn an_administrator_sees_and_revokes_someones_tokens_under_no_takeover() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Task Rep", TASK_REP).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let secret = make_token(&app, &rita_client, "Rita's sync", true).await;
    // A delegated administrator of people who lacks Rita's task access.
    let people = app.define_role("People Admin", &[("Users", "View", "All"), ("Users", "Edit", "All")]).await;
    let (_, dana) = app.onboard("Dana Delegate", "dana@example.com", PASSWORD, &people, &[&company], &dept).await;

    // Both may see the token on Rita's page: its name, never its secret.
    for client in [&app.client, &dana] {
        let listed = app.call_with(client, "GET", &format!("/api/users/{rita}/tokens"), None).await;
        assert_eq!(listed.status, 200, "{:?}", listed.body);
        assert_eq!(listed.body[0]["name"], "Rita's sync");
        assert!(!listed.body.to_string().contains(&secret[3..]), "no secret on the wire");
    }
    let id = app.get(&format!("/api/users/{rita}/tokens")).await.body[0]["id"].as_str().unwrap().to_string();
    // Dana may not: Rita holds access Dana does not (no takeover).
    let refused = app.call_with(&dana, "POST", &format!("/api/users/{rita}/tokens/{id}/revoke"), Some(json!({}))).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.message().contains("no takeover"), "{}", refused.message());
    assert_eq!(api(&app, &secret, "GET", "/api/v1/me", None, None).await.status, 200, "the token still works");
    // The full administrator revokes it: it stops at once, and the log says whose it was.
    let done = app.post(&format!("/api/users/{rita}/tokens/{id}/revoke"), json!({})).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(api(&app, &secret, "GET", "/api/v1/me", None, None).await.status, 401);
    assert_eq!(app.get(&format!("/api/users/{rita}/tokens")).await.body.as_array().unwrap().len(), 0);
    let log = app.post("/api/audit/search", json!({ "query": { "action": "api_token.revoke" } })).await;
    let sentence = log.body["items"][0]["sentence"].as_str().unwrap().to_string();
    assert!(sentence.ends_with("revoked Rita Rep's API token “Rita's sync”"), "{sentence}");
    // Twice is a clear 404.
    assert_eq!(app.post(&format!("/api/users/{rita}/tokens/{id}/revoke"), json!({})).await.status, 404);
}

/// An installation with Rita, a task rep, and the administrator's read-write token.
async fn admin_token_and_rita() -> (TestApp, String, String) {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let role = app.define_role("Rep", TASK_REP).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &role, &[&company], &dept).await;
    let rw = make_token(&app, &app.client, "Sync", true).await;
    (app, rita, rw)
}

#[tokio::test]
async fn groups_are_made_saved_and_deleted_over_rest_through_the_judged_save() {
    let (app, rita, rw) = admin_token_and_rita().await;
    let ro = make_token(&app, &app.client, "Read", false).await;
    let input = json!({ "name": "Field team", "users": [rita] });
    problem(&api(&app, &ro, "POST", "/api/v1/groups", Some(input.clone()), None).await, 403, "forbidden");
    let made = api(&app, &rw, "POST", "/api/v1/groups", Some(input.clone()), None).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let id = made.body["id"].as_str().unwrap().to_string();
    assert_eq!(made.headers["location"], format!("/api/v1/groups/{id}"));
    assert_eq!(made.body["users"], json!([rita]));
    assert!(app.audit_actions(&id).await.contains(&"group.save".to_string()), "audited like the console's save");
    // The same name again, or an unknown person: 422, nothing saved.
    problem(&api(&app, &rw, "POST", "/api/v1/groups", Some(input), None).await, 422, "invalid");
    problem(&api(&app, &rw, "POST", "/api/v1/groups", Some(json!({ "name": "Ghosts", "users": ["nobody"] })), None).await, 422, "invalid");
    assert_eq!(api(&app, &rw, "GET", "/api/v1/groups", None, None).await.body.as_array().unwrap().len(), 1);
    // Saved with the ETag read; a stale one is refused.
    let read = api(&app, &rw, "GET", &format!("/api/v1/groups/{id}"), None, None).await;
    let tag = read.headers["etag"].to_str().unwrap().to_string();
    let saved = api(&app, &rw, "PUT", &format!("/api/v1/groups/{id}"), Some(json!({ "name": "Field sales", "users": [] })), Some(&tag)).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    assert_eq!((saved.body["name"].as_str(), saved.body["users"].clone()), (Some("Field sales"), json!([])));
    problem(&api(&app, &rw, "PUT", &format!("/api/v1/groups/{id}"), Some(json!({ "name": "Late" })), Some(&tag)).await, 412, "precondition_failed");
    assert_eq!(api(&app, &rw, "DELETE", &format!("/api/v1/groups/{id}"), None, None).await.status, 204);
    problem(&api(&app, &rw, "GET", &format!("/api/v1/groups/{id}"), None, None).await, 404, "not_found");
}

#[tokio::test]
async fn profiles_and_grants_are_managed_over_rest_and_never_beyond_the_owners_access() {
    let (app, rita, rw) = admin_token_and_rita().await;

    // A profile made, read with its ETag, saved, then given to Rita for a while.
    let leads = json!({ "name": "Lead readers", "permissions": [{ "module": "Leads", "action": "View", "level": "All" }] });
    let made = api(&app, &rw, "POST", "/api/v1/profiles", Some(leads.clone()), None).await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let profile = made.body["id"].as_str().unwrap().to_string();
    assert!(app.audit_actions(&profile).await.contains(&"profile.save".to_string()), "audited like the console's save");
    problem(&api(&app, &rw, "POST", "/api/v1/profiles", Some(leads), None).await, 422, "invalid");
    let tag = made.headers["etag"].to_str().unwrap().to_string();
    let saved = api(
        &app,
        &rw,
        "PUT",
        &format!("/api/v1/profiles/{profile}"),
        Some(json!({ "name": "Lead readers", "permissions": [{ "module": "Leads", "action": "View", "level": "Department" }] })),
        Some(&tag),
    )
    .await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    problem(&api(&app, &rw, "PUT", &format!("/api/v1/profiles/{profile}"), Some(json!({ "name": "Late" })), Some(&tag)).await, 412, "precondition_failed");
    let until = chrono_free_now() + 7 * 86_400_000;
    let given = api(&app, &rw, "POST", "/api/v1/grants", Some(json!({ "profile": profile, "to": { "User": rita }, "until": until })), None).await;
    assert_eq!(given.status, 201, "{:?}", given.body);
    let grant = given.body["id"].as_str().unwrap().to_string();
    assert_eq!((given.body["profile"].as_str(), given.body["until"].as_i64()), (Some(profile.as_str()), Some(until)));
    let listed = api(&app, &rw, "GET", "/api/v1/grants", None, None).await;
    assert!(listed.body.as_array().unwrap().iter().any(|g| g["id"] == grant.as_str()));
    let rita_access = app.get(&format!("/api/users/{rita}/access")).await;
    assert_eq!(rita_access.status, 200, "{:?}", rita_access.body);
    assert!(rita_access.body.to_string().contains("Lead readers"), "the grant counts for Rita: {:?}", rita_access.body);
    // A profile still given cannot go; the grant taken back, it can.
    assert_eq!(api(&app, &rw, "DELETE", &format!("/api/v1/profiles/{profile}"), None, None).await.status, 422);
    assert_eq!(api(&app, &rw, "DELETE", &format!("/api/v1/grants/{grant}"), None, None).await.status, 204);
    problem(&api(&app, &rw, "DELETE", &format!("/api/v1/grants/{grant}"), None, None).await, 404, "not_found");
    assert_eq!(api(&app, &rw, "DELETE", &format!("/api/v1/profiles/{profile}"), None, None).await.status, 204);

    // Rita's own read-write token cannot hand herself anything: she may not manage access.
    let rita_client = new_client();
    assert_eq!(app.sign_in_with(&rita_client, "rita@example.com", PASSWORD).await.status, 200);
    let hers = make_token(&app, &rita_client, "Mine", true).await;
    let admin_profile = json!({ "profile": "administrator", "to": { "User": rita } });
    let refused = api(&app, &hers, "POST", "/api/v1/grants", Some(admin_profile), None).await;
    assert!(matches!(refused.status, 403 | 404), "refused: {:?}", refused.body);
    assert!(api(&app, &rw, "GET", "/api/v1/grants", None, None).await.body.as_array().unwrap().is_empty(), "nothing was given");
    problem(&api(&app, &hers, "GET", "/api/v1/profiles", None, None).await, 403, "forbidden");
}

fn chrono_free_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}
