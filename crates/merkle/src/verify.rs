//! Client side: the RFC 9162 proof verification algorithms, step by step as the RFC
//! words them (§2.1.3.2 and §2.1.4.2), with the edge cases the RFC leaves to callers made
//! explicit. Both consume every hash of the proof: a proof with a hash to spare fails.

use crate::error::ProofError;
use crate::hash::{node_hash, Hash, EMPTY_ROOT};

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves with root `root`
/// (RFC 9162 §2.1.3.2).
pub fn verify_inclusion(
    leaf_hash: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    // 1. leaf_index ≥ tree_size fails.
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // 2. fn = leaf_index, sn = tree_size - 1.
    let mut f_n = index;
    let mut s_n = size - 1;
    // 3. r = hash.
    let mut r = *leaf_hash;
    // 4. For each p in the inclusion path:
    for p in proof {
        // a. sn == 0: the path is longer than the tree is deep.
        if s_n == 0 {
            return Err(ProofError::ProofTooLong);
        }
        // b. Right child (or the rightmost node of its level): p is the left sibling.
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            // Skip levels where this node has no right sibling.
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        // c.
        f_n >>= 1;
        s_n >>= 1;
    }
    // 5. sn must be 0 (the path reached the root) and r must be the root.
    if s_n != 0 {
        return Err(ProofError::ProofTooShort);
    }
    if r != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `old_size` with `old_root` is a prefix of the tree of `new_size`
/// with `new_root` (RFC 9162 §2.1.4.2).
///
/// Beyond the RFC's algorithm (defined for 0 < old_size < new_size): equal sizes need an
/// empty proof and equal roots; old size 0 needs an empty proof and the empty-tree root.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldSizeGreater { old_size, new_size });
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::EqualSizesNonEmptyProof);
        }
        if old_root != new_root {
            return Err(ProofError::EqualSizesDifferentRoots);
        }
        if old_size == 0 && *old_root != EMPTY_ROOT {
            return Err(ProofError::EmptyOldTreeWrongRoot);
        }
        return Ok(());
    }
    if old_size == 0 {
        if !proof.is_empty() {
            return Err(ProofError::EmptyOldTreeNonEmptyProof);
        }
        if *old_root != EMPTY_ROOT {
            return Err(ProofError::EmptyOldTreeWrongRoot);
        }
        return Ok(());
    }
    // 1. An empty consistency path fails.
    if proof.is_empty() {
        return Err(ProofError::EmptyProof);
    }
    // 2. If first is an exact power of 2, prepend first_hash to the path.
    let prepend = old_size.is_power_of_two();
    let mut path = std::iter::once(old_root)
        .filter(|_| prepend)
        .chain(proof.iter());
    // 3. fn = first - 1, sn = second - 1.
    let mut f_n = old_size - 1;
    let mut s_n = new_size - 1;
    // 4. Shift out the levels where the old tree's last leaf is a right child.
    while f_n & 1 == 1 {
        f_n >>= 1;
        s_n >>= 1;
    }
    // 5. fr = sr = first value of the path.
    let first = path.next().ok_or(ProofError::EmptyProof)?;
    let mut f_r = *first;
    let mut s_r = *first;
    // 6. For each subsequent value c:
    for c in path {
        // a. sn == 0: the proof has hashes to spare.
        if s_n == 0 {
            return Err(ProofError::ProofTooLong);
        }
        // b.
        if f_n & 1 == 1 || f_n == s_n {
            f_r = node_hash(c, &f_r);
            s_r = node_hash(c, &s_r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            s_r = node_hash(&s_r, c);
        }
        // c.
        f_n >>= 1;
        s_n >>= 1;
    }
    // 7. fr == first_hash, sr == second_hash, and sn == 0.
    if s_n != 0 {
        return Err(ProofError::ProofTooShort);
    }
    if f_r != *old_root {
        return Err(ProofError::OldRootMismatch);
    }
    if s_r != *new_root {
        return Err(ProofError::NewRootMismatch);
    }
    Ok(())
}
