//! Quick find: people, roles, groups and records by name in one call, each read through the same
//! services (and so the same checks) as its own page, and only in the modules the person may
//! open.

use super::http::RequestCtx;
use crate::access::{Action, Module};
use crate::domain::{count, ApiError, Found, FoundKind, RecordQuery, RecordSort, UserQuery};

/// At most this many people, roles and groups; records per module.
const EACH: usize = 5;
const RECORDS_EACH: u32 = 3;

pub async fn find(ctx: &RequestCtx, term: &str) -> Result<Vec<Found>, ApiError> {
    let me = ctx.require_user().await?;
    let term = term.trim();
    let length = term.chars().count();
    if length < 2 {
        return Err(ApiError::field("term", "type at least two letters"));
    }
    if length > 100 {
        return Err(ApiError::field("term", "search with at most 100 characters"));
    }
    let engine = ctx.engine().await?;
    let may = |m: Module| engine.decide(&me.user_id, m, Action::View, None).allowed();
    let lower = term.to_lowercase();
    let mut found = Vec::new();
    if may(Module::Users) {
        let query = UserQuery { search: term.to_string(), per_page: EACH as u32, ..Default::default() };
        let page = super::users::list_users(ctx, &query).await?;
        found.extend(page.items.into_iter().map(|u| Found { kind: FoundKind::Person, id: u.id, name: u.full_name, sub: u.email }));
    }
    let org = engine.org();
    if may(Module::RolesProfiles) {
        found.extend(by_name(&org.roles, |r| &r.name, &lower).into_iter().map(|r| Found {
            kind: FoundKind::Role,
            id: r.id.clone(),
            name: r.name.clone(),
            sub: "Roles & profiles".into(),
        }));
    }
    if may(Module::DepartmentsGroups) {
        found.extend(by_name(&org.groups, |g| &g.name, &lower).into_iter().map(|g| Found {
            kind: FoundKind::Group,
            id: g.id.clone(),
            name: g.name.clone(),
            sub: count(g.users.len() as u64, "member", "members"),
        }));
    }
    for module in Module::RECORDS.into_iter().filter(|m| may(*m)) {
        let query = RecordQuery { module: Some(module), search: term.to_string(), owner: None, company: None, page: 1, per_page: RECORDS_EACH, sort: RecordSort::Newest };
        let list = super::records::list(ctx, &query).await?;
        found.extend(list.page.items.into_iter().map(|r| Found {
            kind: FoundKind::Record(module),
            id: r.id,
            name: r.title,
            sub: format!("{} · {}", r.owner.name, r.company.name),
        }));
    }
    Ok(found)
}

/// The first few whose name holds `lower`, in alphabetical order.
fn by_name<'a, T>(items: &'a [T], name: impl Fn(&T) -> &String, lower: &str) -> Vec<&'a T> {
    let mut hits: Vec<&T> = items.iter().filter(|x| name(x).to_lowercase().contains(lower)).collect();
    hits.sort_by_key(|x| name(x).to_lowercase());
    hits.truncate(EACH);
    hits
}
