use serde_json::json;

use crate::helpers::*;

const PW: &str = "seven blue horses at dawn";

#[tokio::test]
async fn adding_a_user_sends_an_invitation_whose_link_activates_once() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let a = app.invite(&app.client, "Ann Lee", "Ann@Example.com", "manager", &[&company], &dept).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.body["status"], "invited");
    assert_eq!(a.body["role"]["name"], "Manager");
    let id = a.body["id"].as_str().unwrap().to_string();

    let mail = app.mails_to("ann@example.com", 1).await.pop().unwrap();
    assert!(mail.contains("Subject: You are invited to the CRM"));
    assert!(mail.contains("text/plain") && mail.contains("text/html"));
    let link = TestApp::link_in(&mail, "/activate/");
    let token = TestApp::token_of(&link);
    assert_eq!(token.len(), 64, "256-bit token");
    // Only a digest of the token is stored.
    let stored: Vec<serde_json::Value> = app.state.db.query("SELECT token_hash FROM link_token;", json!({})).await.unwrap().all(0).unwrap();
    assert!(stored.iter().all(|s| s["token_hash"] != token.as_str()));

    let info = app.post("/api/links/info", json!({ "token": token })).await;
    assert_eq!(info.status, 200);
    assert_eq!(info.body["full_name"], "Ann Lee");
    // The password policy applies, with the person's own name refused.
    let weak = app.post("/api/links/complete", json!({ "token": token, "password": "AnnLee123456" })).await;
    assert_eq!(weak.status, 422);
    assert!(weak.field_message("password").is_some());

    let browser = new_client();
    let done = app.call_with(&browser, "POST", "/api/links/complete", Some(json!({ "token": token, "password": PW }))).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(done.body["email"], "Ann@Example.com");
    // Signed in straight away.
    assert_eq!(app.call_with(&browser, "GET", "/api/auth/me", None).await.body["full_name"], "Ann Lee");
    assert_eq!(app.get(&format!("/api/users/{id}")).await.body["status"], "active");
    // The link works once.
    let again = app.post("/api/links/complete", json!({ "token": token, "password": "another good passphrase" })).await;
    assert_eq!(again.status, 409);
    assert!(again.message().contains("already used"));
    let info = app.post("/api/links/info", json!({ "token": token })).await;
    assert_eq!(info.status, 409);
    // And the person signs in with the password they chose.
    assert_eq!(app.sign_in_with(&new_client(), "ann@example.com", PW).await.status, 200);
    assert_eq!(app.audit_actions(&id).await[..2], ["user.invite".to_string(), "user.activated".to_string()]);
}

#[tokio::test]
async fn an_expired_or_replaced_link_says_so_and_how_to_get_a_new_one() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let a = app.invite(&app.client, "Bo Chen", "bo@example.com", "manager", &[&company], &dept).await;
    let id = a.body["id"].as_str().unwrap().to_string();
    let first = TestApp::token_of(&TestApp::link_in(&app.mails_to("bo@example.com", 1).await[0], "/activate/"));
    // Resending kills the old link.
    assert_eq!(app.post(&format!("/api/users/{id}/resend-invite"), json!({})).await.status, 200);
    let mails = app.mails_to("bo@example.com", 2).await;
    let second = TestApp::token_of(&TestApp::link_in(&mails[1], "/activate/"));
    assert_ne!(first, second);
    let old = app.post("/api/links/info", json!({ "token": first })).await;
    assert_eq!(old.status, 409);
    assert!(old.message().contains("newer link"), "{}", old.message());
    // Time passes: the link expires (the clock is moved in the database, as 72 hours would).
    app.state.db.query("UPDATE link_token SET expires_at = 1 WHERE used_at = NONE;", json!({})).await.unwrap();
    let expired = app.post("/api/links/complete", json!({ "token": second, "password": PW })).await;
    assert_eq!(expired.status, 409);
    assert!(expired.message().contains("expired") && expired.message().contains("new invitation"));
    assert_eq!(app.get(&format!("/api/users/{id}")).await.body["status"], "invited");
    // A made-up token is a clear 404.
    assert_eq!(app.post("/api/links/info", json!({ "token": "0".repeat(64) })).await.status, 404);
}

