//! Checking the access log from the member's (or an outsider's) machine:
//! checkpoint signatures against a pinned key, consistency with the last
//! verified checkpoint, inclusion of every one of the member's entries, that
//! none is missing (the member's chain), and that the records and files the
//! server lists match the logged writes.

mod completeness;
mod fetch;
mod keys;

pub(crate) use fetch::all_blobs;
pub(crate) use fetch::consistency_at;
pub use fetch::{all_entries, checkpoint, consistency, entries, log_key};

use crate::member::MemberSession;
use crate::{json, Client, ClientError};
use datacoop_api::log::{InclusionProofs, InclusionRequest, LogEntryQuery, MAX_PROOFS};
use datacoop_api::paths;
use datacoop_merkle::{
    parse_and_verify_checkpoint, verify_consistency, verify_inclusion, Checkpoint, Hash,
};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the verifier remembers between runs (kept by the caller, e.g. in a file).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LogState {
    /// The pinned verifier key.
    pub verifier_key: Option<String>,
    /// The last checkpoint verified (signed note text).
    pub checkpoint: Option<String>,
    /// Every entry verified so far: leaf index → leaf hash.
    pub seen: BTreeMap<u64, Hash>,
    /// Where the pinned key came from: "server" (trusted on first use) or "member"
    /// (given by the member, e.g. from the cooperative's statutes).
    #[serde(default)]
    pub key_source: Option<String>,
}

/// The origin a checkpoint must name: the name in its verifier key.
fn expected_origin(key: &str) -> Option<String> {
    datacoop_merkle::VerifierKey::parse(key)
        .ok()
        .map(|k| k.name().to_owned())
}

