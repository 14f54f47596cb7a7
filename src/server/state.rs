//! The state every request shares: settings, the database connection and the mailer.

use std::sync::Arc;

use super::access::AccessCache;
use super::auth::SessionPolicy;
use super::config::Settings;
use super::db::Db;
use super::mail::Mailer;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub mailer: Mailer,
    pub access: Arc<AccessCache>,
    /// The users list's in-memory directory, following the database's change feed.
    pub directory: Arc<super::directory::Directory>,
    /// Wakes the mail worker when a message was queued.
    pub mail_wake: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// Opens the database, applies pending migrations and prepares the mailer.
    pub async fn open(settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings).await?;
        db.migrate().await?;
        let mailer = Mailer::from_settings(&settings)?;
        super::auth::warm_up();
        let state = Self {
            settings: Arc::new(settings),
            db,
            mailer,
            access: Arc::new(AccessCache::default()),
            directory: Arc::new(super::directory::Directory::default()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
        };
        super::mail::spawn_worker(state.clone());
        super::offboarding::spawn_worker(state.clone());
        Ok(state)
    }

    /// Another instance over the same database, as a second machine behind a load balancer
    /// would be: its own caches (access engine, users directory) and its own mail worker.
    pub fn second_instance(&self) -> Self {
        let state = Self {
            settings: self.settings.clone(),
            db: self.db.clone(),
            mailer: self.mailer.clone(),
            access: Arc::new(AccessCache::default()),
            directory: Arc::new(super::directory::Directory::default()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
        };
        super::mail::spawn_worker(state.clone());
        super::offboarding::spawn_worker(state.clone());
        state
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle_ms: self.settings.session_idle.as_millis() as i64,
            absolute_ms: self.settings.session_absolute.as_millis() as i64,
        }
    }
}
