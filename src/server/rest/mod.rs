//! The REST API at `/api/v1`: for scripts and integrations, authenticated by an API token
//! (`Authorization: Bearer gh_…`), described by an OpenAPI 3.1 document generated from these
//! handlers (`/api/v1/openapi.json`). Each handler is a few lines: it builds the same
//! [`RequestCtx`] a server function gets, declared read or write, and calls the same service;
//! the services check the caller and the engine themselves and write through the one audited
//! write path. No rule is implemented twice.
//!
//! Deny by default: the gate ([`gate`]) answers 404 for any path the document does not list,
//! 405 for a method it does not list, and 401 without a valid token for everything but the
//! document itself.

mod access;
mod audit;
mod org;
mod problem;
mod records;
mod users;

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use problem::Problem;

use super::http::{path_matches, ClientIp, Declared, RequestCtx};
use super::state::AppState;
use super::tokens::{self, TokenCaller};
use crate::domain::ApiError;

/// Where the API lives; nothing of the console's server functions is under it.
pub const PREFIX: &str = "/api/v1";
/// The one route of the API that needs no token.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        version = "1",
        description = "People and access of the CRM. Every request acts as the owner of its API token, with exactly the \
                       owner's access now (the same engine decides as in the console); a read-only token never writes. \
                       Errors are RFC 9457 problem details. Lists are paged with an opaque `cursor`; updates take the \
                       `ETag` of what was read in `If-Match` and answer 412 when someone changed it meanwhile."
    ),
    modifiers(&BearerToken),
    security(("token" = [])),
    tags(
        (name = "users", description = "People: list, read, invite, change, block, offboard"),
        (name = "organisation", description = "Companies, departments, roles, licenses and groups"),
        (name = "access", description = "Profiles and grants: what people may do beyond their role"),
        (name = "records", description = "Leads, customers, opportunities, tasks, projects and support activities"),
        (name = "audit", description = "Who did what, when, in words"),
    )
)]
struct ApiDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut http = Http::new(HttpAuthScheme::Bearer);
        http.description = Some("An API token made on one's Security page (gh_ followed by 64 hex digits)".into());
        components.add_security_scheme("token", SecurityScheme::Http(http));
    }
}

/// The API's routes and its OpenAPI document, built once.
fn build() -> (Router, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(users::set_status))
        .routes(routes!(users::offboard))
        .routes(routes!(users::me))
        .routes(routes!(org::companies, org::create_company))
        .routes(routes!(org::departments))
        .routes(routes!(org::roles))
        .routes(routes!(org::licenses))
        .routes(routes!(org::groups, org::create_group))
        .routes(routes!(org::group, org::save_group, org::delete_group))
        .routes(routes!(access::profiles, access::create_profile))
        .routes(routes!(access::profile, access::save_profile, access::delete_profile))
        .routes(routes!(access::grants, access::add_grant))
        .routes(routes!(access::remove_grant))
        .routes(routes!(records::list, records::create))
        .routes(routes!(records::get, records::update, records::delete))
        .routes(routes!(audit::list))
        .split_for_parts()
}

struct Built {
    document: String,
    /// (method, path pattern) of every documented operation.
    operations: Vec<(Method, String)>,
}

/// The answers every operation may give, written once: 400 (a path, query or body that cannot
/// be read), 401 (no valid token), 403 (beyond the owner's access, or a read-only token
/// writing); with a body also 409 (clashes with the current state), 415 (not JSON) and 422
/// (fields to correct); with a path parameter also 404.
fn add_common_answers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |what: &str| {
        ResponseBuilder::new()
            .description(what)
            .content("application/problem+json", ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build())
            .build()
    };
    for (path, item) in doc.paths.paths.iter_mut() {
        let has_path_param = path.contains('{');
        for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.patch, &mut item.delete].into_iter().flatten() {
            let mut add = |code: &str, what: &str| {
                op.responses.responses.entry(code.to_string()).or_insert_with(|| problem(what).into());
            };
            add("400", "The path, query or body cannot be read");
            add("401", "No valid API token");
            add("403", "Beyond the token owner's access, or a read-only token asked to write");
            if has_path_param {
                add("404", "Not found, or out of the caller's reach");
            }
            if op.request_body.is_some() {
                add("409", "Clashes with the current state");
                add("415", "The body is not JSON");
                add("422", "Fields to correct; nothing was saved");
            }
        }
    }
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let (_, mut doc) = build();
        add_common_answers(&mut doc);
        let mut operations = Vec::new();
        for (path, item) in &doc.paths.paths {
            for (method, op) in [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ] {
                if op.is_some() {
                    operations.push((method, path.clone()));
                }
            }
        }
        operations.push((Method::GET, OPENAPI_PATH.to_string()));
        let document = doc.to_json().unwrap_or_else(|e| {
            tracing::error!(error = %e, "the OpenAPI document could not be written");
            "{}".into()
        });
        Built { document, operations }
    })
}

