//! The browser's half of a passkey ceremony (in `browser.js`): the server's options go to
//! `navigator.credentials`, and the device's answer comes back as JSON (binary fields in
//! base64url, as webauthn-rs reads them).

use crate::domain::ApiError;
use crate::ui::browser;

/// Asks the device to create a passkey with the server's creation options.
pub async fn create(options: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    answer(browser::passkey_create(&options.to_string()).await)
}

/// Asks the device to sign the server's challenge with one of its passkeys.
pub async fn get(options: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    answer(browser::passkey_get(&options.to_string()).await)
}

fn answer(text: Option<String>) -> Result<serde_json::Value, ApiError> {
    let value = text.and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok()).ok_or_else(|| ApiError::BadRequest("this browser did not answer; try again".into()))?;
    match value.get("error").and_then(|e| e.as_str()) {
        None => Ok(value),
        Some("NotAllowedError") | Some("AbortError") => {
            Err(ApiError::BadRequest("the passkey request was cancelled or timed out; try again when your device asks".into()))
        }
        Some("InvalidStateError") => Err(ApiError::Conflict("this device already holds a passkey for your account".into())),
        Some("Unsupported") => Err(ApiError::BadRequest("this browser cannot use passkeys; use your password and code instead".into())),
        Some(_) => Err(ApiError::BadRequest("the device could not use a passkey here; try again or use another way".into())),
    }
}
