//! The register over time (§30): share changes with their effective dates, and the
//! removal of a former member's personal data once the retention period after their
//! leaving has run out. The entry itself (number, dates, shares, votes, key) stays, so
//! old votes still recount; the chain never held the personal data, only its digest.

use crate::chain::append;
use crate::register::{load, parse_uuid, require_steward};
use crate::{Context, GovError};
use datacoop_governance_core::wire::{RegisterView, ShareChangeRequest, ShareChangeView};
use datacoop_governance_core::{Entry, EntryBody, ShareChange};
use datacoop_store::schema::{gov_register as r, gov_share_changes as sc};
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use std::collections::HashMap;
use uuid::Uuid;

/// Fills in each entry's share changes and the shares in effect at `now` (the last
/// change effective by then, else the shares subscribed on joining). `only`: the one
/// member the entries are for, or all.
pub(crate) fn with_changes(
    conn: &mut DbConn,
    views: &mut [RegisterView],
    only: Option<Uuid>,
    now: u64,
) -> Result<(), GovError> {
    let mut q = sc::table.into_boxed();
    if let Some(m) = only {
        q = q.filter(sc::member.eq(m.hyphenated().to_string()));
    }
    let rows: Vec<(String, i32, i64)> = q
        .order((sc::effective_at.asc(), sc::entry_idx.asc()))
        .select((sc::member, sc::shares, sc::effective_at))
        .load(conn)?;
    let mut by: HashMap<Uuid, Vec<ShareChangeView>> = HashMap::new();
    for (m, shares, at) in rows {
        by.entry(parse_uuid(&m)?)
            .or_default()
            .push(ShareChangeView {
                shares: shares.max(0) as u32,
                effective_at_micros: at.max(0) as u64,
            });
    }
    for v in views {
        if let Some(changes) = by.remove(&v.member) {
            if let Some(c) = changes.iter().rev().find(|c| c.effective_at_micros <= now) {
                v.shares = c.shares;
            }
            v.share_changes = changes;
        }
    }
    Ok(())
}

/// A steward records that a member holds `shares` from a date (more shares
/// subscribed, or notice given on some).
pub async fn change_shares(
    db: &Db,
    steward: Uuid,
    member: Uuid,
    req: ShareChangeRequest,
    ctx: Context,
) -> Result<RegisterView, GovError> {
    let effective =
        datacoop_store::time::parse_micros(&req.effective_at, "effective_at")?.max(0) as u64;
    if req.shares == 0 {
        return Err(GovError::Invalid(
            "a member holds at least one share; to leave, record the leaving \
             (datacoop gov register leave)"
                .into(),
        ));
    }
    db.write(move |conn| -> Result<RegisterView, GovError> {
        crate::chain::lock(conn)?;
        require_steward(conn, steward, &ctx)?;
        let current = load(conn, member, ctx.now)?
            .ok_or_else(|| GovError::NotFound(format!("no member {member} in the register")))?;
        if effective < current.joined_at_micros {
            return Err(GovError::Invalid(
                "a share change takes effect after the member joined".into(),
            ));
        }
        let idx = append(
            conn,
            &Entry::new(
                ctx.now,
                EntryBody::SharesChanged(ShareChange {
                    member,
                    shares: req.shares,
                    effective_at_micros: effective,
                    recorded_by: steward,
                }),
            ),
        )?;
        diesel::insert_into(sc::table)
            .values((
                sc::member.eq(member.hyphenated().to_string()),
                sc::entry_idx.eq(idx as i64),
                sc::shares.eq(req.shares.min(i32::MAX as u32) as i32),
                sc::effective_at.eq(effective as i64),
            ))
            .execute(conn)?;
        tracing::info!(%member, shares = req.shares, "share change recorded");
        load(conn, member, ctx.now)?.ok_or_else(|| GovError::NotFound("the entry vanished".into()))
    })
    .await
}

/// A member sets the address their notices go to (`None`: no more e-mail notices).
/// Not in the chain: the e-mail is not part of the personal digest.
pub async fn set_notice_email(
    db: &Db,
    account: Uuid,
    email: Option<String>,
    now: u64,
) -> Result<RegisterView, GovError> {
    let email = crate::register::notice_address(email.as_deref())?;
    db.write(move |conn| -> Result<RegisterView, GovError> {
        let member = crate::register::member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        diesel::update(r::table.find(member.hyphenated().to_string()))
            .set(r::email.eq(&email))
            .execute(conn)?;
        tracing::info!(%member, notices = email.is_some(), "notice address changed by the member");
        load(conn, member, now)?.ok_or(GovError::NotInRegister)
    })
    .await
}

/// Removes the personal data (name, contact, e-mail, the digest's blinding) of every
/// member who left more than `retention_micros` ago; returns how many.
pub async fn remove_expired_personal_data(
    db: &Db,
    ctx: Context,
    retention_micros: u64,
) -> Result<usize, GovError> {
    let before = ctx
        .now
        .saturating_sub(retention_micros)
        .min(i64::MAX as u64) as i64;
    let now = ctx.now as i64;
    db.write(move |conn| -> Result<usize, GovError> {
        let n = diesel::update(
            r::table
                .filter(r::personal_removed_at.is_null())
                .filter(r::leaves_at.le(before)),
        )
        .set((
            r::name.eq(""),
            r::contact.eq(""),
            r::email.eq(None::<String>),
            r::blinding.eq(Vec::<u8>::new()),
            r::personal_removed_at.eq(Some(now)),
        ))
        .execute(conn)?;
        if n > 0 {
            tracing::info!(
                removed = n,
                "personal data of former members removed after the retention period"
            );
        }
        Ok(n)
    })
    .await
}
