//! The arguments of `datacoop gov …`.

use clap::{Args, Subcommand, ValueEnum};
use uuid::Uuid;

mod register;
pub use register::RegisterCommand;

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
    /// General assemblies and meetings of bodies: convene (stewards), list, show, attend,
    /// and the discussion (ask, say, answer).
    #[command(subcommand)]
    Assembly(AssemblyCommand),
    /// File a motion on an assembly's agenda (at least a week before it starts, §46(2)),
    /// or an election with --candidate.
    Propose(ProposeArgs),
    /// Cast your ballot on a motion, signed on this machine; a later ballot replaces
    /// the earlier one until voting closes. In an election, name candidates with
    /// --candidate (numbered as `gov results` lists them), or abstain.
    Vote {
        /// The motion.
        motion: Uuid,
        /// Your choice (yes, no or abstain; omit it when naming candidates).
        #[arg(required_unless_present = "candidates")]
        choice: Option<ChoiceArg>,
        /// In an election: a candidate you vote for, by number (1, 2, ...); repeat for
        /// up to as many as there are seats.
        #[arg(long = "candidate", value_name = "NUMBER", conflicts_with = "choice")]
        candidates: Vec<u32>,
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
    /// The bodies (board, supervisory board, ethics committee), their elected members,
    /// and the powers the assembly delegated to them.
    Bodies,
    /// Minority demands (§45): a share of the members (10 % unless the statutes set
    /// less) may demand an assembly, or an item on one's agenda.
    #[command(subcommand)]
    Demand(DemandCommand),
    /// Verify the governance log: its signature, that it only grew, that the entries
    /// are the log's, and recount every closed vote from the signed ballots.
    Verify,
}

