//! Bodies (board, supervisory board, ethics committee) as carried elections made them,
//! and the powers the general assembly delegated to them.

use crate::register::parse_uuid;
use crate::{Context, GovError};
use datacoop_governance_core::wire::{
    BodiesView, BodyMember, BodyView, DelegationView, ElectionRequest,
};
use datacoop_governance_core::{Body, Candidate, Effect, Election, MotionTerms, Power};
use datacoop_store::schema::{gov_body_members as bm, gov_delegations as d, gov_register as r};
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The members of a body now.
pub(crate) fn members_of(conn: &mut DbConn, body: Body) -> Result<BTreeSet<Uuid>, GovError> {
    let rows: Vec<String> = bm::table
        .filter(bm::body.eq(body.as_str()))
        .select(bm::member)
        .load(conn)?;
    rows.iter().map(|m| parse_uuid(m)).collect()
}

/// The motion as a count needs it now: with its body's members for a body's meeting.
pub(crate) fn motion_of(
    conn: &mut DbConn,
    terms: &MotionTerms,
) -> Result<datacoop_governance_core::Motion, GovError> {
    let members = terms.body.map(|b| members_of(conn, b)).transpose()?;
    Ok(terms.motion(members.as_ref()))
}

/// The powers delegated now.
pub(crate) fn delegations(conn: &mut DbConn) -> Result<BTreeMap<Power, Body>, GovError> {
    let rows: Vec<(String, String)> = d::table.select((d::power, d::body)).load(conn)?;
    Ok(rows
        .iter()
        .filter_map(|(p, b)| Some((Power::parse(p)?, Body::parse(b)?)))
        .collect())
}

/// The election a request asks for: the candidates' names from the register, each a
/// member now.
pub(crate) fn election(
    conn: &mut DbConn,
    req: &ElectionRequest,
    now: u64,
) -> Result<Election, GovError> {
    let mut candidates = Vec::with_capacity(req.candidates.len());
    for id in &req.candidates {
        let row: Option<(String, Option<i64>, i64)> = r::table
            .find(id.hyphenated().to_string())
            .select((r::name, r::leaves_at, r::joined_at))
            .get_result(conn)
            .optional()?;
        match row {
            Some((name, leaves, joined))
                if joined as u64 <= now && leaves.is_none_or(|l| now < l as u64) =>
            {
                candidates.push(Candidate { member: *id, name });
            }
            _ => {
                return Err(GovError::Invalid(format!(
                    "candidate {id} is not a member of the cooperative: a candidate is \
                     named by their register id (datacoop gov register list)"
                )))
            }
        }
    }
    Ok(Election {
        seats: req.seats,
        candidates,
    })
}

/// Performs what a closed motion does to the bodies and delegations.
pub(crate) fn apply(
    conn: &mut DbConn,
    terms: &MotionTerms,
    effect: &Effect,
) -> Result<(), GovError> {
    let motion = terms.id.hyphenated().to_string();
    match effect {
        Effect::Compose(body, members) => {
            diesel::delete(bm::table.filter(bm::body.eq(body.as_str()))).execute(conn)?;
            let names: BTreeMap<Uuid, &str> = terms
                .election
                .iter()
                .flat_map(|e| &e.candidates)
                .map(|c| (c.member, c.name.as_str()))
                .collect();
            for m in members {
                diesel::insert_into(bm::table)
                    .values((
                        bm::body.eq(body.as_str()),
                        bm::member.eq(m.hyphenated().to_string()),
                        bm::name.eq(names.get(m).copied().unwrap_or_default()),
                        bm::motion.eq(&motion),
                    ))
                    .execute(conn)?;
            }
            tracing::info!(
                body = body.as_str(),
                members = members.len(),
                "body elected"
            );
        }
        Effect::Delegate(power, body) => {
            diesel::delete(d::table.find(power.as_str())).execute(conn)?;
            diesel::insert_into(d::table)
                .values((
                    d::power.eq(power.as_str()),
                    d::body.eq(body.as_str()),
                    d::motion.eq(&motion),
                ))
                .execute(conn)?;
            tracing::info!(
                power = power.as_str(),
                body = body.as_str(),
                "power delegated"
            );
        }
        Effect::EndDelegation(power) => {
            diesel::delete(d::table.find(power.as_str())).execute(conn)?;
            tracing::info!(power = power.as_str(), "delegation ended");
        }
        Effect::None | Effect::ApproveStudy(_) | Effect::CloseStudy(..) => {}
    }
    Ok(())
}

/// A body's study approval needs the power delegated to it now.
pub(crate) fn check_filing(conn: &mut DbConn, terms: &MotionTerms) -> Result<(), GovError> {
    use datacoop_governance_core::Decision;
    if let (Some(body), Some(Decision::ApproveStudy { .. } | Decision::CloseStudy { .. })) =
        (terms.body, &terms.decision)
    {
        if delegations(conn)?.get(&Power::ApproveStudies) != Some(&body) {
            return Err(GovError::Refused(
                "not_delegated",
                format!(
                    "{} may approve studies only once the general assembly has delegated that \
                     power to it by resolution (a motion deciding \"delegate\"): put the study \
                     to the general assembly, or delegate first",
                    body.describe()
                ),
            ));
        }
    }
    Ok(())
}

/// Every body with its members, and the delegations in force.
pub async fn bodies(db: &Db, _ctx: Context) -> Result<BodiesView, GovError> {
    db.read(move |conn| -> Result<BodiesView, GovError> {
        let rows: Vec<(String, String, String, String, i64)> = bm::table
            .inner_join(r::table.on(r::id.eq(bm::member)))
            .order((bm::body.asc(), r::number.asc()))
            .select((bm::body, bm::member, bm::name, bm::motion, r::number))
            .load(conn)?;
        let mut bodies: Vec<BodyView> = Body::ALL
            .into_iter()
            .map(|body| BodyView {
                body,
                members: Vec::new(),
            })
            .collect();
        for (body, member, name, motion, number) in rows {
            if let Some(v) = bodies.iter_mut().find(|v| v.body.as_str() == body) {
                v.members.push(BodyMember {
                    member: parse_uuid(&member)?,
                    number: number.max(0) as u64,
                    name,
                    elected_by: parse_uuid(&motion)?,
                });
            }
        }
        let rows: Vec<(String, String, String)> =
            d::table.select((d::power, d::body, d::motion)).load(conn)?;
        let mut delegations = Vec::new();
        for (p, b, m) in rows {
            if let (Some(power), Some(body)) = (Power::parse(&p), Body::parse(&b)) {
                delegations.push(DelegationView {
                    power,
                    body,
                    motion: parse_uuid(&m)?,
                });
            }
        }
        Ok(BodiesView {
            bodies,
            delegations,
        })
    })
    .await
}
