//! A bloc's conferences (hội nghị) and the documents they adopted.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::opt_nfc;
use crate::auth::Principal;
use crate::db::conferences::{self as rows, ConferenceRow, DocumentRow, RepresentativeRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::registry::ConferenceKind;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record, update};

/// A named person who represented an organisation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Representative {
    pub full_name: String,
    pub position: Option<String>,
    pub organization_id: Option<Uuid>,
}

/// A document adopted at the conference (regulation, plan, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdoptedDocument {
    pub title: String,
    pub number: Option<String>,
    pub date: Option<NaiveDate>,
    pub url: Option<String>,
    /// Hex SHA-256 of the document file, lower case.
    pub sha256: Option<String>,
}

/// What a conference record says: the input of create and replace.
#[derive(Debug, Clone)]
pub struct ConferenceRecord {
    pub bloc_id: Uuid,
    pub year: i32,
    pub kind: ConferenceKind,
    pub date: NaiveDate,
    pub location: Option<String>,
    pub host_organization_id: Option<Uuid>,
    pub title: String,
    pub attendee_ids: Vec<Uuid>,
    pub representatives: Vec<Representative>,
    pub documents: Vec<AdoptedDocument>,
}

/// A conference as the use cases return it; its serialisation is what the
/// audit trail records.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conference {
    pub id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    pub kind: ConferenceKind,
    pub date: NaiveDate,
    pub location: Option<String>,
    pub host_organization_id: Option<Uuid>,
    pub title: String,
    pub attendee_ids: Vec<Uuid>,
    pub representatives: Vec<Representative>,
    pub documents: Vec<AdoptedDocument>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<rows::Conference> for Conference {
    fn from(c: rows::Conference) -> Self {
        Conference {
            id: c.row.id,
            bloc_id: c.row.bloc_id,
            year: c.row.year,
            kind: c.row.kind,
            date: c.row.held_on,
            location: c.row.location,
            host_organization_id: c.row.host_organization_id,
            title: c.row.title,
            attendee_ids: c.attendees,
            representatives: c
                .representatives
                .into_iter()
                .map(|r| Representative {
                    full_name: r.full_name,
                    position: r.position,
                    organization_id: r.organization_id,
                })
                .collect(),
            documents: c
                .documents
                .into_iter()
                .map(|d| AdoptedDocument {
                    title: d.title,
                    number: d.number,
                    date: d.issued_on,
                    url: d.url,
                    sha256: d.sha256,
                })
                .collect(),
            version: c.row.version,
            created_at: c.row.created_at,
            updated_at: c.row.updated_at,
        }
    }
}

impl Audited for Conference {
    const ENTITY: &'static str = "conference";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
}

/// Which conferences a list shows.
#[derive(Debug, Default)]
pub struct ConferenceFilter {
    pub bloc_id: Option<Uuid>,
    pub year: Option<i32>,
}

impl ConferenceRecord {
    /// Trimmed, NFC texts, attendees once each, hashes in lower case.
    fn normalised(mut self) -> ConferenceRecord {
        self.title = nfc(&self.title);
        self.location = opt_nfc(self.location.take());
        self.attendee_ids.sort();
        self.attendee_ids.dedup();
        for r in &mut self.representatives {
            r.full_name = nfc(&r.full_name);
            r.position = opt_nfc(r.position.take());
        }
        for d in &mut self.documents {
            d.title = nfc(&d.title);
            d.sha256 = d.sha256.take().map(|s| s.to_ascii_lowercase());
        }
        self
    }

