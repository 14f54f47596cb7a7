//! The HTTP side: the router (server functions, pages, assets, `/healthz`), the deny-by-default
//! gate in front of every `/api/` route, one log line per request, and the per-request context
//! that server functions read their state, caller and session from.

use std::net::SocketAddr;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use dioxus::server::{DioxusRouterExt, ServeConfig};

use super::auth::{self, Principal};
use super::state::AppState;
use crate::domain::ApiError;


pub const PUBLIC_ENDPOINTS: &[(&str, &str)] = &[
    ("GET", "/api/session"),
    ("POST", "/api/setup"),
    ("POST", "/api/auth/sign-in"),
    ("POST", "/api/auth/passkey/start"),
    ("POST", "/api/auth/passkey/finish"),
    ("POST", "/api/auth/forgot"),
    ("POST", "/api/links/info"),
    ("POST", "/api/links/complete"),
];

pub fn is_public(method: &Method, path: &str) -> bool {
    PUBLIC_ENDPOINTS.iter().any(|(m, p)| method.as_str() == *m && path_matches(p, path))
}

/// Matches a concrete path against a route pattern whose `{name}` segments match any one segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut a = pattern.trim_end_matches('/').split('/');
    let mut b = path.trim_end_matches('/').split('/');
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) if (p.starts_with('{') && p.ends_with('}') && !s.is_empty()) || p == s => {}
            _ => return false,
        }
    }
}

fn is_registered(method: &Method, path: &str) -> bool {
    dioxus::server::ServerFunction::collect()
        .iter()
        .any(|f| f.method() == *method && path_matches(f.path(), path))
}

/// Where the browser bundle comes from.
pub enum Assets {
    /// The `public/` folder beside the executable (what `dx build` makes) or `$DIOXUS_PUBLIC_PATH`;
    /// without one, pages are still rendered on the server but no WASM loads.
    FromBuild,
    /// No static files (tests of the API).
    None,
}

fn public_dir() -> Option<std::path::PathBuf> {
    let dir = match std::env::var("DIOXUS_PUBLIC_PATH") {
        Ok(p) => std::path::PathBuf::from(p),
        Err(_) => std::env::current_exe().ok()?.parent()?.join("public"),
    };
    dir.is_dir().then_some(dir)
}

pub fn router(state: AppState, assets: Assets) -> Router {
    let base = match (assets, public_dir()) {
        (Assets::FromBuild, Some(_)) => Router::new().serve_dioxus_application(ServeConfig::new(), crate::App),
        (Assets::FromBuild, None) => {
            tracing::warn!("no public/ folder beside the executable: pages render without the browser app (build with `dx build`)");
            Router::new().serve_api_application(ServeConfig::new(), crate::App)
        }
        (Assets::None, _) => Router::new().serve_api_application(ServeConfig::new(), crate::App),
    };
    base.merge(super::rest::router())
        .merge(super::scim::router())
        .route("/healthz", get(healthz))
        .layer(middleware::from_fn_with_state(state.clone(), gate))
        .layer(Extension(state.clone()))
        .layer(compression())
        .layer(middleware::from_fn_with_state(state, access_log))
}

/// Compression by `Accept-Encoding` (Brotli, else gzip, with `Vary: accept-encoding`) for
/// everything over 1 KB that is not already compressed: the WASM, scripts and styles (served as
/// their precompressed `.br` files when the build made them, see `scripts/precompress.mjs`),
/// server-rendered pages and server functions' JSON. Brotli at a fast level: on the fly it must
/// cost less than the bytes it saves.
fn compression() -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate + Clone> {
    use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(SizeAbove::new(1024)))
}

async fn healthz(Extension(state): Extension<AppState>) -> Response {
    if state.db.ping().await {
        (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], "ok").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, [(header::CACHE_CONTROL, "no-store")], "database not answering").into_response()
    }
}

