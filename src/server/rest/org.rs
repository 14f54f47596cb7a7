//! `/api/v1/companies`, `/departments`, `/roles`, `/licenses`: what the console's organisation
//! pages read; `/groups`: read, made, saved and deleted through the same judged save as the
//! Groups page.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{check_if_match, etag, with_etag, ApiCaller, Problem};
use crate::access::{Action, Module, OrgChange};
use crate::domain::{ApiError, CompanyDto, DepartmentDto, LicenseDto, RoleDto};
use crate::server::http::{Declared, RequestCtx};
use crate::server::state::AppState;
use crate::server::{admin, licenses, org, services};

/// A new company.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCompany {
    name: String,
}

/// The companies the caller may see (every one for a full administrator).
#[utoipa::path(get, path = "/api/v1/companies", tag = "organisation", operation_id = "listCompanies",
    responses(
        (status = 200, description = "Companies", body = Vec<CompanyDto>),
    ))]
pub async fn companies(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Json<Vec<CompanyDto>>, Problem> {
    Ok(Json(org::list_companies(&caller.ctx(&state, Declared::Read)).await?))
}

/// Creates a company.
#[utoipa::path(post, path = "/api/v1/companies", tag = "organisation", operation_id = "createCompany",
    request_body = NewCompany,
    responses(
        (status = 201, description = "Created", body = CompanyDto),
        (status = 409, description = "A company of that name exists", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_company(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Json(input): Json<NewCompany>,
) -> Result<Response, Problem> {
    let made = org::create_company(&caller.ctx(&state, Declared::Write), &input.name).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// The departments (the tree by `parent`).
#[utoipa::path(get, path = "/api/v1/departments", tag = "organisation", operation_id = "listDepartments",
    responses(
        (status = 200, description = "Departments", body = Vec<DepartmentDto>),
    ))]
pub async fn departments(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Json<Vec<DepartmentDto>>, Problem> {
    Ok(Json(org::list_departments(&caller.ctx(&state, Declared::Read)).await?))
}

/// The roles (the hierarchy by `parent`), with whether the caller may give each.
#[utoipa::path(get, path = "/api/v1/roles", tag = "organisation", operation_id = "listRoles",
    responses(
        (status = 200, description = "Roles", body = Vec<RoleDto>),
    ))]
pub async fn roles(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Json<Vec<RoleDto>>, Problem> {
    Ok(Json(org::list_roles(&caller.ctx(&state, Declared::Read)).await?))
}

/// The license types, with seats and seats used.
#[utoipa::path(get, path = "/api/v1/licenses", tag = "organisation", operation_id = "listLicenses",
    responses(
        (status = 200, description = "Licenses", body = Vec<LicenseDto>),
    ))]
pub async fn licenses(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Json<Vec<LicenseDto>>, Problem> {
    Ok(Json(licenses::list_licenses(&caller.ctx(&state, Declared::Read)).await?))
}

/// A group: people and nested groups; access shared with it reaches them all.
#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub id: String,
    pub name: String,
    /// Its people (user ids).
    pub users: Vec<String>,
    /// Nested groups (their members are members of this one too).
    pub groups: Vec<String>,
}

/// A group as saved: its name, people and nested groups, all of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    name: String,
    #[serde(default)]
    users: Vec<String>,
    #[serde(default)]
    groups: Vec<String>,
}

/// Every group, for whoever may view Departments & Groups.
async fn all_groups(ctx: &RequestCtx) -> Result<Vec<Group>, ApiError> {
    let (_, engine) = ctx.require(Module::DepartmentsGroups, Action::View).await?;
    Ok(engine.org().groups.iter().map(|g| Group { id: g.id.clone(), name: g.name.clone(), users: g.users.clone(), groups: g.groups.clone() }).collect())
}

async fn one_group(ctx: &RequestCtx, id: &str) -> Result<Group, ApiError> {
    all_groups(ctx).await?.into_iter().find(|g| g.id == id).ok_or_else(|| ApiError::NotFound("no such group".into()))
}

/// The groups.
#[utoipa::path(get, path = "/api/v1/groups", tag = "organisation", operation_id = "listGroups",
    responses(
        (status = 200, description = "Groups", body = Vec<Group>),
    ))]
pub async fn groups(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>) -> Result<Json<Vec<Group>>, Problem> {
    Ok(Json(all_groups(&caller.ctx(&state, Declared::Read)).await?))
}

/// Makes a group; judged and audited like the console's Groups page (no escalation through it).
#[utoipa::path(post, path = "/api/v1/groups", tag = "organisation", operation_id = "createGroup",
    request_body = GroupInput,
    responses(
        (status = 201, description = "Made", body = Group, headers(("Location" = String), ("ETag" = String))),
        (status = 422, description = "A name missing or taken, an unknown person or group", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_group(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Json(input): Json<GroupInput>) -> Result<Response, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    let id = services::new_id();
    admin::save_as(&ctx, &OrgChange::SaveGroup { id: None, name: input.name, users: input.users, groups: input.groups }, &id, false).await?;
    let mut resp = with_etag(one_group(&ctx, &id).await?, StatusCode::CREATED);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/groups/{id}")) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    Ok(resp)
}

/// One group, with an `ETag` to send back in `If-Match` when changing it.
#[utoipa::path(get, path = "/api/v1/groups/{id}", tag = "organisation", operation_id = "getGroup",
    params(("id" = String, Path, description = "The group's id")),
    responses(
        (status = 200, description = "The group", body = Group, headers(("ETag" = String))),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn group(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Result<Response, Problem> {
    Ok(with_etag(one_group(&caller.ctx(&state, Declared::Read), &id).await?, StatusCode::OK))
}

/// Saves a group whole (name, people, nested groups); with `If-Match`, refused (412) when it
/// changed since it was read.
#[utoipa::path(put, path = "/api/v1/groups/{id}", tag = "organisation", operation_id = "saveGroup",
    params(
        ("id" = String, Path, description = "The group's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the group as last read"),
    ),
    request_body = GroupInput,
    responses(
        (status = 200, description = "Saved", body = Group, headers(("ETag" = String))),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The group changed since the ETag was read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn save_group(
    Extension(state): Extension<AppState>,
    Extension(caller): Extension<ApiCaller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(input): Json<GroupInput>,
) -> Result<Response, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    let current = one_group(&ctx, &id).await?;
    if let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) {
        check_if_match(wanted, &etag(&current))?;
    }
    admin::save(&ctx, &OrgChange::SaveGroup { id: Some(id.clone()), name: input.name, users: input.users, groups: input.groups }, false).await?;
    Ok(with_etag(one_group(&ctx, &id).await?, StatusCode::OK))
}

/// Deletes a group (refused while a sharing rule uses it).
#[utoipa::path(delete, path = "/api/v1/groups/{id}", tag = "organisation", operation_id = "deleteGroup",
    params(("id" = String, Path, description = "The group's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such group", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A sharing rule uses it still", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_group(Extension(state): Extension<AppState>, Extension(caller): Extension<ApiCaller>, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    let ctx = caller.ctx(&state, Declared::Write);
    one_group(&ctx, &id).await?;
    admin::save(&ctx, &OrgChange::DeleteGroup { id }, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
