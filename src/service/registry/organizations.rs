//! Organisations: units (đơn vị: sở, ban, ngành) and their sub-units
//! (phòng, đơn vị trực thuộc), with their history. Register, read, list,
//! change, retire; never delete.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{code_taken, opt_nfc, today};
use crate::auth::Principal;
use crate::db::organizations::{NewOrg, OrgChanges, OrgQuery, OrgRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::ids::OrganizationId;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::registry::{self as rules, OrgKind};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record, update};

/// An organisation as the use cases return it; its serialisation is what
/// the audit trail records.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    pub id: OrganizationId,
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    /// The unit a sub-unit belongs to; `None` for a unit.
    pub parent_id: Option<OrganizationId>,
    pub valid_from: Option<NaiveDate>,
    /// The last day it existed under this identity.
    pub valid_to: Option<NaiveDate>,
    pub superseded_by_id: Option<OrganizationId>,
    pub superseded_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    /// A unit has no parent: only units can be bloc members.
    pub fn is_unit(&self) -> bool {
        self.parent_id.is_none()
    }

    /// Valid on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= day) && self.valid_to.is_none_or(|t| t >= day)
    }
}

impl From<OrgRow> for Organization {
    fn from(o: OrgRow) -> Self {
        Organization {
            id: o.id,
            code: o.code,
            name: o.name,
            short_name: o.short_name,
            kind: o.kind,
            parent_id: o.parent_id,
            valid_from: o.valid_from,
            valid_to: o.valid_to,
            superseded_by_id: o.superseded_by_id,
            superseded_on: o.superseded_on,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

impl Audited for Organization {
    const ENTITY: &'static str = "organization";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn organization_id(&self) -> Option<Uuid> {
        Some(self.id.uuid())
    }
}

pub struct CreateOrg {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: OrgKind,
    pub parent_id: Option<OrganizationId>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

#[derive(Default)]
pub struct UpdateOrg {
    pub name: Option<String>,
    pub short_name: Option<Option<String>>,
    pub kind: Option<OrgKind>,
    pub parent_id: Option<Option<OrganizationId>>,
    pub valid_from: Option<Option<NaiveDate>>,
}

pub struct RetireOrg {
    /// Last day the organisation is valid (default: yesterday).
    pub valid_to: Option<NaiveDate>,
    /// The organisation it was renamed to or merged into.
    pub superseded_by_id: Option<OrganizationId>,
}

/// Which organisations a list shows.
#[derive(Debug, Default)]
pub struct OrgFilter {
    pub kind: Option<OrgKind>,
    pub parent_id: Option<OrganizationId>,
    /// `Some(true)`: only units; `Some(false)`: only sub-units.
    pub units: Option<bool>,
    /// `Some(true)`: valid today; `Some(false)`: retired or not yet valid.
    pub active: Option<bool>,
    /// Only those valid on this date (wins over `active = true`).
    pub as_of: Option<NaiveDate>,
    /// Words to find in code, name and short name, whatever their case and diacritics.
    pub q: Option<String>,
    /// Exact code, in any case.
    pub code: Option<String>,
}

/// An organisation's validity ends on or after the day it starts.
fn check_dates(from: Option<NaiveDate>, to: Option<NaiveDate>) -> AppResult<()> {
    match (from, to) {
        (Some(f), Some(t)) if t < f => Err(AppError::new(ErrorCode::InvalidDates)),
        _ => Ok(()),
    }
}

/// The parent must exist and be a unit, and an organisation with sub-units
/// cannot become one.
async fn check_parent(
    tx: &mut Conn,
    parent: Option<OrganizationId>,
    child: Option<OrganizationId>,
) -> AppResult<()> {
    let Some(pid) = parent else { return Ok(()) };
    if child == Some(pid) {
        return Err(AppError::new(ErrorCode::InvalidParent));
    }
    let facts = db::organizations::facts(tx, &[pid.uuid()]).await?;
    let parent = facts
        .first()
        .ok_or(RuleViolation::UnknownOrganization { id: pid.uuid() })?;
    let has_children = match child {
        Some(id) => db::organizations::has_children(tx, id).await?,
        None => false,
    };
    Ok(rules::check_parent(Some(parent), has_children)?)
}

/// Register an organisation (admin).
pub async fn create_org(db: &Db, caller: &Principal, cmd: CreateOrg) -> AppResult<Organization> {
    caller.require_admin()?;
    check_dates(cmd.valid_from, cmd.valid_to)?;
    db.transaction(async |tx| {
        check_parent(tx, cmd.parent_id, None).await?;
        let org: Organization = db::organizations::insert(
            tx,
            NewOrg {
                id: OrganizationId::generate(),
                code: cmd.code.trim().to_uppercase(),
                name: nfc(&cmd.name),
                short_name: opt_nfc(cmd.short_name),
                kind: cmd.kind,
                parent_id: cmd.parent_id,
                valid_from: cmd.valid_from,
                valid_to: cmd.valid_to,
            },
        )
        .await
        .on_constraint(
            "organizations_code_key",
            code_taken("đơn vị / organisation"),
        )?
        .into();
        record(tx, caller, Change::created("organization.created", &org)).await?;
        Ok(org)
    })
    .await
}

pub async fn get_org(db: &Db, id: OrganizationId) -> AppResult<Organization> {
    db.read(async |c| db::organizations::get(c, id).await)
        .await?
        .map(Organization::from)
        .ok_or(AppError::not_found("organization"))
}

/// Ordered by code, keyset-paged.
pub async fn list_orgs(
    db: &Db,
    filter: OrgFilter,
    page: PageRequest,
) -> AppResult<Page<Organization>> {
    let today = today();
    let query = OrgQuery {
        kind: filter.kind,
        parent_id: filter.parent_id,
        units: filter.units,
        valid_on: filter
            .as_of
            .or((filter.active == Some(true)).then_some(today)),
        invalid_on: (filter.active == Some(false)).then_some(today),
        q: filter.q,
        code: filter.code.map(|c| c.to_uppercase()),
        after_code: page.cursor.as_ref().map(Cursor::code).transpose()?,
        limit: page.fetch(),
    };
    let rows = db
        .read(async |c| db::organizations::list(c, &query).await)
        .await?;
    Ok(page
        .page(rows, |o| Cursor::from_code(&o.code))
        .map(Organization::from))
}

/// Change an organisation (admin): its dates stay ordered, its parent is a
/// unit, and a bloc member stays a unit (B5).
pub async fn update_org(
    db: &Db,
    caller: &Principal,
    id: OrganizationId,
    expected: Option<i32>,
    cmd: UpdateOrg,
) -> AppResult<Organization> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "organization.updated",
            expected,
            async |tx| {
                Ok(db::organizations::lock(tx, id)
                    .await?
                    .map(Organization::from))
            },
            async |tx, before| {
                if let Some(from) = cmd.valid_from {
                    check_dates(from, before.valid_to)?;
                }
                if let Some(parent) = cmd.parent_id {
                    check_parent(tx, parent, Some(id)).await?;
                    // B5: a bloc member cannot become a sub-unit.
                    if parent.is_some() && db::organizations::is_term_member(tx, id).await? {
                        return Err(RuleViolation::MemberNotAUnit {
                            what: before.code.clone(),
                        }
                        .into());
                    }
                }
                let changes = OrgChanges {
                    name: cmd.name.as_deref().map(nfc),
                    short_name: cmd.short_name.map(opt_nfc),
                    kind: cmd.kind,
                    parent_id: cmd.parent_id,
                    valid_from: cmd.valid_from,
                    ..Default::default()
                };
                Ok(db::organizations::update(tx, id, changes).await?.into())
            },
        )
        .await
    })
    .await
}

