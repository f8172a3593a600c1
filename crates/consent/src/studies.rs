//! Studies: drafts made on the researcher's machine, their submission (terms and key
//! frozen by an entry of the governance log), the cooperative's decision (a
//! resolution's signed approval, a rejection, a closing), and the researcher's closing.

use crate::ConsentError;
use datacoop_api::b64::Base64Url;
use datacoop_consent_core::wire::{
    Closure, StudyCreateRequest, StudyResearcher, StudyState, StudyView,
};
use datacoop_consent_core::StudyTerms;
use datacoop_governance::StudyDecisions;
use datacoop_governance_core::{Entry, EntryBody};
use datacoop_store::schema::{researchers as r, studies as s};
use datacoop_store::time::format_micros;
use datacoop_store::DbConn;
use diesel::prelude::*;
use uuid::Uuid;

/// Largest sealed study key accepted, bytes.
pub const MAX_SEALED_KEY: usize = 256;

/// Who reads: a researcher sees their own drafts; everyone else only what was submitted.
#[derive(Debug, Clone, Copy)]
pub struct Reader {
    /// The caller's account.
    pub account: Uuid,
    /// Whether the account is a researcher's.
    pub researcher: bool,
}

/// A study as stored.
#[derive(Debug, Clone, Queryable)]
pub struct StudyRow {
    /// Id.
    pub id: String,
    /// Researcher's account.
    pub researcher: String,
    /// Title (from the terms).
    pub title: String,
    /// End of the last day, unix microseconds.
    pub ends_at: i64,
    /// The terms' exact bytes.
    pub terms: Vec<u8>,
    /// Their SHA-256.
    pub terms_sha256: Vec<u8>,
    /// X25519 public key.
    pub study_key: Vec<u8>,
    /// Private half sealed under the researcher's vault key.
    pub sealed_study_key: Vec<u8>,
    /// Made at.
    pub created_at: i64,
    /// Submitted at.
    pub submitted_at: Option<i64>,
    /// Index of the `study_submitted` entry.
    pub submitted_idx: Option<i64>,
    /// Closed by the researcher at.
    pub closed_at: Option<i64>,
    /// Index of the `study_closed` entry.
    pub closed_idx: Option<i64>,
}

impl StudyRow {
    /// The study's id.
    pub fn uuid(&self) -> Uuid {
        self.id.parse().unwrap_or_default()
    }

    /// Where the study stands now, and why it is closed if it is.
    pub fn state(&self, d: &StudyDecisions, now: i64) -> (StudyState, Option<Closure>) {
        if let (Some(at), Some(index)) = (self.closed_at, self.closed_idx) {
            let c = Closure::Researcher {
                at: format_micros(at),
                index: index as u64,
            };
            return (StudyState::Closed, Some(c));
        }
        if let Some(motion) = d.closed_by {
            return (StudyState::Closed, Some(Closure::Resolution { motion }));
        }
        if self.submitted_at.is_none() {
            return (StudyState::Draft, None);
        }
        if now > self.ends_at {
            return (StudyState::Closed, Some(Closure::EndDate));
        }
        if self.approved_by(d).is_some() {
            (StudyState::Recruiting, None)
        } else if d.rejected_by.is_some() {
            (StudyState::Rejected, None)
        } else {
            (StudyState::Submitted, None)
        }
    }

    /// The approval that approves exactly these terms and this key, if any.
    fn approved_by<'a>(
        &self,
        d: &'a StudyDecisions,
    ) -> Option<&'a datacoop_governance_core::wire::StudyApprovalView> {
        d.approval.as_ref().filter(|a| {
            a.approval.terms_sha256.0 == self.terms_sha256
                && a.approval.study_key.0 == self.study_key
        })
    }
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

pub(crate) fn row(conn: &mut DbConn, id: Uuid) -> Result<Option<StudyRow>, ConsentError> {
    Ok(s::table
        .find(id.hyphenated().to_string())
        .get_result::<StudyRow>(conn)
        .optional()?)
}

pub(crate) fn not_found(id: Uuid) -> ConsentError {
    ConsentError::NotFound(format!(
        "no study {id} (or it is a draft of another researcher)"
    ))
}

/// The study, if the reader may see it.
pub fn get_row(conn: &mut DbConn, reader: Reader, id: Uuid) -> Result<StudyRow, ConsentError> {
    let row = row(conn, id)?.ok_or_else(|| not_found(id))?;
    let own = row.researcher == reader.account.hyphenated().to_string();
    if row.submitted_at.is_none() && !own {
        return Err(not_found(id));
    }
    Ok(row)
}

