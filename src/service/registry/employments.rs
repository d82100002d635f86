//! Staff history (docs/titles.md, "Members of a collective"): a transfer
//! closes the open employment the day before and opens the next; leaving
//! closes the last. The person's row (`organizationId`, `position`,
//! `active`) stays the view of the latest employment (its first one is
//! opened by a trigger on insert); a change through
//! `PATCH /people/{id}` is recorded in the history as of today.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::people::{Person, require_staff_writer};
use super::{opt_nfc, today};
use crate::auth::Principal;
use crate::db::employments::{EmploymentRow, NewEmployment};
use crate::db::people::PersonChanges;
use crate::db::{self, Conn, Db};
use crate::domain::employment::{check_leave, check_transfer, day_before};
use crate::domain::ids::{OrganizationId, PersonId};
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::service::update;

/// One employment as the use cases return it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Employment {
    pub id: Uuid,
    pub person_id: PersonId,
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    /// First day; `None`: since before the records.
    pub valid_from: Option<NaiveDate>,
    /// Last day; `None`: still employed.
    pub valid_to: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl From<EmploymentRow> for Employment {
    fn from(e: EmploymentRow) -> Self {
        Employment {
            id: e.id,
            person_id: e.person_id,
            organization_id: e.organization_id,
            position: e.position,
            valid_from: e.valid_from,
            valid_to: e.valid_to,
            created_at: e.created_at,
        }
    }
}

pub struct Transfer {
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    /// First day in the new organisation.
    pub on: NaiveDate,
}

fn employment_date_invalid(from: NaiveDate) -> AppError {
    AppError::new(ErrorCode::EmploymentDateInvalid).arg("from", from)
}

/// Record in the history what a `PATCH` changed, as of today.
pub(super) async fn follow_patch(tx: &mut Conn, before: &Person, after: &Person) -> AppResult<()> {
    let today = today();
    let open = db::employments::lock_open(tx, after.id).await?;
    match (open, after.active) {
        (Some(e), false) => {
            let last = e.valid_from.map_or(today, |f| f.max(today));
            db::employments::close(tx, e.id, last).await?;
        }
        (Some(e), true) => {
            if after.organization_id != before.organization_id
                && e.valid_from.is_none_or(|f| f < today)
            {
                db::employments::close(tx, e.id, day_before(today)).await?;
                open_next(tx, after, today).await?;
            } else if after.organization_id != e.organization_id || after.position != e.position {
                db::employments::amend(tx, e.id, after.organization_id, after.position.clone())
                    .await?;
            }
        }
        (None, true) => {
            // Back from a leave: a new employment from today, after the last one.
            let from = match db::employments::last_end(tx, after.id).await? {
                Some(end) if end >= today => end.succ_opt().unwrap_or(end),
                _ => today,
            };
            open_next(tx, after, from).await?;
        }
        (None, false) => {}
    }
    Ok(())
}

async fn open_next(tx: &mut Conn, p: &Person, from: NaiveDate) -> AppResult<()> {
    db::employments::insert(
        tx,
        &[NewEmployment {
            id: Uuid::now_v7(),
            person_id: p.id,
            organization_id: p.organization_id,
            position: p.position.clone(),
            valid_from: Some(from),
            valid_to: None,
        }],
    )
    .await?;
    Ok(())
}

/// A transfer (điều chuyển): the writer keeps the staff lists of both
/// organisations.
pub async fn transfer_person(
    db: &Db,
    caller: &Principal,
    id: PersonId,
    expected: Option<i32>,
    cmd: Transfer,
) -> AppResult<Person> {
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "person.transferred",
            expected,
            async |tx| {
                let Some(before) = db::people::lock(tx, id).await?.map(Person::from) else {
                    return Ok(None);
                };
                require_staff_writer(tx, caller, before.organization_id).await?;
                require_staff_writer(tx, caller, cmd.organization_id).await?;
                Ok(Some(before))
            },
            async |tx, _| {
                let open = db::employments::lock_open(tx, id)
                    .await?
                    .ok_or(AppError::new(ErrorCode::NotEmployed))?;
                check_transfer(open.valid_from, cmd.on).map_err(employment_date_invalid)?;
                db::employments::close(tx, open.id, day_before(cmd.on)).await?;
                let position = opt_nfc(cmd.position);
                let after: Person = db::people::update(
                    tx,
                    id,
                    PersonChanges {
                        organization_id: Some(cmd.organization_id),
                        position: Some(position),
                        ..Default::default()
                    },
                )
                .await?
                .into();
                open_next(tx, &after, cmd.on).await?;
                Ok(after)
            },
        )
        .await
    })
    .await
}

/// Leaving (nghỉ việc, nghỉ hưu): `last_day` closes the open employment.
pub async fn person_leaves(
    db: &Db,
    caller: &Principal,
    id: PersonId,
    expected: Option<i32>,
    last_day: NaiveDate,
) -> AppResult<Person> {
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "person.left",
            expected,
            async |tx| {
                let Some(before) = db::people::lock(tx, id).await?.map(Person::from) else {
                    return Ok(None);
                };
                require_staff_writer(tx, caller, before.organization_id).await?;
                Ok(Some(before))
            },
            async |tx, _| {
                let open = db::employments::lock_open(tx, id)
                    .await?
                    .ok_or(AppError::new(ErrorCode::NotEmployed))?;
                check_leave(open.valid_from, last_day).map_err(employment_date_invalid)?;
                db::employments::close(tx, open.id, last_day).await?;
                let changes = PersonChanges {
                    active: Some(false),
                    ..Default::default()
                };
                Ok(db::people::update(tx, id, changes).await?.into())
            },
        )
        .await
    })
    .await
}

/// A person's employments, oldest first.
pub async fn list_employments(
    db: &Db,
    id: PersonId,
    page: PageRequest,
) -> AppResult<Page<Employment>> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let rows = db
        .read(async |c| {
            if db::people::get(c, id).await?.is_none() {
                return Err(AppError::not_found("person"));
            }
            Ok(db::employments::of_person(c, id, after, page.fetch()).await?)
        })
        .await?;
    Ok(page
        .page(rows, |e| Cursor::from_uuid(e.id))
        .map(Employment::from))
}
