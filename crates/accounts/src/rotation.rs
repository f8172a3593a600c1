//! Key rotation (`POST /api/v1/members/me/keys/rotation`): the member's client made a new
//! vault key, new key pairs and a new recovery code, and wrapped every data key anew; the
//! server checks the statement and swaps everything in one transaction, so the old vault
//! key, once leaked, opens nothing stored from then on (docs/crypto.md section 7.2).

use crate::members::MAX_SEALED;
use crate::passphrase::Caller;
use crate::AccountError;
use datacoop_accesslog::{self as accesslog, Action, Actor};
use datacoop_api::accounts::{
    KeyRotationRequest, KeysRotated, RecordKeyPage, RecordKeyQuery, RecordKeyWrap,
    MAX_ROTATION_ITEMS,
};
use datacoop_api::MemberId;
use datacoop_crypto::{
    key_fingerprint, KeyRotation, MemberPublicKeys, Signature, FINGERPRINT_LEN, MAX_RETIRED,
};
use datacoop_store::schema::{blobs as b, devices as d, members as m, records as r};
use datacoop_store::time::now_micros;
use datacoop_store::{load_page, Db, DbConn, Page};
use diesel::prelude::*;
use std::collections::BTreeMap;

/// One page of the member's wrapped record keys, in id order.
pub async fn record_keys(
    db: &Db,
    member: MemberId,
    q: RecordKeyQuery,
) -> Result<RecordKeyPage, AccountError> {
    let limit = q.limit.unwrap_or(1000).clamp(1, 1000) as usize;
    let member = member.to_string();
    let page: Page<(String, i64, Vec<u8>)> = db
        .read(move |conn| -> Result<_, AccountError> {
            let mut query = r::table
                .filter(r::member_id.eq(member))
                .select((r::id, r::version, r::wrapped_key))
                .order(r::id.asc())
                .into_boxed();
            if let Some(a) = q.after {
                query = query.filter(r::id.gt(a.to_string()));
            }
            Ok(load_page(conn, query, limit)?)
        })
        .await?;
    let items = page
        .rows
        .into_iter()
        .map(|(id, version, wrapped)| {
            Ok(RecordKeyWrap {
                id: id
                    .parse()
                    .map_err(|_| AccountError::Invalid("stored record id is not a UUID".into()))?,
                version: version.max(0) as u64,
                wrapped_key: wrapped.into(),
            })
        })
        .collect::<Result<Vec<_>, AccountError>>()?;
    let next_after = if page.more {
        items.last().map(|k| k.id)
    } else {
        None
    };
    Ok(RecordKeyPage { items, next_after })
}

/// The statement and its parsed parts, checked before any passphrase work.
struct Checked {
    statement: KeyRotation,
    signature: Signature,
}

fn check(member: MemberId, req: &KeyRotationRequest) -> Result<Checked, AccountError> {
    let invalid = |s: &str| AccountError::Invalid(s.into());
    for (name, v) in [
        ("sealed_vault_key", &req.sealed_vault_key),
        ("sealed_member_keys", &req.sealed_member_keys),
    ] {
        if v.is_empty() || v.len() > MAX_SEALED {
            return Err(AccountError::Invalid(format!(
                "{name} must be 1 to {MAX_SEALED} bytes"
            )));
        }
    }
    crate::recovery::check_recovery_material(&req.recovery_vault_key, &req.recovery_public_key)?;
    let keys = MemberPublicKeys::from_envelope(&req.public_keys)
        .map_err(|e| AccountError::Invalid(format!("public_keys: {e}")))?;
    if req.retired_keys.is_empty() || req.retired_keys.len() > MAX_RETIRED {
        return Err(AccountError::Invalid(format!(
            "retired_keys must name 1 to {MAX_RETIRED} key fingerprints"
        )));
    }
    let mut retired = Vec::with_capacity(req.retired_keys.len());
    for fp in &req.retired_keys {
        retired.push(
            <[u8; FINGERPRINT_LEN]>::try_from(fp.0.as_slice())
                .map_err(|_| invalid("each retired key fingerprint is 32 bytes"))?,
        );
    }
    if req.records.len() + req.blobs.len() > MAX_ROTATION_ITEMS {
        return Err(AccountError::Invalid(format!(
            "a rotation re-wraps at most {MAX_ROTATION_ITEMS} records and files"
        )));
    }
    let wraps = req
        .records
        .iter()
        .map(|w| &w.wrapped_key)
        .chain(req.blobs.iter().map(|w| &w.wrapped_key));
    for w in wraps {
        if w.is_empty() || w.len() > 4096 {
            return Err(invalid("each wrapped_key is 1 to 4096 bytes"));
        }
    }
    let statement = KeyRotation {
        member_id: member.uuid(),
        new_keys: key_fingerprint(&req.public_keys),
        retired,
    };
    let signature =
        Signature::from_bytes(&req.signature).map_err(|_| invalid("signature must be 64 bytes"))?;
    statement.verify(&keys.signing, &signature).map_err(|_| {
        invalid("the rotation statement's signature does not verify with the new signing key")
    })?;
    Ok(Checked {
        statement,
        signature,
    })
}

