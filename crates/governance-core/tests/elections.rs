//! Elections and bodies at their edges: the most votes take the seats, a tie for the
//! last seat elects none of the tied, a candidate who left is not elected, ballots that
//! do not fit the election (or name another list) do not count; at a body's meeting only
//! its members vote, one vote each and in person; a body's study approval acts only
//! while the power is delegated to it.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::b64::Base64Url;
use datacoop_crypto::SigningKey;
use datacoop_governance_core::*;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const DAY: u64 = 86_400_000_000;
const OPENS: u64 = 100 * DAY;
const CLOSES: u64 = 107 * DAY;

struct Member {
    id: Uuid,
    key: SigningKey,
    entry: RegisterEntry,
}

fn members(n: usize) -> Vec<Member> {
    (0..n)
        .map(|i| {
            let key = SigningKey::generate().unwrap();
            let id = Uuid::from_bytes([i as u8 + 1; 16]);
            Member {
                id,
                entry: RegisterEntry {
                    member: id,
                    joined_at_micros: DAY,
                    leaves_at_micros: None,
                    votes: if i == 0 { 3 } else { 1 },
                    key: Some(key.verifying_key()),
                },
                key,
            }
        })
        .collect()
}

fn election(ms: &[Member], candidates: usize, seats: u32) -> Election {
    Election {
        seats,
        candidates: ms[..candidates]
            .iter()
            .enumerate()
            .map(|(i, m)| Candidate {
                member: m.id,
                name: format!("Candidate {}", i + 1),
            })
            .collect(),
    }
}

fn motion(election: Option<Election>) -> Motion {
    Motion {
        id: Uuid::from_bytes([0xee; 16]),
        majority: Majority::Simple,
        quorum_percent: None,
        opens_at_micros: OPENS,
        closes_at_micros: CLOSES,
        recused: vec![],
        body_members: None,
        election,
    }
}

fn ballot(m: &Motion, voter: &Member, by: &Member, choice: Choice, picks: &[u32]) -> SignedBallot {
    Ballot {
        motion: m.id,
        voter: voter.id,
        cast_by: by.id,
        choice,
        candidates: picks.to_vec(),
        election_sha256: (choice == Choice::Candidates)
            .then(|| Base64Url(m.election.as_ref().unwrap().sha256())),
        cast_at_micros: OPENS + DAY,
    }
    .sign(&by.key)
}

fn tally(m: &Motion, ms: &[Member], ballots: &[SignedBallot], rules: &Rules) -> Count {
    let register: Vec<RegisterEntry> = ms.iter().map(|m| m.entry.clone()).collect();
    count(m, ballots, &register, &ProxyBook::default(), rules)
}

fn picks(m: &Motion, ms: &[Member], each: &[&[u32]]) -> Vec<SignedBallot> {
    each.iter()
        .zip(ms)
        .map(|(p, v)| ballot(m, v, v, Choice::Candidates, p))
        .collect()
}

#[test]
fn the_most_votes_take_the_seats() {
    let ms = members(6);
    let m = motion(Some(election(&ms, 4, 2)));
    let bs = picks(&m, &ms[1..], &[&[0, 1], &[1, 2], &[0, 1], &[3], &[0, 2]]);
    let c = tally(&m, &ms, &bs, &Rules::default());
    assert_eq!(c.tally, vec![3, 3, 2, 1]);
    assert_eq!(c.elected, vec![ms[0].id, ms[1].id]);
    assert_eq!((c.yes, c.members_taking_part, c.carried), (5, 5, true));
    assert!(c.refused.is_empty());
}

#[test]
fn a_tie_for_the_last_seat_elects_none_of_the_tied() {
    let ms = members(6);
    let m = motion(Some(election(&ms, 3, 2)));
    // Candidate 1: 3 votes; candidates 2 and 3: 2 each, for the one seat left.
    let bs = picks(&m, &ms[1..], &[&[0, 1], &[0, 2], &[0], &[1], &[2]]);
    let c = tally(&m, &ms, &bs, &Rules::default());
    assert_eq!(c.tally, vec![3, 2, 2]);
    assert_eq!(c.elected, vec![ms[0].id], "the tied seat stays open");
    assert!(c.carried);
    // A tie for the only seat elects no one.
    let m1 = motion(Some(election(&ms, 2, 1)));
    let bs = picks(&m1, &ms[2..], &[&[0], &[1]]);
    let c = tally(&m1, &ms, &bs, &Rules::default());
    assert!(c.elected.is_empty() && !c.carried);
}

