//! A new person's first page ("what you can do here, who your manager is, whom to ask") and the
//! check-in reminder their manager gets some days after they activated their account.

use serde::Deserialize;
use serde_json::json;

use super::http::RequestCtx;
use super::mail;
use super::state::AppState;
use super::store::{Audit, Stmt, Work};
use crate::access::{Action, Module, UserStatus};
use crate::domain::*;

const DAY: i64 = 86_400_000;

/// A person to write to.
#[derive(Deserialize)]
pub(super) struct Person {
    pub(super) id: String,
    pub(super) full_name: String,
    pub(super) email: String,
}

/// The active people among `ids`, to write to.
pub(super) async fn people(db: &super::db::Db, ids: &[String]) -> Result<Vec<Person>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(db
        .query("SELECT record::id(id) AS id, full_name, email FROM $ids.map(|$i| type::record('user', $i)) WHERE status = 'active';", json!({ "ids": ids }))
        .await?
        .all(0)?)
}

/// The signed-in person's welcome: what they can do, their manager, whom to ask about access.
pub async fn welcome(ctx: &RequestCtx) -> Result<Welcome, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let org = engine.org();
    let u = org.users.iter().find(|u| u.id == me.user_id.as_str()).ok_or(ApiError::Unauthorized)?;
    let manager = super::reviews::manager_of(&engine, u);
    // Whom to ask: active people who may edit this account, full administrators last.
    let mut askable: Vec<&crate::access::OrgUser> = org
        .users
        .iter()
        .filter(|x| x.id != u.id && x.status == UserStatus::Active && engine.decide_on_user(&x.id, Action::Edit, &u.id).allowed())
        .collect();
    askable.sort_by_key(|x| (engine.is_full_admin(&x.id), x.name.to_lowercase()));
    let ask_ids: Vec<String> = askable.iter().take(3).map(|x| x.id.clone()).collect();
    let mut ids = ask_ids.clone();
    ids.extend(manager.clone());
    let found = people(&ctx.state.db, &ids).await?;
    let contact = |id: &str| found.iter().find(|p| p.id == id).map(|p| Contact { name: p.full_name.clone(), email: p.email.clone() });
    let companies: Vec<String> = {
        #[derive(Deserialize)]
        struct C {
            name: String,
        }
        let rows: Vec<C> = ctx
            .state
            .db
            .query("SELECT name FROM $ids.map(|$i| type::record('company', $i)) ORDER BY name;", json!({ "ids": u.companies }))
            .await?
            .all(0)?;
        rows.into_iter().map(|c| c.name).collect()
    };
    Ok(Welcome {
        name: u.name.clone(),
        role: org.roles.iter().find(|r| r.id == u.role).map(|r| r.name.clone()).unwrap_or_default(),
        department: org.departments.iter().find(|d| d.id == u.department).map(|d| d.name.clone()).unwrap_or_default(),
        companies,
        can: can_sentences(&super::reports::access_lines(&engine, &u.id)),
        manager: manager.as_deref().and_then(contact),
        ask: ask_ids.iter().filter_map(|i| contact(i)).collect(),
    })
}

/// People whose check-in is due: activated between `$since` and `$before`, through the
/// `user_activated_at` index.
pub const DUE_QUERY: &str = "SELECT record::id(id) AS id, full_name, activated_at FROM user
    WHERE activated_at >= $since AND activated_at <= $before AND checkin_sent_at = NONE AND status = 'active' LIMIT 50;";

