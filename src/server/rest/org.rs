//! `/api/v1/companies`, `/departments`, `/roles`: what the console's organisation pages read.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{ApiCaller, Problem};
use crate::domain::{CompanyDto, DepartmentDto, LicenseDto, RoleDto};
use crate::server::http::Declared;
use crate::server::{licenses, org};
use crate::server::state::AppState;

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