#[tokio::test]
async fn an_administrator_can_copy_a_new_invitation_link_which_replaces_the_mailed_one() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let a = app.invite(&app.client, "Cy Park", "cy@example.com", "manager", &[&company], &dept).await;
    let id = a.body["id"].as_str().unwrap().to_string();
    let mailed = TestApp::token_of(&TestApp::link_in(&app.mails_to("cy@example.com", 1).await[0], "/activate/"));
    let copied = app.post(&format!("/api/users/{id}/invite-link"), json!({})).await;
    assert_eq!(copied.status, 200, "{:?}", copied.body);
    let link = copied.body["link"].as_str().unwrap().to_string();
    assert!(link.contains("/activate/"), "{link}");
    assert!(copied.body["expires_at"].as_i64().unwrap() > gatehouse::server::time::now_ms());
    // The mailed link stops working, and nothing new is mailed.
    let old = app.post("/api/links/info", json!({ "token": mailed })).await;
    assert_eq!(old.status, 409);
    assert!(old.message().contains("newer link"), "{}", old.message());
    let invitations: Vec<serde_json::Value> =
        app.state.db.query("SELECT * FROM mail_job WHERE kind = 'invitation';", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(invitations.len(), 1, "{invitations:?}");
    assert_eq!(app.audit_actions(&id).await, ["user.invite".to_string(), "user.invite_link".to_string()]);
    // Whoever is handed the link activates the account with it.
    let done = app.call_with(&new_client(), "POST", "/api/links/complete", Some(json!({ "token": TestApp::token_of(&link), "password": PW }))).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    // An active account has no invitation to copy.
    let again = app.post(&format!("/api/users/{id}/invite-link"), json!({})).await;
    assert_eq!(again.status, 409);
    assert!(again.message().contains("already activated"), "{}", again.message());
}

#[tokio::test]
async fn copying_an_invitation_link_needs_a_recent_sign_in() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let a = app.invite(&app.client, "Di Moss", "di@example.com", "manager", &[&company], &dept).await;
    let id = a.body["id"].as_str().unwrap().to_string();
    let me = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let eleven_minutes_ago = gatehouse::server::time::now_ms() - 11 * 60_000;
    app.state
        .db
        .query("UPDATE session SET authenticated_at = $t WHERE user = type::record('user', $u);", json!({ "t": eleven_minutes_ago, "u": me }))
        .await
        .unwrap();
    let stale = app.post(&format!("/api/users/{id}/invite-link"), json!({})).await;
    assert_eq!((stale.status, stale.error_kind().as_str()), (401, "StepUpNeeded"), "{:?}", stale.body);
    // Refused before anything was written: the mailed link still works.
    let mailed = TestApp::token_of(&TestApp::link_in(&app.mails_to("di@example.com", 1).await[0], "/activate/"));
    assert_eq!(app.post("/api/links/info", json!({ "token": mailed })).await.status, 200);
}

#[tokio::test]
async fn the_email_is_unique_whatever_its_case_and_a_role_is_required() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let dup = app.invite(&app.client, "Ada Twin", "ADA@EXAMPLE.COM", "manager", &[&company], &dept).await;
    assert_eq!(dup.status, 422);
    assert!(dup.field_message("email").unwrap().contains("already has this email"));
    let no_role = app.invite(&app.client, "Cy Roleless", "cy@example.com", "", &[&company], &dept).await;
    assert_eq!(no_role.status, 422);
    assert!(no_role.field_message("role").unwrap().contains("needs one"));
    let bad = app
        .call("POST", "/api/users", Some(json!({ "input": {
            "full_name": "", "email": "nope", "mobile": "0044", "department": "", "role": "ghost", "companies": [], "is_approver": false
        }})))
        .await;
    assert_eq!(bad.status, 422);
    for f in ["full_name", "email", "mobile", "department", "role", "companies"] {
        assert!(bad.field_message(f).is_some(), "{f} has a message: {:?}", bad.body);
    }
    // Refused saves leave nothing behind: no user, no mail, no audit row.
    assert_eq!(app.get("/api/dashboard").await.body["total_users"], 1);
    let audits: Vec<serde_json::Value> = app.state.db.query("SELECT * FROM audit WHERE action = 'user.invite';", json!({})).await.unwrap().all(0).unwrap();
    assert!(audits.is_empty());
    let jobs: Vec<serde_json::Value> = app.state.db.query("SELECT * FROM mail_job;", json!({})).await.unwrap().all(0).unwrap();
    assert!(jobs.is_empty());
}

