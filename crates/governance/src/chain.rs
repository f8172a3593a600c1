//! The governance log: appending entries with their tables, and reading them.

use crate::GovError;
use datacoop_api::b64::Base64Url;
use datacoop_api::log::{ConsistencyProof, InclusionProofs};
use datacoop_governance_core::wire::{GovEntryItem, GovEntryPage};
use datacoop_governance_core::Entry;
use datacoop_merkle::leaf_hash;
use datacoop_store::schema::gov_entries as e;
use datacoop_store::{Db, DbConn};
use datacoop_tlog::{LogId, LogSigner};
use diesel::prelude::*;
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// The governance log (its head row is made by the migrations).
pub const LOG: LogId = LogId::new(2, "governance");

/// Most entries in one page.
pub const MAX_PAGE: u32 = 1000;

/// Takes the governance log's lock (its head row) for the rest of the transaction.
/// Every governance write takes it first, so the checks it makes against what is
/// stored (the next member number, a holder's proxies, whether a vote closed) hold
/// until it commits, on PostgreSQL's concurrent writers as on SQLite's single one.
pub(crate) fn lock(conn: &mut DbConn) -> Result<(), GovError> {
    datacoop_tlog::reserve(conn, LOG, 0)?;
    Ok(())
}

/// Appends `entry` to the governance log inside the caller's transaction; returns its
/// index.
pub(crate) fn append(conn: &mut DbConn, entry: &Entry) -> Result<u64, GovError> {
    let bytes = entry.to_bytes();
    let idx = datacoop_tlog::append_leaves(conn, LOG, &[leaf_hash(&bytes)])?;
    diesel::insert_into(e::table)
        .values((
            e::idx.eq(idx as i64),
            e::kind.eq(entry.kind()),
            e::body.eq(bytes),
            e::at.eq(entry.at_micros as i64),
        ))
        .execute(conn)?;
    Ok(idx)
}

/// An entry a grouped write hands to the end of its group, where the entries of all the
/// group's jobs are appended in one call (one head update, one batch of tree hashes);
/// `index` is filled in there, before the group commits.
pub(crate) struct Deferred {
    pub(crate) entry: Entry,
    /// For a ballot: its motion and voter, to index it.
    pub(crate) ballot: Option<(Uuid, Uuid)>,
    pub(crate) index: Arc<OnceLock<u64>>,
}

/// Installs the governance log as a finisher of grouped writes (ballots).
pub fn install(db: &Db) {
    db.add_group_finisher(Box::new(|conn, deferred| {
        let items = datacoop_store::group::take_deferred::<Deferred>(deferred);
        append_deferred(conn, items).map_err(|e| e.to_string())
    }));
}

fn append_deferred(conn: &mut DbConn, items: Vec<Deferred>) -> Result<(), GovError> {
    if items.is_empty() {
        return Ok(());
    }
    let bodies: Vec<Vec<u8>> = items.iter().map(|d| d.entry.to_bytes()).collect();
    let leaves: Vec<_> = bodies.iter().map(|b| leaf_hash(b)).collect();
    let first = datacoop_tlog::append_leaves(conn, LOG, &leaves)?;
    for (i, (d, body)) in items.iter().zip(bodies).enumerate() {
        let idx = first + i as u64;
        diesel::insert_into(e::table)
            .values((
                e::idx.eq(idx as i64),
                e::kind.eq(d.entry.kind()),
                e::body.eq(body),
                e::at.eq(d.entry.at_micros as i64),
            ))
            .execute(conn)?;
        if let (Some((motion, voter)), datacoop_governance_core::EntryBody::Ballot(b)) =
            (d.ballot, &d.entry.body)
        {
            use datacoop_store::schema::gov_ballots as gb;
            diesel::insert_into(gb::table)
                .values((
                    gb::idx.eq(idx as i64),
                    gb::motion.eq(motion.hyphenated().to_string()),
                    gb::voter.eq(voter.hyphenated().to_string()),
                    gb::body.eq(serde_json::to_string(b).unwrap_or_default()),
                ))
                .execute(conn)?;
        }
        let _ = d.index.set(idx);
    }
    Ok(())
}

/// A page of entries from `from`.
pub async fn entries(db: &Db, from: u64, limit: u32) -> Result<GovEntryPage, GovError> {
    let limit = limit.clamp(1, MAX_PAGE);
    db.read(move |conn| -> Result<GovEntryPage, GovError> {
        let rows: Vec<(i64, Vec<u8>)> = e::table
            .filter(e::idx.ge(from as i64))
            .order(e::idx.asc())
            .limit(i64::from(limit) + 1)
            .select((e::idx, e::body))
            .load(conn)?;
        let more = rows.len() > limit as usize;
        let items: Vec<GovEntryItem> = rows
            .into_iter()
            .take(limit as usize)
            .map(|(i, b)| GovEntryItem {
                index: i as u64,
                entry: Base64Url(b),
            })
            .collect();
        let next = if more {
            items.last().map(|i| i.index + 1)
        } else {
            None
        };
        Ok(GovEntryPage { items, next })
    })
    .await
}

/// The latest signed checkpoint of the governance log.
pub async fn checkpoint(db: &Db, signer: Arc<LogSigner>) -> Result<String, GovError> {
    Ok(datacoop_tlog::latest_checkpoint(db, LOG, signer).await?)
}

/// Inclusion proofs in the governance log.
pub async fn inclusion_proofs(
    db: &Db,
    tree_size: u64,
    indexes: Vec<u64>,
) -> Result<InclusionProofs, GovError> {
    Ok(datacoop_tlog::inclusion_proofs(db, LOG, tree_size, indexes).await?)
}

/// A consistency proof of the governance log.
pub async fn consistency_proof(db: &Db, from: u64, to: u64) -> Result<ConsistencyProof, GovError> {
    Ok(datacoop_tlog::consistency_proof(db, LOG, from, to).await?)
}
