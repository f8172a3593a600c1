//! `datacoop consent preferences`: the member's standing preferences, what their data
//! may be used for, as GA4GH DUO conditions (a permission and modifiers), kept on this
//! machine (`preferences.json` in the client's home; never sent). `study show` and
//! `consent grant` say whether a study's purpose fits them, by DUO's matching rules
//! (consent-core `fits`): e.g. `set hmb --modifier ncu --modifier npu` is "health
//! research only, no commercial use".

use crate::session::{home, write_private};
use datacoop_consent_core::{fits, DataUse, Hierarchy, Modifier, Permission, StudyTerms};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Your standing preferences for research use of your data.
#[derive(clap::Subcommand)]
pub enum PreferencesCommand {
    /// Show them.
    Show,
    /// Set them: a DUO permission (what research), then conditions. Examples:
    /// `set hmb --modifier ncu --modifier npu` (health research only, no commercial
    /// use); `set ds --disease MONDO:0005044` (research on hypertension only).
    Set {
        /// What research your data may be used for.
        #[arg(value_enum)]
        permission: PermissionArg,
        /// With `ds`: the disease (an ontology term such as MONDO:0005044; repeat).
        #[arg(long = "disease", value_name = "TERM")]
        diseases: Vec<String>,
        /// With `ds`: a narrower disease that counts as within a broader one,
        /// `NARROWER=BROADER` (repeat), so studies of it fit.
        #[arg(long = "within", value_name = "NARROWER=BROADER")]
        within: Vec<String>,
        /// A further condition (repeat).
        #[arg(long = "modifier", value_enum)]
        modifiers: Vec<ModifierArg>,
        /// Use only in these regions (ISO 3166 codes or EU; repeat).
        #[arg(long = "region", value_name = "CODE")]
        regions: Vec<String>,
        /// Use for at most this many months.
        #[arg(long)]
        months: Option<u32>,
    },
    /// Remove them.
    Clear,
}

/// DUO permissions.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PermissionArg {
    /// No restriction (DUO:0000004).
    Nres,
    /// General research use: any research (DUO:0000042).
    Gru,
    /// Health, medical or biomedical research (DUO:0000006).
    Hmb,
    /// Research on the diseases given with --disease (DUO:0000007).
    Ds,
    /// Population origins or ancestry research only (DUO:0000011).
    Poa,
}

/// DUO modifiers without a value.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ModifierArg {
    /// Non-commercial use only.
    Ncu,
    /// Not-for-profit organisations only.
    Npu,
    /// Not for profit, non-commercial use only.
    Npuncu,
    /// Ethics approval required.
    Irb,
    /// Publication required.
    Pub,
    /// Collaboration with the cooperative required.
    Col,
    /// Genetic studies only.
    Gso,
    /// No general methods research.
    Nmds,
    /// No population origins or ancestry research.
    Npoa,
    /// Derived data returned to the cooperative.
    Rtn,
    /// Clinical care use allowed.
    Cc,
}

impl From<ModifierArg> for Modifier {
    fn from(m: ModifierArg) -> Modifier {
        match m {
            ModifierArg::Ncu => Modifier::Ncu,
            ModifierArg::Npu => Modifier::Npu,
            ModifierArg::Npuncu => Modifier::Npuncu,
            ModifierArg::Irb => Modifier::Irb,
            ModifierArg::Pub => Modifier::Pub,
            ModifierArg::Col => Modifier::Col,
            ModifierArg::Gso => Modifier::Gso,
            ModifierArg::Nmds => Modifier::Nmds,
            ModifierArg::Npoa => Modifier::Npoa,
            ModifierArg::Rtn => Modifier::Rtn,
            ModifierArg::Cc => Modifier::Cc,
        }
    }
}

/// The stored preferences.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Preferences {
    /// What the member's data may be used for.
    pub data_use: DataUse,
    /// Disease terms within broader ones: (narrower, broader).
    #[serde(default)]
    pub within: Vec<(String, String)>,
}

fn path() -> PathBuf {
    home().join("preferences.json")
}

/// The preferences saved on this machine, if any.
pub fn load() -> Result<Option<Preferences>, String> {
    match std::fs::read(path()) {
        Ok(b) => serde_json::from_slice(&b)
            .map(Some)
            .map_err(|e| format!("{} is damaged: {e}", path().display())),
        Err(_) => Ok(None),
    }
}

