//! The researcher's dataset through the front door: three members consent (one to a
//! subset), one withdraws; the researcher downloads the study's data, decrypts it on
//! their machine and gets exactly the covered records, de-identified, under
//! pseudonyms, the withdrawal said and nothing of it served; every participant's
//! `log verify` passes with the export in it, and the researcher's client finds each
//! export's entry in the signed log. A record a participant adds later is shared from
//! their machine (future data). A download cut and resumed logs nothing twice.
//! Refused: another researcher, a member's token, a study not approved, a closed
//! study, a cursor that is not one. SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_api::log::Action;
use datacoop_client::dataset::{verify_exports, DatasetOpener};
use datacoop_client::log::LogState;
use datacoop_client::research::ResearcherSession;
use datacoop_consent_core::wire::{Cursor, DatasetLine};
use datacoop_testkit::{backend_tests, Backend};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

backend_tests!(researchers_download_exactly_the_consented_data,);

mod gov_common;
mod research_common;
use gov_common::{account, code, server};
use research_common::{approved_study, keys, other, researcher, terms, upload, vital};

/// Downloads under `export` from `after`; returns every line and whether it ended.
async fn download(
    r: &ResearcherSession,
    study: Uuid,
    export: Uuid,
    after: Option<&str>,
) -> (Vec<DatasetLine>, bool) {
    let mut lines = Vec::new();
    let ended = r
        .download_dataset(study, export, after, |_, l| {
            lines.push(l);
            Ok(())
        })
        .await
        .unwrap();
    (lines, ended)
}

fn opener(
    r: &ResearcherSession,
    study: &datacoop_consent_core::wire::StudyView,
    export: Uuid,
) -> DatasetOpener {
    let keys = r.study_keys(study).unwrap();
    DatasetOpener::new(keys, r.session.member_id, study.id, export)
}

