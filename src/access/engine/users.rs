//! The Users module's own semantics: which accounts an admin reaches and where they may place
//! people.

use super::*;

impl Engine {
    /// The Users module's own semantics: may `admin` do `action` to the account of `target`?
    /// Own reaches one's own account, Department / Department tree the users of those
    /// departments, All everyone; a delegated admin (not a full administrator) only reaches
    /// users whose companies are all within their own, and never changes a full administrator.
    pub fn decide_on_user(&self, admin: &str, action: Action, target: &str) -> Decision {
        let (level, reasons) = match self.decide(admin, Module::Users, action, None) {
            Decision::Allow { level, reasons } => (level, reasons),
            deny => return deny,
        };
        let (Some(a), Some(t)) = (self.user_index(admin), self.user_index(target)) else {
            return Decision::deny(Denial::NoSuchAccount, reasons);
        };
        match self.user_refusal(a, action, t) {
            None => Decision::Allow { level, reasons },
            Some(step) => {
                let granted = self.users[a as usize].levels[Module::Users.index()][action.index()];
                let denial = match step {
                    Refusal::Company => Denial::AccountCompany,
                    _ if self.users[a as usize].full_admin || action == Action::View || !self.holds_administrator(target) => {
                        Denial::AccountOutOfReach { action, level: granted }
                    }
                    _ => Denial::AdministratorAccount,
                };
                Decision::deny(denial, reasons)
            }
        }
    }

    /// The account-level part of [`Engine::decide_on_user`], after the module-level answer:
    /// the Users level reaching the target's department (Own: oneself), the company rule and
    /// the Administrator rule for delegated admins. Without reasons, for list filters.
    pub(super) fn user_refusal(&self, a: u32, action: Action, t: u32) -> Option<Refusal> {
        let au = &self.users[a as usize];
        let tu = &self.users[t as usize];
        let reach = |level: Level| self.level_reaches(a, level, Some(t));
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
        if !d.allowed() {
            return None;
        }
        let au = &self.users[self.user_index(admin)? as usize];
        let depts = match d.level() {
            Level::Department => au.depts_own.iter().collect(),
            Level::DepartmentTree => au.depts_tree.iter().collect(),
            _ => Vec::new(),
        };
        Some(UserScope {
            level: d.level(),
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
}
