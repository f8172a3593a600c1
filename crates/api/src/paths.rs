//! Request paths of the API, written once: the client, the CLI and the
//! benchmarks build every request path here (the server's routes are the
//! same templates, and a test holds both to the OpenAPI document).

use crate::{BatchId, BlobId, DeviceId, RecordId, SessionId};

macro_rules! api_path {
    ($p:literal) => {
        concat!("/api/v1", $p)
    };
}

/// Base path of every versioned API route.
pub const API_BASE: &str = api_path!("");

/// `POST`: register a researcher; `GET`: researchers (stewards).
pub const RESEARCHERS: &str = api_path!("/researchers");
/// `GET`: the researcher's own profile.
pub const RESEARCHER_ME: &str = api_path!("/researchers/me");
/// Template of [`researcher_verification`].
pub const RESEARCHER_VERIFICATION: &str = api_path!("/researchers/{id}/verification");
/// `POST`: make a study's draft; `GET`: studies.
pub const STUDIES: &str = api_path!("/studies");
/// Template of [`study`].
pub const STUDY: &str = api_path!("/studies/{id}");
/// Template of [`study_submission`].
pub const STUDY_SUBMISSION: &str = api_path!("/studies/{id}/submission");
/// Template of [`study_closure`].
pub const STUDY_CLOSURE: &str = api_path!("/studies/{id}/closure");
/// Template of [`study_dataset`].
pub const STUDY_DATASET: &str = api_path!("/studies/{id}/dataset");

/// `POST`: grant a consent; `GET`: the member's consents.
pub const CONSENTS: &str = api_path!("/consents");
/// Template of [`consent`].
pub const CONSENT: &str = api_path!("/consents/{id}");
/// Template of [`consent_copies`].
pub const CONSENT_COPIES: &str = api_path!("/consents/{id}/copies");
/// Template of [`consent_activation`].
pub const CONSENT_ACTIVATION: &str = api_path!("/consents/{id}/activation");
/// Template of [`consent_withdrawal`].
pub const CONSENT_WITHDRAWAL: &str = api_path!("/consents/{id}/withdrawal");

/// `GET`: one consent.
pub fn consent(id: uuid::Uuid) -> String {
    format!("{API_BASE}/consents/{id}")
}

/// `POST`: upload study copies.
pub fn consent_copies(id: uuid::Uuid) -> String {
    format!("{API_BASE}/consents/{id}/copies")
}

/// `POST`: put the consent in effect.
pub fn consent_activation(id: uuid::Uuid) -> String {
    format!("{API_BASE}/consents/{id}/activation")
}

/// `POST`: withdraw the consent.
pub fn consent_withdrawal(id: uuid::Uuid) -> String {
    format!("{API_BASE}/consents/{id}/withdrawal")
}

/// `POST`: a steward verifies the researcher.
pub fn researcher_verification(id: uuid::Uuid) -> String {
    format!("{API_BASE}/researchers/{id}/verification")
}

/// `GET`: one study.
pub fn study(id: uuid::Uuid) -> String {
    format!("{API_BASE}/studies/{id}")
}

/// `GET`: the study's consented data, for its researcher (NDJSON, resumable).
pub fn study_dataset(id: uuid::Uuid) -> String {
    format!("{API_BASE}/studies/{id}/dataset")
}

/// `POST`: submit a draft for the cooperative's decision.
pub fn study_submission(id: uuid::Uuid) -> String {
    format!("{API_BASE}/studies/{id}/submission")
}

/// `POST`: the researcher closes the study.
pub fn study_closure(id: uuid::Uuid) -> String {
    format!("{API_BASE}/studies/{id}/closure")
}

