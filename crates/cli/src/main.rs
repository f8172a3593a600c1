//! `datacoop`: the cooperative's data vault from the command line.
#![forbid(unsafe_code)]

mod blobs;
mod consent;
mod dataset;
mod devices;
mod export;
mod gov;
mod import;
mod log;
mod member;
mod preferences;
mod records;
mod research;
#[cfg(feature = "server")]
mod serve;
mod session;
mod upgrade;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc instead of glibc malloc: the server's request paths allocate
/// many small, short-lived buffers across threads (measured in
/// docs/benchmarks.md).
#[cfg(feature = "server")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// datacoop: a member-owned personal data vault.
///
/// Members keep health or catch data in encrypted data accounts; the server
/// holds only ciphertext and wrapped keys. `datacoop serve` runs the server
/// (in builds with the `server` feature, the default); the other commands
/// are the member's client.
#[derive(Parser)]
#[command(name = "datacoop", version, about, long_about)]
struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (SQLite in ./datacoop-data on 127.0.0.1:8080 unless told otherwise).
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
    /// Your data account: register, log in and out, passphrase, recovery, sessions, deletion.
    #[command(subcommand)]
    Member(member::MemberCommand),
    /// Your encrypted records: upload, list, get, delete.
    #[command(subcommand)]
    Records(records::RecordsCommand),
    /// Your encrypted files (lab reports, images, wearable exports): upload, list, get, delete.
    #[command(subcommand)]
    Blobs(blobs::BlobsCommand),
    /// Write-only tokens for devices and apps: add, list, revoke.
    #[command(subcommand)]
    Devices(devices::DevicesCommand),
    /// The access log of your data: list it, verify it.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// The cooperative's governance: register, assemblies, motions, votes, proxies, recount.
    #[command(subcommand)]
    Gov(gov::GovCommand),
    /// Your researcher's account: register, log in, see whether you are verified.
    #[command(subcommand)]
    Researcher(research::ResearcherCommand),
    /// Stewards: verify researchers.
    #[command(subcommand)]
    Steward(research::StewardCommand),
    /// Research studies: write terms, create, submit, show, list, close.
    #[command(subcommand)]
    Study(research::StudyCommand),
    /// Your consents to research studies: grant, list, show, withdraw, receipt.
    #[command(subcommand)]
    Consent(consent::ConsentCommand),
    /// Researchers: download a study's consented data, decrypted here.
    #[command(subcommand)]
    Dataset(dataset::DatasetCommand),
    /// Print the OpenAPI document of this build's HTTP API.
    #[cfg(feature = "server")]
    Openapi,
}

/// Bytes as unpadded base64url, as the API writes them.
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Prints a value as pretty JSON on standard output.
pub(crate) fn print_json(v: &impl serde::Serialize) {
    match serde_json::to_string_pretty(v) {
        Ok(text) => println!("{text}"),
        Err(e) => eprintln!("error: cannot encode JSON: {e}"),
    }
}

fn client_command<F: std::future::Future<Output = Result<(), String>>>(f: F) -> Result<(), String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?
        .block_on(f)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args),
        Command::Member(cmd) => client_command(member::run(cmd, cli.json)),
        Command::Records(cmd) => client_command(records::run(cmd, cli.json)),
        Command::Blobs(cmd) => client_command(blobs::run(cmd, cli.json)),
        Command::Devices(cmd) => client_command(devices::run(cmd, cli.json)),
        Command::Log(cmd) => client_command(log::run(cmd, cli.json)),
        Command::Gov(cmd) => client_command(gov::run(cmd, cli.json)),
        Command::Researcher(cmd) => client_command(research::researcher(cmd, cli.json)),
        Command::Steward(cmd) => client_command(research::steward(cmd, cli.json)),
        Command::Study(cmd) => client_command(research::study(cmd, cli.json)),
        Command::Consent(cmd) => client_command(consent::run(cmd, cli.json)),
        Command::Dataset(cmd) => client_command(dataset::run(cmd, cli.json)),
        #[cfg(feature = "server")]
        Command::Openapi => {
            print!("{}", datacoop_server::openapi::document());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
