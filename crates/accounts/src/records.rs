//! Records: ciphertext, wrapped key and the metadata the member exposes.
//! Every read of content goes through [`get`], the one call site where the
//! access log will record it.

use crate::AccountError;
use datacoop_accesslog::{self as accesslog, AccessEntry, Action, Actor};
use datacoop_api::records::{
    BatchResult, RecordFull, RecordMeta, RecordPage, RecordQuery, RecordUpload, MAX_BATCH, MAX_PAGE,
};
use datacoop_api::{MemberId, RecordId};
use datacoop_store::idempotency::{self, IdempotencyKey};
use datacoop_store::schema::records as r;
use datacoop_store::time::{format_micros, now_micros, parse_micros, parse_range};
use datacoop_store::{load_page, Db, DbConn, Page};
use diesel::prelude::*;

/// Largest record ciphertext; larger content belongs in a blob.
pub const MAX_CIPHERTEXT: usize = 1024 * 1024;

#[derive(Queryable, Selectable)]
#[diesel(table_name = r)]
pub(crate) struct MetaRow {
    id: String,
    version: i64,
    category: String,
    type_code: String,
    effective_at: Option<i64>,
    content_type: String,
    size: i64,
    updated_at: i64,
    device_id: Option<String>,
}

impl MetaRow {
    pub(crate) fn into_api(self) -> Result<RecordMeta, AccountError> {
        Ok(RecordMeta {
            id: self
                .id
                .parse()
                .map_err(|_| AccountError::Invalid("stored record id is not a UUID".into()))?,
            version: self.version.max(0) as u64,
            category: self.category,
            type_code: self.type_code,
            effective_at: self.effective_at.map(format_micros),
            content_type: self.content_type,
            size: self.size.max(0) as u64,
            updated_at: format_micros(self.updated_at),
            device_id: self.device_id.and_then(|d| d.parse().ok()),
        })
    }
}

pub(crate) fn check_text(name: &str, v: &str, max: usize) -> Result<(), AccountError> {
    if v.is_empty() || v.len() > max || v.chars().any(char::is_control) {
        return Err(AccountError::Invalid(format!(
            "{name} must be 1 to {max} printable characters"
        )));
    }
    Ok(())
}

/// Checks a category name (`health.vital-signs`, `catch.landing`).
pub(crate) fn check_category(category: &str) -> Result<(), AccountError> {
    check_text("category", category, 64)?;
    if !category
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-' || c == '_')
    {
        return Err(AccountError::Invalid(
            "category may hold only a-z, 0-9, '.', '-' and '_' (e.g. health.vital-signs)".into(),
        ));
    }
    Ok(())
}

/// Checks an upload's visible fields and sizes; returns its effective time.
pub(crate) fn validate(u: &RecordUpload) -> Result<Option<i64>, AccountError> {
    check_category(&u.category)?;
    check_text("type_code", &u.type_code, 200)?;
    check_text("content_type", &u.content_type, 255)?;
    if u.version == 0 || u.version > i64::MAX as u64 {
        return Err(AccountError::Invalid("version starts at 1".into()));
    }
    if u.ciphertext.is_empty() || u.ciphertext.len() > MAX_CIPHERTEXT {
        return Err(AccountError::Invalid(format!(
            "ciphertext must be 1 to {MAX_CIPHERTEXT} bytes; store larger content as a blob"
        )));
    }
    if u.wrapped_key.is_empty() || u.wrapped_key.len() > 4096 {
        return Err(AccountError::Invalid(
            "wrapped_key must be 1 to 4096 bytes".into(),
        ));
    }
    Ok(u.effective_at
        .as_deref()
        .map(|t| parse_micros(t, "effective_at"))
        .transpose()?)
}

/// The access-log entry of a stored record version: `record_written`, with
/// the version as `extra` (u64 big-endian), so the member's client can check
/// that what the server lists as current is the last version it logged.
pub(crate) fn written_entry(
    actor: Actor,
    member: uuid::Uuid,
    record: uuid::Uuid,
    version: u64,
) -> Result<AccessEntry, AccountError> {
    let mut entry = accesslog::entry(actor, Action::RecordWritten, member)?;
    entry.record = Some(record);
    entry.extra = Some(version.to_be_bytes().to_vec());
    Ok(entry)
}

