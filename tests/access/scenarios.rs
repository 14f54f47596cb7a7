//! One scenario table per rule of the access model.

use gatehouse::access::*;

use crate::fixtures::*;
use Action::*;
use Module::*;

fn engine() -> Engine {
    Engine::compile(org())
}

fn with(adjust: impl FnOnce(&mut Org)) -> Engine {
    let mut o = org();
    adjust(&mut o);
    Engine::compile(o)
}

#[test]
fn rule_1_only_active_users_are_allowed_anything() {
    let e = engine();
    check(&e, "rep1", Leads, View, None, true, &["from profile Sales Rep, via role Sales Rep"]);
    for user in ["gone", "barred", "newbie"] {
        check(&e, user, Leads, View, None, false, &["refused: the user is"]);
        check(&e, user, Leads, View, rec(user, "acme"), false, &["only active users"]);
    }
    assert_eq!(e.decide("gone", Leads, View, None).refused_by(), Some(Refusal::Status));
    // The settings may let inactive users read: View only, Export and Edit included in the "no".
    let e = with(|o| {
        o.settings.inactive_may_read = true;
        o.grants.push(OrgGrant { profile: "lead_exporter".into(), to: Grantee::User("gone".into()), from: None, until: None });
    });
    check(&e, "gone", Leads, View, rec("gone", "acme"), true, &["read-only"]);
    check(&e, "gone", Leads, Edit, rec("gone", "acme"), false, &["inactive"]);
    check(&e, "gone", Leads, Export, None, false, &["inactive"]);
    check(&e, "barred", Leads, View, None, false, &["blocked"]);
}

#[test]
fn rule_2_no_level_crosses_the_company_boundary() {
    let e = with(|o| o.grants.push(OrgGrant { profile: "lead_viewer_all".into(), to: Grantee::User("rep1".into()), from: None, until: None }));
    check(&e, "rep1", Leads, View, rec("sm", "acme"), true, &["at All"]);
    check(&e, "rep1", Leads, View, rec("sm", "globex"), false, &["company is outside"]);
    check(&e, "rep1", Leads, View, rec("rep1", "globex"), false, &["company is outside"]);
    check(&e, "ceo", Leads, View, rec("sm", "globex"), true, &[]);
    check(&e, "rep1", Leads, View, rec("rep1", "no-such-company"), false, &["company"]);
    assert_eq!(e.decide("rep1", Leads, View, rec("sm", "globex")).refused_by(), Some(Refusal::Company));
}

#[test]
fn rule_3_a_module_that_needs_a_license_needs_the_user_to_hold_it() {
    let e = with(|o| {
        o.licenses.push(OrgLicense { id: "sales".into(), name: "Sales".into(), seats: 5, modules: vec![Opportunities] });
        o.users.iter_mut().find(|u| u.id == "sm").unwrap().licenses.push("sales".into());
    });
    check(&e, "rep1", Opportunities, View, None, false, &["needs the Sales license"]);
    check(&e, "sm", Opportunities, View, None, true, &[]);
    check(&e, "rep1", Leads, View, None, true, &[]);
    assert_eq!(e.decide("rep1", Opportunities, View, rec("rep1", "acme")).refused_by(), Some(Refusal::License));
}

