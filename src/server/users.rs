//! The Users module: the list with search, filters and paging inside the caller's reach;
//! adding users (with the invitation email), editing them, status changes, and the activation,
//! reset and forgot-password flows. Every change is one transaction with its audit row.

use serde::Deserialize;
use serde_json::json;

use super::auth::{self, Principal};
use super::directory::{Entry, ScopeFilter};
use super::http::RequestCtx;
use super::mail;
use super::services::new_id;
use super::store::user::{self, Details};
use super::store::{link, mail_job, session, token, Actor, Audit, Work};
use super::time::now_ms;
use crate::access::{Action, Engine, Module, Objection, OrgChange, OrgUser, UserStatus};
use crate::domain::*;

/// The projection every user read shares. `$parent` is the user row inside sub-queries.
const USER_FIELDS: &str = "record::id(id) AS id, full_name, email, mobile, status,
    { id: record::id(role), name: role.name } AS role,
    IF department { { id: record::id(department), name: department.name } } ELSE { NONE } AS department,
    companies.map(|$c| { id: record::id($c), name: $c.name }) AS companies,
    is_approver, last_sign_in_at, created_at, second_factor != NONE AS second_factor,
    ((role.requires_second_factor ?? false) OR (setting:security.value.require_second_factor ?? false)) AS second_factor_required,
    (SELECT VALUE last_error FROM mail_job WHERE user = $parent.id AND status != 'sent' AND last_error != NONE
        ORDER BY created_at DESC LIMIT 1)[0] AS mail_problem,
    leave_at, IF leave_owner { { id: record::id(leave_owner), name: leave_owner.full_name } } ELSE { NONE } AS leave_owner,
    (leave_owners ?? []).map(|$o| { module: $o[0], owner: { id: $o[1], name: type::record('user', $o[1]).full_name ?? $o[1] } }) AS leave_owners,
    leave_problem, offboarded_at, record::exists(type::record('service_account', record::id(id))) AS service_account";

fn not_found() -> ApiError {
    ApiError::NotFound("no such user, or not one you can see".into())
}

/// Reads one user if `me` may do `action` on them; anything out of reach is a 404 for View
/// (no existence leak) and a 403 naming the rule for changes of a visible user.
pub async fn reachable(ctx: &RequestCtx, engine: &Engine, me: &str, action: Action, id: &str) -> Result<UserRow, ApiError> {
    let view = engine.decide_on_user(me, Action::View, id);
    if !view.allowed() {
        return Err(not_found());
    }
    if action != Action::View {
        let d = engine.decide_on_user(me, action, id);
        if let Some(denial) = d.denial() {
            return Err(ApiError::Forbidden(denial.message()));
        }
    }
    ctx.state
        .db
        .query(&format!("SELECT {USER_FIELDS} FROM type::record('user', $id);"), json!({ "id": id }))
        .await?
        .first(0)?
        .ok_or_else(not_found)
}

pub async fn list_users(ctx: &RequestCtx, q: &UserQuery) -> Result<Page<UserRow>, ApiError> {
    let (me, engine) = ctx.require(Module::Users, Action::View).await?;
    engine.user_scope(&me.user_id, Action::View).ok_or_else(|| ApiError::forbidden("you need View on Users"))?;
    let per_page = q.per_page.clamp(1, 200);
    let page = q.page.clamp(1, 100_000);
    fn some(v: &Option<String>) -> Option<&str> {
        v.as_deref().filter(|s| !s.is_empty())
    }
    let (status, role, department, company, license) = (some(&q.status), some(&q.role), some(&q.department), some(&q.company), some(&q.license));
    let search = q.search.trim().to_lowercase();
    let second_factor = some(&q.second_factor);
    let members = some(&q.group).map(|g| group_members(&engine, g));
    // "Required but not set up" needs the roles that require one (or everyone).
    let required = match second_factor {
        Some("missing") => Some(super::second_factor::requiring_roles(ctx).await?),
        _ => None,
    };
    // Search, filters, scope, count and sort run on the in-memory directory (kept current from
    // the database's change feed); only the page's 25 rows are read from the database.
    let dir = ctx.state.directory.current(&ctx.state.db).await?;
    let in_scope = ScopeFilter::new(&engine, &me.user_id);
    let mut hits: Vec<&Entry> = dir
        .users
        .values()
        .filter(|e| {
            status.is_none_or(|s| e.status == s)
                && role.is_none_or(|r| e.role == r)
                && department.is_none_or(|d| e.department == d)
                && company.is_none_or(|c| e.companies.iter().any(|x| x == c))
                && license.is_none_or(|l| e.licenses.iter().any(|x| x == l))
                && members.as_ref().is_none_or(|m| m.contains(e.id.as_str()))
                && (search.is_empty() || e.search.contains(&search))
                && match second_factor {
                    Some("on") => e.second_factor,
                    Some("off") => !e.second_factor,
                    Some("missing") => !e.second_factor && e.status == "active" && required.as_ref().is_some_and(|r| r.requires(&e.role)),
                    _ => true,
                }
                && in_scope.admits(e)
        })
        .collect();
    let total = hits.len();
    let cmp = |a: &&Entry, b: &&Entry| {
        let o = match q.sort {
            UserSort::Name => a.search.cmp(&b.search),
            UserSort::Email => a.email_key.cmp(&b.email_key),
            UserSort::Status => a.status.cmp(&b.status),
            UserSort::LastSignIn => a.last_sign_in_at.cmp(&b.last_sign_in_at),
            UserSort::Created => a.created_at.cmp(&b.created_at),
        };
        if q.descending { o.reverse() } else { o }.then_with(|| a.id.cmp(&b.id))
    };
    let start = ((page - 1) * per_page) as usize;
    let end = (start + per_page as usize).min(total);
    if start < total {
        // Only the entries up to the page's end are put in order.
        if end < total {
            hits.select_nth_unstable_by(end, cmp);
            hits.truncate(end);
        }
        hits.sort_unstable_by(cmp);
    }
    let ids: Vec<&str> = hits.get(start..end).unwrap_or(&[]).iter().map(|e| e.id.as_str()).collect();
    let mut items: Vec<UserRow> = if ids.is_empty() {
        Vec::new()
    } else {
        ctx.state
            .db
            .query(&format!("SELECT {USER_FIELDS} FROM $ids.map(|$i| type::record('user', $i));"), json!({ "ids": ids }))
            .await?
            .all(0)?
    };
    items.sort_by_key(|u| ids.iter().position(|i| *i == u.id));
    Ok(Page { items, total: total as u64, page, per_page })
}