/// The JSON body the typed client decodes back into an [`ApiError`].
pub fn error_response(err: &ApiError) -> Response {
    let body = serde_json::json!({ "message": err.to_string(), "code": err.status(), "data": err });
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let mut resp = (status, axum::Json(body)).into_response();
    if let ApiError::TooManyAttempts { retry_after_secs, .. } = err {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    resp
}

/// Deny by default: an `/api/` route that is not public needs a valid session, and an unknown
/// one is a 404 (not the HTML page). Bodies the framework could not decode come back as a 400
/// with a readable message instead of a 500. Every response gets the security headers.
async fn gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let mut req = req;
    let mut resp = if super::rest::is_api_path(&path) {
        // The REST API: tokens instead of sessions, problem details instead of the console's errors.
        match bounded_body(&mut req).await {
            Err(refusal) => super::rest::Problem::from(refusal).into_response(),
            Ok(()) => match refuse_unsafe_request(&state, &req) {
                Some(ApiError::TooLarge(m)) => super::rest::Problem::from(ApiError::TooLarge(m)).into_response(),
                _ => super::rest::gate(&state, req, next).await,
            },
        }
    } else if super::scim::is_scim_path(&path) {
        // SCIM provisioning: a service account's token, SCIM errors.
        match bounded_body(&mut req).await {
            Err(refusal) => super::scim::ScimError::from(refusal).into_response(),
            Ok(()) => super::scim::gate(&state, req, next).await,
        }
    } else if path.starts_with("/api/") {
        if let Some(refusal) = refuse_unsafe_request(&state, &req) {
            error_response(&refusal)
        } else if let Err(refusal) = bounded_body(&mut req).await {
            error_response(&refusal)
        } else if !is_registered(&method, &path) {
            error_response(&ApiError::NotFound(format!("no endpoint {method} {path}")))
        } else if !is_public(&method, &path) && !verify_session(&state, &mut req).await {
            error_response(&ApiError::Unauthorized)
        } else {
            let resp = next.run(req).await;
            let resp = readable_failure(resp).await;
            with_retry_after(resp).await
        }
    } else {
        with_content_security_policy(next.run(req).await).await
    };
    let h = resp.headers_mut();
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if state.settings.secure_cookies() {
        // Behind https only: browsers remember to use https for a year.
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    if path.starts_with("/api/") || super::scim::is_scim_path(&path) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Pages are read whole up to this size to list their scripts (they are a few kilobytes).
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;

/// The Content-Security-Policy of a page: scripts only from this server and the page's own
/// inline scripts by their SHA-256 (the server-rendered page carries its hydration data in
/// them), nothing from anywhere else, no plugins, no framing, no `<base>` rewriting. The WASM app
/// needs `wasm-unsafe-eval` (compiling WebAssembly) and nothing more: no text is ever run as
/// script (`'unsafe-eval'` is absent; the app reaches the browser through `ui/browser.js`, not
/// `document::eval`), and no inline script but the page's own ever runs.
pub fn content_security_policy(inline_script_hashes: &[String]) -> String {
    let hashes: String = inline_script_hashes.iter().map(|h| format!(" 'sha256-{h}'")).collect();
    format!(
        "default-src 'self'; script-src 'self'{hashes} 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 of every inline script of a page (those without `src`), as CSP hashes.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("<script") {
        let Some(tail) = rest.get(at..) else { break };
        let Some(open_end) = tail.find('>') else { break };
        let (open, after) = (tail.get(..open_end).unwrap_or_default(), tail.get(open_end + 1..).unwrap_or_default());
        let Some(close) = after.find("</script>") else { break };
        let body = after.get(..close).unwrap_or_default();
        if !open.contains(" src=") && !body.is_empty() {
            out.push(data_encoding::BASE64.encode(&Sha256::digest(body.as_bytes())));
        }
        rest = after.get(close..).unwrap_or_default();
    }
    out
}

/// Adds the Content-Security-Policy to an HTML page (read whole, then sent as it was).
async fn with_content_security_policy(resp: Response) -> Response {
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE_BYTES).await else {
        tracing::error!("a page larger than the CSP reader takes was not sent");
        return error_response(&ApiError::Unavailable);
    };
    let hashes = inline_script_hashes(&String::from_utf8_lossy(&bytes));
    if let Ok(v) = HeaderValue::from_str(&content_security_policy(&hashes)) {
        parts.headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// Bodies larger than this are refused before they are read (413).
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// What the gate refuses before anything else looks at a request: a body too large (by its
/// declared length), a body that is not JSON, and a request a browser sent from another site
/// (its `Origin`, or `Referer`, is neither this server nor the public URL): no login CSRF.
fn refuse_unsafe_request(state: &AppState, req: &Request) -> Option<ApiError> {
    let headers = req.headers();
    let declared = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return Some(ApiError::TooLarge(format!("the request is larger than {} KB; send less at a time", MAX_BODY_BYTES / 1024)));
    }
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return None;
    }
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
    if !json && declared != Some(0) {
        return Some(ApiError::UnsupportedMediaType("send the request as JSON (Content-Type: application/json)".into()));
    }
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .map(origin_of);
    if let Some(origin) = origin {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let same_host = origin.split_once("://").is_some_and(|(_, h)| h.eq_ignore_ascii_case(host));
        let public = origin.eq_ignore_ascii_case(&origin_of(&state.settings.public_url));
        if !same_host && !public {
            tracing::warn!(%origin, "cross-site request refused");
            return Some(ApiError::Forbidden("this request came from another site; use Gatehouse's own pages".into()));
        }
    }
    None
}

/// A body sent without a declared length (chunked) is read here, up to the limit, so an endless
/// one is a 413 and never reaches the framework's own reader.
async fn bounded_body(req: &mut Request) -> Result<(), ApiError> {
    if req.headers().contains_key(header::CONTENT_LENGTH) || req.method() == Method::GET || req.method() == Method::HEAD {
        return Ok(());
    }
    let body = std::mem::replace(req.body_mut(), Body::empty());
    match axum::body::to_bytes(body, MAX_BODY_BYTES as usize).await {
        Ok(bytes) => {
            if let Ok(len) = HeaderValue::from_str(&bytes.len().to_string()) {
                req.headers_mut().insert(header::CONTENT_LENGTH, len);
            }
            *req.body_mut() = Body::from(bytes);
            Ok(())
        }
        Err(_) => Err(ApiError::TooLarge(format!("the request is larger than {} KB; send less at a time", MAX_BODY_BYTES / 1024))),
    }
}

/// `scheme://host[:port]` of a URL (what an `Origin` header holds).
fn origin_of(url: &str) -> String {
    let url = url.trim();
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or_default()),
        None => url.to_string(),
    }
}

