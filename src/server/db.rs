//! The database: one SurrealDB connection opened at start-up from a URL (embedded on disk,
//! in memory, or a remote server), the versioned migrations, and a small query helper that
//! turns SurrealDB's per-statement results into rows or one meaningful error.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde_json::Value;
use surrealdb::engine::any::Any;
use surrealdb::Surreal;

use super::config::Settings;
use crate::domain::ApiError;

/// Migrations, applied in order, each exactly once (recorded in `schema_migration`).
/// A released migration is never edited: add a new one.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.surql")),
    (2, "access_and_invites", include_str!("migrations/0002_access_and_invites.surql")),
    (3, "user_list_indexes", include_str!("migrations/0003_user_list_indexes.surql")),
    (4, "user_company", include_str!("migrations/0004_user_company.surql")),
    (5, "user_company_filters", include_str!("migrations/0005_user_company_filters.surql")),
    (6, "records", include_str!("migrations/0006_records.surql")),
    (7, "second_factor", include_str!("migrations/0007_second_factor.surql")),
    (8, "passkeys", include_str!("migrations/0008_passkeys.surql")),
    (9, "offboarding", include_str!("migrations/0009_offboarding.surql")),
    (10, "grant_windows", include_str!("migrations/0010_grant_windows.surql")),
    (11, "reviews", include_str!("migrations/0011_reviews.surql")),
    (12, "welcome", include_str!("migrations/0012_welcome.surql")),
    (13, "api_tokens", include_str!("migrations/0013_api_tokens.surql")),
    (14, "imports", include_str!("migrations/0014_imports.surql")),
    (15, "review_repeat", include_str!("migrations/0015_review_repeat.surql")),
    (16, "grant_reminders", include_str!("migrations/0016_grant_reminders.surql")),
    (17, "record_title_order", include_str!("migrations/0017_record_title_order.surql")),
    (18, "access_windows", include_str!("migrations/0018_access_windows.surql")),
    (19, "module_use", include_str!("migrations/0019_module_use.surql")),
    (20, "leave_owners", include_str!("migrations/0020_leave_owners.surql")),
    (21, "review_role_lines", include_str!("migrations/0021_review_role_lines.surql")),
    (22, "scim", include_str!("migrations/0022_scim.surql")),
];

/// How long the migration lock holds without being renewed (a holder that died releases it so).
const MIGRATION_LEASE: Duration = Duration::from_secs(120);

/// The key of a record id as SurrealDB prints it (`user:abc`, `user:⟨a-b⟩`) .
pub fn key(id: &str) -> String {
    let k = id.split_once(':').map(|(_, k)| k).unwrap_or(id);
    k.trim_start_matches(['⟨', '`']).trim_end_matches(['⟩', '`']).to_string()
}

/// One connection per instance, shared by every request. Over `ws://` each `Surreal::clone()`
/// would open (and replay sign-in into) a new server-side session, thousands a minute, which the
/// server refuses; so the handle is shared behind an `Arc`, never cloned.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Surreal<Any>>,
}

/// Why a query failed, sorted into what the caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique index refused the write; the index name says which value clashed.
    #[error("unique index `{index}` refused the write")]
    Unique { index: String },
    /// A `THROW` in our own SurrealQL (see `store::Work::refuse_if`).
    #[error("{0}")]
    Thrown(String),
    /// The transaction clashed with another one writing the same records at the same moment
    /// and was not committed; running it again is safe.
    #[error("the transaction clashed with a simultaneous one: {0}")]
    Clash(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unique { index } => {
                tracing::info!(%index, "write refused by a unique index");
                ApiError::Conflict("this value is already used by another record".into())
            }
            // Refusals inside a transaction are the unit of work's (`store::Work::refuse_if`),
            // answered there; any other THROW is a fault.
            DbError::Thrown(msg) => {
                tracing::error!(message = %msg, "unexpected THROW from a query");
                ApiError::Unavailable
            }
            DbError::Clash(msg) => {
                tracing::warn!(message = %msg, "a write clashed with a simultaneous one and was not retried further");
                ApiError::Conflict("someone changed this at the same moment; try again".into())
            }
            DbError::Other(e) => {
                tracing::error!(error = %format!("{e:#}"), "database error");
                ApiError::Unavailable
            }
        }
    }
}

/// The rows of each statement of one query, taken by index.
pub struct Rows(surrealdb::IndexedResults);

impl Rows {
    /// Every row of statement `index`, deserialized.
    pub fn all<T: DeserializeOwned>(&mut self, index: usize) -> Result<Vec<T>, DbError> {
        let value: surrealdb::types::Value =
            self.0.take(index).map_err(|e| anyhow::anyhow!("reading statement {index}: {e}"))?;
        let value = value.into_json_value();
        let items = match value {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            other => vec![other],
        };
        items
            .into_iter()
            .map(|v| serde_json::from_value(v).context("decoding a row"))
            .collect::<Result<Vec<T>, _>>()
            .map_err(DbError::Other)
    }

