//! Đăng ký thi đua: what a unit aims at for the year, before its term's
//! registration deadline (the head unit sets it).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::titles::RegistrationRow;
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::titles::AwardType;
use crate::error::{AppError, AppResult, ErrorCode, FieldError, OnConstraint};
use crate::service::pledges::today_in_vietnam;
use crate::service::registry::Term;
use crate::service::{Audited, Change, record, update};

/// A unit's registration for a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Registration {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub year: i32,
    pub titles: Vec<AwardType>,
    /// `[{"organizationId", "titles"}]`
    pub sub_units: Value,
    /// Person title code → number of staff aiming at it.
    pub staff: Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<RegistrationRow> for Registration {
    fn from(r: RegistrationRow) -> Registration {
        Registration {
            id: r.id,
            organization_id: r.organization_id,
            year: r.year,
            titles: r.titles,
            sub_units: r.sub_units,
            staff: r.staff,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Audited for Registration {
    const ENTITY: &'static str = "registration";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn organization_id(&self) -> Option<Uuid> {
        Some(self.organization_id)
    }
}

pub struct SubUnitRegistration {
    pub organization_id: Uuid,
    pub titles: Vec<AwardType>,
}

pub struct RegistrationInput {
    pub titles: Vec<AwardType>,
    pub sub_units: Vec<SubUnitRegistration>,
    /// Person title → how many staff aim at it.
    pub staff: Vec<(AwardType, i32)>,
}

/// The list's filter.
pub struct RegistrationFilter {
    pub year: Option<i32>,
    pub organization_id: Option<Uuid>,
}

fn invalid_registration(field: String, code: &str, message: String) -> AppError {
    AppError::new(ErrorCode::InvalidRegistration).with_errors(vec![FieldError {
        field,
        code: code.into(),
        message,
    }])
}

fn check_titles(codes: &[AwardType], collective: bool, field: &str) -> AppResult<()> {
    let mut seen = HashSet::new();
    for &a in codes {
        if a.collective() != collective {
            return Err(RuleViolation::SubjectKindMismatch {
                award: a.code(),
                expected: if a.collective() {
                    "collective"
                } else {
                    "person"
                },
            }
            .into());
        }
        if !seen.insert(a) {
            let message = format!("{} is listed twice", a.code());
            return Err(invalid_registration(field.into(), "duplicate", message));
        }
    }
    Ok(())
}

fn registration_values(
    tree: &[(Uuid, Option<Uuid>, String, String)],
    org_id: Uuid,
    input: &RegistrationInput,
) -> AppResult<(Value, Value)> {
    check_titles(&input.titles, true, "titles")?;
    let mut subs = Vec::new();
    let mut seen = HashSet::new();
    for (i, s) in input.sub_units.iter().enumerate() {
        let field = format!("subUnits[{i}].organizationId");
        if !tree
            .iter()
            .any(|t| t.0 == s.organization_id && t.1 == Some(org_id))
        {
            let message = "not a sub-unit of the organisation".into();
            return Err(invalid_registration(field, "not_a_sub_unit", message));
        }
        if !seen.insert(s.organization_id) {
            return Err(invalid_registration(
                field,
                "duplicate",
                "listed twice".into(),
            ));
        }
        check_titles(&s.titles, true, &format!("subUnits[{i}].titles"))?;
        subs.push(json!({"organizationId": s.organization_id, "titles": s.titles}));
    }
    let codes: Vec<AwardType> = input.staff.iter().map(|s| s.0).collect();
    check_titles(&codes, false, "staff")?;
    let staff: serde_json::Map<String, Value> = input
        .staff
        .iter()
        .map(|(k, v)| (k.code().to_string(), json!(v)))
        .collect();
    Ok((Value::Array(subs), Value::Object(staff)))
}

/// The deadline of the unit's term that year; the admin may still register
/// after it.
async fn check_deadline(c: &mut Conn, caller: &Principal, org: Uuid, year: i32) -> AppResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    for (_, term_id, _) in db::titles::term_of_member(c, &[org], year).await? {
        if let Some(t) = db::blocs::term_by_id(c, term_id).await?
            && let Some(deadline) = t.registration_deadline
            && today_in_vietnam() > deadline
        {
            return Err(RuleViolation::RegistrationClosed { deadline }.into());
        }
    }
    Ok(())
}

pub async fn create_registration(
    db: &Db,
    caller: &Principal,
    org_id: Uuid,
    year: i32,
    input: RegistrationInput,
) -> AppResult<Registration> {
    db.transaction(async |tx| {
        caller.require_acting_for(org_id)?;
        let tree = db::titles::org_tree(tx, org_id).await?;
        match tree.iter().find(|t| t.0 == org_id) {
            None => return Err(RuleViolation::UnknownOrganization { id: org_id }.into()),
            Some(t) if t.1.is_some() => {
                return Err(RuleViolation::MemberNotAUnit { what: t.2.clone() }.into());
            }
            _ => {}
        }
        let (sub_units, staff) = registration_values(&tree, org_id, &input)?;
        check_deadline(tx, caller, org_id, year).await?;
        let now = Utc::now();
        let row = RegistrationRow {
            id: Uuid::now_v7(),
            organization_id: org_id,
            year,
            titles: input.titles.clone(),
            sub_units,
            staff,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let created: Registration = db::titles::insert_registration(tx, &row)
            .await
            .on_constraint("registrations_organization_id_year_key", || {
                ErrorCode::RegistrationExists
            })?
            .into();
        record(
            tx,
            caller,
            Change::created("registration.created", &created),
        )
        .await?;
        Ok(created)
    })
    .await
}

pub async fn update_registration(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    input: RegistrationInput,
) -> AppResult<Registration> {
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "registration.updated",
            expected,
            async |tx| {
                let found = db::titles::lock_registration(tx, id).await?;
                if let Some(r) = &found {
                    caller.require_acting_for(r.organization_id)?;
                }
                Ok(found.map(Registration::from))
            },
            async |tx, before| {
                let org = before.organization_id;
                let tree = db::titles::org_tree(tx, org).await?;
                let (subs, staff) = registration_values(&tree, org, &input)?;
                check_deadline(tx, caller, org, before.year).await?;
                let titles = input.titles.clone();
                Ok(db::titles::update_registration(tx, id, titles, subs, staff)
                    .await?
                    .into())
            },
        )
        .await
    })
    .await
}

