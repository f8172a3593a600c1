//! `datacoop member passphrase|recover|recovery-code|sessions|delete`: account management.

use super::{secret, Credentials};
use crate::records::fresh;
use crate::session;
use clap::Args;
use datacoop_client::{account, Client};
use std::io::{BufRead, IsTerminal, Write};
use uuid::Uuid;

/// Options of `datacoop member sessions`.
#[derive(Args)]
pub struct SessionsArgs {
    /// Revoke this session (an id from the list) instead of listing.
    #[arg(long, value_name = "ID")]
    revoke: Option<Uuid>,
}

/// Options of `datacoop member delete`.
#[derive(Args)]
pub struct DeleteArgs {
    /// Confirm without the typed prompt (for scripts).
    #[arg(long)]
    yes_delete_everything: bool,
}

const LAPSE: &str =
    "their access tokens stop working within the access-token lifetime (15 minutes by default)";

/// Changes the passphrase of the logged-in account.
pub async fn passphrase(json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let current = secret("DATACOOP_PASSPHRASE", "Current passphrase", false)?;
    let new = secret("DATACOOP_NEW_PASSPHRASE", "New passphrase", true)?;
    let done = saved
        .session
        .change_passphrase(&saved.email, &current, &new)
        .await
        .map_err(|e| e.to_string())?;
    // The new material is in this build's format and cost: remember it, so nothing lower
    // is accepted for this account from now on.
    if let Some(cost) = session::default_kdf() {
        // The session first: it holds the new sealed vault key.
        let s = saved.session.clone().with_kdf_cost(Some(cost));
        session::save(&saved.server, &saved.email, &s)?;
        session::remember_kdf(&saved.server, &saved.email, cost)?;
    }
    if json {
        crate::print_json(&done);
    } else {
        println!("Passphrase changed for {}.", saved.email);
        println!(
            "{} other session(s) were logged out; {LAPSE}. This session stays logged in.",
            done.sessions_revoked
        );
        println!("Your recovery code is unchanged.");
    }
    Ok(())
}

/// Sets a new passphrase with the recovery code.
pub async fn recover(c: Credentials, json: bool) -> Result<(), String> {
    let code = secret("DATACOOP_RECOVERY_CODE", "Recovery code", false)?;
    let new = secret("DATACOOP_PASSPHRASE", "New passphrase", true)?;
    let client = Client::new(&c.server).map_err(|e| e.to_string())?;
    let done = account::recover(&client, &c.email, &code, &new)
        .await
        .map_err(|e| e.to_string())?;
    if session::load_tokens().is_ok_and(|t| t.member_id == done.replaced.member_id) {
        session::remove();
    }
    if let Some(cost) = session::default_kdf() {
        session::remember_kdf(&c.server, &c.email, cost)?;
    }
    if json {
        crate::print_json(&serde_json::json!({
            "member_id": done.replaced.member_id,
            "sessions_revoked": done.replaced.sessions_revoked,
            "recovery_code": done.recovery_code,
        }));
    } else {
        println!("New passphrase set for {}.", c.email);
        println!(
            "All {} session(s) were logged out; {LAPSE}.",
            done.replaced.sessions_revoked
        );
        print_new_code(
            &done.recovery_code,
            "The code you just used no longer works.",
        );
        println!("Next: datacoop member login --email {}", c.email);
    }
    Ok(())
}

fn print_new_code(code: &str, why: &str) {
    println!();
    println!("Your NEW recovery code (shown only now; print it and keep it safe):");
    println!();
    println!("    {code}");
    println!();
    println!("{why}");
}

/// Replaces the recovery code (the old one stops working), after the current passphrase.
pub async fn recovery_code(json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let current = secret("DATACOOP_PASSPHRASE", "Current passphrase", false)?;
    let code = saved
        .session
        .new_recovery_code(&saved.email, &current)
        .await
        .map_err(|e| e.to_string())?;
    if json {
        crate::print_json(&serde_json::json!({ "recovery_code": code }));
    } else {
        println!("New recovery code set for {}.", saved.email);
        print_new_code(
            &code,
            "Your old recovery code no longer works. Do this whenever the old one may have been seen.",
        );
    }
    Ok(())
}

