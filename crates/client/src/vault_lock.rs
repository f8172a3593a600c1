//! Opening the vault again from the local session file, and what passphrase
//! hashing from the server the member accepts (docs/crypto.md section 6).

use crate::ClientError;
use datacoop_crypto::{derive_passphrase_keys, KdfCost, KdfParams, MemberKeys, VaultKey};
use uuid::Uuid;

/// What opens the vault with the passphrase, as the server last handed it out: a local
/// session file keeps this instead of the vault key, so the file alone opens nothing.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct VaultLock {
    /// The KDF parameters envelope accepted at login.
    pub kdf_params: datacoop_api::b64::Base64Url,
    /// The vault key sealed under the passphrase's key-encryption key (box 0x10).
    pub sealed_vault_key: datacoop_api::b64::Base64Url,
    /// The member's private keys sealed under the vault key (box 0x12): tells a right vault
    /// key from a wrong one.
    pub sealed_member_keys: datacoop_api::b64::Base64Url,
}

impl VaultLock {
    /// Opens the vault key with the passphrase (one passphrase derivation).
    pub fn open(
        &self,
        member_id: Uuid,
        email: &str,
        passphrase: &str,
    ) -> Result<VaultKey, ClientError> {
        let params = KdfParams::from_envelope(&self.kdf_params)
            .map_err(|e| ClientError::crypto("the saved KDF parameters", e))?;
        let (_, kek) = derive_passphrase_keys(passphrase, &email_key(email)?, &params)
            .map_err(|e| ClientError::crypto("passphrase", e))?;
        let vault = datacoop_crypto::open_vault_key(&self.sealed_vault_key, &kek, &member_id)
            .map_err(|e| ClientError::crypto("your vault does not open", e))?;
        self.check(member_id, &vault)?;
        Ok(vault)
    }

    /// Checks that `vault` is this account's vault key (it opens the sealed member keys).
    pub fn check(&self, member_id: Uuid, vault: &VaultKey) -> Result<(), ClientError> {
        MemberKeys::open(&self.sealed_member_keys, vault, &member_id)
            .map(drop)
            .map_err(|e| ClientError::crypto("this vault key is not your account's", e))
    }
}

/// What passphrase-hashing parameters from the server the member accepts.
#[derive(Debug, Clone, Copy, Default)]
pub struct KdfPolicy {
    /// The cost last accepted for this account on this machine (nothing lower is accepted).
    pub remembered: Option<KdfCost>,
    /// The member agreed to a lower cost than remembered or than the default (the
    /// cooperative confirmed a change).
    pub accept_weaker: bool,
    /// The member agreed to the datacoop 0.1 format (server-chosen salt) for an account
    /// from before 0.2; its cost must still be the default or what is remembered.
    pub accept_legacy: bool,
}

/// The cost of `params` as one line.
fn describe(c: &KdfCost) -> String {
    format!(
        "format {} with {} KiB, {} passes, {} lanes",
        c.version, c.memory_kib, c.iterations, c.parallelism
    )
}

impl KdfPolicy {
    /// Refuses the 0.1 format unless agreed (`accept_legacy`), and a cost below what is
    /// remembered (or, for the 0.1 format, below the default) unless agreed
    /// (`accept_weaker`). The two agreements are separate: accepting the old format
    /// does not accept a cheaper one.
    pub fn check(&self, params: &KdfParams) -> Result<(), ClientError> {
        let cost = params.cost();
        // Agreed when this machine first accepted the account's 0.1 format, or now for an
        // account it has not seen in the current format (one seen in it has no 0.1 past).
        let legacy_agreed = match &self.remembered {
            Some(r) => r.version < 2,
            None => self.accept_legacy,
        };
        if params.is_legacy() && !legacy_agreed {
            return Err(ClientError::WeakerKdf(if self.remembered.is_some() {
                format!(
                    "the server now asks for passphrase hashing in the datacoop 0.1 format \
                     ({}), weaker than this machine accepted before for this account ({}): \
                     that is how a hostile server would make your passphrase easier to crack. \
                     Do not log in, and report it to the cooperative",
                    describe(&cost),
                    self.remembered.as_ref().map(describe).unwrap_or_default()
                )
            } else {
                "this account's passphrase hashing is in the datacoop 0.1 format, in which the \
                 server alone chooses the salt. If you registered before datacoop 0.2, log in \
                 once with --accept-legacy-kdf and then run `datacoop member passphrase` to \
                 upgrade it; if not, the server may be trying to weaken it: report it"
                    .into()
            }));
        }
        if self.accept_weaker {
            return Ok(());
        }
        // Compared by cost alone: the format was settled above.
        let floor = match (&self.remembered, params.is_legacy()) {
            (Some(r), _) => Some(KdfCost {
                version: cost.version,
                ..*r
            }),
            (None, true) => Some(KdfCost {
                version: cost.version,
                memory_kib: KdfParams::DEFAULT_MEMORY_KIB,
                iterations: KdfParams::DEFAULT_ITERATIONS,
                parallelism: KdfParams::DEFAULT_PARALLELISM,
            }),
            (None, false) => None,
        };
        match floor {
            Some(f) if !params.at_least(&f) => Err(ClientError::WeakerKdf(format!(
                "the server asks for weaker passphrase hashing ({}) than {} ({}). That is how a \
                 hostile server would make your passphrase easier to crack: do not log in, and \
                 report it to the cooperative. If the cooperative confirms the change, log in \
                 with --accept-weaker-kdf",
                describe(&cost),
                if self.remembered.is_some() {
                    "this machine accepted before for this account"
                } else {
                    "the default an account from datacoop 0.1 had"
                },
                describe(&f)
            ))),
            _ => Ok(()),
        }
    }
}

/// The account's email as the server stores it and the passphrase derivation binds it.
pub(crate) fn email_key(email: &str) -> Result<String, ClientError> {
    datacoop_api::accounts::normalise_email(email)
        .ok_or_else(|| ClientError::Input(format!("{email:?} is not an email address")))
}
