//! Offboarding, now or on a date: one action blocks the person, ends every session, stops their
//! links, hands their records to a new owner, gives back their licenses and removes their
//! direct grants and group memberships, in one transaction with one audit row holding the whole
//! before and after. The change is judged by outcome like any other (no takeover, no lock-out,
//! nothing gained by anyone); a scheduled one is judged again, against the access of whoever
//! scheduled it, when the worker carries it out.

use serde::Deserialize;
use serde_json::json;

use super::http::RequestCtx;
use super::state::AppState;
use super::store::{access as access_store, link, record, session, token, user, Actor, Audit, Work};
use super::time::now_ms;
use super::users::{entry_of, no_takeover, objections_error, reachable};
use crate::access::{Action, Engine, Grantee, Module, OrgChange, OrgGrant, UserStatus};
use crate::domain::*;

/// How far ahead an offboarding may be scheduled.
const MAX_AHEAD_MS: i64 = 2 * 366 * 86_400_000;
/// How often each instance's worker looks for due offboardings.
const WORKER_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// Everything offboarding one person changes, worked out in memory and judged.
struct Plan {
    target: String,
    name: String,
    status_before: UserStatus,
    licenses: Vec<(String, String)>,
    grants: Vec<OrgGrant>,
    grant_names: Vec<String>,
    /// Groups the person leaves, as the saves that take them out.
    groups: Vec<OrgChange>,
    group_names: Vec<String>,
    new_owner: Option<(String, String)>,
    /// Record moves: (statement number, module, companies, new owner's id and name).
    moves: Vec<(usize, Module, Vec<String>, String, String)>,
    /// The modules whose records go to someone other than `new_owner`, as asked.
    owners: Vec<ModuleOwner>,
    /// The actor's companies (what stays is counted inside them only).
    actor_companies: Vec<String>,
}

fn not_found() -> ApiError {
    ApiError::NotFound("no such user, or not one you can see".into())
}

/// Works out and judges offboarding `target` for `actor` (the signed-in admin, or whoever
/// scheduled it).
fn plan(engine: &Engine, actor: &str, target: &str, new_owner: Option<&str>, owners: &[ModuleOwner]) -> Result<Plan, ApiError> {
    if engine.user_index(target).is_none() || !engine.decide_on_user(actor, Action::View, target).allowed() {
        return Err(not_found());
    }
    if let Some(denial) = engine.decide_on_user(actor, Action::Edit, target).denial() {
        return Err(ApiError::Forbidden(denial.message()));
    }
    if actor == target {
        return Err(ApiError::Conflict("you cannot offboard yourself; ask another administrator".into()));
    }
    no_takeover(engine, actor, target)?;
    let org = engine.org();
    let mut entry = entry_of(engine, target)?;
    let name = entry.name.clone();
    let successor = |o: &str, field: &'static str| -> Result<(String, String), ApiError> {
        if o == target {
            return Err(ApiError::field(field, "choose someone other than the person leaving"));
        }
        match org.users.iter().find(|u| u.id == o) {
            Some(u) if u.status == UserStatus::Active => Ok((u.id.clone(), u.name.clone())),
            Some(u) => Err(ApiError::field(field, format!("{} is not active; choose someone who is", u.name))),
            None => Err(ApiError::field(field, "choose one of the people in the list")),
        }
    };
    let new_owner = match new_owner.filter(|o| !o.is_empty()) {
        None => None,
        Some(o) => Some(successor(o, "new_owner")?),
    };
    // A different owner for some modules (one per module; the same as the default is no
    // difference).
    let mut elsewhere: Vec<(Module, (String, String))> = Vec::new();
    for o in owners.iter().filter(|o| !o.owner.is_empty()) {
        if !o.module.is_record_module() {
            return Err(ApiError::field("owners", format!("{} has no records", o.module.label())));
        }
        if elsewhere.iter().any(|(m, _)| *m == o.module) {
            return Err(ApiError::field("owners", format!("choose one new owner for {}", o.module.label())));
        }
        if new_owner.as_ref().is_some_and(|(d, _)| *d == o.owner) {
            continue;
        }
        elsewhere.push((o.module, successor(&o.owner, "owners")?));
    }
    let status_before = entry.status;
    let licenses: Vec<(String, String)> = entry
        .licenses
        .iter()
        .map(|l| (l.clone(), org.licenses.iter().find(|x| &x.id == l).map(|x| x.name.clone()).unwrap_or_else(|| l.clone())))
        .collect();
    entry.status = UserStatus::Blocked;
    entry.licenses.clear();
    let grants: Vec<OrgGrant> = org.grants.iter().filter(|g| g.to == Grantee::User(target.to_string())).cloned().collect();
    let profile_name = |p: &str| org.profiles.iter().find(|x| x.id == p).map(|x| x.name.clone()).unwrap_or_else(|| p.to_string());
    let grant_names = grants.iter().map(|g| profile_name(&g.profile)).collect();
    let mut groups = Vec::new();
    let mut group_names = Vec::new();
    for g in org.groups.iter().filter(|g| g.users.iter().any(|u| u == target)) {
        group_names.push(g.name.clone());
        groups.push(OrgChange::SaveGroup {
            id: Some(g.id.clone()),
            name: g.name.clone(),
            users: g.users.iter().filter(|u| *u != target).cloned().collect(),
            groups: g.groups.clone(),
        });
    }
    let mut changes = vec![OrgChange::SaveUser { user: entry }];
    changes.extend(grants.iter().map(|g| OrgChange::RemoveGrant { grant: g.clone() }));
    changes.extend(groups.iter().cloned());
    let mut proposed = org.clone();
    for c in &changes {
        proposed = c.apply(&proposed, "").map_err(|e| ApiError::field(e.field, e.message))?;
    }
    let objections = engine.judge(actor, &Engine::compile(proposed));
    if !objections.is_empty() {
        return Err(objections_error(engine, target, &objections));
    }
    // Each module's records go to its own new owner if one was chosen, else to the default.
    let mut moves = Vec::new();
    let mut heirs: Vec<&(String, String)> = new_owner.iter().collect();
    for (_, h) in &elsewhere {
        if !heirs.contains(&h) {
            heirs.push(h);
        }
    }
    for (id, heir_name) in heirs {
        let (_, possible) = super::records::reassign_moves(engine, &UserId::new(actor), &UserId::new(target), &UserId::new(id.as_str()));
        for (i, module, companies) in possible {
            let heir = elsewhere.iter().find(|(m, _)| *m == module).map(|(_, h)| &h.0).or(new_owner.as_ref().map(|(d, _)| d));
            if heir == Some(id) {
                moves.push((i, module, companies, id.clone(), heir_name.clone()));
            }
        }
    }
    moves.sort_by_key(|m| m.0);
    let owners = elsewhere.iter().map(|(m, (id, _))| ModuleOwner { module: *m, owner: id.clone() }).collect();
    Ok(Plan {
        target: target.to_string(),
        name,
        status_before,
        licenses,
        grants,
        grant_names,
        groups,
        group_names,
        new_owner,
        moves,
        owners,
        actor_companies: engine.companies_of(actor),
    })
}

