//! Importing people from CSV: a 1,000-row file with 20 bad rows (bad email, unknown role,
//! duplicate, formula) is reported exactly by the dry run, the import adds exactly the rest
//! through the Add user path (invitations, audit), a second import changes nothing, a job left
//! half-way is resumed without doubling anyone, and the export writes the import's columns.

use serde_json::{json, Value};

use crate::helpers::*;

const TASK_REP: &[(&str, &str, &str)] = &[("Tasks", "View", "Own"), ("Tasks", "Create", "Own")];

async fn wait_done(app: &TestApp, job: &str) -> Value {
    for _ in 0..1200 {
        let a = app.get(&format!("/api/imports/{job}")).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        if a.body["status"] == "done" {
            return a.body;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not finish in 2 minutes");
}

async fn users_count(app: &TestApp) -> u64 {
    let rows: Vec<Value> = app.state.db.query("RETURN array::len((SELECT id FROM user));", json!({})).await.unwrap().all(0).unwrap();
    rows[0].as_u64().unwrap()
}

#[tokio::test]
async fn a_thousand_rows_with_twenty_bad_ones_import_exactly_the_rest_once() {
    let app = spawn_app().await;
    app.set_up().await;
    app.define_role("Task Rep", TASK_REP).await;
    let mut csv = String::from("full_name,email,role,department,companies,is_approver\n");
    let mut bad_lines = Vec::new();
    for i in 0..1000 {
        let line = i + 2;
        let row = match i % 200 {
            7 => format!("Bad Email {i},not-an-email-{i},Task Rep,Head office,My company,no"),
            57 => format!("Unknown Role {i},role{i}@example.com,Astronaut,Head office,My company,no"),
            107 => format!("Duplicate {i},p{}@example.com,Task Rep,Head office,My company,no", i - 1),
            157 => format!("\"=HYPERLINK(\"\"http://x\"\")\",formula{i}@example.com,Task Rep,Head office,My company,no"),
            _ => format!("Person {i},p{i}@example.com,Task Rep,Head office,My company,{}", if i % 3 == 0 { "yes" } else { "no" }),
        };
        if [7, 57, 107, 157].contains(&(i % 200)) {
            bad_lines.push(line as u64);
        }
        csv.push_str(&row);
        csv.push('\n');
    }
    assert_eq!(bad_lines.len(), 20);

    let plan = app.post("/api/users/import/preview", json!({ "csv": csv })).await;
    assert_eq!(plan.status, 200, "{:?}", plan.body);
    assert_eq!(plan.body["create"], 980);
    assert_eq!(plan.body["refused"], 20);
    let refused: Vec<(u64, String)> = plan.body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["outcome"]["Refused"].as_array().map(|e| (r["line"].as_u64().unwrap(), e[0]["column"].as_str().unwrap().to_string())))
        .collect();
    assert_eq!(refused.iter().map(|r| r.0).collect::<Vec<_>>(), bad_lines, "exactly the bad lines, in order");
    let column_of = |line: u64| refused.iter().find(|r| r.0 == line).unwrap().1.clone();
    assert_eq!(column_of(9), "email", "a bad email");
    assert_eq!(column_of(59), "role", "an unknown role");
    assert_eq!(column_of(109), "email", "the same email as an earlier line");
    assert_eq!(column_of(159), "full_name", "a formula");
    assert_eq!(users_count(&app).await, 1, "a dry run writes nothing");

    let started = app.post("/api/users/import", json!({ "file_name": "people.csv", "csv": csv })).await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    assert_eq!(started.body["total"], 980);
    let done = wait_done(&app, started.body["id"].as_str().unwrap()).await;
    assert_eq!((done["created"].as_u64(), done["updated"].as_u64(), done["failed"].as_array().map(Vec::len)), (Some(980), Some(0), Some(0)), "{done:?}");
    assert_eq!(users_count(&app).await, 981);
    // Each row went through the Add user path: invited, audited as coming from the file.
    let p3 = app.post("/api/users/search", json!({ "query": { "search": "p3@example.com" } })).await;
    let p3 = &p3.body["items"][0];
    assert_eq!(p3["status"], "invited");
    assert_eq!(p3["is_approver"], true);
    let via: Vec<Value> = app
        .state
        .db
        .query("SELECT VALUE via FROM audit WHERE action = 'user.invite' AND target_id = $id;", json!({ "id": p3["id"] }))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(via, [json!("CSV import “people.csv”")]);
    app.mails_to("p3@example.com", 1).await;

    // The same file again: nothing to add or change.
    let again = app.post("/api/users/import/preview", json!({ "csv": csv })).await;
    assert_eq!((again.body["create"].as_u64(), again.body["update"].as_u64(), again.body["unchanged"].as_u64()), (Some(0), Some(0), Some(980)));
    let second = app.post("/api/users/import", json!({ "file_name": "people.csv", "csv": csv })).await;
    let done = wait_done(&app, second.body["id"].as_str().unwrap()).await;
    assert_eq!(done["total"], 0);
    assert_eq!(users_count(&app).await, 981, "nobody added twice");

    // A changed cell is an update, judged and audited like the user page's.
    let changed = csv.replace("Person 5,p5@example.com,Task Rep,Head office,My company,no", "Person Five,p5@example.com,,,,no");
    let plan = app.post("/api/users/import/preview", json!({ "csv": changed })).await;
    assert_eq!(plan.body["update"], 1, "{:?}", plan.body["rows"][5]);
    assert_eq!(plan.body["rows"][5]["outcome"]["Update"], json!(["full_name"]), "empty cells keep what the person has");

    // The export writes the import's columns, and reads back as unchanged.
    let export = app.post("/api/users/export", json!({ "query": { "search": "Person 1" } })).await;
    assert_eq!(export.status, 200, "{:?}", export.body);
    let text = export.body.as_str().unwrap();
    assert!(text.starts_with("full_name,email,mobile,role,department,companies,is_approver\n"), "{text}");
    assert!(text.contains("Person 1,p1@example.com,,Task Rep,Head office,My company,no\n"), "{text}");
    let back = app.post("/api/users/import/preview", json!({ "csv": text })).await;
    assert_eq!(back.body["create"], 0);
    assert_eq!(back.body["update"], 0, "{:?}", back.body);
}

#[tokio::test]
async fn an_import_stopped_half_way_is_resumed_without_doubling_anyone() {
    let app = spawn_app().await;
    app.set_up().await;
    app.define_role("Task Rep", TASK_REP).await;
    let mut csv = String::from("full_name,email,role,department,companies\n");
    for i in 0..30 {
        csv.push_str(&format!("Person {i},p{i}@example.com,Task Rep,Head office,My company\n"));
    }
    let started = app.post("/api/users/import", json!({ "file_name": "halfway.csv", "csv": csv })).await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    let job = started.body["id"].as_str().unwrap().to_string();
    wait_done(&app, &job).await;
    // As a server stopped half-way leaves it: the job running with its lease lapsed, 10 rows
    // recorded as done and an 11th applied but not yet recorded; rows 12 to 30 never happened.
    let admin: Value = app.get("/api/session").await.body["me"]["id"].clone();
    let ids: Vec<Value> = app
        .state
        .db
        .query(
            "SELECT VALUE record::id(id) FROM user WHERE email_key IN $gone;",
            json!({ "gone": (11..30).map(|i| format!("p{i}@example.com")).collect::<Vec<_>>() }),
        )
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(ids.len(), 19);
    for id in &ids {
        app.state.db.query("DELETE type::record('user', $id);", json!({ "id": id })).await.unwrap();
    }
    app.state.directory.invalidate().await;
    let rows: Vec<Value> = (0..30)
        .map(|i| json!({ "line": i + 2, "input": { "full_name": format!("Person {i}"), "email": format!("p{i}@example.com"), "mobile": "",
            "department": "", "role": "", "companies": [], "is_approver": false } }))
        .collect();
    let (role, dept, company) = {
        let r: Vec<Value> = app
            .state
            .db
            .query("RETURN { role: (SELECT VALUE record::id(id) FROM role WHERE name = 'Task Rep')[0], dept: (SELECT VALUE record::id(id) FROM department)[0], company: (SELECT VALUE record::id(id) FROM company)[0] };", json!({}))
            .await
            .unwrap()
            .all(0)
            .unwrap();
        (r[0]["role"].clone(), r[0]["dept"].clone(), r[0]["company"].clone())
    };
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|mut r| {
            r["input"]["role"] = role.clone();
            r["input"]["department"] = dept.clone();
            r["input"]["companies"] = json!([company.clone()]);
            r
        })
        .collect();
    app.state
        .db
        .query(
            "UPDATE type::record('import_job', $job) SET status = 'running', rows = $rows, total = 30, done = 10, created = 10,
                updated = 0, unchanged = 0, failed = [], finished_at = NONE, lease_until = 0, by = type::record('user', $by);",
            json!({ "job": job, "rows": rows, "by": admin }),
        )
        .await
        .unwrap();
    // Row 11 (p10) was applied just before the stop.
    assert_eq!(users_count(&app).await, 12);
    gatehouse::server::import::resume_stalled(&app.state).await.unwrap();
    let done = wait_done(&app, &job).await;
    assert_eq!((done["done"].as_u64(), done["created"].as_u64(), done["unchanged"].as_u64()), (Some(30), Some(29), Some(1)), "{done:?}");
    assert_eq!(users_count(&app).await, 31, "everyone once");
}
