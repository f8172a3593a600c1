//! `datacoop researcher …`, `datacoop steward …` and `datacoop study …`: the research
//! side from the researcher's, the steward's and the member's machine. A researcher's
//! account has the same keys as a member's, made here; a study's terms are written in
//! a JSON file (`datacoop study template`) and its key pair is made here. A member's
//! `study show` checks the terms' digest and, for a recruiting study, the resolution's
//! signed approval in the governance log before printing anything as approved.

mod show;

use crate::member::{secret, Credentials};
use crate::records::fresh;
use crate::session;
use clap::{Args, Subcommand, ValueEnum};
use datacoop_client::member::KdfPolicy;
use datacoop_client::research::{self, ResearcherSession};
use datacoop_client::Client;
use datacoop_consent_core::wire::{ResearcherQuery, StudyQuery, StudyState};
use datacoop_consent_core::StudyTerms;
use std::path::PathBuf;
use uuid::Uuid;

/// The example terms `datacoop study template` prints.
const TEMPLATE: &str = include_str!("../../../../tests/fixtures/study-terms.json");

/// Your researcher's account.
#[derive(Subcommand)]
pub enum ResearcherCommand {
    /// Open a researcher's account (keys made here, as for a member); a steward of the
    /// cooperative then verifies you before you may submit studies.
    Register(RegisterArgs),
    /// Log in as a researcher; keeps tokens in the session file (mode 0600).
    Login(Credentials),
    /// Show your profile and whether a steward has verified you.
    Whoami,
}

/// Options of `datacoop researcher register`.
#[derive(Args)]
pub struct RegisterArgs {
    #[command(flatten)]
    c: Credentials,
    /// Your name, as members will read it.
    #[arg(long)]
    name: String,
    /// Your institution.
    #[arg(long)]
    affiliation: String,
}

/// What stewards do for the research side.
#[derive(Subcommand)]
pub enum StewardCommand {
    /// List researchers (those waiting for verification with --unverified).
    Researchers {
        /// Only those not verified yet.
        #[arg(long)]
        unverified: bool,
    },
    /// Verify a researcher as bona fide (an entry of the governance log): then they may
    /// submit studies.
    VerifyResearcher {
        /// The researcher's account id (`datacoop steward researchers --unverified`).
        id: Uuid,
    },
}

/// A study's state, as a filter.
#[derive(Clone, Copy, ValueEnum)]
pub enum StateArg {
    /// Not yet submitted.
    Draft,
    /// Waiting for the cooperative's decision.
    Submitted,
    /// Not approved.
    Rejected,
    /// Approved: members may consent.
    Recruiting,
    /// Closed.
    Closed,
}

impl From<StateArg> for StudyState {
    fn from(s: StateArg) -> Self {
        match s {
            StateArg::Draft => StudyState::Draft,
            StateArg::Submitted => StudyState::Submitted,
            StateArg::Rejected => StudyState::Rejected,
            StateArg::Recruiting => StudyState::Recruiting,
            StateArg::Closed => StudyState::Closed,
        }
    }
}

