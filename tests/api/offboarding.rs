//! Offboarding now and on a date: every effect checked in the database afterwards, the
//! scheduled job carried out once with two instances' workers racing, and the judgement of
//! whoever asks (or asked) for it.

use serde_json::{json, Value};

use crate::helpers::*;
use gatehouse::server::offboarding;

const PASSWORD: &str = "copper kettle evening walk";
const TASK_REP: &[(&str, &str, &str)] = &[("Tasks", "View", "Own"), ("Tasks", "Create", "Own"), ("Tasks", "Edit", "Own")];
const HOUR: i64 = 3_600_000;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn db_value(app: &TestApp, sql: &str, vars: Value) -> Value {
    let rows: Vec<Value> = app.state.db.query(sql, vars).await.unwrap().all(0).unwrap();
    rows.into_iter().next().unwrap_or(Value::Null)
}

/// Rita (a task rep with a license, a direct grant, a group and two tasks) and Sam (who takes
/// her records over).
struct Leaver {
    rita: String,
    rita_client: reqwest::Client,
    sam: String,
    license: String,
    group: String,
}

async fn leaver(app: &TestApp) -> Leaver {
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Task Rep", TASK_REP).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let (sam, _) = app.onboard("Sam Rep", "sam@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Sales Cloud", "seats": 5, "modules": ["Opportunities"] })).await;
    assert_eq!(lic.status, 200, "{:?}", lic.body);
    let license = lic.body.as_str().unwrap().to_string();
    assert_eq!(app.post(&format!("/api/users/{rita}/licenses"), json!({ "licenses": [license] })).await.status, 200);
    let exporter = json!({ "SaveProfile": { "id": null, "name": "Task exporter",
        "permissions": [{ "module": "Tasks", "action": "Export", "level": "Own" }], "field_rules": [] } });
    assert_eq!(app.post("/api/admin/save", json!({ "change": exporter })).await.status, 200);
    let org = app.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Task exporter").unwrap()["id"].as_str().unwrap().to_string();
    let g = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": profile, "to": { "User": rita } } } } })).await;
    assert_eq!(g.status, 200, "{:?}", g.body);
    let grp = app.post("/api/admin/save", json!({ "change": { "SaveGroup": { "id": null, "name": "Key accounts", "users": [rita, sam], "groups": [] } } })).await;
    assert_eq!(grp.status, 200, "{:?}", grp.body);
    let org = app.get("/api/admin/org").await;
    let group = org.body["groups"].as_array().unwrap().iter().find(|g| g["name"] == "Key accounts").unwrap()["id"].as_str().unwrap().to_string();
    for title in ["Call Acme", "Send quote"] {
        let r = app
            .post("/api/records/create", json!({ "module": "Tasks", "input": { "values": { "title": title }, "company": company, "owner": rita } }))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    Leaver { rita, rita_client, sam, license, group }
}

/// Everything offboarding must have done to Rita, read from the database.
async fn assert_offboarded(app: &TestApp, l: &Leaver) {
    let u = db_value(app, "SELECT status, licenses, offboarded_at, leave_at FROM type::record('user', $id);", json!({ "id": l.rita })).await;
    assert_eq!(u["status"], "blocked", "{u:?}");
    assert_eq!(u["licenses"], json!([]), "licenses given back: {u:?}");
    assert!(u["offboarded_at"].is_number(), "{u:?}");
    assert!(u["leave_at"].is_null(), "nothing waits any more: {u:?}");
    let sessions = db_value(app, "RETURN array::len((SELECT id FROM session WHERE user = type::record('user', $id)));", json!({ "id": l.rita })).await;
    assert_eq!(sessions, 0);
    let grants = db_value(app, "RETURN array::len((SELECT id FROM grant WHERE to_kind = 'user' AND to_id = $id));", json!({ "id": l.rita })).await;
    assert_eq!(grants, 0, "direct grants removed");
    let members = db_value(app, "RETURN { m: (SELECT VALUE users.map(|$u| record::id($u)) FROM type::record('user_group', $g))[0] };", json!({ "g": l.group })).await;
    assert_eq!(members["m"], json!([l.sam]), "Rita left the group, Sam stays");
    let owned = db_value(
        app,
        "RETURN { rita: array::len((SELECT id FROM crm_record WHERE owner = type::record('user', $r))),
                  sam: array::len((SELECT id FROM crm_record WHERE owner = type::record('user', $s))) };",
        json!({ "r": l.rita, "s": l.sam }),
    )
    .await;
    assert_eq!(owned, json!({ "rita": 0, "sam": 2 }), "records handed to Sam");
    let seats = app.get("/api/licenses").await;
    let sales = seats.body.as_array().unwrap().iter().find(|x| x["id"] == l.license.as_str()).unwrap().clone();
    assert_eq!(sales["used"], 0, "the seat is free again: {sales:?}");
    // She cannot come back in.
    let again = app.sign_in_with(&new_client(), "rita@example.com", PASSWORD).await;
    assert_ne!(again.status, 200, "{:?}", again.body);
    // One audit row with the whole before and after.
    let rows: Vec<Value> = app
        .state
        .db
        .query("SELECT before, after FROM audit WHERE action = 'user.offboard' AND target_id = $id;", json!({ "id": l.rita }))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(rows.len(), 1, "exactly one offboarding: {rows:?}");
    assert_eq!(rows[0]["before"]["status"], "active");
    assert_eq!(rows[0]["before"]["licenses"], json!([l.license]));
    assert_eq!(rows[0]["before"]["grants"], json!(["Task exporter"]));
    assert_eq!(rows[0]["before"]["groups"], json!(["Key accounts"]));
    assert_eq!(rows[0]["after"]["status"], "blocked");
    assert_eq!(rows[0]["after"]["records"]["Tasks"], 2);
}

