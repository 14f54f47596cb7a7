//! Access with a start and an end: a grant that ends stops counting at the first request after
//! its end on another instance sharing the database, one that starts later begins counting on
//! time, and neither a later start nor an extension gets past the no-escalation judgement.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "linen compass autumn bell";

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn profile(app: &TestApp, name: &str, module: &str) -> String {
    let p = json!({ "SaveProfile": { "id": null, "name": name, "permissions": [{ "module": module, "action": "View", "level": "All" }], "field_rules": [] } });
    assert_eq!(app.post("/api/admin/save", json!({ "change": p })).await.status, 200);
    let org = app.get("/api/admin/org").await;
    org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

fn grant(profile: &str, user: &str, from: Option<i64>, until: Option<i64>) -> Value {
    json!({ "profile": profile, "to": { "User": user }, "from": from, "until": until })
}

async fn lists(app: &TestApp, client: &reqwest::Client, module: &str) -> u16 {
    app.call_with(client, "POST", "/api/records/search", Some(json!({ "query": { "module": module } }))).await.status
}

#[tokio::test]
async fn a_grant_ends_and_another_starts_on_time_on_a_second_instance() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let plain = app.define_role("Plain", &[]).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &plain, &[&company], &dept).await;
    let leads = profile(&app, "Lead viewer", "Leads").await;
    let tasks = profile(&app, "Task viewer", "Tasks").await;
    let second = spawn_second_instance(&app).await;

    let t0 = now();
    let (ends, starts) = (t0 + 2_500, t0 + 2_500);
    for g in [grant(&leads, &rita, None, Some(ends)), grant(&tasks, &rita, Some(starts), None)] {
        let a = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": g } } })).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
    }
    // The grants page lists both with their window; the reasons say until when.
    let org = app.get("/api/admin/org").await;
    let listed: Vec<&Value> = org.body["grants"].as_array().unwrap().iter().filter(|g| g["to"]["User"] == rita.as_str()).collect();
    assert_eq!(listed.len(), 2);
    assert!(listed.iter().any(|g| g["until"] == ends) && listed.iter().any(|g| g["from"] == starts), "{listed:?}");
    let access = app.call_with(&second.client, "POST", "/api/auth/sign-in", Some(json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))).await;
    assert_eq!(access.status, 200);
    let cells = app.call_with(&second.client, "GET", &format!("/api/users/{rita}/access"), None).await;
    let view_leads = cells.body["cells"].as_array().unwrap().iter().find(|c| c["module"] == "Leads" && c["action"] == "View").unwrap().clone();
    assert_eq!(view_leads["decision"]["level"], "All");
    let reason = view_leads["decision"]["reasons"][0].as_str().unwrap();
    assert!(reason.contains("granted directly, until "), "{reason}");

    // Before: Leads yes (on either instance), Tasks not yet.
    assert_eq!(lists(&second, &rita_client, "Leads").await, 200);
    assert_eq!(lists(&second, &rita_client, "Tasks").await, 403);
    assert_eq!(lists(&app, &rita_client, "Leads").await, 200);

    // After the instant: the first request on B already sees the change, with no write since.
    let wait = (ends - now()).max(0) as u64 + 100;
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
    assert_eq!(lists(&second, &rita_client, "Leads").await, 403, "the ended grant no longer counts on B");
    assert_eq!(lists(&second, &rita_client, "Tasks").await, 200, "the started grant counts on B");
    assert_eq!(lists(&app, &rita_client, "Leads").await, 403);
    assert_eq!(lists(&app, &rita_client, "Tasks").await, 200);
}