#[test]
fn abstentions_and_the_quorum_in_an_election() {
    let ms = members(5);
    let mut m = motion(Some(election(&ms, 2, 1)));
    let mut bs = picks(&m, &ms[1..2], &[&[1]]);
    bs.push(ballot(&m, &ms[2], &ms[2], Choice::Abstain, &[]));
    let c = tally(&m, &ms, &bs, &Rules::default());
    assert_eq!(
        (c.yes, c.abstain, c.elected.clone()),
        (1, 1, vec![ms[1].id])
    );
    m.quorum_percent = Some(50);
    let c = tally(&m, &ms, &bs, &Rules::default());
    assert!(!c.quorum_met && !c.carried && c.elected.is_empty());
}

#[test]
fn a_candidate_who_left_before_the_voting_date_is_not_elected() {
    let mut ms = members(4);
    let m = motion(Some(election(&ms, 2, 1)));
    ms[0].entry.leaves_at_micros = Some(CLOSES - DAY);
    let bs = picks(&m, &ms[1..], &[&[0], &[0], &[1]]);
    let c = tally(&m, &ms, &bs, &Rules::default());
    assert_eq!(c.tally, vec![2, 1]);
    assert_eq!(c.elected, vec![ms[1].id]);
}

#[test]
fn ballots_that_do_not_fit_the_election_do_not_count() {
    let ms = members(4);
    let e = election(&ms, 3, 2);
    let m = motion(Some(e.clone()));
    let yes_no = motion(None);
    let v = &ms[1];
    let cases = [
        (ballot(&m, v, v, Choice::Yes, &[]), Refusal::WrongChoice),
        (
            ballot(&m, v, v, Choice::Candidates, &[]),
            Refusal::WrongChoice,
        ),
        (
            ballot(&m, v, v, Choice::Candidates, &[0, 1, 2]),
            Refusal::WrongChoice,
        ),
        (
            ballot(&m, v, v, Choice::Candidates, &[1, 1]),
            Refusal::WrongChoice,
        ),
        (
            ballot(&m, v, v, Choice::Candidates, &[3]),
            Refusal::WrongChoice,
        ),
        (
            ballot(&m, v, v, Choice::Abstain, &[1]),
            Refusal::WrongChoice,
        ),
    ];
    for (i, (b, why)) in cases.iter().enumerate() {
        let c = tally(&m, &ms, std::slice::from_ref(b), &Rules::default());
        assert_eq!(c.refused, vec![(0, *why)], "case {i}");
    }
    // Candidates on a yes/no motion.
    let mut on_yes_no = ballot(&m, v, v, Choice::Candidates, &[0]);
    on_yes_no.ballot.motion = yes_no.id;
    let c = tally(&yes_no, &ms, &[on_yes_no], &Rules::default());
    assert_eq!(c.refused, vec![(0, Refusal::WrongChoice)]);
    // Signed over the list in another order: it does not count for anyone.
    let mut shown = e.clone();
    shown.candidates.swap(0, 2);
    let forged = Ballot {
        election_sha256: Some(Base64Url(shown.sha256())),
        ..ballot(&m, v, v, Choice::Candidates, &[0]).ballot
    }
    .sign(&v.key);
    let c = tally(&m, &ms, &[forged], &Rules::default());
    assert_eq!(c.refused, vec![(0, Refusal::OtherCandidates)]);
    // The positions and the list are signed: changing either breaks the signature.
    let mut changed = ballot(&m, v, v, Choice::Candidates, &[0]);
    changed.ballot.candidates = vec![1];
    let c = tally(&m, &ms, &[changed], &Rules::default());
    assert_eq!(c.refused, vec![(0, Refusal::BadSignature)]);
}

