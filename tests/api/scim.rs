//! SCIM 2.0 provisioning (`/scim/v2`): only a service account's token gets in; people and groups
//! added, found, changed, blocked and removed through it land in the console as if an
//! administrator had done it, judged by the same engine (no takeover), and `active: false` ends
//! the person's sessions and tokens at once.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "copper kettle evening walk";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// A SCIM call with a bearer token, sent as application/scim+json.
async fn scim(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> Answer {
    let client = reqwest::Client::new();
    let url = format!("{}/scim/v2{}", app.base, path);
    let mut req = client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    if !token.is_empty() {
        req = req.bearer_auth(token);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/scim+json").body(b.to_string());
    }
    send(req).await
}

fn scim_error(a: &Answer, status: u16) {
    assert_eq!(a.status, status, "{:?}", a.body);
    assert_eq!(a.headers["content-type"], "application/scim+json", "{:?}", a.headers);
    assert_eq!(a.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert_eq!(a.body["status"], status.to_string());
    assert!(!a.body["detail"].as_str().unwrap_or_default().is_empty(), "{:?}", a.body);
}

/// Makes a service account as the administrator signed in on `app.client`; returns (id, secret).
async fn service_account(app: &TestApp, client: &reqwest::Client, name: &str, role: &str, provision_role: &str) -> Answer {
    app.call_with(client, "POST", "/api/service-accounts", Some(json!({ "input": { "name": name, "role": role, "provision_role": provision_role, "days": 30 } })))
        .await
}

#[tokio::test]
async fn only_a_service_accounts_token_gets_in_and_every_endpoint_answers_as_scim() {
    let app = spawn_app().await;
    app.set_up().await;
    // A personal token is not enough.
    let personal = app.post("/api/tokens", json!({ "input": { "name": "Mine", "write": true, "days": 7 } })).await;
    let personal = personal.body["secret"].as_str().unwrap().to_string();
    scim_error(&scim(&app, &personal, "GET", "/Users", None).await, 403);
    // The form says what is missing, field by field.
    let bad = service_account(&app, &app.client, "", "", "").await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert!(bad.field_message("name").is_some() && bad.field_message("role").is_some() && bad.field_message("provision_role").is_some());
    let made = service_account(&app, &app.client, "Entra ID", "administrator", "administrator").await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    let token = made.body["secret"].as_str().unwrap().to_string();
    let account = made.body["id"].as_str().unwrap().to_string();
    assert!(app.audit_actions(&account).await.contains(&"service_account.create".to_string()));
    // It never signs in: it has no password.
    let page = app.get(&format!("/api/users/{account}")).await;
    assert_eq!(page.body["service_account"], true, "its page says it is not a person");
    let email = page.body["email"].as_str().unwrap().to_string();
    assert_eq!(app.sign_in_with(&new_client(), &email, PASSWORD).await.status, 401);

    let forged = format!("gh_{}", "ab".repeat(32));
    for (method, path) in gatehouse::server::scim::operations() {
        let concrete = path.replace("{id}", "x0x0x0x0").replace("/scim/v2", "");
        let body = if method == "GET" || method == "DELETE" { None } else { Some(json!({})) };
        for t in ["", forged.as_str()] {
            scim_error(&scim(&app, t, method.as_str(), &concrete, body.clone()).await, 401);
        }
    }
    scim_error(&scim(&app, &token, "GET", "/Nothing", None).await, 404);
    let wrong = scim(&app, &token, "POST", "/Schemas", Some(json!({}))).await;
    scim_error(&wrong, 405);
    assert_eq!(wrong.headers["allow"], "GET");
    scim_error(&scim(&app, &token, "GET", "/Users/x0x0x0x0", None).await, 404);
    let bad_filter = scim(&app, &token, "GET", "/Users?filter=userName%20eq", None).await;
    scim_error(&bad_filter, 400);
    assert_eq!(bad_filter.body["scimType"], "invalidFilter");

    // Discovery: what the server has, and the schemas the provider maps to.
    let config = scim(&app, &token, "GET", "/ServiceProviderConfig", None).await;
    assert_eq!(config.status, 200);
    assert_eq!(config.body["patch"]["supported"], true);
    let types = scim(&app, &token, "GET", "/ResourceTypes", None).await;
    let names: Vec<&str> = types.body["Resources"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["User", "Group"]);
    let schema = scim(&app, &token, "GET", &format!("/Schemas/{ENTERPRISE}"), None).await;
    assert_eq!(schema.status, 200);
    assert!(schema.body["attributes"].as_array().unwrap().iter().any(|a| a["name"] == "manager"));

    // The service account is not a SCIM resource; the administrator is.
    let everyone = scim(&app, &token, "GET", "/Users", None).await;
    assert_eq!(everyone.body["totalResults"], 1, "{:?}", everyone.body);
    assert_eq!(everyone.body["Resources"][0]["userName"], ADMIN_EMAIL);
}

#[tokio::test]
async fn people_provisioned_over_scim_are_invited_found_changed_blocked_and_removed_like_in_the_console() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let sales = app.post("/api/departments", json!({ "input": { "name": "Sales", "parent": dept, "manager": null } })).await;
    assert_eq!(sales.status, 200, "{:?}", sales.body);
    let sales = sales.body.as_str().unwrap().to_string();
    let rep_role = app.define_role("Sales rep", &[("Tasks", "View", "Own")]).await;
    let made = service_account(&app, &app.client, "HR system", "administrator", &rep_role).await;
    let token = made.body["secret"].as_str().unwrap().to_string();

    // Added: invited by email, with the account's role for new people and the department named.
    let ann = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": "ann.archer", "externalId": "hr-1001", "name": { "givenName": "Ann", "familyName": "Archer" },
        "emails": [{ "value": "ann@example.com", "type": "work", "primary": true }], "active": true,
        ENTERPRISE: { "department": "sales" },
    });
    let created = scim(&app, &token, "POST", "/Users", Some(ann.clone())).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(created.headers["location"], created.body["meta"]["location"].as_str().unwrap());
    assert_eq!(created.body["name"], json!({ "givenName": "Ann", "familyName": "Archer" }));
    let row = app.get(&format!("/api/users/{id}")).await;
    assert_eq!((row.body["full_name"].as_str(), row.body["status"].as_str()), (Some("Ann Archer"), Some("invited")));
    assert_eq!(row.body["role"]["id"], rep_role);
    assert_eq!(row.body["department"]["id"], sales);
    assert_eq!(row.body["companies"][0]["id"], company);
    let invitation = app.mails_to("ann@example.com", 1).await;
    assert!(invitation[0].contains("/activate/"));
    // The same userName again is a clash, and nothing is written.
    let again = scim(&app, &token, "POST", "/Users", Some(json!({ "userName": "ANN.ARCHER", "emails": [{ "value": "ann2@example.com" }] }))).await;
    scim_error(&again, 409);
    assert_eq!(again.body["scimType"], "uniqueness");
    let bad = scim(&app, &token, "POST", "/Users", Some(json!({ "userName": "x", "emails": [{ "value": "not an address" }] }))).await;
    scim_error(&bad, 400);
    assert!(bad.body["detail"].as_str().unwrap().contains("email"), "{:?}", bad.body);

    // Found by filter, with only the attributes asked for.
    let found = scim(&app, &token, "GET", "/Users?filter=userName%20eq%20%22Ann.Archer%22%20and%20active%20eq%20true&attributes=externalId", None).await;
    assert_eq!(found.body["totalResults"], 1, "{:?}", found.body);
    assert_eq!(found.body["Resources"][0], json!({ "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE], "id": id, "externalId": "hr-1001" }));
    let searched = scim(&app, &token, "POST", "/Users/.search", Some(json!({ "filter": "emails co \"@example.com\"", "startIndex": 1, "count": 1 }))).await;
    assert_eq!((searched.body["totalResults"].as_u64(), searched.body["itemsPerPage"].as_u64()), (Some(2), Some(1)), "{:?}", searched.body);

    // Changed by PATCH: the name in the console follows; the manager is kept. A PATCH that
    // cannot be made changes nothing.
    let rename_with_manager = |manager: Value| {
        let ops = json!({ "schemas": [PATCH], "Operations": [
            { "op": "replace", "path": "displayName", "value": "Ann A. Archer" },
            { "op": "add", "path": format!("{ENTERPRISE}:manager"), "value": { "value": manager } },
        ] });
        let (app, token, path) = (&app, &token, format!("/Users/{id}"));
        async move { scim(app, token, "PATCH", &path, Some(ops)).await }
    };
    let patched = rename_with_manager(json!(id)).await;
    scim_error(&patched, 400);
    assert!(patched.body["detail"].as_str().unwrap().contains("manager"), "a person is not their own manager: {:?}", patched.body);
    assert_eq!(app.get(&format!("/api/users/{id}")).await.body["full_name"], "Ann Archer", "nothing was changed");
    let admin_id = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let patched = rename_with_manager(json!(admin_id)).await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(patched.body[ENTERPRISE]["manager"]["value"], admin_id.as_str());
    assert_eq!(app.get(&format!("/api/users/{id}")).await.body["full_name"], "Ann A. Archer");
    assert!(app.audit_actions(&id).await.contains(&"user.update".to_string()));

    // Deprovisioned: active false blocks a signed-in person; their session and token end at once.
    let (bo, bo_client) = app.onboard("Bo Baker", "bo@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let bo_token = app.call_with(&bo_client, "POST", "/api/tokens", Some(json!({ "input": { "name": "Bo's", "write": false, "days": 7 } }))).await;
    let bo_token = bo_token.body["secret"].as_str().unwrap().to_string();
    assert_eq!(app.call_with(&bo_client, "GET", "/api/auth/me", None).await.status, 200);
    let blocked = scim(&app, &token, "PATCH", &format!("/Users/{bo}"), Some(json!({ "schemas": [PATCH], "Operations": [{ "op": "replace", "value": { "active": false } }] }))).await;
    assert_eq!(blocked.status, 200, "{:?}", blocked.body);
    assert_eq!(blocked.body["active"], false);
    assert_eq!(app.call_with(&bo_client, "GET", "/api/auth/me", None).await.status, 401, "the session ended");
    let rest = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(&bo_token).send().await.unwrap();
    assert_eq!(rest.status().as_u16(), 401, "the token ended");
    assert_eq!(app.get(&format!("/api/users/{bo}")).await.body["status"], "blocked");
    let back = scim(&app, &token, "PUT", &format!("/Users/{bo}"), Some(json!({ "userName": "bo@example.com", "emails": [{ "value": "bo@example.com", "primary": true }], "active": true }))).await;
    assert_eq!(back.status, 200, "{:?}", back.body);
    assert_eq!(app.get(&format!("/api/users/{bo}")).await.body["status"], "active");

    // Removed: offboarded, no longer a SCIM resource; the person's history stays.
    let gone = scim(&app, &token, "DELETE", &format!("/Users/{id}"), None).await;
    assert_eq!(gone.status, 204, "{:?}", gone.body);
    scim_error(&scim(&app, &token, "GET", &format!("/Users/{id}"), None).await, 404);
    let row = app.get(&format!("/api/users/{id}")).await;
    assert!(row.body["offboarded_at"].is_i64(), "{:?}", row.body);
}

#[tokio::test]
async fn a_service_account_can_do_no_more_than_its_role_and_groups_follow_the_write_path() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Rep", &[("Tasks", "View", "Own")]).await;
    // A delegated user administrator (Users at All, nothing of Administrator's profile).
    let deleg_role = app
        .define_role("User admin", &[("Users", "View", "All"), ("Users", "Create", "All"), ("Users", "Edit", "All"), ("Tasks", "View", "Own")])
        .await;
    let made = service_account(&app, &app.client, "Okta", &deleg_role, &rep_role).await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    let token = made.body["secret"].as_str().unwrap().to_string();
    let admin_id = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    // No takeover: it cannot block the administrator, nor move their address.
    let takeover = scim(&app, &token, "PATCH", &format!("/Users/{admin_id}"), Some(json!({ "schemas": [PATCH], "Operations": [{ "op": "replace", "path": "active", "value": false }] }))).await;
    assert_eq!(takeover.status, 403, "{:?}", takeover.body);
    let takeover = scim(
        &app,
        &token,
        "PUT",
        &format!("/Users/{admin_id}"),
        Some(json!({ "userName": ADMIN_EMAIL, "emails": [{ "value": "mine@evil.test", "primary": true }], "active": true })),
    )
    .await;
    assert_eq!(takeover.status, 403, "{:?}", takeover.body);
    assert_eq!(app.get(&format!("/api/users/{admin_id}")).await.body["status"], "active");
    // Groups need Departments & Groups, which its role does not have.
    scim_error(&scim(&app, &token, "GET", "/Groups", None).await, 403);

    // An administrator's service account manages groups through the console's group save.
    let admin_account = service_account(&app, &app.client, "Entra ID", "administrator", &rep_role).await;
    let token = admin_account.body["secret"].as_str().unwrap().to_string();
    let (cy, _) = app.onboard("Cy Cole", "cy@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let group = scim(&app, &token, "POST", "/Groups", Some(json!({ "displayName": "Field team", "externalId": "g-7", "members": [{ "value": cy }] }))).await;
    assert_eq!(group.status, 201, "{:?}", group.body);
    let gid = group.body["id"].as_str().unwrap().to_string();
    let org = app.get("/api/admin/org").await;
    let saved = org.body["groups"].as_array().unwrap().iter().find(|g| g["id"] == gid.as_str()).unwrap().clone();
    assert_eq!((saved["name"].as_str(), saved["users"].clone()), (Some("Field team"), json!([cy])));
    assert!(app.audit_actions(&gid).await.contains(&"group.save".to_string()));
    let unknown = scim(&app, &token, "PATCH", &format!("/Groups/{gid}"), Some(json!({ "schemas": [PATCH], "Operations": [{ "op": "add", "path": "members", "value": [{ "value": "nobody" }] }] }))).await;
    scim_error(&unknown, 400);
    let emptied = scim(&app, &token, "PATCH", &format!("/Groups/{gid}"), Some(json!({ "schemas": [PATCH], "Operations": [{ "op": "remove", "path": format!("members[value eq \"{cy}\"]") }] }))).await;
    assert_eq!(emptied.status, 200, "{:?}", emptied.body);
    assert!(emptied.body.get("members").is_none(), "{:?}", emptied.body);
    let by_name = scim(&app, &token, "GET", "/Groups?filter=displayName%20eq%20%22field%20team%22", None).await;
    assert_eq!(by_name.body["Resources"][0]["externalId"], "g-7");
    assert_eq!(scim(&app, &token, "DELETE", &format!("/Groups/{gid}"), None).await.status, 204);
    scim_error(&scim(&app, &token, "GET", &format!("/Groups/{gid}"), None).await, 404);
}