/// Retire (never delete): the organisation stays readable for the years it
/// existed; a rename or merge names its successor.
pub async fn retire_org(
    db: &Db,
    caller: &Principal,
    id: OrganizationId,
    expected: Option<i32>,
    cmd: RetireOrg,
) -> AppResult<Organization> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "organization.retired",
            expected,
            async |tx| {
                Ok(db::organizations::lock(tx, id)
                    .await?
                    .map(Organization::from))
            },
            async |tx, before| {
                if before.valid_to.is_some() {
                    return Err(AppError::new(ErrorCode::AlreadyRetired));
                }
                let valid_to = cmd
                    .valid_to
                    .unwrap_or_else(|| today().pred_opt().unwrap_or_else(today));
                check_dates(before.valid_from, Some(valid_to))?;
                if let Some(s) = cmd.superseded_by_id {
                    if s == id {
                        return Err(AppError::new(ErrorCode::InvalidSuccessor));
                    }
                    db::organizations::get(tx, s)
                        .await?
                        .ok_or(RuleViolation::UnknownOrganization { id: s.uuid() })?;
                }
                let changes = OrgChanges {
                    valid_to: Some(Some(valid_to)),
                    superseded_by_id: Some(cmd.superseded_by_id),
                    superseded_on: Some(cmd.superseded_by_id.and_then(|_| valid_to.succ_opt())),
                    ..Default::default()
                };
                Ok(db::organizations::update(tx, id, changes).await?.into())
            },
        )
        .await
    })
    .await
}
