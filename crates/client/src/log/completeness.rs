//! What the member's own entries prove beyond inclusion: that none is missing
//! (each entry carries the member's sequence number and the hash of the
//! member's previous entry) and that the records and blobs the server lists
//! are exactly the ones, at the versions, its logged writes say.

use datacoop_api::blobs::BlobMeta;
use datacoop_api::log::{AccessEntry, Action, LogEntryView};
use datacoop_api::records::RecordMeta;
use datacoop_merkle::Hash;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The outcome of one check: lines for the report.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub checked: Vec<String>,
    pub problems: Vec<String>,
}

/// Checks that the member's entries, in index order, form one unbroken
/// chain: numbered 0, 1, 2, … (entries from before the chain, version 1,
/// count in the numbering), each naming the leaf hash of the one before.
/// A missing entry shows as a gap in the numbers or a broken link.
pub(crate) fn check_chain(mine: &[LogEntryView]) -> Findings {
    let mut f = Findings::default();
    let mut legacy = 0u64;
    // (seq, leaf, index) of the last chained entry.
    let mut last: Option<(u64, Hash, u64)> = None;
    let mut previous_leaf: Option<Hash> = None;
    for view in mine {
        let leaf = datacoop_api::log::leaf_of(&view.encoded);
        let Ok(entry) = AccessEntry::decode(&view.encoded) else {
            // Named by the caller's decoding check.
            previous_leaf = Some(leaf);
            continue;
        };
        match (entry.chain, last) {
            (None, None) => legacy += 1,
            (None, Some(_)) => f.problems.push(format!(
                "entry {} has no place in your chain although it comes after chained entries: \
                 the server wrote it outside the chain",
                view.index
            )),
            (Some(c), None) => {
                if c.seq != legacy {
                    f.problems.push(format!(
                        "entry {} is your entry number {} but only {legacy} of yours come before \
                         it: {} of your entries are missing from the listing",
                        view.index,
                        c.seq,
                        c.seq.abs_diff(legacy)
                    ));
                }
                if c.prev != previous_leaf.unwrap_or_default() {
                    f.problems.push(format!(
                        "entry {} does not link to the entry listed before it: an entry between \
                         them is missing or was replaced",
                        view.index
                    ));
                }
                last = Some((c.seq, leaf, view.index));
            }
            (Some(c), Some((seq, prev, index))) => {
                if c.seq != seq + 1 {
                    f.problems.push(if c.seq > seq + 1 {
                        format!(
                            "your entries number {} to {} (between log entries {index} and {}) \
                             are missing from the listing",
                            seq + 1,
                            c.seq - 1,
                            view.index
                        )
                    } else {
                        format!(
                            "entry {} repeats or reorders your entry number {} (after number \
                             {seq}): the chain was rewritten",
                            view.index, c.seq
                        )
                    });
                } else if c.prev != prev {
                    f.problems.push(format!(
                        "entry {} does not link to your entry before it (log entry {index}): \
                         one of them was replaced",
                        view.index
                    ));
                }
                last = Some((c.seq, leaf, view.index));
            }
        }
        previous_leaf = Some(leaf);
    }
    match last {
        Some((seq, _, index)) if f.problems.is_empty() => f.checked.push(format!(
            "your {} entries form one unbroken chain up to your entry number {seq} (log entry \
             {index}): none before it is missing{}; an entry newer than it that the server \
             withholds shows as a gap as soon as a later one is listed",
            seq + 1,
            if legacy > 0 {
                format!(" (the first {legacy} predate the chain; their count is confirmed)")
            } else {
                String::new()
            }
        )),
        None if legacy > 0 => f.checked.push(format!(
            "your {legacy} entries all predate the chain of entries, so the log cannot show \
             that none is missing; your next entry starts the chain"
        )),
        _ => {}
    }
    f
}

/// What the log says of one record or blob: its last logged write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last<T> {
    Written { value: T, index: u64 },
    Deleted { index: u64 },
}

/// Each record's last logged write (its version), by id.
type RecordWrites = BTreeMap<Uuid, Last<u64>>;
/// Each blob's last logged write (its ciphertext's SHA-256), by id.
type BlobWrites = BTreeMap<Uuid, Last<[u8; 32]>>;

