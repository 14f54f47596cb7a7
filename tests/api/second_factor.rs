//! Second factors over HTTP: an authenticator app set up and used, codes that count once (on
//! two instances over one database too), recovery codes, a role that requires a second factor,
//! step-up after ten minutes, and an administrator's reset.

use gatehouse::server::totp;
use serde_json::{json, Value};

use crate::helpers::*;

/// The code an authenticator app shows now, `offset` steps away (±1 is accepted as drift).
fn code(secret: &str, offset: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    totp::code_at(&totp::decode(secret).unwrap(), totp::step_of(now) + offset)
}

/// Sets up an authenticator app for the user signed in on `client`; returns its secret and the
/// recovery codes.
async fn enrol(app: &TestApp, client: &reqwest::Client) -> (String, Vec<String>) {
    let start = app.call_with(client, "POST", "/api/account/totp/start", Some(json!({}))).await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let secret = start.body["secret"].as_str().unwrap().to_string();
    assert_eq!(totp::decode(&secret).unwrap().len(), 20, "160-bit secret");
    assert!(start.body["uri"].as_str().unwrap().starts_with("otpauth://totp/Gatehouse:"));
    assert!(start.body["qr_svg"].as_str().unwrap().contains("<svg"));
    // The code of the step before now: the next sign-in's code (this step's) is then newer.
    let done = app.call_with(client, "POST", "/api/account/totp/confirm", Some(json!({ "code": code(&secret, -1) }))).await;
    assert_eq!(done.status, 200, "{:?}", done.body);
    let codes: Vec<String> = done.body.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    (secret, codes)
}

async fn finish(app: &TestApp, client: &reqwest::Client, code: &str) -> Answer {
    app.call_with(client, "POST", "/api/auth/second-factor", Some(json!({ "code": code }))).await
}

