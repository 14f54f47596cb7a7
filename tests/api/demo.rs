//! The demo organisation: filled into an empty installation, it shows the model at work.

use serde_json::json;

use crate::helpers::*;
use gatehouse::server::demo::{fill_if_empty, DEMO_ADMIN, DEMO_PASSWORD};

#[tokio::test]
async fn the_demo_fills_an_empty_installation_once_and_shows_each_persona_their_reach() {
    let app = spawn_app().await;
    assert!(fill_if_empty(&app.state).await.unwrap());
    // A second start changes nothing.
    assert!(!fill_if_empty(&app.state).await.unwrap());
    assert_eq!(app.get("/api/session").await.body["needs_setup"], false);

    let admin = new_client();
    assert_eq!(app.sign_in_with(&admin, DEMO_ADMIN, DEMO_PASSWORD).await.status, 200);
    let users = app.call_with(&admin, "POST", "/api/users/search", Some(json!({ "query": {} }))).await;
    assert!(users.body["total"].as_u64().unwrap() >= 30, "{:?}", users.body["total"]);
    let all = app.call_with(&admin, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities" } }))).await;
    let total = all.body["page"]["total"].as_u64().unwrap();
    assert!(total >= 400, "{total}");
    // An open access review that comes back every quarter, with lines for the managers.
    let reviews = app.call_with(&admin, "GET", "/api/reviews", None).await;
    let open = reviews.body.as_array().unwrap().iter().find(|r| r["closed_at"].is_null() && r["repeat"] == "Quarterly");
    assert!(open.is_some_and(|r| r["lines"].as_u64().unwrap() > 5), "{:?}", reviews.body);

    // A sales rep sees only their own opportunities, in their company.
    let rep = new_client();
    assert_eq!(app.sign_in_with(&rep, "rita.rep@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
    let mine = app.call_with(&rep, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities", "per_page": 200 } }))).await;
    let items = mine.body["page"]["items"].as_array().unwrap();
    assert!(!items.is_empty() && (items.len() as u64) < total);
    assert!(items.iter().all(|r| r["owner"]["id"] == "rita_rep" && r["company"]["id"] == "northwind"), "{items:?}");

    // The assistant sees the department's opportunities without amounts.
    let asst = new_client();
    assert_eq!(app.sign_in_with(&asst, "ann.assistant@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
    let seen = app.call_with(&asst, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities" } }))).await;
    assert!(seen.body["page"]["total"].as_u64().unwrap() > 0);
    assert!(!seen.body.to_string().contains("\"amount\""), "amounts are hidden from the assistant");

    // Sharing at work: support agents' activities are shared read-only with sales managers, whose
    // profile opens the module at Own only; only Northwind's reach Nora.
    let nora = new_client();
    assert_eq!(app.sign_in_with(&nora, "nora.north@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
    let shared = app.call_with(&nora, "POST", "/api/records/search", Some(json!({ "query": { "module": "SupportActivities", "per_page": 200 } }))).await;
    assert_eq!(shared.status, 200, "{:?}", shared.body);
    let items = shared.body["page"]["items"].as_array().unwrap();
    assert!(!items.is_empty());
    assert!(items.iter().all(|r| r["company"]["id"] == "northwind" && r["owner"]["id"] != "sue_support"), "{items:?}");
    let one = items[0]["id"].as_str().unwrap();
    let edit = app
        .call_with(&nora, "POST", "/api/records/update", Some(json!({ "module": "SupportActivities", "id": one, "input": { "values": { "status": "Resolved" } } })))
        .await;
    assert_eq!(edit.status, 403, "shared read-only");
    // An expiring grant: Kai's Key Accounts profile ends in ten days, and the reasons say so.
    let kai = app.call_with(&admin, "GET", "/api/users/kai_kowalski/access", None).await;
    let projects = kai.body["cells"].as_array().unwrap().iter().find(|c| c["module"] == "Projects" && c["action"] == "View").unwrap().clone();
    assert!(projects["decision"]["reasons"].to_string().contains("profile Key Accounts, granted directly, until "), "{projects:?}");
    // A scheduled leaver: Liam leaves in two weeks and Nora takes his records over.
    let liam = app.call_with(&admin, "GET", "/api/users/liam_lee", None).await;
    let in_days = (liam.body["leave_at"].as_i64().unwrap() - std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64) / 86_400_000;
    assert!((13..=14).contains(&in_days), "{:?}", liam.body);
    assert_eq!(liam.body["leave_owner"]["name"], "Nora North");
    // The blocked demo user cannot sign in.
    let bo = new_client();
    assert_ne!(app.sign_in_with(&bo, "bo.berg@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
}