async fn status(r: &reqwest::RequestBuilder) -> u16 {
    r.try_clone()
        .unwrap()
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn researchers_download_exactly_the_consented_data(backend: Backend) {
    let t0 = datacoop_api::time::parse_micros("2027-03-01T09:00:00Z").unwrap() as u64;
    let Some(srv) = server(backend, t0).await else {
        return;
    };
    let ada = account(&srv, "ada@example.org").await;
    let ben = account(&srv, "ben@example.org").await;
    let cleo = account(&srv, "cleo@example.org").await;
    let (gov_key, log_key) = keys(&ada).await;
    upload(
        &ada,
        &[
            vital("2026-03-01", 122),
            vital("2026-03-02", 118),
            vital("2026-04-11", 131),
            vital("2023-06-01", 140),
            other("health.sleep", "2026-03-01"),
            other("health.lab", "2026-03-01"),
        ],
    )
    .await;
    upload(
        &ben,
        &[
            vital("2025-01-05", 125),
            vital("2025-01-06", 127),
            other("health.sleep", "2025-01-05"),
        ],
    )
    .await;
    upload(&cleo, &[vital("2025-02-01", 150)]).await;
    let a = approved_study(&srv, t0, &terms()).await;
    let (study, r) = (a.study.clone(), &a.researcher);

    let ada_c = ada
        .grant_consent(study.id, &gov_key, &log_key, None, |_, _| {})
        .await
        .unwrap();
    let ben_c = ben
        .grant_consent(
            study.id,
            &gov_key,
            &log_key,
            Some(vec!["health.vital-signs".into()]),
            |_, _| {},
        )
        .await
        .unwrap();
    let cleo_c = cleo
        .grant_consent(study.id, &gov_key, &log_key, None, |_, _| {})
        .await
        .unwrap();
    cleo.withdraw_consent(cleo_c.id).await.unwrap();

    // Future data: a blood pressure Ada adds now is shared at once, from her machine;
    // her lab result is not (the study does not ask for it), nor Ben's sleep (he
    // consented to blood pressures only), nor anything of Cleo's (she withdrew).
    let (_, shared) = ada
        .upload_drafts(
            &[vital("2026-05-01", 128), other("health.lab", "2026-05-01")],
            "future-1",
        )
        .await
        .unwrap();
    assert_eq!(shared, 1);
    let (_, shared) = ben
        .upload_drafts(&[other("health.sleep", "2025-02-01")], "future-2")
        .await
        .unwrap();
    assert_eq!(shared, 0);
    let (_, shared) = cleo
        .upload_drafts(&[vital("2025-03-01", 149)], "future-3")
        .await
        .unwrap();
    assert_eq!(shared, 0);

    // The download, decrypted on the researcher's machine.
    let export = Uuid::new_v4();
    let (lines, ended) = download(r, study.id, export, None).await;
    assert!(ended);
    let mut o = opener(r, &study, export);
    let mut got: HashMap<Uuid, Vec<(String, serde_json::Value)>> = HashMap::new();
    for line in lines.clone() {
        if let Some(c) = o.take(line).unwrap() {
            let v: serde_json::Value = serde_json::from_slice(&c.content).unwrap();
            got.entry(c.copy.pseudonym)
                .or_default()
                .push((c.copy.category.clone(), v));
            assert!(c.copy.effective.as_deref().is_some_and(|e| e.len() == 7));
        }
    }
    let (pa, pb, pc) = (
        ada_c.receipt.pseudonym,
        ben_c.receipt.pseudonym,
        cleo_c.receipt.pseudonym,
    );
    assert_eq!(got.len(), 2, "Ada and Ben, not Cleo who withdrew");
    assert_eq!(
        got[&pa].len(),
        5,
        "three blood pressures in the period, the sleep and the one added later"
    );
    assert_eq!(got[&pb].len(), 2, "Ben's blood pressures only");
    assert!(got[&pb].iter().all(|(c, _)| c == "health.vital-signs"));
    assert!(!got.contains_key(&pc));
    assert_eq!(
        o.withdrawn.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        vec![pc]
    );
    for (_, v) in got.values().flatten() {
        let text = v.to_string();
        for gone in ["local-id", "Patient/me", "dr-who", "night shift", "07:30"] {
            assert!(!text.contains(gone), "{gone} in {text}");
        }
    }
    // The pseudonyms are the consents', never the members' ids.
    for id in [ada.member_id, ben.member_id] {
        assert!(!serde_json::to_string(&lines)
            .unwrap()
            .contains(&id.to_string()));
    }

    // The researcher's client finds each participant's entry in the signed log.
    let leaves: BTreeMap<u64, datacoop_merkle::Hash> = o
        .participants
        .values()
        .map(|p| (p.log_index, p.leaf))
        .collect();
    assert_eq!(leaves.len(), 2);
    let report = verify_exports(&r.session.client, LogState::default(), &leaves)
        .await
        .unwrap();
    assert!(report.ok(), "{:?}", report.problems);

    // Each participant's own log shows the export, and verifies.
    for (m, n) in [(&ada, 1usize), (&ben, 1)] {
        let report = datacoop_client::log::verify(m, LogState::default())
            .await
            .unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        let entries = datacoop_client::log::all_entries(m, Default::default())
            .await
            .unwrap();
        let exports: Vec<_> = entries
            .iter()
            .filter_map(|e| e.entry.as_ref())
            .filter(|e| e.action == Action::DatasetExport)
            .collect();
        assert_eq!(exports.len(), n);
        assert_eq!(exports[0].study, Some(study.id));
    }

    // Resumed after a cursor under the same export id: the rest, nothing logged twice.
    let first_of_ada = lines
        .iter()
        .find_map(|l| match l {
            DatasetLine::Copy(c) if c.pseudonym == pa => Some(c.id),
            _ => None,
        })
        .unwrap();
    let cursor = Cursor {
        pseudonym: pa,
        copy: first_of_ada,
    }
    .to_text();
    let (rest, ended) = download(r, study.id, export, Some(&cursor)).await;
    assert!(ended);
    let copies = |ls: &[DatasetLine]| {
        ls.iter()
            .filter(|l| matches!(l, DatasetLine::Copy(_)))
            .count()
    };
    let position = lines
        .iter()
        .filter_map(|l| match l {
            DatasetLine::Copy(c) => Some(c.id),
            _ => None,
        })
        .position(|id| id == first_of_ada)
        .unwrap();
    assert_eq!(copies(&rest), copies(&lines) - position - 1);
    assert!(!rest
        .iter()
        .any(|l| matches!(l, DatasetLine::Withdrawn { .. })));
    let mut o2 = opener(r, &study, export);
    for line in rest {
        o2.take(line).unwrap();
    }
    assert_eq!(
        o2.participants.get(&pa).map(|p| p.log_index),
        o.participants.get(&pa).map(|p| p.log_index),
        "the same entry, not a second one"
    );
    let count_exports = |m: &datacoop_client::member::MemberSession| {
        let m = m.clone();
        async move {
            datacoop_client::log::all_entries(&m, Default::default())
                .await
                .unwrap()
                .iter()
                .filter_map(|e| e.entry.as_ref())
                .filter(|e| e.action == Action::DatasetExport)
                .count()
        }
    };
    assert_eq!(count_exports(&ada).await, 1);
    // A download cut half way, then started again under its id: still one entry.
    let e2 = Uuid::new_v4();
    let mut seen = 0;
    let cut = r
        .download_dataset(study.id, e2, None, |_, l| {
            if matches!(l, DatasetLine::Copy(_)) {
                seen += 1;
                if seen == 2 {
                    return Err(datacoop_client::ClientError::Input("cut".into()));
                }
            }
            Ok(())
        })
        .await;
    assert!(cut.is_err());
    let (again, ended) = download(r, study.id, e2, None).await;
    assert!(ended);
    assert_eq!(copies(&again), copies(&lines));
    assert_eq!(count_exports(&ada).await, 2, "one per export");

    // Refused: a cursor that is not one; the export id of another study's download.
    let url = format!(
        "{}{}",
        srv.base_url(),
        datacoop_api::paths::study_dataset(study.id)
    );
    let bad = reqwest::Client::new()
        .get(&url)
        .query(&[("export", export.to_string()), ("after", "nonsense".into())])
        .bearer_auth(&r.session.access_token);
    assert_eq!(status(&bad).await, 422);
    // Another researcher: nothing of this study; their own study, not approved: nothing.
    let other_r = researcher(&srv, "olaf@uni-kiel.example", "Olaf Berg").await;
    a.steward
        .verify_researcher(other_r.me().await.unwrap().id)
        .await
        .unwrap();
    let e = other_r
        .download_dataset(study.id, Uuid::new_v4(), None, |_, _| Ok(()))
        .await
        .unwrap_err();
    assert_eq!(code(&e).0, 404);
    let theirs = other_r.create_study(&terms()).await.unwrap();
    let theirs = other_r.submit_study(theirs.id).await.unwrap();
    let e = other_r
        .download_dataset(theirs.id, Uuid::new_v4(), None, |_, _| Ok(()))
        .await
        .unwrap_err();
    assert_eq!(code(&e), (409, "study_not_approved".into()));
    let e = other_r
        .download_dataset(theirs.id, export, None, |_, _| Ok(()))
        .await
        .unwrap_err();
    assert_eq!(code(&e).0, 409);
    // Members (the steward among them) and devices get nothing.
    let (_, creds) = ada.add_device("wearable bridge", None).await.unwrap();
    for token in [
        ada.access_token.as_str(),
        a.steward.access_token.as_str(),
        creds.token.as_str(),
    ] {
        let req = reqwest::Client::new()
            .get(&url)
            .query(&[("export", Uuid::new_v4().to_string())])
            .bearer_auth(token);
        assert_eq!(status(&req).await, 403);
    }
    // Closed: nothing more is served.
    r.close_study(study.id).await.unwrap();
    let e = r
        .download_dataset(study.id, Uuid::new_v4(), None, |_, _| Ok(()))
        .await
        .unwrap_err();
    assert_eq!(code(&e), (409, "study_closed".into()));
    let _ = a.voter;
}
