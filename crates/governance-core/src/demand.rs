//! The minority's demand (§45): members holding at least the statutes' share (at most
//! 10 %) of the membership may demand, in writing and with the purpose and reasons,
//! that an assembly be convened or that items be announced for one. Here a member files
//! the demand, signing its terms; others support it by signing the same terms; the chain
//! counts the supporters against the members in the register at each signature, and the
//! demand is met when they reach the share.

use datacoop_api::b64::Base64Url;
use datacoop_crypto::{verify, Canonical, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Signature context of a supporter's signature on a demand.
pub const DEMAND_CONTEXT: &str = "datacoop/v1/minority-demand";

/// What the minority demands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DemandTerms {
    /// Its id (made by the member who files it).
    pub id: Uuid,
    /// For an item on this assembly's agenda; none: that an assembly be convened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assembly: Option<Uuid>,
    /// The purpose (or the item's title).
    pub title: String,
    /// The reasons (§45(1)).
    pub reasons: String,
}

impl DemandTerms {
    /// SHA-256 of the canonical terms: what every supporter signs.
    pub fn sha256(&self) -> Vec<u8> {
        let bytes = Canonical::new(DEMAND_CONTEXT)
            .uuid(&self.id)
            .uuid(&self.assembly.unwrap_or(Uuid::nil()))
            .str(&self.title)
            .str(&self.reasons)
            .finish();
        ring::digest::digest(&ring::digest::SHA256, &bytes)
            .as_ref()
            .to_vec()
    }
}

/// One member's support of a demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Support {
    /// The demand.
    pub demand: Uuid,
    /// SHA-256 of its terms.
    pub terms_sha256: Base64Url,
    /// The member (register id).
    pub member: Uuid,
    /// When they signed (unix microseconds, their clock).
    pub at_micros: u64,
}

impl Support {
    /// The canonical bytes signed.
    pub fn message(&self) -> Vec<u8> {
        Canonical::new(DEMAND_CONTEXT)
            .uuid(&self.demand)
            .bytes(&self.terms_sha256)
            .uuid(&self.member)
            .u64(self.at_micros)
            .finish()
    }

    /// Signs it with the member's governance key.
    pub fn sign(self, key: &SigningKey) -> SignedSupport {
        SignedSupport {
            signature: Base64Url(
                datacoop_crypto::sign(key, DEMAND_CONTEXT, &self.message())
                    .to_bytes()
                    .to_vec(),
            ),
            support: self,
        }
    }
}

/// A support with the member's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedSupport {
    /// The support.
    pub support: Support,
    /// Ed25519 by the member's governance key.
    pub signature: Base64Url,
}

impl SignedSupport {
    /// Whether the signature verifies under `key`.
    pub fn verifies(&self, key: &VerifyingKey) -> bool {
        Signature::from_bytes(&self.signature)
            .map(|s| verify(key, DEMAND_CONTEXT, &self.support.message(), &s).is_ok())
            .unwrap_or(false)
    }
}

/// A filed demand: its terms and the filer's signed support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DemandFiling {
    /// What is demanded.
    pub terms: DemandTerms,
    /// The filer's support.
    pub support: SignedSupport,
}

/// A demand as the chain built it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DemandState {
    /// What is demanded.
    pub terms: DemandTerms,
    /// Supporting members, in the order they signed.
    pub supporters: Vec<Uuid>,
    /// Members in the register at the last signature.
    pub members: u64,
    /// Supporters needed at that moment (the statutes' share of `members`, rounded up).
    pub needed: u64,
    /// When the supporters first reached the share (unix microseconds).
    pub met_at_micros: Option<u64>,
}

/// Supporters needed: `percent` of `members`, rounded up, at least one.
pub fn needed(members: u64, percent: u8) -> u64 {
    (members * u64::from(percent)).div_ceil(100).max(1)
}

#[cfg(test)]
mod tests {
    use super::needed;

    #[test]
    fn the_share_is_rounded_up() {
        assert_eq!(needed(25, 10), 3);
        assert_eq!(needed(20, 10), 2);
        assert_eq!(needed(21, 10), 3);
        assert_eq!(needed(2, 10), 1);
        assert_eq!(needed(0, 10), 1);
        assert_eq!(needed(10_000, 5), 500);
    }
}
