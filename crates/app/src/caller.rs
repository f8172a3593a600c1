//! Who calls a use case: built once from the verified token by the server's
//! extractors, so no handler assembles it by hand.

use datacoop_accesslog::Actor;
use datacoop_accounts::passphrase::Caller;
use datacoop_api::{MemberId, SessionId};

pub use datacoop_accounts::devices::DeviceCaller;

/// A member acting through one session, from one address.
#[derive(Debug, Clone)]
pub struct MemberCaller {
    /// The account (the token's subject).
    pub id: MemberId,
    /// The session of the token.
    pub session: SessionId,
    /// The client's address, the key of per-address rate limits.
    pub address: String,
}

impl MemberCaller {
    /// As the accounts domain takes it (passphrase checks).
    pub(crate) fn account(&self) -> Caller<'_> {
        Caller {
            member_id: self.id,
            session: self.session,
            address: &self.address,
        }
    }

    /// As the access log records it.
    pub(crate) fn actor(&self) -> Actor {
        Actor::Member { id: self.id.uuid() }
    }
}
