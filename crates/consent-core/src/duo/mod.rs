//! GA4GH Data Use Ontology (DUO) conditions and matching.
//!
//! A [`DataUse`] is what data may be used for: one DUO *permission* (NRES, GRU, HMB,
//! DS with disease terms, POA) and any *modifiers* (NCU, NPU, IRB, PUB, COL, GSO, GS,
//! TS, MOR, ...). A member states one as their standing preference ("health research
//! only, no commercial use" is HMB with NCU); a study states its [`Purpose`]. [`fits`]
//! says whether the purpose is within the conditions, and if not, every reason why in
//! words a member reads.
//!
//! The rules follow DUO's definitions (duo.csv of EBISPOT/DUO): GRU and NRES allow any
//! research purpose; HMB health, medical or biomedical research, not the study of
//! population origins or ancestry; DS research on the named diseases, so a study of a
//! disease fits DS of that disease or of a broader one ([`Diseases`]); POA only
//! population origins or ancestry. Commercial use needs both NCU and NPU absent (NPU
//! also excludes for-profit organisations). US, PS, IS and RS name particular users,
//! projects, institutions or research types that no stated purpose can show: a member
//! decides those by reading the study, and [`fits`] says so.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

mod matching;
pub use matching::{fits, Mismatch};

/// A DUO data use permission: the primary category of what data may be used for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Permission {
    /// DUO:0000004, no restriction.
    Nres,
    /// DUO:0000042, general research use: any research purpose.
    Gru,
    /// DUO:0000006, health, medical or biomedical research (not population origins or
    /// ancestry).
    Hmb,
    /// DUO:0000007, disease-specific research: related to these diseases (ontology
    /// terms, e.g. `MONDO:0005148`).
    Ds {
        /// The disease terms.
        diseases: Vec<String>,
    },
    /// DUO:0000011, population origins or ancestry research only.
    Poa,
}

impl Permission {
    /// The DUO term id.
    pub fn duo_id(&self) -> &'static str {
        match self {
            Permission::Nres => "DUO:0000004",
            Permission::Gru => "DUO:0000042",
            Permission::Hmb => "DUO:0000006",
            Permission::Ds { .. } => "DUO:0000007",
            Permission::Poa => "DUO:0000011",
        }
    }
}

/// A DUO data use modifier: a further condition on use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "code", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Modifier {
    /// DUO:0000046, non-commercial use only.
    Ncu,
    /// DUO:0000045, not-for-profit organisation use only.
    Npu,
    /// DUO:0000018, not for profit, non-commercial use only.
    Npuncu,
    /// DUO:0000021, ethics approval required.
    Irb,
    /// DUO:0000019, publication required.
    Pub,
    /// DUO:0000020, collaboration with the primary study investigators (here: the
    /// cooperative) required.
    Col,
    /// DUO:0000016, genetic studies only.
    Gso,
    /// DUO:0000015, no general methods research (software, algorithms).
    Nmds,
    /// DUO:0000044, population origins or ancestry research prohibited.
    Npoa,
    /// DUO:0000029, derived or enriched data returned to the resource.
    Rtn,
    /// DUO:0000043, clinical care use allowed.
    Cc,
    /// DUO:0000022, use within these regions only (ISO 3166 codes, e.g. `CH`, `EU`).
    Gs {
        /// The regions.
        regions: Vec<String>,
    },
    /// DUO:0000025, use approved for at most this many months.
    Ts {
        /// The months.
        months: u32,
    },
    /// DUO:0000024, no publication before this date (unix microseconds).
    Mor {
        /// The date.
        until_micros: u64,
    },
    /// DUO:0000026, approved users only.
    Us,
    /// DUO:0000027, an approved project only.
    Ps,
    /// DUO:0000028, an approved institution only.
    Is,
    /// DUO:0000012, research of a certain type only.
    Rs,
}

