//! Invitations: the one-time secret that links a member's data account to their
//! register entry and publishes their governance key.

use crate::chain::append;
use crate::register::{load, member_of, require_steward};
use crate::{Context, GovError};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use datacoop_api::b64::Base64Url;
use datacoop_crypto::VerifyingKey;
use datacoop_governance_core::proxy::key_proof_holds;
use datacoop_governance_core::wire::{JoinRequest, RegisterView, Registered};
use datacoop_governance_core::{Entry, EntryBody};
use datacoop_store::schema::gov_register as r;
use datacoop_store::Db;
use diesel::prelude::*;
use ring::rand::SecureRandom;
use uuid::Uuid;

const DAY_MICROS: u64 = 86_400_000_000;

pub(crate) fn random(n: usize) -> Result<Vec<u8>, GovError> {
    let mut b = vec![0u8; n];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| GovError::Invalid("the system random source failed".into()))?;
    Ok(b)
}

pub(crate) fn invitation_hash(secret: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, secret.as_bytes())
        .as_ref()
        .to_vec()
}

/// A new invitation for `member`: `REGISTER-ID.SECRET` and when it expires.
pub(crate) fn new_invitation(member: Uuid, ctx: &Context) -> Result<(String, u64), GovError> {
    let secret = format!("{member}.{}", URL_SAFE_NO_PAD.encode(random(18)?));
    let expires = ctx
        .now
        .saturating_add(u64::from(ctx.invitation_days) * DAY_MICROS);
    Ok((secret, expires))
}

/// A steward issues a new invitation for an entry (a member who lost access, or who
/// rotated their keys and so derives a new governance key): the member joins again
/// with it, from the same account, and the new key replaces the old one.
pub async fn reinvite(
    db: &Db,
    steward: Uuid,
    member: Uuid,
    ctx: Context,
) -> Result<Registered, GovError> {
    let (secret, expires) = new_invitation(member, &ctx)?;
    db.write(move |conn| -> Result<Registered, GovError> {
        crate::chain::lock(conn)?;
        require_steward(conn, steward, &ctx)?;
        let n = diesel::update(r::table.find(member.hyphenated().to_string()))
            .set((
                r::invitation_hash.eq(Some(invitation_hash(&secret))),
                r::invitation_expires_at.eq(Some(expires as i64)),
            ))
            .execute(conn)?;
        if n == 0 {
            return Err(GovError::NotFound(format!(
                "no member {member} in the register"
            )));
        }
        let entry = load(conn, member, ctx.now)?
            .ok_or_else(|| GovError::NotFound("the entry vanished".into()))?;
        tracing::info!(%member, "invitation issued again");
        Ok(Registered {
            entry,
            invitation: secret,
            invitation_expires_at_micros: expires,
        })
    })
    .await
}

/// A member links their account to their register entry with the invitation and
/// publishes their governance key. A new invitation for an entry already linked to
/// this account publishes a new key (after a key rotation).
pub async fn join(
    db: &Db,
    account: Uuid,
    req: JoinRequest,
    ctx: Context,
) -> Result<RegisterView, GovError> {
    let member = req
        .invitation
        .split_once('.')
        .and_then(|(id, _)| Uuid::parse_str(id).ok())
        .ok_or(GovError::Invitation)?;
    let key = VerifyingKey::from_bytes(&req.key)
        .map_err(|_| GovError::Invalid("key must be a 32-byte Ed25519 public key".into()))?;
    if !key_proof_holds(&member, &key, &req.proof) {
        return Err(GovError::Invalid(
            "the proof is not the key's signature over this register entry and key".into(),
        ));
    }
    let hash = invitation_hash(&req.invitation);
    db.write(move |conn| -> Result<RegisterView, GovError> {
        crate::chain::lock(conn)?;
        // The invitation is stored as its SHA-256 only; looked up by entry and hash.
        let row: Option<(Option<i64>, Option<String>)> = r::table
            .filter(r::id.eq(member.hyphenated().to_string()))
            .filter(r::invitation_hash.eq(&hash))
            .select((r::invitation_expires_at, r::account))
            .get_result(conn)
            .optional()?;
        let Some((Some(expires), linked)) = row else {
            return Err(GovError::Invitation);
        };
        if (expires.max(0) as u64) < ctx.now {
            return Err(GovError::Invitation);
        }
        let me = account.hyphenated().to_string();
        if linked.as_ref().is_some_and(|a| *a != me) {
            return Err(GovError::Invitation);
        }
        if let Some(other) = member_of(conn, account)? {
            if other != member {
                return Err(GovError::AlreadyLinked(other.to_string()));
            }
        }
        append(
            conn,
            &Entry::new(
                ctx.now,
                EntryBody::KeyPublished {
                    member,
                    key: Base64Url(key.as_bytes().to_vec()),
                    proof: req.proof.clone(),
                },
            ),
        )?;
        diesel::update(r::table.find(member.hyphenated().to_string()))
            .set((
                r::account.eq(Some(me)),
                r::governance_key.eq(Some(key.as_bytes().to_vec())),
                r::invitation_hash.eq(None::<Vec<u8>>),
                r::invitation_expires_at.eq(None::<i64>),
            ))
            .execute(conn)?;
        tracing::info!(member = %member, "member joined: account linked, governance key published");
        load(conn, member, ctx.now)?.ok_or_else(|| GovError::NotFound("the entry vanished".into()))
    })
    .await
}