/// Everyone in a group: its own members and, through nested groups, theirs (a cycle is walked once).
fn group_members<'a>(engine: &'a Engine, group: &str) -> std::collections::HashSet<&'a str> {
    let groups = &engine.org().groups;
    let mut members = std::collections::HashSet::new();
    let mut seen = std::collections::HashSet::new();
    let mut todo = vec![group];
    while let Some(id) = todo.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(g) = groups.iter().find(|g| g.id == id) {
            members.extend(g.users.iter().map(String::as_str));
            todo.extend(g.groups.iter().map(String::as_str));
        }
    }
    members
}

/// The caller's own row: everyone may read their own account, whatever their Users access.
pub async fn own_row(ctx: &RequestCtx) -> Result<UserRow, ApiError> {
    let me = ctx.require_user().await?;
    let row: Option<UserRow> =
        ctx.state.db.query(&format!("SELECT {USER_FIELDS} FROM type::record('user', $id);"), json!({ "id": me.user_id })).await?.first(0)?;
    row.ok_or(ApiError::Unauthorized)
}

pub async fn get_user(ctx: &RequestCtx, id: &str) -> Result<UserRow, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let mut row = reachable(ctx, &engine, &me.user_id, Action::View, id).await?;
    if row.status == crate::access::UserStatus::Invited {
        #[derive(Deserialize)]
        struct Link {
            expires_at: i64,
        }
        let link: Option<Link> = ctx
            .state
            .db
            .query(
                "SELECT expires_at FROM link_token WHERE user = type::record('user', $id) AND kind = 'activation'
                    AND used_at = NONE AND revoked = false ORDER BY expires_at DESC LIMIT 1;",
                json!({ "id": row.id }),
            )
            .await?
            .first(0)?;
        row.invitation_expires_at = link.map(|l| l.expires_at);
    }
    Ok(row)
}

/// Checks every field (all messages at once), then what the caller may grant.
async fn check_input(ctx: &RequestCtx, input: &UserInput) -> Result<Details, ApiError> {
    let mut errors = Vec::new();
    let name = PersonName::parse(&input.full_name).map_err(|m| errors.push(FieldError::new("full_name", m))).ok();
    let email = Email::parse(&input.email).map_err(|m| errors.push(FieldError::new("email", m))).ok();
    let mobile = if input.mobile.trim().is_empty() {
        None
    } else {
        Mobile::parse(&input.mobile).map_err(|m| errors.push(FieldError::new("mobile", m))).ok()
    };
    #[derive(Deserialize)]
    struct Known {
        departments: Vec<String>,
        roles: Vec<String>,
        companies: Vec<String>,
    }
    let known: Known = ctx
        .state
        .db
        .query(
            "RETURN {
                departments: (SELECT VALUE record::id(id) FROM department),
                roles: (SELECT VALUE record::id(id) FROM role),
                companies: (SELECT VALUE record::id(id) FROM company WHERE archived = false)
             };",
            json!({}),
        )
        .await?
        .first(0)?
        .ok_or(ApiError::Unavailable)?;
    if input.role.trim().is_empty() {
        errors.push(FieldError::new("role", "choose a role: every user needs one"));
    } else if !known.roles.contains(&input.role) {
        errors.push(FieldError::new("role", "choose one of the existing roles"));
    }
    if input.department.trim().is_empty() {
        errors.push(FieldError::new("department", "choose a department"));
    } else if !known.departments.contains(&input.department) {
        errors.push(FieldError::new("department", "choose one of the existing departments"));
    }
    let mut companies: Vec<String> = input.companies.clone();
    companies.sort();
    companies.dedup();
    if companies.is_empty() {
        errors.push(FieldError::new("companies", "choose at least one company"));
    } else if let Some(c) = companies.iter().find(|c| !known.companies.contains(c)) {
        errors.push(FieldError::new("companies", format!("company `{c}` does not exist or is archived")));
    }
    let (Some(name), Some(email)) = (name, email) else { return Err(ApiError::fields(errors)) };
    if !errors.is_empty() {
        return Err(ApiError::fields(errors));
    }
    Ok(Details {
        name,
        email,
        mobile,
        department: input.department.clone(),
        role: input.role.clone(),
        companies,
        is_approver: input.is_approver,
    })
}

