//! A study's dataset, for its researcher: one NDJSON stream of the consented copies
//! (ciphertext; the researcher decrypts on their machine), in pages to resume after.

use crate::error::ApiError;
use crate::extract::Researcher;
use actix_web::{get, web, HttpResponse};
use datacoop_api::Problem;
use datacoop_app::App;
use datacoop_consent_core::wire::{DatasetLine, DatasetQuery, NDJSON};
use futures_util::StreamExt;
use uuid::Uuid;

fn ndjson(lines: Vec<DatasetLine>) -> web::Bytes {
    let mut out = Vec::with_capacity(lines.len() * 256);
    for line in &lines {
        // Serialising these types cannot fail (no maps with non-string keys).
        if serde_json::to_writer(&mut out, line).is_ok() {
            out.push(b'\n');
        }
    }
    web::Bytes::from(out)
}

/// Downloads the study's consented data: the withdrawn participants' pseudonyms, then
/// each participant (pseudonym, sealed share key, the access-log entry of this export)
/// and their study copies, a `page` line after each page and `end` at the end. Each
/// participant is logged once per export id; resume with `after` = the last page's
/// cursor. Only the study's researcher, only while it recruits.
#[utoipa::path(tag = "research", security(("bearer" = [])), params(("id" = Uuid, Path, description = "The study"), DatasetQuery), responses(
    (status = 200, description = "The dataset, one JSON object per line", body = DatasetLine, content_type = "application/x-ndjson"),
    (status = 404, description = "No study of yours", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The study is closed (study_closed) or not approved (study_not_approved), or the export id is another download's (export_id_taken)", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A cursor that is not a page line's", body = Problem, content_type = "application/problem+json"),
))]
#[get("/studies/{id}/dataset")]
pub async fn dataset(
    app: web::Data<App>,
    me: Researcher,
    path: web::Path<Uuid>,
    query: web::Query<DatasetQuery>,
) -> Result<HttpResponse, ApiError> {
    let pages = app
        .dataset(&me.0, path.into_inner(), query.into_inner())
        .await?;
    let body = pages.map(|page| {
        page.map(ndjson)
            .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))
    });
    Ok(HttpResponse::Ok().content_type(NDJSON).streaming(body))
}
