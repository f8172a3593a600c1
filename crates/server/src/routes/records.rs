//! A member's encrypted records.

use crate::error::ApiError;
use crate::extract::{idempotency_key, Member};
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use datacoop_api::records::{
    BatchResult, BatchUpload, RecordFull, RecordMeta, RecordPage, RecordQuery, RecordUpload,
    RecordsRead, RecordsReadRequest,
};
use datacoop_api::{Problem, RecordId};
use datacoop_app::App;

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
    app: web::Data<App>,
    me: Member,
    req: HttpRequest,
    body: web::Json<RecordUpload>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req, &*body)?;
    let res = app
        .create_records(&me.0, vec![body.into_inner()], key)
        .await?;
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
    app: web::Data<App>,
    me: Member,
    req: HttpRequest,
    body: web::Json<BatchUpload>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req, &*body)?;
    let res = app
        .create_records(&me.0, body.into_inner().records, key)
        .await?;
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
    app: web::Data<App>,
    me: Member,
    query: web::Query<RecordQuery>,
) -> Result<web::Json<RecordPage>, ApiError> {
    Ok(web::Json(
        app.list_records(&me.0, query.into_inner()).await?,
    ))
}

/// Fetches up to 500 records with their ciphertext at once; each read is written to the
/// access log, in one transaction. Ids that are not your records come back as missing.
#[utoipa::path(
    tag = "records",
    security(("bearer" = [])),
    request_body = RecordsReadRequest,
    responses(
        (status = 200, description = "The records found, in the order asked", body = RecordsRead),
        (status = 422, description = "No ids, more than 500, or an id twice", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/records/read")]
pub async fn read_many(
    app: web::Data<App>,
    me: Member,
    body: web::Json<RecordsReadRequest>,
) -> Result<web::Json<RecordsRead>, ApiError> {
    Ok(web::Json(
        app.read_records(&me.0, body.into_inner().ids).await?,
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
    app: web::Data<App>,
    me: Member,
    id: web::Path<RecordId>,
) -> Result<web::Json<RecordFull>, ApiError> {
    Ok(web::Json(app.read_record(&me.0, *id).await?))
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
    app: web::Data<App>,
    me: Member,
    id: web::Path<RecordId>,
    body: web::Json<RecordUpload>,
) -> Result<web::Json<RecordMeta>, ApiError> {
    Ok(web::Json(
        app.update_record(&me.0, *id, body.into_inner()).await?,
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
    app: web::Data<App>,
    me: Member,
    id: web::Path<RecordId>,
) -> Result<HttpResponse, ApiError> {
    app.delete_record(&me.0, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
