//! `thidua seed demo`: the founding document's facts (the 2021
//! Culture–Society bloc of Vĩnh Phúc) and demo users. Idempotent: what
//! exists is left alone, so a second run changes nothing.

use chrono::NaiveDate;
use serde::Deserialize;

use super::identity::{self, CreateUser};
use super::pledges;
use super::registry::{
    self, AdoptedDocument, ConferenceRecord, CreateBloc, CreateOrg, PutTerm, Representative,
};
use crate::auth::{Principal, Role};
use crate::db::{self, Db};
use crate::domain::registry::{BlocKind, ConferenceKind, OrgKind};
use crate::error::AppResult;

/// The facts, copied from the shared seed into the crate.
const FACTS: &str = include_str!("demo-2021.json");

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Facts {
    emulation_board: CodeName,
    bloc: Bloc,
    year: i32,
    members: Vec<CodeName>,
    head: Head,
    conference: FactConference,
    pledge: FactPledge,
}

#[derive(Deserialize)]
struct FactPledge {
    title: String,
    theme: String,
    items: Vec<FactItem>,
}

#[derive(Deserialize)]
struct FactItem {
    text: String,
    targets: Vec<FactTarget>,
}

#[derive(Deserialize)]
struct FactTarget {
    kind: crate::domain::pledge::TargetKind,
    subject: crate::domain::pledge::Subject,
    label: String,
    comparator: crate::domain::pledge::Comparator,
    target: i64,
}

