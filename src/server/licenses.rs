//! Licenses (seat types) and the per-user Licenses, Navigation and Member-of widgets.

use serde_json::json;

use super::http::RequestCtx;
use super::org::parse_name;
use super::services::new_id;
use super::store::{license, user, Audit, Work};
use super::time::now_ms;
use super::users::reachable;
use crate::access::*;
use crate::domain::{ApiError, AuditAction, AuditTarget, LicenseDto, NamedRef, UserAccessSetup};

pub async fn list_licenses(ctx: &RequestCtx) -> Result<Vec<LicenseDto>, ApiError> {
    ctx.require_user().await?;
    Ok(ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name, seats, modules,
                    (SELECT count() FROM user WHERE licenses CONTAINS $parent.id GROUP ALL)[0].count ?? 0 AS used
             FROM license ORDER BY name;",
            json!({}),
        )
        .await?
        .all(0)?)
}

/// Creates or changes a license type. Seats cannot drop below the seats in use.
pub async fn save_license(ctx: &RequestCtx, id: Option<&str>, name: &str, seats: u32, modules: &[Module]) -> Result<String, ApiError> {
    ctx.require(Module::Settings, Action::Edit).await?;
    let name = parse_name("name", name, "license")?;
    let lid = id.map(str::to_string).unwrap_or_else(new_id);
    // Judged like every access change: taking a module out of a license opens it to everyone
    // whose profiles reach it.
    let change = OrgChange::SaveLicense { id: id.map(str::to_string), name: name.clone(), seats, modules: modules.to_vec() };
    let (me, engine, _) = super::admin::check(ctx, &change, &lid).await?;
    let held = engine.org().users.iter().filter(|u| u.licenses.iter().any(|l| *l == lid)).count();
    let mut work = Work::new(ctx);
    work.on_unique(license::NAME_INDEX, ApiError::field("name", format!("another license is already called `{name}`")))
        .refuse_if(
            license::held_by_more_than(&lid, seats),
            ApiError::field("seats", format!("{held} users hold this license; give some seats back first")),
        )
        .run(license::save(&lid, &name, seats, modules, now_ms()))
        .audit(
            Audit::new(AuditAction::LicenseSave, AuditTarget::License, Some(&lid))
                .by(&me)
                .label(name.as_str())
                .after(json!({ "name": name, "seats": seats, "modules": modules })),
        )
        .bump_access();
    work.commit(&ctx.state).await?;
    Ok(lid)
}

