//! Credentials and sessions: argon2id password hashes (computed off the async workers), opaque
//! session tokens of which only a SHA-256 is stored, and the sign-in throttle.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::db::{Db, DbError};
use super::time::now_ms;
use crate::domain::{ApiError, AuthMethod, Me, UserId};

pub const SESSION_COOKIE: &str = "gh_session";
/// Over https the cookie carries the `__Host-` prefix: the browser then only accepts it from
/// this very host, with `Secure` and `Path=/`, so no sibling subdomain can plant a session.
pub const SECURE_SESSION_COOKIE: &str = "__Host-gh_session";

pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// OWASP's minimum for argon2id: 19 MiB of memory, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    // These are argon2's own defaults too, which stand in should the constructor ever refuse.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// At most this many argon2 computations run at once (one per core): each takes 19 MiB and a
/// core for tens of milliseconds, so a flood of sign-ins waits its turn instead of taking the
/// server's memory. A request that cannot start within [`ARGON2_QUEUE_WAIT`] is answered 503.
fn argon2_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)))
}

pub const ARGON2_QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

async fn argon2_turn() -> Result<tokio::sync::SemaphorePermit<'static>, ApiError> {
    match tokio::time::timeout(ARGON2_QUEUE_WAIT, argon2_permits().acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => {
            tracing::warn!("password checks are queued beyond their deadline; answering busy");
            Err(ApiError::Unavailable)
        }
    }
}

/// Hashes a password on a blocking thread (argon2 takes tens of milliseconds by design).
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    let _turn = argon2_turn().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| internal("password hashing task", e))?
    .map_err(|e| internal("password hashing", e))
}

/// A hash of a password nobody knows, verified against when the account does not exist, so
/// that the answer takes as long for an unknown email as for a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut secret = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        // Should hashing ever fail, a string that is no hash verifies nothing, which is the point.
        argon2().hash_password(&secret, &salt).map(|h| h.to_string()).unwrap_or_else(|_| "$argon2id$invalid".into())
    })
}

/// Checks a password against a stored hash, or against the dummy hash when there is none.
pub async fn verify_password(stored: Option<String>, password: String) -> Result<bool, ApiError> {
    let known = stored.is_some();
    let _turn = argon2_turn().await?;
    let result = tokio::task::spawn_blocking(move || {
        let hash = stored.unwrap_or_else(|| dummy_hash().to_string());
        match PasswordHash::new(&hash) {
            Ok(parsed) => verify_in_pooled_memory(password.as_bytes(), &parsed),
            Err(_) => false,
        }
    })
    .await
    .unwrap_or(false);
    Ok(known && result)
}

/// argon2's working memory (19 MiB per computation), kept for the next check instead of freed:
/// at most one set per permit exists, so the memory password checks take stays fixed. A fresh
/// 19 MiB buffer per check on whichever blocking thread ran it stayed with that thread's
/// allocator arena, and a flood of sign-ins grew the process by hundreds of MiB.
fn with_pooled_blocks<R>(count: usize, work: impl FnOnce(&mut [argon2::Block]) -> R) -> R {
    static POOL: std::sync::Mutex<Vec<Vec<argon2::Block>>> = std::sync::Mutex::new(Vec::new());
    let mut blocks = POOL.lock().ok().and_then(|mut pool| pool.pop()).unwrap_or_default();
    blocks.resize(count, argon2::Block::default());
    let result = work(&mut blocks);
    if let Ok(mut pool) = POOL.lock() {
        pool.push(blocks);
    }
    result
}

/// What `PasswordVerifier::verify_password` does (the hash's own algorithm, version, parameters
/// and salt; a constant-time comparison), computed in pooled memory.
fn verify_in_pooled_memory(password: &[u8], hash: &PasswordHash) -> bool {
    let (Ok(params), Ok(algorithm)) = (Params::try_from(hash), Algorithm::try_from(hash.algorithm)) else { return false };
    let version = match hash.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = with_pooled_blocks(argon2.params().block_count(), |blocks| argon2.hash_password_into_with_memory(password, salt, &mut out, blocks));
    computed.is_ok() && argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
}

