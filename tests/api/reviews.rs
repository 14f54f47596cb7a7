//! Access reviews: a manager reviews their people with the engine's reasons beside each line;
//! the closing preview counts what closing then does; answers and removals are audited; nobody
//! answers for people out of their sight.

use serde_json::{json, Value};

use crate::helpers::*;

const PASSWORD: &str = "willow lantern river stone";

fn tomorrow() -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 + 86_400_000;
    let days = ms / 86_400_000;
    let (y, m, d) = gatehouse::domain::civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

async fn id_of(app: &TestApp, email: &str) -> String {
    let v: Vec<Value> = app.state.db.query("SELECT VALUE record::id(id) FROM user WHERE email_key = $e;", json!({ "e": email })).await.unwrap().all(0).unwrap();
    v[0].as_str().unwrap().to_string()
}

fn line<'a>(detail: &'a Value, person: &str, label: &str) -> &'a Value {
    let p = detail["people"].as_array().unwrap().iter().find(|p| p["user"]["name"] == person).unwrap_or_else(|| panic!("{person} in {detail:?}"));
    p["lines"].as_array().unwrap().iter().find(|l| l["label"] == label).unwrap_or_else(|| panic!("{label} in {p:?}"))
}

#[tokio::test]
async fn a_manager_reviews_their_people_and_closing_does_what_its_preview_said() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, root) = app.defaults().await;
    let admin = id_of(&app, ADMIN_EMAIL).await;
    let east = app.post("/api/departments", json!({ "input": { "name": "East", "parent": root, "manager": null } })).await.body.as_str().unwrap().to_string();
    let rep = app.define_role("Task Rep", &[("Tasks", "View", "Own"), ("Tasks", "Create", "Own"), ("Tasks", "Edit", "Own")]).await;
    let lead = app.define_role("East lead", &[("Users", "View", "Department"), ("Tasks", "View", "Department")]).await;
    let (mona, mona_c) = app.onboard("Mona Manager", "mona@example.com", PASSWORD, &lead, &[&company], &east).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep, &[&company], &east).await;
    let (tom, tom_c) = app.onboard("Tom Temp", "tom@example.com", PASSWORD, &rep, &[&company], &east).await;
    let (hugo, _) = app.onboard("Hugo Head", "hugo@example.com", PASSWORD, &rep, &[&company], &root).await;
    let set_manager = app.post(&format!("/api/departments/{east}"), json!({ "input": { "name": "East", "parent": root, "manager": mona } })).await;
    assert_eq!(set_manager.status, 200, "{:?}", set_manager.body);
    let exporter = json!({ "SaveProfile": { "id": null, "name": "Task exporter", "permissions": [{ "module": "Tasks", "action": "Export", "level": "Own" }], "field_rules": [] } });
    assert_eq!(app.post("/api/admin/save", json!({ "change": exporter })).await.status, 200);
    let org = app.get("/api/admin/org").await;
    let profile = org.body["profiles"].as_array().unwrap().iter().find(|p| p["name"] == "Task exporter").unwrap()["id"].as_str().unwrap().to_string();
    assert_eq!(app.post("/api/admin/save", json!({ "change": { "AddGrant": { "grant": { "profile": profile, "to": { "User": rita } } } } })).await.status, 200);
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Sales Cloud", "seats": 5, "modules": ["Opportunities"] })).await.body.as_str().unwrap().to_string();
    for who in [&rita, &hugo] {
        assert_eq!(app.post(&format!("/api/users/{who}/licenses"), json!({ "licenses": [lic] })).await.status, 200);
    }
    let grp = app.post("/api/admin/save", json!({ "change": { "SaveGroup": { "id": null, "name": "Key accounts", "users": [tom], "groups": [] } } })).await;
    assert_eq!(grp.status, 200);

    // Bad input names its fields and starts nothing.
    let bad = app.post("/api/reviews", json!({ "input": { "name": "", "scope": "Everyone", "reviewer": null, "fallback": "nobody", "due": "2020-01-01", "unanswered_keep": false } })).await;
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    for f in ["name", "due", "fallback"] {
        assert!(bad.field_message(f).is_some(), "{f}: {:?}", bad.body);
    }
    let input = json!({ "name": "Q1 access", "scope": "Everyone", "reviewer": null, "fallback": admin, "due": tomorrow(), "unanswered_keep": false });
    let created = app.post("/api/reviews", json!({ "input": input })).await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let review = created.body.as_str().unwrap().to_string();
    let mail = app.mails_to("mona@example.com", 2).await.pop().unwrap();
    assert!(mail.contains("Access review: Q1 access") && mail.contains(&format!("/reviews/{review}")), "{mail}");
    // Only a full administrator starts one.
    assert_eq!(app.call_with(&mona_c, "POST", "/api/reviews", Some(json!({ "input": input }))).await.status, 403);

    // Tom opens his tasks; Rita never has.
    let listed = app.call_with(&tom_c, "POST", "/api/records/search", Some(json!({ "query": { "module": "Tasks" } }))).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    // Mona sees her people only, with the engine's account of their access.
    let mine = app.call_with(&mona_c, "GET", &format!("/api/reviews/{review}"), None).await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    let people: Vec<&str> = mine.body["people"].as_array().unwrap().iter().map(|p| p["user"]["name"].as_str().unwrap()).collect();
    assert_eq!(people, vec!["Rita Rep", "Tom Temp"]);
    let rita_p = mine.body["people"].as_array().unwrap().iter().find(|p| p["user"]["name"] == "Rita Rep").unwrap();
    assert!(rita_p["access"].to_string().contains("from profile Task exporter, granted directly"), "{rita_p:?}");
    // What they may open and have never used is pointed out.
    assert!(rita_p["recommendations"].as_array().unwrap().contains(&json!("Access never used: Tasks")), "{rita_p:?}");
    let tom_p = mine.body["people"].as_array().unwrap().iter().find(|p| p["user"]["name"] == "Tom Temp").unwrap();
    assert!(!tom_p["recommendations"].to_string().contains("never used"), "{tom_p:?}");
    assert_eq!(mine.body["may_close"], false);
    let grant_line = line(&mine.body, "Rita Rep", "Profile Task exporter (granted directly)")["id"].as_str().unwrap().to_string();
    let license_line = line(&mine.body, "Rita Rep", "License Sales Cloud")["id"].as_str().unwrap().to_string();
    let answer = |_id: &str, keep: bool, why: &str| json!({ "keep": keep, "justification": why });
    assert_eq!(app.call_with(&mona_c, "POST", &format!("/api/review-lines/{grant_line}"), Some(answer(&grant_line, false, "the export project ended"))).await.status, 200);
    assert_eq!(app.call_with(&mona_c, "POST", &format!("/api/review-lines/{license_line}"), Some(answer(&license_line, true, ""))).await.status, 200);
    // Each person's role is a line too; Mona says Tom's should go.
    let tom_role = line(&mine.body, "Tom Temp", "Role Task Rep")["id"].as_str().unwrap().to_string();
    assert_eq!(app.call_with(&mona_c, "POST", &format!("/api/review-lines/{tom_role}"), Some(answer(&tom_role, false, "the contract ends"))).await.status, 200);
    // Hugo has no manager: his lines went to the fallback, and Mona cannot answer them.
    let all = app.get(&format!("/api/reviews/{review}")).await;
    let hugo_line = line(&all.body, "Hugo Head", "License Sales Cloud");
    assert_eq!(hugo_line["reviewer"]["name"], ADMIN_NAME);
    let hugo_id = hugo_line["id"].as_str().unwrap();
    assert_eq!(app.call_with(&mona_c, "POST", &format!("/api/review-lines/{hugo_id}"), Some(answer(hugo_id, false, ""))).await.status, 404);

    // The preview's counts are what closing does: Rita's grant (revoked), Tom's group and Hugo's
    // license (not answered: this campaign removes them); Rita's license stays.
    let preview = app.post(&format!("/api/reviews/{review}/closing"), json!({})).await;
    assert_eq!(preview.status, 200, "{:?}", preview.body);
    assert_eq!((preview.body["removals"].as_u64(), preview.body["people"].as_u64(), preview.body["unanswered"].as_u64()), (Some(3), Some(3), Some(2)));
    // A role is never taken away by closing (unanswered ones are kept, and not counted); the
    // revoked one is left for the administrator, with the person named.
    assert_eq!(preview.body["role_changes"], json!([{ "user": { "id": tom, "name": "Tom Temp" }, "label": "Role Task Rep" }]), "{:?}", preview.body);
    let closed = app.post(&format!("/api/reviews/{review}/close"), json!({})).await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["removals"], preview.body["removals"]);
    assert_eq!(closed.body["details"], preview.body["details"]);
    let org = app.get("/api/admin/org").await;
    assert!(!org.body["grants"].as_array().unwrap().iter().any(|g| g["to"]["User"] == rita.as_str()), "Rita's grant removed");
    let group = org.body["groups"].as_array().unwrap().iter().find(|g| g["name"] == "Key accounts").unwrap().clone();
    assert_eq!(group["users"], json!([]), "Tom left the group");
    let licenses = |id: String| {
        let app = &app;
        async move { app.get(&format!("/api/users/{id}/setup")).await.body["licenses"].to_string() }
    };
    assert!(licenses(rita.clone()).await.contains(&lic), "Rita's license was kept");
    assert!(!licenses(hugo.clone()).await.contains(&lic), "Hugo's license was removed");
    for who in [&rita, &tom, &hugo] {
        assert!(app.audit_actions(who).await.contains(&"review.revoke".to_string()), "{who}");
    }
    assert_eq!(app.audit_actions(&rita).await.iter().filter(|a| *a == "review.decide").count(), 2);
    // Closed: answers stay as they are; closing again is refused.
    assert_eq!(app.call_with(&mona_c, "POST", &format!("/api/review-lines/{license_line}"), Some(answer(&license_line, false, ""))).await.status, 409);
    assert_eq!(app.post(&format!("/api/reviews/{review}/close"), json!({})).await.status, 409);
    // The report: who reviewed what, when, with the justification.
    let csv = app.post(&format!("/api/reviews/{review}/export"), json!({})).await;
    let text = csv.body.as_str().unwrap();
    assert!(text.contains("Q1 access,Rita Rep,Profile Task exporter (granted directly),Mona Manager,revoke,the export project ended,20"), "{text}");
    assert!(text.contains("Q1 access,Tom Temp,Group Key accounts,Mona Manager,not answered (removed),,"), "{text}");
    assert!(text.contains("Q1 access,Tom Temp,Role Task Rep,Mona Manager,revoke (role left to change by hand),the contract ends,20"), "{text}");
    assert!(text.contains("Q1 access,Rita Rep,Role Task Rep,Mona Manager,not answered (kept),,"), "{text}");
    assert_eq!(app.get(&format!("/api/users/{tom}")).await.body["role"]["name"], "Task Rep", "closing changes no role");
}

