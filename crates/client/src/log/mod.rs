//! Checking the access log from the member's (or an outsider's) machine:
//! checkpoint signatures against a pinned key, consistency with the last
//! verified checkpoint, inclusion of every one of the member's entries, that
//! none is missing (the member's chain), and that the records and files the
//! server lists match the logged writes.

mod completeness;

use crate::member::MemberSession;
use crate::{json, Client, ClientError};
use datacoop_api::log::{
    ConsistencyProof, InclusionProofs, InclusionRequest, LogCheckpoint, LogEntryPage,
    LogEntryQuery, LogEntryView, LogKey, MAX_PROOFS,
};
use datacoop_api::paths;
use datacoop_merkle::{
    leaf_hash, parse_and_verify_checkpoint, verify_consistency, verify_inclusion, Checkpoint, Hash,
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
fn origin_problem(cp: &Checkpoint, key: &str) -> Option<String> {
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

/// The log's key as the server publishes it.
pub async fn log_key(client: &Client) -> Result<LogKey, ClientError> {
    json(client.request(Method::GET, paths::LOG_KEY).send().await).await
}

/// The latest signed checkpoint (unverified text).
pub async fn checkpoint(client: &Client) -> Result<String, ClientError> {
    let cp: LogCheckpoint = json(
        client
            .request(Method::GET, paths::LOG_CHECKPOINT)
            .send()
            .await,
    )
    .await?;
    Ok(cp.checkpoint)
}

/// A consistency proof from the server.
pub async fn consistency(
    client: &Client,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, ClientError> {
    json(
        client
            .request(Method::GET, paths::LOG_CONSISTENCY)
            .query(&[("from", from), ("to", to)])
            .send()
            .await,
    )
    .await
}

/// One page of the member's own entries.
pub async fn entries(
    session: &MemberSession,
    q: &LogEntryQuery,
) -> Result<LogEntryPage, ClientError> {
    json(
        session
            .client
            .request(Method::GET, paths::LOG_ENTRIES)
            .query(q)
            .send()
            .await,
    )
    .await
}

/// All of the member's entries matching `q`.
pub async fn all_entries(
    session: &MemberSession,
    mut q: LogEntryQuery,
) -> Result<Vec<LogEntryView>, ClientError> {
    let mut out = Vec::new();
    q.limit = Some(1000);
    loop {
        let page = entries(session, &q).await?;
        let (n, last) = (page.items.len(), page.items.last().map(|v| v.index));
        out.extend(page.items);
        match crate::next_cursor(q.after.as_ref(), page.next_after, last, n, 1000)? {
            Some(a) => q.after = Some(a),
            None => return Ok(out),
        }
    }
}

/// Every blob's metadata, page by page.
pub(crate) async fn all_blobs(
    session: &MemberSession,
) -> Result<Vec<datacoop_api::blobs::BlobMeta>, ClientError> {
    let mut q = datacoop_api::blobs::BlobQuery {
        limit: Some(1000),
        ..Default::default()
    };
    let mut out = Vec::new();
    loop {
        let page = session.list_blobs(&q).await?;
        let (n, last) = (page.items.len(), page.items.last().map(|b| b.id));
        out.extend(page.items);
        match crate::next_cursor(q.after.as_ref(), page.next_after, last, n, 1000)? {
            Some(a) => q.after = Some(a),
            None => return Ok(out),
        }
    }
}

/// Fetches the checkpoint and checks its signature with `key`.
async fn signed_checkpoint(
    client: &Client,
    key: &str,
) -> Result<(String, Result<Checkpoint, String>), ClientError> {
    let text = checkpoint(client).await?;
    let cp = parse_and_verify_checkpoint(&text, key).map_err(|e| e.to_string());
    Ok((text, cp))
}

/// Checks that `new` extends `old` (same log, only appended to).
async fn check_extension(
    client: &Client,
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
    let p = consistency(client, old.size, new.size).await?;
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
    let fingerprint = datacoop_crypto::key_fingerprint(&own_keys.to_envelope());
    // (index, fingerprint published, the whole extra) of every publication.
    let publications: Vec<(u64, Vec<u8>, Vec<u8>)> = mine
        .iter()
        .filter_map(|v| {
            let e = v.entry.as_ref()?;
            (e.action == datacoop_api::log::Action::KeyPublished).then(|| {
                let extra = e.extra.clone().unwrap_or_default();
                let fp = extra.get(..32).unwrap_or_default().to_vec();
                (v.index, fp, extra)
            })
        })
        .collect();
    // The current keys' own publication names the keys they retired (a rotation),
    // signed by them: those earlier publications are the member's too.
    let mut retired = Vec::new();
    let mut own_found = false;
    for (index, fp, extra) in &publications {
        if fp[..] == fingerprint[..] {
            own_found = true;
            match crate::rotation::retired_by(session.member_id, &own_keys, extra) {
                Ok(r) => retired = r,
                Err(p) => problems.push(format!("entry {index} publishes your keys, but {p}")),
            }
        }
    }
    for (index, fp, _) in &publications {
        if fp[..] != fingerprint[..] && !retired.iter().any(|r| r[..] == fp[..]) {
            problems.push(format!(
                "entry {index} publishes public keys in your name that are not the ones your \
                 own client computes, nor ones your keys retired: someone may be handed another \
                 key as yours"
            ));
        }
    }
    if own_found {
        checked.push(if retired.is_empty() {
            "the log holds the publication of your own public keys".into()
        } else {
            format!(
                "the log holds the publication of your own public keys, which retired {} \
                 earlier key(s) of yours in a statement they signed",
                retired.len()
            )
        });
    } else {
        problems.push(
            "the log has no entry publishing your public keys as your own client computes \
             them: a device or study could be given another key in your name"
                .into(),
        );
    }
    let mut leaves = BTreeMap::new();
    for view in &mine {
        let leaf = leaf_hash(&view.encoded);
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
            let leaf = &leaves[i];
            match verify_inclusion(leaf, *i, cp.size, proof, &cp.root) {
                Ok(()) => included += 1,
                Err(e) => problems.push(format!(
                    "entry {i} is not in the signed log as shown to you ({e}): its stored content or the tree was changed"
                )),
            }
        }
    }
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
