//! No escalation, no takeover (issue 10): each attack a delegated administrator tried on the
//! demo organisation, as the request they would send, and the requests the contract allows
//! that used to be refused.

use serde_json::{json, Value};

use crate::helpers::*;
use gatehouse::server::demo::{fill_if_empty, DEMO_ADMIN, DEMO_PASSWORD};

const PW: &str = "quiet harbour seven lanterns";

/// The demo organisation, with Ada (full administrator) signed in on `app.client` and Peter
/// (People Admin: Users View/Create/Edit at All, Northwind only, and the Manager profile through
/// his department) on the returned client.
async fn demo() -> (TestApp, reqwest::Client) {
    let app = spawn_app().await;
    assert!(fill_if_empty(&app.state).await.unwrap());
    assert_eq!(app.sign_in_with(&app.client, DEMO_ADMIN, DEMO_PASSWORD).await.status, 200);
    let peter = new_client();
    assert_eq!(app.sign_in_with(&peter, "peter.people@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
    (app, peter)
}

/// Ada grants Peter a profile with these extra (module, action, All) permissions.
async fn give_peter(app: &TestApp, name: &str, perms: &[(&str, &str)]) {
    let perms: Vec<Value> = perms.iter().map(|(m, a)| json!({ "module": m, "action": a, "level": "All" })).collect();
    let saved = app.post("/api/admin/save", json!({ "change": { "SaveProfile": { "id": null, "name": name, "permissions": perms, "field_rules": [] } } })).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let profile = profile_id(app, name).await;
    let g = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": profile, "to": { "User": "peter_people" } } } } })).await;
    assert_eq!(g.status, 200, "{:?}", g.body);
}

async fn profile_id(app: &TestApp, name: &str) -> String {
    let org = app.get("/api/admin/org").await;
    org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

fn user_input(name: &str, email: &str, department: &str, role: &str, companies: &[&str]) -> Value {
    json!({ "input": { "full_name": name, "email": email, "mobile": "", "department": department, "role": role, "companies": companies, "is_approver": false } })
}

async fn status_of(app: &TestApp, id: &str) -> String {
    app.get(&format!("/api/users/{id}")).await.body["status"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_administrator_stays_out_of_a_delegated_admins_hands_whatever_their_status() {
    let (app, peter) = demo().await;
    // Ivy: an administrator, invited, never activated; then blocked by Ada.
    let ivy = app.invite(&app.client, "Ivy Admin", "ivy@example.com", "administrator", &["northwind"], "people").await;
    assert_eq!(ivy.status, 200, "{:?}", ivy.body);
    let ivy = ivy.body["id"].as_str().unwrap().to_string();
    assert_eq!(app.post(&format!("/api/users/{ivy}/status"), json!({ "status": "blocked" })).await.status, 200);
    // Ian: an active administrator whom Ada deactivates.
    let (ian, _) = app.onboard("Ian Admin", "ian@example.com", PW, "administrator", &["northwind"], "people").await;
    assert_eq!(app.post(&format!("/api/users/{ian}/status"), json!({ "status": "inactive" })).await.status, 200);

    for (who, path, body) in [
        (&ian, "password", json!({ "change": { "Temporary": "a temporary passphrase here" } })),
        (&ian, "status", json!({ "status": "active" })),
        (&ivy, "status", json!({ "status": "active" })),
        (&ian, "sessions/end", json!({})),
        (&ian, "navigation", json!({ "hidden": ["Leads"] })),
        (&ian, "licenses", json!({ "licenses": [] })),
    ] {
        let tried = app.call_with(&peter, "POST", &format!("/api/users/{who}/{path}"), Some(body)).await;
        assert_eq!(tried.status, 403, "{path}: {:?}", tried.body);
        assert!(tried.message().contains("only full administrators"), "{path}: {}", tried.message());
    }
    let edit = app.call_with(&peter, "POST", &format!("/api/users/{ian}"), Some(user_input("Ian Admin", "peter@evil.test", "people", "administrator", &["northwind"]))).await;
    assert_eq!(edit.status, 403, "{:?}", edit.body);
    assert_eq!(status_of(&app, &ian).await, "inactive");
    assert_eq!(status_of(&app, &ivy).await, "blocked");
    // Unblocking an account that was never activated returns it to Invited, not Active.
    assert_eq!(app.post(&format!("/api/users/{ivy}/status"), json!({ "status": "active" })).await.status, 200);
    assert_eq!(status_of(&app, &ivy).await, "invited");
}

#[tokio::test]
async fn a_delegated_admin_cannot_take_over_an_account_that_sees_more_than_he_does() {
    let (app, peter) = demo().await;
    // Nora sees every opportunity amount of her region; Peter sees no opportunity at all.
    let temp = app.call_with(&peter, "POST", "/api/users/nora_north/password", Some(json!({ "change": { "Temporary": "a temporary passphrase here" } }))).await;
    assert_eq!(temp.status, 403, "{:?}", temp.body);
    assert!(temp.message().starts_with("no takeover: Nora North holds"), "{}", temp.message());
    let reset = app.call_with(&peter, "POST", "/api/users/nora_north/password", Some(json!({ "change": "SendResetLink" }))).await;
    assert_eq!(reset.status, 403);
    let block = app.call_with(&peter, "POST", "/api/users/nora_north/status", Some(json!({ "status": "blocked" }))).await;
    assert_eq!(block.status, 403);
    // The second route: her email changed to his, then a reset link.
    let email = app
        .call_with(&peter, "POST", "/api/users/nora_north", Some(user_input("Nora North", "peter.people+nora@demo.gatehouse.test", "sales_north", "sales_manager", &["northwind"])))
        .await;
    assert_eq!(email.status, 422, "{:?}", email.body);
    assert!(email.field_message("email").unwrap().contains("no takeover"), "{:?}", email.body);
    assert_eq!(app.get("/api/users/nora_north").await.body["email"], "nora.north@demo.gatehouse.test");
    assert_eq!(status_of(&app, "nora_north").await, "active");
    // Someone who holds no more than Peter (a new people administrator) he may reset.
    let (pam, _) = app.onboard("Pam People", "pam@example.com", PW, "people_admin", &["northwind"], "people").await;
    let ok = app.call_with(&peter, "POST", &format!("/api/users/{pam}/password"), Some(json!({ "change": "SendResetLink" }))).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
}

#[tokio::test]
async fn joining_a_group_nested_in_a_granted_group_is_refused() {
    let (app, peter) = demo().await;
    give_peter(&app, "Group keeper", &[("DepartmentsGroups", "Edit")]).await;
    // Deal desk sits inside Key accounts, which carries Customers View/Edit at All.
    let made = app.post("/api/admin/save", json!({ "change": { "SaveGroup": { "id": null, "name": "Deal desk", "users": [], "groups": [] } } })).await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    let org = app.get("/api/admin/org").await;
    let desk = org.body["groups"].as_array().unwrap().iter().find(|g| g["name"] == "Deal desk").unwrap()["id"].as_str().unwrap().to_string();
    let nest = app
        .post("/api/admin/save", json!({ "change": { "SaveGroup": { "id": "key_accounts", "name": "Key accounts", "users": ["rita_rep", "pia_petrov", "kai_kowalski"], "groups": [desk] } } }))
        .await;
    assert_eq!(nest.status, 200, "{:?}", nest.body);
    let join = json!({ "change": { "SaveGroup": { "id": desk, "name": "Deal desk", "users": ["peter_people"], "groups": [] } } });
    let preview = app.call_with(&peter, "POST", "/api/admin/preview", Some(join.clone())).await;
    assert_eq!(preview.status, 403, "the preview shows the refusal before Save: {:?}", preview.body);
    let tried = app.call_with(&peter, "POST", "/api/admin/save", Some(join)).await;
    assert_eq!(tried.status, 403);
    assert!(tried.message().contains("Peter People would gain View on Customers at All"), "{}", tried.message());
    let customers = app.call_with(&peter, "POST", "/api/records/search", Some(json!({ "query": { "module": "Customers" } }))).await;
    assert!(customers.body["page"]["total"].as_u64().unwrap_or(0) < 50, "{:?}", customers.body["page"]["total"]);
}

#[tokio::test]
async fn managing_another_department_or_placing_people_in_one_is_judged_by_reach() {
    let (app, peter) = demo().await;
    give_peter(&app, "Department keeper", &[("DepartmentsGroups", "Edit")]).await;
    // Peter makes himself manager of Sales North: Department-tree reach over its customers.
    let manage = app
        .call_with(&peter, "POST", "/api/departments/sales_north", Some(json!({ "input": { "name": "Sales North", "parent": "sales", "manager": "peter_people" } })))
        .await;
    assert_eq!(manage.status, 403, "{:?}", manage.body);
    assert!(manage.message().contains("Peter People would gain View on"), "{}", manage.message());
    let dept = app.get("/api/departments").await;
    let north = dept.body.as_array().unwrap().iter().find(|d| d["id"] == "sales_north").unwrap().clone();
    assert_eq!(north["manager"], "nora_north");

    // A new Manager in his own department reaches what he reaches; in Sales North, more.
    let here = app.call_with(&peter, "POST", "/api/users", Some(user_input("Hal Here", "hal@example.com", "people", "manager", &["northwind"]))).await;
    assert_eq!(here.status, 200, "{:?}", here.body);
    let hal = here.body["id"].as_str().unwrap().to_string();
    let there = app.call_with(&peter, "POST", "/api/users", Some(user_input("Tom There", "tom@example.com", "sales_north", "manager", &["northwind"]))).await;
    assert_eq!(there.status, 422, "{:?}", there.body);
    assert!(there.field_message("department").unwrap().contains("Tom There would gain"), "{:?}", there.body);
    // Moving Hal there is the same change, whether by his page or in bulk.
    let moved = app.call_with(&peter, "POST", &format!("/api/users/{hal}"), Some(user_input("Hal Here", "hal@example.com", "sales_north", "manager", &["northwind"]))).await;
    assert_eq!(moved.status, 422, "{:?}", moved.body);
    let form_message = moved.field_message("department").unwrap();
    assert_eq!(app.get(&format!("/api/users/{hal}")).await.body["department"]["id"], "people");
    // A role beyond him, on the page and in bulk: the same words.
    let role = app.call_with(&peter, "POST", &format!("/api/users/{hal}"), Some(user_input("Hal Here", "hal@example.com", "people", "sales_director", &["northwind"]))).await;
    assert_eq!(role.status, 422);
    let bulk = app.call_with(&peter, "POST", "/api/users/bulk", Some(json!({ "ids": [hal], "action": { "AssignRole": "sales_director" } }))).await;
    assert_eq!(bulk.status, 200, "{:?}", bulk.body);
    assert_eq!(bulk.body["done"], 0);
    assert!(bulk.body["refused"][0][1].as_str().unwrap().contains(&role.field_message("role").unwrap()), "{:?}", bulk.body);
    assert!(form_message.contains("records owned by"), "{form_message}");
}

#[tokio::test]
async fn direct_grants_need_users_edit_on_that_user_and_never_touch_an_administrator() {
    let (app, peter) = demo().await;
    // Gail may edit groups and grants, but not users.
    let keeper = app.define_role("Group keeper only", &[("DepartmentsGroups", "View", "All"), ("DepartmentsGroups", "Edit", "All")]).await;
    let (_, gail) = app.onboard("Gail Groups", "gail@example.com", PW, &keeper, &["northwind"], "people").await;
    let grant = |to: &str| json!({ "change": { "AddGrant": { "grant": { "profile": "people_admin", "to": { "User": to } } } } });
    let tried = app.call_with(&gail, "POST", "/api/admin/save", Some(grant("rita_rep"))).await;
    assert!(tried.status == 403 || tried.status == 404, "{:?}", tried.body);
    // Peter has Users / Edit, but Ian is a full administrator.
    let (ian, _) = app.onboard("Ian Admin", "ian@example.com", PW, "administrator", &["northwind"], "people").await;
    give_peter(&app, "Grant keeper", &[("DepartmentsGroups", "Edit")]).await;
    let tried = app.call_with(&peter, "POST", "/api/admin/save", Some(grant(&ian))).await;
    assert_eq!(tried.status, 403, "{:?}", tried.body);
    let org = app.get("/api/admin/org").await;
    assert!(!org.body["grants"].as_array().unwrap().iter().any(|g| g["to"]["User"] == ian.as_str()));
}

#[tokio::test]
async fn only_full_administrators_grant_or_remove_the_administrator_profile_anywhere() {
    let (app, peter) = demo().await;
    give_peter(&app, "Role keeper", &[("RolesProfiles", "View"), ("RolesProfiles", "Edit"), ("DepartmentsGroups", "Edit"), ("DepartmentsGroups", "Delete")]).await;
    let strip = app
        .call_with(&peter, "POST", "/api/admin/save", Some(json!({ "change": { "SaveRole": { "id": "administrator", "name": "Administrator", "parent": null, "profiles": [] } } })))
        .await;
    assert_eq!(strip.status, 403, "{:?}", strip.body);
    assert!(strip.message().contains("only full administrators grant or remove the Administrator profile"));
    // A group carrying an Administrator grant cannot be deleted by him either.
    let g = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": "administrator", "to": { "Group": "emea" } } } } })).await;
    assert_eq!(g.status, 200, "{:?}", g.body);
    let del = app.call_with(&peter, "POST", "/api/admin/save", Some(json!({ "change": { "DeleteGroup": { "id": "emea" } } }))).await;
    assert_eq!(del.status, 403, "{:?}", del.body);
    assert!(app.get("/api/admin/org").await.body["groups"].as_array().unwrap().iter().any(|g| g["id"] == "emea"));
}

#[tokio::test]
async fn records_of_an_archived_company_are_out_of_everyones_reach() {
    let (app, _) = demo().await;
    let sam = new_client();
    assert_eq!(app.sign_in_with(&sam, "sam.south@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
    let before = app.call_with(&sam, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities" } }))).await;
    let items = before.body["page"]["items"].as_array().unwrap().clone();
    assert!(!items.is_empty());
    let one = items[0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.post("/api/companies/contoso/archive", json!({ "archived": true })).await.status, 200);
    let after = app.call_with(&sam, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities" } }))).await;
    assert_eq!(after.body["page"]["total"], 0, "{:?}", after.body);
    let open = app.call_with(&sam, "POST", "/api/records/get", Some(json!({ "module": "Opportunities", "id": one }))).await;
    assert!(open.status == 403 || open.status == 404, "{:?}", open.body);
    let edit = app.call_with(&sam, "POST", "/api/records/update", Some(json!({ "module": "Opportunities", "id": one, "input": { "values": { "stage": "Won" } } }))).await;
    assert!(edit.status == 403 || edit.status == 404, "{:?}", edit.body);
    // The administrator's lists leave it out too.
    let all = app.post("/api/records/search", json!({ "query": { "module": "Opportunities", "company": "contoso" } })).await;
    assert_eq!(all.body["page"]["total"].as_u64().unwrap_or(0), 0, "{:?}", all.body);
}

#[tokio::test]
async fn a_record_goes_to_anyone_active_who_may_view_it() {
    let (app, _) = demo().await;
    let rita = new_client();
    assert_eq!(app.sign_in_with(&rita, "rita.rep@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
    let mine = app.call_with(&rita, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities", "company": "northwind" } }))).await;
    let one = mine.body["page"]["items"][0]["id"].as_str().unwrap().to_string();
    // Not to someone blocked...
    let blocked = app.call_with(&rita, "POST", "/api/records/assign", Some(json!({ "module": "Opportunities", "id": one, "owner": "bo_berg" }))).await;
    assert_eq!(blocked.status, 422, "{:?}", blocked.body);
    // ...but to Omar, a colleague who may view it, though Rita then loses sight of it.
    let given = app.call_with(&rita, "POST", "/api/records/assign", Some(json!({ "module": "Opportunities", "id": one, "owner": "omar_okafor" }))).await;
    assert_eq!(given.status, 200, "{:?}", given.body);
    let now = app.post("/api/records/get", json!({ "module": "Opportunities", "id": one })).await;
    assert_eq!(now.body["record"]["owner"]["id"], "omar_okafor", "{:?}", now.body);
}

#[tokio::test]
async fn users_edit_at_own_saves_ones_own_account() {
    let (app, _) = demo().await;
    let role = app.define_role("Self service", &[("Users", "View", "Own"), ("Users", "Edit", "Own")]).await;
    let (me, client) = app.onboard("Sid Self", "sid@example.com", PW, &role, &["northwind"], "people").await;
    let saved = app.call_with(&client, "POST", &format!("/api/users/{me}"), Some(user_input("Sid Selfridge", "sid@example.com", "people", &role, &["northwind"]))).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    assert_eq!(saved.body["full_name"], "Sid Selfridge");
}

#[tokio::test]
async fn only_administration_modules_count_for_lock_out() {
    let (app, _) = demo().await;
    // Ada, the only full administrator, already has the Audit log hidden (set before this rule).
    app.state.db.query("UPDATE user:ada_admin SET hidden_modules = ['AuditLog']; UPSERT access_version:current SET version += 1;", json!({})).await.unwrap();
    let hide = app.post("/api/users/ada_admin/navigation", json!({ "hidden": ["AuditLog", "Leads"] })).await;
    assert_eq!(hide.status, 200, "{:?}", hide.body);
    // Hiding Users too would leave nobody to administer.
    let more = app.post("/api/users/ada_admin/navigation", json!({ "hidden": ["Users"] })).await;
    assert_eq!(more.status, 409, "{:?}", more.body);
}

#[tokio::test]
async fn what_a_sharing_rule_uses_cannot_be_deleted_and_a_module_takes_one_license() {
    let (app, _) = demo().await;
    let made = app.post("/api/admin/save", json!({ "change": { "SaveGroup": { "id": null, "name": "Night shift", "users": ["cara_costa"], "groups": [] } } })).await;
    assert_eq!(made.status, 200);
    let org = app.get("/api/admin/org").await;
    let night = org.body["groups"].as_array().unwrap().iter().find(|g| g["name"] == "Night shift").unwrap()["id"].as_str().unwrap().to_string();
    let rule = app
        .post("/api/admin/save", json!({ "change": { "SaveSharingRule": { "id": null, "module": "Tasks", "owners": { "Group": night }, "recipients": { "Role": { "id": "support_lead", "with_subordinates": false } }, "access": "Read" } } }))
        .await;
    assert_eq!(rule.status, 200, "{:?}", rule.body);
    let del = app.post("/api/admin/save", json!({ "change": { "DeleteGroup": { "id": night } } })).await;
    assert_eq!(del.status, 422, "{:?}", del.body);
    assert!(del.message().contains("needs attention") && del.body.to_string().contains("sharing rule"), "{:?}", del.body);
    let two = app.post("/api/licenses", json!({ "id": null, "name": "Extra", "seats": 3, "modules": ["Opportunities"] })).await;
    assert_eq!(two.status, 422, "{:?}", two.body);
    assert!(two.field_message("modules").unwrap().contains("at most one"));
}

#[tokio::test]
async fn a_role_change_previews_who_gains_what_and_refuses_like_the_save() {
    let (app, peter) = demo().await;
    let input = user_input("Liam Lee", "liam.lee@demo.gatehouse.test", "sales_north", "sales_manager", &["northwind"]);
    let preview = app.post("/api/users/liam_lee/preview", input.clone()).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    let summary: Vec<&str> = preview.body["summary"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(summary.iter().any(|s| s.contains("Delete on Leads: Liam Lee")), "{summary:?}");
    // Nothing was written.
    assert_eq!(app.get("/api/users/liam_lee").await.body["role"]["id"], "sales_rep");
    // Peter's preview of the same change is refused with the save's words.
    let his = app.call_with(&peter, "POST", "/api/users/liam_lee/preview", Some(input.clone())).await;
    let save = app.call_with(&peter, "POST", "/api/users/liam_lee", Some(input)).await;
    assert_eq!(his.status, save.status);
    assert_eq!(his.body, save.body);
    assert_ne!(his.status, 200);
}

#[tokio::test]
async fn the_audit_log_says_what_happened_in_words() {
    let (app, _) = demo().await;
    let saved = app.post("/api/users/gus_garcia", user_input("Gus Garcia", "gus.garcia@demo.gatehouse.test", "sales_south", "sales_manager", &["contoso"])).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let activity = app.get("/api/users/gus_garcia/activity").await;
    assert_eq!(activity.status, 200, "{:?}", activity.body);
    let sentences: Vec<&str> = activity.body.as_array().unwrap().iter().map(|e| e["sentence"].as_str().unwrap()).collect();
    assert!(sentences.contains(&"Ada Admin changed Gus Garcia's role from Sales Rep to Sales Manager"), "{sentences:?}");
    let log = app.post("/api/audit/search", json!({ "query": { "action": "user.update" } })).await;
    let row = &log.body["items"][0];
    assert_eq!(row["changes"][0]["field"], "role");
    assert_eq!(row["changes"][0]["after"], "Sales Manager");
}

#[tokio::test]
async fn role_lists_say_which_roles_the_caller_may_give() {
    let (app, peter) = demo().await;
    let roles = app.call_with(&peter, "GET", "/api/roles", None).await;
    let grantable = |name: &str| roles.body.as_array().unwrap().iter().find(|r| r["name"] == name).unwrap()["grantable"].as_bool().unwrap();
    assert!(grantable("People Admin"));
    assert!(!grantable("Administrator"));
    assert!(!grantable("Sales Director"));
    // A full administrator may give every role.
    let all = app.get("/api/roles").await;
    assert!(all.body.as_array().unwrap().iter().all(|r| r["grantable"] == true));
}
