//! What the governance log holds about researchers and studies: the research side
//! records a steward's verification, a study's submission and its closing by its
//! researcher here; resolutions approve, reject or close studies through motions.

use crate::chain::{append, lock};
use crate::votes::terms;
use crate::GovError;
use datacoop_governance_core::wire::StudyApprovalView;
use datacoop_governance_core::{Count, Decision, Entry, EntryBody};
use datacoop_store::schema::gov_entries as e;
use datacoop_store::schema::gov_motions as m;
use datacoop_store::schema::gov_study_approvals as sa;
use datacoop_store::DbConn;
use diesel::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Records a research entry (a researcher verified, a study submitted or closed by its
/// researcher) in the caller's transaction; returns its index.
pub fn record_research(conn: &mut DbConn, entry: &Entry) -> Result<u64, GovError> {
    match entry.body {
        EntryBody::ResearcherVerified { .. }
        | EntryBody::StudySubmitted { .. }
        | EntryBody::StudyClosed { .. } => {}
        _ => {
            return Err(GovError::Invalid(
                "only research entries are recorded this way".into(),
            ))
        }
    }
    lock(conn)?;
    append(conn, entry)
}

/// Takes the governance log's lock for the rest of the transaction: a research use
/// case takes it before it checks what it is about to record (a researcher not yet
/// verified, a study not yet submitted), so a second writer waits and then sees it.
pub fn lock_log(conn: &mut DbConn) -> Result<(), GovError> {
    lock(conn)
}

/// What resolutions decided about a study.
#[derive(Debug, Clone, Default)]
pub struct StudyDecisions {
    /// The signed approval, if one was made.
    pub approval: Option<StudyApprovalView>,
    /// The last closed motion to approve it that did not (none if none).
    pub rejected_by: Option<Uuid>,
    /// The resolution that closed it.
    pub closed_by: Option<Uuid>,
}

/// The decisions about `studies` (their ids), or about every study if `None`.
pub fn study_decisions(
    conn: &mut DbConn,
    studies: Option<&[Uuid]>,
) -> Result<HashMap<Uuid, StudyDecisions>, GovError> {
    let mut out: HashMap<Uuid, StudyDecisions> = HashMap::new();
    let wanted = |s: &Uuid| studies.is_none_or(|l| l.contains(s));
    let motions: Vec<(String, Option<String>)> = m::table
        .filter(m::result.is_not_null())
        .filter(m::body.like("%\\_study\"%").escape('\\'))
        .order(m::closed_at.asc())
        .select((m::body, m::result))
        .load(conn)?;
    for (body, result) in motions {
        let t = terms(&body)?;
        let carried = result
            .and_then(|r| serde_json::from_str::<Count>(&r).ok())
            .is_some_and(|c| c.carried);
        match t.decision {
            Some(Decision::ApproveStudy { study, .. }) if wanted(&study) && !carried => {
                out.entry(study).or_default().rejected_by = Some(t.id);
            }
            Some(Decision::CloseStudy { study }) if wanted(&study) && carried => {
                let d = out.entry(study).or_default();
                d.closed_by = d.closed_by.or(Some(t.id));
            }
            _ => {}
        }
    }
    let approvals: Vec<(String, i64)> = match studies {
        Some(l) => sa::table
            .filter(sa::study.eq_any(l.iter().map(|s| s.hyphenated().to_string())))
            .select((sa::study, sa::entry_idx))
            .load(conn)?,
        None => sa::table.select((sa::study, sa::entry_idx)).load(conn)?,
    };
    for (study, idx) in approvals {
        let Ok(study) = study.parse::<Uuid>() else {
            continue;
        };
        let body: Vec<u8> = e::table.find(idx).select(e::body).get_result(conn)?;
        if let EntryBody::StudyApproved {
            approval,
            signature,
        } = Entry::from_bytes(&body)?.body
        {
            out.entry(study).or_default().approval = Some(StudyApprovalView {
                approval,
                signature,
                index: idx as u64,
            });
        }
    }
    Ok(out)
}
