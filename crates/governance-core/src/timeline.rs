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
/// A body's meeting (`a.body`) has no statutory notice period; it starts after `now`.
pub fn check_assembly(a: &Assembly, now: u64, rules: &Rules) -> Result<(), GovernanceError> {
    if let Some(body) = a.body {
        if a.starts_at_micros < now {
            return Err(GovernanceError::Timeline(format!(
                "a meeting of {} starts after it is convened: choose a later start",
                body.describe()
            )));
        }
    }
    let earliest = now.saturating_add(u64::from(rules.notice_days) * DAY_MICROS);
    if a.body.is_none() && a.starts_at_micros < earliest {
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
/// assembly starts (§46(2)), and its vote must fall within the assembly. On a body's
/// meeting a motion may be filed until voting opens.
pub fn check_motion(
    m: &MotionTerms,
    a: &Assembly,
    now: u64,
    rules: &Rules,
) -> Result<(), GovernanceError> {
    let bad = |s: &str| Err(GovernanceError::Timeline(s.into()));
    if m.body != a.body {
        return bad("a motion's body is the body whose meeting it is on");
    }
    let latest = a
        .starts_at_micros
        .saturating_sub(u64::from(rules.agenda_days) * DAY_MICROS);
    if a.body.is_some() && now > m.opens_at_micros {
        return bad("a motion on a body's meeting is filed before its voting opens");
    }
    if a.body.is_none() && now > latest {
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
    check_election(m)?;
    if m.title.trim().is_empty() || m.text.trim().is_empty() {
        return Err(GovernanceError::Timeline(
            "a motion needs a title and the text of the resolution".into(),
        ));
    }
    Ok(())
}

/// What an election and the decisions a body may not take must satisfy.
fn check_election(m: &MotionTerms) -> Result<(), GovernanceError> {
    use crate::Decision;
    let bad = |s: &str| Err(GovernanceError::Timeline(s.into()));
    match (&m.decision, &m.election) {
        (Some(Decision::Elect { .. }), None) => {
            return bad("a motion that elects a body is an election: give its candidates")
        }
        (
            Some(
                Decision::ApproveStudy { .. }
                | Decision::CloseStudy { .. }
                | Decision::Delegate { .. },
            ),
            Some(_),
        )
        | (Some(Decision::EndDelegation { .. }), Some(_)) => {
            return bad("an election elects; approvals and delegations are yes/no motions")
        }
        _ => {}
    }
    if m.body.is_some()
        && (m.election.is_some()
            || matches!(
                m.decision,
                Some(
                    Decision::Elect { .. }
                        | Decision::Delegate { .. }
                        | Decision::EndDelegation { .. }
                )
            ))
    {
        return bad("elections and delegations are for the general assembly, not a body's meeting");
    }
    if let Some(e) = &m.election {
        if m.majority != crate::Majority::Simple {
            return bad(
                "an election is decided by the most votes: file it with the simple majority",
            );
        }
        if e.candidates.is_empty() || e.candidates.len() > crate::body::MAX_CANDIDATES {
            return bad("an election has 1 to 100 candidates");
        }
        if e.seats == 0 || e.seats as usize > e.candidates.len() {
            return bad("an election fills at least one seat and no more seats than candidates");
        }
        let mut seen = std::collections::BTreeSet::new();
        if !e.candidates.iter().all(|c| seen.insert(c.member)) {
            return bad("each candidate stands once");
        }
        if e.candidates.iter().any(|c| c.name.trim().is_empty()) {
            return bad("each candidate has a name on the ballot");
        }
    }
    Ok(())
}
