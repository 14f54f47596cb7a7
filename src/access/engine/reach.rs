//! Which records a user reaches, as a query can ask for them: the companies, and either every
//! owner or the owners whose records are in reach. Every rule of the decision after the
//! module-level one depends only on the record's company and owner, so this set is exact: a
//! record is in `record_reach(u, m, a)` exactly when `decide(u, m, a, record)` allows it.

use super::*;

/// The records of one module a user reaches for one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordReach {
    /// The companies in the user's company access.
    pub companies: Vec<String>,
    /// None: any owner (All, or a public default); otherwise the owners in reach.
    pub owners: Option<Vec<String>>,
}

impl Engine {
    /// None when the module-level answer is no (status, license, navigation, no grant).
    pub fn record_reach(&self, user: &str, m: Module, a: Action) -> Option<RecordReach> {
        let u = self.user_index(user)?;
        let (allowed, _, _) = self.eval(u, m, a, None, None);
        if !allowed {
            return None;
        }
        let cu = &self.users[u as usize];
        let companies: Vec<String> = cu.companies.iter().map(|c| self.company_ids[c as usize].clone()).collect();
        if a == Action::Import {
            return Some(RecordReach { companies, owners: None });
        }
        let granted = cu.levels[m.index()][a.index()];
        let view = cu.levels[m.index()][Action::View.index()];
        let leans_on_view = matches!(a, Action::Edit | Action::Delete | Action::Export);
        let any = |action: Action, level: Level| {
            level == Level::All || {
                let d = self.defaults[m.index()];
                level > Level::None
                    && (d == OrgDefault::PublicReadWrite && matches!(action, Action::View | Action::Edit)
                        || d == OrgDefault::PublicRead && action == Action::View)
            }
        };
        let all_owners = any(a, granted) && (!leans_on_view || any(Action::View, view));
        if all_owners {
            return Some(RecordReach { companies, owners: None });
        }
        let owners = (0..self.users.len() as u32)
            .filter(|&o| {
                let key = RecordKey { owner: Some(o), company: None };
                self.reaches(u, m, a, granted, key, None) && (!leans_on_view || self.reaches(u, m, Action::View, view, key, None))
            })
            .map(|o| self.org.users[o as usize].id.clone())
            .collect();
        Some(RecordReach { companies, owners: Some(owners) })
    }
}
