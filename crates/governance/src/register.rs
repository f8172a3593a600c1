//! The register of members (§30), invitations, and linking a data account with a
//! governance key.

use crate::chain::append;
use crate::invitations::{invitation_hash, new_invitation, random};
use crate::{Context, GovError};
use datacoop_api::b64::Base64Url;
use datacoop_governance_core::entry::personal_digest;
use datacoop_governance_core::wire::{RegisterList, RegisterRequest, RegisterView, Registered};
use datacoop_governance_core::{Entry, EntryBody, Registration};
use datacoop_store::schema::{gov_register as r, members};
use datacoop_store::{Db, DbConn};
use diesel::prelude::*;
use uuid::Uuid;

const MAX_TEXT: usize = 500;

/// Whether the account is one of the stewards.
pub fn is_steward(conn: &mut DbConn, account: Uuid, ctx: &Context) -> Result<bool, GovError> {
    if ctx.stewards.is_empty() {
        return Ok(false);
    }
    let email: Option<String> = members::table
        .find(account.hyphenated().to_string())
        .select(members::email)
        .get_result(conn)
        .optional()?;
    Ok(email.is_some_and(|e| ctx.stewards.contains(&e)))
}

pub(crate) fn require_steward(
    conn: &mut DbConn,
    account: Uuid,
    ctx: &Context,
) -> Result<(), GovError> {
    if is_steward(conn, account, ctx)? {
        Ok(())
    } else {
        Err(GovError::NotSteward)
    }
}

/// The register entry linked to the account, if any.
pub fn member_of(conn: &mut DbConn, account: Uuid) -> Result<Option<Uuid>, GovError> {
    let id: Option<String> = r::table
        .filter(r::account.eq(account.hyphenated().to_string()))
        .select(r::id)
        .get_result(conn)
        .optional()?;
    id.map(|t| parse_uuid(&t)).transpose()
}

pub(crate) fn parse_uuid(text: &str) -> Result<Uuid, GovError> {
    Uuid::parse_str(text)
        .map_err(|_| GovError::Invalid(format!("stored id {text:?} is not a UUID")))
}

pub(crate) type Row = (
    String,
    i64,
    Option<String>,
    String,
    String,
    Vec<u8>,
    i64,
    Option<i64>,
    i32,
    i32,
    Option<Vec<u8>>,
    Option<String>,
    Option<i64>,
);

/// The register columns a [`Row`] holds.
pub(crate) type Columns = (
    r::id,
    r::number,
    r::account,
    r::name,
    r::contact,
    r::blinding,
    r::joined_at,
    r::leaves_at,
    r::shares,
    r::votes,
    r::governance_key,
    r::email,
    r::personal_removed_at,
);

pub(crate) fn columns() -> Columns {
    (
        r::id,
        r::number,
        r::account,
        r::name,
        r::contact,
        r::blinding,
        r::joined_at,
        r::leaves_at,
        r::shares,
        r::votes,
        r::governance_key,
        r::email,
        r::personal_removed_at,
    )
}

pub(crate) fn view(row: Row) -> Result<RegisterView, GovError> {
    let (
        id,
        number,
        account,
        name,
        contact,
        blinding,
        joined,
        leaves,
        shares,
        votes,
        key,
        email,
        removed,
    ) = row;
    Ok(RegisterView {
        member: parse_uuid(&id)?,
        number: number.max(0) as u64,
        name,
        contact,
        email,
        joined_at_micros: joined.max(0) as u64,
        leaves_at_micros: leaves.map(|l| l.max(0) as u64),
        shares: shares.max(0) as u32,
        votes: votes.clamp(0, 255) as u8,
        linked: account.is_some(),
        governance_key: key.map(Base64Url),
        blinding: Base64Url(blinding),
        share_changes: Vec::new(),
        personal_removed_at_micros: removed.map(|t| t.max(0) as u64),
    })
}

/// One entry with its share changes, the shares in effect at `now`.
pub(crate) fn load(
    conn: &mut DbConn,
    member: Uuid,
    now: u64,
) -> Result<Option<RegisterView>, GovError> {
    let Some(row) = r::table
        .find(member.hyphenated().to_string())
        .select(columns())
        .get_result::<Row>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let mut v = [view(row)?];
    crate::register_changes::with_changes(conn, &mut v, Some(member), now)?;
    let [v] = v;
    Ok(Some(v))
}

/// A notice address as given (none or blank: no e-mail notices), checked.
pub(crate) fn notice_address(email: Option<&str>) -> Result<Option<String>, GovError> {
    match email.map(str::trim) {
        None | Some("") => Ok(None),
        Some(e) => datacoop_notices::valid_address(e)
            .map(Some)
            .map_err(|e| GovError::Invalid(e.to_string())),
    }
}

fn text(field: &str, value: &str) -> Result<String, GovError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > MAX_TEXT {
        return Err(GovError::Invalid(format!(
            "{field} must be 1 to {MAX_TEXT} characters"
        )));
    }
    Ok(v.to_owned())
}

