//! The unit of work: the one way anything is written. A [`Work`] collects named statements from
//! the table modules below (each holds its table's SurrealQL), typed audit rows, the access
//! version bump and queued mail, and commits them as one transaction: all of it or none.
//! Refusals checked inside the transaction (a seat taken meanwhile, a link already used) are
//! typed errors chosen before the commit, never text parsed back out of the database.
//!
//! The write path of every change to people or access, whatever asks for it:
//! 1. build the change as data (`OrgChange`, a user entry) and apply it to the org in memory;
//! 2. judge it by outcome (`Engine::judge`, `judge_takeover`): refuse what the actor does not hold;
//! 3. put its statements, its [`Audit`] row and [`Work::bump_access`] into one [`Work`];
//! 4. [`Work::commit`]: one transaction, with the in-transaction refusals as typed errors.

use serde_json::{json, Map, Value};

use super::db::{Db, DbError, Rows};
use super::http::RequestCtx;
use super::state::AppState;
use super::time::now_ms;
use crate::domain::{ApiError, AuditAction, AuditTarget};

pub mod access;
pub mod company;
pub mod install;
pub mod license;
pub mod link;
pub mod mail_job;
pub mod record;
pub mod second_factor;
pub mod session;
pub mod token;
pub mod user;

/// One SurrealQL statement (or a short block) with the variables it binds.
#[derive(Debug, Clone)]
pub struct Stmt {
    sql: String,
    vars: Map<String, Value>,
}

impl Stmt {
    /// `vars` is a JSON object; anything else binds nothing.
    pub fn new(sql: impl Into<String>, vars: Value) -> Stmt {
        let vars = match vars {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        Stmt { sql: sql.into(), vars }
    }

    /// Binds one more variable.
    pub fn with(mut self, name: &str, value: impl serde::Serialize) -> Stmt {
        self.vars.insert(name.to_string(), json!(value));
        self
    }

    /// Evaluates an expression on its own, outside any unit of work (a count for a preview).
    pub async fn eval<T: serde::de::DeserializeOwned>(self, db: &Db) -> Result<Option<T>, DbError> {
        db.query(&format!("RETURN {};", self.sql), Value::Object(self.vars)).await?.first(0)
    }
}

/// Who did it, as the audit row names them.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub name: String,
}

impl Actor {
    pub fn new(id: &str, name: &str) -> Actor {
        Actor { id: id.to_string(), name: name.to_string() }
    }
}

impl From<&super::auth::Principal> for Actor {
    fn from(p: &super::auth::Principal) -> Actor {
        Actor::new(&p.user_id, &p.full_name)
    }
}

/// One audit row: what happened, to what, by whom, and the fields before and after.
#[derive(Debug, Clone)]
pub struct Audit {
    actor: Option<Actor>,
    action: AuditAction,
    target: AuditTarget,
    target_id: Option<String>,
    label: Option<String>,
    before: Option<Value>,
    after: Option<Value>,
    companies: Option<Vec<String>>,
}

impl Audit {
    pub fn new(action: AuditAction, target: AuditTarget, target_id: Option<&str>) -> Audit {
        Audit {
            actor: None,
            action,
            target,
            target_id: target_id.map(str::to_string),
            label: None,
            before: None,
            after: None,
            companies: None,
        }
    }

    /// A change to a user's account.
    pub fn user(action: AuditAction, id: &str) -> Audit {
        Audit::new(action, AuditTarget::User, Some(id))
    }

    pub fn by(mut self, actor: impl Into<Actor>) -> Audit {
        self.actor = Some(actor.into());
        self
    }

    pub fn by_opt(mut self, actor: Option<Actor>) -> Audit {
        self.actor = actor;
        self
    }

    /// The words shown for the target when its name is not known any more (an email, a title).
    pub fn label(mut self, label: impl Into<String>) -> Audit {
        self.label = Some(label.into());
        self
    }

    pub fn before(mut self, v: Value) -> Audit {
        self.before = Some(v);
        self
    }

    pub fn after(mut self, v: Value) -> Audit {
        self.after = Some(v);
        self
    }

