//! Passwords, sessions, activity and the audit log.

use dioxus::prelude::*;

use crate::domain::{ApiError, AuditEntry, AuditQuery, Me, Page, PasswordChange, SessionDto};

#[cfg(feature = "server")]
use crate::server::{account, http::RequestCtx};

/// An administrator sets a temporary password or mails a reset link.
#[post("/api/users/{id}/password")]
pub async fn admin_password(id: String, change: PasswordChange) -> Result<(), ApiError> {
    account::admin_password(&RequestCtx::write()?, &id, change).await
}

/// The signed-in user changes their own password (also after a temporary one).
#[post("/api/account/password")]
pub async fn change_own_password(current: String, password: String) -> Result<Me, ApiError> {
    account::change_own_password(&RequestCtx::write()?, &current, &password).await
}

#[get("/api/users/{id}/sessions")]
pub async fn list_sessions(id: String) -> Result<Vec<SessionDto>, ApiError> {
    account::list_sessions(&RequestCtx::read()?, &id).await
}

/// Ends one session, or every session but the caller's own when `session` is null.
#[post("/api/users/{id}/sessions/end")]
pub async fn end_sessions(id: String, session: Option<String>) -> Result<u32, ApiError> {
    account::end_sessions(&RequestCtx::write()?, &id, session.as_deref()).await
}

#[get("/api/users/{id}/activity")]
pub async fn user_activity(id: String) -> Result<Vec<AuditEntry>, ApiError> {
    account::user_activity(&RequestCtx::read()?, &id).await
}

#[post("/api/audit/search")]
pub async fn list_audit(query: AuditQuery) -> Result<Page<AuditEntry>, ApiError> {
    account::list_audit(&RequestCtx::read()?, &query).await
}

/// The filtered audit log as CSV text.
#[post("/api/audit/export")]
pub async fn export_audit(query: AuditQuery) -> Result<String, ApiError> {
    account::export_audit(&RequestCtx::write()?, &query).await
}
