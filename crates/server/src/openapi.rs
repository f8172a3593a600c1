//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The whole API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "datacoop",
        description = "Member-owned personal data vault: encrypted data accounts, consent, access logs, governance. Errors are RFC 9457 application/problem+json with a stable `code`.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        crate::routes::health::healthz,
        crate::routes::health::readyz,
        crate::routes::health::metrics,
        crate::routes::health::openapi,
        crate::routes::auth::refresh,
        crate::routes::auth::logout,
        crate::routes::auth::whoami,
        crate::routes::research::register,
        crate::routes::research::profile,
        crate::routes::research::list,
        crate::routes::research::verify,
        crate::routes::research::create,
        crate::routes::research::studies,
        crate::routes::research::study,
        crate::routes::research::submit,
        crate::routes::research::close,
        crate::routes::datasets::dataset,
        crate::routes::consents::grant,
        crate::routes::consents::copies,
        crate::routes::consents::activate,
        crate::routes::consents::withdraw,
        crate::routes::consents::list,
        crate::routes::consents::show,
        crate::routes::members::register,
        crate::routes::members::prelogin,
        crate::routes::members::login,
        crate::routes::members::change_passphrase,
        crate::routes::members::change_recovery_code,
        crate::routes::members::delete_account,
        crate::routes::members::key_material,
        crate::routes::members::rotate_keys,
        crate::routes::members::record_keys,
        crate::routes::devices::add,
        crate::routes::devices::list,
        crate::routes::devices::revoke,
        crate::routes::devices::batch_key,
        crate::routes::devices::upload,
        crate::routes::recovery::start,
        crate::routes::recovery::complete,
        crate::routes::sessions::list,
        crate::routes::sessions::revoke,
        crate::routes::records::create,
        crate::routes::records::batch,
        crate::routes::records::read_many,
        crate::routes::records::list,
        crate::routes::records::get,
        crate::routes::records::update,
        crate::routes::records::remove,
        crate::routes::blobs::upload,
        crate::routes::blobs::list,
        crate::routes::blobs::get,
        crate::routes::blobs::content,
        crate::routes::blobs::remove,
        crate::routes::log::log_key,
        crate::routes::log::well_known,
        crate::routes::log::checkpoint,
        crate::routes::log::entries,
        crate::routes::log::inclusion,
        crate::routes::log::consistency,
        crate::routes::gov::info,
        crate::routes::gov::log_key,
        crate::routes::gov::checkpoint,
        crate::routes::gov::entries,
        crate::routes::gov::inclusion,
        crate::routes::gov::consistency,
        crate::routes::gov::register,
        crate::routes::gov::list_register,
        crate::routes::gov::register_csv,
        crate::routes::gov::my_entry,
        crate::routes::gov::my_email,
        crate::routes::gov::leaving,
        crate::routes::gov::shares,
        crate::routes::gov::join,
        crate::routes::gov::convene,
        crate::routes::gov::assemblies,
        crate::routes::gov::assembly,
        crate::routes::gov::file_motion,
        crate::routes::gov::motion,
        crate::routes::gov::ballot,
        crate::routes::gov::proxy,
        crate::routes::gov::study_approval,
        crate::routes::gov_records::minutes,
        crate::routes::gov_records::sign_minutes,
        crate::routes::gov_records::object,
        crate::routes::gov_records::attend,
        crate::routes::gov_records::contribute,
        crate::routes::gov_records::demands,
        crate::routes::gov_records::file_demand,
        crate::routes::gov_records::support_demand,
        crate::routes::gov_records::bodies,
        crate::routes::gov::reinvite,
    ),
    modifiers(&BearerAuth, &ApiPrefix, &CommonResponses),
    tags(
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "auth", description = "Login, tokens and sessions"),
        (name = "members", description = "Data accounts"),
        (name = "records", description = "Encrypted records"),
        (name = "blobs", description = "Encrypted files, streamed"),
        (name = "devices", description = "Write-only device tokens: devices add records and read nothing"),
        (name = "access log", description = "Tamper-evident log of every access, checkpoints and proofs"),
        (name = "research", description = "Researchers, their verification by a steward, and studies from draft to closed (approval is a resolution)"),
        (name = "consents", description = "Members' consents to studies: signed receipts, study copies made on the member's machine, withdrawal"),
        (name = "governance", description = "The register of members, assemblies, motions, signed ballots and proxies, results; all in the governance log"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "device",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("dcdev_ device token")
                    .description(Some("A write-only device token from POST /api/v1/devices"))
                    .build(),
            ),
        );
    }
}

/// Routes mounted under the `/api/v1` scope are annotated relative to it;
/// this puts the scope back so the document names the paths the server answers.
struct ApiPrefix;

/// Routes served at the root, outside `/api/v1`.
const ROOT_PATHS: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/.well-known/datacoop-log",
];

impl Modify for ApiPrefix {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let paths = std::mem::take(&mut openapi.paths.paths);
        openapi.paths.paths = paths
            .into_iter()
            .map(|(path, item)| {
                if ROOT_PATHS.contains(&path.as_str()) {
                    (path, item)
                } else {
                    (format!("{}{path}", datacoop_api::API_BASE), item)
                }
            })
            .collect();
    }
}

/// The answers any operation can give beside its own, declared on each so outside tools
/// know every status and body: a problem document for a malformed body or query, a
/// missing or expired token, an unknown id in the path, a body too large or of another
/// media type, the database unavailable or a concurrent request in the way (503 with
/// Retry-After), and a fault of the server (500).
struct CommonResponses;

impl CommonResponses {
    fn problem(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
        use utoipa::openapi::{Content, Ref, ResponseBuilder};
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build()
            .into()
    }

    fn complete(op: &mut utoipa::openapi::path::Operation, templated: bool) {
        use utoipa::openapi::path::ParameterIn;
        let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
        let body = op.request_body.is_some();
        let query = op
            .parameters
            .as_ref()
            .is_some_and(|ps| ps.iter().any(|p| p.parameter_in == ParameterIn::Query));
        let r = &mut op.responses.responses;
        let mut add = |status: &str, text: &str| {
            r.entry(status.to_owned())
                .or_insert_with(|| Self::problem(text));
        };
        if body || query {
            add("400", "Malformed request: the body or query does not fit this endpoint (the problem says what)");
        }
        if secured {
            add(
                "401",
                "Missing, invalid or expired token: log in again or refresh",
            );
            add(
                "403",
                "The token is for another kind of caller (e.g. a device token on a member's route)",
            );
        }
        if templated {
            add(
                "404",
                "No such resource (an id in the path that is unknown or not a valid id)",
            );
        }
        if body {
            add("413", "The body is larger than this server accepts");
            add(
                "415",
                "The body is not of the media type this endpoint takes",
            );
        }
        add(
            "500",
            "A fault of the server, not of the request; it has been logged",
        );
        add("503", "The database is unavailable, or a concurrent request changed the same data: nothing was changed; send it again after Retry-After");
    }
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let templated = path.contains('{');
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                Self::complete(op, templated);
            }
        }
    }
}

/// The document as pretty JSON with a trailing newline, as committed in `openapi/`.
pub fn document() -> String {
    let mut doc = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    doc.push('\n');
    doc
}
