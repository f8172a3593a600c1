//! HTTP routes, one module per concern.

pub mod auth;
pub mod blobs;
pub mod consents;
pub mod datasets;
pub mod devices;
pub mod gov;
pub mod gov_records;
pub mod health;
pub mod log;
pub mod members;
pub mod records;
pub mod recovery;
pub mod research;
pub mod sessions;

use actix_web::web;

/// Mounts every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(health::metrics)
        .service(health::openapi)
        .service(log::well_known)
        .service(
            web::scope(datacoop_api::API_BASE)
                .service(auth::refresh)
                .service(auth::logout)
                .service(auth::whoami)
                .service(members::register)
                .service(members::prelogin)
                .service(members::login)
                .service(members::change_passphrase)
                .service(members::change_recovery_code)
                .service(members::delete_account)
                .service(members::key_material)
                .service(members::record_keys)
                .service(
                    web::resource("/members/me/keys/rotation")
                        .app_data(
                            web::JsonConfig::default()
                                .limit(members::ROTATION_JSON_LIMIT)
                                .error_handler(|e, _| {
                                    crate::error::json_error(e, members::ROTATION_JSON_LIMIT).into()
                                }),
                        )
                        .app_data(web::PayloadConfig::default().limit(members::ROTATION_JSON_LIMIT))
                        .route(web::post().to(members::rotate_keys)),
                )
                .service(devices::add)
                .service(devices::list)
                .service(devices::batch_key)
                .service(devices::revoke)
                .service(devices::upload)
                .service(recovery::start)
                .service(recovery::complete)
                .service(sessions::list)
                .service(sessions::revoke)
                .service(records::create)
                .service(records::batch)
                .service(records::read_many)
                .service(records::list)
                .service(records::get)
                .service(records::update)
                .service(records::remove)
                .service(blobs::upload)
                .service(blobs::list)
                .service(blobs::get)
                .service(blobs::content)
                .service(blobs::remove)
                .service(log::log_key)
                .service(log::checkpoint)
                .service(log::entries)
                .service(log::inclusion)
                .service(log::consistency)
                .service(gov::info)
                .service(gov::log_key)
                .service(gov::checkpoint)
                .service(gov::entries)
                .service(gov::inclusion)
                .service(gov::consistency)
                .service(gov::register)
                .service(gov::list_register)
                .service(gov::register_csv)
                .service(gov::my_entry)
                .service(gov::my_email)
                .service(gov::leaving)
                .service(gov::shares)
                .service(gov::join)
                .service(gov::convene)
                .service(gov::assemblies)
                .service(gov::assembly)
                .service(gov::file_motion)
                .service(gov::motion)
                .service(gov::ballot)
                .service(gov::proxy)
                .service(gov::study_approval)
                .service(gov_records::minutes)
                .service(gov_records::sign_minutes)
                .service(gov_records::object)
                .service(gov_records::attend)
                .service(gov_records::contribute)
                .service(gov_records::demands)
                .service(gov_records::file_demand)
                .service(gov_records::support_demand)
                .service(gov_records::bodies)
                .service(gov::reinvite)
                .service(research::register)
                .service(research::profile)
                .service(research::list)
                .service(research::verify)
                .service(research::create)
                .service(research::studies)
                .service(research::study)
                .service(research::submit)
                .service(research::close)
                .service(datasets::dataset)
                .service(consents::grant)
                .service(consents::copies)
                .service(consents::activate)
                .service(consents::withdraw)
                .service(consents::list)
                .service(consents::show),
        );
}
