//! The yearly facts a unit enters for its staff (ratings, absences,
//! discipline, initiatives): what C2–C6, C11 and C12 read.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::readers::require_reader;
use crate::auth::Principal;
use crate::db::titles::{FactsRow, InitiativeRow, NewFacts};
use crate::db::{self, Conn, Db};
use crate::domain::titles::{Discipline, Level, Rating};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::i18n::nfc;
use crate::service::registry::require_staff_writer;
use crate::service::{Change, record};

/// An initiative recognised in the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitiativeInput {
    pub title: String,
    pub level: Level,
}

/// One person's row of a unit's year.
pub struct FactsInput {
    pub person_id: Uuid,
    pub rating: Rating,
    pub registered: bool,
    pub months_employed: Option<i32>,
    pub absent_days: i32,
    pub discipline: Discipline,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
    pub initiatives: Vec<InitiativeInput>,
}

/// A person's facts for a year as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Facts {
    pub rating: Rating,
    pub registered: bool,
    pub months_employed: Option<i32>,
    pub absent_days: i32,
    pub discipline: Discipline,
    pub discipline_until: Option<NaiveDate>,
    pub under_investigation: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<FactsRow> for Facts {
    fn from(f: FactsRow) -> Facts {
        Facts {
            rating: f.rating,
            registered: f.registered,
            months_employed: f.months_employed,
            absent_days: f.absent_days,
            discipline: f.discipline,
            discipline_until: f.discipline_until,
            under_investigation: f.under_investigation,
            version: f.version,
            updated_at: f.updated_at,
        }
    }
}

/// An active staff member with what was entered for the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonFacts {
    pub person_id: Uuid,
    pub full_name: String,
    pub organization_id: Uuid,
    /// `None` until entered.
    pub facts: Option<Facts>,
    pub initiatives: Vec<InitiativeInput>,
}

/// A unit's (or sub-unit's) year: its active staff and their facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct YearFacts {
    pub organization_id: Uuid,
    pub year: i32,
    pub people: Vec<PersonFacts>,
}

fn row_error(i: usize, field: &str, code: &str, message: String) -> FieldError {
    FieldError {
        field: format!("people[{i}].{field}"),
        code: code.into(),
        message,
    }
}

/// Every row error at once: a person who is not staff, a person listed
/// twice, a discipline without its end date (or an end date without one).
fn row_errors(rows: &[FactsInput], staff: &HashSet<Uuid>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for (i, r) in rows.iter().enumerate() {
        if !staff.contains(&r.person_id) {
            let message = format!(
                "{} is not active staff of the organisation or its sub-units",
                r.person_id
            );
            errors.push(row_error(i, "personId", "not_staff", message));
        }
        if !seen.insert(r.person_id) {
            let message = "the person is listed twice".into();
            errors.push(row_error(i, "personId", "duplicate", message));
        }
        match (r.discipline, r.discipline_until) {
            (Discipline::None, Some(_)) => errors.push(row_error(
                i,
                "disciplineUntil",
                "forbidden",
                "only with a discipline".into(),
            )),
            (d, None) if d != Discipline::None => errors.push(row_error(
                i,
                "disciplineUntil",
                "required",
                "the date the discipline ends is required".into(),
            )),
            _ => {}
        }
    }
    errors
}

fn new_facts(rows: &[FactsInput], year: i32) -> Vec<NewFacts> {
    rows.iter()
        .map(|r| NewFacts {
            person_id: r.person_id,
            year,
            rating: r.rating,
            registered: r.registered,
            months_employed: r.months_employed,
            absent_days: r.absent_days,
            discipline: r.discipline,
            discipline_until: r.discipline_until,
            under_investigation: r.under_investigation,
        })
        .collect()
}

fn new_initiatives(rows: &[FactsInput], year: i32) -> Vec<InitiativeRow> {
    rows.iter()
        .flat_map(|r| {
            r.initiatives.iter().map(|i| InitiativeRow {
                id: Uuid::now_v7(),
                person_id: r.person_id,
                year,
                title: nfc(&i.title),
                level: i.level,
            })
        })
        .collect()
}

/// A unit's year for its own staff (and its sub-units'), all or nothing:
/// every row is checked first and every error listed.
pub async fn put_year_facts(
    db: &Db,
    caller: &Principal,
    org_id: Uuid,
    year: i32,
    rows: Vec<FactsInput>,
) -> AppResult<YearFacts> {
    db.transaction(async |tx| {
        require_staff_writer(tx, caller, org_id.into()).await?;
        let tree = db::titles::org_tree(tx, org_id).await?;
        let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
        let staff = db::titles::staff_in_year(tx, &orgs, year).await?;
        let staff_ids: HashSet<Uuid> = staff.iter().map(|s| s.0).collect();
        let errors = row_errors(&rows, &staff_ids);
        if !errors.is_empty() {
            return Err(AppError::new(ErrorCode::InvalidFacts).with_errors(errors));
        }
        let people: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
        let initiatives = new_initiatives(&rows, year);
        db::titles::upsert_facts(tx, &new_facts(&rows, year)).await?;
        db::titles::replace_initiatives(tx, &people, year, &initiatives).await?;
        // A batch over many people: the audit row names them, the feed counts them.
        let after = json!({"year": year, "people": people, "initiatives": initiatives.len()});
        let event = json!({"organizationId": org_id, "year": year, "people": people.len()});
        let change = Change {
            action: "facts.recorded",
            entity: "organization",
            entity_id: org_id.to_string(),
            after: Some(after),
            event_data: Some(event),
            organization_id: Some(org_id),
            ..Default::default()
        };
        record(tx, caller, change).await?;
        year_facts_in(tx, org_id, year).await
    })
    .await
}

async fn year_facts_in(c: &mut Conn, org_id: Uuid, year: i32) -> AppResult<YearFacts> {
    let tree = db::titles::org_tree(c, org_id).await?;
    if tree.is_empty() {
        return Err(AppError::not_found("organization"));
    }
    let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
    let staff = db::titles::staff_in_year(c, &orgs, year).await?;
    let ids: Vec<Uuid> = staff.iter().map(|s| s.0).collect();
    let mut facts: HashMap<Uuid, FactsRow> = db::titles::facts_of(c, &ids)
        .await?
        .into_iter()
        .filter(|f| f.year == year)
        .map(|f| (f.person_id, f))
        .collect();
    let mut inis: HashMap<Uuid, Vec<InitiativeInput>> = HashMap::new();
    for i in db::titles::initiatives_of(c, &ids).await? {
        if i.year == year {
            inis.entry(i.person_id).or_default().push(InitiativeInput {
                title: i.title,
                level: i.level,
            });
        }
    }
    let people = staff
        .into_iter()
        .map(|(id, org, name)| PersonFacts {
            person_id: id,
            full_name: name,
            organization_id: org,
            facts: facts.remove(&id).map(Facts::from),
            initiatives: inis.remove(&id).unwrap_or_default(),
        })
        .collect();
    Ok(YearFacts {
        organization_id: org_id,
        year,
        people,
    })
}

pub async fn year_facts(
    db: &Db,
    caller: &Principal,
    org_id: Uuid,
    year: i32,
) -> AppResult<YearFacts> {
    db.read(async |c| {
        require_reader(c, caller, org_id).await?;
        year_facts_in(c, org_id, year).await
    })
    .await
}
