//! Deleting a member (right to erasure): the one list of what every domain
//! erases, in one transaction. A new domain adds its `erase_member` here.

use crate::{App, AppError, MemberCaller};
use datacoop_accounts::{blobs, passphrase};
use datacoop_api::accounts::{AccountDeleted, AccountDeletion};
use datacoop_auth::sessions;
use datacoop_store::idempotency;

impl App {
    /// Deletes the caller's account and everything in it, after the
    /// passphrase is confirmed; then the blob objects no row refers to.
    pub async fn delete_member(
        &self,
        caller: &MemberCaller,
        confirmation: AccountDeletion,
    ) -> Result<AccountDeleted, AppError> {
        let address = caller.address_text();
        let confirmed = passphrase::confirm(
            &self.db,
            &self.hasher,
            &self.limiter,
            caller.account(&address),
            confirmation.auth_key.into_inner(),
        )
        .await?;
        let id = caller.id;
        let now = self.clock.now_micros() as i64;
        let (erased, sessions, in_register) = self
            .db
            .write(move |conn| -> Result<_, AppError> {
                // First: the account's row, in the same order as every other
                // transaction touching the account and its sessions.
                datacoop_accounts::deletion::lock_member(conn, &confirmed)?;
                let key = id.to_string();
                idempotency::erase_member(conn, &key)?;
                let sessions = sessions::erase_member(conn, id.uuid())?;
                let in_register = datacoop_governance::erase_member(conn, id.uuid())?;
                datacoop_consent::consents::erase_member(conn, id.uuid(), now)?;
                // Last: the account row, with the sealed keys.
                let erased = datacoop_accounts::erase_member(conn, &confirmed)?;
                Ok((erased, sessions as u64, in_register))
            })
            .await?;
        blobs::remove_objects(&self.blobs, &erased.blob_objects).await;
        tracing::info!(member = %id, records = erased.records, "account deleted");
        Ok(AccountDeleted {
            member_id: id.uuid(),
            records_deleted: erased.records,
            sessions_deleted: sessions,
            devices_deleted: erased.devices,
            blobs_deleted: erased.blobs,
            kept: if in_register {
                vec![
                    "your entry in the register of members (Cooperatives Act §30), which the \
                     cooperative keeps for the retention period after you leave; it is no longer \
                     linked to an account"
                        .into(),
                ]
            } else {
                Vec::new()
            },
        })
    }
}
