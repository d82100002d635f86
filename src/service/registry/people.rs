//! Staff (cán bộ, công chức, viên chức, người lao động) of a unit or its
//! sub-units: add, read, list, change. Every change of place or of
//! `active` is recorded in the staff history (`employments.rs`); no national
//! ID numbers are kept.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use super::employments::follow_patch;
use super::{code_taken, opt_nfc};
use crate::auth::Principal;
use crate::auth::principal::not_your_organization;
use crate::db::people::{NewPerson, PersonChanges, PersonQuery, PersonRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::ids::{OrganizationId, PersonId};
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::registry::{Gender, StaffCategory};
use crate::error::{AppError, AppResult, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record, update};

/// A member of staff as the use cases return it; its serialisation is what
/// the audit trail records.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: PersonId,
    pub full_name: String,
    /// Unit or sub-unit.
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    pub category: StaffCategory,
    pub gender: Option<Gender>,
    pub employment_start: Option<NaiveDate>,
    pub active: bool,
    /// Staff code (mã cán bộ), unique when given: the import's natural key.
    pub code: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<PersonRow> for Person {
    fn from(p: PersonRow) -> Self {
        Person {
            id: p.id,
            full_name: p.full_name,
            organization_id: p.organization_id,
            position: p.position,
            category: p.category,
            gender: p.gender,
            employment_start: p.employment_start,
            active: p.active,
            code: p.code,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl Audited for Person {
    const ENTITY: &'static str = "person";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn organization_id(&self) -> Option<Uuid> {
        Some(self.organization_id.uuid())
    }
    /// Every caller reads the feed: who and where, not the person's details.
    fn event_data(&self) -> Option<Value> {
        Some(json!({"id": self.id, "organizationId": self.organization_id}))
    }
}

pub struct CreatePerson {
    pub full_name: String,
    pub organization_id: OrganizationId,
    pub position: Option<String>,
    pub category: StaffCategory,
    pub gender: Option<Gender>,
    pub employment_start: Option<NaiveDate>,
    pub code: Option<String>,
}

#[derive(Default)]
pub struct UpdatePerson {
    pub full_name: Option<String>,
    pub organization_id: Option<OrganizationId>,
    pub position: Option<Option<String>>,
    pub category: Option<StaffCategory>,
    pub gender: Option<Option<Gender>>,
    pub employment_start: Option<Option<NaiveDate>>,
    pub active: Option<bool>,
    pub code: Option<Option<String>>,
}

/// Which people a list shows.
#[derive(Debug, Default)]
pub struct PersonFilter {
    pub organization_id: Option<OrganizationId>,
    pub category: Option<StaffCategory>,
    pub active: Option<bool>,
    /// Words to find in the name, whatever their case and diacritics.
    pub q: Option<String>,
    /// Employed on this day (in `organization_id` on that day, when given),
    /// from the staff history.
    pub as_of: Option<NaiveDate>,
}

/// A unit's officers keep their own staff list, including their sub-units'.
pub async fn require_staff_writer(
    tx: &mut Conn,
    caller: &Principal,
    org_id: OrganizationId,
) -> AppResult<()> {
    caller.require_write()?;
    if caller.is_admin() {
        // The admin may write for any organisation, but it must exist.
        db::organizations::get(tx, org_id)
            .await?
            .ok_or(RuleViolation::UnknownOrganization { id: org_id.uuid() })?;
        return Ok(());
    }
    let org = db::organizations::get(tx, org_id)
        .await?
        .ok_or_else(not_your_organization)?;
    let unit = org.parent_id.unwrap_or(org.id);
    caller
        .require_acting_for(unit.uuid())
        .or_else(|_| caller.require_acting_for(org.id.uuid()))
}

/// Add a member of staff (the admin, or the unit's own leader/officers).
pub async fn create_person(db: &Db, caller: &Principal, cmd: CreatePerson) -> AppResult<Person> {
    db.transaction(async |tx| {
        require_staff_writer(tx, caller, cmd.organization_id).await?;
        let person: Person = db::people::insert(
            tx,
            NewPerson {
                id: PersonId::generate(),
                full_name: nfc(&cmd.full_name),
                organization_id: cmd.organization_id,
                position: opt_nfc(cmd.position),
                category: cmd.category,
                gender: cmd.gender,
                employment_start: cmd.employment_start,
                code: cmd.code,
            },
        )
        .await
        .on_constraint("people_code_key", code_taken("cán bộ / person"))?
        .into();
        record(tx, caller, Change::created("person.created", &person)).await?;
        Ok(person)
    })
    .await
}

pub async fn get_person(db: &Db, id: PersonId) -> AppResult<Person> {
    db.read(async |c| db::people::get(c, id).await)
        .await?
        .map(Person::from)
        .ok_or(AppError::not_found("person"))
}

/// Keyset page by id (UUID v7: creation order).
pub async fn list_people(
    db: &Db,
    filter: PersonFilter,
    page: PageRequest,
) -> AppResult<Page<Person>> {
    let query = PersonQuery {
        organization_id: filter.organization_id,
        category: filter.category,
        active: filter.active,
        q: filter.q,
        as_of: filter.as_of,
        after: page
            .cursor
            .as_ref()
            .map(Cursor::uuid)
            .transpose()?
            .map(PersonId),
        limit: page.fetch(),
    };
    let rows = db.read(async |c| db::people::list(c, &query).await).await?;
    Ok(page
        .page(rows, |p| Cursor::from_uuid(p.id.uuid()))
        .map(Person::from))
}

/// Change a member of staff: the writer keeps the staff list of the
/// person's organisation, and of the one the person moves to.
pub async fn update_person(
    db: &Db,
    caller: &Principal,
    id: PersonId,
    expected: Option<i32>,
    cmd: UpdatePerson,
) -> AppResult<Person> {
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "person.updated",
            expected,
            async |tx| {
                let Some(before) = db::people::lock(tx, id).await?.map(Person::from) else {
                    return Ok(None);
                };
                require_staff_writer(tx, caller, before.organization_id).await?;
                if let Some(to) = cmd.organization_id
                    && to != before.organization_id
                {
                    require_staff_writer(tx, caller, to).await?;
                }
                Ok(Some(before))
            },
            async |tx, before| {
                let changes = PersonChanges {
                    full_name: cmd.full_name.as_deref().map(nfc),
                    organization_id: cmd.organization_id,
                    position: cmd.position.map(opt_nfc),
                    category: cmd.category,
                    gender: cmd.gender,
                    employment_start: cmd.employment_start,
                    active: cmd.active,
                    code: cmd.code,
                };
                let after: Person = db::people::update(tx, id, changes)
                    .await
                    .on_constraint("people_code_key", code_taken("cán bộ / person"))?
                    .into();
                follow_patch(tx, before, &after).await?;
                Ok(after)
            },
        )
        .await
    })
    .await
}
