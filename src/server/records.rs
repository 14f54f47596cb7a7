//! CRM records under the access model. Lists, searches and exports ask SurrealDB only for the
//! records in the user's reach (their companies, and the owners their level, the hierarchy and
//! sharing reach, as the engine computes them); hidden fields are removed here, before anything
//! is sent; writes to hidden or read-only fields are refused; a record out of reach is a 404.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{json, Value};

use super::account::csv_cell;
use super::auth::Principal;
use super::http::RequestCtx;
use super::services::new_id;
use super::store::{record, Audit, Work};
use super::time::now_ms;
use crate::access::{Action, Engine, FieldRule, Module, RecordReach, RecordRef};
use crate::domain::*;

const RECORD_FIELDS: &str = "record::id(id) AS id, module, attrs, updated_at,
    { id: record::id(owner), name: owner.full_name } AS owner,
    { id: record::id(company), name: company.name } AS company";
const EXPORT_LIMIT: u32 = 100_000;

fn not_found() -> ApiError {
    ApiError::NotFound("no such record, or not one you can see".into())
}

/// The module's fields as this user has them; hidden fields are left out.
fn visible_fields(engine: &Engine, user: &str, module: Module) -> Vec<FieldMeta> {
    let rules = engine.field_rules(user, module);
    record_fields(module)
        .iter()
        .filter_map(|f| {
            let rule = rules.get(f.name).copied().unwrap_or_default();
            (rule != FieldRule::Hidden).then(|| FieldMeta { name: f.name.into(), label: f.label.into(), rule })
        })
        .collect()
}

#[derive(Deserialize)]
struct Stored {
    id: String,
    module: String,
    #[serde(default)]
    attrs: BTreeMap<String, String>,
    updated_at: i64,
    owner: NamedRef,
    company: NamedRef,
}

fn parse_module(s: &str) -> Option<Module> {
    Module::RECORDS.into_iter().find(|m| format!("{m:?}") == s)
}

/// A stored record as this user may see it: only visible fields.
fn to_row(stored: Stored, visible: &[FieldMeta]) -> Option<RecordRow> {
    let module = parse_module(&stored.module)?;
    let title_field = record_fields(module).iter().find(|f| f.title).map(|f| f.name).unwrap_or("name");
    let values: BTreeMap<String, String> =
        stored.attrs.into_iter().filter(|(k, _)| visible.iter().any(|f| &f.name == k)).collect();
    let title = values.get(title_field).cloned().unwrap_or_else(|| "(hidden)".into());
    Some(RecordRow { id: stored.id, module, title, values, owner: stored.owner, company: stored.company, updated_at: stored.updated_at })
}

/// The WHERE clause (and its variables) for "records of `module` in `reach`".
fn reach_filter(module: Module, reach: &RecordReach) -> (Vec<&'static str>, Value) {
    let mut conds = vec!["module = $module", "company IN $reach_companies"];
    if reach.owners.is_some() {
        conds.push("owner IN $reach_owners");
    }
    let vars = json!({
        "module": format!("{module:?}"),
        "reach_company_ids": reach.companies,
        "reach_owner_ids": reach.owners.clone().unwrap_or_default(),
    });
    (conds, vars)
}

const REACH_LETS: &str = "LET $reach_companies = $reach_company_ids.map(|$c| type::record('company', $c));
     LET $reach_owners = $reach_owner_ids.map(|$o| type::record('user', $o));";

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

fn reach_text(engine: &Engine, user: &str, module: Module, reach: &RecordReach) -> String {
    let level = engine.module_level(user, module, Action::View);
    match &reach.owners {
        None => format!("all {} records of your companies (View at {})", module.label(), level.label()),
        Some(o) if matches!(o.as_slice(), [only] if only == user) => format!("{} records you own (View at {})", module.label(), level.label()),
        Some(o) => format!(
            "{} records owned by {} people in your reach (View at {}, with hierarchy and sharing)",
            module.label(),
            o.len(),
            level.label()
        ),
    }
}

/// A record key that can be written into SurrealQL as it is (letters, digits and `_`, not
/// starting with a digit): the keys this application creates.
fn literal_key(key: &str) -> Option<&str> {
    let ok = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && key.len() <= 64
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some(key)
}

/// The order a list is read in: a hidden title is no order (newest first then).
fn sort_for(asked: RecordSort, title_visible: bool) -> RecordSort {
    match asked {
        RecordSort::TitleAsc | RecordSort::TitleDesc if !title_visible => RecordSort::Newest,
        other => other,
    }
}

