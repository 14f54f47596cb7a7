//! The `mail_job` table's writes: the outbox the mail worker sends from.

use serde_json::json;

use super::Stmt;

/// One email; bind `$mail` as [`super::Work::queue_mail`] does.
pub fn queue(vars: serde_json::Value) -> Stmt {
    Stmt::new(
        "CREATE mail_job SET kind = $mail.kind, user = type::record('user', $mail.user),
            to_name = $mail.to_name, to_email = $mail.to_email, subject = $mail.subject, text = $mail.text,
            html = $mail.html, links = $mail.links, status = 'pending', attempts = 0, next_attempt_at = $mail.at,
            claimed_until = 0, created_at = $mail.at;",
        vars,
    )
}

/// A newer invitation replaces the user's unsent ones.
pub fn drop_pending_invitations(user: &str) -> Stmt {
    Stmt::new(
        "UPDATE mail_job SET status = 'failed', last_error = 'replaced by a newer invitation'
            WHERE user = type::record('user', $id) AND kind = 'invitation' AND status = 'pending';",
        json!({ "id": user }),
    )
}
