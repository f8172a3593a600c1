//! A member's encrypted records.

use crate::error::ApiError;
use crate::extract::MemberAuth;
use crate::state::AppState;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use datacoop_accounts::idempotency::IdempotencyKey;
use datacoop_accounts::records;
use datacoop_api::records::{
    BatchResult, BatchUpload, RecordFull, RecordMeta, RecordPage, RecordQuery, RecordUpload,
};
use datacoop_api::Problem;
use uuid::Uuid;

pub(crate) fn idempotency(
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

/// Stores one encrypted record. Retries with the same `Idempotency-Key`
/// (or the same record id and content) store nothing twice.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = RecordUpload,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, description = "Stored", body = BatchResult),
        (status = 409, description = "The id holds other content, or the key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records")]
pub async fn create(
    state: web::Data<AppState>,
    auth: MemberAuth,
    req: HttpRequest,
    body: web::Json<RecordUpload>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency(&req, &*body)?;
    let res = records::create(&state.db, auth.0.sub, vec![body.into_inner()], key).await?;
    Ok(HttpResponse::Created().json(res))
}

/// Stores many records in one all-or-nothing transaction (imports).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = BatchUpload,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, description = "All stored", body = BatchResult),
        (status = 409, description = "Conflict; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid record; nothing stored", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/batch")]
pub async fn batch(
    state: web::Data<AppState>,
    auth: MemberAuth,
    req: HttpRequest,
    body: web::Json<BatchUpload>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency(&req, &*body)?;
    let res = records::create(&state.db, auth.0.sub, body.into_inner().records, key).await?;
    Ok(HttpResponse::Created().json(res))
}

/// Lists the member's records (metadata only), filtered, with a cursor.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(RecordQuery),
    responses(
        (status = 200, description = "A page", body = RecordPage),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/records")]
pub async fn list(
    state: web::Data<AppState>,
    auth: MemberAuth,
    query: web::Query<RecordQuery>,
) -> Result<web::Json<RecordPage>, ApiError> {
    Ok(web::Json(
        records::list(&state.db, auth.0.sub, query.into_inner()).await?,
    ))
}

/// Fetches one record with its ciphertext; the read is written to the access log.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 200, description = "The record", body = RecordFull),
        (status = 404, description = "No such record of this member", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/records/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: MemberAuth,
    id: web::Path<Uuid>,
) -> Result<web::Json<RecordFull>, ApiError> {
    let actor = datacoop_accesslog::Actor::Member { id: auth.0.sub };
    Ok(web::Json(
        records::get(&state.db, auth.0.sub, *id, actor).await?,
    ))
}

/// Stores the next version of a record (version must be current + 1).
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    request_body = RecordUpload,
    responses(
        (status = 200, description = "The new version", body = RecordMeta),
        (status = 404, description = "No such record of this member", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Version conflict", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/records/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: MemberAuth,
    id: web::Path<Uuid>,
    body: web::Json<RecordUpload>,
) -> Result<web::Json<RecordMeta>, ApiError> {
    if body.id != *id {
        return Err(ApiError::Invalid(
            "the body's id differs from the path".into(),
        ));
    }
    Ok(web::Json(
        records::update(&state.db, auth.0.sub, body.into_inner()).await?,
    ))
}

/// Deletes a record.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Record id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such record of this member", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/records/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    auth: MemberAuth,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    records::delete(&state.db, auth.0.sub, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
