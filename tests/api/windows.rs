//! A group membership, a company's access and a license held for a while: each stops counting
//! (or starts) on time on another instance sharing the database, is judged as though it counted
//! now, is listed on "Expiring soon", is reminded of before it ends, and goes when the holding is
//! taken back some other way.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "linen compass autumn bell";
const DAY: i64 = 86_400_000;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn window(user: &str, kind: &str, id: &str, from: Option<i64>, until: Option<i64>) -> Value {
    json!({ "change": { "SetWindow": { "user": user, "what": { kind: id }, "from": from, "until": until } } })
}

async fn lists(app: &TestApp, client: &reqwest::Client, module: &str) -> u16 {
    app.call_with(client, "POST", "/api/records/search", Some(json!({ "query": { "module": module } }))).await.status
}

async fn windows_stored(app: &TestApp) -> i64 {
    let n = app.state.db.query("RETURN count(SELECT id FROM access_window);", json!({})).await.unwrap().all::<Value>(0).unwrap();
    n[0].as_i64().unwrap()
}

/// An administrator's group with a granted profile viewing `module`; returns the group's id.
async fn group_seeing(app: &TestApp, name: &str, module: &str) -> String {
    let p = json!({ "SaveProfile": { "id": null, "name": format!("{name} profile"), "permissions": [{ "module": module, "action": "View", "level": "All" }], "field_rules": [] } });
    assert_eq!(app.post("/api/admin/save", json!({ "change": p })).await.status, 200);
    let g = app.post("/api/admin/save", json!({ "change": { "SaveGroup": { "id": null, "name": name, "users": [], "groups": [] } } })).await;
    assert_eq!(g.status, 200, "{:?}", g.body);
    let org = app.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == format!("{name} profile")).unwrap()["id"].clone();
    let group = org.body["groups"].as_array().unwrap().iter().find(|g| g["name"] == name).unwrap()["id"].as_str().unwrap().to_string();
    let grant = json!({ "change": { "AddGrant": { "grant": { "profile": profile, "to": { "Group": group } } } } });
    assert_eq!(app.post("/api/admin/save", grant).await.status, 200);
    group
}

