//! What crosses the wire between the browser and the server. No secrets, no hashes, no tokens.

use serde::{Deserialize, Serialize};

use super::NamedRef;

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
    /// The other actions (Create, Edit, Delete, Export, Import, …) they may take in those
    /// modules, at some level.
    #[serde(default)]
    pub can: Vec<(crate::access::Module, crate::access::Action)>,
    /// Signed in with a temporary password that must be replaced before anything else.
    #[serde(default)]
    pub must_change_password: bool,
    /// "View as": the administrator viewing the console as this user (read-only).
    #[serde(default)]
    pub viewed_by: Option<String>,
    /// The password was right; the second factor is still to be entered.
    #[serde(default)]
    pub second_factor_pending: bool,
    /// A second factor is required and not set up: enrolment comes before anything else.
    #[serde(default)]
    pub must_enrol: bool,
}

/// A signed-in browser of a user, as the Sessions widget lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDto {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The session making this request.
    pub current: bool,
    /// How this session was signed in.
    #[serde(default)]
    pub auth_method: crate::domain::AuthMethod,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: String,
    pub at: i64,
    pub actor: Option<String>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<String>,
    pub target_label: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    /// The API token the change came through (its name), when it did not come from the console.
    #[serde(default)]
    pub via: Option<String>,
    /// The row in words, with names ("Ada Admin changed Gus Garcia's role from Sales Rep to
    /// Sales Manager"); filled by the server.
    #[serde(default)]
    pub sentence: String,
    /// The fields that changed, in words.
    #[serde(default)]
    pub changes: Vec<AuditChange>,
}

/// One changed field of an audit row: its name and both values, as people read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AuditChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Audit log filters; times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AuditQuery {
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub from: Option<i64>,
    #[serde(default)]
    pub to: Option<i64>,
    #[serde(default)]
    pub page: u32,
}

/// How an administrator changes someone's password without learning it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PasswordChange {
    /// A temporary password the user must replace at their next sign-in.
    Temporary(String),
    /// A reset link sent to the user's email.
    SendResetLink,
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
    /// Seats used and available per license type.
    #[serde(default)]
    pub seats: Vec<SeatUse>,
    /// People (in the viewer's reach) whose access has conflicting levels; None when the viewer
    /// may not see access setups.
    #[serde(default)]
    pub users_with_conflicts: Option<u64>,
    /// Active accounts unused for 90 days (or never used, 30 days after the invitation).
    #[serde(default)]
    pub stale_total: u64,
    #[serde(default)]
    pub stale: Vec<StaleAccount>,
    /// Active people with a second factor set up.
    #[serde(default)]
    pub second_factor_on: u64,
    /// Active people who must have a second factor and have not set it up.
    #[serde(default)]
    pub second_factor_missing: u64,
    /// Failed sign-in attempts in the last 24 hours against people in reach (and, for a viewer
    /// of every company, against emails that match no account).
    #[serde(default)]
    pub failed_sign_ins_24h: u64,
    /// People in reach still invited whose invitation link stops working within 24 hours.
    #[serde(default)]
    pub invitations_expiring: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeatUse {
    /// The license's id, for the link to the people holding it.
    #[serde(default)]
    pub license_id: String,
    pub license: String,
    pub used: u64,
    pub seats: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaleAccount {
    pub id: String,
    pub full_name: String,
    pub email: String,
    /// "never", or how long ago.
    pub last_seen: String,
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
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CompanyDto {
    pub id: String,
    pub name: String,
    pub archived: bool,
    /// Users whose company access includes it.
    pub users: u64,
}

/// A department; `parent` makes the tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RoleDto {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    /// Whether the caller may give this role: its profiles within their own access (the
    /// Administrator role only to full administrators). Forms offer only these.
    #[serde(default)]
    pub grantable: bool,
}

/// Gregorian date from days since 1970-01-01 (Howard Hinnant's civil-from-days algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 for a Gregorian date (the inverse of [`civil_from_days`]).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix milliseconds at 00:00 UTC of a `YYYY-MM-DD` date, as a date input gives it.
pub fn parse_date_ms(s: &str) -> Option<i64> {
    let mut parts = s.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400_000)
}

/// Unix milliseconds of a `YYYY-MM-DDTHH:MM` moment in UTC (what a `datetime-local` input
/// gives); a bare date is its midnight.
pub fn parse_datetime_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once('T').unwrap_or((s, "00:00"));
    let day = parse_date_ms(date)?;
    let mut hm = time.splitn(3, ':');
    let h: i64 = hm.next()?.parse().ok()?;
    let m: i64 = hm.next().unwrap_or("0").parse().ok()?;
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Some(day + h * 3_600_000 + m * 60_000)
}

/// "2026-11-23 21:04 UTC" for Unix milliseconds.
pub fn format_utc(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", t / 3600, t % 3600 / 60)
}

#[cfg(test)]
mod time_tests {
    use super::*;