/// The write path for a user's entry: the proposed entry applied to the org and judged by
/// outcome for `me` (no escalation, no change to an Administrator holder, no lock-out). Gains
/// come back as messages on the form's fields.
/// Answers whether the entry hands out full administration (which needs a recent sign-in).
pub fn judge_entry(engine: &Engine, me: &str, entry: OrgUser) -> Result<bool, ApiError> {
    let target = entry.id.clone();
    let proposed = OrgChange::SaveUser { user: entry }.apply(engine.org(), "").map_err(|e| ApiError::field(e.field, e.message))?;
    let after = Engine::compile(proposed);
    let objections = engine.judge(me, &after);
    if objections.is_empty() {
        return Ok(engine.hands_out_administrator(&after));
    }
    Err(objections_error(engine, &target, &objections))
}

/// The answer to a change judged by outcome and refused: the lock-out as a conflict, gains as
/// messages on the form's fields, anything else as a refusal naming the rule.
pub fn objections_error(engine: &Engine, target: &str, objections: &[Objection]) -> ApiError {
    let Some(first) = objections.first() else { return ApiError::Unavailable };
    match first {
        Objection::LockOut => {
            let name = engine.org().users.iter().find(|u| u.id == target).map(|u| u.name.clone()).unwrap_or_default();
            ApiError::Conflict(format!("{name} is the last active full administrator; make someone else a full administrator first"))
        }
        Objection::Gains { .. } => {
            let mut fields: Vec<FieldError> = Vec::new();
            for o in objections.iter().filter(|o| matches!(o, Objection::Gains { .. })) {
                if !fields.iter().any(|f| f.field == o.field()) {
                    fields.push(FieldError::new(o.field(), format!("no escalation: {}", o.message())));
                }
            }
            ApiError::fields(fields)
        }
        other => ApiError::Forbidden(other.message()),
    }
}

/// No takeover: credentials, status and sessions of another user only when their access does
/// not exceed the caller's own (and never a holder of the Administrator profile, unless the
/// caller is a full administrator).
pub fn no_takeover(engine: &Engine, me: &str, target: &str) -> Result<(), ApiError> {
    match engine.judge_takeover(me, target).first() {
        None => Ok(()),
        Some(o @ Objection::Gains { .. }) => Err(ApiError::Forbidden(format!(
            "no takeover: {}; whoever controls an account holds its access",
            o.takeover_message()
        ))),
        Some(o) => Err(ApiError::Forbidden(o.message())),
    }
}

/// A user's entry as the engine reads it.
pub fn entry_of(engine: &Engine, id: &str) -> Result<OrgUser, ApiError> {
    engine.org().users.iter().find(|u| u.id == id).cloned().ok_or_else(not_found)
}

fn email_taken() -> ApiError {
    ApiError::field("email", "another user already has this email address")
}

/// Adds a user (status Invited) and queues the invitation email with a fresh activation link.
/// The checks of adding a user (fields, reach, the judgement by outcome, a recent sign-in to
/// hand out full administration), shared by the save and the import's dry run.
async fn checked_create(ctx: &RequestCtx, input: &UserInput) -> Result<(Principal, Details, String), ApiError> {
    let (me, engine) = ctx.require(Module::Users, Action::Create).await?;
    let c = check_input(ctx, input).await?;
    // Users / Create: the new user's department in that level's reach.
    if !engine.department_in_user_reach(&me.user_id, Action::Create, &c.department) {
        return Err(ApiError::field("department", "this department is outside the users you manage"));
    }
    let id = new_id();
    let hands_out_administrator = judge_entry(
        &engine,
        &me.user_id,
        OrgUser {
            id: id.clone(),
            name: c.name.as_ref().to_string(),
            status: UserStatus::Invited,
            role: c.role.clone(),
            department: c.department.clone(),
            companies: c.companies.clone(),
            licenses: Vec::new(),
            hidden_modules: Vec::new(),
        },
    )?;
    if hands_out_administrator {
        ctx.require_fresh(&me)?;
    }
    Ok((me, c, id))
}

