//! Server side: roots and RFC 9162 proofs from stored hashes.
//!
//! Each function lists the subtree ranges its answer is made of (following the RFC's
//! recursive definitions of PATH and SUBPROOF), turns them into stored-hash indexes, makes a
//! single [`HashReader::read_hashes`] call (O(log n) indexes, increasing), and folds.

use crate::error::TreeError;
use crate::hash::{Hash, EMPTY_ROOT};
use crate::stored::{
    fold_perfect_subtrees, perfect_subtree_indexes, read_exact, stored_hash_index, HashReader,
    MAX_TREE_SIZE,
};

/// Root hash of the tree made of the first `size` leaves (MTH in RFC 9162 §2.1.1).
pub fn tree_hash<R: HashReader + ?Sized>(size: u64, reader: &R) -> Result<Hash, TreeError> {
    check_size(size)?;
    if size == 0 {
        return Ok(EMPTY_ROOT);
    }
    let hashes = read_ranges(&[(0, size)], reader)?;
    hashes
        .into_iter()
        .next()
        .ok_or(TreeError::Internal("no root range"))
}

/// Stored hash of leaf `index`, e.g. to prove an entry without re-reading its bytes.
pub fn leaf_hash_at<R: HashReader + ?Sized>(index: u64, reader: &R) -> Result<Hash, TreeError> {
    check_size(index)?;
    let hashes = read_exact(reader, &[stored_hash_index(0, index)])?;
    hashes
        .into_iter()
        .next()
        .ok_or(TreeError::Internal("no leaf hash"))
}

/// Inclusion proof (audit path, RFC 9162 §2.1.3.1) of leaf `index` in the tree of `size`.
///
/// Hashes are ordered from the leaf's sibling up to the root's child, as
/// [`crate::verify_inclusion`] expects.
pub fn prove_inclusion<R: HashReader + ?Sized>(
    size: u64,
    index: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    check_size(size)?;
    if index >= size {
        return Err(TreeError::InvalidRequest(format!(
            "leaf {index} is not in a tree of size {size}"
        )));
    }
    read_ranges(&inclusion_ranges(index, size), reader)
}

/// Consistency proof (RFC 9162 §2.1.4.1) that the tree of `old_size` is a prefix of the
/// tree of `new_size`. Empty when `old_size` is 0 or equal to `new_size`.
pub fn prove_consistency<R: HashReader + ?Sized>(
    old_size: u64,
    new_size: u64,
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    check_size(new_size)?;
    if old_size > new_size {
        return Err(TreeError::InvalidRequest(format!(
            "old size {old_size} is larger than new size {new_size}"
        )));
    }
    if old_size == 0 || old_size == new_size {
        return Ok(Vec::new());
    }
    read_ranges(&consistency_ranges(old_size, new_size), reader)
}

/// Number of hash reads [`prove_inclusion`] makes, for capacity planning and benchmarks.
pub fn inclusion_read_count(size: u64, index: u64) -> usize {
    if index >= size || size > MAX_TREE_SIZE {
        return 0;
    }
    count_reads(&inclusion_ranges(index, size))
}

/// Number of hash reads [`prove_consistency`] makes.
pub fn consistency_read_count(old_size: u64, new_size: u64) -> usize {
    if old_size == 0 || old_size >= new_size || new_size > MAX_TREE_SIZE {
        return 0;
    }
    count_reads(&consistency_ranges(old_size, new_size))
}

fn check_size(size: u64) -> Result<(), TreeError> {
    if size > MAX_TREE_SIZE {
        return Err(TreeError::TreeTooLarge { size });
    }
    Ok(())
}

/// Largest power of two strictly below `n` (n ≥ 2), the RFC's split point `k`.
fn split_point(n: u64) -> u64 {
    1u64 << (63 - (n - 1).leading_zeros())
}

/// PATH(index, D[0:size]) as leaf ranges, bottom-up (the order of the proof).
fn inclusion_ranges(index: u64, size: u64) -> Vec<(u64, u64)> {
    let (mut lo, mut hi) = (0u64, size);
    let mut ranges = Vec::new();
    while hi - lo > 1 {
        let k = split_point(hi - lo);
        if index < lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
        }
    }
    ranges.reverse();
    ranges
}

/// PROOF(old_size, D[0:new_size]) = SUBPROOF(m, D[n], true) as leaf ranges, in proof order.
/// Requires 0 < old_size < new_size.
fn consistency_ranges(old_size: u64, new_size: u64) -> Vec<(u64, u64)> {
    let (mut lo, mut hi) = (0u64, new_size);
    let mut ranges = Vec::new();
    loop {
        if old_size == hi {
            // Reached the old tree's right edge. The verifier already knows the whole old
            // tree's root (lo == 0, b = true); otherwise it needs this subtree.
            if lo != 0 {
                ranges.push((lo, hi));
            }
            break;
        }
        let k = split_point(hi - lo);
        if old_size <= lo + k {
            ranges.push((lo + k, hi));
            hi = lo + k;
        } else {
            ranges.push((lo, lo + k));
            lo += k;
        }
    }
    ranges.reverse();
    ranges
}

fn count_reads(ranges: &[(u64, u64)]) -> usize {
    ranges
        .iter()
        .map(|&(lo, hi)| perfect_subtree_indexes(lo, hi).map_or(0, |v| v.len()))
        .sum()
}

/// One read for all ranges, then each range's RFC 9162 subtree hash, in order.
fn read_ranges<R: HashReader + ?Sized>(
    ranges: &[(u64, u64)],
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    let mut indexes = Vec::new();
    let mut counts = Vec::with_capacity(ranges.len());
    for &(lo, hi) in ranges {
        let part = perfect_subtree_indexes(lo, hi)?;
        counts.push(part.len());
        indexes.extend(part);
    }
    // Ask in increasing order (cheaper for a database); answer in range order.
    let mut order: Vec<usize> = (0..indexes.len()).collect();
    order.sort_by_key(|&i| indexes[i]);
    let sorted: Vec<u64> = order.iter().map(|&i| indexes[i]).collect();
    let sorted_hashes = read_exact(reader, &sorted)?;
    let mut hashes = vec![Hash::default(); indexes.len()];
    for (pos, &i) in order.iter().enumerate() {
        hashes[i] = sorted_hashes[pos];
    }
    let mut out = Vec::with_capacity(ranges.len());
    let mut at = 0;
    for count in counts {
        out.push(fold_perfect_subtrees(&hashes[at..at + count])?);
        at += count;
    }
    Ok(out)
}
