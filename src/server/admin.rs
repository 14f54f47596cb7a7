//! Administration of the access setup: roles, profiles, groups and grants. Every change is
//! previewed and saved through the same [`OrgChange`]: applied to the org in memory, checked
//! (permission, no escalation, no lock-out), then written with its audit row and the version bump.

use serde_json::json;

use super::http::RequestCtx;
use super::services::new_id;
use super::store::{self, Audit, Work};
use crate::access::*;
use crate::domain::{AdminOrg, ApiError, AuditAction, AuditTarget};

fn change_error(e: ChangeError) -> ApiError {
    ApiError::field(e.field, e.message)
}

pub async fn admin_org(ctx: &RequestCtx) -> Result<AdminOrg, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let may = |m| engine.decide(&me.user_id, m, Action::View, None).allowed();
    if !may(Module::RolesProfiles) && !may(Module::DepartmentsGroups) && !may(Module::Settings) {
        return Err(ApiError::forbidden("you need View on Roles & Profiles, Departments & Groups or Settings"));
    }
    let org = engine.org();
    Ok(AdminOrg {
        roles: org.roles.clone(),
        profiles: org.profiles.clone(),
        groups: org.groups.clone(),
        grants: org.grants.clone(),
        departments: org.departments.iter().map(|d| crate::domain::NamedRef { id: d.id.clone(), name: d.name.clone() }).collect(),
        defaults: Module::RECORDS
            .into_iter()
            .map(|m| (m, org.defaults.iter().find(|(x, _)| *x == m).map(|(_, d)| *d).unwrap_or_default()))
            .collect(),
        sharing_rules: org.sharing_rules.clone(),
        settings: org.settings.clone(),
        now: super::time::now_ms(),
    })
}

/// The write path's judgement, in one place: the proposed org compiled and judged by outcome
/// against the current one for `me` (no escalation, Administrator holders, the Administrator
/// profile, no lock-out). Returns the proposed engine when the change may be made.
pub fn judged(engine: &Engine, me: &str, proposed: Org) -> Result<Engine, ApiError> {
    let after = Engine::compile(proposed);
    refuse(engine.judge(me, &after))?;
    Ok(after)
}

/// The first objection as the error a person reads (403, or 409 for a lock-out).
pub fn refuse(objections: Vec<Objection>) -> Result<(), ApiError> {
    match objections.first() {
        None => Ok(()),
        Some(o @ Objection::LockOut) => Err(ApiError::Conflict(o.message())),
        Some(o @ Objection::Gains { .. }) => Err(ApiError::Forbidden(format!("no escalation: {}", o.message()))),
        Some(o) => Err(ApiError::Forbidden(o.message())),
    }
}

/// Checks a change for the caller and returns the current and proposed engines.
pub async fn check(ctx: &RequestCtx, change: &OrgChange, new: &str) -> Result<(super::auth::Principal, std::sync::Arc<Engine>, Engine), ApiError> {
    let (me, engine) = match change.on_user() {
        // Direct grants and a user's entry: Users / Edit on that user.
        Some(user) => {
            let me = ctx.require_user().await?;
            let engine = ctx.engine().await?;
            super::users::reachable(ctx, &engine, &me.user_id, Action::Edit, user).await?;
            (me, engine)
        }
        None => {
            let (module, action) = change.permission();
            ctx.require(module, action).await?
        }
    };
    let proposed = change.apply(engine.org(), new).map_err(change_error)?;
    // A new profile above one's own is refused even before anyone holds it; edits are judged
    // by what they do to the people who hold the profile.
    if let OrgChange::SaveProfile { id: None, .. } = change {
        if let Some(p) = proposed.profiles.iter().find(|p| p.id == new) {
            if let Some(why) = engine.profile_exceeds(&me.user_id, p) {
                return Err(ApiError::Forbidden(format!("no escalation: {why}")));
            }
        }
    }
    // A grant that starts later, or one extended, gives nothing its author does not hold: it is
    // judged as though it were new and counted now.
    if let Some((base, full)) = as_fresh(&engine, change) {
        refuse(base.judge(&me.user_id, &full))?;
    }
    let after = judged(&engine, &me.user_id, proposed)?;
    Ok((me, engine, after))
}

