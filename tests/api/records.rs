//! CRM records under the access model: reach in lists and by id, company isolation, field
//! security, navigation, assignment, offboarding and export.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "amber harbour quietly folds";

async fn new_record(app: &TestApp, client: &reqwest::Client, module: &str, values: Value, company: &str, owner: Option<&str>) -> Answer {
    app.call_with(
        client,
        "POST",
        "/api/records/create",
        Some(json!({ "module": module, "input": { "values": values, "company": company, "owner": owner } })),
    )
    .await
}

async fn list(app: &TestApp, client: &reqwest::Client, module: &str, search: &str) -> Answer {
    app.call_with(client, "POST", "/api/records/search", Some(json!({ "query": { "module": module, "search": search } }))).await
}

fn titles(a: &Answer) -> Vec<String> {
    let mut t: Vec<String> = a.body["page"]["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect();
    t.sort();
    t
}

const REP: &[(&str, &str, &str)] = &[
    ("Opportunities", "View", "Own"),
    ("Opportunities", "Create", "Own"),
    ("Opportunities", "Edit", "Own"),
];

#[tokio::test]
async fn a_sales_rep_reaches_only_their_own_records_and_an_unreachable_id_is_a_404() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Sales Rep", REP).await;
    let (rep, rep_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;

    let mine = new_record(&app, &rep_client, "Opportunities", json!({ "name": "Rita's deal", "amount": "1200", "stage": "Proposal" }), &company, None).await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    assert_eq!(mine.body["record"]["owner"]["id"], rep.as_str());
    let theirs = new_record(&app, &app.client, "Opportunities", json!({ "name": "Admin's deal", "amount": "99000" }), &company, None).await;
    assert_eq!(theirs.status, 200, "{:?}", theirs.body);
    let theirs_id = theirs.body["record"]["id"].as_str().unwrap().to_string();

    let rep_list = list(&app, &rep_client, "Opportunities", "").await;
    assert_eq!(rep_list.status, 200, "{:?}", rep_list.body);
    assert_eq!(titles(&rep_list), vec!["Rita's deal"]);
    assert_eq!(rep_list.body["page"]["total"], 1);
    assert_eq!(titles(&list(&app, &app.client, "Opportunities", "").await), vec!["Admin's deal", "Rita's deal"]);

    // By id: out of reach is the same 404 as a record that does not exist.
    let by_id = app.call_with(&rep_client, "POST", "/api/records/get", Some(json!({ "module": "Opportunities", "id": theirs_id }))).await;
    assert_eq!(by_id.status, 404);
    let none = app.call_with(&rep_client, "POST", "/api/records/get", Some(json!({ "module": "Opportunities", "id": "nosuchrecord" }))).await;
    assert_eq!(none.status, 404);
    assert_eq!(by_id.message(), none.message());
    let edit = app
        .call_with(&rep_client, "POST", "/api/records/update", Some(json!({ "module": "Opportunities", "id": theirs_id, "input": { "values": { "name": "Mine now" } } })))
        .await;
    assert_eq!(edit.status, 404);
    // A rep may not create records for someone else (Create at Own).
    let admin_id = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let for_other = new_record(&app, &rep_client, "Opportunities", json!({ "name": "For Ada" }), &company, Some(&admin_id)).await;
    assert_eq!(for_other.status, 422);
    assert!(for_other.field_message("owner").is_some());
    // No grant on Leads at all: the module itself is refused.
    assert_eq!(list(&app, &rep_client, "Leads", "").await.status, 403);
    // No Export permission: refused.
    let export = app.call_with(&rep_client, "POST", "/api/records/export", Some(json!({ "query": { "module": "Opportunities" } }))).await;
    assert_eq!(export.status, 403);
    // No Delete permission: the record is visible, the delete is refused and nothing changes.
    let mine_id = mine.body["record"]["id"].as_str().unwrap().to_string();
    let del = app.call_with(&rep_client, "POST", "/api/records/delete", Some(json!({ "module": "Opportunities", "id": mine_id }))).await;
    assert_eq!(del.status, 403);
    assert_eq!(list(&app, &rep_client, "Opportunities", "").await.body["page"]["total"], 1);
    assert_eq!(app.audit_actions(&mine_id).await, vec!["record.create"]);
}

#[tokio::test]
async fn a_user_of_company_a_gets_nothing_of_company_b() {
    let app = spawn_app().await;
    app.set_up().await;
    let (a_company, dept) = app.defaults().await;
    let b = app.post("/api/companies", json!({ "name": "Bravo Ltd" })).await;
    let b_company = b.body["id"].as_str().unwrap().to_string();
    let all_role = app
        .define_role(
            "Viewer All",
            &[
                ("Customers", "View", "All"),
                ("Customers", "Export", "All"),
                ("Customers", "Create", "All"),
                ("AuditLog", "View", "All"),
                ("Companies", "View", "All"),
            ],
        )
        .await;
    let (_, a_client) = app.onboard("Alma A", "alma@example.com", PASSWORD, &all_role, &[&a_company], &dept).await;

    let in_a = new_record(&app, &app.client, "Customers", json!({ "name": "Acme Alpha", "annual_revenue": "1000" }), &a_company, None).await;
    assert_eq!(in_a.status, 200, "{:?}", in_a.body);
    let in_b = new_record(&app, &app.client, "Customers", json!({ "name": "Acme Bravo", "annual_revenue": "2000" }), &b_company, None).await;
    assert_eq!(in_b.status, 200, "{:?}", in_b.body);
    let b_id = in_b.body["record"]["id"].as_str().unwrap().to_string();

    // List and search.
    assert_eq!(titles(&list(&app, &a_client, "Customers", "").await), vec!["Acme Alpha"]);
    assert_eq!(titles(&list(&app, &a_client, "Customers", "bravo").await), Vec::<String>::new());
    // Filter by company B explicitly: still nothing.
    let filtered =
        app.call_with(&a_client, "POST", "/api/records/search", Some(json!({ "query": { "module": "Customers", "company": b_company } }))).await;
    assert_eq!(filtered.body["page"]["total"], 0);
    // By id.
    assert_eq!(app.call_with(&a_client, "POST", "/api/records/get", Some(json!({ "module": "Customers", "id": b_id }))).await.status, 404);
    // Export.
    let csv = app.call_with(&a_client, "POST", "/api/records/export", Some(json!({ "query": { "module": "Customers" } }))).await;
    assert_eq!(csv.status, 200, "{:?}", csv.body);
    let text = csv.body.as_str().unwrap();
    assert!(text.contains("Acme Alpha") && !text.contains("Bravo"), "{text}");
    // Exporting with company B as the filter gives the header and nothing else.
    let csv_b = app
        .call_with(&a_client, "POST", "/api/records/export", Some(json!({ "query": { "module": "Customers", "company": b_company } })))
        .await;
    assert_eq!(csv_b.body.as_str().unwrap().lines().count(), 1, "{:?}", csv_b.body);
    // Create in B.
    let create = new_record(&app, &a_client, "Customers", json!({ "name": "Sneaky" }), &b_company, None).await;
    assert_eq!(create.status, 422);
    // Choices offer only company A.
    let choices = app.call_with(&a_client, "POST", "/api/records/choices", Some(json!({ "module": "Customers", "company": null }))).await;
    let names: Vec<&str> = choices.body["companies"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(!names.contains(&"Bravo Ltd"), "{names:?}");
    // Companies: even with Companies / View, only the ones in her access.
    let companies = app.call_with(&a_client, "GET", "/api/companies", None).await;
    assert_eq!(companies.status, 200);
    assert!(!companies.body.to_string().contains("Bravo"), "{}", companies.body);
    assert!(app.get("/api/companies").await.body.to_string().contains("Bravo"), "the full administrator sees every company");
    // The audit log shows what happened in company A only.
    let audit = app.call_with(&a_client, "POST", "/api/audit/search", Some(json!({ "query": { "action": "record.create" } }))).await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    let labels: Vec<&str> = audit.body["items"].as_array().unwrap().iter().filter_map(|r| r["target_label"].as_str()).collect();
    assert!(labels.contains(&"acme alpha") && !labels.iter().any(|l| l.contains("bravo")), "{labels:?}");
    let everything = app.call_with(&a_client, "POST", "/api/audit/search", Some(json!({ "query": {} }))).await;
    assert!(!everything.body.to_string().contains("Bravo"), "{}", everything.body);
    // The full administrator sees both.
    let admin_audit = app.post("/api/audit/search", json!({ "query": { "target": "acme" } })).await;
    assert!(admin_audit.body.to_string().contains("acme bravo"));
}

#[tokio::test]
async fn hidden_fields_never_leave_the_server_and_read_only_fields_refuse_writes() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    // The assistant profile: every opportunity, amount hidden, stage read-only.
    let p = app
        .post(
            "/api/admin/save",
            json!({ "change": { "SaveProfile": { "id": null, "name": "Assistant", "permissions": [
                { "module": "Opportunities", "action": "View", "level": "All" },
                { "module": "Opportunities", "action": "Edit", "level": "All" },
                { "module": "Opportunities", "action": "Export", "level": "All" },
                { "module": "Opportunities", "action": "Create", "level": "Own" },
                { "module": "AuditLog", "action": "View", "level": "All" }
            ], "field_rules": [
                { "module": "Opportunities", "field": "amount", "rule": "Hidden" },
                { "module": "Opportunities", "field": "stage", "rule": "ReadOnly" }
            ] } } }),
        )
        .await;
    assert_eq!(p.status, 200, "{:?}", p.body);
    let org = app.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|x| x["name"] == "Assistant").unwrap()["id"].as_str().unwrap().to_string();
    let r = app.post("/api/admin/save", json!({ "change": { "SaveRole": { "id": null, "name": "Assistant", "parent": "administrator", "profiles": [profile] } } })).await;
    assert_eq!(r.status, 200);
    let org = app.get("/api/admin/org").await;
    let role = org.body["roles"].as_array().unwrap().iter().find(|x| x["name"] == "Assistant").unwrap()["id"].as_str().unwrap().to_string();
    let (_, asst) = app.onboard("Ash Assistant", "ash@example.com", PASSWORD, &role, &[&company], &dept).await;

    let deal = new_record(&app, &app.client, "Opportunities", json!({ "name": "Big deal", "amount": "987654.32", "stage": "Proposal" }), &company, None).await;
    assert_eq!(deal.status, 200, "{:?}", deal.body);
    let id = deal.body["record"]["id"].as_str().unwrap().to_string();

    let secret = "987654";
    let l = list(&app, &asst, "Opportunities", "").await;
    assert_eq!(titles(&l), vec!["Big deal"]);
    assert!(!l.body.to_string().contains(secret), "list leaks the amount: {}", l.body);
    let columns: Vec<&str> = l.body["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(!columns.contains(&"amount") && columns.contains(&"stage"), "{columns:?}");
    let d = app.call_with(&asst, "POST", "/api/records/get", Some(json!({ "module": "Opportunities", "id": id }))).await;
    assert_eq!(d.status, 200);
    assert!(!d.body.to_string().contains(secret), "detail leaks the amount: {}", d.body);
    assert!(!d.body.to_string().contains("\"amount\""), "detail names the hidden field: {}", d.body);
    let csv = app.call_with(&asst, "POST", "/api/records/export", Some(json!({ "query": { "module": "Opportunities" } }))).await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().unwrap();
    assert!(text.contains("Big deal") && !text.contains(secret) && !text.contains("Amount"), "{text}");
    // The audit log tells the assistant what changed, without the amount.
    let audit = app.call_with(&asst, "POST", "/api/audit/search", Some(json!({ "query": { "action": "record." } }))).await;
    assert_eq!(audit.status, 200, "{:?}", audit.body);
    assert!(audit.body.to_string().contains("Big deal") && !audit.body.to_string().contains(secret), "audit leaks the amount: {}", audit.body);
    // An auditor who cannot open Opportunities sees that records changed, not their titles or values.
    let auditor_role = app.define_role("Auditor", &[("AuditLog", "View", "All")]).await;
    let (_, auditor) = app.onboard("Aud Itor", "aud@example.com", PASSWORD, &auditor_role, &[&company], &dept).await;
    let seen = app.call_with(&auditor, "POST", "/api/audit/search", Some(json!({ "query": { "action": "record." } }))).await;
    assert_eq!(seen.status, 200);
    assert!(seen.body["items"].as_array().unwrap().len() >= 2);
    assert!(!seen.body.to_string().contains("Big") && !seen.body.to_string().contains(secret), "{}", seen.body);
    // The admin still sees it, in the list and in the audit log.
    assert!(list(&app, &app.client, "Opportunities", "").await.body.to_string().contains("987654.32"));
    assert!(app.post("/api/audit/search", json!({ "query": { "action": "record." } })).await.body.to_string().contains("987654.32"));

    let update = |values: Value| {
        let (app, asst, id) = (&app, &asst, id.clone());
        async move { app.call_with(asst, "POST", "/api/records/update", Some(json!({ "module": "Opportunities", "id": id, "input": { "values": values } }))).await }
    };
    let hidden = update(json!({ "amount": "1" })).await;
    assert_eq!(hidden.status, 403);
    assert!(hidden.message().contains("Amount"), "{}", hidden.message());
    let read_only = update(json!({ "stage": "Won" })).await;
    assert_eq!(read_only.status, 403);
    // The same value for a read-only field is no write; the editable name changes.
    let ok = update(json!({ "stage": "Proposal", "name": "Bigger deal" })).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.body["record"]["title"], "Bigger deal");
    let admin_view = app.call(  "POST", "/api/records/get", Some(json!({ "module": "Opportunities", "id": id }))).await;
    assert_eq!(admin_view.body["record"]["values"]["amount"], "987654.32");
    assert_eq!(admin_view.body["record"]["values"]["stage"], "Proposal");
    // A bad value is a field message, and nothing is saved.
    let bad = app.call("POST", "/api/records/update", Some(json!({ "module": "Opportunities", "id": id, "input": { "values": { "amount": "lots", "close_date": "31/12/2026" } } }))).await;
    assert_eq!(bad.status, 422);
    assert!(bad.field_message("amount").is_some() && bad.field_message("close_date").is_some());
    assert_eq!(app.call("POST", "/api/records/get", Some(json!({ "module": "Opportunities", "id": id }))).await.body["record"]["values"]["amount"], "987654.32");
}

