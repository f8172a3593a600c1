//! The arguments of `datacoop gov register …`.

use clap::Subcommand;
use uuid::Uuid;

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
        /// E-mail address for the cooperative's notices (convening, agenda, votes,
        /// results, minutes).
        #[arg(long)]
        email: Option<String>,
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
    /// Record when a member's leaving takes effect (stewards): at a date, or from the
    /// day they gave notice (then at the end of the business year after the statutes'
    /// notice period, §65(2)).
    Leave {
        /// The member's register id.
        member: Uuid,
        /// When it takes effect (RFC 3339).
        #[arg(
            long,
            required_unless_present = "notice_given",
            conflicts_with = "notice_given"
        )]
        at: Option<String>,
        /// When the member gave notice (RFC 3339).
        #[arg(long, value_name = "DATE")]
        notice_given: Option<String>,
    },
    /// Record that a member holds this many shares from a date (stewards): further
    /// shares subscribed, or notice given on some (§30(2)).
    Shares {
        /// The member's register id.
        member: Uuid,
        /// The shares held from the date.
        #[arg(long)]
        shares: u32,
        /// When the change takes effect (RFC 3339).
        #[arg(long)]
        effective: String,
    },
    /// Issue a new invitation for a member (stewards): after they rotated their keys,
    /// they join again with it and their new governance key replaces the old one.
    Reinvite {
        /// The member's register id.
        member: Uuid,
    },
    /// Your own entry.
    Me,
    /// Where your notices go: set your e-mail address, or stop e-mail notices.
    Email {
        /// The address.
        #[arg(required_unless_present = "none", conflicts_with = "none")]
        address: Option<String>,
        /// Receive no more notices by e-mail.
        #[arg(long)]
        none: bool,
    },
}
