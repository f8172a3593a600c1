//! The researcher's check that every export they received is in the access log: the
//! log's key pinned on first use, the checkpoint's signature, its consistency with the
//! last one this researcher verified, and an inclusion proof of each participant's
//! entry (the sealed form the download carried). A server that served data without
//! logging it, or logged it where the participants cannot see it, fails here.

use crate::log::{
    check_extension, check_inclusion, log_key, origin_problem, signed_checkpoint, LogState,
    VerifyReport,
};
use crate::{Client, ClientError};
use datacoop_merkle::{parse_and_verify_checkpoint, Hash};
use std::collections::BTreeMap;

/// Verifies that the entries at `leaves` (index → leaf hash) are in the signed log.
/// The returned state (pinned key, the checkpoint now verified) is to be kept.
pub async fn verify_exports(
    client: &Client,
    state: LogState,
    leaves: &BTreeMap<u64, Hash>,
) -> Result<VerifyReport, ClientError> {
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    let published = log_key(client).await?.verifier_key;
    let mut key_source = state.key_source.clone();
    let key = match &state.verifier_key {
        Some(k) if *k != published => {
            problems.push(format!(
                "the server now publishes the log key {published} but you pinned {k}: the log \
                 was replaced"
            ));
            k.clone()
        }
        Some(k) => {
            checked.push(format!("the log key is the one pinned before ({k})"));
            k.clone()
        }
        None => {
            checked.push(format!(
                "pinned the log key {published} as the server publishes it (trust on first \
                 use: compare it with the key the cooperative publishes)"
            ));
            key_source = Some("server".into());
            published
        }
    };
    let (text, cp) = signed_checkpoint(client, &key).await?;
    let cp = match cp {
        Ok(cp) => cp,
        Err(e) => {
            problems.push(format!(
                "the checkpoint's signature does not verify with the pinned key: {e}"
            ));
            return Ok(VerifyReport {
                checked,
                problems,
                state,
            });
        }
    };
    checked.push(format!(
        "checkpoint signature verified: {} entries, root {}",
        cp.size,
        cp.root.to_base64()
    ));
    if let Some(p) = origin_problem(&cp, &key) {
        problems.push(p);
    }
    if let Some(old_text) = &state.checkpoint {
        match parse_and_verify_checkpoint(old_text, &key) {
            Ok(old) => match check_extension(client, &old, &cp).await? {
                Ok(line) => checked.push(line),
                Err(line) => problems.push(line),
            },
            Err(e) => problems.push(format!("the saved checkpoint no longer verifies: {e}")),
        }
    }
    let indexes: Vec<u64> = leaves.keys().copied().collect();
    if let Some(beyond) = indexes.iter().find(|i| **i >= cp.size) {
        problems.push(format!(
            "the export's entry {beyond} lies beyond the checkpoint's {} entries: it is not in \
             the log the participants see",
            cp.size
        ));
    }
    let within: Vec<u64> = indexes.into_iter().filter(|i| *i < cp.size).collect();
    let included = check_inclusion(client, &cp, &within, leaves, &mut problems, |i, e| {
        format!(
            "the export's entry {i} is not in the signed log ({e}): the server did not log \
             this export where the participant can see it"
        )
    })
    .await?;
    checked.push(format!(
        "{included} of the export's {} entries (one per participant) are included in the \
         signed log (inclusion proofs verified)",
        leaves.len()
    ));
    let state = if problems.is_empty() {
        LogState {
            verifier_key: Some(key),
            checkpoint: Some(text),
            seen: state.seen,
            key_source,
        }
    } else {
        state
    };
    Ok(VerifyReport {
        checked,
        problems,
        state,
    })
}