#[tokio::test]
async fn a_module_hidden_from_navigation_is_refused_by_api() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let role = app.define_role("Leads Rep", &[("Leads", "View", "Own"), ("Leads", "Create", "Own")]).await;
    let (id, client) = app.onboard("Lee Leads", "lee@example.com", PASSWORD, &role, &[&company], &dept).await;
    assert_eq!(list(&app, &client, "Leads", "").await.status, 200);
    let me = app.call_with(&client, "GET", "/api/session", None).await;
    assert!(me.body["me"]["modules"].as_array().unwrap().iter().any(|m| m == "Leads"), "{:?}", me.body);
    assert_eq!(app.post(&format!("/api/users/{id}/navigation"), json!({ "hidden": ["Leads"] })).await.status, 200);
    assert_eq!(list(&app, &client, "Leads", "").await.status, 403);
    assert_eq!(new_record(&app, &client, "Leads", json!({ "name": "X" }), &company, None).await.status, 403);
    let me = app.call_with(&client, "GET", "/api/session", None).await;
    assert!(!me.body["me"]["modules"].as_array().unwrap().iter().any(|m| m == "Leads"), "{:?}", me.body);
}

#[tokio::test]
async fn records_are_assigned_within_reach_and_reassigned_in_bulk_when_someone_leaves() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Task Rep", &[("Tasks", "View", "Own"), ("Tasks", "Create", "Own"), ("Tasks", "Edit", "Own")]).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let (sam, _) = app.onboard("Sam Rep", "sam@example.com", PASSWORD, &rep_role, &[&company], &dept).await;

    let t1 = new_record(&app, &app.client, "Tasks", json!({ "title": "Call Acme", "due_date": "2026-12-01" }), &company, Some(&rita)).await;
    assert_eq!(t1.status, 200, "{:?}", t1.body);
    let t2 = new_record(&app, &app.client, "Tasks", json!({ "title": "Send quote" }), &company, Some(&rita)).await;
    assert_eq!(t2.status, 200);
    // Rita also works for Bravo, where Sam has no access: that task stays with her.
    let bravo = app.post("/api/companies", json!({ "name": "Bravo Ltd" })).await.body["id"].as_str().unwrap().to_string();
    let rita_user = app.get(&format!("/api/users/{rita}")).await.body.clone();
    let edit_rita = app
        .post(&format!("/api/users/{rita}"), json!({ "input": { "full_name": rita_user["full_name"], "email": rita_user["email"], "mobile": "",
            "department": dept, "role": rep_role, "companies": [company, bravo], "is_approver": false } }))
        .await;
    assert_eq!(edit_rita.status, 200, "{:?}", edit_rita.body);
    let t3 = new_record(&app, &app.client, "Tasks", json!({ "title": "Bravo kickoff" }), &bravo, Some(&rita)).await;
    assert_eq!(t3.status, 200, "{:?}", t3.body);
    let t1_id = t1.body["record"]["id"].as_str().unwrap().to_string();

    // Who can see Rita's task, and why: the engine's reasons per person; a rep may not ask.
    let who = app.call("POST", "/api/records/audience", Some(json!({ "module": "Tasks", "id": t1_id }))).await;
    assert_eq!(who.status, 200, "{:?}", who.body);
    let people = who.body["people"].as_array().unwrap();
    let rita_row = people.iter().find(|p| p["name"] == "Rita Rep").expect("the owner sees her record");
    assert_eq!(rita_row["access"], "View and edit");
    assert!(!rita_row["reasons"].as_array().unwrap().is_empty(), "{rita_row:?}");
    assert!(people.iter().any(|p| p["name"] == ADMIN_NAME));
    assert_eq!(who.body["total"].as_u64().unwrap(), people.len() as u64);
    let refused = app.call_with(&rita_client, "POST", "/api/records/audience", Some(json!({ "module": "Tasks", "id": t1_id }))).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);

    // Assigning needs Edit on the record and a new owner who may view it: Rita may not hand her
    // Bravo task to Sam, who has no access to Bravo...
    let t3_id = t3.body["record"]["id"].as_str().unwrap().to_string();
    let give = app.call_with(&rita_client, "POST", "/api/records/assign", Some(json!({ "module": "Tasks", "id": t3_id, "owner": sam }))).await;
    assert_eq!(give.status, 422, "{:?}", give.body);
    assert!(give.field_message("owner").unwrap().contains("could not view"), "{:?}", give.body);
    // ...but she may hand him her Acme task, and loses sight of it (the contract accepts that).
    let give = app.call_with(&rita_client, "POST", "/api/records/assign", Some(json!({ "module": "Tasks", "id": t1_id, "owner": sam }))).await;
    assert_eq!(give.status, 200, "{:?}", give.body);
    assert!(give.body["record"].is_null(), "{:?}", give.body);
    assert_eq!(titles(&list(&app, &rita_client, "Tasks", "").await), vec!["Bravo kickoff", "Send quote"]);
    assert!(app.audit_actions(&t1_id).await.contains(&"record.assign".to_string()));

    // Offboarding: first what it would do (nothing moves), then everything of Rita goes to Sam.
    let preview = app.call("POST", "/api/records/reassign", Some(json!({ "from": rita, "to": sam, "preview": true }))).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    assert_eq!(preview.body["left"], 1, "{:?}", preview.body);
    let would = preview.body["moved"].as_array().unwrap().iter().find(|m| m[0] == "Tasks").unwrap()[1].as_u64().unwrap();
    assert_eq!(would, 1);
    assert_eq!(titles(&list(&app, &rita_client, "Tasks", "").await), vec!["Bravo kickoff", "Send quote"], "a preview moves nothing");
    assert!(!app.audit_actions(&rita).await.contains(&"record.reassign".to_string()), "nor audits anything");
    let moved = app.call("POST", "/api/records/reassign", Some(json!({ "from": rita, "to": sam }))).await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(moved.body["left"], 1, "the Bravo task stays: Sam has no access to Bravo");
    let tasks = moved.body["moved"].as_array().unwrap().iter().find(|m| m[0] == "Tasks").unwrap()[1].as_u64().unwrap();
    assert_eq!(tasks, 1);
    assert_eq!(titles(&list(&app, &rita_client, "Tasks", "").await), vec!["Bravo kickoff"]);
    assert!(app.audit_actions(&rita).await.contains(&"record.reassign".to_string()));
    // A rep cannot offboard anyone.
    let refused = app.call_with(&rita_client, "POST", "/api/records/reassign", Some(json!({ "from": sam, "to": rita }))).await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn sharing_defaults_and_rules_widen_reach_without_crossing_companies() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Lead Rep", &[("Leads", "View", "Own"), ("Leads", "Edit", "Own"), ("Leads", "Create", "Own")]).await;
    let (_, rita) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let (sam, _) = app.onboard("Sam Rep", "sam@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    let lead = new_record(&app, &app.client, "Leads", json!({ "name": "Sam's lead", "status": "New" }), &company, Some(&sam)).await;
    assert_eq!(lead.status, 200, "{:?}", lead.body);
    let id = lead.body["record"]["id"].as_str().unwrap().to_string();
    let get = || app.call_with(&rita, "POST", "/api/records/get", Some(json!({ "module": "Leads", "id": id })));
    let edit = || {
        app.call_with(&rita, "POST", "/api/records/update", Some(json!({ "module": "Leads", "id": id, "input": { "values": { "status": "Contacted" } } })))
    };
    assert_eq!(list(&app, &rita, "Leads", "").await.body["page"]["total"], 0);
    assert_eq!(get().await.status, 404);

    // Public read: Rita sees Sam's lead but may not change it.
    let defaults = json!({ "change": { "SaveSharing": { "defaults": [["Leads", "PublicRead"]], "hierarchy": true, "inactive_may_read": false } } });
    assert_eq!(app.post("/api/admin/save", defaults).await.status, 200);
    assert_eq!(titles(&list(&app, &rita, "Leads", "").await), vec!["Sam's lead"]);
    assert_eq!(get().await.status, 200);
    let refused = edit().await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    // A public default never opens a module the profile does not: Rita has no grant on Tasks.
    let tasks = json!({ "change": { "SaveSharing": { "defaults": [["Leads", "Private"], ["Tasks", "PublicReadWrite"]], "hierarchy": true, "inactive_may_read": false } } });
    assert_eq!(app.post("/api/admin/save", tasks).await.status, 200);
    assert_eq!(list(&app, &rita, "Tasks", "").await.status, 403);
    assert_eq!(get().await.status, 404, "back to private");

    // A read/write rule: leads owned by the Lead Rep role are shared with the same role.
    let rule = json!({ "change": { "SaveSharingRule": { "id": null, "module": "Leads",
        "owners": { "Role": { "id": rep_role, "with_subordinates": false } },
        "recipients": { "Role": { "id": rep_role, "with_subordinates": false } }, "access": "ReadWrite" } } });
    assert_eq!(app.post("/api/admin/save", rule).await.status, 200);
    assert_eq!(get().await.status, 200);
    let edited = edit().await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.body["record"]["values"]["status"], "Contacted");
    let org = app.get("/api/admin/org").await;
    let rule_id = org.body["sharing_rules"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(app.post("/api/admin/save", json!({ "change": { "DeleteSharingRule": { "id": rule_id } } })).await.status, 200);
    assert_eq!(get().await.status, 404);
    // Only Settings may change sharing.
    let by_rep = app
        .call_with(&rita, "POST", "/api/admin/save", Some(json!({ "change": { "SaveSharing": { "defaults": [["Leads", "PublicReadWrite"]], "hierarchy": true, "inactive_may_read": false } } })))
        .await;
    assert_eq!(by_rep.status, 403);
    let actions: Vec<String> = app
        .state
        .db
        .query("SELECT VALUE action FROM audit WHERE action CONTAINS 'sharing' ORDER BY at;", json!({}))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(actions, vec!["sharing.settings", "sharing.settings", "sharing.rule.save", "sharing.rule.delete"]);
}