/// The session the gate verified for this request, so the server function does not look it
/// up a second time. Only server code can put it in the request's extensions.
#[derive(Clone)]
struct VerifiedSession {
    token: String,
    principal: Principal,
}

/// Resolves the request's session; on success keeps it in the request for the function.
async fn verify_session(state: &AppState, req: &mut Request) -> bool {
    let Some(raw) = auth::token_from_headers(req.headers(), state.settings.secure_cookies()) else { return false };
    match auth::resolve_session(&state.db, &raw, &state.session_policy().await).await {
        Ok(Some(principal)) => {
            req.extensions_mut().insert(VerifiedSession { token: raw, principal });
            true
        }
        _ => false,
    }
}

/// A 5xx from an `/api/` route that is not one of ours (the framework's own answer to a body
/// it could not decode, with its internal text) becomes a 400 that says what to do.
async fn readable_failure(resp: Response) -> Response {
    if !resp.status().is_server_error() {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let ours = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("data").cloned())
        .and_then(|d| serde_json::from_value::<ApiError>(d).ok());
    match ours {
        Some(_) => Response::from_parts(parts, Body::from(bytes)),
        None => {
            tracing::warn!(status = %parts.status, body = %String::from_utf8_lossy(&bytes), "request body could not be decoded");
            error_response(&ApiError::BadRequest(
                "the request could not be read: send a JSON object with every field of this endpoint".into(),
            ))
        }
    }
}