/// Warms the dummy hash at start-up so the first unknown-email sign-in is not faster.
pub fn warm_up() {
    std::thread::spawn(|| {
        let _ = dummy_hash();
    });
}

/// A new random token (256 bits, hex) and the digest that is stored in its place.
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let raw = hex(&bytes);
    let digest = token_digest(&raw);
    (raw, digest)
}

pub fn token_digest(raw: &str) -> String {
    hex(&Sha256::digest(raw.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn internal(what: &str, e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "{what} failed");
    ApiError::Unavailable
}

/// The signed-in user behind a request, as the server checks it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub session_id: String,
    pub user_id: UserId,
    pub full_name: String,
    pub email: String,
    pub role_name: String,
    pub full_admin: bool,
    /// Signed in with a temporary password: nothing but choosing a new one is allowed.
    pub must_change_password: bool,
    /// "View as": the administrator (id, name) whose session shows the console as this user,
    /// read-only. Every decision is this user's; nothing may be changed.
    pub viewed_by: Option<(String, String)>,
    /// How the session was signed in, and when its user last proved who they are (sign-in or
    /// a confirmation since): sensitive changes need that to be recent (step-up).
    pub auth_method: AuthMethod,
    pub authenticated_at: i64,
    /// The password was right; the second factor is still to come. Nothing but finishing the
    /// sign-in (or signing out) is allowed.
    pub second_factor_pending: bool,
    /// A second factor is required (by the role or the installation) and not set up yet.
    pub must_enrol: bool,
}

/// How recent a sign-in or confirmation must be for a sensitive change (step-up).
pub const FRESH_AUTH_MS: i64 = 10 * 60_000;
/// A password-only session waiting for its second factor lasts this long at most.
pub const PENDING_SESSION_MS: i64 = 10 * 60_000;

impl Principal {
    pub fn me(&self) -> Me {
        Me {
            id: self.user_id.to_string(),
            full_name: self.full_name.clone(),
            email: self.email.clone(),
            role: self.role_name.clone(),
            full_admin: self.full_admin,
            modules: Vec::new(),
            can: Vec::new(),
            must_change_password: self.must_change_password,
            viewed_by: self.viewed_by.as_ref().map(|(_, name)| name.clone()),
            second_factor_pending: self.second_factor_pending,
            must_enrol: self.must_enrol,
        }
    }

    /// Whether the user proved who they are within [`FRESH_AUTH_MS`].
    pub fn freshly_authenticated(&self) -> bool {
        now_ms() - self.authenticated_at <= FRESH_AUTH_MS
    }
}

/// The session token in a `Cookie` header, if any.
pub fn token_from_headers(headers: &axum::http::HeaderMap, secure: bool) -> Option<String> {
    let wanted = cookie_name(secure);
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub struct SessionPolicy {
    pub idle_ms: i64,
    pub absolute_ms: i64,
}

/// How a new session starts: the method that signed it in, and whether a second factor is
/// still to come (then it lasts [`PENDING_SESSION_MS`] at most).
#[derive(Debug, Clone, Copy)]
pub struct SessionStart {
    pub method: AuthMethod,
    pub second_factor_pending: bool,
}

/// Starts a session for a user: a fresh token every time (never reuse one across sign-ins).
/// Returns the raw token for the cookie.
pub async fn create_session(
    db: &Db,
    user_id: &str,
    policy: &SessionPolicy,
    ip: Option<&str>,
    user_agent: Option<&str>,
    start: SessionStart,
) -> Result<String, DbError> {
    let (raw, digest) = new_token();
    let now = now_ms();
    let lasts = if start.second_factor_pending { policy.absolute_ms.min(PENDING_SESSION_MS) } else { policy.absolute_ms };
    db.query(
        "CREATE session SET token_hash = $digest, user = type::record('user', $user), created_at = $now,
            last_seen_at = $now, expires_at = $expires, ip = $ip, user_agent = $ua,
            auth_method = $method, authenticated_at = $now, second_factor_pending = $pending;",
        json!({
            "digest": digest, "user": user_id, "now": now, "expires": now + lasts,
            "ip": ip, "ua": user_agent.map(|s| s.chars().take(300).collect::<String>()),
            "method": start.method.as_str(), "pending": start.second_factor_pending,
        }),
    )
    .await?;
    Ok(raw)
}

#[derive(Deserialize)]
struct SessionRow {
    sid: String,
    last_seen_at: i64,
    expires_at: i64,
    uid: String,
    full_name: String,
    email: String,
    status: String,
    role_name: Option<String>,
    admin: bool,
    #[serde(default)]
    must_change: Option<bool>,
    #[serde(default)]
    viewed: Option<ViewedRow>,
    #[serde(default)]
    auth_method: Option<String>,
    #[serde(default)]
    authenticated_at: Option<i64>,
    #[serde(default)]
    pending: Option<bool>,
    #[serde(default)]
    sf_required: Option<bool>,
    #[serde(default)]
    sf_enrolled: Option<bool>,
}

/// The user an administrator's session is viewing the console as.
#[derive(Deserialize)]
struct ViewedRow {
    uid: String,
    full_name: String,
    email: String,
    role_name: Option<String>,
    admin: bool,
    status: String,
}

/// Resolves a raw token to its user, enforcing the idle and absolute timeouts and the user's
/// status. An expired session is deleted on the spot.
pub async fn resolve_session(db: &Db, raw: &str, policy: &SessionPolicy) -> Result<Option<Principal>, DbError> {
    let digest = token_digest(raw);
    let row: Option<SessionRow> = db
        .query(
            "SELECT record::id(id) AS sid, last_seen_at, expires_at, record::id(user) AS uid,
                user.full_name AS full_name, user.email AS email, user.status AS status,
                user.role.name AS role_name,
                (profile:administrator IN user.role.profiles) AS admin,
                user.must_change_password AS must_change,
                auth_method, authenticated_at ?? created_at AS authenticated_at, second_factor_pending AS pending,
                (user.role.requires_second_factor ?? false) OR (setting:security.value.require_second_factor ?? false) AS sf_required,
                user.second_factor != NONE AS sf_enrolled,
                IF view_as { {
                    uid: record::id(view_as), full_name: view_as.full_name, email: view_as.email,
                    role_name: view_as.role.name, admin: profile:administrator IN view_as.role.profiles, status: view_as.status
                } } ELSE { NONE } AS viewed
             FROM session WHERE token_hash = $digest LIMIT 1;",
            json!({ "digest": digest }),
        )
        .await?
        .first(0)?;
    let Some(row) = row else { return Ok(None) };
    let now = now_ms();
    if now >= row.expires_at || now - row.last_seen_at >= policy.idle_ms || row.status != "active" {
        db.query("DELETE type::record('session', $sid);", json!({ "sid": row.sid })).await?;
        return Ok(None);
    }
    // Sliding idle timeout; written at most once a minute per session.
    if now - row.last_seen_at > 60_000 {
        db.query("UPDATE type::record('session', $sid) SET last_seen_at = $now;", json!({ "sid": row.sid, "now": now }))
            .await?;
    }
    let must_change_password = row.must_change.unwrap_or(false);
    let auth_method = AuthMethod::parse(row.auth_method.as_deref().unwrap_or_default());
    let authenticated_at = row.authenticated_at.unwrap_or(0);
    let second_factor_pending = row.pending.unwrap_or(false);
    let must_enrol = row.sf_required.unwrap_or(false) && !row.sf_enrolled.unwrap_or(false);
    // Viewing as someone: every decision is that user's; the administrator is kept aside.
    // Only while the session's own user is still an active full administrator.
    let still_admin = row.admin && row.status == "active";
    if let Some(v) = row.viewed.filter(|_| still_admin) {
        return Ok(Some(Principal {
            session_id: row.sid,
            user_id: UserId::new(v.uid),
            full_name: v.full_name,
            email: v.email,
            role_name: v.role_name.unwrap_or_default(),
            full_admin: v.admin && v.status == "active",
            must_change_password,
            viewed_by: Some((row.uid, row.full_name)),
            auth_method,
            authenticated_at,
            second_factor_pending,
            must_enrol,
        }));
    }
    Ok(Some(Principal {
        session_id: row.sid,
        user_id: UserId::new(row.uid),
        full_name: row.full_name,
        email: row.email,
        role_name: row.role_name.unwrap_or_default(),
        full_admin: row.admin && row.status == "active",
        must_change_password,
        viewed_by: None,
        auth_method,
        authenticated_at,
        second_factor_pending,
        must_enrol,
    }))
}

pub async fn delete_session(db: &Db, session_id: &str) -> Result<(), DbError> {
    db.query("DELETE type::record('session', $sid);", json!({ "sid": session_id })).await?;
    Ok(())
}

/// The `Set-Cookie` value that stores a session token.
pub fn session_cookie(raw: &str, max_age_secs: u64, secure: bool) -> String {
    format!(
        "{}={raw}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    )
}

/// Keycloak-style brute-force protection, per (email, client address): the first
/// `FREE_FAILURES - 1` failures cost nothing; from then on each failure locks that pair for a
/// wait that doubles, capped at `MAX_WAIT_MS`. A stranger elsewhere cannot lock the owner out,
/// and no lock lasts longer than the cap. Unknown emails are throttled exactly like known ones.
pub mod throttle {
    use super::*;

    pub const FREE_FAILURES: i64 = 3;
    pub const FIRST_WAIT_MS: i64 = 5_000;
    pub const MAX_WAIT_MS: i64 = 15 * 60_000;
    /// Failures older than this are forgotten.
    pub const RESET_AFTER_MS: i64 = 12 * 3600_000;

    pub fn key(email_key: &str, ip: &str) -> String {
        token_digest(&format!("{email_key}|{ip}"))
    }

    pub fn wait_after(failures: i64) -> i64 {
        if failures < FREE_FAILURES {
            return 0;
        }
        let doublings = (failures - FREE_FAILURES).min(20) as u32;
        (FIRST_WAIT_MS.saturating_mul(1i64 << doublings)).min(MAX_WAIT_MS)
    }

    #[derive(Deserialize)]
    struct Row {
        failures: i64,
        last_failure_at: i64,
        locked_until: i64,
    }

    /// Milliseconds left before this pair may try again (0 when it may try now).
    pub async fn locked_for(db: &Db, key: &str) -> Result<i64, DbError> {
        let row: Option<Row> = db
            .query("SELECT failures, last_failure_at, locked_until FROM type::record('login_throttle', $k);", json!({ "k": key }))
            .await?
            .first(0)?;
        let now = now_ms();
        Ok(row.map(|r| (r.locked_until - now).max(0)).unwrap_or(0))
    }

    /// Records a failure and returns the new wait in milliseconds.
    pub async fn record_failure(db: &Db, key: &str) -> Result<i64, DbError> {
        let now = now_ms();
        let row: Option<Row> = db
            .query("SELECT failures, last_failure_at, locked_until FROM type::record('login_throttle', $k);", json!({ "k": key }))
            .await?
            .first(0)?;
        let failures = match row {
            Some(r) if now - r.last_failure_at < RESET_AFTER_MS => r.failures + 1,
            _ => 1,
        };
        let wait = wait_after(failures);
        db.query(
            "UPSERT type::record('login_throttle', $k) SET failures = $f, last_failure_at = $now, locked_until = $until;",
            json!({ "k": key, "f": failures, "now": now, "until": now + wait }),
        )
        .await?;
        Ok(wait)
    }

    /// Counts this attempt before its password is checked, atomically, and says whether an
    /// earlier attempt already locked the pair: concurrent attempts are counted one after the
    /// other, so a burst locks like a sequence would. Returns the wait (0: go on and check).
    pub async fn reserve(db: &Db, key: &str) -> Result<i64, ApiError> {
        #[derive(Deserialize)]
        struct Before {
            failures: i64,
            last_failure_at: i64,
            locked_until: i64,
        }
        let now = now_ms();
        let mut work = crate::server::store::Work::from_address("throttle");
        work.run(crate::server::store::Stmt::new(
            "LET $row = (SELECT failures, last_failure_at, locked_until FROM type::record('login_throttle', $k))[0];
             LET $fresh = $row != NONE AND $row.last_failure_at > $now - $reset;
             UPSERT type::record('login_throttle', $k) SET failures = IF $fresh { $row.failures + 1 } ELSE { 1 },
                last_failure_at = $now, locked_until = IF $row != NONE { $row.locked_until } ELSE { 0 };",
            json!({ "k": key, "now": now, "reset": RESET_AFTER_MS }),
        ))
        .returning("(IF $fresh { $row } ELSE { NONE })");
        // A clash with a simultaneous attempt on the same pair is a refusal, never a pass.
        let before: Option<Before> = work.commit_returning_raw(db).await.map_err(|_| too_busy())?;
        let Some(b) = before else { return Ok(0) };
        let locked = b.locked_until.max(b.last_failure_at + wait_after(b.failures));
        let wait = (locked - now).max(0);
        if wait > 0 {
            lock(db, key, now + wait_after(b.failures + 1)).await?;
        }
        Ok(wait)
    }

    /// Refuses (429) while the key is locked; otherwise counts this attempt before it is checked
    /// (see [`reserve`]).
    pub async fn take_turn(db: &Db, key: &str) -> Result<(), ApiError> {
        let mut wait = locked_for(db, key).await?;
        if wait == 0 {
            wait = reserve(db, key).await?;
        }
        if wait > 0 {
            return Err(crate::server::services::too_many(wait));
        }
        Ok(())
    }

    /// After a reserved attempt failed: the pair waits as its count says.
    pub async fn failed(db: &Db, key: &str) -> Result<i64, DbError> {
        #[derive(Deserialize)]
        struct Count {
            failures: i64,
        }
        let now = now_ms();
        let n = db
            .query("SELECT failures FROM type::record('login_throttle', $k);", json!({ "k": key }))
            .await?
            .first::<Count>(0)?
            .map(|c| c.failures)
            .unwrap_or(1);
        let wait = wait_after(n);
        lock(db, key, now + wait).await?;
        Ok(wait)
    }

    /// Moves the pair's lock to `until` (never earlier). A write clashing with a simultaneous
    /// attempt is tried again; if it still clashes the count, already taken, keeps the pair
    /// locked all the same (see [`reserve`]).
    async fn lock(db: &Db, key: &str, until: i64) -> Result<(), DbError> {
        for attempt in 0..3u64 {
            let done = db
                .query(
                    "UPDATE type::record('login_throttle', $k) SET locked_until = IF locked_until < $until { $until } ELSE { locked_until };",
                    json!({ "k": key, "until": until }),
                )
                .await;
            match done {
                Ok(_) => return Ok(()),
                Err(e) => {
                    tracing::debug!(error = %e, attempt, "throttle lock clashed; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(10 * (attempt + 1))).await;
                }
            }
        }
        tracing::warn!("throttle lock not moved after three clashes; the count still locks the pair");
        Ok(())
    }

    /// Counts one more event for `key` in a window of `window_ms` and says whether it stays
    /// within `max` (for limits on requests that are not guesses: reset links asked for).
    pub async fn within(db: &Db, key: &str, max: i64, window_ms: i64) -> Result<bool, ApiError> {
        let now = now_ms();
        let mut work = crate::server::store::Work::from_address("throttle");
        work.run(crate::server::store::Stmt::new(
            "LET $row = (SELECT failures, last_failure_at FROM type::record('login_throttle', $k))[0];
             LET $n = IF $row != NONE AND $row.last_failure_at > $now - $window { $row.failures + 1 } ELSE { 1 };
             UPSERT type::record('login_throttle', $k) SET failures = $n,
                last_failure_at = IF $n = 1 { $now } ELSE { $row.last_failure_at }, locked_until = 0;",
            json!({ "k": key, "now": now, "window": window_ms }),
        ))
        .returning("$n");
        let n: Option<i64> = work.commit_returning_raw(db).await.map_err(|_| too_busy())?;
        Ok(n.unwrap_or(1) <= max)
    }

    fn too_busy() -> ApiError {
        ApiError::TooManyAttempts { message: "too many attempts at once for this account; wait a moment and try again".into(), retry_after_secs: 5 }
    }

    /// Forgets the key's failures after a success. A clash with a simultaneous attempt on the
    /// same key is tried again; should it persist, the success stands all the same (the count
    /// is left as it was, which only ever errs towards caution).
    pub async fn clear(db: &Db, key: &str) -> Result<(), DbError> {
        for attempt in 0..3u64 {
            match db.query("DELETE type::record('login_throttle', $k);", json!({ "k": key })).await {
                Ok(_) => return Ok(()),
                Err(DbError::Clash(message)) => {
                    tracing::debug!(%message, attempt, "clearing a throttle clashed; trying again");
                    tokio::time::sleep(std::time::Duration::from_millis(10 * (attempt + 1))).await;
                }
                Err(other) => return Err(other),
            }
        }
        tracing::warn!("a throttle was not cleared after three clashes; its count stays");
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn waits_grow_then_stop_growing() {
            assert_eq!(wait_after(1), 0);
            assert_eq!(wait_after(2), 0);
            assert_eq!(wait_after(3), 5_000);
            assert_eq!(wait_after(4), 10_000);
            assert_eq!(wait_after(5), 20_000);
            assert_eq!(wait_after(30), MAX_WAIT_MS);
            assert_eq!(wait_after(10_000), MAX_WAIT_MS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_as_digests() {
        let (a, da) = new_token();
        let (b, _) = new_token();
        assert_eq!(a.len(), 64, "256 bits in hex");
        assert_ne!(a, b);
        assert_eq!(da, token_digest(&a));
        assert_ne!(da, a);
    }

    #[test]
    fn cookie_token_is_read_only_when_well_formed() {
        let mut h = axum::http::HeaderMap::new();
        let tok = "a".repeat(64);
        h.insert("cookie", format!("x=1; {SESSION_COOKIE}={tok}; y=2").parse().unwrap());
        assert_eq!(token_from_headers(&h, false), Some(tok.clone()));
        assert_eq!(token_from_headers(&h, true), None, "over https only the __Host- cookie counts");
        h.insert("cookie", format!("{SECURE_SESSION_COOKIE}={tok}").parse().unwrap());
        assert_eq!(token_from_headers(&h, true), Some(tok));
        h.insert("cookie", format!("{SESSION_COOKIE}=short").parse().unwrap());
        assert_eq!(token_from_headers(&h, false), None);
    }

    #[test]
    fn cookie_attributes() {
        let c = session_cookie("abc", 60, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Secure"));
        assert!(!session_cookie("abc", 60, false).contains("Secure"));
        assert!(c.starts_with("__Host-gh_session=abc; Path=/;"), "{c}");
        assert!(session_cookie("abc", 60, false).starts_with("gh_session=abc;"));
    }

    #[tokio::test]
    async fn argon2id_hashes_verify_and_unknown_accounts_fail() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(verify_password(Some(h.clone()), "correct horse battery".into()).await, Ok(true));
        assert_eq!(verify_password(Some(h), "wrong horse battery".into()).await, Ok(false));
        assert_eq!(verify_password(None, "anything at all".into()).await, Ok(false));
    }

    #[test]
    fn pooled_verification_agrees_with_the_library_for_other_parameters_too() {
        use argon2::password_hash::PasswordVerifier;
        // Hashes made with other settings (an older cost, argon2i, v0x10) still verify, and the
        // same pooled memory serves them one after another whatever their size.
        for (algorithm, version, m, t) in [(Algorithm::Argon2id, Version::V0x13, 8 * 1024, 1), (Algorithm::Argon2i, Version::V0x10, 4096, 3), (Algorithm::Argon2id, Version::V0x13, 19 * 1024, 2)] {
            let a = Argon2::new(algorithm, version, Params::new(m, t, 1, None).unwrap());
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            let stored = a.hash_password(b"tall ships sail home", &salt).unwrap().to_string();
            let parsed = PasswordHash::new(&stored).unwrap();
            assert!(a.verify_password(b"tall ships sail home", &parsed).is_ok());
            assert!(verify_in_pooled_memory(b"tall ships sail home", &parsed), "{stored}");
            assert!(!verify_in_pooled_memory(b"tall ships sail away", &parsed), "{stored}");
        }
    }
}