/// For a grant with a window, or one given again (an extension): the org without it and with it
/// counting now, compiled, so it is judged and previewed for all it gives.
fn as_fresh(engine: &Engine, change: &OrgChange) -> Option<(Engine, Engine)> {
    // A membership, company or license given for a while (or for longer): judged without it and
    // with it counting now.
    if let OrgChange::SetWindow { user, what, .. } = change {
        let mut without = engine.org().clone();
        without.take(user, what);
        let mut with = without.clone();
        with.give(user, what);
        return Some((Engine::compile(without), Engine::compile(with)));
    }
    let OrgChange::AddGrant { grant } = change else { return None };
    if grant.from.is_none() && grant.until.is_none() && !engine.org().grants.iter().any(|g| g.same_as(grant)) {
        return None;
    }
    let mut without = engine.org().clone();
    without.grants.retain(|g| !g.same_as(grant));
    let mut with = without.clone();
    with.grants.push(OrgGrant { from: None, until: None, ..grant.clone() });
    Some((Engine::compile(without), Engine::compile(with)))
}

fn saved_id(change: &OrgChange) -> Option<&String> {
    match change {
        OrgChange::SaveProfile { id, .. }
        | OrgChange::SaveRole { id, .. }
        | OrgChange::SaveGroup { id, .. }
        | OrgChange::SaveSharingRule { id, .. }
        | OrgChange::SaveDepartment { id, .. }
        | OrgChange::SaveLicense { id, .. } => id.as_ref(),
        OrgChange::DeleteDepartment { id } => Some(id),
        OrgChange::SaveUser { user } => Some(&user.id),
        OrgChange::SetWindow { user, .. } => Some(user),
        _ => None,
    }
}

/// What a holding is called, for audit sentences and mails: "the group Key accounts".
pub async fn holding_name(db: &super::db::Db, org: &crate::access::Org, what: &crate::access::Holding) -> Result<String, ApiError> {
    use crate::access::Holding;
    Ok(match what {
        Holding::Group(g) => format!("the group {}", org.groups.iter().find(|x| &x.id == g).map(|x| x.name.as_str()).unwrap_or(g)),
        Holding::License(l) => format!("the {} license", org.licenses.iter().find(|x| &x.id == l).map(|x| x.name.as_str()).unwrap_or(l)),
        Holding::Company(c) => {
            let name: Option<String> =
                db.query("SELECT VALUE name FROM type::record('company', $id);", json!({ "id": c })).await?.first(0)?;
            format!("access to {}", name.unwrap_or_else(|| c.clone()))
        }
    })
}

/// Who gains and who loses what if this change is saved; nothing is written.
pub async fn preview(ctx: &RequestCtx, change: &OrgChange) -> Result<AccessDiff, ApiError> {
    let (_, before, after) = check(ctx, change, "proposed").await?;
    if let Some((base, full)) = as_fresh(&before, change) {
        return Ok(Engine::diff(&base, &full));
    }
    Ok(Engine::diff(&before, &after))
}

/// Saves a change (after the same checks as the preview) and returns what changed for whom.
pub async fn save(ctx: &RequestCtx, change: &OrgChange, notify: bool) -> Result<AccessDiff, ApiError> {
    save_as(ctx, change, &new_id(), notify).await
}

