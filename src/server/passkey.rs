//! Passkeys (WebAuthn, with `webauthn-rs`): registered by a signed-in user (several, each with a
//! name), used as the second factor after a password, or alone ("Sign in with a passkey", the
//! device checking its owner with a PIN or a fingerprint: two factors in one).
//!
//! Every ceremony's state is kept in the database (`webauthn_ceremony`, five minutes, used once),
//! so any instance finishes what another started. The relying party is the host of
//! `GATEHOUSE_PUBLIC_URL`; an IP address cannot be one, which the answer says.

use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    CredentialID, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use super::auth::{hex, throttle, SessionStart};
use super::http::RequestCtx;
use super::mail;
use super::services::{start_session, write_audit};
use super::store::{second_factor as store, session, Audit, Work};
use super::time::now_ms;
use super::users::reachable;
use crate::access::Action;
use crate::domain::*;

const CEREMONY_MS: i64 = 5 * 60_000;
const NAME_MAX: usize = 60;

fn relying_party(ctx: &RequestCtx) -> Result<Webauthn, ApiError> {
    let unusable = || {
        ApiError::Conflict(
            "passkeys need this console to be reached by a name (such as crm.example.com or localhost), not an IP address; \
             ask the administrator to set GATEHOUSE_PUBLIC_URL"
                .into(),
        )
    };
    let url = Url::parse(&ctx.state.settings.public_url).map_err(|_| unusable())?;
    let rp_id = url.domain().ok_or_else(unusable)?.to_string();
    WebauthnBuilder::new(&rp_id, &url).and_then(|b| b.rp_name("Gatehouse").build()).map_err(|e| {
        tracing::warn!(error = %e, "no WebAuthn relying party for the public URL");
        unusable()
    })
}

/// The user's WebAuthn handle: derived from their id, so nothing more is stored and nothing
/// about the account shows in it.
fn handle(user: &str) -> Uuid {
    let digest = Sha256::digest(format!("gatehouse-user|{user}").as_bytes());
    digest.get(..16).and_then(|b| Uuid::from_slice(b).ok()).unwrap_or_default()
}

fn credential_key(id: &CredentialID) -> String {
    hex(id.as_ref())
}

fn refused_by_device() -> ApiError {
    ApiError::BadRequest("the passkey's answer did not check out; try again, or use another way to sign in".into())
}

#[derive(Deserialize)]
struct Stored {
    id: String,
    key: Value,
}

async fn passkeys_of(ctx: &RequestCtx, user: &str) -> Result<Vec<Stored>, ApiError> {
    Ok(ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, key FROM passkey WHERE user = type::record('user', $u);",
            json!({ "u": user }),
        )
        .await?
        .all(0)?)
}

fn parse_key(row: &Stored) -> Option<Passkey> {
    serde_json::from_value(row.key.clone()).ok()
}

/// Keeps a ceremony's state for five minutes; answers its id.
async fn keep_ceremony(ctx: &RequestCtx, user: Option<&str>, kind: &str, state: Value, name: Option<&str>) -> Result<String, ApiError> {
    let id = super::services::new_id();
    let now = now_ms();
    ctx.state
        .db
        .query(
            "DELETE webauthn_ceremony WHERE expires_at < $now;
             CREATE type::record('webauthn_ceremony', $id) SET user = IF $user { type::record('user', $user) } ELSE { NONE },
                kind = $kind, state = $state, name = $name, expires_at = $expires;",
            json!({ "id": id, "user": user, "kind": kind, "state": state, "name": name, "now": now, "expires": now + CEREMONY_MS }),
        )
        .await?;
    Ok(id)
}

#[derive(Deserialize)]
struct Ceremony {
    user: Option<String>,
    kind: String,
    state: Value,
    name: Option<String>,
    expires_at: i64,
}

/// Takes a ceremony (once: it is deleted as it is read).
async fn take_ceremony(ctx: &RequestCtx, id: &str, kind: &str) -> Result<Ceremony, ApiError> {
    let gone = || ApiError::Conflict("this passkey request has expired or was already answered; start again".into());
    let rows: Vec<Ceremony> = ctx
        .state
        .db
        .query(
            "DELETE type::record('webauthn_ceremony', $id) RETURN BEFORE.{ user: IF user { record::id(user) } ELSE { NONE }, kind, state, name, expires_at };",
            json!({ "id": id }),
        )
        .await?
        .all(0)?;
    let c = rows.into_iter().next().ok_or_else(gone)?;
    if c.kind != kind || c.expires_at < now_ms() {
        return Err(gone());
    }
    Ok(c)
}

