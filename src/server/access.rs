//! The access engine on the server: the org loaded from the database and compiled once, kept
//! in memory and rebuilt when the version stamp in the database moves. Every change the engine
//! reads adds one to the stamp in its own transaction, so a change made through any instance
//! takes effect at the next request on every instance.
//!
//! The stamp is the sum of a few counters (`access_version:0` … `:63`, and the older
//! `access_version:current`); each change adds one to a counter picked at random. The sum grows
//! by one with every committed change, whichever counter it took, and two simultaneous changes
//! collide on the stamp only when they pick the same counter (one time in 64), instead of always.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::json;
use tokio::sync::RwLock;

use super::db::{key, Db, DbError};
use crate::access::*;

/// The SurrealQL statement that moves the stamp; put it inside the changing transaction.
pub const BUMP: &str = "UPSERT type::record('access_version', rand::int(0, 63)) SET version += 1;";

#[derive(Default)]
pub struct AccessCache {
    current: RwLock<Option<(i64, Arc<Engine>)>>,
}

impl AccessCache {
    /// The compiled engine for the database's current version (rebuilt when it moved).
    pub async fn engine(&self, db: &Db) -> Result<Arc<Engine>, DbError> {
        let version = db.query("RETURN math::sum(SELECT VALUE version FROM access_version);", json!({})).await?.first::<i64>(0)?.unwrap_or(0);
        // Current: the same version, and no grant has started or ended since it was compiled.
        let current = |v: i64, engine: &Engine| v == version && engine.next_change().is_none_or(|t| super::time::now_ms() < t);
        if let Some((v, engine)) = self.current.read().await.as_ref() {
            if current(*v, engine) {
                return Ok(engine.clone());
            }
        }
        let mut slot = self.current.write().await;
        if let Some((v, engine)) = slot.as_ref() {
            if current(*v, engine) {
                return Ok(engine.clone());
            }
        }
        let started = std::time::Instant::now();
        let engine = Arc::new(Engine::compile(load_org(db).await?));
        tracing::debug!(version, ms = started.elapsed().as_millis() as u64, "access engine rebuilt");
        *slot = Some((version, engine.clone()));
        Ok(engine)
    }
}

fn keys(v: Vec<String>) -> Vec<String> {
    v.into_iter().map(|s| key(&s)).collect()
}

fn modules(v: Vec<String>) -> Vec<Module> {
    v.into_iter().filter_map(|m| serde_json::from_value(json!(m)).ok()).collect()
}