#[test]
fn rule_4_each_level_reaches_what_it_says() {
    let e = engine();
    let cases: &[(&str, Action, &str, bool, &str)] = &[
        // Own: only one's own records.
        ("rep1", View, "rep1", true, "owns the record"),
        ("rep1", View, "rep3", false, "out of reach"),
        // Department: the owner in one of the user's departments (own or managed), not below.
        ("sm", Edit, "rep1", true, "one of the user's departments"),
        ("sm", Edit, "sm", true, "one of the user's departments"),
        // Department tree: also departments below.
        ("sm", View, "rep2", true, "department tree"),
        ("sm", View, "agent", false, "out of reach"),
        // All: any record of the user's companies.
        ("ceo", View, "agent", true, "at All"),
    ];
    for &(user, action, owner, allowed, phrase) in cases {
        let e = with(|o| o.settings.hierarchy = false);
        check(&e, user, Leads, action, rec(owner, "acme"), allowed, &[phrase]);
    }
    // Department (not tree) does not reach sub-departments.
    let e2 = with(|o| o.settings.hierarchy = false);
    check(&e2, "sm", Leads, Edit, rec("rep2", "acme"), false, &["out of reach"]);
    // A manager sees the department they run even when they sit elsewhere.
    let e3 = with(|o| {
        o.settings.hierarchy = false;
        o.departments.iter_mut().find(|d| d.id == "support").unwrap().manager = Some("rep1".into());
        o.grants.push(OrgGrant { profile: "sales_manager".into(), to: Grantee::User("rep1".into()), from: None, until: None });
    });
    check(&e3, "rep1", Leads, Edit, rec("agent", "acme"), true, &["one of the user's departments"]);
    // Levels are ordered and module-level answers report the level.
    assert_eq!(e.decide("sm", Leads, View, None).level(), Level::DepartmentTree);
    assert!(Level::None < Level::Own && Level::Own < Level::Department && Level::Department < Level::DepartmentTree && Level::DepartmentTree < Level::All);
    // Create at Level::Own: only records owned by oneself; above: owners the level reaches.
    check(&e, "rep1", Leads, Create, rec("rep1", "acme"), true, &[]);
    check(&e, "rep1", Leads, Create, rec("rep3", "acme"), false, &["out of reach"]);
    check(&e, "sm", Leads, Create, rec("rep2", "acme"), true, &["department tree"]);
    // Import is None vs anything.
    let e4 = with(|o| o.grants.push(OrgGrant { profile: "importer".into(), to: Grantee::User("rep1".into()), from: None, until: None }));
    check(&e4, "rep1", Leads, Import, None, true, &["Import on Leads at Own"]);
    check(&e4, "rep3", Leads, Import, None, false, &["no profile grants Import"]);
}

#[test]
fn rule_4_grants_reach_through_departments_groups_and_nested_groups() {
    let cases: &[(Grantee, &[(&str, bool)], &str)] = &[
        (Grantee::User("rep1".into()), &[("rep1", true), ("rep3", false)], "granted directly"),
        (
            Grantee::Department { id: "sales".into(), with_subdepartments: false },
            &[("rep1", true), ("sm", true), ("rep2", false), ("agent", false)],
            "via department Sales",
        ),
        (
            Grantee::Department { id: "sales".into(), with_subdepartments: true },
            &[("rep1", true), ("rep2", true), ("agent", false)],
            "via department Sales (with sub-departments)",
        ),
        // The department's manager is reached even when they sit elsewhere.
        (Grantee::Department { id: "hq".into(), with_subdepartments: false }, &[("ceo", true), ("rep1", false)], "via department Hq"),
        (Grantee::Group("east_team".into()), &[("rep2", true), ("rep1", false)], "via group East Team"),
        (Grantee::Group("all_sales".into()), &[("rep1", true), ("rep2", true), ("rep3", false)], "via group All Sales"),
    ];
    for (to, expected, phrase) in cases {
        let e = with(|o| o.grants.push(OrgGrant { profile: "lead_exporter".into(), to: to.clone(), from: None, until: None }));
        for &(user, allowed) in expected.iter() {
            // Export leans on View, which every sales role has on Leads.
            let d = e.decide(user, Leads, Export, None);
            let granted = e.granted_level(user, Leads, Export);
            assert_eq!(granted == Level::All, allowed, "{to:?} → {user}: {:?}", d.reasons());
            if allowed && user != "ceo" {
                assert!(d.reasons().iter().any(|r| r.contains(phrase)), "{to:?} → {user}: {:?}", d.reasons());
            }
        }
    }
    let e = with(|o| o.grants.push(OrgGrant { profile: "lead_exporter".into(), to: Grantee::Group("all_sales".into()), from: None, until: None }));
    let d = e.decide("rep2", Leads, Export, None);
    assert!(d.reasons().iter().any(|r| r.contains("through a nested group")), "{:?}", d.reasons());
}

#[test]
fn rule_4_the_highest_level_wins_and_ties_name_every_source() {
    let e = with(|o| o.grants.push(OrgGrant { profile: "lead_viewer_all".into(), to: Grantee::User("rep1".into()), from: None, until: None }));
    let d = e.decide("rep1", Leads, View, None);
    assert_eq!(d.level(), Level::All);
    assert!(d.reasons().iter().any(|r| r == "View on Leads at All, from profile Lead Viewer All, granted directly"), "{:?}", d.reasons());
    assert!(!d.reasons().iter().any(|r| r.contains("Sales Rep")), "the losing source is not a reason: {:?}", d.reasons());
    // A tie: the same level from two sources names both.
    let e = with(|o| o.grants.push(OrgGrant { profile: "sales_rep".into(), to: Grantee::Department { id: "sales".into(), with_subdepartments: false }, from: None, until: None }));
    let d = e.decide("rep1", Leads, View, None);
    assert_eq!(d.level(), Level::Own);
    assert_eq!(d.reasons().len(), 2, "{:?}", d.reasons());
    // Grants add; none takes away.
    let e = with(|o| o.grants.push(OrgGrant { profile: "importer".into(), to: Grantee::User("sm".into()), from: None, until: None }));
    assert_eq!(e.decide("sm", Leads, View, None).level(), Level::DepartmentTree);
}

