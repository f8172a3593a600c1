//! Authentication extractors: a handler that takes one of these cannot run
//! without a valid token of the right role.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use datacoop_auth::{AuthError, Claims, Role};
use std::future::{ready, Ready};

/// Any valid access token.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Claims);

/// A valid access token of a member.
#[derive(Debug, Clone)]
pub struct MemberAuth(pub Claims);

fn bearer(req: &HttpRequest) -> Result<Claims, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or(ApiError::Internal)?;
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
    Ok(state.tokens.verify(token.trim())?)
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
