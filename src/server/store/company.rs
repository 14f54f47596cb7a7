//! The `company` table's writes.

use serde_json::json;

use super::Stmt;

/// The unique index on company names.
pub const NAME_INDEX: &str = "company_name_key";

pub fn create(id: &str, name: &str, now: i64) -> Stmt {
    Stmt::new(
        "CREATE type::record('company', $id) SET name = $name, name_key = string::lowercase($name), archived = false, created_at = $now;",
        json!({ "id": id, "name": name, "now": now }),
    )
}

pub fn rename(id: &str, name: &str) -> Stmt {
    Stmt::new(
        "UPDATE type::record('company', $id) SET name = $name, name_key = string::lowercase($name);",
        json!({ "id": id, "name": name }),
    )
}

pub fn set_archived(id: &str, archived: bool) -> Stmt {
    Stmt::new("UPDATE type::record('company', $id) SET archived = $archived;", json!({ "id": id, "archived": archived }))
}

pub fn delete(id: &str) -> Stmt {
    Stmt::new("DELETE type::record('company', $id);", json!({ "id": id }))
}

/// Someone still has access to the company.
pub fn has_users(id: &str) -> Stmt {
    Stmt::new(
        "(SELECT id FROM user WHERE companies CONTAINS type::record('company', $id) LIMIT 1) != []",
        json!({ "id": id }),
    )
}

/// Records still belong to the company.
pub fn has_records(id: &str) -> Stmt {
    Stmt::new("(SELECT id FROM crm_record WHERE company = type::record('company', $id) LIMIT 1) != []", json!({ "id": id }))
}
