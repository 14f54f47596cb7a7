//! Judged by outcome (ACCESS-MODEL.md, "Administration rights"): the engine's judgement of a
//! proposed change, on hand-written attacks and on random organisations and random requests
//! by random actors, checked against the decision itself.

use std::time::Instant;

use gatehouse::access::*;
use proptest::prelude::*;

use crate::fixtures::*;
use crate::properties::{random_grant, random_org, Rng, COMPANIES, MODS};
use Action::*;
use Module::*;

fn judge(org: &Org, actor: &str, change: OrgChange) -> Result<Vec<String>, ChangeError> {
    let before = Engine::compile(org.clone());
    let after = Engine::compile(change.apply(org, "new")?);
    Ok(before.judge(actor, &after).iter().map(Objection::message).collect())
}

/// The reference org plus a delegated admin `da` (Leads at Department, in `sales`, acme) who
/// may edit groups and departments.
fn with_delegate() -> Org {
    let mut org = org();
    org.profiles.push(profile("delegate", &[(Leads, View, Level::Department), (Leads, Edit, Level::Department), (DepartmentsGroups, Edit, Level::All), (Users, Edit, Level::All)]));
    org.roles.push(role("delegate", Some("ceo"), &["delegate"]));
    org.users.push(user("da", "delegate", "support", &["acme"]));
    org.profiles.push(OrgProfile { id: ADMINISTRATOR.into(), name: "Administrator".into(), permissions: administrator_permissions(), field_rules: vec![] });
    org.roles.push(role(ADMINISTRATOR, None, &[ADMINISTRATOR]));
    org.users.push(user("boss", ADMINISTRATOR, "hq", &["acme", "globex"]));
    org
}

#[test]
fn joining_a_group_nested_in_a_granted_group_is_judged_by_the_outer_grant() {
    let mut org = with_delegate();
    org.grants.push(OrgGrant { profile: "lead_viewer_all".into(), to: Grantee::Group("all_sales".into()), from: None, until: None });
    // east_team sits inside all_sales; adding oneself to east_team gives the outer grant.
    let change = OrgChange::SaveGroup { id: Some("east_team".into()), name: "East Team".into(), users: vec!["rep2".into(), "da".into()], groups: vec![] };
    let refused = judge(&org, "da", change).unwrap();
    assert!(refused.iter().any(|m| m.contains("Da would gain View on Leads at All")), "{refused:?}");
}

#[test]
fn becoming_manager_of_another_department_widens_department_reach_and_is_refused() {
    let org = with_delegate();
    let change = OrgChange::SaveDepartment { id: Some("sales".into()), name: "Sales".into(), parent: Some("hq".into()), manager: Some("da".into()) };
    let refused = judge(&org, "da", change).unwrap();
    assert!(refused.iter().any(|m| m.starts_with("Da would gain View on Leads records owned by")), "{refused:?}");
    // Managing one's own department widens nothing.
    let own = OrgChange::SaveDepartment { id: Some("support".into()), name: "Support".into(), parent: Some("hq".into()), manager: Some("da".into()) };
    assert_eq!(judge(&org, "da", own).unwrap(), Vec::<String>::new());
}

#[test]
fn a_user_in_another_department_reaches_what_the_admin_does_not() {
    let org = with_delegate();
    let new = |dept: &str| OrgChange::SaveUser { user: OrgUser { status: UserStatus::Invited, ..user("nu", "delegate", dept, &["acme"]) } };
    // Same role as the admin, same department: nothing beyond.
    assert_eq!(judge(&org, "da", new("support")).unwrap(), Vec::<String>::new());
    // Same role, another department: Department reach over other people's leads.
    let refused = judge(&org, "da", new("sales")).unwrap();
    assert!(refused.iter().any(|m| m.contains("Nu would gain View on Leads records owned by")), "{refused:?}");
    // Moving an existing user there is the same change.
    let mut moved = user("rep1", "sales_rep", "sales", &["acme"]);
    moved.department = "support".into();
    let refused = judge(&org, "da", OrgChange::SaveUser { user: moved }).unwrap();
    assert!(!refused.is_empty());
}

#[test]
fn a_full_administrators_entry_is_out_of_reach_whatever_their_status() {
    let mut org = with_delegate();
    org.users.iter_mut().find(|u| u.id == "boss").unwrap().status = UserStatus::Inactive;
    let mut boss = org.users.iter().find(|u| u.id == "boss").unwrap().clone();
    boss.status = UserStatus::Active;
    let refused = judge(&org, "da", OrgChange::SaveUser { user: boss }).unwrap();
    assert!(refused.iter().any(|m| m.contains("Boss holds the Administrator profile")), "{refused:?}");
    let e = Engine::compile(org);
    assert!(e.judge_takeover("da", "boss").iter().any(|o| matches!(o, Objection::AdministratorHolder { .. })));
    // A full administrator may.
    assert!(e.judge_takeover("ceo", "rep1").iter().any(|o| matches!(o, Objection::Gains { .. })), "the ceo is no full administrator here");
}

