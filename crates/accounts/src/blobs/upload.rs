//! Uploads: declarations checked before the body, the body checked as it
//! streams (its first bytes, its length), then after it (length, hash).

use super::{find, remove_if_unreferenced};
use crate::AccountError;
use bytes::Bytes;
use datacoop_api::blobs::BlobMeta;
use datacoop_api::{BlobId, MemberId};
use datacoop_crypto::stream::{STREAM_HEADER_LEN, TAG_LEN};
use datacoop_store::schema::blobs as b;
use datacoop_store::time::now_micros;
use datacoop_store::{BlobStore, Db, StoreError};
use diesel::prelude::*;
use futures_util::stream::{Stream, StreamExt};
use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use uuid::Uuid;

/// Smallest valid ciphertext: the stream header and one empty final chunk.
pub const MIN_CIPHERTEXT: u64 = (STREAM_HEADER_LEN + TAG_LEN) as u64;
/// Largest wrapped key.
pub const MAX_WRAPPED_KEY: usize = 4096;
/// Largest sealed metadata box.
pub const MAX_SEALED_META: usize = 8192;

/// How large one blob, and all of one member's blobs together, may be.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest single blob (ciphertext bytes).
    pub max_size: u64,
    /// Most bytes of one member's blobs together (0: no quota).
    pub quota: u64,
}

/// Refuses an upload that would take the member's files past the quota (`used` bytes now).
fn check_quota(used: i64, size: u64, quota: u64) -> Result<(), AccountError> {
    let used = used.max(0) as u64;
    if quota > 0 && used.saturating_add(size) > quota {
        return Err(AccountError::QuotaExceeded(format!(
            "this file ({size} bytes) would take your files to {} bytes, over your storage \
             quota of {quota} bytes (blobs.quota_bytes); delete files you no longer need, or \
             ask the cooperative for more space. Nothing was stored",
            used.saturating_add(size)
        )));
    }
    Ok(())
}

fn used_bytes(conn: &mut datacoop_store::DbConn, member: &str) -> Result<i64, AccountError> {
    Ok(b::table
        .filter(b::member_id.eq(member))
        // SUM of BIGINT is NUMERIC on PostgreSQL: cast back, the same on both backends.
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "CAST(COALESCE(SUM(size), 0) AS BIGINT)",
        ))
        .first::<i64>(conn)?)
}

/// What an upload declares besides its body.
#[derive(Debug, Clone)]
pub struct UploadHeaders {
    /// Visible category.
    pub category: String,
    /// Wrapped data key envelope.
    pub wrapped_key: Vec<u8>,
    /// Sealed metadata box.
    pub sealed_meta: Vec<u8>,
    /// Declared ciphertext length.
    pub size: u64,
    /// Declared SHA-256 of the ciphertext (lower-case hex), if the client sent one.
    pub sha256: Option<String>,
}

fn check_category(c: &str) -> Result<(), AccountError> {
    let ok_chars = c
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '_');
    if c.is_empty() || c.len() > 64 || !ok_chars {
        return Err(AccountError::Invalid(
            "category must be 1 to 64 of a-z, 0-9, '.', '-' and '_' (e.g. health.documents)".into(),
        ));
    }
    Ok(())
}

/// Checks an upload's declarations before its body is read.
pub fn validate(h: &UploadHeaders, max_size: u64) -> Result<(), AccountError> {
    check_category(&h.category)?;
    if h.wrapped_key.is_empty() || h.wrapped_key.len() > MAX_WRAPPED_KEY {
        return Err(AccountError::Invalid(format!(
            "the wrapped key must be 1 to {MAX_WRAPPED_KEY} bytes"
        )));
    }
    if h.sealed_meta.is_empty() || h.sealed_meta.len() > MAX_SEALED_META {
        return Err(AccountError::Invalid(format!(
            "the sealed metadata must be 1 to {MAX_SEALED_META} bytes"
        )));
    }
    if h.size > max_size {
        return Err(AccountError::Store(StoreError::BlobTooLarge(max_size)));
    }
    if h.size < MIN_CIPHERTEXT {
        return Err(AccountError::BlobMismatch(
            "not_a_blob_stream",
            format!("an encrypted file is at least {MIN_CIPHERTEXT} bytes"),
        ));
    }
    if let Some(s) = &h.sha256 {
        if s.len() != 64 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(AccountError::Invalid(
                "the SHA-256 must be 64 hexadecimal digits".into(),
            ));
        }
    }
    Ok(())
}

/// The bytes every stream of this member and blob starts with (format, version, ids).
fn expected_prefix(member: Uuid, id: Uuid) -> Vec<u8> {
    let mut p = datacoop_crypto::Kind::BlobStream.header().to_vec();
    p.extend_from_slice(member.as_bytes());
    p.extend_from_slice(id.as_bytes());
    p
}

