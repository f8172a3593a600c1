//! `datacoop`: the cooperative's data vault from the command line.
#![forbid(unsafe_code)]

mod serve;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// datacoop: a member-owned personal data vault.
///
/// Members keep health or catch data in encrypted data accounts; the server
/// holds only ciphertext and wrapped keys. `datacoop serve` runs the server;
/// the other commands are the member's client.
#[derive(Parser)]
#[command(name = "datacoop", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (SQLite in ./datacoop-data on 127.0.0.1:8080 unless told otherwise).
    Serve(serve::ServeArgs),
    /// Print the OpenAPI document of this build's HTTP API.
    Openapi,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve::run(args),
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
