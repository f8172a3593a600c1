//! Sessions and their rotating refresh tokens.
//!
//! A login starts a session and hands out a refresh token. Each refresh marks
//! the presented token used and issues the next one. Presenting a used token
//! again means it was copied: the whole session is revoked.

use crate::{now_secs, AuthError, Role, Tokens};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use datacoop_api::auth::TokenPair;
use datacoop_store::schema::{refresh_tokens, sessions};
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use ring::rand::{SecureRandom, SystemRandom};
use uuid::Uuid;

/// A stored session, as listed to its owner.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// Session id (as text).
    pub id: String,
    /// The account.
    pub subject: String,
    /// The role the session acts in.
    pub role: String,
    /// A label the client chose (device name).
    pub label: Option<String>,
    /// Started, epoch seconds.
    pub created_at: i64,
    /// Last refresh, epoch seconds.
    pub last_used_at: i64,
    /// Ends if not refreshed by then, epoch seconds.
    pub expires_at: i64,
    /// Revoked at, if revoked.
    pub revoked_at: Option<i64>,
}

#[derive(Insertable)]
#[diesel(table_name = refresh_tokens)]
struct NewRefreshToken<'a> {
    token_hash: &'a [u8],
    session_id: &'a str,
    issued_at: i64,
    expires_at: i64,
}

fn new_refresh_token() -> Result<(String, Vec<u8>), AuthError> {
    let mut raw = [0u8; 32];
    SystemRandom::new()
        .fill(&mut raw)
        .map_err(|_| AuthError::Secret("the system random source failed".into()))?;
    let text = URL_SAFE_NO_PAD.encode(raw);
    let hash = hash_token(&text);
    Ok((text, hash))
}

fn hash_token(text: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, text.as_bytes())
        .as_ref()
        .to_vec()
}

fn insert_refresh(
    conn: &mut DbConn,
    session_id: &str,
    hash: &[u8],
    now: i64,
    ttl: i64,
) -> QueryResult<usize> {
    diesel::insert_into(refresh_tokens::table)
        .values(NewRefreshToken {
            token_hash: hash,
            session_id,
            issued_at: now,
            expires_at: now + ttl,
        })
        .execute(conn)
}

fn pair(
    tokens: &Tokens,
    subject: Uuid,
    role: Role,
    session: Uuid,
    refresh: String,
) -> Result<TokenPair, AuthError> {
    let (access_token, _) = tokens.issue(subject, role, session)?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer".into(),
        expires_in: tokens.settings().access_ttl_secs,
        refresh_token: refresh,
        refresh_expires_in: tokens.settings().refresh_ttl_secs,
    })
}

/// Starts a session for an authenticated account and returns its first tokens.
pub async fn start(
    db: &Db,
    tokens: &Tokens,
    subject: Uuid,
    role: Role,
    label: Option<String>,
) -> Result<TokenPair, AuthError> {
    let new = NewSession::new(tokens, subject, role, label)?;
    let (session, refresh) = (new.id, new.refresh.clone());
    db.write(move |conn| new.insert(conn)).await?;
    pair(tokens, subject, role, session, refresh)
}

/// Like [`start`], in a grouped write that also hands `then` (e.g. the
/// login's access-log entries) to the group's finisher: the session and
/// its log entry commit together or not at all.
pub async fn start_then<X: Send + 'static>(
    db: &Db,
    tokens: &Tokens,
    subject: Uuid,
    role: Role,
    label: Option<String>,
    then: X,
) -> Result<TokenPair, AuthError> {
    let new = NewSession::new(tokens, subject, role, label)?;
    let (session, refresh) = (new.id, new.refresh.clone());
    db.write_grouped_then(move |conn| new.insert(conn).map(|()| ((), then)))
        .await?;
    pair(tokens, subject, role, session, refresh)
}

struct NewSession {
    id: Uuid,
    subject: Uuid,
    role: Role,
    label: Option<String>,
    refresh: String,
    hash: Vec<u8>,
    ttl: i64,
    now: i64,
}

impl NewSession {
    fn new(
        tokens: &Tokens,
        subject: Uuid,
        role: Role,
        label: Option<String>,
    ) -> Result<Self, AuthError> {
        let (refresh, hash) = new_refresh_token()?;
        Ok(NewSession {
            id: Uuid::now_v7(),
            subject,
            role,
            label,
            refresh,
            hash,
            ttl: tokens.settings().refresh_ttl_secs as i64,
            now: now_secs(),
        })
    }

    fn insert(self, conn: &mut DbConn) -> Result<(), AuthError> {
        let id = self.id.to_string();
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(&id),
                sessions::subject.eq(self.subject.to_string()),
                sessions::role.eq(self.role.as_str()),
                sessions::label.eq(self.label),
                sessions::created_at.eq(self.now),
                sessions::last_used_at.eq(self.now),
                sessions::expires_at.eq(self.now + self.ttl),
            ))
            .execute(conn)?;
        insert_refresh(conn, &id, &self.hash, self.now, self.ttl)?;
        Ok(())
    }
}

enum Rotation {
    Rotated(Uuid, Role, Uuid),
    Reused,
    Invalid,
}