impl Plan {
    /// `moved`: the count per move, in the order of `moves`.
    fn summary(&self, sessions: u64, moved: Vec<u64>, staying: u64) -> OffboardPlan {
        let default = self.new_owner.as_ref().map(|(id, _)| id.as_str());
        let (mut records, mut records_elsewhere) = (Vec::new(), Vec::new());
        for ((_, m, _, owner, name), n) in self.moves.iter().zip(moved) {
            if Some(owner.as_str()) == default {
                records.push((m.label().to_string(), n));
            } else {
                records_elsewhere.push((m.label().to_string(), n, name.clone()));
            }
        }
        OffboardPlan {
            name: self.name.clone(),
            sessions,
            licenses: self.licenses.iter().map(|(_, n)| n.clone()).collect(),
            grants: self.grant_names.clone(),
            groups: self.group_names.clone(),
            new_owner: self.new_owner.as_ref().map(|(_, n)| n.clone()),
            records,
            records_elsewhere,
            records_staying: staying,
        }
    }

    /// The counts as they stand now (nothing written).
    async fn preview(&self, ctx: &RequestCtx) -> Result<OffboardPlan, ApiError> {
        let db = &ctx.state.db;
        let sessions: u64 = session::count(&self.target).eval(db).await?.unwrap_or(0);
        let mut moved = Vec::new();
        for (_, module, companies, _, _) in &self.moves {
            moved.push(record::count_owned(*module, &self.target, companies).eval(db).await?.unwrap_or(0));
        }
        let held: u64 = record::count_in(&self.target, &self.actor_companies).eval(db).await?.unwrap_or(0);
        let moving: u64 = moved.iter().sum();
        Ok(self.summary(sessions, moved, held.saturating_sub(moving)))
    }

