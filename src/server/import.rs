//! People from a CSV file, and the users list as one. The dry run reads the file, resolves
//! roles, departments and companies by name and checks every row the way the Add user form and
//! the user page check one (the same functions), nothing written. The import is a job in the
//! database: each row goes through `users::create_user` or `users::update_user` (their checks,
//! judgement, write path and audit, "through the CSV import “file”"), matched by email, so
//! running the same file twice changes nothing the second time. The job keeps how far it got
//! after every row and holds a lease while it runs; any instance resumes a job whose lease has
//! lapsed (a server stopped half-way), and a row applied just before a stop is found unchanged
//! when it is met again.

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::json;

use super::http::{Declared, RequestCtx};
use super::state::AppState;
use super::store::{Audit, Work};
use super::time::now_ms;
use super::tokens::{self, TokenCaller};
use super::users;
use crate::access::{Action, Module};
use crate::domain::*;

/// How long a running job's lease lasts without news from its runner.
const LEASE_MS: i64 = 30_000;

#[derive(Deserialize)]
struct Named {
    id: String,
    name: String,
}

/// Names (lower-cased) to ids, for roles, departments and companies (not archived).
struct Names {
    roles: HashMap<String, String>,
    departments: HashMap<String, String>,
    companies: HashMap<String, String>,
    /// email key → user id
    emails: HashMap<String, String>,
}

async fn names(ctx: &RequestCtx) -> Result<Names, ApiError> {
    #[derive(Deserialize)]
    struct All {
        roles: Vec<Named>,
        departments: Vec<Named>,
        companies: Vec<Named>,
        emails: Vec<Named>,
    }
    let all: All = ctx
        .state
        .db
        .query(
            "RETURN {
                roles: (SELECT record::id(id) AS id, name FROM role),
                departments: (SELECT record::id(id) AS id, name FROM department),
                companies: (SELECT record::id(id) AS id, name FROM company WHERE archived = false),
                emails: (SELECT record::id(id) AS id, email_key AS name FROM user)
             };",
            json!({}),
        )
        .await?
        .first(0)?
        .ok_or(ApiError::Unavailable)?;
    let map = |v: Vec<Named>| v.into_iter().map(|n| (n.name.trim().to_lowercase(), n.id)).collect();
    Ok(Names { roles: map(all.roles), departments: map(all.departments), companies: map(all.companies), emails: map(all.emails) })
}

/// A row's person as the form's input: names resolved to ids, empty cells of an existing person
/// kept as they are.
fn input_of(p: &CsvPerson, n: &Names, current: Option<&UserRow>) -> Result<UserInput, Vec<CellError>> {
    let mut errors = Vec::new();
    let err = |column: &str, message: String| CellError { line: p.line, column: column.into(), message };
    let mut lookup = |column: &str, map: &HashMap<String, String>, name: &str, what: &str| -> Option<String> {
        match map.get(&name.trim().to_lowercase()) {
            Some(id) => Some(id.clone()),
            None => {
                errors.push(err(column, format!("no {what} is called `{name}`")));
                None
            }
        }
    };
    let role = if p.role.is_empty() { current.map(|c| c.role.id.clone()) } else { lookup("role", &n.roles, &p.role, "role") };
    let department = if p.department.is_empty() {
        current.and_then(|c| c.department.as_ref().map(|d| d.id.clone()))
    } else {
        lookup("department", &n.departments, &p.department, "department")
    };
    let companies: Vec<String> = if p.companies.is_empty() {
        current.map(|c| c.companies.iter().map(|x| x.id.clone()).collect()).unwrap_or_default()
    } else {
        p.companies.iter().filter_map(|c| lookup("companies", &n.companies, c, "company (or it is archived)")).collect()
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(UserInput {
        full_name: if p.full_name.is_empty() { current.map(|c| c.full_name.clone()).unwrap_or_default() } else { p.full_name.clone() },
        email: p.email.clone(),
        mobile: if p.mobile.is_empty() { current.and_then(|c| c.mobile.clone()).unwrap_or_default() } else { p.mobile.clone() },
        department: department.unwrap_or_default(),
        role: role.unwrap_or_default(),
        companies,
        is_approver: p.is_approver.or(current.map(|c| c.is_approver)).unwrap_or(false),
    })
}

/// The fields of `current` this input would change (by the form's field names).
fn differences(current: &UserRow, input: &UserInput) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<&str> = current.companies.iter().map(|c| c.id.as_str()).collect();
    cur.sort_unstable();
    let mut new: Vec<&str> = input.companies.iter().map(String::as_str).collect();
    new.sort_unstable();
    new.dedup();
    for (field, same) in [
        ("full_name", current.full_name == input.full_name.trim()),
        ("email", current.email.eq_ignore_ascii_case(input.email.trim())),
        ("mobile", current.mobile.clone().unwrap_or_default() == input.mobile.trim()),
        ("role", current.role.id == input.role),
        ("department", current.department.as_ref().map(|d| d.id.as_str()).unwrap_or_default() == input.department),
        ("companies", cur == new),
        ("is_approver", current.is_approver == input.is_approver),
    ] {
        if !same {
            out.push(field.to_string());
        }
    }
    out
}

