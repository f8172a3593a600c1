//! Proof generation against the RFC 9162 definitions, and the verifiers against honest and
//! adversarial proofs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::*;
use datacoop_merkle::*;
use proptest::prelude::*;

const SMALL: u64 = 64;

#[test]
fn every_inclusion_proof_up_to_64_matches_the_rfc_and_verifies() {
    let store = store_of(SMALL);
    let leaves = leaf_hashes_of(SMALL);
    for size in 1..=SMALL {
        let root = tree_hash(size, &store).unwrap();
        assert_eq!(
            root,
            reference_root(&leaves[..size as usize]),
            "root {size}"
        );
        for index in 0..size {
            let proof = prove_inclusion(size, index, &store).unwrap();
            assert_eq!(
                proof,
                reference_path(index as usize, &leaves[..size as usize]),
                "PATH({index}, {size})"
            );
            assert_eq!(proof.len(), inclusion_len(index, size));
            let leaf = leaves[index as usize];
            verify_inclusion(&leaf, index, size, &proof, &root).unwrap();
            assert_inclusion_adversarial(&leaf, index, size, &proof, &root, &leaves);
        }
    }
}

fn assert_inclusion_adversarial(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
    leaves: &[Hash],
) {
    let ctx = format!("index {index} size {size}");
    // Index at or past the size.
    assert_eq!(
        verify_inclusion(leaf, size, size, proof, root),
        Err(ProofError::IndexOutOfRange { index: size, size }),
        "{ctx}"
    );
    // Too long: one hash to spare.
    let mut long = proof.to_vec();
    long.push(*leaf);
    assert_eq!(
        verify_inclusion(leaf, index, size, &long, root),
        Err(ProofError::ProofTooLong),
        "{ctx}"
    );
    // Too short.
    if !proof.is_empty() {
        assert_eq!(
            verify_inclusion(leaf, index, size, &proof[..proof.len() - 1], root),
            Err(ProofError::ProofTooShort),
            "{ctx}"
        );
    }
    // Swapped siblings, flipped bits, wrong leaf, wrong root.
    for i in 0..proof.len() {
        if i + 1 < proof.len() && proof[i] != proof[i + 1] {
            let mut swapped = proof.to_vec();
            swapped.swap(i, i + 1);
            assert!(
                verify_inclusion(leaf, index, size, &swapped, root).is_err(),
                "{ctx} swap {i}"
            );
        }
        let mut flipped = proof.to_vec();
        flipped[i].0[31] ^= 0x80;
        assert_eq!(
            verify_inclusion(leaf, index, size, &flipped, root),
            Err(ProofError::RootMismatch),
            "{ctx} flip {i}"
        );
    }
    // The sibling's position: the same proof for the leaf on the other side of the pair.
    if index ^ 1 < size && !proof.is_empty() {
        assert!(
            verify_inclusion(leaf, index ^ 1, size, proof, root).is_err(),
            "{ctx} left/right swap"
        );
    }
    let other = leaves[((index + 1) % size) as usize];
    if other != *leaf {
        assert_eq!(
            verify_inclusion(&other, index, size, proof, root),
            Err(ProofError::RootMismatch),
            "{ctx} other leaf"
        );
    }
    // A wrong claimed size whose path has another shape is refused. (A size with the same
    // path shape recomputes the same root; the signed checkpoint binds size to root.)
    for wrong in [size + 1, size.saturating_sub(1), size * 2, size / 2] {
        if wrong != size && index < wrong && inclusion_len(index, wrong) != proof.len() {
            assert!(
                verify_inclusion(leaf, index, wrong, proof, root).is_err(),
                "{ctx} size {wrong}"
            );
        }
    }
}

#[test]
fn every_consistency_proof_up_to_64_matches_the_rfc_and_verifies() {
    let store = store_of(SMALL);
    let leaves = leaf_hashes_of(SMALL);
    let roots: Vec<Hash> = (0..=SMALL).map(|s| tree_hash(s, &store).unwrap()).collect();
    for new_size in 0..=SMALL {
        for old_size in 0..=new_size {
            let proof = prove_consistency(old_size, new_size, &store).unwrap();
            if old_size > 0 && old_size < new_size {
                assert_eq!(
                    proof,
                    reference_consistency(old_size as usize, &leaves[..new_size as usize]),
                    "PROOF({old_size}, {new_size})"
                );
                assert_eq!(proof.len(), consistency_len(old_size, new_size));
            } else {
                assert!(proof.is_empty());
            }
            let (r1, r2) = (roots[old_size as usize], roots[new_size as usize]);
            verify_consistency(old_size, new_size, &r1, &r2, &proof).unwrap();
            assert_consistency_adversarial(old_size, new_size, &r1, &r2, &proof, &roots);
        }
    }
}

