//! SCIM 2.0 provisioning at `/scim/v2` (RFC 7643 and 7644), for an identity provider (Entra ID,
//! Okta) or an HR system that adds, changes, blocks and removes people and groups. It takes only
//! a service account's token and acts with that account's access: every change goes through the
//! same services as the console (the Add user checks, the judged and audited write path, no
//! takeover), so SCIM cannot do what the account could not do on the users page.
//!
//! - `Users`: a person, with the enterprise extension's `department` (moves them to the
//!   department of that name when there is one) and `manager`. `active: false` blocks them, which
//!   ends their sessions and tokens in the same transaction. `DELETE` offboards them (blocked,
//!   signed out, their access given back; records and history kept): they are no longer a SCIM
//!   resource.
//! - `Groups`: Gatehouse's groups, members being people.
//! - Filters (`eq ne co sw ew gt ge lt le pr`, `and`, `or`, `not`, `attr[…]`), PATCH `add`,
//!   `replace`, `remove`, `attributes` / `excludedAttributes`, `startIndex` / `count`, and
//!   `POST …/.search`.
//!
//! What the provider sends and Gatehouse has no place for (userName, externalId, name parts, the
//! list of emails, the department's text, the manager) is kept beside the person (`scim_user`) and
//! given back as it was sent.

/// `pub struct $kind`, a [`Resource`] read by the module's own `visible` and `one`.
macro_rules! resource {
    ($kind:ident, $what:literal) => {
        #[doc = $what]
        pub struct $kind;

        impl super::Resource for $kind {
            fn visible(ctx: &RequestCtx) -> impl std::future::Future<Output = Result<Vec<Value>, ScimError>> + Send {
                visible(ctx)
            }
            fn one(ctx: &RequestCtx, id: &str) -> impl std::future::Future<Output = Result<Value, ScimError>> + Send {
                one(ctx, id)
            }
        }
    };
}

mod filter;
mod groups;
mod patch;
mod users;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, Request};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Value};

use super::http::{path_matches, Declared, RequestCtx};
use super::rest::ApiCaller;
use super::state::AppState;
use super::tokens;
use crate::domain::ApiError;

pub const PREFIX: &str = "/scim/v2";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const LIST: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const SP_CONFIG: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";
const CONTENT_TYPE: &str = "application/scim+json";
/// The most resources one page gives.
const MAX_COUNT: usize = 200;

/// Every operation: path pattern and method (the gate answers 404 and 405 from it).
const OPERATIONS: &[(&str, &str)] = &[
    ("/scim/v2/ServiceProviderConfig", "GET"),
    ("/scim/v2/ResourceTypes", "GET"),
    ("/scim/v2/ResourceTypes/{id}", "GET"),
    ("/scim/v2/Schemas", "GET"),
    ("/scim/v2/Schemas/{id}", "GET"),
    ("/scim/v2/Users", "GET"),
    ("/scim/v2/Users", "POST"),
    ("/scim/v2/Users/.search", "POST"),
    ("/scim/v2/Users/{id}", "GET"),
    ("/scim/v2/Users/{id}", "PUT"),
    ("/scim/v2/Users/{id}", "PATCH"),
    ("/scim/v2/Users/{id}", "DELETE"),
    ("/scim/v2/Groups", "GET"),
    ("/scim/v2/Groups", "POST"),
    ("/scim/v2/Groups/.search", "POST"),
    ("/scim/v2/Groups/{id}", "GET"),
    ("/scim/v2/Groups/{id}", "PUT"),
    ("/scim/v2/Groups/{id}", "PATCH"),
    ("/scim/v2/Groups/{id}", "DELETE"),
    ("/scim/v2/.search", "POST"),
];

/// Every operation (for the tests that enumerate endpoints).
pub fn operations() -> Vec<(Method, String)> {
    OPERATIONS.iter().filter_map(|(p, m)| Method::from_bytes(m.as_bytes()).ok().map(|m| (m, p.to_string()))).collect()
}

/// Whether a path belongs to SCIM.
pub fn is_scim_path(path: &str) -> bool {
    path == PREFIX || path.starts_with("/scim/v2/")
}

