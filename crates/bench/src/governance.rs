//! The governance figures of issue 17: a vote of N members, each ballot signed on the
//! member's side (here: this program, one governance key per member derived from its own
//! vault key) and verified by the server on arrival; then the close and a full
//! independent recount (`gov verify` as a member's client runs it).
//!
//! The server runs in this process (the real routes, database and governance log on
//! 127.0.0.1) with a clock the program moves through the statutory notice period and
//! the voting phase; nothing else is shortened.

use crate::report::{per_second, Out, Table};
use anyhow::{anyhow, Result};
use datacoop_api::auth::Role;
use datacoop_api::b64::Base64Url;
use datacoop_api::paths;
use datacoop_app::Clock;
use datacoop_client::gov::{self, GovState};
use datacoop_client::{member, Client};
use datacoop_crypto::{SigningKey, VaultKey};
use datacoop_governance_core::proxy::prove_key;
use datacoop_governance_core::wire::{ConveneRequest, JoinRequest, MotionRequest, RegisterRequest};
use datacoop_governance_core::{Ballot, Choice, Form, Majority};
use futures_util::stream::{self, StreamExt};
use std::time::{Duration, Instant};
use uuid::Uuid;

const DAY: u64 = 86_400_000_000;
const STEWARD: &str = "steward@bench.invalid";

/// Options.
#[derive(Clone, Debug, clap::Args)]
pub struct GovArgs {
    /// Members in the register, each casting one ballot.
    #[arg(long, default_value_t = 10_000)]
    members: usize,
    /// Ballots in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Run on this PostgreSQL database (it must be empty) instead of SQLite.
    #[arg(long)]
    database_url: Option<String>,
}

fn at(micros: u64) -> String {
    datacoop_api::time::format_micros(micros as i64)
}

