//! `/api/v1/users`: the users list, one user, invite, change (with `If-Match`), status, offboard.

use axum::extract::{Path, Query};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{check_if_match, cursor, etag, with_etag, ApiCaller, Problem};
use crate::domain::{UserInput, UserQuery, UserRow, UserSort};
use crate::server::http::Declared;
use crate::server::state::AppState;
use crate::server::{offboarding, users};

/// The users list's filters, as the console's.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words in the name or email.
    search: Option<String>,
    /// `invited`, `active`, `inactive` or `blocked`.
    status: Option<String>,
    /// A role's id.
    role: Option<String>,
    /// A department's id.
    department: Option<String>,
    /// A company's id: people with access to it.
    company: Option<String>,
    /// A license's id: people holding it.
    license: Option<String>,
    /// A group's id: its members, those of its nested groups included.
    group: Option<String>,
    /// `on` (set up), `off` (not set up), `missing` (required and not set up).
    second_factor: Option<String>,
    /// The order (by name when absent).
    #[param(inline)]
    sort: Option<SortBy>,
    /// Reverse the order.
    descending: Option<bool>,
    /// People per page, 1 to 200 (25 by default).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next_cursor` of the previous page, with the same filters.
    cursor: Option<String>,
}

/// What the users list is sorted by.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    Name,
    Email,
    Status,
    LastSignIn,
    Created,
}

impl From<SortBy> for UserSort {
    fn from(s: SortBy) -> UserSort {
        match s {
            SortBy::Name => UserSort::Name,
            SortBy::Email => UserSort::Email,
            SortBy::Status => UserSort::Status,
            SortBy::LastSignIn => UserSort::LastSignIn,
            SortBy::Created => UserSort::Created,
        }
    }
}

/// A status an administrator may set.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SettableStatus {
    Active,
    Inactive,
    Blocked,
}

/// A page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<UserRow>,
    /// People matching the filters within the caller's reach.
    pub total: u64,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The fields of a person to change; absent ones stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    full_name: Option<String>,
    email: Option<String>,
    mobile: Option<String>,
    /// A department's id.
    department: Option<String>,
    /// A role's id.
    role: Option<String>,
    /// Company ids: the person's whole company access.
    companies: Option<Vec<String>>,
    is_approver: Option<bool>,
}

/// A new status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    status: SettableStatus,
}

/// Offboarding now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OffboardRequest {
    /// Who takes the person's records over (a user id); without one the records stay.
    new_owner: Option<String>,
    /// A different new owner for some modules' records.
    #[serde(default)]
    owners: Vec<crate::domain::ModuleOwner>,
}

/// What offboarding did, in the order it happened.
#[derive(Debug, Serialize, ToSchema)]
pub struct OffboardDone {
    pub user: UserRow,
    pub steps: Vec<String>,
}

/// People within the caller's reach, with the users list's filters.
#[utoipa::path(get, path = "/api/v1/users", tag = "users", operation_id = "listUsers",
    params(ListParams),
    responses(
        (status = 200, description = "A page of people", body = UserList),
        (status = 400, description = "A filter or cursor that cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's owner may not list people", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Query(p): Query<ListParams>) -> Result<Json<UserList>, Problem> {
    let limit = super::limit(p.limit)?;
    let key = cursor::key(&format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{limit}",
        p.search, p.status, p.role, p.department, p.company, p.license, p.group, p.second_factor, p.sort, p.descending
    ));
    let page = cursor::page(p.cursor.as_deref(), &key)?;
    let query = UserQuery {
        search: p.search.clone().unwrap_or_default(),
        status: p.status.clone(),
        role: p.role.clone(),
        department: p.department.clone(),
        company: p.company.clone(),
        license: p.license.clone(),
        group: p.group.clone(),
        second_factor: p.second_factor.clone(),
        sort: p.sort.map(UserSort::from).unwrap_or_default(),
        descending: p.descending.unwrap_or(false),
        page,
        per_page: limit,
    };
    let found = users::list_users(&caller.ctx(&state, Declared::Read), &query).await?;
    let next_cursor = cursor::next(page, limit, found.total, &key);
    Ok(Json(UserList { items: found.items, total: found.total, next_cursor }))
}

