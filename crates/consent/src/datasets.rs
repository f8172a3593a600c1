//! Dataset downloads: a study's consented data, page by page. Only the study's own
//! researcher, only while it recruits, only active consents' copies; each participant
//! is logged once per export (the log entry is the application layer's, recorded here
//! so a resumed download logs nothing twice).

use crate::consents::text;
use crate::studies::{self, StudyRow};
use crate::ConsentError;
use datacoop_consent_core::wire::{Cursor, StudyState};
use datacoop_consent_core::ConsentReceipt;
use datacoop_store::schema::{
    consent_withdrawals as w, consents as c, dataset_exports as x, export_participants as xp,
    study_copies as sc,
};
use datacoop_store::DbConn;
use diesel::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Starts a download under the client's export id, or resumes one: the study must be
/// the researcher's and recruiting (a closed or unapproved study serves nothing).
pub fn start(
    conn: &mut DbConn,
    researcher: Uuid,
    study: Uuid,
    export: Uuid,
    now: i64,
) -> Result<StudyRow, ConsentError> {
    let row = servable(conn, researcher, study, now)?;
    let found: Option<(String, String)> = x::table
        .find(text(export))
        .select((x::study, x::researcher))
        .get_result(conn)
        .optional()?;
    match found {
        Some((s, r)) if s == text(study) && r == text(researcher) => {}
        Some(_) => {
            return Err(ConsentError::Conflict(
                "export_id_taken",
                format!("export id {export} belongs to another download: choose a new one"),
            ))
        }
        None => {
            diesel::insert_into(x::table)
                .values((
                    x::id.eq(text(export)),
                    x::study.eq(text(study)),
                    x::researcher.eq(text(researcher)),
                    x::started_at.eq(now),
                ))
                .execute(conn)?;
        }
    }
    Ok(row)
}

/// The study, if its researcher may download its data now.
pub fn servable(
    conn: &mut DbConn,
    researcher: Uuid,
    study: Uuid,
    now: i64,
) -> Result<StudyRow, ConsentError> {
    let row = studies::row(conn, study)?
        .filter(|r| r.researcher == text(researcher))
        .ok_or_else(|| ConsentError::NotFound(format!("you have no study {study}")))?;
    match studies::state_now(conn, &row, now)? {
        StudyState::Recruiting => Ok(row),
        StudyState::Closed => Err(ConsentError::Conflict(
            "study_closed",
            format!("study {study} is closed: its participants' data is no longer served"),
        )),
        other => Err(ConsentError::Conflict(
            "study_not_approved",
            format!(
                "study {study} is {}: data is served only once a resolution approved it",
                other.as_str()
            ),
        )),
    }
}

/// One study copy of a page, with its participant's consent.
#[derive(Debug, Clone)]
pub struct PageCopy {
    /// The consent.
    pub consent: String,
    /// The participant's pseudonym.
    pub pseudonym: String,
    /// The copy's id.
    pub id: String,
    /// Category.
    pub category: String,
    /// Type code.
    pub type_code: String,
    /// Effective time, de-identified.
    pub effective: Option<String>,
    /// Media type.
    pub content_type: String,
    /// Ciphertext.
    pub ciphertext: Vec<u8>,
    /// Wrapped data key.
    pub wrapped_key: Vec<u8>,
}