/// [`save`], naming what the change creates `new`.
pub async fn save_as(ctx: &RequestCtx, change: &OrgChange, new: &str, notify: bool) -> Result<AccessDiff, ApiError> {
    if matches!(change, OrgChange::SaveUser { .. } | OrgChange::SaveLicense { .. }) {
        return Err(ApiError::BadRequest("users and licenses are saved on their own pages".into()));
    }
    let new = new.to_string();
    let (me, before, after) = check(ctx, change, &new).await?;
    // Handing out full administration needs a recent sign-in (step-up).
    if before.hands_out_administrator(&after) {
        ctx.require_fresh(&me)?;
    }
    let diff = Engine::diff(&before, &after);
    let org = before.org();
    let target = saved_id(change).cloned().unwrap_or_else(|| new.clone());
    let (action, kind, before) = match change {
        OrgChange::SaveProfile { .. } => (AuditAction::ProfileSave, AuditTarget::Profile, org.profiles.iter().find(|p| p.id == target).map(|p| json!(p))),
        OrgChange::DeleteProfile { id } => (AuditAction::ProfileDelete, AuditTarget::Profile, org.profiles.iter().find(|p| &p.id == id).map(|p| json!(p))),
        OrgChange::SaveRole { .. } => (AuditAction::RoleSave, AuditTarget::Role, org.roles.iter().find(|r| r.id == target).map(|r| json!(r))),
        OrgChange::DeleteRole { id } => (AuditAction::RoleDelete, AuditTarget::Role, org.roles.iter().find(|r| &r.id == id).map(|r| json!(r))),
        OrgChange::AddGrant { .. } => (AuditAction::GrantAdd, AuditTarget::Grant, None),
        OrgChange::RemoveGrant { grant } => (AuditAction::GrantRemove, AuditTarget::Grant, Some(json!(grant))),
        OrgChange::SaveGroup { .. } => (AuditAction::GroupSave, AuditTarget::Group, org.groups.iter().find(|g| g.id == target).map(|g| json!(g))),
        OrgChange::DeleteGroup { id } => (AuditAction::GroupDelete, AuditTarget::Group, org.groups.iter().find(|g| &g.id == id).map(|g| json!(g))),
        OrgChange::SaveSharing { .. } => (
            AuditAction::SharingSettings,
            AuditTarget::Setting,
            Some(json!({ "defaults": org.defaults, "hierarchy": org.settings.hierarchy, "inactive_may_read": org.settings.inactive_may_read })),
        ),
        OrgChange::SaveLifetimes { .. } => (AuditAction::SettingsLifetimes, AuditTarget::Setting, Some(json!(org.settings.lifetimes))),
        OrgChange::SaveSharingRule { .. } => {
            (AuditAction::SharingRuleSave, AuditTarget::SharingRule, org.sharing_rules.iter().find(|r| r.id == target).map(|r| json!(r)))
        }
        OrgChange::DeleteSharingRule { id } => {
            (AuditAction::SharingRuleDelete, AuditTarget::SharingRule, org.sharing_rules.iter().find(|r| &r.id == id).map(|r| json!(r)))
        }
        OrgChange::SaveDepartment { id, .. } => (
            if id.is_none() { AuditAction::DepartmentCreate } else { AuditAction::DepartmentUpdate },
            AuditTarget::Department,
            org.departments.iter().find(|d| d.id == target).map(|d| json!(d)),
        ),
        OrgChange::DeleteDepartment { id } => {
            (AuditAction::DepartmentDelete, AuditTarget::Department, org.departments.iter().find(|d| &d.id == id).map(|d| json!(d)))
        }
        OrgChange::SetWindow { .. } => (AuditAction::AccessWindowSet, AuditTarget::User, None),
        OrgChange::SaveUser { .. } | OrgChange::SaveLicense { .. } => {
            return Err(ApiError::BadRequest("users and licenses are saved on their own pages".into()))
        }
    };
    let what = match change {
        OrgChange::SetWindow { what, .. } => Some(holding_name(&ctx.state.db, org, what).await?),
        _ => None,
    };
    let Some(statements) = store::access::write(change, &target, super::time::now_ms()) else {
        return Err(ApiError::BadRequest("users and licenses are saved on their own pages".into()));
    };
    let mut work = Work::new(ctx);
    if let OrgChange::DeleteDepartment { id } = change {
        work.refuse_if(store::access::department_has_users(id), ApiError::Conflict("users still belong to this department; move them first".into()))
            .refuse_if(
                store::access::department_has_children(id),
                ApiError::Conflict("this department has sub-departments; move or delete them first".into()),
            );
    }
    work.run(statements);
    // A license given now takes a seat: refused when every seat is taken.
    if let OrgChange::SetWindow { user, what: crate::access::Holding::License(l), .. } = change {
        if !org.holds(user, &crate::access::Holding::License(l.clone())) {
            if let Some(lic) = org.licenses.iter().find(|x| &x.id == l) {
                let full = format!("every seat of the {} license is taken ({} seats); free one or add seats", lic.name, lic.seats);
                work.refuse_if(store::license::over_its_seats(l), ApiError::field("what", full));
            }
        }
    }
    work.audit(
            Audit::new(action, kind, Some(&target))
                .by(&me)
                .before_opt(before)
                .after(json!({ "change": change, "effect": diff.summary, "what": what })),
        )
        .bump_access();
    if notify {
        heads_up(ctx, &me, &diff, &mut work).await?;
    }
    work.commit(&ctx.state).await?;
    Ok(diff)
}