    /// How many statements answered.
    pub fn count(&self) -> usize {
        self.0.num_statements()
    }

    /// The first row of statement `index`, if any.
    pub fn first<T: DeserializeOwned>(&mut self, index: usize) -> Result<Option<T>, DbError> {
        Ok(self.all(index)?.into_iter().next())
    }
}

impl Db {
    /// Opens the connection named by the settings and selects the namespace and database.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let url = settings.database_url.as_str();
        if let Some(path) = url.strip_prefix("surrealkv://") {
            if let Some(parent) = std::path::Path::new(path).parent() {
                if !parent.as_os_str().is_empty() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("creating the database folder {}", parent.display()))?;
                }
            }
        }
        let inner = surrealdb::engine::any::connect(url)
            .await
            .with_context(|| format!("opening the database at {}", settings.database_url_for_log()))?;
        if let (Some(user), Some(pass)) = (&settings.database_user, &settings.database_password) {
            inner
                .signin(surrealdb::opt::auth::Root { username: user.clone(), password: pass.clone() })
                .await
                .context("signing in to the database (check GATEHOUSE_DB_USER and GATEHOUSE_DB_PASSWORD)")?;
        }
        // Selecting defines the namespace and database on first use; instances starting together
        // against a new server clash there, and the loser simply selects again.
        let mut attempt = 0u64;
        loop {
            match inner.use_ns(settings.database_namespace.as_str()).use_db(settings.database_name.as_str()).await {
                Ok(_) => break,
                Err(e) if attempt < 10 && e.to_string().contains("can be retried") => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                }
                Err(e) => return Err(anyhow::Error::new(e).context("selecting the namespace and database")),
            }
        }
        Ok(Self { inner: Arc::new(inner) })
    }

    /// Runs one query (one or more statements) with variables bound from a JSON object.
    /// Any failed statement fails the whole call with the most meaningful of the errors.
    pub async fn query(&self, sql: &str, vars: Value) -> Result<Rows, DbError> {
        let mut response = self
            .inner
            .query(sql)
            .bind(strip_nulls(vars))
            .await
            .map_err(|e| DbError::Other(anyhow::anyhow!("sending a query: {e}")))?;
        let errors = response.take_errors();
        if errors.is_empty() {
            return Ok(Rows(response));
        }
        let mut errors: Vec<(usize, surrealdb::Error)> = errors.into_iter().collect();
        errors.sort_by_key(|(i, _)| *i);
        // Inside a failed transaction every statement reports an error; the cause is the one that
        // is neither "not executed" nor the refused COMMIT.
        let cause = errors
            .iter()
            .find(|(_, e)| e.is_thrown())
            .or_else(|| {
                errors.iter().find(|(_, e)| {
                    let m = e.to_string();
                    !m.contains("not executed due to a failed transaction") && !m.contains("Cannot COMMIT")
                })
            })
            .or(errors.first());
        let Some(cause) = cause else { return Err(DbError::Other(anyhow::anyhow!("a query failed without an error"))) };
        let message = cause.1.to_string();
        // Nothing but "not executed" (the COMMIT itself was refused), or a conflict by name: a
        // clash with a simultaneous transaction, which may simply be run again.
        let clash = errors.iter().all(|(_, e)| {
            let m = e.to_string();
            m.contains("not executed due to a failed transaction") || m.contains("Cannot COMMIT")
        }) || message.contains("conflict")
            || message.contains("can be retried");
        if clash {
            return Err(DbError::Clash(message));
        }
        if cause.1.is_thrown() {
            return Err(DbError::Thrown(message));
        }
        if let Some(index) = unique_index_name(&message) {
            return Err(DbError::Unique { index });
        }
        if message.contains("already exists") {
            return Err(DbError::Unique { index: "record id".into() });
        }
        Err(DbError::Other(anyhow::anyhow!("statement {} failed: {message}", cause.0)))
    }

    /// Answers when the database answers (for `/healthz`).
    pub async fn ping(&self) -> bool {
        self.query("RETURN 1;", serde_json::json!({})).await.is_ok()
    }

    /// Applies every migration not yet recorded, each in its own transaction.
    pub async fn migrate(&self) -> anyhow::Result<Vec<u32>> {
        self.migrate_with(MIGRATIONS).await
    }

    /// Applies the given migrations (in order) that are not yet recorded; returns the versions
    /// applied. Instances starting together against one database take turns: each holds the
    /// migration lock while it looks and applies, so a migration never runs twice.
    pub async fn migrate_with(&self, migrations: &[(u32, &str, &str)]) -> anyhow::Result<Vec<u32>> {
        let holder = self.take_migration_lock().await?;
        let result = self.migrate_locked(migrations, &holder).await;
        if let Err(e) = self
            .query("DELETE schema_lock:migrate WHERE holder = $holder;", serde_json::json!({ "holder": holder }))
            .await
        {
            tracing::warn!(error = %e, "the migration lock was not released; it lapses by itself");
        }
        result
    }

    /// Takes the database-wide migration lock: a row only one instance can create. A holder that
    /// died leaves a lease that lapses after `MIGRATION_LEASE`; the lease is renewed after each
    /// migration, so a slow one is not taken over.
    async fn take_migration_lock(&self) -> anyhow::Result<String> {
        let holder = format!("{}-{}-{}", std::process::id(), super::time::now_ms(), rand::random::<u32>());
        let started = std::time::Instant::now();
        loop {
            let now = super::time::now_ms();
            let vars = serde_json::json!({ "holder": holder, "now": now, "until": now + MIGRATION_LEASE.as_millis() as i64 });
            match self.query("CREATE schema_lock:migrate SET holder = $holder, until = $until;", vars.clone()).await {
                Ok(_) => return Ok(holder),
                Err(DbError::Unique { .. }) | Err(DbError::Clash(_)) => {
                    // Held by another instance: take it over only if its lease lapsed.
                    let _ = self.query("DELETE schema_lock:migrate WHERE until < $now;", vars).await;
                }
                Err(e) => return Err(anyhow::anyhow!("taking the migration lock: {e}")),
            }
            if started.elapsed() > MIGRATION_LEASE * 3 {
                anyhow::bail!("another instance has held the migration lock for over {} s", started.elapsed().as_secs());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn migrate_locked(&self, migrations: &[(u32, &str, &str)], holder: &str) -> anyhow::Result<Vec<u32>> {
        self.query(
            "DEFINE TABLE IF NOT EXISTS schema_migration SCHEMAFULL;
             DEFINE FIELD IF NOT EXISTS version ON schema_migration TYPE int;
             DEFINE FIELD IF NOT EXISTS name ON schema_migration TYPE string;
             DEFINE FIELD IF NOT EXISTS applied_at ON schema_migration TYPE int;",
            serde_json::json!({}),
        )
        .await
        .map_err(|e| anyhow::anyhow!("preparing the migrations table: {e}"))?;
        #[derive(serde::Deserialize)]
        struct Applied {
            version: u32,
        }
        let applied: Vec<u32> = self
            .query("SELECT version FROM schema_migration;", serde_json::json!({}))
            .await
            .map_err(|e| anyhow::anyhow!("reading applied migrations: {e}"))?
            .all::<Applied>(0)?
            .into_iter()
            .map(|a| a.version)
            .collect();
        let mut done = Vec::new();
        for (version, name, sql) in migrations {
            if applied.contains(version) {
                continue;
            }
            let mut work = super::store::Work::from_address("migration");
            work.run(super::store::Stmt::new(*sql, serde_json::json!({})))
                .run(super::store::Stmt::new(
                    "CREATE type::record('schema_migration', $version) SET version = $version, name = $name, applied_at = $at;",
                    serde_json::json!({"version": version, "name": name, "at": super::time::now_ms()}),
                ));
            work.commit_raw(self)
                .await
                .map_err(|e| anyhow::anyhow!("migration {version:04}_{name} failed, nothing of it was applied: {e}"))?;
            tracing::info!(version, name, "migration applied");
            done.push(*version);
            let until = super::time::now_ms() + MIGRATION_LEASE.as_millis() as i64;
            self.query(
                "UPDATE schema_lock:migrate SET until = $until WHERE holder = $holder;",
                serde_json::json!({ "holder": holder, "until": until }),
            )
            .await
            .map_err(|e| anyhow::anyhow!("renewing the migration lock: {e}"))?;
        }
        Ok(done)
    }
}

/// JSON `null` would reach SurrealDB as NULL, which an `option<…>` field refuses; an absent
/// value is NONE. So object members that are null are dropped (an unbound `$var` is NONE too).
fn strip_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, strip_nulls(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

fn unique_index_name(message: &str) -> Option<String> {
    // "Database index `user_email_key` already contains 'ann@example.com', with record `user:…`"
    let rest = message.split("index `").nth(1)?;
    if !message.contains("already contains") {
        return None;
    }
    Some(rest.split('`').next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_index_is_named() {
        let m = "Database index `user_email_key` already contains 'a@b.io', with record `user:x`";
        assert_eq!(unique_index_name(m).as_deref(), Some("user_email_key"));
        assert_eq!(unique_index_name("other"), None);
    }
}
