//! Reminders before access ends: 7 days and 1 day before a granted profile, a group membership,
//! a company's access or a license held for a while stops counting, each person who loses
//! something by it is told by email what they will lose, and their department's manager gets one
//! message naming them. Every instance runs the pass; the transaction that marks
//! the grant as reminded for that end and stage makes sure each reminder goes out once, and an
//! extension (a new end) starts the reminders afresh.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use super::mail;
use super::state::AppState;
use super::store::{Audit, Stmt, Work};
use crate::access::{Engine, Grantee, Holding, Org, OrgGrant, UserStatus};
use crate::domain::*;

const DAY: i64 = 86_400_000;
/// Days before the end when reminders go out, earliest first.
pub const REMIND_DAYS: [i64; 2] = [7, 1];
/// Grants handled in one pass (the next pass takes the rest).
const PER_PASS: u32 = 50;

#[derive(Deserialize)]
struct Ending {
    id: String,
    profile: String,
    to_kind: String,
    to_id: String,
    ends_at: i64,
    #[serde(default)]
    reminded_for: Option<i64>,
    #[serde(default)]
    reminded_days: Option<i64>,
}

/// The stage due at `now` for an end: the smallest of [`REMIND_DAYS`] the end is within.
fn stage_of(ends_at: i64, now: i64) -> Option<i64> {
    REMIND_DAYS.iter().rev().copied().find(|d| ends_at - now <= d * DAY)
}

/// Whether the reminder of `stage` (or a later one) for this very end has gone out.
fn reminded_of(ends_at: i64, reminded_for: Option<i64>, reminded_days: Option<i64>, stage: i64) -> bool {
    reminded_for == Some(ends_at) && reminded_days.is_some_and(|d| d <= stage)
}

impl Ending {
    fn stage(&self, now: i64) -> Option<i64> {
        stage_of(self.ends_at, now)
    }

    fn reminded(&self, stage: i64) -> bool {
        reminded_of(self.ends_at, self.reminded_for, self.reminded_days, stage)
    }

    fn is(&self, g: &OrgGrant) -> bool {
        g.profile == self.profile
            && g.until == Some(self.ends_at)
            && match &g.to {
                Grantee::User(id) => self.to_kind == "user" && *id == self.to_id,
                Grantee::Group(id) => self.to_kind == "group" && *id == self.to_id,
                Grantee::Department { id, .. } => self.to_kind == "department" && *id == self.to_id,
            }
    }
}

/// A membership, company access or license held until `ends_at`.
#[derive(Deserialize)]
struct EndingWindow {
    kind: String,
    user: String,
    target: String,
    ends_at: i64,
    #[serde(default)]
    reminded_for: Option<i64>,
    #[serde(default)]
    reminded_days: Option<i64>,
}

/// One reminder to send: the row that ends (marked in the same transaction), what ends in
/// words, the organisation once it has ended, and the audit row.
struct Due {
    table: &'static str,
    row: serde_json::Value,
    ends_at: i64,
    stage: i64,
    what: String,
    without: Org,
    audit: Audit,
    /// Where a manager extends it (a path) and the page's name.
    page: (&'static str, &'static str),
    /// The holder of a membership, company or license and what they lose in words, said first
    /// (losing a company's records is not a change of levels).
    holder: Option<(String, String)>,
}

/// "Sales Rep, given to the group Key accounts".
pub(super) fn describe(engine: &Engine, g: &OrgGrant) -> String {
    let org = engine.org();
    let profile = org.profiles.iter().find(|p| p.id == g.profile).map(|p| p.name.as_str()).unwrap_or(g.profile.as_str());
    let to = match &g.to {
        Grantee::User(id) => org.users.iter().find(|u| &u.id == id).map(|u| u.name.clone()).unwrap_or_else(|| id.clone()),
        Grantee::Group(id) => format!("the group {}", org.groups.iter().find(|x| &x.id == id).map(|x| x.name.as_str()).unwrap_or(id)),
        Grantee::Department { id, .. } => {
            format!("the department {}", org.departments.iter().find(|x| &x.id == id).map(|x| x.name.as_str()).unwrap_or(id))
        }
    };
    format!("the profile {profile}, given to {to}")
}

/// Grants ending between `$now` and `$horizon`, through the `grant_ends_at` index.
pub const GRANTS_QUERY: &str = "SELECT record::id(id) AS id, record::id(profile) AS profile, to_kind, to_id, ends_at, reminded_for, reminded_days
    FROM grant WHERE ends_at > $now AND ends_at <= $horizon LIMIT $limit;";
/// Memberships, company access and licenses ending then, through `access_window_ends_at`.
pub const WINDOWS_QUERY: &str = "SELECT kind, user, target, ends_at, reminded_for, reminded_days
    FROM access_window WHERE ends_at > $now AND ends_at <= $horizon LIMIT $limit;";

