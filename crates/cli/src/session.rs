//! The client's local state: one session file (mode 0600) in the user's
//! config directory holding the tokens and what opens the vault with the
//! passphrase (the sealed vault key and KDF parameters) — never the passphrase
//! and never the vault key itself. Each command opens the vault with the
//! passphrase (prompt or `DATACOOP_PASSPHRASE`), or with the key a shell holds
//! after `eval "$(datacoop member unlock)"` (`DATACOOP_SESSION`), as `bw unlock`
//! does: a copied session file alone opens nothing.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use datacoop_client::member::{MemberSession, VaultLock};
use datacoop_client::Client;
use datacoop_crypto::{
    open_vault_key_for_shell, seal_vault_key_for_shell, KdfCost, ShellKey, VaultKey,
};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use uuid::Uuid;

/// The client's home: `$DATACOOP_HOME`, else `$XDG_CONFIG_HOME/datacoop`, else `~/.config/datacoop`.
pub fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("DATACOOP_HOME") {
        return PathBuf::from(h);
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("datacoop")
}

#[derive(Serialize, Deserialize)]
struct Stored {
    server: String,
    email: String,
    member_id: Uuid,
    access_token: String,
    refresh_token: String,
    /// What opens the vault with the passphrase.
    #[serde(default)]
    lock: Option<VaultLock>,
    /// Present only in session files written by datacoop 0.1 (the vault key in clear).
    #[serde(default, skip_serializing)]
    vault_key: Option<String>,
    /// The passphrase-hashing cost accepted at login.
    #[serde(default)]
    kdf: Option<KdfCost>,
    /// Local copies of the vault key, each sealed under the key one unlocked shell holds
    /// (box 0x13, base64url); `datacoop member lock` deletes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    shell_copies: Vec<String>,
}

/// Most shells unlocked at once (the oldest copy goes first).
const MAX_SHELL_COPIES: usize = 8;

/// The environment variable `datacoop member unlock` sets: the vault key, held by the shell.
pub const SESSION_ENV: &str = "DATACOOP_SESSION";

/// A saved login.
pub struct Saved {
    /// Server URL.
    pub server: String,
    /// Login email.
    pub email: String,
    /// The live session.
    pub session: MemberSession,
}

fn path() -> PathBuf {
    home().join("session.json")
}

/// Saves the session with mode 0600 (written to a temporary file, then renamed).
pub fn save(server: &str, email: &str, s: &MemberSession) -> Result<(), String> {
    let dir = home();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // Unlocked shells of the same login stay unlocked across token refreshes.
    let shell_copies = read_stored()
        .ok()
        .filter(|old| old.member_id == s.member_id && old.server == server)
        .map(|old| old.shell_copies)
        .unwrap_or_default();
    write_stored(&Stored {
        server: server.to_owned(),
        email: email.to_owned(),
        member_id: s.member_id,
        access_token: s.access_token.clone(),
        refresh_token: s.refresh_token.clone(),
        lock: s.vault_lock(),
        vault_key: None,
        kdf: s.kdf_cost(),
        shell_copies,
    })
}

fn write_stored(stored: &Stored) -> Result<(), String> {
    let dir = home();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = serde_json::to_vec_pretty(stored).map_err(|e| e.to_string())?;
    write_private(&path(), &text).map_err(|e| format!("cannot save the session: {e}"))
}

/// Unlocks a shell: seals the vault key under a fresh shell key, keeps that copy in the
/// session file, and returns the key for the shell's [`SESSION_ENV`].
pub fn unlock_shell(s: &MemberSession) -> Result<String, String> {
    let mut stored = read_stored()?;
    let shell = ShellKey::generate().map_err(|e| e.to_string())?;
    let copy =
        seal_vault_key_for_shell(&s.vault_key, &shell, &s.member_id).map_err(|e| e.to_string())?;
    stored.shell_copies.push(URL_SAFE_NO_PAD.encode(copy));
    let excess = stored.shell_copies.len().saturating_sub(MAX_SHELL_COPIES);
    stored.shell_copies.drain(..excess);
    write_stored(&stored)?;
    Ok(URL_SAFE_NO_PAD.encode(*shell.to_bytes()))
}

