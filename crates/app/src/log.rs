//! The access log: its key, checkpoints and proofs are public; entries only
//! to the member they concern.

use crate::{App, AppError, MemberCaller};
use datacoop_accesslog as accesslog;
use datacoop_api::log::{
    ConsistencyProof, InclusionProofs, InclusionRequest, LogEntryPage, LogEntryQuery, LogKey,
};

impl App {
    /// The access log's origin and verifier key (clients pin it).
    pub fn access_log_key(&self) -> LogKey {
        LogKey {
            origin: self.access_log.origin().to_owned(),
            verifier_key: self.access_log.verifier_key().to_owned(),
        }
    }

    /// The latest signed checkpoint, covering every committed entry.
    pub async fn access_log_checkpoint(&self) -> Result<String, AppError> {
        Ok(accesslog::latest_checkpoint(&self.db, self.access_log.clone()).await?)
    }

    /// The caller's own entries, filtered, with a cursor.
    pub async fn my_log_entries(
        &self,
        caller: &MemberCaller,
        query: LogEntryQuery,
    ) -> Result<LogEntryPage, AppError> {
        Ok(accesslog::entries_for_member(&self.db, caller.id, query).await?)
    }

    /// Inclusion proofs for up to 1,000 leaves against a tree size.
    pub async fn inclusion_proofs(
        &self,
        req: InclusionRequest,
    ) -> Result<InclusionProofs, AppError> {
        Ok(accesslog::inclusion_proofs(&self.db, req.tree_size, req.indexes).await?)
    }

    /// A consistency proof between two tree sizes.
    pub async fn consistency_proof(
        &self,
        from: u64,
        to: u64,
    ) -> Result<ConsistencyProof, AppError> {
        Ok(accesslog::consistency_proof(&self.db, from, to).await?)
    }
}