#[tokio::test]
async fn offboarding_now_shows_every_effect_first_then_does_exactly_that() {
    let app = spawn_app().await;
    let l = leaver(&app).await;
    assert_eq!(app.call_with(&l.rita_client, "GET", "/api/auth/me", None).await.status, 200);

    let preview = app.post(&format!("/api/users/{}/offboarding/preview", l.rita), json!({ "new_owner": l.sam })).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    let p = &preview.body;
    assert_eq!(p["sessions"], 1, "{p:?}");
    assert_eq!(p["licenses"], json!(["Sales Cloud"]));
    assert_eq!(p["grants"], json!(["Task exporter"]));
    assert_eq!(p["groups"], json!(["Key accounts"]));
    assert_eq!(p["new_owner"], "Sam Rep");
    let tasks = p["records"].as_array().unwrap().iter().find(|m| m[0] == "Tasks").unwrap()[1].clone();
    assert_eq!(tasks, 2);
    assert_eq!(p["records_staying"], 0);
    // The preview wrote nothing.
    assert_eq!(app.call_with(&l.rita_client, "GET", "/api/auth/me", None).await.status, 200);

    // Nobody offboards themselves; the new owner must be someone else and active.
    let own = app.post("/api/users/x/offboard", json!({ "new_owner": null })).await;
    assert_eq!(own.status, 404);
    let same = app.post(&format!("/api/users/{}/offboard", l.rita), json!({ "new_owner": l.rita })).await;
    assert_eq!(same.status, 422);
    assert!(same.field_message("new_owner").is_some(), "{:?}", same.body);

    let done = app.post(&format!("/api/users/{}/offboard", l.rita), json!({ "new_owner": l.sam })).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["sessions"], 1, "what was done equals what the preview said: {:?}", done.body);
    assert_eq!(done.body["records"], p["records"]);
    assert_eq!(app.call_with(&l.rita_client, "GET", "/api/auth/me", None).await.status, 401, "her session ended at once");
    assert_offboarded(&app, &l).await;
    // The activity says it in words.
    let events = app.get(&format!("/api/users/{}/activity", l.rita)).await;
    assert_eq!(events.status, 200);
    assert!(events.body.to_string().contains("Ada Admin offboarded Rita Rep"), "{:?}", events.body);
}

