//! A ballot: one member's choice on one motion, signed on the member's machine with
//! their governance key over canonical bytes, so anyone can check it and recount.
//!
//! ```text
//! message = C("datacoop/v1/ballot", motion_id, voter, cast_by, u8 choice,
//!               [u32 n, u32 position × n, bytes election_sha256,] u64 cast_at_micros)
//! signature = Ed25519 by cast_by's governance key, context "datacoop/v1/ballot"
//! ```
//!
//! `voter` is the member whose vote it is; `cast_by` is the voter, or the proxy casting
//! it for them. Choice codes: 1 yes, 2 no, 3 abstain, 4 for the candidates named in an
//! election; only a ballot that names candidates carries the bracketed part (their
//! count, their positions on the ballot, and the digest of the candidate list shown), so a yes/no ballot's bytes are as they
//! always were. A secret-ballot scheme would replace `choice` by an encrypted one and a
//! proof.

use datacoop_api::b64::Base64Url;
use datacoop_crypto::sign::context;
use datacoop_crypto::{sign, verify, Canonical, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a member chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// For the motion.
    Yes,
    /// Against it.
    No,
    /// Taking part without a side: counted as present, not as a vote cast (§43(2)).
    Abstain,
    /// In an election: for the candidates the ballot names.
    Candidates,
}

impl Choice {
    /// The stable code in the signed bytes.
    pub fn code(self) -> u8 {
        match self {
            Choice::Yes => 1,
            Choice::No => 2,
            Choice::Abstain => 3,
            Choice::Candidates => 4,
        }
    }
}

/// The signed content of a ballot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Ballot {
    /// The motion voted on.
    pub motion: Uuid,
    /// Whose vote this is.
    pub voter: Uuid,
    /// Who cast it: the voter, or their proxy.
    pub cast_by: Uuid,
    /// The choice.
    pub choice: Choice,
    /// In an election (choice `candidates`): the candidates named, by their position on
    /// the ballot (0-based), at most as many as there are seats.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<u32>,
    /// In an election: the SHA-256 of the candidate list the member was shown
    /// ([`crate::Election::sha256`]); the ballot counts only if it is the list filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election_sha256: Option<Base64Url>,
    /// When it was cast (unix microseconds, the caster's clock; the server refuses
    /// ballots outside the voting period on arrival).
    pub cast_at_micros: u64,
}

impl Ballot {
    /// The canonical bytes that are signed.
    pub fn message(&self) -> Vec<u8> {
        let mut c = Canonical::new(context::BALLOT)
            .uuid(&self.motion)
            .uuid(&self.voter)
            .uuid(&self.cast_by)
            .u8(self.choice.code());
        if self.choice == Choice::Candidates || !self.candidates.is_empty() {
            c = c.u32(self.candidates.len().min(u32::MAX as usize) as u32);
            for p in &self.candidates {
                c = c.u32(*p);
            }
            c = c.bytes(self.election_sha256.as_deref().map_or(&[][..], |d| &d[..]));
        }
        c.u64(self.cast_at_micros).finish()
    }

    /// Signs the ballot with the caster's governance key.
    pub fn sign(self, key: &SigningKey) -> SignedBallot {
        SignedBallot {
            signature: Base64Url(
                sign(key, context::BALLOT, &self.message())
                    .to_bytes()
                    .to_vec(),
            ),
            ballot: self,
        }
    }
}

/// A ballot with its signature, as stored in the governance chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedBallot {
    /// The signed content.
    pub ballot: Ballot,
    /// Ed25519 signature (64 bytes) by `cast_by`'s governance key.
    pub signature: Base64Url,
}

impl SignedBallot {
    /// Whether the signature verifies under `key` (the caster's registered key).
    pub fn verifies(&self, key: &VerifyingKey) -> bool {
        Signature::from_bytes(&self.signature)
            .map(|s| verify(key, context::BALLOT, &self.ballot.message(), &s).is_ok())
            .unwrap_or(false)
    }
}
