//! Typed configuration: defaults, then an optional TOML file, then
//! `DATACOOP_*` environment variables. Unknown keys are an error; secrets
//! never appear in `Debug`.

mod governance;
mod notices;
mod proxies;
mod research;

pub use governance::GovernanceConfig;
pub use notices::NoticesConfig;
pub use research::ResearchConfig;

pub use proxies::{ForwardedHeader, ProxyRange};

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything the server can be told.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// Directory for the SQLite database, blobs and generated keys.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://…`; default: SQLite in the data directory.
    pub database_url: Option<Secret>,
    /// `text` (human) or `json` (one object per line) logs.
    pub log_format: LogFormat,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// Name of the access log in its signed checkpoints (a unique, stable
    /// string, e.g. the cooperative's domain followed by `/log`).
    pub log_origin: String,
    /// Where the server sits: reverse proxies in front of it.
    pub server: ServerConfig,
    /// Database tuning.
    pub database: DatabaseConfig,
    /// HTTP limits.
    pub http: HttpConfig,
    /// Token settings.
    pub auth: AuthConfig,
    /// Blob storage.
    pub blobs: BlobsConfig,
    /// Governance: stewards, the governance log, the statute rules.
    pub governance: GovernanceConfig,
    /// E-mail notices to members.
    pub notices: NoticesConfig,
    /// Studies' datasets.
    pub research: ResearchConfig,
    /// The clock use cases decide by (not configurable: the system clock, or one a
    /// test sets).
    #[serde(skip)]
    pub clock: datacoop_app::Clock,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./datacoop-data"),
            database_url: None,
            log_format: LogFormat::Text,
            workers: 0,
            log_origin: "datacoop.example/log".into(),
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            auth: AuthConfig::default(),
            blobs: BlobsConfig::default(),
            governance: GovernanceConfig::default(),
            notices: NoticesConfig::default(),
            research: ResearchConfig::default(),
            clock: datacoop_app::Clock::system(),
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Reverse proxies in front of the server (docs/operations.md, Reverse proxy).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Proxies whose forwarding header is believed: addresses or CIDR ranges
    /// (from the environment: comma-separated). Empty (default): the TCP
    /// peer is the client and forwarding headers are ignored.
    pub trusted_proxies: Vec<ProxyRange>,
    /// The header those proxies write: `x-forwarded-for` (default) or
    /// `forwarded` (RFC 7239); the other one is ignored.
    pub forwarded_header: ForwardedHeader,
}

/// Database tuning.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Pooled connections.
    pub pool_size: u32,
    /// Seconds to wait for a connection before answering "unavailable".
    pub connect_timeout_secs: u64,
    /// SQLite durability: `full` (every commit fsynced) or `normal`.
    pub sqlite_synchronous: SqliteSynchronous,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            pool_size: 8,
            connect_timeout_secs: 5,
            sqlite_synchronous: SqliteSynchronous::Full,
        }
    }
}

/// SQLite `synchronous` setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// Every commit reaches the disk before it is acknowledged.
    Full,
    /// Commits survive a process crash; the last ones may be lost on power loss.
    Normal,
}

/// HTTP limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Largest JSON body accepted, bytes.
    pub json_limit_bytes: usize,
    /// Seconds given to in-flight requests on shutdown.
    pub shutdown_timeout_secs: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            json_limit_bytes: 4 * 1024 * 1024,
            shutdown_timeout_secs: 30,
        }
    }
}

/// Token settings, and the limits on login, registration and passphrase hashing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// `iss` of issued tokens.
    pub issuer: String,
    /// `aud` of issued tokens.
    pub audience: String,
    /// Access-token lifetime, seconds.
    pub access_token_ttl_secs: u64,
    /// Refresh-token lifetime, seconds.
    pub refresh_token_ttl_secs: u64,
    /// Token-signing secret (base64url, ≥ 32 bytes); default: generated in
    /// the data directory on first start.
    pub token_secret: Option<Secret>,
    /// Server-side passphrase hashes (19 MiB each) running at once; 0 means
    /// one per CPU. Memory for hashing stays at this × 19 MiB.
    pub max_concurrent_hashes: usize,
    /// Milliseconds a request waits for a hashing permit before it is
    /// answered 503 with `Retry-After`.
    pub hash_wait_ms: u64,
    /// Failed attempts (login, passphrase, recovery) per account answered
    /// without a wait.
    pub free_failures: u32,
    /// Failed attempts per client address answered without a wait.
    pub free_failures_per_address: u32,
    /// The wait after the first failure past the free ones, seconds; each
    /// further failure doubles it.
    pub failure_delay_secs: u64,
    /// The longest wait per account, seconds (how long a stranger can hold
    /// up a member's email after their last attempt).
    pub max_failure_delay_secs: u64,
    /// The longest wait per client address, seconds.
    pub max_failure_delay_per_address_secs: u64,
    /// New accounts per client address per minute (0: no limit).
    pub registrations_per_minute: u32,
}

