//! Passwords set by administrators (temporary, or a reset link: the admin never learns the
//! current one), one's own password change, sessions (list, end one, end all), a user's activity
//! and the audit log with its CSV export.

use serde_json::json;

use super::auth;
use super::http::RequestCtx;
use super::mail;
use super::services::write_audit;
use super::store::{session, user, Actor, Audit, Work};
use super::time::now_ms;
use super::users::{reachable, send_reset_link};
use crate::access::{Action, Module};
use crate::domain::*;

/// Sets a temporary password (the user must replace it at next sign-in) or mails a reset link.
/// Either way every session of the user ends and they get a notice.
pub async fn admin_password(ctx: &RequestCtx, id: &str, change: PasswordChange) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let user = reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    super::users::no_takeover(&engine, &me.user_id, id)?;
    if !matches!(user.status, crate::access::UserStatus::Active | crate::access::UserStatus::Inactive) {
        return Err(ApiError::Conflict(format!(
            "{}'s account is {}; passwords can be changed for active or inactive accounts",
            user.full_name,
            user.status.as_str()
        )));
    }
    match change {
        PasswordChange::SendResetLink => {
            send_reset_link(ctx, id, &user.full_name, &user.email, Some(Actor::from(&me))).await
        }
        PasswordChange::Temporary(password) => {
            check_password_for(&password, &user.full_name, &user.email).map_err(|m| ApiError::field("password", m))?;
            let hash = auth::hash_password(password).await?;
            let notice = mail::password_changed_notice(&user.full_name, &user.email);
            // The audit row says that it happened, never what the password is.
            let mut work = Work::new(ctx);
            work.run(user::set_password(id, &hash, true, now_ms()))
                .run(session::end_all(id))
                .queue_mail("password_changed", id, &notice)
                .audit(
                    Audit::user(AuditAction::UserTemporaryPassword, id)
                        .by(&me)
                        .label(user.email.as_str())
                        .after(json!({ "must_change_password": true })),
                );
            work.commit(&ctx.state).await?;
            Ok(())
        }
    }
}

/// One's own password: the current one, then a new one. Other sessions end; this one stays.
pub async fn change_own_password(ctx: &RequestCtx, current: &str, new: &str) -> Result<Me, ApiError> {
    let me = ctx.require_session().await?;
    verify_own_password(ctx, &me.user_id, current, "current", "this is not your current password").await?;
    if current == new {
        return Err(ApiError::field("password", "choose a password different from the current one"));
    }
    check_password_for(new, &me.full_name, &me.email).map_err(|m| ApiError::field("password", m))?;
    let hash = auth::hash_password(new.to_string()).await?;
    let notice = mail::password_changed_notice(&me.full_name, &me.email);
    let mut work = Work::new(ctx);
    work.run(user::set_password(&me.user_id, &hash, false, now_ms()))
        .run(session::end_all_but(&me.user_id, &me.session_id))
        .queue_mail("password_changed", &me.user_id, &notice)
        .audit(Audit::user(AuditAction::UserPasswordChanged, &me.user_id).by(&me).label(me.email.as_str()));
    work.commit(&ctx.state).await?;
    let mut me = me.me();
    me.must_change_password = false;
    Ok(me)
}

/// Checks one's own password inside a session (a password change, a step-up confirmation).
/// Guesses are throttled like sign-ins, per account; a wrong one is a 422 on `field`.
pub async fn verify_own_password(ctx: &RequestCtx, user: &str, password: &str, field: &str, wrong: &str) -> Result<(), ApiError> {
    #[derive(serde::Deserialize)]
    struct Row {
        password_hash: Option<String>,
    }
    let db = &ctx.state.db;
    let row: Option<Row> = db.query("SELECT password_hash FROM type::record('user', $id);", json!({ "id": user })).await?.first(0)?;
    let key = auth::throttle::key(&format!("password-change|{user}"), "any address");
    auth::throttle::take_turn(db, &key).await?;
    if !auth::verify_password(row.and_then(|r| r.password_hash), password.to_string()).await? {
        let wait = auth::throttle::failed(db, &key).await?;
        return Err(if wait > 0 { super::services::too_many(wait) } else { ApiError::field(field, wrong) });
    }
    auth::throttle::clear(db, &key).await?;
    Ok(())
}

