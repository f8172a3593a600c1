//! Reading the access log's entries: a member's own, in full. Checkpoints
//! and proofs are the log machinery's (`datacoop_tlog`).

use crate::{LogError, LogSigner};
use datacoop_api::log::{
    AccessEntry, ConsistencyProof, InclusionProofs, LogEntryPage, LogEntryQuery, LogEntryView,
};
use datacoop_api::MemberId;
use datacoop_store::schema::log_entries as e;
use datacoop_store::time::parse_range;
use datacoop_store::{load_page, Db, Page};
use datacoop_tlog::{self as tlog, LogId};
use diesel::prelude::*;
use std::sync::Arc;

/// The member's own entries (full), filtered, in index order.
pub async fn entries_for_member(
    db: &Db,
    member: MemberId,
    q: LogEntryQuery,
) -> Result<LogEntryPage, LogError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000) as usize;
    let (from, to) = parse_range(q.from.as_deref(), q.to.as_deref())?;
    let page: Page<(i64, Vec<u8>)> = db
        .read(move |conn| -> Result<_, LogError> {
            let mut query = e::table
                .filter(e::member_id.eq(member.to_string()))
                .select((e::idx, e::body))
                .order(e::idx.asc())
                .into_boxed();
            if let Some(a) = q.actor {
                query = query.filter(e::actor_kind.eq(a));
            }
            if let Some(a) = q.action {
                query = query.filter(e::action.eq(a));
            }
            if let Some(s) = q.study {
                query = query.filter(e::study_id.eq(s.to_string()));
            }
            if let Some(f) = from {
                query = query.filter(e::time_micros.ge(f));
            }
            if let Some(t) = to {
                query = query.filter(e::time_micros.lt(t));
            }
            if let Some(a) = q.after {
                query = query.filter(e::idx.gt(a as i64));
            }
            Ok(load_page(conn, query, limit)?)
        })
        .await?;
    let mut items = Vec::with_capacity(page.rows.len());
    for (idx, body) in page.rows {
        // A row that no longer decodes is listed without its decoding, so
        // the member's verifier names it instead of the listing failing.
        let entry = AccessEntry::decode(&body).ok();
        items.push(LogEntryView {
            index: idx as u64,
            encoded: body.into(),
            entry,
        });
    }
    let next_after = if page.more {
        items.last().map(|v| v.index)
    } else {
        None
    };
    Ok(LogEntryPage { items, next_after })
}

/// The access log's signed checkpoint for its current size.
pub async fn latest_checkpoint(db: &Db, signer: Arc<LogSigner>) -> Result<String, LogError> {
    tlog::latest_checkpoint(db, LogId::ACCESS, signer).await
}

/// Inclusion proofs of access-log leaves in the tree of `tree_size`.
pub async fn inclusion_proofs(
    db: &Db,
    tree_size: u64,
    indexes: Vec<u64>,
) -> Result<InclusionProofs, LogError> {
    tlog::inclusion_proofs(db, LogId::ACCESS, tree_size, indexes).await
}

/// A consistency proof of the access log from `from` to `to`.
pub async fn consistency_proof(db: &Db, from: u64, to: u64) -> Result<ConsistencyProof, LogError> {
    tlog::consistency_proof(db, LogId::ACCESS, from, to).await
}

/// The sealed forms (leaf data) of entries of a researcher's access, by index, for the
/// researcher to check them in the log; inside the caller's transaction. Entries that
/// are not sealed are left out: their leaf would show whose they are.
pub fn sealed_entries(
    conn: &mut datacoop_store::DbConn,
    indexes: &[u64],
) -> Result<std::collections::HashMap<u64, Vec<u8>>, LogError> {
    let idxs: Vec<i64> = indexes.iter().map(|i| *i as i64).collect();
    let rows: Vec<(i64, Vec<u8>)> = e::table
        .filter(e::idx.eq_any(&idxs))
        .select((e::idx, e::body))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(idx, body)| {
            let entry = AccessEntry::decode(&body)
                .ok()
                .filter(AccessEntry::is_sealed)?;
            Some((idx as u64, entry.leaf_data().ok()?))
        })
        .collect())
}
