//! Replacing a member's login material (passphrase change, recovery): the new
//! KDF parameters, the server's hash of the new authentication key and the
//! re-sealed vault key, written together or not at all.

use crate::members::{encode_hash, server_hash, verify_hash, Pepper, KEY_LEN, MAX_SEALED};
use crate::AccountError;
use datacoop_api::b64::Base64Url;
use datacoop_api::MemberId;
use datacoop_crypto::envelope::{inspect, Kind};
use datacoop_crypto::KdfParams;
use datacoop_store::blocking;
use datacoop_store::schema::members;
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use ring::rand::{SecureRandom, SystemRandom};

/// Checked and hashed material, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct NewLoginMaterial {
    kdf_params: Vec<u8>,
    pub(crate) auth_hash: String,
    sealed_vault_key: Vec<u8>,
}

/// Checks the shapes (KDF floor, key length, a 0x10 envelope) and hashes the new key.
pub(crate) async fn prepare(
    pepper: &Pepper,
    kdf_params: Base64Url,
    auth_key: Base64Url,
    sealed_vault_key: Base64Url,
) -> Result<NewLoginMaterial, AccountError> {
    let (kdf_params, auth_key, sealed_vault_key) = (
        kdf_params.into_inner(),
        auth_key.into_inner(),
        sealed_vault_key.into_inner(),
    );
    check_shapes(&kdf_params, &auth_key, &sealed_vault_key)?;
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| AccountError::Invalid("the system random source failed".into()))?;
    let pepper = pepper.clone();
    let hash = blocking(move || server_hash(&pepper, &salt, &auth_key)).await?;
    Ok(NewLoginMaterial {
        kdf_params,
        auth_hash: encode_hash(&salt, &hash),
        sealed_vault_key,
    })
}

/// The shape checks alone (cheap; run before any slow hashing or proof check).
pub(crate) fn check_shapes(
    kdf_params: &[u8],
    auth_key: &[u8],
    sealed_vault_key: &[u8],
) -> Result<(), AccountError> {
    if auth_key.len() != KEY_LEN {
        return Err(AccountError::Invalid("auth_key must be 32 bytes".into()));
    }
    KdfParams::from_envelope(kdf_params)
        .map_err(|e| AccountError::Invalid(format!("kdf_params: {e}")))?;
    let kind_ok = matches!(
        inspect(sealed_vault_key),
        Ok((Kind::VaultKeyByPassphrase, _))
    );
    if !kind_ok || sealed_vault_key.len() > MAX_SEALED {
        return Err(AccountError::Invalid(
            "sealed_vault_key must be a vault key sealed under the new passphrase (envelope kind 0x10)"
                .into(),
        ));
    }
    Ok(())
}

/// Verifies an authentication key against a stored hash, off the async threads.
pub(crate) async fn check_auth_key(
    pepper: &Pepper,
    stored_hash: String,
    auth_key: Vec<u8>,
) -> Result<bool, AccountError> {
    let pepper = pepper.clone();
    blocking(move || verify_hash(&pepper, &stored_hash, &auth_key)).await
}

/// Writes the material if the stored hash is still `expected_hash` (so two
/// concurrent changes cannot both win); false if it changed meanwhile.
pub(crate) fn store(
    conn: &mut DbConn,
    id: MemberId,
    expected_hash: &str,
    m: &NewLoginMaterial,
) -> Result<bool, AccountError> {
    let n = diesel::update(
        members::table
            .find(id.to_string())
            .filter(members::auth_hash.eq(expected_hash)),
    )
    .set((
        members::kdf_params.eq(&m.kdf_params),
        members::auth_hash.eq(&m.auth_hash),
        members::sealed_vault_key.eq(&m.sealed_vault_key),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The account's email and stored hash, by id.
pub(crate) async fn by_id(db: &Db, id: MemberId) -> Result<(String, String), AccountError> {
    let found: Option<(String, String)> = db
        .read(move |conn| -> Result<_, AccountError> {
            Ok(members::table
                .find(id.to_string())
                .select((members::email, members::auth_hash))
                .get_result(conn)
                .optional()?)
        })
        .await?;
    found.ok_or(AccountError::NoAccount)
}