/// A service account (a user that is not a person) with its one read-write token, in one
/// transaction: the Add user checks, with the creator's department and companies and the role
/// chosen, judged as an active user (it acts at once); the role it gives the people it adds
/// must exist. Returns its id.
pub async fn create_service_account(ctx: &RequestCtx, input: &NewServiceAccount, digest: &str, expires_at: i64) -> Result<String, ApiError> {
    let (me, engine) = ctx.require(Module::Users, Action::Create).await?;
    let mine = entry_of(&engine, me.user_id.as_str())?;
    let id = new_id();
    let form = UserInput {
        full_name: input.name.trim().to_string(),
        email: format!("service-{id}@service-accounts.invalid"),
        mobile: String::new(),
        department: mine.department.clone(),
        role: input.role.clone(),
        companies: mine.companies.clone(),
        is_approver: false,
    };
    let c = check_input(ctx, &form).await?;
    let Some(provision_role) = engine.org().roles.iter().find(|r| r.id == input.provision_role) else {
        return Err(ApiError::field("provision_role", "choose one of the roles"));
    };
    let role_name = engine.org().roles.iter().find(|r| r.id == c.role).map(|r| r.name.clone()).unwrap_or_default();
    let entry = OrgUser {
        id: id.clone(),
        name: c.name.as_ref().to_string(),
        status: UserStatus::Active,
        role: c.role.clone(),
        department: c.department.clone(),
        companies: c.companies.clone(),
        licenses: Vec::new(),
        hidden_modules: Vec::new(),
    };
    if judge_entry(&engine, &me.user_id, entry)? {
        ctx.require_fresh(&me)?;
    }
    let now = now_ms();
    let mut work = Work::new(ctx);
    work.run(user::create_service(&id, &c, &provision_role.id, me.user_id.as_str(), now))
        .run(token::create(&id, c.name.as_ref(), true, digest, now, expires_at))
        .audit(Audit::user(AuditAction::ServiceAccountCreate, &id).by(&me).label(c.name.as_ref()).after(json!({
            "name": c.name.as_ref(), "role": c.role, "role_name": role_name, "provision_role": provision_role.id, "expires_at": expires_at,
        })))
        .bump_access();
    work.commit(&ctx.state).await?;
    Ok(id)
}

/// Whether adding this user would be accepted; nothing is written (the import's dry run).
pub async fn check_create(ctx: &RequestCtx, input: &UserInput) -> Result<(), ApiError> {
    checked_create(ctx, input).await.map(|_| ())
}

/// Whether this edit would be accepted; nothing is written (the import's dry run).
pub async fn check_update(ctx: &RequestCtx, id: &str, input: &UserInput) -> Result<(), ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let (_, _, _, hands_out_administrator) = checked_edit(ctx, &engine, &me.user_id, id, input).await?;
    if hands_out_administrator {
        ctx.require_fresh(&me)?;
    }
    Ok(())
}

pub async fn create_user(ctx: &RequestCtx, input: &UserInput) -> Result<UserRow, ApiError> {
    let new = prepare_create(ctx, input).await?;
    let mut work = Work::new(ctx);
    new.write(&mut work);
    work.commit(&ctx.state).await?;
    new.log_link(ctx);
    get_user(ctx, &new.id).await
}

/// A new user checked and ready to write: the Add user form's path up to the transaction, so
/// the import can put several into one.
pub struct NewUser {
    pub id: String,
    actor: Principal,
    c: Details,
    digest: String,
    link: String,
    invite: mail::OutgoingMail,
    ttl_ms: i64,
}

/// Every check of adding a user, and what to write; nothing is written.
pub async fn prepare_create(ctx: &RequestCtx, input: &UserInput) -> Result<NewUser, ApiError> {
    let (me, c, id) = checked_create(ctx, input).await?;
    let (raw, digest) = auth::new_token();
    let ttl = ctx.state.invite_ttl().await;
    let link = format!("{}/activate/{raw}", ctx.state.settings.public_url);
    let invite = mail::invitation(c.name.as_ref(), c.email.as_ref(), &me.full_name, &link, ttl);
    Ok(NewUser { id, actor: me, c, digest, link, invite, ttl_ms: ttl.as_millis() as i64 })
}