/// A refusal of the form's checks as cell errors of `line`.
fn cell_errors(line: usize, e: ApiError) -> Vec<CellError> {
    match e {
        ApiError::Invalid { fields, .. } if !fields.is_empty() => {
            fields.into_iter().map(|f| CellError { line, column: f.field, message: f.message }).collect()
        }
        ApiError::StepUpNeeded => vec![CellError {
            line,
            column: "role".into(),
            message: "this role hands out full administration: give it from the person's page, not from a file".into(),
        }],
        other => vec![CellError { line, column: String::new(), message: other.to_string() }],
    }
}

/// The dry run: what importing `csv` would do, row by row; nothing is written.
pub async fn plan(ctx: &RequestCtx, csv: &str) -> Result<ImportPlan, ApiError> {
    Ok(checked_rows(ctx, csv).await?.0)
}

/// The plan, and the form inputs of the rows that would be applied (line, input).
async fn checked_rows(ctx: &RequestCtx, csv: &str) -> Result<(ImportPlan, Vec<(usize, UserInput)>), ApiError> {
    let (me, engine) = ctx.require(Module::Users, Action::Import).await?;
    let people = read_people(csv).map_err(|e| ApiError::field("file", format!("line {}: {}", e.line, e.message)))?;
    let n = names(ctx).await?;
    // The people already here, read at once (matched by email), and those out of reach.
    let ids: Vec<String> = people.iter().flatten().filter_map(|p| n.emails.get(&p.email.trim().to_lowercase()).cloned()).collect();
    let (seen, hidden) = users::visible_rows(ctx, &engine, &me.user_id, &ids).await?;
    let existing: HashMap<String, UserRow> = seen.into_iter().map(|u| (u.email.trim().to_lowercase(), u)).collect();
    let hidden = n.emails.iter().filter(|(_, id)| hidden.contains(id)).map(|(k, _)| k.clone()).collect();
    let known = Known { existing, hidden };
    let mut plan = ImportPlan::default();
    let mut apply = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for row in people {
        let (line, email, outcome) = match row {
            Err(errors) => (errors.first().map(|e| e.line).unwrap_or(0), String::new(), RowOutcome::Refused(errors)),
            Ok(p) => {
                let key = p.email.trim().to_lowercase();
                let outcome = match seen.get(&key) {
                    Some(first) if !key.is_empty() => {
                        RowOutcome::Refused(vec![CellError { line: p.line, column: "email".into(), message: format!("the same email as line {first}") }])
                    }
                    _ => {
                        seen.insert(key.clone(), p.line);
                        check_row(ctx, &n, &known, &p, &key, &mut apply).await
                    }
                };
                (p.line, p.email.clone(), outcome)
            }
        };
        match &outcome {
            RowOutcome::Create => plan.create += 1,
            RowOutcome::Update(_) => plan.update += 1,
            RowOutcome::Unchanged => plan.unchanged += 1,
            RowOutcome::Refused(_) => plan.refused += 1,
        }
        plan.rows.push(RowPlan { line, email, outcome });
    }
    Ok((plan, apply))
}

