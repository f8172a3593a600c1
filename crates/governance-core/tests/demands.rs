//! Minority demands (§45) in the chain: the share of the members at each signature,
//! signatures over the demand's terms, one support per member. And an assembly's
//! discussion (§43b): questions, statements and answers, signed, until it ends.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::b64::Base64Url;
use datacoop_crypto::SigningKey;
use datacoop_governance_core::proxy::prove_key;
use datacoop_governance_core::{
    Assembly, Chain, Contribution, ContributionKind, DemandFiling, DemandTerms, Entry, EntryBody,
    Form, Registration, Rules, Support,
};
use uuid::Uuid;

const T0: u64 = 1_800_000_000_000_000;

struct Coop {
    chain: Chain,
    next: u64,
    members: Vec<(Uuid, SigningKey)>,
}

impl Coop {
    fn with_members(n: usize) -> Coop {
        let mut c = Coop {
            chain: Chain::new(Rules::default()),
            next: 0,
            members: Vec::new(),
        };
        for i in 0..n {
            let member = Uuid::now_v7();
            let key = SigningKey::generate().unwrap();
            c.apply(EntryBody::MemberRegistered(Registration {
                member,
                number: i as u64 + 1,
                joined_at_micros: T0 - 1,
                shares: 1,
                votes: 1,
                personal_digest: Base64Url(vec![0; 32]),
                recorded_by: Uuid::nil(),
            }))
            .unwrap();
            c.apply(EntryBody::KeyPublished {
                member,
                key: Base64Url(key.verifying_key().as_bytes().to_vec()),
                proof: Base64Url(prove_key(&member, &key)),
            })
            .unwrap();
            c.members.push((member, key));
        }
        c
    }

    fn apply(&mut self, body: EntryBody) -> Result<(), String> {
        self.apply_at(T0 + self.next, body)
    }

    fn apply_at(&mut self, at: u64, body: EntryBody) -> Result<(), String> {
        let r = self
            .chain
            .apply(self.next, &Entry::new(at, body))
            .map_err(|p| p.problem);
        if r.is_ok() {
            self.next += 1;
        }
        r
    }

    fn support(&self, terms: &DemandTerms, who: usize) -> datacoop_governance_core::SignedSupport {
        let (member, key) = &self.members[who];
        Support {
            demand: terms.id,
            terms_sha256: Base64Url(terms.sha256()),
            member: *member,
            at_micros: T0,
        }
        .sign(key)
    }
}

#[test]
fn a_demand_is_met_at_the_share_of_the_members() {
    let mut c = Coop::with_members(25);
    let terms = DemandTerms {
        id: Uuid::now_v7(),
        assembly: None,
        title: "An extraordinary assembly".into(),
        reasons: "The statutes need changing.".into(),
    };
    let support = c.support(&terms, 0);
    c.apply(EntryBody::DemandFiled(DemandFiling {
        terms: terms.clone(),
        support,
    }))
    .unwrap();
    let d = &c.chain.demands[&terms.id];
    // 10 % of 25 members, rounded up.
    assert_eq!((d.supporters.len(), d.needed, d.members), (1, 3, 25));
    assert!(d.met_at_micros.is_none());
    c.apply(EntryBody::DemandSupported(c.support(&terms, 1)))
        .unwrap();
    assert!(c.chain.demands[&terms.id].met_at_micros.is_none());
    // The same member twice does not count twice.
    let again = c.apply(EntryBody::DemandSupported(c.support(&terms, 1)));
    assert!(again.unwrap_err().contains("already supports"));
    c.apply(EntryBody::DemandSupported(c.support(&terms, 2)))
        .unwrap();
    assert!(c.chain.demands[&terms.id].met_at_micros.is_some());
}