/// One person, with an `ETag` to send back in `If-Match` when changing them.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", operation_id = "getUser",
    params(("id" = String, Path, description = "The person's id")),
    responses(
        (status = 200, description = "The person", body = UserRow, headers(("ETag" = String, description = "Send it in If-Match to change the person"))),
        (status = 404, description = "No such person within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Result<Response, Problem> {
    let row = users::get_user(&caller.ctx(&state, Declared::Read), &id).await?;
    Ok(with_etag(row, StatusCode::OK))
}

/// The token's owner.
#[utoipa::path(get, path = "/api/v1/me", tag = "users", operation_id = "getMe",
    responses(
        (status = 200, description = "The person the token acts as", body = UserRow),
    ))]
pub async fn me(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Response, Problem> {
    let row = users::own_row(&caller.ctx(&state, Declared::Read)).await?;
    Ok(with_etag(row, StatusCode::OK))
}

/// Invites a person (the invitation email goes out as from the console's Add user form).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", operation_id = "inviteUser",
    request_body = UserInput,
    responses(
        (status = 201, description = "Invited", body = UserRow, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "Not allowed (read-only token, or beyond the owner's access)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email address is taken", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Json(input): Json<UserInput>) -> Result<Response, Problem> {
    let row = users::create_user(&caller.ctx(&state, Declared::Write), &input).await?;
    let location = format!("/api/v1/users/{}", row.id);
    let mut resp = with_etag(row, StatusCode::CREATED);
    if let Ok(v) = HeaderValue::from_str(&location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// Changes a person's details, role, department or companies; judged and audited like the
/// console's edit. With `If-Match`, refused (412) when the person changed since it was read.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", operation_id = "updateUser",
    params(
        ("id" = String, Path, description = "The person's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the person as last read"),
    ),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Changed", body = UserRow, headers(("ETag" = String))),
        (status = 404, description = "No such person within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The person changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(patch): Json<UserPatch>,
) -> Result<Response, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    let current = users::get_user(&ctx, &id).await?;
    if let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        check_if_match(wanted, &etag(&current))?;
    }
    let input = UserInput {
        full_name: patch.full_name.unwrap_or(current.full_name),
        email: patch.email.unwrap_or(current.email),
        mobile: patch.mobile.unwrap_or_else(|| current.mobile.unwrap_or_default()),
        department: patch.department.unwrap_or_else(|| current.department.map(|d| d.id).unwrap_or_default()),
        role: patch.role.unwrap_or(current.role.id),
        companies: patch.companies.unwrap_or_else(|| current.companies.into_iter().map(|c| c.id).collect()),
        is_approver: patch.is_approver.unwrap_or(current.is_approver),
    };
    let row = users::update_user(&ctx, &id, &input).await?;
    Ok(with_etag(row, StatusCode::OK))
}

/// Activates, deactivates or blocks a person (deactivating and blocking end their sessions).
#[utoipa::path(put, path = "/api/v1/users/{id}/status", tag = "users", operation_id = "setUserStatus",
    params(("id" = String, Path, description = "The person's id")),
    request_body = StatusChange,
    responses(
        (status = 200, description = "The person with the new status", body = UserRow),
        (status = 404, description = "No such person within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a status", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn set_status(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    Json(change): Json<StatusChange>,
) -> Result<Response, Problem> {
    let status = match change.status {
        SettableStatus::Active => "active",
        SettableStatus::Inactive => "inactive",
        SettableStatus::Blocked => "blocked",
    };
    let row = users::set_status(&caller.ctx(&state, Declared::Write), &id, status).await?;
    Ok(with_etag(row, StatusCode::OK))
}

/// Offboards a person now: blocked, signed out, tokens ended, records handed over, access given back.
#[utoipa::path(post, path = "/api/v1/users/{id}/offboard", tag = "users", operation_id = "offboardUser",
    params(("id" = String, Path, description = "The person's id")),
    request_body = OffboardRequest,
    responses(
        (status = 200, description = "What was done", body = OffboardDone),
        (status = 404, description = "No such person within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn offboard(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    Json(req): Json<OffboardRequest>,
) -> Result<Json<OffboardDone>, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    let plan = offboarding::offboard_now(&ctx, &id, req.new_owner.as_deref(), &req.owners).await?;
    let user = users::get_user(&ctx, &id).await?;
    Ok(Json(OffboardDone { user, steps: plan.steps() }))
}