impl Modifier {
    /// The DUO term id.
    pub fn duo_id(&self) -> &'static str {
        match self {
            Modifier::Ncu => "DUO:0000046",
            Modifier::Npu => "DUO:0000045",
            Modifier::Npuncu => "DUO:0000018",
            Modifier::Irb => "DUO:0000021",
            Modifier::Pub => "DUO:0000019",
            Modifier::Col => "DUO:0000020",
            Modifier::Gso => "DUO:0000016",
            Modifier::Nmds => "DUO:0000015",
            Modifier::Npoa => "DUO:0000044",
            Modifier::Rtn => "DUO:0000029",
            Modifier::Cc => "DUO:0000043",
            Modifier::Gs { .. } => "DUO:0000022",
            Modifier::Ts { .. } => "DUO:0000025",
            Modifier::Mor { .. } => "DUO:0000024",
            Modifier::Us => "DUO:0000026",
            Modifier::Ps => "DUO:0000027",
            Modifier::Is => "DUO:0000028",
            Modifier::Rs => "DUO:0000012",
        }
    }
}

/// What data may be used for: a permission and its modifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DataUse {
    /// The primary category.
    pub permission: Permission,
    /// Further conditions.
    #[serde(default)]
    pub modifiers: Vec<Modifier>,
}

/// The kind of research a study does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ResearchKind {
    /// Health, medical or biomedical research; on these diseases if any are named.
    Health {
        /// Disease terms the study is about (none: health research in general).
        #[serde(default)]
        diseases: Vec<String>,
    },
    /// Research outside health: fundamental biology, social sciences, fisheries.
    Other,
    /// The study of population origins or ancestry.
    Ancestry,
}

/// What a study states about its research: the side matched against [`DataUse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Purpose {
    /// The kind of research.
    pub research: ResearchKind,
    /// Develops general methods (software, algorithms) with the data.
    #[serde(default)]
    pub methods_development: bool,
    /// Commercial use of the data or the results.
    #[serde(default)]
    pub commercial: bool,
    /// The researcher's organisation is run for profit.
    #[serde(default)]
    pub for_profit_organisation: bool,
    /// An ethics committee (IRB/ERB) approved the study.
    #[serde(default)]
    pub ethics_approval: bool,
    /// The results are published for the scientific community.
    #[serde(default)]
    pub publishes: bool,
    /// No results are published before this date (unix microseconds), if one is set.
    #[serde(default)]
    pub publishes_from_micros: Option<u64>,
    /// The researchers collaborate with the cooperative.
    #[serde(default)]
    pub collaborates: bool,
    /// A genetic study (genotype, or genotype and phenotype).
    #[serde(default)]
    pub genetic: bool,
    /// Derived or enriched data goes back to the cooperative.
    #[serde(default)]
    pub returns_derived_data: bool,
    /// The data is used in clinical care.
    #[serde(default)]
    pub clinical_care: bool,
    /// Where the data is used (an ISO 3166 code, or `EU`).
    pub region: String,
    /// For how many months the data is used.
    pub months: u32,
}

/// Where disease terms stand to each other: whether one is within another.
pub trait Diseases {
    /// Whether `narrower` is `broader` or a kind of it.
    fn is_within(&self, narrower: &str, broader: &str) -> bool;
}

/// A disease hierarchy from (term, parent) pairs, e.g. an excerpt of MONDO; terms it
/// does not hold are within themselves only.
#[derive(Debug, Clone, Default)]
pub struct Hierarchy {
    parents: BTreeMap<String, BTreeSet<String>>,
}

impl Hierarchy {
    /// From (term, parent) pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (child, parent) in pairs {
            parents
                .entry(child.to_owned())
                .or_default()
                .insert(parent.to_owned());
        }
        Hierarchy { parents }
    }
}

impl Diseases for Hierarchy {
    fn is_within(&self, narrower: &str, broader: &str) -> bool {
        let mut seen = BTreeSet::new();
        let mut todo = vec![narrower];
        while let Some(t) = todo.pop() {
            if t == broader {
                return true;
            }
            if !seen.insert(t) {
                continue;
            }
            if let Some(ps) = self.parents.get(t) {
                todo.extend(ps.iter().map(String::as_str));
            }
        }
        false
    }
}
