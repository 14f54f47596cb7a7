//! "Heads-up": what a saved change did to one person's access, in plain sentences for the email
//! they get when the administrator ticks "tell the people affected".

use crate::access::{AccessDiff, Action, FieldRule, Level, Module};

fn verb(a: Action) -> &'static str {
    match a {
        Action::View => "see",
        Action::Create => "create",
        Action::Edit => "edit",
        Action::Delete => "delete",
        Action::Export => "export",
        Action::Import => "import",
    }
}

/// "all opportunities", "your own leads", "tasks of your department".
fn reach(m: Module, level: Level) -> String {
    let noun = m.label().to_lowercase();
    match level {
        Level::All if m.is_record_module() => format!("all {noun}"),
        Level::All => noun,
        Level::Own => format!("your own {noun}"),
        Level::Department => format!("{noun} of your department"),
        Level::DepartmentTree => format!("{noun} of your department and the departments below it"),
        Level::None => noun,
    }
}

fn rule(r: Option<FieldRule>) -> &'static str {
    match r {
        None => "out of your sight (no access to the module)",
        Some(FieldRule::Hidden) => "hidden",
        Some(FieldRule::ReadOnly) => "read-only",
        Some(FieldRule::Editable) => "editable",
    }
}

/// The sentences for `user` (an id) in `diff`, gains first.
pub fn heads_up(diff: &AccessDiff, user: &str) -> Vec<String> {
    let mut gains = Vec::new();
    let mut others = Vec::new();
    for c in diff.changes.iter().filter(|c| c.user == user) {
        let v = verb(c.action);
        if c.from == Level::None {
            gains.push(format!("From now on you can {v} {}.", reach(c.module, c.to)));
        } else if c.to == Level::None {
            others.push(format!("You can no longer {v} {}.", c.module.label().to_lowercase()));
        } else {
            others.push(format!("You can now {v} {} (before: {}).", reach(c.module, c.to), reach(c.module, c.from)));
        }
    }
    for f in diff.field_changes.iter().filter(|f| f.user == user) {
        others.push(format!(
            "In {}, the field \u{201c}{}\u{201d} is now {} for you (it was {}).",
            f.module.label().to_lowercase(),
            f.field.replace('_', " "),
            rule(f.to),
            rule(f.from)
        ));
    }
    gains.extend(others);
    gains
}

/// "Leads: you can see, create and edit your own leads; export all leads." — one sentence per
/// module of a person's access lines, for their welcome page.
pub fn can_sentences(lines: &[super::AccessLine]) -> Vec<String> {
    lines
        .iter()
        .map(|line| {
            let mut groups: Vec<(Level, Vec<&str>)> = Vec::new();
            for (action, level) in &line.actions {
                match groups.iter_mut().find(|(l, _)| l == level) {
                    Some((_, verbs)) => verbs.push(verb(*action)),
                    None => groups.push((*level, vec![verb(*action)])),
                }
            }
            let parts: Vec<String> = groups
                .iter()
                .map(|(level, verbs)| {
                    let verbs = match verbs.split_last() {
                        Some((last, [])) => last.to_string(),
                        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                        None => String::new(),
                    };
                    format!("{verbs} {}", reach(line.module, *level))
                })
                .collect();
            format!("{}: you can {}.", line.module.label(), parts.join("; "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{AccessChange, FieldChange};

    #[test]
    fn changes_read_as_sentences_for_the_person_concerned() {
        let diff = AccessDiff {
            changes: vec![
                AccessChange { user: "ann".into(), module: Module::Opportunities, action: Action::Edit, from: Level::None, to: Level::Department },
                AccessChange { user: "ann".into(), module: Module::Leads, action: Action::View, from: Level::All, to: Level::Own },
                AccessChange { user: "ann".into(), module: Module::Tasks, action: Action::Delete, from: Level::Own, to: Level::None },
                AccessChange { user: "bo".into(), module: Module::Users, action: Action::View, from: Level::None, to: Level::All },
            ],
            field_changes: vec![FieldChange {
                user: "ann".into(),
                module: Module::Customers,
                field: "annual_revenue".into(),
                from: Some(FieldRule::Hidden),
                to: Some(FieldRule::Editable),
            }],
            summary: vec![],
        };
        assert_eq!(
            heads_up(&diff, "ann"),
            vec![
                "From now on you can edit opportunities of your department.",
                "You can now see your own leads (before: all leads).",
                "You can no longer delete tasks.",
                "In customers, the field \u{201c}annual revenue\u{201d} is now editable for you (it was hidden).",
            ]
        );
        let line = crate::domain::AccessLine {
            module: Module::Leads,
            actions: vec![(Action::View, Level::Own), (Action::Create, Level::Own), (Action::Edit, Level::Own), (Action::Export, Level::All)],
            why: vec![],
        };
        assert_eq!(can_sentences(&[line]), vec!["Leads: you can see, create and edit your own leads; export all leads."]);
        assert_eq!(heads_up(&diff, "bo"), vec!["From now on you can see users."]);
    }
}