/// The people of the file already here: those the caller sees, and the emails of the others.
struct Known {
    existing: HashMap<String, UserRow>,
    hidden: std::collections::HashSet<String>,
}

async fn check_row(ctx: &RequestCtx, n: &Names, known: &Known, p: &CsvPerson, key: &str, apply: &mut Vec<(usize, UserInput)>) -> RowOutcome {
    if known.hidden.contains(key) {
        return RowOutcome::Refused(vec![CellError {
            line: p.line,
            column: "email".into(),
            message: "someone outside the people you manage already has this email".into(),
        }]);
    }
    let existing = known.existing.get(key).cloned();
    let input = match input_of(p, n, existing.as_ref()) {
        Ok(i) => i,
        Err(errors) => return RowOutcome::Refused(errors),
    };
    match existing {
        None => match users::check_create(ctx, &input).await {
            Ok(()) => {
                apply.push((p.line, input));
                RowOutcome::Create
            }
            Err(e) => RowOutcome::Refused(cell_errors(p.line, e)),
        },
        Some(current) => {
            let changed = differences(&current, &input);
            if changed.is_empty() {
                return RowOutcome::Unchanged;
            }
            match users::check_update(ctx, &current.id, &input).await {
                Ok(()) => {
                    apply.push((p.line, input));
                    RowOutcome::Update(changed)
                }
                Err(e) => RowOutcome::Refused(cell_errors(p.line, e)),
            }
        }
    }
}

const JOB_FIELDS: &str = "record::id(id) AS id, file_name, total, done, created, updated, unchanged, failed, status, started_at, finished_at";

/// Starts importing `csv`: the rows the dry run accepts are applied by a job (refused rows are
/// left out; the plan says which). Answers the job as it starts.
pub async fn start(ctx: &RequestCtx, file_name: &str, csv: &str) -> Result<ImportJob, ApiError> {
    let (me, _) = ctx.require(Module::Users, Action::Import).await?;
    let (plan, rows) = checked_rows(ctx, csv).await?;
    let file_name: String = file_name.trim().chars().filter(|c| !c.is_control()).take(120).collect();
    let file_name = if file_name.is_empty() { "people.csv".to_string() } else { file_name };
    let id = super::services::new_id();
    let now = now_ms();
    let rows: Vec<serde_json::Value> = rows.into_iter().map(|(line, input)| json!({ "line": line, "input": input })).collect();
    let mut work = Work::new(ctx);
    work.run(super::store::Stmt::new(
        "CREATE type::record('import_job', $id) CONTENT {
            by: type::record('user', $by), file_name: $file, rows: $rows, total: $total, done: 0, created: 0, updated: 0,
            unchanged: 0, failed: [], status: 'running', started_at: $now, lease_until: 0
        };",
        json!({ "id": id, "by": me.user_id, "file": file_name, "rows": rows, "total": rows.len(), "now": now }),
    ))
    .audit(
        Audit::new(AuditAction::UsersImport, AuditTarget::User, None)
            .by(&me)
            .label(file_name.clone())
            .after(json!({ "file": file_name, "create": plan.create, "update": plan.update, "unchanged": plan.unchanged, "refused": plan.refused })),
    );
    work.commit(&ctx.state).await?;
    let state = ctx.state.clone();
    let job = id.clone();
    tokio::spawn(async move {
        if let Err(e) = run(&state, &job).await {
            tracing::warn!(error = %e, job = %job, "an import stopped; another pass resumes it");
        }
    });
    status_of(ctx, &id).await
}

/// How far an import got (its author, or a full administrator, may ask).
pub async fn status_of(ctx: &RequestCtx, id: &str) -> Result<ImportJob, ApiError> {
    let me = ctx.require_user().await?;
    let job: Option<ImportJob> = ctx
        .state
        .db
        .query(
            &format!("SELECT {JOB_FIELDS} FROM import_job WHERE id = type::record('import_job', $id) AND (by = type::record('user', $me) OR $admin);"),
            json!({ "id": id, "me": me.user_id, "admin": me.full_admin }),
        )
        .await?
        .first(0)?;
    job.ok_or_else(|| ApiError::NotFound("no such import of yours".into()))
}

