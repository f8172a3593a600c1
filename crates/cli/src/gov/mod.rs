//! `datacoop gov …`: the cooperative's governance from the member's machine. Stewards
//! keep the register and convene assemblies; members join with an invitation, file
//! motions, vote and appoint proxies, every signature made here; anyone recounts.

mod show;

use crate::records::fresh;
use crate::session::home;
use clap::{Args, Subcommand, ValueEnum};
use datacoop_client::gov::{self, GovState};
use datacoop_governance_core::wire::{ConveneRequest, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Choice, Decision, Form, Majority, MinutesRole};
use std::path::PathBuf;
use uuid::Uuid;

/// Governance: the register of members, assemblies, motions, votes, proxies, results.
#[derive(Subcommand)]
pub enum GovCommand {
    /// The statute rules this server enforces, its governance log key, and your role.
    Info,
    /// The register of members (stewards), and your own entry.
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Link your account to your register entry with the invitation a steward gave you;
    /// your governance key is made from your vault on this machine and published.
    Join {
        /// The invitation (REGISTER-ID.SECRET).
        invitation: String,
    },
    /// General assemblies: convene (stewards), list, show.
    #[command(subcommand)]
    Assembly(AssemblyCommand),
    /// File a motion on an assembly's agenda (at least a week before it starts, §46(2)).
    Propose(ProposeArgs),
    /// Cast your ballot on a motion, signed on this machine; a later ballot replaces
    /// the earlier one until voting closes.
    Vote {
        /// The motion.
        motion: Uuid,
        /// Your choice.
        choice: ChoiceArg,
        /// Vote as proxy for this member (register id) who appointed you.
        #[arg(long = "for", value_name = "MEMBER")]
        for_member: Option<Uuid>,
    },
    /// Appoint or revoke a proxy for an assembly (a proxy holds at most 2, §43(5)).
    #[command(subcommand)]
    Proxy(ProxyCommand),
    /// A motion's result (once voting closed; no interim results).
    Results {
        /// The motion.
        motion: Uuid,
    },
    /// Minutes of an assembly (§47), computed on this machine from the verified log;
    /// signed by the chair and a board member.
    #[command(subcommand)]
    Minutes(MinutesCommand),
    /// Object to a resolution or to the minutes (recorded, signed by you; until a month
    /// after the assembly).
    Object {
        /// The assembly.
        assembly: Uuid,
        /// The motion objected to (omit to object to the minutes).
        #[arg(long)]
        motion: Option<Uuid>,
        /// Your objection, in your words.
        #[arg(long)]
        text: String,
    },
    /// Verify the governance log: its signature, that it only grew, that the entries
    /// are the log's, and recount every closed vote from the signed ballots.
    Verify,
}

/// Minutes.
#[derive(Subcommand)]
pub enum MinutesCommand {
    /// Print the minutes as Markdown (or --json), with who has signed them.
    Show {
        /// The assembly.
        assembly: Uuid,
        /// The chair (register id); default: as signed.
        #[arg(long)]
        chair: Option<Uuid>,
        /// The board member who signs with the chair; default: as signed.
        #[arg(long)]
        board: Option<Uuid>,
    },
    /// Sign the minutes as chair or as board member.
    Sign {
        /// The assembly.
        assembly: Uuid,
        /// The chair (register id).
        #[arg(long)]
        chair: Uuid,
        /// The board member (register id).
        #[arg(long)]
        board: Uuid,
        /// Your role.
        #[arg(long = "as", value_enum)]
        role: RoleArg,
    },
}

/// Who signs minutes.
#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// The chair.
    Chair,
    /// The board member.
    Board,
}

