//! The compiled engine. [`Engine::compile`] turns an [`Org`] into dense indices, bit sets and a
//! per-user level table (ancestors and group nesting closed once, as cedar does), so a check is
//! a few array reads and bit tests. [`Engine::decide`] answers with the reasons an admin reads;
//! [`Engine::allows`] answers the same question without building them.

mod judge;
mod reach;
pub use judge::{Gained, Objection};
pub use reach::RecordReach;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::bitset::BitSet;
use super::org::*;
use super::{Action, FieldRule, Level, Module, ADMINISTRATOR};

const MODULES: usize = Module::ALL.len();
const ACTIONS: usize = Action::ALL.len();
type LevelTable = [[Level; ACTIONS]; MODULES];

/// How a profile reaches a user.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Via {
    Role(u32),
    Direct,
    Department { dept: u32, with_sub: bool },
    Group { group: u32, nested: bool },
}

#[derive(Debug, Clone)]
struct Source {
    profile: u32,
    via: Via,
}

#[derive(Debug, Clone)]
struct CUser {
    status: UserStatus,
    role: Option<u32>,
    dept: Option<u32>,
    companies: BitSet,
    licenses: BitSet,
    hidden: u16,
    levels: LevelTable,
    sources: Vec<Source>,
    /// The user's own department and the ones they manage.
    depts_own: BitSet,
    /// Those and every department below them.
    depts_tree: BitSet,
    /// Sharing rules whose recipients include this user.
    shared: Vec<u32>,
    full_admin: bool,
}

#[derive(Debug, Clone)]
struct CRule {
    module: Module,
    access: ShareAccess,
    owners: BitSet,
    text: String,
}

/// Why an answer is "no": the step of the decision that refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    UnknownUser,
    Status,
    Company,
    License,
    Navigation,
    NoGrant,
    OutOfReach,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    /// The module-level level after status, license and navigation (None when refused there).
    pub level: Level,
    pub refused_by: Option<Refusal>,
    pub reasons: Vec<String>,
}

/// A record as the engine sees it: who owns it and which company it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    pub owner: &'a str,
    pub company: &'a str,
}

/// A record in index form, for hot loops (see [`Engine::record_key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordKey {
    owner: Option<u32>,
    company: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub module: Module,
    pub action: Action,
    pub decision: Decision,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConflictSource {
    pub source: String,
    pub level: Level,
}

/// The same user, module and action reached at different levels from different sources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub user: String,
    pub module: Module,
    pub action: Action,
    pub sources: Vec<ConflictSource>,
    pub winner: Level,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub user: String,
    pub module: Module,
    pub field: String,
    pub sources: Vec<(String, FieldRule)>,
    pub winner: FieldRule,
}

/// One user's change between two versions of the org, for the preview before a save.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessChange {
    pub user: String,
    pub module: Module,
    pub action: Action,
    pub from: Level,
    pub to: Level,
}

/// One user's field rule changing between two versions of the org (None: no View on the module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub user: String,
    pub module: Module,
    pub field: String,
    pub from: Option<FieldRule>,
    pub to: Option<FieldRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AccessDiff {
    pub changes: Vec<AccessChange>,
    #[serde(default)]
    pub field_changes: Vec<FieldChange>,
    /// Grouped sentences naming the people: "2 users gain Delete on Leads: Ann Lee, Bo Chen";
    /// "1 user gets Customers · annual_revenue Editable (was Hidden): Ann Assistant".
    pub summary: Vec<String>,
}

/// "Ann Lee, Bo Chen and 10 more".
fn names(list: &[&str]) -> String {
    const SHOWN: usize = 5;
    let mut out = list.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
    if list.len() > SHOWN {
        out.push_str(&format!(" and {} more", list.len() - SHOWN));
    }
    out
}

