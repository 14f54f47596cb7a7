//! Roles, profiles, groups and grants: read the setup, preview a change, save it.

use dioxus::prelude::*;

use crate::access::{AccessDiff, OrgChange};
use crate::domain::{AdminOrg, ApiError};

#[cfg(feature = "server")]
use crate::server::{admin, http::RequestCtx};

#[get("/api/admin/org")]
pub async fn admin_org() -> Result<AdminOrg, ApiError> {
    admin::admin_org(&RequestCtx::read()?).await
}

/// What ends or lapses in the next two weeks: granted profiles, scheduled leavers, invitations.
#[get("/api/expiring")]
pub async fn expiring_soon() -> Result<crate::domain::ExpiringSoon, ApiError> {
    crate::server::expiring::expiring_soon(&RequestCtx::read()?).await
}

/// Whose effective access would change, and how, if `change` were saved. Writes nothing.
#[post("/api/admin/preview")]
pub async fn preview_change(change: OrgChange) -> Result<AccessDiff, ApiError> {
    admin::preview(&RequestCtx::read()?, &change).await
}

/// Saves `change` after the same checks (permission, no escalation, no lock-out); with `notify`,
/// everyone whose access changes gets an email saying how, in words.
#[post("/api/admin/save")]
pub async fn save_change(change: OrgChange, notify: Option<bool>) -> Result<AccessDiff, ApiError> {
    admin::save(&RequestCtx::write()?, &change, notify.unwrap_or(false)).await
}

#[get("/api/users/{id}/access")]
pub async fn effective_access(id: String) -> Result<crate::domain::EffectiveAccess, ApiError> {
    admin::effective_access(&RequestCtx::read()?, &id).await
}

/// "Who has what, and why": a page of the people in reach with their access and its reasons.
#[post("/api/reports/access")]
pub async fn access_report(query: crate::domain::AccessReportQuery) -> Result<crate::domain::Page<crate::domain::AccessReportRow>, ApiError> {
    crate::server::reports::access_report(&RequestCtx::read()?, &query).await
}

/// The same report for everyone in reach, as CSV (audited; an export, so refused in "view as").
#[post("/api/reports/access/export")]
pub async fn export_access_report(query: crate::domain::AccessReportQuery) -> Result<String, ApiError> {
    crate::server::reports::export_access_report(&RequestCtx::write()?, &query).await
}

#[get("/api/admin/conflicts")]
pub async fn conflicts_report() -> Result<Vec<crate::access::Conflict>, ApiError> {
    admin::conflicts_report(&RequestCtx::read()?).await
}
