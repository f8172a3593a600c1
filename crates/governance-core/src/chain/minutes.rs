//! The minutes (§47) as the chain gives them: every vote of an assembly in the order
//! filed, the chair's declarations, and for virtual, hybrid and stretched assemblies
//! who took part and how each voted.

use super::Chain;
use crate::minutes::{Minutes, MinutesVote, Participant, ParticipantBallot};
use crate::Count;
use std::collections::BTreeMap;
use uuid::Uuid;

impl Chain {
    /// The minutes of an assembly whose votes have all closed, with `chair` and
    /// `board_member` (register ids of two different members).
    pub fn minutes(
        &self,
        assembly: &Uuid,
        chair: Uuid,
        board_member: Uuid,
    ) -> Result<Minutes, String> {
        let a = self
            .assemblies
            .get(assembly)
            .ok_or_else(|| format!("no assembly {assembly}"))?;
        if chair == board_member {
            return Err("the chair and the board member who signs are two people (§47)".into());
        }
        for m in [chair, board_member] {
            if !self.register.contains_key(&m) {
                return Err(format!("{m} is not in the register"));
            }
        }
        let mut motions: Vec<_> = self
            .motions
            .values()
            .filter(|m| m.terms.assembly == *assembly)
            .collect();
        motions.sort_by_key(|m| m.filed_index);
        let book = self.proxies(assembly);
        let mut votes = Vec::new();
        let mut taking_part: BTreeMap<Uuid, Vec<ParticipantBallot>> = BTreeMap::new();
        for m in motions {
            let count = m.result.clone().ok_or_else(|| {
                format!(
                    "voting on motion {} has not closed: the minutes follow the last vote",
                    m.terms.id
                )
            })?;
            let motion = self.motion(&m.terms);
            let mut last: BTreeMap<Uuid, ParticipantBallot> = BTreeMap::new();
            for b in &m.ballots {
                if crate::check_ballot(&motion, b, &self.register, &book, &self.rules).is_ok() {
                    last.insert(
                        b.ballot.voter,
                        ParticipantBallot {
                            motion: m.terms.id,
                            choice: b.ballot.choice,
                            candidates: b.ballot.candidates.clone(),
                            cast_by: b.ballot.cast_by,
                        },
                    );
                }
            }
            for (voter, b) in last {
                taking_part.entry(voter).or_default().push(b);
            }
            let declaration = match &m.terms.election {
                Some(e) => election_declaration(e, &count),
                None => format!(
                    "The chair declares the motion {}.",
                    if count.carried {
                        "carried; the resolution is adopted"
                    } else if !count.quorum_met {
                        "not carried: the quorum was not met"
                    } else {
                        "not carried"
                    }
                ),
            };
            votes.push(MinutesVote {
                motion: m.terms.id,
                title: m.terms.title.clone(),
                text: m.terms.text.clone(),
                majority: m.terms.majority,
                vote_type: "electronic ballots signed by each member (open vote)".into(),
                count,
                declaration,
                election: m.terms.election.clone(),
            });
        }
        let attended = self.attendance.get(&a.id).cloned().unwrap_or_default();
        for member in &attended {
            taking_part.entry(*member).or_default();
        }
        let participants = a.form.lists_participants().then(|| {
            taking_part
                .into_iter()
                .map(|(member, ballots)| Participant {
                    member,
                    number: self.number_of(&member).unwrap_or(0),
                    ballots,
                    attended: attended.contains(&member),
                })
                .collect()
        });
        Ok(Minutes {
            assembly: a.id,
            title: a.title.clone(),
            form: a.form,
            place: a.place.clone(),
            starts_at_micros: a.starts_at_micros,
            ends_at_micros: a.ends_at_micros,
            chair,
            board_member,
            votes,
            participants,
        })
    }
}

/// The chair's declaration of an election's result.
fn election_declaration(e: &crate::Election, count: &Count) -> String {
    let names: Vec<&str> = e
        .candidates
        .iter()
        .filter(|c| count.elected.contains(&c.member))
        .map(|c| c.name.as_str())
        .collect();
    let open = (e.seats as usize).saturating_sub(names.len());
    let mut d = if !count.quorum_met {
        "The chair declares no one elected: the quorum was not met.".to_owned()
    } else if names.is_empty() {
        "The chair declares no one elected.".to_owned()
    } else {
        format!("The chair declares elected: {}.", names.join(", "))
    };
    if count.quorum_met && open > 0 {
        d.push_str(&format!(
            " {open} seat(s) remain open (no further candidate with votes, or a tie for \
             the last seat: a run-off is needed)."
        ));
    }
    d
}