/// The register.
#[derive(Subcommand)]
pub enum RegisterCommand {
    /// Enter a member (stewards); prints the one-time invitation to give them.
    Add {
        /// Name.
        #[arg(long)]
        name: String,
        /// Postal address or other contact.
        #[arg(long)]
        contact: String,
        /// When membership began (RFC 3339; default now).
        #[arg(long)]
        joined: Option<String>,
        /// Shares subscribed.
        #[arg(long, default_value_t = 1)]
        shares: u32,
        /// Votes the statutes grant (1 to 3, §43(3)).
        #[arg(long)]
        votes: Option<u8>,
    },
    /// The whole register (stewards).
    List {
        /// Print it as CSV for the board.
        #[arg(long)]
        csv: bool,
    },
    /// Record when a member's leaving takes effect (stewards).
    Leave {
        /// The member's register id.
        member: Uuid,
        /// When it takes effect (RFC 3339).
        #[arg(long)]
        at: String,
    },
    /// Issue a new invitation for a member (stewards): after they rotated their keys,
    /// they join again with it and their new governance key replaces the old one.
    Reinvite {
        /// The member's register id.
        member: Uuid,
    },
    /// Your own entry.
    Me,
}

/// Assemblies.
#[derive(Subcommand)]
pub enum AssemblyCommand {
    /// Convene a general assembly (stewards), at least 14 days ahead (§46(1)).
    Convene(ConveneArgs),
    /// Assemblies, newest first.
    List,
    /// One assembly and its agenda.
    Show {
        /// The assembly.
        id: Uuid,
    },
}

/// How an assembly meets.
#[derive(Clone, Copy, ValueEnum)]
pub enum FormArg {
    /// In one place.
    InPerson,
    /// Electronically.
    Virtual,
    /// Both.
    Hybrid,
    /// A discussion phase, then a voting phase.
    Stretched,
}

/// Convening.
#[derive(Args)]
pub struct ConveneArgs {
    /// Title.
    #[arg(long)]
    title: String,
    /// How it meets.
    #[arg(long, value_enum, default_value = "stretched")]
    form: FormArg,
    /// It starts (RFC 3339).
    #[arg(long)]
    starts: String,
    /// It ends (RFC 3339).
    #[arg(long)]
    ends: String,
    /// Where (needed in person or hybrid; virtual: the registered seat).
    #[arg(long)]
    place: Option<String>,
    /// How to take part electronically.
    #[arg(long)]
    how: Option<String>,
}

/// The majority a motion needs.
#[derive(Clone, Copy, ValueEnum)]
pub enum MajorityArg {
    /// More yes than no.
    Simple,
    /// Two thirds of votes cast.
    TwoThirds,
    /// Three quarters (§16(2) statute changes).
    ThreeQuarters,
}

/// Filing a motion.
#[derive(Args)]
pub struct ProposeArgs {
    /// The assembly.
    #[arg(long)]
    assembly: Uuid,
    /// Title.
    #[arg(long)]
    title: String,
    /// The resolution's text.
    #[arg(long)]
    text: String,
    /// The majority it needs.
    #[arg(long, value_enum, default_value = "simple")]
    majority: MajorityArg,
    /// Quorum, percent of eligible members.
    #[arg(long)]
    quorum: Option<u8>,
    /// Voting opens (RFC 3339; default: the assembly's start).
    #[arg(long)]
    opens: Option<String>,
    /// Voting closes (RFC 3339; default: the assembly's end).
    #[arg(long)]
    closes: Option<String>,
    /// A member who may not vote on it (§43(6)); repeat for several.
    #[arg(long = "recuse", value_name = "MEMBER")]
    recused: Vec<Uuid>,
    /// The resolution approves this research study (stewards; with --study-terms-sha256
    /// and --study-key): once carried, the cooperative's governance key signs it.
    #[arg(long, value_name = "STUDY", requires_all = ["study_terms_sha256", "study_key"])]
    approve_study: Option<Uuid>,
    /// SHA-256 of the study's terms (base64url).
    #[arg(long, value_name = "B64")]
    study_terms_sha256: Option<String>,
    /// The study's X25519 public key (base64url).
    #[arg(long, value_name = "B64")]
    study_key: Option<String>,
}

