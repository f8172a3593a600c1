//! How the register's answers print: an entry, a new entry with its invitation, the
//! register.

use super::when;
use datacoop_governance_core::wire::{RegisterList, RegisterView, Registered};

pub fn entry(e: &RegisterView, json: bool) {
    if json {
        return crate::print_json(e);
    }
    println!("member number  {}", e.number);
    println!("register id    {}", e.member);
    println!("name           {}", e.name);
    println!("contact        {}", e.contact);
    if let Some(a) = &e.email {
        println!("notices to     {a}");
    }
    println!("joined         {}", when(e.joined_at_micros));
    if let Some(l) = e.leaves_at_micros {
        println!("leaves         {}", when(l));
    }
    println!("shares         {} (in effect now)", e.shares);
    for c in &e.share_changes {
        println!(
            "               {} from {}",
            c.shares,
            when(c.effective_at_micros)
        );
    }
    if let Some(r) = e.personal_removed_at_micros {
        println!(
            "personal data  removed {} (the retention period after leaving ran out)",
            when(r)
        );
    }
    println!("votes          {}", e.votes);
    println!(
        "account        {}",
        if e.linked { "linked" } else { "not linked yet" }
    );
}

pub fn registered(r: &Registered, json: bool) {
    if json {
        return crate::print_json(r);
    }
    entry(&r.entry, false);
    println!();
    println!(
        "Invitation (shown once; valid until {}):",
        when(r.invitation_expires_at_micros)
    );
    println!("  {}", r.invitation);
    println!("The member runs: datacoop gov join {}", r.invitation);
}

pub fn register(l: &RegisterList, json: bool) {
    if json {
        return crate::print_json(l);
    }
    println!(
        "{:>6}  {:<36}  {:<24}  {:<20}  {:>6}  LINKED",
        "NUMBER", "REGISTER ID", "NAME", "JOINED", "SHARES"
    );
    for e in &l.items {
        println!(
            "{:>6}  {:<36}  {:<24}  {:<20}  {:>6}  {}",
            e.number,
            e.member,
            e.name,
            when(e.joined_at_micros),
            e.shares,
            if e.linked { "yes" } else { "no" }
        );
    }
    let shares: u64 = l
        .items
        .iter()
        .filter(|e| e.leaves_at_micros.is_none())
        .map(|e| u64::from(e.shares))
        .sum();
    match &l.share_value {
        Some(v) => println!(
            "{} member(s); {shares} shares held by those who have not given notice, {v} each",
            l.items.len()
        ),
        None => println!("{} member(s)", l.items.len()),
    }
}