    pub fn before_opt(mut self, v: Option<Value>) -> Audit {
        self.before = v;
        self
    }

    pub fn after_opt(mut self, v: Option<Value>) -> Audit {
        self.after = v;
        self
    }

    /// The companies the row concerns when they cannot be read from its target (a deleted
    /// record, an export).
    pub fn companies(mut self, companies: Vec<String>) -> Audit {
        self.companies = Some(companies);
        self
    }

    /// The row as stored (the audit table's columns).
    fn row(self, ip: &str, via: Option<&str>) -> Value {
        let mut row = json!({
            "at": now_ms(),
            "actor": self.actor.as_ref().map(|a| &a.id),
            "actor_name": self.actor.as_ref().map(|a| &a.name),
            "action": self.action.as_str(),
            "target_kind": self.target.as_str(),
            "target_id": self.target_id,
            "target_label": self.label,
            "before": self.before,
            "after": self.after,
            "ip": ip,
            "via": via,
        });
        if let (Some(companies), Some(obj)) = (self.companies, row.as_object_mut()) {
            obj.insert("companies".into(), json!(companies));
        }
        row
    }
}

/// How many times a unit of work that clashed with a simultaneous one is run again.
const CLASH_RETRIES: u64 = 5;

/// A change being assembled; nothing is written until [`Work::commit`].
#[must_use = "a unit of work writes nothing until it is committed"]
pub struct Work {
    ip: String,
    /// The API token the change comes through (its name), for the audit rows.
    via: Option<String>,
    statements: Vec<String>,
    vars: Map<String, Value>,
    refusals: Vec<ApiError>,
    uniques: Vec<(&'static str, ApiError)>,
    returning: Option<String>,
    bump: bool,
    mail: bool,
}

impl Work {
    /// A change on behalf of the request (its address goes into the audit rows).
    pub fn new(ctx: &RequestCtx) -> Work {
        let mut work = Work::from_address(&ctx.ip);
        work.via = ctx.via();
        work
    }

    /// A change with no request behind it (start-up, workers); `origin` is written as the address.
    pub fn from_address(origin: &str) -> Work {
        Work {
            ip: origin.to_string(),
            via: None,
            statements: Vec::new(),
            vars: Map::new(),
            refusals: Vec::new(),
            uniques: Vec::new(),
            returning: None,
            bump: false,
            mail: false,
        }
    }

    /// Adds a statement. Its variables are bound for it alone: a name another statement
    /// already binds to a different value is renamed in this statement's text.
    pub fn run(&mut self, stmt: Stmt) -> &mut Work {
        let sql = self.bind(stmt.sql, stmt.vars);
        self.statements.push(sql);
        self
    }

    /// Inside the transaction, before what follows: if `condition` holds, nothing is written and
    /// the commit answers `refusal`.
    pub fn refuse_if(&mut self, condition: Stmt, refusal: ApiError) -> &mut Work {
        let n = self.refusals.len();
        self.refusals.push(refusal);
        let cond = self.bind(condition.sql, condition.vars);
        self.statements.push(format!("IF {cond} {{ THROW 'refusal:{n}' }};"));
        self
    }

    /// A unique index that refuses the write is answered with `error` (a field message).
    pub fn on_unique(&mut self, index: &'static str, error: ApiError) -> &mut Work {
        self.uniques.push((index, error));
        self
    }

    /// The audit row of this change, written in the same transaction.
    pub fn audit(&mut self, audit: Audit) -> &mut Work {
        let name = self.fresh("audit");
        let row = audit.row(&self.ip, self.via.as_deref());
        self.vars.insert(name.clone(), row);
        self.statements.push(format!("CREATE audit CONTENT ${name};"));
        self
    }

    /// An audit row written by a statement of the caller's (`write` gets the variable's name,
    /// without `$`), for rows that depend on what the transaction found.
    pub fn audit_with(&mut self, audit: Audit, write: impl FnOnce(&str) -> String) -> &mut Work {
        let name = self.fresh("audit");
        let row = audit.row(&self.ip, self.via.as_deref());
        self.vars.insert(name.clone(), row);
        self.statements.push(write(&name));
        self
    }

