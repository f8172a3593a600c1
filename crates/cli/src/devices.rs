//! `datacoop devices …`: write-only tokens for devices and apps (a boat's
//! logger, a wearable bridge). A device can add records sealed to your public
//! key and cannot list or read anything.

use crate::records::fresh;
use crate::session;
use clap::Subcommand;
use datacoop_api::devices::DeviceInfo;
use datacoop_client::device::{DeviceClient, DeviceCredentials};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// Your devices' write-only tokens.
#[derive(Subcommand)]
pub enum DevicesCommand {
    /// Create a token for a device and write its credentials file (mode 0600).
    ///
    /// Copy the file to the device; there, `datacoop records import FILE
    /// --device CREDENTIALS` (or `records upload … --device CREDENTIALS`)
    /// adds records it can never read back.
    Add {
        /// A name you will recognise, e.g. "boat logger".
        name: String,
        /// Only allow these categories (repeat; default: any), e.g. catch.landing.
        #[arg(long = "category", value_name = "CATEGORY")]
        categories: Vec<String>,
        /// Where to write the credentials (default: ./device-<id>.json).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List your devices: when they last uploaded, how many records, revoked or not.
    List,
    /// Revoke a device's token: its next upload is refused. What it added stays.
    Revoke {
        /// Device id (from `datacoop devices list`).
        id: Uuid,
    },
}

/// Runs a devices command.
pub async fn run(cmd: DevicesCommand, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let s = &saved.session;
    match cmd {
        DevicesCommand::Add {
            name,
            categories,
            output,
        } => {
            let categories = (!categories.is_empty()).then_some(categories);
            let (device, creds) = s
                .add_device(&name, categories)
                .await
                .map_err(|e| e.to_string())?;
            let path =
                output.unwrap_or_else(|| PathBuf::from(format!("device-{}.json", device.id)));
            let text = serde_json::to_vec_pretty(&creds).map_err(|e| e.to_string())?;
            session::write_private(&path, &text).map_err(|e| {
                format!("{e}; the device {} was created but its token is lost: revoke it with `datacoop devices revoke {}` and add it again", device.id, device.id)
            })?;
            if json {
                crate::print_json(&serde_json::json!({"device": device, "credentials": path}));
            } else {
                println!(
                    "Added device \"{}\" ({}). Its credentials are in {} (mode 0600): copy them to the device and delete them here.",
                    device.name,
                    device.id,
                    path.display()
                );
                println!(
                    "On the device: datacoop records import FILE --device {}",
                    path.display()
                );
            }
        }
        DevicesCommand::List => {
            let items = s.devices().await.map_err(|e| e.to_string())?;
            if json {
                crate::print_json(&items);
            } else {
                print_table(&items);
            }
        }
        DevicesCommand::Revoke { id } => {
            let info = s.revoke_device(id).await.map_err(|e| e.to_string())?;
            if json {
                crate::print_json(&info);
            } else {
                println!(
                    "Revoked device \"{}\" ({}); the {} record(s) it added stay in your account.",
                    info.name, info.id, info.records_added
                );
            }
        }
    }
    Ok(())
}

fn print_table(items: &[DeviceInfo]) {
    println!(
        "{:<36}  {:<20}  {:<20}  {:<20}  {:>7}  STATUS",
        "ID", "NAME", "CATEGORIES", "LAST UPLOAD", "RECORDS"
    );
    for d in items {
        let cats = d
            .categories
            .as_ref()
            .map(|c| c.join(","))
            .unwrap_or_else(|| "any".into());
        println!(
            "{:<36}  {:<20}  {:<20}  {:<20}  {:>7}  {}",
            d.id,
            d.name,
            cats,
            d.last_used_at.as_deref().map(short_time).unwrap_or("never"),
            d.records_added,
            match &d.revoked_at {
                Some(t) => format!("revoked {}", short_time(t)),
                None => "active".into(),
            }
        );
    }
    println!("{} device(s)", items.len());
}

fn short_time(t: &str) -> &str {
    t.get(..19).unwrap_or(t)
}

/// Loads a device's credentials file (written by `datacoop devices add`).
pub fn load_credentials(path: &Path) -> Result<DeviceClient, String> {
    let text = std::fs::read(path)
        .map_err(|e| format!("cannot read the device credentials {}: {e}", path.display()))?;
    let creds: DeviceCredentials = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is not a device credentials file from `datacoop devices add`: {e}",
            path.display()
        )
    })?;
    DeviceClient::new(&creds).map_err(|e| e.to_string())
}
