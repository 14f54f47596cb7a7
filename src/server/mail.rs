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
