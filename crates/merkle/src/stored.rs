//! The stored-hash layout: every node hash of the tree is written once, at a dense index,
//! when the leaf that completes its subtree is appended (the scheme of Go's sumdb `tlog`,
//! after Crosby and Wallach §3.3). Appends write about two hashes per leaf; any root or
//! proof then needs O(log n) reads.

use crate::error::TreeError;
use crate::hash::{leaf_hash, node_hash, Hash};

/// Largest tree this crate handles (2^62 leaves), so index arithmetic cannot overflow.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// Where the server's node storage comes from: a database table keyed by stored-hash index.
pub trait HashReader {
    /// Returns the hashes at `indexes`, in the same order and of the same length.
    ///
    /// Callers in this crate ask once per operation, with indexes in increasing order;
    /// a missing index is an error ([`TreeError::MissingHash`]), never a default hash.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError>;
}

impl<R: HashReader + ?Sized> HashReader for &R {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        (**self).read_hashes(indexes)
    }
}

/// Index at which the hash of node `n` of `level` is stored (level 0 = leaves).
///
/// The node at (level, n) covers leaves `[n·2^level, (n+1)·2^level)` and is written right
/// after the last of them, so the index is that of the last leaf plus `level`.
/// Valid for nodes of trees up to [`MAX_TREE_SIZE`]; outside that domain the result is
/// meaningless (but computing it never panics).
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    let level = u32::from(level).min(63);
    // Index of the last leaf under this node.
    let last_leaf = n
        .wrapping_shl(level)
        .wrapping_add((1u64 << level).wrapping_sub(1));
    // Leaf i is stored after all hashes of leaves < i: i + i/2 + i/4 + … of them.
    let mut index = 0u64;
    let mut i = last_leaf;
    while i > 0 {
        index = index.wrapping_add(i);
        i >>= 1;
    }
    index.wrapping_add(u64::from(level))
}

/// Inverse of [`stored_hash_index`]: the (level, n) of the node stored at `index`, or
/// `None` for an index beyond a tree of [`MAX_TREE_SIZE`] leaves.
pub fn split_stored_hash_index(index: u64) -> Option<(u8, u64)> {
    if index >= stored_hash_count(MAX_TREE_SIZE) {
        return None;
    }
    // stored_hash_index(0, n) <= 2n, so the leaf that wrote `index` is in [index/2, index].
    let mut n = index / 2;
    let mut at = stored_hash_index(0, n);
    loop {
        // Leaf n writes 1 + trailing_ones(n) hashes.
        let next = at + 1 + u64::from(n.trailing_ones());
        if next > index {
            break;
        }
        n += 1;
        at = next;
    }
    let level = u8::try_from(index - at).ok()?;
    Some((level, n >> level))
}

/// How many hashes are stored once `size` leaves have been appended.
pub fn stored_hash_count(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    let last = size - 1;
    stored_hash_index(0, last)
        .wrapping_add(1)
        .wrapping_add(u64::from(last.trailing_ones()))
}

/// The hashes to store when appending leaf number `n` with entry bytes `leaf_data`.
///
/// Store them at consecutive indexes starting at `stored_hash_index(0, n)`: first the leaf
/// hash, then one hash per subtree this leaf completes. Reads at most log₂ n earlier hashes.
pub fn stored_hashes_for_append<R: HashReader + ?Sized>(
    n: u64,
    leaf_data: &[u8],
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    stored_hashes_for_leaf_hash(n, leaf_hash(leaf_data), reader)
}

/// Like [`stored_hashes_for_append`], for a caller that already has the leaf hash.
pub fn stored_hashes_for_leaf_hash<R: HashReader + ?Sized>(
    n: u64,
    leaf: Hash,
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    if n >= MAX_TREE_SIZE {
        return Err(TreeError::TreeTooLarge { size: n });
    }
    // Each trailing 1 bit of n means leaf n completes a subtree whose left half is stored.
    let completes = n.trailing_ones();
    let indexes: Vec<u64> = (0..completes)
        .rev()
        .map(|level| stored_hash_index(level as u8, (n >> level) - 1))
        .collect();
    let siblings = read_exact(reader, &indexes)?;
    let mut out = Vec::with_capacity(1 + siblings.len());
    let mut h = leaf;
    out.push(h);
    // `siblings` is in increasing index order, i.e. highest level first.
    for sibling in siblings.iter().rev() {
        h = node_hash(sibling, &h);
        out.push(h);
    }
    Ok(out)
}

