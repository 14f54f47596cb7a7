//! The state every request shares: settings, the database connection and the mailer.

use std::sync::Arc;

use super::auth::SessionPolicy;
use super::config::Settings;
use super::db::Db;
use super::mail::Mailer;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub mailer: Mailer,
}

impl AppState {
    /// Opens the database, applies pending migrations and prepares the mailer.
    pub async fn open(settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings).await?;
        db.migrate().await?;
        let mailer = Mailer::from_settings(&settings)?;
        super::auth::warm_up();
        Ok(Self { settings: Arc::new(settings), db, mailer })
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            idle_ms: self.settings.session_idle.as_millis() as i64,
            absolute_ms: self.settings.session_absolute.as_millis() as i64,
        }
    }
}
