//! What the console shows about access: the effective-access matrix, field rules, conflicts
//! between profiles, whether a profile exceeds the admin's own, and the diff of a change.

use super::*;

impl Engine {
    /// Every module × action for one user, each with its module-level decision and reasons.
    /// A record module's View and Edit also name what widens them beyond the level: the
    /// organization-wide default and the sharing rules the user receives.
    pub fn effective_access(&self, user: &str) -> Vec<Cell> {
        Module::ALL
            .iter()
            .flat_map(|&module| {
                Action::ALL.iter().map(move |&action| {
                    let mut decision = self.decide(user, module, action, None);
                    if let Decision::Allow { reasons, .. } = &mut decision {
                        reasons.extend(self.widening(user, module, action));
                    }
                    Cell { module, action, decision }
                })
            })
            .collect()
    }

    /// What lets `user` reach records of `module` beyond their own level for `action`: the
    /// organization-wide default, and each sharing rule they receive.
    fn widening(&self, user: &str, module: Module, action: Action) -> Vec<String> {
        let mut out = Vec::new();
        let Some(u) = self.user_index(user) else { return out };
        if !module.is_record_module() || !matches!(action, Action::View | Action::Edit) {
            return out;
        }
        let default = self.defaults[module.index()];
        let widens = match action {
            Action::View => default != OrgDefault::Private,
            _ => default == OrgDefault::PublicReadWrite,
        };
        if widens {
            out.push(format!(
                "also: the organization-wide default for {} is {}, so every {} record in their companies is open to them",
                module.label(),
                default.label(),
                module.label()
            ));
        }
        for &ri in &self.users[u as usize].shared {
            let Some(rule) = self.rules.get(ri as usize) else { continue };
            if rule.module == module && (action == Action::View || rule.access == ShareAccess::ReadWrite) {
                out.push(format!("also: {}", rule.text));
            }
        }
        out
    }

    /// Field rules for a user on a module: for each field some profile mentions, the most
    /// permissive rule among the profiles that allow View on the module. Fields not listed are
    /// Editable; an empty map with no View means the module is not visible at all.
    pub fn field_rules(&self, user: &str, module: Module) -> BTreeMap<String, FieldRule> {
        let mut out: BTreeMap<String, FieldRule> = BTreeMap::new();
        let Some(u) = self.user_index(user) else { return out };
        let with_say: Vec<u32> = self.users[u as usize]
            .sources
            .iter()
            .map(|s| s.profile)
            .filter(|&p| self.profile_levels[p as usize][module.index()][Action::View.index()] > Level::None)
            .collect();
        let mut fields: Vec<&String> = Vec::new();
        for &p in &with_say {
            for (m, f) in self.profile_fields[p as usize].keys() {
                if *m == module && !fields.contains(&f) {
                    fields.push(f);
                }
            }
        }
        for f in fields {
            let rule = with_say
                .iter()
                .map(|&p| self.profile_fields[p as usize].get(&(module, f.clone())).copied().unwrap_or(FieldRule::Editable))
                .max()
                .unwrap_or(FieldRule::Editable);
            out.insert(f.clone(), rule);
        }
        out
    }

    /// Where one user is reached at different levels (above None) from different sources, and
    /// where their profiles disagree on a field.
    pub fn conflicts(&self, user: &str) -> (Vec<Conflict>, Vec<FieldConflict>) {
        let Some(u) = self.user_index(user) else { return (vec![], vec![]) };
        let cu = &self.users[u as usize];
        let mut level_conflicts = Vec::new();
        for &m in Module::ALL.iter() {
            for &a in Action::ALL.iter() {
                let sources: Vec<ConflictSource> = cu
                    .sources
                    .iter()
                    .map(|s| ConflictSource { source: self.source_text(s), level: self.profile_levels[s.profile as usize][m.index()][a.index()] })
                    .filter(|c| c.level > Level::None)
                    .collect();
                let mut distinct: Vec<Level> = sources.iter().map(|c| c.level).collect();
                distinct.sort();
                distinct.dedup();
                if let (true, Some(&winner)) = (distinct.len() >= 2, distinct.last()) {
                    level_conflicts.push(Conflict { user: user.to_string(), module: m, action: a, winner, sources });
                }
            }
        }
        let mut field_conflicts = Vec::new();
        for &m in Module::ALL.iter() {
            let with_say: Vec<&Source> = cu
                .sources
                .iter()
                .filter(|s| self.profile_levels[s.profile as usize][m.index()][Action::View.index()] > Level::None)
                .collect();
            if with_say.len() < 2 {
                continue;
            }
            for (field, rule) in self.field_rules(user, m) {
                let sources: Vec<(String, FieldRule)> = with_say
                    .iter()
                    .map(|s| {
                        let r = self.profile_fields[s.profile as usize].get(&(m, field.clone())).copied().unwrap_or(FieldRule::Editable);
                        (self.source_text(s), r)
                    })
                    .collect();
                if sources.iter().any(|(_, r)| *r != rule) {
                    field_conflicts.push(FieldConflict { user: user.to_string(), module: m, field, sources, winner: rule });
                }
            }
        }
        (level_conflicts, field_conflicts)
    }

