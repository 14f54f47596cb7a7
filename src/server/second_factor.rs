//! Second factors: setting up an authenticator app (TOTP) with recovery codes, finishing a
//! sign-in with a code, confirming one's identity again before a sensitive change (step-up),
//! an administrator's reset, and who must have one (per role, or everyone).
//!
//! Secrets stay in the `second_factor` table and never go back to the browser once enrolment is
//! confirmed. A code counts once: the last accepted step is checked and moved inside the same
//! transaction, so two instances cannot both accept it. Wrong codes are throttled like passwords.

use serde::Deserialize;
use serde_json::json;

use super::auth::{throttle, SessionStart};
use super::http::RequestCtx;
use super::mail;
use super::services::{start_session, too_many};
use super::store::{second_factor as store, session, Audit, Work};
use super::time::now_ms;
use super::totp;
use super::users::{no_takeover, reachable};
use crate::access::{Action, Module};
use crate::domain::*;

const ISSUER: &str = "Gatehouse";

#[derive(Deserialize, Default)]
struct FactorRow {
    #[serde(default)]
    totp_secret: Option<String>,
    #[serde(default)]
    totp_pending: Option<String>,
    #[serde(default)]
    totp_since: Option<i64>,
    #[serde(default)]
    recovery_left: u32,
}

async fn factor_row(ctx: &RequestCtx, user: &str) -> Result<FactorRow, ApiError> {
    let row: Option<FactorRow> = ctx
        .state
        .db
        .query(
            "SELECT totp_secret, totp_pending, totp_since, array::len(recovery) AS recovery_left
             FROM type::record('second_factor', $u);",
            json!({ "u": user }),
        )
        .await?
        .first(0)?;
    Ok(row.unwrap_or_default())
}

/// Whether the user has a second factor set up (a reset link must not skip it).
pub async fn enrolled(db: &super::db::Db, user: &str) -> Result<bool, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        on: bool,
    }
    let row: Option<Row> = db
        .query("SELECT second_factor != NONE AS on FROM type::record('user', $u);", json!({ "u": user }))
        .await?
        .first(0)?;
    Ok(row.is_some_and(|r| r.on))
}

/// Why a second factor is required for this user, in words; `None` when it is their choice.
async fn required_by(ctx: &RequestCtx, user: &str) -> Result<Option<String>, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        role: Option<String>,
        by_role: Option<bool>,
        everyone: Option<bool>,
    }
    let row: Option<Row> = ctx
        .state
        .db
        .query(
            "SELECT role.name AS role, role.requires_second_factor AS by_role,
                (setting:security.value.require_second_factor ?? false) AS everyone
             FROM type::record('user', $u);",
            json!({ "u": user }),
        )
        .await?
        .first(0)?;
    Ok(row.and_then(|r| {
        if r.everyone.unwrap_or(false) {
            Some("every account in this installation".to_string())
        } else if r.by_role.unwrap_or(false) {
            Some(format!("the {} role", r.role.unwrap_or_default()))
        } else {
            None
        }
    }))
}

/// Who must have a second factor: everyone, or the members of these roles.
pub struct Requiring {
    everyone: bool,
    roles: std::collections::HashSet<String>,
}

impl Requiring {
    pub fn requires(&self, role: &str) -> bool {
        self.everyone || self.roles.contains(role)
    }
}

pub async fn requiring_roles(ctx: &RequestCtx) -> Result<Requiring, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        everyone: bool,
        roles: Vec<String>,
    }
    let row: Option<Row> = ctx
        .state
        .db
        .query(
            "RETURN { everyone: setting:security.value.require_second_factor ?? false,
                roles: (SELECT VALUE record::id(id) FROM role WHERE requires_second_factor = true) };",
            json!({}),
        )
        .await?
        .first(0)?;
    let row = row.unwrap_or(Row { everyone: false, roles: Vec::new() });
    Ok(Requiring { everyone: row.everyone, roles: row.roles.into_iter().collect() })
}

/// A code that matched: which step of the authenticator app, or which recovery code.
enum Proof {
    Totp(i64),
    Recovery(String),
}

