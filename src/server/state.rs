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
    /// Which record modules people use (this instance's last writes).
    pub usage: Arc<super::usage::Usage>,
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
            usage: Arc::default(),
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
            usage: Arc::default(),
        };
        super::mail::spawn_worker(state.clone());
        super::offboarding::spawn_worker(state.clone());
        state
    }

    /// The lifetimes set from the Settings page, as every instance sees them (they travel with
    /// the access setup's version); none set: the server's configuration.
    async fn lifetimes(&self) -> crate::access::Lifetimes {
        match self.access.engine(&self.db).await {
            Ok(engine) => engine.org().settings.lifetimes,
            Err(e) => {
                tracing::warn!(error = %e, "lifetimes unread; the configured ones apply");
                crate::access::Lifetimes::default()
            }
        }
    }

    pub async fn session_policy(&self) -> SessionPolicy {
        let set = self.lifetimes().await;
        let ms = |minutes: Option<u32>, configured: std::time::Duration| minutes.map(|m| i64::from(m) * 60_000).unwrap_or(configured.as_millis() as i64);
        SessionPolicy {
            idle_ms: ms(set.session_idle_minutes, self.settings.session_idle),
            absolute_ms: ms(set.session_max_minutes, self.settings.session_absolute),
        }
    }

    /// How long a new invitation (activation) link works.
    pub async fn invite_ttl(&self) -> std::time::Duration {
        match self.lifetimes().await.invite_minutes {
            Some(m) => std::time::Duration::from_secs(u64::from(m) * 60),
            None => self.settings.invite_ttl,
        }
    }
}
