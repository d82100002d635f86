//! `organizations`: units and sub-units by code (the natural key). A code
//! already registered is left as it is (`unchanged`); a sub-unit's parent is
//! a unit registered already or a row above it.

use std::collections::HashMap;

use serde_json::json;

use super::{Counts, Input, Plan, Write};
use crate::db::imports::NewEvent;
use crate::db::organizations::NewOrg;
use crate::db::{self, Conn};
use crate::domain::ids::OrganizationId;
use crate::domain::import::{Problem, ProblemCode as P};
use crate::domain::registry::OrgKind;
use crate::error::AppResult;
use crate::i18n::nfc;

pub(super) async fn check(
    c: &mut Conn,
    input: &Input<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Plan> {
    let sheet = input.sheet;
    let mut codes: Vec<String> = Vec::new();
    for r in input.rows {
        codes.extend(r.text("code"));
        codes.extend(r.text("parentCode"));
    }
    // code → (id, is a unit)
    let mut known: HashMap<String, (OrganizationId, bool)> = db::imports::orgs_by_code(c, &codes)
        .await?
        .into_iter()
        .map(|(code, id, parent)| (code, (id.into(), parent.is_none())))
        .collect();
    let existing: Vec<String> = known.keys().cloned().collect();
    let mut first_row: HashMap<String, u32> = HashMap::new();
    let mut counts = Counts::default();
    let mut new = Vec::new();
    for r in input.rows {
        let Some(code) = r.text("code") else { continue };
        if let Some(line) = first_row.get(&code) {
            problems.push(r.problem(sheet, "code", P::DuplicateKey, &line.to_string()));
            continue;
        }
        first_row.insert(code.clone(), r.line);
        if existing.contains(&code) {
            counts.unchanged += 1;
            continue;
        }
        let parent = match r.text("parentCode") {
            None => None,
            Some(pc) => match known.get(&pc) {
                None => {
                    problems.push(r.problem(sheet, "parentCode", P::UnknownOrganization, &pc));
                    None
                }
                Some((_, false)) => {
                    problems.push(r.problem(sheet, "parentCode", P::ParentNotAUnit, &pc));
                    None
                }
                Some((id, true)) => Some(*id),
            },
        };
        let (from, to) = (r.date("validFrom"), r.date("validTo"));
        if let (Some(f), Some(t)) = (from, to)
            && t < f
        {
            problems.push(r.problem(sheet, "validTo", P::InvalidDates, ""));
        }
        let (Some(name), Some(kind)) = (r.text("name"), r.choice::<OrgKind>("kind")) else {
            continue;
        };
        let id = OrganizationId::generate();
        known.insert(code.clone(), (id, parent.is_none()));
        counts.created += 1;
        new.push(NewOrg {
            id,
            code,
            name: nfc(&name),
            short_name: r.text("shortName").map(|s| nfc(&s)),
            kind,
            parent_id: parent,
            valid_from: from,
            valid_to: to,
        });
    }
    Ok(Plan {
        counts,
        write: Write::Orgs(new),
    })
}

pub(super) async fn write(tx: &mut Conn, rows: Vec<NewOrg>) -> AppResult<Vec<NewEvent>> {
    let events = rows
        .iter()
        .map(|o| NewEvent {
            kind: "organization.created",
            entity: "organization",
            entity_id: o.id.to_string(),
            organization_id: Some(o.id.uuid()),
            data: json!({"id": o.id, "code": o.code, "name": o.name, "kind": o.kind,
                         "parentId": o.parent_id, "imported": true}),
        })
        .collect();
    db::imports::insert_orgs(tx, rows).await?;
    Ok(events)
}
