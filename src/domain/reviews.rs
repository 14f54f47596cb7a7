//! Access reviews: a campaign asks reviewers (each person's department manager, or one named
//! reviewer) to keep or revoke every grant, group, company and license of the people in scope;
//! closing it applies the revocations through the checked write path.

use serde::{Deserialize, Serialize};

use super::{AccessLine, NamedRef};

/// Who a campaign covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReviewScope {
    Everyone,
    Company(String),
    Department(String),
    Role(String),
    /// Everyone holding an administration module.
    Administrators,
}

/// What the new-campaign form sends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewInput {
    pub name: String,
    pub scope: ReviewScope,
    /// One named reviewer for everyone; none: each person's department manager.
    pub reviewer: Option<String>,
    /// Who reviews the people without a manager (or whose manager is themselves).
    pub fallback: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    /// What happens to lines nobody answered when the campaign closes.
    pub unanswered_keep: bool,
}

/// A campaign as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: String,
    pub name: String,
    pub scope: String,
    pub due_at: i64,
    pub closed_at: Option<i64>,
    pub unanswered_keep: bool,
    pub lines: u64,
    pub answered: u64,
    /// Lines waiting for the viewer's answer.
    pub mine_open: u64,
}

/// One line to keep or revoke.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewLine {
    pub id: String,
    /// "Profile Key Accounts (granted directly)", "Group Key accounts", "License Sales", …
    pub label: String,
    pub reviewer: NamedRef,
    /// Some(true) keep, Some(false) revoke, None not answered yet.
    pub keep: Option<bool>,
    pub justification: String,
    pub decided_at: Option<i64>,
}

/// One person under review, with the engine's account of their access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewPerson {
    pub user: NamedRef,
    pub role: String,
    pub department: String,
    pub last_sign_in_at: Option<i64>,
    /// Why a closer look is advised ("no sign-in for 30 days", "administration rights", …).
    pub recommendations: Vec<String>,
    pub access: Vec<AccessLine>,
    pub lines: Vec<ReviewLine>,
}

/// A campaign's page: the people the viewer reviews (everyone, for a full administrator).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewDetail {
    pub summary: ReviewSummary,
    pub people: Vec<ReviewPerson>,
    /// The viewer may close the campaign (a full administrator, while it is open).
    pub may_close: bool,
}

/// What closing now would do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ReviewClosing {
    /// Lines that would be removed (answered "revoke", plus the unanswered ones when the
    /// campaign removes them).
    pub removals: u64,
    /// People who would lose something.
    pub people: u64,
    pub unanswered: u64,
    pub unanswered_keep: bool,
    /// "Rita Rep: Profile Key Accounts (granted directly)", each removal.
    pub details: Vec<String>,
}

impl ReviewClosing {
    pub fn sentence(&self) -> String {
        let what = if self.removals == 0 {
            "closing now removes nothing".to_string()
        } else {
            format!(
                "closing now removes {} from {}",
                super::count(self.removals, "access line", "access lines"),
                super::count(self.people, "person", "people")
            )
        };
        if self.unanswered == 0 {
            format!("{}; every line was answered.", capitalised(&what))
        } else {
            format!(
                "{}; {} not answered: {}.",
                capitalised(&what),
                super::count(self.unanswered, "line", "lines"),
                if self.unanswered_keep { "their access is kept" } else { "their access is removed" }
            )
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