/// Queues, in the change's own transaction, one email per active person whose access it
/// changes, saying how in words.
async fn heads_up(ctx: &RequestCtx, me: &super::auth::Principal, diff: &AccessDiff, work: &mut Work) -> Result<(), ApiError> {
    let mut ids: Vec<&str> = diff.changes.iter().map(|c| c.user.as_str()).chain(diff.field_changes.iter().map(|f| f.user.as_str())).collect();
    ids.sort();
    ids.dedup();
    #[derive(serde::Deserialize)]
    struct Who {
        id: String,
        full_name: String,
        email: String,
    }
    let people: Vec<Who> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, full_name, email FROM $ids.map(|$i| type::record('user', $i)) WHERE status = 'active';",
            json!({ "ids": ids }),
        )
        .await?
        .all(0)?;
    for p in people {
        let sentences = crate::domain::heads_up(diff, &p.id);
        if !sentences.is_empty() {
            work.queue_mail("heads_up", &p.id, &super::mail::access_changed(&p.full_name, &p.email, &me.full_name, &sentences));
        }
    }
    Ok(())
}

/// The Effective access widget for one user: needs View on that user and on Roles & Profiles.
pub async fn effective_access(ctx: &RequestCtx, id: &str) -> Result<crate::domain::EffectiveAccess, ApiError> {
    let (me, engine) = ctx.require(Module::RolesProfiles, Action::View).await?;
    super::users::reachable(ctx, &engine, &me.user_id, Action::View, id).await?;
    let (conflicts, field_conflicts) = engine.conflicts(id);
    // An invited person can do nothing yet: show what they will be able to do once they have
    // activated their account (the same organisation with them active), and say so.
    let invited = engine.org().users.iter().any(|u| u.id == id && u.status == crate::access::UserStatus::Invited);
    if invited {
        let mut org = engine.org().clone();
        if let Some(u) = org.users.iter_mut().find(|u| u.id == id) {
            u.status = crate::access::UserStatus::Active;
        }
        let once_active = crate::access::Engine::compile(org);
        return Ok(crate::domain::EffectiveAccess { cells: once_active.effective_access(id), conflicts, field_conflicts, once_active: true });
    }
    Ok(crate::domain::EffectiveAccess { cells: engine.effective_access(id), conflicts, field_conflicts, once_active: false })
}

/// Every user's conflicts, for the report across all users the caller can see.
pub async fn conflicts_report(ctx: &RequestCtx) -> Result<Vec<Conflict>, ApiError> {
    let (me, engine) = ctx.require(Module::RolesProfiles, Action::View).await?;
    let mut out = Vec::new();
    for u in &engine.org().users {
        if engine.decide_on_user(&me.user_id, Action::View, &u.id).allowed() {
            let (mut c, _) = engine.conflicts(&u.id);
            for x in c.iter_mut() {
                x.user = format!("{} ({})", u.name, u.id);
            }
            out.extend(c);
        }
    }
    Ok(out)
}
