//! Consents: the member's signed receipt and the share key sealed to the study, the
//! study copies the member's machine uploads, activation (the server's countersignature
//! and the access-log entry are the application layer's), and withdrawal, which
//! deletes every copy at once.

use crate::studies::{self, Reader, StudyRow};
use crate::ConsentError;
use datacoop_api::b64::Base64Url;
use datacoop_consent_core::wire::{
    ConsentList, ConsentQuery, ConsentRequest, ConsentState, ConsentView, StudyState,
};
use datacoop_consent_core::{ConsentReceipt, StudyTerms};
use datacoop_crypto::MemberPublicKeys;
use datacoop_store::schema::{
    consent_withdrawals as w, consents as c, members, study_copies as sc,
};
use datacoop_store::time::format_micros;
use datacoop_store::DbConn;
use diesel::prelude::*;
use uuid::Uuid;

/// A consent as stored.
#[derive(Debug, Clone, Queryable)]
pub struct ConsentRow {
    /// Id.
    pub id: String,
    /// The member's account.
    pub member: String,
    /// The study.
    pub study: String,
    /// The study's pseudonym of the participant.
    pub pseudonym: String,
    /// The receipt, JSON.
    pub receipt: String,
    /// The member's signature.
    pub member_signature: Vec<u8>,
    /// The server's countersignature (once active).
    pub server_signature: Option<Vec<u8>>,
    /// The share key sealed to the study.
    pub sealed_share_key: Vec<u8>,
    /// Made at.
    pub created_at: i64,
    /// Activated at.
    pub granted_at: Option<i64>,
    /// Index of the access-log entry of the grant.
    pub granted_idx: Option<i64>,
    /// Withdrawn at.
    pub withdrawn_at: Option<i64>,
    /// The share key sealed under the member's vault key.
    pub member_share_key: Option<Vec<u8>>,
}

impl ConsentRow {
    /// The receipt.
    pub fn receipt(&self) -> Result<ConsentReceipt, ConsentError> {
        serde_json::from_str(&self.receipt)
            .map_err(|e| ConsentError::Invalid(format!("stored receipt: {e}")))
    }

    /// The consent's id.
    pub fn uuid(&self) -> Uuid {
        self.id.parse().unwrap_or_default()
    }
}

pub(crate) fn text(id: Uuid) -> String {
    id.hyphenated().to_string()
}

fn not_found(id: Uuid) -> ConsentError {
    ConsentError::NotFound(format!("you have no consent {id}"))
}

