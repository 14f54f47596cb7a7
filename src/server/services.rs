//! What the server functions do, apart from reading their request: first-run setup, sign-in and
//! sign-out, the session summary and the dashboard. Each change is written with its audit row
//! in one transaction.

use serde::Deserialize;
use serde_json::json;

use super::auth::{self, throttle, Principal, SessionStart};
use super::http::RequestCtx;
use super::store::{install, session, user, Actor, Audit, Work};
use super::time::now_ms;
use crate::access;
use crate::domain::{
    setup_errors, sign_in_errors, ApiError, AuditAction, AuditTarget, AuthMethod, Me, SessionInfo,
};

/// A new record key: 20 characters of [a-z0-9], starting with a letter (so SurrealDB never
/// reads it as a number).
pub fn new_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    let mut pick = |below: usize| char::from(CHARS.get(rng.gen_range(0..below)).copied().unwrap_or(b'a'));
    let first = pick(26);
    std::iter::once(first).chain((0..19).map(|_| pick(CHARS.len()))).collect()
}

pub async fn needs_setup(ctx: &RequestCtx) -> Result<bool, ApiError> {
    #[derive(Deserialize)]
    struct Row {
        done: bool,
    }
    let row: Option<Row> = ctx
        .state
        .db
        .query("RETURN { done: record::exists(installation:main) };", json!({}))
        .await?
        .first(0)?;
    Ok(!row.map(|r| r.done).unwrap_or(false))
}

pub async fn session_info(ctx: &RequestCtx) -> Result<SessionInfo, ApiError> {
    let needs_setup = needs_setup(ctx).await?;
    let me = if needs_setup { None } else { ctx.user().await? };
    let me = match me {
        None => None,
        Some(p) => {
            let engine = ctx.engine().await?;
            let mut me = p.me();
            // A session that still has a step to take (second factor, new password, enrolment)
            // gets no menu.
            let complete = !p.second_factor_pending && !p.must_change_password && (!p.must_enrol || p.viewed_by.is_some());
            me.modules = access::Module::ALL
                .into_iter()
                .filter(|_| complete)
                .filter(|m| engine.decide(&p.user_id, *m, access::Action::View, None).allowed())
                .collect();
            // What else they may do in those modules, so pages offer only the controls that
            // will work (the server checks every call regardless).
            me.can = me
                .modules
                .iter()
                .flat_map(|&m| access::Action::ALL.into_iter().map(move |a| (m, a)))
                .filter(|&(m, a)| a != access::Action::View && engine.decide(&p.user_id, m, a, None).allowed())
                .collect();
            Some(me)
        }
    };
    Ok(SessionInfo { needs_setup, me })
}

/// First run: the built-in profiles and roles, a company, a department and the first
/// administrator, all or nothing; then a session for them. Refused once it has happened.
pub async fn setup(ctx: &RequestCtx, full_name: &str, email: &str, password: &str) -> Result<Me, ApiError> {
    if !needs_setup(ctx).await? {
        return Err(already_set_up());
    }
    let (name, email) = setup_errors(full_name, email, password).map_err(ApiError::fields)?;
    let hash = auth::hash_password(password.to_string()).await?;
    let now = now_ms();
    let user_id = new_id();
    let company_id = new_id();
    let department_id = new_id();
    let perms = |p: Vec<access::Permission>| serde_json::to_value(p).unwrap_or_default();
    let details = user::Details {
        name,
        email,
        mobile: None,
        department: department_id.clone(),
        role: "administrator".into(),
        companies: vec![company_id.clone()],
        is_approver: true,
    };
    let mut work = Work::new(ctx);
    work.refuse_if(install::is_set_up(), already_set_up())
        .run(install::first_run(&company_id, &department_id, perms(access::administrator_permissions()), perms(access::manager_permissions()), now))
        .run(user::create_first_admin(&user_id, &details, &hash, now))
        .run(install::set_department_manager(&department_id, &user_id))
        .audit(
            Audit::user(AuditAction::InstallationSetUp, &user_id)
                .by(Actor::new(&user_id, details.name.as_ref()))
                .label(details.email.as_ref())
                .after(json!({ "full_name": details.name.as_ref(), "email": details.email.as_ref(), "role": "Administrator", "status": "active" })),
        )
        .bump_access();
    work.commit(&ctx.state).await?;
    let email = details.email;
    tracing::info!(email = %email, "installation set up");
    start_session(ctx, &user_id, SessionStart { method: AuthMethod::Password, second_factor_pending: false }).await
}

