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

mod org;
mod problem;
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
        (name = "organisation", description = "Companies, departments and roles"),
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
        .split_for_parts()
}

struct Built {
    document: String,
    /// (method, path pattern) of every documented operation.
    operations: Vec<(Method, String)>,
}

fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let (_, doc) = build();
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
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|v| v.trim().to_string());
    let ip = req.extensions().get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_else(|| "local".into());
    let caller = match secret {
        None => None,
        Some(secret) => match tokens::resolve(&state.db, &secret, &ip).await {
            Ok(c) => c,
            Err(e) => return Problem::from(ApiError::from(e)).into_response(),
        },
    };
    let Some(caller) = caller else {
        return Problem::from(ApiError::Unauthorized).into_response();
    };
    let user_agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
    req.extensions_mut().insert(ApiCaller { caller, ip, user_agent });
    next.run(req).await
}
