//! Judged by outcome: one comparison for every administrative write. The server applies a
//! proposed change to the org in memory, compiles it, and asks the current engine to judge the
//! proposal for the actor: who would gain what the actor does not hold (levels, records in reach,
//! field rules, companies, licenses), whether a non-full administrator touches a holder of the
//! Administrator profile, whether the Administrator profile changes hands, and whether anyone
//! remains to administer. The same answer serves the preview and the save; its English is
//! rendered once, by [`Objection::message`].
//!
//! "No takeover" is the same comparison of a target's whole access against the actor's:
//! [`Engine::judge_takeover`].

use std::collections::{BTreeSet, HashMap};

use super::*;

/// Something a user would gain that the actor does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gained {
    /// A (module, action) level above the actor's own.
    Level { module: Module, action: Action, level: Level, yours: Level },
    /// Records owned by this person (a name), out of the actor's own reach for the action.
    Records { module: Module, action: Action, owner: String },
    /// Every owner's records (All, or a public default) where the actor reaches fewer.
    AllRecords { module: Module, action: Action },
    /// A field rule more permissive than the actor's own.
    Field { module: Module, field: String, rule: FieldRule, yours: FieldRule },
    Company(String),
    /// A license, by name.
    License(String),
}

/// Why a proposed change is refused. Data first; [`Objection::message`] says it in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Objection {
    /// `user` (a name) would gain something beyond the actor.
    Gains { user: String, gained: Gained },
    /// A non-full administrator would change the entry of a holder of the Administrator profile.
    AdministratorHolder { user: String },
    /// Only full administrators grant or remove the Administrator profile, wherever it is granted.
    AdministratorProfile,
    /// Nobody would be left to administer.
    LockOut,
}

impl Objection {
    /// The objection to a change, in words: "Nora North would gain Edit on Opportunities at
    /// Department tree, which you do not hold (yours: None)".
    pub fn message(&self) -> String {
        self.render(false)
    }

    /// The same for "no takeover", where the target already holds what is compared: "Nora North
    /// holds ...".
    pub fn takeover_message(&self) -> String {
        self.render(true)
    }

    fn render(&self, holds: bool) -> String {
        let (gain, gets) = if holds { ("holds", "has") } else { ("would gain", "would get") };
        match self {
            Objection::Gains { user, gained } => match gained {
                Gained::Level { module, action, level, yours } => format!(
                    "{user} {gain} {} on {} at {}, which you do not hold (yours: {})",
                    action.label(),
                    module.label(),
                    level.label(),
                    yours.label()
                ),
                Gained::Records { module, action, owner } => format!(
                    "{user} {gain} {} on {} records owned by {owner}, which your own {} does not reach",
                    action.label(),
                    module.label(),
                    action.label()
                ),
                Gained::AllRecords { module, action } => format!(
                    "{user} {gain} {} on every {} record, more than your own {} reaches",
                    action.label(),
                    module.label(),
                    action.label()
                ),
                Gained::Field { module, field, rule, yours } => format!(
                    "{user} {gets} {} · {field} {}, more than your own {}",
                    module.label(),
                    rule.label(),
                    yours.label()
                ),
                Gained::Company(c) => format!("{user} {gain} access to company `{c}`, which you do not have"),
                Gained::License(l) => format!("{user} {gain} the {l} license, which you do not hold"),
            },
            Objection::AdministratorHolder { user } => {
                format!("{user} holds the Administrator profile: only full administrators change their account")
            }
            Objection::AdministratorProfile => "only full administrators grant or remove the Administrator profile".into(),
            Objection::LockOut => {
                "this change would leave no active full administrator with the administration modules in their menu; nobody could administer the CRM".into()
            }
        }
    }

    /// The form field a user-form objection belongs to.
    pub fn field(&self) -> &'static str {
        match self {
            Objection::Gains { gained: Gained::Company(_), .. } => "companies",
            Objection::Gains { gained: Gained::License(_), .. } => "licenses",
            Objection::Gains { gained: Gained::Records { .. } | Gained::AllRecords { .. }, .. } => "department",
            _ => "role",
        }
    }
}

/// Which owners' records a user reaches for one (module, action): every owner, or a set of user
/// indices.
#[derive(Debug, Clone)]
pub(super) struct Owners {
    pub(super) all: bool,
    pub(super) set: BitSet,
}

