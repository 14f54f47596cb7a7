//! The engine's answer as data: allowed at a level, or denied by one step for one reason. The
//! English people read is written here once ([`Denial::message`]); callers never take it apart.

use serde::{Deserialize, Serialize};

use super::super::{Action, Level, Module};
use super::UserStatus;

/// Which step of the decision refused (the order of ACCESS-MODEL's steps).
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

/// Why an answer is "no": the refusing step with what it refused on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Denial {
    /// No such user is known to the engine.
    UnknownUser,
    /// Only active users are allowed anything (inactive ones may read when the settings say so).
    Status(UserStatus),
    /// The module needs a license the user does not hold.
    License { module: Module, license: String },
    /// The module is hidden from the user's navigation.
    Navigation(Module),
    /// No profile grants the action on the module.
    NoGrant { module: Module, action: Action },
    /// The action leans on View, and no profile grants View.
    NoViewGrant { module: Module, action: Action },
    /// The record's company is outside the user's company access.
    RecordCompany,
    /// The level granted for the action does not reach the record.
    RecordOutOfReach { action: Action, level: Level },
    /// The action leans on View, and View does not reach the record.
    RecordViewOutOfReach { action: Action },
    /// The account asked about does not exist.
    NoSuchAccount,
    /// The account has access to companies outside the admin's.
    AccountCompany,
    /// The Users level granted for the action does not reach the account.
    AccountOutOfReach { action: Action, level: Level },
    /// Only full administrators change a full administrator's account.
    AdministratorAccount,
}

impl Denial {
    /// The step that refused.
    pub fn step(&self) -> Refusal {
        match self {
            Denial::UnknownUser => Refusal::UnknownUser,
            Denial::Status(_) => Refusal::Status,
            Denial::License { .. } => Refusal::License,
            Denial::Navigation(_) => Refusal::Navigation,
            Denial::NoGrant { .. } | Denial::NoViewGrant { .. } => Refusal::NoGrant,
            Denial::RecordCompany | Denial::AccountCompany => Refusal::Company,
            Denial::RecordOutOfReach { .. }
            | Denial::RecordViewOutOfReach { .. }
            | Denial::NoSuchAccount
            | Denial::AccountOutOfReach { .. }
            | Denial::AdministratorAccount => Refusal::OutOfReach,
        }
    }

    /// The reason in words, as a person reads it after "refused:" or in a 403.
    pub fn message(&self) -> String {
        match self {
            Denial::UnknownUser => "no such user".into(),
            Denial::Status(status) => {
                format!("the user is {} (only active users are allowed anything)", status.label().to_lowercase())
            }
            Denial::License { module, license } => {
                format!("{} needs the {license} license, which the user does not hold", module.label())
            }
            Denial::Navigation(module) => format!("{} is hidden from this user's navigation", module.label()),
            Denial::NoGrant { module, action } => format!("no profile grants {} on {}", action.label(), module.label()),
            Denial::NoViewGrant { module, action } => {
                format!("{} on {} needs View, and no profile grants View on {}", action.label(), module.label(), module.label())
            }
            Denial::RecordCompany => "the record's company is outside the user's company access".into(),
            Denial::RecordOutOfReach { action, level } => {
                format!("the record is out of reach of {} at {}", action.label(), level.label())
            }
            Denial::RecordViewOutOfReach { action } => {
                format!("{} needs View on the record, and View does not reach it", action.label())
            }
            Denial::NoSuchAccount => "no such user".into(),
            Denial::AccountCompany => "this user has access to companies outside yours".into(),
            Denial::AccountOutOfReach { action, level } => {
                format!("this account is out of reach of {} at {}", action.label(), level.label())
            }
            Denial::AdministratorAccount => "only full administrators change a full administrator's account".into(),
        }
    }
}

/// The full answer: allowed at a level, or denied, each with the explanation in words (the
/// grants, hierarchy and sharing that reach; the refusal last). On the wire it is one flat
/// object (`allowed`, `level`, `refused_by`, `denial`, `reasons`), read back only if consistent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "DecisionWire", try_from = "DecisionWire")]
pub enum Decision {
    Allow { level: Level, reasons: Vec<String> },
    Deny { denial: Denial, reasons: Vec<String> },
}

impl Decision {
    pub(super) fn deny(denial: Denial, mut reasons: Vec<String>) -> Decision {
        reasons.push(format!("refused: {}", denial.message()));
        Decision::Deny { denial, reasons }
    }

    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }

    /// The level allowed (None when denied).
    pub fn level(&self) -> Level {
        match self {
            Decision::Allow { level, .. } => *level,
            Decision::Deny { .. } => Level::None,
        }
    }

    pub fn denial(&self) -> Option<&Denial> {
        match self {
            Decision::Allow { .. } => None,
            Decision::Deny { denial, .. } => Some(denial),
        }
    }

    pub fn refused_by(&self) -> Option<Refusal> {
        self.denial().map(Denial::step)
    }

    /// Why, step by step, in words.
    pub fn reasons(&self) -> &[String] {
        match self {
            Decision::Allow { reasons, .. } | Decision::Deny { reasons, .. } => reasons,
        }
    }

    /// Why not, in words (empty when allowed).
    pub fn why_not(&self) -> String {
        self.denial().map(Denial::message).unwrap_or_default()
    }
}

#[derive(Serialize, Deserialize)]
struct DecisionWire {
    allowed: bool,
    level: Level,
    refused_by: Option<Refusal>,
    #[serde(default)]
    denial: Option<Denial>,
    reasons: Vec<String>,
}

impl From<Decision> for DecisionWire {
    fn from(d: Decision) -> DecisionWire {
        let (allowed, level, refused_by) = (d.allowed(), d.level(), d.refused_by());
        match d {
            Decision::Allow { reasons, .. } => DecisionWire { allowed, level, refused_by, denial: None, reasons },
            Decision::Deny { denial, reasons } => DecisionWire { allowed, level, refused_by, denial: Some(denial), reasons },
        }
    }
}

impl TryFrom<DecisionWire> for Decision {
    type Error = String;

    fn try_from(w: DecisionWire) -> Result<Decision, String> {
        match (w.allowed, w.denial) {
            (true, None) => Ok(Decision::Allow { level: w.level, reasons: w.reasons }),
            (false, Some(denial)) => Ok(Decision::Deny { denial, reasons: w.reasons }),
            _ => Err("a decision is either allowed or denied with its reason".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_crosses_the_wire_flat_and_cannot_say_allowed_and_denied_at_once() {
        let deny = Decision::deny(Denial::NoGrant { module: Module::Leads, action: Action::View }, Vec::new());
        let wire = serde_json::to_value(&deny).unwrap_or_default();
        assert_eq!(wire["allowed"], false);
        assert_eq!(wire["refused_by"], "NoGrant");
        assert_eq!(wire["reasons"][0], "refused: no profile grants View on Leads");
        assert_eq!(serde_json::from_value::<Decision>(wire).ok(), Some(deny));
        let both = serde_json::json!({ "allowed": true, "level": "All", "refused_by": null, "denial": "RecordCompany", "reasons": [] });
        assert!(serde_json::from_value::<Decision>(both).is_err());
    }
}
