//! A new person's welcome page, and the check-in reminder their manager gets once, some days
//! after they activated their account.

use serde_json::json;

use crate::helpers::*;
use gatehouse::server::welcome::run_checkins;

const PASSWORD: &str = "harvest window quiet ember";
const DAY: i64 = 86_400_000;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[tokio::test]
async fn a_new_person_is_welcomed_and_their_manager_reminded_to_check_in_once() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, root) = app.defaults().await;
    let east = app.post("/api/departments", json!({ "input": { "name": "East", "parent": root, "manager": null } })).await.body.as_str().unwrap().to_string();
    let lead = app.define_role("East lead", &[("Users", "View", "Department"), ("Tasks", "View", "Department")]).await;
    let rep = app.define_role("Task Rep", &[("Tasks", "View", "Own"), ("Tasks", "Create", "Own"), ("Tasks", "Edit", "Own"), ("Tasks", "Export", "All")]).await;
    let (mona, _) = app.onboard("Mona Manager", "mona@example.com", PASSWORD, &lead, &[&company], &east).await;
    assert_eq!(app.post(&format!("/api/departments/{east}"), json!({ "input": { "name": "East", "parent": root, "manager": mona } })).await.status, 200);
    let (_rita, rita_c) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep, &[&company], &east).await;

    let w = app.call_with(&rita_c, "GET", "/api/welcome", None).await;
    assert_eq!(w.status, 200, "{:?}", w.body);
    assert_eq!(w.body["role"], "Task Rep");
    assert_eq!(w.body["department"], "East");
    assert_eq!(w.body["companies"], json!(["My company"]));
    // Export is bounded by what one may see: the engine says Own, and so does the page.
    assert_eq!(w.body["can"], json!(["Tasks: you can see, create, edit and export your own tasks."]));
    assert_eq!(w.body["manager"]["name"], "Mona Manager");
    assert_eq!(w.body["ask"][0]["name"], ADMIN_NAME, "{:?}", w.body);

    // Rita works a little, then ten days pass.
    assert_eq!(app.sign_in_with(&new_client(), "rita@example.com", PASSWORD).await.status, 200);
    let r = app.call_with(&rita_c, "POST", "/api/records/create", Some(json!({ "module": "Tasks", "input": { "values": { "title": "Call Acme" }, "company": company, "owner": null } }))).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(run_checkins(&app.state, now() + 9 * DAY).await.unwrap(), 0, "not yet");
    assert_eq!(run_checkins(&app.state, now() + 10 * DAY + 60_000).await.unwrap(), 2, "Rita, and Mona (whose own manager is unset: marked, no mail)");
    let mails = app.mails_to("mona@example.com", 2).await;
    let mail = mails.iter().find(|m| m.contains("Check in with Rita Rep")).expect("a check-in reminder for Rita");
    assert!(mail.contains("Rita Rep joined 10 days ago"), "{mail}");
    assert!(mail.contains("signed in 1 time; created 1 record; changed 0 records; used Tasks"), "{mail}");
    assert!(!mail.contains("not yet"), "Tasks is all her role opens: {mail}");
    // Once.
    assert_eq!(run_checkins(&app.state, now() + 20 * DAY).await.unwrap(), 0);
}
