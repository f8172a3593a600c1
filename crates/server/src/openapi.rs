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
        crate::routes::members::register,
        crate::routes::members::prelogin,
        crate::routes::members::login,
        crate::routes::records::create,
        crate::routes::records::batch,
        crate::routes::records::list,
        crate::routes::records::get,
        crate::routes::records::update,
        crate::routes::records::remove,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "operations", description = "Health, readiness, metrics"),
        (name = "auth", description = "Login, tokens and sessions"),
        (name = "members", description = "Data accounts"),
        (name = "records", description = "Encrypted records"),
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