    /// The change alters what the access engine reads: every instance rebuilds it.
    pub fn bump_access(&mut self) -> &mut Work {
        self.bump = true;
        self
    }

    /// Queues an email (sent by the mail worker once the transaction commits).
    pub fn queue_mail(&mut self, kind: &str, user: &str, m: &super::mail::OutgoingMail) -> &mut Work {
        self.mail = true;
        let vars = json!({ "mail": {
            "kind": kind, "user": user, "to_name": m.to_name, "to_email": m.to_email, "subject": m.subject,
            "text": m.text, "html": m.html, "links": m.links, "at": now_ms(),
        }});
        self.run(mail_job::queue(vars))
    }

    /// The transaction ends with `RETURN expr`; [`Work::commit_returning`] reads it.
    pub fn returning(&mut self, expr: &str) -> &mut Work {
        self.returning = Some(expr.to_string());
        self
    }

    /// Writes everything in one transaction; wakes the mail worker when mail was queued.
    pub async fn commit(self, state: &AppState) -> Result<Rows, ApiError> {
        let mail = self.mail;
        let rows = self.commit_to(&state.db).await?;
        if mail {
            state.mail_wake.notify_one();
        }
        Ok(rows)
    }

    /// [`Work::commit`], reading the value of [`Work::returning`].
    pub async fn commit_returning<T: serde::de::DeserializeOwned>(self, state: &AppState) -> Result<T, ApiError> {
        #[derive(serde::Deserialize)]
        struct Returned<T> {
            value: T,
        }
        let mut rows = self.commit(state).await?;
        let last = rows.count().saturating_sub(2);
        rows.first::<Returned<T>>(last)?.map(|r| r.value).ok_or_else(|| {
            tracing::error!("a unit of work returned nothing");
            ApiError::Unavailable
        })
    }

    /// [`Work::commit_returning`] on a bare database (no mail); `None` when it returned nothing.
    pub async fn commit_returning_raw<T: serde::de::DeserializeOwned>(self, db: &Db) -> Result<Option<T>, ApiError> {
        #[derive(serde::Deserialize)]
        struct Returned<T> {
            value: Option<T>,
        }
        let mut rows = self.commit_to(db).await?;
        let last = rows.count().saturating_sub(2);
        Ok(rows.first::<Returned<T>>(last)?.and_then(|r| r.value))
    }

    /// The transaction's text and variables; for the database layer and tests.
    pub fn script(&self) -> String {
        let mut script = String::from("BEGIN TRANSACTION;\n");
        for s in &self.statements {
            script.push_str(s);
            script.push('\n');
        }
        if self.bump {
            script.push_str(super::access::BUMP);
            script.push('\n');
        }
        if let Some(expr) = &self.returning {
            // Last: inside a transaction SurrealDB skips what follows a RETURN.
            // Wrapped, so an array comes back as one value rather than as rows.
            script.push_str(&format!("RETURN {{ value: {expr} }};\n"));
        }
        script.push_str("COMMIT TRANSACTION;");
        script
    }

    /// Writes to `db` and answers the database's own error (for migrations, whose operator
    /// reads the cause).
    pub async fn commit_raw(self, db: &Db) -> Result<Rows, DbError> {
        db.query(&self.script(), Value::Object(self.vars)).await
    }

    /// Writes to `db` (no mail wake-up); errors are already the caller's typed answers.
    pub async fn commit_to(self, db: &Db) -> Result<Rows, ApiError> {
        let script = self.script();
        let vars = Value::Object(self.vars);
        // A clash with a simultaneous transaction committed nothing: run it again (its checks
        // then see what the other one wrote), a few times at most.
        let mut attempt = 0u64;
        let result = loop {
            match db.query(&script, vars.clone()).await {
                Err(DbError::Clash(message)) if attempt < CLASH_RETRIES => {
                    attempt += 1;
                    tracing::debug!(%message, attempt, "a unit of work clashed; running it again");
                    // Spread out, so the clashing writers do not meet again at once.
                    let jitter = rand::Rng::gen_range(&mut rand::thread_rng(), 0..10 * attempt);
                    tokio::time::sleep(std::time::Duration::from_millis(5 * attempt + jitter)).await;
                }
                other => break other,
            }
        };
        match result {
            Ok(rows) => Ok(rows),
            Err(DbError::Thrown(message)) => {
                let refusal = message
                    .split("refusal:")
                    .nth(1)
                    .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| self.refusals.into_iter().nth(n));
                Err(refusal.unwrap_or_else(|| {
                    tracing::error!(%message, "unexpected THROW in a unit of work");
                    ApiError::Unavailable
                }))
            }
            Err(DbError::Unique { index }) => match self.uniques.into_iter().find(|(i, _)| *i == index) {
                Some((_, error)) => Err(error),
                None => Err(DbError::Unique { index }.into()),
            },
            Err(other) => Err(other.into()),
        }
    }