/// A 429 tells the client when to come back, in the body and in `Retry-After`.
async fn with_retry_after(resp: Response) -> Response {
    if resp.status() != StatusCode::TOO_MANY_REQUESTS || resp.headers().contains_key(header::RETRY_AFTER) {
        return resp;
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let secs = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v.get("data").cloned())
        .and_then(|d| serde_json::from_value::<ApiError>(d).ok())
        .and_then(|e| match e {
            ApiError::TooManyAttempts { retry_after_secs, .. } => Some(retry_after_secs),
            _ => None,
        });
    if let Some(v) = secs.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        parts.headers.insert(header::RETRY_AFTER, v);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The caller's address: the socket peer, or behind a trusted proxy the address it added last
/// to `X-Forwarded-For`.
#[derive(Clone, Debug)]
pub struct ClientIp(pub String);

/// One line per request: method, path, status and duration.
async fn access_log(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        // The right-most entry is the one our trusted proxy added (the peer it saw); entries to
        // its left come from the client and can be anything.
        .and_then(|v| v.split(',').next_back())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty());
    let ip = match (state.settings.trust_proxy, forwarded) {
        (true, Some(f)) => f,
        _ => peer.unwrap_or_else(|| "local".into()),
    };
    req.extensions_mut().insert(ClientIp(ip.clone()));
    let resp = next.run(req).await;
    let status = resp.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(target: "gatehouse::http", %method, %path, status, duration_ms = format!("{ms:.1}"), client = %ip, "request");
    resp
}

/// What a server function knows about its request: shared state, caller address, user agent
/// and the session token. Works the same over HTTP and during server-side rendering, where
/// functions run in-process and the router's layers are skipped.
pub struct RequestCtx {
    pub state: AppState,
    pub ip: String,
    pub user_agent: Option<String>,
    pub token: Option<String>,
    verified: Option<VerifiedSession>,
    /// The server function's request (none for the REST API, which answers on its own).
    fullstack: Option<dioxus::fullstack::FullstackContext>,
    /// What the server function declared it does (see [`Declared`]).
    declared: Declared,
    /// The API token a REST request came with (instead of a session).
    api_token: Option<super::tokens::TokenCaller>,
}

/// What a server function declares about itself, on itself: each one starts with
/// [`RequestCtx::public`], [`RequestCtx::read`] or [`RequestCtx::write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// No session needed (it must also be on [`PUBLIC_ENDPOINTS`], or the gate refuses it).
    Public,
    /// Reads only: it runs while a full administrator views the console as someone.
    Read,
    /// Changes something (or exports): refused while viewing as someone.
    Write,
}

impl RequestCtx {
    /// A public server function (sign-in, setup, links): no session required.
    pub fn public() -> Result<Self, ApiError> {
        Self::declared(Declared::Public)
    }

    /// A server function that only reads (allowed during "view as").
    pub fn read() -> Result<Self, ApiError> {
        Self::declared(Declared::Read)
    }

    /// A server function that writes or exports (refused during "view as").
    pub fn write() -> Result<Self, ApiError> {
        Self::declared(Declared::Write)
    }

    fn declared(declared: Declared) -> Result<Self, ApiError> {
        let fullstack = dioxus::fullstack::FullstackContext::current().ok_or_else(|| {
            tracing::error!("a server function ran outside a request");
            ApiError::Unavailable
        })?;
        let state = fullstack.extension::<AppState>().ok_or_else(|| {
            tracing::error!("request without application state");
            ApiError::Unavailable
        })?;
        let (ip, user_agent, token) = {
            let parts = fullstack.parts_mut();
            let ip = parts.extensions.get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_else(|| "local".into());
            let ua = parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
            (ip, ua, auth::token_from_headers(&parts.headers, state.settings.secure_cookies()))
        };
        let verified = fullstack.extension::<VerifiedSession>();
        Ok(Self { state, ip, user_agent, token, verified, fullstack: Some(fullstack), declared, api_token: None })
    }

