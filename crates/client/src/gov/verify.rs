//! `datacoop gov verify`: the governance log checked from the member's machine. The
//! checkpoint's signature against a pinned key; that the log only grew since the last
//! check; that the entries the server serves are exactly the log's leaves (their tree
//! root is the signed one); and a replay of every entry with the same rules the server
//! applies, recounting every closed vote from the signed ballots and checking every
//! signature and eligibility against the register entries in the chain.

use crate::log::{check_extension_at, origin_problem};
use crate::member::MemberSession;
use crate::{json, ClientError};
use datacoop_api::log::LogCheckpoint;
use datacoop_api::paths;
use datacoop_governance_core::entry::personal_digest;
use datacoop_governance_core::{Chain, Entry, EntryBody};
use datacoop_merkle::{parse_and_verify_checkpoint, tree_hash, MemoryHashStore};
use reqwest::Method;
use serde::{Deserialize, Serialize};

/// What the verifier remembers between runs.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GovState {
    /// The pinned verifier key of the governance log.
    pub verifier_key: Option<String>,
    /// The last checkpoint verified (signed note text).
    pub checkpoint: Option<String>,
}

/// The outcome of `gov verify`.
#[derive(Debug, Clone)]
pub struct GovReport {
    /// What was checked, in plain words.
    pub checked: Vec<String>,
    /// What is wrong; empty when everything verified.
    pub problems: Vec<String>,
    /// Entries replayed.
    pub entries: u64,
    /// Closed votes recounted.
    pub recounted: usize,
    /// The state to keep (unchanged when there are problems).
    pub state: GovState,
    /// The chain as replayed here (minutes are computed from it).
    pub chain: Chain,
}

impl GovReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

const PAGE: u32 = 1000;

/// The governance log's latest checkpoint (unverified).
async fn gov_checkpoint(session: &MemberSession) -> Result<LogCheckpoint, ClientError> {
    json(
        session
            .client
            .request(Method::GET, paths::GOV_LOG_CHECKPOINT)
            .send()
            .await,
    )
    .await
}

/// Verifies the whole governance log (see the module documentation).
pub async fn verify(session: &MemberSession, state: GovState) -> Result<GovReport, ClientError> {
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    let info = session.gov_info().await?;
    if let Err(e) = info.rules.check() {
        problems.push(format!(
            "the server states rules the law does not allow ({e}); recounting with them anyway"
        ));
    }
    let key = match &state.verifier_key {
        Some(k) if *k != info.verifier_key => {
            problems.push(format!(
                "the server now publishes the governance log key {} but you pinned {k}: the log \
                 was replaced",
                info.verifier_key
            ));
            k.clone()
        }
        Some(k) => {
            checked.push(format!(
                "the governance log key is the one pinned before ({k})"
            ));
            k.clone()
        }
        None => {
            checked.push(format!(
                "pinned the governance log key {} as the server publishes it (trust on first \
                 use: compare it with the key the cooperative publishes)",
                info.verifier_key
            ));
            info.verifier_key.clone()
        }
    };
    let text = gov_checkpoint(session).await?;
    let cp = match parse_and_verify_checkpoint(&text.checkpoint, &key) {
        Ok(cp) => cp,
        Err(e) => {
            problems.push(format!(
                "the governance checkpoint's signature does not verify with the pinned key: {e}"
            ));
            return Ok(report(checked, problems, 0, Chain::new(info.rules), state));
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
            Ok(old) => {
                match check_extension_at(&session.client, paths::GOV_LOG_CONSISTENCY, &old, &cp)
                    .await?
                {
                    Ok(line) => checked.push(line),
                    Err(line) => problems.push(line),
                }
            }
            Err(e) => problems.push(format!("the saved checkpoint no longer verifies: {e}")),
        }
    }

    // Every entry up to the checkpoint's size, in order, hashed as served.
    let mut tree = MemoryHashStore::new();
    let mut chain = Chain::new(info.rules.clone());
    if let Some(k) = governance_key(&key) {
        chain = chain.with_governance_key(k);
    }
    let mut entries = Vec::new();
    let mut from = 0u64;
    while from < cp.size {
        let page = session.gov_entries(from, PAGE).await?;
        if page.items.is_empty() || page.items.len() > PAGE as usize {
            return Err(ClientError::Decode(format!(
                "the server sent {} governance entries from index {from} of {}",
                page.items.len(),
                cp.size
            )));
        }
        for item in page.items {
            if item.index != from {
                return Err(ClientError::Decode(format!(
                    "the server sent governance entry {} where {from} was due",
                    item.index
                )));
            }
            if from < cp.size {
                tree.append(&item.entry)
                    .map_err(|e| ClientError::Decode(e.to_string()))?;
                entries.push(item.entry.into_inner());
            }
            from += 1;
        }
    }
    let root = tree_hash(cp.size, &tree).map_err(|e| ClientError::Decode(e.to_string()))?;
    if root != cp.root {
        problems.push(format!(
            "the {} entries the server serves do not hash to the signed root: an entry was \
             changed, removed, added or reordered after it was logged",
            cp.size
        ));
    } else {
        checked.push(format!(
            "the {} entries served are exactly the log's leaves (their tree root is the signed one)",
            cp.size
        ));
    }
    for (i, bytes) in entries.iter().enumerate() {
        if let Err(p) = chain.apply_bytes(i as u64, bytes) {
            problems.push(format!("entry {}: {}", p.index, p.problem));
        }
    }
    problems.extend(chain.unfinished());
    let recounted = chain
        .motions
        .values()
        .filter(|m| m.result.is_some())
        .count();
    checked.push(format!(
        "replayed {} entries: {} members in the register, {} assemblies, {} motions; {} closed \
         votes recounted from their signed ballots and match their recorded results",
        entries.len(),
        chain.register.len(),
        chain.assemblies.len(),
        chain.motions.len(),
        recounted
    ));
    own_entry(session, &entries, &mut checked, &mut problems).await?;
    let state = if problems.is_empty() {
        GovState {
            verifier_key: Some(key),
            checkpoint: Some(text.checkpoint),
        }
    } else {
        state
    };
    Ok(report(checked, problems, cp.size, chain, state))
}