/// Exchanges a refresh token for a new pair, rotating it.
pub async fn refresh(db: &Db, tokens: &Tokens, presented: &str) -> Result<TokenPair, AuthError> {
    let old_hash = hash_token(presented);
    let (next, next_hash) = new_refresh_token()?;
    let ttl = tokens.settings().refresh_ttl_secs as i64;
    let now = now_secs();
    let outcome = db
        .write(move |conn| -> Result<Rotation, AuthError> {
            let found: Option<(String, i64, Option<i64>)> = refresh_tokens::table
                .find(&old_hash)
                .select((
                    refresh_tokens::session_id,
                    refresh_tokens::expires_at,
                    refresh_tokens::used_at,
                ))
                .get_result(conn)
                .optional()?;
            let Some((sid, expires_at, used_at)) = found else {
                return Ok(Rotation::Invalid);
            };
            if used_at.is_some() {
                revoke_where(conn, &sid, now)?;
                return Ok(Rotation::Reused);
            }
            let session: Option<Session> = sessions::table
                .find(&sid)
                .select(Session::as_select())
                .get_result(conn)
                .optional()?;
            let Some(session) = session else {
                return Ok(Rotation::Invalid);
            };
            let parsed = parse_session(&session);
            let (Some((subject, role, session_id)), None, true) =
                (parsed, session.revoked_at, expires_at > now)
            else {
                return Ok(Rotation::Invalid);
            };
            // Spend the token only if no concurrent refresh spent it since
            // it was read (PostgreSQL runs them side by side): the loser of
            // that race is a second use of one token, i.e. reuse.
            let spent = diesel::update(
                refresh_tokens::table
                    .find(&old_hash)
                    .filter(refresh_tokens::used_at.is_null()),
            )
            .set(refresh_tokens::used_at.eq(now))
            .execute(conn)?;
            if spent != 1 {
                revoke_where(conn, &sid, now)?;
                return Ok(Rotation::Reused);
            }
            insert_refresh(conn, &sid, &next_hash, now, ttl)?;
            diesel::update(sessions::table.find(&sid))
                .set((
                    sessions::last_used_at.eq(now),
                    sessions::expires_at.eq(now + ttl),
                ))
                .execute(conn)?;
            Ok(Rotation::Rotated(subject, role, session_id))
        })
        .await?;
    match outcome {
        Rotation::Rotated(subject, role, session) => pair(tokens, subject, role, session, next),
        Rotation::Reused => {
            tracing::warn!("refresh token reuse detected; session revoked");
            Err(AuthError::RefreshReused)
        }
        Rotation::Invalid => Err(AuthError::InvalidRefresh),
    }
}

fn parse_session(s: &Session) -> Option<(Uuid, Role, Uuid)> {
    let role = match s.role.as_str() {
        "member" => Role::Member,
        "researcher" => Role::Researcher,
        "steward" => Role::Steward,
        _ => return None,
    };
    Some((s.subject.parse().ok()?, role, s.id.parse().ok()?))
}

/// Revokes a session and deletes its refresh tokens. Tokens first, then the
/// session: the same lock order as a rotation (token, then session), so a
/// revocation racing a rotation on PostgreSQL waits instead of deadlocking.
fn revoke_where(conn: &mut DbConn, sid: &str, now: i64) -> QueryResult<usize> {
    let deleted = diesel::delete(refresh_tokens::table.filter(refresh_tokens::session_id.eq(sid)))
        .execute(conn)?;
    diesel::update(
        sessions::table
            .find(sid)
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(deleted)
}

/// Revokes the session a refresh token belongs to (logout). Unknown tokens
/// are not an error: logging out twice is harmless.
pub async fn revoke_by_refresh(db: &Db, presented: &str) -> Result<(), AuthError> {
    let hash = hash_token(presented);
    let now = now_secs();
    db.write(move |conn| -> Result<(), AuthError> {
        let sid: Option<String> = refresh_tokens::table
            .find(&hash)
            .select(refresh_tokens::session_id)
            .get_result(conn)
            .optional()?;
        if let Some(sid) = sid {
            revoke_where(conn, &sid, now)?;
        }
        Ok(())
    })
    .await
}

/// Revokes one of a subject's sessions; false if the subject has no such session.
pub async fn revoke(db: &Db, subject: Uuid, session: Uuid) -> Result<bool, AuthError> {
    let now = now_secs();
    db.write(move |conn| -> Result<bool, AuthError> {
        let owned = sessions::table
            .find(session.to_string())
            .filter(sessions::subject.eq(subject.to_string()))
            .count()
            .get_result::<i64>(conn)?;
        if owned == 0 {
            return Ok(false);
        }
        revoke_where(conn, &session.to_string(), now)?;
        Ok(true)
    })
    .await
}

/// The subject's sessions that are still live, newest first.
pub async fn list(db: &Db, subject: Uuid) -> Result<Vec<Session>, AuthError> {
    let now = now_secs();
    db.read(move |conn| -> Result<Vec<Session>, AuthError> {
        Ok(sessions::table
            .filter(sessions::subject.eq(subject.to_string()))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .order(sessions::created_at.desc())
            .select(Session::as_select())
            .load(conn)?)
    })
    .await
}

/// Revokes every live session of `subject` except `keep`, inside the caller's
/// transaction (passphrase change, recovery); returns how many were revoked.
pub fn revoke_all_in(conn: &mut DbConn, subject: Uuid, keep: Option<Uuid>) -> QueryResult<usize> {
    let now = now_secs();
    let keep = keep.map(|k| k.to_string()).unwrap_or_default();
    let live: Vec<String> = sessions::table
        .filter(sessions::subject.eq(subject.to_string()))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::id.ne(&keep))
        .select(sessions::id)
        .load(conn)?;
    for sid in &live {
        revoke_where(conn, sid, now)?;
    }
    Ok(live.len())
}

/// Erasure: deletes every session and refresh token of `subject`, inside the
/// caller's transaction; returns how many sessions there were.
pub fn erase_member(conn: &mut DbConn, subject: Uuid) -> QueryResult<usize> {
    let ids: Vec<String> = sessions::table
        .filter(sessions::subject.eq(subject.to_string()))
        .select(sessions::id)
        .load(conn)?;
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::session_id.eq_any(&ids)))
        .execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::subject.eq(subject.to_string()))).execute(conn)
}
