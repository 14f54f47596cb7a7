//! Roles, profiles, groups and grants: preview before save, no escalation, no lock-out.

use serde_json::json;

use crate::helpers::*;

const PW: &str = "seven blue horses at dawn";

fn exporter_profile() -> serde_json::Value {
    json!({ "SaveProfile": { "id": null, "name": "Lead exporter", "permissions": [
        { "module": "Leads", "action": "View", "level": "All" },
        { "module": "Leads", "action": "Export", "level": "All" }
    ], "field_rules": [] } })
}

#[tokio::test]
async fn a_grant_is_previewed_then_saved_and_audited() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    for (n, e) in [("Kim Kane", "kim@example.com"), ("Lou Lane", "lou@example.com")] {
        app.onboard(n, e, PW, "manager", &[&company], &dept).await;
    }
    let saved = app.post("/api/admin/save", json!({ "change": exporter_profile() })).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let org = app.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Lead exporter").unwrap()["id"].as_str().unwrap().to_string();
    let grant = json!({ "AddGrant": { "grant": { "profile": profile, "to": { "Department": { "id": dept, "with_subdepartments": false } } } } });
    let preview = app.post("/api/admin/preview", json!({ "change": grant })).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    let summary: Vec<&str> = preview.body["summary"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert!(summary.iter().any(|s| s.starts_with("2 users gain Export on Leads: ")), "{summary:?}");
    // The preview wrote nothing.
    assert!(app.get("/api/admin/org").await.body["grants"].as_array().unwrap().is_empty());
    let save = app.post("/api/admin/save", json!({ "change": grant })).await;
    assert_eq!(save.status, 200);
    assert_eq!(app.get("/api/admin/org").await.body["grants"].as_array().unwrap().len(), 1);
    let rows: Vec<serde_json::Value> = app.state.db.query("SELECT action FROM audit WHERE action IN ['profile.save', 'grant.add'];", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(rows.len(), 2);
    // Granting the same thing twice succeeds and changes nothing (API clients retry).
    let again = app.post("/api/admin/save", json!({ "change": grant })).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(app.get("/api/admin/org").await.body["grants"].as_array().unwrap().len(), 1);
    // Removing it twice likewise.
    let remove = json!({ "RemoveGrant": grant["AddGrant"].clone() });
    assert_eq!(app.post("/api/admin/save", json!({ "change": remove })).await.status, 200);
    assert_eq!(app.post("/api/admin/save", json!({ "change": remove })).await.status, 200);
    assert!(app.get("/api/admin/org").await.body["grants"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_last_full_administrator_cannot_lose_administration_and_roles_do_not_cycle() {
    let app = spawn_app().await;
    app.set_up().await;
    let strip = app.post("/api/admin/save", json!({ "change": { "SaveRole": { "id": "administrator", "name": "Administrator", "parent": null, "profiles": [] } } })).await;
    assert_eq!(strip.status, 409, "{:?}", strip.body);
    assert!(strip.message().contains("no active full administrator"));
    let delete = app.post("/api/admin/save", json!({ "change": { "DeleteProfile": { "id": "administrator" } } })).await;
    assert_eq!(delete.status, 422);
    let cycle = app.post("/api/admin/save", json!({ "change": { "SaveRole": { "id": "administrator", "name": "Administrator", "parent": "manager", "profiles": ["administrator"] } } })).await;
    assert_eq!(cycle.status, 422);
    assert!(cycle.field_message("parent").unwrap().contains("below itself"));
    let bad_level = app.post("/api/admin/save", json!({ "change": { "SaveProfile": { "id": null, "name": "Odd", "permissions": [
        { "module": "Settings", "action": "Edit", "level": "Own" }
    ], "field_rules": [] } } })).await;
    assert_eq!(bad_level.status, 422);
    assert!(bad_level.field_message("permissions").unwrap().contains("only None or All"));
    let bad_field = app.post("/api/admin/save", json!({ "change": { "SaveProfile": { "id": null, "name": "Odd", "permissions": [],
        "field_rules": [{ "module": "Opportunities", "field": "colour", "rule": "Hidden" }] } } })).await;
    assert_eq!(bad_field.status, 422);
    // Nothing of the refused changes was written.
    let rows: Vec<serde_json::Value> = app.state.db.query("SELECT action FROM audit WHERE action INSIDE ['role.save', 'profile.save', 'profile.delete'];", json!({})).await.unwrap().all(0).unwrap();
    assert!(rows.is_empty());
}

#[tokio::test]
async fn an_admin_cannot_hand_out_more_than_they_hold() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let role_admin = app
        .define_role("Role admin", &[
            ("RolesProfiles", "View", "All"), ("RolesProfiles", "Create", "All"), ("RolesProfiles", "Edit", "All"),
            ("DepartmentsGroups", "Edit", "All"), ("Leads", "View", "Own"),
        ])
        .await;
    let (_, ra) = app.onboard("Rae Admin", "rae@example.com", PW, &role_admin, &[&company], &dept).await;
    let more = app.call_with(&ra, "POST", "/api/admin/save", Some(json!({ "change": exporter_profile() }))).await;
    assert_eq!(more.status, 403, "{:?}", more.body);
    assert!(more.message().contains("no escalation"), "{}", more.message());
    let within = app.call_with(&ra, "POST", "/api/admin/save", Some(json!({ "change": { "SaveProfile": { "id": null, "name": "Lead reader",
        "permissions": [{ "module": "Leads", "action": "View", "level": "Own" }], "field_rules": [] } } }))).await;
    assert_eq!(within.status, 200, "{:?}", within.body);
    let me = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let remove_admin = app.call_with(&ra, "POST", "/api/admin/save", Some(json!({ "change": { "RemoveGrant": { "grant": {
        "profile": "administrator", "to": { "User": me } } } } }))).await;
    // Direct grants to a user need Users / Edit on that user: Rae cannot even see the account.
    assert_eq!(remove_admin.status, 404, "{:?}", remove_admin.body);
    // Without the permission at all: refused before anything else.
    let (_, plain) = app.onboard("Pat Plain", "pat@example.com", PW, "manager", &[&company], &dept).await;
    let none = app.call_with(&plain, "POST", "/api/admin/preview", Some(json!({ "change": exporter_profile() }))).await;
    assert_eq!(none.status, 403);
}

#[tokio::test]
async fn effective_access_explains_each_cell_and_reports_conflicts() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let (mia, _) = app.onboard("Mia Moss", "mia@example.com", PW, "manager", &[&company], &dept).await;
    let ea = app.get(&format!("/api/users/{mia}/access")).await;
    assert_eq!(ea.status, 200, "{:?}", ea.body);
    let cells = ea.body["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 72);
    let view_leads = cells.iter().find(|c| c["module"] == "Leads" && c["action"] == "View").unwrap();
    assert_eq!(view_leads["decision"]["level"], "DepartmentTree");
    assert_eq!(view_leads["decision"]["reasons"][0], "View on Leads at Department tree, from profile Manager, via role Manager");
    let users_view = cells.iter().find(|c| c["module"] == "Users" && c["action"] == "View").unwrap();
    assert_eq!(users_view["decision"]["allowed"], false);
    assert!(ea.body["conflicts"].as_array().unwrap().is_empty());
    // A direct grant of a wider profile makes a conflict, visible on the user and in the report.
    app.post("/api/admin/save", json!({ "change": exporter_profile() })).await;
    let org = app.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Lead exporter").unwrap()["id"].as_str().unwrap().to_string();
    let g = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": profile, "to": { "User": mia } } } } })).await;
    assert_eq!(g.status, 200);
    let ea = app.get(&format!("/api/users/{mia}/access")).await;
    let conflict = ea.body["conflicts"].as_array().unwrap().iter().find(|c| c["module"] == "Leads" && c["action"] == "View").unwrap().clone();
    assert_eq!(conflict["winner"], "All");
    let report = app.get("/api/admin/conflicts").await;
    assert_eq!(report.status, 200);
    // A sharing default previews who gains reach, by name, though no level changes...
    let sharing = json!({ "SaveSharing": { "defaults": [["Leads", "PublicRead"]], "hierarchy": true, "inactive_may_read": false } });
    let preview = app.post("/api/admin/preview", json!({ "change": sharing })).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    let said = preview.body["summary"].to_string();
    assert!(said.contains("on Leads (View): the organization-wide default for Leads is Public read") && said.contains("Mia Moss"), "{said}");
    // ...and once saved, a cell also names what widens it.
    let shared = app.post("/api/admin/save", json!({ "change": sharing })).await;
    assert_eq!(shared.status, 200, "{:?}", shared.body);
    let ea = app.get(&format!("/api/users/{mia}/access")).await;
    let view_leads = ea.body["cells"].as_array().unwrap().iter().find(|c| c["module"] == "Leads" && c["action"] == "View").unwrap().clone();
    let reasons = view_leads["decision"]["reasons"].to_string();
    assert!(reasons.contains("the organization-wide default for Leads is Public read"), "{reasons}");
    let edit_leads = ea.body["cells"].as_array().unwrap().iter().find(|c| c["module"] == "Leads" && c["action"] == "Edit").unwrap().clone();
    assert!(!edit_leads["decision"]["reasons"].to_string().contains("organization-wide default"), "read-only widens View only");
    assert!(report.body.as_array().unwrap().iter().any(|c| c["user"].as_str().unwrap().starts_with("Mia Moss")));
}

#[tokio::test]
async fn an_invited_persons_access_is_what_they_will_have_once_active() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let a = app.invite(&app.client, "Ivy Invited", "ivy@example.com", "manager", &[&company], &dept).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let ivy = a.body["id"].as_str().unwrap().to_string();
    let ea = app.get(&format!("/api/users/{ivy}/access")).await;
    assert_eq!(ea.status, 200, "{:?}", ea.body);
    assert_eq!(ea.body["once_active"], true);
    let view_leads = ea.body["cells"].as_array().unwrap().iter().find(|c| c["module"] == "Leads" && c["action"] == "View").unwrap().clone();
    assert_eq!(view_leads["decision"]["level"], "DepartmentTree", "{view_leads:?}");
    // The menu editor knows which modules their profiles open at all.
    let setup = app.get(&format!("/api/users/{ivy}/setup")).await;
    let grantable = setup.body["grantable_modules"].as_array().unwrap();
    assert!(grantable.contains(&json!("Leads")) && !grantable.contains(&json!("Users")), "{grantable:?}");
    // The page says when the invitation link stops working.
    let row = app.get(&format!("/api/users/{ivy}")).await;
    assert!(row.body["invitation_expires_at"].as_i64().unwrap() > row.body["created_at"].as_i64().unwrap(), "{:?}", row.body);
    // Once active, the same cells, now in force.
    let (mia, _) = app.onboard("Mia Moss", "mia@example.com", PW, "manager", &[&company], &dept).await;
    let ea = app.get(&format!("/api/users/{mia}/access")).await;
    assert_eq!(ea.body["once_active"], false);
}

#[tokio::test]
async fn licenses_have_seats_and_navigation_only_hides() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let (ann, _) = app.onboard("Ann Alder", "ann@example.com", PW, "manager", &[&company], &dept).await;
    let (ben, _) = app.onboard("Ben Birch", "ben@example.com", PW, "manager", &[&company], &dept).await;
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Sales", "seats": 1, "modules": ["Opportunities"] })).await;
    assert_eq!(lic.status, 200, "{:?}", lic.body);
    let lic = lic.body.as_str().unwrap().to_string();
    let cell = |body: &serde_json::Value, m: &str, a: &str| body["cells"].as_array().unwrap().iter().find(|c| c["module"] == m && c["action"] == a).unwrap()["decision"].clone();
    // Without the license, Opportunities is refused by the license step.
    let d = cell(&app.get(&format!("/api/users/{ann}/access")).await.body, "Opportunities", "View");
    assert_eq!(d["allowed"], false);
    assert!(d["reasons"][0].as_str().unwrap().contains("needs the Sales license"));
    assert_eq!(app.post(&format!("/api/users/{ann}/licenses"), json!({ "licenses": [lic] })).await.status, 200);
    assert_eq!(cell(&app.get(&format!("/api/users/{ann}/access")).await.body, "Opportunities", "View")["allowed"], true);
    // One seat: the second assignment is refused and changes nothing.
    let full = app.post(&format!("/api/users/{ben}/licenses"), json!({ "licenses": [lic] })).await;
    assert_eq!(full.status, 422, "{:?}", full.body);
    assert!(full.field_message("licenses").unwrap().contains("every seat of the Sales license is taken"));
    assert!(app.get(&format!("/api/users/{ben}/setup")).await.body["licenses"].as_array().unwrap().is_empty());
    let listed = app.get("/api/licenses").await;
    assert_eq!(listed.body[0]["used"], 1);
    // Seats cannot drop below what is in use.
    let shrink = app.post("/api/licenses", json!({ "id": lic, "name": "Sales", "seats": 0, "modules": ["Opportunities"] })).await;
    assert_eq!(shrink.status, 422);
    // Navigation hides: the module is refused even though the profile grants it.
    assert_eq!(app.post(&format!("/api/users/{ann}/navigation"), json!({ "hidden": ["Leads"] })).await.status, 200);
    let d = cell(&app.get(&format!("/api/users/{ann}/access")).await.body, "Leads", "View");
    assert_eq!(d["allowed"], false);
    assert!(d["reasons"][0].as_str().unwrap().contains("hidden"));
    // Hiding never grants: hiding nothing leaves Users refused for a manager.
    assert_eq!(cell(&app.get(&format!("/api/users/{ben}/access")).await.body, "Users", "View")["allowed"], false);
    // The last full administrator keeps the administration modules.
    let me = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let lock = app.post(&format!("/api/users/{me}/navigation"), json!({ "hidden": ["Users"] })).await;
    assert_eq!(lock.status, 409);
}

#[tokio::test]
async fn the_settings_page_shows_the_configuration_without_secrets() {
    let app = spawn_app_with(|s| {
        s.smtp = Some(gatehouse::server::config::SmtpSettings {
            host: "smtp.example.com".into(),
            port: 587,
            tls: gatehouse::server::config::SmtpTls::StartTls,
            user: Some("mailer".into()),
            password: Some("hunter2-very-secret".into()),
        });
    })
    .await;
    app.set_up().await;
    let s = app.get("/api/settings").await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    let text = s.body.to_string();
    assert!(text.contains("smtp.example.com:587") && text.contains("set (not shown)"), "{text}");
    assert!(!text.contains("hunter2"), "the SMTP password leaks: {text}");
    assert!(text.contains("3 days"), "invitation expiry: {text}");
    assert!(text.contains("Grant access using hierarchies"));
}

#[tokio::test]
async fn a_test_email_reaches_the_administrator_and_is_audited() {
    let app = spawn_app().await;
    app.set_up().await;
    let a = app.post("/api/settings/test-email", json!({})).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    let said = a.body.as_str().unwrap_or_default().to_string();
    assert!(said.contains(ADMIN_EMAIL) && said.contains("outbox folder"), "{said}");
    let mails = app.mails_to(ADMIN_EMAIL, 1).await;
    let mail = mails.iter().find(|m| m.contains("Gatehouse test email")).expect("the test email is in the outbox");
    assert!(unquote(mail).contains("This is a test email from Gatehouse"), "{mail}");
    let rows: Vec<serde_json::Value> = app
        .state
        .db
        .query("SELECT actor_name, after FROM audit WHERE action = 'settings.test_email';", json!({}))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["actor_name"], ADMIN_NAME);
}

