//! `datacoop records upgrade`: re-seals records from before datacoop 0.2 in the
//! current format (docs/crypto.md section 9), so their category, type,
//! effective time and author are authenticated like every new record's.

use crate::records::fresh;
use clap::Args;
use datacoop_client::member::Provenance;
use datacoop_client::ClientError;

/// What `records upgrade` takes.
#[derive(Args)]
pub struct UpgradeArgs {
    /// Also re-seal device records from before datacoop 0.2. Nothing proves a device (and
    /// not the server) wrote those: give this only if you trust every such record.
    #[arg(long)]
    accept_legacy_device_records: bool,
    /// Only count what would be re-sealed; change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(serde::Serialize, Default)]
struct Summary {
    checked: usize,
    current: usize,
    resealed: usize,
    would_reseal: usize,
    refused_legacy_device: usize,
    /// Records that did not open at all (left alone; named on standard error).
    failed: usize,
    /// With --dry-run: what each record to re-seal shows, which the re-sealing will bind
    /// (nothing authenticated it before: check it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    to_check: Vec<serde_json::Value>,
}

/// Runs the upgrade: every record is opened here; old-format ones get a new version.
pub async fn run(a: UpgradeArgs, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let s = saved
        .session
        .clone()
        .accept_legacy_device_records(a.accept_legacy_device_records);
    let (metas, bar) = crate::records::all_with_bar(&s, json, "checked").await?;
    let mut sum = Summary::default();
    for meta in &metas {
        bar.inc(1);
        sum.checked += 1;
        let opened = match s.open(meta.id).await {
            Ok(o) => o,
            Err(ClientError::LegacyDeviceRecord { .. }) => {
                sum.refused_legacy_device += 1;
                continue;
            }
            Err(e) => {
                // One bad record (damaged, or planted) must not block the others.
                bar.suspend(|| eprintln!("record {}: {e}", meta.id));
                sum.failed += 1;
                continue;
            }
        };
        match opened.provenance {
            Provenance::Member | Provenance::Device(_) => sum.current += 1,
            Provenance::LegacyMember | Provenance::LegacyDevice if a.dry_run => {
                sum.would_reseal += 1;
                let m = &opened.meta;
                sum.to_check.push(serde_json::json!({
                    "id": m.id, "category": m.category, "type_code": m.type_code,
                    "effective_at": m.effective_at, "content_type": m.content_type,
                    "from_device": opened.provenance == Provenance::LegacyDevice,
                }));
            }
            Provenance::LegacyMember | Provenance::LegacyDevice => {
                s.reseal(&opened).await.map_err(|e| {
                    format!(
                        "record {}: {e} (records done so far stay upgraded; run again)",
                        meta.id
                    )
                })?;
                sum.resealed += 1;
            }
        }
    }
    bar.finish_and_clear();
    let all_current = sum.current + sum.resealed == sum.checked;
    if all_current && !a.dry_run {
        // From now on an old-format record can only be an old copy the server serves.
        crate::session::remember_all_records_upgraded(&saved.server, &saved.email)?;
    }
    let failed = sum.failed;
    let outcome = if failed == 0 {
        Ok(())
    } else {
        Err(format!(
            "{failed} record(s) did not open and were left alone (named above): do not trust \
             them, and tell the cooperative"
        ))
    };
    if json {
        crate::print_json(&sum);
        return outcome;
    }
    println!(
        "Checked {} records: {} already current, {} re-sealed{}.",
        sum.checked,
        sum.current,
        sum.resealed,
        if a.dry_run {
            format!(", {} would be re-sealed (dry run)", sum.would_reseal)
        } else {
            String::new()
        }
    );
    if !sum.to_check.is_empty() {
        println!(
            "Re-sealing binds what the server shows beside each record, which nothing \
             authenticated in the 0.1 format. Check it before you upgrade:"
        );
        for r in &sum.to_check {
            println!(
                "  {}  {}  {}  {}{}",
                r["id"].as_str().unwrap_or_default(),
                r["category"].as_str().unwrap_or_default(),
                r["type_code"].as_str().unwrap_or_default(),
                r["effective_at"].as_str().unwrap_or("(no date)"),
                if r["from_device"] == true {
                    "  (from a device; becomes yours)"
                } else {
                    ""
                }
            );
        }
    }
    if all_current && !a.dry_run {
        println!(
            "Every record is in the current format: this machine now refuses records in the \
             datacoop 0.1 format for this account (an old copy served instead of the current one)."
        );
    }
    if sum.refused_legacy_device > 0 {
        println!(
            "{} device records from before datacoop 0.2 were left alone: nothing proves which \
             device wrote them. If you trust them, run `datacoop records upgrade \
             --accept-legacy-device-records`.",
            sum.refused_legacy_device
        );
    }
    outcome
}
