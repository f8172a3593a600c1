//! The count at its edges: majorities, abstentions, quorum, eligibility, replaced ballots,
//! proxies, recusal, late and forged ballots, extra votes.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_crypto::SigningKey;
use datacoop_governance_core::*;
use uuid::Uuid;

const DAY: u64 = 86_400_000_000;
const OPENS: u64 = 100 * DAY;
const CLOSES: u64 = 107 * DAY;

struct Member {
    id: Uuid,
    key: SigningKey,
    entry: RegisterEntry,
}

fn member(n: u8) -> Member {
    let key = SigningKey::generate().unwrap();
    let id = Uuid::from_bytes([n; 16]);
    Member {
        id,
        entry: RegisterEntry {
            member: id,
            joined_at_micros: DAY,
            leaves_at_micros: None,
            votes: 1,
            key: Some(key.verifying_key()),
        },
        key,
    }
}

fn motion(majority: Majority) -> Motion {
    Motion {
        id: Uuid::from_bytes([0xaa; 16]),
        majority,
        quorum_percent: None,
        opens_at_micros: OPENS,
        closes_at_micros: CLOSES,
        recused: vec![],
        body_members: None,
        election: None,
    }
}

fn ballot(m: &Motion, voter: &Member, choice: Choice) -> SignedBallot {
    cast(m, voter, voter, choice, OPENS + DAY)
}

fn cast(m: &Motion, voter: &Member, by: &Member, choice: Choice, at: u64) -> SignedBallot {
    Ballot {
        motion: m.id,
        voter: voter.id,
        cast_by: by.id,
        choice,
        cast_at_micros: at,
        candidates: vec![],
        election_sha256: None,
    }
    .sign(&by.key)
}

fn members(n: usize) -> Vec<Member> {
    (0..n).map(|i| member(i as u8 + 1)).collect()
}

fn register(ms: &[Member]) -> Vec<RegisterEntry> {
    ms.iter().map(|m| m.entry.clone()).collect()
}

/// `yes`, `no`, `abstain` members vote that way, in that order.
fn vote(majority: Majority, yes: usize, no: usize, abstain: usize) -> Count {
    let ms = members(yes + no + abstain);
    let m = motion(majority);
    let ballots: Vec<_> = ms
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let c = if i < yes {
                Choice::Yes
            } else if i < yes + no {
                Choice::No
            } else {
                Choice::Abstain
            };
            ballot(&m, v, c)
        })
        .collect();
    count(
        &m,
        &ballots,
        &register(&ms),
        &ProxyBook::default(),
        &Rules::default(),
    )
}

#[test]
fn majorities_at_their_edges() {
    assert!(!vote(Majority::Simple, 5, 5, 0).carried, "a tie fails");
    assert!(vote(Majority::Simple, 6, 5, 0).carried);
    assert!(
        !vote(Majority::Simple, 0, 0, 3).carried,
        "no votes cast fails"
    );
    assert!(
        vote(Majority::TwoThirds, 2, 1, 0).carried,
        "exactly two thirds"
    );
    assert!(
        !vote(Majority::TwoThirds, 65, 34, 0).carried,
        "just under two thirds"
    );
    assert!(
        vote(Majority::ThreeQuarters, 3, 1, 0).carried,
        "exactly three quarters"
    );
    assert!(!vote(Majority::ThreeQuarters, 74, 26, 0).carried);
    // Abstentions are not votes cast.
    let c = vote(Majority::Simple, 1, 0, 20);
    assert!(c.carried);
    assert_eq!(
        (c.yes, c.no, c.abstain, c.members_taking_part),
        (1, 0, 20, 21)
    );
    assert!(!vote(Majority::TwoThirds, 2, 2, 30).carried);
}