#[test]
fn extra_votes_weigh_on_each_candidate_named() {
    let ms = members(3);
    let m = motion(Some(election(&ms, 3, 2)));
    let rules = Rules {
        max_votes_per_member: 3,
        ..Rules::default()
    };
    let bs = picks(&m, &ms, &[&[1, 2], &[0], &[0]]);
    let c = tally(&m, &ms, &bs, &rules);
    assert_eq!(c.tally, vec![2, 3, 3]);
    assert_eq!(c.elected, vec![ms[1].id, ms[2].id]);
}

#[test]
fn only_a_bodys_members_vote_at_its_meeting_one_vote_each_in_person() {
    let ms = members(4);
    let mut m = motion(None);
    m.body_members = Some(BTreeSet::from([ms[0].id, ms[1].id]));
    let rules = Rules {
        max_votes_per_member: 3,
        ..Rules::default()
    };
    let mut book = ProxyBook::default();
    book.grant(ms[1].id, ms[2].id, 2).unwrap();
    let bs = vec![
        ballot(&m, &ms[0], &ms[0], Choice::Yes, &[]),
        ballot(&m, &ms[3], &ms[3], Choice::No, &[]),
        ballot(&m, &ms[1], &ms[2], Choice::No, &[]),
    ];
    let register: Vec<RegisterEntry> = ms.iter().map(|m| m.entry.clone()).collect();
    let c = count(&m, &bs, &register, &book, &rules);
    assert_eq!(
        (c.yes, c.no),
        (1, 0),
        "one vote each, though member 1 holds 3"
    );
    assert_eq!(c.members_eligible, 2);
    assert_eq!(
        c.refused,
        vec![(1, Refusal::NotOnBody), (2, Refusal::NoProxy)]
    );
}

fn terms(body: Option<Body>, decision: Decision) -> MotionTerms {
    MotionTerms {
        id: Uuid::from_bytes([0xdd; 16]),
        assembly: Uuid::from_bytes([0xaa; 16]),
        title: "t".into(),
        text: "t".into(),
        majority: Majority::Simple,
        quorum_percent: None,
        opens_at_micros: OPENS,
        closes_at_micros: CLOSES,
        recused: vec![],
        filed_by: Uuid::nil(),
        decision: Some(decision),
        body,
        election: None,
    }
}

#[test]
fn a_bodys_study_approval_acts_only_while_the_power_is_delegated_to_it() {
    let approve = Decision::ApproveStudy {
        study: Uuid::from_bytes([5; 16]),
        terms_sha256: Base64Url(vec![1; 32]),
        study_key: Base64Url(vec![2; 32]),
    };
    let carried = Count {
        yes: 2,
        no: 0,
        abstain: 0,
        members_taking_part: 2,
        members_eligible: 2,
        quorum_met: true,
        carried: true,
        refused: vec![],
        tally: vec![],
        elected: vec![],
    };
    let none = BTreeMap::new();
    let to_ethics = BTreeMap::from([(Power::ApproveStudies, Body::EthicsCommittee)]);
    let to_board = BTreeMap::from([(Power::ApproveStudies, Body::Board)]);
    let ga = terms(None, approve.clone());
    let ethics = terms(Some(Body::EthicsCommittee), approve);
    assert!(matches!(
        ga.effect(&carried, &none),
        Effect::ApproveStudy(_)
    ));
    assert_eq!(ethics.effect(&carried, &none), Effect::None);
    assert_eq!(ethics.effect(&carried, &to_board), Effect::None);
    assert!(matches!(
        ethics.effect(&carried, &to_ethics),
        Effect::ApproveStudy(_)
    ));
    let lost = Count {
        carried: false,
        ..carried.clone()
    };
    assert_eq!(ethics.effect(&lost, &to_ethics), Effect::None);
    let end = terms(
        None,
        Decision::EndDelegation {
            power: Power::ApproveStudies,
        },
    );
    assert_eq!(
        end.effect(&carried, &to_ethics),
        Effect::EndDelegation(Power::ApproveStudies)
    );
}

