//! The "who has what, and why" report as the console and the CSV show it.

use serde::{Deserialize, Serialize};

use crate::access::{Action, Level, Module, UserStatus};

/// Filters and page of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessReportQuery {
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    /// Only the people holding this profile, by any path (role, grant, group, department).
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default = "first_page")]
    pub page: u32,
    #[serde(default = "default_per_page")]
    pub per_page: u32,
}

fn first_page() -> u32 {
    1
}

fn default_per_page() -> u32 {
    25
}

impl Default for AccessReportQuery {
    fn default() -> Self {
        AccessReportQuery { company: None, department: None, role: None, profile: None, page: first_page(), per_page: default_per_page() }
    }
}

/// One person in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessReportRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: UserStatus,
    pub role: String,
    pub department: String,
    pub companies: Vec<String>,
    pub licenses: Vec<String>,
    pub last_sign_in_at: Option<i64>,
    pub second_factor: bool,
    /// The modules they may use, each with its actions and why.
    pub access: Vec<AccessLine>,
}

/// What one person may do in one module, and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessLine {
    pub module: Module,
    pub actions: Vec<(Action, Level)>,
    /// The engine's reasons ("from profile Sales Rep, via role Sales Rep"), each once.
    pub why: Vec<String>,
}

impl AccessLine {
    /// "View, Create, Edit at Own; Export at All": actions grouped by level, in the engine's order.
    pub fn actions_text(&self) -> String {
        let mut groups: Vec<(Level, Vec<&str>)> = Vec::new();
        for (action, level) in &self.actions {
            match groups.iter_mut().find(|(l, _)| l == level) {
                Some((_, names)) => names.push(action.label()),
                None => groups.push((*level, vec![action.label()])),
            }
        }
        groups.iter().map(|(level, names)| format!("{} at {}", names.join(", "), level.label())).collect::<Vec<_>>().join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_read_grouped_by_level() {
        let line = AccessLine {
            module: Module::Leads,
            actions: vec![(Action::View, Level::All), (Action::Create, Level::Own), (Action::Edit, Level::Own), (Action::Export, Level::All)],
            why: vec![],
        };
        assert_eq!(line.actions_text(), "View, Export at All; Create, Edit at Own");
    }
}
