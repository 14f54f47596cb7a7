//! A small organisation that exercises every rule: two companies, a department tree, a role
//! hierarchy, profiles, groups (one nested), licenses and users in every status.

use gatehouse::access::*;

pub fn perm(module: Module, action: Action, level: Level) -> Permission {
    Permission { module, action, level }
}

pub fn profile(id: &str, perms: &[(Module, Action, Level)]) -> OrgProfile {
    OrgProfile {
        id: id.into(),
        name: title(id),
        permissions: perms.iter().map(|&(m, a, l)| perm(m, a, l)).collect(),
        field_rules: vec![],
    }
}

/// "sales_manager" → "Sales Manager".
pub fn title(id: &str) -> String {
    id.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn user(id: &str, role: &str, dept: &str, companies: &[&str]) -> OrgUser {
    OrgUser {
        id: id.into(),
        name: title(id),
        status: UserStatus::Active,
        role: role.into(),
        department: dept.into(),
        companies: companies.iter().map(|c| c.to_string()).collect(),
        licenses: vec![],
        hidden_modules: vec![],
    }
}

pub fn role(id: &str, parent: Option<&str>, profiles: &[&str]) -> OrgRole {
    OrgRole { id: id.into(), name: title(id), parent: parent.map(Into::into), profiles: profiles.iter().map(|p| p.to_string()).collect() }
}

pub fn dept(id: &str, parent: Option<&str>, manager: Option<&str>) -> OrgDepartment {
    OrgDepartment { id: id.into(), name: title(id), parent: parent.map(Into::into), manager: manager.map(Into::into) }
}

use Action::*;
use Module::*;

/// The reference organisation.
///
/// ```text
/// departments: hq (manager ceo) > sales (manager sm) > sales_east
///              hq > support
/// roles:       ceo > vp > sales_manager > sales_rep ;  ceo > agent
/// ```
pub fn org() -> Org {
    Org {
        companies: vec!["acme".into(), "globex".into()],
        departments: vec![
            dept("hq", None, Some("ceo")),
            dept("sales", Some("hq"), Some("sm")),
            dept("sales_east", Some("sales"), None),
            dept("support", Some("hq"), None),
        ],
        roles: vec![
            role("ceo", None, &["executive"]),
            role("vp", Some("ceo"), &["sales_manager"]),
            role("sales_manager", Some("vp"), &["sales_manager"]),
            role("sales_rep", Some("sales_manager"), &["sales_rep"]),
            role("agent", Some("ceo"), &["support"]),
        ],
        profiles: vec![
            profile("executive", &[(Leads, View, Level::All), (Customers, View, Level::All), (Opportunities, View, Level::All)]),
            profile(
                "sales_manager",
                &[
                    (Leads, View, Level::DepartmentTree),
                    (Leads, Edit, Level::Department),
                    (Leads, Delete, Level::Own),
                    (Leads, Create, Level::DepartmentTree),
                    (Opportunities, View, Level::DepartmentTree),
                    (Opportunities, Edit, Level::DepartmentTree),
                ],
            ),
            profile(
                "sales_rep",
                &[(Leads, View, Level::Own), (Leads, Edit, Level::Own), (Leads, Create, Level::Own), (Opportunities, View, Level::Own), (Customers, View, Level::Own)],
            ),
            profile("support", &[(SupportActivities, View, Level::All), (SupportActivities, Edit, Level::All), (Customers, View, Level::All)]),
            profile("lead_exporter", &[(Leads, Export, Level::All)]),
            profile("lead_editor_all", &[(Leads, Edit, Level::All)]),
            profile("lead_viewer_all", &[(Leads, View, Level::All)]),
            profile("importer", &[(Leads, Import, Level::Own)]),
        ],
        groups: vec![
            OrgGroup { id: "east_team".into(), name: "East Team".into(), users: vec!["rep2".into()], groups: vec![] },
            OrgGroup { id: "all_sales".into(), name: "All Sales".into(), users: vec!["rep1".into()], groups: vec!["east_team".into()] },
        ],
        users: vec![
            user("ceo", "ceo", "hq", &["acme", "globex"]),
            user("sm", "sales_manager", "sales", &["acme"]),
            user("rep1", "sales_rep", "sales", &["acme"]),
            user("rep2", "sales_rep", "sales_east", &["acme"]),
            user("rep3", "sales_rep", "sales", &["acme"]),
            user("agent", "agent", "support", &["acme"]),
            OrgUser { status: UserStatus::Inactive, ..user("gone", "sales_rep", "sales", &["acme"]) },
            OrgUser { status: UserStatus::Blocked, ..user("barred", "sales_rep", "sales", &["acme"]) },
            OrgUser { status: UserStatus::Invited, ..user("newbie", "sales_rep", "sales", &["acme"]) },
        ],
        grants: vec![],
        licenses: vec![],
        defaults: vec![],
        sharing_rules: vec![],
        settings: AccessSettings::default(),
        windows: Vec::new(),
        at: None,
    }
}

pub fn rec<'a>(owner: &'a str, company: &'a str) -> Option<RecordRef<'a>> {
    Some(RecordRef { owner, company })
}

/// Asserts the decision, and that each expected phrase appears in its reasons.
#[track_caller]
pub fn check(engine: &Engine, user: &str, module: Module, action: Action, record: Option<RecordRef<'_>>, allowed: bool, phrases: &[&str]) {
    let d = engine.decide(user, module, action, record);
    assert_eq!(d.allowed(), allowed, "{user} {action:?} {module:?} {:?}: {:#?}", record.map(|r| (r.owner, r.company)), d.reasons());
    let all = d.reasons().join(" | ");
    for p in phrases {
        assert!(all.contains(p), "{user} {action:?} {module:?}: expected `{p}` in reasons: {all}");
    }
}