    /// The rows that store the record as conference `id`.
    fn rows(self, id: Uuid) -> rows::Conference {
        let now = Utc::now();
        rows::Conference {
            row: ConferenceRow {
                id,
                bloc_id: self.bloc_id,
                year: self.year,
                kind: self.kind,
                held_on: self.date,
                location: self.location,
                host_organization_id: self.host_organization_id,
                title: self.title,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            attendees: self.attendee_ids,
            representatives: self
                .representatives
                .into_iter()
                .zip(0..)
                .map(|(r, ordinal)| RepresentativeRow {
                    conference_id: id,
                    ordinal,
                    organization_id: r.organization_id,
                    full_name: r.full_name,
                    position: r.position,
                })
                .collect(),
            documents: self
                .documents
                .into_iter()
                .zip(0..)
                .map(|(d, ordinal)| DocumentRow {
                    conference_id: id,
                    ordinal,
                    title: d.title,
                    number: d.number,
                    issued_on: d.date,
                    url: d.url,
                    sha256: d.sha256,
                })
                .collect(),
        }
    }
}

/// Every organisation the conference names must exist.
async fn check_conference_refs(tx: &mut Conn, conf: &ConferenceRecord) -> AppResult<()> {
    db::blocs::get(tx, conf.bloc_id)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::UnknownBloc))?;
    let mut ids: Vec<Uuid> = conf.attendee_ids.clone();
    ids.extend(conf.host_organization_id);
    ids.extend(
        conf.representatives
            .iter()
            .filter_map(|r| r.organization_id),
    );
    ids.sort();
    ids.dedup();
    let found = db::organizations::facts(tx, &ids).await?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|f| f.id == **id)) {
        return Err(RuleViolation::UnknownOrganization { id: *missing }.into());
    }
    Ok(())
}

async fn load(tx: &mut Conn, id: Uuid) -> AppResult<Option<Conference>> {
    Ok(db::conferences::get(tx, id).await?.map(Conference::from))
}

pub async fn create_conference(
    db: &Db,
    caller: &Principal,
    conf: ConferenceRecord,
) -> AppResult<Conference> {
    caller.require_admin()?;
    let conf = conf.normalised();
    db.transaction(async |tx| {
        check_conference_refs(tx, &conf).await?;
        let id = Uuid::now_v7();
        db::conferences::insert(tx, &conf.rows(id)).await?;
        let saved = load(tx, id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        record(tx, caller, Change::created("conference.created", &saved)).await?;
        Ok(saved)
    })
    .await
}

/// Replace what a conference record says (admin); its bloc stays.
pub async fn replace_conference(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    conf: ConferenceRecord,
) -> AppResult<Conference> {
    caller.require_admin()?;
    let conf = conf.normalised();
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "conference.replaced",
            expected,
            async |tx| {
                if db::conferences::lock(tx, id).await?.is_none() {
                    return Ok(None);
                }
                load(tx, id).await
            },
            async |tx, before| {
                if before.bloc_id != conf.bloc_id {
                    return Err(AppError::new(ErrorCode::BlocImmutable));
                }
                check_conference_refs(tx, &conf).await?;
                db::conferences::replace(tx, &conf.rows(id)).await?;
                load(tx, id).await?.ok_or(AppError::not_found("conference"))
            },
        )
        .await
    })
    .await
}

/// A conference inside the caller's transaction (the printable record).
pub async fn conference_in(c: &mut Conn, id: Uuid) -> AppResult<Conference> {
    load(c, id).await?.ok_or(AppError::not_found("conference"))
}

pub async fn get_conference(db: &Db, id: Uuid) -> AppResult<Conference> {
    db.read(async |c| load(c, id).await)
        .await?
        .ok_or(AppError::not_found("conference"))
}

/// Is there a conference of `bloc_id` held on `date` under `title`?
pub async fn conference_exists(
    db: &Db,
    bloc_id: Uuid,
    date: NaiveDate,
    title: &str,
) -> AppResult<bool> {
    Ok(db
        .read(async |c| db::conferences::find(c, bloc_id, date, title).await)
        .await?
        .is_some())
}

/// Ordered by id, keyset-paged.
pub async fn list_conferences(
    db: &Db,
    filter: ConferenceFilter,
    page: PageRequest,
) -> AppResult<Page<Conference>> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let rows = db
        .read(async |c| {
            db::conferences::list(c, filter.bloc_id, filter.year, after, page.fetch()).await
        })
        .await?;
    Ok(page
        .page(rows, |c| Cursor::from_uuid(c.row.id))
        .map(Conference::from))
}
