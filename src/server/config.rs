//! Settings, read once at start-up from environment variables (defaults suit a laptop).

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum SmtpTls {
    None,
    StartTls,
    Tls,
}

#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub user: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `GATEHOUSE_ADDR`, where HTTP is served.
    pub listen: String,
    /// `GATEHOUSE_DB`: `surrealkv://dir`, `mem://` or `ws://host:port`.
    pub database_url: String,
    pub database_user: Option<String>,
    pub database_password: Option<String>,
    pub database_namespace: String,
    pub database_name: String,
    /// `GATEHOUSE_PUBLIC_URL`, the base of links in emails; https here makes cookies Secure.
    pub public_url: String,
    /// `GATEHOUSE_OUTBOX`, where mail goes as .eml files when no SMTP host is set.
    pub outbox_dir: String,
    pub smtp: Option<SmtpSettings>,
    pub mail_from: String,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    pub invite_ttl: Duration,
    /// The first retry delay of a failed send; it doubles up to 30 minutes.
    pub mail_retry_base: Duration,
    /// Trust `X-Forwarded-For` for the client address (behind a load balancer).
    pub trust_proxy: bool,
    pub log_filter: String,
    /// `GATEHOUSE_DEMO=1`: fill an empty installation with the demo organisation at start-up.
    pub demo: bool,
    /// `GATEHOUSE_CHECKIN_DAYS`: a new person's manager is reminded to check in this many days
    /// after the account was activated.
    pub checkin_days: u32,
    /// The longest life of a new API token, in days (`GATEHOUSE_TOKEN_MAX_DAYS`).
    pub token_max_days: u32,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

