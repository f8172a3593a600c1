//! An in-memory hash store: the reference [`HashReader`] for tests, benchmarks and clients
//! that rebuild a small tree locally.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::TreeError;
use crate::hash::{leaf_hash, Hash};
use crate::stored::{
    stored_hash_count, stored_hashes_for_batch, stored_hashes_for_leaf_hash, HashReader,
};

/// Stored hashes in a `Vec`, indexed by stored-hash index; counts reads for benchmarks.
#[derive(Debug, Default)]
pub struct MemoryHashStore {
    hashes: Vec<Hash>,
    size: u64,
    reads: AtomicU64,
    read_calls: AtomicU64,
}

impl MemoryHashStore {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of leaves appended so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends an entry's bytes as the next leaf and returns its leaf index.
    pub fn append(&mut self, leaf_data: &[u8]) -> Result<u64, TreeError> {
        self.append_leaf_hash(leaf_hash(leaf_data))
    }

    /// Appends a leaf by its hash and returns its leaf index.
    pub fn append_leaf_hash(&mut self, leaf: Hash) -> Result<u64, TreeError> {
        let n = self.size;
        let new = stored_hashes_for_leaf_hash(n, leaf, &*self)?;
        self.hashes.extend(new);
        self.size += 1;
        Ok(n)
    }

    /// Appends many leaves at once (as the server does in one transaction).
    pub fn append_batch(&mut self, leaves: &[Hash]) -> Result<(), TreeError> {
        let new = stored_hashes_for_batch(self.size, leaves, &*self)?;
        self.hashes.extend(new);
        self.size += leaves.len() as u64;
        Ok(())
    }

    /// All stored hashes, in stored-hash index order.
    pub fn stored(&self) -> &[Hash] {
        &self.hashes
    }

    /// Mutable access to the stored hashes, so tests can tamper with a "database row".
    pub fn stored_mut(&mut self) -> &mut [Hash] {
        &mut self.hashes
    }

    /// Total hashes read since the last [`Self::reset_read_counts`].
    pub fn hashes_read(&self) -> u64 {
        self.reads.load(Ordering::Relaxed)
    }

    /// Number of `read_hashes` calls (database round trips) since the last reset.
    pub fn read_calls(&self) -> u64 {
        self.read_calls.load(Ordering::Relaxed)
    }

    /// Zeroes the read counters.
    pub fn reset_read_counts(&self) {
        self.reads.store(0, Ordering::Relaxed);
        self.read_calls.store(0, Ordering::Relaxed);
    }

    /// Whether the store holds exactly the hashes a tree of its size should.
    pub fn is_consistent_length(&self) -> bool {
        self.hashes.len() as u64 == stored_hash_count(self.size)
    }
}

impl HashReader for MemoryHashStore {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, TreeError> {
        self.read_calls.fetch_add(1, Ordering::Relaxed);
        self.reads
            .fetch_add(indexes.len() as u64, Ordering::Relaxed);
        indexes
            .iter()
            .map(|&index| {
                usize::try_from(index)
                    .ok()
                    .and_then(|i| self.hashes.get(i))
                    .copied()
                    .ok_or(TreeError::MissingHash { index })
            })
            .collect()
    }
}
