//! Write-only devices. A member creates a token for a device or app; with it
//! the device adds records sealed to the member's public key (one HPKE-sealed
//! batch key per upload, docs/crypto.md §10) and can list or read nothing.
//! Tokens are checked against the database on every use, so a revocation
//! takes effect on the next request.

use crate::records::{check_category, check_text, insert, validate, written_entry};
use crate::AccountError;
use datacoop_api::devices::{DeviceBatchKey, DeviceCreate, DeviceInfo, DeviceUpload};
use datacoop_api::records::{BatchResult, MAX_BATCH};
use datacoop_api::{BatchId, DeviceId, MemberId};
use datacoop_auth::{device_token, AuthError};
use datacoop_crypto::envelope::inspect;
use datacoop_crypto::{
    device_record_batch_id, DeviceCertificate, HpkePublicKey, Kind, MemberPublicKeys, Signature,
};
use datacoop_store::idempotency::{self, IdempotencyKey};
use datacoop_store::schema::members as m;
use datacoop_store::schema::{device_batches as b, devices as d};
use datacoop_store::time::{format_micros, now_micros};
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use uuid::Uuid;

/// Most devices (revoked ones included) per member.
pub const MAX_DEVICES: i64 = 100;

/// A device authenticated by its token.
#[derive(Debug, Clone)]
pub struct DeviceCaller {
    /// The device.
    pub device_id: DeviceId,
    /// The member whose vault it adds to.
    pub member_id: MemberId,
    /// Categories it may add (`None`: any).
    pub categories: Option<Vec<String>>,
    /// Whether it was enrolled with a key pair (devices enrolled before device keys were not).
    pub has_key: bool,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = d)]
struct Row {
    id: String,
    name: String,
    categories: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    records_added: i64,
    revoked_at: Option<i64>,
    public_key: Option<Vec<u8>>,
    certificate: Option<Vec<u8>>,
}

fn parse_id(text: &str, what: &str) -> Result<Uuid, AccountError> {
    text.parse()
        .map_err(|_| AccountError::Invalid(format!("stored {what} id is not a UUID")))
}

fn split(categories: Option<String>) -> Option<Vec<String>> {
    categories.map(|c| c.split(',').map(str::to_owned).collect())
}

impl Row {
    fn into_api(self) -> Result<DeviceInfo, AccountError> {
        Ok(DeviceInfo {
            id: parse_id(&self.id, "device")?,
            name: self.name,
            categories: split(self.categories),
            created_at: format_micros(self.created_at),
            last_used_at: self.last_used_at.map(format_micros),
            records_added: self.records_added.max(0) as u64,
            revoked_at: self.revoked_at.map(format_micros),
            public_key: self.public_key.map(Into::into),
            certificate: self.certificate.map(Into::into),
        })
    }
}

/// Checks the certificate the member's client signed, with the member's published keys, so a
/// damaged enrolment is refused now rather than when the member's client reads the records.
fn check_certificate(
    member: MemberId,
    req: &DeviceCreate,
    published: &[u8],
) -> Result<(), AccountError> {
    let bad = |why: &str| {
        AccountError::Invalid(format!(
            "{why}: enrol the device with `datacoop devices add`, which makes its key and certificate"
        ))
    };
    let public_key = HpkePublicKey::from_bytes(&req.public_key)
        .map_err(|_| bad("public_key must be a 32-byte X25519 key"))?;
    let signature = Signature::from_bytes(&req.certificate)
        .map_err(|_| bad("certificate must be a 64-byte Ed25519 signature"))?;
    let member_keys = MemberPublicKeys::from_envelope(published)
        .map_err(|_| AccountError::Invalid("stored member public keys do not parse".into()))?;
    DeviceCertificate {
        member_id: member.uuid(),
        device_id: req.id,
        name: req.name.clone(),
        categories: req.categories.clone(),
        public_key,
    }
    .verify(&member_keys, &signature)
    .map(drop)
    .map_err(|_| {
        bad("certificate is not your signature over this device's id, name, categories and key")
    })
}

