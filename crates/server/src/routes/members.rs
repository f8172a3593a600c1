//! Registration, login, passphrase change and deletion of members (the
//! passphrase never arrives here).

use crate::error::ApiError;
use crate::extract::MemberAuth;
use crate::state::AppState;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use datacoop_accounts::passphrase::{self, Caller};
use datacoop_accounts::{deletion, members};
use datacoop_api::accounts::{
    AccountDeleted, AccountDeletion, LoginMaterialReplaced, LoginRequest, LoginResponse,
    PassphraseChange, PreloginRequest, PreloginResponse, RegisterRequest, Registered,
};
use datacoop_api::auth::Role;
use datacoop_api::devices::MemberKeyMaterial;
use datacoop_api::Problem;
use datacoop_auth::sessions;

/// Opens a data account from key material sealed on the client.
#[utoipa::path(
    tag = "members",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = Registered),
        (status = 409, description = "Email or id already registered", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/members")]
pub async fn register(
    state: web::Data<AppState>,
    body: web::Json<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = members::register(&state.db, &state.pepper, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(Registered { member_id: id }))
}

/// The passphrase KDF parameters for an email (always answers, member or not).
#[utoipa::path(
    tag = "auth",
    request_body = PreloginRequest,
    responses((status = 200, description = "KDF parameters", body = PreloginResponse))
)]
#[post("/auth/prelogin")]
pub async fn prelogin(
    state: web::Data<AppState>,
    body: web::Json<PreloginRequest>,
) -> Result<web::Json<PreloginResponse>, ApiError> {
    let kdf_params = members::prelogin(&state.db, &state.pepper, &body.email).await?;
    Ok(web::Json(PreloginResponse { kdf_params }))
}

/// Logs in with the authentication key; returns tokens and sealed keys.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "Unknown email or wrong passphrase", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see Retry-After", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>, ApiError> {
    let body = body.into_inner();
    let address = peer(&req);
    let stored = members::login(
        &state.db,
        &state.pepper,
        &state.limiter,
        &body.email,
        body.auth_key,
        &address,
    )
    .await?;
    // The login is logged in the transaction that starts the session.
    let entry = datacoop_accesslog::entry(
        datacoop_accesslog::Actor::Member { id: stored.id },
        datacoop_accesslog::Action::Login,
        stored.id,
    )?;
    let tokens = sessions::start_then(
        &state.db,
        &state.tokens,
        stored.id,
        Role::Member,
        body.label,
        vec![entry],
    )
    .await?;
    Ok(web::Json(LoginResponse {
        member_id: stored.id,
        tokens,
        sealed_vault_key: stored.sealed_vault_key,
        sealed_member_keys: stored.sealed_member_keys,
        public_keys: stored.public_keys,
    }))
}

/// The client's address, the key of per-address rate limits.
pub(crate) fn peer(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
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
    )
)]
#[put("/members/me/passphrase")]
pub async fn change_passphrase(
    state: web::Data<AppState>,
    auth: MemberAuth,
    req: HttpRequest,
    body: web::Json<PassphraseChange>,
) -> Result<web::Json<LoginMaterialReplaced>, ApiError> {
    let address = peer(&req);
    let caller = Caller {
        member_id: auth.0.sub,
        session: auth.0.sid,
        address: &address,
    };
    let revoked = passphrase::change(
        &state.db,
        &state.pepper,
        &state.limiter,
        caller,
        body.into_inner(),
    )
    .await?;
    Ok(web::Json(LoginMaterialReplaced {
        member_id: auth.0.sub,
        sessions_revoked: revoked,
    }))
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
    )
)]
#[delete("/members/me")]
pub async fn delete_account(
    state: web::Data<AppState>,
    auth: MemberAuth,
    req: HttpRequest,
    body: web::Json<AccountDeletion>,
) -> Result<web::Json<AccountDeleted>, ApiError> {
    let address = peer(&req);
    let caller = Caller {
        member_id: auth.0.sub,
        session: auth.0.sid,
        address: &address,
    };
    let erased = deletion::delete_account(
        &state.db,
        &state.pepper,
        &state.limiter,
        caller,
        body.into_inner().auth_key,
    )
    .await?;
    datacoop_accounts::blobs::remove_objects(&state.blobs, &erased.blob_objects).await;
    tracing::info!(member = %auth.0.sub, records = erased.records, "account deleted");
    Ok(web::Json(AccountDeleted {
        member_id: auth.0.sub,
        records_deleted: erased.records,
        sessions_deleted: erased.sessions,
        devices_deleted: erased.devices,
        blobs_deleted: erased.blobs,
        kept: Vec::new(),
    }))
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
    state: web::Data<AppState>,
    auth: MemberAuth,
) -> Result<web::Json<MemberKeyMaterial>, ApiError> {
    Ok(web::Json(
        members::key_material(&state.db, auth.0.sub).await?,
    ))
}