/// Sends every reminder due at `now` (the clock is injectable for tests); returns how many grants
/// were reminded of.
pub async fn run_reminders(state: &AppState, now: i64) -> Result<usize, ApiError> {
    let horizon = now + REMIND_DAYS[0] * DAY;
    let mut rows = state
        .db
        .query(
            &format!("{GRANTS_QUERY} {WINDOWS_QUERY}"),
            json!({ "now": now, "horizon": horizon, "limit": PER_PASS }),
        )
        .await?;
    let ending: Vec<Ending> = rows.all(0)?;
    let windows: Vec<EndingWindow> = rows.all(1)?;
    let grants: Vec<(Ending, i64)> = ending.into_iter().filter_map(|e| e.stage(now).filter(|s| !e.reminded(*s)).map(|s| (e, s))).collect();
    let windows: Vec<(EndingWindow, i64)> = windows
        .into_iter()
        .filter_map(|w| stage_of(w.ends_at, now).filter(|s| !reminded_of(w.ends_at, w.reminded_for, w.reminded_days, *s)).map(|s| (w, s)))
        .collect();
    if grants.is_empty() && windows.is_empty() {
        return Ok(0);
    }
    let engine = state.access.engine(&state.db).await?;
    let mut due = Vec::new();
    for (e, stage) in grants {
        // The engine does not know it (yet): the next pass tries again.
        let Some(grant) = engine.org().grants.iter().find(|g| e.is(g)).cloned() else { continue };
        let mut without = engine.org().clone();
        without.grants.retain(|g| !g.same_as(&grant));
        let what = describe(&engine, &grant);
        let audit = Audit::new(AuditAction::GrantEndingReminder, AuditTarget::Grant, Some(e.id.as_str())).label(what.as_str());
        due.push(Due { table: "grant", row: json!(e.id), ends_at: e.ends_at, stage, what, without, audit, page: ("/grants", "Grants"), holder: None });
    }
    for (w, stage) in windows {
        let Some(what) = Holding::parse(&w.kind, &w.target) else { continue };
        let org = engine.org();
        if org.window(&w.user, &what).and_then(|x| x.until) != Some(w.ends_at) {
            continue;
        }
        let mut without = org.clone();
        without.take(&w.user, &what);
        let holder = org.users.iter().find(|u| u.id == w.user).map(|u| u.name.clone()).unwrap_or_else(|| w.user.clone());
        let named = super::admin::holding_name(&state.db, org, &what).await?;
        let audit = Audit::user(AuditAction::AccessWindowReminder, &w.user).label(holder.as_str());
        let loses = match &what {
            Holding::Group(_) => format!("You are no longer in {named}."),
            Holding::Company(_) => format!("You no longer have {named} and its records."),
            Holding::License(_) => format!("You no longer hold {named}."),
        };
        due.push(Due {
            table: "access_window",
            row: json!([w.kind, w.user, w.target]),
            ends_at: w.ends_at,
            stage,
            what: format!("{named}, held by {holder}"),
            without,
            audit,
            page: ("/expiring", "Expiring soon"),
            holder: Some((w.user.clone(), loses)),
        });
    }
    let mut done = 0;
    for d in due {
        let row = d.row.to_string();
        match remind(state, &engine, d, now).await {
            Ok(()) => done += 1,
            Err(ApiError::Conflict(_)) => {}
            Err(err) => tracing::warn!(row = %row, error = %err, "an access-ending reminder could not be written"),
        }
    }
    Ok(done)
}

