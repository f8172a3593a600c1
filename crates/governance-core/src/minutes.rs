//! Minutes of a general assembly in the form §47 of the Cooperatives Act asks: place
//! (for a virtual assembly, the registered seat), date, form, chair, each vote's type,
//! result and the chair's declaration, and for virtual, hybrid and stretched assemblies
//! the participating members and how each cast their vote. Computed from the chain, so
//! the chair, the board member and every member derive the same bytes; the chair and a
//! board member sign their digest; objections are attached.

use crate::{Choice, Count, Form, Majority};
use datacoop_api::b64::Base64Url;
use datacoop_crypto::{verify, Canonical, Signature, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// Signature context of the minutes' digest.
pub const MINUTES_CONTEXT: &str = "datacoop/v1/minutes";
/// Signature context of an objection.
pub const OBJECTION_CONTEXT: &str = "datacoop/v1/objection";
/// How long after an assembly ends a member may object (§51: one month).
pub const OBJECTION_DAYS: u64 = 31;

/// One vote as the minutes record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MinutesVote {
    /// The motion.
    pub motion: Uuid,
    /// Its title.
    pub title: String,
    /// The resolution's text.
    pub text: String,
    /// The majority it needed.
    pub majority: Majority,
    /// How the vote was taken.
    pub vote_type: String,
    /// The count.
    pub count: Count,
    /// The chair's declaration of the result.
    pub declaration: String,
    /// In an election: the candidates (the count's `tally` follows their order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub election: Option<crate::Election>,
}

/// How one member took part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Participant {
    /// Register id.
    pub member: Uuid,
    /// Member number.
    pub number: u64,
    /// Their counted ballots.
    pub ballots: Vec<ParticipantBallot>,
    /// Whether they signed their attendance (`gov assembly attend`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attended: bool,
}

/// One counted ballot of a participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParticipantBallot {
    /// The motion.
    pub motion: Uuid,
    /// The choice.
    pub choice: Choice,
    /// In an election: the candidates named (positions on the ballot).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<u32>,
    /// Who cast it: the member, or their proxy.
    pub cast_by: Uuid,
}

/// The minutes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Minutes {
    /// The assembly.
    pub assembly: Uuid,
    /// Its title.
    pub title: String,
    /// How it met.
    pub form: Form,
    /// Where (for a virtual assembly: the registered seat).
    pub place: String,
    /// It began (unix microseconds).
    pub starts_at_micros: u64,
    /// It ended.
    pub ends_at_micros: u64,
    /// The chair (register id).
    pub chair: Uuid,
    /// The board member who signs with the chair (register id).
    pub board_member: Uuid,
    /// Every vote, in the order the motions were filed.
    pub votes: Vec<MinutesVote>,
    /// For virtual, hybrid and stretched assemblies: who took part and how each voted.
    pub participants: Option<Vec<Participant>>,
}

/// Who signs the minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MinutesRole {
    /// The chair of the assembly.
    Chair,
    /// A member of the board.
    Board,
}

/// A member's objection to a resolution or to the minutes, signed by them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Objection {
    /// The assembly.
    pub assembly: Uuid,
    /// The motion objected to, if one.
    pub motion: Option<Uuid>,
    /// The member (register id).
    pub member: Uuid,
    /// What they object to, in their words.
    pub text: String,
    /// When they signed it (unix microseconds).
    pub at_micros: u64,
}

impl Objection {
    /// The canonical bytes signed.
    pub fn message(&self) -> Vec<u8> {
        Canonical::new(OBJECTION_CONTEXT)
            .uuid(&self.assembly)
            .uuid(&self.motion.unwrap_or(Uuid::nil()))
            .uuid(&self.member)
            .str(&self.text)
            .u64(self.at_micros)
            .finish()
    }

    /// Signs it with the member's governance key.
    pub fn sign(self, key: &SigningKey) -> SignedObjection {
        SignedObjection {
            signature: Base64Url(
                datacoop_crypto::sign(key, OBJECTION_CONTEXT, &self.message())
                    .to_bytes()
                    .to_vec(),
            ),
            objection: self,
        }
    }
}

/// An objection with the member's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SignedObjection {
    /// The objection.
    pub objection: Objection,
    /// Ed25519 by the member's governance key.
    pub signature: Base64Url,
}

impl SignedObjection {
    /// Whether the signature verifies under `key`.
    pub fn verifies(&self, key: &VerifyingKey) -> bool {
        Signature::from_bytes(&self.signature)
            .map(|s| verify(key, OBJECTION_CONTEXT, &self.objection.message(), &s).is_ok())
            .unwrap_or(false)
    }
}