#[tokio::test]
async fn lifetimes_change_at_run_time_on_every_instance() {
    let app = spawn_app().await;
    app.set_up().await;
    let save = |lifetimes: serde_json::Value| json!({ "change": { "SaveLifetimes": { "lifetimes": lifetimes } } });
    // Out of bounds: a message at the field, nothing saved.
    let bad = app.post("/api/admin/save", save(json!({ "invite_minutes": 5 }))).await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert!(bad.field_message("invite_minutes").unwrap().contains("between 60 and 43200"), "{:?}", bad.body);
    let bad = app.post("/api/admin/save", save(json!({ "session_idle_minutes": 60, "session_max_minutes": 30 }))).await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    let ok = app.post("/api/admin/save", save(json!({ "invite_minutes": 120, "session_idle_minutes": 30, "session_max_minutes": 600 }))).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let text = app.get("/api/settings").await.body.to_string();
    assert!(text.contains("[\"Invitation links expire after\",\"2 hours\",\"set on this page\"]"), "{text}");
    assert!(text.contains("[\"Session ends after inactivity\",\"30 minutes\",\"set on this page\"]"), "{text}");
    // A new invitation follows it.
    let (company, dept) = app.defaults().await;
    let a = app.invite(&app.client, "Ivy Invited", "ivy@example.com", "manager", &[&company], &dept).await;
    let ivy = a.body["id"].as_str().unwrap().to_string();
    let row = app.get(&format!("/api/users/{ivy}")).await;
    let lasts = row.body["invitation_expires_at"].as_i64().unwrap() - row.body["created_at"].as_i64().unwrap();
    assert!((119 * 60_000..=121 * 60_000).contains(&lasts), "the link lasts {lasts} ms");
    // Another instance over the same database follows at its next request, and it is audited.
    let second = spawn_second_instance(&app).await;
    assert_eq!(second.sign_in_with(&second.client, ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let there = second.get("/api/settings").await.body.to_string();
    assert!(there.contains("[\"Session ends at the latest after\",\"10 hours\",\"set on this page\"]"), "{there}");
    let rows: Vec<serde_json::Value> =
        app.state.db.query("SELECT action FROM audit WHERE action = 'settings.lifetimes';", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(rows.len(), 1);
}
