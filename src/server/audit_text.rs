//! The audit log in words: each row becomes a sentence a person reads ("Ada Admin changed Gus
//! Garcia's role from Sales Rep to Sales Manager") and a list of the fields that changed, with
//! names instead of ids. Rendered on the server, where the names are known.

use std::collections::HashMap;

use serde_json::Value;

use crate::access::Engine;
use crate::domain::{AuditAction, AuditChange, AuditEntry};

/// Names of everything an audit row may point at, by id.
#[derive(Default)]
pub struct Names {
    users: HashMap<String, String>,
    roles: HashMap<String, String>,
    departments: HashMap<String, String>,
    companies: HashMap<String, String>,
    profiles: HashMap<String, String>,
    groups: HashMap<String, String>,
    licenses: HashMap<String, String>,
}

impl Names {
    pub fn new(engine: &Engine, companies: HashMap<String, String>) -> Self {
        let org = engine.org();
        let map = |items: Vec<(String, String)>| items.into_iter().collect::<HashMap<_, _>>();
        Names {
            users: map(org.users.iter().map(|u| (u.id.clone(), u.name.clone())).collect()),
            roles: map(org.roles.iter().map(|r| (r.id.clone(), r.name.clone())).collect()),
            departments: map(org.departments.iter().map(|d| (d.id.clone(), d.name.clone())).collect()),
            profiles: map(org.profiles.iter().map(|p| (p.id.clone(), p.name.clone())).collect()),
            groups: map(org.groups.iter().map(|g| (g.id.clone(), g.name.clone())).collect()),
            licenses: map(org.licenses.iter().map(|l| (l.id.clone(), l.name.clone())).collect()),
            companies,
        }
    }

    fn of<'a>(map: &'a HashMap<String, String>, id: &'a str) -> &'a str {
        map.get(id).map(String::as_str).unwrap_or(id)
    }

    /// A field's value as words: ids named, lists joined, nothing as "none".
    fn value(&self, field: &str, v: &Value) -> String {
        let one = |s: &str| -> String {
            match field {
                "role" | "parent_role" => Self::of(&self.roles, s).to_string(),
                "department" | "parent" => Self::of(&self.departments, s).to_string(),
                "companies" => Self::of(&self.companies, s).to_string(),
                "licenses" => Self::of(&self.licenses, s).to_string(),
                "manager" | "owner" => Self::of(&self.users, s).to_string(),
                "profiles" | "profile" => Self::of(&self.profiles, s).to_string(),
                "users" => Self::of(&self.users, s).to_string(),
                "groups" => Self::of(&self.groups, s).to_string(),
                _ => s.to_string(),
            }
        };
        match v {
            Value::Null => "none".into(),
            Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
            Value::String(s) if s.is_empty() => "none".into(),
            Value::String(s) => one(s),
            Value::Number(n) => n.to_string(),
            Value::Array(items) if items.is_empty() => "none".into(),
            Value::Array(items) => items.iter().map(|i| self.value(field, i)).collect::<Vec<_>>().join(", "),
            Value::Object(_) => "changed".into(),
        }
    }
}

fn label(field: &str) -> &str {
    match field {
        "full_name" | "name" => "name",
        "is_approver" => "approver",
        "companies" => "company access",
        "hidden" => "hidden modules",
        "must_change_password" => "password change required",
        other => other,
    }
}

/// The fields that differ between `before` and `after` (both objects), in words.
fn changes(n: &Names, before: Option<&Value>, after: Option<&Value>) -> Vec<AuditChange> {
    let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) else { return Vec::new() };
    let mut out = Vec::new();
    for (k, av) in a {
        let bv = b.get(k).unwrap_or(&Value::Null);
        let same = match (bv, av) {
            (Value::Array(x), Value::Array(y)) => {
                let mut x: Vec<String> = x.iter().map(|v| v.to_string()).collect();
                let mut y: Vec<String> = y.iter().map(|v| v.to_string()).collect();
                x.sort();
                y.sort();
                x == y
            }
            _ => bv == av,
        };
        if !same {
            out.push(AuditChange { field: label(k).to_string(), before: n.value(k, bv), after: n.value(k, av) });
        }
    }
    out
}