async fn remind(state: &AppState, engine: &Engine, d: Due, now: i64) -> Result<(), ApiError> {
    let mut work = Work::from_address("scheduled");
    // Marked in the same transaction as the mail: a second instance's pass finds it done.
    let vars = json!({ "table": d.table, "id": d.row, "end": d.ends_at, "stage": d.stage });
    work.refuse_if(
        Stmt::new("(SELECT VALUE reminded_for = $end AND reminded_days <= $stage FROM type::record($table, $id))[0] = true", vars.clone()),
        ApiError::Conflict("this reminder was already sent".into()),
    )
    .run(Stmt::new("UPDATE type::record($table, $id) SET reminded_for = $end, reminded_days = $stage;", vars));
    // What ends, as the engine would have it once it stops counting.
    let diff = Engine::diff(engine, &Engine::compile(d.without));
    let what = d.what;
    let when = format_utc(d.ends_at);
    let mut people: Vec<(String, Vec<String>)> = Vec::new();
    for u in engine.org().users.iter().filter(|u| u.status == UserStatus::Active) {
        let mut lost = heads_up(&diff, &u.id);
        if let Some((_, loses)) = d.holder.as_ref().filter(|(h, _)| *h == u.id) {
            lost.insert(0, loses.clone());
        }
        if !lost.is_empty() {
            people.push((u.id.clone(), lost));
        }
    }
    // Each person's department manager hears once, about all of their people.
    let mut by_manager: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (id, _) in &people {
        if let Some(m) = engine.org().users.iter().find(|u| &u.id == id).and_then(|u| super::reviews::manager_of(engine, u)) {
            by_manager.entry(m).or_default().push(id.clone());
        }
    }
    let ids: Vec<String> = people.iter().map(|(id, _)| id.clone()).chain(by_manager.keys().cloned()).collect();
    let known = super::welcome::people(&state.db, &ids).await?;
    let person = |id: &str| known.iter().find(|p| p.id == id);
    let days_left = (d.ends_at - now + DAY - 1) / DAY;
    let left = if days_left <= 1 { "within a day".to_string() } else { format!("in {days_left} days") };
    for (id, lost) in &people {
        if let Some(p) = person(id) {
            work.queue_mail("access_ending", &p.id, &for_person(&p.full_name, &p.email, &what, &when, &left, lost));
        }
    }
    for (manager, team) in &by_manager {
        if let Some(m) = person(manager) {
            let names: Vec<String> = team.iter().filter_map(|id| person(id)).map(|p| p.full_name.clone()).collect();
            let link = format!("{}{}", state.settings.public_url, d.page.0);
            work.queue_mail("access_ending", &m.id, &for_manager(&m.full_name, &m.email, &what, &when, &left, &names, (&link, d.page.1)));
        }
    }
    work.audit(d.audit.after(json!({
        "ends_at": d.ends_at,
        "days": days_left,
        "stage": d.stage,
        "people": people.len(),
        "managers": by_manager.len(),
        "what": what,
    })));
    work.commit(state).await?;
    Ok(())
}

fn for_person(name: &str, email: &str, what: &str, when: &str, left: &str, lost: &[String]) -> mail::OutgoingMail {
    let intro = format!("Some of your access to the CRM ends {left}, on {when}: {what}. From then on:");
    let footer = "If you still need it, ask your manager or an administrator to extend it before then.";
    let list: String = lost.iter().map(|s| format!("- {s}\n")).collect();
    let text = format!("Hello {name},\n\n{intro}\n\n{list}\n{footer}\n");
    let mut paragraphs = vec![intro];
    paragraphs.extend(lost.iter().cloned());
    let html = mail::html_message(&format!("Hello {name},"), &paragraphs, None, footer);
    mail::OutgoingMail {
        to_name: name.into(),
        to_email: email.into(),
        subject: format!("Some of your CRM access ends {left}"),
        text,
        html,
        links: vec![],
    }
}

fn for_manager(name: &str, email: &str, what: &str, when: &str, left: &str, people: &[String], (link, page): (&str, &str)) -> mail::OutgoingMail {
    let intro = format!("Access of people in your team ends {left}, on {when}: {what}.");
    let who = format!("It changes what these people can do: {}.", people.join(", "));
    let footer = format!("If they still need it, an administrator can extend it on the {page} page before then.");
    let text = format!("Hello {name},\n\n{intro}\n\n{who}\n\n{footer}\n{link}\n");
    let open = format!("Open the {page} page");
    let html = mail::html_message(&format!("Hello {name},"), &[intro, who], Some((open.as_str(), link)), &footer);
    mail::OutgoingMail {
        to_name: name.into(),
        to_email: email.into(),
        subject: format!("Access in your team ends {left}"),
        text,
        html,
        links: vec![link.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ending(ends_at: i64, reminded_for: Option<i64>, reminded_days: Option<i64>) -> Ending {
        Ending { id: "g".into(), profile: "p".into(), to_kind: "user".into(), to_id: "u".into(), ends_at, reminded_for, reminded_days }
    }

    #[test]
    fn the_stage_follows_the_time_left_and_each_goes_out_once_per_end() {
        let end = 100 * DAY;
        let e = ending(end, None, None);
        assert_eq!(e.stage(end - 8 * DAY), None);
        assert_eq!(e.stage(end - 7 * DAY), Some(7));
        assert_eq!(e.stage(end - 2 * DAY), Some(7));
        assert_eq!(e.stage(end - DAY), Some(1));
        assert_eq!(e.stage(end - 1), Some(1));
        let after_seven = ending(end, Some(end), Some(7));
        assert!(after_seven.reminded(7));
        assert!(!after_seven.reminded(1));
        assert!(ending(end, Some(end), Some(1)).reminded(7), "a grant made a day before its end skips the 7-day reminder");
        // Extended: the reminders start again for the new end.
        let extended = ending(end + 14 * DAY, Some(end), Some(1));
        assert!(!extended.reminded(7));
    }
}
