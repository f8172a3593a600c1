//! Write-only device tokens: the member manages them; a device uses its
//! token only to add records sealed to the member's public key.

use crate::error::ApiError;
use crate::extract::{idempotency_key, Device, Member};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use datacoop_api::devices::{
    DeviceBatchKey, DeviceCreate, DeviceCreated, DeviceInfo, DeviceList, DeviceUpload,
};
use datacoop_api::records::BatchResult;
use datacoop_api::{BatchId, DeviceId, Problem};
use datacoop_app::App;

/// Enrols a write-only device: the member's client made its id and key pair
/// and signed its certificate. The token is in this answer only; the server
/// keeps its hash.
#[utoipa::path(
    tag = "devices",
    security(("bearer" = [])),
    request_body = DeviceCreate,
    responses(
        (status = 201, description = "Created; keep the token", body = DeviceCreated),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A device with this id exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, category, key or certificate", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/devices")]
pub async fn add(
    app: web::Data<App>,
    me: Member,
    body: web::Json<DeviceCreate>,
) -> Result<HttpResponse, ApiError> {
    let created: DeviceCreated = app.add_device(&me.0, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Lists the member's devices, revoked ones included.
#[utoipa::path(
    tag = "devices",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Devices", body = DeviceList),
        (status = 401, description = "Missing or invalid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/devices")]
pub async fn list(app: web::Data<App>, me: Member) -> Result<web::Json<DeviceList>, ApiError> {
    Ok(web::Json(app.list_devices(&me.0).await?))
}

/// Revokes a device token: its next request is refused. Records it added stay.
#[utoipa::path(
    tag = "devices",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Device id")),
    responses(
        (status = 200, description = "Revoked (or already revoked)", body = DeviceInfo),
        (status = 404, description = "No such device of yours", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/devices/{id}")]
pub async fn revoke(
    app: web::Data<App>,
    me: Member,
    id: web::Path<DeviceId>,
) -> Result<web::Json<DeviceInfo>, ApiError> {
    Ok(web::Json(app.revoke_device(&me.0, *id).await?))
}

/// The sealed key of a device batch, for the member's client to open the
/// batch's records (only the member's private key opens it).
#[utoipa::path(
    tag = "devices",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Batch id (from the record's wrapped_key)")),
    responses(
        (status = 200, description = "Sealed batch key", body = DeviceBatchKey),
        (status = 404, description = "No such batch in your account", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/devices/batches/{id}")]
pub async fn batch_key(
    app: web::Data<App>,
    me: Member,
    id: web::Path<BatchId>,
) -> Result<web::Json<DeviceBatchKey>, ApiError> {
    Ok(web::Json(app.device_batch_key(&me.0, *id).await?))
}

/// A device adds records (all or nothing), sealed to the member's public
/// key. Needs a device token; retries with the same `Idempotency-Key` store
/// nothing twice.
#[utoipa::path(
    tag = "devices",
    security(("device" = [])),
    request_body = DeviceUpload,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, description = "All stored", body = BatchResult),
        (status = 401, description = "Missing, unknown or revoked device token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a device token, or a category or change the device may not make", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Conflict; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid record or batch key; nothing stored", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/device/records")]
pub async fn upload(
    app: web::Data<App>,
    device: Device,
    req: HttpRequest,
    body: web::Json<DeviceUpload>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency_key(&req, &*body)?;
    let res: BatchResult = app.device_upload(device.0, body.into_inner(), key).await?;
    Ok(HttpResponse::Created().json(res))
}