/// Research studies.
#[derive(Subcommand)]
pub enum StudyCommand {
    /// Print example terms to start from: `datacoop study template > terms.json`.
    Template,
    /// Make a study's draft from a terms file (researchers); its key pair is made here.
    ///
    /// The terms say what the study asks for and promises: title, a plain-language
    /// summary in en, de, fr and es, the purpose (GA4GH DUO terms), the data categories
    /// and types, the period of data, whether future data is included, the end date and
    /// the de-identification level. They cannot change once submitted.
    Create {
        /// The terms (JSON; see `datacoop study template`).
        #[arg(long, value_name = "FILE")]
        terms: PathBuf,
    },
    /// Submit a draft for the cooperative's decision (verified researchers).
    Submit {
        /// The study.
        id: Uuid,
    },
    /// Show a study's terms in plain words and where it stands (members' machines check
    /// the signed approval of a recruiting study in the governance log).
    Show {
        /// The study.
        id: Uuid,
        /// The language of the summary (en, de, fr, es; default en).
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// List studies.
    List {
        /// Only studies in this state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// Only your own (researchers).
        #[arg(long)]
        mine: bool,
    },
    /// Close your study before its end date (researchers): no one more consents and
    /// nothing more is downloaded.
    Close {
        /// The study.
        id: Uuid,
    },
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(crate) async fn researcher_session() -> Result<ResearcherSession, String> {
    let saved = fresh().await?;
    if session_role(&saved.session.access_token) != Some("researcher") {
        return Err(
            "you are logged in as a member: log in with `datacoop researcher login`".into(),
        );
    }
    Ok(ResearcherSession {
        session: saved.session,
    })
}

/// The role an access token carries (read, not verified: the server checks it).
fn session_role(token: &str) -> Option<&'static str> {
    use base64::Engine;
    let claims = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(claims)
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    match v["role"].as_str()? {
        "member" => Some("member"),
        "researcher" => Some("researcher"),
        _ => None,
    }
}

/// Prints a checked study for a member about to consent.
pub(crate) fn print_study(c: &research::CheckedStudy, lang: &str) {
    show::study(&c.view, &c.terms, c.approval.as_ref(), lang, false);
}

/// Runs a researcher command.
pub async fn researcher(cmd: ResearcherCommand, json: bool) -> Result<(), String> {
    match cmd {
        ResearcherCommand::Register(a) => {
            let pass = secret("DATACOOP_PASSPHRASE", "Passphrase", true)?;
            let client = Client::new(&a.c.server).map_err(err)?;
            let reg = research::register(&client, &a.c.email, &pass, &a.name, &a.affiliation)
                .await
                .map_err(err)?;
            show::registered(&reg, &a.c.email, json);
        }
        ResearcherCommand::Login(c) => {
            let pass = secret("DATACOOP_PASSPHRASE", "Passphrase", false)?;
            let client = Client::new(&c.server).map_err(err)?;
            let policy = KdfPolicy {
                remembered: session::remembered_kdf(&c.server, &c.email)?,
                ..Default::default()
            };
            let label = Some(format!("datacoop-cli on {}", crate::member::hostname()));
            let (s, me) = research::login(&client, &c.email, &pass, label, &policy)
                .await
                .map_err(err)?;
            if let Some(cost) = s.session.kdf_cost() {
                session::remember_kdf(&c.server, &c.email, cost)?;
            }
            if let Ok(t) = session::load_tokens() {
                if let Ok(old) = Client::new(&t.server) {
                    let _ = old.logout(&t.refresh_token).await;
                }
            }
            session::save(&c.server, &c.email, &s.session)?;
            show::researcher(&me, json);
        }
        ResearcherCommand::Whoami => {
            let s = researcher_session().await?;
            show::researcher(&s.me().await.map_err(err)?, json);
        }
    }
    Ok(())
}

/// Runs a steward command.
pub async fn steward(cmd: StewardCommand, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let s = &saved.session;
    match cmd {
        StewardCommand::Researchers { unverified } => {
            let mut all = Vec::new();
            let mut after = None;
            loop {
                let page = s
                    .researchers(&ResearcherQuery {
                        unverified,
                        after,
                        limit: Some(500),
                    })
                    .await
                    .map_err(err)?;
                all.extend(page.researchers);
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            show::researchers(&all, json);
        }
        StewardCommand::VerifyResearcher { id } => {
            let v = s.verify_researcher(id).await.map_err(err)?;
            show::researcher(&v, json);
        }
    }
    Ok(())
}

/// Runs a study command.
pub async fn study(cmd: StudyCommand, json: bool) -> Result<(), String> {
    match cmd {
        StudyCommand::Template => {
            print!("{TEMPLATE}");
        }
        StudyCommand::Create { terms } => {
            let bytes = std::fs::read(&terms)
                .map_err(|e| format!("cannot read {}: {e}", terms.display()))?;
            let parsed =
                StudyTerms::from_bytes(&bytes).map_err(|e| format!("{}: {e}", terms.display()))?;
            let s = researcher_session().await?;
            let view = s.create_study(&parsed).await.map_err(err)?;
            show::study(&view, &parsed, None, "en", json);
        }
        StudyCommand::Submit { id } => {
            let s = researcher_session().await?;
            let view = s.submit_study(id).await.map_err(err)?;
            let terms = research::check_study(&view).map_err(err)?;
            show::study(&view, &terms, None, "en", json);
        }
        StudyCommand::Close { id } => {
            let s = researcher_session().await?;
            let view = s.close_study(id).await.map_err(err)?;
            let terms = research::check_study(&view).map_err(err)?;
            show::study(&view, &terms, None, "en", json);
        }
        StudyCommand::Show { id, lang } => {
            let saved = fresh().await?;
            if session_role(&saved.session.access_token) == Some("researcher") {
                let s = ResearcherSession {
                    session: saved.session,
                };
                let (view, terms) = s.study(id).await.map_err(err)?;
                show::study(&view, &terms, None, &lang, json);
            } else {
                let s = &saved.session;
                let key = crate::consent::pinned_governance_key(s).await?;
                let c = s.checked_study(id, &key).await.map_err(err)?;
                show::study(&c.view, &c.terms, c.approval.as_ref(), &lang, json);
            }
        }
        StudyCommand::List { state, mine } => {
            let saved = fresh().await?;
            let s = &saved.session;
            let mut all = Vec::new();
            let mut after = None;
            loop {
                let page = s
                    .studies(&StudyQuery {
                        state: state.map(Into::into),
                        mine,
                        after,
                        limit: Some(500),
                    })
                    .await
                    .map_err(err)?;
                all.extend(page.studies);
                match page.next {
                    Some(n) => after = Some(n),
                    None => break,
                }
            }
            show::studies(&all, json);
        }
    }
    Ok(())
}
