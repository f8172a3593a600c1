//! Access tokens: JWTs signed with HS256, algorithm pinned, `iss`, `aud` and
//! `exp` checked on every request.

use crate::{now_secs, provider, AuthError, Role, TokenSecret};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Lifetimes and names that go into tokens.
#[derive(Debug, Clone)]
pub struct TokenSettings {
    /// `iss`: who issued the token (the cooperative's server).
    pub issuer: String,
    /// `aud`: who the token is for (this API).
    pub audience: String,
    /// Lifetime of an access token, seconds.
    pub access_ttl_secs: u64,
    /// Lifetime of an unused refresh token (and of a session's inactivity), seconds.
    pub refresh_ttl_secs: u64,
}

impl Default for TokenSettings {
    fn default() -> Self {
        TokenSettings {
            issuer: "datacoop".into(),
            audience: "datacoop-api".into(),
            access_ttl_secs: 15 * 60,
            refresh_ttl_secs: 30 * 24 * 3600,
        }
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// The account the token speaks for.
    pub sub: Uuid,
    /// Its role; endpoints check it.
    pub role: Role,
    /// The session (refresh-token family), so logout can name it.
    pub sid: Uuid,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
}

/// Issues and checks access tokens.
pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    settings: TokenSettings,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Tokens {
    /// Builds the issuer/verifier for one secret.
    pub fn new(secret: &TokenSecret, settings: TokenSettings) -> Self {
        provider::install();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[settings.issuer.as_str()]);
        validation.set_audience(&[settings.audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        validation.validate_exp = true;
        Tokens {
            encoding: EncodingKey::from_secret(secret.bytes()),
            decoding: DecodingKey::from_secret(secret.bytes()),
            validation,
            settings,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// Issues an access token; returns it with its expiry (epoch seconds).
    pub fn issue(
        &self,
        subject: Uuid,
        role: Role,
        session: Uuid,
    ) -> Result<(String, i64), AuthError> {
        self.issue_at(subject, role, session, now_secs())
    }

    /// Issues an access token as if it were `now` (tests use this for expiry).
    pub fn issue_at(
        &self,
        subject: Uuid,
        role: Role,
        session: Uuid,
        now: i64,
    ) -> Result<(String, i64), AuthError> {
        let exp = now + self.settings.access_ttl_secs as i64;
        let claims = Claims {
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            sub: subject,
            role,
            sid: session,
            iat: now,
            exp,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|_| AuthError::InvalidToken)?;
        Ok((token, exp))
    }

    /// Checks signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                _ => AuthError::InvalidToken,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    fn tokens() -> Tokens {
        Tokens::new(&TokenSecret::generate().unwrap(), TokenSettings::default())
    }

    #[test]
    fn round_trip() {
        let t = tokens();
        let (sub, sid) = (Uuid::now_v7(), Uuid::now_v7());
        let (tok, _) = t.issue(sub, Role::Member, sid).unwrap();
        let c = t.verify(&tok).unwrap();
        assert_eq!((c.sub, c.role, c.sid), (sub, Role::Member, sid));
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused() {
        let t = tokens();
        let (tok, _) = t
            .issue_at(
                Uuid::now_v7(),
                Role::Member,
                Uuid::now_v7(),
                now_secs() - 3600,
            )
            .unwrap();
        assert!(matches!(t.verify(&tok), Err(AuthError::Expired)));

        let (tok, _) = t
            .issue(Uuid::now_v7(), Role::Member, Uuid::now_v7())
            .unwrap();
        let mut parts: Vec<String> = tok.split('.').map(String::from).collect();
        let mut claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        claims["role"] = "steward".into();
        parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
        assert!(matches!(
            t.verify(&parts.join(".")),
            Err(AuthError::InvalidToken)
        ));

        let other = tokens();
        assert!(matches!(other.verify(&tok), Err(AuthError::InvalidToken)));

        // alg=none and other algorithms are never accepted.
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let forged = format!("{none_header}.{}.", tok.split('.').nth(1).unwrap());
        assert!(matches!(t.verify(&forged), Err(AuthError::InvalidToken)));
        assert!(matches!(t.verify("garbage"), Err(AuthError::InvalidToken)));
    }

    #[test]
    fn wrong_audience_is_refused() {
        let secret = TokenSecret::generate().unwrap();
        let a = Tokens::new(&secret, TokenSettings::default());
        let b = Tokens::new(
            &secret,
            TokenSettings {
                audience: "other".into(),
                ..TokenSettings::default()
            },
        );
        let (tok, _) = b
            .issue(Uuid::now_v7(), Role::Member, Uuid::now_v7())
            .unwrap();
        assert!(matches!(a.verify(&tok), Err(AuthError::InvalidToken)));
    }
}
