//! `datacoop gov …`: the cooperative's governance from the member's machine. Stewards
//! keep the register and convene assemblies; members join with an invitation, file
//! motions, vote and appoint proxies, every signature made here; anyone recounts.

mod args;
mod show;

pub use args::*;

use crate::records::fresh;
use crate::session::home;
use datacoop_client::gov::{self, GovState};
use datacoop_governance_core::wire::{
    ConveneRequest, ElectionRequest, LeavingRequest, MotionRequest, RegisterRequest,
};
use datacoop_governance_core::{
    Choice, ContributionKind, Decision, Form, Majority, MinutesRole, Power,
};
use std::path::PathBuf;
use uuid::Uuid;

fn b64(field: &str, text: &str) -> Result<datacoop_api::b64::Base64Url, String> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map(datacoop_api::b64::Base64Url)
        .map_err(|_| format!("--{field} must be base64url"))
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn state_path(account: &Uuid) -> PathBuf {
    home().join(format!("gov-state-{account}.json"))
}

pub(crate) fn load_state(account: &Uuid) -> Result<GovState, String> {
    let path = state_path(account);
    match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).map_err(|e| {
            format!(
                "{} is damaged ({e}); remove it to start over",
                path.display()
            )
        }),
        Err(_) => Ok(GovState::default()),
    }
}

