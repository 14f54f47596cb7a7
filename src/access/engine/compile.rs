//! Compiling an org: dense indices, bit sets and the per-user level table, built once.

use super::*;

pub(super) fn index_of<T>(items: &[T], id: impl Fn(&T) -> &str) -> HashMap<String, u32> {
    items.iter().enumerate().map(|(i, t)| (id(t).to_string(), i as u32)).collect()
}

/// Closes a parent relation: for each node, itself and every node below it (cycle-safe).
pub(super) fn descendants(parents: &[Option<u32>]) -> Vec<BitSet> {
    let n = parents.len();
    let mut sets: Vec<BitSet> = (0..n).map(|_| BitSet::new(n)).collect();
    for node in 0..n as u32 {
        let mut cur = Some(node);
        let mut steps = 0;
        while let Some(c) = cur {
            sets[c as usize].insert(node);
            cur = parents[c as usize];
            steps += 1;
            if steps > n {
                break; // a cycle: stop rather than loop
            }
        }
    }
    sets
}

pub(super) fn level_table(p: &OrgProfile) -> LevelTable {
    let mut t = [[Level::None; ACTIONS]; MODULES];
    for perm in &p.permissions {
        let cell = &mut t[perm.module.index()][perm.action.index()];
        *cell = (*cell).max(perm.level);
    }
    t
}

