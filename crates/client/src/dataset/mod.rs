//! A study's dataset on its researcher's machine: the download (one NDJSON stream,
//! resumable after any `page` line), the decryption of each participant's share key
//! with the study's key and of each copy under it, and the check that every export
//! this researcher received is in the access log the participants read.

mod verify;

pub use verify::verify_exports;

use crate::consent::copy_binding;
use crate::research::ResearcherSession;
use crate::ClientError;
use datacoop_api::log::{export_extra, Action, Actor, SealedEntry};
use datacoop_api::paths;
use datacoop_consent_core::wire::{DatasetCopy, DatasetLine, DatasetParticipant};
use datacoop_crypto::{open_shared_record, Plaintext, ShareKey, StudyKeys};
use datacoop_merkle::Hash;
use reqwest::Method;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Longest line accepted from the server (a copy holds at most 1 MiB of ciphertext).
const MAX_LINE: usize = 4 * 1024 * 1024;

impl ResearcherSession {
    /// Downloads the study's dataset under `export` from `after` (a `page` line's
    /// cursor), handing each line (with its raw bytes, newline included) to `on_line`.
    /// True when the stream reached its `end`; false when it was cut (resume after the
    /// last `page` line).
    pub async fn download_dataset<F>(
        &self,
        study: Uuid,
        export: Uuid,
        after: Option<&str>,
        mut on_line: F,
    ) -> Result<bool, ClientError>
    where
        F: FnMut(&[u8], DatasetLine) -> Result<(), ClientError>,
    {
        let mut query = vec![("export", export.to_string())];
        if let Some(a) = after {
            query.push(("after", a.to_owned()));
        }
        let res = crate::check(
            self.session
                .client
                .request(Method::GET, &paths::study_dataset(study))
                .query(&query)
                .send()
                .await,
        )
        .await?;
        let mut res = res;
        let mut buf: Vec<u8> = Vec::with_capacity(1 << 20);
        let mut ended = false;
        loop {
            let chunk = match res.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => break,
                // A cut connection: what arrived stays usable, the caller resumes.
                Err(_) => return Ok(false),
            };
            buf.extend_from_slice(&chunk);
            let mut start = 0;
            while let Some(n) = buf[start..].iter().position(|b| *b == b'\n') {
                let raw = &buf[start..start + n + 1];
                start += n + 1;
                if ended {
                    return Err(ClientError::Decode(
                        "lines after the end of the dataset".into(),
                    ));
                }
                let line: DatasetLine = serde_json::from_slice(raw)
                    .map_err(|e| ClientError::Decode(format!("a dataset line: {e}")))?;
                ended = matches!(line, DatasetLine::End { .. });
                on_line(raw, line)?;
            }
            buf.drain(..start);
            if buf.len() > MAX_LINE {
                return Err(ClientError::Decode(format!(
                    "a dataset line longer than {} MiB",
                    MAX_LINE >> 20
                )));
            }
        }
        Ok(ended)
    }
}

/// One participant as this export saw them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantSummary {
    /// Their categories.
    pub categories: Vec<String>,
    /// Copies of theirs opened.
    pub records: u64,
    /// The access-log entry of this export of their data.
    pub log_index: u64,
    /// Its leaf hash (of the sealed form the researcher received).
    pub leaf: Hash,
}

/// A copy opened on the researcher's machine.
#[derive(Debug)]
pub struct OpenedCopy {
    /// The copy as downloaded (ciphertext fields included).
    pub copy: DatasetCopy,
    /// Its de-identified content.
    pub content: Plaintext,
}

/// Opens a dataset line by line: participants' share keys with the study's key, copies
/// under them; checks each participant's log entry names this researcher, study,
/// export and pseudonym, and keeps what the manifest and the log check need.
pub struct DatasetOpener {
    keys: StudyKeys,
    researcher: Uuid,
    study: Uuid,
    export: Uuid,
    shares: HashMap<Uuid, ShareKey>,
    /// Participants, by pseudonym.
    pub participants: BTreeMap<Uuid, ParticipantSummary>,
    /// Withdrawn participants: pseudonym, when.
    pub withdrawn: Vec<(Uuid, String)>,
}