/// Runs a governance command.
pub async fn run(cmd: GovCommand, json: bool) -> Result<(), String> {
    let saved = fresh().await?;
    let s = &saved.session;
    match cmd {
        GovCommand::Info => show::info(&s.gov_info().await.map_err(err)?, json),
        GovCommand::Register(RegisterCommand::Add {
            name,
            contact,
            email,
            joined,
            shares,
            votes,
        }) => {
            let r = s
                .gov_register(&RegisterRequest {
                    name,
                    contact,
                    email,
                    joined_at: joined,
                    shares,
                    votes,
                })
                .await
                .map_err(err)?;
            show::registered(&r, json);
        }
        GovCommand::Register(RegisterCommand::List { csv: true }) => {
            print!("{}", s.gov_register_csv().await.map_err(err)?);
        }
        GovCommand::Register(RegisterCommand::List { csv: false }) => {
            show::register(&s.gov_register_list().await.map_err(err)?, json);
        }
        GovCommand::Register(RegisterCommand::Leave {
            member,
            at,
            notice_given,
        }) => {
            let req = LeavingRequest {
                leaves_at: at,
                notice_given_at: notice_given,
            };
            show::entry(&s.gov_leaving_with(member, &req).await.map_err(err)?, json);
        }
        GovCommand::Register(RegisterCommand::Shares {
            member,
            shares,
            effective,
        }) => {
            show::entry(
                &s.gov_shares(member, shares, &effective)
                    .await
                    .map_err(err)?,
                json,
            );
        }
        GovCommand::Register(RegisterCommand::Reinvite { member }) => {
            show::registered(&s.gov_reinvite(member).await.map_err(err)?, json);
        }
        GovCommand::Register(RegisterCommand::Email { address, .. }) => {
            let e = s.gov_set_email(address.as_deref()).await.map_err(err)?;
            if !json {
                match &e.email {
                    Some(a) => println!("Your notices go to {a}."),
                    None => println!("You receive no notices by e-mail."),
                }
            }
            show::entry(&e, json);
        }
        GovCommand::Register(RegisterCommand::Me) => {
            show::entry(&s.gov_me().await.map_err(err)?, json);
        }
        GovCommand::Join { invitation } => {
            let e = s.gov_join(&invitation).await.map_err(err)?;
            if !json {
                println!(
                    "Joined: your account is linked to member number {} and your governance \
                     key is published. It is made from your vault each time, so it never \
                     leaves your machines.",
                    e.number
                );
            }
            show::entry(&e, json);
        }
        GovCommand::Assembly(AssemblyCommand::Convene(a)) => {
            let form = match a.form {
                FormArg::InPerson => Form::InPerson,
                FormArg::Virtual => Form::Virtual,
                FormArg::Hybrid => Form::Hybrid,
                FormArg::Stretched => Form::Stretched,
            };
            let done = s
                .gov_convene(&ConveneRequest {
                    title: a.title,
                    form,
                    starts_at: a.starts,
                    ends_at: a.ends,
                    place: a.place,
                    how_to_take_part: a.how,
                    body: a.body.map(Into::into),
                })
                .await
                .map_err(err)?;
            show::assembly(&done, json);
        }
        GovCommand::Assembly(AssemblyCommand::List) => {
            show::assemblies(&s.gov_assemblies().await.map_err(err)?, json);
        }
        GovCommand::Assembly(AssemblyCommand::Show { id } | AssemblyCommand::Agenda { id }) => {
            show::assembly_view(&s.gov_assembly(id).await.map_err(err)?, json);
        }
        GovCommand::Assembly(AssemblyCommand::Ask(a)) => {
            let r = s
                .gov_contribute(a.id, a.motion, ContributionKind::Question, None, &a.text)
                .await
                .map_err(err)?;
            show::recorded("question", &serde_json::Value::Null, r.index, json);
        }
        GovCommand::Assembly(AssemblyCommand::Say(a)) => {
            let r = s
                .gov_contribute(a.id, a.motion, ContributionKind::Statement, None, &a.text)
                .await
                .map_err(err)?;
            show::recorded("statement", &serde_json::Value::Null, r.index, json);
        }
        GovCommand::Assembly(AssemblyCommand::Answer { id, reply_to, text }) => {
            let r = s
                .gov_contribute(id, None, ContributionKind::Answer, Some(reply_to), &text)
                .await
                .map_err(err)?;
            show::recorded("answer", &serde_json::Value::Null, r.index, json);
        }
        GovCommand::Assembly(AssemblyCommand::Discussion { id }) => {
            let d = gov::discussion(s, load_state(&s.member_id)?, id)
                .await
                .map_err(err)?;
            if json {
                crate::print_json(&d.items);
            } else if d.items.is_empty() {
                println!(
                    "No one has spoken yet: datacoop gov assembly ask|say {id} --text \"...\""
                );
            } else {
                print!("{}", d.markdown);
            }
        }
        GovCommand::Assembly(AssemblyCommand::Attend { id }) => {
            let r = s.gov_attend(id).await.map_err(err)?;
            show::recorded("attendance", &serde_json::Value::Null, r.index, json);
        }
        GovCommand::Propose(p) => {
            let majority = match p.majority {
                MajorityArg::Simple => Majority::Simple,
                MajorityArg::TwoThirds => Majority::TwoThirds,
                MajorityArg::ThreeQuarters => Majority::ThreeQuarters,
            };
            let decision = match (p.approve_study, p.study_terms_sha256, p.study_key) {
                (Some(study), Some(terms), Some(key)) => Some(Decision::ApproveStudy {
                    study,
                    terms_sha256: b64("study-terms-sha256", &terms)?,
                    study_key: b64("study-key", &key)?,
                }),
                (Some(study), _, _) => {
                    let (view, _) = s.study(study).await.map_err(err)?;
                    Some(Decision::ApproveStudy {
                        study,
                        terms_sha256: view.terms_sha256,
                        study_key: view.study_key,
                    })
                }
                _ if p.close_study.is_some() => {
                    p.close_study.map(|study| Decision::CloseStudy { study })
                }
                _ => match (p.elect, p.delegate_study_approval, p.end_study_delegation) {
                    (Some(body), _, _) => Some(Decision::Elect { body: body.into() }),
                    (_, Some(to), _) => Some(Decision::Delegate {
                        power: Power::ApproveStudies,
                        to: to.into(),
                    }),
                    (_, _, true) => Some(Decision::EndDelegation {
                        power: Power::ApproveStudies,
                    }),
                    _ => None,
                },
            };
            let election = (!p.candidates.is_empty()).then(|| ElectionRequest {
                seats: p.seats.unwrap_or(1),
                candidates: p.candidates,
            });
            let terms = s
                .gov_propose(
                    p.assembly,
                    &MotionRequest {
                        title: p.title,
                        text: p.text,
                        majority: Some(majority),
                        quorum_percent: p.quorum,
                        opens_at: p.opens,
                        closes_at: p.closes,
                        recused: p.recused,
                        decision,
                        election,
                    },
                )
                .await
                .map_err(err)?;
            show::motion_terms(&terms, json);
        }
        GovCommand::Vote {
            motion,
            choice,
            candidates,
            for_member,
        } => {
            let (ballot, rec) = match choice {
                Some(c) => {
                    let choice = match c {
                        ChoiceArg::Yes => Choice::Yes,
                        ChoiceArg::No => Choice::No,
                        ChoiceArg::Abstain => Choice::Abstain,
                    };
                    s.gov_vote(motion, choice, for_member).await.map_err(err)?
                }
                None => {
                    if candidates.contains(&0) {
                        return Err("candidates are numbered from 1, as `datacoop gov results` \
                                    lists them"
                            .into());
                    }
                    let positions = candidates.iter().map(|n| n - 1).collect();
                    s.gov_elect(motion, positions, for_member)
                        .await
                        .map_err(err)?
                }
            };
            show::recorded(
                "ballot",
                &serde_json::to_value(&ballot).unwrap_or_default(),
                rec.index,
                json,
            );
        }
        GovCommand::Proxy(p) => {
            let (assembly, to, revoke) = match p {
                ProxyCommand::Grant { assembly, to } => (assembly, to, false),
                ProxyCommand::Revoke { assembly, to } => (assembly, to, true),
            };
            let (signed, rec) = s.gov_proxy(assembly, to, revoke).await.map_err(err)?;
            show::recorded(
                if revoke { "proxy revocation" } else { "proxy" },
                &serde_json::to_value(&signed).unwrap_or_default(),
                rec.index,
                json,
            );
        }
        GovCommand::Results { motion } => {
            show::motion(&s.gov_motion(motion).await.map_err(err)?, json);
        }
        GovCommand::Minutes(MinutesCommand::Show {
            assembly,
            chair,
            board,
        }) => {
            let m = gov::minutes(s, load_state(&s.member_id)?, assembly, chair, board)
                .await
                .map_err(err)?;
            show::minutes(&m, json);
        }
        GovCommand::Minutes(MinutesCommand::Sign {
            assembly,
            chair,
            board,
            role,
        }) => {
            let role = match role {
                RoleArg::Chair => MinutesRole::Chair,
                RoleArg::Board => MinutesRole::Board,
            };
            let r = s
                .gov_sign_minutes(load_state(&s.member_id)?, assembly, chair, board, role)
                .await
                .map_err(err)?;
            show::recorded(
                "signature on the minutes",
                &serde_json::Value::Null,
                r.index,
                json,
            );
        }
        GovCommand::Object {
            assembly,
            motion,
            text,
        } => {
            let r = s.gov_object(assembly, motion, &text).await.map_err(err)?;
            show::recorded("objection", &serde_json::Value::Null, r.index, json);
        }
        GovCommand::Demand(DemandCommand::File {
            assembly,
            title,
            reasons,
        }) => {
            let d = s
                .gov_demand_file(assembly, &title, &reasons)
                .await
                .map_err(err)?;
            show::demand(&d, json);
        }
        GovCommand::Demand(DemandCommand::Support { id }) => {
            show::demand(&s.gov_demand_support(id).await.map_err(err)?, json);
        }
        GovCommand::Bodies => {
            show::bodies(&s.gov_bodies().await.map_err(err)?, json);
        }
        GovCommand::Demand(DemandCommand::List) => {
            show::demands(&s.gov_demands().await.map_err(err)?, json);
        }
        GovCommand::Verify => {
            let path = state_path(&s.member_id);
            let state = load_state(&s.member_id)?;
            let report = gov::verify(s, state).await.map_err(err)?;
            if report.ok() {
                let bytes = serde_json::to_vec_pretty(&report.state).map_err(err)?;
                crate::session::write_private(&path, &bytes)?;
            }
            show::report(&report, json);
            if !report.ok() {
                return Err(format!(
                    "the governance log does not verify ({} problem(s))",
                    report.problems.len()
                ));
            }
        }
    }
    Ok(())
}
