use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn companies_are_created_renamed_archived_and_deleted_only_when_unused() {
    let app = spawn_app().await;
    app.set_up().await;
    let a = app.post("/api/companies", json!({ "name": "  Globex   Corp " })).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.body["name"], "Globex Corp");
    let id = a.body["id"].as_str().unwrap().to_string();
    // The creator gets access to it.
    let list = app.get("/api/companies").await;
    assert_eq!(list.body.as_array().unwrap().len(), 2);
    // Names are unique, case-insensitively.
    let dup = app.post("/api/companies", json!({ "name": "GLOBEX CORP" })).await;
    assert_eq!(dup.status, 422);
    assert!(dup.field_message("name").unwrap().contains("already called"));
    assert_eq!(app.post("/api/companies", json!({ "name": "" })).await.status, 422);
    let r = app.post(&format!("/api/companies/{id}/rename"), json!({ "name": "Globex" })).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    // In use (the admin has access): delete is refused, archive works.
    let del = app.post(&format!("/api/companies/{id}/delete"), json!({})).await;
    assert_eq!(del.status, 409);
    assert!(del.message().contains("archive it instead"));
    assert_eq!(app.post(&format!("/api/companies/{id}/archive"), json!({ "archived": true })).await.status, 200);
    let list = app.get("/api/companies").await;
    let g = list.body.as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap().clone();
    assert_eq!(g["archived"], true);
    assert_eq!(g["name"], "Globex");
    assert_eq!(app.audit_actions(&id).await, vec!["company.create", "company.rename", "company.archive"]);
}

#[tokio::test]
async fn departments_form_a_tree_without_cycles() {
    let app = spawn_app().await;
    app.set_up().await;
    let (_, root) = app.defaults().await;
    let sales = app.post("/api/departments", json!({ "input": { "name": "Sales", "parent": root, "manager": null } })).await;
    assert_eq!(sales.status, 200, "{:?}", sales.body);
    let sales = sales.body.as_str().unwrap().to_string();
    let east = app.post("/api/departments", json!({ "input": { "name": "Sales East", "parent": sales, "manager": null } })).await;
    let east = east.body.as_str().unwrap().to_string();
    // Moving Sales below its own child is refused, and nothing changes.
    let cycle = app.post(&format!("/api/departments/{sales}"), json!({ "input": { "name": "Sales", "parent": east, "manager": null } })).await;
    assert_eq!(cycle.status, 422);
    assert!(cycle.field_message("parent").unwrap().contains("below itself"));
    let itself = app.post(&format!("/api/departments/{sales}"), json!({ "input": { "name": "Sales", "parent": sales, "manager": null } })).await;
    assert_eq!(itself.status, 422);
    let list = app.get("/api/departments").await;
    let s = list.body.as_array().unwrap().iter().find(|d| d["id"] == sales.as_str()).unwrap().clone();
    assert_eq!(s["parent"], root.as_str());
    // A department with sub-departments or members cannot be deleted.
    assert_eq!(app.post(&format!("/api/departments/{sales}/delete"), json!({})).await.status, 409);
    assert_eq!(app.post(&format!("/api/departments/{root}/delete"), json!({})).await.status, 409);
    assert_eq!(app.post(&format!("/api/departments/{east}/delete"), json!({})).await.status, 200);
    // Unknown parent or manager: field errors.
    let bad = app.post("/api/departments", json!({ "input": { "name": "X", "parent": "nope", "manager": "nobody" } })).await;
    assert_eq!(bad.status, 422);
    let audit_rows: Vec<serde_json::Value> = app
        .state
        .db
        .query("SELECT action FROM audit WHERE target_kind = 'department' ORDER BY at;", json!({}))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    let actions: Vec<&str> = audit_rows.iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["department.create", "department.create", "department.delete"], "refused changes leave no audit row");
}