fn already_set_up() -> ApiError {
    ApiError::Conflict("this installation is already set up; sign in instead".into())
}

/// Creates a session for the user, sets the cookie and returns who they are.
pub async fn start_session(ctx: &RequestCtx, user_id: &str, start: SessionStart) -> Result<Me, ApiError> {
    start_session_with(ctx, user_id, start, None).await
}

/// As [`start_session`], with the sign-in's audit row (if any) written in the same transaction
/// as the last-sign-in time (one commit fewer on the busiest path). A session still waiting for
/// its second factor records neither.
async fn start_session_with(ctx: &RequestCtx, user_id: &str, start: SessionStart, audit: Option<Audit>) -> Result<Me, ApiError> {
    let policy = ctx.state.session_policy().await;
    if !start.second_factor_pending {
        let mut work = Work::new(ctx);
        work.run(user::signed_in(user_id, now_ms()));
        if let Some(audit) = audit {
            work.audit(audit);
        }
        work.commit(&ctx.state).await?;
    }
    let raw = auth::create_session(&ctx.state.db, user_id, &policy, Some(&ctx.ip), ctx.user_agent.as_deref(), start).await?;
    let principal = auth::resolve_session(&ctx.state.db, &raw, &policy).await?.ok_or_else(|| {
        tracing::error!(user_id, "a new session did not resolve");
        ApiError::Unavailable
    })?;
    if !start.second_factor_pending {
        notice_new_address(ctx, &principal).await?;
    }
    ctx.set_cookie(&auth::session_cookie(
        &raw,
        (policy.absolute_ms / 1000) as u64,
        ctx.state.settings.secure_cookies(),
    ));
    Ok(principal.me())
}

/// The audit row of a completed sign-in: how it was made, and on what device ("Chrome on
/// Android"), which the next sign-ins compare against.
pub fn sign_in_audit(ctx: &RequestCtx, user_id: &str, full_name: &str, email: &str, method: AuthMethod) -> Audit {
    Audit::user(AuditAction::SignIn, user_id)
        .by(Actor::new(user_id, full_name))
        .label(email)
        .after(json!({ "method": method.as_str(), "device": crate::domain::device_name(ctx.user_agent.as_deref()) }))
}

