//! `datacoop researcher|steward|study …` against the real server with a set clock, each
//! party on their own machine: a researcher registers and logs in, writes terms from
//! the template and makes a draft; a steward verifies them; the study is submitted and
//! approved by the general assembly (`gov propose --approve-study` takes the digest and
//! key from the study); a member reads the terms in plain words, in German too, with
//! the approval checked on their machine; the researcher closes the study.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_app::Clock;
use datacoop_testkit::TamperProxy;
use datacoop_testkit::{backend_tests, Backend};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

mod gov_common;
use gov_common::{at, server, Machine, DAY};

backend_tests!(a_study_from_the_command_line);

async fn a_study_from_the_command_line(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-05-03T08:00:00Z").unwrap() as u64;
    let clock = Clock::manual(t0);
    // Small dataset pages, so that a cut download has whole pages to resume after.
    let Some(srv) = server(backend, clock.clone(), |c| {
        c.research.dataset_page_copies = 2
    })
    .await
    else {
        return;
    };
    let url = srv.base_url();
    // Lena's machine reaches the server through a proxy that cuts her first download.
    let proxy = TamperProxy::start(url.clone()).await;
    let lena_url = proxy.base_url();
    let cut = Arc::new(AtomicBool::new(false));
    let cut_once = cut.clone();
    proxy.set(move |ex, body| {
        if !ex.path.ends_with("/dataset") || cut_once.swap(true, Ordering::SeqCst) {
            return;
        }
        // Everything up to the end of the first page, and half of the next line.
        let text = String::from_utf8_lossy(body).into_owned();
        let mut kept = 0;
        let mut lines = text.split_inclusive('\n');
        for line in lines.by_ref() {
            kept += line.len();
            if line.contains("\"kind\":\"page\"") {
                break;
            }
        }
        if let Some(next) = lines.next() {
            kept += next.len() / 2;
        }
        body.truncate(kept);
    });
    tokio::task::spawn_blocking(move || {
        let steward = Machine::new(&url, "board@example.org");
        let lena = Machine::empty(&lena_url, "lena@uni-kiel.example");
        let reg = lena.json(&[
            "researcher",
            "register",
            "--email",
            "lena@uni-kiel.example",
            "--name",
            "Lena Petersen",
            "--affiliation",
            "Kiel University",
        ]);
        let lena_id = reg["researcher_id"].as_str().unwrap().to_owned();
        assert!(reg["recovery_code"].as_str().is_some());
        let out = lena.ok(&["researcher", "login", "--email", "lena@uni-kiel.example"]);
        assert!(out.contains("not verified yet"), "{out}");

        // Terms from the template, a draft, refused submission before verification.
        let terms = lena.home.path().join("terms.json");
        std::fs::write(&terms, lena.ok(&["study", "template"])).unwrap();
        let draft = lena.json(&["study", "create", "--terms", terms.to_str().unwrap()]);
        assert_eq!(draft["study"]["state"], "draft");
        let id = draft["study"]["id"].as_str().unwrap().to_owned();
        let err = lena.fails(&["study", "submit", &id]);
        assert!(err.contains("only verified researchers"), "{err}");
        let broken = lena.home.path().join("broken.json");
        std::fs::write(&broken, b"{\"title\": \"x\"}").unwrap();
        let err = lena.fails(&["study", "create", "--terms", broken.to_str().unwrap()]);
        assert!(
            err.contains("broken.json") && err.contains("missing field"),
            "{err}"
        );

        // The steward sees who waits and verifies Lena.
        let waiting = steward.ok(&["steward", "researchers", "--unverified"]);
        assert!(
            waiting.contains("Lena Petersen") && waiting.contains("waiting"),
            "{waiting}"
        );
        steward.ok(&["steward", "verify-researcher", &lena_id]);
        let me = lena.ok(&["researcher", "whoami"]);
        assert!(me.contains("verified by a steward"), "{me}");
        let submitted = lena.json(&["study", "submit", &id]);
        assert_eq!(submitted["study"]["state"], "submitted");

        // The general assembly approves it.
        let ada = Machine::new(&url, "ada@example.org");
        let r = steward.json(&[
            "gov",
            "register",
            "add",
            "--name",
            "Ada Lovelace",
            "--contact",
            "Hafenstr. 1, Kiel",
            "--joined",
            &at(t0 - 30 * DAY),
        ]);
        ada.ok(&["gov", "join", r["invitation"].as_str().unwrap()]);
        let a = steward.json(&[
            "gov",
            "assembly",
            "convene",
            "--title",
            "General assembly 2027",
            "--form",
            "virtual",
            "--starts",
            &at(t0 + 15 * DAY),
            "--ends",
            &at(t0 + 22 * DAY),
        ]);
        let m = steward.json(&[
            "gov",
            "propose",
            "--assembly",
            a["id"].as_str().unwrap(),
            "--title",
            "Approval of the blood pressure study",
            "--text",
            "The assembly approves the study's terms and key.",
            "--approve-study",
            &id,
        ]);
        assert_eq!(
            m["decision"]["terms_sha256"], submitted["study"]["terms_sha256"],
            "{m}"
        );
        let m_id = m["id"].as_str().unwrap().to_owned();
        let before = ada.ok(&["study", "show", &id]);
        assert!(
            before.contains("waiting for the cooperative's decision"),
            "{before}"
        );
        clock.advance(Duration::from_micros(16 * DAY));
        ada.ok(&["gov", "vote", &m_id, "yes"]);
        clock.advance(Duration::from_micros(7 * DAY));
        let mut closed = false;
        for _ in 0..100 {
            if ada.json(&["gov", "results", &m_id])["state"] == "closed" {
                closed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(closed, "the scheduler closed the vote");

        // A member reads the terms in plain words; the approval is checked here.
        let shown = ada.ok(&["study", "show", &id]);
        for want in [
            "Blood pressure and sleep in small-scale fishers",
            "by Lena Petersen",
            "recruiting",
            "checked on this machine",
            "dates reduced to month and year",
            "cannot be recalled",
            "health.vital-signs, health.sleep",
        ] {
            assert!(shown.contains(want), "{want}: {shown}");
        }
        // Standing preferences, kept on Ada's machine: the study fits "health research,
        // non-commercial", not "genetic studies only" nor research on another disease.
        let none = ada.ok(&["consent", "preferences", "show"]);
        assert!(none.contains("No standing preferences"), "{none}");
        ada.ok(&["consent", "preferences", "set", "hmb", "--modifier", "ncu"]);
        let fits = ada.ok(&["study", "show", &id]);
        assert!(
            fits.contains("fits your standing preferences (HMB"),
            "{fits}"
        );
        ada.ok(&["consent", "preferences", "set", "gru", "--modifier", "gso"]);
        let not = ada.ok(&["study", "show", &id]);
        assert!(
            not.contains("does NOT fit your standing preferences"),
            "{not}"
        );
        let j = ada.json(&["study", "show", &id]);
        assert_eq!(j["fits_preferences"], false);
        let err = ada.fails(&["consent", "preferences", "set", "ds"]);
        assert!(err.contains("--disease"), "{err}");
        ada.ok(&[
            "consent",
            "preferences",
            "set",
            "ds",
            "--disease",
            "MONDO:0005044",
        ]);
        assert!(ada
            .ok(&["study", "show", &id])
            .contains("fits your standing"));
        ada.ok(&["consent", "preferences", "clear"]);
        assert!(!ada
            .ok(&["study", "show", &id])
            .contains("standing preferences"));
        let de = ada.ok(&["study", "show", &id, "--lang", "de"]);
        assert!(de.contains("Wir untersuchen"), "{de}");
        let list = ada.ok(&["study", "list", "--state", "recruiting"]);
        assert!(list.contains(&id) && list.contains("recruiting"), "{list}");
        ada.ok(&["gov", "verify"]);

        // Ada consents on her machine: her blood pressures from the sample bundle are
        // de-identified and encrypted there; the receipt exports as FHIR R4 Consent.
        let bundle = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../formats/tests/fixtures/bundle-30-days.json"
        );
        ada.ok(&["records", "import", bundle]);
        let err = ada.fails(&["consent", "grant", &id]);
        assert!(err.contains("--yes"), "{err}");
        let c = ada.json(&[
            "consent",
            "grant",
            &id,
            "--yes",
            "--category",
            "health.vital-signs",
        ]);
        assert_eq!(c["state"], "active", "{c}");
        assert!(c["copies"].as_u64().unwrap() > 0, "{c}");
        let c_id = c["id"].as_str().unwrap().to_owned();
        let list = ada.ok(&["consent", "list"]);
        assert!(list.contains(&c_id) && list.contains("active"), "{list}");
        let fhir: serde_json::Value =
            serde_json::from_str(&ada.ok(&["consent", "receipt", &c_id, "--fhir"])).unwrap();
        assert_eq!(fhir["resourceType"], "Consent");
        assert_eq!(
            fhir["provision"]["provision"][0]["class"][0]["code"],
            "health.vital-signs"
        );
        let log = ada.ok(&["log", "list"]);
        assert!(
            log.contains("consent_granted") || log.contains("consent granted"),
            "{log}"
        );
        // Lena downloads the dataset, decrypted on her machine, as NDJSON and as a FHIR
        // Bundle (official R4 schema); her client finds the export in the access log,
        // and Ada's own log verification shows it.
        // The first try is cut after its first page; the same command resumes it.
        let out = lena.home.path().join("dataset");
        let copies = c["copies"].as_u64().unwrap();
        assert!(copies > 2, "{c}");
        let err = lena.fails(&["dataset", "export", &id, "--out", out.to_str().unwrap()]);
        assert!(
            err.contains("cut after 2 records") && err.contains("run the same command again"),
            "{err}"
        );
        assert!(out.join(".datacoop-download.json").exists());
        let text = lena.ok(&["dataset", "export", &id, "--out", out.to_str().unwrap()]);
        assert!(text.contains("inclusion proofs verified"), "{text}");
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["counts"]["participants"], 1, "{manifest}");
        assert_eq!(manifest["counts"]["records"], copies, "{manifest}");
        assert_eq!(manifest["log"]["verified"], true, "{manifest}");
        assert_eq!(
            manifest["participants"][0]["pseudonym"],
            c["receipt"]["pseudonym"]
        );
        let rows = std::fs::read_to_string(out.join("dataset.ndjson")).unwrap();
        assert_eq!(rows.lines().count() as u64, copies);
        assert!(!out.join(".datacoop-download.json").exists());
        let err = lena.fails(&["dataset", "export", &id, "--out", out.to_str().unwrap()]);
        assert!(err.contains("not empty"), "{err}");
        let fhir_out = lena.home.path().join("fhir");
        lena.ok(&[
            "dataset",
            "export",
            &id,
            "--format",
            "fhir",
            "--out",
            fhir_out.to_str().unwrap(),
        ]);
        let bundle_path = fhir_out.join("fhir-bundle.json");
        let b: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&bundle_path).unwrap()).unwrap();
        assert_eq!(b["entry"].as_array().unwrap().len() as u64, copies);
        assert_eq!(
            b["entry"][0]["resource"]["meta"]["tag"][0]["code"],
            c["receipt"]["pseudonym"]
        );
        datacoop_testkit::fhir::assert_valid_r4(&[bundle_path]);
        let verified = ada.ok(&["log", "verify"]);
        assert!(!verified.contains("problem"), "{verified}");
        let log = ada.ok(&["log", "list"]);
        // One entry per export: the resumed one was logged once.
        let exports = log
            .lines()
            .filter(|l| l.contains("dataset_export") || l.contains("dataset export"))
            .count();
        assert_eq!(exports, 2, "{log}");

        let w = ada.json(&["consent", "withdraw", &c_id, "--yes"]);
        assert_eq!(
            (w["state"].as_str(), w["copies"].as_u64()),
            (Some("withdrawn"), Some(0))
        );

        // The next export says that Ada withdrew, and holds nothing of hers.
        let after = lena.home.path().join("after");
        let m = lena.json(&["dataset", "export", &id, "--out", after.to_str().unwrap()]);
        assert_eq!(m["counts"]["participants"], 0, "{m}");
        assert_eq!(m["withdrawn"][0]["pseudonym"], c["receipt"]["pseudonym"]);

        // The researcher closes it.
        let done = lena.json(&["study", "close", &id]);
        assert_eq!(done["study"]["state"], "closed");
        let err = ada.fails(&["study", "close", &id]);
        assert!(err.contains("datacoop researcher login"), "{err}");
        let mine = lena.ok(&["study", "list", "--mine"]);
        assert!(mine.contains("closed"), "{mine}");
    })
    .await
    .unwrap();
}