fn b64(field: &str, text: &str) -> Result<datacoop_api::b64::Base64Url, String> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map(datacoop_api::b64::Base64Url)
        .map_err(|_| format!("--{field} must be base64url"))
}

/// A choice.
#[derive(Clone, Copy, ValueEnum)]
pub enum ChoiceArg {
    /// For.
    Yes,
    /// Against.
    No,
    /// Abstain.
    Abstain,
}

/// Proxies.
#[derive(Subcommand)]
pub enum ProxyCommand {
    /// Authorise a member to vote for you at an assembly (signed here).
    Grant {
        /// The assembly.
        #[arg(long)]
        assembly: Uuid,
        /// The member (register id) who votes for you.
        #[arg(long)]
        to: Uuid,
    },
    /// End that authorisation.
    Revoke {
        /// The assembly.
        #[arg(long)]
        assembly: Uuid,
        /// The member you had authorised.
        #[arg(long)]
        to: Uuid,
    },
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn state_path(account: &Uuid) -> PathBuf {
    home().join(format!("gov-state-{account}.json"))
}

fn load_state(account: &Uuid) -> Result<GovState, String> {
    let path = state_path(account);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            format!(
                "{} is damaged ({e}); remove it to start over",
                path.display()
            )
        }),
        Err(_) => Ok(GovState::default()),
    }
}

