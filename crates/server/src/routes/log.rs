//! The access log: the log's key and checkpoints and the proofs are public
//! (outside verifiers need them, and they reveal only hashes); full entries
//! only to the member they concern.

use crate::error::ApiError;
use crate::extract::Member;
use actix_web::{get, post, web};
use datacoop_api::log::{
    ConsistencyProof, ConsistencyQuery, InclusionProofs, InclusionRequest, LogCheckpoint,
    LogEntryPage, LogEntryQuery, LogKey,
};
use datacoop_api::Problem;
use datacoop_app::App;

/// The log's origin and verifier key (pin it).
#[utoipa::path(tag = "access log", responses((status = 200, description = "The log's key", body = LogKey)))]
#[get("/log/key")]
pub async fn log_key(app: web::Data<App>) -> web::Json<LogKey> {
    web::Json(app.access_log_key())
}

/// The same key at a well-known address, for outside verifiers.
#[utoipa::path(tag = "access log", responses((status = 200, description = "The log's key", body = LogKey)))]
#[get("/.well-known/datacoop-log")]
pub async fn well_known(app: web::Data<App>) -> web::Json<LogKey> {
    web::Json(app.access_log_key())
}

/// The latest signed checkpoint, covering every committed entry.
#[utoipa::path(tag = "access log", responses((status = 200, description = "Signed checkpoint (C2SP tlog-checkpoint note)", body = LogCheckpoint)))]
#[get("/log/checkpoint")]
pub async fn checkpoint(app: web::Data<App>) -> Result<web::Json<LogCheckpoint>, ApiError> {
    let checkpoint = app.access_log_checkpoint().await?;
    Ok(web::Json(LogCheckpoint { checkpoint }))
}

/// The caller's own entries (data about them), filtered, with a cursor.
#[utoipa::path(
    tag = "access log",
    security(("bearer" = [])),
    params(LogEntryQuery),
    responses(
        (status = 200, description = "A page of entries", body = LogEntryPage),
        (status = 422, description = "Invalid filter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/log/entries")]
pub async fn entries(
    app: web::Data<App>,
    me: Member,
    query: web::Query<LogEntryQuery>,
) -> Result<web::Json<LogEntryPage>, ApiError> {
    Ok(web::Json(
        app.my_log_entries(&me.0, query.into_inner()).await?,
    ))
}

/// Inclusion proofs for up to 1,000 leaves against a tree size.
#[utoipa::path(
    tag = "access log",
    request_body = InclusionRequest,
    responses(
        (status = 200, description = "Proofs, in request order", body = InclusionProofs),
        (status = 422, description = "Index or size outside the log", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/log/proofs/inclusion")]
pub async fn inclusion(
    app: web::Data<App>,
    body: web::Json<InclusionRequest>,
) -> Result<web::Json<InclusionProofs>, ApiError> {
    Ok(web::Json(app.inclusion_proofs(body.into_inner()).await?))
}

/// A consistency proof between two tree sizes.
#[utoipa::path(
    tag = "access log",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "The proof", body = ConsistencyProof),
        (status = 422, description = "Sizes outside the log", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/log/proofs/consistency")]
pub async fn consistency(
    app: web::Data<App>,
    query: web::Query<ConsistencyQuery>,
) -> Result<web::Json<ConsistencyProof>, ApiError> {
    Ok(web::Json(
        app.consistency_proof(query.from, query.to).await?,
    ))
}