    /// A REST request authenticated by an API token: the same services, checks and write path
    /// as the console's server functions, as the token's owner (a read-only token is refused
    /// whatever is declared [`Declared::Write`]).
    pub fn for_api_token(state: AppState, ip: String, user_agent: Option<String>, caller: super::tokens::TokenCaller, declared: Declared) -> Self {
        Self { state, ip, user_agent, token: None, verified: None, fullstack: None, declared, api_token: Some(caller) }
    }

    /// What the audit rows of this request's changes say it came through (an API token's name).
    pub fn via(&self) -> Option<String> {
        self.api_token.as_ref().map(|t| t.via.clone())
    }

    /// The signed-in user, or 401. Every protected server function starts here.
    pub async fn require_user(&self) -> Result<Principal, ApiError> {
        let me = self.require_session().await?;
        if me.must_change_password {
            return Err(ApiError::Forbidden("choose a new password first: you signed in with a temporary one".into()));
        }
        if me.must_enrol && me.viewed_by.is_none() {
            return Err(ApiError::EnrolmentNeeded);
        }
        Ok(me)
    }

    /// Any session, even one whose second factor is still to come: only for finishing the
    /// sign-in, signing out and saying who is signed in.
    pub async fn require_any_session(&self) -> Result<Principal, ApiError> {
        self.user().await?.ok_or(ApiError::Unauthorized)
    }

    /// A session past its second factor, even one that must change its temporary password or
    /// set up a second factor first (for the functions that let it do exactly that).
    pub async fn require_session(&self) -> Result<Principal, ApiError> {
        let me = self.require_any_session().await?;
        if let Some(t) = &self.api_token {
            if !t.write && self.declared == Declared::Write {
                return Err(ApiError::Forbidden(format!("the {} is read-only; make a read-write token to change anything", t.via)));
            }
        }
        if me.second_factor_pending {
            return Err(ApiError::SecondFactorNeeded);
        }
        // "View as" is read-only: only functions declared [`Declared::Read`] run, over HTTP and
        // during server-side rendering alike.
        if let Some((_, admin)) = &me.viewed_by {
            if self.declared != Declared::Read {
                return Err(ApiError::Forbidden(format!(
                    "{admin}, you are viewing the console as {} (read-only); end \"view as\" to make changes",
                    me.full_name
                )));
            }
        }
        Ok(me)
    }

    /// The signed-in user and the access engine, when the engine allows them `action` on
    /// `module` at module level (403 with the engine's reason otherwise).
    pub async fn require(
        &self,
        module: crate::access::Module,
        action: crate::access::Action,
    ) -> Result<(Principal, std::sync::Arc<crate::access::Engine>), ApiError> {
        let me = self.require_user().await?;
        let engine = self.engine().await?;
        let decision = engine.decide(&me.user_id, module, action, None);
        if let Some(denial) = decision.denial() {
            return Err(ApiError::Forbidden(format!("you need {} on {} for this ({})", action.label(), module.label(), denial.message())));
        }
        // Working with a module's records is using it (an administrator viewing as someone is
        // not that person using it).
        if module.is_record_module() && me.viewed_by.is_none() {
            self.state.usage.note(&self.state.db, me.user_id.as_str(), module, super::time::now_ms()).await;
        }
        Ok((me, engine))
    }

    /// Refuses (401, "confirm it is you") unless the user signed in or confirmed their
    /// password within the last ten minutes: for changes to how an account signs in and for
    /// handing out full administration.
    pub fn require_fresh(&self, me: &Principal) -> Result<(), ApiError> {
        if me.freshly_authenticated() {
            Ok(())
        } else {
            Err(ApiError::StepUpNeeded)
        }
    }

