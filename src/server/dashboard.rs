//! The dashboard's numbers, all inside the viewer's Users scope (a delegated admin of one
//! company counts only that company's people): users by status, recent sign-ins, stale accounts,
//! seats per license, and how many people have conflicting access.

use serde::Deserialize;
use serde_json::json;

use super::directory::{Entry, ScopeFilter};
use super::http::RequestCtx;
use super::time::now_ms;
use crate::access::{Action, Module};
use crate::domain::*;

const DAY_MS: i64 = 86_400_000;
/// An active account unused this long is stale.
const STALE_AFTER_DAYS: i64 = 90;
/// An active account never used this long after it was created is stale too.
const NEVER_USED_DAYS: i64 = 30;

fn is_stale(e: &Entry, now: i64) -> bool {
    e.status == "active"
        && match e.last_sign_in_at {
            Some(at) => now - at > STALE_AFTER_DAYS * DAY_MS,
            None => now - e.created_at > NEVER_USED_DAYS * DAY_MS,
        }
}

pub async fn dashboard(ctx: &RequestCtx) -> Result<DashboardSummary, ApiError> {
    let (me, engine) = ctx.require(Module::Users, Action::View).await?;
    let scope = engine.user_scope(&me.user_id, Action::View).ok_or_else(|| ApiError::forbidden("you need View on Users"))?;
    let dir = ctx.state.directory.current(&ctx.state.db).await?;
    let in_scope = ScopeFilter::new(&engine, &me.user_id);
    let now = now_ms();
    let people: Vec<&Entry> = dir.users.values().filter(|e| in_scope.admits(e)).collect();

    let users_by_status: Vec<StatusCount> = ["active", "invited", "inactive", "blocked"]
        .iter()
        .map(|s| StatusCount { status: s.to_string(), count: people.iter().filter(|e| e.status == *s).count() as u64 })
        .collect();
    let mut recent: Vec<&&Entry> = people.iter().filter(|e| e.last_sign_in_at.is_some()).collect();
    recent.sort_by_key(|e| std::cmp::Reverse(e.last_sign_in_at));
    recent.truncate(5);
    let mut stale: Vec<&&Entry> = people.iter().filter(|e| is_stale(e, now)).collect();
    let stale_total = stale.len() as u64;
    stale.sort_by_key(|e| e.last_sign_in_at.unwrap_or(e.created_at));
    stale.truncate(5);

    // Names and emails of the few people shown, in one read.
    let ids: Vec<&str> = recent.iter().chain(stale.iter()).map(|e| e.id.as_str()).collect();
    #[derive(Deserialize)]
    struct Person {
        id: String,
        full_name: String,
        email: String,
    }
    let named: Vec<Person> = if ids.is_empty() {
        Vec::new()
    } else {
        ctx.state
            .db
            .query("SELECT record::id(id) AS id, full_name, email FROM $ids.map(|$i| type::record('user', $i));", json!({ "ids": ids }))
            .await?
            .all(0)?
    };
    let name_of = |id: &str| named.iter().find(|p| p.id == id).map(|p| (p.full_name.clone(), p.email.clone())).unwrap_or_default();

    let org = engine.org();
    let seats = org
        .licenses
        .iter()
        .map(|l| SeatUse {
            license_id: l.id.clone(),
            license: l.name.clone(),
            used: org.users.iter().filter(|u| u.licenses.contains(&l.id)).count() as u64,
            seats: l.seats as u64,
        })
        .collect();
    let users_with_conflicts = engine
        .decide(&me.user_id, Module::RolesProfiles, Action::View, None)
        .allowed()
        .then(|| people.iter().filter(|e| !engine.conflicts(&e.id).0.is_empty()).count() as u64);
    let companies = match &scope.companies {
        Some(mine) => mine.len() as u64,
        None => org.companies.len() as u64,
    };
    let requiring = super::second_factor::requiring_roles(ctx).await?;
    let (failed_sign_ins_24h, invitations_expiring) = sign_in_trouble(ctx, &people, scope.companies.is_none(), now).await?;
    let active: Vec<&&Entry> = people.iter().filter(|e| e.status == "active").collect();
    let second_factor_on = active.iter().filter(|e| e.second_factor).count() as u64;
    let second_factor_missing = active.iter().filter(|e| !e.second_factor && requiring.requires(&e.role)).count() as u64;
    Ok(DashboardSummary {
        failed_sign_ins_24h,
        invitations_expiring,
        second_factor_on,
        second_factor_missing,
        total_users: people.len() as u64,
        users_by_status,
        companies,
        roles: org.roles.len() as u64,
        recent_sign_ins: recent
            .iter()
            .map(|e| {
                let (full_name, email) = name_of(&e.id);
                let at = e.last_sign_in_at.unwrap_or_default();
                RecentSignIn { full_name, email, at, when: ago(at, now) }
            })
            .collect(),
        seats,
        users_with_conflicts,
        stale_total,
        stale: stale
            .iter()
            .map(|e| {
                let (full_name, email) = name_of(&e.id);
                StaleAccount {
                    id: e.id.clone(),
                    full_name,
                    email,
                    last_seen: e.last_sign_in_at.map(|at| ago(at, now)).unwrap_or_else(|| "never".into()),
                }
            })
            .collect(),
    })
}

/// Failed sign-in attempts of the last 24 hours (the audit keeps them counted per account,
/// address and quarter hour) and invitations about to lapse, both for the people in reach.
async fn sign_in_trouble(ctx: &RequestCtx, people: &[&Entry], every_company: bool, now: i64) -> Result<(u64, u64), ApiError> {
    #[derive(Deserialize)]
    struct Failed {
        target_id: Option<String>,
        attempts: Option<u64>,
    }
    #[derive(Deserialize)]
    struct Lapsing {
        user: String,
    }
    let mut answer = ctx
        .state
        .db
        .query(
            "SELECT target_id, after.attempts AS attempts FROM audit WHERE action = 'auth.sign_in_failed' AND at >= $since;
             SELECT record::id(user) AS user FROM link_token
                WHERE kind = 'activation' AND used_at = NONE AND revoked = false AND expires_at > $now AND expires_at <= $soon;",
            json!({ "since": now - DAY_MS, "now": now, "soon": now + DAY_MS }),
        )
        .await?;
    let failed: Vec<Failed> = answer.all(0)?;
    let lapsing: Vec<Lapsing> = answer.all(1)?;
    let reach: std::collections::HashSet<&str> = people.iter().map(|e| e.id.as_str()).collect();
    let invited: std::collections::HashSet<&str> = people.iter().filter(|e| e.status == "invited").map(|e| e.id.as_str()).collect();
    let failed_total = failed
        .iter()
        .filter(|f| match &f.target_id {
            Some(id) => reach.contains(id.as_str()),
            None => every_company,
        })
        .map(|f| f.attempts.unwrap_or(1))
        .sum();
    let mut users: Vec<&str> = lapsing.iter().map(|l| l.user.as_str()).filter(|id| invited.contains(id)).collect();
    users.sort_unstable();
    users.dedup();
    Ok((failed_total, users.len() as u64))
}
