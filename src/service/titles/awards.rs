//! The catalogue of titles and forms, the award history and revocation (C14).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use super::readers::redact;
use crate::auth::Principal;
use crate::db::titles::{AwardRow, AwardTypeRow, DecisionRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::titles::{AwardStatus, AwardType, StoredAnswer, SubjectRef};
use crate::error::{AppError, AppResult};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record};

/// A title or form of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AwardTypeEntry {
    pub code: String,
    /// `title` (danh hiệu thi đua) or `form` (hình thức khen thưởng).
    pub kind: String,
    /// `person` or `collective`.
    pub subject_kind: String,
    /// `grassroots`, `provincial`, `ministerial` or `national`.
    pub level: String,
    pub name_vi: String,
    pub name_en: String,
    pub legal_basis: String,
}

impl From<AwardTypeRow> for AwardTypeEntry {
    fn from(r: AwardTypeRow) -> AwardTypeEntry {
        AwardTypeEntry {
            code: r.code,
            kind: r.kind,
            subject_kind: r.subject_kind,
            level: r.level,
            name_vi: r.name_vi,
            name_en: r.name_en,
            legal_basis: r.legal_basis,
        }
    }
}

/// An award in the history. The audit trail records it without the answer
/// it was made with (C2 data).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Award {
    pub id: Uuid,
    pub award_type: AwardType,
    pub person_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub year: i32,
    pub decision_id: Uuid,
    pub status: AwardStatus,
    /// Awarded although a rule failed, by the admin's override.
    pub overridden: bool,
    #[serde(skip)]
    pub eligibility: StoredAnswer,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Award {
    pub fn subject(&self) -> Option<SubjectRef> {
        SubjectRef::of(self.person_id, self.organization_id)
    }
}

impl From<AwardRow> for Award {
    fn from(a: AwardRow) -> Award {
        Award {
            id: a.id,
            award_type: a.award_type,
            person_id: a.person_id,
            organization_id: a.organization_id,
            year: a.year,
            decision_id: a.decision_id,
            status: a.status,
            overridden: a.overridden,
            eligibility: StoredAnswer::from_json(a.eligibility),
            revoked_at: a.revoked_at,
            revoke_reason: a.revoke_reason,
            created_at: a.created_at,
        }
    }
}

impl Audited for Award {
    const ENTITY: &'static str = "award";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    /// Awards are not versioned: they are made once and revoked at most once.
    fn version(&self) -> i32 {
        1
    }
    fn organization_id(&self) -> Option<Uuid> {
        self.organization_id
    }
    fn event_data(&self) -> Option<serde_json::Value> {
        Some(
            json!({"status": self.status, "awardType": self.award_type, "year": self.year,
                    "personId": self.person_id, "organizationId": self.organization_id}),
        )
    }
}

/// An award in a subject's history, with its decision.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub award: Award,
    pub decision_number: String,
    pub decided_on: NaiveDate,
    pub issuing_body: String,
}

impl From<(AwardRow, DecisionRow)> for HistoryEntry {
    fn from((a, d): (AwardRow, DecisionRow)) -> HistoryEntry {
        HistoryEntry {
            award: a.into(),
            decision_number: d.number,
            decided_on: d.decided_on,
            issuing_body: d.issuing_body,
        }
    }
}

/// Apply the C2 reader rule to awards before they leave the service.
pub(super) async fn redact_awards<'a>(
    c: &mut Conn,
    caller: &Principal,
    awards: impl Iterator<Item = &'a mut Award>,
) -> AppResult<()> {
    let answers = awards.map(|a| (a.subject(), &mut a.eligibility));
    redact(c, caller, answers).await
}

/// The catalogue, in the law's order.
pub async fn award_types(db: &Db) -> AppResult<Vec<AwardTypeEntry>> {
    let rows = db.read(async |c| db::titles::award_types(c).await).await?;
    Ok(rows.into_iter().map(AwardTypeEntry::from).collect())
}

/// A subject's award history, newest first (revoked awards included).
pub async fn history(
    db: &Db,
    caller: &Principal,
    subject: SubjectRef,
    page: PageRequest,
) -> AppResult<Page<HistoryEntry>> {
    let after = page.cursor.as_ref().map(Cursor::year_id).transpose()?;
    db.read(async |c| {
        let (exists, entity) = match subject {
            SubjectRef::Person(p) => (db::people::get(c, p.into()).await?.is_some(), "person"),
            SubjectRef::Organization(o) => (
                db::organizations::get(c, o.into()).await?.is_some(),
                "organization",
            ),
        };
        if !exists {
            return Err(AppError::not_found(entity));
        }
        let rows = db::titles::history(
            c,
            subject.person(),
            subject.organization(),
            after,
            page.fetch(),
        )
        .await?;
        let mut entries = page
            .page(rows, |(a, _)| Cursor::from_year_id(a.year, a.id))
            .map(HistoryEntry::from);
        redact_awards(c, caller, entries.items.iter_mut().map(|e| &mut e.award)).await?;
        Ok(entries)
    })
    .await
}

/// C14: revoke an award with a reason (admin); it no longer counts.
pub async fn revoke(db: &Db, caller: &Principal, id: Uuid, reason: String) -> AppResult<Award> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let before: Award = db::titles::lock_award(tx, id)
            .await?
            .ok_or(AppError::not_found(Award::ENTITY))?
            .into();
        if before.status == AwardStatus::Revoked {
            return Err(RuleViolation::AwardRevoked.into());
        }
        let reason = nfc(&reason);
        let after: Award = db::titles::revoke_award(tx, id, &reason).await?.into();
        let change = Change {
            reason: Some(reason),
            ..Change::updated("award.revoked", &before, &after)
        };
        record(tx, caller, change).await?;
        Ok(after)
    })
    .await
}
