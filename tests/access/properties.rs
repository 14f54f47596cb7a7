//! Property tests: the engine against a small, obviously correct reference model on random
//! orgs, plus monotonicity (adding a grant never removes access) and the level ordering.

use gatehouse::access::*;
use proptest::prelude::*;

use Action::*;

/// A tiny deterministic generator, so one `u64` from proptest describes a whole org.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn level(&mut self) -> Level {
        [Level::None, Level::None, Level::Own, Level::Department, Level::DepartmentTree, Level::All][self.below(6)]
    }
}

pub const MODS: [Module; 3] = [Module::Leads, Module::Opportunities, Module::Customers];
pub const COMPANIES: [&str; 2] = ["c0", "c1"];

pub fn party(rng: &mut Rng, roles: usize, groups: usize, depts: usize) -> Party {
    match rng.below(3) {
        0 => Party::Role { id: format!("r{}", rng.below(roles)), with_subordinates: rng.chance(50) },
        1 if groups > 0 => Party::Group(format!("g{}", rng.below(groups))),
        _ => Party::Department { id: format!("d{}", rng.below(depts)), with_subdepartments: rng.chance(50) },
    }
}

pub fn random_org(seed: u64) -> Org {
    let mut rng = Rng(seed | 1);
    let n_roles = 2 + rng.below(4);
    let n_depts = 2 + rng.below(4);
    let n_users = 3 + rng.below(5);
    let n_groups = rng.below(4);
    let n_profiles = 2 + rng.below(3);
    let profiles: Vec<OrgProfile> = (0..n_profiles)
        .map(|p| OrgProfile {
            id: format!("p{p}"),
            name: format!("P{p}"),
            permissions: MODS
                .iter()
                .flat_map(|&m| Action::ALL.iter().map(move |&a| (m, a)))
                .map(|(m, a)| Permission { module: m, action: a, level: rng.level() })
                .collect(),
            field_rules: vec![],
        })
        .collect();
    // Parents always point to a lower index: trees, no cycles (the console refuses cycles).
    let roles = (0..n_roles)
        .map(|r| OrgRole {
            id: format!("r{r}"),
            name: format!("R{r}"),
            parent: (r > 0 && rng.chance(80)).then(|| format!("r{}", rng.below(r))),
            profiles: (0..n_profiles).filter(|_| rng.chance(35)).map(|p| format!("p{p}")).collect(),
        })
        .collect();
    let departments = (0..n_depts)
        .map(|d| OrgDepartment {
            id: format!("d{d}"),
            name: format!("D{d}"),
            parent: (d > 0 && rng.chance(80)).then(|| format!("d{}", rng.below(d))),
            manager: rng.chance(50).then(|| format!("u{}", rng.below(n_users))),
        })
        .collect();
    let statuses = [UserStatus::Active, UserStatus::Active, UserStatus::Active, UserStatus::Inactive, UserStatus::Blocked];
    let users = (0..n_users)
        .map(|u| OrgUser {
            id: format!("u{u}"),
            name: format!("U{u}"),
            status: statuses[rng.below(statuses.len())],
            role: format!("r{}", rng.below(n_roles)),
            department: format!("d{}", rng.below(n_depts)),
            companies: COMPANIES.iter().filter(|_| rng.chance(70)).map(|c| c.to_string()).collect(),
            licenses: if rng.chance(50) { vec!["lic".into()] } else { vec![] },
            hidden_modules: MODS.iter().copied().filter(|_| rng.chance(10)).collect(),
        })
        .collect();
    let groups = (0..n_groups)
        .map(|g| OrgGroup {
            id: format!("g{g}"),
            name: format!("G{g}"),
            users: (0..n_users).filter(|_| rng.chance(30)).map(|u| format!("u{u}")).collect(),
            groups: (0..g).filter(|_| rng.chance(40)).map(|x| format!("g{x}")).collect(),
        })
        .collect();
    let grants = (0..rng.below(5)).map(|_| random_grant(&mut rng, n_profiles, n_users, n_depts, n_groups)).collect();
    let sharing_rules = (0..rng.below(3))
        .map(|i| SharingRule {
            id: format!("s{i}"),
            module: MODS[rng.below(MODS.len())],
            owners: party(&mut rng, n_roles, n_groups, n_depts),
            recipients: party(&mut rng, n_roles, n_groups, n_depts),
            access: if rng.chance(50) { ShareAccess::Read } else { ShareAccess::ReadWrite },
        })
        .collect();
    let defaults = MODS
        .iter()
        .map(|&m| (m, [OrgDefault::Private, OrgDefault::Private, OrgDefault::PublicRead, OrgDefault::PublicReadWrite][rng.below(4)]))
        .collect();
    let licenses = if rng.chance(50) {
        vec![OrgLicense { id: "lic".into(), name: "Lic".into(), seats: 10, modules: vec![MODS[rng.below(MODS.len())]] }]
    } else {
        vec![]
    };
    Org {
        users,
        roles,
        profiles,
        departments,
        groups,
        grants,
        licenses,
        companies: COMPANIES.iter().map(|c| c.to_string()).collect(),
        defaults,
        sharing_rules,
        settings: AccessSettings { hierarchy: rng.chance(60), inactive_may_read: rng.chance(40), ..Default::default() },
        windows: Vec::new(),
        at: None,
    }
}

