//! Which record modules each person uses: noted when they list, open, create, change or export
//! records of a module (never while an administrator views the console as them), kept as one
//! `module_use` row per (person, module) with the first and last use. Each instance writes a
//! pair at most once an hour, so reading records costs no write in the common case.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::Deserialize;
use serde_json::json;

use super::db::Db;
use crate::access::Module;

/// How often one instance writes the same (person, module) again.
const EVERY_MS: i64 = 3_600_000;

/// The last moment this instance wrote each (person, module).
#[derive(Default)]
pub struct Usage {
    written: Mutex<HashMap<(String, Module), i64>>,
}

impl Usage {
    /// Notes that `user` used `module` at `now`; a failed write is logged, never the request's
    /// error.
    pub async fn note(&self, db: &Db, user: &str, module: Module, now: i64) {
        let due = match self.written.lock() {
            Ok(mut w) => {
                let key = (user.to_string(), module);
                let due = w.get(&key).is_none_or(|at| now - at >= EVERY_MS);
                if due {
                    w.insert(key, now);
                }
                due
            }
            Err(_) => false,
        };
        if !due {
            return;
        }
        let written = db
            .query(
                "UPSERT type::record('module_use', [$user, $module]) SET user = $user, module = $module,
                    first_at = first_at ?? $now, last_at = $now;",
                json!({ "user": user, "module": module, "now": now }),
            )
            .await;
        if let Err(e) = written {
            tracing::warn!(user, ?module, error = %e, "a module's use could not be noted");
        }
    }
}

/// The modules each of `users` has used since `since` (their last use), by person.
pub async fn used_since(db: &Db, users: &[String], since: i64) -> Result<HashMap<String, Vec<Module>>, super::db::DbError> {
    #[derive(Deserialize)]
    struct Row {
        user: String,
        module: Module,
    }
    let rows: Vec<Row> = db
        .query("SELECT user, module FROM module_use WHERE user IN $users AND last_at >= $since;", json!({ "users": users, "since": since }))
        .await?
        .all(0)?;
    let mut out: HashMap<String, Vec<Module>> = HashMap::new();
    for r in rows {
        out.entry(r.user).or_default().push(r.module);
    }
    Ok(out)
}
