//! The scheduled notices of a vote: voting open, and closing soon.

use super::{
    candidates, date, how_to_vote, majority_of, to_members, CLOSING_SENT, FOOTER, OPEN_SENT,
};
use crate::{Context, GovError};
use datacoop_governance_core::MotionTerms;
use datacoop_store::schema::gov_motions as m;
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;

/// Queues the scheduled notices that are due: voting open, and closing within
/// `lead_micros`. Each goes out once: its bit in `gov_motions.noticed` is set in the
/// transaction that queues it, and the outbox takes one notice per topic and recipient,
/// so several replicas may run this at once. Returns how many motions were noticed.
pub async fn due_notices(db: &Db, ctx: Context, lead_micros: u64) -> Result<usize, GovError> {
    let now = ctx.now as i64;
    let lead = lead_micros.min(i64::MAX as u64) as i64;
    let due: Vec<String> = db
        .read(move |conn| -> Result<Vec<String>, GovError> {
            Ok(m::table
                .filter(m::result.is_null())
                .filter(
                    (m::opens_at
                        .le(now)
                        .and(m::noticed.eq_any([0, CLOSING_SENT])))
                    .or(m::closes_at
                        .le(now.saturating_add(lead))
                        .and(m::noticed.eq_any([0, OPEN_SENT]))),
                )
                .order(m::closes_at.asc())
                .select(m::id)
                .limit(100)
                .load(conn)?)
        })
        .await?;
    let mut done = 0;
    for id in due {
        let ctx = ctx.clone();
        let noticed = db
            .write(move |conn| scheduled(conn, &id, &ctx, lead_micros))
            .await?;
        done += usize::from(noticed);
    }
    Ok(done)
}

fn scheduled(
    conn: &mut DbConn,
    id: &str,
    ctx: &Context,
    lead_micros: u64,
) -> Result<bool, GovError> {
    let (body, noticed, result): (String, i32, Option<String>) = m::table
        .find(id)
        .select((m::body, m::noticed, m::result))
        .get_result(conn)?;
    if result.is_some() {
        return Ok(false);
    }
    let t: MotionTerms = serde_json::from_str(&body)
        .map_err(|e| GovError::Invalid(format!("stored motion: {e}")))?;
    let closing = ctx.now.saturating_add(lead_micros) >= t.closes_at_micros;
    let (bits, topic, subject, what) = if noticed & OPEN_SENT == 0 && ctx.now >= t.opens_at_micros {
        // Opening late (after downtime) and closing soon as well: one notice says both.
        let bits = OPEN_SENT | if closing { CLOSING_SENT } else { 0 };
        (
            bits,
            "open",
            format!("Voting is open: {}", t.title),
            "Voting is open",
        )
    } else if noticed & CLOSING_SENT == 0 && closing {
        (
            CLOSING_SENT,
            "closing",
            format!("Voting closes soon: {}", t.title),
            "Voting closes soon",
        )
    } else {
        return Ok(false);
    };
    // The bit is set only where it was not: a second replica that got here too sees
    // no row change and queues nothing.
    let changed = diesel::update(m::table.find(id).filter(m::noticed.eq(noticed)))
        .set(m::noticed.eq(noticed | bits))
        .execute(conn)?;
    if changed == 0 {
        return Ok(false);
    }
    let body = format!(
        "{what} on \"{title}\".\n\n{text}\n{candidates}\nIt needs {majority}. Voting closes {closes}.\n\
         Vote from your own machine: {how}; a later ballot \
         replaces an earlier one until the close. To let another member vote for you: \
         `datacoop gov proxy grant`.\n{FOOTER}",
        title = t.title,
        text = t.text,
        majority = majority_of(&t),
        closes = date(t.closes_at_micros),
        candidates = candidates(&t),
        how = how_to_vote(&t),
    );
    to_members(
        conn,
        ctx,
        t.body,
        format!("{topic}:{}", t.id),
        subject,
        body,
    )?;
    Ok(true)
}
