//! Heads-up: with "tell the people affected" ticked, each person whose access a saved change
//! alters gets one plain email saying what they gained or lost; nobody else does.

use serde_json::json;

use crate::helpers::*;

const PASSWORD: &str = "meadow copper signal tide";

#[tokio::test]
async fn ticking_tell_the_people_affected_emails_each_of_them_what_changed_in_words() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let plain = app.define_role("Plain", &[]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &plain, &[&company], &dept).await;
    app.onboard("Sam South", "sam@example.com", PASSWORD, &plain, &[&company], &dept).await;
    let p = json!({ "SaveProfile": { "id": null, "name": "Lead viewer", "permissions": [{ "module": "Leads", "action": "View", "level": "All" }], "field_rules": [] } });
    assert_eq!(app.post("/api/admin/save", json!({ "change": p })).await.status, 200);
    let org = app.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Lead viewer").unwrap()["id"].as_str().unwrap().to_string();

    // Not ticked: Rita gains Leads silently.
    let quiet = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": profile, "to": { "User": rita } } } } })).await;
    assert_eq!(quiet.status, 200, "{:?}", quiet.body);
    // Ticked: the department gets it; only Sam's access changes (Rita has it already).
    let told = app
        .post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": profile, "to": { "Department": { "id": dept, "with_subdepartments": false } } } } }, "notify": true }))
        .await;
    assert_eq!(told.status, 200, "{:?}", told.body);
    let sam = app.mails_to("sam@example.com", 2).await;
    let mail = sam.last().unwrap();
    assert!(mail.contains("What you can do in the CRM has changed"), "{mail}");
    assert!(mail.contains("Ada Admin changed what you can do in the CRM"), "{mail}");
    assert!(mail.contains("From now on you can see all leads."), "{mail}");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(app.mails_to("rita@example.com", 1).await.len(), 1, "Rita's access did not change: only her invitation");
    assert_eq!(app.mails_to(ADMIN_EMAIL, 0).await.len(), 0, "the administrator's access did not change either");
}