pub async fn registration(db: &Db, id: Uuid) -> AppResult<Registration> {
    db.read(async |c| db::titles::registration(c, id).await)
        .await?
        .map(Registration::from)
        .ok_or(AppError::not_found(Registration::ENTITY))
}

pub async fn registrations(
    db: &Db,
    filter: RegistrationFilter,
    page: PageRequest,
) -> AppResult<Page<Registration>> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let (year, org) = (filter.year, filter.organization_id);
    let mut rows = db
        .read(async |c| db::titles::registrations(c, year, org, after, page.limit + 1).await)
        .await?;
    let next_cursor = page.next_cursor(&mut rows, |r| Cursor::from_uuid(r.id));
    Ok(Page {
        items: rows.into_iter().map(Registration::from).collect(),
        next_cursor,
    })
}

/// The head unit or the admin sets the term's registration deadline; the
/// answer is the term as it now is.
pub async fn set_registration_deadline(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    deadline: Option<NaiveDate>,
) -> AppResult<Term> {
    db.transaction(async |tx| {
        let term = db::blocs::lock_term(tx, bloc_id, year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        crate::service::require_head_or_admin(caller, &term)?;
        let after = db::blocs::set_registration_deadline(tx, term.id, deadline).await?;
        let change = Change {
            action: "term.registration_deadline_set",
            entity: "term",
            entity_id: term.id.to_string(),
            before: Some(json!({"registrationDeadline": term.registration_deadline})),
            after: Some(json!({"registrationDeadline": after.registration_deadline})),
            ..Default::default()
        };
        record(tx, caller, change).await?;
        let members = db::blocs::members(tx, &[after.id]).await?;
        Ok(Term::of(after, &members))
    })
    .await
}
