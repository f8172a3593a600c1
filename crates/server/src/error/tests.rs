//! The HTTP mapping of errors: statuses, codes, Retry-After and problem bodies.

use super::*;

#[test]
fn codes_are_stable_snake_case_and_never_500_for_bad_input() {
    let caller_faults = [
        ApiError::BadRequest("x".into()),
        ApiError::UnsupportedMediaType,
        ApiError::PayloadTooLarge(1),
        ApiError::NotFound("x".into()),
        ApiError::MethodNotAllowed,
        ApiError::Auth(AuthError::MissingToken),
        ApiError::Auth(AuthError::Expired),
        ApiError::Auth(AuthError::InvalidToken),
        ApiError::Auth(AuthError::Forbidden("member")),
        ApiError::Auth(AuthError::InvalidRefresh),
        ApiError::Auth(AuthError::RefreshReused),
        ApiError::Auth(AuthError::DeviceTokenNotAllowed),
        ApiError::Auth(AuthError::InvalidDeviceToken),
        ApiError::Unauthorized("recovery_failed", "x".into()),
        ApiError::Forbidden("wrong_passphrase", "x".into()),
        ApiError::Unprocessable("blob_hash_mismatch", "x".into()),
        ApiError::LengthRequired("x".into()),
        ApiError::BlobTooLarge(1),
        ApiError::from(StoreError::BlobBody("cut".into())),
    ];
    for e in caller_faults {
        assert!(e.status_code().is_client_error(), "{e:?}");
        let code = e.code();
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
        let p = e.problem();
        assert_eq!(p.status, e.status_code().as_u16());
    }
}

#[test]
fn busy_hashing_and_limits_say_when_to_come_back() {
    for (e, status) in [
        (ApiError::from(AccountError::Busy(2)), 503),
        (ApiError::from(StoreError::Busy(2)), 503),
        (ApiError::from(AccountError::RateLimited(2)), 429),
        (ApiError::from(AccountError::TooManyRegistrations(2)), 429),
    ] {
        let res = e.error_response();
        assert_eq!(res.status().as_u16(), status, "{e:?}");
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "2");
    }
    let busy = ApiError::from(AccountError::Busy(2));
    assert_eq!(busy.code(), "server_busy");
    assert!(busy.to_string().contains("busy checking passphrases"));
}

/// What PostgreSQL reports when it aborts one of two conflicting transactions.
struct Aborted(&'static str);

impl diesel::result::DatabaseErrorInformation for Aborted {
    fn message(&self) -> &str {
        self.0
    }
    fn details(&self) -> Option<&str> {
        None
    }
    fn hint(&self) -> Option<&str> {
        None
    }
    fn table_name(&self) -> Option<&str> {
        None
    }
    fn column_name(&self) -> Option<&str> {
        None
    }
    fn constraint_name(&self) -> Option<&str> {
        None
    }
    fn statement_position(&self) -> Option<i32> {
        None
    }
}

#[test]
fn a_deadlock_or_serialization_failure_says_send_again() {
    use diesel::result::{DatabaseErrorKind as K, Error as D};
    for (kind, message) in [
        (K::Unknown, "deadlock detected"),
        (K::SerializationFailure, "could not serialize access"),
    ] {
        let e = ApiError::from(StoreError::Query(D::DatabaseError(
            kind,
            Box::new(Aborted(message)),
        )));
        let res = e.error_response();
        assert_eq!(res.status().as_u16(), 503, "{message}");
        assert_eq!(res.headers().get(header::RETRY_AFTER).unwrap(), "1");
        assert!(e.to_string().contains("send the request again"));
    }
    let other = ApiError::from(StoreError::Query(D::DatabaseError(
        K::Unknown,
        Box::new(Aborted("disk full")),
    )));
    assert_eq!(other.error_response().status().as_u16(), 500);
}
