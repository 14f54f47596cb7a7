//! The `license` table's writes.

use serde_json::json;

use super::Stmt;

pub const NAME_INDEX: &str = "license_name_key";

pub fn save(id: &str, name: &str, seats: u32, modules: &[crate::access::Module], now: i64) -> Stmt {
    Stmt::new(
        "UPSERT type::record('license', $id) SET name = $name, name_key = string::lowercase($name), seats = $seats,
            modules = $modules, created_at = created_at ?? $now;",
        json!({ "id": id, "name": name, "seats": seats, "modules": modules, "now": now }),
    )
}

/// More users hold the license than `seats`.
pub fn held_by_more_than(id: &str, seats: u32) -> Stmt {
    Stmt::new(
        "((SELECT count() FROM user WHERE licenses CONTAINS type::record('license', $id) GROUP ALL)[0].count ?? 0) > $seats",
        json!({ "id": id, "seats": seats }),
    )
}

/// More users hold the license than it has seats (checked after a user's licenses change).
pub fn over_its_seats(id: &str) -> Stmt {
    Stmt::new(
        "((SELECT count() FROM user WHERE licenses CONTAINS type::record('license', $id) GROUP ALL)[0].count ?? 0)
            > type::record('license', $id).seats",
        json!({ "id": id }),
    )
}