/// Checks that `given` names exactly the stored ids (with their versions, for records).
fn same_set(
    what: &str,
    stored: BTreeMap<String, i64>,
    given: BTreeMap<String, i64>,
) -> Result<(), AccountError> {
    if stored == given {
        return Ok(());
    }
    let missing = stored.keys().filter(|k| !given.contains_key(*k)).count();
    let unknown = given.keys().filter(|k| !stored.contains_key(*k)).count();
    let changed = stored
        .iter()
        .filter(|(k, v)| given.get(*k).is_some_and(|g| g != *v))
        .count();
    Err(AccountError::RotationStale(format!(
        "your {what} changed while the keys were being rotated ({missing} not covered, \
         {unknown} no longer stored, {changed} at another version); nothing was changed: run \
         the rotation again"
    )))
}

/// Swaps in the new keys, wraps and recovery code; revokes every device and every other
/// session; logs the new keys' publication with the signed statement. A retry of a
/// rotation that already took effect answers as the first time did, changing nothing.
pub async fn rotate(
    db: &Db,
    hasher: &crate::hasher::Hasher,
    limiter: &datacoop_store::limiter::LoginLimiter,
    caller: Caller<'_>,
    req: KeyRotationRequest,
) -> Result<KeysRotated, AccountError> {
    let checked = check(caller.member_id, &req)?;
    let session = caller.session;
    let confirmed =
        crate::passphrase::confirm(db, hasher, limiter, caller, req.current_auth_key.0.clone())
            .await?;
    let (member, auth_hash) = (confirmed.member, confirmed.auth_hash);
    let mut entry = accesslog::entry(
        Actor::Member { id: member.uuid() },
        Action::KeyPublished,
        member.uuid(),
    )?;
    entry.extra = Some(checked.statement.log_extra(&checked.signature));
    db.write(move |conn| -> Result<KeysRotated, AccountError> {
        let id = member.to_string();
        let current: Option<Vec<u8>> = m::table
            .find(&id)
            .filter(m::auth_hash.eq(&auth_hash))
            .select(m::public_keys)
            .get_result(conn)
            .optional()?;
        let current = current.ok_or(AccountError::WrongPassphrase)?;
        let done = KeysRotated {
            member_id: member.uuid(),
            records_rewrapped: req.records.len() as u64,
            blobs_rewrapped: req.blobs.len() as u64,
            devices_revoked: 0,
            sessions_revoked: 0,
        };
        if current == req.public_keys.0 {
            // The same rotation again (its answer was lost): already in place.
            return Ok(done);
        }
        if !checked
            .statement
            .retired
            .contains(&key_fingerprint(&current))
        {
            return Err(AccountError::Invalid(
                "retired_keys must include your current public keys".into(),
            ));
        }
        // Locks the member's row first: writes of the member wait for the swap.
        let locked = diesel::update(m::table.find(&id).filter(m::auth_hash.eq(&auth_hash)))
            .set((
                m::public_keys.eq(&req.public_keys.0),
                m::sealed_member_keys.eq(&req.sealed_member_keys.0),
                m::sealed_vault_key.eq(&req.sealed_vault_key.0),
                m::recovery_vault_key.eq(&req.recovery_vault_key.0),
                m::recovery_public_key.eq(Some(&req.recovery_public_key.0)),
            ))
            .execute(conn)?;
        if locked != 1 {
            return Err(AccountError::WrongPassphrase);
        }
        rewrap_records(conn, &id, &req)?;
        rewrap_blobs(conn, &id, &req)?;
        let devices = diesel::update(
            d::table
                .filter(d::member_id.eq(&id))
                .filter(d::revoked_at.is_null()),
        )
        .set(d::revoked_at.eq(now_micros()))
        .execute(conn)?;
        let sessions =
            datacoop_auth::sessions::revoke_all_in(conn, member.uuid(), Some(session.uuid()))?;
        accesslog::append(conn, &[entry])?;
        Ok(KeysRotated {
            devices_revoked: devices as u64,
            sessions_revoked: sessions as u64,
            ..done
        })
    })
    .await
}

fn rewrap_records(
    conn: &mut DbConn,
    member: &str,
    req: &KeyRotationRequest,
) -> Result<(), AccountError> {
    let stored: BTreeMap<String, i64> = r::table
        .filter(r::member_id.eq(member))
        .select((r::id, r::version))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let given: BTreeMap<String, i64> = req
        .records
        .iter()
        .map(|w| (w.id.to_string(), w.version as i64))
        .collect();
    same_set("records", stored, given)?;
    for w in &req.records {
        diesel::update(r::table.find((member, w.id.to_string())))
            .set(r::wrapped_key.eq(&w.wrapped_key.0))
            .execute(conn)?;
    }
    Ok(())
}

fn rewrap_blobs(
    conn: &mut DbConn,
    member: &str,
    req: &KeyRotationRequest,
) -> Result<(), AccountError> {
    let stored: BTreeMap<String, i64> = b::table
        .filter(b::member_id.eq(member))
        .select(b::id)
        .load::<String>(conn)?
        .into_iter()
        .map(|id| (id, 0))
        .collect();
    let given: BTreeMap<String, i64> = req.blobs.iter().map(|w| (w.id.to_string(), 0)).collect();
    same_set("files", stored, given)?;
    for w in &req.blobs {
        diesel::update(b::table.find((member, w.id.to_string())))
            .set(b::wrapped_key.eq(&w.wrapped_key.0))
            .execute(conn)?;
    }
    Ok(())
}
