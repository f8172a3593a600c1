//! Recovery with the recovery code, in two unauthenticated steps.
//!
//! `start` hands out what the code opens (the recovery copy of the vault key
//! and the sealed private keys; both under 256-bit keys, so safe to hand to
//! anyone) and a challenge the server MACs with its pepper, bound to the
//! account's current authentication hash (so it dies with the first change)
//! and valid for [`CHALLENGE_TTL_SECS`]. Unknown emails get a stable decoy of
//! the same shape. `complete` needs a signature over the challenge, the new
//! login material and the new recovery material by the Ed25519 key the
//! recovery code derives: only someone who holds the code can make it, the
//! server verifies it with the registered recovery public key (so nothing it
//! stores could stand in for the proof), and the used code is replaced.
//! Accounts from before datacoop 0.2 have no recovery public key: their proof
//! is the member's own signature, once. Spec: docs/accounts.md, docs/crypto.md §7.1.

use crate::hasher::Hasher;
use crate::login_material::{check_shapes, prepare, store};
use crate::members::{find_by_email, normalise_email, ByEmail, Pepper};
use crate::AccountError;
use datacoop_api::accounts::{RecoveryComplete, RecoveryStart};
use datacoop_api::MemberId;
use datacoop_auth::sessions;
use datacoop_crypto::envelope::Kind;
use datacoop_crypto::{Canonical, MemberPublicKeys, RecoveryRequest, Signature, VerifyingKey};
use datacoop_store::limiter::LoginLimiter;
use datacoop_store::time::now_micros;
use datacoop_store::Db;
use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// How long a challenge stays valid.
pub const CHALLENGE_TTL_SECS: u64 = 600;
const NONCE_LEN: usize = 16;
const TAG_LEN: usize = 32;
/// `u64be expires_at ‖ nonce (16) ‖ tag (32)`.
pub const CHALLENGE_LEN: usize = 8 + NONCE_LEN + TAG_LEN;
const RECOVERY_BOX_LEN: usize = 107;
const MEMBER_KEYS_BOX_LEN: usize = 139;

fn limiter_key(email: &str) -> String {
    format!("recovery:{email}")
}

fn now_secs() -> u64 {
    u64::try_from(now_micros() / 1_000_000).unwrap_or(0)
}

fn challenge_tag(
    pepper: &Pepper,
    member: &Uuid,
    expires: u64,
    nonce: &[u8],
    hash: &str,
) -> hmac::Tag {
    let msg = Canonical::new("datacoop/v1/recovery-challenge")
        .uuid(member)
        .u64(expires)
        .bytes(nonce)
        .str(hash)
        .finish();
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &pepper.0), &msg)
}

fn make_challenge(pepper: &Pepper, member: &Uuid, hash: &str) -> Result<Vec<u8>, AccountError> {
    let mut nonce = [0u8; NONCE_LEN];
    SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| AccountError::Invalid("the system random source failed".into()))?;
    let expires = now_secs() + CHALLENGE_TTL_SECS;
    let mut out = Vec::with_capacity(CHALLENGE_LEN);
    out.extend_from_slice(&expires.to_be_bytes());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(challenge_tag(pepper, member, expires, &nonce, hash).as_ref());
    Ok(out)
}

/// `Ok(false)` for a forged or spent challenge; `Invalid` for an expired one.
fn check_challenge(
    pepper: &Pepper,
    member: &Uuid,
    hash: &str,
    challenge: &[u8],
) -> Result<bool, AccountError> {
    let Some((expires, rest)) = challenge.split_first_chunk::<8>() else {
        return Ok(false);
    };
    let expires = u64::from_be_bytes(*expires);
    if expires < now_secs() {
        return Err(AccountError::Invalid(
            "the recovery challenge has expired; start the recovery again".into(),
        ));
    }
    let (nonce, tag) = rest.split_at(NONCE_LEN);
    let expected = challenge_tag(pepper, member, expires, nonce, hash);
    Ok(bool::from(expected.as_ref().ct_eq(tag)))
}

/// Pseudorandom bytes for a decoy, stable per email and pepper.
fn decoy_bytes(pepper: &Pepper, email: &str, what: &str, len: usize) -> Vec<u8> {
    let key = hmac::Key::new(hmac::HMAC_SHA256, &pepper.0);
    let mut out = Vec::with_capacity(len + TAG_LEN);
    let mut block = 0u32;
    while out.len() < len {
        let msg = Canonical::new("datacoop/v1/recovery-decoy")
            .str(email)
            .str(what)
            .u32(block)
            .finish();
        out.extend_from_slice(hmac::sign(&key, &msg).as_ref());
        block += 1;
    }
    out.truncate(len);
    out
}

fn decoy_box(kind: Kind, body: Vec<u8>) -> Vec<u8> {
    let mut out = kind.header().to_vec();
    out.extend_from_slice(&body);
    out
}