/// Sends every check-in reminder due at `now` (the clock is injectable for tests): to the
/// manager of each person who activated their account `settings.checkin_days` ago, once.
pub async fn run_checkins(state: &AppState, now: i64) -> Result<usize, ApiError> {
    let days = i64::from(state.settings.checkin_days);
    #[derive(Deserialize)]
    struct Due {
        id: String,
        full_name: String,
        activated_at: i64,
    }
    let due: Vec<Due> = state
        .db
        .query(
            DUE_QUERY,
            // A reminder more than a month late helps nobody: the range read stays small.
            json!({ "before": now - days * DAY, "since": now - (days + 30) * DAY }),
        )
        .await?
        .all(0)?;
    let mut sent = 0;
    for d in due {
        let engine = state.access.engine(&state.db).await?;
        let manager = engine.org().users.iter().find(|u| u.id == d.id).and_then(|u| super::reviews::manager_of(&engine, u));
        let to = people(&state.db, &manager.into_iter().collect::<Vec<_>>()).await?;
        #[derive(Deserialize)]
        struct Used {
            action: String,
            n: u64,
        }
        let used: Vec<Used> = state
            .db
            .query(
                "SELECT action, count() AS n FROM audit WHERE actor = $id AND at >= $since GROUP BY action;",
                json!({ "id": d.id, "since": d.activated_at }),
            )
            .await?
            .all(0)?;
        let n = |a: AuditAction| used.iter().find(|u| u.action == a.as_str()).map(|u| u.n).unwrap_or(0);
        // The modules they have worked in, and those they may open and have not yet.
        let used = super::usage::used_since(&state.db, std::slice::from_ref(&d.id), d.activated_at).await?.remove(&d.id).unwrap_or_default();
        let may: Vec<Module> = Module::RECORDS.into_iter().filter(|m| engine.decide(&d.id, *m, Action::View, None).allowed()).collect();
        let names = |ms: Vec<Module>| ms.iter().map(|m| m.label()).collect::<Vec<_>>().join(", ");
        let worked = if used.is_empty() { "opened no records yet".to_string() } else { format!("used {}", names(used.clone())) };
        let not_yet: Vec<Module> = may.into_iter().filter(|m| !used.contains(m)).collect();
        let not_yet = if not_yet.is_empty() { String::new() } else { format!("; not yet {}", names(not_yet)) };
        let summary = format!(
            "signed in {}; created {}; changed {}; {worked}{not_yet}",
            count(n(AuditAction::SignIn), "time", "times"),
            count(n(AuditAction::RecordCreate), "record", "records"),
            count(n(AuditAction::RecordUpdate), "record", "records")
        );
        let mut work = Work::from_address("scheduled");
        work.refuse_if(
            Stmt::new("(SELECT VALUE checkin_sent_at FROM type::record('user', $id))[0] != NONE", json!({ "id": d.id })),
            ApiError::Conflict("the check-in reminder was already sent".into()),
        )
        .run(Stmt::new("UPDATE type::record('user', $id) SET checkin_sent_at = $now;", json!({ "id": d.id, "now": now })));
        if let Some(m) = to.first() {
            let link = format!("{}/users/{}", state.settings.public_url, d.id);
            work.queue_mail("check_in", &m.id, &check_in(&m.full_name, &m.email, &d.full_name, days, d.activated_at, &summary, &link));
        }
        work.audit(Audit::user(AuditAction::UserCheckIn, &d.id).label(d.full_name.as_str()).after(json!({ "manager": to.first().map(|m| &m.full_name), "used": summary })));
        match work.commit(state).await {
            Ok(_) => sent += 1,
            Err(ApiError::Conflict(_)) => {}
            Err(e) => tracing::warn!(user = %d.id, error = %e, "a check-in reminder could not be written"),
        }
    }
    Ok(sent)
}

fn check_in(manager: &str, email: &str, person: &str, days: i64, since: i64, used: &str, link: &str) -> mail::OutgoingMail {
    let when = format_utc(since);
    let text = format!(
        "Hello {manager},\n\n{person} joined {days} days ago (account activated {when}). Since then they {used}.\n\nTake a moment to ask how it is going, and whether they can do what their work needs:\n\n{link}\n"
    );
    let html = mail::html_message(
        &format!("Hello {manager},"),
        &[format!("{person} joined {days} days ago (account activated {when}). Since then they {used}."), "Take a moment to ask how it is going, and whether they can do what their work needs.".to_string()],
        Some((&format!("See {person}'s access"), link)),
        "You get this once per new person in your department.",
    );
    mail::OutgoingMail { to_name: manager.into(), to_email: email.into(), subject: format!("Check in with {person}"), text, html, links: vec![link.into()] }
}