impl Engine {
    /// Builds the compiled form of an org. Unknown ids in references are ignored (they reach
    /// nothing), so a half-saved org can never widen access.
    pub fn compile(org: Org) -> Engine {
        let user_ix = index_of(&org.users, |u| &u.id);
        let role_ix = index_of(&org.roles, |r| &r.id);
        let dept_ix = index_of(&org.departments, |d| &d.id);
        let group_ix = index_of(&org.groups, |g| &g.id);
        let profile_ix = index_of(&org.profiles, |p| &p.id);
        let license_ix = index_of(&org.licenses, |l| &l.id);
        let mut company_ix: HashMap<String, u32> = index_of(&org.companies, |c| c.as_str());
        for u in &org.users {
            for c in &u.companies {
                let next = company_ix.len() as u32;
                company_ix.entry(c.clone()).or_insert(next);
            }
        }
        let n_users = org.users.len();

        // Memberships, company access and licenses count inside their window at the org's
        // instant, like grants; the next start or end of any is when this engine goes out of date.
        let mut next_change: Option<i64> = None;
        let mut off: std::collections::HashSet<(&str, &Holding)> = std::collections::HashSet::new();
        if let Some(at) = org.at {
            for w in &org.windows {
                for edge in [w.from, w.until].into_iter().flatten().filter(|&t| t > at) {
                    next_change = Some(next_change.map_or(edge, |n| n.min(edge)));
                }
                if !w.active_at(at) {
                    off.insert((w.user.as_str(), &w.what));
                }
            }
        }
        let counts = |user: &str, what: fn(String) -> Holding, id: &str| off.is_empty() || !off.contains(&(user, &what(id.to_string())));

        let role_parents: Vec<Option<u32>> =
            org.roles.iter().map(|r| r.parent.as_ref().and_then(|p| role_ix.get(p).copied())).collect();
        let role_tree = descendants(&role_parents);
        let roles_below: Vec<BitSet> = role_tree
            .iter()
            .enumerate()
            .map(|(i, set)| {
                let mut strict = BitSet::new(org.roles.len());
                for r in set.iter().filter(|&r| r != i as u32) {
                    strict.insert(r);
                }
                strict
            })
            .collect();
        let dept_parents: Vec<Option<u32>> = org
            .departments
            .iter()
            .map(|d| d.parent.as_ref().and_then(|p| dept_ix.get(p).copied()))
            .collect();
        let dept_tree = descendants(&dept_parents);

        // Users of each department (members) and managers.
        let mut dept_members: Vec<BitSet> = (0..org.departments.len()).map(|_| BitSet::new(n_users)).collect();
        for (ui, u) in org.users.iter().enumerate() {
            if let Some(&d) = dept_ix.get(&u.department) {
                dept_members[d as usize].insert(ui as u32);
            }
        }
        let dept_reach = |d: u32, with_sub: bool| -> BitSet {
            let mut set = BitSet::new(n_users);
            let depts: Vec<u32> = if with_sub { dept_tree[d as usize].iter().collect() } else { vec![d] };
            for dd in depts {
                set.union_with(&dept_members[dd as usize]);
                if let Some(m) = org.departments[dd as usize].manager.as_ref().and_then(|m| user_ix.get(m)) {
                    set.insert(*m);
                }
            }
            set
        };

        // Transitive members of each group (nested groups, cycle-safe).
        let group_users: Vec<BitSet> = (0..org.groups.len())
            .map(|g| {
                let mut set = BitSet::new(n_users);
                let mut seen = BitSet::new(org.groups.len());
                let mut stack = vec![g as u32];
                while let Some(cur) = stack.pop() {
                    if seen.contains(cur) {
                        continue;
                    }
                    seen.insert(cur);
                    let grp = &org.groups[cur as usize];
                    for u in grp.users.iter().filter(|u| counts(u, Holding::Group, &grp.id)).filter_map(|u| user_ix.get(u)) {
                        set.insert(*u);
                    }
                    stack.extend(grp.groups.iter().filter_map(|x| group_ix.get(x)).copied());
                }
                set
            })
            .collect();
        let group_direct: Vec<BitSet> = org
            .groups
            .iter()
            .map(|g| {
                let mut set = BitSet::new(n_users);
                for u in g.users.iter().filter(|u| counts(u, Holding::Group, &g.id)).filter_map(|u| user_ix.get(u)) {
                    set.insert(*u);
                }
                set
            })
            .collect();

        let profile_levels: Vec<LevelTable> = org.profiles.iter().map(level_table).collect();
        let profile_fields: Vec<BTreeMap<(Module, String), FieldRule>> = org
            .profiles
            .iter()
            .map(|p| p.field_rules.iter().map(|r| ((r.module, r.field.clone()), r.rule)).collect())
            .collect();

        let mut users: Vec<CUser> = org
            .users
            .iter()
            .map(|u| {
                let mut companies = BitSet::new(company_ix.len());
                for c in u.companies.iter().filter(|c| counts(&u.id, Holding::Company, c)).filter_map(|c| company_ix.get(c)) {
                    companies.insert(*c);
                }
                let mut licenses = BitSet::new(org.licenses.len());
                for l in u.licenses.iter().filter(|l| counts(&u.id, Holding::License, l)).filter_map(|l| license_ix.get(l)) {
                    licenses.insert(*l);
                }
                let hidden = u.hidden_modules.iter().fold(0u16, |acc, m| acc | (1 << m.index()));
                let role = role_ix.get(&u.role).copied();
                let mut sources = Vec::new();
                if let Some(r) = role {
                    for p in org.roles[r as usize].profiles.iter().filter_map(|p| profile_ix.get(p)) {
                        sources.push(Source { profile: *p, via: Via::Role(r), grant: None });
                    }
                }
                CUser {
                    status: u.status,
                    role,
                    dept: dept_ix.get(&u.department).copied(),
                    companies,
                    licenses,
                    hidden,
                    levels: [[Level::None; ACTIONS]; MODULES],
                    sources,
                    depts_own: BitSet::new(org.departments.len()),
                    depts_tree: BitSet::new(org.departments.len()),
                    shared: Vec::new(),
                    full_admin: false,
                }
            })
            .collect();

        // Grants count inside their window at the org's instant too.
        for (gi, grant) in org.grants.iter().enumerate() {
            if let Some(at) = org.at {
                for edge in [grant.from, grant.until].into_iter().flatten().filter(|&t| t > at) {
                    next_change = Some(next_change.map_or(edge, |n| n.min(edge)));
                }
                if !grant.active_at(at) {
                    continue;
                }
            }
            let grant_ix = Some(gi as u32);
            let Some(&p) = profile_ix.get(&grant.profile) else { continue };
            match &grant.to {
                Grantee::User(u) => {
                    if let Some(&ui) = user_ix.get(u) {
                        users[ui as usize].sources.push(Source { profile: p, via: Via::Direct, grant: grant_ix });
                    }
                }
                Grantee::Department { id, with_subdepartments } => {
                    if let Some(&d) = dept_ix.get(id) {
                        for ui in dept_reach(d, *with_subdepartments).iter() {
                            users[ui as usize]
                                .sources
                                .push(Source { profile: p, via: Via::Department { dept: d, with_sub: *with_subdepartments }, grant: grant_ix });
                        }
                    }
                }
                Grantee::Group(g) => {
                    if let Some(&gi) = group_ix.get(g) {
                        for ui in group_users[gi as usize].iter() {
                            let nested = !group_direct[gi as usize].contains(ui);
                            users[ui as usize].sources.push(Source { profile: p, via: Via::Group { group: gi, nested }, grant: grant_ix });
                        }
                    }
                }
            }
        }

        for (d, dept) in org.departments.iter().enumerate() {
            if let Some(&m) = dept.manager.as_ref().and_then(|m| user_ix.get(m)) {
                users[m as usize].depts_own.insert(d as u32);
            }
        }
        let admin_profile = profile_ix.get(ADMINISTRATOR).copied();
        for u in users.iter_mut() {
            if let Some(d) = u.dept {
                u.depts_own.insert(d);
            }
            let own: Vec<u32> = u.depts_own.iter().collect();
            for d in own {
                u.depts_tree.union_with(&dept_tree[d as usize]);
            }
            for s in &u.sources {
                let t = &profile_levels[s.profile as usize];
                for m in 0..MODULES {
                    for a in 0..ACTIONS {
                        u.levels[m][a] = u.levels[m][a].max(t[m][a]);
                    }
                }
            }
            u.full_admin = u.status == UserStatus::Active
                && admin_profile.is_some_and(|ap| u.sources.iter().any(|s| s.profile == ap));
        }

        let mut module_license = [None; MODULES];
        for (li, l) in org.licenses.iter().enumerate() {
            for m in &l.modules {
                module_license[m.index()].get_or_insert(li as u32);
            }
        }
        let mut defaults = [OrgDefault::Private; MODULES];
        for (m, d) in &org.defaults {
            defaults[m.index()] = *d;
        }

        let user_roles: Vec<Option<u32>> = users.iter().map(|u| u.role).collect();
        let party_users = |party: &Party| -> BitSet {
            match party {
                Party::Role { id, with_subordinates } => {
                    let mut set = BitSet::new(n_users);
                    if let Some(&r) = role_ix.get(id) {
                        let roles = if *with_subordinates { role_tree[r as usize].clone() } else {
                            let mut only = BitSet::new(org.roles.len());
                            only.insert(r);
                            only
                        };
                        for (ui, ur) in user_roles.iter().enumerate() {
                            if ur.is_some_and(|ur| roles.contains(ur)) {
                                set.insert(ui as u32);
                            }
                        }
                    }
                    set
                }
                Party::Group(g) => group_ix.get(g).map(|&gi| group_users[gi as usize].clone()).unwrap_or_default(),
                Party::Department { id, with_subdepartments } => {
                    dept_ix.get(id).map(|&d| dept_reach(d, *with_subdepartments)).unwrap_or_default()
                }
            }
        };
        let party_text = |party: &Party| -> String {
            match party {
                Party::Role { id, with_subordinates } => {
                    let name = role_ix.get(id).map(|&r| org.roles[r as usize].name.as_str()).unwrap_or("?");
                    if *with_subordinates { format!("role {name} and its subordinates") } else { format!("role {name}") }
                }
                Party::Group(g) => {
                    format!("group {}", group_ix.get(g).map(|&gi| org.groups[gi as usize].name.as_str()).unwrap_or("?"))
                }
                Party::Department { id, with_subdepartments } => {
                    let name = dept_ix.get(id).map(|&d| org.departments[d as usize].name.as_str()).unwrap_or("?");
                    if *with_subdepartments { format!("department {name} and its sub-departments") } else { format!("department {name}") }
                }
            }
        };
        let mut rules = Vec::new();
        for rule in &org.sharing_rules {
            let recipients = party_users(&rule.recipients);
            let ri = rules.len() as u32;
            for ui in recipients.iter() {
                users[ui as usize].shared.push(ri);
            }
            rules.push(CRule {
                module: rule.module,
                access: rule.access,
                owners: party_users(&rule.owners),
                text: format!(
                    "sharing rule: {} records owned by {} are shared with {} ({})",
                    rule.module.label(),
                    party_text(&rule.owners),
                    party_text(&rule.recipients),
                    match rule.access {
                        ShareAccess::Read => "read",
                        ShareAccess::ReadWrite => "read/write",
                    }
                ),
            });
        }

        let dept_tree_member_sets: Vec<BitSet> = dept_tree
            .iter()
            .map(|below| {
                let mut set = BitSet::new(n_users);
                for d in below.iter() {
                    set.union_with(&dept_members[d as usize]);
                }
                set
            })
            .collect();
        let role_below_member_sets: Vec<BitSet> = roles_below
            .iter()
            .map(|below| {
                let mut set = BitSet::new(n_users);
                for (ui, ur) in user_roles.iter().enumerate() {
                    if ur.is_some_and(|r| below.contains(r)) {
                        set.insert(ui as u32);
                    }
                }
                set
            })
            .collect();
        let mut company_ids = vec![String::new(); company_ix.len()];
        for (id, &i) in &company_ix {
            company_ids[i as usize] = id.clone();
        }
        Engine {
            org,
            user_ix,
            company_ix,
            company_ids,
            users,
            roles_below,
            dept_member_sets: dept_members,
            dept_tree_member_sets,
            role_below_member_sets,
            module_license,
            defaults,
            rules,
            profile_levels,
            profile_fields,
            next_change,
        }
    }
}
