//! Members' consents: the grant (a signed receipt, copies made on the member's machine,
//! then activation: the server countersigns and the member's access log records it),
//! reading, and withdrawal (every copy deleted at once, recorded in the log).

use crate::{App, AppError, MemberCaller};
use datacoop_accesslog::{self as accesslog, Action, Actor};
use datacoop_consent::consents;
use datacoop_consent::ConsentError;
use datacoop_consent_core::wire::{
    ConsentList, ConsentQuery, ConsentRequest, ConsentView, CopiesStored, StudyCopies,
};
use datacoop_crypto::sign::{context::CONSENT_RECEIPT, signed_bytes};
use datacoop_store::DbConn;
use uuid::Uuid;

fn digest(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

impl App {
    /// Stores the member's consent (not yet in effect): the receipt signed by their key
    /// and the share key sealed to the study.
    pub async fn grant_consent(
        &self,
        caller: &MemberCaller,
        req: ConsentRequest,
    ) -> Result<ConsentView, AppError> {
        let (me, now) = (caller.id.uuid(), self.clock.now_micros() as i64);
        Ok(self
            .db
            .write(move |c| -> Result<ConsentView, ConsentError> {
                let id = consents::create(c, me, &req, now)?;
                let row = consents::own(c, me, id)?;
                consents::view(c, row, now)
            })
            .await?)
    }

    /// Stores study copies the member's machine made for a consent.
    pub async fn add_study_copies(
        &self,
        caller: &MemberCaller,
        consent: Uuid,
        body: StudyCopies,
    ) -> Result<CopiesStored, AppError> {
        let (me, now) = (caller.id.uuid(), self.clock.now_micros() as i64);
        Ok(self
            .db
            .write(move |c| datacoop_consent::copies::add(c, me, consent, &body, now))
            .await?)
    }

    /// Puts the consent in effect: the server countersigns the receipt with the access
    /// log's key and the member's access log records the grant, in one transaction.
    pub async fn activate_consent(
        &self,
        caller: &MemberCaller,
        consent: Uuid,
    ) -> Result<ConsentView, AppError> {
        let (me, now) = (caller.id.uuid(), self.clock.now_micros() as i64);
        let signer = self.access_log.clone();
        let view = self
            .db
            .write(move |c: &mut DbConn| -> Result<ConsentView, AppError> {
                if let Some(row) = consents::to_activate(c, me, consent, now)? {
                    let receipt = row.receipt()?;
                    let signature = signer.sign_statement(&signed_bytes(
                        CONSENT_RECEIPT,
                        &receipt.countersigned(&row.member_signature),
                    ));
                    let mut entry =
                        accesslog::entry(Actor::Member { id: me }, Action::ConsentGranted, me)?;
                    entry.study = Some(receipt.study);
                    entry.consent = Some(consent);
                    entry.extra = Some(digest(&receipt.message()));
                    let idx = accesslog::append(c, &[entry])?;
                    consents::mark_active(c, consent, &signature, idx[0], now)?;
                    tracing::info!(%consent, study = %receipt.study, "consent granted");
                }
                let row = consents::own(c, me, consent)?;
                Ok(consents::view(c, row, now)?)
            })
            .await?;
        Ok(view)
    }

    /// Withdraws the member's consent now: the study copies are deleted and the
    /// member's access log records it; withdrawing again changes nothing.
    pub async fn withdraw_consent(
        &self,
        caller: &MemberCaller,
        consent: Uuid,
    ) -> Result<ConsentView, AppError> {
        let (me, now) = (caller.id.uuid(), self.clock.now_micros() as i64);
        self.db
            .write(move |c: &mut DbConn| -> Result<ConsentView, AppError> {
                if let Some(row) = consents::withdraw(c, me, consent, now)? {
                    let mut entry =
                        accesslog::entry(Actor::Member { id: me }, Action::ConsentWithdrawn, me)?;
                    entry.study = row.study.parse().ok();
                    entry.consent = Some(consent);
                    accesslog::append(c, &[entry])?;
                    tracing::info!(%consent, "consent withdrawn");
                }
                let row = consents::own(c, me, consent)?;
                Ok(consents::view(c, row, now)?)
            })
            .await
    }

    /// The member's consents, newest first.
    pub async fn consents(
        &self,
        caller: &MemberCaller,
        q: ConsentQuery,
    ) -> Result<ConsentList, AppError> {
        let (me, now) = (caller.id.uuid(), self.clock.now_micros() as i64);
        Ok(self
            .db
            .read(move |c| consents::list(c, me, &q, now))
            .await?)
    }

    /// One of the member's consents.
    pub async fn consent(
        &self,
        caller: &MemberCaller,
        consent: Uuid,
    ) -> Result<ConsentView, AppError> {
        let (me, now) = (caller.id.uuid(), self.clock.now_micros() as i64);
        Ok(self
            .db
            .read(move |c| -> Result<ConsentView, ConsentError> {
                let row = consents::own(c, me, consent)?;
                consents::view(c, row, now)
            })
            .await?)
    }
}