impl std::fmt::Debug for DatasetOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatasetOpener")
            .field("study", &self.study)
            .field("export", &self.export)
            .field("participants", &self.participants.len())
            .finish_non_exhaustive()
    }
}

impl DatasetOpener {
    /// An opener for the study's export, with the study's opened key pair.
    pub fn new(keys: StudyKeys, researcher: Uuid, study: Uuid, export: Uuid) -> Self {
        DatasetOpener {
            keys,
            researcher,
            study,
            export,
            shares: HashMap::new(),
            participants: BTreeMap::new(),
            withdrawn: Vec::new(),
        }
    }

    /// Takes one line; a copy comes back opened.
    pub fn take(&mut self, line: DatasetLine) -> Result<Option<OpenedCopy>, ClientError> {
        match line {
            DatasetLine::Withdrawn {
                pseudonym,
                withdrawn_at,
            } => {
                if !self.withdrawn.iter().any(|(p, _)| *p == pseudonym) {
                    self.withdrawn.push((pseudonym, withdrawn_at));
                }
                Ok(None)
            }
            DatasetLine::Participant(p) => {
                self.participant(p)?;
                Ok(None)
            }
            DatasetLine::Copy(copy) => self.copy(copy).map(Some),
            DatasetLine::Page { .. } | DatasetLine::End { .. } => Ok(None),
        }
    }

    fn participant(&mut self, p: DatasetParticipant) -> Result<(), ClientError> {
        let leaf = self.check_entry(&p)?;
        if let Some(known) = self.participants.get(&p.pseudonym) {
            if known.log_index != p.log_index || known.leaf != leaf {
                return Err(ClientError::Decode(format!(
                    "participant {} comes with two different log entries in one export",
                    p.pseudonym
                )));
            }
            return Ok(());
        }
        let share =
            ShareKey::open_as_study(&self.keys.hpke, self.study, p.consent, &p.sealed_share_key)
                .map_err(|e| {
                    ClientError::crypto(&format!("participant {}'s share key", p.pseudonym), e)
                })?;
        self.shares.insert(p.pseudonym, share);
        self.participants.insert(
            p.pseudonym,
            ParticipantSummary {
                categories: p.categories,
                records: 0,
                log_index: p.log_index,
                leaf,
            },
        );
        Ok(())
    }

    /// The participant's log entry must be this export's, of this participant; its
    /// leaf hash is what the log must include.
    fn check_entry(&self, p: &DatasetParticipant) -> Result<Hash, ClientError> {
        let e = SealedEntry::decode(&p.log_entry).map_err(|e| {
            ClientError::Decode(format!("participant {}'s log entry: {e}", p.pseudonym))
        })?;
        let ours = e.actor
            == Actor::Researcher {
                id: self.researcher,
                study: self.study,
            }
            && e.action == Action::DatasetExport
            && e.study == Some(self.study)
            && e.extra.as_deref() == Some(&export_extra(self.export, p.pseudonym)[..]);
        if !ours {
            return Err(ClientError::Decode(format!(
                "participant {}'s log entry is not of this export by you: the server shows \
                 an entry it did not write for this download",
                p.pseudonym
            )));
        }
        e.leaf_hash().map_err(|e| {
            ClientError::Decode(format!("participant {}'s log entry: {e}", p.pseudonym))
        })
    }

    fn copy(&mut self, copy: DatasetCopy) -> Result<OpenedCopy, ClientError> {
        let share = self.shares.get(&copy.pseudonym).ok_or_else(|| {
            ClientError::Decode(format!(
                "copy {} comes before its participant {}",
                copy.id, copy.pseudonym
            ))
        })?;
        let binding = copy_binding(
            copy.pseudonym,
            copy.id,
            &copy.content_type,
            &copy.category,
            &copy.type_code,
        );
        let content = open_shared_record(share, &binding, &copy.wrapped_key, &copy.ciphertext)
            .map_err(|e| ClientError::crypto(&format!("copy {}", copy.id), e))?;
        if let Some(p) = self.participants.get_mut(&copy.pseudonym) {
            if !p.categories.contains(&copy.category) {
                return Err(ClientError::Decode(format!(
                    "copy {} is in {}, a category participant {} did not consent to",
                    copy.id, copy.category, copy.pseudonym
                )));
            }
            p.records += 1;
        }
        Ok(OpenedCopy { copy, content })
    }
}