/// The SurrealQL order of a sort.
fn order_by(sort: RecordSort) -> &'static str {
    match sort {
        RecordSort::Newest => "updated_at DESC",
        RecordSort::Oldest => "updated_at ASC",
        RecordSort::TitleAsc => "search_text ASC",
        RecordSort::TitleDesc => "search_text DESC",
    }
}

/// A record's place in a list: when it last changed (and its title, when sorting by it), then id.
#[derive(Deserialize)]
struct Key {
    updated_at: i64,
    id: String,
    #[serde(default)]
    title: String,
}

/// Cuts one page out of the merged keys, in the list's order, and reads only those records.
async fn page_of(ctx: &RequestCtx, mut keys: Vec<Key>, page: u32, per_page: u32, sort: RecordSort) -> Result<Vec<Stored>, ApiError> {
    keys.sort_unstable_by(|a, b| match sort {
        RecordSort::Newest => b.updated_at.cmp(&a.updated_at).then_with(|| b.id.cmp(&a.id)),
        RecordSort::Oldest => a.updated_at.cmp(&b.updated_at).then_with(|| a.id.cmp(&b.id)),
        RecordSort::TitleAsc => a.title.cmp(&b.title).then_with(|| a.id.cmp(&b.id)),
        RecordSort::TitleDesc => b.title.cmp(&a.title).then_with(|| b.id.cmp(&a.id)),
    });
    let start = ((page - 1) * per_page) as usize;
    let ids: Vec<&str> = keys.iter().skip(start).take(per_page as usize).map(|k| k.id.as_str()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<Stored> = ctx
        .state
        .db
        .query(&format!("SELECT {RECORD_FIELDS} FROM $ids.map(|$i| type::record('crm_record', $i));"), json!({ "ids": ids }))
        .await?
        .all(0)?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    Ok(rows)
}

pub async fn list(ctx: &RequestCtx, q: &RecordQuery) -> Result<RecordPage, ApiError> {
    let module = q.module.filter(|m| m.is_record_module()).ok_or_else(|| ApiError::BadRequest("choose a record module".into()))?;
    let (me, engine) = ctx.require(module, Action::View).await?;
    let reach = engine.record_reach(&me.user_id, module, Action::View).ok_or_else(|| ApiError::forbidden("you may not view this module"))?;
    let visible = visible_fields(&engine, &me.user_id, module);
    let per_page = q.per_page.clamp(1, 200);
    let page = q.page.clamp(1, 100_000);
    let (mut conds, vars) = reach_filter(module, &reach);
    let search = q.search.trim().to_lowercase();
    let title_visible = record_fields(module).iter().any(|f| f.title && visible.iter().any(|v| v.name == f.name));
    // Searching a hidden title would reveal it: the search then matches nothing.
    if !search.is_empty() {
        conds.push(if title_visible { "string::contains(search_text, $q)" } else { "false" });
    }
    let sort = sort_for(q.sort, title_visible);
    let by_title = matches!(sort, RecordSort::TitleAsc | RecordSort::TitleDesc);
    let key_fields = if by_title { "updated_at, record::id(id) AS id, search_text AS title" } else { "updated_at, record::id(id) AS id" };
    let owner = q.owner.as_deref().filter(|s| !s.is_empty());
    if owner.is_some() {
        conds.push("owner = type::record('user', $owner)");
    }
    let company = q.company.as_deref().filter(|s| !s.is_empty());
    if company.is_some() {
        conds.push("company = type::record('company', $company)");
    }
    let vars = merge(
        vars,
        json!({ "q": search, "owner": owner, "company": company, "limit": per_page, "start": (page - 1) * per_page, "top": page * per_page }),
    );
    let items: Vec<Stored>;
    let total: u64;
    match &reach.owners {
        // Owners in reach (Own, Department, hierarchy, sharing): one statement per owner on the
        // (owner, module, updated_at) index, each reading only that owner's records of the module;
        // SurrealDB 3.3 uses a compound index for `owner = x` but not for `owner IN [...]`. The
        // page is then cut from the merged (updated_at, id) pairs, whose count is the total.
        Some(owners) => {
            let owners: Vec<&String> = owners.iter().filter(|o| owner.is_none_or(|want| want == o.as_str())).collect();
            conds.retain(|c| !c.starts_with("owner"));
            let filter = conds.join(" AND ");
            let mut sql = String::from(REACH_LETS);
            for i in 0..owners.len() {
                sql.push_str(&format!(
                    "\nSELECT {key_fields} FROM crm_record WITH INDEX crm_record_owner WHERE owner = $reach_owners[{i}] AND {filter};"
                ));
            }
            let vars = merge(vars, json!({ "reach_owner_ids": owners }));
            let mut keys: Vec<Key> = Vec::new();
            if !owners.is_empty() {
                let mut rows = ctx.state.db.query(&sql, vars).await?;
                for i in 0..owners.len() {
                    keys.extend(rows.all::<Key>(2 + i)?);
                }
            }
            total = keys.len() as u64;
            items = page_of(ctx, keys, page, per_page, sort).await?;
        }
        // Every owner (All, or a public default): per company in reach, the first `start + limit`
        // in the list's order on the (company, module, updated_at) index, or the (company, module,
        // search_text) one by title, and the count, merged here; one query over `company IN
        // [...]` would read every record of the module.
        None => {
            let companies: Vec<&String> = reach.companies.iter().filter(|c| company.is_none_or(|want| want == c.as_str())).collect();
            conds.retain(|c| !c.starts_with("company"));
            let filter = conds.join(" AND ");
            let index = if matches!(sort, RecordSort::TitleAsc | RecordSort::TitleDesc) { "crm_record_company_title" } else { "crm_record_company" };
            let order = order_by(sort);
            let mut sql = String::from(REACH_LETS);
            for (i, c) in companies.iter().enumerate() {
                // With the company and module written as literals, SurrealDB 3.3 counts on the
                // index alone (an IndexCountScan, ~10× faster than with parameters). Both are
                // checked values: our own record keys and a module name.
                let count_on = match literal_key(c) {
                    Some(key) if conds.len() == 1 => format!("company = company:{key} AND module = '{module:?}'"),
                    _ => format!("company = $reach_companies[{i}] AND {filter}"),
                };
                sql.push_str(&format!(
                    "\nSELECT {key_fields} FROM crm_record WITH INDEX {index}
                        WHERE company = $reach_companies[{i}] AND {filter} ORDER BY {order} LIMIT $top;
                     SELECT count() AS total FROM crm_record WHERE {count_on} GROUP ALL;"
                ));
            }
            let vars = merge(vars, json!({ "reach_company_ids": companies }));
            #[derive(Deserialize)]
            struct Total {
                total: u64,
            }
            let mut keys: Vec<Key> = Vec::new();
            let mut sum = 0;
            if !companies.is_empty() {
                let mut rows = ctx.state.db.query(&sql, vars).await?;
                for i in 0..companies.len() {
                    keys.extend(rows.all::<Key>(2 + 2 * i)?);
                    sum += rows.first::<Total>(3 + 2 * i)?.map(|t| t.total).unwrap_or(0);
                }
            }
            total = sum;
            items = page_of(ctx, keys, page, per_page, sort).await?;
        }
    }
    let items = items.into_iter().filter_map(|s| to_row(s, &visible)).collect();
    Ok(RecordPage {
        module,
        reach: reach_text(&engine, &me.user_id, module, &reach),
        columns: visible,
        page: Page { items, total, page, per_page },
        // During "view as" nothing can be written or exported: no buttons for it either.
        can_create: me.viewed_by.is_none() && engine.module_level(&me.user_id, module, Action::Create) > crate::access::Level::None,
        can_export: me.viewed_by.is_none() && engine.module_level(&me.user_id, module, Action::Export) > crate::access::Level::None,
    })
}

/// Loads a record of `module` that `me` may see (View); anything else is the same 404.
async fn load_visible(ctx: &RequestCtx, engine: &Engine, me: &Principal, module: Module, id: &str) -> Result<(Stored, Vec<FieldMeta>), ApiError> {
    let stored: Stored = ctx
        .state
        .db
        .query(&format!("SELECT {RECORD_FIELDS} FROM type::record('crm_record', $id);"), json!({ "id": id }))
        .await?
        .first(0)?
        .ok_or_else(not_found)?;
    if parse_module(&stored.module) != Some(module) {
        return Err(not_found());
    }
    let rec = RecordRef { owner: &stored.owner.id, company: &stored.company.id };
    if !engine.decide(&me.user_id, module, Action::View, Some(rec)).allowed() {
        return Err(not_found());
    }
    let visible = visible_fields(engine, &me.user_id, module);
    Ok((stored, visible))
}

fn detail(engine: &Engine, me: &Principal, stored: Stored, visible: Vec<FieldMeta>) -> Result<RecordDetail, ApiError> {
    let module = parse_module(&stored.module).ok_or_else(not_found)?;
    let rec = RecordRef { owner: &stored.owner.id, company: &stored.company.id };
    let writable = me.viewed_by.is_none();
    let can_edit = writable && engine.decide(&me.user_id, module, Action::Edit, Some(rec)).allowed();
    let can_delete = writable && engine.decide(&me.user_id, module, Action::Delete, Some(rec)).allowed();
    let record = to_row(stored, &visible).ok_or_else(not_found)?;
    Ok(RecordDetail { record, fields: visible, can_edit, can_delete, can_assign: can_edit })
}

/// The one way a record is loaded to act on it: View on the module and on the record (else the
/// same 404 as a record that does not exist), then `action` on the record (403 naming `verb`).
async fn load_record_for(
    ctx: &RequestCtx,
    module: Module,
    id: &str,
    action: Action,
    verb: &str,
) -> Result<(Principal, std::sync::Arc<Engine>, Stored), ApiError> {
    let (me, engine) = ctx.require(module, Action::View).await?;
    let (stored, _) = load_visible(ctx, &engine, &me, module, id).await?;
    let rec = RecordRef { owner: &stored.owner.id, company: &stored.company.id };
    if let Some(denial) = engine.decide(&me.user_id, module, action, Some(rec)).denial() {
        return Err(ApiError::Forbidden(format!("you may view this record but not {verb} it ({})", denial.message())));
    }
    Ok((me, engine, stored))
}

pub async fn get(ctx: &RequestCtx, module: Module, id: &str) -> Result<RecordDetail, ApiError> {
    let (me, engine) = ctx.require(module, Action::View).await?;
    let (stored, visible) = load_visible(ctx, &engine, &me, module, id).await?;
    detail(&engine, &me, stored, visible)
}

/// Shown by name on the record page; the rest are counted.
const AUDIENCE_NAMED: usize = 50;

/// Who can see a record and why: everyone in the caller's reach whom the engine lets view it,
/// with the engine's own reasons (grant, hierarchy, default, sharing rule). The caller must see
/// the record and may read access setups (Roles & profiles / View).
pub async fn audience(ctx: &RequestCtx, module: Module, id: &str) -> Result<RecordAudience, ApiError> {
    let (me, engine) = ctx.require(module, Action::View).await?;
    let (stored, _) = load_visible(ctx, &engine, &me, module, id).await?;
    let setups = engine.decide(&me.user_id, Module::RolesProfiles, Action::View, None);
    if !setups.allowed() {
        return Err(ApiError::Forbidden(format!("seeing who can see a record needs View on Roles & profiles ({})", setups.why_not())));
    }
    let rec = RecordRef { owner: &stored.owner.id, company: &stored.company.id };
    let key = engine.record_key(rec);
    let mut seeing: Vec<&crate::access::OrgUser> = engine
        .org()
        .users
        .iter()
        .filter(|u| engine.user_index(&u.id).is_some_and(|i| engine.allows(i, module, Action::View, Some(key))))
        .filter(|u| u.id == me.user_id || engine.decide_on_user(&me.user_id, Action::View, &u.id).allowed())
        .collect();
    seeing.sort_by_key(|u| u.name.to_lowercase());
    let people = seeing
        .iter()
        .take(AUDIENCE_NAMED)
        .map(|u| {
            let view = engine.decide(&u.id, module, Action::View, Some(rec));
            let edit = engine.decide(&u.id, module, Action::Edit, Some(rec)).allowed();
            AudienceEntry {
                id: u.id.clone(),
                name: u.name.clone(),
                access: if edit { "View and edit".into() } else { "View".into() },
                reasons: view.reasons().to_vec(),
            }
        })
        .collect();
    Ok(RecordAudience { total: seeing.len() as u64, people })
}

fn changed_meanwhile() -> ApiError {
    ApiError::Conflict("someone changed this record meanwhile; reload it and try again".into())
}

/// Refuses writes to fields the user may not write: any value for a hidden field, a changed
/// value for a read-only one.
fn check_writable(engine: &Engine, user: &str, module: Module, values: &BTreeMap<String, String>, current: &BTreeMap<String, String>) -> Result<(), ApiError> {
    let rules = engine.field_rules(user, module);
    for (name, value) in values {
        let label = record_fields(module).iter().find(|f| f.name == name).map(|f| f.label).unwrap_or(name);
        match rules.get(name).copied().unwrap_or_default() {
            FieldRule::Hidden => {
                return Err(ApiError::Forbidden(format!("you may not write {label}: the field is hidden for you")));
            }
            FieldRule::ReadOnly if current.get(name).map(String::as_str).unwrap_or("") != value => {
                return Err(ApiError::Forbidden(format!("you may not change {label}: the field is read-only for you")));
            }
            _ => {}
        }
    }
    Ok(())
}

fn search_text(module: Module, attrs: &BTreeMap<String, String>) -> String {
    record_fields(module).iter().find(|f| f.title).and_then(|f| attrs.get(f.name)).map(|t| t.to_lowercase()).unwrap_or_default()
}

/// May `me` hand records of `module` in `company` to `owner`? The owner must be active, have the
/// company in their company access and be able to view the module; and a record owned by them
/// must be within `me`'s Create reach (Create's level says whose records one may create).
fn check_owner(engine: &Engine, me: &UserId, module: Module, company: &CompanyId, owner: &UserId) -> Result<(), ApiError> {
    let refuse = |why: &str| Err(ApiError::field("owner", why));
    // Reach first: nothing is said about people outside it.
    if !engine.decide(me, module, Action::Create, Some(RecordRef { owner, company })).allowed() {
        return refuse("you may not assign records to this person (outside your Create reach)");
    }
    let active = engine.org().users.iter().any(|u| *owner == u.id && u.status == crate::access::UserStatus::Active);
    if !active || engine.module_level(owner, module, Action::View) == crate::access::Level::None {
        return refuse("this person cannot work on this module (not active, no access or no license)");
    }
    if !engine.companies_of(owner).iter().any(|c| *company == *c) {
        return refuse("this person has no access to the record's company");
    }
    Ok(())
}

/// Assigning: the new owner must be Active and allowed to View the record by the decision
/// itself (its company, the module's license, the module not hidden). The assigner may lose
/// sight of the record afterwards.
fn check_assignee(engine: &Engine, module: Module, company: &CompanyId, owner: &UserId) -> Result<(), ApiError> {
    let refuse = |why: &str| Err(ApiError::field("owner", why));
    let active = engine.org().users.iter().any(|u| *owner == u.id && u.status == crate::access::UserStatus::Active);
    if !active {
        return refuse("records go to active people only; this person is not active");
    }
    if !engine.decide(owner, module, Action::View, Some(RecordRef { owner, company })).allowed() {
        return refuse("this person could not view the record (no access to its company or to the module, or no license)");
    }
    Ok(())
}

/// The record as its writer now sees it, or None when the write took it out of their reach
/// (created for someone their View does not reach, or assigned away): the write stands.
async fn after_write(ctx: &RequestCtx, module: Module, id: &str) -> Result<Option<RecordDetail>, ApiError> {
    match get(ctx, module, id).await {
        Ok(d) => Ok(Some(d)),
        Err(ApiError::NotFound(_) | ApiError::Forbidden(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn create(ctx: &RequestCtx, module: Module, input: &RecordInput) -> Result<Option<RecordDetail>, ApiError> {
    if !module.is_record_module() {
        return Err(ApiError::BadRequest("choose a record module".into()));
    }
    let (me, engine) = ctx.require(module, Action::Create).await?;
    let mut values = check_values(module, &input.values).map_err(ApiError::fields)?;
    values.retain(|_, v| !v.is_empty());
    for f in record_fields(module).iter().filter(|f| f.title) {
        if !values.contains_key(f.name) {
            return Err(ApiError::field(f.name, format!("{} is required", f.label)));
        }
    }
    check_writable(&engine, &me.user_id, module, &values, &BTreeMap::new())?;
    let company = input.company.clone().filter(|c| !c.is_empty()).map(CompanyId::new).ok_or_else(|| ApiError::field("company", "choose a company"))?;
    if !engine.companies_of(&me.user_id).iter().any(|c| company == *c) {
        return Err(ApiError::field("company", "you have no access to this company"));
    }
    if !engine.org().companies.iter().any(|c| company == *c) {
        return Err(ApiError::field("company", "this company is archived; choose another"));
    }
    let owner = input.owner.clone().filter(|o| !o.is_empty()).map(UserId::new).unwrap_or_else(|| me.user_id.clone());
    check_owner(&engine, &me.user_id, module, &company, &owner)?;
    let id = new_id();
    let after = json!({ "module": module, "owner": owner, "company": company, "values": values });
    let title = search_text(module, &values);
    let mut work = Work::new(ctx);
    work.run(record::create(
        &record::NewRecord { id: &id, module, attrs: &values, search: title.clone(), owner: &owner, company: &company, created_by: &me.user_id },
        now_ms(),
    ))
    .audit(Audit::new(AuditAction::RecordCreate, AuditTarget::Record, Some(&id)).by(&me).label(title).after(after));
    work.commit(&ctx.state).await?;
    after_write(ctx, module, &id).await
}

pub async fn update(ctx: &RequestCtx, module: Module, id: &str, input: &RecordInput) -> Result<RecordDetail, ApiError> {
    let (me, engine, stored) = load_record_for(ctx, module, id, Action::Edit, "edit").await?;
    let values = check_values(module, &input.values).map_err(ApiError::fields)?;
    check_writable(&engine, &me.user_id, module, &values, &stored.attrs)?;
    let mut attrs = stored.attrs.clone();
    for (k, v) in &values {
        if v.is_empty() {
            attrs.remove(k);
        } else {
            attrs.insert(k.clone(), v.clone());
        }
    }
    for f in record_fields(module).iter().filter(|f| f.title) {
        if !attrs.contains_key(f.name) {
            return Err(ApiError::field(f.name, format!("{} is required", f.label)));
        }
    }
    let changed: BTreeMap<&String, &String> = values.iter().filter(|(k, v)| stored.attrs.get(*k) != Some(v)).collect();
    if !changed.is_empty() {
        let before: BTreeMap<&String, Option<&String>> = changed.keys().map(|k| (*k, stored.attrs.get(*k))).collect();
        let title = search_text(module, &attrs);
        let mut work = Work::new(ctx);
        work.run(record::update_if_unchanged(id, record::Update::Values { attrs: &attrs, search: title.clone() }, stored.updated_at, now_ms()))
            .refuse_if(record::changed_meanwhile(), changed_meanwhile())
            .audit(
                Audit::new(AuditAction::RecordUpdate, AuditTarget::Record, Some(id))
                    .by(&me)
                    .label(title)
                    .before(json!({ "module": module, "values": before }))
                    .after(json!({ "module": module, "values": changed })),
            );
        work.commit(&ctx.state).await?;
    }
    get(ctx, module, id).await
}


pub async fn delete(ctx: &RequestCtx, module: Module, id: &str) -> Result<(), ApiError> {
    let (me, _, stored) = load_record_for(ctx, module, id, Action::Delete, "delete").await?;
    let before = json!({ "module": module, "owner": stored.owner.id, "company": stored.company.id, "values": stored.attrs });
    // The record is gone when the row is written: it names the company itself.
    let mut work = Work::new(ctx);
    work.run(record::delete(id)).audit(
        Audit::new(AuditAction::RecordDelete, AuditTarget::Record, Some(id))
            .by(&me)
            .label(search_text(module, &stored.attrs))
            .before(before)
            .companies(vec![stored.company.id.clone()]),
    );
    work.commit(&ctx.state).await?;
    Ok(())
}

/// Assign (Edit of the owner field) to someone the assigner may hand records to.
pub async fn assign(ctx: &RequestCtx, module: Module, id: &str, owner: &str) -> Result<Option<RecordDetail>, ApiError> {
    let (me, engine, stored) = load_record_for(ctx, module, id, Action::Edit, "reassign").await?;
    let owner = &UserId::new(owner);
    check_assignee(&engine, module, &CompanyId::new(stored.company.id.as_str()), owner)?;
    if *owner != stored.owner.id {
        let mut work = Work::new(ctx);
        work.run(record::update_if_unchanged(id, record::Update::Owner(owner), stored.updated_at, now_ms()))
            .refuse_if(record::changed_meanwhile(), changed_meanwhile())
            .audit(
                Audit::new(AuditAction::RecordAssign, AuditTarget::Record, Some(id))
                    .by(&me)
                    .label(search_text(module, &stored.attrs))
                    .before(json!({ "module": module, "owner": stored.owner.id }))
                    .after(json!({ "module": module, "owner": owner })),
            );
        work.commit(&ctx.state).await?;
    }
    after_write(ctx, module, id).await
}

/// Who `me` may hand records of `module` in `company` to, and which companies they may create in.
pub async fn choices(ctx: &RequestCtx, module: Module, company: Option<&str>) -> Result<RecordChoices, ApiError> {
    if !module.is_record_module() {
        return Err(ApiError::BadRequest("choose a record module".into()));
    }
    let (me, engine) = ctx.require(module, Action::View).await?;
    let mine = engine.companies_of(&me.user_id);
    #[derive(Deserialize)]
    struct Named {
        id: String,
        name: String,
    }
    let rows: Vec<Named> = ctx
        .state
        .db
        .query(
            "SELECT record::id(id) AS id, name FROM company WHERE record::id(id) IN $ids AND archived = false ORDER BY name;",
            json!({ "ids": mine }),
        )
        .await?
        .all(0)?;
    let companies: Vec<NamedRef> = rows.into_iter().map(|r| NamedRef { id: r.id, name: r.name }).collect();
    let company = company.map(CompanyId::from).or_else(|| companies.first().map(|c| CompanyId::new(c.id.as_str())));
    let owners = match company {
        Some(c) if mine.iter().any(|m| c == *m) => engine
            .org()
            .users
            .iter()
            .filter(|u| check_owner(&engine, &me.user_id, module, &c, &UserId::new(u.id.as_str())).is_ok())
            .map(|u| NamedRef { id: u.id.clone(), name: u.name.clone() })
            .collect(),
        _ => Vec::new(),
    };
    Ok(RecordChoices { companies, owners, fields: visible_fields(&engine, &me.user_id, module) })
}

/// Offboarding: every record of `from` that `me` may edit goes to `to`, module by module, in one
/// transaction with one audit row per module. Records `me` may not edit, or in a company `to`
/// has no access to, stay where they are and are counted.
pub async fn reassign_all(ctx: &RequestCtx, from: &UserId, to: &UserId, dry_run: bool) -> Result<ReassignResult, ApiError> {
    let me = ctx.require_user().await?;
    let engine = ctx.engine().await?;
    // Offboarding is a change to the leaving person's account: Edit on Users over them. An
    // unknown id gets the same answer as one out of reach.
    let d = engine.decide_on_user(&me.user_id, Action::Edit, from);
    if engine.user_index(from).is_none() || engine.user_index(to).is_none() {
        return Err(ApiError::NotFound("no such user, or not one you can see".into()));
    }
    if !d.allowed() {
        return Err(ApiError::Forbidden(format!("you may not reassign this person's records ({})", d.why_not())));
    }
    if from == to {
        return Err(ApiError::field("to", "choose someone other than the current owner"));
    }
    let (any_module, moves) = reassign_moves(&engine, &me.user_id, from, to);
    if !any_module {
        return Err(ApiError::forbidden("you may not edit records of any module"));
    }
    if dry_run {
        // What the reassignment would move (the same selection, counted), nothing written.
        let db = &ctx.state.db;
        let mut moved = Vec::new();
        let mut total = 0;
        for (_, module, companies) in &moves {
            let n: u64 = record::count_owned(*module, from, companies).eval(db).await?.unwrap_or(0);
            total += n;
            moved.push((module.label().to_string(), n));
        }
        let held: u64 = record::count_in(from, &engine.companies_of(&me.user_id)).eval(db).await?.unwrap_or(0);
        return Ok(ReassignResult { moved, left: held.saturating_sub(total) });
    }
    let mut work = Work::new(ctx);
    let now = now_ms();
    for (i, module, companies) in &moves {
        work.run(record::reassign(*i, *module, from, to, companies, now));
    }
    let moves: Vec<(usize, Module)> = moves.into_iter().map(|(i, m, _)| (i, m)).collect();
    let mut counts = Vec::new();
    for (i, module) in &moves {
        let audit = Audit::user(AuditAction::RecordReassign, from)
            .by(&me)
            .before(json!({ "owner": from, "module": module.label() }))
            .after(json!({ "owner": to }));
        work.audit_with(audit, |a| {
            format!("IF array::len($moved{i}) > 0 {{ CREATE audit CONTENT object::extend(${a}, {{ after: object::extend(${a}.after, {{ records: array::len($moved{i}) }}) }}); }};")
        });
        counts.push(format!("array::len($moved{i})"));
    }
    // What stays with the leaving person, counted inside the caller's own companies only.
    work.run(record::count_left(from, &engine.companies_of(&me.user_id))).returning(&format!("{{ moved: [{}], left: $left }}", counts.join(", ")));
    #[derive(Deserialize)]
    struct Outcome {
        moved: Vec<u64>,
        left: u64,
    }
    let Outcome { moved: counts, left } = work.commit_returning(&ctx.state).await?;
    let moved = moves.iter().zip(counts).map(|((_, m), c)| (m.label().to_string(), c)).collect();
    Ok(ReassignResult { moved, left })
}

/// What of `from`'s records `me` may hand to `to`: per record module (numbered for the
/// statements' variables), the companies where `me` reaches them and `to` may own them. The
/// flag says whether `me` may edit records of any module at all.
pub fn reassign_moves(engine: &Engine, me: &UserId, from: &UserId, to: &UserId) -> (bool, Vec<(usize, Module, Vec<String>)>) {
    let mut moves = Vec::new();
    let mut any_module = false;
    for (i, module) in Module::RECORDS.into_iter().enumerate() {
        let Some(reach) = engine.record_reach(me, module, Action::Edit) else { continue };
        any_module = true;
        if reach.owners.as_ref().is_some_and(|o| !o.iter().any(|x| x == from)) {
            continue;
        }
        let companies: Vec<String> =
            reach.companies.iter().filter(|c| check_owner(engine, me, module, &CompanyId::new(c.as_str()), to).is_ok()).cloned().collect();
        if !companies.is_empty() {
            moves.push((i, module, companies));
        }
    }
    (any_module, moves)
}

/// The list as CSV: only with Export, only the rows and fields in reach; audited.
pub async fn export(ctx: &RequestCtx, q: &RecordQuery) -> Result<String, ApiError> {
    let module = q.module.filter(|m| m.is_record_module()).ok_or_else(|| ApiError::BadRequest("choose a record module".into()))?;
    let (me, engine) = ctx.require(module, Action::Export).await?;
    let reach = engine.record_reach(&me.user_id, module, Action::Export).ok_or_else(|| ApiError::forbidden("you may not export this module"))?;
    let visible = visible_fields(&engine, &me.user_id, module);
    let (mut conds, vars) = reach_filter(module, &reach);
    let search = q.search.trim().to_lowercase();
    let title_visible = record_fields(module).iter().any(|f| f.title && visible.iter().any(|v| v.name == f.name));
    if !search.is_empty() {
        conds.push(if title_visible { "string::contains(search_text, $q)" } else { "false" });
    }
    // The list's company filter applies to its export too (inside reach, as always).
    let company = q.company.as_deref().filter(|s| !s.is_empty());
    if company.is_some() {
        conds.push("company = type::record('company', $company)");
    }
    let filter = conds.join(" AND ");
    // In the list's order (what the screen showed is what the file holds).
    let order = order_by(sort_for(q.sort, title_visible));
    let sql = format!("{REACH_LETS} SELECT {RECORD_FIELDS} FROM crm_record WHERE {filter} ORDER BY {order} LIMIT $limit;");
    let items: Vec<Stored> =
        ctx.state.db.query(&sql, merge(vars, json!({ "q": search, "company": company, "limit": EXPORT_LIMIT }))).await?.all(2)?;
    let mut out = String::from("id");
    for f in &visible {
        out.push(',');
        out.push_str(&csv_cell(&f.label));
    }
    out.push_str(",owner,company,updated_utc\n");
    let rows: Vec<RecordRow> = items.into_iter().filter_map(|s| to_row(s, &visible)).collect();
    for r in &rows {
        out.push_str(&csv_cell(&r.id));
        for f in &visible {
            out.push(',');
            out.push_str(&csv_cell(r.values.get(&f.name).map(String::as_str).unwrap_or("")));
        }
        out.push_str(&format!(",{},{},{}\n", csv_cell(&r.owner.name), csv_cell(&r.company.name), format_utc(r.updated_at)));
    }
    let fields: Vec<&String> = visible.iter().map(|f| &f.name).collect();
    super::services::write_audit(
        ctx,
        Audit::new(AuditAction::RecordExport, AuditTarget::Module, Some(module_slug(module)))
            .by(&me)
            .label(module.label())
            .after(json!({ "rows": rows.len(), "fields": fields, "search": search }))
            .companies(reach.companies.clone()),
    )
    .await?;
    Ok(out)
}

/// Audit rows about records show a viewer only the field values they may see: hidden fields
/// are removed, and a module the viewer cannot open shows no values (nor the title) at all.
pub fn strip_hidden_fields(engine: &Engine, viewer: &str, rows: &mut [AuditEntry]) {
    for row in rows.iter_mut().filter(|r| r.target_kind == "record") {
        let mut title_hidden = false;
        for side in [&mut row.before, &mut row.after].into_iter().flatten() {
            let Some(module) = side.get("module").cloned().and_then(|m| serde_json::from_value::<Module>(m).ok()) else { continue };
            let opens = engine.module_level(viewer, module, Action::View) > crate::access::Level::None;
            let rules = engine.field_rules(viewer, module);
            let hidden: Vec<&str> = record_fields(module)
                .iter()
                .filter(|f| !opens || rules.get(f.name) == Some(&FieldRule::Hidden))
                .map(|f| f.name)
                .collect();
            if let Some(values) = side.get_mut("values").and_then(Value::as_object_mut) {
                values.retain(|k, _| !hidden.contains(&k.as_str()));
            }
            title_hidden |= record_fields(module).iter().any(|f| f.title && hidden.contains(&f.name));
        }
        if title_hidden {
            row.target_label = Some("(hidden)".into());
        }
    }
}


#[cfg(test)]
mod tests {
    use super::literal_key;

    #[test]
    fn only_plain_keys_are_written_into_queries() {
        assert_eq!(literal_key("northwind"), Some("northwind"));
        assert_eq!(literal_key("a1b2_c3"), Some("a1b2_c3"));
        for bad in ["", "1abc", "a b", "a;DELETE user", "a`b", "a⟩b", "co:x", &"a".repeat(65)] {
            assert_eq!(literal_key(bad), None, "{bad}");
        }
    }
}
