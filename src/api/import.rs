//! People from a CSV file (dry run, import job, its progress) and the users list as CSV.

use dioxus::prelude::*;

use crate::domain::{ApiError, ImportJob, ImportPlan, UserQuery};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, import};

/// What importing this CSV would do, row by row; nothing is written.
#[post("/api/users/import/preview")]
pub async fn import_users_preview(csv: String) -> Result<ImportPlan, ApiError> {
    import::plan(&RequestCtx::read()?, &csv).await
}

/// Starts importing this CSV (the rows the dry run accepts).
#[post("/api/users/import")]
pub async fn import_users_start(file_name: String, csv: String) -> Result<ImportJob, ApiError> {
    import::start(&RequestCtx::write()?, &file_name, &csv).await
}

/// How far an import got.
#[get("/api/imports/{id}")]
pub async fn import_status(id: String) -> Result<ImportJob, ApiError> {
    import::status_of(&RequestCtx::read()?, &id).await
}

/// The users list with these filters as CSV, in the import's columns.
#[post("/api/users/export")]
pub async fn export_users(query: UserQuery) -> Result<String, ApiError> {
    import::export(&RequestCtx::write()?, &query).await
}
