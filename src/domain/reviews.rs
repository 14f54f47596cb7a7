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

/// How often a campaign comes back: when one closes, the next starts over the same scope with the
/// same reviewers and default, due one period after it (and after today), its lines read from
/// the access as it is once the closed one's revocations are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum ReviewRepeat {
    #[default]
    Never,
    Monthly,
    Quarterly,
}

impl ReviewRepeat {
    pub const ALL: [ReviewRepeat; 3] = [ReviewRepeat::Never, ReviewRepeat::Monthly, ReviewRepeat::Quarterly];

    pub fn months(self) -> u32 {
        match self {
            ReviewRepeat::Never => 0,
            ReviewRepeat::Monthly => 1,
            ReviewRepeat::Quarterly => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewRepeat::Never => "Does not repeat",
            ReviewRepeat::Monthly => "Every month",
            ReviewRepeat::Quarterly => "Every quarter",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            ReviewRepeat::Never => "never",
            ReviewRepeat::Monthly => "monthly",
            ReviewRepeat::Quarterly => "quarterly",
        }
    }

    pub fn from_key(key: &str) -> Self {
        Self::ALL.into_iter().find(|r| r.key() == key).unwrap_or_default()
    }

    /// The next due date (`YYYY-MM-DD`) after `due` (a date's Unix milliseconds): the same day
    /// `months` later (the month's last day when it is shorter), repeated until after `now`.
    pub fn next_due(self, due: i64, now: i64) -> Option<String> {
        let months = self.months();
        if months == 0 {
            return None;
        }
        let (mut y, mut m, d) = super::civil_from_days(due.div_euclid(86_400_000));
        loop {
            let total = m + months;
            (y, m) = (y + i64::from((total - 1) / 12), (total - 1) % 12 + 1);
            let last = (28..=31).rev().find(|&n| super::civil_from_days(super::days_from_civil(y, m, n)).1 == m).unwrap_or(28);
            let day = d.min(last);
            if super::days_from_civil(y, m, day) * 86_400_000 + 86_400_000 > now {
                return Some(format!("{y:04}-{m:02}-{day:02}"));
            }
        }
    }
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
    #[serde(default)]
    pub repeat: ReviewRepeat,
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
    #[serde(default)]
    pub repeat: ReviewRepeat,
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
    /// Roles the reviewers said should go: never changed by closing (everyone holds one role),
    /// each left for an administrator to change on the person's page ("Rita Rep: Role Sales
    /// Rep").
    #[serde(default)]
    pub role_changes: Vec<RoleChange>,
    /// A repeating campaign: the one that started when this one closed (after closing), or
    /// why none could ("nobody in this scope …").
    #[serde(default)]
    pub next: Option<NextReview>,
}

/// A role a reviewer answered "revoke" for: the person and the line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleChange {
    pub user: NamedRef,
    pub label: String,
}

/// The campaign a repeating one started when it closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NextReview {
    Started { id: String, due: String },
    NotStarted(String),
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
        let roles = match self.role_changes.len() {
            0 => String::new(),
            n => format!(
                " {} answered “revoke” {} left for you to change on the person's page: {}.",
                super::count(n as u64, "role", "roles"),
                if n == 1 { "is" } else { "are" },
                self.role_changes.iter().map(|r| format!("{} ({})", r.user.name, r.label)).collect::<Vec<_>>().join(", ")
            ),
        };
        if self.unanswered == 0 {
            format!("{}; every access line was answered.{roles}", capitalised(&what))
        } else {
            format!(
                "{}; {} not answered: {}.{roles}",
                capitalised(&what),
                super::count(self.unanswered, "access line", "access lines"),
                if self.unanswered_keep { "their access is kept" } else { "their access is removed" }
            )
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> i64 {
        crate::domain::parse_date_ms(s).unwrap()
    }

    #[test]
    fn the_next_due_date_is_one_period_later_and_after_today() {
        let q = ReviewRepeat::Quarterly;
        assert_eq!(q.next_due(day("2027-01-31"), day("2027-01-01")).as_deref(), Some("2027-04-30"));
        assert_eq!(ReviewRepeat::Monthly.next_due(day("2027-01-31"), day("2027-01-01")).as_deref(), Some("2027-02-28"));
        assert_eq!(ReviewRepeat::Monthly.next_due(day("2027-12-15"), day("2027-12-01")).as_deref(), Some("2028-01-15"));
        // Closed long after it was due: the next due date is still ahead.
        assert_eq!(ReviewRepeat::Monthly.next_due(day("2027-01-10"), day("2027-03-20")).as_deref(), Some("2027-04-10"));
        assert_eq!(ReviewRepeat::Never.next_due(day("2027-01-10"), 0), None);
        assert_eq!(ReviewRepeat::from_key("quarterly"), q);
        assert_eq!(ReviewRepeat::from_key("weekly"), ReviewRepeat::Never);
    }
}