#[derive(Deserialize)]
struct CodeName {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct Bloc {
    code: String,
    kind: BlocKind,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    code: String,
    leader: Leader,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Leader {
    full_name: String,
    position: String,
}

#[derive(Deserialize)]
struct FactConference {
    date: NaiveDate,
    location: String,
    kind: ConferenceKind,
    title: String,
    adopted: Vec<String>,
    attendees: Vec<String>,
}

/// The kind of each body in the document, by our code.
fn kind_of(code: &str) -> OrgKind {
    match code {
        "BDT" => OrgKind::Committee,
        "DPTTH" => OrgKind::Broadcaster,
        "VQGTD" => OrgKind::NationalPark,
        "BTDKT" => OrgKind::Board,
        _ => OrgKind::Department,
    }
}

/// What a run created; passwords appear only for users created now.
#[derive(Debug, Default)]
pub struct SeedReport {
    pub created: Vec<String>,
    pub credentials: Vec<(String, String)>,
}

pub async fn seed(db: &Db) -> AppResult<SeedReport> {
    let facts: Facts = serde_json::from_str(FACTS).map_err(crate::error::AppError::internal)?;
    let system = Principal::system();
    let mut report = SeedReport::default();

    let mut orgs = vec![(
        facts.emulation_board.code.clone(),
        facts.emulation_board.name.clone(),
    )];
    orgs.extend(
        facts
            .members
            .iter()
            .map(|m| (m.code.clone(), m.name.clone())),
    );
    let mut ids = std::collections::HashMap::new();
    for (code, name) in &orgs {
        let existing = db
            .read(async |c| db::organizations::by_code(c, code).await)
            .await?;
        let org = match existing {
            Some(o) => o.id,
            None => {
                report.created.push(format!("organization {code}"));
                registry::create_org(
                    db,
                    &system,
                    CreateOrg {
                        code: code.clone(),
                        name: name.clone(),
                        short_name: Some(code.clone()),
                        kind: kind_of(code),
                        parent_id: None,
                        valid_from: None,
                        valid_to: None,
                    },
                )
                .await?
                .id
            }
        };
        ids.insert(code.clone(), org.uuid());
    }
    let id = |code: &str| ids.get(code).copied().unwrap_or_default();

    let bloc = match registry::find_bloc(db, &facts.bloc.code).await? {
        Some(b) => b,
        None => {
            report.created.push(format!("bloc {}", facts.bloc.code));
            registry::create_bloc(
                db,
                &system,
                CreateBloc {
                    code: facts.bloc.code.clone(),
                    name: facts.bloc.name.clone(),
                    kind: facts.bloc.kind,
                    description: None,
                    rotate_head: true,
                },
            )
            .await?
        }
    };

    if db
        .read(async |c| db::blocs::term(c, bloc.id, facts.year).await)
        .await?
        .is_none()
    {
        report
            .created
            .push(format!("term {} {}", facts.bloc.code, facts.year));
        registry::put_term(
            db,
            &system,
            bloc.id,
            facts.year,
            None,
            PutTerm {
                member_ids: facts.members.iter().map(|m| id(&m.code)).collect(),
                head_id: id(&facts.head.code),
                // The document does not name the deputy head.
                deputy_id: None,
                reporting_cutoff: None,
                reason: None,
            },
        )
        .await?;
    }

    let c = &facts.conference;
    if db
        .read(async |conn| db::conferences::find(conn, bloc.id, c.date, &c.title).await)
        .await?
        .is_none()
    {
        report.created.push(format!("conference {}", c.date));
        registry::create_conference(
            db,
            &system,
            ConferenceRecord {
                bloc_id: bloc.id,
                year: facts.year,
                kind: c.kind,
                date: c.date,
                location: Some(c.location.clone()),
                host_organization_id: Some(id(&facts.head.code)),
                title: c.title.clone(),
                attendee_ids: c.attendees.iter().map(|a| id(a)).collect(),
                representatives: vec![Representative {
                    organization_id: Some(id(&facts.head.code)),
                    full_name: facts.head.leader.full_name.clone(),
                    position: Some(facts.head.leader.position.clone()),
                }],
                documents: c
                    .adopted
                    .iter()
                    .map(|title| AdoptedDocument {
                        title: title.clone(),
                        number: None,
                        date: None,
                        url: None,
                        sha256: None,
                    })
                    .collect(),
            },
        )
        .await?;
    }

    // The 2021 pledge: drafted, opened and signed by the nine units on the
    // conference day (recorded by the board on their behalf), so in force.
    let term = db
        .read(async |c| db::blocs::term(c, bloc.id, facts.year).await)
        .await?
        .ok_or(crate::error::AppError::not_found("term"))?;
    if db
        .read(async |c| db::pledges::of_term(c, term.id).await)
        .await?
        .is_none()
    {
        report
            .created
            .push(format!("pledge {} {}", facts.bloc.code, facts.year));
        let conference = db
            .read(async |conn| db::conferences::find(conn, bloc.id, c.date, &c.title).await)
            .await?;
        let p = &facts.pledge;
        let full = pledges::create(
            db,
            &system,
            pledges::CreatePledge {
                bloc_id: bloc.id,
                year: facts.year,
                title: p.title.clone(),
                theme: Some(p.theme.clone()),
                conference_id: conference,
                items: p
                    .items
                    .iter()
                    .map(|i| pledges::ItemInput {
                        text: i.text.clone(),
                        targets: i
                            .targets
                            .iter()
                            .map(|t| pledges::TargetInput {
                                kind: t.kind,
                                subject: t.subject,
                                label: t.label.clone(),
                                // The document's boolean target is "done" (eq 1); others compare as stated.
                                comparator: Some(t.comparator),
                                target: Some(t.target),
                                weight: None,
                            })
                            .collect(),
                    })
                    .collect(),
            },
        )
        .await?;
        pledges::act(
            db,
            &system,
            full.pledge.id,
            None,
            crate::domain::pledge::Action::Open,
            None,
        )
        .await?;
        // The afternoon of 1 April 2021 in Vĩnh Phúc (UTC+7).
        let signed_at = c.date.and_hms_opt(7, 0, 0).map(|t| t.and_utc());
        for m in &facts.members {
            let (name, position) = if m.code == facts.head.code {
                (
                    facts.head.leader.full_name.clone(),
                    facts.head.leader.position.clone(),
                )
            } else {
                (
                    format!("Lãnh đạo {}", m.name),
                    "Đại diện lãnh đạo đơn vị".to_string(),
                )
            };
            pledges::sign(
                db,
                &system,
                full.pledge.id,
                pledges::SignCommand {
                    organization_id: Some(id(&m.code)),
                    signer_name: name,
                    signer_position: position,
                    signed_at,
                },
            )
            .await?;
        }
    }

    // Demo users: one admin (the board), a leader and an officer per unit.
    let mut users = vec![(
        "admin".to_string(),
        facts.emulation_board.name.clone(),
        Role::Admin,
        id(&facts.emulation_board.code),
    )];
    for m in &facts.members {
        let lower = m.code.to_lowercase();
        let leader_name = if m.code == facts.head.code {
            facts.head.leader.full_name.clone()
        } else {
            format!("Lãnh đạo {}", m.name)
        };
        users.push((
            format!("{lower}.leader"),
            leader_name,
            Role::Leader,
            id(&m.code),
        ));
        users.push((
            format!("{lower}.officer"),
            format!("Cán bộ thi đua {}", m.name),
            Role::Officer,
            id(&m.code),
        ));
    }
    for (username, full_name, role, org) in users {
        if db
            .read(async |c| db::users::by_username(c, &username).await)
            .await?
            .is_some()
        {
            continue;
        }
        let password = crate::auth::password::random_secret(12);
        identity::bootstrap_user(
            db,
            CreateUser {
                username: username.clone(),
                full_name,
                organization_id: Some(org),
                roles: vec![role],
                password: password.clone(),
                email: None,
            },
        )
        .await?;
        report.created.push(format!("user {username}"));
        report.credentials.push((username, password));
    }
    Ok(report)
}