/// The conditions in short, e.g. `HMB + NCU, NPU`.
pub fn describe(d: &DataUse) -> String {
    let p = match &d.permission {
        Permission::Nres => "NRES (no restriction)".to_owned(),
        Permission::Gru => "GRU (any research)".to_owned(),
        Permission::Hmb => "HMB (health research)".to_owned(),
        Permission::Ds { diseases } => format!("DS (research on {})", diseases.join(", ")),
        Permission::Poa => "POA (population origins or ancestry only)".to_owned(),
    };
    if d.modifiers.is_empty() {
        return p;
    }
    let mods: Vec<String> = d
        .modifiers
        .iter()
        .map(|m| {
            let v = serde_json::to_value(m).unwrap_or_default();
            let code = v["code"].as_str().unwrap_or("?").to_owned();
            match m {
                Modifier::Gs { regions } => format!("{code} {}", regions.join("/")),
                Modifier::Ts { months } => format!("{code} {months} months"),
                _ => code,
            }
        })
        .collect();
    format!("{p} + {}", mods.join(", "))
}

/// Whether the study fits the saved preferences, in words (none when none are saved).
pub fn fit(terms: &StudyTerms) -> Option<(bool, String)> {
    let prefs = load().ok().flatten()?;
    let diseases =
        Hierarchy::from_pairs(prefs.within.iter().map(|(n, b)| (n.as_str(), b.as_str())));
    let reasons = fits(&prefs.data_use, &terms.purpose, &diseases);
    let what = describe(&prefs.data_use);
    Some(if reasons.is_empty() {
        (true, format!("fits your standing preferences ({what})"))
    } else {
        let why: Vec<String> = reasons.iter().map(|r| r.describe()).collect();
        (
            false,
            format!(
                "does NOT fit your standing preferences ({what}): {}",
                why.join("; ")
            ),
        )
    })
}

/// Runs a preferences command.
pub fn run(cmd: PreferencesCommand, json: bool) -> Result<(), String> {
    match cmd {
        PreferencesCommand::Show => match load()? {
            Some(p) if json => crate::print_json(&p),
            Some(p) => println!("Your standing preferences: {}", describe(&p.data_use)),
            None if json => crate::print_json(&serde_json::Value::Null),
            None => println!(
                "No standing preferences on this machine; set them with `datacoop consent \
                 preferences set`, e.g. `set hmb --modifier ncu --modifier npu`."
            ),
        },
        PreferencesCommand::Set {
            permission,
            diseases,
            within,
            modifiers,
            regions,
            months,
        } => {
            let permission = match permission {
                PermissionArg::Nres => Permission::Nres,
                PermissionArg::Gru => Permission::Gru,
                PermissionArg::Hmb => Permission::Hmb,
                PermissionArg::Ds if diseases.is_empty() => {
                    return Err("`ds` needs at least one --disease TERM".into())
                }
                PermissionArg::Ds => Permission::Ds {
                    diseases: diseases.clone(),
                },
                PermissionArg::Poa => Permission::Poa,
            };
            if !diseases.is_empty() && !matches!(permission, Permission::Ds { .. }) {
                return Err("--disease goes with `ds` only".into());
            }
            let mut mods: Vec<Modifier> = modifiers.into_iter().map(Into::into).collect();
            if !regions.is_empty() {
                mods.push(Modifier::Gs { regions });
            }
            if let Some(months) = months {
                mods.push(Modifier::Ts { months });
            }
            let within = within
                .iter()
                .map(|w| {
                    w.split_once('=')
                        .map(|(n, b)| (n.trim().to_owned(), b.trim().to_owned()))
                        .ok_or_else(|| format!("--within {w}: give it as NARROWER=BROADER"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let p = Preferences {
                data_use: DataUse {
                    permission,
                    modifiers: mods,
                },
                within,
            };
            std::fs::create_dir_all(home()).map_err(|e| e.to_string())?;
            let text = serde_json::to_vec_pretty(&p).map_err(|e| e.to_string())?;
            write_private(&path(), &text)
                .map_err(|e| format!("cannot save {}: {e}", path().display()))?;
            if json {
                crate::print_json(&p);
            } else {
                println!(
                    "Saved on this machine: {}. `datacoop study show` and `consent grant` \
                     now say whether a study fits them.",
                    describe(&p.data_use)
                );
            }
        }
        PreferencesCommand::Clear => {
            let _ = std::fs::remove_file(path());
            if !json {
                println!("Standing preferences removed from this machine.");
            }
        }
    }
    Ok(())
}
