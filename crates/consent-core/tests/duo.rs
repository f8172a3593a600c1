//! DUO matching at its edges: each permission against each kind of research, disease
//! terms within broader ones, commercial use under NCU and NPU, every modifier that a
//! stated purpose can meet or miss, and the ones a member decides by reading the study.
#![allow(clippy::unwrap_used, missing_docs)]

use datacoop_consent_core::*;

const DIABETES: &str = "MONDO:0005015"; // diabetes mellitus
const TYPE_2: &str = "MONDO:0005148"; // type 2 diabetes mellitus
const ASTHMA: &str = "MONDO:0004979";

fn mondo() -> Hierarchy {
    Hierarchy::from_pairs([(TYPE_2, DIABETES), (DIABETES, "MONDO:0005066")])
}

fn health(diseases: &[&str]) -> Purpose {
    Purpose {
        research: ResearchKind::Health {
            diseases: diseases.iter().map(|d| (*d).to_owned()).collect(),
        },
        methods_development: false,
        commercial: false,
        for_profit_organisation: false,
        ethics_approval: true,
        publishes: true,
        publishes_from_micros: None,
        collaborates: false,
        genetic: false,
        returns_derived_data: false,
        clinical_care: false,
        region: "CH".into(),
        months: 24,
    }
}

fn allow(permission: Permission, modifiers: Vec<Modifier>) -> DataUse {
    DataUse {
        permission,
        modifiers,
    }
}

fn ds(diseases: &[&str]) -> Permission {
    Permission::Ds {
        diseases: diseases.iter().map(|d| (*d).to_owned()).collect(),
    }
}

#[test]
fn a_disease_study_fits_gru_hmb_and_ds_of_that_disease_or_a_broader_one() {
    let p = health(&[TYPE_2]);
    let h = mondo();
    for ok in [
        Permission::Nres,
        Permission::Gru,
        Permission::Hmb,
        ds(&[TYPE_2]),
        ds(&[DIABETES]),
        ds(&[ASTHMA, DIABETES]),
    ] {
        assert!(
            fits(&allow(ok.clone(), vec![]), &p, &h).is_empty(),
            "{ok:?}"
        );
    }
    // A narrower disease than the study's, another disease, or no disease named.
    let broad = health(&[DIABETES]);
    assert_eq!(
        fits(&allow(ds(&[TYPE_2]), vec![]), &broad, &h),
        vec![Mismatch::OtherDisease {
            diseases: vec![DIABETES.into()]
        }]
    );
    assert!(!fits(&allow(ds(&[ASTHMA]), vec![]), &p, &h).is_empty());
    assert_eq!(
        fits(&allow(ds(&[DIABETES]), vec![]), &health(&[]), &h),
        vec![Mismatch::OtherDisease { diseases: vec![] }]
    );
    // Two diseases: both must be within what is allowed.
    let both = health(&[TYPE_2, ASTHMA]);
    assert_eq!(
        fits(&allow(ds(&[DIABETES]), vec![]), &both, &h),
        vec![Mismatch::OtherDisease {
            diseases: vec![ASTHMA.into()]
        }]
    );
}

#[test]
fn hmb_is_health_research_and_not_ancestry_poa_is_ancestry_only() {
    let h = mondo();
    let other = Purpose {
        research: ResearchKind::Other,
        ..health(&[])
    };
    let ancestry = Purpose {
        research: ResearchKind::Ancestry,
        ..health(&[])
    };
    assert_eq!(
        fits(&allow(Permission::Hmb, vec![]), &other, &h),
        vec![Mismatch::NotHealthResearch]
    );
    assert_eq!(
        fits(&allow(Permission::Hmb, vec![]), &ancestry, &h),
        vec![Mismatch::AncestryResearch]
    );
    assert!(fits(&allow(Permission::Gru, vec![]), &ancestry, &h).is_empty());
    assert_eq!(
        fits(&allow(Permission::Gru, vec![Modifier::Npoa]), &ancestry, &h),
        vec![Mismatch::AncestryResearch]
    );
    assert!(fits(&allow(Permission::Poa, vec![]), &ancestry, &h).is_empty());
    assert_eq!(
        fits(&allow(Permission::Poa, vec![]), &health(&[]), &h),
        vec![Mismatch::NotAncestryResearch]
    );
}

#[test]
fn commercial_use_needs_both_ncu_and_npu_absent() {
    let h = mondo();
    let commercial = Purpose {
        commercial: true,
        ..health(&[])
    };
    let for_profit = Purpose {
        for_profit_organisation: true,
        ..health(&[])
    };
    assert!(fits(&allow(Permission::Hmb, vec![]), &commercial, &h).is_empty());
    for m in [Modifier::Ncu, Modifier::Npu, Modifier::Npuncu] {
        assert_eq!(
            fits(&allow(Permission::Hmb, vec![m.clone()]), &commercial, &h),
            vec![Mismatch::Commercial],
            "{m:?}"
        );
    }
    // A for-profit organisation's non-commercial research: NCU allows it, NPU not.
    assert!(fits(
        &allow(Permission::Hmb, vec![Modifier::Ncu]),
        &for_profit,
        &h
    )
    .is_empty());
    assert_eq!(
        fits(
            &allow(Permission::Hmb, vec![Modifier::Npu]),
            &for_profit,
            &h
        ),
        vec![Mismatch::ForProfitOrganisation]
    );
}