fn assert_consistency_adversarial(
    old_size: u64,
    new_size: u64,
    r1: &Hash,
    r2: &Hash,
    proof: &[Hash],
    roots: &[Hash],
) {
    let ctx = format!("{old_size} -> {new_size}");
    // Shrinking log.
    if old_size < new_size {
        assert_eq!(
            verify_consistency(new_size, old_size, r2, r1, proof),
            Err(ProofError::OldSizeGreater {
                old_size: new_size,
                new_size: old_size
            }),
            "{ctx}"
        );
    }
    // Extra hash, not consumed: must fail, not be ignored.
    let mut long = proof.to_vec();
    long.push(*r1);
    let err = verify_consistency(old_size, new_size, r1, r2, &long).unwrap_err();
    let want = if old_size == new_size {
        ProofError::EqualSizesNonEmptyProof
    } else if old_size == 0 {
        ProofError::EmptyOldTreeNonEmptyProof
    } else {
        ProofError::ProofTooLong
    };
    assert_eq!(err, want, "{ctx} long");
    if old_size == 0 || old_size == new_size {
        return;
    }
    // Too short.
    let short = &proof[..proof.len() - 1];
    let err = verify_consistency(old_size, new_size, r1, r2, short).unwrap_err();
    if short.is_empty() {
        assert_eq!(err, ProofError::EmptyProof, "{ctx} short");
    } else {
        assert_eq!(err, ProofError::ProofTooShort, "{ctx} short");
    }
    // Swapped neighbours and flipped bits.
    for i in 0..proof.len() {
        if i + 1 < proof.len() && proof[i] != proof[i + 1] {
            let mut swapped = proof.to_vec();
            swapped.swap(i, i + 1);
            assert!(
                verify_consistency(old_size, new_size, r1, r2, &swapped).is_err(),
                "{ctx} swap {i}"
            );
        }
        let mut flipped = proof.to_vec();
        flipped[i].0[0] ^= 1;
        assert!(
            verify_consistency(old_size, new_size, r1, r2, &flipped).is_err(),
            "{ctx} flip {i}"
        );
    }
    // Roots swapped or from other sizes.
    assert!(
        verify_consistency(old_size, new_size, r2, r1, proof).is_err(),
        "{ctx} swap roots"
    );
    // Roots of neighbouring sizes (the likeliest confusions).
    let near = |s: u64, t: u64| s.abs_diff(t) <= 2;
    for (size, root) in roots.iter().enumerate() {
        if !near(size as u64, old_size) && !near(size as u64, new_size) && size != 0 {
            continue;
        }
        if size as u64 != old_size {
            assert!(
                verify_consistency(old_size, new_size, root, r2, proof).is_err(),
                "{ctx} old root of size {size}"
            );
        }
        if size as u64 != new_size {
            assert!(
                verify_consistency(old_size, new_size, r1, root, proof).is_err(),
                "{ctx} new root of size {size}"
            );
        }
    }
    // Same proof under other sizes.
    for (a, b) in [
        (old_size + 1, new_size),
        (old_size - 1, new_size),
        (old_size, new_size + 1),
        (old_size, new_size * 2),
    ] {
        if a > 0 && a < b && consistency_len(a, b) != proof.len() {
            assert!(
                verify_consistency(a, b, r1, r2, proof).is_err(),
                "{ctx} as {a} -> {b}"
            );
        }
    }
}

/// RFC 9162 inclusion path length for (index, size).
fn inclusion_len(index: u64, size: u64) -> usize {
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    inner as usize + (index >> inner).count_ones() as usize
}

/// RFC 9162 consistency proof length for 0 < m < n, walking SUBPROOF without hashing.
fn consistency_len(m: u64, n: u64) -> usize {
    let (mut lo, mut hi, mut len) = (0u64, n, 0usize);
    while m != hi {
        let k = largest_pow2_below((hi - lo) as usize) as u64;
        len += 1;
        if m <= lo + k {
            hi = lo + k;
        } else {
            lo += k;
        }
    }
    len + usize::from(lo != 0)
}