/// The next `limit` copies of the study's active consents after `after`, in
/// (pseudonym, copy id) order: the participants in pseudonym order, each one's copies
/// by their primary key, so a page costs the same wherever it starts.
pub fn page(
    conn: &mut DbConn,
    study: Uuid,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<PageCopy>, ConsentError> {
    let mut out: Vec<PageCopy> = Vec::with_capacity(limit as usize);
    let mut from = after.map(|a| (text(a.pseudonym), Some(text(a.copy))));
    while (out.len() as i64) < limit {
        // The participant the page continues with (the cursor's, then the next ones).
        let mut q = c::table
            .filter(c::study.eq(text(study)))
            .filter(c::granted_at.is_not_null())
            .filter(c::withdrawn_at.is_null())
            .select((c::id, c::pseudonym))
            .order(c::pseudonym.asc())
            .limit(1)
            .into_boxed();
        q = match &from {
            Some((p, Some(_))) => q.filter(c::pseudonym.ge(p.clone())),
            Some((p, None)) => q.filter(c::pseudonym.gt(p.clone())),
            None => q,
        };
        let Some((consent, pseudonym)) = q.get_result::<(String, String)>(conn).optional()? else {
            break;
        };
        let after_copy = match &from {
            Some((p, Some(copy))) if *p == pseudonym => Some(copy.clone()),
            _ => None,
        };
        let mut copies = sc::table
            .filter(sc::consent.eq(&consent))
            .select((
                sc::id,
                sc::category,
                sc::type_code,
                sc::effective,
                sc::content_type,
                sc::ciphertext,
                sc::wrapped_key,
            ))
            .order(sc::id.asc())
            .limit(limit - out.len() as i64)
            .into_boxed();
        if let Some(copy) = after_copy {
            copies = copies.filter(sc::id.gt(copy));
        }
        type Row = (
            String,
            String,
            String,
            Option<String>,
            String,
            Vec<u8>,
            Vec<u8>,
        );
        for (id, category, type_code, effective, content_type, ciphertext, wrapped_key) in
            copies.load::<Row>(conn)?
        {
            out.push(PageCopy {
                consent: consent.clone(),
                pseudonym: pseudonym.clone(),
                id,
                category,
                type_code,
                effective,
                content_type,
                ciphertext,
                wrapped_key,
            });
        }
        from = Some((pseudonym, None));
    }
    Ok(out)
}

/// A participant of a page.
#[derive(Debug, Clone)]
pub struct Participant {
    /// The consent.
    pub consent: Uuid,
    /// The member (never shown to the study).
    pub member: Uuid,
    /// Their pseudonym.
    pub pseudonym: Uuid,
    /// The categories consented to.
    pub categories: Vec<String>,
    /// The share key sealed to the study.
    pub sealed_share_key: Vec<u8>,
    /// The access-log entry of this export of their data, once logged.
    pub logged: Option<u64>,
}

/// The participants of these consents, and whether this export logged them already.
pub fn participants(
    conn: &mut DbConn,
    export: Uuid,
    consents: &[String],
) -> Result<Vec<Participant>, ConsentError> {
    let logged: HashMap<String, i64> = xp::table
        .filter(xp::export.eq(text(export)))
        .filter(xp::consent.eq_any(consents))
        .select((xp::consent, xp::log_idx))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let rows: Vec<(String, String, String, String, Vec<u8>)> = c::table
        .filter(c::id.eq_any(consents))
        .select((
            c::id,
            c::member,
            c::pseudonym,
            c::receipt,
            c::sealed_share_key,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, member, pseudonym, receipt, sealed)| {
            let receipt: ConsentReceipt = serde_json::from_str(&receipt)
                .map_err(|e| ConsentError::Invalid(format!("stored receipt: {e}")))?;
            Ok(Participant {
                consent: id.parse().unwrap_or_default(),
                member: member.parse().unwrap_or_default(),
                pseudonym: pseudonym.parse().unwrap_or_default(),
                categories: receipt.categories,
                sealed_share_key: sealed,
                logged: logged.get(&id).map(|i| *i as u64),
            })
        })
        .collect()
}

/// Remembers that this export's entry for the consent's participant is at `idx`.
pub fn record_logged(
    conn: &mut DbConn,
    export: Uuid,
    consent: Uuid,
    idx: u64,
) -> Result<(), ConsentError> {
    diesel::insert_into(xp::table)
        .values((
            xp::export.eq(text(export)),
            xp::consent.eq(text(consent)),
            xp::log_idx.eq(idx as i64),
        ))
        .execute(conn)?;
    Ok(())
}

/// The study's withdrawn participants: pseudonym and when.
pub fn withdrawn(conn: &mut DbConn, study: Uuid) -> Result<Vec<(Uuid, i64)>, ConsentError> {
    Ok(w::table
        .filter(w::study.eq(text(study)))
        .order(w::pseudonym.asc())
        .select((w::pseudonym, w::withdrawn_at))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(p, at)| (p.parse().unwrap_or_default(), at))
        .collect())
}
