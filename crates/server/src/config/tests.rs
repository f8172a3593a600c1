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
    full.notices.smtp_url = Some(Secret("smtp://localhost".into()));
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

#[test]
fn trusted_proxies_and_limits_from_file_and_environment() {
    let c = Config::load(None, env(&[])).unwrap();
    assert!(c.server.trusted_proxies.is_empty());
    assert_eq!(c.server.forwarded_header, ForwardedHeader::XForwardedFor);
    assert!(c.auth.hash_permits() >= 1);
    assert_eq!(c.auth.registrations_per_minute, 5);

    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.toml");
    std::fs::write(
        &f,
        "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\nforwarded_header = \"forwarded\"\n\
         [auth]\nmax_concurrent_hashes = 3\nhash_wait_ms = 500\n",
    )
    .unwrap();
    let c = Config::load(Some(&f), env(&[])).unwrap();
    assert_eq!(c.server.trusted_proxies.len(), 2);
    assert_eq!(c.server.forwarded_header, ForwardedHeader::Forwarded);
    assert_eq!((c.auth.hash_permits(), c.auth.hash_wait_ms), (3, 500));

    let c = Config::load(
        Some(&f),
        env(&[
            (
                "DATACOOP_SERVER_TRUSTED_PROXIES",
                "127.0.0.1, 192.168.0.0/16",
            ),
            ("DATACOOP_AUTH_REGISTRATIONS_PER_MINUTE", "2"),
            ("DATACOOP_AUTH_FREE_FAILURES", "3"),
        ]),
    )
    .unwrap();
    let listed: Vec<String> = c
        .server
        .trusted_proxies
        .iter()
        .map(|r| r.to_string())
        .collect();
    assert_eq!(listed, ["127.0.0.1/32", "192.168.0.0/16"]);
    assert_eq!(
        (c.auth.registrations_per_minute, c.auth.free_failures),
        (2, 3)
    );
    let c = Config::load(None, env(&[("DATACOOP_SERVER_TRUSTED_PROXIES", "")])).unwrap();
    assert!(c.server.trusted_proxies.is_empty());

    let e = Config::load(
        None,
        env(&[("DATACOOP_SERVER_TRUSTED_PROXIES", "proxy.lan")]),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("not an IP address or CIDR range"), "{e}");
    std::fs::write(&f, "[server]\ntrusted_proxies = [\"10.0.0.1/8\"]\n").unwrap();
    let e = Config::load(Some(&f), env(&[])).unwrap_err().to_string();
    assert!(e.contains("10.0.0.0/8"), "{e}");
}

#[test]
fn the_clients_own_variables_do_not_stop_the_server() {
    // A member may run `datacoop serve` in a shell where the client is unlocked.
    Config::load(
        None,
        env(&[
            ("DATACOOP_SESSION", "x"),
            ("DATACOOP_LOG_KEY", "coop+0+AA"),
            ("DATACOOP_NEW_PASSPHRASE", "p"),
            ("DATACOOP_RECOVERY_CODE", "c"),
            ("DATACOOP_ALLOW_INSECURE_HTTP", "1"),
        ]),
    )
    .unwrap();
}