#[tokio::test]
async fn view_as_shows_the_other_users_answers_read_only_and_is_audited() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Sales Rep", REP).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    assert_eq!(new_record(&app, &rita_client, "Opportunities", json!({ "name": "Rita's deal" }), &company, None).await.status, 200);
    assert_eq!(new_record(&app, &app.client, "Opportunities", json!({ "name": "Ada's deal" }), &company, None).await.status, 200);

    // A rep may not view as anyone.
    let admin_id = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    assert_eq!(app.call_with(&rita_client, "POST", "/api/view-as", Some(json!({ "user": admin_id }))).await.status, 403);

    assert_eq!(app.post("/api/view-as", json!({ "user": rita })).await.status, 200);
    let session = app.get("/api/session").await;
    assert_eq!(session.body["me"]["full_name"], "Rita Rep");
    assert_eq!(session.body["me"]["viewed_by"], "Ada Admin");
    assert_eq!(session.body["me"]["full_admin"], false);
    // Every answer is Rita's.
    assert_eq!(titles(&list(&app, &app.client, "Opportunities", "").await), vec!["Rita's deal"]);
    assert_eq!(app.post("/api/users/search", json!({ "query": {} })).await.status, 403);
    // Nothing can be changed, not even what Rita could change herself.
    let write = new_record(&app, &app.client, "Opportunities", json!({ "name": "Sneaky" }), &company, None).await;
    assert_eq!(write.status, 403);
    assert!(write.message().contains("read-only"), "{}", write.message());
    assert_eq!(app.post("/api/records/export", json!({ "query": { "module": "Opportunities" } })).await.status, 403);

    assert_eq!(app.post("/api/view-as/end", json!({})).await.status, 200);
    // A "view as" lasts only while the viewer is a full administrator.
    let (bob, bob_client) = app.onboard("Bob Boss", "bob@example.com", PASSWORD, "administrator", &[&company], &dept).await;
    assert_eq!(app.call_with(&bob_client, "POST", "/api/view-as", Some(json!({ "user": rita }))).await.status, 200);
    let demote = app
        .post(&format!("/api/users/{bob}"), json!({ "input": { "full_name": "Bob Boss", "email": "bob@example.com", "mobile": "",
            "department": dept, "role": "manager", "companies": [company], "is_approver": false } }))
        .await;
    assert_eq!(demote.status, 200, "{:?}", demote.body);
    let bob_now = app.call_with(&bob_client, "GET", "/api/session", None).await;
    assert_eq!(bob_now.body["me"]["full_name"], "Bob Boss", "{:?}", bob_now.body);
    assert!(bob_now.body["me"]["viewed_by"].is_null());
    let session = app.get("/api/session").await;
    assert_eq!(session.body["me"]["full_name"], "Ada Admin");
    assert!(session.body["me"]["viewed_by"].is_null());
    assert_eq!(titles(&list(&app, &app.client, "Opportunities", "").await), vec!["Ada's deal", "Rita's deal"]);
    assert_eq!(app.audit_actions(&rita).await.iter().filter(|a| a.starts_with("view_as")).cloned().collect::<Vec<_>>(), vec!["view_as.start", "view_as.end", "view_as.start"], "Ada's start and end, then Bob's start");
}