/// Which user accounts an administrator reaches for one action on the Users module, in a form
/// a database query can use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserScope {
    pub level: Level,
    /// For Department and Department tree: the departments whose members are in reach.
    pub departments: Vec<String>,
    /// For a delegated admin (not a full administrator): only users whose companies are all
    /// among these. None for full administrators.
    pub companies: Option<Vec<String>>,
    /// Delegated admins never change a full administrator's account.
    pub exclude_full_admins: Vec<String>,
}

pub struct Engine {
    org: Org,
    user_ix: HashMap<String, u32>,
    company_ix: HashMap<String, u32>,
    company_ids: Vec<String>,
    users: Vec<CUser>,
    /// Strict descendants of each role in the hierarchy.
    roles_below: Vec<BitSet>,
    /// As owners, per department: its members; and its members and those of every department
    /// below it. Per role: the users whose role is strictly below it. (Sets of user indices,
    /// for judging reach as whole sets rather than owner by owner.)
    dept_member_sets: Vec<BitSet>,
    dept_tree_member_sets: Vec<BitSet>,
    role_below_member_sets: Vec<BitSet>,
    module_license: [Option<u32>; MODULES],
    defaults: [OrgDefault; MODULES],
    rules: Vec<CRule>,
    profile_levels: Vec<LevelTable>,
    profile_fields: Vec<BTreeMap<(Module, String), FieldRule>>,
}

fn index_of<T>(items: &[T], id: impl Fn(&T) -> &str) -> HashMap<String, u32> {
    items.iter().enumerate().map(|(i, t)| (id(t).to_string(), i as u32)).collect()
}

