//! Passphrase change: the member proves the current passphrase (its
//! authentication key) and sends new login material; the vault key is only
//! re-sealed, so nothing under it changes. Other sessions are revoked.

use crate::hasher::Hasher;
use crate::login_material::{by_id, check_shapes, prepare, store};
use crate::AccountError;
use datacoop_api::accounts::PassphraseChange;
use datacoop_api::{MemberId, SessionId};
use datacoop_auth::sessions;
use datacoop_store::limiter::LoginLimiter;
use datacoop_store::Db;

/// Who asks, from where, in which session (kept; every other one is revoked).
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The account (the token's subject).
    pub member_id: MemberId,
    /// The session of the token that asked.
    pub session: SessionId,
    /// Client address, for rate limiting.
    pub address: &'a str,
}

/// Proof that the member just gave the current passphrase: what a change or
/// an erasure ([`crate::erase_member`]) needs. It carries the stored hash it
/// was checked against, so a concurrent change makes the write refuse.
#[derive(Debug, Clone)]
pub struct Confirmed {
    pub(crate) member: MemberId,
    pub(crate) auth_hash: String,
}

impl Confirmed {
    /// The account it confirms.
    pub fn member(&self) -> MemberId {
        self.member
    }
}

/// Checks the current authentication key, counting failures like failed logins.
pub async fn confirm(
    db: &Db,
    hasher: &Hasher,
    limiter: &LoginLimiter,
    caller: Caller<'_>,
    auth_key: Vec<u8>,
) -> Result<Confirmed, AccountError> {
    let (email, stored_hash) = by_id(db, caller.member_id).await?;
    let mut attempt = limiter
        .attempt(&email, caller.address)
        .map_err(AccountError::RateLimited)?;
    // Busy (no hashing permit) or a fault: nothing was tried, nothing counts.
    let ok = hasher
        .verify(stored_hash.clone(), auth_key)
        .await
        .inspect_err(|_| attempt.abandon())?;
    if ok {
        attempt.succeeded();
        Ok(Confirmed {
            member: caller.member_id,
            auth_hash: stored_hash,
        })
    } else {
        attempt.failed();
        Err(AccountError::WrongPassphrase)
    }
}

/// Replaces KDF parameters, authentication hash and sealed vault key; returns
/// how many other sessions were revoked.
pub async fn change(
    db: &Db,
    hasher: &Hasher,
    limiter: &LoginLimiter,
    caller: Caller<'_>,
    req: PassphraseChange,
) -> Result<u64, AccountError> {
    check_shapes(&req.kdf_params, &req.auth_key, &req.sealed_vault_key)?;
    let old_hash = confirm(db, hasher, limiter, caller, req.current_auth_key.0)
        .await?
        .auth_hash;
    let material = prepare(hasher, req.kdf_params, req.auth_key, req.sealed_vault_key).await?;
    let (id, keep) = (caller.member_id, caller.session);
    let revoked = db
        .write(move |conn| -> Result<usize, AccountError> {
            if !store(conn, id, &old_hash, &material)? {
                return Err(AccountError::WrongPassphrase);
            }
            Ok(sessions::revoke_all_in(conn, id.uuid(), Some(keep.uuid()))?)
        })
        .await?;
    Ok(revoked as u64)
}