/// A steward enters a member in the register; the answer carries the one-time
/// invitation that links the member's account.
pub async fn register(
    db: &Db,
    steward: Uuid,
    req: RegisterRequest,
    ctx: Context,
) -> Result<Registered, GovError> {
    let name = text("name", &req.name)?;
    let contact = text("contact", &req.contact)?;
    let email = notice_address(req.email.as_deref())?;
    let joined = match &req.joined_at {
        Some(t) => datacoop_store::time::parse_micros(t, "joined_at")?.max(0) as u64,
        None => ctx.now,
    };
    if req.shares == 0 {
        return Err(GovError::Invalid(
            "a member subscribes at least one share".into(),
        ));
    }
    let votes = req.votes.unwrap_or(1);
    if !(1..=ctx.rules.max_votes_per_member.max(1)).contains(&votes) {
        return Err(GovError::Invalid(format!(
            "the statutes grant 1 to {} votes per member",
            ctx.rules.max_votes_per_member
        )));
    }
    let blinding = random(32)?;
    let member = Uuid::now_v7();
    let (secret, expires) = new_invitation(member, &ctx)?;
    let digest = personal_digest(&blinding, &name, &contact);
    db.write(move |conn| -> Result<Registered, GovError> {
        crate::chain::lock(conn)?;
        require_steward(conn, steward, &ctx)?;
        let number: Option<i64> = r::table
            .select(diesel::dsl::max(r::number))
            .get_result(conn)?;
        let number = number.unwrap_or(0) + 1;
        let entry = Entry::new(
            ctx.now,
            EntryBody::MemberRegistered(Registration {
                member,
                number: number as u64,
                joined_at_micros: joined,
                shares: req.shares,
                votes,
                personal_digest: Base64Url(digest),
                recorded_by: steward,
            }),
        );
        append(conn, &entry)?;
        diesel::insert_into(r::table)
            .values((
                r::id.eq(member.hyphenated().to_string()),
                r::number.eq(number),
                r::name.eq(&name),
                r::contact.eq(&contact),
                r::email.eq(&email),
                r::blinding.eq(&blinding),
                r::joined_at.eq(joined as i64),
                r::shares.eq(req.shares.min(i32::MAX as u32) as i32),
                r::votes.eq(i32::from(votes)),
                r::invitation_hash.eq(invitation_hash(&secret)),
                r::invitation_expires_at.eq(expires as i64),
                r::recorded_at.eq(ctx.now as i64),
            ))
            .execute(conn)?;
        let entry = load(conn, member, ctx.now)?
            .ok_or_else(|| GovError::NotFound("the new register entry vanished".into()))?;
        tracing::info!(member = %member, number, "member entered in the register");
        Ok(Registered {
            entry,
            invitation: secret,
            invitation_expires_at_micros: expires,
        })
    })
    .await
}

/// The whole register, for stewards.
pub async fn list_register(db: &Db, steward: Uuid, ctx: Context) -> Result<RegisterList, GovError> {
    db.read(move |conn| -> Result<RegisterList, GovError> {
        require_steward(conn, steward, &ctx)?;
        let rows: Vec<Row> = r::table
            .order(r::number.asc())
            .select(columns())
            .load(conn)?;
        let mut items: Vec<RegisterView> = rows.into_iter().map(view).collect::<Result<_, _>>()?;
        crate::register_changes::with_changes(conn, &mut items, None, ctx.now)?;
        Ok(RegisterList {
            items,
            share_value: ctx.share_value.clone(),
        })
    })
    .await
}

/// The caller's own entry.
pub async fn my_entry(db: &Db, account: Uuid, now: u64) -> Result<RegisterView, GovError> {
    db.read(move |conn| -> Result<RegisterView, GovError> {
        let member = member_of(conn, account)?.ok_or(GovError::NotInRegister)?;
        load(conn, member, now)?.ok_or(GovError::NotInRegister)
    })
    .await
}

/// A steward records when a member's leaving takes effect.
pub async fn record_leaving(
    db: &Db,
    steward: Uuid,
    member: Uuid,
    leaves_at: u64,
    ctx: Context,
) -> Result<RegisterView, GovError> {
    db.write(move |conn| -> Result<RegisterView, GovError> {
        crate::chain::lock(conn)?;
        require_steward(conn, steward, &ctx)?;
        let current = load(conn, member, ctx.now)?
            .ok_or_else(|| GovError::NotFound(format!("no member {member} in the register")))?;
        if leaves_at <= current.joined_at_micros {
            return Err(GovError::Invalid(
                "the leaving takes effect after the member joined".into(),
            ));
        }
        append(
            conn,
            &Entry::new(
                ctx.now,
                EntryBody::MemberLeaving {
                    member,
                    leaves_at_micros: leaves_at,
                    recorded_by: steward,
                },
            ),
        )?;
        diesel::update(r::table.find(member.hyphenated().to_string()))
            .set(r::leaves_at.eq(leaves_at as i64))
            .execute(conn)?;
        load(conn, member, ctx.now)?.ok_or_else(|| GovError::NotFound("the entry vanished".into()))
    })
    .await
}

/// Erasing a data account unlinks it from its register entry: the entry itself (name,
/// contact, shares, the governance key's publications) is kept, as §30 asks, for the
/// retention period after the member leaves. Returns whether an entry was linked.
pub fn erase_member(conn: &mut DbConn, account: Uuid) -> Result<bool, GovError> {
    let n = diesel::update(r::table.filter(r::account.eq(account.hyphenated().to_string())))
        .set(r::account.eq(None::<String>))
        .execute(conn)?;
    Ok(n > 0)
}
