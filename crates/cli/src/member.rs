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
    ///
    /// This machine remembers how strongly the server hashes your passphrase and refuses a
    /// weaker setting later (a sign of a hostile server) unless you pass --accept-weaker-kdf;
    /// an account from datacoop 0.1 logs in once with --accept-legacy-kdf.
    Login(LoginArgs),
    /// Print a shell line that keeps your vault open in this shell, so commands stop asking
    /// for the passphrase: `eval "$(datacoop member unlock)"`.
    ///
    /// The shell holds a random key (DATACOOP_SESSION) that opens a copy of your vault key
    /// kept sealed in the session file: neither opens anything alone, and `datacoop member
    /// lock` makes every such key worthless. Without it, each command asks for the
    /// passphrase (or reads DATACOOP_PASSPHRASE).
    Unlock,
    /// Lock every shell unlocked with `datacoop member unlock`: their DATACOOP_SESSION keys
    /// open nothing any more (the local copies of the vault key they open are deleted).
    Lock,
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
    /// Replace your vault key, your key pairs and your recovery code, e.g. after a session
    /// file, an unlocked shell or a laptop may have been copied: every record and file key is
    /// wrapped anew here, so the old vault key opens nothing stored afterwards.
    ///
    /// Every device is revoked (enrol them again), every other session ends, and a new
    /// recovery code is printed once. Reads the passphrase from DATACOOP_PASSPHRASE when
    /// set, else prompts. Records from old devices of datacoop 0.1 must be upgraded first
    /// (`datacoop records upgrade`).
    RotateKeys,
    /// List your sessions (devices logged in), or revoke one.
    Sessions(account::SessionsArgs),
    /// Delete your account and everything in it (right to erasure). Cannot be undone.
    Delete(account::DeleteArgs),
}

/// Options of `datacoop member login`.
#[derive(Args)]
pub struct LoginArgs {
    #[command(flatten)]
    c: Credentials,
    /// Accept cheaper passphrase hashing than this machine accepted before for the account
    /// (only once the cooperative has confirmed such a change).
    #[arg(long)]
    accept_weaker_kdf: bool,
    /// Accept the passphrase-hashing format of accounts from datacoop 0.1 (the server's
    /// salt used as is), at no less than the default cost; then run `datacoop member
    /// passphrase` to upgrade it. Refused for an account this machine knows in the
    /// current format.
    #[arg(long)]
    accept_legacy_kdf: bool,
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
pub(crate) fn secret(env: &str, prompt: &str, confirm: bool) -> Result<String, String> {
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
        MemberCommand::Login(LoginArgs {
            c,
            accept_weaker_kdf,
            accept_legacy_kdf,
        }) => {
            let pass = passphrase(false)?;
            let client = Client::new(&c.server).map_err(|e| e.to_string())?;
            let label = Some(format!("datacoop-cli on {}", hostname()));
            let policy = member::KdfPolicy {
                remembered: session::remembered_kdf(&c.server, &c.email)?,
                accept_weaker: accept_weaker_kdf,
                accept_legacy: accept_legacy_kdf,
            };
            let s = member::login_with(&client, &c.email, &pass, label, &policy)
                .await
                .map_err(|e| e.to_string())?;
            if let Some(cost) = s.kdf_cost() {
                session::remember_kdf(&c.server, &c.email, cost)?;
                if cost.version < 2 && !json {
                    eprintln!(
                        "warning: this account is from datacoop 0.1: its passphrase hashing is in \
                         the old format and its recovery still accepts the vault key alone. Run \
                         `datacoop member passphrase` and then `datacoop member recovery-code`"
                    );
                }
            }
            // The login this one replaces on this machine ends on its server too.
            if let Ok(t) = session::load_tokens() {
                if let Ok(c) = Client::new(&t.server) {
                    let _ = c.logout(&t.refresh_token).await;
                }
            }
            session::save(&c.server, &c.email, &s)?;
            if json {
                crate::print_json(&serde_json::json!({"member_id": s.member_id}));
            } else {
                println!("Logged in as {} ({}).", c.email, s.member_id);
                println!(
                    "Commands will ask for your passphrase to open your vault; \
                     `eval \"$(datacoop member unlock)\"` keeps it open in this shell."
                );
            }
            Ok(())
        }
        MemberCommand::Unlock => {
            let saved = session::load_with_passphrase().await?;
            let key = session::unlock_shell(&saved.session)?;
            if json {
                crate::print_json(&serde_json::json!({ "session": key }));
            } else {
                println!("export {}={key}", session::SESSION_ENV);
            }
            Ok(())
        }
        MemberCommand::Lock => {
            let n = session::lock_shells()?;
            if json {
                crate::print_json(&serde_json::json!({ "locked_shells": n }));
            } else {
                println!(
                    "Locked: {n} unlocked shell(s) can no longer open your vault (their {} \
                     opens nothing now); commands ask for the passphrase again. Run `unset {}` \
                     in this shell.",
                    session::SESSION_ENV,
                    session::SESSION_ENV
                );
            }
            Ok(())
        }
        MemberCommand::Logout => {
            // Ending the session needs the tokens, not the vault.
            let t = session::load_tokens()?;
            let res = match Client::new(&t.server) {
                Ok(c) => c.logout(&t.refresh_token).await,
                Err(e) => Err(e),
            };
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
        MemberCommand::RotateKeys => account::rotate_keys(json).await,
        MemberCommand::Sessions(args) => account::sessions(args, json).await,
        MemberCommand::Delete(args) => account::delete(args, json).await,
        MemberCommand::Whoami => {
            let t = session::load_tokens()?;
            if json {
                crate::print_json(&serde_json::json!({
                    "email": t.email, "member_id": t.member_id, "server": t.server,
                }));
            } else {
                println!("{} ({}) on {}", t.email, t.member_id, t.server);
            }
            Ok(())
        }
    }
}

pub(crate) fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "this machine".into())
}
