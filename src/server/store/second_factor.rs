//! The `second_factor` table's writes (one record per user, keyed by the user's id), and the
//! session and policy fields that go with it.

use serde_json::json;

use super::Stmt;

/// Starts (or restarts) an authenticator-app enrolment: the secret waits for its first code.
pub fn start_totp(user: &str, secret: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPSERT type::record('second_factor', $u) SET user = type::record('user', $u), totp_pending = $secret,
            totp_pending_at = $now, updated_at = $now;",
        json!({ "u": user, "secret": secret, "now": now }),
    )
}

/// True when the enrolment being confirmed is no longer the one waiting (restarted elsewhere).
pub fn pending_changed(user: &str, secret: &str) -> Stmt {
    Stmt::new("(type::record('second_factor', $u).totp_pending ?? '') != $secret", json!({ "u": user, "secret": secret }))
}

/// The waiting secret becomes the authenticator app, with fresh recovery codes.
pub fn confirm_totp(user: &str, step: i64, recovery: &[String], now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('second_factor', $u) SET totp_secret = totp_pending, totp_pending = NONE, totp_pending_at = NONE,
            totp_last_step = $step, totp_since = $now, recovery = $codes, updated_at = $now;
         UPDATE type::record('user', $u) SET second_factor = 'totp', updated_at = $now;",
        json!({ "u": user, "step": step, "codes": recovery, "now": now }),
    )
}

/// True when this step's code (or a later one) was already accepted: a code counts once.
pub fn step_used(user: &str, step: i64) -> Stmt {
    Stmt::new("(type::record('second_factor', $u).totp_last_step ?? 0) >= $step", json!({ "u": user, "step": step }))
}

pub fn accept_step(user: &str, step: i64, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('second_factor', $u) SET totp_last_step = $step, updated_at = $now;",
        json!({ "u": user, "step": step, "now": now }),
    )
}

/// True when this recovery code is not (or no longer) one of the user's.
pub fn recovery_unknown(user: &str, digest: &str) -> Stmt {
    Stmt::new("$digest NOT IN (type::record('second_factor', $u).recovery ?? [])", json!({ "u": user, "digest": digest }))
}

/// A recovery code is spent.
pub fn spend_recovery(user: &str, digest: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('second_factor', $u) SET recovery = array::complement(recovery, [$digest]), updated_at = $now;",
        json!({ "u": user, "digest": digest, "now": now }),
    )
}

pub fn renew_recovery(user: &str, recovery: &[String], now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('second_factor', $u) SET recovery = $codes, updated_at = $now;",
        json!({ "u": user, "codes": recovery, "now": now }),
    )
}

/// Every second factor of the user goes, passkeys too (an administrator's reset).
pub fn remove(user: &str, now: i64) -> Stmt {
    Stmt::new(
        "DELETE type::record('second_factor', $u);
         DELETE passkey WHERE user = type::record('user', $u);
         UPDATE type::record('user', $u) SET second_factor = NONE, updated_at = $now;",
        json!({ "u": user, "now": now }),
    )
}

/// The session's user proved who they are again (step-up), by `method`.
pub fn session_authenticated(session: &str, method: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('session', $sid) SET authenticated_at = $now, auth_method = $method, second_factor_pending = false;",
        json!({ "sid": session, "method": method, "now": now }),
    )
}

/// Whether every account must have a second factor.
pub fn require_for_everyone(required: bool, now: i64) -> Stmt {
    Stmt::new(
        "UPSERT setting:security SET value = { require_second_factor: $required }, updated_at = $now;",
        json!({ "required": required, "now": now }),
    )
}

pub fn require_for_role(role: &str, required: bool) -> Stmt {
    Stmt::new(
        "UPDATE type::record('role', $r) SET requires_second_factor = $required;",
        json!({ "r": role, "required": required }),
    )
}

/// What lists show of a user's second factors: `totp` when an authenticator app is set up,
/// else `passkey` when a passkey is, else nothing. Run after every change to either.
pub fn refresh_summary(user: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $u) SET second_factor =
            IF (type::record('second_factor', $u).totp_secret ?? NONE) != NONE { 'totp' }
            ELSE IF count(SELECT VALUE id FROM passkey WHERE user = type::record('user', $u)) > 0 { 'passkey' }
            ELSE { NONE },
            updated_at = $now;",
        json!({ "u": user, "now": now }),
    )
}

/// True when a second factor is required of the user and none is left (after a removal).
pub fn required_and_none_left(user: &str) -> Stmt {
    Stmt::new(
        "(type::record('user', $u).second_factor = NONE) AND ((type::record('user', $u).role.requires_second_factor ?? false)
            OR (setting:security.value.require_second_factor ?? false))",
        json!({ "u": user }),
    )
}

/// Only the authenticator app goes (and its recovery codes); passkeys stay.
pub fn remove_totp(user: &str) -> Stmt {
    Stmt::new("DELETE type::record('second_factor', $u);", json!({ "u": user }))
}

pub fn add_passkey(id: &str, user: &str, name: &str, cred_id: &str, key: serde_json::Value, now: i64) -> Stmt {
    Stmt::new(
        "CREATE type::record('passkey', $id) SET user = type::record('user', $u), name = $name, cred_id = $cred, key = $key,
            created_at = $now, last_used_at = NONE;",
        json!({ "id": id, "u": user, "name": name, "cred": cred_id, "key": key, "now": now }),
    )
}

pub fn remove_passkey(id: &str, user: &str) -> Stmt {
    Stmt::new("DELETE passkey WHERE id = type::record('passkey', $id) AND user = type::record('user', $u);", json!({ "id": id, "u": user }))
}

/// A passkey signed someone in: when, and its updated counter.
pub fn passkey_used(id: &str, key: serde_json::Value, now: i64) -> Stmt {
    Stmt::new("UPDATE type::record('passkey', $id) SET key = $key, last_used_at = $now;", json!({ "id": id, "key": key, "now": now }))
}
