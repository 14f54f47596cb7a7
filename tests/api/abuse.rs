//! Sign-in that holds under abuse: a burst of guesses locks like a sequence, only JSON from this
//! site and of a sane size is read, reset links and current-password guesses are limited.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_burst_of_wrong_passwords_locks_the_account_like_a_sequence_would() {
    let app = spawn_app().await;
    app.set_up().await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let (client, base) = (new_client(), app.base.clone());
        tasks.push(tokio::spawn(async move {
            let r = client
                .post(format!("{base}/api/auth/sign-in"))
                .json(&json!({ "email": ADMIN_EMAIL, "password": format!("wrong guess number {i}") }))
                .send()
                .await;
            r.map(|r| r.status().as_u16()).unwrap_or(0)
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| matches!(s, 401 | 429)), "every guess answered as a wrong password or a lock: {statuses:?}");
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 3, "only the free attempts were checked, not the whole burst: {statuses:?}");
    let right = app.sign_in_with(&new_client(), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(right.status, 429, "after the burst the account is locked, the right password too: {:?}", right.body);
}

#[tokio::test]
async fn only_json_sent_from_this_site_and_of_a_sane_size_is_read() {
    let app = spawn_app().await;
    app.set_up().await;
    let c = new_client();
    let url = format!("{}/api/auth/sign-in", app.base);
    let creds = json!({ "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD });
    let text = c.post(&url).header("content-type", "text/plain").body(creds.to_string()).send().await.unwrap();
    assert_eq!(text.status(), 415, "a text/plain body is not read");
    let cross = c.post(&url).header("origin", "https://evil.example").json(&creds).send().await.unwrap();
    assert_eq!(cross.status(), 403, "a sign-in posted from another site is refused (login CSRF)");
    let cross_referer = c.post(&url).header("referer", "https://evil.example/login").json(&creds).send().await.unwrap();
    assert_eq!(cross_referer.status(), 403);
    let same = c.post(&url).header("origin", app.base.clone()).json(&creds).send().await.unwrap();
    assert_eq!(same.status(), 200, "the app's own pages are welcome");
    let big = format!("{{\"full_name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let huge = c.post(format!("{}/api/setup", app.base)).header("content-type", "application/json").body(big).send().await.unwrap();
    assert_eq!(huge.status(), 413, "a 3 MB body is refused before it is read");
}

#[tokio::test]
async fn reset_links_are_limited_per_account_and_per_address() {
    let app = spawn_app().await;
    app.set_up().await;
    let c = new_client();
    let forgot = |email: &str| app.call_with(&c, "POST", "/api/auth/forgot", Some(json!({ "email": email })));
    for _ in 0..5 {
        assert_eq!(forgot(ADMIN_EMAIL).await.status, 200, "the answer never tells");
    }
    app.mails_to(ADMIN_EMAIL, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
    let sent = app.mails_to(ADMIN_EMAIL, 1).await.iter().filter(|m| m.contains("/reset/")).count();
    assert_eq!(sent, 3, "one account gets at most three reset links an hour");
    for i in 0..5 {
        assert_eq!(forgot(&format!("nobody{i}@example.com")).await.status, 200);
    }
    let limited = forgot("someone.else@example.com").await;
    assert_eq!(limited.status, 429, "one address asks for at most ten an hour: {:?}", limited.body);
}

#[tokio::test]
async fn guesses_of_the_current_password_inside_a_session_are_throttled() {
    let app = spawn_app().await;
    app.set_up().await;
    let guess = |current: &str| app.post("/api/account/password", json!({ "current": current, "password": "a brand new passphrase here" }));
    assert_eq!(guess("not my password one").await.status, 422);
    assert_eq!(guess("not my password two").await.status, 422);
    assert_eq!(guess("not my password three").await.status, 429);
    let right = guess(ADMIN_PASSWORD).await;
    assert_eq!(right.status, 429, "locked for a while, even with the right one: {:?}", right.body);
}