/// A sign-in from an address, or on a device (browser and system), this account never signed
/// in from before (and it has signed in before): the person is told by email, with both.
async fn notice_new_address(ctx: &RequestCtx, me: &Principal) -> Result<(), ApiError> {
    #[derive(Deserialize)]
    struct Seen {
        here: u64,
        this_device: u64,
        any_device: u64,
        anywhere: u64,
    }
    let device = crate::domain::device_name(ctx.user_agent.as_deref());
    let seen: Option<Seen> = ctx
        .state
        .db
        .query(
            // Two of each are enough to decide, so a long history is not counted on every sign-in.
            // Sign-ins recorded before devices were (no `after.device`) decide nothing about them.
            "RETURN {
                here: count(SELECT VALUE id FROM audit WHERE target_id = $u AND action = 'auth.sign_in' AND ip = $ip LIMIT 2),
                this_device: count(SELECT VALUE id FROM audit WHERE target_id = $u AND action = 'auth.sign_in' AND after.device = $device LIMIT 2),
                any_device: count(SELECT VALUE id FROM audit WHERE target_id = $u AND action = 'auth.sign_in' AND after.device != NONE LIMIT 2),
                anywhere: count(SELECT VALUE id FROM audit WHERE target_id = $u AND action = 'auth.sign_in' LIMIT 2)
            };",
            json!({ "u": me.user_id, "ip": ctx.ip, "device": device }),
        )
        .await?
        .first(0)?;
    // The sign-in being made is already in the log: "new" means it is the only one from here.
    let Some(seen) = seen.filter(|s| s.anywhere > 1) else {
        return Ok(());
    };
    let new_address = seen.here <= 1;
    let new_device = seen.this_device <= 1 && seen.any_device > 1;
    let what = match (new_address, new_device) {
        (true, true) => format!("from an address and on a device it had not been used from before: {} ({device})", ctx.ip),
        (true, false) => format!("from an address it had not been used from before: {} ({device})", ctx.ip),
        (false, true) => format!("on a device it had not been used from before: {device} (from {})", ctx.ip),
        (false, false) => return Ok(()),
    };
    let notice = super::mail::security_notice(
        &me.full_name,
        &me.email,
        "A new sign-in to your CRM account",
        &format!("Your CRM account was just signed in to {what}."),
    );
    let mut work = Work::new(ctx);
    work.queue_mail("security_notice", &me.user_id, &notice);
    work.commit(&ctx.state).await?;
    Ok(())
}

#[derive(Deserialize)]
struct Credentials {
    id: String,
    full_name: String,
    status: String,
    password_hash: Option<String>,
    #[serde(default)]
    second_factor: Option<String>,
}

pub async fn sign_in(ctx: &RequestCtx, email: &str, password: &str) -> Result<Me, ApiError> {
    let email = sign_in_errors(email, password).map_err(ApiError::fields)?;
    let db = &ctx.state.db;
    let key = throttle::key(&email.key(), &ctx.ip);
    let wait = throttle::locked_for(db, &key).await?;
    if wait > 0 {
        tracing::warn!(email = %email, ip = %ctx.ip, "sign-in attempt while locked");
        return Err(too_many(wait));
    }
    let account: Option<Credentials> = db
        .query(
            "SELECT record::id(id) AS id, full_name, status, password_hash, second_factor FROM user WHERE email_key = $k LIMIT 1;",
            json!({ "k": email.key() }),
        )
        .await?
        .first(0)?;
    // Counted before the password is checked, so concurrent guesses cannot all be checked.
    let wait = throttle::reserve(db, &key).await?;
    if wait > 0 {
        tracing::warn!(email = %email, ip = %ctx.ip, "sign-in attempt refused: the pair was locked meanwhile");
        return Err(too_many(wait));
    }
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let ok = auth::verify_password(stored, password.to_string()).await?;
    let target_id = account.as_ref().map(|a| a.id.as_str());
    if !ok {
        let wait = throttle::failed(db, &key).await?;
        record_failed_sign_in(ctx, target_id, email.as_ref()).await?;
        tracing::warn!(email = %email, ip = %ctx.ip, known = account.is_some(), "sign-in failed");
        return Err(if wait > 0 { too_many(wait) } else { ApiError::BadCredentials });
    }
    // A verified password belongs to an account.
    let Some(account) = account else { return Err(ApiError::BadCredentials) };
    throttle::clear(db, &key).await?;
    if account.status != "active" {
        write_audit(
            ctx,
            Audit::user(AuditAction::SignInRefused, &account.id).label(email.as_ref()).after(json!({ "status": account.status })),
        )
        .await?;
        tracing::warn!(email = %email, status = %account.status, "sign-in refused by status");
        return Err(ApiError::Forbidden(match account.status.as_str() {
            "blocked" => "this account is blocked; ask an administrator to unblock it".into(),
            "invited" => "this account is not activated yet; use the link in your invitation email".into(),
            _ => "this account is inactive; ask an administrator to reactivate it".into(),
        }));
    }
    if account.second_factor.is_some() {
        // The password was right; the session can do nothing until the second factor is in.
        tracing::info!(email = %email, ip = %ctx.ip, "password accepted; second factor to come");
        return start_session(ctx, &account.id, SessionStart { method: AuthMethod::Password, second_factor_pending: true }).await;
    }
    let audit = sign_in_audit(ctx, &account.id, &account.full_name, email.as_ref(), AuthMethod::Password);
    tracing::info!(email = %email, ip = %ctx.ip, "signed in");
    start_session_with(ctx, &account.id, SessionStart { method: AuthMethod::Password, second_factor_pending: false }, Some(audit)).await
}