/// The hashes to store when appending a batch of leaves starting at leaf `n`.
///
/// Returns every hash for the batch, to be stored at consecutive indexes starting at
/// `stored_hash_index(0, n)`. Makes one read of at most 62 hashes (the roots of the perfect
/// subtrees of the first `n` leaves), however large the batch, so a server appending in a
/// transaction does not have to read back what it has just written.
pub fn stored_hashes_for_batch<R: HashReader + ?Sized>(
    n: u64,
    leaf_hashes: &[Hash],
    reader: &R,
) -> Result<Vec<Hash>, TreeError> {
    let end = n
        .checked_add(leaf_hashes.len() as u64)
        .filter(|end| *end <= MAX_TREE_SIZE)
        .ok_or(TreeError::TreeTooLarge { size: n })?;
    // Right border of the existing tree: roots of its perfect subtrees, biggest first.
    let border_indexes = perfect_subtree_indexes(0, n)?;
    let mut border = read_exact(reader, &border_indexes)?;
    let mut out = Vec::with_capacity(2 * leaf_hashes.len() + 1);
    for (leaf_n, leaf) in (n..end).zip(leaf_hashes) {
        let mut h = *leaf;
        out.push(h);
        for _ in 0..leaf_n.trailing_ones() {
            let left = border
                .pop()
                .ok_or(TreeError::Internal("border underflow"))?;
            h = node_hash(&left, &h);
            out.push(h);
        }
        border.push(h);
    }
    Ok(out)
}

/// Reads and checks that the reader kept its contract (same length as asked).
pub(crate) fn read_exact<R: HashReader + ?Sized>(
    reader: &R,
    indexes: &[u64],
) -> Result<Vec<Hash>, TreeError> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = reader.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TreeError::ReaderMismatch {
            asked: indexes.len(),
            got: hashes.len(),
        });
    }
    Ok(hashes)
}

/// Stored indexes of the perfect subtrees that make up leaves `[lo, hi)`, left to right.
///
/// `lo` must be a multiple of the largest power of two ≤ `hi - lo` (true of every range the
/// RFC 9162 recursions produce); otherwise the range has no RFC 9162 subtree hash.
pub(crate) fn perfect_subtree_indexes(lo: u64, hi: u64) -> Result<Vec<u64>, TreeError> {
    let mut out = Vec::new();
    let mut lo = lo;
    while lo < hi {
        let level = 63 - (hi - lo).leading_zeros(); // largest power of two ≤ hi - lo
        let width = 1u64 << level;
        if lo & (width - 1) != 0 {
            return Err(TreeError::Internal("unaligned subtree range"));
        }
        out.push(stored_hash_index(level as u8, lo >> level));
        lo += width;
    }
    Ok(out)
}

/// RFC 9162 subtree hash of a range from its perfect subtrees' hashes (left to right).
pub(crate) fn fold_perfect_subtrees(hashes: &[Hash]) -> Result<Hash, TreeError> {
    let (last, rest) = hashes
        .split_last()
        .ok_or(TreeError::Internal("empty subtree range"))?;
    Ok(rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_layout_matches_the_sumdb_scheme() {
        // Leaves 0,1 then node(1,0); leaf 2; leaf 3, node(1,1), node(2,0); leaf 4 …
        assert_eq!(stored_hash_index(0, 0), 0);
        assert_eq!(stored_hash_index(0, 1), 1);
        assert_eq!(stored_hash_index(1, 0), 2);
        assert_eq!(stored_hash_index(0, 2), 3);
        assert_eq!(stored_hash_index(0, 3), 4);
        assert_eq!(stored_hash_index(1, 1), 5);
        assert_eq!(stored_hash_index(2, 0), 6);
        assert_eq!(stored_hash_index(0, 4), 7);
        assert_eq!(stored_hash_count(4), 7);
        assert_eq!(stored_hash_count(5), 8);
    }

    #[test]
    fn split_inverts_index() {
        for level in 0..12u8 {
            for n in 0..300u64 {
                assert_eq!(
                    split_stored_hash_index(stored_hash_index(level, n)),
                    Some((level, n))
                );
            }
        }
        // Every index up to a size is hit exactly once.
        let count = stored_hash_count(1000);
        for i in 0..count {
            let (l, n) = split_stored_hash_index(i).unwrap();
            assert_eq!(stored_hash_index(l, n), i);
        }
    }

    #[test]
    fn huge_inputs_do_not_panic() {
        let _ = stored_hash_index(255, u64::MAX);
        assert_eq!(split_stored_hash_index(u64::MAX), None);
        let last = stored_hash_count(MAX_TREE_SIZE) - 1;
        assert_eq!(split_stored_hash_index(last), Some((62, 0)));
        let _ = stored_hash_count(u64::MAX);
    }
}
