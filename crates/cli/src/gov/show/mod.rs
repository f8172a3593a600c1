//! How `datacoop gov …` prints its answers: plain text, or `--json`.

use datacoop_client::gov::{GovReport, LocalMinutes};
use datacoop_governance_core::wire::{
    AssemblyList, AssemblyView, BodiesView, DemandList, GovInfo, MotionPhase, MotionView,
};
use datacoop_governance_core::{
    Assembly, Count, Decision, DemandState, Form, Majority, MotionTerms,
};

mod register;
pub use register::*;

pub(super) fn when(micros: u64) -> String {
    datacoop_api::time::format_micros(micros.min(i64::MAX as u64) as i64)
}

fn form(f: Form) -> &'static str {
    match f {
        Form::InPerson => "in person",
        Form::Virtual => "virtual",
        Form::Hybrid => "hybrid",
        Form::Stretched => "stretched (discussion, then voting)",
    }
}

fn majority(m: Majority) -> &'static str {
    match m {
        Majority::Simple => "simple majority",
        Majority::TwoThirds => "two thirds",
        Majority::ThreeQuarters => "three quarters",
    }
}

pub fn info(i: &GovInfo, json: bool) {
    if json {
        return crate::print_json(i);
    }
    let r = &i.rules;
    println!("governance log key  {}", i.verifier_key);
    println!(
        "you are a steward   {}",
        if i.steward { "yes" } else { "no" }
    );
    println!("notice period       {} days (§46(1))", r.notice_days);
    println!(
        "agenda deadline     {} days before the assembly (§46(2))",
        r.agenda_days
    );
    println!("proxies per holder  {} (§43(5))", r.max_proxies_per_holder);
    println!(
        "votes per member    up to {} (§43(3))",
        r.max_votes_per_member
    );
    println!(
        "minority demand     {} % of members (§45)",
        r.minority_demand_percent
    );
}

pub fn assembly(a: &Assembly, json: bool) {
    if json {
        return crate::print_json(a);
    }
    println!("assembly   {}", a.id);
    if let Some(b) = a.body {
        println!("meeting of {}", b.describe());
    }
    println!("title      {}", a.title);
    println!("form       {}", form(a.form));
    println!("starts     {}", when(a.starts_at_micros));
    println!("ends       {}", when(a.ends_at_micros));
    println!("place      {}", a.place);
    println!("take part  {}", a.how_to_take_part);
}

pub fn assemblies(l: &AssemblyList, json: bool) {
    if json {
        return crate::print_json(l);
    }
    for a in &l.items {
        println!(
            "{}  {}  {}  {}",
            a.id,
            when(a.starts_at_micros),
            form(a.form),
            a.title
        );
    }
    println!(
        "{} assembl{}",
        l.items.len(),
        if l.items.len() == 1 { "y" } else { "ies" }
    );
}

pub fn demand(d: &DemandState, json: bool) {
    if json {
        return crate::print_json(d);
    }
    let what = match d.terms.assembly {
        Some(a) => format!("an item for assembly {a}"),
        None => "an assembly".into(),
    };
    println!("demand     {}", d.terms.id);
    println!("for        {what}: {}", d.terms.title);
    println!("reasons    {}", d.terms.reasons);
    println!(
        "support    {} of the {} needed ({} members)",
        d.supporters.len(),
        d.needed,
        d.members
    );
    match d.met_at_micros {
        Some(t) => println!(
            "state      met on {}: the board must act on it (§45)",
            when(t)
        ),
        None => println!(
            "state      open: members support it with `datacoop gov demand support {}`",
            d.terms.id
        ),
    }
}

pub fn demands(l: &DemandList, json: bool) {
    if json {
        return crate::print_json(l);
    }
    for d in &l.items {
        println!(
            "{}  {}/{}  {}  {}",
            d.terms.id,
            d.supporters.len(),
            d.needed,
            if d.met_at_micros.is_some() {
                "met "
            } else {
                "open"
            },
            d.terms.title
        );
    }
    println!(
        "{} demand{}",
        l.items.len(),
        if l.items.len() == 1 { "" } else { "s" }
    );
}

pub fn motion_terms(t: &MotionTerms, json: bool) {
    if json {
        return crate::print_json(t);
    }
    println!("motion     {}", t.id);
    println!("title      {}", t.title);
    println!("text       {}", t.text);
    match &t.election {
        Some(e) => {
            println!(
                "election   {} seat(s); name up to {} with --candidate NUMBER",
                e.seats, e.seats
            );
            for (i, c) in e.candidates.iter().enumerate() {
                println!("candidate  {}. {} ({})", i + 1, c.name, c.member);
            }
        }
        None => println!("majority   {}", majority(t.majority)),
    }
    if let Some(d) = &t.decision {
        println!("decides    {}", decision(d));
    }
    if let Some(q) = t.quorum_percent {
        println!("quorum     {q} % of eligible members");
    }
    println!(
        "voting     {} to {}",
        when(t.opens_at_micros),
        when(t.closes_at_micros)
    );
    for r in &t.recused {
        println!("recused    {r}");
    }
}