#[tokio::test]
async fn an_authenticator_app_is_set_up_then_asked_for_at_every_sign_in_and_each_code_counts_once() {
    let app = spawn_app().await;
    app.set_up().await;
    let me = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let wrong = app.post("/api/account/totp/start", json!({})).await;
    assert_eq!(wrong.status, 200);
    let bad = app.post("/api/account/totp/confirm", json!({ "code": "000000" })).await;
    assert_eq!(bad.status, 422, "a wrong first code sets up nothing: {:?}", bad.body);
    let (secret, recovery) = enrol(&app, &app.client).await;
    assert_eq!(recovery.len(), 10);
    let status = app.get(&format!("/api/users/{me}/second-factor")).await;
    assert_eq!(status.body["recovery_left"], 10);
    assert!(status.body["totp_since"].is_i64());
    assert!(status.body.get("secret").is_none() && !status.body.to_string().contains(&secret), "the secret never goes back");
    assert!(app.mails_to(ADMIN_EMAIL, 1).await.iter().any(|m| m.contains("An authenticator app was added")));

    // The password alone no longer signs in: the session waits for the code and can do nothing.
    let phone = new_client();
    let a = app.sign_in_with(&phone, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(a.status, 200, "{:?}", a.body);
    assert_eq!(a.body["second_factor_pending"], true);
    let blocked = app.call_with(&phone, "POST", "/api/users/search", Some(json!({ "query": {} }))).await;
    assert_eq!((blocked.status, blocked.error_kind().as_str()), (401, "SecondFactorNeeded"));
    let session = app.call_with(&phone, "GET", "/api/session", None).await;
    assert_eq!(session.body["me"]["second_factor_pending"], true);
    assert_eq!(session.body["me"]["modules"], json!([]), "no menu before the code");

    let wrong = finish(&app, &phone, "123456").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.field_message("code").unwrap().contains("not right"));
    let now = code(&secret, 0);
    let ok = finish(&app, &phone, &now).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ok.body["second_factor_pending"], false);
    assert_eq!(app.call_with(&phone, "POST", "/api/users/search", Some(json!({ "query": {} }))).await.status, 200);
    let sessions = app.call_with(&phone, "GET", &format!("/api/users/{me}/sessions"), None).await;
    let current = sessions.body.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap().clone();
    assert_eq!(current["auth_method"], "password_totp");

    // The same code again, from another browser: refused, it was used.
    let laptop = new_client();
    app.sign_in_with(&laptop, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let again = finish(&app, &laptop, &now).await;
    assert_eq!(again.status, 422, "{:?}", again.body);
    assert!(again.field_message("code").unwrap().contains("already used"));
    // A recovery code works once.
    let rc = recovery.first().unwrap().to_uppercase();
    let by_code = finish(&app, &laptop, &rc).await;
    assert_eq!(by_code.status, 200, "{:?}", by_code.body);
    let tablet = new_client();
    app.sign_in_with(&tablet, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let reused = finish(&app, &tablet, &rc).await;
    assert_eq!(reused.status, 422, "{:?}", reused.body);
    assert_eq!(app.call_with(&tablet, "GET", &format!("/api/users/{me}/second-factor"), None).await.status, 401);
    assert_eq!(app.get(&format!("/api/users/{me}/second-factor")).await.body["recovery_left"], 9);
    assert!(app.mails_to(ADMIN_EMAIL, 2).await.iter().any(|m| m.contains("A recovery code was used")));
    let actions = app.audit_actions(&me).await;
    for expected in ["second_factor.added", "auth.second_factor_failed", "second_factor.recovery_used"] {
        assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
    }
}

#[tokio::test]
async fn a_code_accepted_on_one_instance_is_refused_on_another() {
    let app = spawn_app().await;
    app.set_up().await;
    let (secret, _) = enrol(&app, &app.client).await;
    let other = spawn_second_instance(&app).await;
    let (a, b) = (new_client(), new_client());
    assert_eq!(app.sign_in_with(&a, ADMIN_EMAIL, ADMIN_PASSWORD).await.body["second_factor_pending"], true);
    assert_eq!(other.sign_in_with(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await.body["second_factor_pending"], true);
    let now = code(&secret, 0);
    // Both at once: exactly one instance accepts the code.
    let (ra, rb) = tokio::join!(finish(&app, &a, &now), finish(&other, &b, &now));
    let accepted = [ra.status, rb.status].iter().filter(|s| **s == 200).count();
    assert_eq!(accepted, 1, "one acceptance: {:?} / {:?}", ra.body, rb.body);
    let refused = if ra.status == 200 { rb } else { ra };
    assert!(matches!(refused.status, 422 | 429), "{:?}", refused.body);
}

#[tokio::test]
async fn a_role_that_requires_a_second_factor_sends_its_people_to_set_one_up_first() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, department) = app.defaults().await;
    let role = app.define_role("Sales", &[("Leads", "View", "Own")]).await;
    let (rita, rita_client) = app.onboard("Rita Rep", "rita@example.com", "quiet harbour morning tea", &role, &[&company], &department).await;
    assert_eq!(app.call_with(&rita_client, "GET", "/api/auth/me", None).await.status, 200, "not required yet");

    let set = app.post("/api/second-factor/policy", json!({ "role": role, "required": true })).await;
    assert_eq!(set.status, 200, "{:?}", set.body);
    assert_eq!(set.body["missing"], 1, "Rita must and has not (the administrator is not required)");
    let dash = app.get("/api/dashboard").await;
    assert_eq!((dash.body["second_factor_missing"].as_u64(), dash.body["second_factor_on"].as_u64()), (Some(1), Some(0)));
    let users = app.post("/api/users/search", json!({ "query": { "second_factor": "missing" } })).await;
    let names: Vec<&str> = users.body["items"].as_array().unwrap().iter().map(|u| u["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Rita Rep"]);
    assert_eq!(users.body["items"][0]["second_factor_required"], true);

    // Her open session, at its next request: nothing but enrolment.
    let me = app.call_with(&rita_client, "GET", "/api/auth/me", None).await;
    assert_eq!((me.status, me.error_kind().as_str()), (403, "EnrolmentNeeded"));
    let session = app.call_with(&rita_client, "GET", "/api/session", None).await;
    assert_eq!(session.body["me"]["must_enrol"], true);
    // A sign-in goes the same way.
    let fresh = new_client();
    let a = app.sign_in_with(&fresh, "rita@example.com", "quiet harbour morning tea").await;
    assert_eq!(a.body["must_enrol"], true);
    assert_eq!(app.call_with(&fresh, "GET", "/api/auth/me", None).await.error_kind(), "EnrolmentNeeded");
    let off = app.call_with(&fresh, "POST", "/api/account/second-factor/off", Some(json!({}))).await;
    assert_eq!(off.status, 403);
    enrol(&app, &fresh).await;
    assert_eq!(app.call_with(&fresh, "GET", "/api/auth/me", None).await.status, 200);
    let status = app.call_with(&fresh, "GET", &format!("/api/users/{rita}/second-factor"), None).await;
    assert_eq!(status.body["required_by"], "the Sales role");
    let off = app.call_with(&fresh, "POST", "/api/account/second-factor/off", Some(json!({}))).await;
    assert_eq!(off.status, 403, "required: it cannot be turned off");
    assert!(off.message().contains("the Sales role"), "{}", off.message());
    let users = app.post("/api/users/search", json!({ "query": { "second_factor": "missing" } })).await;
    assert_eq!(users.body["total"], 0);
    let dash = app.get("/api/dashboard").await;
    assert_eq!((dash.body["second_factor_missing"].as_u64(), dash.body["second_factor_on"].as_u64()), (Some(0), Some(1)));
}

