//! Logging in and out, refreshing tokens, and the member's own sessions.

use crate::{App, AppError, MemberCaller};
use datacoop_accesslog::{self as accesslog, Action, Actor};
use datacoop_accounts::members;
use datacoop_api::accounts::{LoginRequest, LoginResponse, SessionInfo, SessionList};
use datacoop_api::auth::{Role, TokenPair, WhoAmI};
use datacoop_api::{MemberId, SessionId};
use datacoop_auth::{sessions, Claims};
use datacoop_store::time::format_micros;

fn rfc3339(secs: i64) -> String {
    format_micros(secs.saturating_mul(1_000_000))
}

impl App {
    /// Checks an access token's signature, audience and lifetime.
    pub fn verify_token(&self, token: &str) -> Result<Claims, AppError> {
        Ok(self.tokens.verify(token)?)
    }

    /// Logs a member in with the authentication key: checks it (rate-limited
    /// per account and address), then starts the session and writes the
    /// `login` log entry in one transaction.
    pub async fn login(&self, req: LoginRequest, address: &str) -> Result<LoginResponse, AppError> {
        let stored = members::login(
            &self.db,
            &self.hasher,
            &self.limiter,
            &req.email,
            req.auth_key.0,
            address,
        )
        .await?;
        let member = stored.id.uuid();
        let role = if self.is_researcher(member).await? {
            Role::Researcher
        } else {
            Role::Member
        };
        let entry = accesslog::entry(Actor::Member { id: member }, Action::Login, member)?;
        let tokens =
            sessions::start_then(&self.db, &self.tokens, member, role, req.label, vec![entry])
                .await?;
        Ok(LoginResponse {
            member_id: member,
            role,
            tokens,
            sealed_vault_key: stored.sealed_vault_key.into(),
            sealed_member_keys: stored.sealed_member_keys.into(),
            public_keys: stored.public_keys.into(),
        })
    }

    /// Exchanges a refresh token for a new pair; the presented token is spent.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, AppError> {
        Ok(sessions::refresh(&self.db, &self.tokens, refresh_token).await?)
    }

    /// Ends the session a refresh token belongs to; harmless if already ended.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AppError> {
        Ok(sessions::revoke_by_refresh(&self.db, refresh_token).await?)
    }

    /// Whom a verified token speaks for.
    pub fn whoami(&self, claims: &Claims) -> WhoAmI {
        WhoAmI {
            subject: claims.sub,
            role: claims.role,
            session: claims.sid,
            expires_at: claims.exp.max(0) as u64,
        }
    }

    /// The caller's live sessions, newest first; the caller's own is marked.
    pub async fn sessions(&self, caller: &MemberCaller) -> Result<SessionList, AppError> {
        let current = caller.session;
        let sessions = sessions::list(&self.db, caller.id.uuid())
            .await?
            .into_iter()
            .filter_map(|s| {
                let id = SessionId::parse(&s.id).ok()?;
                Some(SessionInfo {
                    id: id.uuid(),
                    label: s.label,
                    created_at: rfc3339(s.created_at),
                    last_used_at: rfc3339(s.last_used_at),
                    expires_at: rfc3339(s.expires_at),
                    current: id == current,
                })
            })
            .collect();
        Ok(SessionList { sessions })
    }

    /// Revokes one of the caller's sessions.
    pub async fn revoke_session(
        &self,
        caller: &MemberCaller,
        session: SessionId,
    ) -> Result<(), AppError> {
        if sessions::revoke(&self.db, caller.id.uuid(), session.uuid()).await? {
            Ok(())
        } else {
            Err(AppError::NotFound("no such session".into()))
        }
    }

    /// Starts a session for `subject` in `role` without a login: for roles
    /// whose sign-in is not built yet (researchers, stewards) the test
    /// harness mints tokens with it.
    pub async fn start_session(
        &self,
        subject: MemberId,
        role: Role,
        label: Option<String>,
    ) -> Result<TokenPair, AppError> {
        Ok(sessions::start(&self.db, &self.tokens, subject.uuid(), role, label).await?)
    }
}