/// Enrols a device; returns the device and its token (shown once).
pub async fn add(
    db: &Db,
    member: MemberId,
    req: DeviceCreate,
) -> Result<(DeviceInfo, String), AccountError> {
    check_text("name", &req.name, 100)?;
    let categories = match &req.categories {
        None => None,
        Some(list) if list.is_empty() || list.len() > 32 => {
            return Err(AccountError::Invalid(
                "categories: give 1 to 32, or leave it out to allow any".into(),
            ))
        }
        Some(list) => {
            list.iter().try_for_each(|c| check_category(c))?;
            Some(list.join(","))
        }
    };
    let (token, hash) = device_token::generate()?;
    let id = req.id;
    let member_id = member;
    let member = member.to_string();
    db.write(move |conn| -> Result<(DeviceInfo, String), AccountError> {
        let published: Vec<u8> = m::table
            .find(&member)
            .select(m::public_keys)
            .get_result(conn)
            .optional()?
            .ok_or(AccountError::NoAccount)?;
        check_certificate(member_id, &req, &published)?;
        if d::table
            .find(id.to_string())
            .count()
            .get_result::<i64>(conn)?
            > 0
        {
            return Err(AccountError::RecordExists(format!("device {id}")));
        }
        let count: i64 = d::table
            .filter(d::member_id.eq(&member))
            .count()
            .get_result(conn)?;
        if count >= MAX_DEVICES {
            return Err(AccountError::Invalid(format!(
                "you have {count} devices; delete your account's unused ones first (at most {MAX_DEVICES})"
            )));
        }
        diesel::insert_into(d::table)
            .values((
                d::id.eq(id.to_string()),
                d::member_id.eq(&member),
                d::name.eq(&req.name),
                d::token_hash.eq(&hash),
                d::categories.eq(&categories),
                d::created_at.eq(now_micros()),
                d::public_key.eq(Some(&*req.public_key)),
                d::certificate.eq(Some(&*req.certificate)),
            ))
            .execute(conn)
            .map_err(|e| match AccountError::from(e) {
                AccountError::Store(s) if s.is_foreign_key_violation() => AccountError::NoAccount,
                other => other,
            })?;
        let row = d::table
            .find(id.to_string())
            .select(Row::as_select())
            .get_result(conn)?;
        Ok((row.into_api()?, token))
    })
    .await
}

/// The member's devices, oldest first.
pub async fn list(db: &Db, member: MemberId) -> Result<Vec<DeviceInfo>, AccountError> {
    let member = member.to_string();
    db.read(move |conn| -> Result<Vec<DeviceInfo>, AccountError> {
        d::table
            .filter(d::member_id.eq(&member))
            .order(d::id)
            .select(Row::as_select())
            .load(conn)?
            .into_iter()
            .map(Row::into_api)
            .collect()
    })
    .await
}

/// Revokes a device token; revoking twice is fine. 404 for another member's device.
pub async fn revoke(db: &Db, member: MemberId, id: DeviceId) -> Result<DeviceInfo, AccountError> {
    let member = member.to_string();
    db.write(move |conn| -> Result<DeviceInfo, AccountError> {
        let mine = || {
            d::table
                .find(id.to_string())
                .filter(d::member_id.eq(member.clone()))
        };
        let row = mine()
            .select(Row::as_select())
            .get_result(conn)
            .optional()?
            .ok_or(AccountError::NotFound)?;
        if row.revoked_at.is_some() {
            return row.into_api();
        }
        diesel::update(mine())
            .set(d::revoked_at.eq(now_micros()))
            .execute(conn)?;
        mine().select(Row::as_select()).get_result(conn)?.into_api()
    })
    .await
}

/// Checks a presented device token: known and not revoked.
pub async fn authenticate(db: &Db, token: &str) -> Result<DeviceCaller, AccountError> {
    let hash = device_token::hash(token);
    db.read(move |conn| -> Result<DeviceCaller, AccountError> {
        let row: Option<(String, String, Option<String>, bool)> = d::table
            .filter(d::token_hash.eq(&hash))
            .filter(d::revoked_at.is_null())
            .select((
                d::id,
                d::member_id,
                d::categories,
                d::public_key.is_not_null(),
            ))
            .get_result(conn)
            .optional()?;
        let (id, member, categories, has_key) = row.ok_or(AuthError::InvalidDeviceToken)?;
        Ok(DeviceCaller {
            device_id: parse_id(&id, "device")?.into(),
            member_id: parse_id(&member, "member")?.into(),
            categories: split(categories),
            has_key,
        })
    })
    .await
}

/// Checks a device batch before anything is stored: the sealed batch key's
/// shape, and that every record is a first version whose key names the batch,
/// in a category the device may add.
fn check_upload(
    caller: &DeviceCaller,
    up: &DeviceUpload,
) -> Result<Vec<Option<i64>>, AccountError> {
    if up.records.is_empty() || up.records.len() > MAX_BATCH {
        return Err(AccountError::Invalid(format!(
            "a batch holds 1 to {MAX_BATCH} records"
        )));
    }
    if !caller.has_key {
        return Err(AccountError::DeviceScope(
            "this device was enrolled before devices had their own keys, so its records could \
             not be told apart from forgeries: enrol it again with `datacoop devices add` and \
             give it the new credentials file"
                .into(),
        ));
    }
    match inspect(&up.sealed_batch_key) {
        Ok((Kind::DeviceBatchKey, v))
            if v == Kind::DeviceBatchKey.latest_version() && up.sealed_batch_key.len() <= 1024 => {}
        _ => {
            return Err(AccountError::Invalid(
                "sealed_batch_key must be a device batch key envelope (0x30, version 2) sealed \
                 from the device's key to the member's key; update the device's datacoop"
                    .into(),
            ))
        }
    }
    up.records
        .iter()
        .enumerate()
        .map(|(i, u)| {
            if u.version != 1 {
                return Err(AccountError::DeviceScope(format!(
                    "record {i}: a device adds new records (version 1) and cannot change existing ones"
                )));
            }
            if device_record_batch_id(&u.wrapped_key).ok() != Some(up.batch_id) {
                return Err(AccountError::Invalid(format!(
                    "record {i}: wrapped_key must be a device key reference (0x22) naming batch {}",
                    up.batch_id
                )));
            }
            if let Some(allowed) = &caller.categories {
                if !allowed.iter().any(|c| c == &u.category) {
                    return Err(AccountError::DeviceScope(format!(
                        "record {i}: this device may add only {}, not {}",
                        allowed.join(", "),
                        u.category
                    )));
                }
            }
            validate(u)
        })
        .collect()
}

