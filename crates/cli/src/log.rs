//! `datacoop log …`: read and verify the access log of your data.

use crate::records::fresh;
use crate::session::home;
use clap::{Args, Subcommand};
use datacoop_api::log::Actor;
use datacoop_api::log::LogEntryQuery;
use datacoop_client::log::{self, LogState, VerifyReport};
use datacoop_client::Client;
use std::path::PathBuf;

/// The access log: who read your data, when, under which consent.
#[derive(Subcommand)]
pub enum LogCommand {
    /// List the log's entries about you.
    List(ListArgs),
    /// Verify the log: the checkpoint's signature, that the log only grew
    /// since your last check, and that every entry about you is in it.
    Verify(VerifyArgs),
    /// Print the log's current signed checkpoint (to publish, or to verify
    /// later with `datacoop log verify --checkpoint FILE`).
    Checkpoint {
        /// Server URL.
        #[arg(long, env = "DATACOOP_SERVER", default_value = "http://127.0.0.1:8080")]
        server: String,
    },
}

/// Filters.
#[derive(Args)]
pub struct ListArgs {
    /// Only this actor kind: member, device, researcher, steward, server.
    #[arg(long)]
    actor: Option<String>,
    /// Only this action, e.g. record_read, key_published, login.
    #[arg(long)]
    action: Option<String>,
    /// At or after (RFC 3339).
    #[arg(long)]
    from: Option<String>,
    /// Before (RFC 3339).
    #[arg(long)]
    to: Option<String>,
}

/// Modes of verification.
#[derive(Args)]
pub struct VerifyArgs {
    /// Verify a published checkpoint (a file holding the signed note) against
    /// the server's log, as an outsider: no login needed.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// The log's verifier key to trust, as the cooperative publishes it outside
    /// this server (its statutes, website or a DNS record; DATACOOP_LOG_KEY lets
    /// a deployment ship it). Default: the key pinned at your first check (trust
    /// on first use), or for --checkpoint the one the server publishes. A key
    /// that differs from your pin is refused unless you add --repin.
    #[arg(long, value_name = "KEY", env = "DATACOOP_LOG_KEY")]
    log_key: Option<String>,
    /// Replace the pinned log key (only when the cooperative has announced a new
    /// one out of band): with --log-key KEY, or the key the server publishes.
    /// Entries verified before must still be there.
    #[arg(long)]
    repin: bool,
    /// Server URL for --checkpoint.
    #[arg(long, env = "DATACOOP_SERVER", default_value = "http://127.0.0.1:8080")]
    server: String,
}

pub(crate) fn state_path(member: &uuid::Uuid) -> PathBuf {
    home().join(format!("log-state-{member}.json"))
}

fn print_report(r: &VerifyReport, json: bool) {
    if json {
        crate::print_json(
            &serde_json::json!({"ok": r.ok(), "checked": r.checked, "problems": r.problems}),
        );
        return;
    }
    for line in &r.checked {
        println!("ok       {line}");
    }
    for line in &r.problems {
        println!("PROBLEM  {line}");
    }
    if r.ok() {
        println!(
            "The access log verifies: the signed log only grew since your last check, nothing \
             you verified before was rewritten or removed, every entry the server listed about \
             you is in it, none before your newest listed entry is missing, and your records \
             and files are listed as your logged writes say. Not provable from here: entries \
             newer than the newest one listed (a later check shows them as a gap if withheld)."
        );
    } else {
        println!("The access log does NOT verify ({} problem(s) above). Keep this output and tell the cooperative's stewards.", r.problems.len());
    }
}

fn who(actor: &Actor) -> String {
    match actor {
        Actor::Member { .. } => "you".into(),
        Actor::Device { id } => format!("device {id}"),
        Actor::Researcher { id, study } => format!("researcher {id} (study {study})"),
        Actor::Steward { id } => format!("steward {id}"),
        Actor::Server => "the server".into(),
    }
}

