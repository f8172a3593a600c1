//! The members' notices, queued in the outbox in the transaction of the event they tell
//! of: convening, a new motion on the agenda, voting open, closing soon, the result, the
//! signed minutes. Every member in the register with an e-mail address who has not left
//! gets each one.

use crate::{Context, GovError};
use datacoop_governance_core::{Assembly, Body, Count, Form, Majority, MotionTerms};
use datacoop_notices::Notice;
use datacoop_store::schema::{gov_body_members as bm, gov_register as r};
use datacoop_store::DbConn;
use diesel::prelude::*;
use uuid::Uuid;

mod scheduled;
pub use scheduled::due_notices;

/// Bits of `gov_motions.noticed`: which scheduled notices went out.
const OPEN_SENT: i32 = 1;
const CLOSING_SENT: i32 = 2;

fn date(micros: u64) -> String {
    datacoop_api::time::format_micros(micros.min(i64::MAX as u64) as i64)
}

fn form(f: Form) -> &'static str {
    match f {
        Form::InPerson => "in person",
        Form::Virtual => "virtual (electronic)",
        Form::Hybrid => "hybrid (in person and electronic)",
        Form::Stretched => "stretched (a discussion phase, then a voting phase)",
    }
}

fn majority_of(t: &MotionTerms) -> String {
    match &t.election {
        Some(e) => format!(
            "the most votes for each of its {} seat(s) (a ballot names up to that many)",
            e.seats
        ),
        None => majority(t.majority).to_owned(),
    }
}

fn majority(m: Majority) -> &'static str {
    match m {
        Majority::Simple => "a simple majority of the votes cast",
        Majority::TwoThirds => "two thirds of the votes cast",
        Majority::ThreeQuarters => "three quarters of the votes cast",
    }
}

/// Addresses of the members notices go to at `now`: every member, or for a body's
/// meeting the body's members.
fn recipients(
    conn: &mut DbConn,
    now: u64,
    audience: Option<Body>,
) -> Result<Vec<String>, GovError> {
    let now = now as i64;
    let mut q = r::table
        .filter(r::email.is_not_null())
        .filter(r::leaves_at.is_null().or(r::leaves_at.gt(now)))
        .into_boxed();
    if let Some(b) = audience {
        q = q.filter(r::id.eq_any(bm::table.filter(bm::body.eq(b.as_str())).select(bm::member)));
    }
    Ok(q.order(r::number.asc())
        .select(r::email.assume_not_null())
        .load(conn)?)
}

/// How a member votes on the motion from their machine.
fn how_to_vote(t: &MotionTerms) -> String {
    match &t.election {
        Some(e) => format!(
            "`datacoop gov vote {id} --candidate N` (repeat for up to {seats} of the candidates \
             numbered as in `datacoop gov results {id}`), or `datacoop gov vote {id} abstain`",
            id = t.id,
            seats = e.seats
        ),
        None => format!("`datacoop gov vote {} yes|no|abstain`", t.id),
    }
}

/// The candidates of an election, numbered as the CLI takes them.
fn candidates(t: &MotionTerms) -> String {
    t.election
        .iter()
        .flat_map(|e| e.candidates.iter().enumerate())
        .map(|(i, c)| format!("  {}. {}\n", i + 1, c.name))
        .collect()
}

/// Queues one notice about `topic` for every member (or the body's members).
fn to_members(
    conn: &mut DbConn,
    ctx: &Context,
    audience: Option<Body>,
    topic: String,
    subject: String,
    body: String,
) -> Result<usize, GovError> {
    let notices: Vec<Notice> = recipients(conn, ctx.now, audience)?
        .into_iter()
        .map(|recipient| Notice {
            topic: topic.clone(),
            recipient,
            subject: subject.clone(),
            body: body.clone(),
        })
        .collect();
    let n = datacoop_notices::enqueue(conn, &notices, ctx.now)
        .map_err(|e| GovError::Invalid(format!("queuing notices: {e}")))?;
    tracing::info!(%topic, queued = n, "notices queued");
    Ok(n)
}

const FOOTER: &str =
    "\n--\nYou receive this as a member of the cooperative (its register of members). \
Every step is recorded in the governance log: check it with `datacoop gov verify`.\n";

/// The convening notice (§46(1): date, form, how to take part electronically).
pub(crate) fn convened(conn: &mut DbConn, a: &Assembly, ctx: &Context) -> Result<(), GovError> {
    let deadline = a
        .starts_at_micros
        .saturating_sub(u64::from(ctx.rules.agenda_days) * 86_400_000_000);
    let what = match a.body {
        None => format!("The general assembly \"{}\" is convened.", a.title),
        Some(b) => format!(
            "A meeting of {}, \"{}\", is convened.",
            b.describe(),
            a.title
        ),
    };
    let body = format!(
        "{what}\n\n\
         Begins: {start}\nEnds: {end}\nForm: {form}\nPlace: {place}\n\
         How to take part: {how}\n\n\
         {filing} (`datacoop gov propose --assembly {id} ...`).\n\
         Questions and statements: `datacoop gov assembly ask|say {id} --text ...`.\n\
         The agenda: `datacoop gov assembly show {id}`.\n{FOOTER}",
        filing = match a.body {
            None => format!(
                "Members may file motions for the agenda until {}",
                date(deadline)
            ),
            Some(_) => "Motions may be filed until their voting opens".to_owned(),
        },
        start = date(a.starts_at_micros),
        end = date(a.ends_at_micros),
        form = form(a.form),
        place = a.place,
        how = a.how_to_take_part,
        id = a.id,
    );
    to_members(
        conn,
        ctx,
        a.body,
        format!("convened:{}", a.id),
        format!("Convening: {} ({})", a.title, date(a.starts_at_micros)),
        body,
    )?;
    Ok(())
}

