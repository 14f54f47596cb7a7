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
        // The owners as one set, from the viewer: their departments' members, the roles below
        // theirs, the sharing rules naming them (the judgement's computation); no user is visited
        // unless reached.
        let reached = self.owners(u, m, a);
        if reached.all {
            return Some(RecordReach { companies, owners: None });
        }
        let owners = reached.set.iter().map(|o| self.org.users[o as usize].id.clone()).collect();
        Some(RecordReach { companies, owners: Some(owners) })
    }
}
