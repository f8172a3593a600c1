//! Helpers shared by the account-management tests.
#![allow(dead_code)] // each test binary uses a subset

use datacoop_api::records::RecordQuery;
use datacoop_client::member::{self, MemberSession, RecordDraft};
use datacoop_client::Client;

/// The passphrase every account starts with.
pub const PASS: &str = "correct horse battery staple";
/// The passphrase set by a change or a recovery.
pub const NEW: &str = "a brand new passphrase";

/// A small health record to upload.
pub fn draft(text: &str) -> RecordDraft {
    RecordDraft {
        category: "health.vital-signs".into(),
        type_code: "loinc:8867-4".into(),
        effective_at: Some("2026-11-20T08:00:00Z".into()),
        content_type: "text/plain".into(),
        content: text.as_bytes().to_vec(),
    }
}

/// A catch landing, as a boat logger would add it.
pub fn catch(species: &str) -> RecordDraft {
    RecordDraft {
        category: "catch.landing".into(),
        type_code: species.into(),
        effective_at: Some("2026-11-24T05:00:00Z".into()),
        content_type: "application/json".into(),
        content: format!(r#"{{"species":"{species}","kg":12}}"#).into_bytes(),
    }
}

/// Registers, logs in as "laptop" and uploads one record; returns the recovery code and session.
pub async fn member_with_record(c: &Client, email: &str, text: &str) -> (String, MemberSession) {
    let reg = member::register(c, email, PASS).await.unwrap();
    let s = member::login(c, email, PASS, Some("laptop".into()))
        .await
        .unwrap();
    s.upload(s.seal(&[draft(text)]).unwrap(), "first")
        .await
        .unwrap();
    (reg.recovery_code, s)
}

/// The plaintext of the member's only record.
pub async fn only_record(s: &MemberSession) -> Vec<u8> {
    let page = s.list(&RecordQuery::default()).await.unwrap();
    assert_eq!(page.items.len(), 1);
    s.get(page.items[0].id).await.unwrap().1.to_vec()
}
