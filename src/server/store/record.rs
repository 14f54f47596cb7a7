//! The `crm_record` table's writes.

use std::collections::BTreeMap;

use serde_json::json;

use super::Stmt;
use crate::access::Module;

pub struct NewRecord<'a> {
    pub id: &'a str,
    pub module: Module,
    pub attrs: &'a BTreeMap<String, String>,
    pub search: String,
    pub owner: &'a str,
    pub company: &'a str,
    pub created_by: &'a str,
}

pub fn create(r: &NewRecord<'_>, now: i64) -> Stmt {
    Stmt::new(
        "CREATE type::record('crm_record', $id) SET module = $module, attrs = $attrs, search_text = $search,
            owner = type::record('user', $owner), company = type::record('company', $company),
            created_by = type::record('user', $me), created_at = $now, updated_at = $now;",
        json!({
            "id": r.id, "module": format!("{:?}", r.module), "attrs": r.attrs, "search": r.search,
            "owner": r.owner, "company": r.company, "me": r.created_by, "now": now,
        }),
    )
}

/// What an update of record `id` sets, applied only if nobody changed it since it was read at
/// `loaded` (see [`changed_meanwhile`]).
pub enum Update<'a> {
    Values { attrs: &'a BTreeMap<String, String>, search: String },
    Owner(&'a str),
}

pub fn update_if_unchanged(id: &str, update: Update<'_>, loaded: i64, now: i64) -> Stmt {
    let (set, vars) = match update {
        Update::Values { attrs, search } => ("attrs = $attrs, search_text = $search", json!({ "attrs": attrs, "search": search })),
        Update::Owner(owner) => ("owner = type::record('user', $owner)", json!({ "owner": owner })),
    };
    Stmt::new(
        format!("LET $done = (UPDATE type::record('crm_record', $id) SET {set}, updated_at = $now WHERE updated_at = $loaded RETURN VALUE id);"),
        vars,
    )
    .with("id", id)
    .with("loaded", loaded)
    .with("now", now)
}

/// After [`update_if_unchanged`]: nothing was updated (someone changed the record meanwhile).
pub fn changed_meanwhile() -> Stmt {
    Stmt::new("array::len($done) = 0", json!({}))
}

pub fn delete(id: &str) -> Stmt {
    Stmt::new("DELETE type::record('crm_record', $id);", json!({ "id": id }))
}

/// Moves `from`'s records of `module` in `companies` to `to`; their ids are kept in `$moved{n}`.
pub fn reassign(n: usize, module: Module, from: &str, to: &str, companies: &[String], now: i64) -> Stmt {
    Stmt::new(
        format!(
            "LET $moved{n} = (UPDATE crm_record SET owner = type::record('user', $to), updated_at = $now
                WHERE module = $module AND owner = type::record('user', $from)
                AND company IN $companies.map(|$c| type::record('company', $c)) RETURN VALUE record::id(id));"
        ),
        json!({ "module": format!("{module:?}"), "from": from, "to": to, "companies": companies, "now": now }),
    )
}

/// How many records `owner` keeps in `companies`, into `$left`.
pub fn count_left(owner: &str, companies: &[String]) -> Stmt {
    Stmt::new(
        "LET $left = (SELECT count() AS n FROM crm_record WHERE owner = type::record('user', $from)
            AND company IN $mine.map(|$c| type::record('company', $c)) GROUP ALL)[0].n OR 0;",
        json!({ "from": owner, "mine": companies }),
    )
}

/// How many records of `module` `owner` holds in `companies`.
pub fn count_owned(module: Module, owner: &str, companies: &[String]) -> Stmt {
    Stmt::new(
        "array::len((SELECT VALUE id FROM crm_record WHERE module = $module AND owner = type::record('user', $owner)
            AND company IN $companies.map(|$c| type::record('company', $c))))",
        json!({ "module": format!("{module:?}"), "owner": owner, "companies": companies }),
    )
}

/// How many records `owner` holds in `companies`, whatever their module.
pub fn count_in(owner: &str, companies: &[String]) -> Stmt {
    Stmt::new(
        "array::len((SELECT VALUE id FROM crm_record WHERE owner = type::record('user', $owner)
            AND company IN $companies.map(|$c| type::record('company', $c))))",
        json!({ "owner": owner, "companies": companies }),
    )
}