/// SCIM's routes (merged into the application's).
pub fn router() -> Router {
    Router::new()
        .route("/scim/v2/ServiceProviderConfig", get(service_provider_config))
        .route("/scim/v2/ResourceTypes", get(resource_types))
        .route("/scim/v2/ResourceTypes/{id}", get(resource_type))
        .route("/scim/v2/Schemas", get(schemas))
        .route("/scim/v2/Schemas/{id}", get(schema))
        .route("/scim/v2/Users", get(list::<users::Users>).post(users::create))
        .route("/scim/v2/Users/.search", post(search::<users::Users>))
        .route("/scim/v2/Users/{id}", get(get_one::<users::Users>).put(users::replace).patch(users::modify).delete(users::delete))
        .route("/scim/v2/Groups", get(list::<groups::Groups>).post(groups::create))
        .route("/scim/v2/Groups/.search", post(search::<groups::Groups>))
        .route("/scim/v2/Groups/{id}", get(get_one::<groups::Groups>).put(groups::replace).patch(groups::modify).delete(groups::delete))
        .route("/scim/v2/.search", post(search_all))
}

/// A SCIM error (RFC 7644 §3.12): a status, sometimes a `scimType`, and words a person can act on.
#[derive(Debug)]
pub struct ScimError {
    status: StatusCode,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimError {
    fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> ScimError {
        ScimError { status, scim_type, detail: detail.into() }
    }
    fn invalid(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidValue"), detail)
    }
    fn syntax(detail: impl Into<String>) -> ScimError {
        ScimError::new(StatusCode::BAD_REQUEST, Some("invalidSyntax"), detail)
    }
    fn not_found(what: &str) -> ScimError {
        ScimError::new(StatusCode::NOT_FOUND, None, format!("no {what} with this id within the service account's reach"))
    }
}

impl From<ApiError> for ScimError {
    fn from(e: ApiError) -> ScimError {
        match e {
            ApiError::Invalid { message, fields } => {
                let said: Vec<String> = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect();
                let detail = if said.is_empty() { message } else { said.join("; ") };
                ScimError::invalid(detail)
            }
            ApiError::Conflict(m) => ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), m),
            ApiError::BadRequest(m) => ScimError::syntax(m),
            ApiError::NotFound(m) => ScimError::new(StatusCode::NOT_FOUND, None, m),
            ApiError::Forbidden(m) => ScimError::new(StatusCode::FORBIDDEN, None, m),
            other => {
                let status = StatusCode::from_u16(other.status()).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
                ScimError::new(status, None, other.to_string())
            }
        }
    }
}

impl From<super::db::DbError> for ScimError {
    fn from(e: super::db::DbError) -> ScimError {
        ScimError::from(ApiError::from(e))
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({ "schemas": [ERROR], "status": self.status.as_u16().to_string(), "detail": self.detail });
        if let (Some(t), Some(o)) = (self.scim_type, body.as_object_mut()) {
            o.insert("scimType".into(), json!(t));
        }
        scim(self.status, body)
    }
}

/// A SCIM answer: `application/scim+json`.
fn scim(status: StatusCode, body: Value) -> Response {
    let mut resp = (status, axum::Json(body)).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    resp
}

/// 201 with the resource and its `Location`.
fn created(body: Value) -> Response {
    let location = body.pointer("/meta/location").and_then(Value::as_str).map(str::to_string);
    let mut resp = scim(StatusCode::CREATED, body);
    if let Some(v) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

/// SCIM's gate (inside the application's): a known operation, a service account's valid token,
/// JSON bodies. Everything else is answered here as a SCIM error.
pub async fn gate(state: &AppState, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let on_path: Vec<&str> = OPERATIONS.iter().filter(|(p, _)| path_matches(p, &path)).map(|(_, m)| *m).collect();
    if on_path.is_empty() {
        return ScimError::new(StatusCode::NOT_FOUND, None, format!("no SCIM endpoint at {path}")).into_response();
    }
    if !on_path.contains(&method.as_str()) {
        let allow = on_path.join(", ");
        let mut resp = ScimError::new(StatusCode::METHOD_NOT_ALLOWED, None, format!("{path} takes {allow}")).into_response();
        if let Ok(v) = HeaderValue::from_str(&allow) {
            resp.headers_mut().insert(header::ALLOW, v);
        }
        return resp;
    }
    let caller = match ApiCaller::of(state, &req).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return ScimError::new(StatusCode::UNAUTHORIZED, None, "send a service account's token: Authorization: Bearer gh_…").into_response()
        }
        Err(e) => return ScimError::from(e).into_response(),
    };
    match tokens::is_service_account(&state.db, caller.user_id()).await {
        Ok(true) => {}
        Ok(false) => {
            return ScimError::new(
                StatusCode::FORBIDDEN,
                None,
                "SCIM takes a service account's token only; make a service account on the API reference page",
            )
            .into_response()
        }
        Err(e) => return ScimError::from(e).into_response(),
    }
    if matches!(method, Method::POST | Method::PUT | Method::PATCH) {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_start().to_ascii_lowercase())
            .is_some_and(|v| v.starts_with("application/scim+json") || v.starts_with("application/json"));
        if !json {
            return ScimError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, None, "send the body as application/scim+json").into_response();
        }
    }
    req.extensions_mut().insert(caller);
    let resp = next.run(req).await;
    // The framework's own refusals (a path it could not read) come as plain text.
    let plain = resp.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_none_or(|v| v.starts_with("text/plain"));
    if resp.status().is_client_error() && plain {
        return ScimError::syntax("the request could not be read").into_response();
    }
    resp
}