#[test]
fn the_administrator_profile_changes_hands_only_by_a_full_administrator() {
    let mut org = with_delegate();
    org.grants.push(OrgGrant { profile: ADMINISTRATOR.into(), to: Grantee::Group("east_team".into()), from: None, until: None });
    let strip = OrgChange::SaveRole { id: Some(ADMINISTRATOR.into()), name: "Administrator".into(), parent: None, profiles: vec![] };
    let refused = judge(&org, "da", strip.clone()).unwrap();
    assert!(refused.iter().any(|m| m.contains("only full administrators grant or remove the Administrator profile")), "{refused:?}");
    // Deleting a group that carries an Administrator grant removes it.
    let refused = judge(&org, "da", OrgChange::DeleteGroup { id: "east_team".into() }).unwrap();
    assert!(refused.iter().any(|m| m.contains("Administrator profile")), "{refused:?}");
    // The full administrator may strip the role (rep2 keeps the profile through the group)...
    assert_eq!(judge(&org, "boss", strip.clone()).unwrap(), Vec::<String>::new());
    // ...but not lock everyone out.
    let refused = judge(&with_delegate(), "boss", strip).unwrap();
    assert!(refused.iter().any(|m| m.contains("no active full administrator")), "{refused:?}");
}

#[test]
fn unstated_field_rules_are_editable_and_count_against_the_admin() {
    let mut org = with_delegate();
    // The delegate's own leads hide the source.
    let p = org.profiles.iter_mut().find(|p| p.id == "delegate").unwrap();
    p.field_rules.push(FieldRuleSpec { module: Leads, field: "source".into(), rule: FieldRule::Hidden });
    org.profiles.push(profile("plain_leads", &[(Leads, View, Level::Own)]));
    let e = Engine::compile(org.clone());
    let plain = org.profiles.iter().find(|p| p.id == "plain_leads").unwrap();
    assert!(e.profile_exceeds("da", plain).unwrap().contains("Leads · source Editable, more than your own Hidden"));
    let refused = judge(&org, "da", OrgChange::AddGrant { grant: OrgGrant { profile: "plain_leads".into(), to: Grantee::User("agent".into()), from: None, until: None } }).unwrap();
    assert!(refused.iter().any(|m| m.contains("Agent would get Leads · source Editable, more than your own Hidden")), "{refused:?}");
}

#[test]
fn granting_twice_or_removing_what_is_absent_changes_nothing() {
    let org = with_delegate();
    let grant = OrgGrant { profile: "sales_rep".into(), to: Grantee::Group("east_team".into()), from: None, until: None };
    let once = OrgChange::AddGrant { grant: grant.clone() }.apply(&org, "x").unwrap();
    let twice = OrgChange::AddGrant { grant: grant.clone() }.apply(&once, "x").unwrap();
    assert_eq!(once, twice);
    assert_eq!(OrgChange::RemoveGrant { grant }.apply(&org, "x").unwrap(), org);
}

#[test]
fn losing_access_is_never_escalation_only_lock_out_counts() {
    let org = with_delegate();
    let mut lower = org.profiles.iter().find(|p| p.id == "executive").unwrap().clone();
    lower.permissions.clear();
    let change = OrgChange::SaveProfile { id: Some(lower.id), name: lower.name, permissions: vec![], field_rules: vec![] };
    assert_eq!(judge(&org, "da", change).unwrap(), Vec::<String>::new());
}

#[test]
fn hiding_a_record_module_from_the_last_administrator_is_no_lock_out() {
    let mut org = with_delegate();
    org.users.iter_mut().find(|u| u.id == "boss").unwrap().hidden_modules = vec![AuditLog];
    let mut boss = org.users.iter().find(|u| u.id == "boss").unwrap().clone();
    boss.hidden_modules.push(Leads);
    assert_eq!(judge(&org, "boss", OrgChange::SaveUser { user: boss.clone() }).unwrap(), Vec::<String>::new());
    // Hiding Users from the only administrator with a full menu would lock everyone out.
    let mut full = with_delegate();
    let mut b = full.users.iter().find(|u| u.id == "boss").unwrap().clone();
    b.hidden_modules = vec![Users];
    full.users.retain(|u| u.id != "zz");
    assert!(judge(&full, "boss", OrgChange::SaveUser { user: b }).unwrap().iter().any(|m| m.contains("no active full administrator")));
}