/// Failed sign-ins are counted rather than listed one by one: one audit row per account (or, for
/// emails that match no account, per "unknown account") and client address in each quarter of an
/// hour, whose `after.attempts` grows. A flood of guesses cannot fill the audit log.
pub const FAILED_SIGN_IN_WINDOW_MS: i64 = 15 * 60_000;

async fn record_failed_sign_in(ctx: &RequestCtx, account: Option<&str>, email: &str) -> Result<(), ApiError> {
    let now = now_ms();
    let window = now.div_euclid(FAILED_SIGN_IN_WINDOW_MS);
    let row_id = auth::token_digest(&format!("failed-sign-in|{}|{}|{window}", account.unwrap_or("unknown"), ctx.ip));
    let label = if account.is_some() { email.to_string() } else { "an unknown account".to_string() };
    let audit = Audit::new(AuditAction::SignInFailed, AuditTarget::User, account).label(label);
    let mut work = Work::new(ctx);
    work.audit_with(audit, |row| {
        format!(
            "UPSERT type::record('audit', '{row_id}') SET at = ${row}.at, actor = NONE, actor_name = NONE, action = ${row}.action,
                target_kind = ${row}.target_kind, target_id = ${row}.target_id, target_label = ${row}.target_label, ip = ${row}.ip,
                before = NONE, after = {{ attempts: (after.attempts ?? 0) + 1, first_at: after.first_at ?? ${row}.at }};"
        )
    });
    work.commit(&ctx.state).await?;
    Ok(())
}

pub fn too_many(wait_ms: i64) -> ApiError {
    let secs = ((wait_ms + 999) / 1000).max(1) as u64;
    let when = if secs < 90 { format!("{secs} seconds") } else { format!("{} minutes", secs.div_ceil(60)) };
    ApiError::TooManyAttempts {
        message: format!("too many failed attempts for this account; try again in {when} or reset your password"),
        retry_after_secs: secs,
    }
}

/// An audit row on its own (events that change nothing else).
pub async fn write_audit(ctx: &RequestCtx, audit: Audit) -> Result<(), ApiError> {
    let mut work = Work::new(ctx);
    work.audit(audit);
    work.commit(&ctx.state).await?;
    Ok(())
}

pub async fn sign_out(ctx: &RequestCtx, me: &Principal) -> Result<(), ApiError> {
    // During "view as" it is the administrator who signs out.
    let audit = match &me.viewed_by {
        Some((id, name)) => Audit::user(AuditAction::SignOut, id).by(Actor::new(id, name)).label(name.as_str()),
        None => Audit::user(AuditAction::SignOut, &me.user_id).by(me).label(me.email.as_str()),
    };
    let mut work = Work::new(ctx);
    work.run(session::delete(&me.session_id)).audit(audit);
    work.commit(&ctx.state).await?;
    ctx.set_cookie(&auth::clear_cookie(ctx.state.settings.secure_cookies()));
    Ok(())
}


