//! The organisation as the engine reads it: users, roles, profiles, departments, groups, grants,
//! licenses, sharing and settings. Plain data with string ids, loaded from the database on the
//! server (or built by hand in tests) and compiled by [`super::Engine::compile`].

use serde::{Deserialize, Serialize};

use super::{FieldRule, Level, Module, Permission};

/// An account's status; on the wire and in the database the lower-case word (`active`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum UserStatus {
    Invited,
    Active,
    Inactive,
    Blocked,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Invited => "invited",
            UserStatus::Active => "active",
            UserStatus::Inactive => "inactive",
            UserStatus::Blocked => "blocked",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "invited" => UserStatus::Invited,
            "active" => UserStatus::Active,
            "inactive" => UserStatus::Inactive,
            "blocked" => UserStatus::Blocked,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Invited => "Invited",
            UserStatus::Active => "Active",
            UserStatus::Inactive => "Inactive",
            UserStatus::Blocked => "Blocked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUser {
    pub id: String,
    pub name: String,
    pub status: UserStatus,
    pub role: String,
    pub department: String,
    pub companies: Vec<String>,
    pub licenses: Vec<String>,
    /// Modules hidden from this user's menu (navigation overrides only hide).
    pub hidden_modules: Vec<Module>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgRole {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub profiles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct FieldRuleSpec {
    pub module: Module,
    pub field: String,
    pub rule: FieldRule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OrgProfile {
    pub id: String,
    pub name: String,
    /// Missing (module, action) pairs are None.
    pub permissions: Vec<Permission>,
    /// Missing fields are Editable.
    pub field_rules: Vec<FieldRuleSpec>,
}

impl OrgProfile {
    pub fn level(&self, module: Module, action: super::Action) -> Level {
        self.permissions
            .iter()
            .filter(|p| p.module == module && p.action == action)
            .map(|p| p.level)
            .max()
            .unwrap_or(Level::None)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgDepartment {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub manager: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgGroup {
    pub id: String,
    pub name: String,
    pub users: Vec<String>,
    /// Nested groups: their members are members of this group too.
    pub groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Grantee {
    User(String),
    /// Reaches the department's manager and members; with sub-departments, theirs too.
    Department { id: String, with_subdepartments: bool },
    Group(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OrgGrant {
    pub profile: String,
    pub to: Grantee,
    /// From when it counts (Unix milliseconds); none: from the moment it is saved.
    #[serde(default)]
    pub from: Option<i64>,
    /// Until when it counts (Unix milliseconds, the instant it stops); none: until removed.
    #[serde(default)]
    pub until: Option<i64>,
}

impl OrgGrant {
    /// Whether it counts at `at`.
    pub fn active_at(&self, at: i64) -> bool {
        self.from.is_none_or(|f| f <= at) && self.until.is_none_or(|u| at < u)
    }

    /// The same grant whatever its window: the same profile to the same grantee.
    pub fn same_as(&self, other: &OrgGrant) -> bool {
        self.profile == other.profile && self.to == other.to
    }
}

/// What a person holds besides roles and grants, which may count only for a while: a group's
/// membership, access to a company's records, a license.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Holding {
    Group(String),
    Company(String),
    License(String),
}

impl Holding {
    /// The word stored with a window: `group`, `company` or `license`.
    pub fn kind(&self) -> &'static str {
        match self {
            Holding::Group(_) => "group",
            Holding::Company(_) => "company",
            Holding::License(_) => "license",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Holding::Group(x) | Holding::Company(x) | Holding::License(x) => x,
        }
    }

    pub fn parse(kind: &str, id: &str) -> Option<Holding> {
        Some(match kind {
            "group" => Holding::Group(id.to_string()),
            "company" => Holding::Company(id.to_string()),
            "license" => Holding::License(id.to_string()),
            _ => return None,
        })
    }
}

/// A holding that counts only from `from` (Unix milliseconds) and until `until` (the instant it
/// stops). A holding without one counts while it is held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct HeldWindow {
    pub user: String,
    pub what: Holding,
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub until: Option<i64>,
}

impl HeldWindow {
    /// Whether it counts at `at`.
    pub fn active_at(&self, at: i64) -> bool {
        self.from.is_none_or(|f| f <= at) && self.until.is_none_or(|u| at < u)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgLicense {
    pub id: String,
    pub name: String,
    pub seats: u32,
    /// Modules that require this license (a module requires at most one).
    pub modules: Vec<Module>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum OrgDefault {
    #[default]
    Private,
    PublicRead,
    PublicReadWrite,
}

impl OrgDefault {
    pub fn label(self) -> &'static str {
        match self {
            OrgDefault::Private => "Private",
            OrgDefault::PublicRead => "Public read",
            OrgDefault::PublicReadWrite => "Public read/write",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Party {
    Role { id: String, with_subordinates: bool },
    Group(String),
    Department { id: String, with_subdepartments: bool },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShareAccess {
    Read,
    ReadWrite,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharingRule {
    pub id: String,
    pub module: Module,
    /// Records owned by members of this party...
    pub owners: Party,
    /// ...are shared with members of this party.
    pub recipients: Party,
    pub access: ShareAccess,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessSettings {
    /// "Grant access using hierarchies": a role reaches records owned by roles below it.
    pub hierarchy: bool,
    /// Inactive users may sign in read-only (View, nothing else).
    pub inactive_may_read: bool,
    /// Lifetimes set from the Settings page at run time (minutes); none: the server's
    /// environment decides (GATEHOUSE_INVITE_TTL_MINUTES and the session variables).
    #[serde(default)]
    pub lifetimes: Lifetimes,
}

impl Default for AccessSettings {
    fn default() -> Self {
        Self { hierarchy: true, inactive_may_read: false, lifetimes: Lifetimes::default() }
    }
}

/// Invitation and session lifetimes an administrator may change while the console runs, in
/// minutes; each left unset falls back to the server's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Lifetimes {
    #[serde(default)]
    pub invite_minutes: Option<u32>,
    #[serde(default)]
    pub session_idle_minutes: Option<u32>,
    #[serde(default)]
    pub session_max_minutes: Option<u32>,
}

impl Lifetimes {
    /// The bounds each accepts: an invitation from 1 hour to 30 days, a session's idle time from
    /// 5 minutes to 7 days, its whole life from 15 minutes to 90 days and no shorter than idle.
    pub fn errors(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let check = |v: Option<u32>, lo: u32, hi: u32, field: &'static str, what: &str, out: &mut Vec<(&'static str, String)>| {
            if let Some(v) = v.filter(|v| *v < lo || *v > hi) {
                out.push((field, format!("{what} must be between {lo} and {hi} minutes (not {v})")));
            }
        };
        check(self.invite_minutes, 60, 43_200, "invite_minutes", "an invitation link's life", &mut out);
        check(self.session_idle_minutes, 5, 10_080, "session_idle_minutes", "the idle time", &mut out);
        check(self.session_max_minutes, 15, 129_600, "session_max_minutes", "a session's whole life", &mut out);
        if let (Some(idle), Some(max)) = (self.session_idle_minutes, self.session_max_minutes) {
            if max < idle {
                out.push(("session_max_minutes", "a session's whole life cannot be shorter than its idle time".to_string()));
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Org {
    pub users: Vec<OrgUser>,
    pub roles: Vec<OrgRole>,
    pub profiles: Vec<OrgProfile>,
    pub departments: Vec<OrgDepartment>,
    pub groups: Vec<OrgGroup>,
    pub grants: Vec<OrgGrant>,
    pub licenses: Vec<OrgLicense>,
    pub companies: Vec<String>,
    pub defaults: Vec<(Module, OrgDefault)>,
    pub sharing_rules: Vec<SharingRule>,
    pub settings: AccessSettings,
    /// Windows on memberships, company access and licenses (only for what is held).
    #[serde(default)]
    pub windows: Vec<HeldWindow>,
    /// The instant the org is read at: grants and windowed holdings count only inside their
    /// window then. None counts every one whatever its window.
    #[serde(default)]
    pub at: Option<i64>,
}

impl Org {
    /// Whether `user` holds `what` (whatever its window).
    pub fn holds(&self, user: &str, what: &Holding) -> bool {
        match what {
            Holding::Group(g) => self.groups.iter().any(|x| &x.id == g && x.users.iter().any(|u| u == user)),
            Holding::Company(c) => self.users.iter().any(|u| u.id == user && u.companies.contains(c)),
            Holding::License(l) => self.users.iter().any(|u| u.id == user && u.licenses.contains(l)),
        }
    }

    /// Gives `what` to `user` (nothing when held already).
    pub fn give(&mut self, user: &str, what: &Holding) {
        if self.holds(user, what) {
            return;
        }
        match what {
            Holding::Group(g) => {
                if let Some(x) = self.groups.iter_mut().find(|x| &x.id == g) {
                    x.users.push(user.to_string());
                }
            }
            Holding::Company(c) => {
                if let Some(u) = self.users.iter_mut().find(|u| u.id == user) {
                    u.companies.push(c.clone());
                }
            }
            Holding::License(l) => {
                if let Some(u) = self.users.iter_mut().find(|u| u.id == user) {
                    u.licenses.push(l.clone());
                }
            }
        }
    }

    /// Takes `what` back from `user`, with its window.
    pub fn take(&mut self, user: &str, what: &Holding) {
        match what {
            Holding::Group(g) => {
                if let Some(x) = self.groups.iter_mut().find(|x| &x.id == g) {
                    x.users.retain(|u| u != user);
                }
            }
            Holding::Company(c) => {
                if let Some(u) = self.users.iter_mut().find(|u| u.id == user) {
                    u.companies.retain(|x| x != c);
                }
            }
            Holding::License(l) => {
                if let Some(u) = self.users.iter_mut().find(|u| u.id == user) {
                    u.licenses.retain(|x| x != l);
                }
            }
        }
        self.windows.retain(|w| !(w.user == user && &w.what == what));
    }

    /// The window on `user`'s `what`, if it has one.
    pub fn window(&self, user: &str, what: &Holding) -> Option<&HeldWindow> {
        self.windows.iter().find(|w| w.user == user && &w.what == what)
    }

    /// Drops the windows of what is no longer held (after a membership, a company or a license
    /// was taken back some other way), as the database does.
    pub fn drop_stale_windows(&mut self) {
        let windows = std::mem::take(&mut self.windows);
        self.windows = windows.into_iter().filter(|w| self.holds(&w.user, &w.what)).collect();
    }
}