#[tokio::test]
async fn blocking_ends_every_session_at_once_and_sign_in_is_refused_by_status() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let (id, dora) = app.onboard("Dora Diaz", "dora@example.com", PW, "manager", &[&company], &dept).await;
    let other = new_client();
    assert_eq!(app.sign_in_with(&other, "dora@example.com", PW).await.status, 200);
    assert_eq!(app.call_with(&dora, "GET", "/api/auth/me", None).await.status, 200);

    let b = app.post(&format!("/api/users/{id}/status"), json!({ "status": "blocked" })).await;
    assert_eq!(b.status, 200, "{:?}", b.body);
    assert_eq!(b.body["status"], "blocked");
    for c in [&dora, &other] {
        assert_eq!(app.call_with(c, "GET", "/api/auth/me", None).await.status, 401, "the session died with the block");
    }
    let refused = app.sign_in_with(&new_client(), "dora@example.com", PW).await;
    assert_eq!(refused.status, 403);
    assert!(refused.message().contains("blocked"));
    // Unblock → active; deactivate → inactive, which cannot sign in either.
    assert_eq!(app.post(&format!("/api/users/{id}/status"), json!({ "status": "active" })).await.status, 200);
    assert_eq!(app.sign_in_with(&new_client(), "dora@example.com", PW).await.status, 200);
    assert_eq!(app.post(&format!("/api/users/{id}/status"), json!({ "status": "inactive" })).await.status, 200);
    let inactive = app.sign_in_with(&new_client(), "dora@example.com", PW).await;
    assert_eq!(inactive.status, 403);
    assert!(inactive.message().contains("inactive"));
    // A wrong password for an inactive account says nothing about the account.
    assert_eq!(app.sign_in_with(&new_client(), "dora@example.com", "wrong wrong wrong").await.status, 401);
    let actions = app.audit_actions(&id).await;
    for a in ["user.block", "user.unblock", "user.deactivate"] {
        assert!(actions.contains(&a.to_string()), "{a} in {actions:?}");
    }
    let notice = app.mails_to("dora@example.com", 2).await;
    assert!(notice.iter().any(|m| m.contains("Your CRM account was blocked")));
}

#[tokio::test]
async fn the_last_full_administrator_cannot_be_blocked_or_block_themselves() {
    let app = spawn_app().await;
    let me = app.set_up().await.body["id"].as_str().unwrap().to_string();
    let own = app.post(&format!("/api/users/{me}/status"), json!({ "status": "blocked" })).await;
    assert_eq!(own.status, 409);
    // A second admin may try, and is refused because of the lock-out rule.
    let (company, dept) = app.defaults().await;
    let (_, second) = app.onboard("Second Admin", "second@example.com", PW, "administrator", &[&company], &dept).await;
    // Now there are two: the second may block the first...
    let a = app.call_with(&second, "POST", &format!("/api/users/{me}/status"), Some(json!({ "status": "inactive" }))).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    // ...but then the remaining one is the last, and nobody can deactivate them.
    let second_id = app.call_with(&second, "GET", "/api/auth/me", None).await.body["id"].as_str().unwrap().to_string();
    let last = app.call_with(&second, "POST", &format!("/api/users/{second_id}/status"), Some(json!({ "status": "blocked" }))).await;
    assert_eq!(last.status, 409);
}

#[tokio::test]
async fn invalid_status_changes_are_refused_without_side_effects() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let id = app.invite(&app.client, "Eve Invited", "eve@example.com", "manager", &[&company], &dept).await.body["id"].as_str().unwrap().to_string();
    let a = app.post(&format!("/api/users/{id}/status"), json!({ "status": "active" })).await;
    assert_eq!(a.status, 409);
    assert!(a.message().contains("activating their account"));
    assert_eq!(app.post(&format!("/api/users/{id}/status"), json!({ "status": "sleepy" })).await.status, 422);
    assert_eq!(app.audit_actions(&id).await, vec!["user.invite"]);
}