    /// Carries the plan out in one transaction. `scheduled`: the leave instant the worker found
    /// (the transaction refuses when it is no longer waiting, so it runs once).
    async fn carry_out(&self, state: &AppState, origin: &str, actor: Actor, scheduled: Option<i64>) -> Result<OffboardPlan, ApiError> {
        let now = now_ms();
        let t = self.target.as_str();
        let mut work = Work::from_address(origin);
        if let Some(at) = scheduled {
            work.refuse_if(user::leave_not_waiting(t, at), already_done());
        }
        work.run(session::end_all_counted(t)).run(token::end_all(t)).run(user::offboarded(t, now)).run(link::revoke_open(t));
        for grant in &self.grants {
            if let Some(stmt) = access_store::write(&OrgChange::RemoveGrant { grant: grant.clone() }, "", now) {
                work.run(stmt);
            }
        }
        for change in &self.groups {
            if let OrgChange::SaveGroup { id: Some(id), .. } = change {
                if let Some(stmt) = access_store::write(change, id, now) {
                    work.run(stmt);
                }
            }
        }
        let mut moved = Vec::new();
        for (i, module, companies, owner, _) in &self.moves {
            work.run(record::reassign(*i, *module, t, owner, companies, now));
            moved.push(format!("{}: array::len($moved{i})", json!(module.label())));
        }
        work.run(record::count_left(t, &self.actor_companies));
        let moved = format!("{{{}}}", moved.join(", "));
        let audit = Audit::user(AuditAction::UserOffboard, t)
            .by(actor)
            .label(self.name.as_str())
            .before(json!({
                "status": self.status_before.as_str(),
                "licenses": self.licenses.iter().map(|(id, _)| id).collect::<Vec<_>>(),
                "grants": self.grant_names,
                "groups": self.group_names,
            }))
            .after(json!({
                "status": "blocked",
                "licenses": [],
                "grants": [],
                "groups": [],
                "new_owner": self.new_owner.as_ref().map(|(id, _)| id),
                "owners": self.owners,
                "scheduled": scheduled.is_some(),
            }));
        work.audit_with(audit, |a| {
            format!("CREATE audit CONTENT object::extend(${a}, {{ after: object::extend(${a}.after, {{ sessions_ended: $ended, records: {moved}, records_staying: $left }}) }});")
        });
        work.bump_access().returning(&format!("{{ sessions: $ended, moved: {moved}, left: $left }}"));
        #[derive(Deserialize)]
        struct Outcome {
            sessions: u64,
            moved: std::collections::BTreeMap<String, u64>,
            left: u64,
        }
        let out: Outcome = work.commit_returning(state).await?;
        let moved = self.moves.iter().map(|(_, m, _, _, _)| out.moved.get(m.label()).copied().unwrap_or(0)).collect();
        Ok(self.summary(out.sessions, moved, out.left))
    }
}

fn already_done() -> ApiError {
    ApiError::Conflict("this offboarding was already carried out, moved or cancelled".into())
}

/// What offboarding the person now would do; nothing is written.
pub async fn preview(ctx: &RequestCtx, id: &str, new_owner: Option<&str>, owners: &[ModuleOwner]) -> Result<OffboardPlan, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    plan(&engine, &me.user_id, id, new_owner, owners)?.preview(ctx).await
}

/// Offboards the person now; answers what was done.
pub async fn offboard_now(ctx: &RequestCtx, id: &str, new_owner: Option<&str>, owners: &[ModuleOwner]) -> Result<OffboardPlan, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    let p = plan(&engine, &me.user_id, id, new_owner, owners)?;
    p.carry_out(&ctx.state, &ctx.ip, Actor::from(&me), None).await
}

/// Schedules the person's offboarding for `at` (Unix milliseconds), checked now as it would be
/// carried out; `None` cancels what was scheduled.
pub async fn schedule(ctx: &RequestCtx, id: &str, at: Option<i64>, new_owner: Option<&str>, owners: &[ModuleOwner]) -> Result<UserRow, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let before = reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    // Whoever could not offboard the person can neither schedule nor cancel it.
    if me.user_id == id {
        return Err(ApiError::Conflict("your own offboarding is for another administrator to set or cancel".into()));
    }
    no_takeover(&engine, &me.user_id, id)?;
    let now = now_ms();
    let mut work = Work::new(ctx);
    match at {
        Some(at) => {
            let p = plan(&engine, &me.user_id, id, new_owner, owners)?;
            if at <= now {
                return Err(ApiError::field("leave_at", "choose a moment in the future, or offboard now"));
            }
            if at > now + MAX_AHEAD_MS {
                return Err(ApiError::field("leave_at", "choose a date within the next two years"));
            }
            let owner = p.new_owner.as_ref().map(|(o, _)| o.as_str());
            work.run(user::schedule_leave(id, Some(at), owner, &p.owners, &me.user_id, now)).audit(
                Audit::user(AuditAction::UserOffboardScheduled, id)
                    .by(&me)
                    .label(before.email.as_str())
                    .before(json!({ "leave_at": before.leave_at }))
                    .after(json!({ "leave_at": at, "new_owner": owner, "owners": p.owners })),
            );
        }
        None => {
            if before.leave_at.is_none() {
                return Ok(before);
            }
            work.run(user::schedule_leave(id, None, None, &[], &me.user_id, now)).audit(
                Audit::user(AuditAction::UserOffboardCancelled, id)
                    .by(&me)
                    .label(before.email.as_str())
                    .before(json!({ "leave_at": before.leave_at })),
            );
        }
    }
    work.commit(&ctx.state).await?;
    super::users::get_user(ctx, id).await
}

