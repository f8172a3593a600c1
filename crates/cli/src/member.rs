//! `datacoop member …`: open an account, log in and out; account management
//! (passphrase, recovery, sessions, deletion) lives in `member/account.rs`.

mod account;

use crate::session;
use clap::{Args, Subcommand};
use datacoop_client::{member, Client};

/// Manage your data account.
#[derive(Subcommand)]
pub enum MemberCommand {
    /// Open a data account. Prints a recovery code once: print it and keep it safe.
    Register(Credentials),
    /// Log in; keeps tokens and your opened vault key in the session file (mode 0600).
    Login(Credentials),
    /// End the session on the server and forget it here.
    Logout,
    /// Show who you are logged in as.
    Whoami,
    /// Change your passphrase (your vault key is re-sealed; other sessions are logged out).
    ///
    /// Reads the current passphrase from DATACOOP_PASSPHRASE and the new one from
    /// DATACOOP_NEW_PASSPHRASE when set, else prompts.
    Passphrase,
    /// Set a new passphrase with your recovery code, when the passphrase is lost.
    ///
    /// Reads the code from DATACOOP_RECOVERY_CODE and the new passphrase from
    /// DATACOOP_PASSPHRASE when set, else prompts. Every session is logged out.
    Recover(Credentials),
    /// Get a new recovery code; the old one stops working (do it if it may have been seen).
    ///
    /// Reads the current passphrase from DATACOOP_PASSPHRASE when set, else prompts.
    RecoveryCode,
    /// List your sessions (devices logged in), or revoke one.
    Sessions(account::SessionsArgs),
    /// Delete your account and everything in it (right to erasure). Cannot be undone.
    Delete(account::DeleteArgs),
}

/// Who and where.
#[derive(Args)]
pub struct Credentials {
    /// Your login email.
    #[arg(long)]
    pub(crate) email: String,
    /// Server URL.
    #[arg(long, env = "DATACOOP_SERVER", default_value = "http://127.0.0.1:8080")]
    pub(crate) server: String,
}

/// Reads the passphrase: `DATACOOP_PASSPHRASE` for scripts, else a prompt.
fn passphrase(confirm: bool) -> Result<String, String> {
    secret("DATACOOP_PASSPHRASE", "Passphrase", confirm)
}

/// Reads a passphrase from `env` for scripts, else prompts for it (twice and
/// with a length check when `confirm`, i.e. when it is being chosen).
fn secret(env: &str, prompt: &str, confirm: bool) -> Result<String, String> {
    if let Ok(p) = std::env::var(env) {
        return Ok(p);
    }
    let p = rpassword::prompt_password(format!("{prompt}: "))
        .map_err(|e| format!("cannot read the passphrase: {e}"))?;
    if confirm {
        let again =
            rpassword::prompt_password(format!("{prompt} again: ")).map_err(|e| e.to_string())?;
        if again != p {
            return Err("the passphrases differ; try again".into());
        }
        if p.chars().count() < 10 {
            return Err(
                "choose a passphrase of at least 10 characters (several words work well)".into(),
            );
        }
    }
    Ok(p)
}

/// Runs a member command.
pub async fn run(cmd: MemberCommand, json: bool) -> Result<(), String> {
    match cmd {
        MemberCommand::Register(c) => {
            let pass = passphrase(true)?;
            let client = Client::new(&c.server).map_err(|e| e.to_string())?;
            let reg = member::register(&client, &c.email, &pass)
                .await
                .map_err(|e| e.to_string())?;
            if json {
                crate::print_json(&serde_json::json!({
                    "member_id": reg.member_id,
                    "recovery_code": reg.recovery_code,
                }));
            } else {
                println!("Account {} opened for {}.", reg.member_id, c.email);
                println!();
                println!("Your recovery code (shown only now; print it and keep it safe):");
                println!();
                println!("    {}", reg.recovery_code);
                println!();
                println!("Without your passphrase and this code nobody, not even the cooperative, can open your data.");
                println!("Next: datacoop member login --email {}", c.email);
            }
            Ok(())
        }
        MemberCommand::Login(c) => {
            let pass = passphrase(false)?;
            let client = Client::new(&c.server).map_err(|e| e.to_string())?;
            let label = Some(format!("datacoop-cli on {}", hostname()));
            let s = member::login(&client, &c.email, &pass, label)
                .await
                .map_err(|e| e.to_string())?;
            session::save(&c.server, &c.email, &s)?;
            if json {
                crate::print_json(&serde_json::json!({"member_id": s.member_id}));
            } else {
                println!("Logged in as {} ({}).", c.email, s.member_id);
            }
            Ok(())
        }
        MemberCommand::Logout => {
            let saved = session::load()?;
            let res = saved.session.logout().await;
            session::remove();
            res.map_err(|e| format!("logged out here, but the server said: {e}"))?;
            if !json {
                println!("Logged out.");
            }
            Ok(())
        }
        MemberCommand::Passphrase => account::passphrase(json).await,
        MemberCommand::Recover(c) => account::recover(c, json).await,
        MemberCommand::RecoveryCode => account::recovery_code(json).await,
        MemberCommand::Sessions(args) => account::sessions(args, json).await,
        MemberCommand::Delete(args) => account::delete(args, json).await,
        MemberCommand::Whoami => {
            let saved = session::load()?;
            if json {
                crate::print_json(&serde_json::json!({
                    "email": saved.email, "member_id": saved.session.member_id, "server": saved.server,
                }));
            } else {
                println!(
                    "{} ({}) on {}",
                    saved.email, saved.session.member_id, saved.server
                );
            }
            Ok(())
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "this machine".into())
}
