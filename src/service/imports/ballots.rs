//! `ballot_results`: a past bloc's leading units from a paper ballot, with
//! the minutes' reference (admin only). The term (bloc, year) must be in
//! thidua with its members; C9 then reads these units as elected. Natural
//! key: (term, unit); a term whose ballot was held in thidua keeps it.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use uuid::Uuid;

use super::{Counts, Input, Plan, Write};
use crate::db::imports::{NewEvent, NewLeading};
use crate::db::{self, Conn};
use crate::domain::import::{Problem, ProblemCode as P};
use crate::error::AppResult;
use crate::i18n::nfc;

/// What the rows may refer to.
struct Known {
    blocs: HashSet<String>,
    /// (bloc code, year) → term
    terms: HashMap<(String, i32), Uuid>,
    /// (term, unit code) → unit
    members: HashMap<(Uuid, String), Uuid>,
    /// Terms whose ballot was held in thidua.
    with_ballot: HashSet<Uuid>,
    /// (term, unit) already recorded.
    existing: HashSet<(Uuid, Uuid)>,
}

async fn known(c: &mut Conn, rows: &[crate::domain::import::Row]) -> AppResult<Known> {
    let bloc_codes: Vec<String> = rows.iter().filter_map(|r| r.text("blocCode")).collect();
    let blocs = db::imports::blocs_by_code(c, &bloc_codes)
        .await?
        .into_iter()
        .collect();
    let terms: HashMap<(String, i32), Uuid> = db::imports::terms_by_bloc(c, &bloc_codes)
        .await?
        .into_iter()
        .map(|(code, year, id)| ((code, year), id))
        .collect();
    let term_ids: Vec<Uuid> = terms.values().copied().collect();
    let members = db::blocs::members(c, &term_ids)
        .await?
        .into_iter()
        .map(|m| ((m.term_id, m.code), m.id))
        .collect();
    let recorded = db::imports::leading_rows(c, &term_ids).await?;
    Ok(Known {
        blocs,
        terms,
        members,
        with_ballot: recorded.iter().filter(|r| r.4).map(|r| r.0).collect(),
        existing: recorded.iter().map(|r| (r.0, r.1)).collect(),
    })
}

pub(super) async fn check(
    c: &mut Conn,
    input: &Input<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Plan> {
    let sheet = input.sheet;
    let rows = input.rows;
    let Known {
        blocs,
        terms,
        members,
        with_ballot,
        existing,
    } = known(c, rows).await?;
    let mut seen: HashMap<(Uuid, Uuid), u32> = HashMap::new();
    let mut counts = Counts::default();
    let mut out = Vec::new();
    for r in rows {
        let (Some(bloc), Some(year), Some(unit), Some(rank), Some(minutes)) = (
            r.text("blocCode"),
            r.int("year"),
            r.text("organizationCode"),
            r.int("rank"),
            r.text("minutesRef"),
        ) else {
            continue;
        };
        if !blocs.contains(&bloc) {
            problems.push(r.problem(sheet, "blocCode", P::UnknownBloc, &bloc));
            continue;
        }
        let Some(&term) = terms.get(&(bloc, year as i32)) else {
            problems.push(r.problem(sheet, "year", P::UnknownTerm, &year.to_string()));
            continue;
        };
        if with_ballot.contains(&term) {
            problems.push(r.problem(sheet, "year", P::TermHasBallot, ""));
            continue;
        }
        let Some(&org) = members.get(&(term, unit.clone())) else {
            problems.push(r.problem(sheet, "organizationCode", P::NotAMember, &unit));
            continue;
        };
        if let Some(line) = seen.get(&(term, org)) {
            problems.push(r.problem(
                sheet,
                "organizationCode",
                P::DuplicateKey,
                &line.to_string(),
            ));
            continue;
        }
        seen.insert((term, org), r.line);
        if existing.contains(&(term, org)) {
            counts.unchanged += 1;
            continue;
        }
        if r.bad("votes") {
            continue;
        }
        counts.created += 1;
        out.push(NewLeading {
            term_id: term,
            organization_id: org,
            rank: rank as i32,
            votes: r.int("votes").unwrap_or(0) as i32,
            minutes_ref: nfc(&minutes),
        });
    }
    Ok(Plan {
        counts,
        write: Write::Leading(out),
    })
}

pub(super) async fn write(tx: &mut Conn, rows: Vec<NewLeading>) -> AppResult<Vec<NewEvent>> {
    db::imports::insert_leading(tx, &rows).await?;
    Ok(rows
        .iter()
        .map(|l| NewEvent {
            kind: "leading_unit.imported",
            entity: "term",
            entity_id: l.term_id.to_string(),
            organization_id: Some(l.organization_id),
            data: json!({"termId": l.term_id, "organizationId": l.organization_id, "rank": l.rank,
                         "votes": l.votes, "minutesRef": l.minutes_ref, "imported": true}),
        })
        .collect())
}
