//! Types shared by the browser and the server: validated values, the API's error type and the
//! data transfer objects that cross the wire. Nothing here does IO.

mod audit;
mod error;
mod ids;
mod password;
mod values;
mod dto;
mod users;
mod records;
mod security;

pub use audit::{AuditAction, AuditTarget};
pub use dto::*;
pub use ids::{CompanyId, DepartmentId, GroupId, LicenseId, ProfileId, RecordId, RoleId, UserId};
pub use users::*;
pub use records::*;
pub use security::*;
pub use error::{ApiError, FieldError};
pub use password::{check_password, check_password_for, new_password_errors, setup_errors, sign_in_errors, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
pub use values::{Email, Mobile, PersonName};

/// "1 user", "3 users": a count with its noun in the right number.
pub fn count(n: u64, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}