/// `POST`: register a member.
pub const MEMBERS: &str = api_path!("/members");
/// `DELETE`: delete the caller's account.
pub const MEMBER_ME: &str = api_path!("/members/me");
/// `PUT`: change the passphrase.
pub const MEMBER_PASSPHRASE: &str = api_path!("/members/me/passphrase");
/// `GET`: the member's public and sealed private keys.
pub const MEMBER_KEYS: &str = api_path!("/members/me/keys");
/// `PUT`: replace the recovery code (new recovery copy of the vault key and public key).
pub const MEMBER_RECOVERY: &str = api_path!("/members/me/recovery");
/// `POST`: replace the vault key, the member's key pairs and the recovery code.
pub const MEMBER_KEY_ROTATION: &str = api_path!("/members/me/keys/rotation");
/// `GET`: every record's wrapped data key (what a key rotation re-wraps).
pub const MEMBER_RECORD_KEYS: &str = api_path!("/members/me/record-keys");

/// `POST`: KDF parameters for an email.
pub const PRELOGIN: &str = api_path!("/auth/prelogin");
/// `POST`: log in with the authentication key.
pub const LOGIN: &str = api_path!("/auth/login");
/// `POST`: exchange a refresh token.
pub const REFRESH: &str = api_path!("/auth/refresh");
/// `POST`: end a session by its refresh token.
pub const LOGOUT: &str = api_path!("/auth/logout");
/// `GET`: whom the token speaks for.
pub const WHOAMI: &str = api_path!("/auth/whoami");
/// `GET`: the caller's sessions.
pub const SESSIONS: &str = api_path!("/auth/sessions");
/// `POST`: recovery, first step.
pub const RECOVERY_START: &str = api_path!("/auth/recovery/start");
/// `POST`: recovery, second step.
pub const RECOVERY_COMPLETE: &str = api_path!("/auth/recovery/complete");

/// `POST`: one record; `GET`: the list.
pub const RECORDS: &str = api_path!("/records");
/// `POST`: many records, all or nothing.
pub const RECORDS_BATCH: &str = api_path!("/records/batch");
/// `POST`: many records with their ciphertext at once, each read logged.
pub const RECORDS_READ: &str = api_path!("/records/read");
/// `GET`: the member's blobs.
pub const BLOBS: &str = api_path!("/blobs");
/// `POST`: add a device; `GET`: the list.
pub const DEVICES: &str = api_path!("/devices");
/// `POST`: a device adds records.
pub const DEVICE_RECORDS: &str = api_path!("/device/records");

/// `GET`: the access log's key.
pub const LOG_KEY: &str = api_path!("/log/key");
/// `GET`: the access log's latest checkpoint.
pub const LOG_CHECKPOINT: &str = api_path!("/log/checkpoint");
/// `GET`: the caller's own entries.
pub const LOG_ENTRIES: &str = api_path!("/log/entries");
/// `POST`: inclusion proofs.
pub const LOG_INCLUSION: &str = api_path!("/log/proofs/inclusion");
/// `GET`: a consistency proof.
pub const LOG_CONSISTENCY: &str = api_path!("/log/proofs/consistency");

/// `GET`: the governance rules, the governance log's key, whether the caller is a steward.
pub const GOV: &str = api_path!("/gov");
/// `GET`: the governance log's key.
pub const GOV_LOG_KEY: &str = api_path!("/gov/log/key");
/// `GET`: the governance log's latest checkpoint.
pub const GOV_LOG_CHECKPOINT: &str = api_path!("/gov/log/checkpoint");
/// `GET`: a page of governance-log entries.
pub const GOV_LOG_ENTRIES: &str = api_path!("/gov/log/entries");
/// `POST`: inclusion proofs in the governance log.
pub const GOV_LOG_INCLUSION: &str = api_path!("/gov/log/proofs/inclusion");
/// `GET`: a consistency proof of the governance log.
pub const GOV_LOG_CONSISTENCY: &str = api_path!("/gov/log/proofs/consistency");
/// `POST`: enter a member (steward); `GET`: the register (steward).
pub const GOV_REGISTER: &str = api_path!("/gov/register");
/// `GET`: the register as CSV (steward).
pub const GOV_REGISTER_CSV: &str = api_path!("/gov/register.csv");
/// `GET`: the caller's own register entry.
pub const GOV_REGISTER_ME: &str = api_path!("/gov/register/me");
/// `PUT`: set or remove the address of one's own notices.
pub const GOV_REGISTER_ME_EMAIL: &str = api_path!("/gov/register/me/email");
/// `POST`: link the caller's account to their entry and publish their key.
pub const GOV_JOIN: &str = api_path!("/gov/join");
/// `POST`: convene (steward); `GET`: list.
pub const GOV_ASSEMBLIES: &str = api_path!("/gov/assemblies");
/// `POST`: cast a signed ballot.
pub const GOV_BALLOTS: &str = api_path!("/gov/ballots");
/// `POST`: record a signed proxy or its revocation.
pub const GOV_PROXIES: &str = api_path!("/gov/proxies");
/// The bodies and delegations.
pub const GOV_BODIES: &str = api_path!("/gov/bodies");