/// The sentence and the changed fields of one row.
pub fn describe(e: &AuditEntry, n: &Names) -> (String, Vec<AuditChange>) {
    let actor = e.actor_name.clone().unwrap_or_else(|| "Someone".into());
    let target = match (e.target_kind.as_str(), e.target_id.as_deref()) {
        ("user", Some(id)) => n.users.get(id).cloned().or_else(|| e.target_label.clone()).unwrap_or_else(|| "a user".into()),
        ("role", Some(id)) => format!("role {}", Names::of(&n.roles, id)),
        ("profile", Some(id)) => format!("profile {}", Names::of(&n.profiles, id)),
        ("group", Some(id)) => format!("group {}", Names::of(&n.groups, id)),
        ("department", Some(id)) => format!("department {}", e.target_label.clone().unwrap_or_else(|| Names::of(&n.departments, id).to_string())),
        ("company", Some(id)) => format!("company {}", e.target_label.clone().unwrap_or_else(|| Names::of(&n.companies, id).to_string())),
        ("license", Some(id)) => format!("the {} license", e.target_label.clone().unwrap_or_else(|| Names::of(&n.licenses, id).to_string())),
        ("record", _) => format!("the record “{}”", e.target_label.clone().unwrap_or_default()),
        _ => e.target_label.clone().unwrap_or_default(),
    };
    let diff = changes(n, e.before.as_ref(), e.after.as_ref());
    let own = |t: &str| if t.ends_with('s') { format!("{t}'") } else { format!("{t}'s") };
    use AuditAction as A;
    let Some(action) = AuditAction::parse(&e.action) else {
        return (format!("{actor}: {} {target}", e.action.replace(['.', '_'], " ")), diff);
    };
    let sentence = match action {
        A::InstallationSetUp => format!("{actor} set up Gatehouse"),
        A::InstallationDemo => format!("{actor} filled in the demo organisation"),
        A::SettingsTestEmail => match e.after.as_ref().and_then(|a| a.get("to")).and_then(|t| t.as_str()) {
            Some(to) => format!("{actor} sent a test email to {to}"),
            None => format!("{actor} sent a test email"),
        },
        A::UserInvite => format!("{actor} invited {target}"),
        A::UserInviteResent => format!("{actor} sent {target} a new invitation"),
        A::UserInviteLinkCopied => format!("{actor} made a new invitation link for {target} to hand over"),
        A::UserActivated => format!("{target} activated their account"),
        A::UserUpdate | A::UserLicenses | A::UserNavigation => match diff.as_slice() {
            [] => format!("{actor} saved {} details without a change", own(&target)),
            [c] => format!("{actor} changed {} {} from {} to {}", own(&target), c.field, c.before, c.after),
            many => {
                let fields: Vec<&str> = many.iter().map(|c| c.field.as_str()).collect();
                let (last, rest) = fields.split_last().unwrap_or((&"details", &[]));
                format!("{actor} changed {} {} and {last}", own(&target), rest.join(", "))
            }
        },
        A::UserBlock => format!("{actor} blocked {target}"),
        A::UserUnblock => format!("{actor} unblocked {target}"),
        A::UserActivate => format!("{actor} reactivated {target}"),
        A::UserDeactivate => format!("{actor} deactivated {target}"),
        A::UserOffboard => match e.after.as_ref().and_then(|a| a.get("scheduled")).and_then(Value::as_bool) {
            Some(true) => format!("{target} was offboarded on the date {actor} had set"),
            _ => format!("{actor} offboarded {target}"),
        },
        A::UserOffboardScheduled => {
            let at = e.after.as_ref().and_then(|a| a.get("leave_at")).and_then(Value::as_i64);
            match at {
                Some(at) => format!("{actor} scheduled {} offboarding for {}", own(&target), crate::domain::format_utc(at)),
                None => format!("{actor} scheduled {} offboarding", own(&target)),
            }
        }
        A::GrantEndingReminder => {
            let after = e.after.as_ref();
            let n = |k: &str| after.and_then(|a| a.get(k)).and_then(Value::as_u64).unwrap_or(0);
            let days = n("days");
            let when = if days <= 1 { "a day or less".to_string() } else { format!("{days} days") };
            format!(
                "{} and {} were reminded that {target}, ends in {when}",
                crate::domain::count(n("people"), "person", "people"),
                crate::domain::count(n("managers"), "manager", "managers")
            )
        }
        A::AccessWindowSet => {
            let after = e.after.as_ref();
            let what = after.and_then(|a| a.get("what")).and_then(Value::as_str).unwrap_or("access");
            let at = |k: &str| after.and_then(|a| a.pointer(&format!("/change/SetWindow/{k}"))).and_then(Value::as_i64);
            match (at("from"), at("until")) {
                (None, None) => format!("{actor} let {target} hold {what} until it is taken back"),
                (Some(f), None) => format!("{actor} gave {target} {what} from {}", crate::domain::format_utc(f)),
                (None, Some(u)) => format!("{actor} gave {target} {what} until {}", crate::domain::format_utc(u)),
                (Some(f), Some(u)) => {
                    format!("{actor} gave {target} {what} from {} until {}", crate::domain::format_utc(f), crate::domain::format_utc(u))
                }
            }
        }
        A::AccessWindowReminder => {
            let after = e.after.as_ref();
            let n = |k: &str| after.and_then(|a| a.get(k)).and_then(Value::as_u64).unwrap_or(0);
            let what = after.and_then(|a| a.get("what")).and_then(Value::as_str).unwrap_or("access");
            let days = n("days");
            let when = if days <= 1 { "a day or less".to_string() } else { format!("{days} days") };
            format!(
                "{} and {} were reminded that {what}, ends in {when}",
                crate::domain::count(n("people"), "person", "people"),
                crate::domain::count(n("managers"), "manager", "managers")
            )
        }
        A::UserCheckIn => match e.after.as_ref().and_then(|a| a.get("manager")).and_then(Value::as_str) {
            Some(m) => format!("{m} was reminded to check in with {target}"),
            None => format!("{target} has no manager to remind of a check-in"),
        },
        A::UserOffboardCancelled => format!("{actor} cancelled {} scheduled offboarding", own(&target)),
        A::UserOffboardFailed => format!("The offboarding of {target} that {actor} had scheduled could not run"),
        A::UserTemporaryPassword => format!("{actor} set a temporary password for {target}"),
        A::UserResetLinkSent => format!("{actor} sent {target} a password reset link"),
        A::UserResetRequested => format!("A password reset link was requested for {target}"),
        A::UserPasswordReset => format!("{target} chose a new password from a reset link"),
        A::UserPasswordChanged => format!("{actor} changed their password"),
        A::UserSessionsEnded => format!("{actor} ended {} other sessions", own(&target)),
        A::UserSessionEnded => format!("{actor} ended a session of {target}"),
        A::SignIn => match e.after.as_ref().and_then(|a| a.get("method")).and_then(Value::as_str) {
            Some(method) => format!("{actor} signed in ({})", crate::domain::AuthMethod::parse(method).label()),
            None => format!("{actor} signed in"),
        },
        A::SignInSecondFactorFailed => format!("A second-factor code for {target} was refused"),
        A::Reauthenticated => format!("{actor} confirmed their identity again"),
        A::SecondFactorAdded => format!("{actor} set up an authenticator app"),
        A::SecondFactorRemoved => format!("{actor} turned off their authenticator app"),
        A::SecondFactorReset => format!("{actor} reset {} second factor", own(&target)),
        A::RecoveryCodesRenewed => format!("{actor} made new recovery codes"),
        A::RecoveryCodeUsed => format!("{actor} signed in with a recovery code"),
        A::SecondFactorPolicy => match e.after.as_ref().and_then(|a| a.get("required")).and_then(Value::as_bool) {
            Some(true) => format!("{actor} required a second factor for {target}"),
            _ => format!("{actor} stopped requiring a second factor for {target}"),
        },
        A::SignOut => format!("{actor} signed out"),
        A::SignInFailed => match e.after.as_ref().and_then(|a| a.get("attempts")).and_then(Value::as_u64) {
            Some(n) if n > 1 => format!("{n} sign-ins as {target} failed from {}", e.ip.clone().unwrap_or_else(|| "one address".into())),
            _ => format!("A sign-in as {target} failed"),
        },
        A::SignInRefused => format!("A sign-in as {target} was refused (the account is not active)"),
        A::ViewAsStart => format!("{actor} started viewing the console as {target}"),
        A::ViewAsEnd => format!("{actor} stopped viewing the console as {target}"),
        A::GrantAdd | A::GrantRemove => {
            let grant = e
                .after
                .as_ref()
                .and_then(|a| a.pointer("/change/AddGrant/grant").or_else(|| a.pointer("/change/RemoveGrant/grant")))
                .or(e.before.as_ref());
            let profile = grant.and_then(|g| g.get("profile")).and_then(Value::as_str).map(|p| Names::of(&n.profiles, p).to_string());
            let to = grant.and_then(|g| g.get("to")).map(|to| {
                if let Some(u) = to.get("User").and_then(Value::as_str) {
                    Names::of(&n.users, u).to_string()
                } else if let Some(g) = to.get("Group").and_then(Value::as_str) {
                    format!("group {}", Names::of(&n.groups, g))
                } else if let Some(d) = to.pointer("/Department/id").and_then(Value::as_str) {
                    format!("department {}", Names::of(&n.departments, d))
                } else {
                    "someone".into()
                }
            });
            let (p, t) = (profile.unwrap_or_else(|| "a profile".into()), to.unwrap_or_else(|| "someone".into()));
            if action == A::GrantAdd { format!("{actor} granted profile {p} to {t}") } else { format!("{actor} removed profile {p} from {t}") }
        }
        A::CompanyCreate | A::DepartmentCreate | A::RecordCreate => format!("{actor} created {target}"),
        A::CompanyRename => format!("{actor} renamed {target}"),
        A::CompanyArchive => format!("{actor} archived {target}"),
        A::CompanyRestore => format!("{actor} restored {target}"),
        A::CompanyDelete | A::DepartmentDelete | A::RoleDelete | A::ProfileDelete | A::GroupDelete | A::SharingRuleDelete | A::RecordDelete => {
            format!("{actor} deleted {target}")
        }
        A::RoleSave | A::ProfileSave | A::GroupSave | A::DepartmentUpdate | A::LicenseSave | A::SharingRuleSave => {
            format!("{actor} saved {target}")
        }
        A::SharingSettings => format!("{actor} changed the sharing defaults"),
        A::SettingsLifetimes => format!("{actor} changed the invitation and session lifetimes"),
        A::RecordUpdate => format!("{actor} changed {target}"),
        A::RecordAssign => format!("{actor} assigned {target} to someone else"),
        A::RecordReassign => format!("{actor} reassigned the records of {target}"),
        A::RecordExport => format!("{actor} exported records"),
        A::AuditExport => format!("{actor} exported the audit log"),
        A::AccessReportExport => format!("{actor} exported the who-has-what report"),
        A::ReviewCreate => format!("{actor} started the access review {target}"),
        A::ReviewDecide => match e.after.as_ref().and_then(|a| a.get("keep")).and_then(Value::as_bool) {
            Some(true) => format!("{actor} kept {} {}", own(&target), e.after.as_ref().and_then(|a| a.get("line")).and_then(Value::as_str).unwrap_or("access")),
            _ => format!("{actor} revoked {} {}", own(&target), e.after.as_ref().and_then(|a| a.get("line")).and_then(Value::as_str).unwrap_or("access")),
        },
        A::ReviewRevoke => format!("{target} lost access when {actor} closed an access review"),
        A::ReviewClose => format!("{actor} closed the access review {target}"),
        A::ReviewExport => format!("{actor} exported the access review {target}"),
        A::UsersImport => {
            let a = e.after.as_ref();
            let n = |k: &str| a.and_then(|a| a.get(k)).and_then(Value::as_u64).unwrap_or(0);
            format!("{actor} imported “{target}”: {} to add, {} to change, {} refused", n("create"), n("update"), n("refused"))
        }
        A::UsersExport => {
            let rows = e.after.as_ref().and_then(|a| a.get("rows")).and_then(Value::as_u64).unwrap_or(0);
            format!("{actor} exported the users list ({})", crate::domain::count(rows, "person", "people"))
        }
        A::ServiceAccountCreate => {
            let role = e.after.as_ref().and_then(|a| a.get("role_name")).and_then(Value::as_str).unwrap_or("?");
            format!("{actor} made the service account “{target}” with the role {role} and a read-write token")
        }
        A::ApiTokenCreate | A::ApiTokenRevoke => {
            let token = e.after.as_ref().or(e.before.as_ref()).and_then(|v| v.get("name")).and_then(Value::as_str).unwrap_or("?");
            match action {
                A::ApiTokenCreate => {
                    let write = e.after.as_ref().and_then(|a| a.get("write")).and_then(Value::as_bool).unwrap_or(false);
                    format!("{actor} made the API token “{token}” ({})", if write { "read-write" } else { "read-only" })
                }
                _ if e.actor.is_some() && e.actor == e.target_id => format!("{actor} revoked the API token “{token}”"),
                _ => format!("{actor} revoked {} API token “{token}”", own(&target)),
            }
        }
    };
    let sentence = match &e.via {
        Some(via) => format!("{sentence}, through the {via}"),
        None => sentence,
    };
    (sentence, diff)
}
