//! Outgoing email through lettre: over SMTP when a host is configured, otherwise as .eml files
//! in the outbox folder (with the message's links in the log) so a laptop install still works.

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::config::{Settings, SmtpTls};

/// One message: a subject, a plain-text body and an HTML body.
#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub to_name: String,
    pub to_email: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Links in the message, printed in the log when mail goes to the outbox.
    pub links: Vec<String>,
}

#[derive(Clone)]
pub enum Mailer {
    Outbox { dir: std::path::PathBuf, from: Mailbox },
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox, host: String },
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let from: Mailbox = settings.mail_from.parse().context("GATEHOUSE_MAIL_FROM")?;
        match &settings.smtp {
            None => {
                let dir = std::path::PathBuf::from(&settings.outbox_dir);
                std::fs::create_dir_all(&dir).with_context(|| format!("creating the outbox folder {}", dir.display()))?;
                Ok(Mailer::Outbox { dir, from })
            }
            Some(smtp) => {
                let builder = match smtp.tls {
                    SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host),
                    SmtpTls::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
                        .with_context(|| format!("SMTP host {}", smtp.host))?,
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
                        .with_context(|| format!("SMTP host {}", smtp.host))?,
                };
                let mut builder = builder.port(smtp.port).timeout(Some(std::time::Duration::from_secs(15)));
                if let (Some(user), Some(pass)) = (&smtp.user, &smtp.password) {
                    builder = builder.credentials(Credentials::new(user.clone(), pass.clone()));
                }
                Ok(Mailer::Smtp { transport: builder.build(), from, host: format!("{}:{}", smtp.host, smtp.port) })
            }
        }
    }

    /// Where mail goes, for the start-up log line.
    pub fn describe(&self) -> String {
        match self {
            Mailer::Outbox { dir, .. } => format!("outbox folder {}", dir.display()),
            Mailer::Smtp { host, .. } => format!("SMTP {host}"),
        }
    }

    fn build(&self, mail: &OutgoingMail) -> anyhow::Result<Message> {
        let from = match self {
            Mailer::Outbox { from, .. } | Mailer::Smtp { from, .. } => from.clone(),
        };
        let to = Mailbox::new(Some(mail.to_name.clone()), mail.to_email.parse().context("recipient address")?);
        Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject.clone())
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()))
            .context("building the message")
    }

    /// Sends one message. The error says why, in words fit for the admin's "not delivered" note.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), String> {
        let message = self.build(mail).map_err(|e| format!("{e:#}"))?;
        match self {
            Mailer::Outbox { dir, .. } => {
                let id = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                    .map_err(|e| format!("could not write to the outbox: {e}"))?;
                tracing::info!(to = %mail.to_email, subject = %mail.subject, file = %format!("{}/{id}.eml", dir.display()),
                    links = ?mail.links, "mail written to the outbox");
                Ok(())
            }
            Mailer::Smtp { transport, host, .. } => {
                transport.send(message).await.map_err(|e| {
                    let reason = if e.is_transient() {
                        "the mail server is busy or unreachable for now"
                    } else if e.is_permanent() {
                        "the mail server refused the message"
                    } else {
                        "the mail server could not be reached"
                    };
                    tracing::warn!(to = %mail.to_email, %host, error = %e, "mail not delivered");
                    reason.to_string()
                })?;
                tracing::info!(to = %mail.to_email, subject = %mail.subject, %host, "mail sent");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outbox_mail_has_a_text_and_an_html_part() {
        let dir = std::env::temp_dir().join(format!("gh-outbox-{}", super::super::auth::new_token().0));
        let mut settings = Settings::for_tests(dir.to_str().unwrap());
        settings.smtp = None;
        let mailer = Mailer::from_settings(&settings).unwrap();
        mailer
            .send(&OutgoingMail {
                to_name: "Ann Lee".into(),
                to_email: "ann@example.com".into(),
                subject: "Welcome".into(),
                text: "Hello Ann, open https://x.test/a".into(),
                html: "<p>Hello Ann</p>".into(),
                links: vec!["https://x.test/a".into()],
            })
            .await
            .unwrap();
        let file = std::fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path();
        let eml = std::fs::read_to_string(file).unwrap();
        assert!(eml.contains("multipart/alternative"));
        assert!(eml.contains("text/plain") && eml.contains("text/html"));
        assert!(eml.contains("To: \"Ann Lee\" <ann@example.com>") || eml.contains("To: Ann Lee <ann@example.com>"));
        std::fs::remove_dir_all(dir).ok();
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn hours(ttl: std::time::Duration) -> u64 {
    (ttl.as_secs() / 3600).max(1)
}

/// An HTML body with one call-to-action button, readable in any mail client.
pub fn html_message(greeting: &str, paragraphs: &[String], button: Option<(&str, &str)>, footer: &str) -> String {
    let mut body = format!("<p>{}</p>", escape(greeting));
    for p in paragraphs {
        body.push_str(&format!("<p>{}</p>", escape(p)));
    }
    if let Some((label, href)) = button {
        body.push_str(&format!(
            "<p><a href=\"{h}\" style=\"display:inline-block;padding:12px 20px;background:#2f5bd3;color:#ffffff;\
             text-decoration:none;border-radius:8px;font-weight:600\">{l}</a></p>\
             <p style=\"color:#5b6470;font-size:13px\">If the button does not work, copy this address into your browser:<br>{h}</p>",
            h = escape(href),
            l = escape(label)
        ));
    }
    format!(
        "<!doctype html><html><body style=\"font-family:system-ui,Segoe UI,Arial,sans-serif;color:#1b1f24;line-height:1.5\">\
         <div style=\"max-width:560px;margin:0 auto;padding:24px\">{body}\
         <p style=\"color:#5b6470;font-size:13px\">{}</p></div></body></html>",
        escape(footer)
    )
}

/// The test email an administrator sends from the Settings page.
pub fn test_message(name: &str, email: &str, delivery: &str) -> OutgoingMail {
    let text = format!("Hello {name},\n\nThis is a test email from Gatehouse, sent through {delivery}. If you can read it, the CRM can send invitations and notices.\n");
    let html = html_message(
        &format!("Hello {name},"),
        &[format!("This is a test email from Gatehouse, sent through {delivery}. If you can read it, the CRM can send invitations and notices.")],
        None,
        "You asked for this email on the Settings page.",
    );
    OutgoingMail { to_name: name.to_string(), to_email: email.to_string(), subject: "Gatehouse test email".into(), text, html, links: Vec::new() }
}

pub fn invitation(name: &str, email: &str, inviter: &str, link: &str, ttl: std::time::Duration) -> OutgoingMail {
    let h = hours(ttl);
    let text = format!(
        "Hello {name},\n\n{inviter} has invited you to the CRM. Open this link to choose your password and activate your account:\n\n{link}\n\nThe link works once and expires in {h} hours. If it has expired, ask {inviter} to send a new invitation.\n\nIf you did not expect this email, you can ignore it.\n"
    );
    let html = html_message(
        &format!("Hello {name},"),
        &[format!("{inviter} has invited you to the CRM. Choose your password to activate your account.")],
        Some(("Activate my account", link)),
        &format!("The link works once and expires in {h} hours. If you did not expect this email, you can ignore it."),
    );
    OutgoingMail { to_name: name.into(), to_email: email.into(), subject: "You are invited to the CRM".into(), text, html, links: vec![link.into()] }
}

pub fn reset_link(name: &str, email: &str, link: &str, ttl: std::time::Duration) -> OutgoingMail {
    let h = hours(ttl);
    let text = format!(
        "Hello {name},\n\nSomeone (hopefully you) asked to reset the password of your CRM account. Open this link to choose a new one:\n\n{link}\n\nThe link works once and expires in {h} hours. If you did not ask for this, ignore this email: your password stays as it is.\n"
    );
    let html = html_message(
        &format!("Hello {name},"),
        &["Someone (hopefully you) asked to reset the password of your CRM account.".to_string()],
        Some(("Choose a new password", link)),
        &format!("The link works once and expires in {h} hours. If you did not ask for this, ignore this email."),
    );
    OutgoingMail { to_name: name.into(), to_email: email.into(), subject: "Reset your CRM password".into(), text, html, links: vec![link.into()] }
}

pub fn password_changed_notice(name: &str, email: &str) -> OutgoingMail {
    let text = format!(
        "Hello {name},\n\nThe password of your CRM account was just changed, and every other session was signed out.\n\nIf this was not you, contact your administrator at once.\n"
    );
    let html = html_message(
        &format!("Hello {name},"),
        &["The password of your CRM account was just changed, and every other session was signed out.".to_string()],
        None,
        "If this was not you, contact your administrator at once.",
    );
    OutgoingMail { to_name: name.into(), to_email: email.into(), subject: "Your CRM password was changed".into(), text, html, links: vec![] }
}

/// A security notice: something about how the account signs in changed or was used.
pub fn security_notice(name: &str, email: &str, subject: &str, what: &str) -> OutgoingMail {
    let text = format!("Hello {name},\n\n{what}\n\nIf this was not you, contact your administrator at once.\n");
    let html = html_message(&format!("Hello {name},"), &[what.to_string()], None, "If this was not you, contact your administrator at once.");
    OutgoingMail { to_name: name.into(), to_email: email.into(), subject: subject.into(), text, html, links: vec![] }
}

/// A heads-up: what a change just saved does to the person's access, in sentences.
pub fn access_changed(name: &str, email: &str, by: &str, sentences: &[String]) -> OutgoingMail {
    let list: String = sentences.iter().map(|s| format!("- {s}\n")).collect();
    let text = format!("Hello {name},\n\n{by} changed what you can do in the CRM:\n\n{list}\nIf something you need is missing, ask {by}.\n");
    let mut paragraphs = vec![format!("{by} changed what you can do in the CRM:")];
    paragraphs.extend(sentences.iter().cloned());
    let html = html_message(&format!("Hello {name},"), &paragraphs, None, &format!("If something you need is missing, ask {by}."));
    OutgoingMail { to_name: name.into(), to_email: email.into(), subject: "What you can do in the CRM has changed".into(), text, html, links: vec![] }
}

pub fn blocked_notice(name: &str, email: &str) -> OutgoingMail {
    let text = format!("Hello {name},\n\nYour CRM account has been blocked by an administrator, and you have been signed out.\n\nIf you think this is a mistake, contact your administrator.\n");
    let html = html_message(
        &format!("Hello {name},"),
        &["Your CRM account has been blocked by an administrator, and you have been signed out.".to_string()],
        None,
        "If you think this is a mistake, contact your administrator.",
    );
    OutgoingMail { to_name: name.into(), to_email: email.into(), subject: "Your CRM account was blocked".into(), text, html, links: vec![] }
}

/// Links are printed in the log so a laptop install without SMTP can still activate accounts.
/// In outbox mode (no SMTP server) the link is written to the log too, so a trial installation
/// can be used without mail; with SMTP the token never reaches the log.
pub fn log_link(settings: &super::Settings, what: &str, email: &str, link: &str) {
    if settings.smtp.is_none() {
        tracing::info!(%email, %link, "{what} link");
    } else {
        tracing::info!(%email, "{what} link queued for delivery");
    }
}

/// The retry delay after `attempts` failed sends: doubling from `base`, at most 30 minutes.
pub fn backoff_ms(base_ms: i64, attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 16) as u32;
    base_ms.saturating_mul(1 << doublings).min(30 * 60_000)
}

/// Sends queued mail: claims due jobs (safely across instances), sends, and reschedules
/// failures with backoff. Wakes on `mail_wake` or every two seconds.
pub fn spawn_worker(state: super::AppState) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = send_due(&state).await {
                tracing::warn!(error = %e, "mail worker pass failed");
            }
            tokio::select! {
                _ = state.mail_wake.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            }
        }
    });
}