/// `POST`: record a member's leaving date (steward).
pub fn gov_leaving(member: uuid::Uuid) -> String {
    format!("{GOV_REGISTER}/{member}/leaving")
}

/// `POST`: record a change of a member's shares (steward).
pub fn gov_shares(member: uuid::Uuid) -> String {
    format!("{GOV_REGISTER}/{member}/shares")
}

/// `POST`: a new invitation for a register entry (steward).
pub fn gov_invitation(member: uuid::Uuid) -> String {
    format!("{GOV_REGISTER}/{member}/invitation")
}

/// `GET`: one assembly with its agenda.
pub fn gov_assembly(id: uuid::Uuid) -> String {
    format!("{GOV_ASSEMBLIES}/{id}")
}

/// `POST`: file a motion on an assembly's agenda.
pub fn gov_motions(assembly: uuid::Uuid) -> String {
    format!("{GOV_ASSEMBLIES}/{assembly}/motions")
}

/// `GET`: the signed approval of a study by a resolution.
pub fn gov_study_approval(study: uuid::Uuid) -> String {
    format!("{}/gov/studies/{study}/approval", API_BASE)
}

/// `GET`: an assembly's minutes.
pub fn gov_minutes(assembly: uuid::Uuid) -> String {
    format!("{GOV_ASSEMBLIES}/{assembly}/minutes")
}

/// `POST`: sign an assembly's minutes.
pub fn gov_minutes_signatures(assembly: uuid::Uuid) -> String {
    format!("{GOV_ASSEMBLIES}/{assembly}/minutes/signatures")
}

/// `GET`: minority demands; `POST`: file one.
pub const GOV_DEMANDS: &str = api_path!("/gov/demands");

/// `POST`: support a minority demand.
pub fn gov_demand_support(demand: uuid::Uuid) -> String {
    format!("{GOV_DEMANDS}/{demand}/support")
}

/// `POST`: a member's signed question, statement or answer in an assembly's discussion.
pub fn gov_discussion(assembly: uuid::Uuid) -> String {
    format!("{GOV_ASSEMBLIES}/{assembly}/discussion")
}

/// `POST`: a member's signed attendance at a running assembly.
pub fn gov_attendance(assembly: uuid::Uuid) -> String {
    format!("{GOV_ASSEMBLIES}/{assembly}/attendance")
}

/// `POST`: record an objection.
pub fn gov_objections(assembly: uuid::Uuid) -> String {
    format!("{GOV_ASSEMBLIES}/{assembly}/objections")
}

/// `GET`: one motion.
pub fn gov_motion(id: uuid::Uuid) -> String {
    format!("{}/gov/motions/{id}", API_BASE)
}

/// `DELETE`: revoke one session.
pub fn session(id: impl Into<SessionId>) -> String {
    format!("{SESSIONS}/{}", id.into())
}

/// `GET`, `PUT`, `DELETE`: one record.
pub fn record(id: impl Into<RecordId>) -> String {
    format!("{RECORDS}/{}", id.into())
}

/// `PUT` (upload), `GET` (metadata), `DELETE`: one blob.
pub fn blob(id: impl Into<BlobId>) -> String {
    format!("{BLOBS}/{}", id.into())
}