#[test]
fn cycle_checks_are_linear_on_a_5000_long_chain() {
    let mut org = with_delegate();
    let n = 5000;
    for i in 0..n {
        org.groups.push(OrgGroup { id: format!("c{i}"), name: format!("C{i}"), users: vec![], groups: if i > 0 { vec![format!("c{}", i - 1)] } else { vec![] } });
        org.departments.push(dept(&format!("k{i}"), (i > 0).then(|| format!("k{}", i - 1)).as_deref(), None));
    }
    let started = Instant::now();
    let closing = OrgChange::SaveGroup { id: Some("c0".into()), name: "C0".into(), users: vec![], groups: vec![format!("c{}", n - 1)] };
    assert!(closing.apply(&org, "x").unwrap_err().message.contains("cannot contain itself"));
    let closing = OrgChange::SaveDepartment { id: Some("k0".into()), name: "K0".into(), parent: Some(format!("k{}", n - 1)), manager: None };
    assert!(closing.apply(&org, "x").unwrap_err().message.contains("below itself"));
    // A generous bound: the exponential search took seconds on far fewer groups.
    assert!(started.elapsed().as_millis() < 2000, "{:?}", started.elapsed());
}

#[test]
fn what_sharing_rules_use_cannot_be_deleted_and_a_module_takes_one_license() {
    let mut org = with_delegate();
    org.sharing_rules.push(SharingRule {
        id: "s".into(),
        module: Leads,
        owners: Party::Group("east_team".into()),
        recipients: Party::Role { id: "agent".into(), with_subordinates: false },
        access: ShareAccess::Read,
    });
    assert!(OrgChange::DeleteGroup { id: "east_team".into() }.apply(&org, "x").unwrap_err().message.contains("sharing rule"));
    org.users.retain(|u| u.role != "agent");
    assert!(OrgChange::DeleteRole { id: "agent".into() }.apply(&org, "x").unwrap_err().message.contains("sharing rule"));
    org.licenses.push(OrgLicense { id: "sales".into(), name: "Sales".into(), seats: 5, modules: vec![Leads] });
    let second = OrgChange::SaveLicense { id: None, name: "More".into(), seats: 1, modules: vec![Leads] };
    assert!(second.apply(&org, "x").unwrap_err().message.contains("at most one"));
}

#[test]
fn reasons_name_every_path_that_reaches_a_record() {
    let mut org = org();
    // sm reaches rep1's leads by level (department tree) and by hierarchy; a sharing rule adds a third.
    org.sharing_rules.push(SharingRule {
        id: "s".into(),
        module: Leads,
        owners: Party::Role { id: "sales_rep".into(), with_subordinates: false },
        recipients: Party::Role { id: "sales_manager".into(), with_subordinates: false },
        access: ShareAccess::Read,
    });
    let e = Engine::compile(org);
    let d = e.decide("sm", Leads, View, rec("rep1", "acme"));
    let all = d.reasons().join(" | ");
    assert!(d.allowed());
    assert!(all.contains("department tree") && all.contains("role hierarchy") && all.contains("sharing rule"), "{all}");
}

// ---- properties over random organisations and random requests ----

/// A random org plus a full administrator, field rules, and no navigation overrides (they only
/// hide, and the contract compares what people hold).
fn random_org_with_admin(seed: u64) -> Org {
    let mut org = random_org(seed);
    let mut rng = Rng(seed.rotate_left(17) | 1);
    for u in org.users.iter_mut() {
        u.hidden_modules.clear();
    }
    for p in org.profiles.iter_mut() {
        for f in Leads.fields() {
            if rng.chance(30) {
                let rule = [FieldRule::Hidden, FieldRule::ReadOnly, FieldRule::Editable][rng.below(3)];
                p.field_rules.push(FieldRuleSpec { module: Leads, field: f.to_string(), rule });
            }
        }
    }
    org.profiles.push(OrgProfile { id: ADMINISTRATOR.into(), name: "Administrator".into(), permissions: administrator_permissions(), field_rules: vec![] });
    org.roles.push(OrgRole { id: ADMINISTRATOR.into(), name: "Administrator".into(), parent: None, profiles: vec![ADMINISTRATOR.into()] });
    org.users.push(OrgUser {
        id: "boss".into(),
        name: "Boss".into(),
        status: UserStatus::Active,
        role: ADMINISTRATOR.into(),
        department: "d0".into(),
        companies: COMPANIES.iter().map(|c| c.to_string()).collect(),
        licenses: vec!["lic".into()],
        hidden_modules: vec![],
    });
    org
}