#[test]
fn quorum_just_missed_and_just_met() {
    let ms = members(10);
    let mut m = motion(Majority::Simple);
    m.quorum_percent = Some(50);
    let reg = register(&ms);
    let run = |n: usize| {
        let ballots: Vec<_> = ms[..n]
            .iter()
            .map(|v| ballot(&m, v, Choice::Abstain))
            .chain(std::iter::once(ballot(&m, &ms[9], Choice::Yes)))
            .collect();
        count(&m, &ballots, &reg, &ProxyBook::default(), &Rules::default())
    };
    let missed = run(3); // 4 of 10 take part
    assert!(!missed.quorum_met && !missed.carried);
    let met = run(4); // 5 of 10
    assert!(met.quorum_met && met.carried);
    assert_eq!(met.members_eligible, 10);
}

#[test]
fn eligibility_on_the_voting_date() {
    let mut ms = members(3);
    ms[0].entry.joined_at_micros = CLOSES + 1; // joins after the vote
    ms[1].entry.leaves_at_micros = Some(CLOSES - DAY); // has left by then
    ms[2].entry.leaves_at_micros = Some(CLOSES + DAY); // leaves later: still votes
    let m = motion(Majority::Simple);
    let ballots: Vec<_> = ms.iter().map(|v| ballot(&m, v, Choice::Yes)).collect();
    let c = count(
        &m,
        &ballots,
        &register(&ms),
        &ProxyBook::default(),
        &Rules::default(),
    );
    assert_eq!(
        c.refused,
        vec![(0, Refusal::NotEligible), (1, Refusal::NotEligible)]
    );
    assert_eq!((c.yes, c.members_eligible), (1, 1));
}

#[test]
fn a_later_ballot_replaces_the_earlier_one() {
    let ms = members(2);
    let m = motion(Majority::Simple);
    let ballots = vec![
        ballot(&m, &ms[0], Choice::Yes),
        ballot(&m, &ms[1], Choice::No),
        cast(&m, &ms[0], &ms[0], Choice::No, OPENS + 2 * DAY),
    ];
    let c = count(
        &m,
        &ballots,
        &register(&ms),
        &ProxyBook::default(),
        &Rules::default(),
    );
    assert_eq!((c.yes, c.no, c.members_taking_part), (0, 2, 2));
}

#[test]
fn proxies_recusal_and_their_limits() {
    let ms = members(5);
    let (a, b, c, d, holder) = (&ms[0], &ms[1], &ms[2], &ms[3], &ms[4]);
    let mut book = ProxyBook::default();
    book.grant(a.id, holder.id, 2).unwrap();
    book.grant(b.id, holder.id, 2).unwrap();
    assert_eq!(
        book.grant(c.id, holder.id, 2),
        Err(GovernanceError::TooManyProxies {
            holder: holder.id,
            max: 2
        }),
        "a third proxy is refused"
    );
    assert_eq!(book.grant(c.id, c.id, 2), Err(GovernanceError::OwnProxy));
    assert!(matches!(
        book.grant(a.id, d.id, 2),
        Err(GovernanceError::AlreadyRepresented { .. })
    ));
    let mut m = motion(Majority::Simple);
    let ballots = vec![
        cast(&m, a, holder, Choice::Yes, OPENS + DAY),
        cast(&m, b, holder, Choice::Yes, OPENS + DAY),
        cast(&m, c, holder, Choice::Yes, OPENS + DAY), // no proxy of c
        ballot(&m, holder, Choice::No),
    ];
    let reg = register(&ms);
    let n = count(&m, &ballots, &reg, &book, &Rules::default());
    assert_eq!(n.refused, vec![(2, Refusal::NoProxy)]);
    assert_eq!((n.yes, n.no), (2, 1));
    // Revoked: the holder's ballot for a no longer counts.
    assert!(book.revoke(a.id));
    let n = count(&m, &ballots, &reg, &book, &Rules::default());
    assert_eq!(
        n.refused,
        vec![(0, Refusal::NoProxy), (2, Refusal::NoProxy)]
    );
    // A recused member votes neither for themselves nor for others.
    m.recused = vec![holder.id];
    let n = count(&m, &ballots, &reg, &book, &Rules::default());
    assert!(n.refused.iter().any(|r| *r == (1, Refusal::Recused)));
    assert!(n.refused.iter().any(|r| *r == (3, Refusal::Recused)));
    assert_eq!(n.members_eligible, 4);
}