/// `GET`: one blob's ciphertext.
pub fn blob_content(id: impl Into<BlobId>) -> String {
    format!("{BLOBS}/{}/content", id.into())
}

/// `DELETE`: revoke one device.
pub fn device(id: impl Into<DeviceId>) -> String {
    format!("{DEVICES}/{}", id.into())
}

/// `GET`: the sealed key of a device batch.
pub fn device_batch(id: impl Into<BatchId>) -> String {
    format!("{DEVICES}/batches/{}", id.into())
}

/// Every path template, as the OpenAPI document names them (checked against it).
pub const TEMPLATES: &[&str] = &[
    CONSENTS,
    CONSENT,
    CONSENT_COPIES,
    CONSENT_ACTIVATION,
    CONSENT_WITHDRAWAL,
    RESEARCHERS,
    RESEARCHER_ME,
    RESEARCHER_VERIFICATION,
    STUDIES,
    STUDY,
    STUDY_SUBMISSION,
    STUDY_CLOSURE,
    STUDY_DATASET,
    MEMBERS,
    MEMBER_ME,
    MEMBER_PASSPHRASE,
    MEMBER_KEYS,
    MEMBER_RECOVERY,
    MEMBER_KEY_ROTATION,
    MEMBER_RECORD_KEYS,
    PRELOGIN,
    LOGIN,
    REFRESH,
    LOGOUT,
    WHOAMI,
    SESSIONS,
    api_path!("/auth/sessions/{id}"),
    RECOVERY_START,
    RECOVERY_COMPLETE,
    RECORDS,
    RECORDS_BATCH,
    RECORDS_READ,
    api_path!("/records/{id}"),
    BLOBS,
    api_path!("/blobs/{id}"),
    api_path!("/blobs/{id}/content"),
    DEVICES,
    api_path!("/devices/{id}"),
    api_path!("/devices/batches/{id}"),
    DEVICE_RECORDS,
    LOG_KEY,
    LOG_CHECKPOINT,
    LOG_ENTRIES,
    LOG_INCLUSION,
    LOG_CONSISTENCY,
    GOV,
    GOV_LOG_KEY,
    GOV_LOG_CHECKPOINT,
    GOV_LOG_ENTRIES,
    GOV_LOG_INCLUSION,
    GOV_LOG_CONSISTENCY,
    GOV_REGISTER,
    GOV_REGISTER_CSV,
    GOV_REGISTER_ME,
    GOV_REGISTER_ME_EMAIL,
    api_path!("/gov/register/{member}/leaving"),
    api_path!("/gov/register/{member}/shares"),
    api_path!("/gov/register/{member}/invitation"),
    GOV_JOIN,
    GOV_ASSEMBLIES,
    api_path!("/gov/assemblies/{id}"),
    api_path!("/gov/assemblies/{id}/motions"),
    api_path!("/gov/motions/{id}"),
    GOV_BALLOTS,
    GOV_PROXIES,
    GOV_BODIES,
    api_path!("/gov/studies/{id}/approval"),
    api_path!("/gov/assemblies/{id}/minutes"),
    api_path!("/gov/assemblies/{id}/minutes/signatures"),
    api_path!("/gov/assemblies/{id}/objections"),
    api_path!("/gov/assemblies/{id}/attendance"),
    api_path!("/gov/assemblies/{id}/discussion"),
    GOV_DEMANDS,
    api_path!("/gov/demands/{id}/support"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameterised_paths_fill_their_templates() {
        let id = uuid::Uuid::now_v7();
        for (built, template) in [
            (session(id), "/api/v1/auth/sessions/{id}"),
            (record(id), "/api/v1/records/{id}"),
            (blob(id), "/api/v1/blobs/{id}"),
            (blob_content(id), "/api/v1/blobs/{id}/content"),
            (device(id), "/api/v1/devices/{id}"),
            (device_batch(id), "/api/v1/devices/batches/{id}"),
        ] {
            assert_eq!(built, template.replace("{id}", &id.to_string()));
            assert!(TEMPLATES.contains(&template), "{template}");
        }
    }
}