fn decoy(pepper: &Pepper, email: &str) -> Result<RecoveryStart, AccountError> {
    let id_bytes = decoy_bytes(pepper, email, "member-id", 18);
    // A v7 id stamped within 2026, like the ids of real accounts.
    let offset = u64::from(u16::from_be_bytes([id_bytes[16], id_bytes[17]])) * 400_000;
    let mut random = [0u8; 10];
    random.copy_from_slice(&id_bytes[..10]);
    let member_id =
        uuid::Builder::from_unix_timestamp_millis(1_767_225_600_000 + offset, &random).into_uuid();
    let recovery_body = decoy_bytes(pepper, email, "recovery-vault-key", RECOVERY_BOX_LEN - 3);
    let keys_body = decoy_bytes(pepper, email, "member-keys", MEMBER_KEYS_BOX_LEN - 3);
    Ok(RecoveryStart {
        member_id,
        recovery_vault_key: decoy_box(Kind::VaultKeyByRecovery, recovery_body).into(),
        sealed_member_keys: decoy_box(Kind::MemberSecretKeys, keys_body).into(),
        challenge: make_challenge(pepper, &member_id, "")?.into(),
        legacy_proof: false,
    })
}

/// First step: the sealed material and a fresh challenge (a stable decoy for unknown emails).
pub async fn start(
    db: &Db,
    pepper: &Pepper,
    limiter: &LoginLimiter,
    email: &str,
    address: &str,
) -> Result<RecoveryStart, AccountError> {
    let email = normalise_email(email)?;
    limiter
        .check(&limiter_key(&email), address)
        .map_err(AccountError::RateLimited)?;
    let Some(m) = find_by_email(db, &email).await? else {
        return decoy(pepper, &email);
    };
    let member_id = m.id()?.uuid();
    Ok(RecoveryStart {
        member_id,
        recovery_vault_key: m.recovery_vault_key.into(),
        challenge: make_challenge(pepper, &member_id, &m.auth_hash)?.into(),
        legacy_proof: m.recovery_public_key.is_none(),
        sealed_member_keys: m.sealed_member_keys.into(),
    })
}

/// Checks the shape of a recovery copy of the vault key and its code's public key.
pub(crate) fn check_recovery_material(
    recovery_vault_key: &[u8],
    recovery_public_key: &[u8],
) -> Result<(), AccountError> {
    if recovery_vault_key.len() != RECOVERY_BOX_LEN
        || datacoop_crypto::envelope::inspect(recovery_vault_key).ok()
            != Some((
                Kind::VaultKeyByRecovery,
                Kind::VaultKeyByRecovery.latest_version(),
            ))
    {
        return Err(AccountError::Invalid(
            "the recovery copy of the vault key must be a 107-byte envelope 0x11".into(),
        ));
    }
    VerifyingKey::from_bytes(recovery_public_key).map_err(|_| {
        AccountError::Invalid("the recovery public key must be a 32-byte Ed25519 key".into())
    })?;
    Ok(())
}

/// The key a recovery proof must verify under: the registered recovery key, or for an
/// account from before datacoop 0.2 the member's own signing key.
fn proof_key(m: &ByEmail) -> Option<VerifyingKey> {
    match &m.recovery_public_key {
        Some(k) => VerifyingKey::from_bytes(k).ok(),
        None => MemberPublicKeys::from_envelope(&m.public_keys)
            .ok()
            .map(|p| p.signing),
    }
}

/// Who the proof holds for: the account, its current login hash, and the
/// recovery key it was checked under (none for a 0.1 account).
type Proven = (Uuid, String, Option<Vec<u8>>);

fn proof_holds(
    pepper: &Pepper,
    row: &Option<ByEmail>,
    req: &RecoveryComplete,
) -> Result<Option<Proven>, AccountError> {
    let Some(m) = row else {
        return Ok(None);
    };
    let Ok(member_id) = m.id().map(MemberId::uuid) else {
        return Ok(None);
    };
    let hash = &m.auth_hash;
    if !check_challenge(pepper, &member_id, hash, &req.challenge)? {
        return Ok(None);
    }
    let (Some(public), Ok(signature)) = (proof_key(m), Signature::from_bytes(&req.signature))
    else {
        return Ok(None);
    };
    let signed = RecoveryRequest {
        member_id: &member_id,
        challenge: &req.challenge,
        kdf_params: &req.kdf_params,
        auth_key: &req.auth_key,
        sealed_vault_key: &req.sealed_vault_key,
        new_recovery_vault_key: &req.new_recovery_vault_key,
        new_recovery_public_key: &req.new_recovery_public_key,
    };
    Ok(signed
        .verify(&public, &signature)
        .is_ok()
        .then(|| (member_id, hash.clone(), m.recovery_public_key.clone())))
}

