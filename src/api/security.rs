//! Second factors: finishing a sign-in with a code, setting up an authenticator app, recovery
//! codes, confirming one's identity again (step-up), an administrator's reset, and the policy.

use dioxus::prelude::*;

use crate::domain::{ApiError, Me, SecondFactorPolicy, SecondFactorStatus, TotpSetup};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, second_factor};

/// After a right password: the authenticator code or a recovery code finishes the sign-in.
#[post("/api/auth/second-factor")]
pub async fn finish_sign_in(code: String) -> Result<Me, ApiError> {
    second_factor::finish_sign_in(&RequestCtx::write()?, &code).await
}

/// Step-up: the password (and a code, with a second factor) again, for ten minutes of
/// sensitive changes.
#[post("/api/auth/confirm")]
pub async fn confirm_identity(password: String, code: Option<String>) -> Result<(), ApiError> {
    second_factor::confirm_identity(&RequestCtx::write()?, &password, code.as_deref()).await
}

#[get("/api/users/{id}/second-factor")]
pub async fn second_factor_status(id: String) -> Result<SecondFactorStatus, ApiError> {
    second_factor::status(&RequestCtx::read()?, &id).await
}

/// Starts setting up an authenticator app: the secret and its QR code, shown once.
#[post("/api/account/totp/start")]
pub async fn totp_start() -> Result<TotpSetup, ApiError> {
    second_factor::totp_begin(&RequestCtx::write()?).await
}

/// Confirms the authenticator app with its first code; answers the recovery codes (once).
#[post("/api/account/totp/confirm")]
pub async fn totp_confirm(code: String) -> Result<Vec<String>, ApiError> {
    second_factor::totp_confirm(&RequestCtx::write()?, &code).await
}

#[post("/api/account/recovery-codes")]
pub async fn renew_recovery_codes() -> Result<Vec<String>, ApiError> {
    second_factor::renew_recovery(&RequestCtx::write()?).await
}

#[post("/api/account/second-factor/off")]
pub async fn turn_off_second_factor() -> Result<(), ApiError> {
    second_factor::turn_off(&RequestCtx::write()?).await
}

/// An administrator resets a user's second factor (a lost phone).
#[post("/api/users/{id}/second-factor/reset")]
pub async fn reset_second_factor(id: String) -> Result<(), ApiError> {
    second_factor::admin_reset(&RequestCtx::write()?, &id).await
}

#[get("/api/second-factor/policy")]
pub async fn second_factor_policy() -> Result<SecondFactorPolicy, ApiError> {
    second_factor::policy(&RequestCtx::read()?).await
}

/// Requires (or not) a second factor for a role, or with no role for every account.
#[post("/api/second-factor/policy")]
pub async fn set_second_factor_policy(role: Option<String>, required: bool) -> Result<SecondFactorPolicy, ApiError> {
    second_factor::set_policy(&RequestCtx::write()?, role.as_deref(), required).await
}
