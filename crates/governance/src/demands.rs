//! Minority demands (§45): filed and supported by members' signatures, counted by the
//! chain's replay (the same code every member's client runs); the members are told when
//! a demand is filed and when it is met.

use crate::minutes::{append_checked, replay};
use crate::register::member_of;
use crate::{Context, GovError};
use datacoop_crypto::VerifyingKey;
use datacoop_governance_core::{DemandFiling, DemandState, EntryBody, SignedSupport};
use datacoop_store::Db;
use uuid::Uuid;

fn signer_is_caller(me: Uuid, s: &SignedSupport) -> Result<(), GovError> {
    if s.support.member != me {
        return Err(GovError::Refused(
            "not_your_support",
            "a demand is signed by the member who sends it".into(),
        ));
    }
    Ok(())
}

/// A member files a demand, signing it as its first supporter.
pub async fn file_demand(
    db: &Db,
    account: Uuid,
    f: DemandFiling,
    ctx: Context,
    key: VerifyingKey,
) -> Result<DemandState, GovError> {
    db.write(move |conn| -> Result<DemandState, GovError> {
        let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        signer_is_caller(me, &f.support)?;
        let id = f.terms.id;
        let (_, chain) = append_checked(conn, &ctx, &key, EntryBody::DemandFiled(f))?;
        let d = chain
            .demands
            .get(&id)
            .cloned()
            .ok_or_else(|| GovError::NotFound(format!("no demand {id}")))?;
        crate::notices::demand(conn, &d, &ctx)?;
        tracing::info!(demand = %id, "minority demand filed");
        Ok(d)
    })
    .await
}

/// Another member supports a demand.
pub async fn support_demand(
    db: &Db,
    account: Uuid,
    s: SignedSupport,
    ctx: Context,
    key: VerifyingKey,
) -> Result<DemandState, GovError> {
    db.write(move |conn| -> Result<DemandState, GovError> {
        let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        signer_is_caller(me, &s)?;
        let id = s.support.demand;
        let (_, chain) = append_checked(conn, &ctx, &key, EntryBody::DemandSupported(s))?;
        let d = chain
            .demands
            .get(&id)
            .cloned()
            .ok_or_else(|| GovError::NotFound(format!("no demand {id}")))?;
        if d.met_at_micros == Some(ctx.now) {
            crate::notices::demand(conn, &d, &ctx)?;
            tracing::info!(demand = %id, supporters = d.supporters.len(), "minority demand met");
        }
        Ok(d)
    })
    .await
}

/// Every demand, newest first.
pub async fn demands(
    db: &Db,
    ctx: Context,
    key: VerifyingKey,
) -> Result<Vec<DemandState>, GovError> {
    db.read(move |conn| -> Result<Vec<DemandState>, GovError> {
        let (chain, _) = replay(conn, &ctx, &key)?;
        Ok(chain.demands.values().rev().cloned().collect())
    })
    .await
}
