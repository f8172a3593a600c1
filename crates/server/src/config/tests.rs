//! Configuration loading: defaults, file, environment, refusals.

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn defaults_need_no_setup() {
    let c = Config::load(None, env(&[])).unwrap();
    assert_eq!(c.listen, "127.0.0.1:8080");
    assert_eq!(c.database_url(), "sqlite://./datacoop-data/datacoop.db");
    assert_eq!(c.blobs_url(), "./datacoop-data/blobs");
    assert_eq!(c.blobs.max_bytes, 16 << 30);
}

#[test]
fn file_then_env_override() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    std::fs::write(&f, "listen = \"0.0.0.0:9000\"\n[database]\npool_size = 3\n").unwrap();
    let c = Config::load(
        Some(&f),
        env(&[
            ("DATACOOP_DATABASE_POOL_SIZE", "5"),
            ("DATACOOP_TEST_POSTGRES_URL", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(c.listen, "0.0.0.0:9000");
    assert_eq!(c.database.pool_size, 5);
}

#[test]
fn unknown_keys_and_bad_syntax_are_refused_with_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    std::fs::write(&f, "lissen = \"x\"\n").unwrap();
    let e = Config::load(Some(&f), env(&[])).unwrap_err().to_string();
    assert!(e.contains("unknown field `lissen`"), "{e}");
    std::fs::write(&f, "listen = \"x\"\n[http\n").unwrap();
    let e = Config::load(Some(&f), env(&[])).unwrap_err().to_string();
    assert!(e.contains("line 2"), "{e}");
    assert!(!e.contains('\n'), "one line: {e}");
    let e = Config::load(None, env(&[("DATACOOP_LISTN", "x")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("DATACOOP_LISTN"), "{e}");
    let e = Config::load(None, env(&[("DATACOOP_WORKERS", "many")]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("invalid type"), "{e}");
}

#[test]
fn every_setting_has_an_environment_variable() {
    let mut full = Config {
        database_url: Some(Secret("sqlite://x".into())),
        ..Config::default()
    };
    full.auth.token_secret = Some(Secret("s".into()));
    full.blobs.url = Some("s3://bucket/prefix".into());
    fn leaves(prefix: &str, v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    leaves(&key, v, out);
                }
            }
            _ => out.push(prefix.to_owned()),
        }
    }
    let mut keys = Vec::new();
    leaves("", &toml::Value::try_from(full).unwrap(), &mut keys);
    keys.sort();
    let mut listed: Vec<String> = ENV_KEYS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(keys, listed);
}

#[test]
fn secrets_are_redacted_in_debug() {
    let c = Config::load(
        None,
        env(&[
            ("DATACOOP_DATABASE_URL", "postgres://u:hunter2@h/db"),
            ("DATACOOP_AUTH_TOKEN_SECRET", "topsecretvalue"),
        ]),
    )
    .unwrap();
    let d = format!("{c:?}");
    assert!(
        !d.contains("hunter2") && !d.contains("topsecretvalue"),
        "{d}"
    );
}