/// A problem if the checkpoint names another log than its key does.
pub(crate) fn origin_problem(cp: &Checkpoint, key: &str) -> Option<String> {
    match expected_origin(key) {
        Some(name) if name == cp.origin => None,
        Some(name) => Some(format!(
            "the checkpoint names the log {:?}, but the key is for {name:?}: this is another log",
            cp.origin
        )),
        None => Some("the log key does not parse".into()),
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// What was checked, in order, in plain words.
    pub checked: Vec<String>,
    /// What is wrong; empty when everything verified.
    pub problems: Vec<String>,
    /// The state to keep (unchanged when there are problems).
    pub state: LogState,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Fetches the checkpoint and checks its signature with `key`.
pub(crate) async fn signed_checkpoint(
    client: &Client,
    key: &str,
) -> Result<(String, Result<Checkpoint, String>), ClientError> {
    let text = checkpoint(client).await?;
    let cp = parse_and_verify_checkpoint(&text, key).map_err(|e| e.to_string());
    Ok((text, cp))
}

/// Checks that `new` extends `old` (same log, only appended to).
pub(crate) async fn check_extension(
    client: &Client,
    old: &Checkpoint,
    new: &Checkpoint,
) -> Result<Result<String, String>, ClientError> {
    check_extension_at(client, paths::LOG_CONSISTENCY, old, new).await
}

/// [`check_extension`] for the log whose consistency proofs are at `path`.
pub(crate) async fn check_extension_at(
    client: &Client,
    path: &str,
    old: &Checkpoint,
    new: &Checkpoint,
) -> Result<Result<String, String>, ClientError> {
    if new.size < old.size {
        return Ok(Err(format!(
            "the log shrank from {} to {} entries since the last check: its history was rewritten or rolled back",
            old.size, new.size
        )));
    }
    if new.size == old.size {
        return Ok(if new.root == old.root {
            Ok(format!(
                "the log has not grown since the last check ({} entries)",
                new.size
            ))
        } else {
            Err(format!(
                "fork: two checkpoints of size {} with different roots; the server shows different histories",
                new.size
            ))
        });
    }
    let p = consistency_at(client, path, old.size, new.size).await?;
    Ok(match verify_consistency(old.size, new.size, &old.root, &new.root, &p.proof) {
        Ok(()) => Ok(format!(
            "the log grew from {} to {} entries by appending only (consistency proof verified)",
            old.size, new.size
        )),
        Err(e) => Err(format!(
            "the checkpoint of size {} is not an extension of the one verified before (size {}): {e}; history was rewritten",
            new.size, old.size
        )),
    })
}

/// Checks that the leaves at `indexes` are in the tree `cp` signs, with the server's
/// inclusion proofs (asked for in chunks); returns how many are, naming the others in
/// `problems` with `not_in(index, error)`.
pub(crate) async fn check_inclusion(
    client: &Client,
    cp: &Checkpoint,
    indexes: &[u64],
    leaves: &BTreeMap<u64, Hash>,
    problems: &mut Vec<String>,
    not_in: impl Fn(u64, &str) -> String,
) -> Result<usize, ClientError> {
    let mut included = 0usize;
    for chunk in indexes.chunks(MAX_PROOFS) {
        let proofs: InclusionProofs = json(
            client
                .request(Method::POST, paths::LOG_INCLUSION)
                .json(&InclusionRequest {
                    tree_size: cp.size,
                    indexes: chunk.to_vec(),
                })
                .send()
                .await,
        )
        .await?;
        if proofs.proofs.len() != chunk.len() {
            problems.push("the server returned the wrong number of inclusion proofs".into());
            continue;
        }
        for (i, proof) in chunk.iter().zip(&proofs.proofs) {
            let Some(leaf) = leaves.get(i) else { continue };
            match verify_inclusion(leaf, *i, cp.size, proof, &cp.root) {
                Ok(()) => included += 1,
                Err(e) => problems.push(not_in(*i, &e.to_string())),
            }
        }
    }
    Ok(included)
}

/// Verifies the log as one member: signature, consistency with `state`'s
/// last checkpoint, inclusion of every own entry, and that no entry seen
/// before has vanished or changed.
pub async fn verify(session: &MemberSession, state: LogState) -> Result<VerifyReport, ClientError> {
    let client = &session.client;
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    let published = log_key(client).await?;
    let mut key_source = state.key_source.clone();
    let key = match &state.verifier_key {
        Some(k) if *k != published.verifier_key => {
            problems.push(format!(
                "the server now publishes the log key {} but you pinned {k}: the log was replaced",
                published.verifier_key
            ));
            k.clone()
        }
        Some(k) => {
            checked.push(match key_source.as_deref() {
                Some("member") => format!("the log key is the one you gave ({k})"),
                _ => format!(
                    "the log key is the one pinned at your first check ({k}); compare it once \
                     with the key the cooperative publishes (e.g. in its statutes)"
                ),
            });
            k.clone()
        }
        None => {
            checked.push(format!(
                "pinned the log key {} as the server publishes it (trust on first use: compare \
                 it with the key the cooperative publishes, or pass --log-key)",
                published.verifier_key
            ));
            key_source = Some("server".into());
            published.verifier_key.clone()
        }
    };
    // Listed before the checkpoint and the entries are fetched, so every
    // write the listing reflects is in what is checked against it.
    let records = session
        .list_all(&datacoop_api::records::RecordQuery::default(), None)
        .await?;
    let blobs = all_blobs(session).await?;
    let (text, cp) = signed_checkpoint(client, &key).await?;
    let cp = match cp {
        Ok(cp) => {
            checked.push(format!(
                "checkpoint signature verified: {} entries, root {}",
                cp.size,
                cp.root.to_base64()
            ));
            match origin_problem(&cp, &key) {
                Some(p) => problems.push(p),
                None => checked.push(format!("the checkpoint names the log {:?}", cp.origin)),
            }
            cp
        }
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
    if let Some(old_text) = &state.checkpoint {
        match parse_and_verify_checkpoint(old_text, &key) {
            Ok(old) => match check_extension(client, &old, &cp).await? {
                Ok(line) => checked.push(line),
                Err(line) => problems.push(line),
            },
            Err(e) => problems.push(format!("the saved checkpoint no longer verifies: {e}")),
        }
    }

    let mine = all_entries(session, LogEntryQuery::default()).await?;
    // The log must hold the publication of the member's own public keys, as this
    // client computes them from the private keys it opened.
    let own_keys = session.member_keys().await?.public_keys();
    let keys = keys::check_publications(session.member_id, &own_keys, &mine);
    checked.extend(keys.checked);
    problems.extend(keys.problems);
    let mut leaves = BTreeMap::new();
    for view in &mine {
        let leaf = datacoop_api::log::leaf_of(&view.encoded);
        match datacoop_api::log::AccessEntry::decode(&view.encoded) {
            Ok(e) if view.entry.as_ref() == Some(&e) && e.member == session.member_id => {}
            _ => problems.push(format!(
                "entry {} does not decode to what the server displays, or is not about you",
                view.index
            )),
        }
        if view.index >= cp.size {
            problems.push(format!(
                "entry {} lies beyond the checkpoint's {} entries",
                view.index, cp.size
            ));
        }
        leaves.insert(view.index, leaf);
    }
    for (index, old_leaf) in &state.seen {
        match leaves.get(index) {
            None => problems.push(format!(
                "entry {index}, verified before, is missing now: it was deleted"
            )),
            Some(l) if l != old_leaf => {
                problems.push(format!("entry {index}, verified before, has changed since"))
            }
            Some(_) => {}
        }
    }
    let indexes: Vec<u64> = leaves.keys().copied().filter(|i| *i < cp.size).collect();
    let included = check_inclusion(client, &cp, &indexes, &leaves, &mut problems, |i, e| {
        format!(
            "entry {i} is not in the signed log as shown to you ({e}): its stored content or \
             the tree was changed"
        )
    })
    .await?;
    checked.push(format!(
        "{included} of the {} entries the server listed about you are included in the signed \
         log (inclusion proofs verified)",
        mine.len()
    ));
    let chain = completeness::check_chain(&mine);
    checked.extend(chain.checked);
    problems.extend(chain.problems);
    let listing = completeness::check_listing(&mine, &records, &blobs);
    checked.extend(listing.checked);
    problems.extend(listing.problems);
    let state = if problems.is_empty() {
        LogState {
            verifier_key: Some(key),
            checkpoint: Some(text),
            seen: leaves,
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

/// Verifies a published checkpoint from outside: its signature with `key`,
/// and that the server's current log extends it.
pub async fn verify_published(
    client: &Client,
    checkpoint_text: &str,
    key: &str,
) -> Result<VerifyReport, ClientError> {
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    match parse_and_verify_checkpoint(checkpoint_text, key) {
        Ok(given) => {
            checked.push(format!(
                "the given checkpoint's signature verifies: {} entries",
                given.size
            ));
            if let Some(p) = origin_problem(&given, key) {
                problems.push(p);
            }
            let (_, current) = signed_checkpoint(client, key).await?;
            match current {
                Ok(cur) => {
                    checked.push(format!(
                        "the server's current checkpoint verifies: {} entries",
                        cur.size
                    ));
                    match check_extension(client, &given, &cur).await? {
                        Ok(line) => checked.push(line),
                        Err(line) => problems.push(line),
                    }
                }
                Err(e) => problems.push(format!(
                    "the server's current checkpoint does not verify: {e}"
                )),
            }
        }
        Err(e) => problems.push(format!(
            "the given checkpoint does not verify with the key: {e}"
        )),
    }
    Ok(VerifyReport {
        checked,
        problems,
        state: LogState::default(),
    })
}
