//! "Who has what, and why": every person in the caller's reach with their effective access per
//! module (the engine's decisions and reasons), companies, licenses, last sign-in and second
//! factor; filtered by company, department and role; as pages, CSV and a printable page.

use serde::Deserialize;
use serde_json::json;

use super::account::csv_cell;
use super::http::RequestCtx;
use super::store::{Audit, Work};
use crate::access::{Action, Engine, Level, Module};
use crate::domain::*;

/// The people of the report, in name order: inside the caller's Users / View reach and the filters.
fn people<'a>(engine: &'a Engine, me: &str, q: &AccessReportQuery) -> Vec<&'a crate::access::OrgUser> {
    fn some(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|s| !s.is_empty())
    }
    let (company, department, role, profile) = (some(&q.company), some(&q.department), some(&q.role), some(&q.profile));
    let mut out: Vec<&crate::access::OrgUser> = engine
        .org()
        .users
        .iter()
        .filter(|u| {
            company.is_none_or(|c| u.companies.iter().any(|x| x == c))
                && department.is_none_or(|d| u.department == d)
                && role.is_none_or(|r| u.role == r)
                && profile.is_none_or(|p| engine.holds_profile(&u.id, p))
                && engine.decide_on_user(me, Action::View, &u.id).allowed()
        })
        .collect();
    out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.id.cmp(&b.id)));
    out
}

/// One person's access, module by module: the actions allowed with their level, and why.
pub fn access_lines(engine: &Engine, user: &str) -> Vec<AccessLine> {
    let mut lines: Vec<AccessLine> = Vec::new();
    for cell in engine.effective_access(user) {
        if !cell.decision.allowed() || cell.decision.level() == Level::None {
            continue;
        }
        let prefix = format!("{} on {} at {}, ", cell.action.label(), cell.module.label(), cell.decision.level().label());
        let why: Vec<String> = cell.decision.reasons().iter().map(|r| r.strip_prefix(&prefix).unwrap_or(r).to_string()).collect();
        match lines.iter_mut().find(|l| l.module == cell.module) {
            Some(line) => {
                line.actions.push((cell.action, cell.decision.level()));
                for w in why {
                    if !line.why.contains(&w) {
                        line.why.push(w);
                    }
                }
            }
            None => {
                let mut unique = Vec::new();
                for w in why {
                    if !unique.contains(&w) {
                        unique.push(w);
                    }
                }
                lines.push(AccessLine { module: cell.module, actions: vec![(cell.action, cell.decision.level())], why: unique });
            }
        }
    }
    lines
}

#[derive(Deserialize)]
struct Details {
    id: String,
    email: String,
    status: crate::access::UserStatus,
    role: String,
    department: Option<String>,
    companies: Vec<String>,
    licenses: Vec<String>,
    last_sign_in_at: Option<i64>,
    second_factor: bool,
}

/// The rows of `ids` (in that order), read in one query, with the engine's access.
async fn rows(ctx: &RequestCtx, engine: &Engine, ids: &[&str]) -> Result<Vec<AccessReportRow>, ApiError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let details: Vec<Details> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, email, status, role.name AS role, department.name AS department,
                companies.map(|$c| $c.name) AS companies, licenses.map(|$l| $l.name) AS licenses,
                last_sign_in_at, second_factor != NONE AS second_factor
             FROM $ids.map(|$i| type::record('user', $i));",
            json!({ "ids": ids }),
        )
        .await?
        .all(0)?;
    let names = |id: &str| engine.org().users.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let mut out: Vec<AccessReportRow> = details
        .into_iter()
        .map(|d| AccessReportRow {
            name: names(&d.id),
            access: access_lines(engine, &d.id),
            id: d.id,
            email: d.email,
            status: d.status,
            role: d.role,
            department: d.department.unwrap_or_default(),
            companies: d.companies,
            licenses: d.licenses,
            last_sign_in_at: d.last_sign_in_at,
            second_factor: d.second_factor,
        })
        .collect();
    out.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    Ok(out)
}

/// One page of the report. Needs Roles & profiles / View (the reasons name profiles and roles);
/// lists only the people the caller may view.
pub async fn access_report(ctx: &RequestCtx, q: &AccessReportQuery) -> Result<Page<AccessReportRow>, ApiError> {
    let (me, engine) = ctx.require(Module::RolesProfiles, Action::View).await?;
    let all = people(&engine, &me.user_id, q);
    let per_page = q.per_page.clamp(1, 100);
    let page = q.page.clamp(1, 100_000);
    let start = ((page - 1) * per_page) as usize;
    let ids: Vec<&str> = all.iter().skip(start).take(per_page as usize).map(|u| u.id.as_str()).collect();
    let items = rows(ctx, &engine, &ids).await?;
    Ok(Page { items, total: all.len() as u64, page, per_page })
}

/// The whole report as CSV (one line per person and module), audited like any export.
pub async fn export_access_report(ctx: &RequestCtx, q: &AccessReportQuery) -> Result<String, ApiError> {
    let (me, engine) = ctx.require(Module::RolesProfiles, Action::View).await?;
    let all = people(&engine, &me.user_id, q);
    let ids: Vec<&str> = all.iter().map(|u| u.id.as_str()).collect();
    let mut out = String::from("name,email,status,role,department,companies,licenses,last_sign_in_utc,second_factor,module,actions,why\n");
    for chunk in ids.chunks(500) {
        for r in rows(ctx, &engine, chunk).await? {
            let head = [
                csv_cell(&r.name),
                csv_cell(&r.email),
                csv_cell(r.status.label()),
                csv_cell(&r.role),
                csv_cell(&r.department),
                csv_cell(&r.companies.join("; ")),
                csv_cell(&r.licenses.join("; ")),
                csv_cell(&r.last_sign_in_at.map(format_utc).unwrap_or_default()),
                csv_cell(if r.second_factor { "yes" } else { "no" }),
            ]
            .join(",");
            if r.access.is_empty() {
                out.push_str(&format!("{head},,,\n"));
            }
            for line in &r.access {
                out.push_str(&format!("{head},{},{},{}\n", csv_cell(line.module.label()), csv_cell(&line.actions_text()), csv_cell(&line.why.join("; "))));
            }
        }
    }
    let mut work = Work::new(ctx);
    work.audit(
        Audit::new(AuditAction::AccessReportExport, AuditTarget::Module, None)
            .by(&me)
            .label("who has what")
            .after(json!({ "people": ids.len(), "company": q.company, "department": q.department, "role": q.role })),
    );
    work.commit(&ctx.state).await?;
    Ok(out)
}