/// The base of every `location`.
fn base(state: &AppState) -> String {
    format!("{}{PREFIX}", state.settings.public_url.trim_end_matches('/'))
}

/// A JSON body, or a 400 saying why not.
fn body_json(body: &Bytes) -> Result<Value, ScimError> {
    let v: Value = serde_json::from_slice(body).map_err(|e| ScimError::syntax(format!("the body is not JSON: {e}")))?;
    if !v.is_object() {
        return Err(ScimError::syntax("the body must be a JSON object"));
    }
    Ok(v)
}

/// What a list asks for: its filter, page and attributes.
#[derive(Debug, Default)]
struct ListAsk {
    filter: Option<filter::Filter>,
    start: usize,
    count: usize,
    attributes: Vec<String>,
    excluded: Vec<String>,
}

fn split_names(v: Option<&str>) -> Vec<String> {
    v.map(|s| s.split(',').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect()).unwrap_or_default()
}

impl ListAsk {
    fn from_query(q: &HashMap<String, String>) -> Result<ListAsk, ScimError> {
        let number = |k: &str| -> Result<Option<i64>, ScimError> {
            q.get(k).map(|v| v.trim().parse::<i64>().map_err(|_| ScimError::syntax(format!("{k} must be a whole number")))).transpose()
        };
        ListAsk::new(q.get("filter").map(String::as_str), number("startIndex")?, number("count")?, split_names(q.get("attributes").map(String::as_str)), split_names(q.get("excludedAttributes").map(String::as_str)))
    }

    fn from_search(v: &Value) -> Result<ListAsk, ScimError> {
        let names = |k: &str| -> Vec<String> {
            match v.get(k) {
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                Some(Value::String(s)) => split_names(Some(s)),
                _ => Vec::new(),
            }
        };
        ListAsk::new(v.get("filter").and_then(Value::as_str), v.get("startIndex").and_then(Value::as_i64), v.get("count").and_then(Value::as_i64), names("attributes"), names("excludedAttributes"))
    }

    fn new(filter: Option<&str>, start: Option<i64>, count: Option<i64>, attributes: Vec<String>, excluded: Vec<String>) -> Result<ListAsk, ScimError> {
        let filter = match filter.map(str::trim).filter(|f| !f.is_empty()) {
            Some(f) => Some(filter::parse(f).map_err(|m| ScimError::new(StatusCode::BAD_REQUEST, Some("invalidFilter"), m))?),
            None => None,
        };
        // RFC 7644 §3.4.2.4: a startIndex below 1 counts as 1; a negative count as 0.
        let start = usize::try_from(start.unwrap_or(1).max(1)).unwrap_or(1);
        let count = usize::try_from(count.unwrap_or(100).max(0)).unwrap_or(0).min(MAX_COUNT);
        Ok(ListAsk { filter, start, count, attributes, excluded })
    }

    fn keeps(&self, v: &Value) -> bool {
        self.filter.as_ref().is_none_or(|f| f.matches(v))
    }

    /// One page of what matched, as a ListResponse.
    fn answer(&self, matched: Vec<Value>) -> Response {
        let total = matched.len();
        let page: Vec<Value> = matched.into_iter().skip(self.start - 1).take(self.count).map(|v| project(v, &self.attributes, &self.excluded)).collect();
        scim(StatusCode::OK, json!({ "schemas": [LIST], "totalResults": total, "startIndex": self.start, "itemsPerPage": page.len(), "Resources": page }))
    }
}