impl AuthConfig {
    /// The hashing permits in force: the configured number, or one per CPU.
    pub fn hash_permits(&self) -> usize {
        match self.max_concurrent_hashes {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        let t = datacoop_auth::TokenSettings::default();
        AuthConfig {
            issuer: t.issuer,
            audience: t.audience,
            access_token_ttl_secs: t.access_ttl_secs,
            refresh_token_ttl_secs: t.refresh_ttl_secs,
            token_secret: None,
            max_concurrent_hashes: 0,
            hash_wait_ms: 2000,
            free_failures: 5,
            free_failures_per_address: 50,
            failure_delay_secs: 1,
            max_failure_delay_secs: 60,
            max_failure_delay_per_address_secs: 15 * 60,
            registrations_per_minute: 5,
        }
    }
}

/// Blob storage: where encrypted files go, and how large one may be.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlobsConfig {
    /// A directory, `file:///PATH` or `s3://BUCKET/PREFIX` (needs a build
    /// with the `s3` feature; credentials from the standard `AWS_*`
    /// variables); default: `blobs/` in the data directory.
    pub url: Option<String>,
    /// Largest blob accepted (ciphertext bytes); larger uploads get 413.
    pub max_bytes: u64,
    /// Most ciphertext bytes one member's files may take together (0: no quota);
    /// an upload beyond it gets `413 blob_quota_exceeded`.
    pub quota_bytes: u64,
}

impl Default for BlobsConfig {
    fn default() -> Self {
        BlobsConfig {
            url: None,
            max_bytes: 16 * 1024 * 1024 * 1024,
            quota_bytes: 50 * 1024 * 1024 * 1024,
        }
    }
}

/// A string that must never be printed: `Debug` shows `[redacted]`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// What the OS said.
        reason: String,
    },
    /// The file (or an environment variable) holds something invalid.
    #[error("{source_name}: {message}")]
    Invalid {
        /// The file (with line) or variable at fault.
        source_name: String,
        /// What is wrong.
        message: String,
    },
}

/// Keys settable from the environment, as `DATACOOP_` + the key in upper case
/// with dots as underscores (e.g. `database.pool_size` → `DATACOOP_DATABASE_POOL_SIZE`).
pub const ENV_KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "log_format",
    "workers",
    "log_origin",
    "server.trusted_proxies",
    "server.forwarded_header",
    "database.pool_size",
    "database.connect_timeout_secs",
    "database.sqlite_synchronous",
    "http.json_limit_bytes",
    "http.shutdown_timeout_secs",
    "auth.issuer",
    "auth.audience",
    "auth.access_token_ttl_secs",
    "auth.refresh_token_ttl_secs",
    "auth.token_secret",
    "auth.max_concurrent_hashes",
    "auth.hash_wait_ms",
    "auth.free_failures",
    "auth.free_failures_per_address",
    "auth.failure_delay_secs",
    "auth.max_failure_delay_secs",
    "auth.max_failure_delay_per_address_secs",
    "auth.registrations_per_minute",
    "blobs.url",
    "blobs.max_bytes",
    "blobs.quota_bytes",
    "governance.stewards",
    "governance.log_origin",
    "governance.seat",
    "governance.share_value",
    "governance.invitation_days",
    "governance.close_interval_secs",
    "governance.register_retention_years",
    "governance.rules.max_proxies_per_holder",
    "governance.rules.max_votes_per_member",
    "governance.rules.notice_days",
    "governance.rules.agenda_days",
    "governance.rules.minority_demand_percent",
    "governance.rules.leaving_notice_months",
    "notices.smtp_url",
    "notices.from",
    "notices.concurrency",
    "notices.max_attempts",
    "notices.lease_secs",
    "notices.closing_soon_hours",
    "notices.keep_days",
    "notices.interval_ms",
    "research.dataset_page_copies",
];