pub fn random_grant(rng: &mut Rng, n_profiles: usize, n_users: usize, n_depts: usize, n_groups: usize) -> OrgGrant {
    let to = match rng.below(3) {
        0 => Grantee::User(format!("u{}", rng.below(n_users))),
        1 if n_groups > 0 => Grantee::Group(format!("g{}", rng.below(n_groups))),
        _ => Grantee::Department { id: format!("d{}", rng.below(n_depts)), with_subdepartments: rng.chance(50) },
    };
    OrgGrant { profile: format!("p{}", rng.below(n_profiles)), to, from: None, until: None }
}

/// The reference model: every question answered by walking the org as written, no indices.
mod reference {
    use super::*;

    fn user<'a>(org: &'a Org, id: &str) -> Option<&'a OrgUser> {
        org.users.iter().find(|u| u.id == id)
    }

    fn dept_parent(org: &Org, d: &str) -> Option<String> {
        org.departments.iter().find(|x| x.id == d).and_then(|x| x.parent.clone())
    }

    fn role_parent(org: &Org, r: &str) -> Option<String> {
        org.roles.iter().find(|x| x.id == r).and_then(|x| x.parent.clone())
    }

    /// `d` is `top` or below it.
    fn dept_within(org: &Org, d: &str, top: &str) -> bool {
        let mut cur = Some(d.to_string());
        while let Some(c) = cur {
            if c == top {
                return true;
            }
            cur = dept_parent(org, &c);
        }
        false
    }

    /// `r` is strictly below `top`.
    fn role_below(org: &Org, r: &str, top: &str) -> bool {
        let mut cur = role_parent(org, r);
        while let Some(c) = cur {
            if c == top {
                return true;
            }
            cur = role_parent(org, &c);
        }
        false
    }

    fn in_group(org: &Org, u: &str, g: &str, depth: usize) -> bool {
        let Some(group) = org.groups.iter().find(|x| x.id == g) else { return false };
        depth < 10 && (group.users.iter().any(|x| x == u) || group.groups.iter().any(|sub| in_group(org, u, sub, depth + 1)))
    }

    fn in_department(org: &Org, u: &OrgUser, d: &str, with_sub: bool) -> bool {
        org.departments.iter().filter(|x| if with_sub { dept_within(org, &x.id, d) } else { x.id == d }).any(|x| {
            u.department == x.id || x.manager.as_deref() == Some(u.id.as_str())
        })
    }

    fn in_party(org: &Org, u: &OrgUser, p: &Party) -> bool {
        match p {
            Party::Role { id, with_subordinates } => u.role == *id || (*with_subordinates && role_below(org, &u.role, id)),
            Party::Group(g) => in_group(org, &u.id, g, 0),
            Party::Department { id, with_subdepartments } => in_department(org, u, id, *with_subdepartments),
        }
    }

    fn profiles<'a>(org: &'a Org, u: &OrgUser) -> Vec<&'a OrgProfile> {
        let mut ids: Vec<&str> = org.roles.iter().filter(|r| r.id == u.role).flat_map(|r| r.profiles.iter().map(String::as_str)).collect();
        for g in &org.grants {
            let reached = match &g.to {
                Grantee::User(id) => *id == u.id,
                Grantee::Group(gid) => in_group(org, &u.id, gid, 0),
                Grantee::Department { id, with_subdepartments } => in_department(org, u, id, *with_subdepartments),
            };
            if reached {
                ids.push(&g.profile);
            }
        }
        org.profiles.iter().filter(|p| ids.contains(&p.id.as_str())).collect()
    }

    pub fn granted(org: &Org, u: &OrgUser, m: Module, a: Action) -> Level {
        profiles(org, u).iter().map(|p| p.level(m, a)).max().unwrap_or(Level::None)
    }

    fn reach(org: &Org, u: &OrgUser, m: Module, a: Action, level: Level, owner: &str) -> bool {
        let o = user(org, owner);
        let my_depts: Vec<&str> = std::iter::once(u.department.as_str())
            .chain(org.departments.iter().filter(|d| d.manager.as_deref() == Some(u.id.as_str())).map(|d| d.id.as_str()))
            .collect();
        let by_level = match level {
            Level::None => false,
            Level::All => true,
            Level::Own => owner == u.id,
            Level::Department => o.is_some_and(|o| my_depts.contains(&o.department.as_str())),
            Level::DepartmentTree => o.is_some_and(|o| my_depts.iter().any(|d| dept_within(org, &o.department, d))),
        };
        if by_level {
            return true;
        }
        if level == Level::None || !matches!(a, View | Edit) {
            return false;
        }
        if org.settings.hierarchy && o.is_some_and(|o| role_below(org, &o.role, &u.role)) {
            return true;
        }
        let default = org.defaults.iter().find(|(dm, _)| *dm == m).map(|(_, d)| *d).unwrap_or_default();
        if default == OrgDefault::PublicReadWrite || (default == OrgDefault::PublicRead && a == View) {
            return true;
        }
        let Some(o) = o else { return false };
        org.sharing_rules.iter().any(|r| {
            r.module == m && (a == View || r.access == ShareAccess::ReadWrite) && in_party(org, o, &r.owners) && in_party(org, u, &r.recipients)
        })
    }

    pub fn allows(org: &Org, uid: &str, m: Module, a: Action, record: Option<(&str, &str)>) -> bool {
        let Some(u) = user(org, uid) else { return false };
        match u.status {
            UserStatus::Active => {}
            UserStatus::Inactive if org.settings.inactive_may_read && a == View => {}
            _ => return false,
        }
        if let Some(l) = org.licenses.iter().find(|l| l.modules.contains(&m)) {
            if !u.licenses.contains(&l.id) {
                return false;
            }
        }
        if u.hidden_modules.contains(&m) {
            return false;
        }
        let granted_level = granted(org, u, m, a);
        let view = granted(org, u, m, View);
        let leans = matches!(a, Edit | Delete | Export);
        if (if leans { granted_level.min(view) } else { granted_level }) == Level::None {
            return false;
        }
        let Some((owner, company)) = record else { return true };
        if !u.companies.iter().any(|c| c == company) {
            return false;
        }
        if a == Import {
            return true;
        }
        reach(org, u, m, a, granted_level, owner) && (!leans || reach(org, u, m, View, view, owner))
    }
}