#[test]
fn equal_sizes_and_empty_old_tree() {
    let store = store_of(5);
    let root = tree_hash(5, &store).unwrap();
    let other = tree_hash(4, &store).unwrap();
    verify_consistency(5, 5, &root, &root, &[]).unwrap();
    assert_eq!(
        verify_consistency(5, 5, &root, &other, &[]),
        Err(ProofError::EqualSizesDifferentRoots)
    );
    assert_eq!(
        verify_consistency(5, 5, &root, &root, &[root]),
        Err(ProofError::EqualSizesNonEmptyProof)
    );
    verify_consistency(0, 5, &EMPTY_ROOT, &root, &[]).unwrap();
    verify_consistency(0, 0, &EMPTY_ROOT, &EMPTY_ROOT, &[]).unwrap();
    assert_eq!(
        verify_consistency(0, 0, &root, &root, &[]),
        Err(ProofError::EmptyOldTreeWrongRoot)
    );
    assert_eq!(
        verify_consistency(0, 5, &EMPTY_ROOT, &root, &[root]),
        Err(ProofError::EmptyOldTreeNonEmptyProof)
    );
    assert_eq!(
        verify_consistency(0, 5, &other, &root, &[]),
        Err(ProofError::EmptyOldTreeWrongRoot)
    );
    assert_eq!(
        verify_consistency(6, 5, &root, &root, &[]),
        Err(ProofError::OldSizeGreater {
            old_size: 6,
            new_size: 5
        })
    );
    assert_eq!(
        verify_inclusion(&root, 0, 0, &[], &EMPTY_ROOT),
        Err(ProofError::IndexOutOfRange { index: 0, size: 0 })
    );
}

/// A server that rewrote an old entry cannot prove its new tree consistent with a
/// checkpoint a client saw before the rewrite.
#[test]
fn rewritten_old_entry_is_caught() {
    let honest = store_of(100);
    let old_root = tree_hash(40, &honest).unwrap();
    for rewritten in [0u64, 17, 39] {
        let mut forged = MemoryHashStore::new();
        for i in 0..100u64 {
            let data = if i == rewritten {
                "leaf rewritten".to_string()
            } else {
                format!("leaf {i}")
            };
            forged.append(data.as_bytes()).unwrap();
        }
        let new_root = tree_hash(100, &forged).unwrap();
        let proof = prove_consistency(40, 100, &forged).unwrap();
        assert_eq!(
            verify_consistency(40, 100, &old_root, &new_root, &proof),
            Err(ProofError::OldRootMismatch),
            "rewrote {rewritten}"
        );
    }
    // A forked history at the same size shows up as two roots for one size.
    let forked = {
        let mut s = store_of(39);
        s.append(b"other").unwrap();
        tree_hash(40, &s).unwrap()
    };
    assert_eq!(
        verify_consistency(40, 40, &old_root, &forked, &[]),
        Err(ProofError::EqualSizesDifferentRoots)
    );
}

/// Tampering with a stored node (a database row) breaks the proofs that use it.
#[test]
fn tampered_stored_hash_breaks_proofs() {
    let mut store = store_of(50);
    let root = tree_hash(50, &store).unwrap();
    let leaf7 = leaf_hash(b"leaf 7");
    // Node (1, 2) covers leaves 4..6, a sibling on leaf 7's path.
    store.stored_mut()[stored_hash_index(1, 2) as usize].0[0] ^= 1;
    let proof = prove_inclusion(50, 7, &store).unwrap();
    assert_eq!(
        verify_inclusion(&leaf7, 7, 50, &proof, &root),
        Err(ProofError::RootMismatch)
    );
    // The root is read from the stored top-level nodes, so it does not move: only proofs
    // through the tampered node reveal it (which is why clients check inclusion).
    assert_eq!(tree_hash(50, &store).unwrap(), root);
    let proof = prove_inclusion(50, 20, &store).unwrap();
    verify_inclusion(&leaf_hash(b"leaf 20"), 20, 50, &proof, &root).unwrap();
}

#[test]
fn prover_errors_are_typed() {
    let store = store_of(10);
    assert!(matches!(
        prove_inclusion(10, 10, &store),
        Err(TreeError::InvalidRequest(_))
    ));
    assert!(matches!(
        prove_consistency(11, 10, &store),
        Err(TreeError::InvalidRequest(_))
    ));
    assert!(matches!(
        prove_inclusion(11, 3, &store),
        Err(TreeError::MissingHash { .. })
    ));
    assert!(matches!(
        tree_hash(12, &store),
        Err(TreeError::MissingHash { .. })
    ));
    assert!(matches!(
        tree_hash(u64::MAX, &store),
        Err(TreeError::TreeTooLarge { .. })
    ));
    assert!(matches!(
        stored_hashes_for_append(u64::MAX, b"x", &store),
        Err(TreeError::TreeTooLarge { .. })
    ));

    struct Liar;
    impl HashReader for Liar {
        fn read_hashes(&self, _: &[u64]) -> Result<Vec<Hash>, TreeError> {
            Ok(Vec::new())
        }
    }
    assert!(matches!(
        tree_hash(3, &Liar),
        Err(TreeError::ReaderMismatch { asked: 2, got: 0 })
    ));
    assert!(matches!(
        stored_hashes_for_append(3, b"x", &Liar),
        Err(TreeError::ReaderMismatch { .. })
    ));
}

