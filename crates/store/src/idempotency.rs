//! `Idempotency-Key`: a retried creating request returns the first answer
//! and stores nothing twice. Checked and recorded inside the same transaction
//! as the write it guards.

use crate::schema::idempotency_keys as ik;
use crate::time::now_micros;
use crate::{DbConn, StoreError};
use diesel::prelude::*;

/// A key and the hash of the request it was first used with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    /// The client's key.
    pub key: String,
    /// SHA-256 of the request body.
    pub request_hash: Vec<u8>,
}

impl IdempotencyKey {
    /// Builds the key for a request body; refuses keys that are empty or over 200 bytes.
    pub fn new(key: &str, body: &[u8]) -> Result<Self, StoreError> {
        if key.is_empty() || key.len() > 200 {
            return Err(StoreError::Invalid(
                "Idempotency-Key must be 1 to 200 characters".into(),
            ));
        }
        Ok(IdempotencyKey {
            key: key.to_owned(),
            request_hash: ring::digest::digest(&ring::digest::SHA256, body)
                .as_ref()
                .to_vec(),
        })
    }
}

/// The stored answer for this key, if the same request was seen before.
pub fn replay(
    conn: &mut DbConn,
    member: &str,
    k: &IdempotencyKey,
) -> Result<Option<String>, StoreError> {
    let found: Option<(Vec<u8>, String)> = ik::table
        .find((member, &k.key))
        .select((ik::request_hash, ik::response))
        .get_result(conn)
        .optional()?;
    match found {
        Some((hash, response)) if hash == k.request_hash => Ok(Some(response)),
        Some(_) => Err(StoreError::IdempotencyMismatch),
        None => Ok(None),
    }
}

/// Records the answer given for this key.
pub fn remember(
    conn: &mut DbConn,
    member: &str,
    k: &IdempotencyKey,
    response: &str,
) -> Result<(), StoreError> {
    diesel::insert_into(ik::table)
        .values((
            ik::member_id.eq(member),
            ik::key.eq(&k.key),
            ik::request_hash.eq(&k.request_hash),
            ik::response.eq(response),
            ik::created_at.eq(now_micros()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Runs `work` once per key: a retry with the same key and request gets the
/// first answer back without running it again (inside the caller's
/// transaction, so the answer is remembered only if the work commits).
pub fn once<T, E, F>(
    conn: &mut DbConn,
    member: &str,
    key: Option<&IdempotencyKey>,
    work: F,
) -> Result<T, E>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
    E: From<StoreError>,
    F: FnOnce(&mut DbConn) -> Result<T, E>,
{
    let Some(k) = key else {
        return work(conn);
    };
    if let Some(previous) = replay(conn, member, k)? {
        return serde_json::from_str(&previous)
            .map_err(|e| StoreError::Invalid(format!("stored answer: {e}")).into());
    }
    let result = work(conn)?;
    let text = serde_json::to_string(&result).map_err(|e| StoreError::Invalid(e.to_string()))?;
    remember(conn, member, k, &text)?;
    Ok(result)
}

/// Erasure: forgets every idempotency key (and stored answer) of a member,
/// inside the caller's transaction.
pub fn erase_member(conn: &mut DbConn, member: &str) -> Result<(), StoreError> {
    diesel::delete(ik::table.filter(ik::member_id.eq(member))).execute(conn)?;
    Ok(())
}