/// Locks every unlocked shell: deletes the local copies their keys open. Returns how many.
pub fn lock_shells() -> Result<usize, String> {
    let mut stored = read_stored()?;
    let n = stored.shell_copies.len();
    stored.shell_copies.clear();
    write_stored(&stored)?;
    Ok(n)
}

/// Writes a secret file with mode 0600: to a temporary file next to it,
/// synced, then renamed over the target (never half-written).
pub fn write_private(target: &std::path::Path, bytes: &[u8]) -> Result<(), String> {
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let tmp = target.with_file_name(name);
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(&tmp)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, target).map_err(|e| format!("cannot write {}: {e}", target.display()))
}

/// The saved login without opening the vault (for logout and whoami).
pub struct Tokens {
    /// Server URL.
    pub server: String,
    /// Login email.
    pub email: String,
    /// The account.
    pub member_id: Uuid,
    /// The refresh token.
    pub refresh_token: String,
}

fn read_stored() -> Result<Stored, String> {
    let p = path();
    let text = std::fs::read(&p).map_err(|_| {
        "you are not logged in: run `datacoop member login --email YOU@EXAMPLE.ORG`".to_owned()
    })?;
    serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is damaged ({e}); run `datacoop member login` again",
            p.display()
        )
    })
}

/// The saved login's tokens, without asking for the passphrase.
pub fn load_tokens() -> Result<Tokens, String> {
    let s = read_stored()?;
    Ok(Tokens {
        server: s.server,
        email: s.email,
        member_id: s.member_id,
        refresh_token: s.refresh_token,
    })
}

/// Loads the saved session and opens the vault, or says how to log in.
pub async fn load() -> Result<Saved, String> {
    load_opening(true).await
}

/// Like [`load`], but always with the passphrase: what `datacoop member unlock` uses,
/// so a stale shell key (another login's, or from before a key rotation) is replaced.
pub async fn load_with_passphrase() -> Result<Saved, String> {
    load_opening(false).await
}

async fn load_opening(shell_key: bool) -> Result<Saved, String> {
    let p = path();
    let s = read_stored()?;
    if s.vault_key.is_some() {
        // Its tokens end on the server too, so a copy of the file opens nothing.
        let ended = match Client::new(&s.server) {
            Ok(c) => c.logout(&s.refresh_token).await.is_ok(),
            Err(_) => false,
        };
        remove();
        return Err(format!(
            "{} was written by datacoop 0.1 and kept your vault key in clear; it is now \
             deleted{}. Run `datacoop member login --email {}` again{}",
            p.display(),
            if ended {
                " and its session ended on the server"
            } else {
                ""
            },
            s.email,
            if ended {
                ""
            } else {
                ", then end the old session with `datacoop member sessions --revoke ID`"
            }
        ));
    }
    let lock = s.lock.clone().ok_or_else(|| {
        format!(
            "{} is damaged; run `datacoop member login` again",
            p.display()
        )
    })?;
    let vault = open_vault(&lock, &s, shell_key)?;
    let client = Client::new(&s.server).map_err(|e| e.to_string())?;
    Ok(Saved {
        session: MemberSession::resume(
            &client,
            s.member_id,
            s.access_token,
            s.refresh_token,
            vault,
        )
        .with_kdf_cost(match s.kdf {
            Some(k) => Some(k),
            None => remembered_kdf(&s.server, &s.email)?,
        })
        .with_vault_lock(Some(lock))
        .refuse_legacy_records(all_records_upgraded(&s.server, &s.email)),
        server: s.server,
        email: s.email,
    })
}

