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
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

/// One user as lists and the user page show them. Never a hash, a token or a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// The add-user and edit-user form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
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