async fn send_due(state: &super::AppState) -> Result<usize, super::db::DbError> {
    use serde_json::json;
    #[derive(serde::Deserialize)]
    struct Due {
        id: String,
    }
    #[derive(serde::Deserialize)]
    struct Job {
        id: String,
        to_name: String,
        to_email: String,
        subject: String,
        text: String,
        html: String,
        links: Vec<String>,
        attempts: i64,
    }
    let now = super::time::now_ms();
    let due: Vec<Due> = state
        .db
        .query(
            "SELECT record::id(id) AS id, next_attempt_at FROM mail_job WHERE status = 'pending' AND next_attempt_at <= $now
                AND claimed_until < $now ORDER BY next_attempt_at LIMIT 20;",
            json!({ "now": now }),
        )
        .await?
        .all(0)?;
    let mut sent = 0;
    for d in due {
        // Claim the job; another instance that got there first makes this return nothing.
        let job: Option<Job> = state
            .db
            .query(
                "UPDATE type::record('mail_job', $id) SET claimed_until = $until WHERE status = 'pending' AND claimed_until < $now
                 RETURN record::id(id) AS id, to_name, to_email, subject, text, html, links, attempts;",
                json!({ "id": d.id, "now": now, "until": now + 120_000 }),
            )
            .await?
            .first(0)?;
        let Some(job) = job else { continue };
        let mail = OutgoingMail {
            to_name: job.to_name,
            to_email: job.to_email,
            subject: job.subject,
            text: job.text,
            html: job.html,
            links: job.links,
        };
        let attempts = job.attempts + 1;
        match state.mailer.send(&mail).await {
            Ok(()) => {
                state
                    .db
                    .query(
                        "UPDATE type::record('mail_job', $id) SET status = 'sent', sent_at = $now, attempts = $attempts,
                            last_error = NONE, claimed_until = 0;",
                        json!({ "id": job.id, "now": super::time::now_ms(), "attempts": attempts }),
                    )
                    .await?;
                sent += 1;
            }
            Err(reason) => {
                let base = state.settings.mail_retry_base.as_millis() as i64;
                let next = super::time::now_ms() + backoff_ms(base, attempts);
                state
                    .db
                    .query(
                        "UPDATE type::record('mail_job', $id) SET attempts = $attempts, next_attempt_at = $next,
                            last_error = $reason, claimed_until = 0;",
                        json!({ "id": job.id, "attempts": attempts, "next": next, "reason": reason }),
                    )
                    .await?;
            }
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod queue_tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_stops_at_half_an_hour() {
        assert_eq!(backoff_ms(1000, 1), 1000);
        assert_eq!(backoff_ms(1000, 2), 2000);
        assert_eq!(backoff_ms(1000, 4), 8000);
        assert_eq!(backoff_ms(60_000, 40), 30 * 60_000);
    }

    #[test]
    fn invitation_has_the_link_in_both_parts_and_escapes_names() {
        let m = invitation("Ann <Lee>", "ann@example.com", "Ada", "https://x.test/activate/abc", std::time::Duration::from_secs(72 * 3600));
        assert!(m.text.contains("https://x.test/activate/abc") && m.text.contains("72 hours"));
        assert!(m.html.contains("https://x.test/activate/abc"));
        assert!(m.html.contains("Ann &lt;Lee&gt;") && !m.html.contains("<Lee>"));
    }
}
