//! The eligibility engine's loading side: everything C1–C14 read about
//! many subjects at once, in a fixed number of queries.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use uuid::Uuid;

use crate::db::titles::AwardRow;
use crate::db::{self, Conn};
use crate::domain::employment::{Span, months_employed};
use crate::domain::titles::{
    AwardStatus, Collective, Held, Initiative, Person, PersonYear, Standing,
};
use crate::error::AppResult;

/// An award as the rules count it (a revoked one never counts, C14).
fn held(a: &AwardRow) -> Held {
    Held {
        award: a.award_type,
        year: a.year,
        active: a.status == AwardStatus::Active,
    }
}

/// Everything the rules read about these people, in three queries.
pub(super) async fn load_people(
    c: &mut Conn,
    ids: &[Uuid],
    today: NaiveDate,
) -> AppResult<HashMap<Uuid, Person>> {
    let mut out: HashMap<Uuid, Person> = ids.iter().map(|&i| (i, Person::default())).collect();
    let mut latest: HashMap<Uuid, i32> = HashMap::new();
    // Years whose facts leave the months employed out.
    let mut derive: Vec<(Uuid, i32)> = Vec::new();
    for f in db::titles::facts_of(c, ids).await? {
        let Some(p) = out.get_mut(&f.person_id) else {
            continue;
        };
        // C2: a discipline counts until its end date; an investigation as
        // the latest year's facts say.
        if f.discipline_until.is_some_and(|u| u >= today) {
            p.discipline_in_force = true;
        }
        if latest.get(&f.person_id).is_none_or(|&y| f.year > y) {
            latest.insert(f.person_id, f.year);
            p.under_investigation = f.under_investigation;
        }
        if f.months_employed.is_none() {
            derive.push((f.person_id, f.year));
        }
        p.years.push(PersonYear {
            year: f.year,
            rating: f.rating,
            registered: f.registered,
            months_employed: f.months_employed.unwrap_or(0),
            absent_days: f.absent_days,
            discipline: f.discipline,
        });
    }
    if !derive.is_empty() {
        derive_months(c, &derive, &mut out).await?;
    }
    for i in db::titles::initiatives_of(c, ids).await? {
        if let Some(p) = out.get_mut(&i.person_id) {
            p.initiatives.push(Initiative {
                year: i.year,
                level: i.level,
            });
        }
    }
    let awards = db::titles::awards_of_people(c, ids).await?;
    for a in &awards {
        if let Some(p) = a.person_id.and_then(|id| out.get_mut(&id)) {
            p.awards.push(held(a));
        }
    }
    Ok(out)
}

/// Months employed from the staff history where the year's facts leave
/// them out (one query, only when some do).
async fn derive_months(
    c: &mut Conn,
    derive: &[(Uuid, i32)],
    out: &mut HashMap<Uuid, Person>,
) -> AppResult<()> {
    let who: Vec<Uuid> = derive.iter().map(|d| d.0).collect();
    let mut spans: HashMap<Uuid, Vec<Span>> = HashMap::new();
    for e in db::employments::of_people(c, &who).await? {
        spans
            .entry(e.person_id.uuid())
            .or_default()
            .push((e.valid_from, e.valid_to));
    }
    for &(id, year) in derive {
        let months = months_employed(year, spans.get(&id).map_or(&[][..], |s| s));
        if let Some(y) = out
            .get_mut(&id)
            .and_then(|p| p.years.iter_mut().find(|y| y.year == year))
        {
            y.months_employed = months;
        }
    }
    Ok(())
}

/// Everything the rules read about these organisations as collectives for
/// `year`, in a fixed number of queries: their staff at the end of the year
/// (a unit's own and its sub-units'), the staff's facts, the awards and the
/// bloc standing.
pub(super) async fn load_collectives(
    c: &mut Conn,
    tree: &[(Uuid, Option<Uuid>, String, String)],
    ids: &[Uuid],
    year: i32,
    today: NaiveDate,
    people: &mut HashMap<Uuid, Person>,
) -> AppResult<HashMap<Uuid, Collective>> {
    let end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
    let staff = db::titles::staff_of(c, &tree.iter().map(|t| t.0).collect::<Vec<_>>(), end).await?;
    let people_ids: Vec<Uuid> = staff.iter().map(|s| s.0).collect();
    people.extend(load_people(c, &people_ids, today).await?);
    let awards = db::titles::awards_of_orgs(c, ids).await?;
    let terms = db::titles::term_of_member(c, ids, year).await?;
    let term_ids: Vec<Uuid> = terms.iter().map(|t| t.1).collect();
    let leading = db::titles::leading_of_terms(c, &term_ids).await?;
    let flags = db::titles::flags_in_terms(c, &term_ids, year).await?;
    let mut out = HashMap::new();
    for &id in ids {
        // Members: the organisation's own staff and, for a unit, its sub-units'.
        let member_orgs: HashSet<Uuid> = tree
            .iter()
            .filter(|t| t.0 == id || t.1 == Some(id))
            .map(|t| t.0)
            .collect();
        let members = staff
            .iter()
            .filter(|s| member_orgs.contains(&s.1))
            .filter_map(|s| people.get(&s.0).cloned())
            .collect();
        let own: Vec<AwardRow> = awards
            .iter()
            .filter(|a| a.organization_id == Some(id))
            .cloned()
            .collect();
        let standing = terms.iter().find(|t| t.0 == id).map(|(_, term, code)| {
            let mine = leading
                .iter()
                .find(|l| l.0 == *term && l.1 == id)
                .map(|l| l.2);
            Standing {
                bloc_code: code.clone(),
                elected_rank: mine,
                better_elected: mine.map_or(0, |r| {
                    leading.iter().filter(|l| l.0 == *term && l.2 < r).count() as i64
                }),
                flags_awarded: flags.iter().filter(|f| f.0 == *term && f.1 != id).count() as i64,
            }
        });
        out.insert(
            id,
            Collective {
                members,
                awards: own.iter().map(held).collect(),
                standing,
            },
        );
    }
    Ok(out)
}