/// The member's own register entry: its personal data match the chain's digest and its
/// key is the one this machine derives.
async fn own_entry(
    session: &MemberSession,
    entries: &[Vec<u8>],
    checked: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> Result<(), ClientError> {
    let me = match session.gov_me().await {
        Ok(me) => me,
        Err(e) if e.status() == Some(403) => return Ok(()),
        Err(e) => return Err(e),
    };
    let digest = personal_digest(&me.blinding, &me.name, &me.contact);
    let mut registered = false;
    let mut key = None;
    for bytes in entries {
        let Ok(entry) = Entry::from_bytes(bytes) else {
            continue;
        };
        match entry.body {
            EntryBody::MemberRegistered(r) if r.member == me.member => {
                registered = true;
                // After the retention period the personal data is gone; only the
                // digest in the chain remains, and there is nothing to compare.
                if me.personal_removed_at_micros.is_none() && *r.personal_digest != digest {
                    problems.push(format!(
                        "your register entry ({}) does not match what the chain recorded for you",
                        me.member
                    ));
                }
            }
            EntryBody::KeyPublished { member, key: k, .. } if member == me.member => {
                key = Some(k.into_inner());
            }
            _ => {}
        }
    }
    if !registered {
        problems.push(format!(
            "your register entry {} is not in the governance log",
            me.member
        ));
        return Ok(());
    }
    let mine = session.governance_key(&me.member)?;
    match key {
        Some(k) if k == mine.verifying_key().as_bytes().to_vec() => checked.push(format!(
            "your register entry (number {}) matches the chain, and the key published for it is \
             the one your vault derives",
            me.number
        )),
        Some(_) => problems.push(
            "the governance key published for you is not the one your vault derives: someone \
             else may vote in your name"
                .into(),
        ),
        None => checked.push(format!(
            "your register entry (number {}) matches the chain; you have not joined yet",
            me.number
        )),
    }
    Ok(())
}

/// The raw Ed25519 key inside a note verifier key.
pub(crate) fn governance_key(verifier_key: &str) -> Option<datacoop_crypto::VerifyingKey> {
    let k = datacoop_merkle::VerifierKey::parse(verifier_key).ok()?;
    datacoop_crypto::VerifyingKey::from_bytes(k.public_key()).ok()
}

/// A study's approval, checked: signed by the pinned governance key, and its entry is in
/// the governance log under a checkpoint that key signed. What the consent side relies on
/// before sharing anything with a study.
pub async fn verified_study_approval(
    session: &MemberSession,
    study: uuid::Uuid,
    verifier_key: &str,
) -> Result<datacoop_governance_core::StudyApproval, ClientError> {
    let bad = |why: String| ClientError::Decode(format!("the approval of study {study}: {why}"));
    let view: datacoop_governance_core::wire::StudyApprovalView = json(
        session
            .client
            .request(Method::GET, &paths::gov_study_approval(study))
            .send()
            .await,
    )
    .await?;
    let key = governance_key(verifier_key)
        .ok_or_else(|| bad("the governance key does not parse".into()))?;
    if view.approval.study != study || !view.approval.verifies(&key, &view.signature) {
        return Err(bad(
            "it is not signed by the cooperative's governance key".into()
        ));
    }
    let text = gov_checkpoint(session).await?;
    let cp = parse_and_verify_checkpoint(&text.checkpoint, verifier_key)
        .map_err(|e| bad(format!("the governance checkpoint does not verify: {e}")))?;
    let page = session.gov_entries(view.index, 1).await?;
    let item = page
        .items
        .first()
        .filter(|i| i.index == view.index && view.index < cp.size)
        .ok_or_else(|| bad("its entry is not in the signed log".into()))?;
    match Entry::from_bytes(&item.entry).map(|e| e.body) {
        Ok(EntryBody::StudyApproved { approval, .. }) if approval == view.approval => {}
        _ => return Err(bad("its log entry says something else".into())),
    }
    let proofs: datacoop_api::log::InclusionProofs = json(
        session
            .client
            .request(Method::POST, paths::GOV_LOG_INCLUSION)
            .json(&datacoop_api::log::InclusionRequest {
                tree_size: cp.size,
                indexes: vec![view.index],
            })
            .send()
            .await,
    )
    .await?;
    let proof = proofs
        .proofs
        .first()
        .ok_or_else(|| bad("the server sent no inclusion proof".into()))?;
    datacoop_merkle::verify_inclusion(
        &datacoop_merkle::leaf_hash(&item.entry),
        view.index,
        cp.size,
        proof,
        &cp.root,
    )
    .map_err(|e| bad(format!("its inclusion proof does not verify: {e}")))?;
    Ok(view.approval)
}

fn report(
    checked: Vec<String>,
    problems: Vec<String>,
    entries: u64,
    chain: Chain,
    state: GovState,
) -> GovReport {
    GovReport {
        checked,
        problems,
        entries,
        recounted: chain
            .motions
            .values()
            .filter(|m| m.result.is_some())
            .count(),
        state,
        chain,
    }
}