#[tokio::test]
async fn a_scheduled_offboarding_is_carried_out_once_with_two_instances_racing() {
    let app = spawn_app().await;
    let l = leaver(&app).await;
    let past = app.post(&format!("/api/users/{}/offboarding/schedule", l.rita), json!({ "at": now() - HOUR, "new_owner": l.sam })).await;
    assert_eq!(past.status, 422);
    assert!(past.field_message("leave_at").unwrap().contains("future"), "{:?}", past.body);

    let at = now() + HOUR;
    let s = app.post(&format!("/api/users/{}/offboarding/schedule", l.rita), json!({ "at": at, "new_owner": l.sam })).await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    assert_eq!(s.body["leave_at"], at);
    assert_eq!(s.body["leave_owner"]["name"], "Sam Rep");
    // The list shows who is leaving, and when.
    let list = app.post("/api/users/search", json!({ "query": { "search": "rita" } })).await;
    assert_eq!(list.body["items"][0]["leave_at"], at, "{:?}", list.body);

    // Not due yet: nothing happens.
    assert_eq!(offboarding::run_due(&app.state, now()).await.unwrap(), 0);
    assert_eq!(app.call_with(&l.rita_client, "GET", "/api/auth/me", None).await.status, 200);

    // Due: two instances' workers race for it; it is carried out once.
    let second = spawn_second_instance(&app).await;
    let later = at + 60_000;
    let (a, b) = tokio::join!(offboarding::run_due(&app.state, later), offboarding::run_due(&second.state, later));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "exactly one worker carried it out");
    assert_eq!(app.call_with(&l.rita_client, "GET", "/api/auth/me", None).await.status, 401);
    assert_offboarded(&app, &l).await;
    let row = db_value(&app, "SELECT after, actor_name FROM audit WHERE action = 'user.offboard';", json!({})).await;
    assert_eq!(row["after"]["scheduled"], true);
    assert_eq!(row["actor_name"], ADMIN_NAME, "the row names who scheduled it");
    // Running again finds nothing.
    assert_eq!(offboarding::run_due(&second.state, later + HOUR).await.unwrap(), 0);
}

#[tokio::test]
async fn a_delegated_admin_offboards_only_whom_they_could_take_over_and_a_schedule_waits_when_its_author_loses_the_right() {
    let app = spawn_app().await;
    let l = leaver(&app).await;
    let (company, dept) = app.defaults().await;
    let people = app.define_role("People desk", &[("Users", "View", "All"), ("Users", "Edit", "All")]).await;
    let (_pat, pat) = app.onboard("Pat People", "pat@example.com", PASSWORD, &people, &[&company], &dept).await;
    let plain = app.define_role("Visitor", &[]).await;
    let (tom, _) = app.onboard("Tom Temp", "tom@example.com", PASSWORD, &plain, &[&company], &dept).await;

    // Rita holds task access, a license and a grant Pat does not: no takeover.
    let refused = app.call_with(&pat, "POST", &format!("/api/users/{}/offboard", l.rita), Some(json!({ "new_owner": null }))).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.message().contains("no takeover"), "{:?}", refused.body);
    let preview = app.call_with(&pat, "POST", &format!("/api/users/{}/offboarding/preview", l.rita), Some(json!({ "new_owner": null }))).await;
    assert_eq!(preview.status, 403, "the preview answers as the action would");
    // The administrator's account is out of a delegated admin's hands.
    let admin_id = db_value(&app, "RETURN (SELECT VALUE record::id(id) FROM user WHERE email_key = $e)[0];", json!({ "e": ADMIN_EMAIL })).await;
    let admin = app.call_with(&pat, "POST", &format!("/api/users/{}/offboard", admin_id.as_str().unwrap()), Some(json!({ "new_owner": null }))).await;
    assert_eq!(admin.status, 403, "{:?}", admin.body);
    assert_eq!(db_value(&app, "SELECT VALUE status FROM type::record('user', $id);", json!({ "id": l.rita })).await, "active");

    // Tom holds nothing Pat lacks: Pat may schedule his offboarding...
    let at = now() + HOUR;
    let s = app.call_with(&pat, "POST", &format!("/api/users/{tom}/offboarding/schedule"), Some(json!({ "at": at, "new_owner": null }))).await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    // ...but loses the right before it is due: it waits, with the reason, audited.
    let pat_row = db_value(&app, "SELECT full_name, email, record::id(role) AS role FROM user WHERE email_key = 'pat@example.com';", json!({})).await;
    let pat_id = db_value(&app, "RETURN (SELECT VALUE record::id(id) FROM user WHERE email_key = 'pat@example.com')[0];", json!({})).await;
    let demote = app
        .post(&format!("/api/users/{}", pat_id.as_str().unwrap()), json!({ "input": { "full_name": pat_row["full_name"], "email": pat_row["email"],
            "mobile": "", "department": dept, "role": plain, "companies": [company], "is_approver": false } }))
        .await;
    assert_eq!(demote.status, 200, "{:?}", demote.body);
    assert_eq!(offboarding::run_due(&app.state, at + 1).await.unwrap(), 0);
    let t = db_value(&app, "SELECT status, leave_at, leave_problem FROM type::record('user', $id);", json!({ "id": tom })).await;
    assert_eq!(t["status"], "active", "{t:?}");
    assert_eq!(t["leave_at"], at);
    assert!(t["leave_problem"].as_str().is_some_and(|p| !p.is_empty()), "{t:?}");
    assert!(app.audit_actions(&tom).await.contains(&"user.offboard_failed".to_string()));
    // It is not retried on every pass; an administrator cancels or reschedules it.
    assert_eq!(offboarding::run_due(&app.state, at + 2).await.unwrap(), 0);
    assert_eq!(app.audit_actions(&tom).await.iter().filter(|a| *a == "user.offboard_failed").count(), 1);
    let cancel = app.post(&format!("/api/users/{tom}/offboarding/schedule"), json!({ "at": null, "new_owner": null })).await;
    assert_eq!(cancel.status, 200, "{:?}", cancel.body);
    assert!(cancel.body["leave_at"].is_null());
    assert!(app.audit_actions(&tom).await.contains(&"user.offboard_cancelled".to_string()));
}

