//! The `session` table's writes (sessions are created in `auth`, where their token is made).

use serde_json::json;

use super::Stmt;

pub fn delete(session: &str) -> Stmt {
    Stmt::new("DELETE type::record('session', $sid);", json!({ "sid": session }))
}

/// Every session of the user ends (blocked, deactivated, a password set for them).
pub fn end_all(user: &str) -> Stmt {
    Stmt::new("DELETE session WHERE user = type::record('user', $id);", json!({ "id": user }))
}

/// How many sessions the user has open.
pub fn count(user: &str) -> Stmt {
    Stmt::new("array::len((SELECT VALUE id FROM session WHERE user = type::record('user', $id)))", json!({ "id": user }))
}

/// [`end_all`], keeping in `$ended` how many sessions ended.
pub fn end_all_counted(user: &str) -> Stmt {
    Stmt::new(
        "LET $ended = array::len((DELETE session WHERE user = type::record('user', $id) RETURN BEFORE));",
        json!({ "id": user }),
    )
}

/// Every session of the user but `keep` ends (one's own password change).
pub fn end_all_but(user: &str, keep: &str) -> Stmt {
    Stmt::new(
        "DELETE session WHERE user = type::record('user', $id) AND id != type::record('session', $sid);",
        json!({ "id": user, "sid": keep }),
    )
}

/// Ends one session of the user, or (with `None`) all but `mine`; the ended ones are kept in
/// `$gone` for the caller's answer.
pub fn end_some(user: &str, one: Option<&str>, mine: &str) -> Stmt {
    Stmt::new(
        "LET $gone = (DELETE session WHERE user = type::record('user', $id) AND ($one = NONE OR id = type::record('session', $one))
            AND ($one != NONE OR id != type::record('session', $mine)) RETURN BEFORE);",
        json!({ "id": user, "one": one, "mine": mine }),
    )
}

/// "View as": the session shows the console as `user` (or, with `None`, as its own user again).
pub fn set_view_as(session: &str, user: Option<&str>) -> Stmt {
    Stmt::new(
        "UPDATE type::record('session', $sid) SET view_as = IF $user { type::record('user', $user) } ELSE { NONE };",
        json!({ "sid": session, "user": user }),
    )
}