impl Owners {
    fn covers(&self, other: &Owners) -> bool {
        self.all || (!other.all && other.set.is_subset(&self.set))
    }
}

const REACH_ACTIONS: [Action; 5] = [Action::View, Action::Create, Action::Edit, Action::Delete, Action::Export];

/// What does not depend on one user: when it changes, everyone's reach may change.
fn global_key(org: &Org) -> impl PartialEq + '_ {
    let roles: Vec<(&str, Option<&str>)> = org.roles.iter().map(|r| (r.id.as_str(), r.parent.as_deref())).collect();
    let depts: Vec<(&str, Option<&str>)> = org.departments.iter().map(|d| (d.id.as_str(), d.parent.as_deref())).collect();
    (roles, depts, &org.sharing_rules, &org.defaults, &org.settings, &org.licenses)
}

impl Engine {
    /// The level a user holds for (module, action) from profiles, after the license a module
    /// requires and with Edit, Delete and Export capped at View (status and navigation aside:
    /// they decide when, not what).
    pub(crate) fn held_level(&self, u: u32, m: Module, a: Action) -> Level {
        let level = self.licensed_level(u, m, a);
        if matches!(a, Action::Edit | Action::Delete | Action::Export) {
            level.min(self.licensed_level(u, m, Action::View))
        } else {
            level
        }
    }

    /// The profiles' level after the license, before the cap at View (the record-level
    /// decision applies the cap as "View must reach the record too").
    fn licensed_level(&self, u: u32, m: Module, a: Action) -> Level {
        let cu = &self.users[u as usize];
        match self.module_license[m.index()] {
            Some(l) if !cu.licenses.contains(l) => Level::None,
            _ => cu.levels[m.index()][a.index()],
        }
    }

    /// The rule a user gets on a field: the most permissive among the profiles that allow View
    /// on the module, an unstated field being Editable; None without View (after the license,
    /// as for levels: a field of a module one may not open is not held).
    pub(crate) fn held_field(&self, u: u32, m: Module, field: &str) -> Option<FieldRule> {
        if self.licensed_level(u, m, Action::View) == Level::None {
            return None;
        }
        self.users[u as usize]
            .sources
            .iter()
            .filter(|s| self.profile_levels[s.profile as usize][m.index()][Action::View.index()] > Level::None)
            .map(|s| self.profile_fields[s.profile as usize].get(&(m, field.to_string())).copied().unwrap_or(FieldRule::Editable))
            .max()
    }

    /// The owners whose records `u` reaches for (m, a) by the decision's own rules (level,
    /// hierarchy, defaults, sharing; Edit, Delete and Export leaning on View), in this engine's
    /// user indices. Built from whole sets (a department's members, the users below a role, a
    /// sharing rule's owners), so its cost does not grow with users times users.
    pub(super) fn owners(&self, u: u32, m: Module, a: Action) -> Owners {
        let granted = self.licensed_level(u, m, a);
        let mut out = self.reach_set(u, m, a, granted);
        if matches!(a, Action::Edit | Action::Delete | Action::Export) {
            let view = self.reach_set(u, m, Action::View, self.licensed_level(u, m, Action::View));
            match (out.all, view.all) {
                (_, true) => {}
                (true, false) => out = view,
                (false, false) => out.set.intersect_with(&view.set),
            }
        }
        out
    }

    /// What `level` of action `a` reaches, with the hierarchy and sharing for View and Edit: the
    /// set form of `reaches`, owner by owner the same answer (tested by the judgement's property).
    fn reach_set(&self, u: u32, m: Module, a: Action, level: Level) -> Owners {
        let n = self.users.len();
        let none = Owners { all: false, set: BitSet::new(n) };
        if level == Level::None {
            return none;
        }
        let public = match self.defaults[m.index()] {
            OrgDefault::PublicReadWrite => matches!(a, Action::View | Action::Edit),
            OrgDefault::PublicRead => a == Action::View,
            OrgDefault::Private => false,
        };
        if level == Level::All || public {
            return Owners { all: true, set: BitSet::new(n) };
        }
        let cu = &self.users[u as usize];
        let mut set = BitSet::new(n);
        match level {
            Level::Own => set.insert(u),
            Level::Department => cu.depts_own.iter().for_each(|d| set.union_with(&self.dept_member_sets[d as usize])),
            _ => cu.depts_own.iter().for_each(|d| set.union_with(&self.dept_tree_member_sets[d as usize])),
        }
        if matches!(a, Action::View | Action::Edit) {
            if self.org.settings.hierarchy {
                if let Some(r) = cu.role {
                    set.union_with(&self.role_below_member_sets[r as usize]);
                }
            }
            for &ri in &cu.shared {
                let rule = &self.rules[ri as usize];
                if rule.module == m && (a == Action::View || rule.access == ShareAccess::ReadWrite) {
                    set.union_with(&rule.owners);
                }
            }
        }
        Owners { all: false, set }
    }

