//! The decision: status, license, navigation, grants, company and reach, in that order, with
//! the reasons in words when asked.

use super::*;

impl Engine {
    /// The level a user's profiles give them for (module, action), before anything else.
    pub fn granted_level(&self, user: &str, module: Module, action: Action) -> Level {
        self.user_index(user).map(|u| self.users[u as usize].levels[module.index()][action.index()]).unwrap_or(Level::None)
    }

    /// The full answer, with reasons.
    pub fn decide(&self, user: &str, module: Module, action: Action, record: Option<RecordRef<'_>>) -> Decision {
        let Some(u) = self.user_index(user) else {
            return Decision::deny(Denial::UnknownUser, Vec::new());
        };
        let key = record.map(|r| self.record_key(r));
        let mut why = Explain::default();
        let (allowed, level, _) = self.eval(u, module, action, key, Some(&mut why));
        match why.denial {
            Some(denial) if !allowed => Decision::deny(denial, why.reasons),
            _ => Decision::Allow { level, reasons: why.reasons },
        }
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

    pub(super) fn eval(
        &self,
        u: u32,
        m: Module,
        a: Action,
        record: Option<RecordKey>,
        mut why: Option<&mut Explain>,
    ) -> (bool, Level, Option<Refusal>) {
        let user = &self.users[u as usize];
        macro_rules! note {
            ($($arg:tt)*) => {
                if let Some(w) = why.as_deref_mut() {
                    w.reasons.push(format!($($arg)*));
                }
            };
        }
        // The denial is built only when explaining: the hot path allocates nothing.
        macro_rules! refuse {
            ($step:expr, $denial:expr) => {{
                if let Some(w) = why.as_deref_mut() {
                    w.denial = Some($denial);
                }
                return (false, Level::None, Some($step));
            }};
        }
        // 1. Status.
        match user.status {
            UserStatus::Active => {}
            UserStatus::Inactive if self.org.settings.inactive_may_read && a == Action::View => {
                note!("read-only: the user is inactive and the settings let inactive users read");
            }
            status => refuse!(Refusal::Status, Denial::Status(status)),
        }
        // 3. License.
        if let Some(l) = self.module_license[m.index()] {
            if !user.licenses.contains(l) {
                refuse!(Refusal::License, Denial::License { module: m, license: self.org.licenses[l as usize].name.clone() });
            }
        }
        // 7. Navigation (only hides, but a hidden module is refused everywhere).
        if user.hidden & (1 << m.index()) != 0 {
            refuse!(Refusal::Navigation, Denial::Navigation(m));
        }
        // 4. Grants: the highest level among the user's profiles; Edit, Delete and Export are
        // capped at View's level.
        let granted = user.levels[m.index()][a.index()];
        let view = user.levels[m.index()][Action::View.index()];
        let leans_on_view = matches!(a, Action::Edit | Action::Delete | Action::Export);
        let level = if leans_on_view { granted.min(view) } else { granted };
        if level == Level::None {
            if granted > Level::None {
                refuse!(Refusal::NoGrant, Denial::NoViewGrant { module: m, action: a });
            }
            refuse!(Refusal::NoGrant, Denial::NoGrant { module: m, action: a });
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
            refuse!(Refusal::Company, Denial::RecordCompany);
        }
        if a == Action::Import {
            return (true, level, None);
        }
        if !self.reaches(u, m, a, granted, rec, why.as_deref_mut().map(|w| &mut w.reasons)) {
            refuse!(Refusal::OutOfReach, Denial::RecordOutOfReach { action: a, level: granted });
        }
        if leans_on_view && !self.reaches(u, m, Action::View, view, rec, why.as_deref_mut().map(|w| &mut w.reasons)) {
            refuse!(Refusal::OutOfReach, Denial::RecordViewOutOfReach { action: a });
        }
        (true, level, None)
    }

    /// The one meaning of a level: whether `level`, held by user `u`, reaches what `owner` owns
    /// (a record, or with the owner being the account itself, a user). Own: oneself;
    /// Department: the departments one belongs to or manages; Department tree: those and every
    /// department below; All: everyone.
    pub(super) fn level_reaches(&self, u: u32, level: Level, owner: Option<u32>) -> bool {
        let user = &self.users[u as usize];
        let dept = owner.and_then(|o| self.users[o as usize].dept);
        match level {
            Level::None => false,
            Level::All => true,
            Level::Own => owner == Some(u),
            Level::Department => dept.is_some_and(|d| user.depts_own.contains(d)),
            Level::DepartmentTree => dept.is_some_and(|d| user.depts_tree.contains(d)),
        }
    }

    /// Whether `level` of action `a` (plus hierarchy and sharing, for View and Edit) reaches the
    /// record. With `why`, every path that reaches it is named (the level, the hierarchy, the
    /// default and each sharing rule), not only the first.
    pub(super) fn reaches(&self, u: u32, m: Module, a: Action, level: Level, rec: RecordKey, mut why: Option<&mut Vec<String>>) -> bool {
        let user = &self.users[u as usize];
        let owner = rec.owner.map(|o| &self.users[o as usize]);
        let explain = why.is_some();
        let mut found = false;
        let mut note = |text: String| {
            if let Some(w) = why.as_deref_mut() {
                w.push(text);
            }
        };
        let by_level = self.level_reaches(u, level, rec.owner);
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

    pub(super) fn via_text(&self, via: &Via) -> String {
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

    pub(super) fn source_text(&self, s: &Source) -> String {
        let until = s
            .grant
            .and_then(|g| self.org.grants.get(g as usize))
            .and_then(|g| g.until)
            .map(|u| format!(", until {}", crate::domain::format_utc(u)))
            .unwrap_or_default();
        format!("profile {}, {}{until}", self.org.profiles[s.profile as usize].name, self.via_text(&s.via))
    }

    /// " (a member until 12 Jan 2027 09:00 UTC)" for a source through a group the user belongs to
    /// for a while; empty otherwise.
    fn member_until(&self, u: u32, s: &Source) -> String {
        let Via::Group { group, nested: false } = s.via else { return String::new() };
        let (Some(user), Some(g)) = (self.org.users.get(u as usize), self.org.groups.get(group as usize)) else { return String::new() };
        self.org
            .window(&user.id, &Holding::Group(g.id.clone()))
            .and_then(|w| w.until)
            .map(|until| format!(" (a member until {})", crate::domain::format_utc(until)))
            .unwrap_or_default()
    }

    /// "Edit on Opportunities at Department tree, from profile Sales Manager, via role Sales
    /// Manager": every source at the winning level.
    pub(super) fn grant_reasons(&self, u: u32, m: Module, a: Action, winning: Level) -> Vec<String> {
        self.users[u as usize]
            .sources
            .iter()
            .filter(|s| self.profile_levels[s.profile as usize][m.index()][a.index()] == winning)
            .map(|s| format!("{} on {} at {}, from {}{}", a.label(), m.label(), winning.label(), self.source_text(s), self.member_until(u, s)))
            .collect()
    }
}