impl NewUser {
    /// The user, the activation link, the invitation and the audit row, into `work`.
    pub fn write(&self, work: &mut Work) {
        let (c, id, now) = (&self.c, &self.id, now_ms());
        let after = json!({
            "full_name": c.name.as_ref(), "email": c.email.as_ref(), "mobile": c.mobile.as_ref().map(|m| m.as_ref()),
            "department": c.department, "role": c.role, "companies": c.companies, "is_approver": c.is_approver, "status": "invited",
        });
        work.on_unique("user_email_key", email_taken())
            .run(user::create_invited(id, c, now))
            .run(link::issue(id, LinkKind::Activation, &self.digest, now, now + self.ttl_ms))
            .queue_mail("invitation", id, &self.invite)
            .audit(Audit::user(AuditAction::UserInvite, id).by(&self.actor).label(c.email.as_ref()).after(after))
            .bump_access();
    }

    /// In outbox mode the link also goes to the log (for a first run without mail).
    pub fn log_link(&self, ctx: &RequestCtx) {
        mail::log_link(&ctx.state.settings, "invitation", self.c.email.as_ref(), &self.link);
    }
}

/// The users with these ids the caller may see, read at once; and the ids of the others.
pub async fn visible_rows(ctx: &RequestCtx, engine: &Engine, me: &str, ids: &[String]) -> Result<(Vec<UserRow>, Vec<String>), ApiError> {
    let (seen, hidden): (Vec<&String>, Vec<&String>) = ids.iter().partition(|id| engine.decide_on_user(me, Action::View, id).allowed());
    let rows: Vec<UserRow> = if seen.is_empty() {
        Vec::new()
    } else {
        ctx.state
            .db
            .query(&format!("SELECT {USER_FIELDS} FROM $ids.map(|$i| type::record('user', $i));"), json!({ "ids": seen }))
            .await?
            .all(0)?
    };
    Ok((rows, hidden.into_iter().cloned().collect()))
}

/// The checks of an edit of a user's details (reach, the department move, no takeover on the
/// email, the judgement by outcome), shared by the save and its preview. Returns the user as
/// read before, the checked form and the proposed entry.
async fn checked_edit(
    ctx: &RequestCtx,
    engine: &Engine,
    me: &str,
    id: &str,
    input: &UserInput,
) -> Result<(UserRow, Details, OrgUser, bool), ApiError> {
    let before = reachable(ctx, engine, me, Action::Edit, id).await?;
    let c = check_input(ctx, input).await?;
    let mut entry = entry_of(engine, id)?;
    // A user's department is one of their details: a move stays inside the users one manages.
    if entry.department != c.department && !engine.department_in_user_reach(me, Action::Edit, &c.department) {
        return Err(ApiError::field("department", "this department is outside the users you manage"));
    }
    // Changing the address is changing where reset links go: no takeover.
    if c.email.key() != before.email.to_lowercase() {
        no_takeover(engine, me, id).map_err(|e| ApiError::field("email", e.to_string()))?;
    }
    entry.name = c.name.as_ref().to_string();
    entry.role = c.role.clone();
    entry.department = c.department.clone();
    entry.companies = c.companies.clone();
    let hands_out_administrator = judge_entry(engine, me, entry.clone())?;
    Ok((before, c, entry, hands_out_administrator))
}

/// What saving this edit would change for whom (a role, a department, companies): the same
/// checks as the save, nothing written.
pub async fn preview_update(ctx: &RequestCtx, id: &str, input: &UserInput) -> Result<crate::access::AccessDiff, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let (_, _, entry, _) = checked_edit(ctx, &engine, &me.user_id, id, input).await?;
    let proposed = OrgChange::SaveUser { user: entry }.apply(engine.org(), "").map_err(|e| ApiError::field(e.field, e.message))?;
    Ok(Engine::diff(&engine, &Engine::compile(proposed)))
}

/// Edits a user's details, department, role, companies and approver flag.
pub async fn update_user(ctx: &RequestCtx, id: &str, input: &UserInput) -> Result<UserRow, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let (before, c, _, hands_out_administrator) = checked_edit(ctx, &engine, &me.user_id, id, input).await?;
    // Handing out full administration, or moving one's own sign-in address, needs a recent
    // sign-in (step-up).
    let own_email = me.user_id == id && c.email.key() != before.email.to_lowercase();
    if hands_out_administrator || own_email {
        ctx.require_fresh(&me)?;
    }
    let after = json!({
        "full_name": c.name.as_ref(), "email": c.email.as_ref(), "mobile": c.mobile.as_ref().map(|m| m.as_ref()),
        "department": c.department, "role": c.role, "companies": c.companies, "is_approver": c.is_approver,
    });
    let before_json = json!({
        "full_name": before.full_name, "email": before.email, "mobile": before.mobile,
        "department": before.department.as_ref().map(|d| &d.id), "role": before.role.id,
        "companies": before.companies.iter().map(|c| &c.id).collect::<Vec<_>>(), "is_approver": before.is_approver,
    });
    let mut work = Work::new(ctx);
    work.on_unique("user_email_key", email_taken())
        .run(user::update_details(id, &c, now_ms()))
        .audit(Audit::user(AuditAction::UserUpdate, id).by(&me).label(c.email.as_ref()).before(before_json).after(after))
        .bump_access();
    work.commit(&ctx.state).await?;
    get_user(ctx, id).await
}