/// Starts registering a passkey for the signed-in user (recent sign-in needed).
pub async fn register_start(ctx: &RequestCtx, name: &str) -> Result<PasskeyChallenge, ApiError> {
    let me = ctx.require_session().await?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(ApiError::field("name", format!("name this passkey (1 to {NAME_MAX} characters), such as \"Work laptop\"")));
    }
    ctx.require_fresh(&me)?;
    let wa = relying_party(ctx)?;
    let existing: Vec<CredentialID> = passkeys_of(ctx, &me.user_id).await?.iter().filter_map(parse_key).map(|k| k.cred_id().clone()).collect();
    let (options, state) = wa.start_passkey_registration(handle(&me.user_id), &me.email, &me.full_name, Some(existing)).map_err(|e| {
        tracing::error!(error = %e, "passkey registration could not start");
        ApiError::Unavailable
    })?;
    let state = serde_json::to_value(&state).map_err(|_| ApiError::Unavailable)?;
    let ceremony = keep_ceremony(ctx, Some(&me.user_id), "register", state, Some(name)).await?;
    Ok(PasskeyChallenge { ceremony, options: serde_json::to_value(&options).map_err(|_| ApiError::Unavailable)? })
}

/// Finishes registering: the device's answer is checked, the passkey kept under its name.
pub async fn register_finish(ctx: &RequestCtx, ceremony: &str, credential: Value) -> Result<(), ApiError> {
    let me = ctx.require_session().await?;
    ctx.require_fresh(&me)?;
    let c = take_ceremony(ctx, ceremony, "register").await?;
    if c.user.as_deref() != Some(me.user_id.as_ref()) {
        return Err(ApiError::Conflict("this passkey request belongs to another session; start again".into()));
    }
    let wa = relying_party(ctx)?;
    let state: PasskeyRegistration = serde_json::from_value(c.state).map_err(|_| ApiError::Unavailable)?;
    let answer: RegisterPublicKeyCredential = serde_json::from_value(credential).map_err(|_| refused_by_device())?;
    let key = wa.finish_passkey_registration(&answer, &state).map_err(|e| {
        tracing::warn!(error = %e, "a passkey registration was refused");
        refused_by_device()
    })?;
    let name = c.name.unwrap_or_else(|| "Passkey".into());
    let now = now_ms();
    let notice = mail::security_notice(
        &me.full_name,
        &me.email,
        "A passkey was added to your CRM account",
        &format!("A passkey named \"{name}\" was just added to your CRM account; it can sign you in without a password."),
    );
    let mut work = Work::new(ctx);
    work.run(store::add_passkey(&super::services::new_id(), &me.user_id, &name, &credential_key(key.cred_id()), json!(key), now))
        .on_unique("passkey_credential", ApiError::Conflict("this passkey is already registered".into()))
        .run(store::refresh_summary(&me.user_id, now))
        .queue_mail("security_notice", &me.user_id, &notice)
        .audit(Audit::user(AuditAction::SecondFactorAdded, &me.user_id).by(&me).label(me.email.as_str()).after(json!({ "kind": "passkey", "name": name })));
    work.commit(&ctx.state).await?;
    Ok(())
}

/// A user's passkeys (names and dates only), for their own page or for those who see them.
pub async fn list(ctx: &RequestCtx, user: &str) -> Result<Vec<PasskeyInfo>, ApiError> {
    let me = ctx.require_session().await?;
    if me.user_id != user {
        let me = ctx.require_user().await?;
        let engine = ctx.engine().await?;
        reachable(ctx, &engine, &me.user_id, Action::View, user).await?;
    }
    Ok(ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name, created_at, last_used_at FROM passkey WHERE user = type::record('user', $u) ORDER BY created_at;",
            json!({ "u": user }),
        )
        .await?
        .all(0)?)
}