/// Checks the first bytes of `body` against `prefix` as they pass; a
/// mismatch ends the stream with an error and sets `bad`.
fn check_prefix<S, E>(
    body: S,
    prefix: Vec<u8>,
    bad: Arc<AtomicBool>,
) -> impl Stream<Item = Result<Bytes, String>> + Unpin
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Display,
{
    let mut seen = 0usize;
    body.map(move |item| {
        let data = item.map_err(|e| e.to_string())?;
        if seen < prefix.len() {
            let n = data.len().min(prefix.len() - seen);
            if data[..n] != prefix[seen..seen + n] {
                bad.store(true, Ordering::SeqCst);
                return Err("not an encrypted stream of this member and blob".to_owned());
            }
            seen += n;
        }
        Ok(data)
    })
}

/// Stores an uploaded blob: the body streams into staging, is checked
/// against the declared length, hash and ids, then published and recorded.
/// The same id with the same ciphertext again is a no-op (`Ok(_, false)`).
pub async fn upload<S, E>(
    db: &Db,
    store: &BlobStore,
    member: MemberId,
    id: BlobId,
    h: UploadHeaders,
    body: S,
    limits: Limits,
) -> Result<(BlobMeta, bool), AccountError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: Display,
{
    validate(&h, limits.max_size)?;
    if limits.quota > 0 {
        // Before the body: a file that cannot fit is not read at all.
        let m = member.to_string();
        let used = db.read(move |conn| used_bytes(conn, &m)).await?;
        check_quota(used, h.size, limits.quota)?;
    }
    let bad = Arc::new(AtomicBool::new(false));
    let body = check_prefix(body, expected_prefix(member.uuid(), id.uuid()), bad.clone());
    let staged = match store.stage(body, h.size).await {
        Ok(s) => s,
        Err(_) if bad.load(Ordering::SeqCst) => {
            return Err(AccountError::BlobMismatch(
                "not_a_blob_stream",
                "the body is not an encrypted stream of this member and blob id".into(),
            ))
        }
        Err(StoreError::BlobTooLarge(_)) => {
            return Err(AccountError::BlobMismatch(
                "blob_size_mismatch",
                format!("the body is longer than the declared {} bytes", h.size),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    if staged.size != h.size {
        let got = staged.size;
        store.discard(staged).await;
        return Err(AccountError::BlobMismatch(
            "blob_size_mismatch",
            format!(
                "the body ended after {got} of the declared {} bytes",
                h.size
            ),
        ));
    }
    let sha = staged.sha256_hex();
    if let Some(declared) = &h.sha256 {
        if !declared.eq_ignore_ascii_case(&sha) {
            store.discard(staged).await;
            return Err(AccountError::BlobMismatch(
                "blob_hash_mismatch",
                "the body's SHA-256 differs from the declared one".into(),
            ));
        }
    }
    let (m, i) = (member.to_string(), id.to_string());
    if let Some(existing) = db.read(move |conn| find(conn, &m, &i)).await? {
        store.discard(staged).await;
        return if existing.sha256 == sha {
            Ok((existing.into_api()?, false))
        } else {
            Err(AccountError::BlobExists(id.to_string()))
        };
    }
    // Logged with the write: `blob_written` by the member (only members
    // upload blobs), the ciphertext's SHA-256 as `extra`.
    let actor = datacoop_accesslog::Actor::Member { id: member.uuid() };
    let mut entry = datacoop_accesslog::entry(
        actor,
        datacoop_accesslog::Action::BlobWritten,
        member.uuid(),
    )?;
    entry.record = Some(id.uuid());
    entry.extra = Some(staged.sha256.to_vec());
    store.publish(staged).await?;
    let (m, i, s) = (member.to_string(), id.to_string(), sha.clone());
    let inserted = db
        .write(move |conn| -> Result<(BlobMeta, bool), AccountError> {
            // A concurrent upload of the same id may have won since the check.
            if let Some(existing) = find(conn, &m, &i)? {
                return if existing.sha256 == s {
                    Ok((existing.into_api()?, false))
                } else {
                    Err(AccountError::BlobExists(i))
                };
            }
            // Again inside the transaction, so parallel uploads cannot overrun it: the
            // no-op update locks the member's row (PostgreSQL's READ COMMITTED would
            // otherwise let two uploads each see the sum without the other).
            if limits.quota > 0 {
                use datacoop_store::schema::members as mm;
                diesel::update(mm::table.find(&m))
                    .set(mm::id.eq(&m))
                    .execute(conn)?;
                check_quota(used_bytes(conn, &m)?, h.size, limits.quota)?;
            }
            let now = now_micros();
            diesel::insert_into(b::table)
                .values((
                    b::member_id.eq(&m),
                    b::id.eq(&i),
                    b::category.eq(&h.category),
                    b::size.eq(h.size as i64),
                    b::sha256.eq(&s),
                    b::wrapped_key.eq(&h.wrapped_key),
                    b::sealed_meta.eq(&h.sealed_meta),
                    b::created_at.eq(now),
                ))
                .execute(conn)
                .map_err(|e| match AccountError::from(e) {
                    AccountError::Store(s) if s.is_foreign_key_violation() => {
                        AccountError::NoAccount
                    }
                    other => other,
                })?;
            datacoop_accesslog::append(conn, &[entry])?;
            Ok((
                find(conn, &m, &i)?
                    .ok_or(AccountError::NotFound)?
                    .into_api()?,
                true,
            ))
        })
        .await;
    if inserted.is_err() {
        remove_if_unreferenced(db, store, sha).await;
    }
    inserted
}