#[tokio::test]
async fn sensitive_changes_need_a_sign_in_or_confirmation_within_ten_minutes() {
    let app = spawn_app().await;
    app.set_up().await;
    let me = app.get("/api/auth/me").await.body["id"].as_str().unwrap().to_string();
    let eleven_minutes_ago = gatehouse::server::time::now_ms() - 11 * 60_000;
    app.state
        .db
        .query(
            "UPDATE session SET authenticated_at = $t WHERE user = type::record('user', $u);",
            json!({ "t": eleven_minutes_ago, "u": me }),
        )
        .await
        .unwrap();
    let stale = app.post("/api/account/totp/start", json!({})).await;
    assert_eq!((stale.status, stale.error_kind().as_str()), (401, "StepUpNeeded"), "{:?}", stale.body);
    assert_eq!(app.get("/api/auth/me").await.status, 200, "the session itself goes on");
    // Handing out full administration needs it too.
    let (company, department) = app.defaults().await;
    let invite = app.invite(&app.client, "New Admin", "newadmin@example.com", "administrator", &[&company], &department).await;
    assert_eq!(invite.error_kind(), "StepUpNeeded", "{:?}", invite.body);
    let wrong = app.post("/api/auth/confirm", json!({ "password": "not my password at all", "code": Value::Null })).await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.field_message("password").is_some());
    let ok = app.post("/api/auth/confirm", json!({ "password": ADMIN_PASSWORD, "code": Value::Null })).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let invite = app.invite(&app.client, "New Admin", "newadmin@example.com", "administrator", &[&company], &department).await;
    assert_eq!(invite.status, 200, "{:?}", invite.body);
    let (secret, _) = enrol(&app, &app.client).await;

    // With a second factor, a confirmation needs its code too.
    app.state
        .db
        .query("UPDATE session SET authenticated_at = $t WHERE user = type::record('user', $u);", json!({ "t": eleven_minutes_ago, "u": me }))
        .await
        .unwrap();
    assert_eq!(app.post("/api/account/recovery-codes", json!({})).await.error_kind(), "StepUpNeeded");
    let no_code = app.post("/api/auth/confirm", json!({ "password": ADMIN_PASSWORD, "code": Value::Null })).await;
    assert!(no_code.field_message("code").is_some(), "{:?}", no_code.body);
    let ok = app.post("/api/auth/confirm", json!({ "password": ADMIN_PASSWORD, "code": code(&secret, 0) })).await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    let renewed = app.post("/api/account/recovery-codes", json!({})).await;
    assert_eq!(renewed.status, 200);
    assert_eq!(renewed.body.as_array().unwrap().len(), 10);
    assert!(app.audit_actions(&me).await.iter().any(|a| a == "auth.reauthenticated"));
}

