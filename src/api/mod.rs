//! The typed server functions: the browser calls them over HTTP, the server runs them. Each is
//! a few lines: declare itself (`RequestCtx::public`, `read` or `write`: only reads run during
//! "view as", only public ones, also listed in `server::http::PUBLIC_ENDPOINTS`, run without a
//! session), then call a service, which checks the session and the engine itself.

use dioxus::prelude::*;

mod account;
mod admin;
mod import;
mod licenses;
mod org;
mod passkeys;
mod records;
mod reviews;
mod security;
mod tokens;
mod users;
pub use account::*;
pub use admin::*;
pub use import::*;
pub use licenses::*;
pub use org::*;
pub use passkeys::*;
pub use records::*;
pub use reviews::*;
pub use security::*;
pub use tokens::*;
pub use users::*;

use crate::domain::{ApiError, DashboardSummary, Me, SessionInfo};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, services};

/// Quick find: people, roles, groups and records whose name holds `term`, within what the
/// person may see.
#[post("/api/find")]
pub async fn quick_find(term: String) -> Result<Vec<crate::domain::Found>, ApiError> {
    crate::server::find::find(&RequestCtx::read()?, &term).await
}

/// Public: is the installation set up, and who is signed in here (if anyone).
#[get("/api/session")]
pub async fn session_info() -> Result<SessionInfo, ApiError> {
    let ctx = RequestCtx::public()?;
    services::session_info(&ctx).await
}

/// Public while the installation is empty: creates the first administrator and signs them in.
#[post("/api/setup")]
pub async fn setup(full_name: String, email: String, password: String) -> Result<Me, ApiError> {
    let ctx = RequestCtx::public()?;
    services::setup(&ctx, &full_name, &email, &password).await
}

/// Public: exchanges an email and password for a session cookie.
#[post("/api/auth/sign-in")]
pub async fn sign_in(email: String, password: String) -> Result<Me, ApiError> {
    let ctx = RequestCtx::public()?;
    services::sign_in(&ctx, &email, &password).await
}

/// Ends this browser's session on the server and clears its cookie.
#[post("/api/auth/sign-out")]
pub async fn sign_out() -> Result<(), ApiError> {
    let ctx = RequestCtx::read()?;
    let me = ctx.require_any_session().await?;
    services::sign_out(&ctx, &me).await
}

/// The signed-in user.
#[get("/api/auth/me")]
pub async fn me() -> Result<Me, ApiError> {
    let ctx = RequestCtx::read()?;
    Ok(ctx.require_user().await?.me())
}

/// The signed-in person's welcome: what they can do, their manager, whom to ask.
#[get("/api/welcome")]
pub async fn welcome() -> Result<crate::domain::Welcome, ApiError> {
    crate::server::welcome::welcome(&RequestCtx::read()?).await
}

/// The dashboard's numbers.
#[get("/api/dashboard")]
pub async fn dashboard() -> Result<DashboardSummary, ApiError> {
    let ctx = RequestCtx::read()?;
    crate::server::dashboard::dashboard(&ctx).await
}

/// "View as": a full administrator sees the console as another user, read-only.
#[post("/api/view-as")]
pub async fn view_as(user: String) -> Result<(), ApiError> {
    services::view_as_start(&RequestCtx::write()?, &user).await
}

#[post("/api/view-as/end")]
pub async fn end_view_as() -> Result<(), ApiError> {
    services::view_as_end(&RequestCtx::read()?).await
}

/// The Settings page (Settings / View): the configuration, without secrets.
#[get("/api/settings")]
pub async fn settings_overview() -> Result<crate::domain::SettingsOverview, ApiError> {
    services::settings_overview(&RequestCtx::read()?).await
}

/// Sends a test email to the signed-in administrator (Settings / Edit), through the same queue
/// and transport as every other email; answers where it went.
#[post("/api/settings/test-email")]
pub async fn send_test_email() -> Result<String, ApiError> {
    services::send_test_email(&RequestCtx::write()?).await
}

