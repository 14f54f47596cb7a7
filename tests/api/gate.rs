//! Deny by default: every registered server function outside the public list answers 401
//! without a session, whatever it is sent.

use serde_json::json;

use crate::helpers::*;

/// The public list, written out here on purpose: adding a public endpoint must change this test.
const EXPECTED_PUBLIC: &[(&str, &str)] = &[
    ("GET", "/api/session"),
    ("POST", "/api/setup"),
    ("POST", "/api/auth/sign-in"),
    ("POST", "/api/auth/passkey/start"),
    ("POST", "/api/auth/passkey/finish"),
    ("POST", "/api/auth/forgot"),
    ("POST", "/api/links/info"),
    ("POST", "/api/links/complete"),
];

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') && seg.ends_with('}') { "x0x0x0x0x0x0x0x0x0x0" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn the_public_list_is_exactly_the_expected_one() {
    let mut listed: Vec<(&str, &str)> = gatehouse::server::http::PUBLIC_ENDPOINTS.to_vec();
    listed.sort();
    let mut expected = EXPECTED_PUBLIC.to_vec();
    expected.sort();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn every_endpoint_outside_the_public_list_needs_a_session() {
    let app = spawn_app().await;
    app.set_up().await; // a populated installation: nothing is refused just for being empty
    let anonymous = new_client();
    let routes = dioxus::server::ServerFunction::collect();
    assert!(routes.len() >= 6, "server functions are registered: {}", routes.len());
    let mut checked = 0;
    for f in routes {
        let method = f.method().to_string();
        let path = concrete(f.path());
        let public = EXPECTED_PUBLIC.iter().any(|(m, p)| *m == method && *p == f.path());
        let body = if method == "GET" { None } else { Some(json!({})) };
        let a = app.call_with(&anonymous, &method, &path, body).await;
        if public {
            assert_ne!(a.status, 401, "{method} {path} is public");
            assert_ne!(a.status, 404, "{method} {path} is registered");
        } else {
            assert_eq!(a.status, 401, "{method} {path} must refuse a caller without a session: {:?}", a.body);
            assert_eq!(a.error_kind(), "Unauthorized");
            checked += 1;
        }
        // A forged or stale cookie is no better than none.
        let forged = reqwest::Client::new();
        let url = format!("{}{}", app.base, path);
        let req = if method == "GET" { forged.get(url) } else { forged.request(method.parse().unwrap(), url).json(&json!({})) };
        let r = req.header("cookie", format!("gh_session={}", "ab".repeat(32))).send().await.unwrap();
        if !public {
            assert_eq!(r.status(), 401, "{method} {path} with a forged cookie");
        }
    }
    assert!(checked >= 3);
}

#[tokio::test]
async fn unknown_api_paths_answer_404_json() {
    let app = spawn_app().await;
    let a = app.get("/api/no-such-thing").await;
    assert_eq!(a.status, 404);
    assert_eq!(a.error_kind(), "NotFound");
}

#[tokio::test]
async fn a_malformed_body_gets_400_with_a_readable_message_not_500() {
    let app = spawn_app().await;
    // Missing fields.
    let a = app.post("/api/auth/sign-in", json!({ "email": "a@b.io" })).await;
    assert_eq!(a.status, 400, "{:?}", a.body);
    assert!(a.message().contains("could not be read"));
    assert!(!a.message().contains("missing field"), "no internal text");
    // Not JSON at all.
    let r = app.client.post(format!("{}/api/setup", app.base)).header("content-type", "application/json").body("{not json").send().await.unwrap();
    assert_eq!(r.status(), 400);
    // Wrong types.
    let b = app.post("/api/setup", json!({ "full_name": 5, "email": [], "password": null })).await;
    assert_eq!(b.status, 400);
}

#[tokio::test]
async fn health_answers_when_the_database_does() {
    let app = spawn_app().await;
    let r = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers().get("x-content-type-options").unwrap(), "nosniff");
}

/// Responses over 1 KB travel compressed when the client asks (Brotli first, else gzip), with
/// `Vary: accept-encoding`; small ones and clients that do not ask get them plain.
#[tokio::test]
async fn large_answers_are_compressed_when_the_client_asks() {
    let app = spawn_app().await;
    app.set_up().await;
    let url = format!("{}/api/admin/org", app.base);
    let ask = |encoding: &'static str| {
        let (client, url) = (app.client.clone(), url.clone());
        async move { client.get(url).header("accept-encoding", encoding).send().await.unwrap() }
    };
    let plain = ask("identity").await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let size = plain.bytes().await.unwrap().len();
    assert!(size > 1024, "the org answer is large enough to compress: {size} bytes");
    for encoding in ["br", "gzip"] {
        let res = ask(encoding).await;
        assert_eq!(res.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some(encoding));
        assert!(res.headers().get("vary").unwrap().to_str().unwrap().to_lowercase().contains("accept-encoding"));
        let sent = res.bytes().await.unwrap().len();
        assert!(sent * 3 < size, "{encoding}: {sent} bytes for {size}");
    }
    // A small answer (no API tokens yet: `[]`) is not worth it.
    let small = app.client.get(format!("{}/api/tokens", app.base)).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(small.status(), 200);
    assert!(small.headers().get("content-encoding").is_none());
}
