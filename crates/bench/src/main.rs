//! `datacoop-bench`: prints the data-accounts figures of issue 4 (import,
//! single-record HTTP load, list of a large account, blob streaming) against the release
//! `datacoop serve` binary, and optionally appends them as markdown.
#![forbid(unsafe_code)]

mod consent;
mod driver;
mod export;
mod gen;
mod governance;
mod import;
mod load;
mod notices;
mod report;
mod server;
mod stream;
mod study;
mod wrk;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The allocator of the release `datacoop` binary, for the server that runs in this
/// process (the governance figures).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Passphrase of the bench's throw-away members.
pub const PASSPHRASE: &str = "bench passphrase, never a real one";

/// Data-accounts benchmarks (issue 4).
#[derive(Parser)]
#[command(name = "datacoop-bench", version, about)]
struct Cli {
    /// Also append the figures as markdown to this file.
    #[arg(long, global = true, value_name = "FILE")]
    markdown: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Import N generated FHIR Observations end to end (library path and the real CLI).
    Import(import::ImportArgs),
    /// Single-record creates and reads at 16 connections, and lists of a 100,000-record member.
    Load(load::LoadArgs),
    /// A 2 GiB blob up and down through the CLI: MB/s each way, peak memory of server and client.
    Stream(stream::StreamArgs),
    /// A vote of 10,000 members: signed ballots accepted per second, close and full recount.
    Governance(governance::GovArgs),
    /// A member with 10,000 covered records consents to a study: seconds end to end.
    Consent(consent::ConsentArgs),
    /// A study's researcher exports 1,000 participants × 100 records through the CLI: records/s, peak memory.
    Export(export::ExportArgs),
    /// An assembly convened for 10,000 members: notices queued and delivered to a local SMTP server.
    Notices(notices::NoticeArgs),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let out = report::Out::new(cli.markdown);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let res = rt.block_on(async {
        match cli.command {
            Cmd::Import(a) => import::run(a, &out).await,
            Cmd::Load(a) => load::run(a, &out).await,
            Cmd::Stream(a) => stream::run(a, &out).await,
            Cmd::Governance(a) => governance::run(a, &out).await,
            Cmd::Notices(a) => notices::run(a, &out).await,
            Cmd::Consent(a) => consent::run(a, &out).await,
            Cmd::Export(a) => export::run(a, &out).await,
        }
    });
    match res {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