fn store_batch(
    conn: &mut DbConn,
    member: &str,
    device: &str,
    up: &DeviceUpload,
    now: i64,
) -> Result<(), AccountError> {
    let existing: Option<(String, Vec<u8>)> = b::table
        .find((member, up.batch_id.to_string()))
        .select((b::device_id, b::sealed_batch_key))
        .get_result(conn)
        .optional()?;
    match existing {
        Some((dev, key)) if dev == device && key == up.sealed_batch_key => Ok(()),
        Some(_) => Err(AccountError::RecordExists(format!("batch {}", up.batch_id))),
        None => {
            diesel::insert_into(b::table)
                .values((
                    b::member_id.eq(member),
                    b::id.eq(up.batch_id.to_string()),
                    b::device_id.eq(device),
                    b::sealed_batch_key.eq(&*up.sealed_batch_key),
                    b::created_at.eq(now),
                ))
                .execute(conn)?;
            Ok(())
        }
    }
}

/// Stores a device's batch all-or-nothing: the sealed batch key, then the
/// records. An idempotency key makes a retry store nothing twice.
pub async fn upload(
    db: &Db,
    caller: DeviceCaller,
    up: DeviceUpload,
    key: Option<IdempotencyKey>,
) -> Result<BatchResult, AccountError> {
    let effective = check_upload(&caller, &up)?;
    let member = caller.member_id.to_string();
    let device = caller.device_id.to_string();
    // Keys are per member; a device's keys live in their own namespace.
    let key = key.map(|k| IdempotencyKey {
        key: format!("device:{device}:{}", k.key),
        request_hash: k.request_hash,
    });
    let owner = caller.member_id.uuid();
    let actor = datacoop_accesslog::Actor::Device {
        id: caller.device_id.uuid(),
    };
    db.write_grouped_then(move |conn| {
        let mut logged = Vec::new();
        let result = idempotency::once(conn, &member, key.as_ref(), |conn| {
            // Revoked between the token check and now: nothing is stored.
            let now = now_micros();
            let live = diesel::update(d::table.find(&device).filter(d::revoked_at.is_null()))
                .set((
                    d::last_used_at.eq(now),
                    d::records_added.eq(d::records_added + up.records.len() as i64),
                ))
                .execute(conn)?;
            if live != 1 {
                return Err(AuthError::InvalidDeviceToken.into());
            }
            store_batch(conn, &member, &device, &up, now)?;
            for (u, eff) in up.records.iter().zip(effective) {
                if insert(conn, &member, u, eff, now, Some(&device))? {
                    logged.push(written_entry(actor, owner, u.id, u.version)?);
                }
            }
            Ok::<_, AccountError>(BatchResult {
                stored: up.records.len(),
            })
        })?;
        // Appended at the end of the group, in the same transaction.
        Ok((result, logged))
    })
    .await
}

/// A device batch's sealed key, for the member to open the batch's records.
pub async fn batch_key(
    db: &Db,
    member: MemberId,
    id: BatchId,
) -> Result<DeviceBatchKey, AccountError> {
    let member = member.to_string();
    db.read(move |conn| -> Result<DeviceBatchKey, AccountError> {
        let (device, sealed): (String, Vec<u8>) = b::table
            .find((member, id.to_string()))
            .select((b::device_id, b::sealed_batch_key))
            .get_result(conn)
            .optional()?
            .ok_or(AccountError::NotFound)?;
        Ok(DeviceBatchKey {
            id: id.uuid(),
            device_id: parse_id(&device, "device")?,
            sealed_batch_key: sealed.into(),
        })
    })
    .await
}

/// Erasure: deletes every device token and batch key of a member inside the
/// caller's transaction; returns how many devices.
pub fn erase_member(conn: &mut DbConn, member: MemberId) -> Result<u64, AccountError> {
    let key = member.to_string();
    diesel::delete(b::table.filter(b::member_id.eq(&key))).execute(conn)?;
    let n = diesel::delete(d::table.filter(d::member_id.eq(&key))).execute(conn)?;
    Ok(n as u64)
}
