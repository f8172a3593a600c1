//! Appending entries, inside the caller's transaction.

use crate::LogError;
use datacoop_api::log::{AccessEntry, Action, Actor, MemberChain};
use datacoop_merkle::{leaf_hash, Hash};
use datacoop_store::schema::log_entries as e;
use datacoop_store::{Db, DbConn};
use datacoop_tlog::LogId;
use diesel::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// A new entry stamped now, with fresh blinding.
pub fn entry(actor: Actor, action: Action, member: Uuid) -> Result<AccessEntry, LogError> {
    let blinding = AccessEntry::new_blinding()
        .map_err(|_| LogError::Key("the system random source failed".into()))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000;
    Ok(AccessEntry {
        blinding,
        time_micros: u64::try_from(now).unwrap_or(0),
        actor,
        action,
        member,
        chain: None,
        record: None,
        study: None,
        consent: None,
        extra: None,
    })
}

/// The actor kind as stored for filtering (`member`, `device`, …).
pub(crate) fn actor_kind(a: &Actor) -> &'static str {
    match a {
        Actor::Member { .. } => "member",
        Actor::Device { .. } => "device",
        Actor::Researcher { .. } => "researcher",
        Actor::Steward { .. } => "steward",
        Actor::Server => "server",
    }
}

/// The action as stored for filtering (`record_read`, …).
pub(crate) fn action_name(a: Action) -> String {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| a.code().to_string())
}

/// Installs the access log as the database's group finisher, so grouped
/// writes can hand it their entries ([`Db::write_grouped_then`] with a
/// `Vec<AccessEntry>`): all entries of a group are appended in one call,
/// inside the group's transaction.
pub fn install(db: &Db) {
    db.add_group_finisher(Box::new(|conn, deferred| {
        let all: Vec<AccessEntry> =
            datacoop_store::group::take_deferred::<Vec<AccessEntry>>(deferred)
                .into_iter()
                .flatten()
                .collect();
        append(conn, &all).map(|_| ()).map_err(|e| e.to_string())
    }));
}

/// Appends entries as the access log's next leaves; returns their indexes.
/// Call it inside the transaction that performs the access, so both commit
/// or neither does.
///
/// Each entry is stamped with its place in its member's chain (the next
/// sequence number and the leaf hash of the member's previous entry), read
/// after the log's head row is locked, so concurrent appenders chain in
/// commit order.
pub fn append(conn: &mut DbConn, entries: &[AccessEntry]) -> Result<Vec<u64>, LogError> {
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let n = datacoop_tlog::reserve(conn, LogId::ACCESS, entries.len() as u64)?;
    let mut heads: HashMap<Uuid, MemberChain> = HashMap::new();
    let mut bodies = Vec::with_capacity(entries.len());
    let mut leaves = Vec::with_capacity(entries.len());
    for entry in entries {
        let chain = match heads.get(&entry.member) {
            Some(c) => *c,
            None => member_head(conn, entry.member)?,
        };
        let mut entry = entry.clone();
        entry.chain = Some(chain);
        let body = entry.encode()?;
        let leaf = leaf_hash(&entry.leaf_data()?);
        heads.insert(
            entry.member,
            MemberChain {
                seq: chain.seq + 1,
                prev: leaf,
            },
        );
        leaves.push(leaf);
        bodies.push((entry, body));
    }
    datacoop_tlog::store_leaves(conn, LogId::ACCESS, n, &leaves)?;
    let entry_rows: Vec<_> = bodies
        .into_iter()
        .enumerate()
        .map(|(i, (entry, body))| {
            (
                e::idx.eq(n as i64 + i as i64),
                e::member_id.eq(entry.member.to_string()),
                e::time_micros.eq(entry.time_micros as i64),
                e::actor_kind.eq(actor_kind(&entry.actor)),
                e::action.eq(action_name(entry.action)),
                e::study_id.eq(entry.study.map(|s| s.to_string())),
                e::body.eq(body),
            )
        })
        .collect();
    // Multi-row inserts are not available through MultiConnection; issue
    // them on the concrete connection.
    for chunk in entry_rows.chunks(200) {
        datacoop_store::on_backend!(conn, |c| diesel::insert_into(e::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok((n..n + entries.len() as u64).collect())
}

/// Where the member's next entry goes in their chain: after their latest
/// entry. Entries written before the chain existed (version 1) count in
/// the sequence, so the first chained entry's number says how many came
/// before it.
fn member_head(conn: &mut DbConn, member: Uuid) -> Result<MemberChain, LogError> {
    let member_id = member.to_string();
    let last: Option<Vec<u8>> = e::table
        .filter(e::member_id.eq(&member_id))
        .order(e::idx.desc())
        .select(e::body)
        .first(conn)
        .optional()?;
    let Some(body) = last else {
        return Ok(MemberChain {
            seq: 0,
            prev: Hash::default(),
        });
    };
    let prev = datacoop_api::log::leaf_of(&body);
    let seq = match AccessEntry::decode(&body).ok().and_then(|e| e.chain) {
        Some(c) => c.seq + 1,
        None => {
            let count: i64 = e::table
                .filter(e::member_id.eq(&member_id))
                .count()
                .get_result(conn)?;
            count.max(0) as u64
        }
    };
    Ok(MemberChain { seq, prev })
}