    /// No escalation: why granting this profile would exceed what `admin` holds, if it would.
    pub fn profile_exceeds(&self, admin: &str, profile: &OrgProfile) -> Option<String> {
        let u = self.user_index(admin)?;
        let au = &self.users[u as usize];
        if profile.id == ADMINISTRATOR && !au.full_admin {
            return Some("only full administrators grant or remove the Administrator profile".into());
        }
        if au.full_admin {
            return None;
        }
        let table = super::compile::level_table(profile);
        for &m in Module::ALL.iter() {
            for &a in Action::ALL.iter() {
                let theirs = table[m.index()][a.index()];
                let mine = au.levels[m.index()][a.index()];
                if theirs > mine {
                    return Some(format!(
                        "profile {} gives {} on {} at {}, above your own {}",
                        profile.name,
                        a.label(),
                        m.label(),
                        theirs.label(),
                        mine.label()
                    ));
                }
            }
            if table[m.index()][Action::View.index()] > Level::None {
                // Every field counts, an unstated one being Editable.
                for field in m.fields() {
                    let rule = profile
                        .field_rules
                        .iter()
                        .find(|r| r.module == m && r.field == *field)
                        .map(|r| r.rule)
                        .unwrap_or(FieldRule::Editable);
                    let own = self.held_field(u, m, field).unwrap_or(FieldRule::Hidden);
                    if rule > own {
                        return Some(format!(
                            "profile {} makes {} · {} {}, more than your own {}",
                            profile.name,
                            m.label(),
                            field,
                            rule.label(),
                            own.label()
                        ));
                    }
                }
            }
        }
        None
    }