/// The licenses a user holds. Beyond the seats is refused; a delegated admin only hands out
/// licenses they hold themselves.
pub async fn set_user_licenses(ctx: &RequestCtx, id: &str, licenses: &[String]) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let user = reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    let org = engine.org();
    let current: Vec<String> = org.users.iter().find(|u| u.id == id).map(|u| u.licenses.clone()).unwrap_or_default();
    if let Some(l) = licenses.iter().find(|l| !org.licenses.iter().any(|x| &&x.id == l)) {
        return Err(ApiError::field("licenses", format!("no license `{l}`")));
    }
    let mut entry = org.users.iter().find(|u| u.id == id).cloned().ok_or_else(|| ApiError::NotFound("no such user".into()))?;
    entry.licenses = licenses.to_vec();
    super::users::judge_entry(&engine, &me.user_id, entry)?;
    let mut work = Work::new(ctx);
    work.run(user::set_licenses(id, licenses));
    for l in licenses.iter().filter(|l| !current.contains(l)) {
        if let Some(lic) = org.licenses.iter().find(|x| &x.id == l) {
            let full = format!("every seat of the {} license is taken ({} seats); free one or add seats", lic.name, lic.seats);
            work.refuse_if(license::over_its_seats(l), ApiError::field("licenses", full));
        }
    }
    work.audit(
        Audit::user(AuditAction::UserLicenses, id)
            .by(&me)
            .label(user.email.as_str())
            .before(json!({ "licenses": current }))
            .after(json!({ "licenses": licenses })),
    )
    .bump_access();
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Hides modules from a user's menu (hides only; never grants). The last full administrator
/// cannot have an administration module hidden.
pub async fn set_hidden_modules(ctx: &RequestCtx, id: &str, hidden: &[Module]) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let user = reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    let mut entry = engine.org().users.iter().find(|u| u.id == id).cloned().ok_or_else(|| ApiError::NotFound("no such user".into()))?;
    let before = std::mem::replace(&mut entry.hidden_modules, hidden.to_vec());
    // The last full administrator keeps the administration modules (only those count).
    super::users::judge_entry(&engine, &me.user_id, entry).map_err(|e| match e {
        ApiError::Conflict(_) => ApiError::Conflict(format!(
            "{} is the last full administrator; administration modules stay in their menu",
            user.full_name
        )),
        other => other,
    })?;
    let mut work = Work::new(ctx);
    work.run(user::set_hidden_modules(id, hidden))
        .audit(
            Audit::user(AuditAction::UserNavigation, id)
                .by(&me)
                .label(user.email.as_str())
                .before(json!({ "hidden": before }))
                .after(json!({ "hidden": hidden })),
        )
        .bump_access();
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Role, groups, direct profiles, licenses and hidden modules of one user.
pub async fn user_access_setup(ctx: &RequestCtx, id: &str) -> Result<UserAccessSetup, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    reachable(ctx, &engine, &me.user_id, Action::View, id).await?;
    let org = engine.org();
    let u = org.users.iter().find(|u| u.id == id).ok_or_else(|| ApiError::NotFound("no such user".into()))?;
    // Companies by name: the live ones, and any this person still holds.
    #[derive(serde::Deserialize)]
    struct C {
        id: String,
        name: String,
    }
    let companies: Vec<C> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name FROM company WHERE archived = false OR id IN $mine.map(|$c| type::record('company', $c)) ORDER BY name;",
            json!({ "mine": u.companies }),
        )
        .await?
        .all(0)?;
    let held = |what: &Holding| org.holds(&u.id, what);
    let offers: Vec<crate::domain::Offer> = org
        .groups
        .iter()
        .map(|g| (Holding::Group(g.id.clone()), format!("Group {}", g.name)))
        .chain(companies.into_iter().map(|c| (Holding::Company(c.id), format!("Company {}", c.name))))
        .chain(org.licenses.iter().map(|l| (Holding::License(l.id.clone()), format!("License {}", l.name))))
        .map(|(what, name)| crate::domain::Offer { held: held(&what), what, name })
        .collect();
    let role = org.roles.iter().find(|r| r.id == u.role).map(|r| NamedRef { id: r.id.clone(), name: r.name.clone() })
        .unwrap_or(NamedRef { id: u.role.clone(), name: u.role.clone() });
    Ok(UserAccessSetup {
        role,
        groups: org.groups.iter().filter(|g| g.users.contains(&u.id)).map(|g| NamedRef { id: g.id.clone(), name: g.name.clone() }).collect(),
        direct_profiles: org
            .grants
            .iter()
            .filter(|g| g.to == Grantee::User(u.id.clone()))
            .filter_map(|g| org.profiles.iter().find(|p| p.id == g.profile))
            .map(|p| NamedRef { id: p.id.clone(), name: p.name.clone() })
            .collect(),
        licenses: u.licenses.clone(),
        hidden_modules: u.hidden_modules.clone(),
        // What their profiles grant at all (a checked box never grants more).
        grantable_modules: Module::ALL.into_iter().filter(|m| engine.granted_level(&u.id, *m, Action::View) > crate::access::Level::None).collect(),
        windows: org
            .windows
            .iter()
            .filter(|w| w.user == u.id)
            .map(|w| crate::domain::HeldFor {
                name: offers.iter().find(|o| o.what == w.what).map(|o| o.name.clone()).unwrap_or_else(|| w.what.id().to_string()),
                what: w.what.clone(),
                from: w.from,
                until: w.until,
            })
            .collect(),
        offers,
    })
}