#[test]
fn a_support_must_sign_the_terms_with_the_members_key() {
    let mut c = Coop::with_members(3);
    let terms = DemandTerms {
        id: Uuid::now_v7(),
        assembly: None,
        title: "An assembly".into(),
        reasons: "Because.".into(),
    };
    // Signed by someone else's key.
    let mut forged = c.support(&terms, 0);
    forged.support.member = c.members[1].0;
    let e = c.apply(EntryBody::DemandFiled(DemandFiling {
        terms: terms.clone(),
        support: forged,
    }));
    assert!(e.unwrap_err().contains("not signed by their key"));
    // Over other terms.
    let other = DemandTerms {
        reasons: "Other reasons.".into(),
        ..terms.clone()
    };
    let e = c.apply(EntryBody::DemandFiled(DemandFiling {
        terms: terms.clone(),
        support: c.support(&other, 0),
    }));
    assert!(e.unwrap_err().contains("other terms"));
    // No reasons.
    let bare = DemandTerms {
        reasons: " ".into(),
        ..terms
    };
    let e = c.apply(EntryBody::DemandFiled(DemandFiling {
        terms: bare.clone(),
        support: c.support(&bare, 0),
    }));
    assert!(e.unwrap_err().contains("reasons"));
}

#[test]
fn members_ask_say_and_answer_until_the_assembly_ends() {
    const DAY: u64 = 86_400_000_000;
    let mut c = Coop::with_members(3);
    let assembly = Assembly {
        id: Uuid::now_v7(),
        title: "General assembly".into(),
        form: Form::Stretched,
        starts_at_micros: T0 + 15 * DAY,
        ends_at_micros: T0 + 22 * DAY,
        place: "Rostock".into(),
        how_to_take_part: "online".into(),
        convened_by: Uuid::nil(),
        body: None,
    };
    c.apply(EntryBody::AssemblyConvened(assembly.clone()))
        .unwrap();
    let say = |c: &Coop, who: usize, kind, reply_to, text: &str| {
        let (member, key) = &c.members[who];
        Contribution {
            assembly: assembly.id,
            motion: None,
            member: *member,
            kind,
            reply_to,
            text: text.into(),
            at_micros: T0,
        }
        .sign(key)
    };
    let q = say(
        &c,
        0,
        ContributionKind::Question,
        None,
        "Why is the fee rising?",
    );
    let asked = c.next;
    c.apply(EntryBody::Contributed(q)).unwrap();
    let a = say(
        &c,
        1,
        ContributionKind::Answer,
        Some(asked),
        "The audit costs more.",
    );
    c.apply(EntryBody::Contributed(a)).unwrap();
    // An answer to nothing, a reply that is not an answer, an empty text, another's key.
    let orphan = say(&c, 2, ContributionKind::Answer, Some(999), "?");
    assert!(c.apply(EntryBody::Contributed(orphan)).is_err());
    let reply = say(&c, 2, ContributionKind::Statement, Some(asked), "I agree");
    assert!(c.apply(EntryBody::Contributed(reply)).is_err());
    let empty = say(&c, 2, ContributionKind::Statement, None, "  ");
    assert!(c.apply(EntryBody::Contributed(empty)).is_err());
    let mut forged = say(&c, 2, ContributionKind::Statement, None, "I agree");
    forged.contribution.member = c.members[0].0;
    assert!(c.apply(EntryBody::Contributed(forged)).is_err());
    let mut changed = say(&c, 2, ContributionKind::Statement, None, "I agree");
    changed.contribution.text = "I disagree".into();
    assert!(c.apply(EntryBody::Contributed(changed)).is_err());
    // After the end: refused.
    let late = say(&c, 2, ContributionKind::Statement, None, "Too late");
    assert!(c
        .apply_at(T0 + 22 * DAY + 1, EntryBody::Contributed(late))
        .is_err());
    let d = &c.chain.discussion[&assembly.id];
    assert_eq!(d.len(), 2);
    assert_eq!(d[1].contribution.reply_to, Some(d[0].index));
    let md = datacoop_governance_core::discussion::discussion_markdown(d, c.chain.numbers());
    assert!(
        md.contains("member no. 1 asks") && md.contains(&format!("member no. 2 answers [{asked}]")),
        "{md}"
    );
}