impl Proof {
    /// Spends the proof inside the change's transaction: a step at or before the last accepted
    /// one, or a recovery code already spent, refuses the whole change.
    fn spend(&self, work: &mut Work, user: &str, now: i64) {
        match self {
            Proof::Totp(step) => {
                work.refuse_if(store::step_used(user, *step), ApiError::field("code", "this code was already used; wait for the next one"))
                    .run(store::accept_step(user, *step, now));
            }
            Proof::Recovery(digest) => {
                work.refuse_if(store::recovery_unknown(user, digest), ApiError::field("code", "this recovery code was already used"))
                    .run(store::spend_recovery(user, digest, now));
            }
        }
    }

    fn method(&self) -> AuthMethod {
        match self {
            Proof::Totp(_) => AuthMethod::PasswordTotp,
            Proof::Recovery(_) => AuthMethod::PasswordRecovery,
        }
    }
}

/// The proof a typed code is for this user, if it is one: six digits against the authenticator
/// app, anything else against the recovery codes (spent or not is decided in the transaction).
fn check_code(user: &str, row: &FactorRow, code: &str) -> Option<Proof> {
    let clean = second_factor_code_errors(code).ok()?;
    if clean.bytes().all(|b| b.is_ascii_digit()) {
        let secret = totp::decode(row.totp_secret.as_deref()?)?;
        totp::matching_step(&secret, &clean, now_ms() / 1000).map(Proof::Totp)
    } else {
        (row.recovery_left > 0).then(|| Proof::Recovery(totp::recovery_digest(user, &clean)))
    }
}

fn code_key(user: &str) -> String {
    throttle::key(&format!("second-factor|{user}"), "any address")
}

/// After a wrong code: the key's wait, as a 429 when it has one, else `wrong`.
async fn wrong_code(ctx: &RequestCtx, key: &str, wrong: ApiError) -> ApiError {
    match throttle::failed(&ctx.state.db, key).await {
        Ok(wait) if wait > 0 => too_many(wait),
        _ => wrong,
    }
}

fn not_right() -> ApiError {
    ApiError::field(
        "code",
        "this code is not right: type the newest code your authenticator app shows (your phone's clock must be set automatically), or a recovery code",
    )
}

/// A user's second factors, for their own security page or an administrator's user page.
pub async fn status(ctx: &RequestCtx, user: &str) -> Result<SecondFactorStatus, ApiError> {
    let me = ctx.require_session().await?;
    if me.user_id != user {
        let me = ctx.require_user().await?;
        let engine = ctx.engine().await?;
        reachable(ctx, &engine, &me.user_id, Action::View, user).await?;
    }
    let row = factor_row(ctx, user).await?;
    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }
    let passkeys = ctx
        .state
        .db
        .query("SELECT count() AS n FROM passkey WHERE user = type::record('user', $u) GROUP ALL;", json!({ "u": user }))
        .await?
        .first::<Count>(0)?
        .map(|c| c.n)
        .unwrap_or(0);
    Ok(SecondFactorStatus {
        totp_since: row.totp_since.filter(|_| row.totp_secret.is_some()),
        recovery_left: row.recovery_left,
        passkeys,
        required_by: required_by(ctx, user).await?,
    })
}

/// Starts setting up an authenticator app: a new secret, shown once with its QR code. Nothing
/// is in force until [`totp_confirm`] gets a first code from it.
pub async fn totp_begin(ctx: &RequestCtx) -> Result<TotpSetup, ApiError> {
    let me = ctx.require_session().await?;
    ctx.require_fresh(&me)?;
    let secret = totp::encode(&totp::new_secret());
    let uri = totp::uri(&secret, &me.email, ISSUER);
    let qr_svg = totp::qr_svg(&uri).ok_or_else(|| {
        tracing::error!("the enrolment QR code could not be drawn");
        ApiError::Unavailable
    })?;
    let mut work = Work::new(ctx);
    work.run(store::start_totp(&me.user_id, &secret, now_ms()));
    work.commit(&ctx.state).await?;
    Ok(TotpSetup { secret, uri, qr_svg })
}

