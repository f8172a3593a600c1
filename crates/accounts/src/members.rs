//! Members: registration, the KDF-parameter lookup, and login by
//! authentication key. The passphrase never reaches the server.

use crate::hasher::{decoy_hash, Hasher};
use crate::AccountError;
use datacoop_api::accounts::RegisterRequest;
use datacoop_api::MemberId;
use datacoop_crypto::{KdfParams, MemberPublicKeys, SALT_LEN};
use datacoop_store::limiter::{LoginLimiter, RateLimiter};
use datacoop_store::schema::members;
use datacoop_store::time::now_micros;
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;

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

pub(crate) const KEY_LEN: usize = 32;
/// Largest sealed blob accepted at registration.
pub(crate) const MAX_SEALED: usize = 64 * 1024;

/// Normalises an email for lookup (trimmed, lower case) and checks its shape.
pub fn normalise_email(email: &str) -> Result<String, AccountError> {
    datacoop_api::accounts::normalise_email(email)
        .ok_or_else(|| AccountError::Invalid(format!("{email:?} is not an email address")))
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
    crate::login_material::check_kdf_params(&req.kdf_params)?;
    crate::recovery::check_recovery_material(&req.recovery_vault_key, &req.recovery_public_key)?;
    MemberPublicKeys::from_envelope(&req.public_keys)
        .map_err(|e| AccountError::Invalid(format!("public_keys: {e}")))?;
    Ok(())
}

/// True when the email or the id is already an account's.
async fn taken(db: &Db, email: &str, id: &str) -> Result<bool, AccountError> {
    let (email, id) = (email.to_owned(), id.to_owned());
    db.read(move |conn| -> Result<bool, AccountError> {
        if retired(conn, &id)? {
            return Err(AccountError::IdRetired);
        }
        Ok(members::table
            .filter(members::email.eq(email).or(members::id.eq(id)))
            .select(members::id)
            .first::<String>(conn)
            .optional()?
            .is_some())
    })
    .await
}

/// Whether `id` belonged to a deleted account (ids are never reused).
fn retired(conn: &mut datacoop_store::DbConn, id: &str) -> Result<bool, AccountError> {
    use datacoop_store::schema::retired_member_ids as r;
    Ok(r::table.find(id).count().get_result::<i64>(conn)? > 0)
}

/// Creates a data account from client-sealed material. Rate-limited per
/// client address; a taken email or id is refused before any hashing, so
/// neither costs the server a slow hash.
pub async fn register(
    db: &Db,
    hasher: &Hasher,
    registrations: &RateLimiter,
    req: RegisterRequest,
    address: &str,
) -> Result<MemberId, AccountError> {
    register_with(db, hasher, registrations, req, address, None).await
}

/// What else a registration writes in its transaction (a researcher's row).
pub type AlsoOnRegister = Box<dyn FnOnce(&mut DbConn) -> diesel::QueryResult<()> + Send>;

/// [`register`], with `also` run in the same transaction after the account's row.
pub async fn register_with(
    db: &Db,
    hasher: &Hasher,
    registrations: &RateLimiter,
    req: RegisterRequest,
    address: &str,
    also: Option<AlsoOnRegister>,
) -> Result<MemberId, AccountError> {
    let email = normalise_email(&req.email)?;
    check_sizes(&req)?;
    registrations
        .take(address)
        .map_err(AccountError::TooManyRegistrations)?;
    let id = req.member_id;
    if taken(db, &email, &id.to_string()).await? {
        return Err(AccountError::AlreadyExists);
    }
    let auth_hash = hasher.hash_new(req.auth_key.0.clone()).await?;
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
            if retired(conn, &id.to_string())? {
                return Err(AccountError::IdRetired);
            }
            datacoop_accesslog::append(conn, &[published])?;
            diesel::insert_into(members::table)
                .values((
                    members::id.eq(id.to_string()),
                    members::email.eq(email),
                    members::kdf_params.eq(req.kdf_params.0),
                    members::auth_hash.eq(auth_hash),
                    members::sealed_vault_key.eq(req.sealed_vault_key.0),
                    members::recovery_vault_key.eq(req.recovery_vault_key.0),
                    members::recovery_public_key.eq(Some(req.recovery_public_key.0)),
                    members::public_keys.eq(req.public_keys.0),
                    members::sealed_member_keys.eq(req.sealed_member_keys.0),
                    members::created_at.eq(now_micros()),
                ))
                .execute(conn)?;
            if let Some(also) = also {
                also(conn)?;
            }
            Ok(1)
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
/// (same error, same hashing work). The attempt is counted before the hash
/// runs (see `datacoop_store::limiter`).
pub async fn login(
    db: &Db,
    hasher: &Hasher,
    limiter: &LoginLimiter,
    email: &str,
    auth_key: Vec<u8>,
    address: &str,
) -> Result<MemberKeysStored, AccountError> {
    let email = normalise_email(email).map_err(|_| AccountError::InvalidCredentials)?;
    let mut attempt = limiter
        .attempt(&email, address)
        .map_err(AccountError::RateLimited)?;
    let row = find_by_email(db, &email)
        .await
        .inspect_err(|_| attempt.abandon())?;
    let stored_hash = row
        .as_ref()
        .map(|r| r.auth_hash.clone())
        .unwrap_or_else(decoy_hash);
    // Busy (no hashing permit) or a fault: nothing was tried, nothing counts.
    let ok = hasher
        .verify(stored_hash, auth_key)
        .await
        .inspect_err(|_| attempt.abandon())?;
    match row {
        Some(m) if ok => {
            attempt.succeeded();
            Ok(MemberKeysStored {
                id: m.id()?,
                sealed_vault_key: m.sealed_vault_key,
                sealed_member_keys: m.sealed_member_keys,
                public_keys: m.public_keys,
            })
        }
        _ => {
            attempt.failed();
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
