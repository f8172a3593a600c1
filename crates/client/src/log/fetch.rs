//! What `log verify` fetches from the server, unverified: the key, checkpoints,
//! proofs, the member's entries and blobs.

use crate::member::MemberSession;
use crate::{json, Client, ClientError};
use datacoop_api::log::{
    ConsistencyProof, LogCheckpoint, LogEntryPage, LogEntryQuery, LogEntryView, LogKey,
};
use datacoop_api::paths;
use reqwest::Method;

/// The log's key as the server publishes it.
pub async fn log_key(client: &Client) -> Result<LogKey, ClientError> {
    json(client.request(Method::GET, paths::LOG_KEY).send().await).await
}

/// The latest signed checkpoint (unverified text).
pub async fn checkpoint(client: &Client) -> Result<String, ClientError> {
    let cp: LogCheckpoint = json(
        client
            .request(Method::GET, paths::LOG_CHECKPOINT)
            .send()
            .await,
    )
    .await?;
    Ok(cp.checkpoint)
}

/// A consistency proof from the server.
pub async fn consistency(
    client: &Client,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, ClientError> {
    consistency_at(client, paths::LOG_CONSISTENCY, from, to).await
}

/// A consistency proof of the log whose proofs are at `path`.
pub(crate) async fn consistency_at(
    client: &Client,
    path: &str,
    from: u64,
    to: u64,
) -> Result<ConsistencyProof, ClientError> {
    json(
        client
            .request(Method::GET, path)
            .query(&[("from", from), ("to", to)])
            .send()
            .await,
    )
    .await
}

/// One page of the member's own entries.
pub async fn entries(
    session: &MemberSession,
    q: &LogEntryQuery,
) -> Result<LogEntryPage, ClientError> {
    json(
        session
            .client
            .request(Method::GET, paths::LOG_ENTRIES)
            .query(q)
            .send()
            .await,
    )
    .await
}

/// All of the member's entries matching `q`.
pub async fn all_entries(
    session: &MemberSession,
    mut q: LogEntryQuery,
) -> Result<Vec<LogEntryView>, ClientError> {
    let mut out = Vec::new();
    q.limit = Some(1000);
    loop {
        let page = entries(session, &q).await?;
        let (n, last) = (page.items.len(), page.items.last().map(|v| v.index));
        out.extend(page.items);
        match crate::next_cursor(q.after.as_ref(), page.next_after, last, n, 1000)? {
            Some(a) => q.after = Some(a),
            None => return Ok(out),
        }
    }
}

/// Every blob's metadata, page by page.
pub(crate) async fn all_blobs(
    session: &MemberSession,
) -> Result<Vec<datacoop_api::blobs::BlobMeta>, ClientError> {
    let mut q = datacoop_api::blobs::BlobQuery {
        limit: Some(1000),
        ..Default::default()
    };
    let mut out = Vec::new();
    loop {
        let page = session.list_blobs(&q).await?;
        let (n, last) = (page.items.len(), page.items.last().map(|b| b.id));
        out.extend(page.items);
        match crate::next_cursor(q.after.as_ref(), page.next_after, last, n, 1000)? {
            Some(a) => q.after = Some(a),
            None => return Ok(out),
        }
    }
}
