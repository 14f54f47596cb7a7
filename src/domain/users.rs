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
    /// Members of this group, its nested groups' members included.
    #[serde(default)]
    pub group: Option<String>,
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
            group: None,
            second_factor: None,
            sort: UserSort::Name,
            descending: false,
            page: 1,
            per_page: 25,
        }
    }
}

/// The users list's search and filters as they stand in the address (`/users?status=invited&…`),
/// so a filtered list can be linked to (from the dashboard), bookmarked and reloaded. Empty means
/// "any".
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserFilters {
    pub search: String,
    pub status: String,
    pub role: String,
    pub department: String,
    pub company: String,
    pub license: String,
    pub group: String,
    pub second_factor: String,
}

impl UserFilters {
    const KEYS: [&'static str; 8] = ["q", "status", "role", "department", "company", "license", "group", "second_factor"];

    fn slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "q" => &mut self.search,
            "status" => &mut self.status,
            "role" => &mut self.role,
            "department" => &mut self.department,
            "company" => &mut self.company,
            "license" => &mut self.license,
            "group" => &mut self.group,
            "second_factor" => &mut self.second_factor,
            _ => return None,
        })
    }

    fn values(&self) -> [&String; 8] {
        [&self.search, &self.status, &self.role, &self.department, &self.company, &self.license, &self.group, &self.second_factor]
    }

    /// Only people with this status (`active`, `invited`, …).
    pub fn status(status: &str) -> Self {
        Self { status: status.to_string(), ..Self::default() }
    }

    /// True when nothing narrows the list.
    pub fn is_empty(&self) -> bool {
        self.values().iter().all(|v| v.is_empty())
    }
}

impl From<&str> for UserFilters {
    fn from(query: &str) -> Self {
        let mut filters = Self::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(slot) = filters.slot(key) {
                *slot = percent_decode(value);
            }
        }
        filters
    }
}

impl std::fmt::Display for UserFilters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut first = true;
        for (key, value) in Self::KEYS.iter().zip(self.values()) {
            if value.is_empty() {
                continue;
            }
            if !first {
                f.write_str("&")?;
            }
            first = false;
            // Twice: the router decodes the whole query once before it splits it at `&`, so a
            // search holding `&` or `=` must still be escaped after that.
            write!(f, "{key}={}", percent_encode(&percent_encode(value)))?;
        }
        Ok(())
    }
}

/// The audit log's filter in the address (`/audit?action=auth.sign_in_failed`): an action or an
/// area of actions, so the dashboard can link to what it counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditFilter {
    pub action: String,
}

impl AuditFilter {
    pub fn action(action: &str) -> Self {
        Self { action: action.to_string() }
    }
}

impl From<&str> for AuditFilter {
    fn from(query: &str) -> Self {
        Self { action: query_value(query, "action") }
    }
}

impl std::fmt::Display for AuditFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_query_value(f, "action", &self.action)
    }
}

/// The access report's filter in the address (`/reports/access?profile=…`): the people holding
/// one profile, by any path (a role's profile page links to it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportFilter {
    pub profile: String,
}

impl From<&str> for ReportFilter {
    fn from(query: &str) -> Self {
        Self { profile: query_value(query, "profile") }
    }
}

impl std::fmt::Display for ReportFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write_query_value(f, "profile", &self.profile)
    }
}

/// The value of `key` in a query the router has decoded once (empty when absent).
fn query_value(query: &str, key: &str) -> String {
    query
        .trim_start_matches('?')
        .split('&')
        .find_map(|pair| pair.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
        .map(percent_decode)
        .unwrap_or_default()
}

/// `key=value` for a route's query, escaped twice (see [`UserFilters`]); nothing when empty.
fn write_query_value(f: &mut std::fmt::Formatter<'_>, key: &str, value: &str) -> std::fmt::Result {
    if value.is_empty() {
        return Ok(());
    }
    write!(f, "{key}={}", percent_encode(&percent_encode(value)))
}

/// `value` for a URL's query: letters, digits and `-._~` as they are, the rest as `%XX` of its UTF-8.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The reverse of [`percent_encode`] (and `+` as a space, as forms send it); broken escapes are
/// kept as written.
pub fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod filter_tests {
    use super::*;

    #[test]
    fn filters_survive_the_address_bar() {
        let f = UserFilters { search: "Zoë & co=1".into(), status: "invited".into(), second_factor: "missing".into(), ..Default::default() };
        let text = f.to_string();
        assert_eq!(text, "q=Zo%25C3%25AB%2520%2526%2520co%253D1&status=invited&second_factor=missing");
        // The router decodes the query once, then hands it over.
        assert_eq!(UserFilters::from(percent_decode(&text).as_str()), f);
        assert_eq!(UserFilters::from("?status=blocked&unknown=1&q=a+b"), UserFilters { status: "blocked".into(), search: "a b".into(), ..Default::default() });
        assert!(UserFilters::from("").is_empty());
        assert_eq!(UserFilters::default().to_string(), "");
        assert_eq!(percent_decode("100%"), "100%");
        let r = ReportFilter { profile: "sales rep".into() };
        assert_eq!(ReportFilter::from(percent_decode(&r.to_string()).as_str()), r);
        assert_eq!(AuditFilter::from("action=user.&x=1"), AuditFilter::action("user."));
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
    /// A different new owner for some modules' records (the rest go to `leave_owner`).
    #[serde(default)]
    pub leave_owners: Vec<LeaveOwner>,
    /// Why a due offboarding could not run (it waits for an administrator).
    #[serde(default)]
    pub leave_problem: Option<String>,
    /// When the person was offboarded.
    #[serde(default)]
    pub offboarded_at: Option<i64>,
    /// Not a person: a service account (SCIM provisioning, scripts), acting through its token.
    #[serde(default)]
    pub service_account: bool,
    /// For an invited person on their own page: when their latest activation link stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_expires_at: Option<i64>,
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
    /// Records moving to a different owner chosen for their module (label, count, owner's name).
    #[serde(default)]
    pub records_elsewhere: Vec<(String, u64, String)>,
    /// Records that stay with the person (no new owner, out of the caller's reach, or in a
    /// company the new owner has no access to).
    pub records_staying: u64,
}

/// A different new owner for one record module's records when someone leaves (a user id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ModuleOwner {
    pub module: crate::access::Module,
    pub owner: String,
}

/// [`ModuleOwner`] as the user page shows it, with the owner's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LeaveOwner {
    pub module: crate::access::Module,
    pub owner: NamedRef,
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
        for (m, n, owner) in self.records_elsewhere.iter().filter(|(_, n, _)| *n > 0) {
            out.push(format!("Move {n} {m} to {owner}."));
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

/// A fresh invitation link made for an administrator to hand over themselves; shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InviteLink {
    pub link: String,
    /// When it stops working (ms since the epoch).
    pub expires_at: i64,
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