/// Inserts one upload: a new record (`Ok(true)`), an identical retry
/// (no-op, `Ok(false)`), or a conflict. `device` names the device that
/// added it, if any.
pub(crate) fn insert(
    conn: &mut DbConn,
    member: &str,
    u: &RecordUpload,
    effective: Option<i64>,
    now: i64,
    device: Option<&str>,
) -> Result<bool, AccountError> {
    let id = u.id.to_string();
    let existing: Option<(i64, Vec<u8>)> = datacoop_store::on_backend!(conn, |c| r::table
        .find((member, &id))
        .select((r::version, r::ciphertext))
        .get_result(c)
        .optional())?;
    match existing {
        Some((v, c)) if v as u64 == u.version && c == u.ciphertext => return Ok(false),
        Some(_) => return Err(AccountError::RecordExists(id)),
        None => {}
    }
    let row = (
        r::member_id.eq(member),
        r::id.eq(&id),
        r::version.eq(u.version as i64),
        r::category.eq(&u.category),
        r::type_code.eq(&u.type_code),
        r::effective_at.eq(effective),
        r::content_type.eq(&u.content_type),
        r::size.eq(u.ciphertext.len() as i64),
        r::ciphertext.eq(&*u.ciphertext),
        r::wrapped_key.eq(&*u.wrapped_key),
        r::created_at.eq(now),
        r::updated_at.eq(now),
        r::device_id.eq(device),
    );
    datacoop_store::on_backend!(conn, |c| diesel::insert_into(r::table)
        .values(row)
        .execute(c))?;
    Ok(true)
}

/// Stores records all-or-nothing, each new one logged as `record_written`
/// by `actor`; with an idempotency key, a retry returns the first answer
/// without storing (or logging) again.
pub async fn create(
    db: &Db,
    member: MemberId,
    actor: Actor,
    uploads: Vec<RecordUpload>,
    key: Option<IdempotencyKey>,
) -> Result<BatchResult, AccountError> {
    if uploads.is_empty() || uploads.len() > MAX_BATCH {
        return Err(AccountError::Invalid(format!(
            "a batch holds 1 to {MAX_BATCH} records; split larger imports"
        )));
    }
    let effective: Vec<Option<i64>> = uploads.iter().map(validate).collect::<Result<_, _>>()?;
    let owner = member.uuid();
    let member = member.to_string();
    db.write_grouped_then(
        move |conn| -> Result<(BatchResult, Vec<AccessEntry>), AccountError> {
            let mut logged = Vec::new();
            let result = idempotency::once(conn, &member, key.as_ref(), |conn| {
                let now = now_micros();
                for (u, eff) in uploads.iter().zip(effective) {
                    let new = insert(conn, &member, u, eff, now, None).map_err(|e| match e {
                        // A still-valid token of a deleted account.
                        AccountError::Store(s) if s.is_foreign_key_violation() => {
                            AccountError::NoAccount
                        }
                        other => other,
                    })?;
                    if new {
                        logged.push(written_entry(actor, owner, u.id, u.version)?);
                    }
                }
                Ok::<_, AccountError>(BatchResult {
                    stored: uploads.len(),
                })
            })?;
            // Appended at the end of the group, in the same transaction.
            Ok((result, logged))
        },
    )
    .await
}

/// Replaces a record with its next version (optimistic concurrency: the
/// upload's version must be the stored one plus one), logged as
/// `record_written` in the same transaction.
pub async fn update(
    db: &Db,
    member: MemberId,
    actor: Actor,
    u: RecordUpload,
) -> Result<RecordMeta, AccountError> {
    let effective = validate(&u)?;
    let entry = written_entry(actor, member.uuid(), u.id, u.version)?;
    let member = member.to_string();
    db.write(move |conn| -> Result<RecordMeta, AccountError> {
        let id = u.id.to_string();
        let current: i64 = r::table
            .find((&member, &id))
            .select(r::version)
            .get_result(conn)
            .optional()?
            .ok_or(AccountError::NotFound)?;
        if u.version as i64 != current + 1 {
            return Err(AccountError::VersionConflict {
                current: current as u64,
            });
        }
        let now = now_micros();
        diesel::update(r::table.find((&member, &id)))
            .set((
                r::version.eq(u.version as i64),
                r::category.eq(&u.category),
                r::type_code.eq(&u.type_code),
                r::effective_at.eq(effective),
                r::content_type.eq(&u.content_type),
                r::size.eq(u.ciphertext.len() as i64),
                r::ciphertext.eq(&*u.ciphertext),
                r::wrapped_key.eq(&*u.wrapped_key),
                r::updated_at.eq(now),
                // A new version comes from the member's own client, never a device.
                r::device_id.eq(None::<String>),
            ))
            .execute(conn)?;
        accesslog::append(conn, &[entry])?;
        r::table
            .find((&member, &id))
            .select(MetaRow::as_select())
            .get_result(conn)?
            .into_api()
    })
    .await
}