    fn company_names(&self, u: u32) -> BTreeSet<&str> {
        self.users[u as usize].companies.iter().map(|c| self.company_ids[c as usize].as_str()).collect()
    }

    fn license_ids(&self, u: u32) -> BTreeSet<&str> {
        self.users[u as usize].licenses.iter().map(|l| self.org.licenses[l as usize].id.as_str()).collect()
    }

    /// Holds the Administrator profile by any path, whatever their status.
    /// Whether `after` gives the Administrator profile to someone who does not hold it now
    /// (such a change needs a recent sign-in of whoever makes it: step-up).
    pub fn hands_out_administrator(&self, after: &Engine) -> bool {
        after.org.users.iter().any(|u| after.holds_administrator(&u.id) && !self.holds_administrator(&u.id))
    }

    pub fn holds_administrator(&self, user: &str) -> bool {
        let Some(u) = self.user_index(user) else { return false };
        self.profile_index(ADMINISTRATOR).is_some_and(|ap| self.users[u as usize].sources.iter().any(|s| s.profile == ap))
    }

    fn profile_index(&self, id: &str) -> Option<u32> {
        self.org.profiles.iter().position(|p| p.id == id).map(|i| i as u32)
    }

    /// Active holders of the Administrator profile with no administration module hidden.
    fn administering(&self) -> usize {
        self.users
            .iter()
            .filter(|u| u.full_admin && Module::ALL.iter().all(|m| m.is_record_module() || u.hidden & (1 << m.index()) == 0))
            .count()
    }

    /// No lock-out: someone keeps full administration, and while nobody has every
    /// administration module in their menu, no full administrator loses one more from it
    /// (record modules do not count).
    fn locks_out(&self, after: &Engine) -> bool {
        if !self.full_admins().is_empty() && after.full_admins().is_empty() {
            return true;
        }
        if after.administering() > 0 {
            return false;
        }
        let admin_hidden = |e: &Engine, u: usize| e.users[u].hidden & !Module::RECORDS.iter().fold(0u16, |acc, m| acc | (1 << m.index()));
        after.users.iter().enumerate().filter(|(_, u)| u.full_admin).any(|(ai, _)| {
            let before = self.user_index(&after.org.users[ai].id).map(|b| admin_hidden(self, b as usize)).unwrap_or(0);
            admin_hidden(after, ai) & !before != 0
        })
    }