/// The API's router (merged into the application's).
pub fn router() -> Router {
    let (router, _) = build();
    router.route(OPENAPI_PATH, axum::routing::get(openapi_json))
}

/// Every documented operation: method and path pattern (for the gate and the tests).
pub fn operations() -> Vec<(Method, String)> {
    built().operations.clone()
}

/// The OpenAPI 3.1 document.
pub fn document() -> &'static str {
    &built().document
}

async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], document()).into_response()
}

/// A strong validator of what was read: it changes whenever any field of the answer does.
pub fn etag(value: &impl serde::Serialize) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    format!("\"{}\"", super::auth::hex(Sha256::digest(&bytes).get(..12).unwrap_or_default()))
}

/// A JSON answer with the `ETag` of its body.
pub fn with_etag<T: serde::Serialize>(body: T, status: StatusCode) -> Response {
    let tag = etag(&body);
    let mut resp = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        resp.headers_mut().insert(header::ETAG, v);
    }
    resp
}

/// A list's `limit`: 25 by default, 1 to 200.
pub fn limit(asked: Option<u32>) -> Result<u32, Problem> {
    let limit = asked.unwrap_or(25);
    if (1..=200).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::BadRequest("limit is from 1 to 200".into()).into())
    }
}

/// 412 unless `if_match` (an `If-Match` header) names `current` or is `*`.
pub fn check_if_match(if_match: &str, current: &str) -> Result<(), Problem> {
    if if_match.trim() == "*" || if_match.split(',').any(|t| t.trim() == current) {
        Ok(())
    } else {
        Err(Problem::stale())
    }
}

/// Opaque cursors: the next page's number, tied to the filters it was given with.
pub mod cursor {
    use sha2::{Digest, Sha256};

    use crate::domain::ApiError;

    /// A short digest of a list's filters.
    pub fn key(filters: &str) -> String {
        crate::server::auth::hex(Sha256::digest(filters.as_bytes()).get(..6).unwrap_or_default())
    }

    /// The page a cursor points at (1 without one).
    pub fn page(cursor: Option<&str>, key: &str) -> Result<u32, ApiError> {
        let Some(cursor) = cursor.filter(|c| !c.is_empty()) else { return Ok(1) };
        let bad = || ApiError::BadRequest("this cursor is not one this list gave with these filters; start without one".into());
        let text = data_encoding::BASE64URL_NOPAD.decode(cursor.as_bytes()).map_err(|_| bad())?;
        let text = String::from_utf8(text).map_err(|_| bad())?;
        let (page, k) = text.split_once('.').ok_or_else(bad)?;
        if k != key {
            return Err(bad());
        }
        page.parse::<u32>().ok().filter(|p| (2..=100_000).contains(p)).ok_or_else(bad)
    }

    /// The cursor of the page after `page`, if there is one.
    pub fn next(page: u32, per_page: u32, total: u64, key: &str) -> Option<String> {
        (u64::from(page) * u64::from(per_page) < total).then(|| data_encoding::BASE64URL_NOPAD.encode(format!("{}.{key}", page + 1).as_bytes()))
    }
}