/// One's own sessions always; someone else's with Users / View on them.
pub(super) async fn check_sessions_access(ctx: &RequestCtx, id: &str, action: Action) -> Result<auth::Principal, ApiError> {
    let me = ctx.require_user().await?;
    if me.user_id != id {
        let engine = ctx.engine().await?;
        reachable(ctx, &engine, &me.user_id, action, id).await?;
        // Ending someone's sessions is acting on their account: no takeover.
        if action != Action::View {
            super::users::no_takeover(&engine, &me.user_id, id)?;
        }
    }
    Ok(me)
}

pub async fn list_sessions(ctx: &RequestCtx, id: &str) -> Result<Vec<SessionDto>, ApiError> {
    let me = check_sessions_access(ctx, id, Action::View).await?;
    let policy = ctx.state.session_policy().await;
    let now = now_ms();
    let mut rows: Vec<SessionDto> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, created_at, last_seen_at, ip, user_agent, false AS current, auth_method ?? 'password' AS auth_method
             FROM session WHERE user = type::record('user', $id) AND expires_at > $now AND last_seen_at > $idle
                AND second_factor_pending != true
             ORDER BY last_seen_at DESC;",
            json!({ "id": id, "now": now, "idle": now - policy.idle_ms }),
        )
        .await?
        .all(0)?;
    for r in rows.iter_mut() {
        r.current = r.id == me.session_id;
    }
    Ok(rows)
}

/// Ends one session (`Some`) or all of them but the caller's own (`None`).
pub async fn end_sessions(ctx: &RequestCtx, id: &str, session: Option<&str>) -> Result<u32, ApiError> {
    let me = check_sessions_access(ctx, id, Action::Edit).await?;
    let action = if session.is_some() { AuditAction::UserSessionEnded } else { AuditAction::UserSessionsEnded };
    let mut work = Work::new(ctx);
    work.run(session::end_some(id, session, &me.session_id))
        .audit(Audit::user(action, id).by(&me).after_opt(session.map(|s| json!({ "session": s }))))
        .returning("$gone.map(|$s| record::id($s.id))");
    let gone: Vec<String> = work.commit_returning(&ctx.state).await?;
    if session.is_some() && gone.is_empty() {
        return Err(ApiError::NotFound("that session has already ended".into()));
    }
    Ok(gone.len() as u32)
}

const AUDIT_FIELDS: &str =
    "record::id(id) AS id, at, actor, actor_name, action, target_kind, target_id, target_label, before, after, ip, via";

/// This user's trail: what was done to them and what they did. Needs Audit log / View too.
pub async fn user_activity(ctx: &RequestCtx, id: &str) -> Result<Vec<AuditEntry>, ApiError> {
    let (me, engine) = ctx.require(Module::AuditLog, Action::View).await?;
    reachable(ctx, &engine, &me.user_id, Action::View, id).await?;
    let mine: Option<Vec<String>> = (!engine.is_full_admin(&me.user_id)).then(|| engine.companies_of(&me.user_id));
    let mut rows: Vec<AuditEntry> = ctx
        .state
        .db
        .query(
            &format!(
                "SELECT {AUDIT_FIELDS} FROM audit WHERE (target_id = $id OR actor = $id)
                    AND ($mine = NONE OR companies ALLINSIDE $mine OR (companies = NONE AND target_kind NOT IN ['user', 'record']))
                 ORDER BY at DESC LIMIT 100;"
            ),
            json!({ "id": id, "mine": mine }),
        )
        .await?
        .all(0)?;
    super::records::strip_hidden_fields(&engine, &me.user_id, &mut rows);
    in_words(ctx, &engine, &mut rows).await?;
    Ok(rows)
}

pub const AUDIT_PAGE: u32 = 50;

/// Puts each row into words (see `audit_text`), with the names of today.
async fn in_words(ctx: &RequestCtx, engine: &crate::access::Engine, rows: &mut [AuditEntry]) -> Result<(), ApiError> {
    #[derive(serde::Deserialize)]
    struct Company {
        id: String,
        name: String,
    }
    let companies: Vec<Company> = ctx.state.db.query("SELECT record::id(id) AS id, name FROM company;", json!({})).await?.all(0)?;
    let names = super::audit_text::Names::new(engine, companies.into_iter().map(|c| (c.id, c.name)).collect());
    for row in rows.iter_mut() {
        let (sentence, changes) = super::audit_text::describe(row, &names);
        row.sentence = sentence;
        row.changes = changes;
    }
    Ok(())
}