    /// Everything of one user's entry a delegated admin may not change on a full administrator:
    /// the entry itself, their direct group memberships, direct grants and departments managed.
    fn entry<'a>(org: &'a Org, id: &str) -> impl PartialEq + 'a {
        let user = org.users.iter().find(|u| u.id == id);
        let groups: BTreeSet<&str> = org.groups.iter().filter(|g| g.users.iter().any(|x| x == id)).map(|g| g.id.as_str()).collect();
        let grants: Vec<&OrgGrant> = org.grants.iter().filter(|g| g.to == Grantee::User(id.to_string())).collect();
        let managed: BTreeSet<&str> =
            org.departments.iter().filter(|d| d.manager.as_deref() == Some(id)).map(|d| d.id.as_str()).collect();
        (user, groups, grants, managed)
    }

    /// Judges a proposed org (`after`, compiled) against this one for `actor`: every objection,
    /// empty when the change may be made. Full administrators meet only the lock-out rule.
    pub fn judge(&self, actor: &str, after: &Engine) -> Vec<Objection> {
        let mut out = Vec::new();
        let full = self.is_full_admin(actor);
        if !full {
            self.judge_delegated(actor, after, &mut out);
        }
        if self.locks_out(after) {
            out.push(Objection::LockOut);
        }
        out
    }

    fn judge_delegated(&self, actor: &str, after: &Engine, out: &mut Vec<Objection>) {
        let Some(me) = self.user_index(actor) else {
            out.push(Objection::AdministratorProfile);
            return;
        };
        // The Administrator profile changes hands only by a full administrator.
        fn carriers(e: &Engine) -> (BTreeSet<&str>, Vec<&OrgGrant>, BTreeSet<&str>) {
            let roles: BTreeSet<&str> =
                e.org.roles.iter().filter(|r| r.profiles.iter().any(|p| p == ADMINISTRATOR)).map(|r| r.id.as_str()).collect();
            let grants: Vec<&OrgGrant> = e.org.grants.iter().filter(|g| g.profile == ADMINISTRATOR).collect();
            let holders: BTreeSet<&str> = e.org.users.iter().filter(|u| e.holds_administrator(&u.id)).map(|u| u.id.as_str()).collect();
            (roles, grants, holders)
        }
        let (before_roles, before_grants, holders) = carriers(self);
        let (after_roles, after_grants, after_holders) = carriers(after);
        if before_roles != after_roles || before_grants != after_grants || holders != after_holders {
            out.push(Objection::AdministratorProfile);
        }
        // A holder's entry stays out of a delegated admin's hands, whatever their status.
        for h in &holders {
            if Self::entry(&self.org, h) != Self::entry(&after.org, h) {
                let name = self.org.users.iter().find(|u| u.id == *h).map(|u| u.name.clone()).unwrap_or_default();
                out.push(Objection::AdministratorHolder { user: name });
            }
        }
        if !out.is_empty() {
            return;
        }

        // Index maps: before → after, and the actor's own holdings.
        let to_after: Vec<Option<u32>> = self.org.users.iter().map(|u| after.user_index(&u.id)).collect();
        let translate = |o: &Owners| -> Owners {
            let mut set = BitSet::new(after.users.len());
            for b in o.set.iter() {
                if let Some(a) = to_after[b as usize] {
                    set.insert(a);
                }
            }
            Owners { all: o.all, set }
        };
        let my_companies = self.company_names(me);
        let my_licenses = self.license_ids(me);
        let mut my_owners: HashMap<(Module, Action), Owners> = HashMap::new();
        let mut mine = |m: Module, a: Action| my_owners.entry((m, a)).or_insert_with(|| translate(&self.owners(me, m, a))).clone();

        let global_changed = global_key(&self.org) != global_key(&after.org);
        // As owners: whose department, role or place among a sharing rule's owners changed.
        let moved: Vec<(u32, u32)> = after
            .org
            .users
            .iter()
            .enumerate()
            .filter_map(|(ai, u)| {
                let bi = self.user_index(&u.id)?;
                let (b, a) = (&self.users[bi as usize], &after.users[ai]);
                let dept = |e: &Engine, d: Option<u32>| d.map(|d| e.org.departments[d as usize].id.clone());
                let role = |e: &Engine, r: Option<u32>| r.map(|r| e.org.roles[r as usize].id.clone());
                let in_rules = |e: &Engine, i: u32| e.rules.iter().map(|r| r.owners.contains(i)).collect::<Vec<_>>();
                (dept(self, b.dept) != dept(after, a.dept) || role(self, b.role) != role(after, a.role) || in_rules(self, bi) != in_rules(after, ai as u32))
                    .then_some((bi, ai as u32))
            })
            .collect();

        for (ai, u) in after.org.users.iter().enumerate() {
            let ai = ai as u32;
            let bi = self.user_index(&u.id);
            let name = &u.name;
            let gain = |gained: Gained| Objection::Gains { user: name.clone(), gained };
            let changed = global_changed || bi.is_none_or(|bi| self.self_key(bi) != after.self_key(ai));
            if changed {
                // Companies and licenses.
                let before_c: BTreeSet<&str> = bi.map(|b| self.company_names(b)).unwrap_or_default();
                let after_c = after.company_names(ai);
                for c in after_c.difference(&before_c) {
                    if !my_companies.contains(c) {
                        out.push(gain(Gained::Company(c.to_string())));
                    }
                }
                let before_l: BTreeSet<&str> = bi.map(|b| self.license_ids(b)).unwrap_or_default();
                for l in after.license_ids(ai).difference(&before_l) {
                    if !my_licenses.contains(l) {
                        let lname = after.org.licenses.iter().find(|x| x.id == *l).map(|x| x.name.clone()).unwrap_or_default();
                        out.push(gain(Gained::License(lname)));
                    }
                }
                let new_companies = after_c.iter().any(|c| !before_c.contains(c));
                for &m in Module::ALL.iter() {
                    for &a in Action::ALL.iter() {
                        let to = after.held_level(ai, m, a);
                        let from = bi.map(|b| self.held_level(b, m, a)).unwrap_or(Level::None);
                        let yours = self.held_level(me, m, a);
                        let beyond = if a == Action::Import { yours == Level::None } else { to > yours };
                        if to > from && beyond {
                            out.push(gain(Gained::Level { module: m, action: a, level: to, yours }));
                        }
                    }
                    if !m.is_record_module() {
                        continue;
                    }
                    for field in m.fields() {
                        let Some(rule) = after.held_field(ai, m, field) else { continue };
                        let from = bi.and_then(|b| self.held_field(b, m, field)).unwrap_or(FieldRule::Hidden);
                        let yours = self.held_field(me, m, field).unwrap_or(FieldRule::Hidden);
                        if rule > from && rule > yours {
                            out.push(gain(Gained::Field { module: m, field: field.to_string(), rule, yours }));
                        }
                    }
                    for a in REACH_ACTIONS {
                        let now = after.owners(ai, m, a);
                        if !now.all && now.set.is_empty() {
                            continue;
                        }
                        let was = bi.map(|b| translate(&self.owners(b, m, a))).unwrap_or(Owners { all: false, set: BitSet::new(after.users.len()) });
                        let my = mine(m, a);
                        // One's own records are covered when the actor holds the action at all.
                        let own_ok = self.held_level(me, m, a) >= Level::Own;
                        // New owners in reach (in the user's companies), and every owner in reach
                        // when the user gains a company.
                        let mut fresh = Owners { all: now.all && !was.all, set: BitSet::new(after.users.len()) };
                        for o in now.set.iter() {
                            if !was.all && !was.set.contains(o) && !(own_ok && o == ai) {
                                fresh.set.insert(o);
                            }
                        }
                        // Covered: the actor's own reach holds those owners, in every company
                        // the user has.
                        let in_my_companies = after_c.iter().all(|c| my_companies.contains(c));
                        let mut check = |o: &Owners| {
                            if (!o.all && o.set.is_empty()) || (my.covers(o) && in_my_companies) {
                                return;
                            }
                            if o.all {
                                out.push(gain(Gained::AllRecords { module: m, action: a }));
                            } else {
                                let x = o.set.iter().find(|x| !my.all && !my.set.contains(*x)).or_else(|| o.set.iter().next());
                                if let Some(x) = x {
                                    out.push(gain(Gained::Records { module: m, action: a, owner: after.org.users[x as usize].name.clone() }));
                                }
                            }
                        };
                        check(&fresh);
                        if new_companies {
                            let mut every = now.clone();
                            if own_ok {
                                let mut set = BitSet::new(after.users.len());
                                for o in every.set.iter().filter(|&o| o != ai) {
                                    set.insert(o);
                                }
                                every.set = set;
                            }
                            check(&every);
                        }
                    }
                }
            } else if let Some(bi) = bi {
                // Unchanged themselves: only owners who moved can enter their reach.
                for &(mb, ma) in &moved {
                    if ma == ai {
                        continue;
                    }
                    for &m in Module::RECORDS.iter() {
                        for a in REACH_ACTIONS {
                            let reaches = |e: &Engine, u: u32, o: u32| {
                                let key = RecordKey { owner: Some(o), company: None };
                                let (g, v) = (e.licensed_level(u, m, a), e.licensed_level(u, m, Action::View));
                                let leans = matches!(a, Action::Edit | Action::Delete | Action::Export);
                                e.reaches(u, m, a, g, key, None) && (!leans || e.reaches(u, m, Action::View, v, key, None))
                            };
                            if reaches(after, ai, ma) && !reaches(self, bi, mb) {
                                let my = mine(m, a);
                                let companies_ok = after.company_names(ai).iter().all(|c| my_companies.contains(c));
                                if !(companies_ok && (my.all || my.set.contains(ma))) {
                                    out.push(gain(Gained::Records { module: m, action: a, owner: after.org.users[ma as usize].name.clone() }));
                                }
                            }
                        }
                    }
                }
            }
        }
        // One line per user and kind is enough to act on.
        let mut seen = BTreeSet::new();
        out.retain(|o| seen.insert(format!("{o:?}")));
    }

    /// What one user's own reach depends on, by ids (comparable across two engines).
    fn self_key(&self, u: u32) -> impl PartialEq + '_ {
        let cu = &self.users[u as usize];
        let levels: Vec<Level> =
            Module::ALL.iter().flat_map(|&m| Action::ALL.iter().map(move |&a| (m, a))).map(|(m, a)| self.licensed_level(u, m, a)).collect();
        let depts = |s: &BitSet| s.iter().map(|d| self.org.departments[d as usize].id.as_str()).collect::<BTreeSet<_>>();
        let profiles: BTreeSet<&str> = cu.sources.iter().map(|s| self.org.profiles[s.profile as usize].id.as_str()).collect();
        let shared: BTreeSet<&str> = cu.shared.iter().map(|&r| self.org.sharing_rules[r as usize].id.as_str()).collect();
        let fields: Vec<Option<FieldRule>> =
            Module::RECORDS.iter().flat_map(|&m| m.fields().map(move |f| (m, f))).map(|(m, f)| self.held_field(u, m, f)).collect();
        (
            fields,
            levels,
            profiles,
            cu.role.map(|r| self.org.roles[r as usize].id.as_str()),
            depts(&cu.depts_own),
            depts(&cu.depts_tree),
            self.company_names(u),
            self.license_ids(u),
            shared,
        )
    }

    /// No takeover: may `actor` act on `target`'s credentials, status or sessions? Only when
    /// the target's whole access does not exceed the actor's own, and never on a holder of the
    /// Administrator profile unless the actor is a full administrator.
    pub fn judge_takeover(&self, actor: &str, target: &str) -> Vec<Objection> {
        if actor == target || self.is_full_admin(actor) {
            return Vec::new();
        }
        let (Some(me), Some(t)) = (self.user_index(actor), self.user_index(target)) else {
            return vec![Objection::AdministratorProfile];
        };
        let name = self.org.users[t as usize].name.clone();
        if self.holds_administrator(target) {
            return vec![Objection::AdministratorHolder { user: name }];
        }
        let mut out = Vec::new();
        let gain = |gained: Gained| Objection::Gains { user: name.clone(), gained };
        let mine = self.company_names(me);
        for c in self.company_names(t) {
            if !mine.contains(c) {
                out.push(gain(Gained::Company(c.to_string())));
            }
        }
        let my_licenses = self.license_ids(me);
        for l in self.license_ids(t) {
            if !my_licenses.contains(l) {
                let lname = self.org.licenses.iter().find(|x| x.id == l).map(|x| x.name.clone()).unwrap_or_default();
                out.push(gain(Gained::License(lname)));
            }
        }
        for &m in Module::ALL.iter() {
            for &a in Action::ALL.iter() {
                let (level, yours) = (self.held_level(t, m, a), self.held_level(me, m, a));
                if level > yours {
                    out.push(gain(Gained::Level { module: m, action: a, level, yours }));
                }
            }
            if !m.is_record_module() {
                continue;
            }
            for field in m.fields() {
                let Some(rule) = self.held_field(t, m, field) else { continue };
                let yours = self.held_field(me, m, field).unwrap_or(FieldRule::Hidden);
                if rule > yours {
                    out.push(gain(Gained::Field { module: m, field: field.to_string(), rule, yours }));
                }
            }
            for a in REACH_ACTIONS {
                let theirs = self.owners(t, m, a);
                let my = self.owners(me, m, a);
                if self.held_level(me, m, a) >= Level::Own && !theirs.all {
                    let mut set = theirs.set.clone();
                    set = {
                        let mut s = BitSet::new(self.users.len());
                        for o in set.iter().filter(|&o| o != t) {
                            s.insert(o);
                        }
                        s
                    };
                    if !my.covers(&Owners { all: false, set: set.clone() }) {
                        if let Some(x) = set.iter().find(|x| !my.all && !my.set.contains(*x)) {
                            out.push(gain(Gained::Records { module: m, action: a, owner: self.org.users[x as usize].name.clone() }));
                        }
                    }
                } else if !my.covers(&theirs) {
                    out.push(match theirs.set.iter().find(|x| !my.all && !my.set.contains(*x)) {
                        Some(x) if !theirs.all => gain(Gained::Records { module: m, action: a, owner: self.org.users[x as usize].name.clone() }),
                        _ => gain(Gained::AllRecords { module: m, action: a }),
                    });
                }
            }
        }
        out
    }
}