#[tokio::test]
async fn the_list_searches_filters_sorts_and_pages_on_the_server() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    for (n, e) in [("Zed Zulu", "zed@example.com"), ("Amy Alpha", "amy@example.com"), ("Bob Beta", "bob@sample.org")] {
        assert_eq!(app.invite(&app.client, n, e, "manager", &[&company], &dept).await.status, 200);
    }
    let page = |q: serde_json::Value| app.post("/api/users/search", json!({ "query": q }));
    let all = page(json!({})).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    assert_eq!(all.body["total"], 4);
    let names: Vec<&str> = all.body["items"].as_array().unwrap().iter().map(|u| u["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Ada Admin", "Amy Alpha", "Bob Beta", "Zed Zulu"]);
    let s = page(json!({ "search": "SAMPLE" })).await;
    assert_eq!(s.body["total"], 1);
    assert_eq!(s.body["items"][0]["full_name"], "Bob Beta");
    let invited = page(json!({ "status": "invited", "sort": "Name", "descending": true })).await;
    assert_eq!(invited.body["total"], 3);
    assert_eq!(invited.body["items"][0]["full_name"], "Zed Zulu");
    let paged = page(json!({ "per_page": 2, "page": 2 })).await;
    assert_eq!(paged.body["total"], 4);
    assert_eq!(paged.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(paged.body["items"][0]["full_name"], "Bob Beta");
    let by_role = page(json!({ "role": "administrator" })).await;
    assert_eq!(by_role.body["total"], 1);
    let by_company = page(json!({ "company": company })).await;
    assert_eq!(by_company.body["total"], 4);
    let combined = page(json!({ "company": company, "status": "invited", "search": "ZULU" })).await;
    assert_eq!(combined.body["total"], 1);
    assert_eq!(combined.body["items"][0]["full_name"], "Zed Zulu");
    assert_eq!(page(json!({ "company": company, "status": "active" })).await.body["total"], 1, "only the admin is active");
    let none = page(json!({ "company": "nothing" })).await;
    assert_eq!(none.body["total"], 0);
    // Moving a user to another company moves them between the company filters.
    let globex = app.post("/api/companies", json!({ "name": "Globex" })).await.body["id"].as_str().unwrap().to_string();
    let bob = s.body["items"][0]["id"].as_str().unwrap().to_string();
    let moved = app
        .post(&format!("/api/users/{bob}"), json!({ "input": {
            "full_name": "Bob Beta", "email": "bob@sample.org", "mobile": "", "department": dept, "role": "manager",
            "companies": [globex], "is_approver": false
        }}))
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(page(json!({ "company": company })).await.body["total"], 3);
    let in_globex = page(json!({ "company": globex })).await;
    let names: Vec<&str> = in_globex.body["items"].as_array().unwrap().iter().map(|u| u["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Ada Admin", "Bob Beta"], "the creator of Globex has access too");
    // Nothing secret in a row.
    let text = all.body.to_string();
    assert!(!text.contains("password") && !text.contains("argon2") && !text.contains("token"));
}

#[tokio::test]
async fn a_delegated_admin_sees_and_manages_only_users_within_their_companies() {
    let app = spawn_app().await;
    app.set_up().await;
    let (acme, dept) = app.defaults().await;
    let globex = app.post("/api/companies", json!({ "name": "Globex" })).await.body["id"].as_str().unwrap().to_string();
    // A "User admin" role: Users View/Create/Edit at All, nothing else.
    let user_admin = app.define_role("User admin", &[("Users", "View", "All"), ("Users", "Create", "All"), ("Users", "Edit", "All")]).await;
    let (_, delegate) = app.onboard("Dee Legate", "dee@example.com", PW, &user_admin, &[&acme], &dept).await;
    // Al holds what Dee holds, no more: Dee may act on his account ("no takeover").
    let (acme_user, _) = app.onboard("Al Acme", "al@example.com", PW, &user_admin, &[&acme], &dept).await;
    let (mona, _) = app.onboard("Mona Manager", "mona@example.com", PW, "manager", &[&acme], &dept).await;
    let both = app.invite(&app.client, "Bea Both", "bea@example.com", "manager", &[&acme, &globex], &dept).await.body["id"].as_str().unwrap().to_string();
    let glob = app.invite(&app.client, "Gus Globex", "gus@example.com", "manager", &[&globex], &dept).await.body["id"].as_str().unwrap().to_string();

    // The list shows only users whose companies are all within the delegate's (acme).
    let list = app.call_with(&delegate, "POST", "/api/users/search", Some(json!({ "query": {} }))).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let names: Vec<&str> = list.body["items"].as_array().unwrap().iter().map(|u| u["full_name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Al Acme") && names.contains(&"Dee Legate"));
    assert!(!names.contains(&"Bea Both") && !names.contains(&"Gus Globex"), "{names:?}");
    // By id: a 404, as if they did not exist.
    for id in [&both, &glob] {
        assert_eq!(app.call_with(&delegate, "GET", &format!("/api/users/{id}"), None).await.status, 404);
        assert_eq!(app.call_with(&delegate, "POST", &format!("/api/users/{id}/status"), Some(json!({ "status": "blocked" }))).await.status, 404);
    }
    // In bulk: refused one by one, nothing happens to them.
    let bulk = app.call_with(&delegate, "POST", "/api/users/bulk", Some(json!({ "ids": [both, glob, acme_user], "action": "Deactivate" }))).await;
    assert_eq!(bulk.status, 200, "{:?}", bulk.body);
    assert_eq!(bulk.body["done"], 1);
    assert_eq!(bulk.body["refused"].as_array().unwrap().len(), 2);
    assert_eq!(app.get(&format!("/api/users/{glob}")).await.body["status"], "invited");
    // Mona sees records Dee does not: Dee may not deactivate her, reset her password or end her sessions.
    for (path, body) in [("status", json!({ "status": "inactive" })), ("password", json!({ "change": "SendResetLink" })), ("sessions/end", json!({}))] {
        let took = app.call_with(&delegate, "POST", &format!("/api/users/{mona}/{path}"), Some(body)).await;
        assert_eq!(took.status, 403, "{path}: {:?}", took.body);
        assert!(took.message().contains("no takeover: Mona Manager holds View on Leads at Department tree"), "{}", took.message());
    }
    // The delegate cannot give access to a company they do not hold, nor a role above theirs.
    let esc = app.invite(&delegate, "Esc Alate", "esc@example.com", "manager", &[&globex], &dept).await;
    assert_eq!(esc.status, 422);
    assert!(esc.field_message("companies").is_some());
    let esc = app.invite(&delegate, "Esc Alate", "esc@example.com", "manager", &[&acme], &dept).await;
    assert_eq!(esc.status, 422);
    assert!(esc.field_message("role").unwrap().contains("Esc Alate would gain View on Leads at Department tree, which you do not hold"), "{:?}", esc.body);
    let esc = app.invite(&delegate, "Esc Alate", "esc@example.com", "administrator", &[&acme], &dept).await;
    assert_eq!(esc.status, 403);
    assert!(esc.message().contains("only full administrators grant or remove the Administrator profile"), "{:?}", esc.body);
    // Nor change a full administrator's account, even one inside their companies.
    let (root2, _) = app.onboard("Root Two", "root2@example.com", PW, "administrator", &[&acme], &dept).await;
    assert_eq!(app.call_with(&delegate, "GET", &format!("/api/users/{root2}"), None).await.status, 200, "visible");
    let touch = app.call_with(&delegate, "POST", &format!("/api/users/{root2}/status"), Some(json!({ "status": "inactive" }))).await;
    assert_eq!(touch.status, 403, "{:?}", touch.body);
    assert!(touch.message().contains("only full administrators"));
    // The first administrator also holds Globex: out of the delegate's sight entirely.
    let admin_id = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let hidden = app.call_with(&delegate, "POST", &format!("/api/users/{admin_id}/status"), Some(json!({ "status": "inactive" }))).await;
    assert_eq!(hidden.status, 404);
}