#[test]
fn late_forged_and_tampered_ballots_do_not_count() {
    let ms = members(2);
    let m = motion(Majority::Simple);
    let late = cast(&m, &ms[0], &ms[0], Choice::Yes, CLOSES);
    let early = cast(&m, &ms[0], &ms[0], Choice::Yes, OPENS - 1);
    // Signed by another member's key in ms[0]'s name.
    let forged = Ballot {
        motion: m.id,
        voter: ms[0].id,
        cast_by: ms[0].id,
        choice: Choice::Yes,
        cast_at_micros: OPENS + DAY,
        candidates: vec![],
        election_sha256: None,
    }
    .sign(&ms[1].key);
    let mut tampered = ballot(&m, &ms[1], Choice::No);
    tampered.ballot.choice = Choice::Yes;
    let mut other = motion(Majority::Simple);
    other.id = Uuid::from_bytes([0xbb; 16]);
    let elsewhere = ballot(&other, &ms[0], Choice::Yes);
    let stranger = member(99);
    let outsider = ballot(&m, &stranger, Choice::Yes);
    let c = count(
        &m,
        &[late, early, forged, tampered, elsewhere, outsider],
        &register(&ms),
        &ProxyBook::default(),
        &Rules::default(),
    );
    assert_eq!(
        c.refused,
        vec![
            (0, Refusal::OutsideVotingPeriod),
            (1, Refusal::OutsideVotingPeriod),
            (2, Refusal::BadSignature),
            (3, Refusal::BadSignature),
            (4, Refusal::OtherMotion),
            (5, Refusal::NotInRegister),
        ]
    );
    assert_eq!(c.members_taking_part, 0);
}

#[test]
fn extra_votes_count_except_at_three_quarters() {
    let mut ms = members(2);
    ms[0].entry.votes = 3;
    let rules = Rules {
        max_votes_per_member: 3,
        ..Rules::default()
    };
    for (majority, yes) in [(Majority::Simple, 3), (Majority::ThreeQuarters, 1)] {
        let m = motion(majority);
        let ballots = vec![
            ballot(&m, &ms[0], Choice::Yes),
            ballot(&m, &ms[1], Choice::No),
        ];
        let c = count(&m, &ballots, &register(&ms), &ProxyBook::default(), &rules);
        assert_eq!((c.yes, c.no), (yes, 1), "{majority:?}");
    }
    // Without the statutes granting them, one member one vote.
    let m = motion(Majority::Simple);
    let c = count(
        &m,
        &[ballot(&m, &ms[0], Choice::Yes)],
        &register(&ms),
        &ProxyBook::default(),
        &Rules::default(),
    );
    assert_eq!(c.yes, 1);
}

#[test]
fn rules_stay_within_the_law() {
    Rules::default().check().unwrap();
    for bad in [
        Rules {
            max_proxies_per_holder: 3,
            ..Rules::default()
        },
        Rules {
            max_votes_per_member: 4,
            ..Rules::default()
        },
        Rules {
            notice_days: 13,
            ..Rules::default()
        },
        Rules {
            agenda_days: 6,
            ..Rules::default()
        },
        Rules {
            minority_demand_percent: 11,
            ..Rules::default()
        },
    ] {
        assert!(bad.check().is_err(), "{bad:?}");
    }
}

#[test]
fn the_signed_bytes_are_canonical() {
    let a = member(1);
    let m = motion(Majority::Simple);
    let b = ballot(&m, &a, Choice::Abstain);
    let msg = b.ballot.message();
    // C(context, motion, voter, cast_by, u8, u64): fields in order, each length-framed.
    assert!(msg.windows(16).any(|w| w == m.id.as_bytes()));
    assert!(b.verifies(&a.key.verifying_key()));
    assert_eq!(b.signature.len(), 64);
}
