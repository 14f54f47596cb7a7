//! Migrations: applied once each, recorded, a no-op when run again; a failing one stops with a
//! clear message and leaves nothing of itself behind.

use gatehouse::server::db::{Db, MIGRATIONS};
use gatehouse::server::Settings;
use serde_json::json;

fn disk_settings(dir: &std::path::Path) -> Settings {
    let mut s = Settings::for_tests(dir.join("outbox").to_str().unwrap());
    s.database_url = format!("surrealkv://{}", dir.join("db").display());
    s
}

#[tokio::test]
async fn migrations_apply_once_and_rerunning_is_a_no_op_on_disk() {
    let dir = std::env::temp_dir().join(format!("gatehouse-mig-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let settings = disk_settings(&dir);
    {
        let db = Db::connect(&settings).await.unwrap();
        let applied = db.migrate().await.unwrap();
        assert_eq!(applied, MIGRATIONS.iter().map(|m| m.0).collect::<Vec<_>>());
        db.query("CREATE company:keep SET name = 'Kept', name_key = 'kept', created_at = 1;", json!({})).await.unwrap();
    }
    // Give surrealkv a moment to release its files, then open the same folder again.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let db = Db::connect(&settings).await.unwrap();
    assert_eq!(db.migrate().await.unwrap(), Vec::<u32>::new(), "nothing to apply the second time");
    let rows: Vec<serde_json::Value> =
        db.query("SELECT version, name FROM schema_migration; SELECT name FROM company;", json!({})).await.unwrap().all(1).unwrap();
    assert_eq!(rows, vec![json!({ "name": "Kept" })], "data survives a restart");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_failing_migration_stops_with_a_clear_message_and_applies_nothing() {
    let settings = Settings::for_tests("target/test-outbox");
    let db = Db::connect(&settings).await.unwrap();
    db.migrate().await.unwrap();
    let broken: &[(u32, &str, &str)] = &[(
        9001,
        "broken",
        "DEFINE TABLE probe SCHEMAFULL; DEFINE FIELD n ON probe TYPE int; CREATE probe:one SET n = 'not a number';",
    )];
    let err = db.migrate_with(broken).await.unwrap_err().to_string();
    assert!(err.contains("migration 9001_broken failed"), "{err}");
    assert!(err.contains("nothing of it was applied"), "{err}");
    let recorded: Vec<serde_json::Value> =
        db.query("SELECT * FROM schema_migration WHERE version = 9001;", json!({})).await.unwrap().all(0).unwrap();
    assert!(recorded.is_empty());
    let info: Vec<serde_json::Value> = db.query("INFO FOR DB;", json!({})).await.unwrap().all(0).unwrap();
    assert!(!info[0]["tables"].as_object().unwrap().contains_key("probe"), "the table of the failed migration is gone");
}

/// The unit of work: a refusal checked inside the transaction comes back as the typed error
/// chosen for it, and nothing of the transaction is written; a unique index answers the field
/// message registered for it.
#[tokio::test]
async fn a_unit_of_work_refused_inside_its_transaction_writes_nothing_and_answers_its_own_error() {
    use gatehouse::domain::ApiError;
    use gatehouse::server::store::{Stmt, Work};
    let settings = Settings::for_tests("target/test-outbox");
    let db = Db::connect(&settings).await.unwrap();
    db.migrate().await.unwrap();
    let create = |id: &str, name: &str| {
        Stmt::new(
            "CREATE type::record('company', $id) SET name = $name, name_key = string::lowercase($name), archived = false, created_at = 1;",
            json!({ "id": id, "name": name }),
        )
    };
    let mut work = Work::from_address("test");
    work.run(create("first", "First"))
        .refuse_if(Stmt::new("(SELECT id FROM company WHERE name = $n) != []", json!({ "n": "First" })), ApiError::Conflict("first exists".into()))
        .run(create("second", "Second"));
    assert_eq!(work.commit_to(&db).await.err(), Some(ApiError::Conflict("first exists".into())));
    let names: Vec<serde_json::Value> = db.query("SELECT name FROM company;", json!({})).await.unwrap().all(0).unwrap();
    assert!(names.is_empty(), "nothing of a refused unit of work is written: {names:?}");

    let mut ok = Work::from_address("test");
    ok.run(create("first", "First"));
    assert!(ok.commit_to(&db).await.is_ok());
    let mut clash = Work::from_address("test");
    clash.on_unique("company_name_key", ApiError::field("name", "taken")).run(create("other", "FIRST"));
    assert_eq!(clash.commit_to(&db).await.err(), Some(ApiError::field("name", "taken")));
}

/// The workers' queries (due offboardings, due check-ins, ends to remind of) read an index
/// range, not the whole table: what `EXPLAIN` says of each.
#[tokio::test]
async fn the_workers_find_what_is_due_through_an_index() {
    let app = crate::helpers::spawn_app().await;
    app.set_up().await;
    for (sql, index) in [
        (gatehouse::server::offboarding::DUE_QUERY, "user_leave_at"),
        (gatehouse::server::welcome::DUE_QUERY, "user_activated_at"),
        (gatehouse::server::reminders::GRANTS_QUERY, "grant_ends_at"),
        (gatehouse::server::reminders::WINDOWS_QUERY, "access_window_ends_at"),
    ] {
        let explain = format!("{} EXPLAIN;", sql.trim_end().trim_end_matches(';'));
        let vars = serde_json::json!({ "now": 1_000, "before": 2_000, "since": 1_000, "horizon": 2_000, "limit": 50 });
        let plan: Vec<serde_json::Value> = app.state.db.query(&explain, vars).await.unwrap().all(0).unwrap();
        let text = serde_json::to_string(&plan).unwrap();
        assert!(text.contains(index), "{sql}\n{text}");
    }
}