impl Minutes {
    /// The bytes whose SHA-256 is signed (the JSON encoding of these plain structs).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// SHA-256 of [`Minutes::to_bytes`].
    pub fn sha256(&self) -> Vec<u8> {
        ring::digest::digest(&ring::digest::SHA256, &self.to_bytes())
            .as_ref()
            .to_vec()
    }

    /// What the chair or board member signs.
    pub fn signed_message(&self) -> Vec<u8> {
        minutes_message(&self.assembly, &self.sha256())
    }

    /// The minutes as Markdown, with the objections attached so far.
    pub fn markdown(&self, objections: &[Objection], numbers: &HashMap<Uuid, u64>) -> String {
        let who = |id: &Uuid| match numbers.get(id) {
            Some(n) => format!("member no. {n}"),
            None => id.to_string(),
        };
        let when = |m: u64| datacoop_api::time::format_micros(m.min(i64::MAX as u64) as i64);
        let mut out = format!("# Minutes: {}\n\n", self.title);
        out.push_str(&format!("- **Place:** {}\n", self.place));
        out.push_str(&format!(
            "- **Date:** {} to {}\n",
            when(self.starts_at_micros),
            when(self.ends_at_micros)
        ));
        out.push_str(&format!("- **Form:** {:?}\n", self.form));
        out.push_str(&format!("- **Chair:** {}\n", who(&self.chair)));
        out.push_str(&format!(
            "- **Signed with the chair by:** {} (board)\n\n",
            who(&self.board_member)
        ));
        out.push_str("## Resolutions\n\n");
        for (i, v) in self.votes.iter().enumerate() {
            out.push_str(&format!("### {}. {}\n\n", i + 1, v.title));
            out.push_str(&format!("> {}\n\n", v.text));
            out.push_str(&format!(
                "- Vote: {}; majority needed: {:?}\n- Result: {} yes, {} no, {} abstaining; {} of {} eligible members took part\n- {}\n\n",
                v.vote_type,
                v.majority,
                v.count.yes,
                v.count.no,
                v.count.abstain,
                v.count.members_taking_part,
                v.count.members_eligible,
                v.declaration
            ));
            if let Some(e) = &v.election {
                for (i, c) in e.candidates.iter().enumerate() {
                    out.push_str(&format!(
                        "  - {}: {} votes{}\n",
                        c.name,
                        v.count.tally.get(i).copied().unwrap_or(0),
                        if v.count.elected.contains(&c.member) {
                            " (elected)"
                        } else {
                            ""
                        }
                    ));
                }
                out.push('\n');
            }
        }
        if let Some(ps) = &self.participants {
            out.push_str("## Participating members and how each voted (§47(2))\n\n");
            out.push_str("| member | motion | choice | cast by |\n|---|---|---|---|\n");
            for p in ps {
                for b in &p.ballots {
                    let by = if b.cast_by == p.member {
                        "in person".to_owned()
                    } else {
                        format!("proxy {}", who(&b.cast_by))
                    };
                    let election = self
                        .votes
                        .iter()
                        .find(|v| v.motion == b.motion)
                        .and_then(|v| v.election.as_ref());
                    let choice = match (b.choice, election) {
                        (Choice::Candidates, Some(e)) => {
                            let names: Vec<&str> = b
                                .candidates
                                .iter()
                                .filter_map(|p| e.candidates.get(*p as usize))
                                .map(|c| c.name.as_str())
                                .collect();
                            format!("for {}", names.join(", "))
                        }
                        (c, _) => format!("{c:?}"),
                    };
                    out.push_str(&format!(
                        "| {} | {} | {choice} | {by} |\n",
                        who(&p.member),
                        b.motion,
                    ));
                }
            }
            out.push('\n');
            let attended: Vec<String> = ps
                .iter()
                .filter(|p| p.attended)
                .map(|p| who(&p.member))
                .collect();
            if !attended.is_empty() {
                out.push_str(&format!(
                    "Attended electronically (each signed): {}\n\n",
                    attended.join(", ")
                ));
            }
        }
        if !objections.is_empty() {
            out.push_str("## Objections\n\n");
            for o in objections {
                out.push_str(&format!(
                    "- {} on {}{}: {}\n",
                    who(&o.member),
                    when(o.at_micros),
                    o.motion
                        .map(|m| format!(" (motion {m})"))
                        .unwrap_or_default(),
                    o.text
                ));
            }
        }
        out
    }
}

/// `C("datacoop/v1/minutes", assembly, sha256)`.
pub fn minutes_message(assembly: &Uuid, sha256: &[u8]) -> Vec<u8> {
    Canonical::new(MINUTES_CONTEXT)
        .uuid(assembly)
        .bytes(sha256)
        .finish()
}
