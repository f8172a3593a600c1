//! The cooperative's bodies beside the general assembly (board, supervisory board, an
//! ethics committee), elections that fill them, and the powers the assembly delegates.
//!
//! An election is a motion with candidates: each ballot names up to as many candidates
//! as there are seats (or abstains); the candidates with the most votes take the seats
//! (a relative majority), a tie for the last seat leaves it empty for a run-off, and a
//! candidate who is no longer a member on the voting date is not elected. An election
//! that decides [`crate::Decision::Elect`] gives the body its whole composition.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A body of the cooperative other than the general assembly.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// The board (Vorstand), which runs the cooperative and signs the minutes (§47).
    Board,
    /// The supervisory board (Aufsichtsrat).
    SupervisoryBoard,
    /// The ethics committee: it decides on studies when the assembly delegated that.
    EthicsCommittee,
}

impl Body {
    /// Every body.
    pub const ALL: [Body; 3] = [Body::Board, Body::SupervisoryBoard, Body::EthicsCommittee];

    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Body::Board => "board",
            Body::SupervisoryBoard => "supervisory_board",
            Body::EthicsCommittee => "ethics_committee",
        }
    }

    /// From its stored name.
    pub fn parse(s: &str) -> Option<Body> {
        Body::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Its name in words.
    pub fn describe(self) -> &'static str {
        match self {
            Body::Board => "the board",
            Body::SupervisoryBoard => "the supervisory board",
            Body::EthicsCommittee => "the ethics committee",
        }
    }
}

/// A power of the general assembly that it may delegate to a body by resolution.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Power {
    /// Approving research studies (their terms and key): with it delegated, a carried
    /// motion of the body's meeting approves a study as the assembly's would.
    ApproveStudies,
}

impl Power {
    /// Its stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Power::ApproveStudies => "approve_studies",
        }
    }

    /// From its stored name.
    pub fn parse(s: &str) -> Option<Power> {
        (s == "approve_studies").then_some(Power::ApproveStudies)
    }
}

/// A candidate in an election: a member of the cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    /// Their register id.
    pub member: Uuid,
    /// Their name, as it stands on the ballot.
    pub name: String,
}

/// What an election motion puts to the vote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Election {
    /// Seats to fill: a ballot names at most this many candidates.
    pub seats: u32,
    /// The candidates, in ballot order; a ballot names them by position (0-based).
    pub candidates: Vec<Candidate>,
}

/// Most candidates on one ballot.
pub const MAX_CANDIDATES: usize = 100;

impl Election {
    /// SHA-256 over `C("datacoop/v1/election", u32 seats, u32 n, (member, name) × n)`:
    /// a ballot that names candidates signs it, so a list shown in another order than
    /// the one filed in the chain makes the ballot fail rather than count for others.
    pub fn sha256(&self) -> Vec<u8> {
        let mut c = datacoop_crypto::Canonical::new("datacoop/v1/election")
            .u32(self.seats)
            .u32(self.candidates.len().min(u32::MAX as usize) as u32);
        for k in &self.candidates {
            c = c.uuid(&k.member).str(&k.name);
        }
        ring::digest::digest(&ring::digest::SHA256, &c.finish())
            .as_ref()
            .to_vec()
    }

    /// Whether a ballot's positions name distinct candidates, at least one and at most
    /// the seats.
    pub fn fits(&self, positions: &[u32]) -> bool {
        if positions.is_empty() || positions.len() > self.seats as usize {
            return false;
        }
        let mut seen = [false; MAX_CANDIDATES];
        positions.iter().all(|&p| {
            let p = p as usize;
            p < self.candidates.len()
                && p < MAX_CANDIDATES
                && !std::mem::replace(&mut seen[p], true)
        })
    }

    /// The positions elected from the votes per candidate: the most votes take the
    /// seats; no one without a vote, no one `eligible` refuses, and a tie for the last
    /// seat elects none of the tied.
    pub fn elected(&self, tally: &[u64], eligible: impl Fn(&Uuid) -> bool) -> Vec<usize> {
        let mut ranked: Vec<usize> = (0..self.candidates.len().min(tally.len()))
            .filter(|&i| tally[i] > 0 && eligible(&self.candidates[i].member))
            .collect();
        ranked.sort_by(|a, b| tally[*b].cmp(&tally[*a]).then(a.cmp(b)));
        let seats = self.seats as usize;
        if seats == 0 {
            return Vec::new();
        }
        if ranked.len() > seats {
            let last = tally[ranked[seats - 1]];
            if tally[ranked[seats]] == last {
                ranked.retain(|&i| tally[i] > last);
            }
        }
        ranked.truncate(seats);
        ranked.sort_unstable();
        ranked
    }
}
