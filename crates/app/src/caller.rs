//! Who calls a use case: built once from the verified token by the server's
//! extractors, so no handler assembles it by hand.

use datacoop_accesslog::Actor;
use datacoop_accounts::passphrase::Caller;
use datacoop_api::{MemberId, SessionId};
use std::net::IpAddr;

pub use datacoop_accounts::devices::DeviceCaller;

/// A member acting through one session, from one address.
#[derive(Debug, Clone)]
pub struct MemberCaller {
    /// The account (the token's subject).
    pub id: MemberId,
    /// The session of the token.
    pub session: SessionId,
    /// The client's address, the key of per-address rate limits (kept as an
    /// address, not text: only the few checks that rate-limit format it).
    pub address: Option<IpAddr>,
}

impl MemberCaller {
    /// The address as the rate limiter keys it.
    pub(crate) fn address_text(&self) -> String {
        self.address.map(|a| a.to_string()).unwrap_or_default()
    }

    /// As the accounts domain takes it (passphrase checks), with the
    /// address text from [`MemberCaller::address_text`].
    pub(crate) fn account<'a>(&self, address: &'a str) -> Caller<'a> {
        Caller {
            member_id: self.id,
            session: self.session,
            address,
        }
    }

    /// As the access log records it.
    pub(crate) fn actor(&self) -> Actor {
        Actor::Member { id: self.id.uuid() }
    }
}

/// A researcher acting through one session.
#[derive(Debug, Clone)]
pub struct ResearcherCaller {
    /// The researcher's account (the token's subject).
    pub id: MemberId,
    /// The session of the token.
    pub session: SessionId,
}

/// Whoever reads studies: a member (stewards are members) or a researcher.
#[derive(Debug, Clone, Copy)]
pub enum StudyReader {
    /// A member's account.
    Member(MemberId),
    /// A researcher's account.
    Researcher(MemberId),
}