#[derive(Deserialize)]
struct Leased {
    by: String,
    file_name: String,
    done: u64,
    total: u64,
    rows: Vec<JobRow>,
}

#[derive(Deserialize)]
struct JobRow {
    line: usize,
    input: UserInput,
}

/// Applies a job's remaining rows, if this instance gets its lease.
pub async fn run(state: &AppState, id: &str) -> Result<(), ApiError> {
    let now = now_ms();
    let job: Option<Leased> = state
        .db
        .query(
            "UPDATE type::record('import_job', $id) SET lease_until = $until
                WHERE status = 'running' AND lease_until < $now
                RETURN record::id(by) AS by, file_name, done, total, rows;",
            json!({ "id": id, "now": now, "until": now + LEASE_MS }),
        )
        .await?
        .first(0)?;
    let Some(job) = job else { return Ok(()) };
    let author = tokens::principal_of(&state.db, &job.by).await?;
    let caller = author.map(|principal| TokenCaller {
        id: id.to_string(),
        name: job.file_name.clone(),
        write: true,
        principal,
        via: format!("CSV import “{}”", job.file_name),
    });
    let present: std::collections::HashSet<String> =
        state.db.query("SELECT VALUE email_key FROM user;", json!({})).await?.all::<String>(0)?.into_iter().collect();
    let mut i = job.done as usize;
    while i < job.rows.len() {
        let Some(caller) = &caller else {
            // The author cannot act any more: every remaining row fails, recorded.
            let failed: Vec<CellError> = job.rows.iter().skip(i).map(|r| CellError {
                line: r.line,
                column: String::new(),
                message: "the person who started this import cannot act any more".into(),
            }).collect();
            progress(state, id, job.rows.len(), (0, 0, 0), failed).await?;
            break;
        };
        let ctx = RequestCtx::for_api_token(state.clone(), "import".into(), None, caller.clone(), Declared::Write);
        // New people, up to CHUNK at a time, go into one transaction with the job's progress:
        // after a stop, exactly the committed chunks are done.
        let mut chunk = Vec::new();
        let mut failed = Vec::new();
        let mut j = i;
        while let Some(row) = job.rows.get(j) {
            if chunk.len() >= CHUNK || present.contains(&row.input.email.trim().to_lowercase()) {
                break;
            }
            match users::prepare_create(&ctx, &row.input).await {
                Ok(n) => chunk.push(n),
                Err(e) => failed.extend(cell_errors(row.line, e)),
            }
            j += 1;
        }
        if j > i {
            let mut work = Work::new(&ctx);
            for n in &chunk {
                n.write(&mut work);
            }
            work.run(progress_stmt(id, j, (chunk.len(), 0, 0), &failed));
            match work.commit(state).await {
                Ok(_) => {
                    for n in &chunk {
                        n.log_link(&ctx);
                    }
                }
                // Someone took an email meanwhile: these rows one by one, each judged again.
                Err(_) => {
                    for (k, row) in job.rows.iter().enumerate().take(j).skip(i) {
                        one_row(state, &ctx, id, k, row).await?;
                    }
                }
            }
            i = j;
            continue;
        }
        if let Some(row) = job.rows.get(i) {
            one_row(state, &ctx, id, i, row).await?;
        }
        i += 1;
    }
    state
        .db
        .query(
            "UPDATE type::record('import_job', $id) SET status = 'done', finished_at = $now, rows = [];",
            json!({ "id": id, "now": now_ms() }),
        )
        .await?;
    tracing::info!(job = %id, total = job.total, "import done");
    Ok(())
}

/// New people written per transaction by an import.
const CHUNK: usize = 25;

/// The job's progress after row `done` (exclusive), adding what the rows did.
fn progress_stmt(id: &str, done: usize, (created, updated, unchanged): (usize, usize, usize), failed: &[CellError]) -> super::store::Stmt {
    super::store::Stmt::new(
        "UPDATE type::record('import_job', $id) SET done = $done, created += $c, updated += $u, unchanged += $n,
            failed = array::concat(failed, $failed), lease_until = $until;",
        json!({ "id": id, "done": done, "c": created, "u": updated, "n": unchanged, "failed": failed, "until": now_ms() + LEASE_MS }),
    )
}

