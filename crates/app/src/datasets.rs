//! A study's dataset, downloaded by its researcher: one stream of pages of the active
//! consents' copies, each participant logged in their access log once per export, in
//! the transaction that reads their copies (if the entry cannot be written, nothing of
//! theirs is served).

use crate::{App, AppError, ResearcherCaller};
use datacoop_accesslog::{self as accesslog, Action, Actor};
use datacoop_api::log::export_extra;
use datacoop_consent::datasets::{self, PageCopy};
use datacoop_consent::ConsentError;
use datacoop_consent_core::wire::{
    Cursor, DatasetCopy, DatasetLine, DatasetParticipant, DatasetQuery,
};
use datacoop_store::time::format_micros;
use datacoop_store::{Db, DbConn};
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use std::collections::HashMap;
use uuid::Uuid;

/// The download: pages of lines, the first already read (so refusals are answered
/// before anything is streamed); a page that fails ends the stream without its `end`.
pub type DatasetStream = BoxStream<'static, Result<Vec<DatasetLine>, AppError>>;

struct Download {
    db: Db,
    clock: crate::Clock,
    researcher: Uuid,
    study: Uuid,
    export: Uuid,
    page_copies: i64,
    participants: u64,
    copies: u64,
}

impl App {
    /// Starts or resumes the download of a study's dataset under the client's export id.
    pub async fn dataset(
        &self,
        caller: &ResearcherCaller,
        study: Uuid,
        q: DatasetQuery,
    ) -> Result<DatasetStream, AppError> {
        let after = match q.after.as_deref() {
            Some(text) => Some(Cursor::parse(text).map_err(ConsentError::Invalid)?),
            None => None,
        };
        let mut d = Download {
            db: self.db.clone(),
            clock: self.clock.clone(),
            researcher: caller.id.uuid(),
            study,
            export: q.export,
            page_copies: i64::from(self.settings.dataset_page_copies.max(1)),
            participants: 0,
            copies: 0,
        };
        let (researcher, export, now) = (d.researcher, d.export, self.clock.now_micros() as i64);
        let withdrawn = self
            .db
            .write(move |c| -> Result<Vec<DatasetLine>, ConsentError> {
                datasets::start(c, researcher, study, export, now)?;
                if after.is_some() {
                    return Ok(Vec::new());
                }
                Ok(datasets::withdrawn(c, study)?
                    .into_iter()
                    .map(|(pseudonym, at)| DatasetLine::Withdrawn {
                        pseudonym,
                        withdrawn_at: format_micros(at),
                    })
                    .collect())
            })
            .await?;
        let (mut first, next) = d.page(after).await?;
        let mut lines = withdrawn;
        lines.append(&mut first);
        tracing::info!(%study, %export, resumed = after.is_some(), "dataset download");
        let head = futures_util::stream::iter([Ok(lines)]);
        let rest = futures_util::stream::unfold((d, next), |(mut d, next)| async move {
            let after = next?;
            match d.page(Some(after)).await {
                Ok((lines, next)) => Some((Ok(lines), (d, next))),
                Err(e) => {
                    tracing::warn!(study = %d.study, export = %d.export, error = %e, "dataset download cut");
                    Some((Err(e), (d, None)))
                }
            }
        });
        Ok(head.chain(rest).boxed())
    }
}