/// Environment variables with the prefix that are not server settings: the
/// config file, log filter, the command-line client's own variables, and
/// test switches (`DATACOOP_TEST_*`).
const ENV_OTHER: &[&str] = &[
    "DATACOOP_CONFIG",
    "DATACOOP_LOG",
    "DATACOOP_HOME",
    "DATACOOP_SERVER",
    "DATACOOP_PASSPHRASE",
    "DATACOOP_NEW_PASSPHRASE",
    "DATACOOP_RECOVERY_CODE",
    "DATACOOP_SESSION",
    "DATACOOP_LOG_KEY",
    "DATACOOP_ALLOW_INSECURE_HTTP",
    "DATACOOP_UPDATE_OPENAPI",
];

/// The environment variable for a config key.
pub fn env_name(key: &str) -> String {
    format!("DATACOOP_{}", key.replace('.', "_").to_uppercase())
}

impl Config {
    /// Loads defaults, then `file` (if any), then the given environment.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table = toml::Table::new();
        let mut source_name = "configuration".to_owned();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
            table = text
                .parse::<toml::Table>()
                .map_err(|e| toml_error(path, &text, &e))?;
            // Type and key errors are reported against the file.
            Config::deserialize(toml::Value::Table(table.clone())).map_err(|e| {
                ConfigError::Invalid {
                    source_name: format!("config file {}", path.display()),
                    message: format!("{}; fix or remove the key", e.message()),
                }
            })?;
            source_name = format!("config file {} with DATACOOP_* variables", path.display());
        }
        let defaults =
            toml::Value::try_from(Config::default()).map_err(|e| ConfigError::Invalid {
                source_name: "defaults".into(),
                message: e.to_string(),
            })?;
        for (name, value) in env {
            if !name.starts_with("DATACOOP_")
                || name.starts_with("DATACOOP_TEST_")
                || ENV_OTHER.contains(&name.as_str())
            {
                continue;
            }
            let Some(key) = ENV_KEYS.iter().find(|k| env_name(k) == name) else {
                return Err(ConfigError::Invalid {
                    source_name: format!("environment variable {name}"),
                    message:
                        "not a datacoop setting; check the spelling (see `datacoop serve --help`)"
                            .into(),
                });
            };
            set_path(&mut table, key, typed(&defaults, key, &value));
        }
        Config::deserialize(toml::Value::Table(table)).map_err(|e| ConfigError::Invalid {
            source_name,
            message: e.message().to_owned(),
        })
    }

    /// The blob store in force: the configured one, or `blobs/` in the data directory.
    pub fn blobs_url(&self) -> String {
        match &self.blobs.url {
            Some(url) => url.clone(),
            None => self.data_dir.join("blobs").display().to_string(),
        }
    }

    /// The database URL in force: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(Secret(url)) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("datacoop.db").display()),
        }
    }
}

/// Environment values are text; give them the type the default has (a list
/// is comma-separated).
fn typed(defaults: &toml::Value, key: &str, value: &str) -> toml::Value {
    let default = key.split('.').try_fold(defaults, |v, part| v.get(part));
    match default {
        Some(toml::Value::Array(_)) => toml::Value::Array(
            value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| toml::Value::String(item.to_owned()))
                .collect(),
        ),
        Some(toml::Value::Integer(_)) => value
            .parse::<i64>()
            .map(toml::Value::Integer)
            .unwrap_or_else(|_| toml::Value::String(value.to_owned())),
        Some(toml::Value::Boolean(_)) => value
            .parse::<bool>()
            .map(toml::Value::Boolean)
            .unwrap_or_else(|_| toml::Value::String(value.to_owned())),
        _ => toml::Value::String(value.to_owned()),
    }
}

fn set_path(table: &mut toml::Table, key: &str, value: toml::Value) {
    match key.split_once('.') {
        None => {
            table.insert(key.to_owned(), value);
        }
        Some((head, rest)) => {
            let entry = table
                .entry(head.to_owned())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !entry.is_table() {
                *entry = toml::Value::Table(toml::Table::new());
            }
            if let toml::Value::Table(t) = entry {
                set_path(t, rest, value);
            }
        }
    }
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
    let source_name = match line {
        Some(l) => format!("config file {}, line {l}", path.display()),
        None => format!("config file {}", path.display()),
    };
    ConfigError::Invalid {
        source_name,
        message: format!("{}; fix the TOML syntax", e.message()),
    }
}

#[cfg(test)]
mod tests;
