//! Helpers shared by the integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
#![allow(dead_code)]

use datacoop_merkle::{Hash, MemoryHashStore};

/// Hash from lowercase hex (test vectors are published in hex).
pub fn hex(s: &str) -> Hash {
    assert_eq!(s.len(), 64, "hash hex must be 64 chars: {s}");
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    Hash(out)
}

/// Bytes from hex.
pub fn hex_bytes(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Hash from standard base64.
pub fn b64(s: &str) -> Hash {
    Hash::from_base64(s).unwrap_or_else(|| panic!("bad base64 hash {s}"))
}

/// A store with `n` leaves whose data is "leaf {i}".
pub fn store_of(n: u64) -> MemoryHashStore {
    let mut store = MemoryHashStore::new();
    for i in 0..n {
        store.append(format!("leaf {i}").as_bytes()).unwrap();
    }
    store
}

/// Reference RFC 9162 MTH over leaf hashes, straight from the definition (recursive).
pub fn reference_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => datacoop_merkle::EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = largest_pow2_below(n);
            datacoop_merkle::node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
        }
    }
}

/// Largest power of two strictly below n (n ≥ 2).
pub fn largest_pow2_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 9162 §2.1.3.1 PATH(m, D[n]) straight from the definition.
pub fn reference_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = largest_pow2_below(n);
    if m < k {
        let mut p = reference_path(m, &leaves[..k]);
        p.push(reference_root(&leaves[k..]));
        p
    } else {
        let mut p = reference_path(m - k, &leaves[k..]);
        p.push(reference_root(&leaves[..k]));
        p
    }
}

/// RFC 9162 §2.1.4.1 PROOF(m, D[n]) straight from the definition (0 < m < n).
pub fn reference_consistency(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    fn subproof(m: usize, leaves: &[Hash], b: bool) -> Vec<Hash> {
        let n = leaves.len();
        if m == n {
            return if b {
                Vec::new()
            } else {
                vec![reference_root(leaves)]
            };
        }
        let k = largest_pow2_below(n);
        if m <= k {
            let mut p = subproof(m, &leaves[..k], b);
            p.push(reference_root(&leaves[k..]));
            p
        } else {
            let mut p = subproof(m - k, &leaves[k..], false);
            p.push(reference_root(&leaves[..k]));
            p
        }
    }
    subproof(m, leaves, true)
}

/// Leaf hashes of `store_of(n)`.
pub fn leaf_hashes_of(n: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| datacoop_merkle::leaf_hash(format!("leaf {i}").as_bytes()))
        .collect()
}
