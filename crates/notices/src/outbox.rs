//! The outbox table: queued in the transaction of the event, claimed by one sender at a
//! time under a lease, marked sent, retried with backoff, or given up on.

use crate::NoticeError;
use datacoop_store::schema::notice_outbox as o;
use datacoop_store::DbConn;
use diesel::prelude::*;
use uuid::Uuid;

/// One message to one recipient, about one topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What it is about (`convened:<assembly>`): one notice per topic and recipient,
    /// so queuing the same notice twice (a retried request, a second replica) is harmless.
    pub topic: String,
    /// The recipient's e-mail address.
    pub recipient: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

/// A queued notice as a sender takes it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Queued {
    /// The row id: the Message-ID's local part, the same on every attempt.
    pub id: String,
    /// The recipient's address.
    pub recipient: String,
    /// Subject.
    pub subject: String,
    /// Body.
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i32,
}

/// Queues notices in the caller's transaction; those already queued for the same topic
/// and recipient are left as they are. Returns how many were new.
pub fn enqueue(conn: &mut DbConn, notices: &[Notice], now: u64) -> Result<usize, NoticeError> {
    let now = now as i64;
    let mut added = 0;
    // Chunks keep each statement within SQLite's limit on bound parameters.
    for chunk in notices.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|n| {
                (
                    o::id.eq(Uuid::now_v7().simple().to_string()),
                    o::topic.eq(&n.topic),
                    o::recipient.eq(&n.recipient),
                    o::subject.eq(&n.subject),
                    o::body.eq(&n.body),
                    o::created_at.eq(now),
                    o::due_at.eq(now),
                )
            })
            .collect();
        added += datacoop_store::on_backend!(conn, |x| diesel::insert_into(o::table)
            .values(&rows)
            .on_conflict_do_nothing()
            .execute(x))?;
    }
    Ok(added)
}

/// Takes up to `limit` due notices for this sender until `lease_micros` from now: no
/// other sender (another replica, or this one after a restart) takes them before the
/// lease runs out, and one that is not marked sent by then is due again.
pub fn claim(
    conn: &mut DbConn,
    now: u64,
    lease_micros: u64,
    limit: i64,
) -> Result<Vec<Queued>, NoticeError> {
    let now = now as i64;
    let token = Uuid::new_v4().simple().to_string();
    let due: Vec<String> = o::table
        .filter(o::sent_at.is_null().and(o::failed_at.is_null()))
        .filter(o::due_at.le(now))
        .filter(o::claimed_until.is_null().or(o::claimed_until.lt(now)))
        .order(o::due_at.asc())
        .select(o::id)
        .limit(limit)
        .load(conn)?;
    if due.is_empty() {
        return Ok(Vec::new());
    }
    // The conditions again in the update: a concurrent claimer that took a row first
    // (PostgreSQL re-checks them on the row it waited for) keeps it.
    diesel::update(
        o::table
            .filter(o::id.eq_any(&due))
            .filter(o::sent_at.is_null().and(o::failed_at.is_null()))
            .filter(o::claimed_until.is_null().or(o::claimed_until.lt(now))),
    )
    .set((
        o::claim.eq(&token),
        o::claimed_until.eq(now.saturating_add(lease_micros as i64)),
        o::attempts.eq(o::attempts + 1),
    ))
    .execute(conn)?;
    Ok(o::table
        .filter(o::claim.eq(&token))
        .order(o::due_at.asc())
        .select((o::id, o::recipient, o::subject, o::body, o::attempts))
        .load(conn)?)
}

/// Records that the SMTP server accepted these notices.
pub fn mark_sent(conn: &mut DbConn, ids: &[String], now: u64) -> Result<(), NoticeError> {
    diesel::update(o::table.filter(o::id.eq_any(ids)))
        .set((
            o::sent_at.eq(now as i64),
            o::claimed_until.eq(None::<i64>),
            o::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Records a failed attempt: due again after `retry_in_micros`, or given up on.
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    now: u64,
    error: &str,
    retry_in_micros: Option<u64>,
) -> Result<(), NoticeError> {
    let now = now as i64;
    let error: String = error.chars().take(500).collect();
    match retry_in_micros {
        Some(wait) => diesel::update(o::table.find(id))
            .set((
                o::due_at.eq(now.saturating_add(wait as i64)),
                o::claimed_until.eq(None::<i64>),
                o::last_error.eq(error),
            ))
            .execute(conn)?,
        None => diesel::update(o::table.find(id))
            .set((
                o::failed_at.eq(now),
                o::claimed_until.eq(None::<i64>),
                o::last_error.eq(error),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// Removes notices sent or given up on before `before` (unix microseconds); returns
/// how many. Queued notices stay, however old.
pub fn prune(conn: &mut DbConn, before: u64) -> Result<usize, NoticeError> {
    let before = before.min(i64::MAX as u64) as i64;
    Ok(
        diesel::delete(o::table.filter(o::sent_at.lt(before).or(o::failed_at.lt(before))))
            .execute(conn)?,
    )
}

/// How the outbox stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStatus {
    /// Waiting to be sent (or being sent).
    pub queued: u64,
    /// Accepted by the SMTP server.
    pub sent: u64,
    /// Given up on.
    pub failed: u64,
}

/// Counts the outbox's notices by state.
pub fn status(conn: &mut DbConn) -> Result<OutboxStatus, NoticeError> {
    let sent: i64 = o::table
        .filter(o::sent_at.is_not_null())
        .count()
        .get_result(conn)?;
    let failed: i64 = o::table
        .filter(o::failed_at.is_not_null())
        .count()
        .get_result(conn)?;
    let all: i64 = o::table.count().get_result(conn)?;
    Ok(OutboxStatus {
        queued: (all - sent - failed).max(0) as u64,
        sent: sent as u64,
        failed: failed as u64,
    })
}

/// The notices of a topic, oldest first: (recipient, sent), for tests and operators.
pub fn topic(conn: &mut DbConn, topic: &str) -> Result<Vec<(String, bool)>, NoticeError> {
    let rows: Vec<(String, Option<i64>)> = o::table
        .filter(o::topic.eq(topic))
        .order(o::id.asc())
        .select((o::recipient, o::sent_at))
        .load(conn)?;
    Ok(rows.into_iter().map(|(r, s)| (r, s.is_some())).collect())
}
