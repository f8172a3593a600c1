//! Minutes (§47) and objections: computed by replaying the chain with the same code the
//! members' clients run, so what is signed is what anyone derives.

use crate::chain::append;
use crate::register::member_of;
use crate::{Context, GovError};
use datacoop_api::b64::Base64Url;
use datacoop_crypto::VerifyingKey;
use datacoop_governance_core::wire::{MinutesView, Recorded};
use datacoop_governance_core::{
    Chain, Entry, EntryBody, MinutesRole, MinutesSignature, SignedAttendance, SignedContribution,
    SignedObjection,
};
use datacoop_store::schema::gov_entries as e;
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use uuid::Uuid;

/// The chain replayed from every stored entry.
pub(crate) fn replay(
    conn: &mut DbConn,
    ctx: &Context,
    key: &VerifyingKey,
) -> Result<(Chain, u64), GovError> {
    let rows: Vec<(i64, Vec<u8>)> = e::table
        .order(e::idx.asc())
        .select((e::idx, e::body))
        .load(conn)?;
    let mut chain = Chain::new(ctx.rules.clone()).with_governance_key(*key);
    let mut next = 0u64;
    for (idx, body) in rows {
        // The server's own entries passed these checks when recorded; one that fails
        // now is reported, not fatal, so the rest of the record stays usable.
        if let Err(p) = chain.apply_bytes(idx as u64, &body) {
            tracing::error!(index = p.index, problem = %p.problem, "governance entry does not replay");
        }
        next = idx as u64 + 1;
    }
    Ok((chain, next))
}

/// Records an entry only if the chain accepts it after everything before it.
pub(crate) fn append_checked(
    conn: &mut DbConn,
    ctx: &Context,
    key: &VerifyingKey,
    body: EntryBody,
) -> Result<(Recorded, Chain), GovError> {
    // The head lock first: the replay then sees every entry before this one.
    crate::chain::lock(conn)?;
    let (mut chain, next) = replay(conn, ctx, key)?;
    let entry = Entry::new(ctx.now, body);
    chain
        .apply(next, &entry)
        .map_err(|p| GovError::Refused("refused_by_chain", p.problem))?;
    let index = append(conn, &entry)?;
    Ok((Recorded { index }, chain))
}

/// The minutes of an assembly, naming `chair` and `board` (default: as signed).
pub async fn minutes(
    db: &Db,
    assembly: Uuid,
    chair: Option<Uuid>,
    board: Option<Uuid>,
    ctx: Context,
    key: VerifyingKey,
) -> Result<MinutesView, GovError> {
    db.read(move |conn| -> Result<MinutesView, GovError> {
        let (chain, _) = replay(conn, &ctx, &key)?;
        if !chain.assemblies.contains_key(&assembly) {
            return Err(GovError::NotFound(format!("no assembly {assembly}")));
        }
        let signed = chain.minutes.get(&assembly);
        let (chair, board) = match (
            chair.or(signed.map(|s| s.chair)),
            board.or(signed.map(|s| s.board_member)),
        ) {
            (Some(c), Some(b)) => (c, b),
            _ => {
                return Err(GovError::Invalid(
                    "name the chair and the board member who sign the minutes (chair=, board=)"
                        .into(),
                ))
            }
        };
        let m = chain
            .minutes(&assembly, chair, board)
            .map_err(|p| GovError::Refused("minutes_not_ready", p))?;
        let objections = chain.objections.get(&assembly).cloned().unwrap_or_default();
        let same = |s: &&datacoop_governance_core::MinutesRecord| s.sha256 == m.sha256();
        Ok(MinutesView {
            sha256: Base64Url(m.sha256()),
            markdown: chain.minutes_markdown(&m),
            chair_signed: signed.filter(same).is_some_and(|s| s.chair_signed),
            board_signed: signed.filter(same).is_some_and(|s| s.board_signed),
            minutes: m,
            objections,
        })
    })
    .await
}

/// The chair or the board member signs the minutes.
pub async fn sign_minutes(
    db: &Db,
    account: Uuid,
    sig: MinutesSignature,
    ctx: Context,
    key: VerifyingKey,
) -> Result<Recorded, GovError> {
    db.write(move |conn| -> Result<Recorded, GovError> {
        let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        let signer = match sig.role {
            MinutesRole::Chair => sig.chair,
            MinutesRole::Board => sig.board_member,
        };
        if signer != me {
            return Err(GovError::Refused(
                "not_the_signer",
                "the minutes name someone else for this role: the chair signs as chair, the \
                 board member as board"
                    .into(),
            ));
        }
        let (r, chain) = append_checked(conn, &ctx, &key, EntryBody::MinutesSigned(sig.clone()))?;
        tracing::info!(assembly = %sig.assembly, role = ?sig.role, "minutes signed");
        let record = chain.minutes.get(&sig.assembly);
        if record.is_some_and(|s| s.chair_signed && s.board_signed) {
            if let (Ok(m), Some(a)) = (
                chain.minutes(&sig.assembly, sig.chair, sig.board_member),
                chain.assemblies.get(&sig.assembly),
            ) {
                let markdown = chain.minutes_markdown(&m);
                crate::notices::minutes(conn, sig.assembly, &a.title, &markdown, &ctx)?;
            }
        }
        Ok(r)
    })
    .await
}

/// A member records a signed objection.
pub async fn object(
    db: &Db,
    account: Uuid,
    o: SignedObjection,
    ctx: Context,
    key: VerifyingKey,
) -> Result<Recorded, GovError> {
    db.write(move |conn| -> Result<Recorded, GovError> {
        let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        if o.objection.member != me {
            return Err(GovError::Refused(
                "not_your_objection",
                "an objection is sent by the member who signs it".into(),
            ));
        }
        append_checked(conn, &ctx, &key, EntryBody::Objection(o)).map(|(r, _)| r)
    })
    .await
}

/// A member asks, states or answers in an assembly's discussion (§43b).
pub async fn contribute(
    db: &Db,
    account: Uuid,
    s: SignedContribution,
    ctx: Context,
    key: VerifyingKey,
) -> Result<Recorded, GovError> {
    db.write(move |conn| -> Result<Recorded, GovError> {
        let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        if s.contribution.member != me {
            return Err(GovError::Refused(
                "not_your_contribution",
                "a contribution is sent by the member who signs it".into(),
            ));
        }
        let assembly = s.contribution.assembly;
        let kind = s.contribution.kind;
        let r = append_checked(conn, &ctx, &key, EntryBody::Contributed(s)).map(|(r, _)| r)?;
        tracing::info!(%assembly, ?kind, "contribution recorded");
        Ok(r)
    })
    .await
}

/// A member signs that they take part in an assembly, while it runs.
pub async fn attend(
    db: &Db,
    account: Uuid,
    s: SignedAttendance,
    ctx: Context,
    key: VerifyingKey,
) -> Result<Recorded, GovError> {
    db.write(move |conn| -> Result<Recorded, GovError> {
        let me = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        if s.attendance.member != me {
            return Err(GovError::Refused(
                "not_your_attendance",
                "an attendance is sent by the member who signs it".into(),
            ));
        }
        let assembly = s.attendance.assembly;
        let r = append_checked(conn, &ctx, &key, EntryBody::Attended(s)).map(|(r, _)| r)?;
        tracing::info!(%assembly, member = %me, "attendance recorded");
        Ok(r)
    })
    .await
}
