//! Researchers and studies in the chain: a steward's verification, a study's frozen
//! terms and key, and its researcher's closing of it. A resolution's approval or
//! closing of a study is the motion's effect ([`crate::Effect`]).

use super::Chain;
use datacoop_api::b64::Base64Url;
use uuid::Uuid;

/// A study as its submission entry froze it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedStudy {
    /// The researcher's account.
    pub researcher: Uuid,
    /// SHA-256 of the terms' exact bytes.
    pub terms_sha256: Base64Url,
    /// The study's X25519 public key.
    pub study_key: Base64Url,
    /// Its researcher closed it.
    pub closed: bool,
}

impl Chain {
    pub(super) fn verify_researcher(
        &mut self,
        researcher: Uuid,
        name: &str,
        affiliation: &str,
    ) -> Result<(), String> {
        if name.trim().is_empty() || affiliation.trim().is_empty() {
            return Err(format!(
                "researcher {researcher} is verified without a name or an affiliation"
            ));
        }
        if self
            .researchers
            .insert(researcher, (name.to_owned(), affiliation.to_owned()))
            .is_some()
        {
            return Err(format!("researcher {researcher} is verified twice"));
        }
        Ok(())
    }

    pub(super) fn submit_study(
        &mut self,
        study: Uuid,
        researcher: Uuid,
        terms_sha256: &Base64Url,
        study_key: &Base64Url,
    ) -> Result<(), String> {
        if !self.researchers.contains_key(&researcher) {
            return Err(format!(
                "study {study} is submitted by {researcher}, who is not a verified researcher"
            ));
        }
        if terms_sha256.len() != 32 || study_key.len() != 32 {
            return Err(format!(
                "study {study} is submitted without a 32-byte terms digest and key"
            ));
        }
        let s = SubmittedStudy {
            researcher,
            terms_sha256: terms_sha256.clone(),
            study_key: study_key.clone(),
            closed: false,
        };
        if self.studies.insert(study, s).is_some() {
            return Err(format!("study {study} is submitted twice"));
        }
        Ok(())
    }

    pub(super) fn close_study(&mut self, study: Uuid) -> Result<(), String> {
        match self.studies.get_mut(&study) {
            Some(s) if !s.closed => {
                s.closed = true;
                Ok(())
            }
            _ => Err(format!(
                "study {study} is closed, but it was not submitted or is closed already"
            )),
        }
    }
}