/// The reference the console's API page shows, read from the OpenAPI document.
pub fn reference() -> crate::domain::ApiReference {
    use crate::domain::{ApiOperation, ApiParameter, ApiReference};
    use serde_json::Value;
    static NULL: Value = Value::Null;
    fn at<'a>(v: &'a Value, keys: &[&str]) -> &'a Value {
        keys.iter().try_fold(v, |v, k| v.get(k)).unwrap_or(&NULL)
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let doc: Value = serde_json::from_str(document()).unwrap_or_default();
    let mut operations = Vec::new();
    if let Some(paths) = at(&doc, &["paths"]).as_object() {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = at(item, &[method]);
                if op.is_null() {
                    continue;
                }
                let parameters = at(op, &["parameters"])
                    .as_array()
                    .map(|ps| {
                        ps.iter()
                            .map(|p| ApiParameter {
                                name: text(at(p, &["name"])),
                                location: text(at(p, &["in"])),
                                required: at(p, &["required"]).as_bool().unwrap_or(false),
                                description: text(at(p, &["description"])),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let body = at(op, &["requestBody", "content", "application/json", "schema", "$ref"])
                    .as_str()
                    .map(|r| r.rsplit('/').next().unwrap_or(r).to_string());
                let answers = at(op, &["responses"])
                    .as_object()
                    .map(|rs| rs.iter().map(|(code, r)| (code.clone(), text(at(r, &["description"])))).collect())
                    .unwrap_or_default();
                let (summary, whole) = (text(at(op, &["summary"])), text(at(op, &["description"])));
                let (summary, description) = if summary.is_empty() { (whole, String::new()) } else { (summary, whole) };
                operations.push(ApiOperation {
                    tag: at(op, &["tags"]).as_array().and_then(|t| t.first()).and_then(Value::as_str).unwrap_or("other").to_string(),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary,
                    description,
                    parameters,
                    body,
                    answers,
                });
            }
        }
    }
    let order = |t: &str| ["users", "organisation", "access", "records", "audit"].iter().position(|x| *x == t).unwrap_or(9);
    operations.sort_by(|a, b| order(&a.tag).cmp(&order(&b.tag)).then(a.path.cmp(&b.path)));
    ApiReference {
        title: text(at(&doc, &["info", "title"])),
        version: text(at(&doc, &["info", "version"])),
        description: text(at(&doc, &["info", "description"])),
        operations,
    }
}

/// Whether a path belongs to the API.
pub fn is_api_path(path: &str) -> bool {
    path == PREFIX || path.starts_with("/api/v1/")
}

/// Who a request acts as, resolved by the gate from its token.
#[derive(Clone)]
pub struct ApiCaller {
    caller: TokenCaller,
    ip: String,
    user_agent: Option<String>,
}

impl ApiCaller {
    /// Who the request's bearer token stands for (`None`: no token, or not a valid one).
    /// (Only the headers are held while the token is looked up: a request is not `Sync`.)
    pub fn of<'a>(state: &'a AppState, req: &'a Request) -> impl std::future::Future<Output = Result<Option<ApiCaller>, ApiError>> + Send + 'a {
        let ip = req.extensions().get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_else(|| "local".into());
        ApiCaller::of_headers(state, req.headers(), ip)
    }

    async fn of_headers(state: &AppState, headers: &axum::http::HeaderMap, ip: String) -> Result<Option<ApiCaller>, ApiError> {
        let secret = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|v| v.trim().to_string());
        let Some(secret) = secret else { return Ok(None) };
        let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
        let Some(caller) = tokens::resolve(&state.db, &secret, &ip).await? else { return Ok(None) };
        Ok(Some(ApiCaller { caller, ip, user_agent }))
    }

    /// The token owner's id.
    pub fn user_id(&self) -> &str {
        self.caller.principal.user_id.as_str()
    }

    /// The request context of a service call, declared read or write like a server function.
    pub fn ctx(&self, state: &AppState, declared: Declared) -> RequestCtx {
        RequestCtx::for_api_token(state.clone(), self.ip.clone(), self.user_agent.clone(), self.caller.clone(), declared)
    }
}

/// The API's own gate (inside the application's): known operation, JSON bodies, a valid token.
pub async fn gate(state: &AppState, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let ops = &built().operations;
    let on_path: Vec<&Method> = ops.iter().filter(|(_, p)| path_matches(p, &path)).map(|(m, _)| m).collect();
    if on_path.is_empty() {
        return Problem::new(StatusCode::NOT_FOUND, "not_found", format!("no operation at {path}; see {OPENAPI_PATH}")).into_response();
    }
    if !on_path.contains(&&method) {
        let allow = on_path.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ");
        let mut resp = Problem::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", format!("{path} takes {allow}")).into_response();
        if let Ok(v) = HeaderValue::from_str(&allow) {
            resp.headers_mut().insert(header::ALLOW, v);
        }
        return resp;
    }
    if matches!(method, Method::POST | Method::PUT | Method::PATCH) {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
        if !json {
            return Problem::from(ApiError::UnsupportedMediaType("send the body as JSON (Content-Type: application/json)".into())).into_response();
        }
    }
    if method == Method::GET && path == OPENAPI_PATH {
        return next.run(req).await;
    }
    let caller = match ApiCaller::of(state, &req).await {
        Ok(Some(c)) => c,
        Ok(None) => return Problem::from(ApiError::Unauthorized).into_response(),
        Err(e) => return Problem::from(e).into_response(),
    };
    req.extensions_mut().insert(caller);
    as_problem(next.run(req).await).await
}

/// The framework's own refusals (a path, query or body its extractors could not read) come as
/// plain text: the API answers them as problem details too, with the same status.
async fn as_problem(resp: Response) -> Response {
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() && plain) {
        return resp;
    }
    let bytes = axum::body::to_bytes(resp.into_body(), 16 * 1024).await.unwrap_or_default();
    let said = String::from_utf8_lossy(&bytes);
    let code = match status {
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        _ => "bad_request",
    };
    let detail = if said.trim().is_empty() { "the request could not be read".to_string() } else { format!("the request could not be read: {}", said.trim()) };
    Problem::new(status, code, detail).into_response()
}
