//! What the Users pages and the activation flow exchange with the server.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum UserSort {
    #[default]
    Name,
    Email,
    Status,
    LastSignIn,
    Created,
}

/// A page of the users list: search, filters, sort and paging, all applied on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserQuery {
    #[serde(default)]
    pub search: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub license: Option<String>,
    /// Second factor: "on" (set up), "off" (not set up), "missing" (required, not set up).
    #[serde(default)]
    pub second_factor: Option<String>,
    #[serde(default)]
    pub sort: UserSort,
    #[serde(default)]
    pub descending: bool,
    #[serde(default = "first_page")]
    pub page: u32,
    #[serde(default = "default_per_page")]
    pub per_page: u32,
}

pub(crate) fn first_page() -> u32 {
    1
}
pub(crate) fn default_per_page() -> u32 {
    25
}

impl Default for UserQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            status: None,
            role: None,
            department: None,
            company: None,
            license: None,
            second_factor: None,
            sort: UserSort::Name,
            descending: false,
            page: 1,
            per_page: 25,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

/// One user as lists and the user page show them. Never a hash, a token or a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserRow {
    pub id: String,
    pub full_name: String,
    pub email: String,
    pub mobile: Option<String>,
    pub status: crate::access::UserStatus,
    pub role: NamedRef,
    pub department: Option<NamedRef>,
    pub companies: Vec<NamedRef>,
    pub is_approver: bool,
    pub last_sign_in_at: Option<i64>,
    pub created_at: i64,
    /// Set while the latest invitation or notice could not be delivered: the reason.
    pub mail_problem: Option<String>,
    /// A second factor is set up.
    #[serde(default)]
    pub second_factor: bool,
    /// A second factor is required for this user (by their role or for everyone).
    #[serde(default)]
    pub second_factor_required: bool,
    /// A scheduled offboarding: when it runs (Unix milliseconds), who takes the records over.
    #[serde(default)]
    pub leave_at: Option<i64>,
    #[serde(default)]
    pub leave_owner: Option<NamedRef>,
    /// Why a due offboarding could not run (it waits for an administrator).
    #[serde(default)]
    pub leave_problem: Option<String>,
    /// When the person was offboarded.
    #[serde(default)]
    pub offboarded_at: Option<i64>,
}

/// What offboarding a person does (the preview) or did: every effect, named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct OffboardPlan {
    pub name: String,
    /// Sessions ended.
    pub sessions: u64,
    /// Licenses given back (names).
    pub licenses: Vec<String>,
    /// Profiles granted to the person directly, removed (names).
    pub grants: Vec<String>,
    /// Groups the person leaves (names).
    pub groups: Vec<String>,
    /// Who takes the records over, if anyone.
    pub new_owner: Option<String>,
    /// Records moving to the new owner, per module (label, count).
    pub records: Vec<(String, u64)>,
    /// Records that stay with the person (no new owner, out of the caller's reach, or in a
    /// company the new owner has no access to).
    pub records_staying: u64,
}

impl OffboardPlan {
    /// The effects as sentences, in the order they happen.
    pub fn steps(&self) -> Vec<String> {
        let name = &self.name;
        let signed_out = match self.sessions {
            0 => "(not signed in anywhere now)".to_string(),
            n => format!("and end {}", super::count(n, "open session", "open sessions")),
        };
        let mut out = vec![format!("Block {name}'s account {signed_out}; unused invitation and reset links stop working.")];
        let moving: u64 = self.records.iter().map(|(_, n)| n).sum();
        match &self.new_owner {
            Some(owner) if moving > 0 => {
                let parts: Vec<String> = self.records.iter().filter(|(_, n)| *n > 0).map(|(m, n)| format!("{n} {m}")).collect();
                out.push(format!("Move {} to {owner}: {}.", super::count(moving, "record", "records"), parts.join(", ")));
            }
            Some(owner) => out.push(format!("No records to move to {owner}.")),
            None => {}
        }
        if self.records_staying > 0 {
            out.push(format!("{} stay with {name}.", super::count(self.records_staying, "record", "records")));
        }
        if !self.licenses.is_empty() {
            out.push(format!("Give back {}: {}.", if self.licenses.len() == 1 { "the license" } else { "the licenses" }, self.licenses.join(", ")));
        }
        if !self.grants.is_empty() {
            out.push(format!("Remove the profiles granted directly: {}.", self.grants.join(", ")));
        }
        if !self.groups.is_empty() {
            out.push(format!("Take {name} out of {}: {}.", if self.groups.len() == 1 { "the group" } else { "the groups" }, self.groups.join(", ")));
        }
        out
    }
}

/// The add-user and edit-user form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct UserInput {
    pub full_name: String,
    pub email: String,
    #[serde(default)]
    pub mobile: String,
    pub department: String,
    pub role: String,
    pub companies: Vec<String>,
    #[serde(default)]
    pub is_approver: bool,
}

/// What the activation and reset pages show before the person sets a password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkInfo {
    pub full_name: String,
    pub email: String,
    pub kind: LinkKind,
}

/// What an emailed link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkKind {
    /// Activating an invited account (choosing the first password).
    Activation,
    /// Choosing a new password.
    Reset,
}

impl LinkKind {
    /// The stored word (`activation`, `reset`).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Activation => "activation",
            LinkKind::Reset => "reset",
        }
    }
}

/// Bulk actions on the users list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    Activate,
    Deactivate,
    Block,
    ResendInvite,
    /// Give everyone selected this role (by id).
    AssignRole(String),
    /// Add this company (by id) to everyone's company access.
    AddCompany(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResult {
    pub done: u32,
    /// Users the action was refused for, with the reason.
    pub refused: Vec<(String, String)>,
}

/// A person to contact, as the welcome page shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

/// The welcome page of a new person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    pub name: String,
    pub role: String,
    pub department: String,
    pub companies: Vec<String>,
    /// "Leads: you can see, create and edit your own leads."
    pub can: Vec<String>,
    pub manager: Option<Contact>,
    /// Who may change this person's access, to ask when something is missing.
    pub ask: Vec<Contact>,
}