/// "View as": a full administrator's session shows the console as `user`, read-only, until
/// ended. Starting and ending are audited.
pub async fn view_as_start(ctx: &RequestCtx, user: &str) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    if me.viewed_by.is_some() {
        return Err(ApiError::Conflict("you are already viewing as someone; end that first".into()));
    }
    if !me.full_admin {
        return Err(ApiError::forbidden("only a full administrator may view the console as someone else"));
    }
    if me.user_id == user {
        return Err(ApiError::field("user", "choose someone other than yourself"));
    }
    let engine = ctx.engine().await?;
    let Some(target) = engine.org().users.iter().find(|u| u.id == user) else {
        return Err(ApiError::NotFound("no such user, or not one you can see".into()));
    };
    let mut work = Work::new(ctx);
    work.run(session::set_view_as(&me.session_id, Some(user)))
        .audit(Audit::user(AuditAction::ViewAsStart, user).by(&me).label(target.name.as_str()));
    work.commit(&ctx.state).await?;
    Ok(())
}

pub async fn view_as_end(ctx: &RequestCtx) -> Result<(), ApiError> {
    let me = ctx.require_session().await?;
    let Some((admin_id, admin_name)) = me.viewed_by.clone() else { return Ok(()) };
    let mut work = Work::new(ctx);
    work.run(session::set_view_as(&me.session_id, None)).audit(
        Audit::user(AuditAction::ViewAsEnd, &me.user_id).by(Actor::new(&admin_id, &admin_name)).label(me.full_name.as_str()),
    );
    work.commit(&ctx.state).await?;
    Ok(())
}

/// A test email to the administrator asking for it (Settings / Edit), queued and delivered like
/// every other email (so a wrong SMTP setting shows as it would for an invitation), and audited.
pub async fn send_test_email(ctx: &RequestCtx) -> Result<String, ApiError> {
    let (me, _) = ctx.require(access::Module::Settings, access::Action::Edit).await?;
    let delivery = match &ctx.state.settings.smtp {
        Some(smtp) => format!("the SMTP server {}:{}", smtp.host, smtp.port),
        None => format!("the outbox folder {}", ctx.state.settings.outbox_dir),
    };
    let mut work = Work::new(ctx);
    work.queue_mail("test_email", &me.user_id, &super::mail::test_message(&me.full_name, &me.email, &delivery)).audit(
        Audit::new(AuditAction::SettingsTestEmail, crate::domain::AuditTarget::Setting, None).by(&me).label("mail").after(json!({ "to": me.email })),
    );
    work.commit(&ctx.state).await?;
    Ok(format!("A test email is on its way to {} through {delivery}. If it does not arrive within a few minutes, check the mail settings below.", me.email))
}