#[test]
fn rule_4_edit_delete_and_export_lean_on_view() {
    let e = with(|o| o.grants.push(OrgGrant { profile: "lead_editor_all".into(), to: Grantee::User("rep1".into()), from: None, until: None }));
    let d = e.decide("rep1", Leads, Edit, None);
    assert_eq!(d.level(), Level::Own, "Edit capped at View's level");
    assert!(d.reasons().iter().any(|r| r.contains("capped at Own")), "{:?}", d.reasons());
    check(&e, "rep1", Leads, Edit, rec("rep3", "acme"), false, &["needs View on the record"]);
    check(&e, "rep1", Leads, Edit, rec("rep1", "acme"), true, &[]);
    // No View at all: Edit is refused at module level.
    let e = with(|o| o.grants.push(OrgGrant { profile: "lead_editor_all".into(), to: Grantee::User("agent".into()), from: None, until: None }));
    check(&e, "agent", Leads, Edit, None, false, &["needs View"]);
}

#[test]
fn rule_5_hierarchy_reaches_roles_strictly_below_for_view_and_edit() {
    let on = engine();
    // vp is above sales_manager and sales_rep; its own profile only reaches its department tree.
    let on_vp = with(|o| o.users.push(user("vp1", "vp", "support", &["acme"])));
    check(&on_vp, "vp1", Leads, View, rec("rep1", "acme"), true, &["role hierarchy: the owner's role Sales Rep is below Vp"]);
    check(&on_vp, "vp1", Leads, Edit, rec("rep1", "acme"), true, &["role hierarchy"]);
    check(&on_vp, "vp1", Leads, Delete, rec("rep1", "acme"), false, &["out of reach"]);
    // Never the same role or a peer.
    check(&on, "rep1", Leads, View, rec("rep3", "acme"), false, &["out of reach"]);
    check(&on, "agent", SupportActivities, View, rec("rep1", "acme"), true, &[]); // Level::All, not hierarchy
    // Off: the hierarchy reaches nothing.
    let off = with(|o| {
        o.settings.hierarchy = false;
        o.users.push(user("vp1", "vp", "support", &["acme"]));
    });
    check(&off, "vp1", Leads, View, rec("rep1", "acme"), false, &["out of reach"]);
    // Hierarchy never turns None into access.
    check(&on_vp, "vp1", SupportActivities, View, rec("agent", "acme"), false, &["no profile grants View"]);
}

#[test]
fn rule_6_sharing_defaults_and_rules_widen_view_and_edit_only() {
    let read = with(|o| {
        o.settings.hierarchy = false;
        o.defaults.push((Leads, OrgDefault::PublicRead));
    });
    check(&read, "rep1", Leads, View, rec("rep3", "acme"), true, &["organization-wide default for Leads is Public read"]);
    check(&read, "rep1", Leads, Edit, rec("rep3", "acme"), false, &[]);
    check(&read, "rep1", Leads, View, rec("rep3", "globex"), false, &["company"]);
    check(&read, "agent", Leads, View, rec("rep3", "acme"), false, &["no profile grants View"]);
    let rw = with(|o| {
        o.settings.hierarchy = false;
        o.defaults.push((Leads, OrgDefault::PublicReadWrite));
    });
    check(&rw, "rep1", Leads, Edit, rec("rep3", "acme"), true, &["Public read/write"]);
    check(&rw, "rep1", Leads, Delete, rec("rep3", "acme"), false, &[]);
    let rule = |access| {
        with(move |o| {
            o.settings.hierarchy = false;
            o.sharing_rules.push(SharingRule {
                id: "r1".into(),
                module: Leads,
                owners: Party::Group("east_team".into()),
                recipients: Party::Role { id: "sales_rep".into(), with_subordinates: false },
                access,
            });
        })
    };
    let r = rule(ShareAccess::Read);
    check(&r, "rep1", Leads, View, rec("rep2", "acme"), true, &["sharing rule: Leads records owned by group East Team are shared with role Sales Rep (read)"]);
    check(&r, "rep1", Leads, Edit, rec("rep2", "acme"), false, &[]);
    check(&r, "rep1", Leads, View, rec("rep3", "acme"), false, &[]);
    check(&r, "rep1", Leads, View, rec("rep2", "globex"), false, &["company"]);
    let rw = rule(ShareAccess::ReadWrite);
    check(&rw, "rep1", Leads, Edit, rec("rep2", "acme"), true, &["(read/write)"]);
    check(&rw, "rep1", Leads, Export, rec("rep2", "acme"), false, &["no profile grants Export"]);
    // Sharing on another module does nothing here.
    check(&rw, "rep1", Opportunities, View, rec("rep2", "acme"), false, &[]);
}