    pub async fn engine(&self) -> Result<std::sync::Arc<crate::access::Engine>, ApiError> {
        Ok(self.state.access.engine(&self.state.db).await?)
    }

    /// The signed-in user, if any.
    pub async fn user(&self) -> Result<Option<Principal>, ApiError> {
        if let Some(t) = &self.api_token {
            return Ok(Some(t.principal.clone()));
        }
        match (&self.token, &self.verified) {
            (None, _) => Ok(None),
            // Verified by the gate in this same request (over HTTP; during server-side
            // rendering there is no such mark and the session is looked up here).
            (Some(raw), Some(v)) if &v.token == raw => Ok(Some(v.principal.clone())),
            (Some(raw), _) => Ok(auth::resolve_session(&self.state.db, raw, &self.state.session_policy().await).await?),
        }
    }

    /// Adds a `Set-Cookie` header to this response (one per response: see DIOXUS pitfalls).
    pub fn set_cookie(&self, value: &str) {
        let Some(fullstack) = &self.fullstack else {
            tracing::error!("a cookie was set outside a server function");
            return;
        };
        match HeaderValue::from_str(value) {
            Ok(v) => fullstack.add_response_header(header::SET_COOKIE, v),
            Err(e) => tracing::error!(error = %e, "cookie value is not a valid header"),
        }
    }
}

pub fn init_logging(filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("GATEHOUSE_LOG_FORMAT").map(|v| v == "json").unwrap_or(false);
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(true);
    let _ = if json { builder.json().try_init() } else { builder.try_init() };
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod csp_tests {
    use super::*;

    #[test]
    fn only_inline_scripts_are_hashed_and_the_policy_names_them() {
        let html = r#"<html><script>window.a=1;</script><script type="module" async src="/wasm/app.js"></script><p>x</p><script>b()</script></html>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        // echo -n 'window.a=1;' | openssl dgst -sha256 -binary | base64
        assert_eq!(hashes[0], data_encoding::BASE64.encode(&<sha2::Sha256 as sha2::Digest>::digest(b"window.a=1;")));
        let csp = content_security_policy(&hashes);
        assert!(csp.contains(&format!("'sha256-{}'", hashes[0])));
        assert!(!csp.contains("'unsafe-inline' 'wasm") && csp.contains("script-src 'self' 'sha256-"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
        assert!(!csp.contains("'unsafe-eval'"), "no text may be run as script: {csp}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_without_a_declared_length_is_read_only_up_to_the_limit() {
        let mut big = axum::http::Request::post("/api/setup").body(Body::from(vec![b'x'; MAX_BODY_BYTES as usize + 1])).unwrap();
        assert!(matches!(bounded_body(&mut big).await, Err(ApiError::TooLarge(_))));
        let mut small = axum::http::Request::post("/api/setup").body(Body::from("{}")).unwrap();
        assert!(bounded_body(&mut small).await.is_ok());
        assert_eq!(small.headers().get(header::CONTENT_LENGTH).unwrap(), "2", "read, then passed on with its length");
        let bytes = axum::body::to_bytes(std::mem::replace(small.body_mut(), Body::empty()), 16).await.unwrap();
        assert_eq!(&bytes[..], b"{}");
    }

    #[test]
    fn route_patterns() {
        assert!(path_matches("/api/users/{id}", "/api/users/abc"));
        assert!(!path_matches("/api/users/{id}", "/api/users"));
        assert!(!path_matches("/api/users/{id}", "/api/users/abc/roles"));
        assert!(path_matches("/api/session", "/api/session/"));
        assert!(is_public(&Method::POST, "/api/auth/sign-in"));
        assert!(!is_public(&Method::GET, "/api/auth/sign-in"));
        assert!(!is_public(&Method::POST, "/api/auth/sign-out"));
    }
}
