//! The compiled engine. [`Engine::compile`] turns an [`Org`] into dense indices, bit sets and a
//! per-user level table (ancestors and group nesting closed once, as cedar does), so a check is
//! a few array reads and bit tests. [`Engine::decide`] answers with the reasons an admin reads;
//! [`Engine::allows`] answers the same question without building them.
//!
//! Indexing: every index into the engine's tables (users, roles, departments, profiles,
//! companies, licenses) is made by [`Engine::compile`] from the same org, or looked up through
//! its id maps, so it is in bounds by construction.
#![allow(clippy::indexing_slicing, reason = "indices are made by compile from the same tables")]

mod compile;
mod decide;
mod decision;
mod judge;
mod reach;
mod reports;
mod users;
pub use decision::{Decision, Denial, Refusal};
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
    /// The grant it comes from (an index into the org's grants); none for a role.
    grant: Option<u32>,
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

/// What [`Engine::eval`] collects when asked why: the reasons in words and the denial as data.
#[derive(Default)]
struct Explain {
    reasons: Vec<String>,
    denial: Option<Denial>,
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
    /// The next instant a grant starts or ends after the org's `at`: the engine must be
    /// compiled again then.
    next_change: Option<i64>,
}

impl Engine {
    pub fn org(&self) -> &Org {
        &self.org
    }

    /// The next instant a grant starts or ends: from then on this engine is out of date.
    pub fn next_change(&self) -> Option<i64> {
        self.next_change
    }

    pub fn user_index(&self, id: &str) -> Option<u32> {
        self.user_ix.get(id).copied()
    }

    pub fn record_key(&self, record: RecordRef<'_>) -> RecordKey {
        RecordKey { owner: self.user_ix.get(record.owner).copied(), company: self.company_ix.get(record.company).copied() }
    }

    /// Holds the Administrator profile (by any path) while Active.
    /// Whether `user` holds `profile` by any path (their role, a grant to them, their group or
    /// their department), whatever their status.
    pub fn holds_profile(&self, user: &str, profile: &str) -> bool {
        let Some(p) = self.org.profiles.iter().position(|x| x.id == profile) else { return false };
        self.user_index(user).is_some_and(|u| self.users[u as usize].sources.iter().any(|s| s.profile as usize == p))
    }

    pub fn is_full_admin(&self, user: &str) -> bool {
        self.user_index(user).is_some_and(|u| self.users[u as usize].full_admin)
    }

    pub fn full_admins(&self) -> Vec<&str> {
        self.users.iter().zip(&self.org.users).filter(|(c, _)| c.full_admin).map(|(_, u)| u.id.as_str()).collect()
    }

}
