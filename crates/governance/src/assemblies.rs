//! Convening assemblies and filing motions, within the statutes' timeline (§46).

use crate::chain::append;
use crate::register::{is_steward, member_of, require_steward};
use crate::{Context, GovError};
use datacoop_governance_core::wire::{
    AssemblyList, AssemblyView, ConveneRequest, MotionPhase, MotionRequest, MotionView,
};
use datacoop_governance_core::{
    check_assembly, check_motion, Assembly, Count, Entry, EntryBody, Form, Majority, MotionTerms,
};
use datacoop_store::schema::{gov_assemblies as a, gov_motions as m};
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use uuid::Uuid;

fn time(text: &str, field: &str) -> Result<u64, GovError> {
    Ok(datacoop_store::time::parse_micros(text, field)?.max(0) as u64)
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, GovError> {
    serde_json::from_str(text).map_err(|e| GovError::Invalid(format!("stored {what}: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A steward convenes a general assembly.
pub async fn convene(
    db: &Db,
    steward: Uuid,
    req: ConveneRequest,
    ctx: Context,
) -> Result<Assembly, GovError> {
    let place = match (req.place, req.form) {
        (Some(p), _) if !p.trim().is_empty() => p.trim().to_owned(),
        (_, Form::InPerson | Form::Hybrid) => {
            return Err(GovError::Invalid(
                "an assembly that meets in person needs a place".into(),
            ))
        }
        _ => ctx.seat.clone(),
    };
    let assembly = Assembly {
        id: Uuid::now_v7(),
        title: req.title.trim().to_owned(),
        form: req.form,
        starts_at_micros: time(&req.starts_at, "starts_at")?,
        ends_at_micros: time(&req.ends_at, "ends_at")?,
        place,
        how_to_take_part: req.how_to_take_part.unwrap_or_else(|| {
            "with the datacoop client: datacoop gov assembly show, datacoop gov vote".into()
        }),
        convened_by: steward,
        body: req.body,
    };
    check_assembly(&assembly, ctx.now, &ctx.rules)?;
    db.write(move |conn| -> Result<Assembly, GovError> {
        crate::chain::lock(conn)?;
        require_steward(conn, steward, &ctx)?;
        let idx = append(
            conn,
            &Entry::new(ctx.now, EntryBody::AssemblyConvened(assembly.clone())),
        )?;
        diesel::insert_into(a::table)
            .values((
                a::id.eq(assembly.id.hyphenated().to_string()),
                a::body.eq(to_json(&assembly)),
                a::starts_at.eq(assembly.starts_at_micros as i64),
                a::entry_idx.eq(idx as i64),
            ))
            .execute(conn)?;
        crate::notices::convened(conn, &assembly, &ctx)?;
        tracing::info!(assembly = %assembly.id, form = ?assembly.form, body = ?assembly.body, "assembly convened");
        Ok(assembly)
    })
    .await
}

pub(crate) fn load_assembly(conn: &mut DbConn, id: Uuid) -> Result<Assembly, GovError> {
    let body: Option<String> = a::table
        .find(id.hyphenated().to_string())
        .select(a::body)
        .get_result(conn)
        .optional()?;
    json(
        &body.ok_or_else(|| GovError::NotFound(format!("no assembly {id}")))?,
        "assembly",
    )
}

/// A steward, or a member in the register, files a motion for an assembly's agenda.
pub async fn file_motion(
    db: &Db,
    account: Uuid,
    assembly: Uuid,
    req: MotionRequest,
    ctx: Context,
) -> Result<MotionTerms, GovError> {
    let opens = req
        .opens_at
        .as_deref()
        .map(|t| time(t, "opens_at"))
        .transpose()?;
    let closes = req
        .closes_at
        .as_deref()
        .map(|t| time(t, "closes_at"))
        .transpose()?;
    db.write(move |conn| -> Result<MotionTerms, GovError> {
        crate::chain::lock(conn)?;
        let steward = is_steward(conn, account, &ctx)?;
        let a = load_assembly(conn, assembly)?;
        let on_body = match a.body {
            Some(b) => Some(crate::bodies::members_of(conn, b)?),
            None => None,
        };
        let filed_by = match (member_of(conn, account)?, &on_body) {
            // At a body's meeting its members file; a steward files by their account.
            (Some(member), Some(members)) if !members.contains(&member) => {
                if !steward {
                    return Err(GovError::Refused(
                        "not_on_body",
                        "only the body's members (and the stewards) file motions at its meeting"
                            .into(),
                    ));
                }
                account
            }
            (Some(member), _) => member,
            (None, _) if steward => account,
            (None, _) => return Err(GovError::NotInRegister),
        };
        if req.decision.is_some() && !steward {
            return Err(GovError::NotSteward);
        }
        let election = req
            .election
            .as_ref()
            .map(|e| crate::bodies::election(conn, e, ctx.now))
            .transpose()?;
        let terms = MotionTerms {
            id: Uuid::now_v7(),
            assembly,
            title: req.title.trim().to_owned(),
            text: req.text.trim().to_owned(),
            majority: req.majority.unwrap_or(Majority::Simple),
            quorum_percent: req.quorum_percent,
            opens_at_micros: opens.unwrap_or(a.starts_at_micros),
            closes_at_micros: closes.unwrap_or(a.ends_at_micros),
            recused: req.recused.clone(),
            filed_by,
            decision: req.decision.clone(),
            body: a.body,
            election,
        };
        check_motion(&terms, &a, ctx.now, &ctx.rules)?;
        crate::bodies::check_filing(conn, &terms)?;
        let idx = append(
            conn,
            &Entry::new(ctx.now, EntryBody::MotionFiled(terms.clone())),
        )?;
        diesel::insert_into(m::table)
            .values((
                m::id.eq(terms.id.hyphenated().to_string()),
                m::assembly.eq(assembly.hyphenated().to_string()),
                m::body.eq(to_json(&terms)),
                m::closes_at.eq(terms.closes_at_micros as i64),
                m::opens_at.eq(terms.opens_at_micros as i64),
                m::entry_idx.eq(idx as i64),
            ))
            .execute(conn)?;
        crate::notices::motion_filed(conn, &a, &terms, &ctx)?;
        tracing::info!(motion = %terms.id, assembly = %assembly, "motion filed");
        Ok(terms)
    })
    .await
}

pub(crate) fn motion_view(
    body: &str,
    result: Option<&str>,
    now: u64,
) -> Result<MotionView, GovError> {
    let terms: MotionTerms = json(body, "motion")?;
    let result: Option<Count> = result.map(|r| json(r, "count")).transpose()?;
    let state = if result.is_some() {
        MotionPhase::Closed
    } else if now < terms.opens_at_micros {
        MotionPhase::Scheduled
    } else {
        // Past its close but not yet closed by the scheduler: still shown as open, and
        // no ballot is accepted (the count is recorded within seconds).
        MotionPhase::Open
    };
    Ok(MotionView {
        terms,
        state,
        result,
        server_time_micros: now,
    })
}

/// Assemblies, newest first.
pub async fn assemblies(db: &Db) -> Result<AssemblyList, GovError> {
    db.read(|conn| -> Result<AssemblyList, GovError> {
        let bodies: Vec<String> = a::table
            .order(a::starts_at.desc())
            .select(a::body)
            .load(conn)?;
        Ok(AssemblyList {
            items: bodies
                .iter()
                .map(|b| json(b, "assembly"))
                .collect::<Result<_, _>>()?,
        })
    })
    .await
}

/// One assembly with its motions.
pub async fn assembly(db: &Db, id: Uuid, now: u64) -> Result<AssemblyView, GovError> {
    db.read(move |conn| -> Result<AssemblyView, GovError> {
        let assembly = load_assembly(conn, id)?;
        let rows: Vec<(String, Option<String>)> = m::table
            .filter(m::assembly.eq(id.hyphenated().to_string()))
            .order(m::entry_idx.asc())
            .select((m::body, m::result))
            .load(conn)?;
        let motions = rows
            .iter()
            .map(|(b, r)| motion_view(b, r.as_deref(), now))
            .collect::<Result<_, _>>()?;
        Ok(AssemblyView { assembly, motions })
    })
    .await
}

pub(crate) fn load_motion(
    conn: &mut DbConn,
    id: Uuid,
) -> Result<(String, Option<String>), GovError> {
    m::table
        .find(id.hyphenated().to_string())
        .select((m::body, m::result))
        .get_result(conn)
        .optional()?
        .ok_or_else(|| GovError::NotFound(format!("no motion {id}")))
}

/// One motion; its count only once closed.
pub async fn motion(db: &Db, id: Uuid, now: u64) -> Result<MotionView, GovError> {
    db.read(move |conn| -> Result<MotionView, GovError> {
        let (body, result) = load_motion(conn, id)?;
        motion_view(&body, result.as_deref(), now)
    })
    .await
}
