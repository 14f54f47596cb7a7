//! Licenses, and the user page's Licenses, Navigation and Member-of widgets.

use dioxus::prelude::*;

use crate::access::Module;
use crate::domain::{ApiError, LicenseDto, UserAccessSetup};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, licenses};

#[get("/api/licenses")]
pub async fn list_licenses() -> Result<Vec<LicenseDto>, ApiError> {
    licenses::list_licenses(&RequestCtx::read()?).await
}

/// Creates (id null) or changes a license type.
#[post("/api/licenses")]
pub async fn save_license(id: Option<String>, name: String, seats: u32, modules: Vec<Module>) -> Result<String, ApiError> {
    licenses::save_license(&RequestCtx::write()?, id.as_deref(), &name, seats, &modules).await
}

#[post("/api/users/{id}/licenses")]
pub async fn set_user_licenses(id: String, licenses: Vec<String>) -> Result<(), ApiError> {
    licenses::set_user_licenses(&RequestCtx::write()?, &id, &licenses).await
}

#[post("/api/users/{id}/navigation")]
pub async fn set_hidden_modules(id: String, hidden: Vec<Module>) -> Result<(), ApiError> {
    licenses::set_hidden_modules(&RequestCtx::write()?, &id, &hidden).await
}

#[get("/api/users/{id}/setup")]
pub async fn user_access_setup(id: String) -> Result<UserAccessSetup, ApiError> {
    licenses::user_access_setup(&RequestCtx::read()?, &id).await
}