/// Stores a draft made on the researcher's machine. A retry with the same id and the
/// same terms and key answers with the stored draft.
pub fn create(
    conn: &mut DbConn,
    researcher: Uuid,
    req: &StudyCreateRequest,
    now: i64,
) -> Result<Uuid, ConsentError> {
    let terms = StudyTerms::from_bytes(&req.terms).map_err(ConsentError::Invalid)?;
    if req.study_key.len() != 32 {
        return Err(ConsentError::Invalid(
            "the study key is an X25519 public key of 32 bytes".into(),
        ));
    }
    if req.sealed_study_key.is_empty() || req.sealed_study_key.len() > MAX_SEALED_KEY {
        return Err(ConsentError::Invalid(format!(
            "the sealed study key has 1 to {MAX_SEALED_KEY} bytes"
        )));
    }
    if let Some(existing) = row(conn, req.id)? {
        let same = existing.researcher == researcher.hyphenated().to_string()
            && existing.terms == req.terms.0
            && existing.study_key == req.study_key.0;
        return if same {
            Ok(req.id)
        } else {
            Err(ConsentError::Conflict(
                "study_exists",
                format!("study {} exists with other terms: choose a new id", req.id),
            ))
        };
    }
    diesel::insert_into(s::table)
        .values((
            s::id.eq(req.id.hyphenated().to_string()),
            s::researcher.eq(researcher.hyphenated().to_string()),
            s::title.eq(terms.title.trim()),
            s::ends_at.eq(terms.ends_on.end_micros() as i64),
            s::terms.eq(&req.terms.0),
            s::terms_sha256.eq(sha256(&req.terms)),
            s::study_key.eq(&req.study_key.0),
            s::sealed_study_key.eq(&req.sealed_study_key.0),
            s::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(req.id)
}

fn own_row(conn: &mut DbConn, researcher: Uuid, id: Uuid) -> Result<StudyRow, ConsentError> {
    let row = row(conn, id)?.ok_or_else(|| not_found(id))?;
    if row.researcher != researcher.hyphenated().to_string() {
        return Err(ConsentError::Forbidden(
            "not_your_study",
            format!("study {id} is another researcher's"),
        ));
    }
    Ok(row)
}

/// Submits a draft for the cooperative's decision: the `study_submitted` entry freezes
/// its terms and key. Only verified researchers submit; submitting again is a no-op.
pub fn submit(conn: &mut DbConn, researcher: Uuid, id: Uuid, now: i64) -> Result<(), ConsentError> {
    datacoop_governance::lock_log(conn)?;
    let row = own_row(conn, researcher, id)?;
    if row.submitted_at.is_some() {
        return Ok(());
    }
    if !crate::researchers::is_verified(conn, researcher)? {
        return Err(ConsentError::Forbidden(
            "researcher_not_verified",
            "only verified researchers submit studies: ask a steward of the cooperative to \
             verify you (datacoop steward verify-researcher)"
                .into(),
        ));
    }
    if now > row.ends_at {
        return Err(ConsentError::Invalid(
            "the study's end date has passed: make a new draft with a later end date".into(),
        ));
    }
    let idx = datacoop_governance::record_research(
        conn,
        &Entry::new(
            now as u64,
            EntryBody::StudySubmitted {
                study: id,
                researcher,
                terms_sha256: Base64Url(row.terms_sha256.clone()),
                study_key: Base64Url(row.study_key.clone()),
            },
        ),
    )?;
    diesel::update(s::table.find(&row.id))
        .set((s::submitted_at.eq(now), s::submitted_idx.eq(idx as i64)))
        .execute(conn)?;
    Ok(())
}

/// The researcher closes their study: no one more consents, and nothing more is
/// downloaded. Closing a closed study again is a no-op; a draft is not closed but
/// simply left.
pub fn close(conn: &mut DbConn, researcher: Uuid, id: Uuid, now: i64) -> Result<(), ConsentError> {
    datacoop_governance::lock_log(conn)?;
    let row = own_row(conn, researcher, id)?;
    if row.closed_at.is_some() {
        return Ok(());
    }
    if row.submitted_at.is_none() {
        return Err(ConsentError::Conflict(
            "study_is_draft",
            format!("study {id} is a draft: there is nothing to close"),
        ));
    }
    let idx = datacoop_governance::record_research(
        conn,
        &Entry::new(now as u64, EntryBody::StudyClosed { study: id }),
    )?;
    diesel::update(s::table.find(&row.id))
        .set((s::closed_at.eq(now), s::closed_idx.eq(idx as i64)))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn researcher_of(
    conn: &mut DbConn,
    account: &str,
) -> Result<StudyResearcher, ConsentError> {
    let (name, affiliation): (String, String) = r::table
        .find(account)
        .select((r::name, r::affiliation))
        .get_result(conn)?;
    Ok(StudyResearcher {
        id: account.parse().unwrap_or_default(),
        name,
        affiliation,
    })
}

/// The study as the reader sees it.
pub fn view(
    conn: &mut DbConn,
    reader: Reader,
    row: StudyRow,
    now: i64,
) -> Result<StudyView, ConsentError> {
    let id = row.uuid();
    let decisions = datacoop_governance::study_decisions(conn, Some(&[id]))?
        .remove(&id)
        .unwrap_or_default();
    let (state, closure) = row.state(&decisions, now);
    let own = row.researcher == reader.account.hyphenated().to_string();
    Ok(StudyView {
        id,
        state,
        researcher: researcher_of(conn, &row.researcher)?,
        terms_sha256: Base64Url(row.terms_sha256.clone()),
        study_key: Base64Url(row.study_key.clone()),
        sealed_study_key: own.then(|| Base64Url(row.sealed_study_key.clone())),
        created_at: format_micros(row.created_at),
        submitted_index: row.submitted_idx.map(|i| i as u64),
        approval: row.approved_by(&decisions).cloned(),
        rejected_by: decisions
            .rejected_by
            .filter(|_| state == StudyState::Rejected),
        closure,
        terms: Base64Url(row.terms),
    })
}

/// Where the study stands now.
pub fn state_now(conn: &mut DbConn, row: &StudyRow, now: i64) -> Result<StudyState, ConsentError> {
    let id = row.uuid();
    let d = datacoop_governance::study_decisions(conn, Some(&[id]))?
        .remove(&id)
        .unwrap_or_default();
    Ok(row.state(&d, now).0)
}

pub use crate::study_list::list;