#[tokio::test]
async fn a_scheduled_offboarding_hands_each_modules_records_to_the_new_owner_chosen_for_it() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep = app.define_role("Rep", &[("Tasks", "View", "Own"), ("Tasks", "Edit", "Own"), ("Leads", "View", "Own"), ("Leads", "Edit", "Own")]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep, &[&company], &dept).await;
    let (sam, _) = app.onboard("Sam Rep", "sam@example.com", PASSWORD, &rep, &[&company], &dept).await;
    let (lee, _) = app.onboard("Lee Lead", "lee@example.com", PASSWORD, &rep, &[&company], &dept).await;
    for (module, title) in [("Tasks", "Call Acme"), ("Tasks", "Send quote"), ("Leads", "Globex")] {
        let field = if module == "Tasks" { "title" } else { "name" };
        let r = app.post("/api/records/create", json!({ "module": module, "input": { "values": { field: title }, "company": company, "owner": rita } })).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let leads_to = |who: &str| json!([{ "module": "Leads", "owner": who }]);
    // The person leaving, or a module without records, is no new owner.
    let own = app.post(&format!("/api/users/{rita}/offboarding/preview"), json!({ "new_owner": sam, "owners": leads_to(&rita) })).await;
    assert_eq!(own.status, 422, "{:?}", own.body);
    assert!(own.field_message("owners").unwrap().contains("someone other than the person leaving"), "{:?}", own.body);
    let users = app.post(&format!("/api/users/{rita}/offboarding/preview"), json!({ "new_owner": sam, "owners": [{ "module": "Users", "owner": lee }] })).await;
    assert_eq!(users.status, 422, "{:?}", users.body);

    // Tasks go to Sam, Leads to Lee: the preview says so before anything happens.
    let preview = app.post(&format!("/api/users/{rita}/offboarding/preview"), json!({ "new_owner": sam, "owners": leads_to(&lee) })).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    assert_eq!(preview.body["records"], json!([["Tasks", 2]]), "{:?}", preview.body);
    assert_eq!(preview.body["records_elsewhere"], json!([["Leads", 1, "Lee Lead"]]), "{:?}", preview.body);
    assert_eq!(preview.body["records_staying"], 0);

    // Scheduled, the choice is kept with the date and shown on her page; the worker follows it.
    let at = now() + HOUR;
    let s = app.post(&format!("/api/users/{rita}/offboarding/schedule"), json!({ "at": at, "new_owner": sam, "owners": leads_to(&lee) })).await;
    assert_eq!(s.status, 200, "{:?}", s.body);
    assert_eq!(s.body["leave_owner"]["name"], "Sam Rep");
    assert_eq!(s.body["leave_owners"], json!([{ "module": "Leads", "owner": { "id": lee, "name": "Lee Lead" } }]), "{:?}", s.body);
    assert_eq!(offboarding::run_due(&app.state, at + 60_000).await.unwrap(), 1);
    let owned = db_value(
        &app,
        "RETURN { sam: (SELECT VALUE module FROM crm_record WHERE owner = type::record('user', $s)),
                  lee: (SELECT VALUE module FROM crm_record WHERE owner = type::record('user', $l)),
                  rita: array::len((SELECT id FROM crm_record WHERE owner = type::record('user', $r))) };",
        json!({ "s": sam, "l": lee, "r": rita }),
    )
    .await;
    assert_eq!(owned, json!({ "sam": ["Tasks", "Tasks"], "lee": ["Leads"], "rita": 0 }), "{owned:?}");
    let row = db_value(&app, "SELECT after FROM audit WHERE action = 'user.offboard';", json!({})).await;
    assert_eq!(row["after"]["owners"], json!([{ "module": "Leads", "owner": lee }]), "{row:?}");
    assert_eq!(row["after"]["records"], json!({ "Tasks": 2, "Leads": 1 }), "{row:?}");
}
