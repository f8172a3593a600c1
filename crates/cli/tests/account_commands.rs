//! `datacoop member login|unlock|passphrase|recover|recovery-code|sessions|delete`
//! against the real server. The session file never holds the vault key: after
//! each login the test unlocks the vault for its "shell" (`DATACOOP_SESSION`),
//! as a member would with `eval "$(datacoop member unlock)"`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_testkit::{backend_tests, Backend, TestServer};
use std::process::{Command, Output, Stdio};

backend_tests!(account_commands);

const FIRST: &str = "the first long passphrase";
const SECOND: &str = "the second long passphrase";
const THIRD: &str = "the third long passphrase";
const EMAIL: &str = "acct-cli@example.org";

struct Cli {
    home: tempfile::TempDir,
    server: String,
    /// The shell's `DATACOOP_SESSION`, set by [`Cli::login`].
    session: std::cell::RefCell<Option<String>>,
}

impl Cli {
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_datacoop"));
        cmd.args(args)
            .env("DATACOOP_HOME", self.home.path())
            .env("DATACOOP_SERVER", &self.server)
            .env_remove("DATACOOP_PASSPHRASE")
            .env_remove("DATACOOP_NEW_PASSPHRASE")
            .env_remove("DATACOOP_RECOVERY_CODE")
            .env_remove("DATACOOP_SESSION")
            .stdin(Stdio::null());
        if let Some(key) = self.session.borrow().as_ref() {
            cmd.env("DATACOOP_SESSION", key);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }

    fn ok(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str], env: &[(&str, &str)]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all, env)).unwrap()
    }

    /// Logs in and unlocks the vault for this "shell".
    fn login(&self, passphrase: &str) {
        self.session.replace(None);
        self.ok(&["member", "login", "--email", EMAIL], &pass(passphrase));
        self.unlock(passphrase);
    }

    /// `eval "$(datacoop member unlock)"` for this "shell".
    fn unlock(&self, passphrase: &str) {
        let unlocked = self.json(&["member", "unlock"], &pass(passphrase));
        self.session
            .replace(Some(unlocked["session"].as_str().unwrap().to_owned()));
    }

    fn fails(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = self.run(args, env);
        assert!(!out.status.success(), "{args:?} should fail");
        String::from_utf8(out.stderr).unwrap()
    }
}

fn pass(p: &str) -> [(&str, &str); 1] {
    [("DATACOOP_PASSPHRASE", p)]
}