    #[test]
    fn dates_from_unix_time() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(format_utc(1_795_986_240_000), "2026-11-29 21:04 UTC");
        assert_eq!(parse_datetime_ms("2026-11-29T21:04"), Some(1_795_986_240_000));
        assert_eq!(parse_datetime_ms("2026-11-29"), Some(1_795_910_400_000));
        assert_eq!(parse_datetime_ms("2026-11-29T25:00"), None);
        assert_eq!(parse_datetime_ms("soon"), None);
        for days in [-1000, 0, 11_016, 19_723, 20_786] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(parse_date_ms("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_date_ms("2024-13-01"), None);
        assert_eq!(parse_date_ms("nonsense"), None);
    }
}

/// The access setup as the Roles & Profiles and Groups pages edit it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminOrg {
    pub roles: Vec<crate::access::OrgRole>,
    pub profiles: Vec<crate::access::OrgProfile>,
    pub groups: Vec<crate::access::OrgGroup>,
    pub grants: Vec<crate::access::OrgGrant>,
    #[serde(default)]
    pub departments: Vec<super::NamedRef>,
    /// The organization-wide default of each record module.
    #[serde(default)]
    pub defaults: Vec<(crate::access::Module, crate::access::OrgDefault)>,
    #[serde(default)]
    pub sharing_rules: Vec<crate::access::SharingRule>,
    #[serde(default)]
    pub settings: crate::access::AccessSettings,
    /// The server's time of the answer (Unix milliseconds): what "for 2 weeks" and "ending
    /// soon" count from.
    #[serde(default)]
    pub now: i64,
}

/// The Effective access widget: the engine's answer for every module and action, with reasons,
/// and the conflicts between sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EffectiveAccess {
    pub cells: Vec<crate::access::Cell>,
    pub conflicts: Vec<crate::access::Conflict>,
    pub field_conflicts: Vec<crate::access::FieldConflict>,
    /// The person is invited: the cells say what they will be able to do once active.
    #[serde(default)]
    pub once_active: bool,
}

/// A license type with its seats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LicenseDto {
    pub id: String,
    pub name: String,
    pub seats: u32,
    pub used: u32,
    pub modules: Vec<crate::access::Module>,
}

/// What the user page's Licenses and Navigation widgets show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserAccessSetup {
    pub role: NamedRef,
    pub groups: Vec<NamedRef>,
    /// Profiles granted to this user directly.
    pub direct_profiles: Vec<NamedRef>,
    pub licenses: Vec<String>,
    pub hidden_modules: Vec<crate::access::Module>,
    /// Modules the person's profiles let them view at all: the only ones a menu can show.
    #[serde(default)]
    pub grantable_modules: Vec<crate::access::Module>,
    /// What this person holds only for a while (or from a later start), named.
    #[serde(default)]
    pub windows: Vec<HeldFor>,
    /// What an administrator may give them for a while: every group, live company and license.
    #[serde(default)]
    pub offers: Vec<Offer>,
}

/// A membership, company access or license held for a while.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldFor {
    pub what: crate::access::Holding,
    /// "Group Key accounts", "Company Northwind", "License Sales Cloud".
    pub name: String,
    pub from: Option<i64>,
    pub until: Option<i64>,
}

/// Something that can be held for a while, named, and whether the person holds it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub what: crate::access::Holding,
    pub name: String,
    pub held: bool,
}

/// The Settings page: how this installation is configured. Never a password or a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsOverview {
    /// (setting, value, where it comes from)
    pub mail: Vec<(String, String, String)>,
    pub security: Vec<(String, String, String)>,
    pub access: Vec<(String, String, String)>,
    pub storage: Vec<(String, String, String)>,
    /// The lifetimes set from the Settings page (none: configured), and the configured ones.
    #[serde(default)]
    pub lifetimes: crate::access::Lifetimes,
    #[serde(default)]
    pub configured: crate::access::Lifetimes,
}

/// What quick find can find.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FoundKind {
    Person,
    Role,
    Group,
    Record(crate::access::Module),
}

/// One thing quick find found, within what the person may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub kind: FoundKind,
    pub id: String,
    pub name: String,
    /// The line under the name: an email, a member count, a record's owner and company.
    pub sub: String,
}

/// What ends or lapses in the next days, within what the viewer may see: the "Expiring soon"
/// page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpiringSoon {
    /// How far ahead the page looks (days).
    pub days: i64,
    pub now: i64,
    /// Granted profiles that stop counting; `None` when the viewer may not see grants.
    pub grants: Option<Vec<EndingGrant>>,
    /// Scheduled offboardings; `None` when the viewer may not see people.
    pub leavers: Option<Vec<Dated>>,
    /// Invitation links that lapse before being used.
    pub invitations: Option<Vec<Dated>>,
    /// Group memberships, company access and licenses held until a moment in the window, of
    /// people in the viewer's reach; `None` when the viewer may not see people.
    #[serde(default)]
    pub holdings: Option<Vec<EndingHolding>>,
}

/// A membership, company access or license that ends, in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndingHolding {
    pub window: crate::access::HeldWindow,
    /// The holder's name.
    pub name: String,
    /// "the group Key accounts", "access to Northwind", "the Sales Cloud license".
    pub label: String,
}

/// A granted profile that ends, in words, with the grant itself (to extend it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndingGrant {
    pub grant: crate::access::OrgGrant,
    /// "the profile Key Accounts, given to the group Key accounts".
    pub label: String,
}

/// A person and the moment something of theirs happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dated {
    pub id: String,
    pub name: String,
    pub at: i64,
}
