//! "Who has what, and why": the people in reach with the engine's access and reasons, filtered,
//! as pages and as an audited CSV.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "quiet orchard lamp river";

fn person<'a>(page: &'a Value, name: &str) -> Option<&'a Value> {
    page["items"].as_array().unwrap().iter().find(|r| r["name"] == name)
}

#[tokio::test]
async fn the_report_lists_everyone_in_reach_with_their_access_and_why() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, root) = app.defaults().await;
    let east = app.post("/api/departments", json!({ "input": { "name": "East", "parent": root, "manager": null } })).await.body.as_str().unwrap().to_string();
    let rep = app.define_role("Task Rep", &[("Tasks", "View", "Own"), ("Tasks", "Create", "Own"), ("Tasks", "Edit", "Own")]).await;
    let auditor = app.define_role("Dept auditor", &[("RolesProfiles", "View", "All"), ("Users", "View", "Department")]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep, &[&company], &east).await;
    app.onboard("Hugo Head", "hugo@example.com", PASSWORD, &rep, &[&company], &root).await;
    let (ed_id, ed) = app.onboard("Ed East", "ed@example.com", PASSWORD, &auditor, &[&company], &east).await;
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Sales Cloud", "seats": 5, "modules": ["Opportunities"] })).await.body.as_str().unwrap().to_string();
    assert_eq!(app.post(&format!("/api/users/{rita}/licenses"), json!({ "licenses": [lic] })).await.status, 200);

    let all = app.post("/api/reports/access", json!({ "query": {} })).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    assert_eq!(all.body["total"], 4, "everyone: {:?}", all.body);
    let r = person(&all.body, "Rita Rep").expect("Rita is listed");
    assert_eq!(r["role"], "Task Rep");
    assert_eq!(r["department"], "East");
    assert_eq!(r["licenses"], json!(["Sales Cloud"]));
    assert_eq!(r["second_factor"], false);
    let tasks = r["access"].as_array().unwrap().iter().find(|l| l["module"] == "Tasks").expect("her task access");
    assert_eq!(tasks["actions"], json!([["View", "Own"], ["Create", "Own"], ["Edit", "Own"]]));
    assert_eq!(tasks["why"], json!(["from profile Task Rep, via role Task Rep"]));
    assert_eq!(r["access"].as_array().unwrap().len(), 1, "nothing else: {:?}", r["access"]);
    let ada = person(&all.body, ADMIN_NAME).unwrap();
    // Every module but Opportunities, which now needs the Sales Cloud license she does not hold.
    let modules: Vec<&str> = ada["access"].as_array().unwrap().iter().map(|l| l["module"].as_str().unwrap()).collect();
    assert_eq!(modules.len(), 11, "{modules:?}");
    assert!(!modules.contains(&"Opportunities"), "{modules:?}");

    // Filters: a role, a department.
    let reps = app.post("/api/reports/access", json!({ "query": { "role": rep } })).await;
    let names: Vec<&str> = reps.body["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Hugo Head", "Rita Rep"]);
    let in_east = app.post("/api/reports/access", json!({ "query": { "department": east } })).await;
    assert_eq!(in_east.body["total"], 2);
    // A profile, held by any path: the two reps by their role, Ed by a direct grant.
    let org = app.get("/api/admin/org").await;
    let task_rep = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Task Rep").unwrap()["id"].as_str().unwrap().to_string();
    let granted = app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": task_rep, "to": { "User": ed_id } } } } })).await;
    assert_eq!(granted.status, 200, "{:?}", granted.body);
    let holders = app.post("/api/reports/access", json!({ "query": { "profile": task_rep } })).await;
    let names: Vec<&str> = holders.body["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Ed East", "Hugo Head", "Rita Rep"]);
    let removed = app.post("/api/admin/save", json!({ "change": { "RemoveGrant": { "grant": { "profile": task_rep, "to": { "User": ed_id } } } } })).await;
    assert_eq!(removed.status, 200, "{:?}", removed.body);

    // Reach: an auditor of East sees East only, even unfiltered.
    let seen = app.call_with(&ed, "POST", "/api/reports/access", Some(json!({ "query": {} }))).await;
    assert_eq!(seen.status, 200, "{:?}", seen.body);
    let names: Vec<&str> = seen.body["items"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Ed East", "Rita Rep"]);
    // Someone who cannot read profiles gets a refusal, not a list.
    let (_, plain) = app.onboard("Pia Plain", "pia@example.com", PASSWORD, &rep, &[&company], &east).await;
    assert_eq!(app.call_with(&plain, "POST", "/api/reports/access", Some(json!({ "query": {} }))).await.status, 403);

    // CSV: one line per person and module, formulas defused; the export is audited.
    let csv = app.post("/api/reports/access/export", json!({ "query": { "department": east } })).await;
    assert_eq!(csv.status, 200, "{:?}", csv.body);
    let text = csv.body.as_str().unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "name,email,status,role,department,companies,licenses,last_sign_in_utc,second_factor,module,actions,why");
    assert!(
        lines.iter().any(|l| l.starts_with("Rita Rep,rita@example.com,Active,Task Rep,East,My company,Sales Cloud,20")
            && l.ends_with(" UTC,no,Tasks,\"View, Create, Edit at Own\",\"from profile Task Rep, via role Task Rep\"")),
        "{text}"
    );
    assert!(lines.iter().any(|l| l.starts_with("Ed East,") && l.contains(",Roles & Profiles,View at All,")), "{text}");
    assert!(!text.contains("Hugo Head"), "the filter holds in the file too");
    let audited = app.state.db.query("SELECT after FROM audit WHERE action = 'report.access_export';", json!({})).await.unwrap().all::<Value>(0).unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0]["after"]["people"], 3);
}