/// The member's own consent.
pub fn own(conn: &mut DbConn, member: Uuid, id: Uuid) -> Result<ConsentRow, ConsentError> {
    c::table
        .find(text(id))
        .filter(c::member.eq(text(member)))
        .get_result::<ConsentRow>(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

pub(crate) fn study_of(conn: &mut DbConn, study: Uuid) -> Result<StudyRow, ConsentError> {
    let reader = Reader {
        account: Uuid::nil(),
        researcher: false,
    };
    studies::get_row(conn, reader, study)
}

/// Where the consent stands now.
pub fn state(conn: &mut DbConn, row: &ConsentRow, now: i64) -> Result<ConsentState, ConsentError> {
    if row.withdrawn_at.is_some() {
        return Ok(ConsentState::Withdrawn);
    }
    let study = study_of(conn, row.study.parse().unwrap_or_default())?;
    if studies::state_now(conn, &study, now)? == StudyState::Closed {
        return Ok(ConsentState::Expired);
    }
    Ok(if row.granted_at.is_some() {
        ConsentState::Active
    } else {
        ConsentState::Preparing
    })
}

/// Stores a consent in `preparing`: the study must recruit, the receipt must name its
/// approved terms and fit them, and the member's own key must have signed it. A retry
/// with the same id and receipt answers with the stored consent.
pub fn create(
    conn: &mut DbConn,
    member: Uuid,
    req: &ConsentRequest,
    now: i64,
) -> Result<Uuid, ConsentError> {
    let r = &req.receipt;
    let study = study_of(conn, r.study)?;
    if studies::state_now(conn, &study, now)? != StudyState::Recruiting {
        return Err(ConsentError::Conflict(
            "study_not_recruiting",
            format!(
                "study {} is not recruiting (not approved yet, rejected or closed): it takes no \
                 consents",
                r.study
            ),
        ));
    }
    if r.terms_sha256.0 != study.terms_sha256 {
        return Err(ConsentError::Invalid(
            "the receipt names other terms than the study's: read the study again \
             (datacoop study show) and consent to what it says"
                .into(),
        ));
    }
    let terms = StudyTerms::from_bytes(&study.terms).map_err(ConsentError::Invalid)?;
    r.check_against(&terms).map_err(ConsentError::Invalid)?;
    let keys: Vec<u8> = members::table
        .find(text(member))
        .select(members::public_keys)
        .get_result(conn)?;
    let keys = MemberPublicKeys::from_envelope(&keys)
        .map_err(|e| ConsentError::Invalid(format!("your published keys: {e}")))?;
    if !r.verifies(&keys.signing, &req.member_signature) {
        return Err(ConsentError::Invalid(
            "the receipt is not signed by your key (or was changed after signing)".into(),
        ));
    }
    if req.sealed_share_key.len() != 83 || req.sealed_share_key.get(..2) != Some(&[0xDC, 0x40]) {
        return Err(ConsentError::Invalid(
            "the sealed share key is not a study share key (box 0x40, 83 bytes)".into(),
        ));
    }
    if let Some(k) = &req.member_share_key {
        if k.len() != 107 || k.get(..2) != Some(&[0xDC, 0x43]) {
            return Err(ConsentError::Invalid(
                "the member's share key is not a sealed share key (box 0x43, 107 bytes)".into(),
            ));
        }
    }
    if let Some(existing) = c::table
        .find(text(r.consent))
        .get_result::<ConsentRow>(conn)
        .optional()?
    {
        return if existing.member == text(member) && existing.receipt()? == *r {
            Ok(r.consent)
        } else {
            Err(ConsentError::Conflict(
                "consent_exists",
                format!("consent {} exists: choose a new id", r.consent),
            ))
        };
    }
    let open: i64 = c::table
        .filter(c::member.eq(text(member)))
        .filter(c::study.eq(text(r.study)))
        .filter(c::withdrawn_at.is_null())
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(ConsentError::Conflict(
            "already_consented",
            format!(
                "you already consent to study {}: withdraw that consent first to consent \
                 differently",
                r.study
            ),
        ));
    }
    let receipt = serde_json::to_string(r).map_err(|e| ConsentError::Invalid(e.to_string()))?;
    diesel::insert_into(c::table)
        .values((
            c::id.eq(text(r.consent)),
            c::member.eq(text(member)),
            c::study.eq(text(r.study)),
            c::pseudonym.eq(text(r.pseudonym)),
            c::receipt.eq(receipt),
            c::member_signature.eq(&req.member_signature.0),
            c::sealed_share_key.eq(&req.sealed_share_key.0),
            c::member_share_key.eq(req.member_share_key.as_ref().map(|k| k.0.clone())),
            c::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(r.consent)
}

/// A preparing consent of the member's, for activation (the study must still recruit).
pub fn to_activate(
    conn: &mut DbConn,
    member: Uuid,
    id: Uuid,
    now: i64,
) -> Result<Option<ConsentRow>, ConsentError> {
    let row = own(conn, member, id)?;
    match state(conn, &row, now)? {
        ConsentState::Active => Ok(None),
        ConsentState::Preparing => {
            let study = study_of(conn, row.study.parse().unwrap_or_default())?;
            if studies::state_now(conn, &study, now)? != StudyState::Recruiting {
                return Err(ConsentError::Conflict(
                    "study_not_recruiting",
                    "the study no longer recruits: the consent cannot take effect".into(),
                ));
            }
            Ok(Some(row))
        }
        other => Err(ConsentError::Conflict(
            "consent_not_active",
            format!("consent {id} is {other:?}").to_lowercase(),
        )),
    }
}

/// Records the activation: the server's countersignature and the log entry's index.
pub fn mark_active(
    conn: &mut DbConn,
    id: Uuid,
    server_signature: &[u8],
    idx: u64,
    now: i64,
) -> Result<(), ConsentError> {
    diesel::update(c::table.find(text(id)))
        .set((
            c::server_signature.eq(Some(server_signature)),
            c::granted_idx.eq(Some(idx as i64)),
            c::granted_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Withdraws the member's consent: every copy is deleted now and the pseudonym is
/// remembered (without the member) as withdrawn. Returns the consent as it was, or
/// `None` if it was withdrawn already.
pub fn withdraw(
    conn: &mut DbConn,
    member: Uuid,
    id: Uuid,
    now: i64,
) -> Result<Option<ConsentRow>, ConsentError> {
    let row = own(conn, member, id)?;
    if row.withdrawn_at.is_some() {
        return Ok(None);
    }
    end(conn, &row, now)?;
    Ok(Some(row))
}

fn end(conn: &mut DbConn, row: &ConsentRow, now: i64) -> Result<(), ConsentError> {
    diesel::delete(sc::table.filter(sc::consent.eq(&row.id))).execute(conn)?;
    diesel::update(c::table.find(&row.id))
        .set(c::withdrawn_at.eq(Some(now)))
        .execute(conn)?;
    if row.granted_at.is_some() {
        diesel::insert_into(w::table)
            .values((
                w::pseudonym.eq(&row.pseudonym),
                w::study.eq(&row.study),
                w::withdrawn_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Erasing a member withdraws every consent of theirs (the study's next export says
/// the participant withdrew) before the account's rows go.
pub fn erase_member(conn: &mut DbConn, member: Uuid, now: i64) -> Result<u64, ConsentError> {
    let rows: Vec<ConsentRow> = c::table
        .filter(c::member.eq(text(member)))
        .filter(c::withdrawn_at.is_null())
        .load(conn)?;
    for row in &rows {
        end(conn, row, now)?;
    }
    diesel::delete(c::table.filter(c::member.eq(text(member)))).execute(conn)?;
    Ok(rows.len() as u64)
}

/// The consent as its member sees it.
pub fn view(conn: &mut DbConn, row: ConsentRow, now: i64) -> Result<ConsentView, ConsentError> {
    let state = state(conn, &row, now)?;
    let receipt = row.receipt()?;
    let study = study_of(conn, receipt.study)?;
    Ok(ConsentView {
        id: row.uuid(),
        study: receipt.study,
        study_title: study.title,
        state,
        copies: crate::copies::count(conn, &row.id)?,
        receipt,
        member_signature: Base64Url(row.member_signature),
        server_signature: row.server_signature.map(Base64Url),
        granted_index: row.granted_idx.map(|i| i as u64),
        withdrawn_at: row.withdrawn_at.map(format_micros),
        member_share_key: row.member_share_key.map(Base64Url),
    })
}

/// The member's consents, newest first.
pub fn list(
    conn: &mut DbConn,
    member: Uuid,
    q: &ConsentQuery,
    now: i64,
) -> Result<ConsentList, ConsentError> {
    let mut query = c::table
        .filter(c::member.eq(text(member)))
        .order(c::id.desc())
        .into_boxed();
    if let Some(s) = q.study {
        query = query.filter(c::study.eq(text(s)));
    }
    let rows: Vec<ConsentRow> = query.load(conn)?;
    let consents = rows
        .into_iter()
        .map(|r| view(conn, r, now))
        .collect::<Result<_, _>>()?;
    Ok(ConsentList { consents })
}