/// A kind of SCIM resource (people, groups): what the caller sees of it, and one of it.
pub trait Resource {
    fn visible(ctx: &RequestCtx) -> impl std::future::Future<Output = Result<Vec<Value>, ScimError>> + Send;
    fn one(ctx: &RequestCtx, id: &str) -> impl std::future::Future<Output = Result<Value, ScimError>> + Send;
}

/// `GET /Users`, `GET /Groups`: a filtered page.
async fn list<R: Resource>(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Query(q): Query<HashMap<String, String>>) -> Response {
    answer_list(ListAsk::from_query(&q), R::visible(&caller.ctx(&state, Declared::Read)).await)
}

/// `POST /Users/.search`, `POST /Groups/.search`.
async fn search<R: Resource>(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, body: Bytes) -> Response {
    answer_list(search_ask(&body), R::visible(&caller.ctx(&state, Declared::Read)).await)
}

/// `GET /Users/{id}`, `GET /Groups/{id}`.
async fn get_one<R: Resource>(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    answer_one(R::one(&caller.ctx(&state, Declared::Read), &id).await, &q)
}

/// A list or search's answer: what matched of `all`, one page of it.
fn answer_list(ask: Result<ListAsk, ScimError>, all: Result<Vec<Value>, ScimError>) -> Response {
    match (ask, all) {
        (Ok(ask), Ok(all)) => ask.answer(all.into_iter().filter(|v| ask.keeps(v)).collect()),
        (Err(e), _) | (_, Err(e)) => e.into_response(),
    }
}

/// One resource's answer, with the `attributes` or `excludedAttributes` asked for.
fn answer_one(found: Result<Value, ScimError>, q: &HashMap<String, String>) -> Response {
    match found {
        Ok(v) => {
            let (attributes, excluded) = (split_names(q.get("attributes").map(String::as_str)), split_names(q.get("excludedAttributes").map(String::as_str)));
            scim(StatusCode::OK, project(v, &attributes, &excluded))
        }
        Err(e) => e.into_response(),
    }
}

/// What a search body asks for.
fn search_ask(body: &Bytes) -> Result<ListAsk, ScimError> {
    ListAsk::from_search(&body_json(body)?)
}

/// Whether `name` (an attribute, `a.b`, or with its schema's URN in front) names `key` (and
/// then which sub-attribute, if any).
fn names_key<'a>(name: &'a str, key: &str) -> Option<Option<&'a str>> {
    let name = [USER, GROUP].iter().find_map(|u| name.strip_prefix(u).and_then(|r| r.strip_prefix(':'))).unwrap_or(name);
    if key.starts_with("urn:") {
        if name.eq_ignore_ascii_case(key) {
            return Some(None);
        }
        let rest = name.get(..key.len()).filter(|p| p.eq_ignore_ascii_case(key)).and_then(|_| name.get(key.len()..))?;
        return rest.strip_prefix(':').map(Some);
    }
    let (head, sub) = match name.split_once('.') {
        Some((h, s)) => (h, Some(s)),
        None => (name, None),
    };
    head.eq_ignore_ascii_case(key).then_some(sub)
}

/// The resource with only the attributes asked for (`id` and `schemas` always), or without the
/// excluded ones.
fn project(v: Value, attributes: &[String], excluded: &[String]) -> Value {
    let Value::Object(map) = v else { return v };
    let always = |k: &str| k == "id" || k == "schemas";
    let mut out = serde_json::Map::new();
    for (k, val) in map {
        if always(&k) {
            out.insert(k, val);
            continue;
        }
        if !attributes.is_empty() {
            let subs: Vec<Option<&str>> = attributes.iter().filter_map(|a| names_key(a, &k)).collect();
            if subs.is_empty() {
                continue;
            }
            if subs.iter().any(Option::is_none) {
                out.insert(k, val);
            } else if let Value::Object(inner) = val {
                let kept: serde_json::Map<String, Value> =
                    inner.into_iter().filter(|(ik, _)| subs.iter().flatten().any(|s| s.split('.').next().is_some_and(|s| s.eq_ignore_ascii_case(ik)))).collect();
                if !kept.is_empty() {
                    out.insert(k, Value::Object(kept));
                }
            } else {
                out.insert(k, val);
            }
            continue;
        }
        let subs: Vec<Option<&str>> = excluded.iter().filter_map(|a| names_key(a, &k)).collect();
        if subs.iter().any(Option::is_none) {
            continue;
        }
        match val {
            Value::Object(inner) if !subs.is_empty() => {
                let kept: serde_json::Map<String, Value> = inner.into_iter().filter(|(ik, _)| !subs.iter().flatten().any(|s| s.eq_ignore_ascii_case(ik))).collect();
                out.insert(k, Value::Object(kept));
            }
            other => {
                out.insert(k, other);
            }
        }
    }
    Value::Object(out)
}