/// Confirms the authenticator app with its first code; answers the ten recovery codes, which
/// are shown this once (only their digests are kept).
pub async fn totp_confirm(ctx: &RequestCtx, code: &str) -> Result<Vec<String>, ApiError> {
    let me = ctx.require_session().await?;
    ctx.require_fresh(&me)?;
    let row = factor_row(ctx, &me.user_id).await?;
    let Some(pending) = row.totp_pending.clone() else {
        return Err(ApiError::Conflict("start setting up the authenticator app first (its QR code is shown then)".into()));
    };
    let clean = second_factor_code_errors(code).map_err(|m| ApiError::field("code", m))?;
    let key = code_key(&me.user_id);
    throttle::take_turn(&ctx.state.db, &key).await?;
    let step = totp::decode(&pending).and_then(|secret| totp::matching_step(&secret, &clean, now_ms() / 1000));
    let Some(step) = step else {
        return Err(wrong_code(ctx, &key, not_right()).await);
    };
    let codes = totp::new_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| totp::recovery_digest(&me.user_id, c)).collect();
    let now = now_ms();
    let notice = mail::security_notice(
        &me.full_name,
        &me.email,
        "An authenticator app was added to your CRM account",
        "An authenticator app was just set up as the second factor of your CRM account; signing in now asks for its code.",
    );
    let mut work = Work::new(ctx);
    work.refuse_if(
        store::pending_changed(&me.user_id, &pending),
        ApiError::Conflict("the set-up was started again elsewhere; scan the newest QR code".into()),
    )
    .run(store::confirm_totp(&me.user_id, step, &digests, now))
    .run(store::session_authenticated(&me.session_id, AuthMethod::PasswordTotp.as_str(), now))
    .queue_mail("security_notice", &me.user_id, &notice)
    .audit(Audit::user(AuditAction::SecondFactorAdded, &me.user_id).by(&me).label(me.email.as_str()).after(json!({ "kind": "totp" })));
    work.commit(&ctx.state).await?;
    throttle::clear(&ctx.state.db, &key).await?;
    Ok(codes)
}

/// New recovery codes replace the old ones (all of them, used or not).
pub async fn renew_recovery(ctx: &RequestCtx) -> Result<Vec<String>, ApiError> {
    let me = ctx.require_user().await?;
    ctx.require_fresh(&me)?;
    if factor_row(ctx, &me.user_id).await?.totp_secret.is_none() {
        return Err(ApiError::Conflict("set up an authenticator app first; recovery codes come with it".into()));
    }
    let codes = totp::new_recovery_codes();
    let digests: Vec<String> = codes.iter().map(|c| totp::recovery_digest(&me.user_id, c)).collect();
    let mut work = Work::new(ctx);
    work.run(store::renew_recovery(&me.user_id, &digests, now_ms()))
        .audit(Audit::user(AuditAction::RecoveryCodesRenewed, &me.user_id).by(&me).label(me.email.as_str()));
    work.commit(&ctx.state).await?;
    Ok(codes)
}

