//! Members: registration, the KDF-parameter lookup, and login by
//! authentication key. The passphrase never reaches the server.

use crate::AccountError;
use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use datacoop_api::accounts::RegisterRequest;
use datacoop_api::MemberId;
use datacoop_crypto::{KdfParams, MemberPublicKeys, SALT_LEN};
use datacoop_store::limiter::LoginLimiter;
use datacoop_store::schema::members;
use datacoop_store::time::now_micros;
use datacoop_store::{blocking, Db};
use diesel::prelude::*;
use ring::rand::{SecureRandom, SystemRandom};
use subtle::ConstantTimeEq;

/// Server-side secret mixed into every stored authentication hash, so a
/// stolen database alone cannot be used to test authentication keys.
#[derive(Clone)]
pub struct Pepper(pub(crate) Vec<u8>);

impl std::fmt::Debug for Pepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pepper([redacted])")
    }
}

impl Pepper {
    /// Wraps the pepper bytes (loaded from the data directory by the server).
    pub fn new(bytes: &[u8]) -> Self {
        Pepper(bytes.to_vec())
    }
}

/// Server hash parameters (RFC 9106 / OWASP minimum: the input is already a
/// 256-bit key stretched by the client's Argon2id, so this guards the stored
/// value, not a weak secret).
const HASH_M_KIB: u32 = 19 * 1024;
const HASH_T: u32 = 2;
const HASH_P: u32 = 1;
pub(crate) const KEY_LEN: usize = 32;
/// Largest sealed blob accepted at registration.
pub(crate) const MAX_SEALED: usize = 64 * 1024;

pub(crate) fn server_hash(
    pepper: &Pepper,
    salt: &[u8],
    auth_key: &[u8],
) -> Result<[u8; 32], AccountError> {
    let params = Params::new(HASH_M_KIB, HASH_T, HASH_P, Some(32))
        .map_err(|e| AccountError::Invalid(format!("hash parameters: {e}")))?;
    let argon = Argon2::new_with_secret(&pepper.0, Algorithm::Argon2id, Version::V0x13, params)
        .map_err(|e| AccountError::Invalid(format!("hash secret: {e}")))?;
    let mut out = [0u8; 32];
    argon
        .hash_password_into(auth_key, salt, &mut out)
        .map_err(|e| AccountError::Invalid(format!("hash: {e}")))?;
    Ok(out)
}

/// `v1$salt$hash`, both unpadded base64url.
pub(crate) fn encode_hash(salt: &[u8], hash: &[u8]) -> String {
    format!(
        "v1${}${}",
        URL_SAFE_NO_PAD.encode(salt),
        URL_SAFE_NO_PAD.encode(hash)
    )
}

pub(crate) fn verify_hash(
    pepper: &Pepper,
    stored: &str,
    auth_key: &[u8],
) -> Result<bool, AccountError> {
    let mut parts = stored.split('$');
    let (Some("v1"), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(false);
    };
    let (Ok(salt), Ok(hash)) = (URL_SAFE_NO_PAD.decode(salt), URL_SAFE_NO_PAD.decode(hash)) else {
        return Ok(false);
    };
    let computed = server_hash(pepper, &salt, auth_key)?;
    Ok(bool::from(computed.ct_eq(hash.as_slice())))
}

/// Normalises an email for lookup (trimmed, lower case) and checks its shape.
pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
    if ok {
        Ok(e)
    } else {
        Err(AccountError::Invalid(format!(
            "{email:?} is not an email address"
        )))
    }
}

/// A member's row as the by-email steps (prelogin, login, recovery) need it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = members)]
pub(crate) struct ByEmail {
    id: String,
    pub(crate) kdf_params: Vec<u8>,
    pub(crate) auth_hash: String,
    pub(crate) sealed_vault_key: Vec<u8>,
    pub(crate) recovery_vault_key: Vec<u8>,
    pub(crate) public_keys: Vec<u8>,
    pub(crate) sealed_member_keys: Vec<u8>,
    pub(crate) recovery_public_key: Option<Vec<u8>>,
}

