//! `datacoop serve`: configuration, logging, and the server until SIGTERM/Ctrl-C.

use clap::Args;
use datacoop_server::config::{env_name, Config, LogFormat, Secret, ENV_KEYS};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// Where settings come from, lowest first: defaults, the config file, DATACOOP_*
/// environment variables, then these flags.
#[derive(Args)]
#[command(after_long_help = env_help())]
pub struct ServeArgs {
    /// TOML configuration file (unknown keys are refused).
    #[arg(long, env = "DATACOOP_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "HOST:PORT")]
    listen: Option<String>,
    /// Directory for the SQLite database and generated keys [default: ./datacoop-data].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER:PASSWORD@HOST/DB
    /// [default: sqlite://DATA_DIR/datacoop.db].
    #[arg(long, value_name = "URL")]
    database_url: Option<String>,
}

fn env_help() -> String {
    let mut s = String::from("Every setting can also be given as an environment variable:\n");
    for key in ENV_KEYS {
        s.push_str(&format!("  {:<40} {key}\n", env_name(key)));
    }
    s.push_str("Log verbosity: DATACOOP_LOG (e.g. info, debug, datacoop_server=debug).\n");
    s
}

/// Loads the configuration, starts logging and runs the server until shutdown.
pub fn run(args: ServeArgs) -> Result<(), String> {
    let mut config =
        Config::load(args.config.as_deref(), std::env::vars()).map_err(|e| e.to_string())?;
    if let Some(l) = args.listen {
        config.listen = l;
    }
    if let Some(d) = args.data_dir {
        config.data_dir = d;
    }
    if let Some(u) = args.database_url {
        config.database_url = Some(Secret(u));
    }
    init_logging(config.log_format);
    tracing::debug!(?config, "configuration");

    actix_rt::System::new().block_on(async move {
        let running = datacoop_server::start(config)
            .await
            .map_err(|e| e.to_string())?;
        println!("datacoop is listening on http://{}", running.addr);
        // actix handles SIGTERM and Ctrl-C: it stops accepting, lets
        // in-flight requests finish, then returns.
        running
            .server
            .await
            .map_err(|e| format!("server stopped with an error: {e}"))?;
        tracing::info!("shut down cleanly");
        Ok(())
    })
}

fn init_logging(format: LogFormat) {
    let filter = EnvFilter::try_from_env("DATACOOP_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}