/// Opens the vault: with the key the shell holds (`DATACOOP_SESSION`, opening the local
/// copy it was made for), else with the passphrase (`DATACOOP_PASSPHRASE` or a prompt).
fn open_vault(lock: &VaultLock, s: &Stored, shell_key: bool) -> Result<VaultKey, String> {
    if let Some(text) = std::env::var(SESSION_ENV).ok().filter(|_| shell_key) {
        let again = "run `eval \"$(datacoop member unlock)\"` again";
        let shell = URL_SAFE_NO_PAD
            .decode(text.trim())
            .ok()
            .and_then(|b| ShellKey::from_bytes(&b).ok())
            .ok_or_else(|| format!("{SESSION_ENV} is not a datacoop shell key; {again}"))?;
        let vault = s
            .shell_copies
            .iter()
            .filter_map(|c| URL_SAFE_NO_PAD.decode(c).ok())
            .find_map(|c| open_vault_key_for_shell(&c, &shell, &s.member_id).ok())
            .ok_or_else(|| {
                format!(
                    "{SESSION_ENV} no longer opens this login's vault (the vault was locked \
                     with `datacoop member lock`, or the key is another login's); {again}"
                )
            })?;
        lock.check(s.member_id, &vault).map_err(|_| {
            format!("{SESSION_ENV} opens a vault key from before the keys were rotated; {again}")
        })?;
        return Ok(vault);
    }
    let pass = crate::member::secret(
        "DATACOOP_PASSPHRASE",
        "Passphrase (to open your vault)",
        false,
    )?;
    lock.open(s.member_id, &s.email, &pass)
        .map_err(|e| e.to_string())
}

/// Forgets the saved session.
pub fn remove() {
    let _ = std::fs::remove_file(path());
}

fn kdf_memory_path() -> PathBuf {
    home().join("kdf-memory.json")
}

fn kdf_memory() -> Result<std::collections::BTreeMap<String, KdfCost>, String> {
    match std::fs::read(kdf_memory_path()) {
        Err(_) => Ok(Default::default()),
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            format!(
                "{} is damaged ({e}): it remembers how strongly each account's passphrase is \
                 hashed; fix or delete it (then the next login trusts the server once)",
                kdf_memory_path().display()
            )
        }),
    }
}

fn account_key(server: &str, email: &str) -> String {
    let email = datacoop_api::accounts::normalise_email(email).unwrap_or_else(|| email.to_owned());
    format!("{} {email}", server.trim_end_matches('/'))
}

/// The passphrase-hashing cost this machine last accepted for an account (kept across
/// logouts, so a server cannot quietly lower it later).
pub fn remembered_kdf(server: &str, email: &str) -> Result<Option<KdfCost>, String> {
    Ok(kdf_memory()?.get(&account_key(server, email)).copied())
}

/// Remembers the cost accepted for an account (written 0600 like the session).
pub fn remember_kdf(server: &str, email: &str, cost: KdfCost) -> Result<(), String> {
    let dir = home();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut all = kdf_memory()?;
    all.insert(account_key(server, email), cost);
    let text = serde_json::to_vec_pretty(&all).map_err(|e| e.to_string())?;
    write_private(&kdf_memory_path(), &text)
}

fn upgraded_path() -> PathBuf {
    home().join("upgraded-accounts.json")
}

fn upgraded() -> std::collections::BTreeSet<String> {
    std::fs::read(upgraded_path())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Whether every record of this account was upgraded on this machine (then records in
/// the 0.1 format are refused as old copies).
pub fn all_records_upgraded(server: &str, email: &str) -> bool {
    upgraded().contains(&account_key(server, email))
}

/// Remembers that every record of this account is in the current format.
pub fn remember_all_records_upgraded(server: &str, email: &str) -> Result<(), String> {
    let mut all = upgraded();
    if all.insert(account_key(server, email)) {
        let text = serde_json::to_vec_pretty(&all).map_err(|e| e.to_string())?;
        write_private(&upgraded_path(), &text)?;
    }
    Ok(())
}

/// The cost this build writes at registration and passphrase changes.
pub fn default_kdf() -> Option<KdfCost> {
    use datacoop_crypto::KdfParams;
    KdfParams::new(
        KdfParams::DEFAULT_MEMORY_KIB,
        KdfParams::DEFAULT_ITERATIONS,
        KdfParams::DEFAULT_PARALLELISM,
        [0; datacoop_crypto::SALT_LEN],
    )
    .ok()
    .map(|p| p.cost())
}
