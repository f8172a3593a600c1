//! The discussion of an assembly (§43b(1): members of a virtual, hybrid or stretched
//! assembly speak and ask electronically): questions, statements and answers, each
//! signed by its author's governance key and taken by the governance log from the
//! convening until the assembly ends. A stretched assembly's discussion phase is the
//! time before a motion's voting opens; the log takes contributions until the end.

use datacoop_api::b64::Base64Url;
use datacoop_crypto::{verify, Canonical, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Signature context of a contribution.
pub const CONTRIBUTION_CONTEXT: &str = "datacoop/v1/contribution";

/// Longest contribution, in characters.
pub const MAX_CONTRIBUTION: usize = 10_000;

/// What a contribution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContributionKind {
    /// A question (to the board, or on a motion).
    Question,
    /// A statement, e.g. for or against a motion.
    Statement,
    /// An answer to an earlier contribution (`reply_to`).
    Answer,
}

impl ContributionKind {
    fn code(self) -> u8 {
        match self {
            ContributionKind::Question => 1,
            ContributionKind::Statement => 2,
            ContributionKind::Answer => 3,
        }
    }
}

/// A member's contribution to an assembly's discussion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Contribution {
    /// The assembly.
    pub assembly: Uuid,
    /// The motion it is about, if one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motion: Option<Uuid>,
    /// The member (register id).
    pub member: Uuid,
    /// Question, statement or answer.
    pub kind: ContributionKind,
    /// For an answer: the governance-log index of the contribution it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<u64>,
    /// What they say, in their words.
    pub text: String,
    /// When they signed it (unix microseconds, their clock).
    pub at_micros: u64,
}

impl Contribution {
    /// The canonical bytes signed: `C("datacoop/v1/contribution", assembly, motion or
    /// nil, member, u8 kind, u64 reply_to + 1 or 0, text, u64 at)`.
    pub fn message(&self) -> Vec<u8> {
        Canonical::new(CONTRIBUTION_CONTEXT)
            .uuid(&self.assembly)
            .uuid(&self.motion.unwrap_or(Uuid::nil()))
            .uuid(&self.member)
            .u8(self.kind.code())
            .u64(self.reply_to.map_or(0, |i| i.saturating_add(1)))
            .str(&self.text)
            .u64(self.at_micros)
            .finish()
    }

    /// Signs it with the member's governance key.
    pub fn sign(self, key: &SigningKey) -> SignedContribution {
        SignedContribution {
            signature: Base64Url(
                datacoop_crypto::sign(key, CONTRIBUTION_CONTEXT, &self.message())
                    .to_bytes()
                    .to_vec(),
            ),
            contribution: self,
        }
    }
}

/// A contribution with its author's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedContribution {
    /// The contribution.
    pub contribution: Contribution,
    /// Ed25519 by the member's governance key.
    pub signature: Base64Url,
}

impl SignedContribution {
    /// Whether the signature verifies under `key`.
    pub fn verifies(&self, key: &VerifyingKey) -> bool {
        Signature::from_bytes(&self.signature)
            .map(|s| verify(key, CONTRIBUTION_CONTEXT, &self.contribution.message(), &s).is_ok())
            .unwrap_or(false)
    }
}

/// A contribution as the chain holds it: its index in the log, and what was said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Spoken {
    /// The index of its entry in the governance log (what an answer replies to).
    pub index: u64,
    /// The contribution.
    pub contribution: Contribution,
}

/// The discussion as Markdown, attached to the minutes like the objections (outside
/// the signed minutes, since members may still speak after the votes close).
pub fn discussion_markdown(
    items: &[Spoken],
    numbers: &std::collections::HashMap<Uuid, u64>,
) -> String {
    if items.is_empty() {
        return String::new();
    }
    let who = |id: &Uuid| match numbers.get(id) {
        Some(n) => format!("member no. {n}"),
        None => id.to_string(),
    };
    let mut out = String::from("## Questions and contributions (§43b)\n\n");
    for s in items {
        let c = &s.contribution;
        let what = match (c.kind, c.reply_to) {
            (ContributionKind::Question, _) => "asks".to_owned(),
            (ContributionKind::Statement, _) => "says".to_owned(),
            (ContributionKind::Answer, Some(i)) => format!("answers [{i}]"),
            (ContributionKind::Answer, None) => "answers".to_owned(),
        };
        let on = c
            .motion
            .map(|m| format!(" (motion {m})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "- [{}] {} {what}{on}, {}: {}\n",
            s.index,
            who(&c.member),
            datacoop_api::time::format_micros(c.at_micros.min(i64::MAX as u64) as i64),
            c.text
        ));
    }
    out.push('\n');
    out
}
