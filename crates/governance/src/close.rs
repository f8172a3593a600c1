//! Closing votes on time: the count, the result entry, and a study's signed approval
//! when a carried motion decides one.

use crate::chain::append;
use crate::votes::{entry, entry_columns, proxies, terms, EntryRow};
use crate::{Context, GovError};
use datacoop_api::b64::Base64Url;
use datacoop_governance_core::wire::StudyApprovalView;
use datacoop_governance_core::{
    count, Count, Effect, Entry, EntryBody, RegisterEntry, SignedBallot,
};
use datacoop_store::schema::gov_study_approvals as sa;
use datacoop_store::schema::{gov_ballots as b, gov_motions as m, gov_register as r};
use datacoop_store::{Db, DbConn};
use datacoop_tlog::LogSigner;
use diesel::prelude::*;
use std::sync::Arc;
use uuid::Uuid;

/// Closes every motion whose voting time is over: counts it and records the result.
/// Safe to run on several replicas at once (each close re-checks inside its
/// transaction) and after a restart (it catches up with everything due).
pub async fn close_due(
    db: &Db,
    ctx: Context,
    signer: Arc<LogSigner>,
) -> Result<Vec<(Uuid, Count)>, GovError> {
    let due: Vec<String> = {
        let now = ctx.now as i64;
        db.read(move |conn| -> Result<Vec<String>, GovError> {
            Ok(m::table
                .filter(m::result.is_null().and(m::closes_at.le(now)))
                .order(m::closes_at.asc())
                .select(m::id)
                .limit(100)
                .load(conn)?)
        })
        .await?
    };
    let mut closed = Vec::new();
    for id in due {
        let ctx = ctx.clone();
        let signer = signer.clone();
        if let Some(done) = db
            .write(move |conn| close_one(conn, &id, &ctx, &signer))
            .await?
        {
            closed.push(done);
        }
    }
    Ok(closed)
}

fn close_one(
    conn: &mut DbConn,
    id: &str,
    ctx: &Context,
    signer: &LogSigner,
) -> Result<Option<(Uuid, Count)>, GovError> {
    // Lock the log first: a second closer waits here, then sees the result.
    crate::chain::lock(conn)?;
    let (body, result): (String, Option<String>) = m::table
        .find(id)
        .select((m::body, m::result))
        .get_result(conn)?;
    if result.is_some() {
        return Ok(None);
    }
    let terms = terms(&body)?;
    let ballots: Vec<String> = b::table
        .filter(b::motion.eq(id))
        .order(b::idx.asc())
        .select(b::body)
        .load(conn)?;
    let ballots: Vec<SignedBallot> = ballots
        .iter()
        .map(|t| {
            serde_json::from_str(t).map_err(|e| GovError::Invalid(format!("stored ballot: {e}")))
        })
        .collect::<Result<_, _>>()?;
    let rows: Vec<EntryRow> = r::table.select(entry_columns()).load(conn)?;
    let register: Vec<RegisterEntry> = rows.into_iter().map(entry).collect::<Result<_, _>>()?;
    let book = proxies(conn, terms.assembly, ctx.rules.max_proxies_per_holder)?;
    let motion = crate::bodies::motion_of(conn, &terms)?;
    let result = count(&motion, &ballots, &register, &book, &ctx.rules);
    let effect = terms.effect(&result, &crate::bodies::delegations(conn)?);
    append(
        conn,
        &Entry::new(
            ctx.now,
            EntryBody::MotionClosed {
                motion: terms.id,
                count: result.clone(),
            },
        ),
    )?;
    diesel::update(m::table.find(id))
        .set((
            m::result.eq(serde_json::to_string(&result).unwrap_or_default()),
            m::closed_at.eq(ctx.now as i64),
            m::noticed.eq(3),
        ))
        .execute(conn)?;
    crate::notices::result(conn, &terms, &result, ctx)?;
    crate::bodies::apply(conn, &terms, &effect)?;
    if let Effect::ApproveStudy(approval) = effect {
        let study = approval.study;
        let signature = signer.sign_statement(&datacoop_crypto::sign::signed_bytes(
            datacoop_crypto::sign::context::STUDY_KEY_APPROVAL,
            &approval.message(),
        ));
        let idx = append(
            conn,
            &Entry::new(
                ctx.now,
                EntryBody::StudyApproved {
                    approval,
                    signature: Base64Url(signature),
                },
            ),
        )?;
        // A later approval of the same study (e.g. of corrected terms) is the one that
        // counts; the earlier one stays in the log.
        diesel::delete(sa::table.find(study.hyphenated().to_string())).execute(conn)?;
        diesel::insert_into(sa::table)
            .values((
                sa::study.eq(study.hyphenated().to_string()),
                sa::entry_idx.eq(idx as i64),
                sa::motion.eq(terms.id.hyphenated().to_string()),
            ))
            .execute(conn)?;
        tracing::info!(%study, motion = %terms.id, "study approved by resolution");
    }
    tracing::info!(motion = %terms.id, yes = result.yes, no = result.no, abstain = result.abstain, carried = result.carried, "vote closed");
    Ok(Some((terms.id, result)))
}

/// The signed approval of a study, if a resolution approved it.
pub async fn study_approval(db: &Db, study: Uuid) -> Result<StudyApprovalView, GovError> {
    db.read(move |conn| -> Result<StudyApprovalView, GovError> {
        let idx: Option<i64> = sa::table
            .find(study.hyphenated().to_string())
            .select(sa::entry_idx)
            .get_result(conn)
            .optional()?;
        let idx = idx.ok_or_else(|| {
            GovError::NotFound(format!("no resolution has approved study {study}"))
        })?;
        let body: Vec<u8> = datacoop_store::schema::gov_entries::table
            .find(idx)
            .select(datacoop_store::schema::gov_entries::body)
            .get_result(conn)?;
        match Entry::from_bytes(&body)?.body {
            EntryBody::StudyApproved {
                approval,
                signature,
            } => Ok(StudyApprovalView {
                approval,
                signature,
                index: idx as u64,
            }),
            _ => Err(GovError::Invalid(format!(
                "governance entry {idx} is not a study approval"
            ))),
        }
    })
    .await
}