#[tokio::test]
async fn a_later_start_or_an_extension_is_judged_as_if_it_counted_now() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let plain = app.define_role("Plain", &[]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &plain, &[&company], &dept).await;
    let people = app.define_role("People desk", &[("Users", "View", "All"), ("Users", "Edit", "All")]).await;
    let (_, pat) = app.onboard("Pat People", "pat@example.com", PASSWORD, &people, &[&company], &dept).await;
    let leads = profile(&app, "Lead viewer", "Leads").await;

    // Pat cannot hand out Leads, now or from tomorrow.
    let tomorrow = now() + 86_400_000;
    let later = app
        .call_with(&pat, "POST", "/api/admin/save", Some(json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, Some(tomorrow), None) } } })))
        .await;
    assert_eq!(later.status, 403, "{:?}", later.body);
    assert!(later.message().contains("no escalation"), "{:?}", later.body);
    // Nor extend a grant the administrator gave until tomorrow.
    let given = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(tomorrow)) } } })).await;
    assert_eq!(given.status, 200);
    let extend = app
        .call_with(&pat, "POST", "/api/admin/save", Some(json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(tomorrow + 14 * 86_400_000)) } } })))
        .await;
    assert_eq!(extend.status, 403, "{:?}", extend.body);
    // The administrator extends it: one grant, with the new end.
    let extended = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(tomorrow + 14 * 86_400_000)) } } })).await;
    assert_eq!(extended.status, 200, "{:?}", extended.body);
    let org = app.get("/api/admin/org").await;
    let hers: Vec<&Value> = org.body["grants"].as_array().unwrap().iter().filter(|g| g["to"]["User"] == rita.as_str()).collect();
    assert_eq!(hers.len(), 1, "{hers:?}");
    assert_eq!(hers[0]["until"], tomorrow + 14 * 86_400_000);
    // Removing it needs no window: the grant is the profile and the person.
    let removed = app.post("/api/admin/save", json!({ "change": { "RemoveGrant": { "grant": { "profile": leads, "to": { "User": rita } } } } })).await;
    assert_eq!(removed.status, 200);
    let org = app.get("/api/admin/org").await;
    assert!(!org.body["grants"].as_array().unwrap().iter().any(|g| g["to"]["User"] == rita.as_str()));
    let stored = app.state.db.query("RETURN array::len((SELECT id FROM grant WHERE to_id = $r));", json!({ "r": rita })).await.unwrap().all::<Value>(0).unwrap();
    assert_eq!(stored, vec![json!(0)]);
}

const DAY: i64 = 86_400_000;

/// The messages in the outbox for `to` whose text holds `subject`, after the mail worker had time.
async fn mails_about(app: &TestApp, to: &str, subject: &str) -> Vec<String> {
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.mails_to(to, 1).await.into_iter().filter(|m| m.contains(subject)).collect()
}

#[tokio::test]
async fn the_person_and_their_manager_are_reminded_before_a_grant_ends_once_per_stage() {
    use gatehouse::server::reminders::run_reminders;
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let plain = app.define_role("Plain", &[]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &plain, &[&company], &dept).await;
    let (mo, _) = app.onboard("Mo Manager", "mo@example.com", PASSWORD, &plain, &[&company], &dept).await;
    let name = app.get("/api/departments").await.body.as_array().unwrap().iter().find(|d| d["id"] == dept.as_str()).unwrap()["name"].clone();
    let manage = json!({ "SaveDepartment": { "id": dept, "name": name, "parent": null, "manager": mo } });
    assert_eq!(app.post("/api/admin/save", json!({ "change": manage })).await.status, 200);
    let leads = profile(&app, "Lead viewer", "Leads").await;
    let t0 = now();
    let ends = t0 + 3 * DAY;
    let a = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(ends)) } } })).await;
    assert_eq!(a.status, 200, "{:?}", a.body);

    // More than 7 days before the end: nothing.
    assert_eq!(run_reminders(&app.state, ends - 8 * DAY).await.unwrap(), 0);
    // Within 7 days: Rita hears what she loses, and Mo, her department's manager, hears about her.
    assert_eq!(run_reminders(&app.state, t0).await.unwrap(), 1);
    let to_rita = mails_about(&app, "rita@example.com", "Some of your CRM access ends").await;
    assert_eq!(to_rita.len(), 1, "{to_rita:?}");
    assert!(to_rita[0].contains("ends in 3 days") && to_rita[0].contains("Lead viewer"), "{}", to_rita[0]);
    assert!(to_rita[0].contains("You can no longer see leads."), "{}", to_rita[0]);
    let to_mo = mails_about(&app, "mo@example.com", "Access in your team ends").await;
    assert_eq!(to_mo.len(), 1, "{to_mo:?}");
    assert!(to_mo[0].contains("Rita Rep"), "{}", to_mo[0]);
    // The same stage is not sent twice.
    assert_eq!(run_reminders(&app.state, t0 + 60_000).await.unwrap(), 0);

    // A day before, two instances run the pass at once: the reminder goes out once.
    let second = spawn_second_instance(&app).await;
    let at = ends - DAY / 2;
    let (a, b) = tokio::join!(run_reminders(&app.state, at), run_reminders(&second.state, at));
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let to_rita = mails_about(&app, "rita@example.com", "Some of your CRM access ends").await;
    assert_eq!(to_rita.len(), 2, "{to_rita:?}");
    assert!(to_rita.iter().any(|m| m.contains("ends within a day")), "{to_rita:?}");
    assert_eq!(mails_about(&app, "mo@example.com", "Access in your team ends").await.len(), 2);

    // Extended by two weeks: the reminders start again for the new end.
    let later = ends + 14 * DAY;
    let a = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": grant(&leads, &rita, None, Some(later)) } } })).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(run_reminders(&app.state, ends).await.unwrap(), 0, "more than 7 days before the new end");
    assert_eq!(run_reminders(&app.state, later - 5 * DAY).await.unwrap(), 1);
    assert_eq!(mails_about(&app, "rita@example.com", "Some of your CRM access ends").await.len(), 3);
    // Each reminder is in the audit log, in words.
    let log = app.post("/api/audit/search", json!({ "query": { "action": "grant.ending_reminder" } })).await;
    let sentences: Vec<&str> = log.body["items"].as_array().unwrap().iter().map(|r| r["sentence"].as_str().unwrap()).collect();
    assert_eq!(sentences.len(), 3, "{sentences:?}");
    assert!(sentences.iter().all(|s| s.starts_with("1 person and 1 manager were reminded that the profile Lead viewer, given to Rita Rep, ends in")), "{sentences:?}");
}