impl ByEmail {
    /// The account's id.
    pub(crate) fn id(&self) -> Result<MemberId, AccountError> {
        MemberId::parse(&self.id)
            .map_err(|e| AccountError::Invalid(format!("stored member id: {e}")))
    }
}

/// The member with this (normalised) email, if any.
pub(crate) async fn find_by_email(db: &Db, email: &str) -> Result<Option<ByEmail>, AccountError> {
    let email = email.to_owned();
    db.read(move |conn| -> Result<_, AccountError> {
        Ok(members::table
            .filter(members::email.eq(email))
            .select(ByEmail::as_select())
            .get_result(conn)
            .optional()?)
    })
    .await
}

fn check_sizes(req: &RegisterRequest) -> Result<(), AccountError> {
    if req.auth_key.len() != KEY_LEN {
        return Err(AccountError::Invalid("auth_key must be 32 bytes".into()));
    }
    for (name, v) in [
        ("sealed_vault_key", &req.sealed_vault_key),
        ("recovery_vault_key", &req.recovery_vault_key),
        ("sealed_member_keys", &req.sealed_member_keys),
    ] {
        if v.is_empty() || v.len() > MAX_SEALED {
            return Err(AccountError::Invalid(format!(
                "{name} must be 1 to {MAX_SEALED} bytes"
            )));
        }
    }
    KdfParams::from_envelope(&req.kdf_params)
        .map_err(|e| AccountError::Invalid(format!("kdf_params: {e}")))?;
    crate::recovery::check_recovery_material(&req.recovery_vault_key, &req.recovery_public_key)?;
    MemberPublicKeys::from_envelope(&req.public_keys)
        .map_err(|e| AccountError::Invalid(format!("public_keys: {e}")))?;
    Ok(())
}

/// Creates a data account from client-sealed material.
pub async fn register(
    db: &Db,
    pepper: &Pepper,
    req: RegisterRequest,
) -> Result<MemberId, AccountError> {
    let email = normalise_email(&req.email)?;
    check_sizes(&req)?;
    let mut salt = [0u8; 16];
    SystemRandom::new()
        .fill(&mut salt)
        .map_err(|_| AccountError::Invalid("the system random source failed".into()))?;
    let pepper = pepper.clone();
    let auth_key = req.auth_key.clone();
    let hash = blocking(move || server_hash(&pepper, &salt, &auth_key)).await?;
    let id = req.member_id;
    // The public keys' publication is itself a log entry, so a client can
    // check that the key the server hands out is the one that was logged.
    let mut published = datacoop_accesslog::entry(
        datacoop_accesslog::Actor::Member { id },
        datacoop_accesslog::Action::KeyPublished,
        id,
    )?;
    published.extra = Some(
        ring::digest::digest(&ring::digest::SHA256, &req.public_keys)
            .as_ref()
            .to_vec(),
    );
    let res = db
        .write(move |conn| -> Result<usize, AccountError> {
            datacoop_accesslog::append(conn, &[published])?;
            Ok(diesel::insert_into(members::table)
                .values((
                    members::id.eq(id.to_string()),
                    members::email.eq(email),
                    members::kdf_params.eq(req.kdf_params.0),
                    members::auth_hash.eq(encode_hash(&salt, &hash)),
                    members::sealed_vault_key.eq(req.sealed_vault_key.0),
                    members::recovery_vault_key.eq(req.recovery_vault_key.0),
                    members::recovery_public_key.eq(Some(req.recovery_public_key.0)),
                    members::public_keys.eq(req.public_keys.0),
                    members::sealed_member_keys.eq(req.sealed_member_keys.0),
                    members::created_at.eq(now_micros()),
                ))
                .execute(conn)?)
        })
        .await;
    match res {
        Ok(_) => Ok(id.into()),
        Err(AccountError::Store(e)) if e.is_unique_violation() => Err(AccountError::AlreadyExists),
        Err(e) => Err(e),
    }
}