/// Minority demands.
#[derive(Subcommand)]
pub enum DemandCommand {
    /// File a demand, signed here as its first supporter; the members are told.
    File {
        /// For an item on this assembly's agenda (omit to demand an assembly).
        #[arg(long)]
        assembly: Option<Uuid>,
        /// The purpose, or the item's title.
        #[arg(long)]
        title: String,
        /// The reasons (§45(1) asks for them).
        #[arg(long)]
        reasons: String,
    },
    /// Support a demand by signing its terms here.
    Support {
        /// The demand.
        id: Uuid,
    },
    /// Every demand, with its supporters and the share needed.
    List,
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

/// Assemblies.
#[derive(Subcommand)]
pub enum AssemblyCommand {
    /// Convene a general assembly (stewards), at least 14 days ahead (§46(1)); with
    /// --body, a meeting of the board, supervisory board or ethics committee.
    Convene(ConveneArgs),
    /// Assemblies, newest first.
    List,
    /// One assembly and its agenda.
    Show {
        /// The assembly.
        id: Uuid,
    },
    /// The agenda: the motions filed for an assembly, with their voting windows.
    Agenda {
        /// The assembly.
        id: Uuid,
    },
    /// Sign that you take part in an assembly while it runs (virtual, hybrid or
    /// stretched); the minutes list you among the participating members (§47(2)).
    Attend {
        /// The assembly.
        id: Uuid,
    },
    /// Ask a question in an assembly's discussion (signed here; until it ends).
    Ask(SpeakArgs),
    /// Make a statement in an assembly's discussion, e.g. for or against a motion.
    Say(SpeakArgs),
    /// Answer a question or statement, named by its number in `gov assembly discussion`.
    Answer {
        /// The assembly.
        id: Uuid,
        /// The number (log index) of the contribution you answer.
        #[arg(long = "to", value_name = "NUMBER")]
        reply_to: u64,
        /// Your answer.
        #[arg(long)]
        text: String,
    },
    /// The discussion: every question, statement and answer, from the verified log.
    Discussion {
        /// The assembly.
        id: Uuid,
    },
}

/// A question or a statement.
#[derive(Args)]
pub struct SpeakArgs {
    /// The assembly.
    pub id: Uuid,
    /// About this motion.
    #[arg(long)]
    pub motion: Option<Uuid>,
    /// What you say.
    #[arg(long)]
    pub text: String,
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
    pub title: String,
    /// How it meets.
    #[arg(long, value_enum, default_value = "stretched")]
    pub form: FormArg,
    /// It starts (RFC 3339).
    #[arg(long)]
    pub starts: String,
    /// It ends (RFC 3339).
    #[arg(long)]
    pub ends: String,
    /// Where (needed in person or hybrid; virtual: the registered seat).
    #[arg(long)]
    pub place: Option<String>,
    /// How to take part electronically.
    #[arg(long)]
    pub how: Option<String>,
    /// Convene a meeting of this body instead (its members vote; no notice period).
    #[arg(long, value_enum)]
    pub body: Option<BodyArg>,
}

/// A body of the cooperative.
#[derive(Clone, Copy, ValueEnum)]
pub enum BodyArg {
    /// The board.
    Board,
    /// The supervisory board.
    SupervisoryBoard,
    /// The ethics committee.
    EthicsCommittee,
}

impl From<BodyArg> for datacoop_governance_core::Body {
    fn from(b: BodyArg) -> Self {
        match b {
            BodyArg::Board => Self::Board,
            BodyArg::SupervisoryBoard => Self::SupervisoryBoard,
            BodyArg::EthicsCommittee => Self::EthicsCommittee,
        }
    }
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
    pub assembly: Uuid,
    /// Title.
    #[arg(long)]
    pub title: String,
    /// The resolution's text.
    #[arg(long)]
    pub text: String,
    /// The majority it needs.
    #[arg(long, value_enum, default_value = "simple")]
    pub majority: MajorityArg,
    /// Quorum, percent of eligible members.
    #[arg(long)]
    pub quorum: Option<u8>,
    /// Voting opens (RFC 3339; default: the assembly's start).
    #[arg(long)]
    pub opens: Option<String>,
    /// Voting closes (RFC 3339; default: the assembly's end).
    #[arg(long)]
    pub closes: Option<String>,
    /// A member who may not vote on it (§43(6)); repeat for several.
    #[arg(long = "recuse", value_name = "MEMBER")]
    pub recused: Vec<Uuid>,
    /// The resolution approves this submitted research study, its terms and key as the
    /// server shows them after this machine checked the terms' digest (or as given with
    /// --study-terms-sha256 and --study-key): once carried, the cooperative's governance
    /// key signs them.
    #[arg(long, value_name = "STUDY")]
    pub approve_study: Option<Uuid>,
    /// SHA-256 of the study's terms (base64url), to approve exactly these.
    #[arg(long, value_name = "B64", requires_all = ["approve_study", "study_key"])]
    pub study_terms_sha256: Option<String>,
    /// The study's X25519 public key (base64url), to approve exactly this one.
    #[arg(long, value_name = "B64", requires_all = ["approve_study", "study_terms_sha256"])]
    pub study_key: Option<String>,
    /// The resolution closes this research study before its end date.
    #[arg(long, value_name = "STUDY", conflicts_with_all = ["candidates", "approve_study"])]
    pub close_study: Option<Uuid>,
    /// Make it an election with this candidate (register id); repeat, in ballot order.
    #[arg(long = "candidate", value_name = "MEMBER")]
    pub candidates: Vec<Uuid>,
    /// Seats the election fills (default 1).
    #[arg(long, requires = "candidates")]
    pub seats: Option<u32>,
    /// The election gives this body its whole composition (stewards).
    #[arg(long, value_enum, requires = "candidates")]
    pub elect: Option<BodyArg>,
    /// The resolution delegates approving studies to this body (stewards).
    #[arg(long, value_enum, value_name = "BODY", conflicts_with_all = ["candidates", "approve_study"])]
    pub delegate_study_approval: Option<BodyArg>,
    /// The resolution takes the approval of studies back to the assembly (stewards).
    #[arg(long, conflicts_with_all = ["candidates", "approve_study", "delegate_study_approval"])]
    pub end_study_delegation: bool,
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
