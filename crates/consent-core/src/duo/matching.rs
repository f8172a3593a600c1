//! The match of a study's purpose against a member's conditions, every mismatch in
//! words.

use super::{DataUse, Diseases, Modifier, Permission, Purpose, ResearchKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a purpose does not fit the conditions (or cannot be decided from it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Mismatch {
    /// HMB or DS: the study is not health research.
    NotHealthResearch,
    /// DS: the study names no disease, or one outside the diseases allowed.
    OtherDisease {
        /// The study's disease terms outside the allowed ones (empty: none named).
        diseases: Vec<String>,
    },
    /// POA: the study is not about population origins or ancestry.
    NotAncestryResearch,
    /// NPOA, or HMB: population origins or ancestry research.
    AncestryResearch,
    /// NCU, NPU or NPUNCU: commercial use.
    Commercial,
    /// NPU or NPUNCU: a for-profit organisation.
    ForProfitOrganisation,
    /// IRB: no ethics approval.
    NoEthicsApproval,
    /// PUB: the results are not published.
    NotPublished,
    /// MOR: results published before the moratorium ends.
    PublishedTooEarly,
    /// COL: no collaboration with the cooperative.
    NoCollaboration,
    /// GSO: not a genetic study.
    NotGenetic,
    /// NMDS: methods development.
    MethodsDevelopment,
    /// RTN: derived data is not returned.
    NoReturn,
    /// Clinical care use without CC.
    ClinicalCare,
    /// GS: used outside the allowed regions.
    OutsideRegion,
    /// TS: used for longer than allowed.
    TooLong {
        /// The most months allowed.
        months: u32,
    },
    /// US, PS, IS or RS: a particular user, project, institution or research type
    /// that the member decides on by reading the study.
    DecideYourself {
        /// The DUO term.
        duo_id: String,
    },
}

impl Mismatch {
    /// The reason in words.
    pub fn describe(&self) -> String {
        match self {
            Mismatch::NotHealthResearch => "it is not health research".into(),
            Mismatch::OtherDisease { diseases } if diseases.is_empty() => {
                "it names no disease, and you allow research on particular diseases only".into()
            }
            Mismatch::OtherDisease { diseases } => format!(
                "it studies {}, outside the diseases you allow",
                diseases.join(", ")
            ),
            Mismatch::NotAncestryResearch => {
                "it is not research on population origins or ancestry".into()
            }
            Mismatch::AncestryResearch => "it studies population origins or ancestry".into(),
            Mismatch::Commercial => "the data or its results are used commercially".into(),
            Mismatch::ForProfitOrganisation => "the researchers' organisation is for profit".into(),
            Mismatch::NoEthicsApproval => "no ethics committee approved it".into(),
            Mismatch::NotPublished => "its results are not published".into(),
            Mismatch::PublishedTooEarly => "it publishes before the date you set".into(),
            Mismatch::NoCollaboration => {
                "the researchers do not collaborate with the cooperative".into()
            }
            Mismatch::NotGenetic => "it is not a genetic study".into(),
            Mismatch::MethodsDevelopment => {
                "it develops general methods (software, algorithms)".into()
            }
            Mismatch::NoReturn => "derived data does not come back to the cooperative".into(),
            Mismatch::ClinicalCare => "the data is used in clinical care".into(),
            Mismatch::OutsideRegion => "the data is used outside the regions you allow".into(),
            Mismatch::TooLong { months } => {
                format!("the data is used for longer than {months} months")
            }
            Mismatch::DecideYourself { duo_id } => format!(
                "your condition {duo_id} names particular users, projects, institutions or \
                 research types: read the study and decide"
            ),
        }
    }
}

/// The member states of the European Union (ISO 3166-1 alpha-2; Greece as `GR`).
const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Whether `place` is within `region`: the same code, or a member state within `EU`
/// (and within `EEA`, with Iceland, Liechtenstein and Norway).
fn in_region(place: &str, region: &str) -> bool {
    let (place, region) = (place.to_ascii_uppercase(), region.to_ascii_uppercase());
    place == region
        || (matches!(region.as_str(), "EU" | "EEA") && EU.contains(&place.as_str()))
        || (region == "EEA" && matches!(place.as_str(), "IS" | "LI" | "NO" | "EU"))
}

/// Whether `purpose` fits the conditions `allowed`: every reason it does not, empty when
/// it fits.
pub fn fits(allowed: &DataUse, purpose: &Purpose, diseases: &impl Diseases) -> Vec<Mismatch> {
    let mut out = Vec::new();
    match (&allowed.permission, &purpose.research) {
        (Permission::Nres | Permission::Gru, _) => {}
        (Permission::Hmb, ResearchKind::Health { .. }) => {}
        (Permission::Hmb, ResearchKind::Ancestry) => out.push(Mismatch::AncestryResearch),
        (Permission::Hmb | Permission::Ds { .. }, ResearchKind::Other) => {
            out.push(Mismatch::NotHealthResearch)
        }
        (Permission::Ds { .. }, ResearchKind::Ancestry) => out.push(Mismatch::NotHealthResearch),
        (Permission::Ds { diseases: allowed }, ResearchKind::Health { diseases: studied }) => {
            let outside: Vec<String> = studied
                .iter()
                .filter(|d| !allowed.iter().any(|a| diseases.is_within(d, a)))
                .cloned()
                .collect();
            if studied.is_empty() || !outside.is_empty() {
                out.push(Mismatch::OtherDisease { diseases: outside });
            }
        }
        (Permission::Poa, ResearchKind::Ancestry) => {}
        (Permission::Poa, _) => out.push(Mismatch::NotAncestryResearch),
    }
    let mut push = |m: Mismatch| {
        if !out.contains(&m) {
            out.push(m);
        }
    };
    for m in &allowed.modifiers {
        match m {
            Modifier::Ncu if purpose.commercial => push(Mismatch::Commercial),
            Modifier::Npu | Modifier::Npuncu => {
                if purpose.commercial {
                    push(Mismatch::Commercial);
                }
                if purpose.for_profit_organisation {
                    push(Mismatch::ForProfitOrganisation);
                }
            }
            Modifier::Irb if !purpose.ethics_approval => push(Mismatch::NoEthicsApproval),
            Modifier::Pub if !purpose.publishes => push(Mismatch::NotPublished),
            Modifier::Mor { until_micros }
                if purpose.publishes
                    && purpose
                        .publishes_from_micros
                        .is_none_or(|f| f < *until_micros) =>
            {
                push(Mismatch::PublishedTooEarly)
            }
            Modifier::Col if !purpose.collaborates => push(Mismatch::NoCollaboration),
            Modifier::Gso if !purpose.genetic => push(Mismatch::NotGenetic),
            Modifier::Nmds if purpose.methods_development => push(Mismatch::MethodsDevelopment),
            Modifier::Npoa if purpose.research == ResearchKind::Ancestry => {
                push(Mismatch::AncestryResearch)
            }
            Modifier::Rtn if !purpose.returns_derived_data => push(Mismatch::NoReturn),
            Modifier::Gs { regions } if !regions.iter().any(|r| in_region(&purpose.region, r)) => {
                push(Mismatch::OutsideRegion)
            }
            Modifier::Ts { months } if purpose.months > *months => {
                push(Mismatch::TooLong { months: *months })
            }
            Modifier::Us | Modifier::Ps | Modifier::Is | Modifier::Rs => {
                push(Mismatch::DecideYourself {
                    duo_id: m.duo_id().to_owned(),
                })
            }
            _ => {}
        }
    }
    if purpose.clinical_care && !allowed.modifiers.contains(&Modifier::Cc) {
        push(Mismatch::ClinicalCare);
    }
    out
}