#[tokio::test]
async fn a_reviewer_answers_only_for_people_they_may_see() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, root) = app.defaults().await;
    let admin = id_of(&app, ADMIN_EMAIL).await;
    let rep = app.define_role("Task Rep", &[("Tasks", "View", "Own")]).await;
    let viewer = app.define_role("People viewer", &[("Users", "View", "All")]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep, &[&company], &root).await;
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Sales Cloud", "seats": 5, "modules": ["Opportunities"] })).await.body.as_str().unwrap().to_string();
    assert_eq!(app.post(&format!("/api/users/{rita}/licenses"), json!({ "licenses": [lic] })).await.status, 200);
    let (ed, ed_c) = app.onboard("Ed Elsewhere", "ed@example.com", PASSWORD, &rep, &[&company], &root).await;

    // Ed cannot see Rita's account: her line goes to the fallback reviewer, not to him.
    let input = |name: &str| json!({ "name": name, "scope": { "Role": rep }, "reviewer": ed, "fallback": admin, "due": tomorrow(), "unanswered_keep": true });
    let first = app.post("/api/reviews", json!({ "input": input("Licenses") })).await.body.as_str().unwrap().to_string();
    assert_eq!(app.call_with(&ed_c, "GET", &format!("/api/reviews/{first}"), None).await.status, 404);
    let all = app.get(&format!("/api/reviews/{first}")).await;
    assert_eq!(line(&all.body, "Rita Rep", "License Sales Cloud")["reviewer"]["name"], ADMIN_NAME);
    // Kept by default when nobody answers.
    let closing = app.post(&format!("/api/reviews/{first}/closing"), json!({})).await;
    assert_eq!(closing.body["removals"], 0, "{:?}", closing.body);
    assert_eq!(closing.body["unanswered_keep"], true);

    // Ed may see her when the review starts, and loses that before answering: refused.
    let ed_row = app.get(&format!("/api/users/{ed}")).await.body.clone();
    let set_role = |role: &str| json!({ "input": { "full_name": ed_row["full_name"], "email": ed_row["email"], "mobile": "", "department": root, "role": role, "companies": [company], "is_approver": false } });
    assert_eq!(app.post(&format!("/api/users/{ed}"), set_role(&viewer)).await.status, 200);
    let second = app.post("/api/reviews", json!({ "input": input("Licenses again") })).await.body.as_str().unwrap().to_string();
    let mine = app.call_with(&ed_c, "GET", &format!("/api/reviews/{second}"), None).await;
    let id = line(&mine.body, "Rita Rep", "License Sales Cloud")["id"].as_str().unwrap().to_string();
    assert_eq!(app.post(&format!("/api/users/{ed}"), set_role(&rep)).await.status, 200);
    let refused = app.call_with(&ed_c, "POST", &format!("/api/review-lines/{id}"), Some(json!({ "keep": false, "justification": "" }))).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert!(refused.message().contains("outside the people you may see"), "{:?}", refused.body);
}