#[test]
fn batch_append_equals_one_by_one() {
    let mut one_by_one = MemoryHashStore::new();
    let mut batched = MemoryHashStore::new();
    let leaves = leaf_hashes_of(1000);
    for leaf in &leaves {
        one_by_one.append_leaf_hash(*leaf).unwrap();
    }
    let mut at = 0;
    for len in [1usize, 2, 3, 7, 64, 100, 1, 0, 300, 522] {
        batched.reset_read_counts();
        batched.append_batch(&leaves[at..at + len]).unwrap();
        assert!(batched.read_calls() <= 1, "one read per batch");
        at += len;
    }
    assert_eq!(at, 1000);
    assert_eq!(batched.stored(), one_by_one.stored());
    assert!(batched.is_consistent_length());
    assert_eq!(stored_hash_count(1000), one_by_one.stored().len() as u64);
}

#[test]
fn proofs_need_one_read_call_and_logarithmic_hashes() {
    let store = store_of(3000);
    for (size, index) in [
        (3000u64, 0u64),
        (3000, 2999),
        (2049, 2048),
        (1024, 511),
        (3000, 1500),
    ] {
        store.reset_read_counts();
        let proof = prove_inclusion(size, index, &store).unwrap();
        assert_eq!(store.read_calls(), 1);
        let reads = store.hashes_read();
        assert_eq!(reads, inclusion_read_count(size, index) as u64);
        assert!(reads <= 2 * 12 + 1, "{reads} reads for ({size}, {index})");
        assert!(proof.len() <= 12);
    }
    for (old, new) in [
        (1u64, 3000u64),
        (1500, 3000),
        (2999, 3000),
        (1024, 3000),
        (7, 2049),
    ] {
        store.reset_read_counts();
        prove_consistency(old, new, &store).unwrap();
        assert_eq!(store.read_calls(), 1);
        let reads = store.hashes_read();
        assert_eq!(reads, consistency_read_count(old, new) as u64);
        assert!(reads <= 2 * 12 + 1, "{reads} reads for ({old}, {new})");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_inclusion_proofs_verify(size in 1u64..4000, seed in any::<u64>()) {
        let store = store_of(size);
        let root = tree_hash(size, &store).unwrap();
        let leaves = leaf_hashes_of(size);
        prop_assert_eq!(root, reference_root(&leaves));
        for index in [seed % size, size - 1, 0, (seed / 7) % size] {
            let proof = prove_inclusion(size, index, &store).unwrap();
            let leaf = leaves[index as usize];
            prop_assert_eq!(verify_inclusion(&leaf, index, size, &proof, &root), Ok(()));
            assert_inclusion_adversarial(&leaf, index, size, &proof, &root, &leaves);
        }
    }

    #[test]
    fn random_consistency_proofs_verify(new_size in 1u64..4000, seed in any::<u64>()) {
        let store = store_of(new_size);
        let new_root = tree_hash(new_size, &store).unwrap();
        for old_size in [seed % (new_size + 1), new_size - 1, 1, new_size.next_power_of_two() / 2] {
            let old_root = tree_hash(old_size, &store).unwrap();
            let proof = prove_consistency(old_size, new_size, &store).unwrap();
            prop_assert_eq!(
                verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
                Ok(())
            );
            let roots: Vec<Hash> = Vec::new();
            assert_consistency_adversarial(old_size, new_size, &old_root, &new_root, &proof, &roots);
        }
    }

    #[test]
    fn arbitrary_proofs_never_panic(
        index in any::<u64>(),
        size in any::<u64>(),
        old in any::<u64>(),
        proof in proptest::collection::vec(any::<[u8; 32]>(), 0..70),
    ) {
        let proof: Vec<Hash> = proof.into_iter().map(Hash).collect();
        let _ = verify_inclusion(&EMPTY_ROOT, index, size, &proof, &EMPTY_ROOT);
        let _ = verify_consistency(old, size, &EMPTY_ROOT, &EMPTY_ROOT, &proof);
        let _ = verify_consistency(old.min(size), size, &EMPTY_ROOT, &EMPTY_ROOT, &proof);
    }
}