/// Active ⇄ Inactive, any → Blocked → Active. Blocking or deactivating ends every session of
/// the user before the answer is sent.
pub async fn set_status(ctx: &RequestCtx, id: &str, status: &str) -> Result<UserRow, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let Some(new) = UserStatus::parse(status) else {
        return Err(ApiError::field("status", "choose active, inactive or blocked"));
    };
    let before = reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    let old = before.status;
    if old == new {
        return Ok(before);
    }
    let allowed = matches!(
        (old, new),
        (UserStatus::Active, UserStatus::Inactive)
            | (UserStatus::Inactive, UserStatus::Active)
            | (_, UserStatus::Blocked)
            | (UserStatus::Blocked, UserStatus::Active)
    );
    if !allowed {
        let hint = if old == UserStatus::Invited { "; an invited user becomes active by activating their account" } else { "" };
        return Err(ApiError::Conflict(format!("a {} user cannot become {}{hint}", old.label().to_lowercase(), new.label().to_lowercase())));
    }
    if me.user_id == id && new != UserStatus::Active {
        return Err(ApiError::Conflict("you cannot block or deactivate your own account".into()));
    }
    no_takeover(&engine, &me.user_id, id)?;
    let mut entry = entry_of(&engine, id)?;
    entry.status = new;
    judge_entry(&engine, &me.user_id, entry)?;
    let action = match new {
        UserStatus::Blocked => AuditAction::UserBlock,
        UserStatus::Inactive => AuditAction::UserDeactivate,
        _ if old == UserStatus::Blocked => AuditAction::UserUnblock,
        _ => AuditAction::UserActivate,
    };
    let mut work = Work::new(ctx);
    work.run(user::set_status(id, new.as_str(), now_ms()));
    if new != UserStatus::Active {
        work.run(session::end_all(id)).run(token::end_all(id));
    }
    if new == UserStatus::Blocked {
        work.run(link::revoke_open(id));
        work.queue_mail("blocked", id, &mail::blocked_notice(&before.full_name, &before.email));
    }
    work.audit(
        Audit::user(action, id)
            .by(&me)
            .label(before.email.as_str())
            .before(json!({ "status": old.as_str() }))
            .after(json!({ "status": new.as_str() })),
    )
    .bump_access();
    work.commit(&ctx.state).await?;
    get_user(ctx, id).await
}

/// Sends a new invitation; the previous link stops working.
pub async fn resend_invite(ctx: &RequestCtx, id: &str) -> Result<(), ApiError> {
    reissue_invite(ctx, id, true).await.map(|_| ())
}

/// A new invitation link for the administrator to hand over themselves (chat, phone): shown
/// once, never mailed; the previous link and any invitation still waiting in the mail queue stop
/// working. Holding it means holding the account, so it is given only under "no takeover" and
/// after a recent sign-in.
pub async fn invite_link(ctx: &RequestCtx, id: &str) -> Result<InviteLink, ApiError> {
    reissue_invite(ctx, id, false).await
}

async fn reissue_invite(ctx: &RequestCtx, id: &str, send: bool) -> Result<InviteLink, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    let user = reachable(ctx, &engine, &me.user_id, Action::Edit, id).await?;
    no_takeover(&engine, &me.user_id, id)?;
    if user.status != UserStatus::Invited {
        return Err(ApiError::Conflict(format!("{} has already activated their account", user.full_name)));
    }
    if !send {
        ctx.require_fresh(&me)?;
    }
    let (raw, digest) = auth::new_token();
    let now = now_ms();
    let ttl = ctx.state.invite_ttl().await;
    let expires_at = now + ttl.as_millis() as i64;
    let link = format!("{}/activate/{raw}", ctx.state.settings.public_url);
    let mut work = Work::new(ctx);
    work.run(mail_job::drop_pending_invitations(id)).run(link::issue(id, LinkKind::Activation, &digest, now, expires_at));
    if send {
        let invite = mail::invitation(&user.full_name, &user.email, &me.full_name, &link, ttl);
        work.queue_mail("invitation", id, &invite)
            .audit(Audit::user(AuditAction::UserInviteResent, id).by(&me).label(user.email.as_str()));
    } else {
        work.audit(Audit::user(AuditAction::UserInviteLinkCopied, id).by(&me).label(user.email.as_str()));
    }
    work.commit(&ctx.state).await?;
    if send {
        mail::log_link(&ctx.state.settings, "invitation", &user.email, &link);
    }
    Ok(InviteLink { link, expires_at })
}