/// Removes one of one's own passkeys (recent sign-in needed; not the last second factor when
/// one is required).
pub async fn remove(ctx: &RequestCtx, passkey: &str) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    ctx.require_fresh(&me)?;
    let mine = passkeys_of(ctx, &me.user_id).await?;
    if !mine.iter().any(|p| p.id == passkey) {
        return Err(ApiError::Conflict("you have no such passkey; it may have been removed already".into()));
    }
    let now = now_ms();
    let mut work = Work::new(ctx);
    work.run(store::remove_passkey(passkey, &me.user_id))
        .run(store::refresh_summary(&me.user_id, now))
        .refuse_if(
            store::required_and_none_left(&me.user_id),
            ApiError::Forbidden("a second factor is required for you: set up another one before removing your last".into()),
        )
        .queue_mail(
            "security_notice",
            &me.user_id,
            &mail::security_notice(&me.full_name, &me.email, "A passkey was removed from your CRM account", "A passkey was just removed from your CRM account."),
        )
        .audit(Audit::user(AuditAction::SecondFactorRemoved, &me.user_id).by(&me).label(me.email.as_str()).after(json!({ "kind": "passkey" })));
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Starts a passkey sign-in. With a session waiting for its second factor, the user's own
/// passkeys are asked for; otherwise any passkey of this site the device holds (no email typed).
pub async fn sign_in_start(ctx: &RequestCtx) -> Result<PasskeyChallenge, ApiError> {
    let key = throttle::key("passkey-start", &ctx.ip);
    if !throttle::within(&ctx.state.db, &key, 60, 60_000).await? {
        return Err(super::services::too_many(30_000));
    }
    let wa = relying_party(ctx)?;
    let waiting = ctx.user().await?.filter(|p| p.second_factor_pending);
    let (options, state, kind, user) = match &waiting {
        Some(p) => {
            let keys: Vec<Passkey> = passkeys_of(ctx, &p.user_id).await?.iter().filter_map(parse_key).collect();
            if keys.is_empty() {
                return Err(ApiError::Conflict("you have no passkey; enter the code from your authenticator app instead".into()));
            }
            let (options, state): (_, PasskeyAuthentication) = wa.start_passkey_authentication(&keys).map_err(|_| ApiError::Unavailable)?;
            (serde_json::to_value(&options), serde_json::to_value(&state), "second", Some(p.user_id.to_string()))
        }
        None => {
            let (options, state): (_, DiscoverableAuthentication) = wa.start_discoverable_authentication().map_err(|_| ApiError::Unavailable)?;
            (serde_json::to_value(&options), serde_json::to_value(&state), "discoverable", None)
        }
    };
    let (options, state) = (options.map_err(|_| ApiError::Unavailable)?, state.map_err(|_| ApiError::Unavailable)?);
    let ceremony = keep_ceremony(ctx, user.as_deref(), kind, state, None).await?;
    Ok(PasskeyChallenge { ceremony, options })
}

#[derive(Deserialize)]
struct Owner {
    id: String,
    full_name: String,
    email: String,
    status: String,
}

/// Finishes a passkey sign-in: a new session, authenticated by the passkey.
pub async fn sign_in_finish(ctx: &RequestCtx, ceremony: &str, credential: Value) -> Result<Me, ApiError> {
    let answer: PublicKeyCredential = serde_json::from_value(credential).map_err(|_| refused_by_device())?;
    let wa = relying_party(ctx)?;
    let waiting = ctx.user().await?.filter(|p| p.second_factor_pending);
    let kind = if waiting.is_some() { "second" } else { "discoverable" };
    let c = take_ceremony(ctx, ceremony, kind).await?;
    let cred_key = hex(answer.get_credential_id());
    #[derive(Deserialize)]
    struct Row {
        id: String,
        user: String,
        key: Value,
        owner: Owner,
    }
    let row: Option<Row> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, record::id(user) AS user, key,
                { id: record::id(user), full_name: user.full_name, email: user.email, status: user.status } AS owner
             FROM passkey WHERE cred_id = $c LIMIT 1;",
            json!({ "c": cred_key }),
        )
        .await?
        .first(0)?;
    let Some(row) = row else { return Err(refused_by_device()) };
    if let Some(p) = &waiting {
        if p.user_id != row.user || c.user.as_deref() != Some(row.user.as_str()) {
            return Err(refused_by_device());
        }
    }
    let stored = Stored { id: row.id.clone(), key: row.key };
    let mut key = parse_key(&stored).ok_or(ApiError::Unavailable)?;
    let result = if waiting.is_some() {
        let state: PasskeyAuthentication = serde_json::from_value(c.state).map_err(|_| ApiError::Unavailable)?;
        wa.finish_passkey_authentication(&answer, &state)
    } else {
        let state: DiscoverableAuthentication = serde_json::from_value(c.state).map_err(|_| ApiError::Unavailable)?;
        let (user_handle, _) = wa.identify_discoverable_authentication(&answer).map_err(|_| refused_by_device())?;
        if user_handle != handle(&row.user) {
            return Err(refused_by_device());
        }
        wa.finish_discoverable_authentication_v2(&answer, state, &key)
    };
    let result = result.map_err(|e| {
        tracing::warn!(error = %e, "a passkey sign-in was refused");
        refused_by_device()
    })?;
    let owner = row.owner;
    if owner.status != "active" {
        write_audit(ctx, Audit::user(AuditAction::SignInRefused, &owner.id).label(owner.email.as_str()).after(json!({ "status": owner.status }))).await?;
        return Err(ApiError::Forbidden("this account is not active; ask an administrator".into()));
    }
    key.update_credential(&result);
    let now = now_ms();
    let mut work = Work::new(ctx);
    work.run(store::passkey_used(&row.id, json!(key), now)).audit(
        super::services::sign_in_audit(ctx, &owner.id, &owner.full_name, &owner.email, AuthMethod::Passkey),
    );
    if let Some(p) = &waiting {
        work.run(session::delete(&p.session_id));
    }
    work.commit(&ctx.state).await?;
    start_session(ctx, &owner.id, SessionStart { method: AuthMethod::Passkey, second_factor_pending: false }).await
}
