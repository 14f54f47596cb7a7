//! What crosses the wire between the browser and the server. No secrets, no hashes, no tokens.

use serde::{Deserialize, Serialize};

/// Who is signed in, as the console shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub id: String,
    pub full_name: String,
    pub email: String,
    pub role: String,
    /// Holds the Administrator profile while Active ("full administration").
    pub full_admin: bool,
    /// Modules this user may View (and has not hidden): what the menu shows.
    #[serde(default)]
    pub modules: Vec<crate::access::Module>,
}

/// What every page needs first: is the installation set up, and who is this browser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub needs_setup: bool,
    pub me: Option<Me>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusCount {
    pub status: String,
    pub count: u64,
}

/// The dashboard's numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub users_by_status: Vec<StatusCount>,
    pub total_users: u64,
    pub companies: u64,
    pub roles: u64,
    pub recent_sign_ins: Vec<RecentSignIn>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentSignIn {
    pub full_name: String,
    pub email: String,
    /// Unix milliseconds.
    pub at: i64,
    /// The same, relative to when the server answered ("5 min ago").
    pub when: String,
}

/// "5 min ago" style text for a Unix-millisecond time, relative to `now`.
pub fn ago(at: i64, now: i64) -> String {
    let secs = ((now - at) / 1000).max(0);
    match secs {
        0..=59 => "just now".into(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86399 => format!("{} h ago", secs / 3600),
        86400..=172799 => "yesterday".into(),
        _ => format!("{} days ago", secs / 86400),
    }
}

/// A company (business unit) of the installation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyDto {
    pub id: String,
    pub name: String,
    pub archived: bool,
    /// Users whose company access includes it.
    pub users: u64,
}

/// A department; `parent` makes the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentDto {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub manager: Option<String>,
    pub manager_name: Option<String>,
    /// Users who belong to it.
    pub users: u64,
}

/// What the department form sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentInput {
    pub name: String,
    pub parent: Option<String>,
    pub manager: Option<String>,
}

/// A role as forms list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleDto {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
}
