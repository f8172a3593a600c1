//! Ballots, proxies, and closing votes on time.

use crate::assemblies::{load_assembly, load_motion};
use crate::chain::append;
use crate::chain::Deferred;
use crate::register::{member_of, parse_uuid};
use crate::{Context, GovError};
use datacoop_crypto::VerifyingKey;
use datacoop_governance_core::wire::Recorded;
use datacoop_governance_core::{
    check_ballot, Entry, EntryBody, MotionTerms, ProxyBook, RegisterEntry, SignedBallot,
    SignedProxy,
};
use datacoop_store::schema::{gov_proxies as p, gov_register as r};
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// How far ahead of the server's clock a signed time may be.
const SKEW_MICROS: u64 = 300_000_000;

pub(crate) type EntryRow = (String, i64, Option<i64>, i32, Option<Vec<u8>>);

pub(crate) fn entry(row: EntryRow) -> Result<RegisterEntry, GovError> {
    let (id, joined, leaves, votes, key) = row;
    Ok(RegisterEntry {
        member: parse_uuid(&id)?,
        joined_at_micros: joined.max(0) as u64,
        leaves_at_micros: leaves.map(|l| l.max(0) as u64),
        votes: votes.clamp(1, 3) as u8,
        key: key.and_then(|k| VerifyingKey::from_bytes(&k).ok()),
    })
}

pub(crate) fn entry_columns() -> (
    r::id,
    r::joined_at,
    r::leaves_at,
    r::votes,
    r::governance_key,
) {
    (
        r::id,
        r::joined_at,
        r::leaves_at,
        r::votes,
        r::governance_key,
    )
}

fn register_entries(conn: &mut DbConn, ids: &[Uuid]) -> Result<Vec<RegisterEntry>, GovError> {
    // One primary-key lookup each (prepared once, cached), rather than an IN list that
    // is parsed anew every time.
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if out.iter().any(|e: &RegisterEntry| e.member == *id) {
            continue;
        }
        let row: Option<EntryRow> = r::table
            .find(id.hyphenated().to_string())
            .select(entry_columns())
            .get_result(conn)
            .optional()?;
        if let Some(row) = row {
            out.push(entry(row)?);
        }
    }
    Ok(out)
}

pub(crate) fn proxies(
    conn: &mut DbConn,
    assembly: Uuid,
    rules_max: u8,
) -> Result<ProxyBook, GovError> {
    let rows: Vec<(String, String)> = p::table
        .filter(p::assembly.eq(assembly.hyphenated().to_string()))
        .select((p::grantor, p::holder))
        .load(conn)?;
    let mut book = ProxyBook::default();
    for (g, h) in rows {
        // Stored proxies passed the same check when recorded; a limit lowered since
        // cannot undo them, so they are replayed with room enough.
        book.grant(parse_uuid(&g)?, parse_uuid(&h)?, rules_max.max(2))?;
    }
    Ok(book)
}

/// The proxy the voter gave for the assembly, if any, as a book of one.
fn proxy_of(conn: &mut DbConn, assembly: Uuid, voter: Uuid) -> Result<ProxyBook, GovError> {
    let holder: Option<String> = p::table
        .find((
            assembly.hyphenated().to_string(),
            voter.hyphenated().to_string(),
        ))
        .select(p::holder)
        .get_result(conn)
        .optional()?;
    let mut book = ProxyBook::default();
    if let Some(h) = holder {
        book.grant(voter, parse_uuid(&h)?, 1)?;
    }
    Ok(book)
}

pub(crate) fn terms(body: &str) -> Result<MotionTerms, GovError> {
    serde_json::from_str(body).map_err(|e| GovError::Invalid(format!("stored motion: {e}")))
}

fn micros_text(m: u64) -> String {
    datacoop_store::time::format_micros(m as i64)
}

