//! API tokens: made by a signed-in person for themselves (secret shown once, digest stored),
//! listed, revoked; and resolved on every REST request into the owner's [`Principal`]. A token
//! never does more than its owner may do now (the same engine decides), a read-only token
//! never writes (see [`RequestCtx::require_session`]), and a token stops working the moment its
//! owner is not active any more: the owner's status is read with the token on every request.

use serde::Deserialize;
use serde_json::json;

use super::auth::{self, Principal};
use crate::access::Action;
use super::http::RequestCtx;
use super::store::{self, Audit, Work};
use super::time::now_ms;
use crate::domain::{
    new_api_token_errors, new_service_account_errors, ApiError, ApiTokenInfo, ApiTokens, AuditAction, AuditTarget, AuthMethod, CreatedApiToken,
    CreatedServiceAccount, NewApiToken, NewServiceAccount, UserId,
    API_TOKEN_PREFIX,
};

/// Who a request without a session acts as: an API token's owner, or the author of a
/// background job (an import), with what the audit rows say it came through.
#[derive(Clone, Debug)]
pub struct TokenCaller {
    pub id: String,
    pub name: String,
    pub write: bool,
    pub principal: Principal,
    /// "API token “HR sync”", "CSV import “people.csv”".
    pub via: String,
}

const DAY_MS: i64 = 24 * 3600 * 1000;

const INFO_FIELDS: &str = "record::id(id) AS id, name, write, created_at, expires_at, last_used_at, last_used_ip";

/// The REST API's reference, for anyone signed in.
pub async fn api_reference(ctx: &RequestCtx) -> Result<crate::domain::ApiReference, ApiError> {
    ctx.require_user().await?;
    Ok(super::rest::reference())
}

/// One's own tokens, newest first.
pub async fn list(ctx: &RequestCtx) -> Result<ApiTokens, ApiError> {
    let me = ctx.require_user().await?;
    let tokens: Vec<ApiTokenInfo> = ctx
        .state
        .db
        .query(
            &format!("SELECT {INFO_FIELDS} FROM api_token WHERE user = type::record('user', $me) ORDER BY created_at DESC;"),
            json!({ "me": me.user_id }),
        )
        .await?
        .all(0)?;
    Ok(ApiTokens { tokens, max_days: ctx.state.settings.token_max_days })
}

/// Makes a token for oneself (a recent sign-in needed: it is a way in).
pub async fn create(ctx: &RequestCtx, input: &NewApiToken) -> Result<CreatedApiToken, ApiError> {
    let me = ctx.require_user().await?;
    if me.auth_method == AuthMethod::ApiToken {
        return Err(ApiError::Forbidden("an API token cannot make another; sign in to the console to make one".into()));
    }
    new_api_token_errors(input, ctx.state.settings.token_max_days)?;
    ctx.require_fresh(&me)?;
    let (raw, _) = auth::new_token();
    let secret = format!("{API_TOKEN_PREFIX}{raw}");
    let digest = auth::token_digest(&secret);
    let now = now_ms();
    let expires_at = now + i64::from(input.days) * DAY_MS;
    let name = input.name.trim();
    let mut work = Work::new(ctx);
    work.run(store::token::create(&me.user_id, name, input.write, &digest, now, expires_at))
        .audit(
            Audit::new(AuditAction::ApiTokenCreate, AuditTarget::User, Some(&me.user_id))
                .by(&me)
                .label(me.full_name.clone())
                .after(json!({ "name": name, "write": input.write, "expires_at": expires_at })),
        )
        .returning(&format!("(SELECT {INFO_FIELDS} FROM ONLY $api_token.id)"));
    let token: ApiTokenInfo = work.commit_returning(&ctx.state).await?;
    Ok(CreatedApiToken { token, secret })
}

/// Makes a service account and its read-write token (a recent sign-in needed); the secret is in
/// this answer only. The account acts with its own role's access, judged like any new user.
pub async fn create_service_account(ctx: &RequestCtx, input: &NewServiceAccount) -> Result<CreatedServiceAccount, ApiError> {
    let me = ctx.require_user().await?;
    if me.auth_method == AuthMethod::ApiToken {
        return Err(ApiError::Forbidden("an API token cannot make a service account; sign in to the console to make one".into()));
    }
    new_service_account_errors(input, ctx.state.settings.token_max_days)?;
    ctx.require_fresh(&me)?;
    let (raw, _) = auth::new_token();
    let secret = format!("{API_TOKEN_PREFIX}{raw}");
    let expires_at = now_ms() + i64::from(input.days) * DAY_MS;
    let id = super::users::create_service_account(ctx, input, &auth::token_digest(&secret), expires_at).await?;
    Ok(CreatedServiceAccount { id, name: input.name.trim().to_string(), secret })
}

/// Whether `uid` is a service account (SCIM takes only their tokens).
pub async fn is_service_account(db: &super::db::Db, uid: &str) -> Result<bool, super::db::DbError> {
    let found: Option<bool> = db
        .query("RETURN record::exists(type::record('service_account', $uid));", json!({ "uid": uid }))
        .await?
        .first(0)?;
    Ok(found.unwrap_or(false))
}

/// Revokes one of one's own tokens: it stops working at once.
pub async fn revoke(ctx: &RequestCtx, id: &str) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    let owner = (me.user_id.as_str().to_string(), me.full_name.clone());
    revoke_held(ctx, &me, &owner, id).await
}