/// Turns one's own second factor off, unless it is required.
pub async fn turn_off(ctx: &RequestCtx) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    ctx.require_fresh(&me)?;
    if factor_row(ctx, &me.user_id).await?.totp_secret.is_none() {
        return Err(ApiError::Conflict("you have no authenticator app to turn off".into()));
    }
    let by = required_by(ctx, &me.user_id).await?.unwrap_or_default();
    let notice = mail::security_notice(
        &me.full_name,
        &me.email,
        "The authenticator app of your CRM account was turned off",
        "The authenticator app of your CRM account was just turned off, with its recovery codes.",
    );
    let now = now_ms();
    let mut work = Work::new(ctx);
    work.run(store::remove_totp(&me.user_id))
        .run(store::refresh_summary(&me.user_id, now))
        .refuse_if(
            store::required_and_none_left(&me.user_id),
            ApiError::Forbidden(format!("a second factor is required for {by}; add a passkey before turning the authenticator app off")),
        )
        .queue_mail("security_notice", &me.user_id, &notice)
        .audit(Audit::user(AuditAction::SecondFactorRemoved, &me.user_id).by(&me).label(me.email.as_str()).after(json!({ "kind": "totp" })));
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Finishes a sign-in whose password was right: a code from the authenticator app or a recovery
/// code. The waiting session is replaced by a new one (a new token) that can do everything.
pub async fn finish_sign_in(ctx: &RequestCtx, code: &str) -> Result<Me, ApiError> {
    let me = ctx.require_any_session().await?;
    if !me.second_factor_pending {
        return Err(ApiError::Conflict("you are already signed in".into()));
    }
    second_factor_code_errors(code).map_err(|m| ApiError::field("code", m))?;
    let key = code_key(&me.user_id);
    throttle::take_turn(&ctx.state.db, &key).await?;
    let row = factor_row(ctx, &me.user_id).await?;
    let Some(proof) = check_code(&me.user_id, &row, code) else {
        super::services::write_audit(
            ctx,
            Audit::new(AuditAction::SignInSecondFactorFailed, AuditTarget::User, Some(&me.user_id)).label(me.email.as_str()),
        )
        .await?;
        return Err(wrong_code(ctx, &key, not_right()).await);
    };
    let method = proof.method();
    let now = now_ms();
    let mut work = Work::new(ctx);
    proof.spend(&mut work, &me.user_id, now);
    work.run(session::delete(&me.session_id)).audit(
        super::services::sign_in_audit(ctx, &me.user_id, &me.full_name, &me.email, method),
    );
    if matches!(proof, Proof::Recovery(_)) {
        let left = row.recovery_left.saturating_sub(1);
        let notice = mail::security_notice(
            &me.full_name,
            &me.email,
            "A recovery code was used to sign in to your CRM account",
            &format!("A recovery code was just used to sign in to your CRM account; {left} are left. If your phone is lost, set up the authenticator app again from your Security page."),
        );
        work.queue_mail("security_notice", &me.user_id, &notice)
            .audit(Audit::user(AuditAction::RecoveryCodeUsed, &me.user_id).by(&me).label(me.email.as_str()).after(json!({ "left": left })));
    }
    if let Err(refused) = work.commit(&ctx.state).await {
        // A code already used counts as a wrong guess.
        return Err(wrong_code(ctx, &key, refused).await);
    }
    throttle::clear(&ctx.state.db, &key).await?;
    start_session(ctx, &me.user_id, SessionStart { method, second_factor_pending: false }).await
}

/// Step-up: the signed-in user proves who they are again (password, and a code when they have a
/// second factor), so that sensitive changes are allowed for the next ten minutes.
pub async fn confirm_identity(ctx: &RequestCtx, password: &str, code: Option<&str>) -> Result<(), ApiError> {
    let me = ctx.require_session().await?;
    if password.is_empty() {
        return Err(ApiError::field("password", "enter your password"));
    }
    super::account::verify_own_password(ctx, &me.user_id, password, "password", "this is not your password").await?;
    let key = code_key(&me.user_id);
    let factor = factor_row(ctx, &me.user_id).await?;
    let now = now_ms();
    let mut work = Work::new(ctx);
    if factor.totp_secret.is_some() {
        let code = code.unwrap_or_default();
        if code.trim().is_empty() {
            return Err(ApiError::field("code", "enter the code from your authenticator app, or a recovery code"));
        }
        throttle::take_turn(&ctx.state.db, &key).await?;
        let Some(proof) = check_code(&me.user_id, &factor, code) else {
            return Err(wrong_code(ctx, &key, not_right()).await);
        };
        proof.spend(&mut work, &me.user_id, now);
    }
    work.run(store::session_authenticated(&me.session_id, me.auth_method.as_str(), now))
        .audit(Audit::user(AuditAction::Reauthenticated, &me.user_id).by(&me).label(me.email.as_str()));
    if let Err(refused) = work.commit(&ctx.state).await {
        return Err(wrong_code(ctx, &key, refused).await);
    }
    throttle::clear(&ctx.state.db, &key).await?;
    Ok(())
}

