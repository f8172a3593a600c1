//! Start-up: data directory, database and migrations, signing secret,
//! listener, then the server. Each failure is one line saying what to do.

use crate::config::{Config, SqliteSynchronous};
use crate::error::{json_error, ApiError};
use crate::forwarded::TrustedProxies;
use crate::metrics::{self, Metrics};
use crate::routes;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpResponse, HttpServer};
use datacoop_app::{App, GovernanceSettings, Parts, Settings};
use datacoop_auth::{TokenSecret, TokenSettings, Tokens};
use datacoop_store::limiter::Policy;
use datacoop_store::{DatabaseUrl, Db, DbOptions, SqliteSync};
use std::net::SocketAddr;
use std::time::Duration;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory cannot be created or written.
    #[error("cannot use data directory {path}: {reason}; fix its permissions or choose another with --data-dir / DATACOOP_DATA_DIR")]
    DataDir {
        /// The directory.
        path: String,
        /// What the OS said.
        reason: String,
    },
    /// The database URL or the database itself is unusable.
    #[error("{0}")]
    Database(#[from] datacoop_store::StoreError),
    /// The governance settings do not hold.
    #[error("governance settings: {0}; fix the [governance] section of the configuration")]
    Governance(String),
    /// The notice settings do not hold.
    #[error("notice settings: {0}; fix the [notices] section of the configuration")]
    Notices(String),
    /// The research settings do not hold.
    #[error("research settings: {0}; fix the [research] section of the configuration")]
    Research(String),
    /// The token-signing secret is unusable.
    #[error("{0}")]
    Secret(#[from] datacoop_auth::AuthError),
    /// The listen address is malformed or taken.
    #[error("cannot listen on {addr}: {reason}; stop the other process or choose another address with --listen / DATACOOP_LISTEN")]
    Listen {
        /// The address.
        addr: String,
        /// What the OS said.
        reason: String,
    },
}

/// Storage and keys, ready to serve.
#[derive(Debug)]
pub struct Prepared {
    config: Config,
    app: web::Data<App>,
}

impl Prepared {
    /// The application (tests use it to mint tokens).
    pub fn app(&self) -> web::Data<App> {
        self.app.clone()
    }
}

/// A running server.
pub struct Running {
    /// The bound address (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The server future: await it to run until shutdown.
    pub server: actix_web::dev::Server,
    /// The application the server serves.
    pub app: web::Data<App>,
}

/// Blocking preparation: data directory, database, migrations, secret.
pub fn prepare(config: Config) -> Result<Prepared, StartError> {
    let dir = &config.data_dir;
    let dir_err = |e: std::io::Error| StartError::DataDir {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(dir_err)?;
    // Prove the directory is writable before anything else touches it.
    tempfile_probe(dir).map_err(dir_err)?;

    let url = DatabaseUrl::parse(&config.database_url())?;
    let opts = DbOptions {
        pool_size: config.database.pool_size,
        connect_timeout: Duration::from_secs(config.database.connect_timeout_secs),
        sqlite_sync: match config.database.sqlite_synchronous {
            SqliteSynchronous::Full => SqliteSync::Full,
            SqliteSynchronous::Normal => SqliteSync::Normal,
        },
        ..DbOptions::default()
    };
    let db = Db::connect(&url, &opts)?;
    datacoop_accesslog::install(&db);
    datacoop_governance::install(&db);
    let applied = db.migrate()?;
    tracing::info!(database = %db.redacted_url(), migrations_applied = applied.len(), "database ready");

    let secret = match &config.auth.token_secret {
        Some(s) => TokenSecret::from_base64(&s.0)?,
        None => TokenSecret::load_or_create(&dir.join("token-secret"))?,
    };
    let tokens = Tokens::new(
        &secret,
        TokenSettings {
            issuer: config.auth.issuer.clone(),
            audience: config.auth.audience.clone(),
            access_ttl_secs: config.auth.access_token_ttl_secs,
            refresh_ttl_secs: config.auth.refresh_token_ttl_secs,
        },
    );
    let pepper = datacoop_accounts::Pepper::new(
        TokenSecret::load_or_create(&dir.join("auth-pepper"))?.bytes(),
    );
    let log_signer = datacoop_accesslog::LogSigner::load_or_create(
        &dir.join("log-signing-key"),
        &config.log_origin,
    )
    .map_err(|e| StartError::DataDir {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    tracing::info!(verifier_key = %log_signer.verifier_key(), "access log ready");
    let governance_log = datacoop_accesslog::LogSigner::load_or_create(
        &dir.join("governance-signing-key"),
        &config.governance.log_origin,
    )
    .map_err(|e| StartError::DataDir {
        path: dir.display().to_string(),
        reason: e.to_string(),
    })?;
    if governance_log.origin() == log_signer.origin() {
        return Err(StartError::Governance(
            "governance.log_origin must differ from log_origin (each log has its own name)".into(),
        ));
    }
    tracing::info!(verifier_key = %governance_log.verifier_key(), "governance log ready");
    let blobs = datacoop_store::BlobStore::open(&datacoop_store::BlobLocation::parse(
        &config.blobs_url(),
    )?)?;
    tracing::info!(store = %blobs.describe(), "blob store ready");
    Ok(Prepared {
        app: web::Data::new(App::new(Parts {
            db,
            blobs,
            tokens,
            pepper,
            access_log: log_signer,
            governance_log,
            mailer: mailer(&config)?,
            clock: config.clock.clone(),
            settings: settings(&config)?,
        })),
        config,
    })
}

/// The operator's limits, from the configuration.
fn settings(config: &Config) -> Result<Settings, StartError> {
    let auth = &config.auth;
    let first_delay = Duration::from_secs(auth.failure_delay_secs);
    let permits = auth.hash_permits();
    tracing::info!(
        permits,
        memory_mib = (permits as u64 * datacoop_accounts::hasher::HASH_MEMORY_BYTES) >> 20,
        "passphrase hashing bounded"
    );
    Ok(Settings {
        max_blob_bytes: config.blobs.max_bytes,
        blob_quota_bytes: config.blobs.quota_bytes,
        max_concurrent_hashes: permits,
        hash_wait: Duration::from_millis(auth.hash_wait_ms),
        failures_per_account: Policy {
            free: auth.free_failures,
            first_delay,
            max_delay: Duration::from_secs(auth.max_failure_delay_secs),
        },
        failures_per_address: Policy {
            free: auth.free_failures_per_address,
            first_delay,
            max_delay: Duration::from_secs(auth.max_failure_delay_per_address_secs),
        },
        registrations_per_minute: auth.registrations_per_minute,
        governance: governance_settings(config)?,
        dataset_page_copies: match config.research.dataset_page_copies {
            n @ 1..=10_000 => n,
            n => {
                return Err(StartError::Research(format!(
                    "dataset_page_copies is {n}: give 1 to 10000"
                )))
            }
        },
    })
}

/// The SMTP mailer, if `notices.smtp_url` is set.
fn mailer(config: &Config) -> Result<Option<datacoop_notices::Mailer>, StartError> {
    let n = &config.notices;
    let Some(url) = &n.smtp_url else {
        tracing::info!("notices.smtp_url is not set: members' notices are queued, not sent");
        return Ok(None);
    };
    let mailer = datacoop_notices::Mailer::new(datacoop_notices::MailerSettings {
        smtp_url: url.0.clone(),
        from: n.from.clone(),
        concurrency: n.concurrency.max(1),
        max_attempts: n.max_attempts.max(1),
        lease_secs: n.lease_secs.max(1),
    })
    .map_err(|e| StartError::Notices(e.to_string()))?;
    tracing::info!(smtp = %datacoop_notices::redact(&url.0), from = %n.from, "notices sent by e-mail");
    Ok(Some(mailer))
}

fn governance_settings(config: &Config) -> Result<GovernanceSettings, StartError> {
    let g = &config.governance;
    g.rules
        .check()
        .map_err(|e| StartError::Governance(e.to_string()))?;
    let stewards = g
        .stewards
        .iter()
        .map(|e| {
            datacoop_accounts::members::normalise_email(e)
                .map_err(|_| StartError::Governance(format!("steward {e:?} is not an email")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if stewards.is_empty() {
        tracing::info!("no stewards configured (governance.stewards): the register and assemblies wait for one");
    }
    Ok(GovernanceSettings {
        rules: g.rules.clone(),
        stewards,
        invitation_days: g.invitation_days.max(1),
        seat: g.seat.clone(),
        share_value: Some(g.share_value.trim().to_owned()).filter(|v| !v.is_empty()),
        closing_soon_micros: config
            .notices
            .closing_soon_hours
            .saturating_mul(3_600_000_000),
        notices_kept_micros: config.notices.keep_days.saturating_mul(86_400_000_000),
        // A year of 365.25 days, so three years cover a leap day.
        register_retention_micros: u64::from(g.register_retention_years.max(1))
            .saturating_mul(31_557_600_000_000),
    })
}

fn tempfile_probe(dir: &std::path::Path) -> std::io::Result<()> {
    let probe = dir.join(".write-probe");
    std::fs::write(&probe, b"ok")?;
    std::fs::remove_file(probe)
}

/// Prepares (off the async workers) and starts the server.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let prepared = match tokio::task::spawn_blocking(move || prepare(config)).await {
        Ok(p) => p?,
        Err(e) => {
            return Err(StartError::DataDir {
                path: String::new(),
                reason: format!("start-up task failed: {e}"),
            })
        }
    };
    // Uploads cut by a crash or restart left staging objects: none is in
    // progress before the listener is bound.
    let swept = prepared.app.blobs().sweep_staging().await?;
    if swept > 0 {
        tracing::info!(removed = swept, "swept unfinished blob uploads");
    }
    bind(prepared)
}

/// Binds the listener and builds the server (must run inside an actix/tokio runtime).
pub fn bind(prepared: Prepared) -> Result<Running, StartError> {
    let Prepared { config, app } = prepared;
    let listen_err = |reason: String| StartError::Listen {
        addr: config.listen.clone(),
        reason,
    };
    let addr: SocketAddr = config
        .listen
        .parse()
        .map_err(|e: std::net::AddrParseError| listen_err(format!("{e} (expected HOST:PORT)")))?;
    let json_limit = config.http.json_limit_bytes;
    let metrics = web::Data::new(Metrics::default());
    let proxies = web::Data::new(TrustedProxies::from_config(&config.server));
    let shared = app.clone();
    let mut server =
        HttpServer::new(move || {
            actix_web::App::new()
                .app_data(shared.clone())
                .app_data(metrics.clone())
                .app_data(proxies.clone())
                .app_data(
                    web::JsonConfig::default()
                        .limit(json_limit)
                        .error_handler(move |e, _| json_error(e, json_limit).into()),
                )
                .app_data(web::PayloadConfig::default().limit(json_limit))
                .app_data(web::PathConfig::default().error_handler(|e, _| {
                    ApiError::NotFound(format!("no such resource: {e}")).into()
                }))
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    ApiError::BadRequest(format!("invalid query parameters: {e}")).into()
                }))
                .wrap(from_fn(metrics::record))
                .wrap(tracing_actix_web::TracingLogger::default())
                .configure(routes::configure)
                .default_service(web::to(not_found))
        })
        .shutdown_timeout(config.http.shutdown_timeout_secs);
    if config.workers > 0 {
        server = server.workers(config.workers);
    }
    let server = server.bind(addr).map_err(|e| listen_err(e.to_string()))?;
    let bound = server
        .addrs()
        .first()
        .copied()
        .ok_or_else(|| listen_err("no address bound".into()))?;
    tracing::info!(address = %bound, "listening");
    crate::scheduler::spawn(
        app.clone(),
        Duration::from_secs(config.governance.close_interval_secs.max(1)),
        Duration::from_millis(config.notices.interval_ms.max(10)),
    );
    Ok(Running {
        addr: bound,
        server: server.run(),
        app,
    })
}

async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    let e = if req.match_pattern().is_some() {
        ApiError::MethodNotAllowed
    } else {
        ApiError::NotFound(format!(
            "no route for {} {}; see the OpenAPI document at /openapi.json",
            req.method(),
            req.path()
        ))
    };
    e.error_response()
}
