use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_new_installation_asks_for_setup_and_has_no_default_account() {
    let app = spawn_app().await;
    let info = app.get("/api/session").await;
    assert_eq!(info.status, 200);
    assert_eq!(info.body["needs_setup"], true);
    assert!(info.body["me"].is_null());
    // There is no account to sign in with before setup.
    let a = app.sign_in_with(&app.client, "admin@example.com", "admin").await;
    assert_eq!(a.status, 401);
}

#[tokio::test]
async fn setup_creates_the_first_administrator_and_signs_them_in() {
    let app = spawn_app().await;
    let a = app.set_up().await;
    assert_eq!(a.body["full_name"], ADMIN_NAME);
    assert_eq!(a.body["email"], ADMIN_EMAIL);
    assert_eq!(a.body["role"], "Administrator");
    assert_eq!(a.body["full_admin"], true);
    assert!(a.body.get("password_hash").is_none());

    let info = app.get("/api/session").await;
    assert_eq!(info.body["needs_setup"], false);
    assert_eq!(info.body["me"]["email"], ADMIN_EMAIL);

    // The built-in roles, the default company and the audit row exist.
    let dash = app.get("/api/dashboard").await;
    assert_eq!(dash.status, 200, "{:?}", dash.body);
    assert_eq!(dash.body["total_users"], 1);
    assert_eq!(dash.body["companies"], 1);
    assert_eq!(dash.body["roles"], 2);
    let mut rows = app
        .state
        .db
        .query(
            "SELECT name, parent.name AS parent, profiles.name AS profiles FROM role ORDER BY name;
             SELECT action FROM audit WHERE action = 'installation.set_up';",
            json!({}),
        )
        .await
        .unwrap();
    let roles: Vec<serde_json::Value> = rows.all(0).unwrap();
    assert_eq!(roles[0]["name"], "Administrator");
    assert_eq!(roles[0]["profiles"], json!(["Administrator"]));
    assert_eq!(roles[1]["name"], "Manager");
    assert_eq!(roles[1]["parent"], "Administrator");
    assert_eq!(rows.all::<serde_json::Value>(1).unwrap().len(), 1);
}

#[tokio::test]
async fn setup_is_refused_once_a_user_exists() {
    let app = spawn_app().await;
    app.set_up().await;
    let stranger = new_client();
    let again = app
        .call_with(&stranger, "POST", "/api/setup",
            Some(json!({ "full_name": "Mallory", "email": "mallory@example.com", "password": "another long passphrase" })))
        .await;
    assert_eq!(again.status, 409);
    assert!(again.message().contains("already set up"));
    // Still one user, and the stranger got no session.
    assert_eq!(app.get("/api/dashboard").await.body["total_users"], 1);
    assert_eq!(app.call_with(&stranger, "GET", "/api/dashboard", None).await.status, 401);
    let m = app.sign_in_with(&stranger, "mallory@example.com", "another long passphrase").await;
    assert_eq!(m.status, 401);
}

#[tokio::test]
async fn setup_with_bad_fields_names_each_field_and_saves_nothing() {
    let app = spawn_app().await;
    let a = app.post("/api/setup", json!({ "full_name": "  ", "email": "not-an-email", "password": "short" })).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.error_kind(), "Invalid");
    assert!(a.field_message("full_name").unwrap().contains("full name"));
    assert!(a.field_message("email").unwrap().contains("@"));
    assert!(a.field_message("password").is_some());

    let weak = app.post("/api/setup", json!({ "full_name": "Ada Admin", "email": "ada@example.com", "password": "Password1234" })).await;
    assert_eq!(weak.status, 422);
    assert!(weak.field_message("password").unwrap().contains("common"));
    let own = app.post("/api/setup", json!({ "full_name": "Ada Lovelace", "email": "ada@example.com", "password": "Lovelace2024!!" })).await;
    assert_eq!(own.status, 422);
    assert!(own.field_message("password").unwrap().contains("name"));

    assert_eq!(app.get("/api/session").await.body["needs_setup"], true);
}

#[tokio::test]
async fn every_page_leads_to_setup_on_an_empty_installation() {
    let app = spawn_app().await;
    for path in ["/", "/sign-in", "/setup", "/no/such/page"] {
        let resp = app.client.get(format!("{}{}", app.base, path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        let html = resp.text().await.unwrap();
        assert!(html.contains("Set up Gatehouse"), "{path} should show setup: {html}");
    }
    app.set_up().await;
    let html = new_client().get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Sign in") && !html.contains("Set up Gatehouse"));
}

#[tokio::test]
async fn unknown_pages_answer_404() {
    let app = spawn_app().await;
    app.set_up().await;
    let resp = app.client.get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert!(resp.text().await.unwrap().contains("This page does not exist"));
}