#[tokio::test]
async fn a_membership_and_a_license_held_for_a_while_end_and_start_on_time_on_a_second_instance() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let tasker = app.define_role("Tasker", &[("Tasks", "View", "All")]).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &tasker, &[&company], &dept).await;
    let readers = group_seeing(&app, "Lead readers", "Leads").await;
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Service", "seats": 5, "modules": ["Tasks"] })).await;
    assert_eq!(lic.status, 200, "{:?}", lic.body);
    let lic = lic.body.as_str().unwrap().to_string();
    let second = spawn_second_instance(&app).await;

    let t0 = now();
    let at = t0 + 2_500;
    // Rita joins Lead readers until `at`, and holds the Service license from `at`.
    let joined = app.post("/api/admin/save", window(&rita, "Group", &readers, None, Some(at))).await;
    assert_eq!(joined.status, 200, "{:?}", joined.body);
    let licensed = app.post("/api/admin/save", window(&rita, "License", &lic, Some(at), None)).await;
    assert_eq!(licensed.status, 200, "{:?}", licensed.body);
    // Her page shows both, with their windows; the group lists her as a member.
    let setup = app.get(&format!("/api/users/{rita}/setup")).await;
    let held: Vec<(Value, Value, Value)> =
        setup.body["windows"].as_array().unwrap().iter().map(|w| (w["name"].clone(), w["from"].clone(), w["until"].clone())).collect();
    assert_eq!(held.len(), 2, "{held:?}");
    assert!(held.contains(&(json!("Group Lead readers"), Value::Null, json!(at))), "{held:?}");
    assert!(held.contains(&(json!("License Service"), json!(at), Value::Null)), "{held:?}");
    assert!(setup.body["groups"].as_array().unwrap().iter().any(|g| g["id"] == readers.as_str()));
    // The audit log says it in words.
    let log = app.post("/api/audit/search", json!({ "query": { "action": "access.window" } })).await;
    let sentences: Vec<&str> = log.body["items"].as_array().unwrap().iter().map(|r| r["sentence"].as_str().unwrap()).collect();
    assert!(sentences.iter().any(|s| s.contains("gave Rita Rep the group Lead readers until ")), "{sentences:?}");
    assert!(sentences.iter().any(|s| s.contains("gave Rita Rep the Service license from ")), "{sentences:?}");
    // Expiring soon lists the membership (the license has no end).
    let soon = app.get("/api/expiring").await;
    let ending: Vec<&str> = soon.body["holdings"].as_array().unwrap().iter().map(|h| h["label"].as_str().unwrap()).collect();
    assert_eq!(ending, ["the group Lead readers"], "{:?}", soon.body);

    // Before: Leads through the group, no Tasks without the license, on either instance.
    assert_eq!(lists(&second, &rita_client, "Leads").await, 200);
    assert_eq!(lists(&second, &rita_client, "Tasks").await, 403);
    assert_eq!(lists(&app, &rita_client, "Leads").await, 200);

    let wait = (at - now()).max(0) as u64 + 100;
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    // After: the first request on B sees both, with no write since.
    assert_eq!(lists(&second, &rita_client, "Leads").await, 403, "the membership has ended on B");
    assert_eq!(lists(&second, &rita_client, "Tasks").await, 200, "the license counts on B");
    assert_eq!(lists(&app, &rita_client, "Leads").await, 403);

    // Taking the license back on her page drops its window; given again, it has none.
    assert_eq!(windows_stored(&app).await, 2);
    assert_eq!(app.post(&format!("/api/users/{rita}/licenses"), json!({ "licenses": [] })).await.status, 200);
    assert_eq!(windows_stored(&app).await, 1);
    assert_eq!(app.post(&format!("/api/users/{rita}/licenses"), json!({ "licenses": [lic] })).await.status, 200);
    assert_eq!(lists(&second, &rita_client, "Tasks").await, 200);
    // The same for the group: saved without her and with her again, she counts for good.
    for users in [json!([]), json!([rita])] {
        let save = json!({ "change": { "SaveGroup": { "id": readers, "name": "Lead readers", "users": users, "groups": [] } } });
        assert_eq!(app.post("/api/admin/save", save).await.status, 200);
    }
    assert_eq!(windows_stored(&app).await, 0);
    assert_eq!(lists(&second, &rita_client, "Leads").await, 200);
}

