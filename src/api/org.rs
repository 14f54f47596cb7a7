//! Companies and departments.

use dioxus::prelude::*;

use crate::domain::{ApiError, CompanyDto, DepartmentDto, DepartmentInput, RoleDto};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, org};

/// Companies: all of them with Companies / View, otherwise the ones in one's own access.
#[get("/api/companies")]
pub async fn list_companies() -> Result<Vec<CompanyDto>, ApiError> {
    org::list_companies(&RequestCtx::read()?).await
}

#[post("/api/companies")]
pub async fn create_company(name: String) -> Result<CompanyDto, ApiError> {
    org::create_company(&RequestCtx::write()?, &name).await
}

#[post("/api/companies/{id}/rename")]
pub async fn rename_company(id: String, name: String) -> Result<(), ApiError> {
    org::rename_company(&RequestCtx::write()?, &id, &name).await
}

#[post("/api/companies/{id}/archive")]
pub async fn set_company_archived(id: String, archived: bool) -> Result<(), ApiError> {
    org::set_company_archived(&RequestCtx::write()?, &id, archived).await
}

#[post("/api/companies/{id}/delete")]
pub async fn delete_company(id: String) -> Result<(), ApiError> {
    org::delete_company(&RequestCtx::write()?, &id).await
}

#[get("/api/departments")]
pub async fn list_departments() -> Result<Vec<DepartmentDto>, ApiError> {
    org::list_departments(&RequestCtx::read()?).await
}

#[post("/api/departments")]
pub async fn create_department(input: DepartmentInput) -> Result<String, ApiError> {
    org::create_department(&RequestCtx::write()?, &input).await
}

#[post("/api/departments/{id}")]
pub async fn update_department(id: String, input: DepartmentInput) -> Result<(), ApiError> {
    org::update_department(&RequestCtx::write()?, &id, &input).await
}

#[post("/api/departments/{id}/delete")]
pub async fn delete_department(id: String) -> Result<(), ApiError> {
    org::delete_department(&RequestCtx::write()?, &id).await
}

/// Roles, for the forms that assign them.
#[get("/api/roles")]
pub async fn list_roles() -> Result<Vec<RoleDto>, ApiError> {
    org::list_roles(&RequestCtx::read()?).await
}
