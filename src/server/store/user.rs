//! The `user` table's writes.

use serde_json::json;

use super::Stmt;
use crate::domain::{Email, Mobile, PersonName};

/// A user's details as checked by the form: what an invitation or an edit writes.
pub struct Details {
    pub name: PersonName,
    pub email: Email,
    pub mobile: Option<Mobile>,
    pub department: String,
    pub role: String,
    pub companies: Vec<String>,
    pub is_approver: bool,
}

impl Details {
    fn vars(&self, id: &str, now: i64) -> serde_json::Value {
        json!({
            "id": id, "name": self.name.as_ref(), "email": self.email.as_ref(), "email_key": self.email.key(),
            "mobile": self.mobile.as_ref().map(|m| m.as_ref()), "department": self.department, "role": self.role,
            "companies": self.companies, "approver": self.is_approver, "now": now, "search": self.search_text(),
        })
    }

    /// What the list's search matches: name, email and mobile, lower case.
    pub fn search_text(&self) -> String {
        let mobile = self.mobile.as_ref().map(|m| m.as_ref()).unwrap_or("");
        format!("{} {} {mobile}", self.name.as_ref(), self.email.as_ref()).to_lowercase()
    }
}

/// A new account waiting for activation.
pub fn create_invited(id: &str, d: &Details, now: i64) -> Stmt {
    Stmt::new(
        "CREATE type::record('user', $id) SET full_name = $name, email = $email, email_key = $email_key,
            mobile = $mobile, department = type::record('department', $department), role = type::record('role', $role),
            companies = $companies.map(|$c| type::record('company', $c)), status = 'invited',
            is_approver = $approver, must_change_password = false, created_at = $now, updated_at = $now,
            search_text = $search, licenses = [], hidden_modules = [];",
        d.vars(id, now),
    )
}

/// A service account: active at once, without a password (it never signs in), and marked as one.
pub fn create_service(id: &str, d: &Details, provision_role: &str, by: &str, now: i64) -> Stmt {
    Stmt::new(
        "CREATE type::record('user', $id) SET full_name = $name, email = $email, email_key = $email_key,
            mobile = NONE, department = type::record('department', $department), role = type::record('role', $role),
            companies = $companies.map(|$c| type::record('company', $c)), status = 'active', is_approver = false,
            must_change_password = false, created_at = $now, updated_at = $now,
            search_text = $search, licenses = [], hidden_modules = [];
         CREATE type::record('service_account', $id) SET provision_role = type::record('role', $provision_role),
            created_by = type::record('user', $by), created_at = $now;",
        d.vars(id, now),
    )
    .with("provision_role", provision_role)
    .with("by", by)
}

/// The first administrator, active with a password (first-run setup).
pub fn create_first_admin(id: &str, d: &Details, hash: &str, now: i64) -> Stmt {
    Stmt::new(
        "CREATE type::record('user', $id) SET full_name = $name, email = $email, email_key = $email_key,
            mobile = NONE, department = type::record('department', $department), role = type::record('role', $role),
            companies = $companies.map(|$c| type::record('company', $c)), status = 'active', is_approver = true,
            password_hash = $hash, must_change_password = false, created_at = $now, updated_at = $now,
            search_text = $search, licenses = [], hidden_modules = [];",
        d.vars(id, now),
    )
    .with("hash", hash)
}

pub fn update_details(id: &str, d: &Details, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET full_name = $name, email = $email, email_key = $email_key,
            mobile = $mobile, department = type::record('department', $department), role = type::record('role', $role),
            companies = $companies.map(|$c| type::record('company', $c)), is_approver = $approver,
            updated_at = $now, search_text = $search;",
        d.vars(id, now),
    )
}

/// A new status; "active" for an account that never set a password is "invited" again.
pub fn set_status(id: &str, status: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET updated_at = $now,
            status = IF $status = 'active' AND password_hash = NONE { 'invited' } ELSE { $status };",
        json!({ "id": id, "status": status, "now": now }),
    )
}

/// A new password hash; `must_change` for a temporary password.
pub fn set_password(id: &str, hash: &str, must_change: bool, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET password_hash = $hash, must_change_password = $must, updated_at = $now;",
        json!({ "id": id, "hash": hash, "must": must_change, "now": now }),
    )
}

pub fn set_licenses(id: &str, licenses: &[String]) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET licenses = $licenses.map(|$l| type::record('license', $l));",
        json!({ "id": id, "licenses": licenses }),
    )
}

pub fn set_hidden_modules(id: &str, hidden: &[crate::access::Module]) -> Stmt {
    Stmt::new("UPDATE type::record('user', $id) SET hidden_modules = $hidden;", json!({ "id": id, "hidden": hidden }))
}

/// Gives the user access to one more company.
pub fn add_company(id: &str, company: &str) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET companies += type::record('company', $company);",
        json!({ "id": id, "company": company }),
    )
}

pub fn signed_in(id: &str, now: i64) -> Stmt {
    Stmt::new("UPDATE type::record('user', $id) SET last_sign_in_at = $now;", json!({ "id": id, "now": now }))
}

/// Offboarded: blocked, every license given back, no offboarding waiting any more.
pub fn offboarded(id: &str, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET status = 'blocked', licenses = [], leave_at = NONE, leave_owner = NONE, leave_owners = NONE,
            leave_by = NONE, leave_problem = NONE, offboarded_at = $now, updated_at = $now;",
        json!({ "id": id, "now": now }),
    )
}

/// Schedules (or, with `at` None, cancels) the user's offboarding; `owners`: a different new
/// owner for some modules' records.
pub fn schedule_leave(id: &str, at: Option<i64>, owner: Option<&str>, owners: &[crate::domain::ModuleOwner], by: &str, now: i64) -> Stmt {
    let owners: Vec<[String; 2]> = owners.iter().map(|o| [format!("{:?}", o.module), o.owner.clone()]).collect();
    Stmt::new(
        "UPDATE type::record('user', $id) SET leave_at = $at, leave_problem = NONE, updated_at = $now,
            leave_owner = IF $at != NONE AND $owner != NONE { type::record('user', $owner) } ELSE { NONE },
            leave_owners = IF $at != NONE AND $owners != [] { $owners } ELSE { NONE },
            leave_by = IF $at != NONE { type::record('user', $by) } ELSE { NONE };",
        json!({ "id": id, "at": at, "owner": owner, "owners": owners, "by": by, "now": now }),
    )
}

/// A due offboarding could not run: why (it waits for an administrator).
pub fn leave_problem(id: &str, at: i64, problem: &str) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET leave_problem = $problem WHERE leave_at = $at;",
        json!({ "id": id, "at": at, "problem": problem }),
    )
}

/// The scheduled offboarding at `at` is not (or no longer) waiting: carried out by another
/// worker meanwhile, moved or cancelled.
pub fn leave_not_waiting(id: &str, at: i64) -> Stmt {
    Stmt::new("(SELECT VALUE leave_at FROM type::record('user', $id))[0] != $at", json!({ "id": id, "at": at }))
}

/// The companies the user has access to.
pub fn set_companies(id: &str, companies: &[String]) -> Stmt {
    Stmt::new(
        "UPDATE type::record('user', $id) SET companies = $companies.map(|$c| type::record('company', $c));",
        json!({ "id": id, "companies": companies }),
    )
}

/// The account was activated from its invitation now.
pub fn activated(id: &str, now: i64) -> Stmt {
    Stmt::new("UPDATE type::record('user', $id) SET activated_at = $now;", json!({ "id": id, "now": now }))
}