#[test]
fn elections_and_delegations_are_the_general_assemblys() {
    let a = Assembly {
        id: Uuid::from_bytes([0xaa; 16]),
        title: "Ethics committee".into(),
        form: Form::Virtual,
        starts_at_micros: OPENS,
        ends_at_micros: CLOSES,
        place: "Zürich".into(),
        how_to_take_part: "online".into(),
        convened_by: Uuid::nil(),
        body: Some(Body::EthicsCommittee),
    };
    let rules = Rules::default();
    // A body's meeting needs no notice period; a motion on it may come until voting.
    assert!(check_assembly(&a, OPENS - DAY, &rules).is_ok());
    let mut t = terms(
        Some(Body::EthicsCommittee),
        Decision::Delegate {
            power: Power::ApproveStudies,
            to: Body::Board,
        },
    );
    assert!(check_motion(&t, &a, OPENS - DAY, &rules).is_err());
    t.decision = None;
    assert!(check_motion(&t, &a, OPENS - DAY, &rules).is_ok());
    assert!(
        check_motion(&t, &a, OPENS + 1, &rules).is_err(),
        "voting opened"
    );
    t.body = None;
    assert!(
        check_motion(&t, &a, OPENS - DAY, &rules).is_err(),
        "body differs"
    );
    // An election needs the simple majority, seats within the candidates, each once.
    let ms = members(3);
    let mut ga = Assembly { body: None, ..a };
    ga.starts_at_micros = OPENS;
    let mut e = terms(None, Decision::Elect { body: Body::Board });
    e.decision = Some(Decision::Elect { body: Body::Board });
    assert!(
        check_motion(&e, &ga, OPENS - 8 * DAY, &rules).is_err(),
        "no candidates"
    );
    e.election = Some(election(&ms, 2, 1));
    assert!(check_motion(&e, &ga, OPENS - 8 * DAY, &rules).is_ok());
    e.election = Some(election(&ms, 2, 3));
    assert!(check_motion(&e, &ga, OPENS - 8 * DAY, &rules).is_err());
    let mut twice = election(&ms, 2, 1);
    twice.candidates[1].member = twice.candidates[0].member;
    e.election = Some(twice);
    assert!(check_motion(&e, &ga, OPENS - 8 * DAY, &rules).is_err());
    e.election = Some(election(&ms, 2, 1));
    e.majority = Majority::TwoThirds;
    assert!(check_motion(&e, &ga, OPENS - 8 * DAY, &rules).is_err());
}

#[test]
fn a_yes_no_ballots_bytes_are_unchanged_and_an_election_ballot_signs_its_list() {
    let (m, v, c) = (
        Uuid::from_bytes([1; 16]),
        Uuid::from_bytes([2; 16]),
        Uuid::from_bytes([3; 16]),
    );
    let yes = Ballot {
        motion: m,
        voter: v,
        cast_by: c,
        choice: Choice::Yes,
        candidates: vec![],
        election_sha256: None,
        cast_at_micros: 42,
    };
    let before = datacoop_crypto::Canonical::new("datacoop/v1/ballot")
        .uuid(&m)
        .uuid(&v)
        .uuid(&c)
        .u8(1)
        .u64(42)
        .finish();
    assert_eq!(yes.message(), before);
    assert_eq!(
        serde_json::to_value(&yes).unwrap(),
        serde_json::json!({"motion": m, "voter": v, "cast_by": c, "choice": "yes", "cast_at_micros": 42})
    );
    let digest = vec![0xab; 32];
    let elect = Ballot {
        choice: Choice::Candidates,
        candidates: vec![2, 0],
        election_sha256: Some(Base64Url(digest.clone())),
        ..yes
    };
    let layout = datacoop_crypto::Canonical::new("datacoop/v1/ballot")
        .uuid(&m)
        .uuid(&v)
        .uuid(&c)
        .u8(4)
        .u32(2)
        .u32(2)
        .u32(0)
        .bytes(&digest)
        .u64(42)
        .finish();
    assert_eq!(elect.message(), layout);
}
