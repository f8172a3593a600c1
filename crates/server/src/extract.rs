//! What handlers take from a request: the caller (a handler that takes one
//! of these cannot run without a valid token of the right role), the
//! client's address and the `Idempotency-Key`.

use crate::error::ApiError;
use crate::forwarded::TrustedProxies;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use datacoop_app::{App, DeviceCaller, MemberCaller, ResearcherCaller, StudyReader};
use datacoop_auth::{device_token, AuthError, Claims, Role};
use datacoop_store::idempotency::IdempotencyKey;
use futures_util::future::LocalBoxFuture;
use std::future::{ready, Ready};
use std::net::IpAddr;

/// Any valid access token.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Claims);

/// A member, by a valid member access token, and from where it calls.
#[derive(Debug, Clone)]
pub struct Member(pub MemberCaller);

/// A researcher, by a valid researcher access token.
#[derive(Debug, Clone)]
pub struct Researcher(pub ResearcherCaller);

/// Whoever may read studies: a member's or a researcher's token.
#[derive(Debug, Clone, Copy)]
pub struct Reader(pub StudyReader);

/// A valid, unrevoked write-only device token.
#[derive(Debug, Clone)]
pub struct Device(pub DeviceCaller);

fn app(req: &HttpRequest) -> Result<web::Data<App>, ApiError> {
    req.app_data::<web::Data<App>>()
        .cloned()
        .ok_or(ApiError::Internal)
}

fn bearer(req: &HttpRequest) -> Result<Claims, ApiError> {
    let token = bearer_text(req)?;
    if device_token::is_device_token(token) {
        return Err(AuthError::DeviceTokenNotAllowed.into());
    }
    Ok(app(req)?.verify_token(token)?)
}

/// The bearer token as sent.
fn bearer_text(req: &HttpRequest) -> Result<&str, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(AuthError::MissingToken)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .ok_or(AuthError::MissingToken)?;
    Ok(token.trim())
}

/// The client's address, the key of per-address rate limits: the TCP peer,
/// or behind a configured trusted proxy the address it forwarded
/// ([`TrustedProxies::client`]).
pub fn client_ip(req: &HttpRequest) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip());
    match req.app_data::<web::Data<TrustedProxies>>() {
        Some(proxies) => proxies.client(peer, req.headers()),
        None => peer,
    }
}

/// [`client_ip`] as the rate limiters key it.
pub fn peer(req: &HttpRequest) -> String {
    client_ip(req).map(|a| a.to_string()).unwrap_or_default()
}

/// The request's `Idempotency-Key`, bound to the hash of its body.
pub fn idempotency_key(
    req: &HttpRequest,
    body: &impl serde::Serialize,
) -> Result<Option<IdempotencyKey>, ApiError> {
    let Some(value) = req.headers().get("Idempotency-Key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .map_err(|_| ApiError::BadRequest("Idempotency-Key must be ASCII".into()))?;
    let bytes = serde_json::to_vec(body).map_err(|_| ApiError::Internal)?;
    Ok(Some(IdempotencyKey::new(key, &bytes)?))
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).map(Authenticated))
    }
}

impl FromRequest for Member {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).and_then(|c| match c.role {
            Role::Member => Ok(Member(MemberCaller {
                id: c.sub.into(),
                session: c.sid.into(),
                address: client_ip(req),
            })),
            other => Err(AuthError::Forbidden(other.as_str()).into()),
        }))
    }
}

impl FromRequest for Researcher {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).and_then(|c| match c.role {
            Role::Researcher => Ok(Researcher(ResearcherCaller {
                id: c.sub.into(),
                session: c.sid.into(),
            })),
            other => Err(AuthError::Forbidden(other.as_str()).into()),
        }))
    }
}

impl FromRequest for Reader {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).and_then(|c| match c.role {
            Role::Member => Ok(Reader(StudyReader::Member(c.sub.into()))),
            Role::Researcher => Ok(Reader(StudyReader::Researcher(c.sub.into()))),
            other => Err(AuthError::Forbidden(other.as_str()).into()),
        }))
    }
}

impl FromRequest for Device {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = bearer_text(req).and_then(|token| {
            if device_token::is_device_token(token) {
                Ok((app(req)?, token.to_owned()))
            } else {
                // A member's (or another role's) token: say which, else that it is invalid.
                let claims = app(req)?.verify_token(token)?;
                Err(AuthError::Forbidden(claims.role.as_str()).into())
            }
        });
        Box::pin(async move {
            let (app, token) = checked?;
            Ok(Device(app.authenticate_device(&token).await?))
        })
    }
}
