//! The consent receipt: what the member agreed to, signed by the member's Ed25519 key
//! over canonical bytes (never over JSON) and countersigned by the server's access-log
//! key over the same bytes and the member's signature (docs/crypto.md section 13).

use datacoop_api::b64::Base64Url;
use datacoop_crypto::canonical::Canonical;
use datacoop_crypto::sign::context::CONSENT_RECEIPT;
use datacoop_crypto::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::study::Day;

/// What a member consented to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentReceipt {
    /// The consent.
    pub consent: Uuid,
    /// The study.
    pub study: Uuid,
    /// SHA-256 of the study's terms as approved.
    pub terms_sha256: Base64Url,
    /// How the study knows the participant (random, one per consent).
    pub pseudonym: Uuid,
    /// The data categories shared (all or some of those the study asks for).
    pub categories: Vec<String>,
    /// The first day of data shared (the study's, if it sets one).
    #[schema(value_type = Option<String>)]
    pub data_from: Option<Day>,
    /// The last day of data shared (the study's, if it sets one).
    #[schema(value_type = Option<String>)]
    pub data_until: Option<Day>,
    /// Records added while the consent is active are shared too.
    pub future_data: bool,
    /// When the member consented (unix microseconds, the member's clock).
    pub granted_at_micros: u64,
    /// When the consent ends at the latest: the end of the study's last day.
    pub ends_at_micros: u64,
}

impl ConsentReceipt {
    /// The canonical bytes both signatures are over.
    pub fn message(&self) -> Vec<u8> {
        let day = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
        let mut c = Canonical::new(CONSENT_RECEIPT)
            .uuid(&self.consent)
            .uuid(&self.study)
            .bytes(&self.terms_sha256)
            .uuid(&self.pseudonym)
            .u32(self.categories.len() as u32);
        for cat in &self.categories {
            c = c.str(cat);
        }
        c.str(&day(self.data_from))
            .str(&day(self.data_until))
            .u8(u8::from(self.future_data))
            .u64(self.granted_at_micros)
            .u64(self.ends_at_micros)
            .finish()
    }

    /// Whether `signature` is `key`'s over this receipt (the member's signature).
    pub fn verifies(&self, key: &VerifyingKey, signature: &[u8]) -> bool {
        Signature::from_bytes(signature)
            .map(|s| datacoop_crypto::verify(key, CONSENT_RECEIPT, &self.message(), &s).is_ok())
            .unwrap_or(false)
    }

    /// The bytes the server countersigns: the receipt and the member's signature.
    pub fn countersigned(&self, member_signature: &[u8]) -> Vec<u8> {
        Canonical::new(CONSENT_RECEIPT)
            .bytes(&self.message())
            .bytes(member_signature)
            .finish()
    }

    /// Whether `server_signature` is `server_key`'s countersignature.
    pub fn countersignature_verifies(
        &self,
        member_signature: &[u8],
        server_key: &VerifyingKey,
        server_signature: &[u8],
    ) -> bool {
        Signature::from_bytes(server_signature)
            .map(|s| {
                datacoop_crypto::verify(
                    server_key,
                    CONSENT_RECEIPT,
                    &self.countersigned(member_signature),
                    &s,
                )
                .is_ok()
            })
            .unwrap_or(false)
    }

    /// What the receipt must satisfy against the study's terms: categories the study
    /// asks for (at least one, none twice), its period and future-data choice, its end.
    pub fn check_against(&self, terms: &crate::StudyTerms) -> Result<(), String> {
        if self.categories.is_empty() {
            return Err("a consent shares at least one data category".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.categories {
            if !terms.categories.contains(c) {
                return Err(format!(
                    "the study does not ask for {c:?}; it asks for {}",
                    terms.categories.join(", ")
                ));
            }
            if !seen.insert(c) {
                return Err(format!("{c:?} is named twice"));
            }
        }
        if self.data_from != terms.data_from || self.data_until != terms.data_until {
            return Err("the consent's period of data is not the study's".into());
        }
        if self.future_data != terms.future_data {
            return Err("the consent's choice of future data is not the study's".into());
        }
        if self.ends_at_micros != terms.ends_on.end_micros() {
            return Err("the consent does not end with the study".into());
        }
        Ok(())
    }
}