#[tokio::test]
async fn forgot_password_answers_the_same_and_the_reset_link_signs_out_other_sessions() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let (_, fay) = app.onboard("Fay Fox", "fay@example.com", PW, "manager", &[&company], &dept).await;
    let known = app.call_with(&new_client(), "POST", "/api/auth/forgot", Some(json!({ "email": "fay@example.com" }))).await;
    let unknown = app.call_with(&new_client(), "POST", "/api/auth/forgot", Some(json!({ "email": "nobody@example.com" }))).await;
    assert_eq!(known.status, 200);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    let mails = app.mails_to("fay@example.com", 2).await;
    let token = TestApp::token_of(&TestApp::link_in(mails.last().unwrap(), "/reset/"));
    let browser = new_client();
    let done = app.call_with(&browser, "POST", "/api/links/complete", Some(json!({ "token": token, "password": "a brand new passphrase" }))).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    assert_eq!(app.call_with(&fay, "GET", "/api/auth/me", None).await.status, 401, "the older session ended");
    assert_eq!(app.call_with(&browser, "GET", "/api/auth/me", None).await.status, 200);
    assert_eq!(app.sign_in_with(&new_client(), "fay@example.com", PW).await.status, 401);
    assert_eq!(app.sign_in_with(&new_client(), "fay@example.com", "a brand new passphrase").await.status, 200);
    let all = app.mails_to("fay@example.com", 3).await;
    assert!(all.iter().any(|m| m.contains("Your CRM password was changed")));
}