/// Runs a governance command.
pub async fn run(cmd: GovCommand, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let s = &saved.session;
    match cmd {
        GovCommand::Info => show::info(&s.gov_info().await.map_err(err)?, json),
        GovCommand::Register(RegisterCommand::Add {
            name,
            contact,
            joined,
            shares,
            votes,
        }) => {
            let r = s
                .gov_register(&RegisterRequest {
                    name,
                    contact,
                    joined_at: joined,
                    shares,
                    votes,
                })
                .await
                .map_err(err)?;
            show::registered(&r, json);
        }
        GovCommand::Register(RegisterCommand::List { csv: true }) => {
            print!("{}", s.gov_register_csv().await.map_err(err)?);
        }
        GovCommand::Register(RegisterCommand::List { csv: false }) => {
            show::register(&s.gov_register_list().await.map_err(err)?, json);
        }
        GovCommand::Register(RegisterCommand::Leave { member, at }) => {
            show::entry(&s.gov_leaving(member, &at).await.map_err(err)?, json);
        }
        GovCommand::Register(RegisterCommand::Reinvite { member }) => {
            show::registered(&s.gov_reinvite(member).await.map_err(err)?, json);
        }
        GovCommand::Register(RegisterCommand::Me) => {
            show::entry(&s.gov_me().await.map_err(err)?, json);
        }
        GovCommand::Join { invitation } => {
            let e = s.gov_join(&invitation).await.map_err(err)?;
            if !json {
                println!(
                    "Joined: your account is linked to member number {} and your governance \
                     key is published. It is made from your vault each time, so it never \
                     leaves your machines.",
                    e.number
                );
            }
            show::entry(&e, json);
        }
        GovCommand::Assembly(AssemblyCommand::Convene(a)) => {
            let form = match a.form {
                FormArg::InPerson => Form::InPerson,
                FormArg::Virtual => Form::Virtual,
                FormArg::Hybrid => Form::Hybrid,
                FormArg::Stretched => Form::Stretched,
            };
            let done = s
                .gov_convene(&ConveneRequest {
                    title: a.title,
                    form,
                    starts_at: a.starts,
                    ends_at: a.ends,
                    place: a.place,
                    how_to_take_part: a.how,
                })
                .await
                .map_err(err)?;
            show::assembly(&done, json);
        }
        GovCommand::Assembly(AssemblyCommand::List) => {
            show::assemblies(&s.gov_assemblies().await.map_err(err)?, json);
        }
        GovCommand::Assembly(AssemblyCommand::Show { id }) => {
            show::assembly_view(&s.gov_assembly(id).await.map_err(err)?, json);
        }
        GovCommand::Propose(p) => {
            let majority = match p.majority {
                MajorityArg::Simple => Majority::Simple,
                MajorityArg::TwoThirds => Majority::TwoThirds,
                MajorityArg::ThreeQuarters => Majority::ThreeQuarters,
            };
            let decision = match (p.approve_study, p.study_terms_sha256, p.study_key) {
                (Some(study), Some(terms), Some(key)) => Some(Decision::ApproveStudy {
                    study,
                    terms_sha256: b64("study-terms-sha256", &terms)?,
                    study_key: b64("study-key", &key)?,
                }),
                _ => None,
            };
            let terms = s
                .gov_propose(
                    p.assembly,
                    &MotionRequest {
                        title: p.title,
                        text: p.text,
                        majority: Some(majority),
                        quorum_percent: p.quorum,
                        opens_at: p.opens,
                        closes_at: p.closes,
                        recused: p.recused,
                        decision,
                    },
                )
                .await
                .map_err(err)?;
            show::motion_terms(&terms, json);
        }
        GovCommand::Vote {
            motion,
            choice,
            for_member,
        } => {
            let choice = match choice {
                ChoiceArg::Yes => Choice::Yes,
                ChoiceArg::No => Choice::No,
                ChoiceArg::Abstain => Choice::Abstain,
            };
            let (ballot, rec) = s.gov_vote(motion, choice, for_member).await.map_err(err)?;
            show::recorded(
                "ballot",
                &serde_json::to_value(&ballot).unwrap_or_default(),
                rec.index,
                json,
            );
        }
        GovCommand::Proxy(p) => {
            let (assembly, to, revoke) = match p {
                ProxyCommand::Grant { assembly, to } => (assembly, to, false),
                ProxyCommand::Revoke { assembly, to } => (assembly, to, true),
            };
            let (signed, rec) = s.gov_proxy(assembly, to, revoke).await.map_err(err)?;
            show::recorded(
                if revoke { "proxy revocation" } else { "proxy" },
                &serde_json::to_value(&signed).unwrap_or_default(),
                rec.index,
                json,
            );
        }
        GovCommand::Results { motion } => {
            show::motion(&s.gov_motion(motion).await.map_err(err)?, json);
        }
        GovCommand::Minutes(MinutesCommand::Show {
            assembly,
            chair,
            board,
        }) => {
            let m = gov::minutes(s, load_state(&s.member_id)?, assembly, chair, board)
                .await
                .map_err(err)?;
            show::minutes(&m, json);
        }
        GovCommand::Minutes(MinutesCommand::Sign {
            assembly,
            chair,
            board,
            role,
        }) => {
            let role = match role {
                RoleArg::Chair => MinutesRole::Chair,
                RoleArg::Board => MinutesRole::Board,
            };
            let r = s
                .gov_sign_minutes(load_state(&s.member_id)?, assembly, chair, board, role)
                .await
                .map_err(err)?;
            show::recorded(
                "signature on the minutes",
                &serde_json::Value::Null,
                r.index,
                json,
            );
        }
        GovCommand::Object {
            assembly,
            motion,
            text,
        } => {
            let r = s.gov_object(assembly, motion, &text).await.map_err(err)?;
            show::recorded("objection", &serde_json::Value::Null, r.index, json);
        }
        GovCommand::Verify => {
            let path = state_path(&s.member_id);
            let state = load_state(&s.member_id)?;
            let report = gov::verify(s, state).await.map_err(err)?;
            if report.ok() {
                let bytes = serde_json::to_vec_pretty(&report.state).map_err(err)?;
                crate::session::write_private(&path, &bytes)?;
            }
            show::report(&report, json);
            if !report.ok() {
                return Err(format!(
                    "the governance log does not verify ({} problem(s))",
                    report.problems.len()
                ));
            }
        }
    }
    Ok(())
}