/// The last logged write of every record and blob, from the member's
/// entries in index order.
fn last_writes(mine: &[LogEntryView]) -> (RecordWrites, BlobWrites) {
    let mut records = BTreeMap::new();
    let mut blobs = BTreeMap::new();
    for view in mine {
        let Ok(e) = AccessEntry::decode(&view.encoded) else {
            continue;
        };
        let Some(id) = e.record else { continue };
        let index = view.index;
        let extra = e.extra.as_deref().unwrap_or_default();
        match e.action {
            Action::RecordWritten => {
                if let Ok(v) = <[u8; 8]>::try_from(extra) {
                    records.insert(
                        id,
                        Last::Written {
                            value: u64::from_be_bytes(v),
                            index,
                        },
                    );
                }
            }
            Action::RecordDeleted => {
                records.insert(id, Last::Deleted { index });
            }
            Action::BlobWritten => {
                if let Ok(sha) = <[u8; 32]>::try_from(extra) {
                    blobs.insert(id, Last::Written { value: sha, index });
                }
            }
            Action::BlobDeleted => {
                blobs.insert(id, Last::Deleted { index });
            }
            _ => {}
        }
    }
    (records, blobs)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks the server's listing of records and blobs against the logged
/// writes: each listed record at the version last written, nothing deleted
/// still listed, nothing written and not deleted left out. Records and blobs
/// stored before writes were logged cannot be checked, and are counted.
pub(crate) fn check_listing(
    mine: &[LogEntryView],
    records: &[RecordMeta],
    blobs: &[BlobMeta],
) -> Findings {
    let mut f = Findings::default();
    let (logged_records, logged_blobs) = last_writes(mine);
    let mut unlogged = 0usize;
    let mut listed = std::collections::BTreeSet::new();
    for r in records {
        listed.insert(r.id);
        match logged_records.get(&r.id) {
            None => unlogged += 1,
            Some(Last::Written { value, index }) if *value != r.version => {
                f.problems.push(if r.version < *value {
                    format!(
                        "record {} is shown at version {}, but version {value} was written \
                         (log entry {index}): an old version is served as current",
                        r.id, r.version
                    )
                } else {
                    format!(
                        "record {} is shown at version {}, which the log never recorded (the \
                         last write is version {value}, log entry {index})",
                        r.id, r.version
                    )
                })
            }
            Some(Last::Written { .. }) => {}
            Some(Last::Deleted { index }) => f.problems.push(format!(
                "record {} was deleted (log entry {index}) but is still listed",
                r.id
            )),
        }
    }
    for (id, last) in &logged_records {
        if let Last::Written { value, index } = last {
            if !listed.contains(id) {
                f.problems.push(format!(
                    "record {id} (version {value}, written in log entry {index}) is missing \
                     from your records: the server withholds it"
                ));
            }
        }
    }
    let mut unlogged_blobs = 0usize;
    let mut listed_blobs = std::collections::BTreeSet::new();
    for b in blobs {
        listed_blobs.insert(b.id);
        match logged_blobs.get(&b.id) {
            None => unlogged_blobs += 1,
            Some(Last::Written { value, index }) if !b.sha256.eq_ignore_ascii_case(&hex(value)) => {
                f.problems.push(format!(
                    "blob {} is not the file that was stored (log entry {index} names other \
                     content)",
                    b.id
                ))
            }
            Some(Last::Written { .. }) => {}
            Some(Last::Deleted { index }) => f.problems.push(format!(
                "blob {} was deleted (log entry {index}) but is still listed",
                b.id
            )),
        }
    }
    for (id, last) in &logged_blobs {
        if let Last::Written { index, .. } = last {
            if !listed_blobs.contains(id) {
                f.problems.push(format!(
                    "blob {id} (stored in log entry {index}) is missing from your files: the \
                     server withholds it"
                ));
            }
        }
    }
    if f.problems.is_empty() {
        let mut line = format!(
            "the server lists your {} records and {} files exactly as your logged writes say \
             (each record at its last written version, nothing deleted shown, nothing left out)",
            records.len(),
            blobs.len()
        );
        if unlogged + unlogged_blobs > 0 {
            line.push_str(&format!(
                "; {unlogged} records and {unlogged_blobs} files were last stored before writes \
                 were logged and cannot be checked this way until they are written again"
            ));
        }
        f.checked.push(line);
    }
    f
}
