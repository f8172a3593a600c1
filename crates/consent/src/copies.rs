//! Study copies: what a member's machine uploads for a consent, each checked against
//! the member's record it copies (its current version, a covered category, type and
//! period, from the metadata the server holds in clear).

use crate::consents::{own, state, study_of, text};
use crate::ConsentError;
use datacoop_consent_core::wire::{ConsentState, CopiesStored, StudyCopies, MAX_COPIES_PER_UPLOAD};
use datacoop_consent_core::StudyTerms;
use datacoop_store::schema::{records, study_copies as sc};
use datacoop_store::DbConn;
use diesel::prelude::*;
use uuid::Uuid;

/// Largest study copy accepted, bytes of ciphertext.
pub const MAX_COPY_BYTES: usize = 1024 * 1024;

/// Stores study copies for a consent that is preparing or active. Each copy must copy
/// a record of the member's, in its current version, in a category, type and period
/// the consent covers; a copy of a record already copied is not stored again.
pub fn add(
    conn: &mut DbConn,
    member: Uuid,
    id: Uuid,
    body: &StudyCopies,
    now: i64,
) -> Result<CopiesStored, ConsentError> {
    if body.copies.len() > MAX_COPIES_PER_UPLOAD {
        return Err(ConsentError::Invalid(format!(
            "at most {MAX_COPIES_PER_UPLOAD} copies per upload"
        )));
    }
    let row = own(conn, member, id)?;
    match state(conn, &row, now)? {
        ConsentState::Preparing | ConsentState::Active => {}
        other => {
            return Err(ConsentError::Conflict(
                "consent_not_active",
                format!("consent {id} is {other:?}: it takes no more data").to_lowercase(),
            ))
        }
    }
    let receipt = row.receipt()?;
    let study = study_of(conn, receipt.study)?;
    let terms = StudyTerms::from_bytes(&study.terms).map_err(ConsentError::Invalid)?;
    let sources: Vec<String> = body.copies.iter().map(|c| text(c.source)).collect();
    type Source = (String, i64, String, String, Option<i64>);
    let found: std::collections::HashMap<String, (i64, String, String, Option<i64>)> =
        records::table
            .filter(records::member_id.eq(text(member)))
            .filter(records::id.eq_any(&sources))
            .select((
                records::id,
                records::version,
                records::category,
                records::type_code,
                records::effective_at,
            ))
            .load::<Source>(conn)?
            .into_iter()
            .map(|(id, v, c, t, e)| (id, (v, c, t, e)))
            .collect();
    let ids: Vec<String> = body.copies.iter().map(|c| text(c.id)).collect();
    let mut present: std::collections::HashSet<String> = sc::table
        .filter(sc::consent.eq(&row.id))
        .filter(sc::source.eq_any(&sources).or(sc::id.eq_any(&ids)))
        .select(sc::source)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut stored = 0u64;
    for copy in &body.copies {
        let Some((version, category, type_code, effective)) = found.get(&text(copy.source)) else {
            return Err(ConsentError::Invalid(format!(
                "copy {}: you have no record {}",
                copy.id, copy.source
            )));
        };
        let covered = receipt.categories.contains(category)
            && terms.covers(category, type_code, effective.map(|e| e as u64));
        if !covered || *category != copy.category || *type_code != copy.type_code {
            return Err(ConsentError::Invalid(format!(
                "copy {}: record {} ({category}, {type_code}) is not covered by this consent",
                copy.id, copy.source
            )));
        }
        if *version as u64 != copy.source_version {
            return Err(ConsentError::Conflict(
                "version_conflict",
                format!(
                    "copy {}: record {} changed (version {version}): copy it again",
                    copy.id, copy.source
                ),
            ));
        }
        if copy.ciphertext.len() > MAX_COPY_BYTES || copy.wrapped_key.len() > 256 {
            return Err(ConsentError::Invalid(format!(
                "copy {}: at most {MAX_COPY_BYTES} bytes of content",
                copy.id
            )));
        }
        // A copy of a record copied already (a retried upload) is not stored twice.
        if !present.insert(text(copy.source)) {
            continue;
        }
        stored += diesel::insert_into(sc::table)
            .values((
                sc::consent.eq(&row.id),
                sc::id.eq(text(copy.id)),
                sc::source.eq(text(copy.source)),
                sc::category.eq(&copy.category),
                sc::type_code.eq(&copy.type_code),
                sc::effective.eq(&copy.effective),
                sc::content_type.eq(&copy.content_type),
                sc::ciphertext.eq(&copy.ciphertext.0),
                sc::wrapped_key.eq(&copy.wrapped_key.0),
            ))
            .execute(conn)? as u64;
    }
    Ok(CopiesStored {
        stored,
        total: count(conn, &row.id)?,
    })
}

/// Copies a consent holds.
pub fn count(conn: &mut DbConn, consent: &str) -> Result<u64, ConsentError> {
    let n: i64 = sc::table
        .filter(sc::consent.eq(consent))
        .count()
        .get_result(conn)?;
    Ok(n as u64)
}