pub async fn bulk(ctx: &RequestCtx, ids: &[String], action: BulkAction) -> Result<BulkResult, ApiError> {
    ctx.require(Module::Users, Action::Edit).await?;
    if ids.len() > 500 {
        return Err(ApiError::field("ids", "choose at most 500 users at a time"));
    }
    let mut result = BulkResult { done: 0, refused: Vec::new() };
    for id in ids {
        let outcome = match &action {
            BulkAction::Activate => set_status(ctx, id, "active").await.map(|_| ()),
            BulkAction::Deactivate => set_status(ctx, id, "inactive").await.map(|_| ()),
            BulkAction::Block => set_status(ctx, id, "blocked").await.map(|_| ()),
            BulkAction::ResendInvite => resend_invite(ctx, id).await,
            // Role and company changes go through the same edit as the user page, with all its
            // checks (reach, no escalation, no lock-out) and its audit row, one user at a time.
            BulkAction::AssignRole(role) => edit_in_bulk(ctx, id, |input| input.role = role.clone()).await,
            BulkAction::AddCompany(company) => {
                edit_in_bulk(ctx, id, |input| {
                    if !input.companies.contains(company) {
                        input.companies.push(company.clone());
                    }
                })
                .await
            }
        };
        match outcome {
            Ok(()) => result.done += 1,
            // The same words as the user page: field messages, not "one field needs attention".
            Err(ApiError::Invalid { fields, .. }) => {
                result.refused.push((id.clone(), fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join("; ")))
            }
            Err(e) => result.refused.push((id.clone(), e.to_string())),
        }
    }
    Ok(result)
}

async fn edit_in_bulk(ctx: &RequestCtx, id: &str, change: impl FnOnce(&mut UserInput)) -> Result<(), ApiError> {
    let u = get_user(ctx, id).await?;
    let mut input = UserInput {
        full_name: u.full_name,
        email: u.email,
        mobile: u.mobile.unwrap_or_default(),
        department: u.department.map(|d| d.id).unwrap_or_default(),
        role: u.role.id,
        companies: u.companies.into_iter().map(|c| c.id).collect(),
        is_approver: u.is_approver,
    };
    change(&mut input);
    update_user(ctx, id, &input).await.map(|_| ())
}

#[derive(Deserialize)]
struct LinkRow {
    user: String,
    kind: LinkKind,
    used_at: Option<i64>,
    revoked: bool,
    expires_at: i64,
    full_name: String,
    email: String,
    status: UserStatus,
}

async fn link_row(ctx: &RequestCtx, raw: &str) -> Result<LinkRow, ApiError> {
    let digest = auth::token_digest(raw.trim());
    let row: Option<LinkRow> = ctx
        .state
        .db
        .query(
            "SELECT record::id(user) AS user, kind, used_at, revoked, expires_at, user.full_name AS full_name,
                    user.email AS email, user.status AS status
             FROM link_token WHERE token_hash = $digest LIMIT 1;",
            json!({ "digest": digest }),
        )
        .await?
        .first(0)?;
    let row = row.ok_or_else(|| ApiError::NotFound("this link is not valid; check that it was copied whole, or ask for a new one".into()))?;
    let again = if row.kind == LinkKind::Activation { "ask your administrator to send a new invitation" } else { "ask for a new reset link on the sign-in page" };
    if row.used_at.is_some() {
        return Err(ApiError::Conflict(format!("this link was already used; {again}")));
    }
    if row.revoked {
        return Err(ApiError::Conflict(format!("a newer link replaced this one; use the most recent email or {again}")));
    }
    if row.expires_at <= now_ms() {
        return Err(ApiError::Conflict(format!("this link has expired; {again}")));
    }
    if row.kind == LinkKind::Activation && row.status != UserStatus::Invited {
        return Err(ApiError::Conflict("this account is not waiting for activation any more; sign in instead".into()));
    }
    if row.kind == LinkKind::Reset && row.status != UserStatus::Active {
        return Err(ApiError::Conflict("this account is not active; ask your administrator".into()));
    }
    Ok(row)
}

/// Public: what an activation or reset link is for (or why it no longer works).
pub async fn link_info(ctx: &RequestCtx, token: &str) -> Result<LinkInfo, ApiError> {
    let row = link_row(ctx, token).await?;
    Ok(LinkInfo { full_name: row.full_name, email: row.email, kind: row.kind })
}