#[test]
fn rule_7_navigation_hides_and_never_grants() {
    let e = with(|o| {
        let u = o.users.iter_mut().find(|u| u.id == "rep1").unwrap();
        u.hidden_modules = vec![Leads, Projects];
    });
    check(&e, "rep1", Leads, View, None, false, &["hidden from this user's navigation"]);
    check(&e, "rep1", Leads, View, rec("rep1", "acme"), false, &["hidden"]);
    check(&e, "rep1", Projects, View, None, false, &[]);
    check(&e, "rep1", Opportunities, View, None, true, &[]);
    assert_eq!(e.decide("rep1", Leads, View, None).refused_by(), Some(Refusal::Navigation));
}

#[test]
fn field_rules_take_the_most_permissive_among_profiles_with_view() {
    let e = with(|o| {
        let mut assistant = profile("assistant", &[(Opportunities, View, Level::All)]);
        assistant.field_rules = vec![
            FieldRuleSpec { module: Opportunities, field: "amount".into(), rule: FieldRule::Hidden },
            FieldRuleSpec { module: Opportunities, field: "stage".into(), rule: FieldRule::ReadOnly },
        ];
        let mut no_say = profile("no_say", &[(Leads, View, Level::All)]);
        no_say.field_rules = vec![FieldRuleSpec { module: Opportunities, field: "stage".into(), rule: FieldRule::Editable }];
        o.profiles.push(assistant);
        o.profiles.push(no_say);
        o.grants.push(OrgGrant { profile: "assistant".into(), to: Grantee::User("agent".into()), from: None, until: None });
        o.grants.push(OrgGrant { profile: "no_say".into(), to: Grantee::User("agent".into()), from: None, until: None });
        o.grants.push(OrgGrant { profile: "assistant".into(), to: Grantee::User("rep1".into()), from: None, until: None });
    });
    let agent = e.field_rules("agent", Opportunities);
    assert_eq!(agent.get("amount"), Some(&FieldRule::Hidden));
    assert_eq!(agent.get("stage"), Some(&FieldRule::ReadOnly), "a profile without View has no say");
    // rep1 also holds Sales Rep, which allows View on Opportunities and leaves fields Editable.
    let rep = e.field_rules("rep1", Opportunities);
    assert_eq!(rep.get("amount"), Some(&FieldRule::Editable));
    let (_, fields) = e.conflicts("rep1");
    let amount = fields.iter().find(|f| f.field == "amount").expect("a field conflict on amount");
    assert_eq!(amount.winner, FieldRule::Editable);
    assert!(amount.sources.iter().any(|(s, r)| s.contains("Assistant") && *r == FieldRule::Hidden));
}

#[test]
fn conflicts_name_the_sources_and_the_winner() {
    let e = with(|o| {
        o.grants.push(OrgGrant { profile: "lead_viewer_all".into(), to: Grantee::User("rep1".into()), from: None, until: None });
        o.grants.push(OrgGrant { profile: "sales_manager".into(), to: Grantee::Department { id: "sales".into(), with_subdepartments: false }, from: None, until: None });
    });
    let (levels, _) = e.conflicts("rep1");
    let c = levels.iter().find(|c| c.module == Leads && c.action == View).expect("a conflict on View Leads");
    assert_eq!(c.winner, Level::All);
    let texts: Vec<String> = c.sources.iter().map(|s| format!("{} {:?}", s.source, s.level)).collect();
    assert!(texts.iter().any(|t| t.contains("Sales Rep, via role Sales Rep Own")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("granted directly All")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("via department Sales DepartmentTree")), "{texts:?}");
    // One source at one level is no conflict.
    assert!(engine().conflicts("rep1").0.is_empty());
}