impl Download {
    /// The page after `after`: its lines, and where the next starts (none after the last).
    async fn page(
        &mut self,
        after: Option<Cursor>,
    ) -> Result<(Vec<DatasetLine>, Option<Cursor>), AppError> {
        let (researcher, study, export, limit) =
            (self.researcher, self.study, self.export, self.page_copies);
        let now = self.clock.now_micros() as i64;
        let (copies, participants) = self
            .db
            .write(move |c: &mut DbConn| -> Result<_, AppError> {
                // A study closed during the download serves nothing more.
                datasets::servable(c, researcher, study, now)?;
                let copies = datasets::page(c, study, after, limit)?;
                let participants = log_participants(c, researcher, study, export, &copies)?;
                Ok((copies, participants))
            })
            .await?;
        let full = copies.len() as i64 == limit;
        let mut lines = Vec::with_capacity(copies.len() + participants.len() + 2);
        let mut current: Option<&str> = None;
        let mut last = None;
        for copy in copies {
            if current != Some(copy.consent.as_str()) {
                if let Some(p) = participants.get(&copy.consent) {
                    lines.push(DatasetLine::Participant(p.clone()));
                    if after.is_none_or(|a| a.pseudonym != p.pseudonym) {
                        self.participants += 1;
                    }
                }
            }
            current = participants
                .get_key_value(&copy.consent)
                .map(|(k, _)| k.as_str());
            let line = copy_line(copy);
            last = Some(Cursor {
                pseudonym: line.pseudonym,
                copy: line.id,
            });
            self.copies += 1;
            lines.push(DatasetLine::Copy(line));
        }
        if let Some(cur) = last {
            lines.push(DatasetLine::Page {
                cursor: cur.to_text(),
            });
        }
        if !full {
            lines.push(DatasetLine::End {
                participants: self.participants,
                copies: self.copies,
            });
            return Ok((lines, None));
        }
        Ok((lines, last))
    }
}

fn copy_line(c: PageCopy) -> DatasetCopy {
    DatasetCopy {
        pseudonym: c.pseudonym.parse().unwrap_or_default(),
        id: c.id.parse().unwrap_or_default(),
        category: c.category,
        type_code: c.type_code,
        effective: c.effective,
        content_type: c.content_type,
        ciphertext: c.ciphertext.into(),
        wrapped_key: c.wrapped_key.into(),
    }
}

/// The page's participants, each logged once per export: a new entry for those this
/// export has not logged yet; with the entry's sealed form for the researcher.
fn log_participants(
    c: &mut DbConn,
    researcher: Uuid,
    study: Uuid,
    export: Uuid,
    copies: &[PageCopy],
) -> Result<HashMap<String, DatasetParticipant>, AppError> {
    let mut consents: Vec<String> = copies.iter().map(|p| p.consent.clone()).collect();
    consents.dedup();
    let found = datasets::participants(c, export, &consents)?;
    let mut fresh = Vec::new();
    let mut entries = Vec::new();
    for p in found.iter().filter(|p| p.logged.is_none()) {
        let mut entry = accesslog::entry(
            Actor::Researcher {
                id: researcher,
                study,
            },
            Action::DatasetExport,
            p.member,
        )?;
        entry.study = Some(study);
        entry.consent = Some(p.consent);
        entry.extra = Some(export_extra(export, p.pseudonym));
        entries.push(entry);
        fresh.push(p.consent);
    }
    let indexes = accesslog::append(c, &entries)?;
    let mut logged: HashMap<Uuid, u64> = fresh.into_iter().zip(indexes).collect();
    for (consent, idx) in &logged {
        datasets::record_logged(c, export, *consent, *idx)?;
    }
    for p in &found {
        if let Some(i) = p.logged {
            logged.insert(p.consent, i);
        }
    }
    let idxs: Vec<u64> = logged.values().copied().collect();
    let mut sealed = accesslog::sealed_entries(c, &idxs)?;
    let mut out = HashMap::with_capacity(found.len());
    for p in found {
        let Some(idx) = logged.get(&p.consent).copied() else {
            continue;
        };
        let sealed = sealed.remove(&idx).ok_or_else(|| {
            ConsentError::Invalid(format!("access-log entry {idx} of an export is unreadable"))
        })?;
        out.insert(
            p.consent.hyphenated().to_string(),
            DatasetParticipant {
                pseudonym: p.pseudonym,
                consent: p.consent,
                categories: p.categories,
                sealed_share_key: p.sealed_share_key.into(),
                log_index: idx,
                log_entry: sealed.into(),
            },
        );
    }
    Ok(out)
}
