//! `datacoop consent …`: a member's consents to studies, made on this machine. `grant`
//! shows the study's terms in plain words (its approval checked here) and asks before
//! anything is shared; the study copies are de-identified and encrypted here; the
//! receipt, signed by you and countersigned by the server, can be re-read and exported
//! as a FHIR R4 Consent.

use crate::records::fresh;
use clap::Subcommand;
use datacoop_client::member::MemberSession;
use datacoop_consent_core::wire::{ConsentQuery, ConsentState, ConsentView};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use uuid::Uuid;

/// Your consents to research studies.
#[derive(Subcommand)]
pub enum ConsentCommand {
    /// List your consents: every study and what it gets.
    List,
    /// Show one consent and its receipt (both signatures checked here).
    Show {
        /// The consent.
        id: Uuid,
    },
    /// Consent to a recruiting study: shows its terms, asks, then makes the study's
    /// de-identified, encrypted copy of each covered record on this machine.
    Grant {
        /// The study (`datacoop study list --state recruiting`).
        study: Uuid,
        /// Share only this category (repeat; default: every category the study asks for).
        #[arg(long = "category", value_name = "CATEGORY")]
        categories: Vec<String>,
        /// The language of the study's summary (en, de, fr, es).
        #[arg(long, default_value = "en")]
        lang: String,
        /// Do not ask: consent to the terms as shown.
        #[arg(long)]
        yes: bool,
    },
    /// Withdraw a consent now: the study's copies are deleted and it gets nothing more
    /// (what it already downloaded cannot be recalled).
    Withdraw {
        /// The consent.
        id: Uuid,
        /// Do not ask.
        #[arg(long)]
        yes: bool,
    },
    /// Print the receipt (JSON with both signatures), or as a FHIR R4 Consent resource.
    Receipt {
        /// The consent.
        id: Uuid,
        /// As a FHIR R4 Consent resource.
        #[arg(long)]
        fhir: bool,
        /// Write it to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Your standing preferences (DUO conditions, kept on this machine): studies are
    /// shown with whether they fit them.
    #[command(subcommand)]
    Preferences(crate::preferences::PreferencesCommand),
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn confirm(question: &str) -> Result<(), String> {
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{question} Run again with --yes to confirm without a prompt."
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(err)?;
    if matches!(line.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err("nothing was done".into())
    }
}

fn state_words(s: ConsentState) -> &'static str {
    match s {
        ConsentState::Preparing => "preparing (not in effect: run the grant again)",
        ConsentState::Active => "active",
        ConsentState::Expired => "expired (the study ended or was closed)",
        ConsentState::Withdrawn => "withdrawn",
    }
}

fn print(v: &ConsentView, json: bool) {
    if json {
        crate::print_json(v);
        return;
    }
    let r = &v.receipt;
    println!("Consent {} to \"{}\" ({})", v.id, v.study_title, v.study);
    println!("  state: {}", state_words(v.state));
    println!("  categories: {}", r.categories.join(", "));
    println!("  copies held for the study: {}", v.copies);
    println!(
        "  the study knows you as {} (and by no other name)",
        r.pseudonym
    );
    if let Some(i) = v.granted_index {
        println!("  granted: access log entry {i}, receipt countersigned by the server");
    }
    if let Some(w) = &v.withdrawn_at {
        println!("  withdrawn on {w}");
    }
}

async fn keys(s: &MemberSession) -> Result<(String, String), String> {
    Ok((
        pinned_governance_key(s).await?,
        crate::log::pinned_key(s).await?,
    ))
}

/// Runs a consent command.
pub async fn run(cmd: ConsentCommand, json: bool) -> Result<(), String> {
    // Preferences are this machine's: no session, nothing sent.
    let cmd = match cmd {
        ConsentCommand::Preferences(p) => return crate::preferences::run(p, json),
        other => other,
    };
    let saved = fresh().await?;
    let s = &saved.session;
    match cmd {
        ConsentCommand::List => {
            let list = s.consents(&ConsentQuery::default()).await.map_err(err)?;
            if json {
                crate::print_json(&list);
            } else if list.consents.is_empty() {
                println!("You have consented to no study: datacoop study list --state recruiting");
            }
            if !json {
                for v in &list.consents {
                    println!(
                        "{}  {:<9}  {} copies  {}  ({})",
                        v.id,
                        format!("{:?}", v.state).to_lowercase(),
                        v.copies,
                        v.study_title,
                        v.receipt.categories.join(", ")
                    );
                }
            }
        }
        ConsentCommand::Show { id } => {
            let (_, log_key) = keys(s).await?;
            print(&s.consent(id, &log_key).await.map_err(err)?, json);
        }
        ConsentCommand::Grant {
            study,
            categories,
            lang,
            yes,
        } => {
            let (gov_key, log_key) = keys(s).await?;
            let checked = s.checked_study(study, &gov_key).await.map_err(err)?;
            if !json {
                crate::research::print_study(&checked, &lang);
            }
            if !yes {
                confirm("Consent to this study on these terms?")?;
            }
            let bar = if json || !std::io::stderr().is_terminal() {
                ProgressBar::hidden()
            } else {
                ProgressBar::new(0).with_style(
                    ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} records")
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                )
            };
            bar.set_message("de-identifying and encrypting");
            let cats = (!categories.is_empty()).then_some(categories);
            let view = s
                .grant_consent(study, &gov_key, &log_key, cats, |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await
                .map_err(err)?;
            bar.finish_and_clear();
            print(&view, json);
            if !json {
                println!(
                    "Withdraw at any time: datacoop consent withdraw {}",
                    view.id
                );
            }
        }
        ConsentCommand::Withdraw { id, yes } => {
            if !yes {
                confirm(
                    "Withdraw this consent? The study's copies are deleted now; what it \
                     already downloaded cannot be recalled.",
                )?;
            }
            print(&s.withdraw_consent(id).await.map_err(err)?, json);
        }
        ConsentCommand::Preferences(_) => {}
        ConsentCommand::Receipt { id, fhir, out } => {
            let (_, log_key) = keys(s).await?;
            let v = s.consent(id, &log_key).await.map_err(err)?;
            let doc = if fhir {
                datacoop_consent_core::fhir::fhir_consent(&v)
            } else {
                serde_json::json!({
                    "receipt": v.receipt,
                    "member_signature": v.member_signature,
                    "server_signature": v.server_signature,
                    "access_log_index": v.granted_index,
                })
            };
            let text = serde_json::to_string_pretty(&doc).map_err(err)? + "\n";
            match out {
                Some(path) => {
                    std::fs::write(&path, text)
                        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                    eprintln!("Wrote {}", path.display());
                }
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

/// The governance log key this machine pinned (`datacoop gov verify`), else the one
/// the server publishes now, with a note that it is not pinned yet.
pub(crate) async fn pinned_governance_key(
    s: &datacoop_client::member::MemberSession,
) -> Result<String, String> {
    if let Some(k) = crate::gov::load_state(&s.member_id)?.verifier_key {
        return Ok(k);
    }
    let key = s.gov_info().await.map_err(|e| e.to_string())?.verifier_key;
    eprintln!(
        "note: no governance log key is pinned on this machine yet; using the one the server \
         publishes ({key}). Run `datacoop gov verify` to pin it and check the whole log."
    );
    Ok(key)
}