#[test]
fn no_escalation_compares_levels_fields_and_the_administrator_profile() {
    let e = with(|o| {
        o.profiles.push(OrgProfile { id: ADMINISTRATOR.into(), name: "Administrator".into(), permissions: administrator_permissions(), field_rules: vec![] });
        o.grants.push(OrgGrant { profile: ADMINISTRATOR.into(), to: Grantee::User("ceo".into()), from: None, until: None });
    });
    let find = |id: &str| e.org().profiles.iter().find(|p| p.id == id).unwrap().clone();
    assert!(e.is_full_admin("ceo"));
    assert_eq!(e.profile_exceeds("ceo", &find("lead_exporter")), None);
    assert_eq!(e.profile_exceeds("sm", &find("sales_rep")), Some("profile Sales Rep gives View on Customers at Own, above your own None".into()));
    assert_eq!(e.profile_exceeds("sm", &find("sales_manager")), None);
    assert!(e.profile_exceeds("sm", &find("lead_editor_all")).unwrap().contains("Edit on Leads at All"));
    assert!(e.profile_exceeds("sm", &find(ADMINISTRATOR)).unwrap().contains("only full administrators"));
}

#[test]
fn the_preview_counts_who_gains_and_who_loses() {
    let before = engine();
    let after = with(|o| {
        o.grants.push(OrgGrant { profile: "lead_exporter".into(), to: Grantee::Department { id: "sales".into(), with_subdepartments: false }, from: None, until: None });
        o.roles.iter_mut().find(|r| r.id == "agent").unwrap().profiles.clear();
    });
    let diff = Engine::diff(&before, &after);
    assert!(diff.summary.contains(&"3 users gain Export on Leads: Sm, Rep1, Rep3".to_string()), "{:?}", diff.summary);
    assert!(diff.summary.contains(&"1 user loses View on Support activities: Agent".to_string()), "{:?}", diff.summary);
    assert!(diff.changes.iter().all(|c| c.user != "gone"), "inactive users keep nothing to change");
    assert!(Engine::diff(&before, &engine()).changes.is_empty());
}

#[test]
fn full_administration_needs_the_profile_and_active_status() {
    let e = with(|o| {
        o.profiles.push(OrgProfile { id: ADMINISTRATOR.into(), name: "Administrator".into(), permissions: administrator_permissions(), field_rules: vec![] });
        o.roles.push(role(ADMINISTRATOR, None, &[ADMINISTRATOR]));
        o.users.push(user("root", ADMINISTRATOR, "hq", &["acme"]));
        o.users.push(OrgUser { status: UserStatus::Inactive, ..user("oldroot", ADMINISTRATOR, "hq", &["acme"]) });
        o.groups.push(OrgGroup { id: "admins".into(), name: "Admins".into(), users: vec!["agent".into()], groups: vec![] });
        o.grants.push(OrgGrant { profile: ADMINISTRATOR.into(), to: Grantee::Group("admins".into()), from: None, until: None });
    });
    let mut admins = e.full_admins();
    admins.sort();
    assert_eq!(admins, vec!["agent", "root"]);
    // The Administrator profile does not bypass companies.
    check(&e, "root", Leads, View, rec("rep1", "globex"), false, &["company"]);
    check(&e, "root", Settings, Edit, None, true, &["from profile Administrator"]);
}

#[test]
fn a_grant_counts_only_inside_its_window_and_the_engine_knows_when_that_changes() {
    let grant = |from, until| OrgGrant { profile: "lead_viewer_all".into(), to: Grantee::User("rep1".into()), from, until };
    let at = 1_000_000;
    let e = with(|o| {
        o.at = Some(at);
        o.grants.push(grant(None, Some(at + 500)));
    });
    check(&e, "rep1", Leads, View, rec("sm", "acme"), true, &["granted directly, until "]);
    assert_eq!(e.next_change(), Some(at + 500));
    // Ended, not started yet: neither counts; the start is the next change.
    let e = with(|o| {
        o.at = Some(at);
        o.grants.push(grant(None, Some(at)));
        o.grants.push(OrgGrant { profile: "lead_exporter".into(), ..grant(Some(at + 60_000), None) });
    });
    check(&e, "rep1", Leads, View, rec("sm", "acme"), false, &[]);
    assert_eq!(e.decide("rep1", Leads, Export, None).allowed(), false);
    assert_eq!(e.next_change(), Some(at + 60_000));
    // Without an instant every grant counts (what a proposed change is judged by).
    let e = with(|o| o.grants.push(grant(Some(at + 60_000), Some(at + 120_000))));
    check(&e, "rep1", Leads, View, rec("sm", "acme"), true, &[]);
    assert_eq!(e.next_change(), None);
}
