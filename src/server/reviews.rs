//! Access reviews. A full administrator starts a campaign over a scope; each line (a person's
//! role, a direct grant, a group, a company, a license) goes to that person's department manager,
//! or to one named reviewer, with a fallback; reviewers keep or revoke each line with the engine's
//! account of the person's access beside it; closing applies the revocations (and the default
//! for unanswered lines) as one change through the checked, audited write path. A role is never
//! taken away by closing (everyone holds exactly one): a role answered "revoke" is listed for an
//! administrator to change on the person's page, and an unanswered one is kept.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use super::account::csv_cell;
use super::http::RequestCtx;
use super::mail;
use super::services::new_id;
use super::store::{access as access_store, user, Audit, Stmt, Work};
use super::time::now_ms;
use crate::access::{Action, Engine, Grantee, Level, Module, OrgChange, OrgGrant, OrgUser, UserStatus};
use crate::domain::*;

const DAY: i64 = 86_400_000;

fn not_found() -> ApiError {
    ApiError::NotFound("no such review, or none for you".into())
}

fn full_admin_only(engine: &Engine, me: &str) -> Result<(), ApiError> {
    if engine.is_full_admin(me) {
        Ok(())
    } else {
        Err(ApiError::forbidden("only a full administrator starts and closes access reviews"))
    }
}

/// Holds any administration module (above None).
fn administers(engine: &Engine, user: &str) -> bool {
    Module::ALL.iter().filter(|m| !m.is_record_module()).any(|&m| engine.module_level(user, m, Action::View) > Level::None)
}

fn in_scope(engine: &Engine, u: &OrgUser, scope: &ReviewScope) -> bool {
    matches!(u.status, UserStatus::Active | UserStatus::Inactive)
        && match scope {
            ReviewScope::Everyone => true,
            ReviewScope::Company(c) => u.companies.contains(c),
            ReviewScope::Department(d) => &u.department == d,
            ReviewScope::Role(r) => &u.role == r,
            ReviewScope::Administrators => administers(engine, &u.id),
        }
}

/// The department manager above `u` (their own department first, then up the tree), never `u`.
pub fn manager_of(engine: &Engine, u: &OrgUser) -> Option<String> {
    let depts = &engine.org().departments;
    let mut at = Some(u.department.clone());
    for _ in 0..depts.len() + 1 {
        let d = depts.iter().find(|d| Some(&d.id) == at.as_ref())?;
        if let Some(m) = d.manager.as_ref().filter(|m| **m != u.id) {
            return Some(m.clone());
        }
        at = d.parent.clone();
    }
    None
}

#[derive(Deserialize)]
struct Named {
    id: String,
    name: String,
}

async fn company_names(ctx: &RequestCtx) -> Result<BTreeMap<String, String>, ApiError> {
    let rows: Vec<Named> = ctx.state.db.query("SELECT record::id(id) AS id, name FROM company;", json!({})).await?.all(0)?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

/// Starts a campaign; answers its id. Every reviewer is told by email.
pub async fn create(ctx: &RequestCtx, input: &ReviewInput) -> Result<String, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    full_admin_only(&engine, &me.user_id)?;
    start(ctx, &me, &engine, input).await
}

/// A campaign checked and read from the organisation, ready to write.
pub struct Plan {
    name: String,
    scope_label: String,
    due: i64,
    named: Option<String>,
    lines: Vec<serde_json::Value>,
    reviewers: Vec<String>,
}

