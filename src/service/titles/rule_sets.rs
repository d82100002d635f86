//! C0: the versioned rule sets (the legal parameters every rule reads).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Principal;
use crate::db::titles::RuleSetRow;
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::titles::{RuleParams, RuleSetScope};
use crate::error::{AppError, AppResult};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record, update};

/// C0: one version of the legal parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSet {
    pub id: Uuid,
    pub code: String,
    /// The version of this code (a new version is a new rule set).
    pub version: i32,
    pub scope: RuleSetScope,
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: RuleParams,
    /// Set by the first decision made under it; from then on it never changes.
    pub used_at: Option<DateTime<Utc>>,
    /// Edit revision (the `ETag`).
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<RuleSetRow> for RuleSet {
    type Error = AppError;
    fn try_from(r: RuleSetRow) -> AppResult<RuleSet> {
        Ok(RuleSet {
            params: serde_json::from_value(r.params).map_err(AppError::internal)?,
            id: r.id,
            code: r.code,
            version: r.version,
            scope: r.scope,
            name: r.name,
            legal_basis: r.legal_basis,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            used_at: r.used_at,
            revision: r.row_version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

impl Audited for RuleSet {
    const ENTITY: &'static str = "rule_set";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    // The ETag follows edits (`revision`); `version` numbers the code's versions.
    #[allow(clippy::misnamed_getters)]
    fn version(&self) -> i32 {
        self.revision
    }
}

fn rule_set_of(row: Option<RuleSetRow>) -> AppResult<Option<RuleSet>> {
    row.map(RuleSet::try_from).transpose()
}

pub async fn rule_sets(db: &Db) -> AppResult<Vec<RuleSet>> {
    db.read(async |c| db::titles::rule_sets(c).await)
        .await?
        .into_iter()
        .map(RuleSet::try_from)
        .collect()
}

pub async fn rule_set(db: &Db, id: Uuid) -> AppResult<RuleSet> {
    rule_set_of(db.read(async |c| db::titles::rule_set(c, id).await).await?)?
        .ok_or(AppError::not_found(RuleSet::ENTITY))
}

/// C0: the rule set for emulation year `year` is the one in force on 31
/// December of that year.
pub(super) async fn rule_set_for_year(c: &mut Conn, year: i32) -> AppResult<RuleSet> {
    let day = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(RuleViolation::NoRuleSet { year })?;
    rule_set_of(db::titles::rule_set_in_force(c, day).await?)?
        .ok_or(RuleViolation::NoRuleSet { year }.into())
}

/// A rule set chosen by id (an eligibility check's `ruleSetId`).
pub(super) async fn known_rule_set(c: &mut Conn, id: Uuid) -> AppResult<Option<RuleSet>> {
    rule_set_of(db::titles::rule_set(c, id).await?)
}

/// Lock the rule set a decision freezes.
pub(super) async fn lock_rule_set(c: &mut Conn, id: Uuid) -> AppResult<Option<RuleSet>> {
    rule_set_of(db::titles::lock_rule_set(c, id).await?)
}

/// What an edit (or a new version) sets.
pub struct RuleSetInput {
    pub name: String,
    pub legal_basis: String,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub params: RuleParams,
}

/// A new rule set, or the next version of `code`.
pub struct NewRuleSet {
    pub code: String,
    pub scope: RuleSetScope,
    pub input: RuleSetInput,
}

fn check_rule_set(input: &RuleSetInput) -> AppResult<()> {
    input.params.check()?;
    if input.effective_to.is_some_and(|t| t < input.effective_from) {
        return Err(RuleViolation::InvalidRuleSet {
            reason: "effectiveTo is before effectiveFrom",
        }
        .into());
    }
    Ok(())
}

fn params_json(params: &RuleParams) -> AppResult<serde_json::Value> {
    serde_json::to_value(params).map_err(AppError::internal)
}

/// C0: a new rule set, or a new version of an existing code (admin).
pub async fn create_rule_set(db: &Db, caller: &Principal, cmd: NewRuleSet) -> AppResult<RuleSet> {
    caller.require_admin()?;
    check_rule_set(&cmd.input)?;
    db.transaction(async |tx| {
        // Versions of one code are numbered one writer at a time.
        db::titles::lock_rule_set_code(tx, &cmd.code).await?;
        let version = db::titles::next_rule_set_version(tx, &cmd.code).await?;
        let now = Utc::now();
        let input = &cmd.input;
        let row = db::titles::insert_rule_set(
            tx,
            &RuleSetRow {
                id: Uuid::now_v7(),
                code: cmd.code.clone(),
                version,
                scope: cmd.scope,
                name: nfc(&input.name),
                legal_basis: nfc(&input.legal_basis),
                effective_from: input.effective_from,
                effective_to: input.effective_to,
                params: params_json(&input.params)?,
                used_at: None,
                row_version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        let created = RuleSet::try_from(row)?;
        record(tx, caller, Change::created("rule_set.created", &created)).await?;
        Ok(created)
    })
    .await
}

/// C0: edit a rule set that no decision has used yet (admin).
pub async fn update_rule_set(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    input: RuleSetInput,
) -> AppResult<RuleSet> {
    caller.require_admin()?;
    check_rule_set(&input)?;
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "rule_set.updated",
            expected,
            async |tx| lock_rule_set(tx, id).await,
            async |tx, before| {
                if before.used_at.is_some() {
                    return Err(RuleViolation::RuleSetInUse.into());
                }
                let changes = db::titles::RuleSetChanges {
                    name: nfc(&input.name),
                    legal_basis: nfc(&input.legal_basis),
                    effective_from: input.effective_from,
                    effective_to: input.effective_to,
                    params: params_json(&input.params)?,
                };
                db::titles::update_rule_set(tx, id, changes)
                    .await?
                    .try_into()
            },
        )
        .await
    })
    .await
}
