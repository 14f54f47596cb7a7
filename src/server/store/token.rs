//! The `api_token` table's writes. A token's secret is never stored, only its digest.

use serde_json::json;

use super::Stmt;

/// A new token for `user`; `$api_token` holds the new row.
pub fn create(user: &str, name: &str, write: bool, digest: &str, now: i64, expires_at: i64) -> Stmt {
    Stmt::new(
        "LET $api_token = (CREATE api_token CONTENT {
            user: type::record('user', $user), name: $name, write: $write, token_hash: $digest,
            created_at: $now, expires_at: $expires_at
        } RETURN AFTER)[0];",
        json!({ "user": user, "name": name, "write": write, "digest": digest, "now": now, "expires_at": expires_at }),
    )
}

/// Whether `user` does not (or no longer) hold the token `id`.
pub fn not_held(user: &str, id: &str) -> Stmt {
    Stmt::new(
        "array::len((SELECT VALUE id FROM api_token WHERE id = type::record('api_token', $id) AND user = type::record('user', $user))) = 0",
        json!({ "user": user, "id": id }),
    )
}

/// Revokes one token (it is deleted; the audit row keeps its name).
pub fn delete(id: &str) -> Stmt {
    Stmt::new("DELETE type::record('api_token', $id);", json!({ "id": id }))
}

/// Every token of the user stops working (deprovisioned, offboarded).
pub fn end_all(user: &str) -> Stmt {
    Stmt::new("DELETE api_token WHERE user = type::record('user', $id);", json!({ "id": user }))
}