async fn audit_rows(ctx: &RequestCtx, q: &AuditQuery, limit: u32) -> Result<(Vec<AuditEntry>, u64), ApiError> {
    // An auditor who is not a full administrator sees only rows about their own companies
    // (rows about no company, such as a profile change, stay visible).
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let mine: Option<Vec<String>> = (!engine.is_full_admin(&me.user_id)).then(|| engine.companies_of(&me.user_id));
    // Rows about users and records with no companies recorded are for full administrators only;
    // a record's title is searchable only by those who see every title (full administrators).
    let filter = "($mine = NONE OR companies ALLINSIDE $mine OR (companies = NONE AND target_kind NOT IN ['user', 'record']))
        AND ($actor = NONE OR actor = $actor OR string::contains(string::lowercase(actor_name ?? ''), $actor_lc))
        AND ($target = NONE OR target_id = $target
            OR (($mine = NONE OR target_kind != 'record') AND string::contains(string::lowercase(target_label ?? ''), $target_lc)))
        AND ($action = NONE OR (string::ends_with($action, '.') AND string::starts_with(action, $action)) OR action = $action)
        AND ($from = NONE OR at >= $from) AND ($to = NONE OR at < $to)";
    let clean = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let (actor, target, action) = (clean(&q.actor), clean(&q.target), clean(&q.action));
    let mut rows = ctx
        .state
        .db
        .query(
            &format!(
                "SELECT {AUDIT_FIELDS} FROM audit WHERE {filter} ORDER BY at DESC LIMIT $limit START $start;
                 SELECT count() AS total FROM audit WHERE {filter} GROUP ALL;"
            ),
            json!({
                "actor_lc": actor.as_deref().map(str::to_lowercase), "actor": actor,
                "target_lc": target.as_deref().map(str::to_lowercase), "target": target,
                "action": action, "from": q.from, "to": q.to, "mine": mine,
                "limit": limit, "start": q.page.clamp(1, 100_000).saturating_sub(1).saturating_mul(limit),
            }),
        )
        .await?;
    #[derive(serde::Deserialize)]
    struct Total {
        total: u64,
    }
    let mut items: Vec<AuditEntry> = rows.all(0)?;
    let total = rows.first::<Total>(1)?.map(|t| t.total).unwrap_or(0);
    super::records::strip_hidden_fields(&engine, &me.user_id, &mut items);
    in_words(ctx, &engine, &mut items).await?;
    Ok((items, total))
}

pub async fn list_audit(ctx: &RequestCtx, q: &AuditQuery) -> Result<Page<AuditEntry>, ApiError> {
    ctx.require(Module::AuditLog, Action::View).await?;
    let (items, total) = audit_rows(ctx, q, AUDIT_PAGE).await?;
    Ok(Page { items, total, page: q.page.max(1), per_page: AUDIT_PAGE })
}

/// A CSV cell: quoted when needed, and never read as a formula by a spreadsheet.
pub fn csv_cell(raw: &str) -> String {
    let mut s = raw.to_string();
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The filtered audit log as CSV (up to 50,000 rows), audited itself.
pub async fn export_audit(ctx: &RequestCtx, q: &AuditQuery) -> Result<String, ApiError> {
    let (me, _) = ctx.require(Module::AuditLog, Action::Export).await?;
    let all = AuditQuery { page: 1, ..q.clone() };
    let (items, _) = audit_rows(ctx, &all, 50_000).await?;
    let mut out = String::from("time_utc,actor,actor_name,action,target_kind,target_id,target_label,before,after,ip,description,changes\n");
    for e in &items {
        let when = super::time::iso_utc(e.at);
        let cells = [
            when,
            e.actor.clone().unwrap_or_default(),
            e.actor_name.clone().unwrap_or_default(),
            e.action.clone(),
            e.target_kind.clone(),
            e.target_id.clone().unwrap_or_default(),
            e.target_label.clone().unwrap_or_default(),
            e.before.as_ref().map(|v| v.to_string()).unwrap_or_default(),
            e.after.as_ref().map(|v| v.to_string()).unwrap_or_default(),
            e.ip.clone().unwrap_or_default(),
            e.sentence.clone(),
            e.changes.iter().map(|c| format!("{}: {} → {}", c.field, c.before, c.after)).collect::<Vec<_>>().join("; "),
        ];
        out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    let filters = serde_json::to_value(q).unwrap_or_default();
    write_audit(
        ctx,
        Audit::new(AuditAction::AuditExport, AuditTarget::Audit, None).by(&me).after(json!({ "rows": items.len(), "filters": filters })),
    )
    .await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_are_quoted_and_never_formulas() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("-1,2"), "\"'-1,2\"");
    }
}