fn decision(d: &Decision) -> String {
    match d {
        Decision::ApproveStudy { study, .. } => format!("approves study {study}"),
        Decision::CloseStudy { study } => format!("closes study {study}"),
        Decision::Elect { body } => format!("elects {}", body.describe()),
        Decision::Delegate { to, .. } => {
            format!("delegates approving studies to {}", to.describe())
        }
        Decision::EndDelegation { .. } => "takes approving studies back to the assembly".into(),
    }
}

fn count(c: &Count) -> String {
    if !c.tally.is_empty() {
        return format!(
            "{} ballot(s) naming candidates, {} abstaining; {} of {} eligible members took \
             part{}: {}",
            c.yes,
            c.abstain,
            c.members_taking_part,
            c.members_eligible,
            if c.quorum_met { "" } else { " (quorum missed)" },
            if c.carried {
                "ELECTED as below"
            } else {
                "NO ONE ELECTED"
            }
        );
    }
    format!(
        "{} yes, {} no, {} abstaining; {} of {} eligible members took part{}: {}",
        c.yes,
        c.no,
        c.abstain,
        c.members_taking_part,
        c.members_eligible,
        if c.quorum_met { "" } else { " (quorum missed)" },
        if c.carried { "CARRIED" } else { "NOT CARRIED" }
    )
}

pub fn motion(m: &MotionView, json: bool) {
    if json {
        return crate::print_json(m);
    }
    motion_terms(&m.terms, false);
    match (&m.state, &m.result) {
        (MotionPhase::Closed, Some(c)) => {
            println!("result     {}", count(c));
            if let Some(e) = &m.terms.election {
                for (i, k) in e.candidates.iter().enumerate() {
                    println!(
                        "           {}. {}: {} votes{}",
                        i + 1,
                        k.name,
                        c.tally.get(i).copied().unwrap_or(0),
                        if c.elected.contains(&k.member) {
                            "  ELECTED"
                        } else {
                            ""
                        }
                    );
                }
            }
            if !c.refused.is_empty() {
                println!(
                    "           {} ballot(s) did not count (see --json)",
                    c.refused.len()
                );
            }
            if c.carried {
                println!("resolution {}", m.terms.text);
            }
        }
        (MotionPhase::Scheduled, _) => println!("state      voting has not opened"),
        _ => println!("state      voting is open; no results before it closes"),
    }
}

pub fn assembly_view(v: &AssemblyView, json: bool) {
    if json {
        return crate::print_json(v);
    }
    assembly(&v.assembly, false);
    for m in &v.motions {
        println!();
        motion(m, false);
    }
}

pub fn recorded(what: &str, signed: &serde_json::Value, index: u64, json: bool) {
    if json {
        return crate::print_json(&serde_json::json!({ "index": index, "signed": signed }));
    }
    println!("Your {what} is signed with your governance key and is entry {index} of the governance log.");
}

pub fn report(r: &GovReport, json: bool) {
    if json {
        return crate::print_json(&serde_json::json!({
            "ok": r.ok(),
            "entries": r.entries,
            "recounted": r.recounted,
            "checked": r.checked,
            "problems": r.problems,
        }));
    }
    for line in &r.checked {
        println!("ok       {line}");
    }
    for line in &r.problems {
        println!("PROBLEM  {line}");
    }
    if r.ok() {
        println!(
            "The governance log verifies, and every closed vote recounts to its recorded result."
        );
    } else {
        println!("The governance log does NOT verify ({} problem(s) above). Keep this output and tell the cooperative's members.", r.problems.len());
    }
}

pub fn minutes(m: &LocalMinutes, json: bool) {
    let signed = m.signed.as_ref();
    let chair = signed.is_some_and(|s| s.chair_signed);
    let board = signed.is_some_and(|s| s.board_signed);
    if json {
        return crate::print_json(&serde_json::json!({
            "minutes": m.minutes,
            "markdown": m.markdown,
            "chair_signed": chair,
            "board_signed": board,
            "objections": m.objections,
        }));
    }
    print!("{}", m.markdown);
    println!();
    println!(
        "Signatures: chair {}, board member {} (computed on this machine from the verified governance log).",
        if chair { "signed" } else { "not yet" },
        if board { "signed" } else { "not yet" }
    );
}

pub fn bodies(v: &BodiesView, json: bool) {
    if json {
        return crate::print_json(v);
    }
    for b in &v.bodies {
        if b.members.is_empty() {
            println!("{}: no members elected yet", b.body.describe());
            continue;
        }
        println!("{}:", b.body.describe());
        for m in &b.members {
            println!(
                "  no. {}  {}  ({}, elected by motion {})",
                m.number, m.name, m.member, m.elected_by
            );
        }
    }
    for d in &v.delegations {
        println!(
            "approving studies is delegated to {} (motion {})",
            d.body.describe(),
            d.motion
        );
    }
}
