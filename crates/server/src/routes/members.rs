//! Registration, login, passphrase change and deletion of members (the
//! passphrase never arrives here).

use crate::error::ApiError;
use crate::extract::{peer, Member};
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use datacoop_api::accounts::{
    AccountDeleted, AccountDeletion, KeyRotationRequest, KeysRotated, LoginMaterialReplaced,
    LoginRequest, LoginResponse, PassphraseChange, PreloginRequest, PreloginResponse,
    RecordKeyPage, RecordKeyQuery, RecoveryCodeChange, RegisterRequest, Registered,
};
use datacoop_api::devices::MemberKeyMaterial;
use datacoop_api::Problem;
use datacoop_app::App;

/// Opens a data account from key material sealed on the client.
#[utoipa::path(
    tag = "members",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = Registered),
        (status = 409, description = "Email or id already registered (refused before any hashing)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many new accounts from this address; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy checking passphrases (server_busy); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/members")]
pub async fn register(
    app: web::Data<App>,
    req: HttpRequest,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = app.register(body.into_inner(), &peer(&req)).await?;
    Ok(HttpResponse::Created().json(Registered {
        member_id: id.uuid(),
    }))
}

/// The passphrase KDF parameters for an email (always answers, member or not).
#[utoipa::path(
    tag = "auth",
    request_body = PreloginRequest,
    responses((status = 200, description = "KDF parameters", body = PreloginResponse))
)]
#[post("/auth/prelogin")]
pub async fn prelogin(
    app: web::Data<App>,
    body: web::Json<PreloginRequest>,
) -> Result<web::Json<PreloginResponse>, ApiError> {
    Ok(web::Json(app.prelogin(&body.email).await?))
}

/// Logs in with the authentication key; returns tokens and sealed keys.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "Unknown email or wrong passphrase", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy checking passphrases (server_busy); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    app: web::Data<App>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    Ok(web::Json(app.login(body.into_inner(), &peer(&req)).await?))
}

/// Changes the passphrase: proves the current one, re-seals the vault key,
/// and revokes every other session.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = PassphraseChange,
    responses(
        (status = 200, description = "Passphrase changed; other sessions revoked", body = LoginMaterialReplaced),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The current passphrase is wrong (wrong_passphrase)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid new material (e.g. KDF parameters below the floor)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy checking passphrases (server_busy); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/members/me/passphrase")]
pub async fn change_passphrase(
    app: web::Data<App>,
    me: Member,
    body: web::Json<PassphraseChange>,
) -> Result<web::Json<LoginMaterialReplaced>, ApiError> {
    Ok(web::Json(
        app.change_passphrase(&me.0, body.into_inner()).await?,
    ))
}

/// Replaces the recovery code: the member proves the current passphrase and
/// sends the vault key sealed under a new recovery key with that key's public
/// half; the old code no longer recovers anything.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = RecoveryCodeChange,
    responses(
        (status = 204, description = "Recovery code replaced"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The current passphrase is wrong (wrong_passphrase)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid recovery material", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy checking passphrases (server_busy); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/members/me/recovery")]
pub async fn change_recovery_code(
    app: web::Data<App>,
    me: Member,
    body: web::Json<RecoveryCodeChange>,
) -> Result<HttpResponse, ApiError> {
    app.change_recovery_code(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Rotates the member's keys: a new vault key, new key pairs and a new
/// recovery code, made on the client, with every data key re-wrapped under
/// the new vault key. Devices are revoked and other sessions end. Mounted
/// with its own body limit ([`ROTATION_JSON_LIMIT`]): it carries every wrap.
#[utoipa::path(
    post,
    path = "/members/me/keys/rotation",
    tag = "members",
    security(("bearer" = [])),
    request_body = KeyRotationRequest,
    responses(
        (status = 200, description = "Keys rotated (or this rotation was already in place)", body = KeysRotated),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The current passphrase is wrong (wrong_passphrase)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Records or files changed meanwhile (rotation_stale): nothing changed, run it again", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The request is larger than the server accepts", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid material or a statement that does not verify", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy checking passphrases (server_busy); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn rotate_keys(
    app: web::Data<App>,
    me: Member,
    body: web::Json<KeyRotationRequest>,
) -> Result<web::Json<KeysRotated>, ApiError> {
    Ok(web::Json(app.rotate_keys(&me.0, body.into_inner()).await?))
}

/// Body limit of a key rotation: a wrap per record and file (at most
/// `MAX_ROTATION_ITEMS`, about 200 bytes each in JSON).
pub const ROTATION_JSON_LIMIT: usize = 48 * 1024 * 1024;

/// Every record's wrapped data key, in id order (what a key rotation re-wraps).
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    params(RecordKeyQuery),
    responses(
        (status = 200, description = "A page of wrapped keys", body = RecordKeyPage),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members/me/record-keys")]
pub async fn record_keys(
    app: web::Data<App>,
    me: Member,
    query: web::Query<RecordKeyQuery>,
) -> Result<web::Json<RecordKeyPage>, ApiError> {
    Ok(web::Json(app.record_keys(&me.0, query.into_inner()).await?))
}

/// Deletes the account and everything in it (right to erasure), after the
/// passphrase is confirmed.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    request_body = AccountDeletion,
    responses(
        (status = 200, description = "Account, sealed keys, records and sessions deleted", body = AccountDeleted),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The passphrase is wrong (wrong_passphrase)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account no longer exists", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Busy checking passphrases (server_busy); see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/members/me")]
pub async fn delete_account(
    app: web::Data<App>,
    me: Member,
    body: web::Json<AccountDeletion>,
) -> Result<web::Json<AccountDeleted>, ApiError> {
    Ok(web::Json(
        app.delete_member(&me.0, body.into_inner()).await?,
    ))
}

/// The member's public keys and private keys sealed under the vault key
/// (only the member's client can open them): to hand a device the public
/// key, or to open what devices added.
#[utoipa::path(
    tag = "members",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Key material", body = MemberKeyMaterial),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The account no longer exists", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/members/me/keys")]
pub async fn key_material(
    app: web::Data<App>,
    me: Member,
) -> Result<web::Json<MemberKeyMaterial>, ApiError> {
    Ok(web::Json(app.key_material(&me.0).await?))
}