/// Rotates every key of the account (after a possible leak of the vault key).
pub async fn rotate_keys(json: bool) -> Result<(), String> {
    let mut saved = fresh().await?;
    let current = secret("DATACOOP_PASSPHRASE", "Passphrase", false)?;
    let bar = if json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(0)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} keys re-wrapped {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let done = saved
        .session
        .rotate_keys(&saved.email, &current, |n, total| {
            bar.set_length(total as u64);
            bar.set_position(n as u64);
        })
        .await
        .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    // What opens the vault with the passphrase is the new material now; unlocked
    // shells held copies of the old vault key.
    session::save(&saved.server, &saved.email, &saved.session)?;
    let shells = session::lock_shells()?;
    let d = &done.done;
    if json {
        crate::print_json(&serde_json::json!({
            "records_rewrapped": d.records_rewrapped,
            "blobs_rewrapped": d.blobs_rewrapped,
            "devices_revoked": d.devices_revoked,
            "sessions_revoked": d.sessions_revoked,
            "recovery_code": done.recovery_code,
        }));
        return Ok(());
    }
    println!(
        "Keys rotated for {}: {} record key(s) and {} file key(s) re-wrapped under a new vault \
         key; new key pairs published.",
        saved.email, d.records_rewrapped, d.blobs_rewrapped
    );
    if d.devices_revoked > 0 {
        println!(
            "{} device(s) revoked: they held your old public key. Enrol them again with \
             `datacoop devices add`.",
            d.devices_revoked
        );
    }
    if d.sessions_revoked > 0 {
        println!("{} other session(s) were logged out.", d.sessions_revoked);
    }
    if shells > 0 || std::env::var_os(session::SESSION_ENV).is_some() {
        println!(
            "Unlocked shells were locked (they opened the old vault key): run `eval \"$(datacoop \
             member unlock)\"` again where you need one."
        );
    }
    print_new_code(
        &done.recovery_code,
        "Your old recovery code no longer works, and the old vault key opens nothing stored now.",
    );
    Ok(())
}

/// Lists the member's sessions, or revokes one.
pub async fn sessions(args: SessionsArgs, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    if let Some(id) = args.revoke {
        saved
            .session
            .revoke_session(id)
            .await
            .map_err(|e| e.to_string())?;
        if json {
            crate::print_json(&serde_json::json!({"revoked": id}));
        } else {
            println!("Session {id} revoked; {LAPSE}.");
        }
        return Ok(());
    }
    let list = saved.session.sessions().await.map_err(|e| e.to_string())?;
    if json {
        crate::print_json(&list);
        return Ok(());
    }
    for s in &list.sessions {
        println!(
            "{}  {:<32}  last used {}{}",
            s.id,
            s.label.as_deref().unwrap_or("-"),
            s.last_used_at,
            if s.current { "  (this session)" } else { "" }
        );
    }
    println!(
        "{} live session(s). Revoke one with: datacoop member sessions --revoke ID",
        list.sessions.len()
    );
    Ok(())
}

fn confirmed_by_typing(email: &str) -> Result<(), String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err("refusing to delete without confirmation: pass --yes-delete-everything".into());
    }
    print!("This deletes the account {email} and every record in it, for good. Type DELETE to confirm: ");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    if line.trim() == "DELETE" {
        Ok(())
    } else {
        Err("not confirmed; nothing was deleted".into())
    }
}

/// Deletes the account after a typed confirmation and the passphrase.
pub async fn delete(args: DeleteArgs, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    if !args.yes_delete_everything {
        confirmed_by_typing(&saved.email)?;
    }
    let pass = secret("DATACOOP_PASSPHRASE", "Passphrase", false)?;
    let done = saved
        .session
        .delete_account(&saved.email, &pass)
        .await
        .map_err(|e| e.to_string())?;
    session::remove();
    if json {
        crate::print_json(&done);
    } else {
        println!(
            "Deleted account {} ({}): {} record(s), {} session(s), your sealed keys and login material.",
            saved.email, done.member_id, done.records_deleted, done.sessions_deleted
        );
        println!("Without the sealed keys, copies of your encrypted records in backups can no longer be opened by anyone.");
        if done.kept.is_empty() {
            println!("Kept by the cooperative: nothing.");
        } else {
            println!("Kept by the cooperative: {}.", done.kept.join(", "));
        }
    }
    Ok(())
}