fn minutes(name: &str, default: u64) -> Result<Duration, String> {
    match var(name) {
        None => Ok(Duration::from_secs(default * 60)),
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|m| *m > 0)
            .map(|m| Duration::from_secs(m * 60))
            .ok_or_else(|| format!("{name} must be a whole number of minutes above 0, not `{v}`")),
    }
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        // `dx serve` tells the server where to listen through IP and PORT.
        let listen = match (var("GATEHOUSE_ADDR"), var("IP"), var("PORT")) {
            (Some(addr), _, _) => addr,
            (None, ip, port) if ip.is_some() || port.is_some() => {
                format!("{}:{}", ip.unwrap_or_else(|| "127.0.0.1".into()), port.unwrap_or_else(|| "8080".into()))
            }
            _ => "127.0.0.1:8080".into(),
        };
        if listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(format!("GATEHOUSE_ADDR must be an address and port such as 127.0.0.1:8080, not `{listen}`"));
        }
        let public_url = var("GATEHOUSE_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(format!("GATEHOUSE_PUBLIC_URL must start with http:// or https://, not `{public_url}`"));
        }
        let smtp = match var("GATEHOUSE_SMTP_HOST") {
            None => None,
            Some(host) => {
                let tls = match var("GATEHOUSE_SMTP_TLS").as_deref().map(str::to_lowercase).as_deref() {
                    None | Some("starttls") => SmtpTls::StartTls,
                    Some("tls") => SmtpTls::Tls,
                    Some("none") => SmtpTls::None,
                    Some(other) => {
                        return Err(format!("GATEHOUSE_SMTP_TLS must be none, starttls or tls, not `{other}`"))
                    }
                };
                let default_port = match tls {
                    SmtpTls::None => 25,
                    SmtpTls::StartTls => 587,
                    SmtpTls::Tls => 465,
                };
                let port = match var("GATEHOUSE_SMTP_PORT") {
                    None => default_port,
                    Some(p) => p.parse().map_err(|_| format!("GATEHOUSE_SMTP_PORT must be a port number, not `{p}`"))?,
                };
                Some(SmtpSettings {
                    host,
                    port,
                    tls,
                    user: var("GATEHOUSE_SMTP_USER"),
                    password: var("GATEHOUSE_SMTP_PASSWORD"),
                })
            }
        };
        let mail_from = var("GATEHOUSE_MAIL_FROM").unwrap_or_else(|| "Gatehouse <gatehouse@localhost>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!("GATEHOUSE_MAIL_FROM must be an address such as `Gatehouse <noreply@example.com>`, not `{mail_from}`"));
        }
        Ok(Settings {
            listen,
            database_url: var("GATEHOUSE_DB").unwrap_or_else(|| "surrealkv://data/db".into()),
            database_user: var("GATEHOUSE_DB_USER"),
            database_password: var("GATEHOUSE_DB_PASSWORD"),
            database_namespace: var("GATEHOUSE_DB_NAMESPACE").unwrap_or_else(|| "gatehouse".into()),
            database_name: var("GATEHOUSE_DB_DATABASE").unwrap_or_else(|| "main".into()),
            public_url: public_url.trim_end_matches('/').to_string(),
            outbox_dir: var("GATEHOUSE_OUTBOX").unwrap_or_else(|| "data/outbox".into()),
            smtp,
            mail_from,
            session_idle: minutes("GATEHOUSE_SESSION_IDLE_MINUTES", 8 * 60)?,
            session_absolute: minutes("GATEHOUSE_SESSION_MAX_MINUTES", 7 * 24 * 60)?,
            invite_ttl: minutes("GATEHOUSE_INVITE_TTL_MINUTES", 72 * 60)?,
            mail_retry_base: match var("GATEHOUSE_MAIL_RETRY_SECONDS") {
                None => Duration::from_secs(30),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|s| *s > 0)
                    .map(Duration::from_secs)
                    .ok_or_else(|| format!("GATEHOUSE_MAIL_RETRY_SECONDS must be a whole number of seconds above 0, not `{v}`"))?,
            },
            trust_proxy: matches!(var("GATEHOUSE_TRUST_PROXY").as_deref(), Some("1" | "true" | "yes")),
            log_filter: var("GATEHOUSE_LOG").or_else(|| var("RUST_LOG")).unwrap_or_else(|| "info".into()),
            demo: matches!(var("GATEHOUSE_DEMO").as_deref(), Some("1" | "true" | "yes")),
            checkin_days: match var("GATEHOUSE_CHECKIN_DAYS") {
                None => 10,
                Some(v) => v.parse::<u32>().ok().filter(|d| (1..=365).contains(d)).ok_or_else(|| format!("GATEHOUSE_CHECKIN_DAYS must be a number of days from 1 to 365, not `{v}`"))?,
            },
            token_max_days: match var("GATEHOUSE_TOKEN_MAX_DAYS") {
                None => 90,
                Some(v) => v.parse::<u32>().ok().filter(|d| (1..=730).contains(d)).ok_or_else(|| format!("GATEHOUSE_TOKEN_MAX_DAYS must be a number of days from 1 to 730, not `{v}`"))?,
            },
        })
    }

    /// Settings for tests: in-memory database, mail to a temporary outbox.
    pub fn for_tests(outbox_dir: &str) -> Self {
        Settings {
            listen: "127.0.0.1:0".into(),
            database_url: "mem://".into(),
            database_user: None,
            database_password: None,
            database_namespace: "gatehouse".into(),
            database_name: "test".into(),
            public_url: "http://127.0.0.1".into(),
            outbox_dir: outbox_dir.into(),
            smtp: None,
            mail_from: "Gatehouse <gatehouse@localhost>".into(),
            session_idle: Duration::from_secs(8 * 3600),
            session_absolute: Duration::from_secs(7 * 24 * 3600),
            invite_ttl: Duration::from_secs(72 * 3600),
            mail_retry_base: Duration::from_secs(1),
            trust_proxy: false,
            log_filter: "warn".into(),
            demo: false,
            checkin_days: 10,
            token_max_days: 90,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The database URL without any credentials, for logs.
    pub fn database_url_for_log(&self) -> String {
        match self.database_url.split_once('@') {
            Some((scheme_user, host)) => {
                let scheme = scheme_user.split("://").next().unwrap_or("");
                format!("{scheme}://…@{host}")
            }
            None => self.database_url.clone(),
        }
    }
}