/// A new motion on an assembly's agenda.
pub(crate) fn motion_filed(
    conn: &mut DbConn,
    a: &Assembly,
    t: &MotionTerms,
    ctx: &Context,
) -> Result<(), GovError> {
    let body = format!(
        "A motion is on the agenda of \"{assembly}\".\n\n\
         {title}\n\n{text}\n{candidates}\n\
         It needs {majority}{quorum}.\nVoting opens {opens} and closes {closes}.\n\
         Vote from your own machine: {how}.\n{FOOTER}",
        assembly = a.title,
        title = t.title,
        text = t.text,
        majority = majority_of(t),
        quorum = t
            .quorum_percent
            .map(|q| format!(", with at least {q} % of members taking part"))
            .unwrap_or_default(),
        opens = date(t.opens_at_micros),
        closes = date(t.closes_at_micros),
        candidates = candidates(t),
        how = how_to_vote(t),
    );
    to_members(
        conn,
        ctx,
        t.body,
        format!("agenda:{}", t.id),
        format!("On the agenda of {}: {}", a.title, t.title),
        body,
    )?;
    Ok(())
}

/// The result of a closed vote.
pub(crate) fn result(
    conn: &mut DbConn,
    t: &MotionTerms,
    c: &Count,
    ctx: &Context,
) -> Result<(), GovError> {
    let outcome = if c.carried { "CARRIED" } else { "NOT CARRIED" };
    let body = format!(
        "The vote on \"{title}\" has closed: {outcome}.\n\n\
         {votes}Abstentions: {abstain}\n\
         Members taking part: {part} of {eligible} eligible{quorum}\n\n\
         Recount it yourself from the signed ballots: `datacoop gov verify`.\n{FOOTER}",
        title = t.title,
        votes = match &t.election {
            None => format!("Yes: {}\nNo: {}\n", c.yes, c.no),
            Some(e) => e
                .candidates
                .iter()
                .enumerate()
                .map(|(i, k)| {
                    format!(
                        "{}: {} votes{}\n",
                        k.name,
                        c.tally.get(i).copied().unwrap_or(0),
                        if c.elected.contains(&k.member) {
                            " (elected)"
                        } else {
                            ""
                        }
                    )
                })
                .collect(),
        },
        abstain = c.abstain,
        part = c.members_taking_part,
        eligible = c.members_eligible,
        quorum = if c.quorum_met {
            ""
        } else {
            " (quorum not reached)"
        },
    );
    to_members(
        conn,
        ctx,
        t.body,
        format!("result:{}", t.id),
        format!("Result: {} ({outcome})", t.title),
        body,
    )?;
    Ok(())
}

/// The minutes, once the chair and the board member have both signed them.
pub(crate) fn minutes(
    conn: &mut DbConn,
    assembly: Uuid,
    title: &str,
    markdown: &str,
    ctx: &Context,
) -> Result<(), GovError> {
    let deadline = ctx
        .now
        .saturating_add(datacoop_governance_core::minutes::OBJECTION_DAYS * 86_400_000_000);
    let body = format!(
        "The minutes of \"{title}\" are signed by the chair and a board member.\n\n\
         {markdown}\n\n\
         A member may object until {deadline}: `datacoop gov object {assembly} \"...\"`.\n{FOOTER}",
        deadline = date(deadline),
    );
    to_members(
        conn,
        ctx,
        None,
        format!("minutes:{assembly}"),
        format!("Minutes: {title}"),
        body,
    )?;
    Ok(())
}

/// A minority demand (§45): when it is filed, and when its supporters reach the share.
pub(crate) fn demand(
    conn: &mut DbConn,
    d: &datacoop_governance_core::DemandState,
    ctx: &Context,
) -> Result<(), GovError> {
    let t = &d.terms;
    let what = match t.assembly {
        Some(a) => format!("an item on the agenda of assembly {a}"),
        None => "that a general assembly be convened".into(),
    };
    if d.supporters.len() == 1 {
        let body = format!(
            "A member demands {what} (§45):\n\n{title}\n\n{reasons}\n\n\
             It needs the support of {needed} of the {members} members. To support it, sign it \
             from your own machine: `datacoop gov demand support {id}`.\n{FOOTER}",
            title = t.title,
            reasons = t.reasons,
            needed = d.needed,
            members = d.members,
            id = t.id,
        );
        to_members(
            conn,
            ctx,
            None,
            format!("demand:{}", t.id),
            format!("Minority demand: {}", t.title),
            body,
        )?;
    }
    if d.met_at_micros == Some(ctx.now) {
        let body = format!(
            "The demand \"{title}\" ({what}) has the support of {n} members, the share the \
             statutes set (§45). The board must now act on it.\n{FOOTER}",
            title = t.title,
            n = d.supporters.len(),
        );
        to_members(
            conn,
            ctx,
            None,
            format!("demand-met:{}", t.id),
            format!("Minority demand met: {}", t.title),
            body,
        )?;
    }
    Ok(())
}