#[tokio::test]
async fn a_repeating_review_starts_the_next_one_when_it_closes_from_the_access_left() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, root) = app.defaults().await;
    let admin = id_of(&app, ADMIN_EMAIL).await;
    let rep = app.define_role("Task Rep", &[("Tasks", "View", "Own")]).await;
    let (rita, _) = app.onboard("Rita Rep", "rita@example.com", PASSWORD, &rep, &[&company], &root).await;
    let (tom, _) = app.onboard("Tom Temp", "tom@example.com", PASSWORD, &rep, &[&company], &root).await;
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Sales Cloud", "seats": 5, "modules": ["Opportunities"] })).await.body.as_str().unwrap().to_string();
    for who in [&rita, &tom] {
        assert_eq!(app.post(&format!("/api/users/{who}/licenses"), json!({ "licenses": [lic] })).await.status, 200);
    }
    let due = tomorrow();
    let input = json!({ "name": "Sales licenses", "scope": { "Role": rep }, "reviewer": admin, "fallback": admin, "due": due,
        "unanswered_keep": true, "repeat": "Quarterly" });
    let first = app.post("/api/reviews", json!({ "input": input })).await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let first = first.body.as_str().unwrap().to_string();
    let listed = app.get("/api/reviews").await;
    assert_eq!(listed.body[0]["repeat"], "Quarterly", "{:?}", listed.body);

    // Rita's license is revoked; Tom's is kept by default.
    let detail = app.get(&format!("/api/reviews/{first}")).await;
    let rita_line = line(&detail.body, "Rita Rep", "License Sales Cloud")["id"].as_str().unwrap().to_string();
    let answer = app.post(&format!("/api/review-lines/{rita_line}"), json!({ "keep": false, "justification": "moved to support" })).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let closed = app.post(&format!("/api/reviews/{first}/close"), json!({})).await;
    assert_eq!(closed.status, 200, "{:?}", closed.body);
    assert_eq!(closed.body["removals"], 1);

    // The next one: same name, scope and default, due three months later, over what is left.
    let next = &closed.body["next"]["Started"];
    let next_id = next["id"].as_str().unwrap_or_else(|| panic!("{:?}", closed.body)).to_string();
    let (y, m): (i64, i64) = (due[..4].parse().unwrap(), due[5..7].parse().unwrap());
    let (ny, nm) = if m + 3 > 12 { (y + 1, m + 3 - 12) } else { (y, m + 3) };
    assert!(next["due"].as_str().unwrap().starts_with(&format!("{ny:04}-{nm:02}-")), "{next:?} after {due}");
    let second = app.get(&format!("/api/reviews/{next_id}")).await;
    assert_eq!(second.body["summary"]["name"], "Sales licenses");
    assert_eq!(second.body["summary"]["repeat"], "Quarterly");
    assert!(second.body["summary"]["closed_at"].is_null());
    let labels = |name: &str| -> Vec<String> {
        let p = second.body["people"].as_array().unwrap().iter().find(|p| p["user"]["name"] == name).unwrap_or_else(|| panic!("{name}"));
        p["lines"].as_array().unwrap().iter().map(|l| l["label"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(labels("Rita Rep"), ["Role Task Rep"], "Rita's revoked license is not reviewed again; her role is");
    assert_eq!(labels("Tom Temp"), ["Role Task Rep", "License Sales Cloud"]);
    let creations: Vec<Value> = app.state.db.query("SELECT after FROM audit WHERE action = 'review.create' ORDER BY at;", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(creations.len(), 2, "{creations:?}");
    assert_eq!(creations[1]["after"]["repeat"], "quarterly");
}