#[tokio::test]
async fn time_limited_access_is_judged_as_if_it_counted_now_and_reminded_before_it_ends() {
    use gatehouse::server::reminders::run_reminders;
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let south = app.post("/api/companies", json!({ "name": "Southwind" })).await;
    assert_eq!(south.status, 200, "{:?}", south.body);
    let south = south.body["id"].as_str().unwrap().to_string();
    let tasker = app.define_role("Tasker", &[("Tasks", "View", "All")]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &tasker, &[&company], &dept).await;
    let people = app.define_role("People desk", &[("Users", "View", "All"), ("Users", "Edit", "All"), ("Tasks", "View", "All")]).await;
    let (pat_id, pat) = app.onboard("Pat People", "pat@example.com", PASSWORD, &people, &[&company], &dept).await;
    let readers = group_seeing(&app, "Lead readers", "Leads").await;
    let tomorrow = now() + DAY;

    // Pat holds no Southwind: giving it from tomorrow, or until tomorrow, is refused all the same.
    for (from, until) in [(Some(tomorrow), None), (None, Some(tomorrow))] {
        let r = app.call_with(&pat, "POST", "/api/admin/save", Some(window(&rita, "Company", &south, from, until))).await;
        assert_eq!(r.status, 403, "{:?}", r.body);
        assert!(r.message().contains("no escalation") && r.message().contains("would gain access to company"), "{:?}", r.body);
    }
    // Group memberships need Departments & Groups, which Pat lacks.
    let r = app.call_with(&pat, "POST", "/api/admin/save", Some(window(&rita, "Group", &readers, None, Some(tomorrow)))).await;
    assert_eq!(r.status, 403, "{:?}", r.body);
    // A window that ends before it starts is refused on the field.
    let r = app.post("/api/admin/save", window(&rita, "Company", &south, Some(tomorrow), Some(tomorrow - 1))).await;
    assert_eq!(r.status, 422, "{:?}", r.body);
    assert!(r.field_message("until").unwrap().contains("after the start"), "{:?}", r.body);
    assert_eq!(windows_stored(&app).await, 0, "nothing refused was written");

    // The administrator gives Rita Southwind for 3 days, and the Service license too.
    let ends = now() + 3 * DAY;
    let given = app.post("/api/admin/save", window(&rita, "Company", &south, None, Some(ends))).await;
    assert_eq!(given.status, 200, "{:?}", given.body);
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Service", "seats": 1, "modules": ["Tasks"] })).await.body.as_str().unwrap().to_string();
    let licensed = app.post("/api/admin/save", window(&rita, "License", &lic, None, Some(ends))).await;
    assert_eq!(licensed.status, 200, "{:?}", licensed.body);
    // The license's one seat is hers now: nobody else gets it, even for a while.
    let full = app.post("/api/admin/save", window(&pat_id, "License", &lic, None, Some(ends))).await;
    assert_eq!(full.status, 422, "{:?}", full.body);
    assert!(full.field_message("what").unwrap().contains("every seat of the Service license is taken"), "{:?}", full.body);
    // Pat cannot extend it: Rita, holding a company he does not, is now out of his reach.
    let extend = app.call_with(&pat, "POST", "/api/admin/save", Some(window(&rita, "Company", &south, None, Some(ends + 14 * DAY)))).await;
    assert_eq!(extend.status, 404, "{:?}", extend.body);

    // Within 7 days of the end: Rita hears what she loses with the license.
    assert_eq!(run_reminders(&app.state, ends - 8 * DAY).await.unwrap(), 0);
    assert_eq!(run_reminders(&app.state, now()).await.unwrap(), 2, "the company and the license");
    assert_eq!(run_reminders(&app.state, now()).await.unwrap(), 0, "once per stage");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let to_rita: Vec<String> = app.mails_to("rita@example.com", 1).await.into_iter().filter(|m| m.contains("Some of your CRM access ends")).collect();
    assert_eq!(to_rita.len(), 2, "{to_rita:?}");
    assert!(
        to_rita.iter().any(|m| m.contains("the Service license, held by Rita Rep") && m.contains("You no longer hold the Service license.") && m.contains("You can no longer see tasks.")),
        "{to_rita:?}"
    );
    assert!(to_rita.iter().any(|m| m.contains("You no longer have access to Southwind and its records.")), "{to_rita:?}");
    let log = app.post("/api/audit/search", json!({ "query": { "action": "access.window_reminder" } })).await;
    let sentences: Vec<&str> = log.body["items"].as_array().unwrap().iter().map(|r| r["sentence"].as_str().unwrap()).collect();
    assert!(sentences.contains(&"1 person and 1 manager were reminded that the Service license, held by Rita Rep, ends in 3 days"), "{sentences:?}");
    assert!(sentences.contains(&"1 person and 1 manager were reminded that access to Southwind, held by Rita Rep, ends in 3 days"), "{sentences:?}");
    // The administrator extends the company by two weeks: one window, with the new end.
    let extended = app.post("/api/admin/save", window(&rita, "Company", &south, None, Some(ends + 14 * DAY))).await;
    assert_eq!(extended.status, 200, "{:?}", extended.body);
    let setup = app.get(&format!("/api/users/{rita}/setup")).await;
    let south_window = setup.body["windows"].as_array().unwrap().iter().find(|w| w["what"]["Company"] == south.as_str()).unwrap().clone();
    assert_eq!(south_window["until"], ends + 14 * DAY);
    assert_eq!(windows_stored(&app).await, 2);
}
