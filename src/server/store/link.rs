//! The `link_token` table's writes: activation and reset links (only their digest is stored).

use serde_json::json;

use super::Stmt;

/// A new link of `kind` for the user; their older unused links of that kind stop working.
pub fn issue(user: &str, kind: crate::domain::LinkKind, digest: &str, now: i64, expires: i64) -> Stmt {
    Stmt::new(
        "UPDATE link_token SET revoked = true WHERE user = type::record('user', $id) AND kind = $link_kind AND used_at = NONE;
         CREATE link_token SET user = type::record('user', $id), kind = $link_kind, token_hash = $digest,
            created_at = $now, expires_at = $expires, revoked = false;",
        json!({ "id": user, "link_kind": kind.as_str(), "digest": digest, "now": now, "expires": expires }),
    )
}

/// Every unused link of the user stops working.
pub fn revoke_open(user: &str) -> Stmt {
    Stmt::new(
        "UPDATE link_token SET revoked = true WHERE user = type::record('user', $id) AND used_at = NONE;",
        json!({ "id": user }),
    )
}

/// Reads the link with `digest` into `$t` (for [`claim_is_stale`] and [`use_claimed`]).
pub fn claim(digest: &str) -> Stmt {
    Stmt::new("LET $t = (SELECT * FROM link_token WHERE token_hash = $digest LIMIT 1)[0];", json!({ "digest": digest }))
}

/// The condition under which the claimed link may not be used (any more).
pub fn claim_is_stale(now: i64) -> Stmt {
    Stmt::new("$t = NONE OR $t.used_at != NONE OR $t.revoked OR $t.expires_at <= $now", json!({ "now": now }))
}

/// Uses the claimed link: the password is set, an invited account becomes active, the user's
/// other links stop working and their sessions end.
pub fn use_claimed(hash: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE $t.id SET used_at = $now;
         UPDATE $t.user SET password_hash = $hash, must_change_password = false, updated_at = $now,
            status = IF $t.kind = 'activation' { 'active' } ELSE { status };
         UPDATE link_token SET revoked = true WHERE user = $t.user AND used_at = NONE;
         DELETE session WHERE user = $t.user;",
        json!({ "hash": hash, "now": now }),
    )
}