/// Public: sets the password from an activation or reset link (once), activates an invited
/// account, ends the user's other sessions and signs them in.
pub async fn complete_link(ctx: &RequestCtx, token: &str, password: &str) -> Result<Me, ApiError> {
    let row = link_row(ctx, token).await?;
    check_password_for(password, &row.full_name, &row.email).map_err(|m| ApiError::field("password", m))?;
    let hash = auth::hash_password(password.to_string()).await?;
    let now = now_ms();
    let action = if row.kind == LinkKind::Activation { AuditAction::UserActivated } else { AuditAction::UserPasswordReset };
    let mut work = Work::new(ctx);
    work.run(link::claim(&auth::token_digest(token.trim())))
        .refuse_if(link::claim_is_stale(now), ApiError::Conflict("this link was already used or has expired; ask for a new one".into()))
        .run(link::use_claimed(&hash, now));
    if row.kind == LinkKind::Activation {
        work.run(user::activated(&row.user, now));
    }
    if row.kind == LinkKind::Reset {
        work.queue_mail("password_changed", &row.user, &mail::password_changed_notice(&row.full_name, &row.email));
    }
    work.audit(
        Audit::user(action, &row.user)
            .by(Actor::new(&row.user, &row.full_name))
            .label(row.email.as_str())
            .after(json!({ "status": "active" })),
    )
    .bump_access();
    work.commit(&ctx.state).await?;
    // A reset link proves the mailbox, not the second factor: that still has to be entered.
    let pending = super::second_factor::enrolled(&ctx.state.db, &row.user).await?;
    let start = auth::SessionStart { method: crate::domain::AuthMethod::Password, second_factor_pending: pending };
    super::services::start_session(ctx, &row.user, start).await
}

/// Public: sends a reset link to an active account. The answer is the same whether or not the
/// address belongs to anyone.
/// Reset links asked for from one address in an hour, at most.
pub const FORGOT_PER_ADDRESS: i64 = 10;
/// Reset links mailed to one account in an hour, at most (more asks get the same answer).
pub const FORGOT_PER_ACCOUNT: i64 = 3;

pub async fn forgot_password(ctx: &RequestCtx, email: &str) -> Result<(), ApiError> {
    let email = Email::parse(email).map_err(|m| ApiError::field("email", m))?;
    let db = &ctx.state.db;
    let hour = 3_600_000;
    if !auth::throttle::within(db, &auth::throttle::key("forgot", &ctx.ip), FORGOT_PER_ADDRESS, hour).await? {
        tracing::warn!(ip = %ctx.ip, "reset links asked for too often from one address");
        return Err(ApiError::TooManyAttempts {
            message: "too many reset links were asked for from here; try again in an hour".into(),
            retry_after_secs: 3600,
        });
    }
    // Counted for any address, known or not, so the answer says nothing about the account.
    if !auth::throttle::within(db, &auth::throttle::key(&format!("forgot|{}", email.key()), "any address"), FORGOT_PER_ACCOUNT, hour).await? {
        tracing::info!(email = %email, "reset link not sent again: the account's hourly limit is reached");
        return Ok(());
    }
    #[derive(Deserialize)]
    struct Who {
        id: String,
        full_name: String,
        email: String,
    }
    // Answered at once whether or not the address belongs to anyone: the lookup and the mail
    // happen afterwards, so the time of the answer tells nothing either.
    let (state, ip) = (ctx.state.clone(), ctx.ip.clone());
    tokio::spawn(async move {
        let who: Result<Option<Who>, ApiError> = async {
            Ok(state
                .db
                .query(
                    "SELECT record::id(id) AS id, full_name, email FROM user WHERE email_key = $k AND status = 'active' LIMIT 1;",
                    json!({ "k": email.key() }),
                )
                .await?
                .first(0)?)
        }
        .await;
        match who {
            Ok(Some(who)) => {
                if let Err(e) = reset_link_for(&state, &ip, &who.id, &who.full_name, &who.email, None).await {
                    tracing::warn!(error = %e, "a reset link asked for could not be queued");
                }
            }
            Ok(None) => tracing::info!(email = %email, "password reset asked for an address with no active account"),
            Err(e) => tracing::warn!(error = %e, "a reset link asked for could not be looked up"),
        }
    });
    Ok(())
}

/// Revokes older reset links and queues a new one (2 hours, once).
pub async fn send_reset_link(ctx: &RequestCtx, id: &str, full_name: &str, email: &str, actor: Option<Actor>) -> Result<(), ApiError> {
    reset_link_for(&ctx.state, &ctx.ip, id, full_name, email, actor).await
}

async fn reset_link_for(
    state: &super::state::AppState,
    ip: &str,
    id: &str,
    full_name: &str,
    email: &str,
    actor: Option<Actor>,
) -> Result<(), ApiError> {
    let (raw, digest) = auth::new_token();
    let now = now_ms();
    let ttl = std::time::Duration::from_secs(2 * 3600);
    let link = format!("{}/reset/{raw}", state.settings.public_url);
    let m = mail::reset_link(full_name, email, &link, ttl);
    let action = if actor.is_some() { AuditAction::UserResetLinkSent } else { AuditAction::UserResetRequested };
    let mut work = Work::from_address(ip);
    work.run(link::issue(id, LinkKind::Reset, &digest, now, now + ttl.as_millis() as i64))
        .queue_mail("reset", id, &m)
        .audit(Audit::user(action, id).by_opt(actor).label(email));
    work.commit(state).await?;
    mail::log_link(&state.settings, "password reset", email, &link);
    Ok(())
}
