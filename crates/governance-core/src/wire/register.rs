//! The register's request and response bodies (§30), and its CSV export.

use datacoop_api::b64::Base64Url;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A steward enters a member in the register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The member's name.
    pub name: String,
    /// Postal address or other contact (§30(2)).
    pub contact: String,
    /// Where the cooperative's notices go (convening, agenda, votes, results, minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// When membership began (RFC 3339); default: now.
    #[serde(default)]
    pub joined_at: Option<String>,
    /// Shares subscribed (at least 1).
    pub shares: u32,
    /// Votes the statutes grant (default 1; up to 3 under §43(3)).
    #[serde(default)]
    pub votes: Option<u8>,
}

/// A member's entry in the register, as the member and the stewards see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisterView {
    /// The register id (the voter id on ballots).
    pub member: Uuid,
    /// The member number.
    pub number: u64,
    /// Name.
    pub name: String,
    /// Contact.
    pub contact: String,
    /// Where notices go, if the member gave an address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Membership began (unix microseconds).
    pub joined_at_micros: u64,
    /// Leaving takes effect (unix microseconds), if notice was given.
    pub leaves_at_micros: Option<u64>,
    /// Shares subscribed.
    pub shares: u32,
    /// Votes held.
    pub votes: u8,
    /// Whether a data account is linked to the entry.
    pub linked: bool,
    /// The governance key published for it, if any.
    pub governance_key: Option<Base64Url>,
    /// The blinding of the personal digest in the chain (check it with
    /// `datacoop gov verify`).
    pub blinding: Base64Url,
    /// Changes of the shares with their effective dates, oldest first (`shares` is
    /// what is in effect now).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub share_changes: Vec<ShareChangeView>,
    /// When the personal data (name, contact, e-mail) was removed, the retention
    /// period after leaving having run out; the entry itself stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub personal_removed_at_micros: Option<u64>,
}

/// One change of a member's shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShareChangeView {
    /// Shares held from the date.
    pub shares: u32,
    /// It takes effect (unix microseconds).
    pub effective_at_micros: u64,
}

/// A member sets (or, with none, removes) the address their notices go to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticeEmailRequest {
    /// The address; none to receive no more notices by e-mail.
    pub email: Option<String>,
}

/// A steward records a change of a member's shares.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareChangeRequest {
    /// The shares the member holds from the date (at least 1).
    pub shares: u32,
    /// When it takes effect (RFC 3339), e.g. the end of the business year.
    pub effective_at: String,
}

/// The register entry and its one-time invitation (shown in this answer only).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Registered {
    /// The entry.
    pub entry: RegisterView,
    /// Give this to the member: `datacoop gov join INVITATION` links their account.
    pub invitation: String,
    /// The invitation expires (unix microseconds).
    pub invitation_expires_at_micros: u64,
}

/// The register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegisterList {
    /// Entries by member number.
    pub items: Vec<RegisterView>,
    /// The nominal value of one share as the statutes state it ("100.00 EUR"), if the
    /// operator set it (`governance.share_value`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_value: Option<String>,
}

/// A steward records that a member's leaving takes effect.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeavingRequest {
    /// When it takes effect (RFC 3339), e.g. the end of the business year after the
    /// notice period; or give `notice_given_at` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaves_at: Option<String>,
    /// When the member gave notice (RFC 3339): the leaving then takes effect at the end
    /// of the business year at least the statutes' notice period later (§65(2)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_given_at: Option<String>,
}

/// The register as CSV (RFC 4180, with a header row). A field that a spreadsheet would
/// run as a formula (starting with `=`, `+`, `-`, `@`) is prefixed with `'`.
pub fn register_csv(list: &RegisterList) -> String {
    fn field(v: &str) -> String {
        let v = if v.starts_with(['=', '+', '-', '@']) {
            format!("'{v}")
        } else {
            v.to_owned()
        };
        if v.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", v.replace('"', "\"\""))
        } else {
            v
        }
    }
    fn date(micros: u64) -> String {
        datacoop_api::time::format_micros(micros.min(i64::MAX as u64) as i64)
    }
    let mut out = String::from(
        "number,register_id,name,contact,email,joined_at,leaves_at,shares,share_value,votes,linked,has_key,share_changes,personal_removed_at\r\n",
    );
    for e in &list.items {
        let row = [
            e.number.to_string(),
            e.member.to_string(),
            field(&e.name),
            field(&e.contact),
            field(e.email.as_deref().unwrap_or_default()),
            date(e.joined_at_micros),
            e.leaves_at_micros.map(date).unwrap_or_default(),
            e.shares.to_string(),
            field(list.share_value.as_deref().unwrap_or_default()),
            e.votes.to_string(),
            e.linked.to_string(),
            e.governance_key.is_some().to_string(),
            field(
                &e.share_changes
                    .iter()
                    .map(|c| format!("{} from {}", c.shares, date(c.effective_at_micros)))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            e.personal_removed_at_micros.map(date).unwrap_or_default(),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}
