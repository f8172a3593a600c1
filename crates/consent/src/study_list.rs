//! A page of studies: every submitted one and the reader's own drafts, by id, with the
//! state each is in now (a filter on the state skips the others).

use crate::studies::{self, not_found, researcher_of, Reader, StudyRow};
use crate::ConsentError;
use datacoop_consent_core::wire::{StudyList, StudyQuery, StudyResearcher, StudySummary};
use datacoop_store::schema::studies as s;
use datacoop_store::time::format_micros;
use datacoop_store::DbConn;
use diesel::prelude::*;
use std::collections::HashMap;

/// A page of the studies the reader may see, by id.
pub fn list(
    conn: &mut DbConn,
    reader: Reader,
    q: &StudyQuery,
    now: i64,
) -> Result<StudyList, ConsentError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 500) as usize;
    let me = reader.account.hyphenated().to_string();
    let decisions = datacoop_governance::study_decisions(conn, None)?;
    let mut names: HashMap<String, StudyResearcher> = HashMap::new();
    let mut studies = Vec::new();
    let mut after = q.after.map(|a| a.hyphenated().to_string());
    let mut more = false;
    'pages: loop {
        let mut query = s::table
            .select((
                s::id,
                s::researcher,
                s::title,
                s::ends_at,
                s::submitted_at,
                s::closed_at,
                s::closed_idx,
            ))
            .order(s::id.asc())
            .limit(200)
            .into_boxed();
        if let Some(a) = &after {
            query = query.filter(s::id.gt(a.clone()));
        }
        if q.mine {
            query = query.filter(s::researcher.eq(me.clone()));
        } else {
            query = query.filter(
                s::submitted_at
                    .is_not_null()
                    .or(s::researcher.eq(me.clone())),
            );
        }
        type Brief = (
            String,
            String,
            String,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Brief> = query.load(conn)?;
        let exhausted = rows.len() < 200;
        for (id, researcher, title, ends_at, submitted_at, closed_at, closed_idx) in rows {
            after = Some(id.clone());
            let row = StudyRow {
                id,
                researcher,
                title,
                ends_at,
                terms: Vec::new(),
                terms_sha256: Vec::new(),
                study_key: Vec::new(),
                sealed_study_key: Vec::new(),
                created_at: 0,
                submitted_at,
                submitted_idx: None,
                closed_at,
                closed_idx,
            };
            let uuid = row.uuid();
            let d = decisions.get(&uuid).cloned().unwrap_or_default();
            // The brief row has no terms: an approval counts as this study's only if
            // it names the stored digest and key, so look those up for approved ones.
            let state = if d.approval.is_some() && row.closed_at.is_none() {
                let full = studies::row(conn, uuid)?.ok_or_else(|| not_found(uuid))?;
                full.state(&d, now).0
            } else {
                row.state(&d, now).0
            };
            if q.state.is_some_and(|w| w != state) {
                continue;
            }
            if studies.len() == limit {
                more = true;
                break 'pages;
            }
            let researcher = match names.get(&row.researcher) {
                Some(r) => r.clone(),
                None => {
                    let r = researcher_of(conn, &row.researcher)?;
                    names.insert(row.researcher.clone(), r.clone());
                    r
                }
            };
            studies.push(StudySummary {
                id: uuid,
                title: row.title,
                state,
                researcher,
                ends_on: format_micros(row.ends_at)
                    .get(..10)
                    .unwrap_or_default()
                    .to_owned(),
            });
        }
        if exhausted {
            break;
        }
    }
    let next = if more {
        studies.last().map(|s: &StudySummary| s.id)
    } else {
        None
    };
    Ok(StudyList { studies, next })
}
