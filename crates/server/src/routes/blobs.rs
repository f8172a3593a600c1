//! A member's blobs: encrypted files streamed up and down in constant
//! memory. The upload body is the ciphertext itself; the JSON body limit does
//! not apply to it, `blobs.max_bytes` does.

use crate::error::ApiError;
use crate::extract::Member;
use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{delete, get, put, web, HttpRequest, HttpResponse};
use datacoop_accounts::blobs::UploadHeaders;
use datacoop_api::blobs::{
    BlobMeta, BlobPage, BlobQuery, Ciphertext, HEADER_CATEGORY, HEADER_SEALED_META, HEADER_SHA256,
    HEADER_SIZE, HEADER_WRAPPED_KEY,
};
use datacoop_api::{BlobId, Problem};
use datacoop_app::App;

fn text<'a>(req: &'a HttpRequest, name: &str) -> Result<Option<&'a str>, ApiError> {
    req.headers()
        .get(name)
        .map(|v| {
            v.to_str()
                .map(str::trim)
                .map_err(|_| ApiError::BadRequest(format!("the {name} header must be ASCII")))
        })
        .transpose()
}

fn required<'a>(req: &'a HttpRequest, name: &str) -> Result<&'a str, ApiError> {
    text(req, name)?.ok_or_else(|| {
        ApiError::Invalid(format!(
            "the {name} header is missing; see the OpenAPI document"
        ))
    })
}

fn bytes(req: &HttpRequest, name: &str) -> Result<Vec<u8>, ApiError> {
    datacoop_api::b64::decode(required(req, name)?)
        .ok_or_else(|| ApiError::Invalid(format!("the {name} header must be unpadded base64url")))
}

fn number(req: &HttpRequest, name: &str) -> Result<Option<u64>, ApiError> {
    text(req, name)?
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::BadRequest(format!("the {name} header must be a number of bytes"))
            })
        })
        .transpose()
}

/// Reads what an upload declares: its headers and its length.
fn declared(req: &HttpRequest) -> Result<UploadHeaders, ApiError> {
    let length = number(req, header::CONTENT_LENGTH.as_str())?;
    let size = match (length, number(req, HEADER_SIZE)?) {
        (Some(a), Some(b)) if a != b => {
            return Err(ApiError::Unprocessable(
                "blob_size_mismatch",
                format!("Content-Length says {a} bytes, {HEADER_SIZE} says {b}"),
            ))
        }
        (Some(n), _) | (None, Some(n)) => n,
        (None, None) => {
            return Err(ApiError::LengthRequired(format!(
                "send Content-Length, or {HEADER_SIZE} with a chunked body"
            )))
        }
    };
    Ok(UploadHeaders {
        category: required(req, HEADER_CATEGORY)?.to_owned(),
        wrapped_key: bytes(req, HEADER_WRAPPED_KEY)?,
        sealed_meta: bytes(req, HEADER_SEALED_META)?,
        size,
        sha256: text(req, HEADER_SHA256)?.map(str::to_ascii_lowercase),
    })
}

/// Stores a blob: the body is the ciphertext stream. The client chooses the
/// id, so a retry is safe: the same id with the same ciphertext answers 200
/// with what is stored; other ciphertext under that id is 409. A body that
/// is cut, longer or shorter than declared, or whose hash differs, stores nothing.
#[utoipa::path(
    tag = "blobs",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Blob id, chosen by the client (bound into the ciphertext's header)"),
        ("Datacoop-Blob-Category" = String, Header, description = "Visible category, e.g. health.documents"),
        ("Datacoop-Wrapped-Key" = String, Header, description = "Wrapped data key envelope, unpadded base64url"),
        ("Datacoop-Sealed-Meta" = String, Header, description = "Sealed metadata (file name, media type), unpadded base64url"),
        ("Datacoop-Blob-Size" = Option<u64>, Header, description = "Ciphertext length; required when the body is chunked, else equal to Content-Length"),
        ("Datacoop-Content-Sha256" = Option<String>, Header, description = "SHA-256 of the ciphertext, hex; checked when given"),
    ),
    request_body(content = Ciphertext, content_type = "application/octet-stream", description = "The ciphertext stream (docs/crypto.md section 12)"),
    responses(
        (status = 201, description = "Stored", body = BlobMeta),
        (status = 200, description = "Already stored with this ciphertext (a retry)", body = BlobMeta),
        (status = 400, description = "The body was cut or could not be read; nothing stored", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id holds other content (blob_exists)", body = Problem, content_type = "application/problem+json"),
        (status = 411, description = "No declared length", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than blobs.max_bytes (payload_too_large), or past the member's blobs.quota_bytes (blob_quota_exceeded)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid header, or the body differs from what was declared (blob_size_mismatch, blob_hash_mismatch, not_a_blob_stream); nothing stored", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/blobs/{id}")]
pub async fn upload(
    app: web::Data<App>,
    me: Member,
    id: web::Path<BlobId>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let declared = declared(&req)?;
    let (meta, created) = app.upload_blob(&me.0, *id, declared, body).await?;
    Ok(if created {
        HttpResponse::Created()
            .insert_header((header::LOCATION, datacoop_api::paths::blob(meta.id)))
            .json(meta)
    } else {
        HttpResponse::Ok().json(meta)
    })
}

/// Lists the member's blobs (metadata only), with a cursor.
#[utoipa::path(
    tag = "blobs",
    security(("bearer" = [])),
    params(BlobQuery),
    responses(
        (status = 200, description = "A page", body = BlobPage),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/blobs")]
pub async fn list(
    app: web::Data<App>,
    me: Member,
    query: web::Query<BlobQuery>,
) -> Result<web::Json<BlobPage>, ApiError> {
    Ok(web::Json(app.list_blobs(&me.0, query.into_inner()).await?))
}

/// One blob's metadata, with its wrapped key and sealed metadata (no content).
#[utoipa::path(
    tag = "blobs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Blob id")),
    responses(
        (status = 200, description = "The blob's metadata", body = BlobMeta),
        (status = 404, description = "No such blob of this member", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/blobs/{id}")]
pub async fn get(
    app: web::Data<App>,
    me: Member,
    id: web::Path<BlobId>,
) -> Result<web::Json<BlobMeta>, ApiError> {
    Ok(web::Json(app.blob_meta(&me.0, *id).await?))
}

/// Streams a blob's ciphertext; the read is written to the access log first.
#[utoipa::path(
    tag = "blobs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Blob id")),
    responses(
        (status = 200, description = "The ciphertext stream; the Datacoop-Content-Sha256 header carries its SHA-256", body = Ciphertext, content_type = "application/octet-stream"),
        (status = 404, description = "No such blob of this member", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/blobs/{id}/content")]
pub async fn content(
    app: web::Data<App>,
    me: Member,
    id: web::Path<BlobId>,
) -> Result<HttpResponse, ApiError> {
    let (meta, stream) = app.read_blob(&me.0, *id).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((HEADER_SHA256, meta.sha256))
        .body(SizedStream::new(meta.size, stream)))
}

/// Deletes a blob (its object goes when no other blob refers to it).
#[utoipa::path(
    tag = "blobs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Blob id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such blob of this member", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/blobs/{id}")]
pub async fn remove(
    app: web::Data<App>,
    me: Member,
    id: web::Path<BlobId>,
) -> Result<HttpResponse, ApiError> {
    app.delete_blob(&me.0, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