fn random_change(rng: &mut Rng, org: &Org) -> OrgChange {
    let pick = |rng: &mut Rng, n: usize| rng.below(n.max(1));
    let n_users = org.users.len();
    let user_id = |rng: &mut Rng| org.users[pick(rng, n_users)].id.clone();
    match rng.below(9) {
        0 | 1 => {
            let mut u = org.users[pick(rng, n_users)].clone();
            match rng.below(5) {
                0 => u.role = org.roles[pick(rng, org.roles.len())].id.clone(),
                1 => u.department = org.departments[pick(rng, org.departments.len())].id.clone(),
                2 => u.companies = COMPANIES.iter().filter(|_| rng.chance(60)).map(|c| c.to_string()).collect(),
                3 => u.licenses = if rng.chance(50) { vec!["lic".into()] } else { vec![] },
                _ => u.status = [UserStatus::Active, UserStatus::Inactive, UserStatus::Blocked][rng.below(3)],
            }
            OrgChange::SaveUser { user: u }
        }
        2 if !org.groups.is_empty() => {
            let g = org.groups[pick(rng, org.groups.len())].clone();
            let mut users = g.users.clone();
            users.push(user_id(rng));
            if rng.chance(30) && !users.is_empty() {
                users.remove(0);
            }
            OrgChange::SaveGroup { id: Some(g.id), name: g.name, users, groups: g.groups }
        }
        3 => OrgChange::AddGrant {
            grant: random_grant(rng, org.profiles.len().saturating_sub(1).max(1), org.users.len().saturating_sub(1).max(1), org.departments.len(), org.groups.len()),
        },
        4 if !org.grants.is_empty() => OrgChange::RemoveGrant { grant: org.grants[pick(rng, org.grants.len())].clone() },
        5 => {
            let d = org.departments[pick(rng, org.departments.len())].clone();
            OrgChange::SaveDepartment { id: Some(d.id), name: d.name, parent: d.parent, manager: rng.chance(70).then(|| user_id(rng)) }
        }
        6 => {
            let p = org.profiles[pick(rng, org.profiles.len())].clone();
            let mut permissions = p.permissions.clone();
            permissions.push(Permission { module: MODS[rng.below(3)], action: Action::ALL[rng.below(6)], level: rng.level() });
            OrgChange::SaveProfile { id: Some(p.id), name: p.name, permissions, field_rules: p.field_rules }
        }
        7 => {
            let r = org.roles[pick(rng, org.roles.len())].clone();
            let profiles = org.profiles.iter().filter(|_| rng.chance(30)).map(|p| p.id.clone()).collect();
            OrgChange::SaveRole { id: Some(r.id), name: r.name, parent: r.parent, profiles }
        }
        _ => OrgChange::SaveSharingRule {
            id: None,
            module: MODS[rng.below(3)],
            owners: crate::properties::party(rng, org.roles.len(), org.groups.len(), org.departments.len()),
            recipients: crate::properties::party(rng, org.roles.len(), org.groups.len(), org.departments.len()),
            access: if rng.chance(50) { ShareAccess::Read } else { ShareAccess::ReadWrite },
        },
    }
}

/// Everything of one user's entry: the entry, direct groups, direct grants, departments managed.
fn entry(org: &Org, id: &str) -> String {
    let u = org.users.iter().find(|u| u.id == id);
    let groups: Vec<&str> = org.groups.iter().filter(|g| g.users.iter().any(|x| x == id)).map(|g| g.id.as_str()).collect();
    let grants: Vec<&OrgGrant> = org.grants.iter().filter(|g| g.to == Grantee::User(id.into())).collect();
    let managed: Vec<&str> = org.departments.iter().filter(|d| d.manager.as_deref() == Some(id)).map(|d| d.id.as_str()).collect();
    format!("{u:?} {groups:?} {grants:?} {managed:?}")
}