#[test]
fn every_modifier_a_purpose_can_meet_or_miss() {
    let h = mondo();
    let p = health(&[]);
    let hmb = |m: Modifier| allow(Permission::Hmb, vec![m]);
    let no_irb = Purpose {
        ethics_approval: false,
        ..p.clone()
    };
    assert_eq!(
        fits(&hmb(Modifier::Irb), &no_irb, &h),
        vec![Mismatch::NoEthicsApproval]
    );
    assert!(fits(&hmb(Modifier::Irb), &p, &h).is_empty());
    let silent = Purpose {
        publishes: false,
        ..p.clone()
    };
    assert_eq!(
        fits(&hmb(Modifier::Pub), &silent, &h),
        vec![Mismatch::NotPublished]
    );
    let mor = Modifier::Mor { until_micros: 100 };
    assert_eq!(
        fits(&hmb(mor.clone()), &p, &h),
        vec![Mismatch::PublishedTooEarly]
    );
    let later = Purpose {
        publishes_from_micros: Some(100),
        ..p.clone()
    };
    assert!(fits(&hmb(mor.clone()), &later, &h).is_empty());
    assert!(fits(&hmb(mor), &silent, &h).is_empty());
    assert_eq!(
        fits(&hmb(Modifier::Col), &p, &h),
        vec![Mismatch::NoCollaboration]
    );
    assert_eq!(
        fits(&hmb(Modifier::Gso), &p, &h),
        vec![Mismatch::NotGenetic]
    );
    assert_eq!(fits(&hmb(Modifier::Rtn), &p, &h), vec![Mismatch::NoReturn]);
    let methods = Purpose {
        methods_development: true,
        ..p.clone()
    };
    assert_eq!(
        fits(&hmb(Modifier::Nmds), &methods, &h),
        vec![Mismatch::MethodsDevelopment]
    );
    assert!(fits(&allow(Permission::Hmb, vec![]), &methods, &h).is_empty());
    let clinical = Purpose {
        clinical_care: true,
        ..p.clone()
    };
    assert_eq!(
        fits(&allow(Permission::Hmb, vec![]), &clinical, &h),
        vec![Mismatch::ClinicalCare]
    );
    assert!(fits(&hmb(Modifier::Cc), &clinical, &h).is_empty());
    // Regions: the same code, or a member state within EU or EEA.
    let gs = |r: &[&str]| Modifier::Gs {
        regions: r.iter().map(|x| (*x).to_owned()).collect(),
    };
    assert!(fits(&hmb(gs(&["CH"])), &p, &h).is_empty());
    assert_eq!(
        fits(&hmb(gs(&["EU"])), &p, &h),
        vec![Mismatch::OutsideRegion]
    );
    let berlin = Purpose {
        region: "DE".into(),
        ..p.clone()
    };
    assert!(fits(&hmb(gs(&["EU"])), &berlin, &h).is_empty());
    let oslo = Purpose {
        region: "NO".into(),
        ..p.clone()
    };
    assert!(fits(&hmb(gs(&["EEA"])), &oslo, &h).is_empty());
    assert!(!fits(&hmb(gs(&["EU"])), &oslo, &h).is_empty());
    // Time: at most the months allowed.
    assert!(fits(&hmb(Modifier::Ts { months: 24 }), &p, &h).is_empty());
    assert_eq!(
        fits(&hmb(Modifier::Ts { months: 12 }), &p, &h),
        vec![Mismatch::TooLong { months: 12 }]
    );
    // Particular users, projects, institutions, research types: the member decides.
    for m in [Modifier::Us, Modifier::Ps, Modifier::Is, Modifier::Rs] {
        let got = fits(&hmb(m.clone()), &p, &h);
        assert!(matches!(&got[..], [Mismatch::DecideYourself { duo_id }] if duo_id == m.duo_id()));
        assert!(got[0].describe().contains("decide"));
    }
}

#[test]
fn reasons_add_up_and_read_plainly() {
    let h = mondo();
    let p = Purpose {
        research: ResearchKind::Other,
        commercial: true,
        for_profit_organisation: true,
        ..health(&[])
    };
    let got = fits(
        &allow(Permission::Hmb, vec![Modifier::Ncu, Modifier::Npu]),
        &p,
        &h,
    );
    assert_eq!(
        got,
        vec![
            Mismatch::NotHealthResearch,
            Mismatch::Commercial,
            Mismatch::ForProfitOrganisation
        ]
    );
    let words: Vec<String> = got.iter().map(Mismatch::describe).collect();
    assert_eq!(words[1], "the data or its results are used commercially");
}

#[test]
fn conditions_read_and_write_as_json_with_duo_codes() {
    let d = allow(
        ds(&[TYPE_2]),
        vec![
            Modifier::Ncu,
            Modifier::Gs {
                regions: vec!["CH".into()],
            },
        ],
    );
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "permission": {"code": "DS", "diseases": [TYPE_2]},
            "modifiers": [{"code": "NCU"}, {"code": "GS", "regions": ["CH"]}]
        })
    );
    assert_eq!(serde_json::from_value::<DataUse>(v).unwrap(), d);
    assert_eq!(d.permission.duo_id(), "DUO:0000007");
    assert_eq!(Modifier::Npu.duo_id(), "DUO:0000045");
}

#[test]
fn a_hierarchy_follows_parents_and_survives_cycles() {
    let h = Hierarchy::from_pairs([("a", "b"), ("b", "c"), ("c", "a")]);
    assert!(h.is_within("a", "c"));
    assert!(!h.is_within("a", "z"));
    assert!(mondo().is_within(TYPE_2, "MONDO:0005066"));
    assert!(!mondo().is_within(DIABETES, TYPE_2));
}
