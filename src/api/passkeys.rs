//! Passkeys: register (signed in), list, remove, and sign in with one (alone, or as the second
//! factor of a sign-in whose password was right).

use dioxus::prelude::*;

use crate::domain::{ApiError, Me, PasskeyChallenge, PasskeyInfo};

#[cfg(feature = "server")]
use crate::server::{http::RequestCtx, passkey};

/// Starts registering a passkey under a name: the options for `navigator.credentials.create`.
#[post("/api/account/passkeys/start")]
pub async fn passkey_register_start(name: String) -> Result<PasskeyChallenge, ApiError> {
    passkey::register_start(&RequestCtx::write()?, &name).await
}

/// Finishes registering with the device's answer.
#[post("/api/account/passkeys/finish")]
pub async fn passkey_register_finish(ceremony: String, credential: serde_json::Value) -> Result<(), ApiError> {
    passkey::register_finish(&RequestCtx::write()?, &ceremony, credential).await
}

#[get("/api/users/{id}/passkeys")]
pub async fn list_passkeys(id: String) -> Result<Vec<PasskeyInfo>, ApiError> {
    passkey::list(&RequestCtx::read()?, &id).await
}

#[post("/api/account/passkeys/remove")]
pub async fn remove_passkey(passkey: String) -> Result<(), ApiError> {
    passkey::remove(&RequestCtx::write()?, &passkey).await
}

/// Public: the options for `navigator.credentials.get` (any passkey of this site, or, with a
/// session waiting for its second factor, that user's).
#[post("/api/auth/passkey/start")]
pub async fn passkey_sign_in_start() -> Result<PasskeyChallenge, ApiError> {
    passkey::sign_in_start(&RequestCtx::public()?).await
}

/// Public: the device's answer; a session when it checks out.
#[post("/api/auth/passkey/finish")]
pub async fn passkey_sign_in_finish(ceremony: String, credential: serde_json::Value) -> Result<Me, ApiError> {
    passkey::sign_in_finish(&RequestCtx::public()?, &ceremony, credential).await
}