/// The contract's promises after an allowed request by `actor`, checked with the decision
/// itself (not with the judgement's own code).
fn check_allowed(before: &Engine, after: &Engine, actor: &str) -> Result<(), TestCaseError> {
    // (c) someone still administers.
    prop_assert!(!after.full_admins().is_empty(), "no full administrator left");
    if before.is_full_admin(actor) {
        return Ok(());
    }
    let org = before.org();
    // (b) no holder of the Administrator profile was touched.
    for u in &org.users {
        let holder = before.effective_access(&u.id).iter().any(|c| c.decision.reasons().iter().any(|r| r.contains("profile Administrator")));
        if holder {
            prop_assert_eq!(entry(org, &u.id), entry(after.org(), &u.id), "an Administrator holder's entry changed");
        }
    }
    // (a) nobody gained anything the actor does not hold.
    let actor_companies = before.companies_of(actor);
    for u in after.org().users.iter().filter(|u| u.status == UserStatus::Active) {
        let was_active = org.users.iter().any(|x| x.id == u.id && x.status == UserStatus::Active);
        let had = before.companies_of(&u.id);
        for c in after.companies_of(&u.id) {
            prop_assert!(had.contains(&c) || actor_companies.contains(&c), "{} gained company {c}", u.id);
        }
        for &m in MODS.iter() {
            for &a in Action::ALL.iter() {
                let to = after.module_level(&u.id, m, a);
                let from = if was_active { before.module_level(&u.id, m, a) } else { Level::None };
                let yours = before.module_level(actor, m, a);
                let beyond = if a == Import { yours == Level::None } else { to > yours };
                prop_assert!(!(to > from && beyond), "{} gained {a:?} on {m:?} at {to:?} (actor {yours:?})", u.id);
                if a == Import {
                    continue;
                }
                for o in after.org().users.iter().map(|x| x.id.as_str()).chain(["nobody"]) {
                    for c in COMPANIES {
                        let r = Some(RecordRef { owner: o, company: c });
                        if !after.decide(&u.id, m, a, r).allowed() || (was_active && before.decide(&u.id, m, a, r).allowed()) {
                            continue;
                        }
                        let own = o == u.id && before.module_level(actor, m, a) >= Level::Own;
                        prop_assert!(
                            own || before.decide(actor, m, a, r).allowed(),
                            "{} gained {a:?} on {m:?} records of {o} in {c}, beyond {actor}",
                            u.id
                        );
                    }
                }
            }
            let fields_after = after.field_rules(&u.id, m);
            if after.module_level(&u.id, m, View) > Level::None {
                for f in m.fields() {
                    let rule = fields_after.get(f).copied().unwrap_or(FieldRule::Editable);
                    let from = if was_active && before.module_level(&u.id, m, View) > Level::None {
                        before.field_rules(&u.id, m).get(f).copied().unwrap_or(FieldRule::Editable)
                    } else {
                        FieldRule::Hidden
                    };
                    let yours = if before.module_level(actor, m, View) > Level::None {
                        before.field_rules(actor, m).get(f).copied().unwrap_or(FieldRule::Editable)
                    } else {
                        FieldRule::Hidden
                    };
                    prop_assert!(!(rule > from && rule > yours), "{} gained {m:?}.{f} {rule:?} (actor {yours:?})", u.id);
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random organisations, random sequences of administrative requests by random actors:
    /// whatever the judgement lets through keeps the contract.
    #[test]
    fn whatever_the_judgement_allows_keeps_the_contract(seed in any::<u64>(), steps in 1usize..6) {
        let mut org = random_org_with_admin(seed);
        let mut rng = Rng(seed.rotate_right(7) | 1);
        for _ in 0..steps {
            let before = Engine::compile(org.clone());
            let active: Vec<String> = org.users.iter().filter(|u| u.status == UserStatus::Active).map(|u| u.id.clone()).collect();
            let actor = active[rng.below(active.len())].clone();
            let change = random_change(&mut rng, &org);
            let Ok(proposed) = change.apply(&org, &format!("n{}", rng.next() % 1000)) else { continue };
            let after = Engine::compile(proposed.clone());
            let mut objections = before.judge(&actor, &after);
            // Status changes are "no takeover" too, as the server asks.
            if let OrgChange::SaveUser { user } = &change {
                let was = org.users.iter().find(|u| u.id == user.id).map(|u| u.status);
                if was != Some(user.status) && user.id != actor {
                    objections.extend(before.judge_takeover(&actor, &user.id));
                }
            }
            if objections.is_empty() {
                check_allowed(&before, &after, &actor)?;
                org = proposed;
            }
        }
    }

    /// The users list's filter is the decision on users itself.
    #[test]
    fn the_list_filter_agrees_with_the_decision_on_users(seed in any::<u64>()) {
        let org = random_org_with_admin(seed);
        let e = Engine::compile(org.clone());
        for admin in &org.users {
            let ix = e.user_index(&admin.id).unwrap();
            for target in &org.users {
                for a in [View, Edit] {
                    prop_assert_eq!(e.allows_on_user(ix, a, &target.id), e.decide_on_user(&admin.id, a, &target.id).allowed());
                }
            }
        }
    }
}