#[tokio::test]
async fn an_admin_sets_a_temporary_password_that_must_be_replaced_at_next_sign_in() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let (id, gil) = app.onboard("Gil Green", "gil@example.com", PW, "manager", &[&company], &dept).await;
    let weak = app.post(&format!("/api/users/{id}/password"), json!({ "change": { "Temporary": "short" } })).await;
    assert_eq!(weak.status, 422);
    let set = app.post(&format!("/api/users/{id}/password"), json!({ "change": { "Temporary": "temporary lantern keys" } })).await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    // Every session of the user ended; the audit says what happened, never the password.
    assert_eq!(app.call_with(&gil, "GET", "/api/auth/me", None).await.status, 401);
    let audit: Vec<serde_json::Value> = app.state.db.query("SELECT * FROM audit WHERE action = 'user.temporary_password';", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(audit.len(), 1);
    assert!(!serde_json::to_string(&audit).unwrap().contains("temporary lantern keys"));
    // Signing in with it works, but nothing else does until a new password is chosen.
    let browser = new_client();
    let s = app.sign_in_with(&browser, "gil@example.com", "temporary lantern keys").await;
    assert_eq!(s.status, 200);
    assert_eq!(s.body["must_change_password"], true);
    let blocked = app.call_with(&browser, "GET", "/api/auth/me", None).await;
    assert_eq!(blocked.status, 403);
    assert!(blocked.message().contains("choose a new password first"));
    let wrong = app.call_with(&browser, "POST", "/api/account/password", Some(json!({ "current": "nope", "password": "my own fine passphrase" }))).await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.field_message("current").is_some());
    let ok = app.call_with(&browser, "POST", "/api/account/password", Some(json!({ "current": "temporary lantern keys", "password": "my own fine passphrase" }))).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(app.call_with(&browser, "GET", "/api/auth/me", None).await.status, 200, "this session stays");
    assert_eq!(app.sign_in_with(&new_client(), "gil@example.com", "my own fine passphrase").await.status, 200);
    let mails = app.mails_to("gil@example.com", 3).await;
    assert!(mails.iter().filter(|m| m.contains("Your CRM password was changed")).count() >= 2);
}

#[tokio::test]
async fn sessions_are_listed_and_ended_one_or_all() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let (id, hal) = app.onboard("Hal Hill", "hal@example.com", PW, "manager", &[&company], &dept).await;
    let second = new_client();
    app.sign_in_with(&second, "hal@example.com", PW).await;
    let list = app.get(&format!("/api/users/{id}/sessions")).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    let sessions = list.body.as_array().unwrap().clone();
    assert_eq!(sessions.len(), 2);
    assert!(!list.body.to_string().contains("token"), "no token or hash in the list");
    let one = sessions[0]["id"].as_str().unwrap().to_string();
    let end = app.post(&format!("/api/users/{id}/sessions/end"), json!({ "session": one })).await;
    assert_eq!(end.status, 200);
    let alive: Vec<u16> = futures_status(&app, &[&hal, &second]).await;
    assert_eq!(alive.iter().filter(|s| **s == 200).count(), 1, "one of the two sessions ended: {alive:?}");
    let all = app.post(&format!("/api/users/{id}/sessions/end"), json!({ "session": null })).await;
    assert_eq!(all.status, 200);
    assert_eq!(futures_status(&app, &[&hal, &second]).await, vec![401, 401]);
    // A user sees their own sessions, but not someone else's without Users access.
    let (_, ivy) = app.onboard("Ivy Ink", "ivy@example.com", PW, "manager", &[&company], &dept).await;
    let ivy_id = app.call_with(&ivy, "GET", "/api/auth/me", None).await.body["id"].as_str().unwrap().to_string();
    assert_eq!(app.call_with(&ivy, "GET", &format!("/api/users/{ivy_id}/sessions"), None).await.status, 200);
    assert_eq!(app.call_with(&ivy, "GET", &format!("/api/users/{id}/sessions"), None).await.status, 404, "out of reach reads as absent");
}

async fn futures_status(app: &TestApp, clients: &[&reqwest::Client]) -> Vec<u16> {
    let mut out = Vec::new();
    for c in clients {
        out.push(app.call_with(c, "GET", "/api/auth/me", None).await.status);
    }
    out
}