    /// A variable name not bound yet, starting with `base`.
    fn fresh(&self, base: &str) -> String {
        let mut n = self.statements.len();
        loop {
            let name = format!("{base}_{n}");
            if !self.vars.contains_key(&name) {
                return name;
            }
            n += 1;
        }
    }

    fn bind(&mut self, mut sql: String, vars: Map<String, Value>) -> String {
        for (name, value) in vars {
            match self.vars.get(&name) {
                None => {
                    self.vars.insert(name, value);
                }
                Some(bound) if *bound == value => {}
                Some(_) => {
                    let renamed = self.fresh(&name);
                    sql = rename_var(&sql, &name, &renamed);
                    self.vars.insert(renamed, value);
                }
            }
        }
        sql
    }
}

/// `sql` with every `$from` (the whole name) written `$to`.
fn rename_var(sql: &str, from: &str, to: &str) -> String {
    let needle = format!("${from}");
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(&needle) {
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        let after = tail.get(needle.len()..).unwrap_or_default();
        let whole = !after.starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if whole {
            out.push('$');
            out.push_str(to);
        } else {
            out.push_str(&needle);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_bound_twice_to_different_values_is_renamed_in_the_later_statement_only() {
        let mut w = Work::from_address("test");
        w.run(Stmt::new("UPDATE type::record('user', $id) SET x = $idx;", json!({ "id": "a", "idx": 1 })));
        w.run(Stmt::new("UPDATE type::record('role', $id) SET y = $id;", json!({ "id": "b" })));
        w.run(Stmt::new("UPDATE type::record('user', $id) SET z = 1;", json!({ "id": "a" })));
        let script = w.script();
        assert!(script.contains("UPDATE type::record('user', $id) SET x = $idx;"), "{script}");
        assert!(script.contains("UPDATE type::record('role', $id_1) SET y = $id_1;"), "{script}");
        assert!(script.contains("UPDATE type::record('user', $id) SET z = 1;"), "{script}");
        assert_eq!(w.vars.get("id_1"), Some(&json!("b")));
        assert!(script.starts_with("BEGIN TRANSACTION;") && script.ends_with("COMMIT TRANSACTION;"));
    }

    #[test]
    fn the_bump_and_the_return_come_last() {
        let mut w = Work::from_address("test");
        w.bump_access().returning("$x").run(Stmt::new("LET $x = 1;", json!({})));
        let script = w.script();
        let bump = script.find("access_version").unwrap_or(0);
        let ret = script.find("RETURN { value: $x").unwrap_or(0);
        assert!(script.find("LET $x").unwrap_or(usize::MAX) < bump && bump < ret, "{script}");
    }

    #[test]
    fn audit_rows_keep_todays_columns() {
        let row = Audit::user(AuditAction::UserBlock, "u1")
            .by(Actor::new("a1", "Ada"))
            .label("nora@example.com")
            .before(json!({ "status": "active" }))
            .row("10.0.0.1", Some("API token “HR sync”"));
        assert_eq!(row["action"], "user.block");
        assert_eq!(row["via"], "API token “HR sync”");
        assert_eq!(row["target_kind"], "user");
        assert_eq!(row["target_id"], "u1");
        assert_eq!(row["actor_name"], "Ada");
        assert_eq!(row["ip"], "10.0.0.1");
        assert!(row.get("companies").is_none());
    }
}