/// One page of the member's records, filtered, in stable id order.
pub async fn list(db: &Db, member: MemberId, q: RecordQuery) -> Result<RecordPage, AccountError> {
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE) as usize;
    let (from, to) = parse_range(q.from.as_deref(), q.to.as_deref())?;
    let member = member.to_string();
    let page: Page<MetaRow> = db
        .read(move |conn| -> Result<_, AccountError> {
            let mut query = r::table
                .filter(r::member_id.eq(member))
                .select(MetaRow::as_select())
                .order(r::id.asc())
                .into_boxed();
            if let Some(c) = q.category {
                query = query.filter(r::category.eq(c));
            }
            if let Some(t) = q.type_code {
                query = query.filter(r::type_code.eq(t));
            }
            if let Some(f) = from {
                query = query.filter(r::effective_at.ge(f));
            }
            if let Some(t) = to {
                query = query.filter(r::effective_at.lt(t));
            }
            if let Some(a) = q.after {
                query = query.filter(r::id.gt(a.to_string()));
            }
            Ok(load_page(conn, query, limit)?)
        })
        .await?;
    let items = page
        .rows
        .into_iter()
        .map(MetaRow::into_api)
        .collect::<Result<Vec<_>, _>>()?;
    let next_after = if page.more {
        items.last().map(|m| m.id)
    } else {
        None
    };
    Ok(RecordPage { items, next_after })
}

/// A record with its ciphertext. The one read path for record content: the
/// read and its access-log entry are one transaction, so a read that cannot
/// be logged does not happen.
pub async fn get(
    db: &Db,
    member: MemberId,
    id: RecordId,
    actor: Actor,
) -> Result<RecordFull, AccountError> {
    let mut entry = accesslog::entry(actor, Action::RecordRead, member.uuid())?;
    entry.record = Some(id.uuid());
    let member = member.to_string();
    db.read_grouped_then(
        move |conn| -> Result<(RecordFull, Vec<AccessEntry>), AccountError> {
            let key = (member, id.to_string());
            let row: Option<(MetaRow, Vec<u8>, Vec<u8>)> =
                datacoop_store::on_backend!(conn, |c| r::table
                    .find((&key.0, &key.1))
                    .select((MetaRow::as_select(), r::ciphertext, r::wrapped_key))
                    .get_result(c)
                    .optional())?;
            let (meta, ciphertext, wrapped_key) = row.ok_or(AccountError::NotFound)?;
            let full = RecordFull {
                meta: meta.into_api()?,
                ciphertext: ciphertext.into(),
                wrapped_key: wrapped_key.into(),
            };
            // Appended at the end of the group, in the same transaction.
            Ok((full, vec![entry]))
        },
    )
    .await
}

/// Deletes a record (all versions: only the latest is kept), logged as
/// `record_deleted` in the same transaction.
pub async fn delete(
    db: &Db,
    member: MemberId,
    id: RecordId,
    actor: Actor,
) -> Result<(), AccountError> {
    let mut entry = accesslog::entry(actor, Action::RecordDeleted, member.uuid())?;
    entry.record = Some(id.uuid());
    let member = member.to_string();
    db.write(move |conn| -> Result<(), AccountError> {
        let n = diesel::delete(r::table.find((member, id.to_string()))).execute(conn)?;
        if n == 0 {
            return Err(AccountError::NotFound);
        }
        accesslog::append(conn, &[entry])?;
        Ok(())
    })
    .await
}

/// Erasure: deletes every record of a member inside the caller's transaction;
/// returns how many.
pub fn erase_member(conn: &mut DbConn, member: MemberId) -> Result<u64, AccountError> {
    let n = diesel::delete(r::table.filter(r::member_id.eq(member.to_string()))).execute(conn)?;
    Ok(n as u64)
}
