//! The publications of the member's public keys in the log: the current keys must be
//! there, and every other key published in the member's name must be one the current
//! keys retired in their own signed rotation statement (docs/crypto.md section 7.2).

use super::completeness::Findings;
use datacoop_api::log::LogEntryView;
use datacoop_crypto::MemberPublicKeys;
use uuid::Uuid;

/// Checks the `key_published` entries among the member's entries against the keys the
/// member's own client computes.
pub(crate) fn check_publications(
    member_id: Uuid,
    own_keys: &MemberPublicKeys,
    mine: &[LogEntryView],
) -> Findings {
    let mut f = Findings::default();
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
            match crate::rotation::retired_by(member_id, own_keys, extra) {
                Ok(r) => retired = r,
                Err(p) => f
                    .problems
                    .push(format!("entry {index} publishes your keys, but {p}")),
            }
        }
    }
    for (index, fp, _) in &publications {
        if fp[..] != fingerprint[..] && !retired.iter().any(|r| r[..] == fp[..]) {
            f.problems.push(format!(
                "entry {index} publishes public keys in your name that are not the ones your \
                 own client computes, nor ones your keys retired: someone may be handed another \
                 key as yours"
            ));
        }
    }
    if own_found {
        f.checked.push(if retired.is_empty() {
            "the log holds the publication of your own public keys".into()
        } else {
            format!(
                "the log holds the publication of your own public keys, which retired {} \
                 earlier key(s) of yours in a statement they signed",
                retired.len()
            )
        });
    } else {
        f.problems.push(
            "the log has no entry publishing your public keys as your own client computes \
             them: a device or study could be given another key in your name"
                .into(),
        );
    }
    f
}
