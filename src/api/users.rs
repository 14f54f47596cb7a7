//! Users: the list, one user, add, edit, status, invitations; and the public activation,
//! reset and forgot-password endpoints.

use dioxus::prelude::*;

use crate::domain::{ApiError, BulkAction, BulkResult, InviteLink, LinkInfo, Me, ModuleOwner, OffboardPlan, Page, UserInput, UserQuery, UserRow};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, offboarding, users};

/// A page of users within the caller's reach.
#[post("/api/users/search")]
pub async fn list_users(query: UserQuery) -> Result<Page<UserRow>, ApiError> {
    users::list_users(&RequestCtx::read()?, &query).await
}

#[get("/api/users/{id}")]
pub async fn get_user(id: String) -> Result<UserRow, ApiError> {
    users::get_user(&RequestCtx::read()?, &id).await
}

/// Adds a user and sends the invitation.
#[post("/api/users")]
pub async fn create_user(input: UserInput) -> Result<UserRow, ApiError> {
    users::create_user(&RequestCtx::write()?, &input).await
}

#[post("/api/users/{id}")]
pub async fn update_user(id: String, input: UserInput) -> Result<UserRow, ApiError> {
    users::update_user(&RequestCtx::write()?, &id, &input).await
}

/// What saving this edit would change for whom; nothing is written.
#[post("/api/users/{id}/preview")]
pub async fn preview_user_update(id: String, input: UserInput) -> Result<crate::access::AccessDiff, ApiError> {
    users::preview_update(&RequestCtx::read()?, &id, &input).await
}

/// `active`, `inactive` or `blocked`.
#[post("/api/users/{id}/status")]
pub async fn set_user_status(id: String, status: String) -> Result<UserRow, ApiError> {
    users::set_status(&RequestCtx::write()?, &id, &status).await
}

#[post("/api/users/{id}/resend-invite")]
pub async fn resend_invite(id: String) -> Result<(), ApiError> {
    users::resend_invite(&RequestCtx::write()?, &id).await
}

/// A new invitation link shown to the administrator instead of mailed; the old one stops.
#[post("/api/users/{id}/invite-link")]
pub async fn invite_link(id: String) -> Result<InviteLink, ApiError> {
    users::invite_link(&RequestCtx::write()?, &id).await
}

/// What offboarding this person now would do (sessions, records, licenses, grants, groups).
#[post("/api/users/{id}/offboarding/preview")]
pub async fn preview_offboarding(id: String, new_owner: Option<String>, owners: Option<Vec<ModuleOwner>>) -> Result<OffboardPlan, ApiError> {
    offboarding::preview(&RequestCtx::read()?, &id, new_owner.as_deref(), &owners.unwrap_or_default()).await
}

/// Offboards the person now: blocked, signed out, records handed over, access given back.
#[post("/api/users/{id}/offboard")]
pub async fn offboard_user(id: String, new_owner: Option<String>, owners: Option<Vec<ModuleOwner>>) -> Result<OffboardPlan, ApiError> {
    offboarding::offboard_now(&RequestCtx::write()?, &id, new_owner.as_deref(), &owners.unwrap_or_default()).await
}

/// Schedules the person's offboarding for `at` (Unix milliseconds); `None` cancels it.
#[post("/api/users/{id}/offboarding/schedule")]
pub async fn schedule_offboarding(id: String, at: Option<i64>, new_owner: Option<String>, owners: Option<Vec<ModuleOwner>>) -> Result<UserRow, ApiError> {
    offboarding::schedule(&RequestCtx::write()?, &id, at, new_owner.as_deref(), &owners.unwrap_or_default()).await
}

#[post("/api/users/bulk")]
pub async fn bulk_users(ids: Vec<String>, action: BulkAction) -> Result<BulkResult, ApiError> {
    users::bulk(&RequestCtx::write()?, &ids, action).await
}

/// Public: what an activation or reset link is for, or why it no longer works.
#[post("/api/links/info")]
pub async fn link_info(token: String) -> Result<LinkInfo, ApiError> {
    users::link_info(&RequestCtx::public()?, &token).await
}

/// Public: sets the password from a link and signs the person in.
#[post("/api/links/complete")]
pub async fn complete_link(token: String, password: String) -> Result<Me, ApiError> {
    users::complete_link(&RequestCtx::public()?, &token, &password).await
}

/// Public: mails a reset link when the address belongs to an active account (same answer either way).
#[post("/api/auth/forgot")]
pub async fn forgot_password(email: String) -> Result<(), ApiError> {
    users::forgot_password(&RequestCtx::public()?, &email).await
}
