//! How research answers are printed: plain words for people, JSON with `--json`.

use datacoop_client::member::Registration;
use datacoop_consent_core::wire::{Closure, ResearcherView, StudyState, StudySummary, StudyView};
use datacoop_consent_core::{DateLevel, ResearchKind, StudyTerms};
use datacoop_governance_core::StudyApproval;

pub(super) fn registered(reg: &Registration, email: &str, json: bool) {
    if json {
        crate::print_json(&serde_json::json!({
            "researcher_id": reg.member_id,
            "recovery_code": reg.recovery_code,
        }));
        return;
    }
    println!("Researcher's account {} opened for {email}.", reg.member_id);
    println!();
    println!("Your recovery code (shown only now; print it and keep it safe):");
    println!();
    println!("    {}", reg.recovery_code);
    println!();
    println!(
        "Next: datacoop researcher login --email {email}; then ask a steward of the \
         cooperative to verify you (they run: datacoop steward verify-researcher {}).",
        reg.member_id
    );
}

pub(super) fn researcher(r: &ResearcherView, json: bool) {
    if json {
        crate::print_json(r);
        return;
    }
    println!("{} ({}), {}", r.name, r.id, r.affiliation);
    if let Some(e) = &r.email {
        println!("  login: {e}");
    }
    match &r.verification {
        Some(v) => println!(
            "  verified by a steward on {} (governance log entry {})",
            v.at, v.index
        ),
        None => println!(
            "  not verified yet: a steward runs `datacoop steward verify-researcher {}`",
            r.id
        ),
    }
}

pub(super) fn researchers(list: &[ResearcherView], json: bool) {
    if json {
        crate::print_json(&list);
        return;
    }
    if list.is_empty() {
        println!("No researchers.");
    }
    for r in list {
        let v = if r.verification.is_some() {
            "verified"
        } else {
            "waiting"
        };
        println!(
            "{}  {:<8}  {} ({}), {}",
            r.id,
            v,
            r.name,
            r.email.as_deref().unwrap_or(""),
            r.affiliation
        );
    }
}

fn state_words(s: StudyState) -> &'static str {
    match s {
        StudyState::Draft => "draft (only you see it; submit it with `datacoop study submit`)",
        StudyState::Submitted => "submitted, waiting for the cooperative's decision",
        StudyState::Rejected => "not approved by the cooperative",
        StudyState::Recruiting => "approved by the cooperative: recruiting",
        StudyState::Closed => "closed",
    }
}

fn dates_words(d: DateLevel) -> &'static str {
    match d {
        DateLevel::Exact => "dates and times as recorded",
        DateLevel::Shifted => {
            "every date moved by one random offset, the same for all your records (intervals kept)"
        }
        DateLevel::MonthYear => "dates reduced to month and year, times removed",
        DateLevel::Year => "dates reduced to the year; ages over 89 shown as 90+",
    }
}

fn purpose_lines(t: &StudyTerms) -> Vec<String> {
    let p = &t.purpose;
    let mut out = vec![match &p.research {
        ResearchKind::Health { diseases } if diseases.is_empty() => {
            "health, medical or biomedical research".to_owned()
        }
        ResearchKind::Health { diseases } => {
            format!("health research on {}", diseases.join(", "))
        }
        ResearchKind::Other => "research outside health".to_owned(),
        ResearchKind::Ancestry => "research on population origins or ancestry".to_owned(),
    }];
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    out.push(format!(
        "commercial use: {}; by a for-profit organisation: {}",
        yes_no(p.commercial),
        yes_no(p.for_profit_organisation)
    ));
    out.push(format!(
        "ethics approval: {}; results published: {}; genetic: {}; methods development: {}",
        yes_no(p.ethics_approval),
        yes_no(p.publishes),
        yes_no(p.genetic),
        yes_no(p.methods_development)
    ));
    out.push(format!("data used in {} for {} months", p.region, p.months));
    out
}

pub(super) fn study(
    v: &StudyView,
    t: &StudyTerms,
    approval: Option<&StudyApproval>,
    lang: &str,
    json: bool,
) {
    let fit = crate::preferences::fit(t);
    if json {
        crate::print_json(&serde_json::json!({
            "study": v,
            "terms": t,
            "approval_verified": approval.is_some(),
            "fits_preferences": fit.as_ref().map(|(ok, _)| ok),
        }));
        return;
    }
    println!("{} ({})", t.title, v.id);
    println!(
        "  by {} ({}), {}",
        v.researcher.name, v.researcher.id, v.researcher.affiliation
    );
    println!("  state: {}", state_words(v.state));
    match (&v.closure, approval, &v.approval) {
        (Some(Closure::Researcher { at, .. }), _, _) => {
            println!("  closed by its researcher on {at}")
        }
        (Some(Closure::Resolution { motion }), _, _) => {
            println!("  closed by the resolution on motion {motion}")
        }
        (Some(Closure::EndDate), _, _) => println!("  closed: its end date has passed"),
        (None, Some(a), _) => println!(
            "  approved by the resolution on motion {} (signature and governance log entry \
             checked on this machine)",
            a.motion
        ),
        (None, None, Some(a)) => println!(
            "  approved by the resolution on motion {} (as the server says)",
            a.approval.motion
        ),
        _ => {}
    }
    println!();
    println!("{}", t.summary(lang));
    println!();
    println!("What it is for:");
    for l in purpose_lines(t) {
        println!("  - {l}");
    }
    if let Some((_, words)) = &fit {
        println!("  This study {words}.");
    }
    println!("What it asks for:");
    println!("  - data categories: {}", t.categories.join(", "));
    if !t.types.is_empty() {
        println!("  - only these record types: {}", t.types.join(", "));
    }
    let from = t.data_from.map(|d| d.to_string());
    let until = t.data_until.map(|d| d.to_string());
    println!(
        "  - records from {} to {}",
        from.as_deref().unwrap_or("the beginning"),
        until.as_deref().unwrap_or(if t.future_data {
            "the end of the study"
        } else {
            "the day you consent"
        })
    );
    println!(
        "  - records you add while you consent: {}",
        if t.future_data {
            "shared too, until you withdraw or the study ends"
        } else {
            "not shared"
        }
    );
    println!("  - until {} (the end of that day, UTC)", t.ends_on);
    println!("What leaves your machine:");
    let d = &t.deidentification;
    println!("  - {}", dates_words(d.dates));
    println!(
        "  - free text (notes): {}; references to practitioners: {}",
        if d.keep_free_text { "kept" } else { "removed" },
        if d.keep_practitioners {
            "kept"
        } else {
            "removed"
        }
    );
    if let Some(n) = d.location_decimals {
        println!("  - locations rounded to {n} decimal place(s)");
    }
    println!("  - never your name or account: the study sees a pseudonym of its own");
    println!();
    println!(
        "You may withdraw at any time, and the study then receives nothing more; what it \
         has already downloaded cannot be recalled, and every download is in your access log."
    );
    println!("Terms digest (SHA-256): {}", crate::b64(&v.terms_sha256));
}

pub(super) fn studies(list: &[StudySummary], json: bool) {
    if json {
        crate::print_json(&list);
        return;
    }
    if list.is_empty() {
        println!("No studies.");
    }
    for s in list {
        println!(
            "{}  {:<10}  until {}  {} ({}, {})",
            s.id,
            s.state.as_str(),
            s.ends_on,
            s.title,
            s.researcher.name,
            s.researcher.affiliation
        );
    }
}
