//! Reading the log: checkpoints, a member's own entries, proofs.

use crate::reader::DbHashReader;
use crate::{LogError, LogSigner};
use datacoop_api::log::{
    ConsistencyProof, InclusionProofs, LogEntryPage, LogEntryQuery, LogEntryView, MAX_PROOFS,
};
use datacoop_merkle::{
    leaf_hash_at, prove_consistency, prove_inclusion, sign_checkpoint, tree_hash, AccessEntry,
    Checkpoint,
};
use datacoop_store::schema::{log_checkpoints as c, log_entries as e, log_head};
use datacoop_store::time::parse_micros;
use datacoop_store::{load_page, Db, DbConn, Page};
use diesel::prelude::*;
use std::cell::RefCell;
use std::sync::Arc;
use uuid::Uuid;

/// The number of entries in the log.
pub fn tree_size(conn: &mut DbConn) -> Result<u64, LogError> {
    let size: i64 = log_head::table
        .find(1)
        .select(log_head::size)
        .get_result(conn)?;
    Ok(size.max(0) as u64)
}

/// The signed checkpoint for the current size, signing one if the log grew
/// since the last (so a checkpoint always covers every committed entry).
pub async fn latest_checkpoint(db: &Db, signer: Arc<LogSigner>) -> Result<String, LogError> {
    let current = db
        .read(|conn| -> Result<Option<(i64, String)>, LogError> {
            let size = tree_size(conn)? as i64;
            Ok(c::table
                .find(size)
                .select((c::size, c::signed))
                .get_result(conn)
                .optional()?)
        })
        .await?;
    if let Some((_, signed)) = current {
        return Ok(signed);
    }
    db.write(move |conn| -> Result<String, LogError> {
        let size = tree_size(conn)?;
        if let Some(s) = c::table
            .find(size as i64)
            .select(c::signed)
            .get_result::<String>(conn)
            .optional()?
        {
            return Ok(s);
        }
        let root = tree_hash(size, &DbHashReader(RefCell::new(conn)))?;
        let cp = Checkpoint {
            origin: signer.origin().to_owned(),
            size,
            root,
        };
        let signed = sign_checkpoint(&cp, signer.origin(), signer.key())
            .map_err(|e| LogError::Key(e.to_string()))?;
        diesel::insert_into(c::table)
            .values((
                c::size.eq(size as i64),
                c::root.eq(root.as_bytes().to_vec()),
                c::signed.eq(&signed),
                c::created_at.eq(time::OffsetDateTime::now_utc().unix_timestamp()),
            ))
            .execute(conn)?;
        Ok(signed)
    })
    .await
}

/// The member's own entries (full), filtered, in index order.
pub async fn entries_for_member(
    db: &Db,
    member: Uuid,
    q: LogEntryQuery,
) -> Result<LogEntryPage, LogError> {
    let limit = q.limit.unwrap_or(100).clamp(1, 1000) as usize;
    let from = q
        .from
        .as_deref()
        .map(|t| parse_micros(t, "from"))
        .transpose()?;
    let to = q.to.as_deref().map(|t| parse_micros(t, "to")).transpose()?;
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
            encoded: body,
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

/// Inclusion proofs of leaves in the tree of `tree_size` (≤ the current size).
pub async fn inclusion_proofs(
    db: &Db,
    tree_size_asked: u64,
    indexes: Vec<u64>,
) -> Result<InclusionProofs, LogError> {
    if indexes.len() > MAX_PROOFS {
        return Err(LogError::Invalid(format!(
            "ask for at most {MAX_PROOFS} proofs at a time"
        )));
    }
    db.read(move |conn| -> Result<InclusionProofs, LogError> {
        let size = tree_size(conn)?;
        if tree_size_asked > size {
            return Err(LogError::Invalid(format!(
                "the log has {size} entries, fewer than {tree_size_asked}"
            )));
        }
        let reader = DbHashReader(RefCell::new(conn));
        let mut proofs = Vec::with_capacity(indexes.len());
        let mut leaf_hashes = Vec::with_capacity(indexes.len());
        for &i in &indexes {
            if i >= tree_size_asked {
                return Err(LogError::Invalid(format!(
                    "leaf {i} is not in a tree of size {tree_size_asked}"
                )));
            }
            leaf_hashes.push(leaf_hash_at(i, &reader)?);
            proofs.push(prove_inclusion(tree_size_asked, i, &reader)?);
        }
        Ok(InclusionProofs {
            tree_size: tree_size_asked,
            leaf_hashes,
            proofs,
        })
    })
    .await
}

/// A consistency proof from `from` to `to` (≤ the current size).
pub async fn consistency_proof(db: &Db, from: u64, to: u64) -> Result<ConsistencyProof, LogError> {
    db.read(move |conn| -> Result<ConsistencyProof, LogError> {
        let size = tree_size(conn)?;
        if from > to || to > size {
            return Err(LogError::Invalid(format!(
                "need from ≤ to ≤ {size} (the log's size); got from={from}, to={to}"
            )));
        }
        let proof = prove_consistency(from, to, &DbHashReader(RefCell::new(conn)))?;
        Ok(ConsistencyProof { from, to, proof })
    })
    .await
}
