//! Why a governance action was refused, in words a member can act on.

use thiserror::Error;
use uuid::Uuid;

/// A refused governance action.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GovernanceError {
    /// The holder already represents as many members as the statutes allow.
    #[error(
        "{holder} already holds {max} proxies, the most the statutes allow (Cooperatives Act \
         §43(5): at most 2); the member must choose another proxy"
    )]
    TooManyProxies {
        /// The proxy holder.
        holder: Uuid,
        /// The limit.
        max: u8,
    },
    /// A member cannot be their own proxy.
    #[error("a member cannot appoint themselves as proxy")]
    OwnProxy,
    /// The member already appointed a proxy; revoke it first.
    #[error("{grantor} already appointed {holder} as proxy: revoke that first")]
    AlreadyRepresented {
        /// Who granted.
        grantor: Uuid,
        /// Who holds it now.
        holder: Uuid,
    },
    /// A rule value outside what the law allows.
    #[error("{0}")]
    InvalidRules(String),
    /// Outside the timeline the statutes set (§46), or an assembly or motion that does
    /// not hold together.
    #[error("{0}")]
    Timeline(String),
    /// Bytes that are not what they claim to be.
    #[error("{0}")]
    Malformed(String),
}
