//! Replacing a member's login material (passphrase change, recovery): the new
//! KDF parameters, the server's hash of the new authentication key and the
//! re-sealed vault key, written together or not at all.

use crate::hasher::Hasher;
use crate::members::{KEY_LEN, MAX_SEALED};
use crate::AccountError;
use datacoop_api::b64::Base64Url;
use datacoop_api::MemberId;
use datacoop_crypto::envelope::{inspect, Kind};
use datacoop_crypto::KdfParams;
use datacoop_store::schema::members;
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;

/// Checked and hashed material, ready to store.
#[derive(Debug, Clone)]
pub(crate) struct NewLoginMaterial {
    kdf_params: Vec<u8>,
    pub(crate) auth_hash: String,
    sealed_vault_key: Vec<u8>,
}

/// Checks the shapes (KDF floor, key length, a 0x10 envelope) and hashes the
/// new key (through the hasher's permits).
pub(crate) async fn prepare(
    hasher: &Hasher,
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
    let auth_hash = hasher.hash_new(auth_key).await?;
    Ok(NewLoginMaterial {
        kdf_params,
        auth_hash,
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
    crate::login_material::check_kdf_params(kdf_params)?;
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

/// New KDF parameters must be in the current format (a client-derived salt): the 0.1
/// format is read for old accounts, never written.
pub(crate) fn check_kdf_params(kdf_params: &[u8]) -> Result<(), AccountError> {
    let params = KdfParams::from_envelope(kdf_params)
        .map_err(|e| AccountError::Invalid(format!("kdf_params: {e}")))?;
    if params.is_legacy() {
        return Err(AccountError::Invalid(
            "kdf_params are in the datacoop 0.1 format; new login material must be version 2: \
             update the app"
                .into(),
        ));
    }
    Ok(())
}
