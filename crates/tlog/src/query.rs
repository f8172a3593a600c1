//! Reading a log: signed checkpoints and proofs (public: they reveal only hashes).

use crate::reader::DbHashReader;
use crate::{tree_size, LogError, LogId, LogSigner};
use datacoop_api::log::{ConsistencyProof, InclusionProofs, MAX_PROOFS};
use datacoop_merkle::{
    leaf_hash_at, prove_consistency, prove_inclusion, sign_checkpoint, tree_hash, Checkpoint,
};
use datacoop_store::schema::log_checkpoints as c;
use datacoop_store::Db;
use diesel::prelude::*;
use std::sync::Arc;

/// The log's signed checkpoint for its current size, signing one if the log
/// grew since the last (so a checkpoint always covers every committed entry).
pub async fn latest_checkpoint(
    db: &Db,
    log: LogId,
    signer: Arc<LogSigner>,
) -> Result<String, LogError> {
    let number = log.number();
    let current = db
        .read(move |conn| -> Result<Option<String>, LogError> {
            let size = tree_size(conn, log)? as i64;
            Ok(c::table
                .find((number, size))
                .select(c::signed)
                .get_result(conn)
                .optional()?)
        })
        .await?;
    if let Some(signed) = current {
        return Ok(signed);
    }
    db.write(move |conn| -> Result<String, LogError> {
        let size = tree_size(conn, log)?;
        if let Some(s) = c::table
            .find((number, size as i64))
            .select(c::signed)
            .get_result::<String>(conn)
            .optional()?
        {
            return Ok(s);
        }
        let root = tree_hash(size, &DbHashReader::new(log, conn))?;
        let cp = Checkpoint {
            origin: signer.origin().to_owned(),
            size,
            root,
        };
        let signed = sign_checkpoint(&cp, signer.origin(), signer.key())
            .map_err(|e| LogError::Key(e.to_string()))?;
        // Two requests may sign the same size at once (PostgreSQL has several writer
        // connections): the second insert yields to the first, and Ed25519 being
        // deterministic, both signed the same note. Either way the stored one is returned.
        let row = (
            c::log_id.eq(number),
            c::size.eq(size as i64),
            c::root.eq(root.as_bytes().to_vec()),
            c::signed.eq(&signed),
            c::created_at.eq(time::OffsetDateTime::now_utc().unix_timestamp()),
        );
        datacoop_store::on_backend!(conn, |x| diesel::insert_into(c::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(x))?;
        Ok(c::table
            .find((number, size as i64))
            .select(c::signed)
            .get_result::<String>(conn)?)
    })
    .await
}

/// Inclusion proofs of leaves in the log's tree of `tree_size` (≤ its current size).
pub async fn inclusion_proofs(
    db: &Db,
    log: LogId,
    tree_size_asked: u64,
    indexes: Vec<u64>,
) -> Result<InclusionProofs, LogError> {
    if indexes.len() > MAX_PROOFS {
        return Err(LogError::Invalid(format!(
            "ask for at most {MAX_PROOFS} proofs at a time"
        )));
    }
    db.read(move |conn| -> Result<InclusionProofs, LogError> {
        let size = tree_size(conn, log)?;
        if tree_size_asked > size {
            return Err(LogError::Invalid(format!(
                "the log has {size} entries, fewer than {tree_size_asked}"
            )));
        }
        let reader = DbHashReader::new(log, conn);
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

/// A consistency proof of the log from size `from` to `to` (≤ its current size).
pub async fn consistency_proof(
    db: &Db,
    log: LogId,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, LogError> {
    db.read(move |conn| -> Result<ConsistencyProof, LogError> {
        let size = tree_size(conn, log)?;
        if from > to || to > size {
            return Err(LogError::Invalid(format!(
                "need from ≤ to ≤ {size} (the log's size); got from={from}, to={to}"
            )));
        }
        let proof = prove_consistency(from, to, &DbHashReader::new(log, conn))?;
        Ok(ConsistencyProof { from, to, proof })
    })
    .await
}