/// The KDF parameters for an email; for an unknown email, parameters derived
/// from the pepper so the answer is stable and looks like a member's.
pub async fn prelogin(db: &Db, pepper: &Pepper, email: &str) -> Result<Vec<u8>, AccountError> {
    let email = normalise_email(email)?;
    if let Some(m) = find_by_email(db, &email).await? {
        return Ok(m.kdf_params);
    }
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &pepper.0);
    let tag = ring::hmac::sign(
        &key,
        format!("datacoop/v1/prelogin-salt\n{email}").as_bytes(),
    );
    let mut salt = [0u8; SALT_LEN];
    salt.copy_from_slice(&tag.as_ref()[..SALT_LEN]);
    let params = KdfParams::new(
        KdfParams::DEFAULT_MEMORY_KIB,
        KdfParams::DEFAULT_ITERATIONS,
        KdfParams::DEFAULT_PARALLELISM,
        salt,
    )
    .map_err(|e| AccountError::Invalid(e.to_string()))?;
    Ok(params.to_envelope())
}

/// What a successful login hands back for the client to open.
#[derive(Debug, Clone)]
pub struct MemberKeysStored {
    /// The account.
    pub id: MemberId,
    /// Vault key sealed under the KEK.
    pub sealed_vault_key: Vec<u8>,
    /// Private keys sealed under the vault key.
    pub sealed_member_keys: Vec<u8>,
    /// Public keys envelope.
    pub public_keys: Vec<u8>,
}

/// Checks an authentication key; unknown emails and wrong keys fail alike
/// (same error, same hashing work).
pub async fn login(
    db: &Db,
    pepper: &Pepper,
    limiter: &LoginLimiter,
    email: &str,
    auth_key: Vec<u8>,
    address: &str,
) -> Result<MemberKeysStored, AccountError> {
    let email = normalise_email(email).map_err(|_| AccountError::InvalidCredentials)?;
    limiter
        .check(&email, address)
        .map_err(AccountError::RateLimited)?;
    let row = find_by_email(db, &email).await?;
    let pepper = pepper.clone();
    let stored_hash = row
        .as_ref()
        .map(|r| r.auth_hash.clone())
        .unwrap_or_else(|| encode_hash(&[0u8; 16], &[0u8; 32]));
    let ok = blocking(move || verify_hash(&pepper, &stored_hash, &auth_key)).await?;
    match row {
        Some(m) if ok => {
            limiter.succeeded(&email);
            Ok(MemberKeysStored {
                id: m.id()?,
                sealed_vault_key: m.sealed_vault_key,
                sealed_member_keys: m.sealed_member_keys,
                public_keys: m.public_keys,
            })
        }
        _ => {
            limiter.failed(&email, address);
            Err(AccountError::InvalidCredentials)
        }
    }
}

/// The member's public keys and sealed private keys (for the member's own
/// client: to hand a device the public key, or to open device batches).
pub async fn key_material(
    db: &Db,
    member: MemberId,
) -> Result<datacoop_api::devices::MemberKeyMaterial, AccountError> {
    let id = member.to_string();
    db.read(
        move |conn| -> Result<datacoop_api::devices::MemberKeyMaterial, AccountError> {
            let (public_keys, sealed_member_keys): (Vec<u8>, Vec<u8>) = members::table
                .find(id)
                .select((members::public_keys, members::sealed_member_keys))
                .get_result(conn)
                .optional()?
                .ok_or(AccountError::NoAccount)?;
            Ok(datacoop_api::devices::MemberKeyMaterial {
                public_keys: public_keys.into(),
                sealed_member_keys: sealed_member_keys.into(),
            })
        },
    )
    .await
}