/// ISO 8601 in UTC from Unix milliseconds.
fn iso(ms: i64) -> String {
    super::time::iso_utc(ms)
}

/// `POST /.search`: people and groups, in that order.
async fn search_all(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, body: Bytes) -> Response {
    let run = async {
        let ask = ListAsk::from_search(&body_json(&body)?)?;
        let ctx = caller.ctx(&state, Declared::Read);
        let mut all: Vec<Value> = users::visible(&ctx).await?.into_iter().filter(|v| ask.keeps(v)).collect();
        if let Ok(groups) = groups::visible(&ctx).await {
            all.extend(groups.into_iter().filter(|v| ask.keeps(v)));
        }
        Ok::<_, ScimError>(ask.answer(all))
    };
    run.await.unwrap_or_else(IntoResponse::into_response)
}

// ---- Discovery (RFC 7644 §4) ----

fn attr(name: &str, kind: &str, multi: bool, required: bool, mutability: &str, description: &str) -> Value {
    json!({
        "name": name, "type": kind, "multiValued": multi, "required": required, "caseExact": false,
        "mutability": mutability, "returned": "default", "uniqueness": "none", "description": description,
    })
}

fn complex(name: &str, multi: bool, required: bool, description: &str, subs: Vec<Value>) -> Value {
    let mut a = attr(name, "complex", multi, required, "readWrite", description);
    if let Some(o) = a.as_object_mut() {
        o.insert("subAttributes".into(), Value::Array(subs));
    }
    a
}

fn reference(name: &str, mutability: &str, to: &[&str], description: &str) -> Value {
    let mut a = attr(name, "reference", false, false, mutability, description);
    if let Some(o) = a.as_object_mut() {
        o.insert("referenceTypes".into(), json!(to));
    }
    a
}

fn user_schema() -> Value {
    let mut user_name = attr("userName", "string", false, true, "readWrite", "The identity provider's unique name for the person");
    if let Some(o) = user_name.as_object_mut() {
        o.insert("uniqueness".into(), json!("server"));
    }
    json!({
        "id": USER, "name": "User", "description": "A person of the CRM",
        "attributes": [
            user_name,
            complex("name", false, false, "The parts of the person's name", vec![
                attr("givenName", "string", false, false, "readWrite", "Given name"),
                attr("familyName", "string", false, false, "readWrite", "Family name"),
            ]),
            attr("displayName", "string", false, false, "readWrite", "The name shown in Gatehouse"),
            attr("active", "boolean", false, true, "readWrite", "false blocks the person: their sessions and tokens end at once"),
            complex("emails", true, true, "The primary (or first) one is where Gatehouse writes and how the person signs in", vec![
                attr("value", "string", false, true, "readWrite", "An email address"),
                attr("type", "string", false, false, "readWrite", "work, home or other"),
                attr("primary", "boolean", false, false, "readWrite", "The address Gatehouse uses"),
            ]),
        ],
    })
}

fn enterprise_schema() -> Value {
    json!({
        "id": ENTERPRISE, "name": "EnterpriseUser", "description": "Where the person works",
        "attributes": [
            attr("department", "string", false, false, "readWrite", "A Gatehouse department of this name becomes the person's department"),
            complex("manager", false, false, "The person's manager", vec![
                attr("value", "string", false, false, "readWrite", "The manager's id"),
                reference("$ref", "readWrite", &["User"], "The manager's location"),
            ]),
        ],
    })
}

fn group_schema() -> Value {
    json!({
        "id": GROUP, "name": "Group", "description": "A group of people: access shared with it reaches its members",
        "attributes": [
            attr("displayName", "string", false, true, "readWrite", "The group's name, unique"),
            complex("members", true, false, "The people in the group", vec![
                attr("value", "string", false, false, "immutable", "A person's id"),
                reference("$ref", "immutable", &["User"], "The person's location"),
            ]),
        ],
    })
}

/// The core schemas of the discovery resources themselves (RFC 7643 §5–7), short.
fn meta_schema(id: &str, name: &str, attrs: &[(&str, &str)]) -> Value {
    let attributes: Vec<Value> = attrs.iter().map(|(n, t)| attr(n, t, false, false, "readOnly", n)).collect();
    json!({ "id": id, "name": name, "description": name, "attributes": attributes })
}

