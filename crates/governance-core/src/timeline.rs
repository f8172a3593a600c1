//! The timeline the statutes set (§46): checked by the server when it records an
//! assembly or a motion, and again by every recount.

use crate::{Assembly, GovernanceError, MotionTerms, Rules};

const DAY_MICROS: u64 = 86_400_000_000;

fn days(at: u64, until: u64) -> String {
    format!(
        "{:.1}",
        (until.saturating_sub(at)) as f64 / DAY_MICROS as f64
    )
}

/// An assembly convened at `now` must start at least the notice period later (§46(1)).
pub fn check_assembly(a: &Assembly, now: u64, rules: &Rules) -> Result<(), GovernanceError> {
    let earliest = now.saturating_add(u64::from(rules.notice_days) * DAY_MICROS);
    if a.starts_at_micros < earliest {
        return Err(GovernanceError::Timeline(format!(
            "an assembly is convened at least {} days ahead (Cooperatives Act §46(1)); this one \
             starts in {} days: choose a later start",
            rules.notice_days,
            days(now, a.starts_at_micros)
        )));
    }
    if a.ends_at_micros <= a.starts_at_micros {
        return Err(GovernanceError::Timeline(
            "the assembly must end after it starts".into(),
        ));
    }
    if a.title.trim().is_empty() {
        return Err(GovernanceError::Timeline(
            "the assembly needs a title".into(),
        ));
    }
    Ok(())
}

/// A motion filed at `now` must be announced at least the agenda period before the
/// assembly starts (§46(2)), and its vote must fall within the assembly.
pub fn check_motion(
    m: &MotionTerms,
    a: &Assembly,
    now: u64,
    rules: &Rules,
) -> Result<(), GovernanceError> {
    let latest = a
        .starts_at_micros
        .saturating_sub(u64::from(rules.agenda_days) * DAY_MICROS);
    if now > latest {
        return Err(GovernanceError::Timeline(format!(
            "an item must be announced at least {} days before the assembly (Cooperatives Act \
             §46(2)); this assembly starts in {} days, so a resolution on it would not be valid: \
             put it on the agenda of a later assembly",
            rules.agenda_days,
            days(now, a.starts_at_micros)
        )));
    }
    if m.opens_at_micros < a.starts_at_micros
        || m.closes_at_micros > a.ends_at_micros
        || m.opens_at_micros >= m.closes_at_micros
    {
        return Err(GovernanceError::Timeline(
            "voting on a motion opens after the assembly starts, closes before it ends, and \
             closes after it opens"
                .into(),
        ));
    }
    if m.quorum_percent.is_some_and(|q| q > 100) {
        return Err(GovernanceError::Timeline(
            "a quorum is a percentage from 0 to 100".into(),
        ));
    }
    if let Some(crate::Decision::ApproveStudy {
        terms_sha256,
        study_key,
        ..
    }) = &m.decision
    {
        if terms_sha256.len() != 32 || study_key.len() != 32 {
            return Err(GovernanceError::Timeline(
                "a study approval names the study's terms by their 32-byte SHA-256 and its \
                 32-byte X25519 public key"
                    .into(),
            ));
        }
    }
    if m.title.trim().is_empty() || m.text.trim().is_empty() {
        return Err(GovernanceError::Timeline(
            "a motion needs a title and the text of the resolution".into(),
        ));
    }
    Ok(())
}