/// Locks the member's row if its recovery key is still the one the proof
/// was checked under: a code replaced since (`replace_code`, which changes
/// only the recovery key) must not complete a recovery begun with the old one.
fn recovery_key_unchanged(
    conn: &mut datacoop_store::DbConn,
    member: MemberId,
    proven_under: &Option<Vec<u8>>,
) -> Result<bool, AccountError> {
    use datacoop_store::schema::members as m;
    use diesel::prelude::*;
    let row = m::table.find(member.to_string());
    let n = match proven_under {
        Some(k) => diesel::update(row.filter(m::recovery_public_key.eq(k)))
            .set(m::id.eq(member.to_string()))
            .execute(conn)?,
        None => diesel::update(row.filter(m::recovery_public_key.is_null()))
            .set(m::id.eq(member.to_string()))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Second step: checks the challenge and the signed proof, stores the new
/// login material and revokes every session. Returns the account and how
/// many sessions were revoked. Malformed requests are refused before the
/// attempt is counted; a failed proof counts like a failed login.
pub async fn complete(
    db: &Db,
    hasher: &Hasher,
    limiter: &LoginLimiter,
    req: RecoveryComplete,
    address: &str,
) -> Result<(MemberId, u64), AccountError> {
    let email = normalise_email(&req.email)?;
    check_shapes(&req.kdf_params, &req.auth_key, &req.sealed_vault_key)?;
    check_recovery_material(&req.new_recovery_vault_key, &req.new_recovery_public_key)?;
    if req.challenge.len() != CHALLENGE_LEN {
        return Err(AccountError::Invalid(
            "challenge must be the bytes returned by recovery/start".into(),
        ));
    }
    let key = limiter_key(&email);
    let mut attempt = limiter
        .attempt(&key, address)
        .map_err(AccountError::RateLimited)?;
    let row = find_by_email(db, &email)
        .await
        .inspect_err(|_| attempt.abandon())?;
    // An expired challenge is refused (422) without counting as a failed proof.
    let proven = proof_holds(hasher.pepper(), &row, &req).inspect_err(|_| attempt.abandon())?;
    let Some((member, old_hash, proven_under)) = proven else {
        attempt.failed();
        return Err(AccountError::RecoveryFailed);
    };
    let member_id = MemberId::from(member);
    let recovery = (req.new_recovery_vault_key.0, req.new_recovery_public_key.0);
    // The proof held: busy hashing or a concurrent change is not a failed guess.
    let material = prepare(hasher, req.kdf_params, req.auth_key, req.sealed_vault_key)
        .await
        .inspect_err(|_| attempt.abandon())?;
    let revoked = db
        .write(move |conn| -> Result<usize, AccountError> {
            if !recovery_key_unchanged(conn, member_id, &proven_under)?
                || !store(conn, member_id, &old_hash, &material)?
            {
                return Err(AccountError::RecoveryFailed);
            }
            // The used code stops working: its copy of the vault key and its key are replaced.
            if !store_recovery(
                conn,
                member_id,
                &material.auth_hash,
                &recovery.0,
                &recovery.1,
            )? {
                return Err(AccountError::RecoveryFailed);
            }
            Ok(sessions::revoke_all_in(conn, member, None)?)
        })
        .await
        .inspect_err(|_| attempt.abandon())?;
    attempt.succeeded();
    limiter.reset(&email);
    Ok((member_id, revoked as u64))
}

fn store_recovery(
    conn: &mut datacoop_store::DbConn,
    member: MemberId,
    expected_hash: &str,
    recovery_vault_key: &[u8],
    recovery_public_key: &[u8],
) -> Result<bool, AccountError> {
    use datacoop_store::schema::members as m;
    use diesel::prelude::*;
    let n = diesel::update(
        m::table
            .find(member.to_string())
            .filter(m::auth_hash.eq(expected_hash)),
    )
    .set((
        m::recovery_vault_key.eq(recovery_vault_key),
        m::recovery_public_key.eq(Some(recovery_public_key)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Replaces the recovery code after the member proves the current passphrase: the old
/// code's copy of the vault key and its public key are gone, so the old code no longer
/// recovers anything.
pub async fn replace_code(
    db: &Db,
    hasher: &Hasher,
    limiter: &LoginLimiter,
    caller: crate::passphrase::Caller<'_>,
    req: datacoop_api::accounts::RecoveryCodeChange,
) -> Result<(), AccountError> {
    check_recovery_material(&req.recovery_vault_key, &req.recovery_public_key)?;
    let confirmed =
        crate::passphrase::confirm(db, hasher, limiter, caller, req.current_auth_key.0).await?;
    let (member, hash) = (confirmed.member, confirmed.auth_hash);
    db.write(move |conn| -> Result<(), AccountError> {
        if store_recovery(
            conn,
            member,
            &hash,
            &req.recovery_vault_key,
            &req.recovery_public_key,
        )? {
            Ok(())
        } else {
            Err(AccountError::WrongPassphrase)
        }
    })
    .await
}
