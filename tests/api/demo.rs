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

#[tokio::test]
async fn quick_find_finds_by_name_only_within_what_each_person_may_see() {
    let app = spawn_app().await;
    assert!(fill_if_empty(&app.state).await.unwrap());
    let admin = new_client();
    assert_eq!(app.sign_in_with(&admin, DEMO_ADMIN, DEMO_PASSWORD).await.status, 200);
    let kinds = |body: &serde_json::Value| -> Vec<String> {
        body.as_array().unwrap().iter().map(|f| f["kind"].as_str().map(str::to_string).unwrap_or_else(|| "Record".into())).collect()
    };
    // People, roles and groups by name, for an administrator.
    let rita = find(&app, &admin, "rita").await;
    assert_eq!(rita.status, 200, "{:?}", rita.body);
    assert!(rita.body.as_array().unwrap().iter().any(|f| f["kind"] == "Person" && f["name"] == "Rita Rep"), "{:?}", rita.body);
    let key = find(&app, &admin, "KEY acc").await;
    assert!(key.body.as_array().unwrap().iter().any(|f| f["kind"] == "Group" && f["name"] == "Key accounts"), "{:?}", key.body);
    let roles = find(&app, &admin, "manager").await;
    assert!(kinds(&roles.body).contains(&"Role".to_string()), "{:?}", roles.body);

    // A sales rep: a word from one of her own opportunities finds records, and only hers; no
    // people, roles or groups, which her menu does not open.
    let rep = new_client();
    assert_eq!(app.sign_in_with(&rep, "rita.rep@demo.gatehouse.test", DEMO_PASSWORD).await.status, 200);
    let mine = app.call_with(&rep, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities" } }))).await;
    let title = mine.body["page"]["items"][0]["title"].as_str().unwrap().to_string();
    let word = title.split_whitespace().next().unwrap().to_string();
    let hers = find(&app, &rep, &word).await;
    assert_eq!(hers.status, 200, "{:?}", hers.body);
    let found = hers.body.as_array().unwrap();
    assert!(!found.is_empty(), "{word}");
    assert!(found.iter().all(|f| f["kind"].get("Record").is_some()), "{found:?}");
    // Each opens for her; her opportunities are her own only.
    for f in found {
        let open = app.call_with(&rep, "POST", "/api/records/get", Some(json!({ "module": f["kind"]["Record"], "id": f["id"] }))).await;
        assert_eq!(open.status, 200, "{f:?}");
        if f["kind"]["Record"] == "Opportunities" {
            assert!(f["sub"].as_str().unwrap().starts_with("Rita Rep"), "{f:?}");
        }
    }
    // The administrator finds the same word in others' opportunities too.
    let everyone = find(&app, &admin, &word).await;
    assert!(
        everyone.body.as_array().unwrap().iter().any(|f| f["kind"]["Record"] == "Opportunities" && !f["sub"].as_str().unwrap().starts_with("Rita Rep")),
        "{:?}",
        everyone.body
    );
    // One letter is not a search.
    let short = find(&app, &admin, "r").await;
    assert_eq!(short.status, 422);
    assert!(short.field_message("term").is_some(), "{:?}", short.body);
}

#[tokio::test]
async fn a_group_lists_its_members_with_those_of_its_nested_groups() {
    let app = spawn_app().await;
    assert!(fill_if_empty(&app.state).await.unwrap());
    let admin = new_client();
    assert_eq!(app.sign_in_with(&admin, DEMO_ADMIN, DEMO_PASSWORD).await.status, 200);
    let ids = |body: &serde_json::Value| -> Vec<String> {
        let mut ids: Vec<String> = body["items"].as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect();
        ids.sort();
        ids
    };
    // EMEA leadership: Victor, and Key accounts nested in it.
    let emea = app.call_with(&admin, "POST", "/api/users/search", Some(json!({ "query": { "group": "emea" } }))).await;
    assert_eq!(emea.status, 200, "{:?}", emea.body);
    assert_eq!(ids(&emea.body), ["kai_kowalski", "pia_petrov", "rita_rep", "victor_vance"]);
    assert_eq!(emea.body["total"], 4);
    // With the other filters: searched within the group.
    let rita = app.call_with(&admin, "POST", "/api/users/search", Some(json!({ "query": { "group": "emea", "search": "rita" } }))).await;
    assert_eq!(ids(&rita.body), ["rita_rep"]);
    let key = app.call_with(&admin, "POST", "/api/users/search", Some(json!({ "query": { "group": "key_accounts" } }))).await;
    assert_eq!(ids(&key.body), ["kai_kowalski", "pia_petrov", "rita_rep"]);
    // An unknown group has no members.
    let none = app.call_with(&admin, "POST", "/api/users/search", Some(json!({ "query": { "group": "no_such_group" } }))).await;
    assert_eq!(none.body["total"], 0);
}

async fn find(app: &TestApp, client: &reqwest::Client, term: &str) -> Answer {
    app.call_with(client, "POST", "/api/find", Some(json!({ "term": term }))).await
}
