//! The users directory: each user's list fields (search text, status, role, department,
//! companies, licenses, sort keys) held in memory so the users list can search by substring,
//! filter, count and sort 100k users in a few milliseconds, which no SurrealDB index does for a
//! substring inside one company.
//!
//! It is a cache, never the truth: it is loaded from the `user` table and kept current from the
//! table's change feed (`SHOW CHANGES`), read at the start of every list request. A change made
//! through any instance is in the feed once committed, so every instance lists it at its next
//! request. A full reload happens at start, when the feed cannot answer from where this
//! instance stopped, or when the instance was idle for longer than the feed keeps changes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use super::db::{key, Db, DbError};

/// Changes the feed keeps (see migration 0006); reload well before they may be gone.
const RELOAD_AFTER: Duration = Duration::from_secs(12 * 3600);
const FEED_BATCH: u32 = 1000;

/// One user as the list filters and sorts them.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub id: String,
    /// Lower-cased "name email mobile"; starts with the name, so it is also the name sort key.
    pub search: String,
    pub email_key: String,
    pub status: String,
    pub role: String,
    pub department: String,
    pub companies: Vec<String>,
    pub licenses: Vec<String>,
    pub created_at: i64,
    pub last_sign_in_at: Option<i64>,
    /// A second factor is set up.
    pub second_factor: bool,
}

#[derive(Deserialize)]
struct Raw {
    id: String,
    #[serde(default)]
    search_text: String,
    #[serde(default)]
    email_key: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    companies: Vec<String>,
    #[serde(default)]
    licenses: Vec<String>,
    #[serde(default)]
    created_at: i64,
    #[serde(default)]
    last_sign_in_at: Option<i64>,
    #[serde(default)]
    second_factor: Option<String>,
}

impl From<Raw> for Entry {
    fn from(r: Raw) -> Self {
        Entry {
            id: key(&r.id),
            search: r.search_text,
            email_key: r.email_key,
            status: r.status,
            role: r.role.as_deref().map(key).unwrap_or_default(),
            department: r.department.as_deref().map(key).unwrap_or_default(),
            companies: r.companies.iter().map(|c| key(c)).collect(),
            licenses: r.licenses.iter().map(|l| key(l)).collect(),
            created_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
            second_factor: r.second_factor.is_some(),
        }
    }
}

/// The loaded directory and where in the change feed it stands. Cloned only when a change
/// arrives while a reader still holds the previous one.
#[derive(Default, Clone)]
pub struct Snapshot {
    pub users: HashMap<String, Entry>,
    /// The feed position: changes after this versionstamp are not applied yet.
    versionstamp: Option<u64>,
    loaded_at: Option<Instant>,
}

#[derive(Default)]
pub struct Directory {
    inner: Mutex<Arc<Snapshot>>,
}

#[derive(Deserialize)]
struct ChangeSet {
    versionstamp: u64,
    #[serde(default)]
    changes: Vec<Value>,
}

