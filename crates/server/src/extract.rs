//! Authentication extractors: a handler that takes one of these cannot run
//! without a valid token of the right role.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use datacoop_accounts::devices::{self, DeviceCaller};
use datacoop_auth::{device_token, AuthError, Claims, Role};
use futures_util::future::LocalBoxFuture;
use std::future::{ready, Ready};

/// Any valid access token.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Claims);

/// A valid access token of a member.
#[derive(Debug, Clone)]
pub struct MemberAuth(pub Claims);

/// A valid, unrevoked write-only device token.
#[derive(Debug, Clone)]
pub struct DeviceAuth(pub DeviceCaller);

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or(ApiError::Internal)
}

fn bearer(req: &HttpRequest) -> Result<Claims, ApiError> {
    let token = bearer_text(req)?;
    if device_token::is_device_token(token) {
        return Err(AuthError::DeviceTokenNotAllowed.into());
    }
    Ok(state(req)?.tokens.verify(token)?)
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

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).map(Authenticated))
    }
}

impl FromRequest for MemberAuth {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer(req).and_then(|c| match c.role {
            Role::Member => Ok(MemberAuth(c)),
            other => Err(AuthError::Forbidden(other.as_str()).into()),
        }))
    }
}

impl FromRequest for DeviceAuth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let checked = bearer_text(req).and_then(|token| {
            if device_token::is_device_token(token) {
                Ok((state(req)?, token.to_owned()))
            } else {
                // A member's (or another role's) token: say which, else that it is invalid.
                let claims = state(req)?.tokens.verify(token)?;
                Err(AuthError::Forbidden(claims.role.as_str()).into())
            }
        });
        Box::pin(async move {
            let (state, token) = checked?;
            Ok(DeviceAuth(devices::authenticate(&state.db, &token).await?))
        })
    }
}
