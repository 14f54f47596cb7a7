use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn sign_in_protected_call_sign_out_then_401() {
    let app = spawn_app().await;
    app.set_up().await;
    let browser = new_client();
    assert_eq!(app.call_with(&browser, "GET", "/api/dashboard", None).await.status, 401);

    let a = app.sign_in_with(&browser, "ADA@Example.com", ADMIN_PASSWORD).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.body["email"], ADMIN_EMAIL);
    let cookie = a.headers.get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.starts_with("gh_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "the test server's public URL is http");

    assert_eq!(app.call_with(&browser, "GET", "/api/dashboard", None).await.status, 200);
    assert_eq!(app.call_with(&browser, "GET", "/api/auth/me", None).await.body["full_name"], ADMIN_NAME);

    let out = app.call_with(&browser, "POST", "/api/auth/sign-out", Some(json!({}))).await;
    assert_eq!(out.status, 200);
    let after = app.call_with(&browser, "GET", "/api/dashboard", None).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.error_kind(), "Unauthorized");
}

#[tokio::test]
async fn sign_out_deletes_the_session_on_the_server() {
    let app = spawn_app().await;
    app.set_up().await;
    let a = app.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let cookie = a.headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    // Replaying the cookie by hand after sign-out must fail: the server forgot the session.
    let replay = reqwest::Client::new();
    let call = |c: &str| replay.get(format!("{}/api/dashboard", app.base)).header("cookie", c.to_string()).send();
    assert_eq!(call(&cookie).await.unwrap().status(), 200);
    let out = replay.post(format!("{}/api/auth/sign-out", app.base)).header("cookie", cookie.clone()).json(&json!({})).send().await.unwrap();
    assert_eq!(out.status(), 200);
    assert!(out.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(call(&cookie).await.unwrap().status(), 401);
}

#[tokio::test]
async fn each_sign_in_gets_a_new_token_and_only_its_digest_is_stored() {
    let app = spawn_app().await;
    app.set_up().await;
    let t1 = app.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let t2 = app.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let token = |a: &Answer| {
        a.headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().trim_start_matches("gh_session=").to_string()
    };
    let (a, b) = (token(&t1), token(&t2));
    assert_ne!(a, b);
    assert_eq!(a.len(), 64);
    let stored: Vec<serde_json::Value> =
        app.state.db.query("SELECT token_hash FROM session;", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(stored.len(), 3, "setup's session and two sign-ins");
    assert!(stored.iter().all(|s| s["token_hash"] != a && s["token_hash"] != b));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    app.set_up().await;
    let wrong = app.sign_in_with(&new_client(), ADMIN_EMAIL, "not the right passphrase").await;
    let unknown = app.sign_in_with(&new_client(), "nobody@example.com", "not the right passphrase").await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.error_kind(), "BadCredentials");
    // Both attempts are in the audit log.
    let failed: Vec<serde_json::Value> = app
        .state
        .db
        .query("SELECT target_label FROM audit WHERE action = 'auth.sign_in_failed' ORDER BY at;", json!({}))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(failed.len(), 2);
}

#[tokio::test]
async fn failed_sign_ins_are_counted_in_one_audit_row_per_account_and_address() {
    let app = spawn_app().await;
    app.set_up().await;
    for _ in 0..2 {
        app.sign_in_with(&new_client(), ADMIN_EMAIL, "not the right passphrase").await;
    }
    // Guesses at many unknown emails from one address: one row, not one per email.
    for n in 0..5 {
        app.sign_in_with(&new_client(), &format!("nobody{n}@example.com"), "not the right passphrase").await;
    }
    let rows: Vec<serde_json::Value> = app
        .state
        .db
        .query("SELECT target_label, after FROM audit WHERE action = 'auth.sign_in_failed' ORDER BY target_label;", json!({}))
        .await
        .unwrap()
        .all(0)
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["target_label"], ADMIN_EMAIL);
    assert_eq!(rows[0]["after"]["attempts"], 2);
    assert_eq!(rows[1]["target_label"], "an unknown account");
    assert_eq!(rows[1]["after"]["attempts"], 5);
    let log = app.post("/api/audit/search", json!({ "query": { "action": "auth.sign_in_failed" } })).await;
    let sentences: Vec<&str> = log.body["items"].as_array().unwrap().iter().map(|r| r["sentence"].as_str().unwrap()).collect();
    assert!(sentences.iter().any(|s| s.starts_with("5 sign-ins as an unknown account failed from")), "{sentences:?}");
}

#[tokio::test]
async fn a_sign_in_from_a_new_address_is_told_by_email() {
    let app = spawn_app().await;
    app.set_up().await;
    // Setup is no sign-in; the first sign-ins from the test's address are no news after the first.
    app.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    app.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // The same account from another address (as a trusted proxy reports it).
    app.state
        .db
        .query("UPDATE audit SET ip = '203.0.113.9' WHERE action = 'auth.sign_in';", json!({}))
        .await
        .unwrap();
    app.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let mails = app.mails_to(ADMIN_EMAIL, 1).await;
    assert!(mails.iter().any(|m| m.contains("A new sign-in to your CRM account")), "{mails:?}");
    assert_eq!(mails.iter().filter(|m| m.contains("A new sign-in")).count(), 1);
}

