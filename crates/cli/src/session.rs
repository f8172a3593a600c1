//! The client's local state: one session file (mode 0600) in the user's
//! config directory holding tokens and the opened vault key — never the
//! passphrase.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use datacoop_client::member::MemberSession;
use datacoop_client::Client;
use datacoop_crypto::VaultKey;
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
    vault_key: String,
}

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
    let stored = Stored {
        server: server.to_owned(),
        email: email.to_owned(),
        member_id: s.member_id,
        access_token: s.access_token.clone(),
        refresh_token: s.refresh_token.clone(),
        vault_key: URL_SAFE_NO_PAD.encode(*s.vault_key.to_local_bytes()),
    };
    let text = serde_json::to_vec_pretty(&stored).map_err(|e| e.to_string())?;
    write_private(&path(), &text).map_err(|e| format!("cannot save the session: {e}"))
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

/// Loads the saved session, or says how to log in.
pub fn load() -> Result<Saved, String> {
    let p = path();
    let text = std::fs::read(&p).map_err(|_| {
        "you are not logged in: run `datacoop member login --email YOU@EXAMPLE.ORG`".to_owned()
    })?;
    let s: Stored = serde_json::from_slice(&text).map_err(|e| {
        format!(
            "{} is damaged ({e}); run `datacoop member login` again",
            p.display()
        )
    })?;
    let key_bytes = URL_SAFE_NO_PAD.decode(&s.vault_key).map_err(|_| {
        format!(
            "{} is damaged; run `datacoop member login` again",
            p.display()
        )
    })?;
    let vault = VaultKey::from_local_bytes(&key_bytes).map_err(|e| e.to_string())?;
    let client = Client::new(&s.server).map_err(|e| e.to_string())?;
    Ok(Saved {
        session: MemberSession::resume(
            &client,
            s.member_id,
            s.access_token,
            s.refresh_token,
            vault,
        ),
        server: s.server,
        email: s.email,
    })
}

/// Forgets the saved session.
pub fn remove() {
    let _ = std::fs::remove_file(path());
}