fn all_schemas(base: &str) -> Vec<Value> {
    let mut out = vec![
        user_schema(),
        enterprise_schema(),
        group_schema(),
        meta_schema(SP_CONFIG, "ServiceProviderConfig", &[("documentationUri", "reference")]),
        meta_schema(RESOURCE_TYPE, "ResourceType", &[("id", "string"), ("name", "string"), ("endpoint", "reference"), ("schema", "reference")]),
        meta_schema(SCHEMA, "Schema", &[("id", "string"), ("name", "string"), ("description", "string")]),
    ];
    for s in &mut out {
        let id = s.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        if let Some(o) = s.as_object_mut() {
            o.insert("schemas".into(), json!([SCHEMA]));
            o.insert("meta".into(), json!({ "resourceType": "Schema", "location": format!("{base}/Schemas/{id}") }));
        }
    }
    out
}

fn all_resource_types(base: &str) -> Vec<Value> {
    vec![
        json!({
            "schemas": [RESOURCE_TYPE], "id": "User", "name": "User", "endpoint": "/Users", "description": "People",
            "schema": USER, "schemaExtensions": [{ "schema": ENTERPRISE, "required": false }],
            "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/User") },
        }),
        json!({
            "schemas": [RESOURCE_TYPE], "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Groups of people",
            "schema": GROUP, "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/Group") },
        }),
    ]
}

async fn service_provider_config(Extension(state): Extension<AppState>) -> Response {
    let base = base(&state);
    scim(
        StatusCode::OK,
        json!({
            "schemas": [SP_CONFIG],
            "documentationUri": format!("{}/api-docs", state.settings.public_url.trim_end_matches('/')),
            "patch": { "supported": true },
            "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
            "filter": { "supported": true, "maxResults": MAX_COUNT },
            "changePassword": { "supported": false },
            "sort": { "supported": false },
            "etag": { "supported": false },
            "authenticationSchemes": [{
                "type": "oauthbearertoken", "name": "Service account token", "primary": true,
                "description": "A service account's API token, made on the API tokens page: Authorization: Bearer gh_…",
            }],
            "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig") },
        }),
    )
}

fn listing(all: Vec<Value>) -> Response {
    let n = all.len();
    scim(StatusCode::OK, json!({ "schemas": [LIST], "totalResults": n, "startIndex": 1, "itemsPerPage": n, "Resources": all }))
}

/// The one of `all` with this id, or a 404.
fn by_id(all: Vec<Value>, id: &str, what: &str) -> Response {
    match all.into_iter().find(|t| t.get("id").and_then(Value::as_str) == Some(id)) {
        Some(t) => scim(StatusCode::OK, t),
        None => ScimError::new(StatusCode::NOT_FOUND, None, format!("no {what} {id}")).into_response(),
    }
}

async fn resource_types(Extension(state): Extension<AppState>) -> Response {
    listing(all_resource_types(&base(&state)))
}

async fn resource_type(Extension(state): Extension<AppState>, Path(id): Path<String>) -> Response {
    by_id(all_resource_types(&base(&state)), &id, "resource type")
}

async fn schemas(Extension(state): Extension<AppState>) -> Response {
    listing(all_schemas(&base(&state)))
}

async fn schema(Extension(state): Extension<AppState>, Path(id): Path<String>) -> Response {
    by_id(all_schemas(&base(&state)), &id, "schema")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_keep_what_is_asked_and_excluded_attributes_drop_it() {
        let v = json!({ "schemas": [USER], "id": "a", "userName": "u", "name": { "givenName": "G", "familyName": "F" }, ENTERPRISE: { "department": "Sales" } });
        let only = project(v.clone(), &["name.givenName".into()], &[]);
        assert_eq!(only, json!({ "schemas": [USER], "id": "a", "name": { "givenName": "G" } }));
        let ext = project(v.clone(), &[format!("{ENTERPRISE}:department")], &[]);
        assert_eq!(ext.get(ENTERPRISE), Some(&json!({ "department": "Sales" })));
        assert!(ext.get("userName").is_none());
        let without = project(v, &[], &["userName".into(), "id".into()]);
        assert!(without.get("userName").is_none());
        assert_eq!(without.get("id"), Some(&json!("a")));
    }
}
