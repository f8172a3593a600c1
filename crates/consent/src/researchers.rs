//! Researchers: an account with a researcher's row, verified by a steward in the
//! governance log before they may submit studies.

use crate::ConsentError;
use datacoop_consent_core::wire::{ResearcherList, ResearcherQuery, ResearcherView, Verification};
use datacoop_governance_core::{Entry, EntryBody};
use datacoop_store::load_page;
use datacoop_store::schema::{members, researchers as r};
use datacoop_store::time::format_micros;
use datacoop_store::DbConn;
use diesel::prelude::*;
use uuid::Uuid;

/// Longest name or affiliation, characters.
pub const MAX_NAME: usize = 200;

/// Checks a researcher's name and affiliation.
pub fn check_profile(name: &str, affiliation: &str) -> Result<(), ConsentError> {
    for (what, v) in [("name", name), ("affiliation", affiliation)] {
        let n = v.trim().chars().count();
        if n == 0 || n > MAX_NAME {
            return Err(ConsentError::Invalid(format!(
                "a researcher's {what} has 1 to {MAX_NAME} characters"
            )));
        }
    }
    Ok(())
}

/// Makes the account a researcher's (in the registration's transaction).
pub fn insert(
    conn: &mut DbConn,
    account: Uuid,
    name: &str,
    affiliation: &str,
    now: i64,
) -> diesel::QueryResult<()> {
    diesel::insert_into(r::table)
        .values((
            r::account.eq(account.hyphenated().to_string()),
            r::name.eq(name.trim()),
            r::affiliation.eq(affiliation.trim()),
            r::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the account is a researcher's.
pub fn is_researcher(conn: &mut DbConn, account: Uuid) -> Result<bool, ConsentError> {
    let n: i64 = r::table
        .filter(r::account.eq(account.hyphenated().to_string()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

type Row = (
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    String,
);

fn view(row: Row, with_email: bool) -> Result<ResearcherView, ConsentError> {
    let (id, name, affiliation, created, verified_at, verified_idx, email) = row;
    Ok(ResearcherView {
        id: id
            .parse()
            .map_err(|_| ConsentError::Invalid(format!("stored researcher id {id:?}")))?,
        email: with_email.then_some(email),
        name,
        affiliation,
        registered_at: format_micros(created),
        verification: match (verified_at, verified_idx) {
            (Some(at), Some(idx)) => Some(Verification {
                at: format_micros(at),
                index: idx as u64,
            }),
            _ => None,
        },
    })
}

fn columns() -> (
    r::account,
    r::name,
    r::affiliation,
    r::created_at,
    r::verified_at,
    r::verified_idx,
    members::email,
) {
    (
        r::account,
        r::name,
        r::affiliation,
        r::created_at,
        r::verified_at,
        r::verified_idx,
        members::email,
    )
}

/// One researcher (with their email when `with_email`: themselves or a steward).
pub fn get(
    conn: &mut DbConn,
    account: Uuid,
    with_email: bool,
) -> Result<ResearcherView, ConsentError> {
    let row: Option<Row> = r::table
        .inner_join(members::table.on(members::id.eq(r::account)))
        .filter(r::account.eq(account.hyphenated().to_string()))
        .select(columns())
        .get_result(conn)
        .optional()?;
    view(
        row.ok_or_else(|| ConsentError::NotFound(format!("no researcher {account}")))?,
        with_email,
    )
}

/// A page of researchers, for stewards.
pub fn list(conn: &mut DbConn, q: &ResearcherQuery) -> Result<ResearcherList, ConsentError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500) as usize;
    let mut query = r::table
        .inner_join(members::table.on(members::id.eq(r::account)))
        .select(columns())
        .order(r::account.asc())
        .into_boxed();
    if let Some(after) = q.after {
        query = query.filter(r::account.gt(after.hyphenated().to_string()));
    }
    if q.unverified {
        query = query.filter(r::verified_at.is_null());
    }
    let page = load_page::<_, Row>(conn, query, limit)?;
    let researchers: Vec<ResearcherView> = page
        .rows
        .into_iter()
        .map(|row| view(row, true))
        .collect::<Result<_, _>>()?;
    let next = if page.more {
        researchers.last().map(|r| r.id)
    } else {
        None
    };
    Ok(ResearcherList { researchers, next })
}

/// Records a steward's verification of a researcher in the governance log and on
/// their row, in the caller's transaction.
pub fn verify(conn: &mut DbConn, account: Uuid, now: i64) -> Result<ResearcherView, ConsentError> {
    datacoop_governance::lock_log(conn)?;
    let current = get(conn, account, true)?;
    if current.verification.is_some() {
        return Err(ConsentError::Conflict(
            "already_verified",
            format!("researcher {account} is verified already"),
        ));
    }
    let idx = datacoop_governance::record_research(
        conn,
        &Entry::new(
            now as u64,
            EntryBody::ResearcherVerified {
                researcher: account,
                name: current.name.clone(),
                affiliation: current.affiliation.clone(),
            },
        ),
    )?;
    diesel::update(r::table.find(account.hyphenated().to_string()))
        .set((r::verified_at.eq(now), r::verified_idx.eq(idx as i64)))
        .execute(conn)?;
    get(conn, account, true)
}

/// Whether the researcher is verified.
pub fn is_verified(conn: &mut DbConn, account: Uuid) -> Result<bool, ConsentError> {
    let at: Option<Option<i64>> = r::table
        .find(account.hyphenated().to_string())
        .select(r::verified_at)
        .get_result(conn)
        .optional()?;
    Ok(matches!(at, Some(Some(_))))
}