/// Runs the vote and prints the figures.
pub async fn run(a: GovArgs, out: &Out) -> Result<()> {
    let t0 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as u64;
    let clock = Clock::manual(t0);
    let server = crate::server::in_process(a.database_url.clone(), clock.clone(), STEWARD).await?;
    let (srv, backend) = (&server.srv, server.backend);
    let base = format!("http://{}", srv.addr);
    let anon = Client::new(&base)?;
    member::register(&anon, STEWARD, crate::PASSPHRASE).await?;
    let steward = member::login(&anon, STEWARD, crate::PASSPHRASE, None).await?;
    let n = a.members;
    eprintln!("entering {n} members in the register…");
    let t = Instant::now();
    let invitations: Vec<String> = stream::iter(0..n)
        .map(|i| {
            let steward = &steward;
            async move {
                steward
                    .gov_register(&RegisterRequest {
                        name: format!("Member {i}"),
                        contact: format!("Street {i}, 10115 Berlin"),
                        email: None,
                        joined_at: Some(at(t0 - 100 * DAY)),
                        shares: 1,
                        votes: None,
                    })
                    .await
                    .map(|r| r.invitation)
            }
        })
        .buffer_unordered(a.concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let register_s = t.elapsed().as_secs_f64();

    eprintln!("{n} members join with keys made on their side…");
    let t = Instant::now();
    let members: Vec<(Client, Uuid, SigningKey)> = stream::iter(invitations)
        .map(|inv| {
            let (app, anon) = (srv.app.clone(), anon.clone());
            async move {
                let member: Uuid = inv
                    .split_once('.')
                    .and_then(|(id, _)| Uuid::parse_str(id).ok())
                    .ok_or_else(|| anyhow!("not an invitation"))?;
                let pair = app
                    .start_session(Uuid::now_v7().into(), Role::Member, None)
                    .await
                    .map_err(|e| anyhow!("session: {e}"))?;
                // One connection pool for all (as many members' machines would be many
                // clients, but this one machine has one set of sockets).
                let client = anon.with_token(pair.access_token);
                let key = VaultKey::generate()?.governance_key(&member)?;
                let res = client
                    .request(reqwest::Method::POST, paths::GOV_JOIN)
                    .json(&JoinRequest {
                        invitation: inv,
                        key: Base64Url(key.verifying_key().as_bytes().to_vec()),
                        proof: Base64Url(prove_key(&member, &key)),
                    })
                    .send()
                    .await?;
                anyhow::ensure!(res.status().is_success(), "join: {}", res.status());
                Ok::<_, anyhow::Error>((client, member, key))
            }
        })
        .buffer_unordered(a.concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let join_s = t.elapsed().as_secs_f64();

    let start_at = t0 + 15 * DAY;
    let assembly = steward
        .gov_convene(&ConveneRequest {
            title: "Benchmark assembly".into(),
            form: Form::Virtual,
            starts_at: at(start_at),
            ends_at: at(start_at + 7 * DAY),
            place: None,
            how_to_take_part: None,
            body: None,
        })
        .await?;
    let motion = steward
        .gov_propose(
            assembly.id,
            &MotionRequest {
                title: "Annual accounts".into(),
                text: "The annual accounts are approved.".into(),
                majority: Some(Majority::Simple),
                quorum_percent: None,
                opens_at: None,
                closes_at: None,
                recused: Vec::new(),
                decision: None,
                election: None,
            },
        )
        .await?;
    clock.advance(Duration::from_micros(16 * DAY));

    eprintln!("{n} ballots, signed here, {} in flight…", a.concurrency);
    let cast_at = clock.now_micros();
    let t = Instant::now();
    let accepted = stream::iter(members.iter().enumerate())
        .map(|(i, (client, member, key))| async move {
            let ballot = Ballot {
                motion: motion.id,
                voter: *member,
                cast_by: *member,
                choice: if i % 3 == 0 { Choice::No } else { Choice::Yes },
                cast_at_micros: cast_at,
                candidates: vec![],
                election_sha256: None,
            }
            .sign(key);
            let res = client
                .request(reqwest::Method::POST, paths::GOV_BALLOTS)
                .json(&ballot)
                .send()
                .await?;
            let status = res.status();
            if !status.is_success() {
                let body = res.text().await.unwrap_or_default();
                anyhow::bail!("ballot refused: {status}: {body}");
            }
            Ok::<_, anyhow::Error>(())
        })
        .buffer_unordered(a.concurrency)
        .collect::<Vec<_>>()
        .await;
    if let Some(Err(e)) = accepted.iter().find(|r| r.is_err()) {
        eprintln!("first refusal: {e}");
    }
    let accepted = accepted.iter().filter(|r| r.is_ok()).count();
    let ballots_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(
        accepted == n,
        "only {accepted} of {n} ballots were accepted"
    );

    clock.advance(Duration::from_micros(7 * DAY));
    let t = Instant::now();
    let closed = srv
        .app
        .close_due_votes()
        .await
        .map_err(|e| anyhow!("close: {e}"))?;
    let close_s = t.elapsed().as_secs_f64();
    let count = closed
        .first()
        .map(|(_, c)| c.clone())
        .ok_or_else(|| anyhow!("the vote did not close"))?;
    let t = Instant::now();
    let report = gov::verify(&steward, GovState::default()).await?;
    let recount_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(report.ok(), "the recount failed: {:?}", report.problems);

    let mut table = Table::new(
        &format!(
            "Governance: a vote of {n} members ({backend}, {} ballots in flight)",
            a.concurrency
        ),
        &["phase", "what", "seconds", "per second"],
    );
    table.row(vec![
        "register".into(),
        format!("{n} entries by a steward"),
        format!("{register_s:.2}"),
        per_second(n, register_s),
    ]);
    table.row(vec![
        "join".into(),
        format!("{n} keys published"),
        format!("{join_s:.2}"),
        per_second(n, join_s),
    ]);
    table.row(vec![
        "ballots".into(),
        format!("{n} signed ballots accepted"),
        format!("{ballots_s:.2}"),
        per_second(n, ballots_s),
    ]);
    table.row(vec![
        "close".into(),
        "count and record the result".into(),
        format!("{close_s:.2}"),
        "-".into(),
    ]);
    table.row(vec![
        "recount".into(),
        format!("gov verify over {} entries", report.entries),
        format!("{recount_s:.2}"),
        per_second(report.entries as usize, recount_s),
    ]);
    table.row(vec![
        "close + recount".into(),
        "target < 5 s".into(),
        format!("{:.2}", close_s + recount_s),
        "-".into(),
    ]);
    table.note(format!(
        "result: {} yes, {} no; carried: {}; the recount matched",
        count.yes, count.no, count.carried
    ));
    out.table(&table)
}
