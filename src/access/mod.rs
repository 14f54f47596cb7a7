//! The access model: its vocabulary (modules, actions, levels,
//! field rules), the organisation as data, and the engine that compiles it once and answers
//! "may this user do this, and why". Pure code, no IO, compiled for the browser and the server.

use serde::{Deserialize, Serialize};

mod bitset;
mod change;
mod engine;
mod fields;
mod org;

pub use bitset::BitSet;
pub use change::{ChangeError, OrgChange};
pub use engine::*;
pub use fields::{record_fields, FieldKind, FieldSpec};
pub use org::*;

/// The id of the built-in Administrator profile (and role).
pub const ADMINISTRATOR: &str = "administrator";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Module {
    Leads,
    Customers,
    Opportunities,
    Tasks,
    Projects,
    SupportActivities,
    Users,
    RolesProfiles,
    Companies,
    DepartmentsGroups,
    AuditLog,
    Settings,
}

impl Module {
    pub const ALL: [Module; 12] = [
        Module::Leads,
        Module::Customers,
        Module::Opportunities,
        Module::Tasks,
        Module::Projects,
        Module::SupportActivities,
        Module::Users,
        Module::RolesProfiles,
        Module::Companies,
        Module::DepartmentsGroups,
        Module::AuditLog,
        Module::Settings,
    ];
    pub const RECORDS: [Module; 6] = [
        Module::Leads,
        Module::Customers,
        Module::Opportunities,
        Module::Tasks,
        Module::Projects,
        Module::SupportActivities,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Module::Leads => "Leads",
            Module::Customers => "Customers",
            Module::Opportunities => "Opportunities",
            Module::Tasks => "Tasks",
            Module::Projects => "Projects",
            Module::SupportActivities => "Support activities",
            Module::Users => "Users",
            Module::RolesProfiles => "Roles & Profiles",
            Module::Companies => "Companies",
            Module::DepartmentsGroups => "Departments & Groups",
            Module::AuditLog => "Audit log",
            Module::Settings => "Settings",
        }
    }

    pub fn is_record_module(self) -> bool {
        Module::RECORDS.contains(&self)
    }

    /// Administration modules other than Users take only None or All.
    pub fn takes_only_none_or_all(self) -> bool {
        !self.is_record_module() && self != Module::Users
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The fields of a record module that field rules can hide or make read-only (the names in
    /// [`record_fields`]).
    pub fn fields(self) -> impl Iterator<Item = &'static str> + Clone {
        record_fields(self).iter().map(|f| f.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Action {
    View,
    Create,
    Edit,
    Delete,
    Export,
    Import,
}

impl Action {
    pub const ALL: [Action; 6] =
        [Action::View, Action::Create, Action::Edit, Action::Delete, Action::Export, Action::Import];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::View => "View",
            Action::Create => "Create",
            Action::Edit => "Edit",
            Action::Delete => "Delete",
            Action::Export => "Export",
            Action::Import => "Import",
        }
    }
}

/// How far an action reaches. Ordered: a higher level includes everything a lower one reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Level {
    #[default]
    None,
    Own,
    Department,
    DepartmentTree,
    All,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::None => "None",
            Level::Own => "Own",
            Level::Department => "Department",
            Level::DepartmentTree => "Department tree",
            Level::All => "All",
        }
    }
}

/// What a profile says about one field of a module. Ordered by permissiveness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum FieldRule {
    Hidden,
    ReadOnly,
    #[default]
    Editable,
}

impl FieldRule {
    pub fn label(self) -> &'static str {
        match self {
            FieldRule::Hidden => "Hidden",
            FieldRule::ReadOnly => "Read-only",
            FieldRule::Editable => "Editable",
        }
    }
}

/// One (module, action, level) entry of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct Permission {
    pub module: Module,
    pub action: Action,
    pub level: Level,
}

/// The built-in Administrator profile: All on everything.
pub fn administrator_permissions() -> Vec<Permission> {
    Module::ALL
        .iter()
        .flat_map(|&module| Action::ALL.iter().map(move |&action| Permission { module, action, level: Level::All }))
        .collect()
}

/// The starting "Manager" profile: the record modules at Department tree for View, Create and
/// Edit, Own for Delete, None for Export and Import; nothing on administration modules.
pub fn manager_permissions() -> Vec<Permission> {
    Module::RECORDS
        .iter()
        .flat_map(|&module| {
            Action::ALL.iter().map(move |&action| {
                let level = match action {
                    Action::View | Action::Create | Action::Edit => Level::DepartmentTree,
                    Action::Delete => Level::Own,
                    Action::Export | Action::Import => Level::None,
                };
                Permission { module, action, level }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_ordered() {
        assert!(Level::None < Level::Own);
        assert!(Level::Own < Level::Department);
        assert!(Level::Department < Level::DepartmentTree);
        assert!(Level::DepartmentTree < Level::All);
    }

    #[test]
    fn built_in_profiles() {
        let admin = administrator_permissions();
        assert_eq!(admin.len(), 72);
        assert!(admin.iter().all(|p| p.level == Level::All));
        let mgr = manager_permissions();
        let find = |m, a| mgr.iter().find(|p| p.module == m && p.action == a).map(|p| p.level);
        assert_eq!(find(Module::Leads, Action::View), Some(Level::DepartmentTree));
        assert_eq!(find(Module::Leads, Action::Delete), Some(Level::Own));
        assert_eq!(find(Module::Leads, Action::Export), Some(Level::None));
        assert_eq!(find(Module::Users, Action::View), None);
    }
}