impl Directory {
    /// The directory as of now: applies the feed's new changes (or reloads) first.
    pub async fn current(&self, db: &Db) -> Result<Arc<Snapshot>, DbError> {
        let mut guard = self.inner.lock().await;
        let stale = guard.loaded_at.is_none_or(|t| t.elapsed() > RELOAD_AFTER);
        if stale {
            *guard = Arc::new(Self::load(db).await?);
            return Ok(guard.clone());
        }
        let mut changes: Vec<ChangeSet> = Vec::new();
        loop {
            // SHOW CHANGES takes a literal versionstamp, not a parameter.
            let since = match changes.last().map(|c| c.versionstamp).or(guard.versionstamp) {
                Some(vs) => vs + 1,
                None => 0,
            };
            let sql = format!("SHOW CHANGES FOR TABLE user SINCE {since} LIMIT {FEED_BATCH};");
            let batch: Vec<ChangeSet> = match db.query(&sql, json!({})).await.and_then(|mut rows| rows.all(0)) {
                Ok(b) => b,
                Err(e) => {
                    // The feed cannot answer from there (trimmed, or versionstamps reset):
                    // reload everything rather than list stale data.
                    tracing::warn!(error = %e, "users directory: change feed unreadable, reloading");
                    *guard = Arc::new(Self::load(db).await?);
                    return Ok(guard.clone());
                }
            };
            let full = batch.len() as u32 == FEED_BATCH;
            changes.extend(batch);
            if !full {
                break;
            }
        }
        if changes.is_empty() {
            return Ok(guard.clone());
        }
        let mut readable = true;
        let snap = Arc::make_mut(&mut *guard);
        'sets: for set in changes {
            for change in set.changes {
                if !apply(&mut snap.users, change) {
                    readable = false;
                    break 'sets;
                }
            }
            snap.versionstamp = Some(set.versionstamp);
        }
        if !readable {
            // A change this version cannot read: start again from the table itself.
            *guard = Arc::new(Self::load(db).await?);
        }
        Ok(guard.clone())
    }

    /// Drops what is loaded: the next request reloads (after a restore, or in tests).
    pub async fn invalidate(&self) {
        *self.inner.lock().await = Arc::new(Snapshot::default());
    }

    async fn load(db: &Db) -> Result<Snapshot, DbError> {
        // A marker write first: every user change committed after it has a later versionstamp,
        // and everything committed before it is in the table read that follows.
        db.query("UPSERT directory_marker:current SET at = time::now();", json!({})).await?;
        let mut start = None;
        loop {
            let since = start.map(|v: u64| v + 1).unwrap_or(0);
            let batch: Vec<ChangeSet> = db
                .query(&format!("SHOW CHANGES FOR TABLE directory_marker SINCE {since} LIMIT {FEED_BATCH};"), json!({}))
                .await?
                .all(0)?;
            let full = batch.len() as u32 == FEED_BATCH;
            if let Some(last) = batch.last() {
                start = Some(last.versionstamp);
            }
            if !full {
                break;
            }
        }
        let users: Vec<Raw> = db
            .query(
                "SELECT id, search_text, email_key, status, role, department, companies, licenses, created_at, last_sign_in_at, second_factor FROM user;",
                json!({}),
            )
            .await?
            .all(0)?;
        Ok(Snapshot {
            users: users.into_iter().map(|r| (key(&r.id), Entry::from(r))).collect(),
            versionstamp: start,
            loaded_at: Some(Instant::now()),
        })
    }
}

/// Applies one feed entry (`{"update": record}` or `{"delete": {"id": …}}`); replaying one twice
/// gives the same directory. False when the entry cannot be read.
fn apply(users: &mut HashMap<String, Entry>, change: Value) -> bool {
    if let Some(record) = change.get("update").or_else(|| change.get("create")) {
        match serde_json::from_value::<Raw>(record.clone()) {
            Ok(raw) => {
                let entry = Entry::from(raw);
                users.insert(entry.id.clone(), entry);
            }
            Err(e) => {
                tracing::warn!(error = %e, "users directory: unreadable change, reloading");
                return false;
            }
        }
    } else if let Some(id) = change.get("delete").and_then(|d| d.get("id")).and_then(Value::as_str) {
        users.remove(&key(id));
    }
    true
}

/// The accounts a Users list shows to an admin, as a test on directory entries.
pub struct ScopeFilter<'a> {
    engine: &'a crate::access::Engine,
    me: Option<u32>,
    /// A full administrator with View at All on Users views every account: no per-entry test.
    everyone: bool,
}

impl<'a> ScopeFilter<'a> {
    /// The accounts `me` may view, by the engine's own decision on users (one rule, not a copy
    /// of it: a list shows exactly the accounts a user page would open).
    pub fn new(engine: &'a crate::access::Engine, me: &str) -> Self {
        use crate::access::{Action, Level, Module};
        let level = engine.module_level(me, Module::Users, Action::View);
        let everyone = engine.is_full_admin(me) && level == Level::All;
        // The module-level answer once per list, not once per entry.
        let me = engine.user_index(me).filter(|_| level > Level::None);
        ScopeFilter { engine, me, everyone }
    }

    pub fn admits(&self, e: &Entry) -> bool {
        self.everyone || self.me.is_some_and(|me| self.engine.reaches_account(me, crate::access::Action::View, &e.id))
    }
}