async fn progress(state: &AppState, id: &str, done: usize, counts: (usize, usize, usize), failed: Vec<CellError>) -> Result<(), ApiError> {
    let mut work = Work::from_address("import");
    work.run(progress_stmt(id, done, counts, &failed));
    work.commit_to(&state.db).await?;
    Ok(())
}

/// One row on its own (an existing person, or a chunk that clashed), then the job's progress.
async fn one_row(state: &AppState, ctx: &RequestCtx, id: &str, index: usize, row: &JobRow) -> Result<(), ApiError> {
    let (counts, failed) = match apply(ctx, &row.input).await {
        Ok(Applied::Created) => ((1, 0, 0), Vec::new()),
        Ok(Applied::Updated) => ((0, 1, 0), Vec::new()),
        Ok(Applied::Unchanged) => ((0, 0, 1), Vec::new()),
        Err(e) => ((0, 0, 0), cell_errors(row.line, e)),
    };
    progress(state, id, index + 1, counts, failed).await
}

enum Applied {
    Created,
    Updated,
    Unchanged,
}

/// One row, matched by email now (not when the file was read): a row applied just before a stop
/// is unchanged when met again.
async fn apply(ctx: &RequestCtx, input: &UserInput) -> Result<Applied, ApiError> {
    let key = input.email.trim().to_lowercase();
    let existing: Option<String> = ctx
        .state
        .db
        .query("SELECT VALUE record::id(id) FROM user WHERE email_key = $k LIMIT 1;", json!({ "k": key }))
        .await?
        .first(0)?;
    match existing {
        None => users::create_user(ctx, input).await.map(|_| Applied::Created),
        Some(id) => {
            let current = users::get_user(ctx, &id).await?;
            if differences(&current, input).is_empty() {
                Ok(Applied::Unchanged)
            } else {
                users::update_user(ctx, &id, input).await.map(|_| Applied::Updated)
            }
        }
    }
}

/// Resumes every job whose runner went quiet (called by the workers' loop on every instance).
pub async fn resume_stalled(state: &AppState) -> Result<(), ApiError> {
    let ids: Vec<String> = state
        .db
        .query("SELECT VALUE record::id(id) FROM import_job WHERE status = 'running' AND lease_until < $now;", json!({ "now": now_ms() }))
        .await?
        .all(0)?;
    for id in ids {
        run(state, &id).await?;
    }
    Ok(())
}

/// The users list (the same filters) as CSV in the import's columns, audited.
pub async fn export(ctx: &RequestCtx, q: &UserQuery) -> Result<String, ApiError> {
    let (me, _) = ctx.require(Module::Users, Action::Export).await?;
    let mut out = USER_CSV_COLUMNS.join(",");
    out.push('\n');
    let mut page = 1;
    let mut count = 0u64;
    loop {
        let found = users::list_users(ctx, &UserQuery { page, per_page: 200, ..q.clone() }).await?;
        for u in &found.items {
            let companies: Vec<&str> = u.companies.iter().map(|c| c.name.as_str()).collect();
            let cells = [
                u.full_name.clone(),
                u.email.clone(),
                u.mobile.clone().unwrap_or_default(),
                u.role.name.clone(),
                u.department.as_ref().map(|d| d.name.clone()).unwrap_or_default(),
                companies.join("; "),
                if u.is_approver { "yes".into() } else { "no".into() },
            ];
            let line: Vec<String> = cells.iter().map(|c| super::account::csv_cell(c)).collect();
            out.push_str(&line.join(","));
            out.push('\n');
            count += 1;
        }
        if u64::from(page) * 200 >= found.total || page >= 50 {
            break;
        }
        page += 1;
    }
    let mut work = Work::new(ctx);
    work.audit(Audit::new(AuditAction::UsersExport, AuditTarget::User, None).by(&me).after(json!({ "rows": count })));
    work.commit(&ctx.state).await?;
    Ok(out)
}