    /// What changes for every user between two versions of the org, module level.
    pub fn diff(before: &Engine, after: &Engine) -> AccessDiff {
        let mut changes = Vec::new();
        let mut ids: Vec<&str> = after.org.users.iter().map(|u| u.id.as_str()).collect();
        for u in &before.org.users {
            if after.user_index(&u.id).is_none() {
                ids.push(&u.id);
            }
        }
        for id in ids {
            for &m in Module::ALL.iter() {
                for &a in Action::ALL.iter() {
                    let from = before.module_level(id, m, a);
                    let to = after.module_level(id, m, a);
                    if from != to {
                        changes.push(AccessChange { user: id.to_string(), module: m, action: a, from, to });
                    }
                }
            }
        }
        let name_of = |id: &str| -> String {
            after
                .org
                .users
                .iter()
                .chain(before.org.users.iter())
                .find(|u| u.id == id)
                .map(|u| u.name.clone())
                .unwrap_or_else(|| id.to_string())
        };
        let mut groups: BTreeMap<(Module, Action, u8), Vec<String>> = BTreeMap::new();
        for c in &changes {
            let kind = if c.from == Level::None {
                0 // gain
            } else if c.to == Level::None {
                1 // lose
            } else if c.to > c.from {
                2 // wider
            } else {
                3 // narrower
            };
            groups.entry((c.module, c.action, kind)).or_default().push(name_of(&c.user));
        }
        let who = |n: usize| if n == 1 { "1 user".to_string() } else { format!("{n} users") };
        let mut summary: Vec<String> = groups
            .into_iter()
            .map(|((m, a, kind), people)| {
                let n = people.len();
                let verb = match (kind, n == 1) {
                    (0, true) => "gains",
                    (0, false) => "gain",
                    (1, true) => "loses",
                    (1, false) => "lose",
                    (2, true) => "gets wider",
                    (2, false) => "get wider",
                    (_, true) => "gets narrower",
                    (_, false) => "get narrower",
                };
                let people: Vec<&str> = people.iter().map(String::as_str).collect();
                format!("{} {verb} {} on {}: {}", who(n), a.label(), m.label(), names(&people))
            })
            .collect();
        // Field rules: every field of every record module, an unstated one being Editable.
        let mut field_changes = Vec::new();
        for id in after.org.users.iter().map(|u| u.id.as_str()) {
            let (Some(a), b) = (after.user_index(id), before.user_index(id)) else { continue };
            for &m in Module::RECORDS.iter() {
                for f in m.fields() {
                    let to = after.held_field(a, m, f);
                    let from = b.and_then(|b| before.held_field(b, m, f));
                    // Gaining or losing the whole module is already said by its View line.
                    if from != to && from.is_some() && to.is_some() {
                        field_changes.push(FieldChange { user: id.to_string(), module: m, field: f.to_string(), from, to });
                    }
                }
            }
        }
        let mut by_field: BTreeMap<(Module, String, Option<FieldRule>, Option<FieldRule>), Vec<String>> = BTreeMap::new();
        for c in &field_changes {
            by_field.entry((c.module, c.field.clone(), c.from, c.to)).or_default().push(name_of(&c.user));
        }
        for ((m, f, from, to), people) in by_field {
            let n = people.len();
            let people: Vec<&str> = people.iter().map(String::as_str).collect();
            let label = |r: Option<FieldRule>| r.map(FieldRule::label).unwrap_or("not visible");
            summary.push(format!(
                "{} {} {} · {} {} (was {}): {}",
                who(n),
                if n == 1 { "gets" } else { "get" },
                m.label(),
                f.replace('_', " "),
                label(to),
                label(from),
                names(&people)
            ));
        }
        summary.extend(Self::reach_diff(before, after, &name_of));
        AccessDiff { changes, field_changes, summary }
    }

    /// Record reach widened or narrowed without a level changing: the organization-wide default
    /// or a sharing rule given or taken away ("3 users gain on Leads (View): the
    /// organization-wide default for Leads is Public read, …: Ann Lee, …").
    fn reach_diff(before: &Engine, after: &Engine, name_of: &dyn Fn(&str) -> String) -> Vec<String> {
        let same_setup = before.defaults == after.defaults && before.org.sharing_rules == after.org.sharing_rules;
        let mut groups: BTreeMap<(Module, Action, bool, String), Vec<String>> = BTreeMap::new();
        for u in &after.org.users {
            let (Some(ai), Some(bi)) = (after.user_index(&u.id), before.user_index(&u.id)) else { continue };
            if same_setup && after.users[ai as usize].shared == before.users[bi as usize].shared {
                continue;
            }
            for &m in Module::RECORDS.iter() {
                for a in [Action::View, Action::Edit] {
                    // Gaining or losing the module itself is said by its level line.
                    if before.module_level(&u.id, m, a) == Level::None || after.module_level(&u.id, m, a) == Level::None {
                        continue;
                    }
                    let from = before.widening(&u.id, m, a);
                    let to = after.widening(&u.id, m, a);
                    for line in to.iter().filter(|l| !from.contains(l)) {
                        groups.entry((m, a, true, line.clone())).or_default().push(name_of(&u.id));
                    }
                    for line in from.iter().filter(|l| !to.contains(l)) {
                        groups.entry((m, a, false, line.clone())).or_default().push(name_of(&u.id));
                    }
                }
            }
        }
        groups
            .into_iter()
            .map(|((m, a, gain, line), people)| {
                let n = people.len();
                let who = if n == 1 { "1 user".to_string() } else { format!("{n} users") };
                let verb = match (gain, n == 1) {
                    (true, true) => "gains",
                    (true, false) => "gain",
                    (false, true) => "loses",
                    (false, false) => "lose",
                };
                let people: Vec<&str> = people.iter().map(String::as_str).collect();
                let line = line.strip_prefix("also: ").unwrap_or(&line);
                format!("{who} {verb} on {} ({}): {line}: {}", m.label(), a.label(), names(&people))
            })
            .collect()
    }
}
