//! "Expiring soon": what ends or lapses in the next two weeks, each part only for a viewer who
//! may see it: granted profiles (Roles & profiles or Departments & groups), and, for the people
//! in the viewer's Users reach, memberships, company access and licenses held until then,
//! scheduled leavers and invitation links about to lapse.

use serde::Deserialize;
use serde_json::json;

use super::http::RequestCtx;
use super::time::now_ms;
use crate::access::{Action, Module};
use crate::domain::{ApiError, Dated, EndingGrant, EndingHolding, ExpiringSoon};

/// How far ahead the page looks.
pub const DAYS: i64 = 14;
const DAY: i64 = 86_400_000;

pub async fn expiring_soon(ctx: &RequestCtx) -> Result<ExpiringSoon, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let may = |m: Module| engine.decide(&me.user_id, m, Action::View, None).allowed();
    let sees_grants = may(Module::RolesProfiles) || may(Module::DepartmentsGroups);
    let sees_people = may(Module::Users);
    if !sees_grants && !sees_people {
        return Err(ApiError::forbidden("you need View on Users, Roles & Profiles or Departments & Groups"));
    }
    let now = now_ms();
    let horizon = now + DAYS * DAY;
    let grants = sees_grants.then(|| {
        let mut ending: Vec<EndingGrant> = engine
            .org()
            .grants
            .iter()
            .filter(|g| g.until.is_some_and(|u| u > now && u <= horizon))
            .map(|g| EndingGrant { grant: g.clone(), label: super::reminders::describe(&engine, g) })
            .collect();
        ending.sort_by_key(|g| g.grant.until);
        ending
    });
    let holdings = if sees_people {
        let org = engine.org();
        let mut out = Vec::new();
        for w in org.windows.iter().filter(|w| w.until.is_some_and(|u| u > now && u <= horizon)) {
            if !engine.decide_on_user(&me.user_id, Action::View, &w.user).allowed() {
                continue;
            }
            let name = org.users.iter().find(|u| u.id == w.user).map(|u| u.name.clone()).unwrap_or_else(|| w.user.clone());
            out.push(EndingHolding { window: w.clone(), name, label: super::admin::holding_name(&ctx.state.db, org, &w.what).await? });
        }
        out.sort_by_key(|h| h.window.until);
        Some(out)
    } else {
        None
    };
    let (leavers, invitations) = if sees_people {
        #[derive(Deserialize)]
        struct Row {
            id: String,
            name: String,
            at: i64,
        }
        let mut rows = ctx
            .state
            .db
            .query(
                "SELECT record::id(id) AS id, full_name AS name, leave_at AS at FROM user
                    WHERE leave_at > $now AND leave_at <= $horizon AND offboarded_at = NONE ORDER BY at;
                 SELECT record::id(user) AS id, user.full_name AS name, expires_at AS at FROM link_token
                    WHERE kind = 'activation' AND used_at = NONE AND revoked = false AND expires_at > $now AND expires_at <= $horizon
                    AND user.status = 'invited' ORDER BY at;",
                json!({ "now": now, "horizon": horizon }),
            )
            .await?;
        let in_reach = |rows: Vec<Row>| -> Vec<Dated> {
            rows.into_iter()
                .filter(|r| engine.decide_on_user(&me.user_id, Action::View, &r.id).allowed())
                .map(|r| Dated { id: r.id, name: r.name, at: r.at })
                .collect()
        };
        (Some(in_reach(rows.all(0)?)), Some(in_reach(rows.all(1)?)))
    } else {
        (None, None)
    };
    Ok(ExpiringSoon { days: DAYS, now, grants, leavers, invitations, holdings })
}