/// Runs a log command.
pub async fn run(cmd: LogCommand, json: bool) -> Result<(), String> {
    match cmd {
        LogCommand::List(a) => {
            let saved = fresh().await?;
            let q = LogEntryQuery {
                actor: a.actor,
                action: a.action,
                from: a.from,
                to: a.to,
                ..Default::default()
            };
            let items = log::all_entries(&saved.session, q)
                .await
                .map_err(|e| e.to_string())?;
            if json {
                crate::print_json(&items);
                return Ok(());
            }
            println!(
                "{:>8}  {:<27}  {:<28}  {:<14}  {:<36}  CONSENT",
                "INDEX", "WHEN", "WHO", "WHAT", "RECORD"
            );
            for v in &items {
                let Some(e) = &v.entry else {
                    println!(
                        "{:>8}  (damaged: does not decode; run `datacoop log verify`)",
                        v.index
                    );
                    continue;
                };
                let when = format_time(e.time_micros);
                let what = serde_json::to_value(e.action)
                    .ok()
                    .and_then(|x| x.as_str().map(str::to_owned))
                    .unwrap_or_default();
                println!(
                    "{:>8}  {:<27}  {:<28}  {:<14}  {:<36}  {}",
                    v.index,
                    when,
                    who(&e.actor),
                    what,
                    e.record
                        .map(|r| r.to_string())
                        .unwrap_or_else(|| "-".into()),
                    e.consent
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| "-".into()),
                );
            }
            println!(
                "{} entr{}",
                items.len(),
                if items.len() == 1 { "y" } else { "ies" }
            );
            Ok(())
        }
        LogCommand::Checkpoint { server } => {
            let client = Client::new(&server).map_err(|e| e.to_string())?;
            let text = log::checkpoint(&client).await.map_err(|e| e.to_string())?;
            if json {
                crate::print_json(&serde_json::json!({ "checkpoint": text }));
            } else {
                print!("{text}");
            }
            Ok(())
        }
        LogCommand::Verify(a) => {
            if let Some(file) = a.checkpoint {
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
                let client = Client::new(&a.server).map_err(|e| e.to_string())?;
                let key = match a.log_key {
                    Some(k) => k,
                    None => {
                        let k = log::log_key(&client)
                            .await
                            .map_err(|e| e.to_string())?
                            .verifier_key;
                        if !json {
                            println!("note     using the key the server publishes ({k}); pass --log-key to check against one you got elsewhere");
                        }
                        k
                    }
                };
                let report = log::verify_published(&client, &text, &key)
                    .await
                    .map_err(|e| e.to_string())?;
                print_report(&report, json);
                return if report.ok() {
                    Ok(())
                } else {
                    Err("verification failed".into())
                };
            }
            let saved = fresh().await?;
            let path = state_path(&saved.session.member_id);
            let mut state: LogState = match std::fs::read(&path) {
                Ok(b) => serde_json::from_slice(&b)
                    .map_err(|e| format!("{} is damaged: {e}", path.display()))?,
                Err(_) => LogState::default(),
            };
            match (&state.verifier_key, a.log_key, a.repin) {
                (Some(pinned), Some(k), false) if *pinned != k => {
                    return Err(format!(
                        "the key you gave ({k}) differs from the one pinned at your first check \
                         ({pinned}). If the cooperative has announced a new log key (outside \
                         this server), run again with --repin; otherwise this server's log is \
                         not the one you checked before"
                    ));
                }
                (_, Some(k), _) => {
                    if state.verifier_key.as_ref() != Some(&k) {
                        state.checkpoint = None;
                    }
                    state.verifier_key = Some(k);
                    state.key_source = Some("member".into());
                }
                (_, None, true) => {
                    state.verifier_key = None;
                    state.checkpoint = None;
                    state.key_source = None;
                }
                (_, None, false) => {}
            }
            let report = log::verify(&saved.session, state)
                .await
                .map_err(|e| e.to_string())?;
            print_report(&report, json);
            if report.ok() {
                let text = serde_json::to_vec_pretty(&report.state).map_err(|e| e.to_string())?;
                // Mode 0600: what the member has verified is theirs alone.
                crate::session::write_private(&path, &text)
                    .map_err(|e| format!("cannot save {}: {e}", path.display()))?;
                Ok(())
            } else {
                Err("verification failed".into())
            }
        }
    }
}

fn format_time(micros: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// The access log key this machine pinned (`datacoop log verify`), else the one the
/// server publishes now, with a note that it is not pinned yet.
pub(crate) async fn pinned_key(
    s: &datacoop_client::member::MemberSession,
) -> Result<String, String> {
    let path = state_path(&s.member_id);
    if let Ok(b) = std::fs::read(&path) {
        let state: LogState = serde_json::from_slice(&b)
            .map_err(|e| format!("{} is damaged: {e}", path.display()))?;
        if let Some(k) = state.verifier_key {
            return Ok(k);
        }
    }
    let key = log::log_key(&s.client)
        .await
        .map_err(|e| e.to_string())?
        .verifier_key;
    eprintln!(
        "note: no access log key is pinned on this machine yet; using the one the server \
         publishes ({key}). Run `datacoop log verify` to pin it."
    );
    Ok(key)
}