/// The offboardings due at `$now`, through the `user_leave_at` index (an offboarding carried
/// out clears its date, so the range holds only what waits).
pub const DUE_QUERY: &str = "SELECT record::id(id) AS id, leave_at, IF leave_owner { record::id(leave_owner) } ELSE { NONE } AS owner,
        leave_owners AS owners, IF leave_by { record::id(leave_by) } ELSE { NONE } AS by, leave_by.full_name AS by_name
    FROM user WHERE leave_at != NONE AND leave_at <= $now AND leave_problem = NONE ORDER BY leave_at LIMIT 50;";

/// Carries out every offboarding due at `now` (the worker's clock, injectable for tests).
/// Answers how many this call carried out; one that another instance carried out meanwhile is
/// not counted, and one the scheduler may no longer do waits with its reason.
pub async fn run_due(state: &AppState, now: i64) -> Result<usize, ApiError> {
    #[derive(Deserialize)]
    struct Due {
        id: String,
        leave_at: i64,
        owner: Option<String>,
        #[serde(default)]
        owners: Option<Vec<(Module, String)>>,
        by: Option<String>,
        by_name: Option<String>,
    }
    let due: Vec<Due> = state
        .db
        .query(
            DUE_QUERY,
            json!({ "now": now }),
        )
        .await?
        .all(0)?;
    let mut done = 0;
    for d in due {
        let engine = state.access.engine(&state.db).await?;
        let by = d.by.clone().unwrap_or_default();
        let actor = Actor::new(&by, d.by_name.as_deref().unwrap_or("Gatehouse"));
        let owners: Vec<ModuleOwner> = d.owners.clone().unwrap_or_default().into_iter().map(|(module, owner)| ModuleOwner { module, owner }).collect();
        let planned = plan(&engine, &by, &d.id, d.owner.as_deref(), &owners);
        match planned {
            Ok(p) => match p.carry_out(state, "scheduled", actor, Some(d.leave_at)).await {
                Ok(_) => done += 1,
                Err(ApiError::Conflict(_)) => tracing::debug!(user = %d.id, "a scheduled offboarding was carried out elsewhere"),
                Err(e) => tracing::warn!(user = %d.id, error = %e, "a scheduled offboarding could not be written; retried on the next pass"),
            },
            Err(e) => {
                let reason = e.to_string();
                tracing::warn!(user = %d.id, %reason, "a scheduled offboarding may not be carried out");
                let mut work = Work::from_address("scheduled");
                work.run(user::leave_problem(&d.id, d.leave_at, &reason))
                    .audit(Audit::user(AuditAction::UserOffboardFailed, &d.id).by(actor).after(json!({ "reason": reason })));
                if let Err(e) = work.commit(state).await {
                    tracing::warn!(user = %d.id, error = %e, "the reason a scheduled offboarding waits could not be written");
                }
            }
        }
    }
    Ok(done)
}

/// Every instance runs this worker; the transaction of each offboarding makes sure it happens once.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(WORKER_EVERY).await;
            if let Err(e) = run_due(&state, now_ms()).await {
                tracing::warn!(error = %e, "offboarding worker pass failed");
            }
            // The same pass sends the check-in reminders that are due.
            if let Err(e) = super::welcome::run_checkins(&state, now_ms()).await {
                tracing::warn!(error = %e, "check-in reminder pass failed");
            }
            // The reminders before granted access ends.
            if let Err(e) = super::reminders::run_reminders(&state, now_ms()).await {
                tracing::warn!(error = %e, "access-ending reminder pass failed");
            }
            // And resumes imports whose runner stopped (a server stopped half-way).
            if let Err(e) = super::import::resume_stalled(&state).await {
                tracing::warn!(error = %e, "import resume pass failed");
            }
        }
    });
}
