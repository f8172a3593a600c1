//! Passphrase change: the member proves the current passphrase (its
//! authentication key) and sends new login material; the vault key is only
//! re-sealed, so nothing under it changes. Other sessions are revoked.

use crate::login_material::{by_id, check_auth_key, check_shapes, prepare, store};
use crate::members::Pepper;
use crate::AccountError;
use datacoop_api::accounts::PassphraseChange;
use datacoop_auth::sessions;
use datacoop_store::limiter::LoginLimiter;
use datacoop_store::Db;
use uuid::Uuid;

/// Who asks, from where, in which session (kept; every other one is revoked).
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The account (the token's subject).
    pub member_id: Uuid,
    /// The session of the token that asked.
    pub session: Uuid,
    /// Client address, for rate limiting.
    pub address: &'a str,
}

/// Checks the current authentication key, counting failures like failed logins.
pub(crate) async fn confirm_passphrase(
    db: &Db,
    pepper: &Pepper,
    limiter: &LoginLimiter,
    caller: Caller<'_>,
    auth_key: Vec<u8>,
) -> Result<String, AccountError> {
    let (email, stored_hash) = by_id(db, caller.member_id).await?;
    limiter
        .check(&email, caller.address)
        .map_err(AccountError::RateLimited)?;
    if check_auth_key(pepper, stored_hash.clone(), auth_key).await? {
        Ok(stored_hash)
    } else {
        limiter.failed(&email, caller.address);
        Err(AccountError::WrongPassphrase)
    }
}

/// Replaces KDF parameters, authentication hash and sealed vault key; returns
/// how many other sessions were revoked.
pub async fn change(
    db: &Db,
    pepper: &Pepper,
    limiter: &LoginLimiter,
    caller: Caller<'_>,
    req: PassphraseChange,
) -> Result<u64, AccountError> {
    check_shapes(&req.kdf_params, &req.auth_key, &req.sealed_vault_key)?;
    let old_hash = confirm_passphrase(db, pepper, limiter, caller, req.current_auth_key).await?;
    let material = prepare(pepper, req.kdf_params, req.auth_key, req.sealed_vault_key).await?;
    let (id, keep) = (caller.member_id, caller.session);
    let revoked = db
        .write(move |conn| -> Result<usize, AccountError> {
            if !store(conn, id, &old_hash, &material)? {
                return Err(AccountError::WrongPassphrase);
            }
            Ok(sessions::revoke_all_in(conn, id, Some(keep))?)
        })
        .await?;
    Ok(revoked as u64)
}