#[tokio::test]
async fn a_sign_in_on_a_new_device_is_told_by_email_and_a_known_one_is_not() {
    let app = spawn_app().await;
    app.set_up().await;
    let on = |agent: &str| reqwest::Client::builder().cookie_store(true).user_agent(agent).build().unwrap();
    let laptop = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    let phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    // The first sign-in is no news; the second on the same laptop is known.
    for _ in 0..2 {
        assert_eq!(app.sign_in_with(&on(laptop), ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    }
    // The phone, from the same address: a new device.
    assert_eq!(app.sign_in_with(&on(phone), ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    let mails = app.mails_to(ADMIN_EMAIL, 1).await;
    let notices: Vec<&String> = mails.iter().filter(|m| m.contains("A new sign-in")).collect();
    assert_eq!(notices.len(), 1, "{mails:?}");
    assert!(notices[0].contains("on a device it had not been used from before: Chrome on Android"), "{}", notices[0]);
    // The phone again, and the laptop again: both known now.
    assert_eq!(app.sign_in_with(&on(phone), ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    assert_eq!(app.sign_in_with(&on(laptop), ADMIN_EMAIL, ADMIN_PASSWORD).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mails = app.mails_to(ADMIN_EMAIL, 1).await;
    assert_eq!(mails.iter().filter(|m| m.contains("A new sign-in")).count(), 1, "{mails:?}");
    // The device is kept with each sign-in in the audit log.
    let rows: Vec<serde_json::Value> =
        app.state.db.query("SELECT VALUE after.device FROM audit WHERE action = 'auth.sign_in';", json!({})).await.unwrap().all(0).unwrap();
    assert_eq!(rows.iter().filter(|d| *d == "Chrome on Android").count(), 2, "{rows:?}");
}

#[tokio::test]
async fn sign_in_with_empty_fields_names_them() {
    let app = spawn_app().await;
    app.set_up().await;
    let a = app.sign_in_with(&new_client(), "", "").await;
    assert_eq!(a.status, 422);
    assert!(a.field_message("email").is_some());
    assert!(a.field_message("password").is_some());
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while_even_with_the_right_password() {
    let app = spawn_app().await;
    app.set_up().await;
    let browser = new_client();
    assert_eq!(app.sign_in_with(&browser, ADMIN_EMAIL, "wrong passphrase one").await.status, 401);
    assert_eq!(app.sign_in_with(&browser, ADMIN_EMAIL, "wrong passphrase two").await.status, 401);
    let third = app.sign_in_with(&browser, ADMIN_EMAIL, "wrong passphrase three").await;
    assert_eq!(third.status, 429);
    assert_eq!(third.error_kind(), "TooManyAttempts");
    let right = app.sign_in_with(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(right.status, 429, "locked: even the right password waits");
    assert!(right.message().contains("try again in"));
    let retry: u64 = right.headers.get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=5).contains(&retry));
    // Unknown emails are throttled the same way, so the lock tells nothing about who exists.
    for _ in 0..2 {
        app.sign_in_with(&browser, "ghost@example.com", "wrong passphrase").await;
    }
    assert_eq!(app.sign_in_with(&browser, "ghost@example.com", "wrong passphrase").await.status, 429);
    // The lock is temporary: once it runs out, the right password works and clears the count.
    tokio::time::sleep(std::time::Duration::from_millis(5_200)).await;
    let later = app.sign_in_with(&browser, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(later.status, 200, "{:?}", later.body);
    assert_eq!(app.sign_in_with(&browser, ADMIN_EMAIL, "wrong again").await.status, 401);
}

#[tokio::test]
async fn a_stranger_elsewhere_cannot_lock_the_owner_out() {
    let app = spawn_app_with(|s| s.trust_proxy = true).await;
    app.set_up().await;
    let from = |ip: &'static str| {
        let client = new_client();
        (client, ip)
    };
    let (stranger, stranger_ip) = from("203.0.113.7");
    for _ in 0..5 {
        stranger
            .post(format!("{}/api/auth/sign-in", app.base))
            .header("x-forwarded-for", stranger_ip)
            .json(&json!({ "email": ADMIN_EMAIL, "password": "guessing guessing" }))
            .send()
            .await
            .unwrap();
    }
    let locked = stranger
        .post(format!("{}/api/auth/sign-in", app.base))
        .header("x-forwarded-for", stranger_ip)
        .json(&json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(locked.status(), 429);
    let (owner, owner_ip) = from("198.51.100.20");
    let ok = owner
        .post(format!("{}/api/auth/sign-in", app.base))
        .header("x-forwarded-for", owner_ip)
        .json(&json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
}