/// Accepts a member's signed ballot (their own, or as proxy) while voting is open.
pub async fn cast_ballot(
    db: &Db,
    account: Uuid,
    ballot: SignedBallot,
    ctx: Context,
) -> Result<Recorded, GovError> {
    // Grouped with the ballots arriving at the same moment into one commit (a vote of
    // thousands arrives at once); a refused ballot rolls back only its own savepoint.
    let index = db
        .write_grouped_then(
            move |conn| -> Result<(Arc<OnceLock<u64>>, Deferred), GovError> {
                crate::chain::lock(conn)?;
                let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
                let bal = &ballot.ballot;
                if bal.cast_by != me {
                    return Err(GovError::Refused(
                        "not_your_ballot",
                        "a ballot is sent by the member who casts it (cast_by is your register id)"
                            .into(),
                    ));
                }
                let (body, result) = load_motion(conn, bal.motion)?;
                let terms = terms(&body)?;
                if result.is_some() || ctx.now >= terms.closes_at_micros {
                    return Err(GovError::NotVoting(format!(
                "voting on this motion closed at {}; ballots are no longer accepted (see the \
                 result with datacoop gov results {})",
                micros_text(terms.closes_at_micros),
                terms.id
            )));
                }
                if ctx.now < terms.opens_at_micros {
                    return Err(GovError::NotVoting(format!(
                        "voting on this motion opens at {}; cast your ballot then",
                        micros_text(terms.opens_at_micros)
                    )));
                }
                if bal.cast_at_micros > ctx.now.saturating_add(SKEW_MICROS) {
                    return Err(GovError::Refused(
                "ballot_time",
                "the ballot is dated in the future; check your computer's clock and sign it again"
                    .into(),
            ));
                }
                let entries = register_entries(conn, &[bal.voter, bal.cast_by])?;
                let register: HashMap<Uuid, &RegisterEntry> =
                    entries.iter().map(|e| (e.member, e)).collect();
                // Only a ballot cast for someone else consults the proxies, and only the voter's.
                let book = if bal.cast_by == bal.voter {
                    ProxyBook::default()
                } else {
                    proxy_of(conn, terms.assembly, bal.voter)?
                };
                let motion = crate::bodies::motion_of(conn, &terms)?;
                check_ballot(&motion, &ballot, &register, &book, &ctx.rules).map_err(
                    |refusal| {
                        GovError::Refused(
                            "ballot_refused",
                            format!("the ballot cannot count: {}", refusal.describe()),
                        )
                    },
                )?;
                // The entry is appended at the end of the group with the others arriving now.
                let index = Arc::new(OnceLock::new());
                let deferred = Deferred {
                    ballot: Some((bal.motion, bal.voter)),
                    entry: Entry::new(ctx.now, EntryBody::Ballot(ballot.clone())),
                    index: index.clone(),
                };
                Ok((index, deferred))
            },
        )
        .await?;
    let index = index.get().copied().ok_or_else(|| {
        GovError::Invalid("the ballot's group committed without giving it an index".into())
    })?;
    Ok(Recorded { index })
}

/// Records a member's signed proxy authorisation, or its revocation.
pub async fn record_proxy(
    db: &Db,
    account: Uuid,
    signed: SignedProxy,
    ctx: Context,
) -> Result<Recorded, GovError> {
    db.write(move |conn| -> Result<Recorded, GovError> {
        crate::chain::lock(conn)?;
        let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        let s = signed.proxy;
        if s.grantor != me {
            return Err(GovError::Refused(
                "not_your_proxy",
                "a proxy is given by the member who signs it (grantor is your register id)".into(),
            ));
        }
        let assembly = load_assembly(conn, s.assembly)?;
        if ctx.now >= assembly.ends_at_micros {
            return Err(GovError::NotVoting("this assembly has ended".into()));
        }
        let both = register_entries(conn, &[s.grantor, s.holder])?;
        let grantor = both.iter().find(|e| e.member == s.grantor);
        if !both.iter().any(|e| e.member == s.holder) {
            return Err(GovError::NotFound(format!(
                "no member {} in the register",
                s.holder
            )));
        }
        let key = grantor.and_then(|g| g.key).ok_or(GovError::NotInRegister)?;
        if !signed.verifies(&key) {
            return Err(GovError::Refused(
                "bad_signature",
                "the proxy is not signed with your governance key".into(),
            ));
        }
        let mut book = proxies(conn, s.assembly, ctx.rules.max_proxies_per_holder)?;
        let a = s.assembly.hyphenated().to_string();
        let g = s.grantor.hyphenated().to_string();
        if s.revoke {
            if book.holder_of(s.grantor) != Some(s.holder) {
                return Err(GovError::NotFound(format!(
                    "you gave {} no proxy for this assembly",
                    s.holder
                )));
            }
            diesel::delete(p::table.find((a, g))).execute(conn)?;
        } else {
            book.grant(s.grantor, s.holder, ctx.rules.max_proxies_per_holder)?;
            diesel::insert_into(p::table)
                .values((
                    p::assembly.eq(a),
                    p::grantor.eq(g),
                    p::holder.eq(s.holder.hyphenated().to_string()),
                ))
                .execute(conn)?;
        }
        let idx = append(conn, &Entry::new(ctx.now, EntryBody::Proxy(signed.clone())))?;
        tracing::info!(assembly = %s.assembly, revoke = s.revoke, "proxy recorded");
        Ok(Recorded { index: idx })
    })
    .await
}