/// The Settings page: the installation's configuration as people read it (Settings / View).
/// Secrets (SMTP and database passwords) are never included, only whether they are set.
pub async fn settings_overview(ctx: &RequestCtx) -> Result<crate::domain::SettingsOverview, ApiError> {
    let (_, engine) = ctx.require(access::Module::Settings, access::Action::View).await?;
    let s = &ctx.state.settings;
    let set = engine.org().settings.lifetimes;
    let from = |v: Option<u32>, var: &'static str| if v.is_some() { "set on this page" } else { var };
    let policy = ctx.state.session_policy().await;
    let ms = |ms: i64| std::time::Duration::from_millis(ms.max(0) as u64);
    let row = |name: &str, value: String, from: &str| (name.to_string(), value, from.to_string());
    let minutes = |d: std::time::Duration| {
        let m = d.as_secs() / 60;
        if m % (24 * 60) == 0 {
            format!("{} days", m / (24 * 60))
        } else if m % 60 == 0 {
            format!("{} hours", m / 60)
        } else {
            format!("{m} minutes")
        }
    };
    let mail = match &s.smtp {
        Some(smtp) => vec![
            row("Delivery", "SMTP".into(), "GATEHOUSE_SMTP_HOST"),
            row("SMTP server", format!("{}:{}", smtp.host, smtp.port), "GATEHOUSE_SMTP_HOST, GATEHOUSE_SMTP_PORT"),
            row("Encryption", format!("{:?}", smtp.tls).to_uppercase(), "GATEHOUSE_SMTP_TLS"),
            row("SMTP account", smtp.user.clone().unwrap_or_else(|| "none".into()), "GATEHOUSE_SMTP_USER"),
            row("SMTP password", if smtp.password.is_some() { "set (not shown)".into() } else { "not set".into() }, "GATEHOUSE_SMTP_PASSWORD"),
            row("Sender", s.mail_from.clone(), "GATEHOUSE_MAIL_FROM"),
        ],
        None => vec![
            row("Delivery", "Outbox folder (.eml files; links also in the server log)".into(), "GATEHOUSE_SMTP_HOST unset"),
            row("Outbox", s.outbox_dir.clone(), "GATEHOUSE_OUTBOX"),
            row("Sender", s.mail_from.clone(), "GATEHOUSE_MAIL_FROM"),
        ],
    };
    let mut mail = mail;
    mail.push(row("First retry of a failed send", format!("{} s, doubling up to 30 minutes", s.mail_retry_base.as_secs()), "GATEHOUSE_MAIL_RETRY_SECONDS"));
    let security = vec![
        row("Invitation links expire after", minutes(ctx.state.invite_ttl().await), from(set.invite_minutes, "GATEHOUSE_INVITE_TTL_MINUTES")),
        row("Managers are reminded to check in with a new person after", format!("{} days", s.checkin_days), "GATEHOUSE_CHECKIN_DAYS"),
        row("API tokens can last at most", format!("{} days", s.token_max_days), "GATEHOUSE_TOKEN_MAX_DAYS"),
        row("Session ends after inactivity", minutes(ms(policy.idle_ms)), from(set.session_idle_minutes, "GATEHOUSE_SESSION_IDLE_MINUTES")),
        row("Session ends at the latest after", minutes(ms(policy.absolute_ms)), from(set.session_max_minutes, "GATEHOUSE_SESSION_MAX_MINUTES")),
        row(
            "Password policy",
            format!(
                "{}–{} characters, no composition rules; common passwords and the person's own name or email refused",
                crate::domain::PASSWORD_MIN_CHARS,
                crate::domain::PASSWORD_MAX_CHARS
            ),
            "built in (NIST SP 800-63B)",
        ),
        row("Password hashing", "argon2id, 19 MiB, 2 passes".into(), "built in"),
        row("Sign-in throttling", "from the 3rd failure per email and address: 5 s, doubling up to 15 min".into(), "built in"),
        row("Secure cookies", if s.secure_cookies() { "yes (https)".into() } else { "no (http)".into() }, "GATEHOUSE_PUBLIC_URL"),
    ];
    let org = engine.org();
    let access = vec![
        row("Grant access using hierarchies", if org.settings.hierarchy { "on".into() } else { "off".into() }, "Sharing page"),
        row("Inactive users may sign in read-only", if org.settings.inactive_may_read { "yes".into() } else { "no".into() }, "Sharing page"),
        row("Links in emails start with", s.public_url.clone(), "GATEHOUSE_PUBLIC_URL"),
    ];
    let kind = if s.database_url.starts_with("mem:") {
        "in memory (lost at restart)"
    } else if s.database_url.starts_with("surrealkv:") || s.database_url.starts_with("rocksdb:") {
        "embedded, on disk"
    } else {
        "remote SurrealDB"
    };
    let storage = vec![
        row("Database", kind.into(), "GATEHOUSE_DB"),
        row("Namespace / database", format!("{} / {}", s.database_namespace, s.database_name), "GATEHOUSE_DB_NAMESPACE, GATEHOUSE_DB_DATABASE"),
    ];
    let configured = access::Lifetimes {
        invite_minutes: Some((s.invite_ttl.as_secs() / 60) as u32),
        session_idle_minutes: Some((s.session_idle.as_secs() / 60) as u32),
        session_max_minutes: Some((s.session_absolute.as_secs() / 60) as u32),
    };
    Ok(crate::domain::SettingsOverview { mail, security, access, storage, lifetimes: set, configured })
}