/// Closes a parent relation: for each node, itself and every node below it (cycle-safe).
fn descendants(parents: &[Option<u32>]) -> Vec<BitSet> {
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

fn level_table(p: &OrgProfile) -> LevelTable {
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
                    for u in grp.users.iter().filter_map(|u| user_ix.get(u)) {
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
                for u in g.users.iter().filter_map(|u| user_ix.get(u)) {
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
                for c in u.companies.iter().filter_map(|c| company_ix.get(c)) {
                    companies.insert(*c);
                }
                let mut licenses = BitSet::new(org.licenses.len());
                for l in u.licenses.iter().filter_map(|l| license_ix.get(l)) {
                    licenses.insert(*l);
                }
                let hidden = u.hidden_modules.iter().fold(0u16, |acc, m| acc | (1 << m.index()));
                let role = role_ix.get(&u.role).copied();
                let mut sources = Vec::new();
                if let Some(r) = role {
                    for p in org.roles[r as usize].profiles.iter().filter_map(|p| profile_ix.get(p)) {
                        sources.push(Source { profile: *p, via: Via::Role(r) });
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

        for grant in &org.grants {
            let Some(&p) = profile_ix.get(&grant.profile) else { continue };
            match &grant.to {
                Grantee::User(u) => {
                    if let Some(&ui) = user_ix.get(u) {
                        users[ui as usize].sources.push(Source { profile: p, via: Via::Direct });
                    }
                }
                Grantee::Department { id, with_subdepartments } => {
                    if let Some(&d) = dept_ix.get(id) {
                        for ui in dept_reach(d, *with_subdepartments).iter() {
                            users[ui as usize]
                                .sources
                                .push(Source { profile: p, via: Via::Department { dept: d, with_sub: *with_subdepartments } });
                        }
                    }
                }
                Grantee::Group(g) => {
                    if let Some(&gi) = group_ix.get(g) {
                        for ui in group_users[gi as usize].iter() {
                            let nested = !group_direct[gi as usize].contains(ui);
                            users[ui as usize].sources.push(Source { profile: p, via: Via::Group { group: gi, nested } });
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
        }
    }

    pub fn org(&self) -> &Org {
        &self.org
    }

    pub fn user_index(&self, id: &str) -> Option<u32> {
        self.user_ix.get(id).copied()
    }

    pub fn record_key(&self, record: RecordRef<'_>) -> RecordKey {
        RecordKey { owner: self.user_ix.get(record.owner).copied(), company: self.company_ix.get(record.company).copied() }
    }

    /// Holds the Administrator profile (by any path) while Active.
    pub fn is_full_admin(&self, user: &str) -> bool {
        self.user_index(user).is_some_and(|u| self.users[u as usize].full_admin)
    }

    pub fn full_admins(&self) -> Vec<&str> {
        self.users.iter().zip(&self.org.users).filter(|(c, _)| c.full_admin).map(|(_, u)| u.id.as_str()).collect()
    }

    /// The level a user's profiles give them for (module, action), before anything else.
    pub fn granted_level(&self, user: &str, module: Module, action: Action) -> Level {
        self.user_index(user).map(|u| self.users[u as usize].levels[module.index()][action.index()]).unwrap_or(Level::None)
    }

    /// The full answer, with reasons.
    pub fn decide(&self, user: &str, module: Module, action: Action, record: Option<RecordRef<'_>>) -> Decision {
        let Some(u) = self.user_index(user) else {
            return Decision {
                allowed: false,
                level: Level::None,
                refused_by: Some(Refusal::UnknownUser),
                reasons: vec![format!("refused: no user `{user}`")],
            };
        };
        let key = record.map(|r| self.record_key(r));
        let mut reasons = Vec::new();
        let (allowed, level, refused_by) = self.eval(u, module, action, key, Some(&mut reasons));
        Decision { allowed, level, refused_by, reasons }
    }

    /// The same answer as [`Engine::decide`], without reasons: for hot paths.
    #[inline]
    pub fn allows(&self, user: u32, module: Module, action: Action, record: Option<RecordKey>) -> bool {
        self.eval(user, module, action, record, None).0
    }

    /// Module-level level after status, license and navigation (what a list may show at most).
    pub fn module_level(&self, user: &str, module: Module, action: Action) -> Level {
        self.user_index(user).map(|u| self.eval(u, module, action, None, None).1).unwrap_or(Level::None)
    }

    fn eval(
        &self,
        u: u32,
        m: Module,
        a: Action,
        record: Option<RecordKey>,
        mut why: Option<&mut Vec<String>>,
    ) -> (bool, Level, Option<Refusal>) {
        let user = &self.users[u as usize];
        macro_rules! note {
            ($($arg:tt)*) => {
                if let Some(w) = why.as_deref_mut() {
                    w.push(format!($($arg)*));
                }
            };
        }
        macro_rules! refuse {
            ($step:expr, $($arg:tt)*) => {{
                note!($($arg)*);
                return (false, Level::None, Some($step));
            }};
        }
        // 1. Status.
        match user.status {
            UserStatus::Active => {}
            UserStatus::Inactive if self.org.settings.inactive_may_read && a == Action::View => {
                note!("read-only: the user is inactive and the settings let inactive users read");
            }
            status => refuse!(Refusal::Status, "refused: the user is {} (only active users are allowed anything)", status.label().to_lowercase()),
        }
        // 3. License.
        if let Some(l) = self.module_license[m.index()] {
            if !user.licenses.contains(l) {
                refuse!(Refusal::License, "refused: {} needs the {} license, which the user does not hold", m.label(), self.org.licenses[l as usize].name);
            }
        }
        // 7. Navigation (only hides, but a hidden module is refused everywhere).
        if user.hidden & (1 << m.index()) != 0 {
            refuse!(Refusal::Navigation, "refused: {} is hidden from this user's navigation", m.label());
        }
        // 4. Grants: the highest level among the user's profiles; Edit, Delete and Export are
        // capped at View's level.
        let granted = user.levels[m.index()][a.index()];
        let view = user.levels[m.index()][Action::View.index()];
        let leans_on_view = matches!(a, Action::Edit | Action::Delete | Action::Export);
        let level = if leans_on_view { granted.min(view) } else { granted };
        if level == Level::None {
            if granted > Level::None {
                refuse!(Refusal::NoGrant, "refused: {} on {} needs View, and no profile grants View on {}", a.label(), m.label(), m.label());
            }
            refuse!(Refusal::NoGrant, "refused: no profile grants {} on {}", a.label(), m.label());
        }
        if why.is_some() {
            for text in self.grant_reasons(u, m, a, granted) {
                note!("{text}");
            }
            if leans_on_view && view < granted {
                note!("capped at {}: {} reaches only what View reaches", view.label(), a.label());
            }
        }
        let Some(rec) = record else { return (true, level, None) };
        // 2. Company boundary: no level crosses it.
        if !rec.company.is_some_and(|c| user.companies.contains(c)) {
            refuse!(Refusal::Company, "refused: the record's company is outside the user's company access");
        }
        if a == Action::Import {
            return (true, level, None);
        }
        if !self.reaches(u, m, a, granted, rec, why.as_deref_mut()) {
            refuse!(Refusal::OutOfReach, "refused: the record is out of reach of {} at {}", a.label(), granted.label());
        }
        if leans_on_view && !self.reaches(u, m, Action::View, view, rec, why.as_deref_mut()) {
            refuse!(Refusal::OutOfReach, "refused: {} needs View on the record, and View does not reach it", a.label());
        }
        (true, level, None)
    }

    /// Whether `level` of action `a` (plus hierarchy and sharing, for View and Edit) reaches the
    /// record. With `why`, every path that reaches it is named (the level, the hierarchy, the
    /// default and each sharing rule), not only the first.
    fn reaches(&self, u: u32, m: Module, a: Action, level: Level, rec: RecordKey, mut why: Option<&mut Vec<String>>) -> bool {
        let user = &self.users[u as usize];
        let owner = rec.owner.map(|o| &self.users[o as usize]);
        let explain = why.is_some();
        let mut found = false;
        let mut note = |text: String| {
            if let Some(w) = why.as_deref_mut() {
                w.push(text);
            }
        };
        let by_level = match level {
            Level::None => false,
            Level::All => true,
            Level::Own => rec.owner == Some(u),
            Level::Department => owner.and_then(|o| o.dept).is_some_and(|d| user.depts_own.contains(d)),
            Level::DepartmentTree => owner.and_then(|o| o.dept).is_some_and(|d| user.depts_tree.contains(d)),
        };
        if by_level {
            if !explain {
                return true;
            }
            found = true;
            note(match level {
                Level::All => format!("{} reaches every {} record at All", a.label(), m.label()),
                Level::Own => format!("{}: the user owns the record", a.label()),
                Level::Department => format!("{}: the owner is in one of the user's departments", a.label()),
                _ => format!("{}: the owner is in the user's department tree", a.label()),
            });
        }
        if level == Level::None || !matches!(a, Action::View | Action::Edit) {
            return found;
        }
        // 5. Hierarchy: roles strictly below reach, for View and Edit.
        if self.org.settings.hierarchy {
            if let (Some(ur), Some(or)) = (user.role, owner.and_then(|o| o.role)) {
                if self.roles_below[ur as usize].contains(or) {
                    if !explain {
                        return true;
                    }
                    found = true;
                    note(format!(
                        "{} through the role hierarchy: the owner's role {} is below {}",
                        a.label(),
                        self.org.roles[or as usize].name,
                        self.org.roles[ur as usize].name
                    ));
                }
            }
        }
        // 6. Organization-wide default and sharing rules.
        let default = self.defaults[m.index()];
        if default == OrgDefault::PublicReadWrite || (default == OrgDefault::PublicRead && a == Action::View) {
            if !explain {
                return true;
            }
            found = true;
            note(format!("{}: the organization-wide default for {} is {}", a.label(), m.label(), default.label()));
        }
        if let Some(o) = rec.owner {
            for &ri in &user.shared {
                let rule = &self.rules[ri as usize];
                if rule.module == m
                    && (a == Action::View || rule.access == ShareAccess::ReadWrite)
                    && rule.owners.contains(o)
                {
                    if !explain {
                        return true;
                    }
                    found = true;
                    note(format!("{}: {}", a.label(), rule.text));
                }
            }
        }
        found
    }

    fn via_text(&self, via: &Via) -> String {
        match via {
            Via::Role(r) => format!("via role {}", self.org.roles[*r as usize].name),
            Via::Direct => "granted directly".into(),
            Via::Department { dept, with_sub } => format!(
                "via department {}{}",
                self.org.departments[*dept as usize].name,
                if *with_sub { " (with sub-departments)" } else { "" }
            ),
            Via::Group { group, nested } => format!(
                "via group {}{}",
                self.org.groups[*group as usize].name,
                if *nested { " (through a nested group)" } else { "" }
            ),
        }
    }

    fn source_text(&self, s: &Source) -> String {
        format!("profile {}, {}", self.org.profiles[s.profile as usize].name, self.via_text(&s.via))
    }

    /// "Edit on Opportunities at Department tree, from profile Sales Manager, via role Sales
    /// Manager": every source at the winning level.
    fn grant_reasons(&self, u: u32, m: Module, a: Action, winning: Level) -> Vec<String> {
        self.users[u as usize]
            .sources
            .iter()
            .filter(|s| self.profile_levels[s.profile as usize][m.index()][a.index()] == winning)
            .map(|s| format!("{} on {} at {}, from {}", a.label(), m.label(), winning.label(), self.source_text(s)))
            .collect()
    }

    /// The Users module's own semantics: may `admin` do `action` to the account of `target`?
    /// Own reaches one's own account, Department / Department tree the users of those
    /// departments, All everyone; a delegated admin (not a full administrator) only reaches
    /// users whose companies are all within their own, and never changes a full administrator.
    pub fn decide_on_user(&self, admin: &str, action: Action, target: &str) -> Decision {
        let mut d = self.decide(admin, Module::Users, action, None);
        if !d.allowed {
            return d;
        }
        let (Some(a), Some(t)) = (self.user_index(admin), self.user_index(target)) else {
            d.allowed = false;
            d.refused_by = Some(Refusal::OutOfReach);
            d.reasons.push("refused: no such user".into());
            return d;
        };
        let refusal = self.user_refusal(a, action, t);
        if let Some(step) = refusal {
            d.allowed = false;
            d.refused_by = Some(step);
            let granted = self.users[a as usize].levels[Module::Users.index()][action.index()];
            d.reasons.push(match step {
                Refusal::Company => "refused: this user has access to companies outside yours".into(),
                _ if self.users[a as usize].full_admin || action == Action::View || !self.holds_administrator(target) => {
                    format!("refused: this account is out of reach of {} at {}", action.label(), granted.label())
                }
                _ => "refused: only full administrators change a full administrator's account".into(),
            });
        }
        d
    }

    /// The account-level part of [`Engine::decide_on_user`], after the module-level answer:
    /// the Users level reaching the target's department (Own: oneself), the company rule and
    /// the Administrator rule for delegated admins. Without reasons, for list filters.
    fn user_refusal(&self, a: u32, action: Action, t: u32) -> Option<Refusal> {
        let au = &self.users[a as usize];
        let tu = &self.users[t as usize];
        let reach = |level: Level| match level {
            Level::None => false,
            Level::All => true,
            Level::Own => a == t,
            Level::Department => tu.dept.is_some_and(|x| au.depts_own.contains(x)),
            Level::DepartmentTree => tu.dept.is_some_and(|x| au.depts_tree.contains(x)),
        };
        let granted = au.levels[Module::Users.index()][action.index()];
        let view = au.levels[Module::Users.index()][Action::View.index()];
        let leans = matches!(action, Action::Edit | Action::Delete | Action::Export);
        if !reach(granted) || (leans && !reach(view)) {
            return Some(Refusal::OutOfReach);
        }
        if !au.full_admin {
            if !tu.companies.is_subset(&au.companies) {
                return Some(Refusal::Company);
            }
            if action != Action::View && self.holds_administrator(&self.org.users[t as usize].id) {
                return Some(Refusal::OutOfReach);
            }
        }
        None
    }

    /// The same answer as [`Engine::decide_on_user`] without reasons, for filtering a list of
    /// accounts: `admin` is an index from [`Engine::user_index`].
    pub fn allows_on_user(&self, admin: u32, action: Action, target: &str) -> bool {
        self.eval(admin, Module::Users, action, None, None).0 && self.reaches_account(admin, action, target)
    }

    /// The account-level part alone, for a list that asked the module-level question once.
    pub fn reaches_account(&self, admin: u32, action: Action, target: &str) -> bool {
        self.user_index(target).is_some_and(|t| self.user_refusal(admin, action, t).is_none())
    }

    /// May `admin` place a (new or moved) user in `department` for `action` on Users?
    pub fn department_in_user_reach(&self, admin: &str, action: Action, department: &str) -> bool {
        let Some(scope) = self.user_scope(admin, action) else { return false };
        match scope.level {
            Level::All => true,
            Level::Department | Level::DepartmentTree => scope.departments.iter().any(|d| d == department),
            _ => false,
        }
    }

    /// The accounts `admin` reaches for `action` on Users, for filtering a query; None when the
    /// module-level answer is no.
    pub fn user_scope(&self, admin: &str, action: Action) -> Option<UserScope> {
        let d = self.decide(admin, Module::Users, action, None);
        if !d.allowed {
            return None;
        }
        let au = &self.users[self.user_index(admin)? as usize];
        let depts = match d.level {
            Level::Department => au.depts_own.iter().collect(),
            Level::DepartmentTree => au.depts_tree.iter().collect(),
            _ => Vec::new(),
        };
        Some(UserScope {
            level: d.level,
            departments: depts.into_iter().map(|i: u32| self.org.departments[i as usize].id.clone()).collect(),
            companies: (!au.full_admin).then(|| au.companies.iter().map(|c| self.company_ids[c as usize].clone()).collect()),
            exclude_full_admins: if au.full_admin || action == Action::View {
                Vec::new()
            } else {
                // Holders of the Administrator profile whatever their status: an inactive or
                // blocked administrator stays out of a delegated admin's hands.
                self.org.users.iter().filter(|u| self.holds_administrator(&u.id)).map(|u| u.id.clone()).collect()
            },
        })
    }

    /// The companies a user has access to (ids).
    pub fn companies_of(&self, user: &str) -> Vec<String> {
        self.user_index(user)
            .map(|u| self.users[u as usize].companies.iter().map(|c| self.company_ids[c as usize].clone()).collect())
            .unwrap_or_default()
    }

    /// Every module × action for one user, each with its module-level decision and reasons.
    pub fn effective_access(&self, user: &str) -> Vec<Cell> {
        Module::ALL
            .iter()
            .flat_map(|&module| {
                Action::ALL.iter().map(move |&action| Cell { module, action, decision: self.decide(user, module, action, None) })
            })
            .collect()
    }

    /// Field rules for a user on a module: for each field some profile mentions, the most
    /// permissive rule among the profiles that allow View on the module. Fields not listed are
    /// Editable; an empty map with no View means the module is not visible at all.
    pub fn field_rules(&self, user: &str, module: Module) -> BTreeMap<String, FieldRule> {
        let mut out: BTreeMap<String, FieldRule> = BTreeMap::new();
        let Some(u) = self.user_index(user) else { return out };
        let with_say: Vec<u32> = self.users[u as usize]
            .sources
            .iter()
            .map(|s| s.profile)
            .filter(|&p| self.profile_levels[p as usize][module.index()][Action::View.index()] > Level::None)
            .collect();
        let mut fields: Vec<&String> = Vec::new();
        for &p in &with_say {
            for (m, f) in self.profile_fields[p as usize].keys() {
                if *m == module && !fields.contains(&f) {
                    fields.push(f);
                }
            }
        }
        for f in fields {
            let rule = with_say
                .iter()
                .map(|&p| self.profile_fields[p as usize].get(&(module, f.clone())).copied().unwrap_or(FieldRule::Editable))
                .max()
                .unwrap_or(FieldRule::Editable);
            out.insert(f.clone(), rule);
        }
        out
    }

    /// Where one user is reached at different levels (above None) from different sources, and
    /// where their profiles disagree on a field.
    pub fn conflicts(&self, user: &str) -> (Vec<Conflict>, Vec<FieldConflict>) {
        let Some(u) = self.user_index(user) else { return (vec![], vec![]) };
        let cu = &self.users[u as usize];
        let mut level_conflicts = Vec::new();
        for &m in Module::ALL.iter() {
            for &a in Action::ALL.iter() {
                let sources: Vec<ConflictSource> = cu
                    .sources
                    .iter()
                    .map(|s| ConflictSource { source: self.source_text(s), level: self.profile_levels[s.profile as usize][m.index()][a.index()] })
                    .filter(|c| c.level > Level::None)
                    .collect();
                let mut distinct: Vec<Level> = sources.iter().map(|c| c.level).collect();
                distinct.sort();
                distinct.dedup();
                if distinct.len() >= 2 {
                    level_conflicts.push(Conflict {
                        user: user.to_string(),
                        module: m,
                        action: a,
                        winner: *distinct.last().expect("two levels"),
                        sources,
                    });
                }
            }
        }
        let mut field_conflicts = Vec::new();
        for &m in Module::ALL.iter() {
            let with_say: Vec<&Source> = cu
                .sources
                .iter()
                .filter(|s| self.profile_levels[s.profile as usize][m.index()][Action::View.index()] > Level::None)
                .collect();
            if with_say.len() < 2 {
                continue;
            }
            for (field, rule) in self.field_rules(user, m) {
                let sources: Vec<(String, FieldRule)> = with_say
                    .iter()
                    .map(|s| {
                        let r = self.profile_fields[s.profile as usize].get(&(m, field.clone())).copied().unwrap_or(FieldRule::Editable);
                        (self.source_text(s), r)
                    })
                    .collect();
                if sources.iter().any(|(_, r)| *r != rule) {
                    field_conflicts.push(FieldConflict { user: user.to_string(), module: m, field, sources, winner: rule });
                }
            }
        }
        (level_conflicts, field_conflicts)
    }

    /// No escalation: why granting this profile would exceed what `admin` holds, if it would.
    pub fn profile_exceeds(&self, admin: &str, profile: &OrgProfile) -> Option<String> {
        let u = self.user_index(admin)?;
        let au = &self.users[u as usize];
        if profile.id == ADMINISTRATOR && !au.full_admin {
            return Some("only full administrators grant or remove the Administrator profile".into());
        }
        if au.full_admin {
            return None;
        }
        let table = level_table(profile);
        for &m in Module::ALL.iter() {
            for &a in Action::ALL.iter() {
                let theirs = table[m.index()][a.index()];
                let mine = au.levels[m.index()][a.index()];
                if theirs > mine {
                    return Some(format!(
                        "profile {} gives {} on {} at {}, above your own {}",
                        profile.name,
                        a.label(),
                        m.label(),
                        theirs.label(),
                        mine.label()
                    ));
                }
            }
            if table[m.index()][Action::View.index()] > Level::None {
                // Every field counts, an unstated one being Editable.
                for field in m.fields() {
                    let rule = profile
                        .field_rules
                        .iter()
                        .find(|r| r.module == m && r.field == *field)
                        .map(|r| r.rule)
                        .unwrap_or(FieldRule::Editable);
                    let own = self.held_field(u, m, field).unwrap_or(FieldRule::Hidden);
                    if rule > own {
                        return Some(format!(
                            "profile {} makes {} · {} {}, more than your own {}",
                            profile.name,
                            m.label(),
                            field,
                            rule.label(),
                            own.label()
                        ));
                    }
                }
            }
        }
        None
    }

    /// What changes for every user between two versions of the org, module level.
    pub fn diff(before: &Engine, after: &Engine) -> AccessDiff {
        let mut changes = Vec::new();
        let mut ids: Vec<&str> = after.org.users.iter().map(|u| u.id.as_str()).collect();
        for u in &before.org.users {
            if after.user_index(&u.id).is_none() {
                ids.push(&u.id);
            }
        }
        for id in ids {
            for &m in Module::ALL.iter() {
                for &a in Action::ALL.iter() {
                    let from = before.module_level(id, m, a);
                    let to = after.module_level(id, m, a);
                    if from != to {
                        changes.push(AccessChange { user: id.to_string(), module: m, action: a, from, to });
                    }
                }
            }
        }
        let name_of = |id: &str| -> String {
            after
                .org
                .users
                .iter()
                .chain(before.org.users.iter())
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let mut groups: BTreeMap<(Module, Action, u8), Vec<String>> = BTreeMap::new();
        for c in &changes {
            let kind = if c.from == Level::None {
                0 // gain
            } else if c.to == Level::None {
                1 // lose
            } else if c.to > c.from {
                2 // wider
            } else {
                3 // narrower
            };
            groups.entry((c.module, c.action, kind)).or_default().push(name_of(&c.user));
        }
        let who = |n: usize| if n == 1 { "1 user".to_string() } else { format!("{n} users") };
        let mut summary: Vec<String> = groups
            .into_iter()
            .map(|((m, a, kind), people)| {
                let n = people.len();
                let verb = match (kind, n == 1) {
                    (0, true) => "gains",
                    (0, false) => "gain",
                    (1, true) => "loses",
                    (1, false) => "lose",
                    (2, true) => "gets wider",
                    (2, false) => "get wider",
                    (_, true) => "gets narrower",
                    (_, false) => "get narrower",
                };
                let people: Vec<&str> = people.iter().map(String::as_str).collect();
                format!("{} {verb} {} on {}: {}", who(n), a.label(), m.label(), names(&people))
            })
            .collect();
        // Field rules: every field of every record module, an unstated one being Editable.
        let mut field_changes = Vec::new();
        for id in after.org.users.iter().map(|u| u.id.as_str()) {
            let (Some(a), b) = (after.user_index(id), before.user_index(id)) else { continue };
            for &m in Module::RECORDS.iter() {
                for f in m.fields() {
                    let to = after.held_field(a, m, f);
                    let from = b.and_then(|b| before.held_field(b, m, f));
                    // Gaining or losing the whole module is already said by its View line.
                    if from != to && from.is_some() && to.is_some() {
                        field_changes.push(FieldChange { user: id.to_string(), module: m, field: f.to_string(), from, to });
                    }
                }
            }
        }
        let mut by_field: BTreeMap<(Module, String, Option<FieldRule>, Option<FieldRule>), Vec<String>> = BTreeMap::new();
        for c in &field_changes {
            by_field.entry((c.module, c.field.clone(), c.from, c.to)).or_default().push(name_of(&c.user));
        }
        for ((m, f, from, to), people) in by_field {
            let n = people.len();
            let people: Vec<&str> = people.iter().map(String::as_str).collect();
            let label = |r: Option<FieldRule>| r.map(FieldRule::label).unwrap_or("not visible");
            summary.push(format!(
                "{} {} {} · {} {} (was {}): {}",
                who(n),
                if n == 1 { "gets" } else { "get" },
                m.label(),
                f.replace('_', " "),
                label(to),
                label(from),
                names(&people)
            ));
        }
        AccessDiff { changes, field_changes, summary }
    }
}