async fn account_commands(backend: Backend) {
    let Some(srv) = TestServer::start(backend).await else {
        return;
    };
    let cli = Cli {
        home: tempfile::tempdir().unwrap(),
        server: srv.base_url(),
        session: Default::default(),
    };
    let other = Cli {
        home: tempfile::tempdir().unwrap(),
        server: srv.base_url(),
        session: Default::default(),
    };
    tokio::task::spawn_blocking(move || {
        let reg = cli.json(&["member", "register", "--email", EMAIL], &pass(FIRST));
        let code = reg["recovery_code"].as_str().unwrap().to_owned();
        cli.ok(&["member", "login", "--email", EMAIL], &pass(FIRST));
        other.ok(&["member", "login", "--email", EMAIL], &pass(FIRST));

        // The session file holds no vault key: without the passphrase or an unlocked
        // shell, a command that needs the vault cannot run.
        let saved = std::fs::read_to_string(cli.home.path().join("session.json")).unwrap();
        assert!(!saved.contains("\"vault_key\""), "{saved}");
        let err = cli.fails(&["member", "sessions"], &[]);
        assert!(err.contains("passphrase"), "{err}");
        let err = cli.fails(&["member", "sessions"], &pass(SECOND));
        assert!(err.contains("check the passphrase"), "{err}");
        cli.json(&["member", "sessions"], &pass(FIRST));
        assert_eq!(cli.json(&["member", "whoami"], &[])["email"], EMAIL);
        cli.unlock(FIRST);
        // The shell key is not the vault key, and it opens only its own login's copy.
        let saved = std::fs::read_to_string(cli.home.path().join("session.json")).unwrap();
        let mine = cli.session.borrow().clone().unwrap();
        assert!(!saved.contains(&mine), "the shell key is not in the file");
        other.unlock(FIRST);
        let theirs = other.session.borrow().clone();
        assert_ne!(
            theirs.as_deref(),
            Some(mine.as_str()),
            "a fresh key per unlock"
        );
        other.session.replace(Some(mine.clone()));
        let err = other.fails(&["member", "sessions"], &[]);
        assert!(err.contains("no longer opens this login's vault"), "{err}");
        other.session.replace(Some("AAAA".into()));
        let err = other.fails(&["member", "sessions"], &[]);
        assert!(err.contains("DATACOOP_SESSION"), "{err}");
        other.session.replace(theirs);
        // Locking makes the shell's key worthless; unlocking again works.
        let locked = other.json(&["member", "lock"], &[]);
        assert_eq!(locked["locked_shells"], 1);
        let err = other.fails(&["member", "sessions"], &[]);
        assert!(err.contains("member lock"), "{err}");
        other.unlock(FIRST);
        other.json(&["member", "sessions"], &[]);

        // Sessions: two, this one marked.
        let list = cli.json(&["member", "sessions"], &[]);
        let sessions = list["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
        let text = cli.ok(&["member", "sessions"], &[]);
        assert!(text.contains("(this session)"), "{text}");

        // Passphrase change: the wrong current one is refused; then the other session ends.
        let err = cli.fails(
            &["member", "passphrase"],
            &[
                ("DATACOOP_PASSPHRASE", "wrong one"),
                ("DATACOOP_NEW_PASSPHRASE", SECOND),
            ],
        );
        assert!(err.contains("current passphrase is wrong"), "{err}");
        let text = cli.ok(
            &["member", "passphrase"],
            &[
                ("DATACOOP_PASSPHRASE", FIRST),
                ("DATACOOP_NEW_PASSPHRASE", SECOND),
            ],
        );
        assert!(
            text.contains("1 other session(s) were logged out"),
            "{text}"
        );
        assert_eq!(
            cli.json(&["member", "sessions"], &[])["sessions"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        cli.fails(&["member", "login", "--email", EMAIL], &pass(FIRST));
        cli.login(SECOND);

        // A session file from datacoop 0.1 (the vault key in clear beside the
        // tokens) is deleted on first use, and its session ends on the server.
        other.login(SECOND);
        let count = || {
            cli.json(&["member", "sessions"], &[])["sessions"]
                .as_array()
                .unwrap()
                .len()
        };
        let before = count();
        let file = other.home.path().join("session.json");
        let mut old: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        old["vault_key"] = serde_json::json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        std::fs::write(&file, old.to_string()).unwrap();
        let err = other.fails(&["member", "sessions"], &pass(SECOND));
        assert!(err.contains("its session ended on the server"), "{err}");
        assert!(!file.exists());
        assert_eq!(count(), before - 1);

        // Revoke another session by id.
        other.login(SECOND);
        let list = cli.json(&["member", "sessions"], &[]);
        let theirs = list["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["current"] == false)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        cli.ok(&["member", "sessions", "--revoke", &theirs], &[]);
        let unknown = "01a211af-0000-7000-8000-000000000000";
        let err = cli.fails(&["member", "sessions", "--revoke", unknown], &[]);
        assert!(err.contains("no such session"), "{err}");

        // Recovery with the code sets a third passphrase and ends every session.
        let err = cli.fails(
            &["member", "recover", "--email", EMAIL],
            &[
                ("DATACOOP_RECOVERY_CODE", "0000-1111"),
                ("DATACOOP_PASSPHRASE", THIRD),
            ],
        );
        assert!(err.contains("recovery code"), "{err}");
        let text = cli.ok(
            &["member", "recover", "--email", EMAIL],
            &[
                ("DATACOOP_RECOVERY_CODE", &code),
                ("DATACOOP_PASSPHRASE", THIRD),
            ],
        );
        assert!(text.contains("New passphrase set"), "{text}");
        assert!(
            text.contains("The code you just used no longer works"),
            "{text}"
        );
        let new_code = text
            .lines()
            .map(str::trim)
            .find(|l| l.len() == 69 && l.matches('-').count() == 13)
            .unwrap()
            .to_owned();
        let err = cli.fails(
            &["member", "recover", "--email", EMAIL],
            &[
                ("DATACOOP_RECOVERY_CODE", &code),
                ("DATACOOP_PASSPHRASE", SECOND),
            ],
        );
        assert!(
            err.contains("recovery code"),
            "the used code is spent: {err}"
        );
        assert!(!cli.home.path().join("session.json").exists());
        cli.fails(&["member", "login", "--email", EMAIL], &pass(SECOND));
        cli.login(THIRD);

        // A new recovery code replaces the one from the recovery.
        let fresh = cli.json(&["member", "recovery-code"], &pass(THIRD));
        let fresh = fresh["recovery_code"].as_str().unwrap();
        assert_ne!(fresh, new_code);

        // Rotating the keys: a new code again, the shell's old key is refused, and the
        // vault opens with the passphrase as before.
        let text = cli.ok(&["member", "rotate-keys"], &pass(THIRD));
        assert!(text.contains("Keys rotated for"), "{text}");
        assert!(text.contains("Your NEW recovery code"), "{text}");
        assert!(text.contains("Unlocked shells were locked"), "{text}");
        let err = cli.fails(&["member", "sessions"], &[]);
        assert!(err.contains("no longer opens"), "{err}");
        cli.unlock(THIRD);
        let rotated = cli.json(&["member", "rotate-keys"], &pass(THIRD));
        assert_ne!(rotated["recovery_code"].as_str().unwrap(), fresh);
        cli.unlock(THIRD);
        cli.json(&["member", "sessions"], &[]);

        // Deletion needs the confirmation and the passphrase.
        let err = cli.fails(&["member", "delete"], &pass(THIRD));
        assert!(err.contains("--yes-delete-everything"), "{err}");
        let err = cli.fails(
            &["member", "delete", "--yes-delete-everything"],
            &pass(SECOND),
        );
        assert!(err.contains("passphrase is wrong"), "{err}");
        let done = cli.json(
            &["member", "delete", "--yes-delete-everything"],
            &pass(THIRD),
        );
        assert_eq!(done["kept"].as_array().unwrap().len(), 0);
        assert!(!cli.home.path().join("session.json").exists());
        cli.fails(&["member", "login", "--email", EMAIL], &pass(THIRD));
    })
    .await
    .unwrap();
}