/// An administrator removes a user's second factors (a lost phone): their sessions end, they
/// are told by email, and they set one up again at their next sign-in if it is required.
pub async fn admin_reset(ctx: &RequestCtx, user: &str) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    if me.user_id == user {
        return Err(ApiError::forbidden("your own second factor is changed on your Security page, not reset"));
    }
    let engine = ctx.engine().await?;
    let target = reachable(ctx, &engine, &me.user_id, Action::Edit, user).await?;
    no_takeover(&engine, &me.user_id, user)?;
    ctx.require_fresh(&me)?;
    if !enrolled(&ctx.state.db, user).await? {
        return Err(ApiError::Conflict(format!("{} has no second factor to reset", target.full_name)));
    }
    let notice = mail::security_notice(
        &target.full_name,
        &target.email,
        "The second factor of your CRM account was reset",
        &format!(
            "{} reset the second factor of your CRM account and signed you out everywhere. Set up your authenticator app again after you sign in.",
            me.full_name
        ),
    );
    let mut work = Work::new(ctx);
    work.run(store::remove(user, now_ms()))
        .run(session::end_all(user))
        .queue_mail("security_notice", user, &notice)
        .audit(Audit::user(AuditAction::SecondFactorReset, user).by(&me).label(target.email.as_str()));
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Who must have a second factor: everyone, or the roles that say so; and how many active
/// people who must have one have not set it up.
pub async fn policy(ctx: &RequestCtx) -> Result<SecondFactorPolicy, ApiError> {
    ctx.require(Module::Settings, Action::View).await?;
    read_policy(ctx).await
}

async fn read_policy(ctx: &RequestCtx) -> Result<SecondFactorPolicy, ApiError> {
    #[derive(Deserialize)]
    struct Role {
        id: String,
        name: String,
        required: Option<bool>,
    }
    #[derive(Deserialize)]
    struct Flag {
        everyone: Option<bool>,
    }
    #[derive(Deserialize)]
    struct Count {
        n: u32,
    }
    let mut rows = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name, requires_second_factor AS required FROM role ORDER BY name;
             RETURN { everyone: setting:security.value.require_second_factor ?? false };
             SELECT count() AS n FROM user WHERE status = 'active' AND second_factor = NONE
                AND ((setting:security.value.require_second_factor ?? false) OR role.requires_second_factor = true) GROUP ALL;",
            json!({}),
        )
        .await?;
    let roles: Vec<Role> = rows.all(0)?;
    let everyone = rows.first::<Flag>(1)?.and_then(|f| f.everyone).unwrap_or(false);
    let missing = rows.first::<Count>(2)?.map(|c| c.n).unwrap_or(0);
    Ok(SecondFactorPolicy {
        everyone,
        roles: roles.into_iter().map(|r| (r.id, r.name, r.required.unwrap_or(false))).collect(),
        missing,
    })
}

/// Requires (or stops requiring) a second factor for one role, or with `None` for everyone.
pub async fn set_policy(ctx: &RequestCtx, role: Option<&str>, required: bool) -> Result<SecondFactorPolicy, ApiError> {
    let module = if role.is_some() { Module::RolesProfiles } else { Module::Settings };
    let (me, engine) = ctx.require(module, Action::Edit).await?;
    let mut work = Work::new(ctx);
    match role {
        None => {
            work.run(store::require_for_everyone(required, now_ms())).audit(
                Audit::new(AuditAction::SecondFactorPolicy, AuditTarget::Setting, Some("security"))
                    .by(&me)
                    .label("every account")
                    .after(json!({ "required": required })),
            );
        }
        Some(role) => {
            let Some(r) = engine.org().roles.iter().find(|r| r.id == role) else {
                return Err(ApiError::NotFound("no such role".into()));
            };
            work.run(store::require_for_role(role, required)).audit(
                Audit::new(AuditAction::SecondFactorPolicy, AuditTarget::Role, Some(role))
                    .by(&me)
                    .label(r.name.as_str())
                    .after(json!({ "required": required })),
            );
        }
    }
    work.commit(&ctx.state).await?;
    read_policy(ctx).await
}