/// Someone's tokens (never their secrets), for their page: View on that person, as for their
/// sessions; one's own always.
pub async fn list_of(ctx: &RequestCtx, user: &str) -> Result<Vec<ApiTokenInfo>, ApiError> {
    super::account::check_sessions_access(ctx, user, Action::View).await?;
    Ok(ctx
        .state
        .db
        .query(
            &format!("SELECT {INFO_FIELDS} FROM api_token WHERE user = type::record('user', $user) ORDER BY created_at DESC;"),
            json!({ "user": user }),
        )
        .await?
        .all(0)?)
}

/// An administrator revokes someone's token: Edit on that person and "no takeover", as for
/// ending their sessions.
pub async fn revoke_of(ctx: &RequestCtx, user: &str, id: &str) -> Result<(), ApiError> {
    let me = super::account::check_sessions_access(ctx, user, Action::Edit).await?;
    let name = ctx.engine().await?.org().users.iter().find(|u| u.id == user).map(|u| u.name.clone()).unwrap_or_default();
    let owner = (user.to_string(), name);
    revoke_held(ctx, &me, &owner, id).await
}

/// Deletes token `id` of `owner` (id, name), audited on the owner.
async fn revoke_held(ctx: &RequestCtx, me: &Principal, owner: &(String, String), id: &str) -> Result<(), ApiError> {
    let (owner_id, owner_name) = owner;
    let name: Option<String> = ctx
        .state
        .db
        .query(
            "SELECT VALUE name FROM api_token WHERE id = type::record('api_token', $id) AND user = type::record('user', $owner);",
            json!({ "id": id, "owner": owner_id }),
        )
        .await?
        .first(0)?;
    let gone = || ApiError::NotFound("no such token (it may have been revoked already)".into());
    let name = name.ok_or_else(gone)?;
    let mut work = Work::new(ctx);
    work.refuse_if(store::token::not_held(owner_id, id), gone())
        .run(store::token::delete(id))
        .audit(
            Audit::new(AuditAction::ApiTokenRevoke, AuditTarget::User, Some(owner_id.as_str()))
                .by(me)
                .label(owner_name.clone())
                .before(json!({ "name": name })),
        );
    work.commit(&ctx.state).await?;
    Ok(())
}

#[derive(Deserialize)]
struct TokenRow {
    tid: String,
    name: String,
    write: bool,
    expires_at: i64,
    last_used_at: Option<i64>,
    uid: String,
}

#[derive(Deserialize)]
struct OwnerRow {
    full_name: String,
    email: String,
    status: String,
    role_name: Option<String>,
    admin: bool,
    #[serde(default)]
    must_change: Option<bool>,
    #[serde(default)]
    sf_required: Option<bool>,
    #[serde(default)]
    sf_enrolled: Option<bool>,
}

/// The principal of an active user acting without a session (a token's owner, a job's author):
/// never fresh, so what needs a recent sign-in (step-up) is refused. `None` unless active.
pub async fn principal_of(db: &super::db::Db, uid: &str) -> Result<Option<Principal>, super::db::DbError> {
    let row: Option<OwnerRow> = db
        .query(
            "SELECT full_name, email, status, role.name AS role_name, (profile:administrator IN role.profiles) AS admin,
                must_change_password AS must_change,
                (role.requires_second_factor ?? false) OR (setting:security.value.require_second_factor ?? false) AS sf_required,
                second_factor != NONE AS sf_enrolled
             FROM type::record('user', $uid);",
            json!({ "uid": uid }),
        )
        .await?
        .first(0)?;
    Ok(row.filter(|r| r.status == "active").map(|r| Principal {
        session_id: String::new(),
        user_id: UserId::new(uid),
        full_name: r.full_name,
        email: r.email,
        role_name: r.role_name.unwrap_or_default(),
        full_admin: r.admin,
        must_change_password: r.must_change.unwrap_or(false),
        viewed_by: None,
        auth_method: AuthMethod::ApiToken,
        authenticated_at: 0,
        second_factor_pending: false,
        must_enrol: r.sf_required.unwrap_or(false) && !r.sf_enrolled.unwrap_or(false),
    }))
}

/// The caller a bearer token stands for, or `None` (unknown, expired, or its owner is not active).
pub async fn resolve(db: &super::db::Db, secret: &str, ip: &str) -> Result<Option<TokenCaller>, super::db::DbError> {
    if !secret.starts_with(API_TOKEN_PREFIX) || secret.len() != API_TOKEN_PREFIX.len() + 64 {
        return Ok(None);
    }
    let row: Option<TokenRow> = db
        .query(
            "SELECT record::id(id) AS tid, name, write, expires_at, last_used_at, record::id(user) AS uid
             FROM api_token WHERE token_hash = $digest LIMIT 1;",
            json!({ "digest": auth::token_digest(secret) }),
        )
        .await?
        .first(0)?;
    let Some(row) = row else { return Ok(None) };
    let now = now_ms();
    if now >= row.expires_at {
        return Ok(None);
    }
    let Some(mut principal) = principal_of(db, &row.uid).await? else { return Ok(None) };
    principal.session_id = format!("api_token:{}", row.tid);
    // When it was last used, written at most once a minute per token.
    if row.last_used_at.is_none_or(|at| now - at > 60_000) {
        db.query(
            "UPDATE type::record('api_token', $tid) SET last_used_at = $now, last_used_ip = $ip;",
            json!({ "tid": row.tid, "now": now, "ip": ip }),
        )
        .await?;
    }
    let via = format!("API token “{}”", row.name);
    Ok(Some(TokenCaller { id: row.tid, name: row.name, write: row.write, principal, via }))
}
