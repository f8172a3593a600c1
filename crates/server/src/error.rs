//! The one place where errors become HTTP: every failure is an RFC 9457
//! `application/problem+json` body with a stable `code`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use datacoop_accesslog::LogError;
use datacoop_accounts::AccountError;
use datacoop_api::problem::{Problem, PROBLEM_CONTENT_TYPE};
use datacoop_app::AppError;
use datacoop_auth::AuthError;
use datacoop_consent::ConsentError;
use datacoop_governance::GovError;
use datacoop_governance_core::GovernanceError;
use datacoop_store::StoreError;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not valid JSON or does not fit the schema.
    #[error("{0}")]
    BadRequest(String),
    /// The body is not `application/json`.
    #[error("send the body as application/json")]
    UnsupportedMediaType,
    /// The body is larger than allowed.
    #[error(
        "the request body is larger than the limit of {0} bytes; split it into smaller requests"
    )]
    PayloadTooLarge(usize),
    /// No such route or resource (or the caller may not know it exists).
    #[error("{0}")]
    NotFound(String),
    /// The route exists but not with this method.
    #[error("this route does not accept that method")]
    MethodNotAllowed,
    /// Authentication failed or is missing (never a storage failure: those
    /// become `Unavailable` or `Internal` on conversion).
    #[error(transparent)]
    Auth(AuthError),
    /// Well-formed but invalid input.
    #[error("{0}")]
    Invalid(String),
    /// The request conflicts with what is stored.
    #[error("{1}")]
    Conflict(&'static str, String),
    /// A proof the caller gave (passphrase, recovery proof) does not hold: 401.
    #[error("{1}")]
    Unauthorized(&'static str, String),
    /// The caller is authenticated but the confirmation it gave is wrong: 403.
    #[error("{1}")]
    Forbidden(&'static str, String),
    /// Too many attempts.
    #[error("{0}")]
    TooManyRequests(String, u64),
    /// Well-formed but refused input with its own code (422).
    #[error("{1}")]
    Unprocessable(&'static str, String),
    /// A streamed body needs a declared length (411).
    #[error("{0}")]
    LengthRequired(String),
    /// A blob is larger than the server accepts (413).
    #[error("the file is larger than this server's limit of {0} bytes (blobs.max_bytes); nothing was stored")]
    BlobTooLarge(u64),
    /// The member's files would exceed their storage quota (413).
    #[error("{0}")]
    QuotaExceeded(String),
    /// The database is unreachable or overloaded.
    #[error("the service is temporarily unavailable; retry shortly")]
    Unavailable,
    /// Every slow-work permit (passphrase hashing) stayed taken: 503 with
    /// `Retry-After` seconds; the caller did nothing wrong.
    #[error("{0}")]
    Busy(String, u64),
    /// Something broke that is not the caller's fault.
    #[error("internal error; it has been logged")]
    Internal,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) | StoreError::Connect { .. } => {
                tracing::warn!(error = %e, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::Busy(secs) => ApiError::Busy(e.to_string(), secs),
            ref conflict if conflict.is_transient_conflict() => {
                tracing::warn!(error = %e, "transaction aborted by a concurrent one; answering 503");
                ApiError::Busy(
                    "another request changed the same data at the same moment; nothing was \
                     changed: send the request again"
                        .into(),
                    1,
                )
            }
            StoreError::BlobBody(_) => {
                ApiError::BadRequest(format!("{e}; nothing was stored, upload it again"))
            }
            StoreError::BlobTooLarge(max) => ApiError::BlobTooLarge(max),
            StoreError::Invalid(text) => ApiError::Invalid(text),
            StoreError::IdempotencyMismatch => {
                ApiError::Conflict("idempotency_key_reused", e.to_string())
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::Internal
            }
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Store(s) => ApiError::from(s),
            AuthError::Secret(reason) => {
                tracing::error!(%reason, "token secret failure");
                ApiError::Internal
            }
            other => ApiError::Auth(other),
        }
    }
}

impl From<LogError> for ApiError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::Invalid(text) => ApiError::Invalid(text),
            LogError::Store(s) => ApiError::from(s),
            other => {
                tracing::error!(error = %other, "access log failure");
                ApiError::Internal
            }
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let text = e.to_string();
        match e {
            AccountError::AlreadyExists => ApiError::Conflict("account_exists", text),
            AccountError::IdRetired => ApiError::Conflict("account_id_retired", text),
            AccountError::InvalidCredentials => ApiError::Auth(AuthError::InvalidCredentials),
            AccountError::WrongPassphrase => ApiError::Forbidden("wrong_passphrase", text),
            AccountError::RecoveryFailed => ApiError::Unauthorized("recovery_failed", text),
            AccountError::NoAccount => ApiError::NotFound(text),
            AccountError::RateLimited(secs) | AccountError::TooManyRegistrations(secs) => {
                ApiError::TooManyRequests(text, secs)
            }
            AccountError::Busy(secs) => {
                tracing::warn!("every passphrase-hashing permit is taken; answering 503");
                ApiError::Busy(text, secs)
            }
            AccountError::Invalid(_) => ApiError::Invalid(text),
            AccountError::NotFound => ApiError::NotFound(text),
            AccountError::VersionConflict { .. } => ApiError::Conflict("version_conflict", text),
            AccountError::RecordExists(_) => ApiError::Conflict("record_exists", text),
            AccountError::DeviceScope(_) => ApiError::Forbidden("device_scope", text),
            AccountError::RotationStale(_) => ApiError::Conflict("rotation_stale", text),
            AccountError::BlobExists(_) => ApiError::Conflict("blob_exists", text),
            AccountError::QuotaExceeded(_) => ApiError::QuotaExceeded(text),
            AccountError::BlobMismatch(code, _) => ApiError::Unprocessable(code, text),
            AccountError::Auth(a) => ApiError::from(a),
            AccountError::Log(l) => ApiError::from(l),
            AccountError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<GovError> for ApiError {
    fn from(e: GovError) -> Self {
        let text = e.to_string();
        match e {
            GovError::NotSteward => ApiError::Forbidden("not_a_steward", text),
            GovError::NotInRegister => ApiError::Forbidden("not_in_register", text),
            GovError::Invitation => ApiError::Forbidden("invitation_invalid", text),
            GovError::NotFound(_) => ApiError::NotFound(text),
            GovError::AlreadyLinked(_) => ApiError::Conflict("already_linked", text),
            GovError::NotVoting(_) => ApiError::Conflict("not_voting", text),
            GovError::Refused(code, _) => ApiError::Unprocessable(code, text),
            GovError::Rules(r) => match r {
                GovernanceError::TooManyProxies { .. } => {
                    ApiError::Conflict("too_many_proxies", text)
                }
                GovernanceError::AlreadyRepresented { .. } => {
                    ApiError::Conflict("already_represented", text)
                }
                GovernanceError::OwnProxy => ApiError::Unprocessable("own_proxy", text),
                GovernanceError::Timeline(_) => ApiError::Unprocessable("timeline", text),
                GovernanceError::InvalidRules(_) | GovernanceError::Malformed(_) => {
                    ApiError::Invalid(text)
                }
            },
            GovError::Invalid(_) => ApiError::Invalid(text),
            GovError::Log(l) => ApiError::from(l),
            GovError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<ConsentError> for ApiError {
    fn from(e: ConsentError) -> Self {
        let text = e.to_string();
        match e {
            ConsentError::NotFound(_) => ApiError::NotFound(text),
            ConsentError::Forbidden(code, _) => ApiError::Forbidden(code, text),
            ConsentError::Conflict(code, _) => ApiError::Conflict(code, text),
            ConsentError::Invalid(_) => ApiError::Invalid(text),
            ConsentError::Governance(g) => ApiError::from(g),
            ConsentError::Store(s) => ApiError::from(s),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::NotFound(text) => ApiError::NotFound(text),
            AppError::Invalid(text) => ApiError::Invalid(text),
            AppError::Account(a) => ApiError::from(a),
            AppError::Governance(g) => ApiError::from(g),
            AppError::Consent(c) => ApiError::from(c),
            AppError::Auth(a) => ApiError::from(a),
            AppError::Log(l) => ApiError::from(l),
            AppError::Store(s) => ApiError::from(s),
        }
    }
}

impl ApiError {
    /// The stable machine-readable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge(_) | ApiError::BlobTooLarge(_) => "payload_too_large",
            ApiError::QuotaExceeded(_) => "blob_quota_exceeded",
            ApiError::LengthRequired(_) => "length_required",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Invalid(_) => "invalid",
            ApiError::Conflict(code, _)
            | ApiError::Unprocessable(code, _)
            | ApiError::Unauthorized(code, _)
            | ApiError::Forbidden(code, _) => code,
            ApiError::TooManyRequests(..) => "too_many_requests",
            ApiError::Auth(a) => match a {
                AuthError::MissingToken => "missing_token",
                AuthError::Expired => "token_expired",
                AuthError::InvalidToken => "invalid_token",
                AuthError::InvalidCredentials => "invalid_credentials",
                AuthError::Forbidden(_) => "forbidden",
                AuthError::InvalidRefresh => "invalid_refresh_token",
                AuthError::RefreshReused => "refresh_token_reused",
                AuthError::DeviceTokenNotAllowed => "device_token_not_allowed",
                AuthError::InvalidDeviceToken => "invalid_device_token",
                AuthError::Secret(_) | AuthError::Store(_) => "internal",
            },
            ApiError::Unavailable => "unavailable",
            ApiError::Busy(..) => "server_busy",
            ApiError::Internal => "internal",
        }
    }

    fn title(&self) -> &'static str {
        self.status_code().canonical_reason().unwrap_or("Error")
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = self.to_string();
        Problem {
            type_uri: "about:blank".into(),
            title: self.title().into(),
            status: status.as_u16(),
            detail,
            code: self.code().into(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_)
            | ApiError::BlobTooLarge(_)
            | ApiError::QuotaExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Unprocessable(..) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::LengthRequired(_) => StatusCode::LENGTH_REQUIRED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(..) => StatusCode::CONFLICT,
            ApiError::Unauthorized(..) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(..) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Auth(a) => match a {
                AuthError::Forbidden(_) | AuthError::DeviceTokenNotAllowed => StatusCode::FORBIDDEN,
                AuthError::Secret(_) | AuthError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::UNAUTHORIZED,
            },
            ApiError::Unavailable | ApiError::Busy(..) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        match self {
            ApiError::Auth(AuthError::Expired) => {
                res.insert_header((
                    header::WWW_AUTHENTICATE,
                    "Bearer error=\"invalid_token\", error_description=\"token expired\"",
                ));
            }
            ApiError::Auth(
                AuthError::MissingToken | AuthError::InvalidToken | AuthError::InvalidDeviceToken,
            ) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::Unavailable => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::TooManyRequests(_, secs) | ApiError::Busy(_, secs) => {
                res.insert_header((header::RETRY_AFTER, secs.to_string()));
            }
            _ => {}
        }
        // Serialising a struct of strings cannot fail; fall back to an empty body if it did.
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// Turns actix's JSON extractor errors into problems (400, 413, 415).
pub fn json_error(err: actix_web::error::JsonPayloadError, limit: usize) -> ApiError {
    use actix_web::error::JsonPayloadError as J;
    match err {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => ApiError::PayloadTooLarge(limit),
        J::ContentType => ApiError::UnsupportedMediaType,
        J::Deserialize(e) if e.is_data() => ApiError::BadRequest(format!(
            "the JSON body does not fit this endpoint: {e}; see the OpenAPI document"
        )),
        J::Deserialize(e) => ApiError::BadRequest(format!("malformed JSON body: {e}")),
        J::Payload(e) => ApiError::BadRequest(format!("the body could not be read: {e}")),
        other => ApiError::BadRequest(format!("malformed JSON body: {other}")),
    }
}

#[cfg(test)]
mod tests;