#[tokio::test]
async fn an_administrator_resets_a_lost_second_factor_and_the_user_is_signed_out_and_told() {
    let app = spawn_app().await;
    app.set_up().await;
    let (company, department) = app.defaults().await;
    let (nora, nora_client) = app.onboard("Nora North", "nora@example.com", "quiet harbour morning tea", "administrator", &[&company], &department).await;
    enrol(&app, &nora_client).await;
    let reset = app.post(&format!("/api/users/{nora}/second-factor/reset"), json!({})).await;
    assert_eq!(reset.status, 200, "{:?}", reset.body);
    assert_eq!(app.call_with(&nora_client, "GET", "/api/auth/me", None).await.status, 401, "signed out everywhere");
    assert!(app.mails_to("nora@example.com", 3).await.iter().any(|m| m.contains("reset the second factor")));
    let again = new_client();
    let a = app.sign_in_with(&again, "nora@example.com", "quiet harbour morning tea").await;
    assert_eq!(a.body["second_factor_pending"], false, "password only until she sets it up again");
    let twice = app.post(&format!("/api/users/{nora}/second-factor/reset"), json!({})).await;
    assert_eq!(twice.status, 409);
    assert!(app.audit_actions(&nora).await.iter().any(|a| a == "second_factor.reset"));
}

#[tokio::test]
async fn passkeys_need_a_named_host_and_their_ceremonies_live_in_the_database() {
    // The test server's public URL is an IP address, which cannot be a WebAuthn relying party.
    let app = spawn_app().await;
    app.set_up().await;
    let refused = app.post("/api/account/passkeys/start", json!({ "name": "Laptop" })).await;
    assert_eq!(refused.status, 409);
    assert!(refused.message().contains("not an IP address"), "{}", refused.message());
    let unnamed = app.post("/api/account/passkeys/start", json!({ "name": "  " })).await;
    assert!(unnamed.field_message("name").is_some(), "{:?}", unnamed.body);

    let app = spawn_app_with(|s| s.public_url = "http://localhost:8080".into()).await;
    app.set_up().await;
    let start = app.post("/api/account/passkeys/start", json!({ "name": "Laptop" })).await;
    assert_eq!(start.status, 200, "{:?}", start.body);
    let options = &start.body["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], ADMIN_EMAIL);
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
    // A forged answer is refused, and the ceremony cannot be tried twice.
    let ceremony = start.body["ceremony"].as_str().unwrap().to_string();
    let forged = json!({ "ceremony": ceremony, "credential": { "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": { "attestationObject": "AAAA", "clientDataJSON": "AAAA" }, "extensions": {} } });
    let a = app.post("/api/account/passkeys/finish", forged.clone()).await;
    assert_eq!(a.status, 400, "{:?}", a.body);
    assert!(a.message().contains("did not check out"));
    assert_eq!(app.post("/api/account/passkeys/finish", forged).await.status, 409, "used once");

    // "Sign in with a passkey" (public): any passkey of this site; started on one instance,
    // answered on another (the ceremony is in the database, not in a process).
    let browser = new_client();
    let begin = app.call_with(&browser, "POST", "/api/auth/passkey/start", Some(json!({}))).await;
    assert_eq!(begin.status, 200, "{:?}", begin.body);
    assert_eq!(begin.body["options"]["publicKey"]["allowCredentials"], json!([]));
    let other = spawn_second_instance(&app).await;
    let answer = json!({ "ceremony": begin.body["ceremony"], "credential": { "id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": { "authenticatorData": "AAAA", "clientDataJSON": "AAAA", "signature": "AAAA", "userHandle": null }, "extensions": {} } });
    let b = other.call_with(&browser, "POST", "/api/auth/passkey/finish", Some(answer)).await;
    assert_eq!(b.status, 400, "found the ceremony, refused the forged answer: {:?}", b.body);
    assert_eq!(other.call_with(&browser, "GET", "/api/auth/me", None).await.status, 401);
}