/// Checks `input` and reads its lines from `engine`'s organisation (`companies`: every
/// company's name by id).
pub fn plan(engine: &Engine, input: &ReviewInput, companies: &BTreeMap<String, String>, now: i64) -> Result<Plan, ApiError> {
    let org = engine.org();
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "name the review, e.g. \"Q1 2027 sales access\""));
    }
    let due = parse_date_ms(&input.due).map(|d| d + DAY - 1);
    match due {
        None => errors.push(FieldError::new("due", "choose the date answers are due")),
        Some(d) if d <= now => errors.push(FieldError::new("due", "choose a date from today on")),
        _ => {}
    }
    let active = |id: &str| org.users.iter().any(|u| u.id == id && u.status == UserStatus::Active);
    if !active(&input.fallback) {
        errors.push(FieldError::new("fallback", "choose an active person to review whoever has no manager"));
    }
    if let Some(r) = input.reviewer.as_deref().filter(|r| !r.is_empty()) {
        if !active(r) {
            errors.push(FieldError::new("reviewer", "choose an active person"));
        }
    }
    let scope_label = match &input.scope {
        ReviewScope::Everyone => Some("Everyone".to_string()),
        ReviewScope::Administrators => Some("Everyone holding an administration module".to_string()),
        ReviewScope::Company(c) => companies.get(c).map(|n| format!("Company {n}")),
        ReviewScope::Department(d) => org.departments.iter().find(|x| &x.id == d).map(|x| format!("Department {}", x.name)),
        ReviewScope::Role(r) => org.roles.iter().find(|x| &x.id == r).map(|x| format!("Role {}", x.name)),
    };
    let Some(scope_label) = scope_label else {
        errors.push(FieldError::new("scope", "choose an existing company, department or role"));
        return Err(ApiError::fields(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    let named = input.reviewer.clone().filter(|r| !r.is_empty());
    let mut lines = Vec::new();
    let mut reviewers: Vec<String> = Vec::new();
    for u in org.users.iter().filter(|u| in_scope(engine, u, &input.scope)) {
        // A reviewer reviews only people they may see (no escalation by review): anyone else
        // goes to the fallback.
        let reviewer = named
            .clone()
            .or_else(|| manager_of(engine, u))
            .filter(|r| *r != u.id && engine.decide_on_user(r, Action::View, &u.id).allowed())
            .unwrap_or_else(|| input.fallback.clone());
        let mut push = |kind: &str, target: &str, label: String| {
            lines.push(json!({ "id": new_id(), "user": u.id, "reviewer": reviewer, "kind": kind, "target": target, "label": label }));
        };
        if let Some(r) = org.roles.iter().find(|r| r.id == u.role) {
            push("role", &r.id, format!("Role {}", r.name));
        }
        for g in org.grants.iter().filter(|g| g.to == Grantee::User(u.id.clone())) {
            let p = org.profiles.iter().find(|p| p.id == g.profile).map(|p| p.name.as_str()).unwrap_or("?");
            push("grant", &g.profile, format!("Profile {p} (granted directly)"));
        }
        for g in org.groups.iter().filter(|g| g.users.contains(&u.id)) {
            push("group", &g.id, format!("Group {}", g.name));
        }
        if u.companies.len() > 1 {
            for c in &u.companies {
                push("company", c, format!("Company {}", companies.get(c).map(String::as_str).unwrap_or("?")));
            }
        }
        for l in &u.licenses {
            let n = org.licenses.iter().find(|x| &x.id == l).map(|x| x.name.as_str()).unwrap_or("?");
            push("license", l, format!("License {n}"));
        }
        if lines.iter().any(|l| l["user"] == u.id.as_str()) && !reviewers.contains(&reviewer) {
            reviewers.push(reviewer);
        }
    }
    if lines.is_empty() {
        return Err(ApiError::field("scope", "nobody active or inactive is in this scope"));
    }
    Ok(Plan { name: name.to_string(), scope_label, due: due.unwrap_or(now), named, lines, reviewers })
}

/// Writes the planned campaign into `work` (by `by`); answers its id.
pub fn write(work: &mut Work, plan: &Plan, input: &ReviewInput, by: &str, now: i64) -> String {
    let id = new_id();
    let Plan { name, scope_label, due, named, lines, .. } = plan;
    work.run(Stmt::new(
        "CREATE type::record('review', $id) SET name = $name, scope = $scope, scope_label = $label, due_at = $due,
            unanswered_keep = $keep, created_by = $me, created_at = $now, closed_at = NONE,
            repeat = $repeat, reviewer = $reviewer, fallback = $fallback;
         FOR $l IN $lines {
            CREATE type::record('review_line', $l.id) SET review = $id, user = $l.user, reviewer = $l.reviewer, kind = $l.kind,
                target = $l.target, label = $l.label, keep = NONE, justification = '', decided_at = NONE;
         };",
        json!({ "id": id, "name": name, "scope": input.scope, "label": scope_label, "due": due, "keep": input.unanswered_keep,
                "me": by, "now": now, "lines": lines,
                "repeat": input.repeat.key(), "reviewer": named, "fallback": input.fallback }),
    ));
    id
}

/// Checks `input`, reads the lines from `engine`'s organisation and starts the campaign; every
/// reviewer is told by email.
async fn start(ctx: &RequestCtx, me: &super::auth::Principal, engine: &Engine, input: &ReviewInput) -> Result<String, ApiError> {
    let now = now_ms();
    let companies = company_names(ctx).await?;
    let plan = plan(engine, input, &companies, now)?;
    let mut work = Work::new(ctx);
    let id = write(&mut work, &plan, input, me.user_id.as_str(), now);
    let Plan { name, scope_label, due, lines, reviewers, .. } = &plan;
    let link = format!("{}/reviews/{id}", ctx.state.settings.public_url);
    #[derive(Deserialize)]
    struct Who {
        id: String,
        full_name: String,
        email: String,
    }
    let who: Vec<Who> = ctx
        .state
        .db
        .query("SELECT record::id(id) AS id, full_name, email FROM $ids.map(|$i| type::record('user', $i));", json!({ "ids": reviewers }))
        .await?
        .all(0)?;
    for w in &who {
        let count = lines.iter().filter(|l| l["reviewer"] == w.id.as_str()).count() as u64;
        work.queue_mail("review", &w.id, &review_request(&w.full_name, &w.email, &me.full_name, name, count, *due, &link));
    }
    work.audit(
        Audit::new(AuditAction::ReviewCreate, AuditTarget::Review, Some(id.as_str()))
            .by(me)
            .label(name)
            .after(json!({ "scope": scope_label, "lines": lines.len(), "reviewers": reviewers.len(), "unanswered_keep": input.unanswered_keep,
                "repeat": input.repeat.key() })),
    );
    work.commit(&ctx.state).await?;
    Ok(id)
}

fn review_request(name: &str, email: &str, by: &str, review: &str, lines: u64, due: i64, link: &str) -> mail::OutgoingMail {
    let due = format_utc(due);
    let what = count(lines, "line", "lines");
    let text = format!(
        "Hello {name},\n\n{by} asks you to review who has access to what: \"{review}\", {what} for you, due {due}.\n\nFor each person you see what they may do and why; keep or revoke each line:\n\n{link}\n"
    );
    let html = mail::html_message(
        &format!("Hello {name},"),
        &[format!("{by} asks you to review who has access to what: \u{201c}{review}\u{201d}, {what} for you, due {due}."), "For each person you see what they may do and why; keep or revoke each line.".to_string()],
        Some(("Open the review", link)),
        "Lines nobody answers get the campaign's default when it closes.",
    );
    mail::OutgoingMail { to_name: name.into(), to_email: email.into(), subject: format!("Access review: {review}"), text, html, links: vec![link.into()] }
}

#[derive(Deserialize)]
struct ReviewRow {
    id: String,
    name: String,
    scope_label: String,
    due_at: i64,
    closed_at: Option<i64>,
    unanswered_keep: bool,
    #[serde(default)]
    repeat: Option<String>,
    #[serde(default)]
    scope: Option<ReviewScope>,
    #[serde(default)]
    reviewer: Option<String>,
    #[serde(default)]
    fallback: Option<String>,
}

#[derive(Deserialize, Clone)]
struct LineRow {
    id: String,
    user: String,
    reviewer: String,
    kind: String,
    target: String,
    label: String,
    keep: Option<bool>,
    justification: String,
    decided_at: Option<i64>,
}

const REVIEW_FIELDS: &str = "record::id(id) AS id, name, scope_label, due_at, closed_at, unanswered_keep, repeat, scope, reviewer, fallback";
const LINE_FIELDS: &str = "record::id(id) AS id, user, reviewer, kind, target, label, keep, justification, decided_at";

fn summary(r: &ReviewRow, lines: &[LineRow], me: &str) -> ReviewSummary {
    ReviewSummary {
        id: r.id.clone(),
        name: r.name.clone(),
        scope: r.scope_label.clone(),
        due_at: r.due_at,
        closed_at: r.closed_at,
        unanswered_keep: r.unanswered_keep,
        lines: lines.len() as u64,
        answered: lines.iter().filter(|l| l.keep.is_some()).count() as u64,
        mine_open: lines.iter().filter(|l| l.reviewer == me && l.keep.is_none()).count() as u64,
        repeat: ReviewRepeat::from_key(r.repeat.as_deref().unwrap_or_default()),
    }
}

async fn load(ctx: &RequestCtx, id: &str) -> Result<(ReviewRow, Vec<LineRow>), ApiError> {
    let mut rows = ctx
        .state
        .db
        .query(
            &format!("SELECT {REVIEW_FIELDS} FROM type::record('review', $id); SELECT {LINE_FIELDS} FROM review_line WHERE review = $id ORDER BY label;"),
            json!({ "id": id }),
        )
        .await?;
    let review: ReviewRow = rows.first(0)?.ok_or_else(not_found)?;
    let lines: Vec<LineRow> = rows.all(1)?;
    Ok((review, lines))
}

/// The campaigns the viewer reviews in (every one, for a full administrator), newest first.
pub async fn list(ctx: &RequestCtx) -> Result<Vec<ReviewSummary>, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let full = engine.is_full_admin(&me.user_id);
    let reviews: Vec<ReviewRow> = ctx.state.db.query(&format!("SELECT {REVIEW_FIELDS}, created_at FROM review ORDER BY created_at DESC;"), json!({})).await?.all(0)?;
    let mut out = Vec::new();
    for r in reviews {
        let (_, lines) = load(ctx, &r.id).await?;
        if full || lines.iter().any(|l| l.reviewer == me.user_id.as_str()) {
            out.push(summary(&r, &lines, &me.user_id));
        }
    }
    Ok(out)
}

/// One campaign: the people the viewer reviews, with their access and why.
pub async fn detail(ctx: &RequestCtx, id: &str) -> Result<ReviewDetail, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let full = engine.is_full_admin(&me.user_id);
    let (review, lines) = load(ctx, id).await?;
    let mut mine: Vec<LineRow> = lines.iter().filter(|l| full || l.reviewer == me.user_id.as_str()).cloned().collect();
    // Each person's role first, then grants, groups, companies and licenses, by name.
    let rank = |kind: &str| ["role", "grant", "group", "company", "license"].iter().position(|k| *k == kind).unwrap_or(5);
    mine.sort_by(|a, b| (rank(&a.kind), &a.label).cmp(&(rank(&b.kind), &b.label)));
    if mine.is_empty() && !full {
        return Err(not_found());
    }
    let org = engine.org();
    let name_of = |u: &str| org.users.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_else(|| "someone removed".into());
    let mut subjects: Vec<String> = Vec::new();
    for l in &mine {
        if !subjects.contains(&l.user) {
            subjects.push(l.user.clone());
        }
    }
    subjects.sort_by_key(|s| name_of(s).to_lowercase());
    #[derive(Deserialize)]
    struct Seen {
        id: String,
        last_sign_in_at: Option<i64>,
    }
    let seen: Vec<Seen> = ctx
        .state
        .db
        .query("SELECT record::id(id) AS id, last_sign_in_at FROM $ids.map(|$i| type::record('user', $i));", json!({ "ids": subjects }))
        .await?
        .all(0)?;
    let used = super::usage::used_since(&ctx.state.db, &subjects, 0).await?;
    let now = now_ms();
    let people = subjects
        .iter()
        .map(|s| {
            let u = org.users.iter().find(|x| &x.id == s);
            let last = seen.iter().find(|x| &x.id == s).and_then(|x| x.last_sign_in_at);
            let mut recommendations = Vec::new();
            match last {
                None => recommendations.push("Never signed in".to_string()),
                Some(t) if t < now - 30 * DAY => recommendations.push("No sign-in for 30 days".to_string()),
                _ => {}
            }
            if administers(&engine, s) {
                recommendations.push("Administration rights".to_string());
            }
            if !engine.conflicts(s).0.is_empty() {
                recommendations.push("Conflicting access: one permission from sources at different levels".to_string());
            }
            // Record modules they may open and have never used.
            let theirs = used.get(s);
            let unused: Vec<&str> = Module::RECORDS
                .into_iter()
                .filter(|m| engine.decide(s, *m, Action::View, None).allowed())
                .filter(|m| !theirs.is_some_and(|u| u.contains(m)))
                .map(|m| m.label())
                .collect();
            if !unused.is_empty() {
                recommendations.push(format!("Access never used: {}", unused.join(", ")));
            }
            ReviewPerson {
                user: NamedRef { id: s.clone(), name: name_of(s) },
                role: u.and_then(|u| org.roles.iter().find(|r| r.id == u.role)).map(|r| r.name.clone()).unwrap_or_default(),
                department: u.and_then(|u| org.departments.iter().find(|d| d.id == u.department)).map(|d| d.name.clone()).unwrap_or_default(),
                last_sign_in_at: last,
                recommendations,
                access: super::reports::access_lines(&engine, s),
                lines: mine
                    .iter()
                    .filter(|l| &l.user == s)
                    .map(|l| ReviewLine {
                        id: l.id.clone(),
                        label: l.label.clone(),
                        reviewer: NamedRef { id: l.reviewer.clone(), name: name_of(&l.reviewer) },
                        keep: l.keep,
                        justification: l.justification.clone(),
                        decided_at: l.decided_at,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(ReviewDetail { summary: summary(&review, &lines, &me.user_id), people, may_close: full && review.closed_at.is_none() })
}

/// A reviewer's answer on one of their lines.
pub async fn decide(ctx: &RequestCtx, line: &str, keep: bool, justification: &str) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    #[derive(Deserialize)]
    struct Row {
        user: String,
        reviewer: String,
        label: String,
        closed: bool,
    }
    let row: Row = ctx
        .state
        .db
        .query(
            "SELECT user, reviewer, label, (SELECT VALUE closed_at FROM type::record('review', $parent.review))[0] != NONE AS closed
             FROM type::record('review_line', $id);",
            json!({ "id": line }),
        )
        .await?
        .first(0)?
        .ok_or_else(not_found)?;
    if row.reviewer != me.user_id.as_str() {
        return Err(not_found());
    }
    if row.closed {
        return Err(ApiError::Conflict("this review is closed; its answers can no longer change".into()));
    }
    // No escalation by review: a reviewer answers only for people they may see.
    if !engine.decide_on_user(&me.user_id, Action::View, &row.user).allowed() {
        return Err(ApiError::forbidden("this person is outside the people you may see; ask the administrator to reassign the line"));
    }
    let justification = justification.trim();
    if justification.chars().count() > 500 {
        return Err(ApiError::field("justification", "keep the justification under 500 characters"));
    }
    let mut work = Work::new(ctx);
    work.run(Stmt::new(
        "UPDATE type::record('review_line', $id) SET keep = $keep, justification = $why, decided_at = $now;",
        json!({ "id": line, "keep": keep, "why": justification, "now": now_ms() }),
    ))
    .audit(
        Audit::user(AuditAction::ReviewDecide, &row.user)
            .by(&me)
            .label(row.label.as_str())
            .after(json!({ "line": row.label, "keep": keep, "justification": justification })),
    );
    work.commit(&ctx.state).await?;
    Ok(())
}

/// What closing does: its account, the proposed org, the statements, and per person the lines
/// they lose.
struct Closing {
    account: ReviewClosing,
    org: crate::access::Org,
    stmts: Vec<Stmt>,
    per_person: Vec<(String, Vec<String>)>,
}

/// The removals closing would make, as one proposed org, its statements and their account.
fn closing(engine: &Engine, review: &ReviewRow, lines: &[LineRow], now: i64) -> Result<Closing, ApiError> {
    // Roles: revoked ones are left for an administrator; unanswered ones are kept.
    let role_changes: Vec<RoleChange> = lines
        .iter()
        .filter(|l| l.kind == "role" && l.keep == Some(false))
        .map(|l| RoleChange {
            user: NamedRef {
                id: l.user.clone(),
                name: engine.org().users.iter().find(|u| u.id == l.user).map(|u| u.name.clone()).unwrap_or_else(|| l.user.clone()),
            },
            label: l.label.clone(),
        })
        .collect();
    let removed: Vec<&LineRow> = lines
        .iter()
        .filter(|l| l.kind != "role")
        .filter(|l| l.keep == Some(false) || (l.keep.is_none() && !review.unanswered_keep))
        .collect();
    let mut org = engine.org().clone();
    let mut stmts = Vec::new();
    let mut per_person: Vec<(String, Vec<String>)> = Vec::new();
    let mut details = Vec::new();
    for l in &removed {
        let Some(u) = org.users.iter().find(|u| u.id == l.user).cloned() else { continue };
        let change = match l.kind.as_str() {
            "grant" => Some(OrgChange::RemoveGrant { grant: OrgGrant { profile: l.target.clone(), to: Grantee::User(l.user.clone()), from: None, until: None } }),
            "group" => org.groups.iter().find(|g| g.id == l.target).map(|g| OrgChange::SaveGroup {
                id: Some(g.id.clone()),
                name: g.name.clone(),
                users: g.users.iter().filter(|x| **x != l.user).cloned().collect(),
                groups: g.groups.clone(),
            }),
            // A person keeps at least one company.
            "company" if u.companies.len() > 1 && u.companies.contains(&l.target) => {
                let mut e = u.clone();
                e.companies.retain(|c| *c != l.target);
                Some(OrgChange::SaveUser { user: e })
            }
            "license" if u.licenses.contains(&l.target) => {
                let mut e = u.clone();
                e.licenses.retain(|c| *c != l.target);
                Some(OrgChange::SaveUser { user: e })
            }
            _ => None,
        };
        let Some(change) = change else { continue };
        org = change.apply(&org, "").map_err(|e| ApiError::field(e.field, e.message))?;
        match &change {
            OrgChange::SaveUser { .. } => {}
            other => {
                let target = if let OrgChange::SaveGroup { id: Some(id), .. } = other { id.clone() } else { String::new() };
                stmts.extend(access_store::write(other, &target, now));
            }
        }
        details.push(format!("{}: {}", u.name, l.label));
        match per_person.iter_mut().find(|(p, _)| *p == l.user) {
            Some((_, v)) => v.push(l.label.clone()),
            None => per_person.push((l.user.clone(), vec![l.label.clone()])),
        }
    }
    // Companies and licenses: each affected person's final lists, written once.
    for (p, _) in &per_person {
        if let (Some(before), Some(after)) = (engine.org().users.iter().find(|u| &u.id == p), org.users.iter().find(|u| &u.id == p)) {
            if before.companies != after.companies {
                stmts.push(user::set_companies(p, &after.companies));
            }
            if before.licenses != after.licenses {
                stmts.push(user::set_licenses(p, &after.licenses));
            }
        }
    }
    let account = ReviewClosing {
        removals: details.len() as u64,
        people: per_person.len() as u64,
        unanswered: lines.iter().filter(|l| l.kind != "role" && l.keep.is_none()).count() as u64,
        unanswered_keep: review.unanswered_keep,
        details,
        role_changes,
        next: None,
    };
    Ok(Closing { account, org, stmts, per_person })
}

/// What closing the campaign now would do; nothing is written.
pub async fn close_preview(ctx: &RequestCtx, id: &str) -> Result<ReviewClosing, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    full_admin_only(&engine, &me.user_id)?;
    let (review, lines) = load(ctx, id).await?;
    let c = closing(&engine, &review, &lines, now_ms())?;
    super::admin::judged(&engine, &me.user_id, c.org)?;
    Ok(c.account)
}

/// Closes the campaign: every removal in one transaction, judged and audited.
pub async fn close(ctx: &RequestCtx, id: &str) -> Result<ReviewClosing, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    full_admin_only(&engine, &me.user_id)?;
    let (review, lines) = load(ctx, id).await?;
    if review.closed_at.is_some() {
        return Err(ApiError::Conflict("this review is already closed".into()));
    }
    let now = now_ms();
    let Closing { account, org, stmts, per_person } = closing(&engine, &review, &lines, now)?;
    super::admin::judged(&engine, &me.user_id, org)?;
    let mut work = Work::new(ctx);
    work.refuse_if(
        Stmt::new("(SELECT VALUE closed_at FROM type::record('review', $id))[0] != NONE", json!({ "id": id })),
        ApiError::Conflict("this review was closed meanwhile".into()),
    );
    for s in stmts {
        work.run(s);
    }
    work.run(Stmt::new("UPDATE type::record('review', $id) SET closed_at = $now, closed_by = $me;", json!({ "id": id, "now": now, "me": me.user_id.to_string() })));
    for (person, removed) in &per_person {
        work.audit(Audit::user(AuditAction::ReviewRevoke, person).by(&me).label(review.name.as_str()).after(json!({ "review": review.name, "removed": removed })));
    }
    work.audit(
        Audit::new(AuditAction::ReviewClose, AuditTarget::Review, Some(id))
            .by(&me)
            .label(review.name.as_str())
            .after(json!({ "removals": account.removals, "people": account.people, "unanswered": account.unanswered, "unanswered_keep": review.unanswered_keep })),
    )
    .bump_access();
    work.commit(&ctx.state).await?;
    let mut account = account;
    account.next = next_campaign(ctx, &me, &review, now).await?;
    Ok(account)
}

/// A repeating campaign, once closed: the next one over the same scope, reviewers and default,
/// read from the access as it now is (the revocations applied). Refusals of the new campaign (no
/// line left to review, a fallback reviewer no longer active) are reported, not raised: the
/// closing stands.
async fn next_campaign(ctx: &RequestCtx, me: &super::auth::Principal, review: &ReviewRow, now: i64) -> Result<Option<NextReview>, ApiError> {
    let repeat = ReviewRepeat::from_key(review.repeat.as_deref().unwrap_or_default());
    let (Some(due), Some(scope)) = (repeat.next_due(review.due_at, now), review.scope.clone()) else { return Ok(None) };
    let input = ReviewInput {
        name: review.name.clone(),
        scope,
        reviewer: review.reviewer.clone(),
        fallback: review.fallback.clone().unwrap_or_default(),
        due: due.clone(),
        unanswered_keep: review.unanswered_keep,
        repeat,
    };
    let engine = ctx.engine().await?;
    Ok(Some(match start(ctx, me, &engine, &input).await {
        Ok(id) => NextReview::Started { id, due },
        Err(ApiError::Invalid { fields, .. }) => {
            NextReview::NotStarted(fields.first().map(|f| f.message.clone()).unwrap_or_else(|| "the next review could not start".into()))
        }
        Err(e) => return Err(e),
    }))
}

/// The campaign's report as CSV: who reviewed what, when, the answers and justifications.
pub async fn export(ctx: &RequestCtx, id: &str) -> Result<String, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    full_admin_only(&engine, &me.user_id)?;
    let (review, lines) = load(ctx, id).await?;
    let name_of = |u: &str| engine.org().users.iter().find(|x| x.id == u).map(|x| x.name.clone()).unwrap_or_default();
    let mut out = String::from("review,person,access,reviewer,decision,justification,decided_utc\n");
    for l in &lines {
        let decision = match l.keep {
            Some(true) => "keep",
            Some(false) if l.kind == "role" => "revoke (role left to change by hand)",
            Some(false) => "revoke",
            None if review.unanswered_keep || l.kind == "role" => "not answered (kept)",
            None => "not answered (removed)",
        };
        out.push_str(
            &[
                csv_cell(&review.name),
                csv_cell(&name_of(&l.user)),
                csv_cell(&l.label),
                csv_cell(&name_of(&l.reviewer)),
                csv_cell(decision),
                csv_cell(&l.justification),
                csv_cell(&l.decided_at.map(format_utc).unwrap_or_default()),
            ]
            .join(","),
        );
        out.push('\n');
    }
    let mut work = Work::new(ctx);
    work.audit(Audit::new(AuditAction::ReviewExport, AuditTarget::Review, Some(id)).by(&me).label(review.name.as_str()));
    work.commit(&ctx.state).await?;
    Ok(out)
}