#[tokio::test]
async fn expiring_soon_lists_ending_grants_and_leavers_within_each_viewers_reach() {
    use gatehouse::server::demo::{fill_if_empty, DEMO_ADMIN, DEMO_PASSWORD};
    let app = spawn_app().await;
    assert!(fill_if_empty(&app.state).await.unwrap());
    let as_person = |email: &'static str| {
        let app = &app;
        async move {
            let client = new_client();
            assert_eq!(app.sign_in_with(&client, email, DEMO_PASSWORD).await.status, 200);
            app.call_with(&client, "GET", "/api/expiring", None).await
        }
    };
    // The administrator: Kai's grant (10 days) and Liam's leave date (14 days).
    let all = as_person(DEMO_ADMIN).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    let labels: Vec<&str> = all.body["grants"].as_array().unwrap().iter().map(|g| g["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["the profile Key Accounts, given to Kai Kowalski"]);
    let leavers: Vec<&str> = all.body["leavers"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(leavers, ["Liam Lee"]);
    // ...and Pia's membership of Key accounts (12 days).
    let held: Vec<(&str, &str)> =
        all.body["holdings"].as_array().unwrap().iter().map(|h| (h["name"].as_str().unwrap(), h["label"].as_str().unwrap())).collect();
    assert_eq!(held, [("Pia Petrov", "the group Key accounts")]);
    // Nora manages Liam's department and sees people there: his leave date, but no grants.
    let nora = as_person("nora.north@demo.gatehouse.test").await;
    assert_eq!(nora.status, 200, "{:?}", nora.body);
    assert!(nora.body["grants"].is_null(), "{:?}", nora.body);
    assert_eq!(nora.body["leavers"][0]["name"], "Liam Lee");
    // Sam manages another department: Liam is not his to see.
    let sam = as_person("sam.south@demo.gatehouse.test").await;
    assert_eq!(sam.status, 200, "{:?}", sam.body);
    assert_eq!(sam.body["leavers"].as_array().unwrap().len(), 0, "{:?}", sam.body);
    // Pia is in Sam's department, not Nora's: each sees her membership's end only within reach.
    assert_eq!(sam.body["holdings"][0]["name"], "Pia Petrov", "{:?}", sam.body);
    assert!(nora.body["holdings"].as_array().unwrap().is_empty(), "{:?}", nora.body);
    // A sales rep sees neither people nor grants: refused.
    assert_eq!(as_person("rita.rep@demo.gatehouse.test").await.status, 403);
}