/// Every question the engine can be asked about this org: module level and each record shape.
fn questions(org: &Org) -> Vec<(String, Module, Action, Option<(String, String)>)> {
    let mut qs = Vec::new();
    for u in &org.users {
        for &m in &MODS {
            for &a in Action::ALL.iter() {
                qs.push((u.id.clone(), m, a, None));
                for o in org.users.iter().map(|o| o.id.clone()).chain(std::iter::once("stranger".to_string())) {
                    for c in COMPANIES {
                        qs.push((u.id.clone(), m, a, Some((o.clone(), c.to_string()))));
                    }
                }
            }
        }
    }
    qs
}

fn engine_allows(e: &Engine, u: &str, m: Module, a: Action, r: &Option<(String, String)>) -> bool {
    let rec = r.as_ref().map(|(o, c)| RecordRef { owner: o, company: c });
    let fast = e.user_index(u).is_some_and(|ix| e.allows(ix, m, a, rec.map(|r| e.record_key(r))));
    let slow = e.decide(u, m, a, rec).allowed();
    assert_eq!(fast, slow, "allows and decide disagree for {u} {a:?} {m:?} {r:?}");
    fast
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_engine_agrees_with_the_reference_model(seed in any::<u64>()) {
        let org = random_org(seed);
        let engine = Engine::compile(org.clone());
        for (u, m, a, r) in questions(&org) {
            let expected = reference::allows(&org, &u, m, a, r.as_ref().map(|(o, c)| (o.as_str(), c.as_str())));
            let got = engine_allows(&engine, &u, m, a, &r);
            prop_assert_eq!(got, expected, "seed {} user {} {:?} {:?} record {:?}", seed, u, a, m, r);
            if r.is_none() {
                let user = org.users.iter().find(|x| x.id == u).unwrap();
                prop_assert_eq!(engine.granted_level(&u, m, a), reference::granted(&org, user, m, a));
            }
        }
    }

    #[test]
    fn adding_a_grant_never_removes_access(seed in any::<u64>(), extra in any::<u64>()) {
        let org = random_org(seed);
        let before = Engine::compile(org.clone());
        let mut wider = org.clone();
        let mut rng = Rng(extra | 1);
        wider.grants.push(random_grant(&mut rng, org.profiles.len(), org.users.len(), org.departments.len(), org.groups.len()));
        let after = Engine::compile(wider);
        for (u, m, a, r) in questions(&org) {
            if engine_allows(&before, &u, m, a, &r) {
                prop_assert!(engine_allows(&after, &u, m, a, &r), "seed {} extra {}: {} lost {:?} {:?} {:?}", seed, extra, u, a, m, r);
            }
        }
    }

    #[test]
    fn a_higher_level_reaches_everything_a_lower_one_does(seed in any::<u64>(), pick in any::<u64>()) {
        let org = random_org(seed);
        let before = Engine::compile(org.clone());
        let mut raised = org.clone();
        let mut rng = Rng(pick | 1);
        let p = rng.below(raised.profiles.len());
        let i = rng.below(raised.profiles[p].permissions.len());
        let perm = &mut raised.profiles[p].permissions[i];
        perm.level = match perm.level {
            Level::None => Level::Own,
            Level::Own => Level::Department,
            Level::Department => Level::DepartmentTree,
            _ => Level::All,
        };
        let after = Engine::compile(raised);
        for (u, m, a, r) in questions(&org) {
            if engine_allows(&before, &u, m, a, &r) {
                prop_assert!(engine_allows(&after, &u, m, a, &r), "seed {} pick {}: {} lost {:?} {:?} {:?}", seed, pick, u, a, m, r);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// What a list asks the database for (the companies and owners in reach) is exactly the set
    /// of records `decide` allows one by one.
    #[test]
    fn record_reach_is_exactly_the_records_decide_allows(seed in any::<u64>()) {
        let org = random_org(seed);
        let engine = Engine::compile(org.clone());
        for u in &org.users {
            for &m in &MODS {
                for &a in Action::ALL.iter() {
                    let reach = engine.record_reach(&u.id, m, a);
                    for o in &org.users {
                        for c in COMPANIES {
                            let allowed = engine.decide(&u.id, m, a, Some(RecordRef { owner: &o.id, company: c })).allowed();
                            let in_reach = reach.as_ref().is_some_and(|r| {
                                r.companies.iter().any(|x| x == c) && r.owners.as_ref().is_none_or(|os| os.contains(&o.id))
                            });
                            prop_assert_eq!(in_reach, allowed, "seed {} user {} {:?} {:?} owner {} company {}", seed, u.id, a, m, o.id, c);
                        }
                    }
                }
            }
        }
    }
}
