//! Generated input: N FHIR Observations varied from the shipped sample bundle.

use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The sample bundle (75 Observations), found from the workspace root.
pub fn sample_path(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fhir/bundle-30-days.json")
    })
}

/// The Observations of the sample bundle.
pub fn sample_observations(path: &Path) -> Result<Vec<Value>> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bundle: Value = serde_json::from_slice(&text)?;
    let obs: Vec<Value> = bundle["entry"]
        .as_array()
        .ok_or_else(|| anyhow!("{} is not a Bundle with entries", path.display()))?
        .iter()
        .map(|e| e["resource"].clone())
        .filter(|r| r["resourceType"] == "Observation")
        .collect();
    if obs.is_empty() {
        return Err(anyhow!("{} holds no Observations", path.display()));
    }
    Ok(obs)
}

/// Observation `i` of a generated series: sample `i % len` with a new id and
/// an effective time ten minutes after the previous one, from 2020-01-01.
pub fn observation(samples: &[Value], i: usize) -> Result<Value> {
    let mut o = samples[i % samples.len()].clone();
    let map = o
        .as_object_mut()
        .ok_or_else(|| anyhow!("an Observation is not an object"))?;
    map.insert("id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
    let t =
        OffsetDateTime::from_unix_timestamp(1_577_836_800 + 600 * i as i64)?.format(&Rfc3339)?;
    map.remove("effectivePeriod");
    map.remove("effectiveInstant");
    map.insert("effectiveDateTime".into(), Value::String(t));
    Ok(o)
}

/// Writes a FHIR Bundle of `n` generated Observations to `path`.
pub fn write_bundle(samples: &[Value], n: usize, path: &Path) -> Result<()> {
    let entries = (0..n)
        .map(|i| {
            let o = observation(samples, i)?;
            Ok(serde_json::json!({
                "fullUrl": format!("urn:uuid:{}", o["id"].as_str().unwrap_or_default()),
                "resource": o,
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    let bundle = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": entries,
    });
    std::fs::write(path, serde_json::to_vec(&bundle)?)
        .with_context(|| format!("cannot write {}", path.display()))
}