#[tokio::test]
async fn the_audit_log_filters_and_exports_csv_and_the_activity_shows_one_user() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let (id, _) = app.onboard("Jo Jones", "jo@example.com", PW, "manager", &[&company], &dept).await;
    app.post(&format!("/api/users/{id}/status"), json!({ "status": "inactive" })).await;
    let all = app.post("/api/audit/search", json!({ "query": {} })).await;
    assert_eq!(all.status, 200, "{:?}", all.body);
    assert!(all.body["total"].as_u64().unwrap() >= 4);
    let by_action = app.post("/api/audit/search", json!({ "query": { "action": "user.deactivate" } })).await;
    assert_eq!(by_action.body["total"], 1);
    assert_eq!(by_action.body["items"][0]["before"]["status"], "active");
    assert_eq!(by_action.body["items"][0]["after"]["status"], "inactive");
    assert_eq!(by_action.body["items"][0]["actor_name"], ADMIN_NAME);
    let by_target = app.post("/api/audit/search", json!({ "query": { "target": "JO@example" } })).await;
    assert!(by_target.body["total"].as_u64().unwrap() >= 3);
    let future = app.post("/api/audit/search", json!({ "query": { "from": 32503680000000i64 } })).await;
    assert_eq!(future.body["total"], 0);
    let csv = app.post("/api/audit/export", json!({ "query": { "action": "user." } })).await;
    assert_eq!(csv.status, 200);
    let text = csv.body.as_str().unwrap();
    assert!(text.starts_with("time_utc,actor,actor_name,action,"));
    assert!(text.contains("user.deactivate") && text.contains("user.invite"));
    assert!(!text.contains("auth.sign_in"), "the filter applies to the export");
    let activity = app.get(&format!("/api/users/{id}/activity")).await;
    assert_eq!(activity.status, 200);
    let actions: Vec<&str> = activity.body.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"user.invite") && actions.contains(&"user.activated") && actions.contains(&"user.deactivate"), "{actions:?}");
    // The export itself is audited.
    assert_eq!(app.post("/api/audit/search", json!({ "query": { "action": "audit.export" } })).await.body["total"], 1);
}

#[tokio::test]
async fn the_list_follows_changes_written_by_another_instance_and_filters_by_license() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, dept) = app.defaults().await;
    let a = app.invite(&app.client, "Nora North", "nora@example.com", "manager", &[&company], &dept).await;
    let id = a.body["id"].as_str().unwrap().to_string();
    let page = |q: serde_json::Value| app.post("/api/users/search", json!({ "query": q }));
    assert_eq!(page(json!({ "search": "nora" })).await.body["total"], 1);
    // Another instance renames and activates her: a write straight to the database, which this
    // instance learns of only through the change feed.
    app.state
        .db
        .query(
            "UPDATE type::record('user', $id) SET full_name = 'Nora South', search_text = 'nora south nora@example.com', status = 'active';",
            json!({ "id": id }),
        )
        .await
        .unwrap();
    let renamed = page(json!({ "search": "south", "status": "active" })).await;
    assert_eq!(renamed.body["total"], 1, "{:?}", renamed.body);
    assert_eq!(renamed.body["items"][0]["full_name"], "Nora South");
    assert_eq!(page(json!({ "search": "north" })).await.body["total"], 0);
    // License filter.
    let lic = app.post("/api/licenses", json!({ "id": null, "name": "Sales", "seats": 5, "modules": ["Opportunities"] })).await;
    assert_eq!(lic.status, 200, "{:?}", lic.body);
    let license = lic.body.as_str().unwrap().to_string();
    assert_eq!(page(json!({ "license": license })).await.body["total"], 0);
    assert_eq!(app.post(&format!("/api/users/{id}/licenses"), json!({ "licenses": [license] })).await.status, 200);
    let holders = page(json!({ "license": license })).await;
    assert_eq!(holders.body["total"], 1);
    assert_eq!(holders.body["items"][0]["full_name"], "Nora South");
}