#[tokio::test]
async fn a_list_sorts_by_title_or_by_when_each_record_changed_whatever_the_reach() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let rep_role = app.define_role("Sales Rep", REP).await;
    let (_, rep_client) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep_role, &[&company], &dept).await;
    // Created in this order, each a moment after the one before.
    for (client, name) in [(&app.client, "Bravo deal"), (&rep_client, "alpha deal"), (&app.client, "Charlie deal"), (&rep_client, "delta deal")] {
        let a = new_record(&app, client, "Opportunities", json!({ "name": name, "amount": "100" }), &company, None).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let in_order = |client: &reqwest::Client, sort: &str| {
        let (app, client, sort) = (&app, client.clone(), sort.to_string());
        async move {
            let a = app.call_with(&client, "POST", "/api/records/search", Some(json!({ "query": { "module": "Opportunities", "sort": sort } }))).await;
            assert_eq!(a.status, 200, "{:?}", a.body);
            a.body["page"]["items"].as_array().unwrap().iter().map(|r| r["title"].as_str().unwrap().to_string()).collect::<Vec<_>>()
        }
    };
    // The administrator reaches every owner (read per company).
    assert_eq!(in_order(&app.client, "TitleAsc").await, ["alpha deal", "Bravo deal", "Charlie deal", "delta deal"]);
    assert_eq!(in_order(&app.client, "TitleDesc").await, ["delta deal", "Charlie deal", "Bravo deal", "alpha deal"]);
    assert_eq!(in_order(&app.client, "Newest").await, ["delta deal", "Charlie deal", "alpha deal", "Bravo deal"]);
    assert_eq!(in_order(&app.client, "Oldest").await, ["Bravo deal", "alpha deal", "Charlie deal", "delta deal"]);
    // The rep reaches her own (read per owner).
    assert_eq!(in_order(&rep_client, "TitleDesc").await, ["delta deal", "alpha deal"]);
    assert_eq!(in_order(&rep_client, "Oldest").await, ["alpha deal", "delta deal"]);
    // The export holds the rows in the list's order.
    let csv = app.post("/api/records/export", json!({ "query": { "module": "Opportunities", "sort": "TitleAsc" } })).await;
    assert_eq!(csv.status, 200, "{:?}", csv.body);
    let text = csv.body.as_str().unwrap();
    let names: Vec<&str> = ["alpha deal", "Bravo deal", "Charlie deal", "delta deal"].into_iter().filter(|n| text.contains(n)).collect();
    let at = |n: &str| text.find(n).unwrap();
    assert_eq!(names.len(), 4, "{text}");
    assert!(names.windows(2).all(|w| at(w[0]) < at(w[1])), "{text}");
}
