//! Reading many records at once (`POST /records/read`): each record returned is logged
//! as its own `record_read`, in the transaction that reads them, as one read at a time
//! would be; ids that are not the member's records come back as missing.

use crate::records::MetaRow;
use crate::AccountError;
use datacoop_accesslog::{self as accesslog, AccessEntry, Action, Actor};
use datacoop_api::records::{RecordFull, RecordsRead, MAX_RECORDS_READ};
use datacoop_api::MemberId;
use datacoop_store::schema::records as r;
use datacoop_store::Db;
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The member's records with these ids (1 to [`MAX_RECORDS_READ`], no repeats).
pub async fn get_many(
    db: &Db,
    member: MemberId,
    ids: Vec<Uuid>,
    actor: Actor,
) -> Result<RecordsRead, AccountError> {
    if ids.is_empty() || ids.len() > MAX_RECORDS_READ {
        return Err(AccountError::Invalid(format!(
            "ask for 1 to {MAX_RECORDS_READ} records at a time, not {}",
            ids.len()
        )));
    }
    if ids.iter().collect::<HashSet<_>>().len() != ids.len() {
        return Err(AccountError::Invalid("an id is asked for twice".into()));
    }
    // Entries are made before the transaction (stamped now, fresh blinding), for every
    // id asked; only those of the records found are appended.
    let mut entries = HashMap::with_capacity(ids.len());
    for id in &ids {
        let mut e = accesslog::entry(actor, Action::RecordRead, member.uuid())?;
        e.record = Some(*id);
        entries.insert(*id, e);
    }
    let member_text = member.to_string();
    db.read_grouped_then(
        move |conn| -> Result<(RecordsRead, Vec<AccessEntry>), AccountError> {
            let wanted: Vec<String> = ids.iter().map(Uuid::to_string).collect();
            let rows: Vec<(MetaRow, Vec<u8>, Vec<u8>)> =
                datacoop_store::on_backend!(conn, |c| r::table
                    .filter(r::member_id.eq(&member_text))
                    .filter(r::id.eq_any(&wanted))
                    .select((MetaRow::as_select(), r::ciphertext, r::wrapped_key))
                    .load(c))?;
            let mut found: HashMap<Uuid, RecordFull> = HashMap::with_capacity(rows.len());
            for (meta, ciphertext, wrapped_key) in rows {
                let meta = meta.into_api()?;
                found.insert(
                    meta.id,
                    RecordFull {
                        meta,
                        ciphertext: ciphertext.into(),
                        wrapped_key: wrapped_key.into(),
                    },
                );
            }
            let mut out = RecordsRead {
                records: Vec::with_capacity(found.len()),
                missing: Vec::new(),
            };
            let mut logged = Vec::with_capacity(found.len());
            for id in ids {
                match found.remove(&id) {
                    Some(full) => {
                        out.records.push(full);
                        if let Some(e) = entries.remove(&id) {
                            logged.push(e);
                        }
                    }
                    None => out.missing.push(id),
                }
            }
            // Appended at the end of the group, in the same transaction.
            Ok((out, logged))
        },
    )
    .await
}