#[tokio::test]
async fn the_dashboard_counts_only_the_viewers_reach_and_names_stale_accounts() {
    let app = spawn_app().await;
    app.set_up().await;
    let (acme, dept) = app.defaults().await;
    let globex = app.post("/api/companies", json!({ "name": "Globex" })).await.body["id"].as_str().unwrap().to_string();
    let user_admin = app.define_role("User admin", &[("Users", "View", "All"), ("Users", "Edit", "All")]).await;
    let (_, delegate) = app.onboard("Dee Legate", "dee@example.com", PW, &user_admin, &[&acme], &dept).await;
    let (gus, _) = app.onboard("Gus Globex", "gus@example.com", PW, "manager", &[&globex], &dept).await;
    let (al, _) = app.onboard("Al Acme", "al@example.com", PW, "manager", &[&acme], &dept).await;
    // Al last signed in 100 days ago.
    app.state
        .db
        .query("UPDATE type::record('user', $id) SET last_sign_in_at = time::millis(time::now()) - 100 * 86400000;", json!({ "id": al }))
        .await
        .unwrap();

    let mine = app.get("/api/dashboard").await;
    assert_eq!(mine.status, 200, "{:?}", mine.body);
    assert_eq!(mine.body["total_users"], 4);
    assert!(mine.body.to_string().contains("gus@example.com"), "the full admin sees Globex's sign-ins");
    assert_eq!(mine.body["stale_total"], 1);
    assert_eq!(mine.body["stale"][0]["full_name"], "Al Acme");
    assert!(mine.body["users_with_conflicts"].is_u64());

    let theirs = app.call_with(&delegate, "GET", "/api/dashboard", None).await;
    assert_eq!(theirs.status, 200, "{:?}", theirs.body);
    // Dee and Al: not Gus of Globex, nor Ada, who also holds Globex (she created it).
    assert_eq!(theirs.body["total_users"], 2);
    assert!(!theirs.body.to_string().contains("gus@example.com") && !theirs.body.to_string().contains(&gus));
    assert_eq!(theirs.body["companies"], 1);
    assert!(theirs.body["users_with_conflicts"].is_null(), "no View on Roles & Profiles");

    // Failed sign-ins of the last day, each attempt counted, within reach: two against Al (Acme;
    // a third would lock the pair), two against Gus (Globex), one against an unknown email.
    assert_eq!(mine.body["failed_sign_ins_24h"], 0);
    for (email, times) in [("al@example.com", 2), ("gus@example.com", 2), ("nobody@example.com", 1)] {
        for _ in 0..times {
            assert_eq!(app.sign_in_with(&new_client(), email, "not the password at all").await.status, 401);
        }
    }
    assert_eq!(app.get("/api/dashboard").await.body["failed_sign_ins_24h"], 5, "all of them, the unknown email included");
    assert_eq!(app.call_with(&delegate, "GET", "/api/dashboard", None).await.body["failed_sign_ins_24h"], 2, "only Al's");

    // An invitation whose link lapses within a day is counted; one with three days left is not.
    let soon = app.invite(&app.client, "Sue Soon", "sue@example.com", "manager", &[&acme], &dept).await.body["id"].as_str().unwrap().to_string();
    app.invite(&app.client, "Lou Later", "lou@example.com", "manager", &[&acme], &dept).await;
    assert_eq!(app.get("/api/dashboard").await.body["invitations_expiring"], 0);
    app.state
        .db
        .query(
            "UPDATE link_token SET expires_at = time::millis(time::now()) + 3600000 WHERE user = type::record('user', $id);",
            json!({ "id": soon }),
        )
        .await
        .unwrap();
    assert_eq!(app.get("/api/dashboard").await.body["invitations_expiring"], 1);
    assert_eq!(app.call_with(&delegate, "GET", "/api/dashboard", None).await.body["invitations_expiring"], 1);
}

#[tokio::test]
async fn bulk_assign_role_and_company_use_the_edit_checks_one_user_at_a_time() {
    let app = spawn_app().await;
    app.set_up().await;
    let (acme, dept) = app.defaults().await;
    let globex = app.post("/api/companies", json!({ "name": "Globex" })).await.body["id"].as_str().unwrap().to_string();
    let helper = app.define_role("Helper", &[("Tasks", "View", "Own")]).await;
    let a = app.invite(&app.client, "Amy Alpha", "amy@example.com", "manager", &[&acme], &dept).await.body["id"].as_str().unwrap().to_string();
    let b = app.invite(&app.client, "Bob Beta", "bob@example.com", "manager", &[&acme], &dept).await.body["id"].as_str().unwrap().to_string();
    let me = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();

    let roles = app.post("/api/users/bulk", json!({ "ids": [a, b], "action": { "AssignRole": helper } })).await;
    assert_eq!(roles.status, 200, "{:?}", roles.body);
    assert_eq!(roles.body["done"], 2);
    for id in [&a, &b] {
        assert_eq!(app.get(&format!("/api/users/{id}")).await.body["role"]["id"], helper.as_str());
        assert!(app.audit_actions(id).await.contains(&"user.update".to_string()));
    }
    // The last full administrator keeps the Administrator role: refused for her, done for the rest.
    let lockout = app.post("/api/users/bulk", json!({ "ids": [me, a], "action": { "AssignRole": "manager" } })).await;
    assert_eq!(lockout.body["done"], 1);
    assert_eq!(lockout.body["refused"][0][0], me.as_str());
    assert_eq!(app.get(&format!("/api/users/{me}")).await.body["role"]["id"], "administrator");

    let company = app.post("/api/users/bulk", json!({ "ids": [a, b], "action": { "AddCompany": globex } })).await;
    assert_eq!(company.body["done"], 2, "{:?}", company.body);
    let companies: Vec<String> =
        app.get(&format!("/api/users/{b}")).await.body["companies"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    assert!(companies.contains(&acme) && companies.contains(&globex), "{companies:?}");
    // A company that does not exist is refused for each, nothing changes.
    let bad = app.post("/api/users/bulk", json!({ "ids": [a], "action": { "AddCompany": "nope" } })).await;
    assert_eq!(bad.body["done"], 0);
}