/// Reads everything the engine needs, in one round trip.
pub async fn load_org(db: &Db) -> Result<Org, DbError> {
    #[derive(Deserialize)]
    struct U {
        id: String,
        full_name: String,
        status: String,
        role: String,
        department: String,
        companies: Vec<String>,
        #[serde(default)]
        licenses: Vec<String>,
        #[serde(default)]
        hidden_modules: Vec<String>,
    }
    #[derive(Deserialize)]
    struct R {
        id: String,
        name: String,
        parent: Option<String>,
        profiles: Vec<String>,
    }
    #[derive(Deserialize)]
    struct P {
        id: String,
        name: String,
        permissions: Vec<Permission>,
        #[serde(default)]
        field_rules: Vec<FieldRuleSpec>,
    }
    #[derive(Deserialize)]
    struct D {
        id: String,
        name: String,
        parent: Option<String>,
        manager: Option<String>,
    }
    #[derive(Deserialize)]
    struct G {
        id: String,
        name: String,
        users: Vec<String>,
        groups: Vec<String>,
    }
    #[derive(Deserialize)]
    struct Gr {
        profile: String,
        to_kind: String,
        to_id: String,
        with_subdepartments: bool,
        #[serde(default)]
        starts_at: Option<i64>,
        #[serde(default)]
        ends_at: Option<i64>,
    }
    #[derive(Deserialize)]
    struct L {
        id: String,
        name: String,
        seats: u32,
        modules: Vec<String>,
    }
    #[derive(Deserialize)]
    struct C {
        id: String,
    }
    #[derive(Deserialize)]
    struct S {
        id: String,
        module: Module,
        owners: Party,
        recipients: Party,
        access: ShareAccess,
    }
    #[derive(Deserialize, Default)]
    struct AccessSettingsRow {
        #[serde(default)]
        hierarchy: Option<bool>,
        #[serde(default)]
        inactive_may_read: Option<bool>,
        #[serde(default)]
        defaults: Vec<(Module, OrgDefault)>,
    }
    #[derive(Deserialize)]
    struct SettingRow {
        value: AccessSettingsRow,
    }
    let mut rows = db
        .query(
            "SELECT record::id(id) AS id, full_name, status, <string> role AS role, <string> department AS department,
                    companies.map(|$c| <string> $c) AS companies, licenses.map(|$l| <string> $l) AS licenses, hidden_modules
                FROM user;
             SELECT record::id(id) AS id, name, IF parent { <string> parent } ELSE { NONE } AS parent,
                    profiles.map(|$p| <string> $p) AS profiles FROM role;
             SELECT record::id(id) AS id, name, permissions, field_rules FROM profile;
             SELECT record::id(id) AS id, name, IF parent { <string> parent } ELSE { NONE } AS parent,
                    IF manager { <string> manager } ELSE { NONE } AS manager FROM department;
             SELECT record::id(id) AS id, name, users.map(|$u| <string> $u) AS users,
                    groups.map(|$g| <string> $g) AS groups FROM user_group;
             SELECT <string> profile AS profile, to_kind, to_id, with_subdepartments, starts_at, ends_at FROM grant;
             SELECT record::id(id) AS id, name, seats, modules FROM license;
             SELECT record::id(id) AS id FROM company WHERE archived = false;
             SELECT record::id(id) AS id, module, owners, recipients, access FROM sharing_rule;
             SELECT * FROM setting:access;
             SELECT * FROM setting:lifetimes;
             SELECT kind, user, target, starts_at, ends_at FROM access_window;",
            json!({}),
        )
        .await?;
    let users: Vec<U> = rows.all(0)?;
    let roles: Vec<R> = rows.all(1)?;
    let profiles: Vec<P> = rows.all(2)?;
    let departments: Vec<D> = rows.all(3)?;
    let groups: Vec<G> = rows.all(4)?;
    let grants: Vec<Gr> = rows.all(5)?;
    let licenses: Vec<L> = rows.all(6)?;
    let companies: Vec<C> = rows.all(7)?;
    let sharing: Vec<S> = rows.all(8)?;
    let settings = rows.first::<SettingRow>(9)?.map(|s| s.value).unwrap_or_default();
    #[derive(Deserialize)]
    struct LifetimesRow {
        value: Lifetimes,
    }
    let lifetimes = rows.first::<LifetimesRow>(10)?.map(|s| s.value).unwrap_or_default();
    #[derive(Deserialize)]
    struct W {
        kind: String,
        user: String,
        target: String,
        #[serde(default)]
        starts_at: Option<i64>,
        #[serde(default)]
        ends_at: Option<i64>,
    }
    let windows: Vec<W> = rows.all(11)?;
    // Archived companies are out of everyone's reach until restored: no user's company access
    // counts them.
    let live: std::collections::HashSet<&str> = companies.iter().map(|c| c.id.as_str()).collect();
    let live_only = |v: Vec<String>| -> Vec<String> { keys(v).into_iter().filter(|c| live.contains(c.as_str())).collect() };
    Ok(Org {
        users: users
            .into_iter()
            .map(|u| OrgUser {
                id: u.id,
                name: u.full_name,
                status: UserStatus::parse(&u.status).unwrap_or(UserStatus::Blocked),
                role: key(&u.role),
                department: key(&u.department),
                companies: live_only(u.companies),
                licenses: keys(u.licenses),
                hidden_modules: modules(u.hidden_modules),
            })
            .collect(),
        roles: roles
            .into_iter()
            .map(|r| OrgRole { id: r.id, name: r.name, parent: r.parent.map(|p| key(&p)), profiles: keys(r.profiles) })
            .collect(),
        profiles: profiles
            .into_iter()
            .map(|p| OrgProfile { id: p.id, name: p.name, permissions: p.permissions, field_rules: p.field_rules })
            .collect(),
        departments: departments
            .into_iter()
            .map(|d| OrgDepartment { id: d.id, name: d.name, parent: d.parent.map(|p| key(&p)), manager: d.manager.map(|m| key(&m)) })
            .collect(),
        groups: groups
            .into_iter()
            .map(|g| OrgGroup { id: g.id, name: g.name, users: keys(g.users), groups: keys(g.groups) })
            .collect(),
        grants: grants
            .into_iter()
            .filter_map(|g| {
                let to = match g.to_kind.as_str() {
                    "user" => Grantee::User(g.to_id),
                    "group" => Grantee::Group(g.to_id),
                    "department" => Grantee::Department { id: g.to_id, with_subdepartments: g.with_subdepartments },
                    _ => return None,
                };
                Some(OrgGrant { profile: key(&g.profile), to, from: g.starts_at, until: g.ends_at })
            })
            .collect(),
        licenses: licenses
            .into_iter()
            .map(|l| OrgLicense { id: l.id, name: l.name, seats: l.seats, modules: modules(l.modules) })
            .collect(),
        companies: companies.iter().map(|c| c.id.clone()).collect(),
        defaults: settings.defaults,
        sharing_rules: sharing
            .into_iter()
            .map(|s| SharingRule { id: s.id, module: s.module, owners: s.owners, recipients: s.recipients, access: s.access })
            .collect(),
        settings: AccessSettings {
            hierarchy: settings.hierarchy.unwrap_or(true),
            inactive_may_read: settings.inactive_may_read.unwrap_or(false),
            lifetimes,
        },
        windows: windows
            .into_iter()
            .filter_map(|w| Some(HeldWindow { what: Holding::parse(&w.kind, &w.target)?, user: w.user, from: w.starts_at, until: w.ends_at }))
            .collect(),
        at: Some(super::time::now_ms()),
    })
}
