//! The browser's half of a passkey ceremony: the server's options go to
//! `navigator.credentials`, and the device's answer comes back as JSON (binary fields in
//! base64url, as webauthn-rs reads them).

use dioxus::prelude::*;

use crate::domain::ApiError;

/// Shared by both ceremonies: base64url to bytes and back.
const CODEC: &str = r#"
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const bytes = (s) => { const t = s.replace(/-/g, '+').replace(/_/g, '/'); return Uint8Array.from(atob(t + '='.repeat((4 - t.length % 4) % 4)), (c) => c.charCodeAt(0)); };
const failed = (e) => ({ error: (e && e.name) || 'Error' });
if (!window.PublicKeyCredential || !navigator.credentials) { return { error: 'Unsupported' }; }
"#;

/// Asks the device to create a passkey with the server's creation options.
pub async fn create(options: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    let js = format!(
        r#"{CODEC}
const o = {options};
const pk = o.publicKey;
pk.challenge = bytes(pk.challenge);
pk.user.id = bytes(pk.user.id);
(pk.excludeCredentials || []).forEach((c) => {{ c.id = bytes(c.id); }});
// A passkey that can sign in without an email typed first: kept on the device.
pk.authenticatorSelection = Object.assign({{}}, pk.authenticatorSelection, {{ residentKey: 'required', requireResidentKey: true }});
try {{
  const c = await navigator.credentials.create({{ publicKey: pk }});
  return {{ id: c.id, rawId: b64(c.rawId), type: c.type, extensions: {{}},
    response: {{ attestationObject: b64(c.response.attestationObject), clientDataJSON: b64(c.response.clientDataJSON) }} }};
}} catch (e) {{ return failed(e); }}
"#
    );
    answer(document::eval(&js).join::<serde_json::Value>().await.ok())
}

/// Asks the device to sign the server's challenge with one of its passkeys.
pub async fn get(options: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    let js = format!(
        r#"{CODEC}
const o = {options};
const pk = o.publicKey;
pk.challenge = bytes(pk.challenge);
(pk.allowCredentials || []).forEach((c) => {{ c.id = bytes(c.id); }});
try {{
  const c = await navigator.credentials.get({{ publicKey: pk }});
  const r = c.response;
  return {{ id: c.id, rawId: b64(c.rawId), type: c.type, extensions: {{}},
    response: {{ authenticatorData: b64(r.authenticatorData), clientDataJSON: b64(r.clientDataJSON), signature: b64(r.signature),
      userHandle: r.userHandle ? b64(r.userHandle) : null }} }};
}} catch (e) {{ return failed(e); }}
"#
    );
    answer(document::eval(&js).join::<serde_json::Value>().await.ok())
}

fn answer(value: Option<serde_json::Value>) -> Result<serde_json::Value, ApiError> {
    let value = value.ok_or_else(|| ApiError::BadRequest("this browser did not answer; try again".into()))?;
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
