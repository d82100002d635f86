//! A bloc's conferences (hội nghị) and the documents they adopted.

use serde_json::json;
use uuid::Uuid;

use super::opt_nfc;
use crate::auth::Principal;
use crate::db::conferences::Conference;
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::paging::{Cursor, PageRequest};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::nfc;
use crate::service::{Change, check_version, record};

fn conference_json(c: &Conference) -> serde_json::Value {
    json!({"id": c.row.id, "blocId": c.row.bloc_id, "year": c.row.year, "kind": c.row.kind,
           "date": c.row.held_on, "location": c.row.location, "hostOrganizationId": c.row.host_organization_id,
           "title": c.row.title, "attendeeIds": c.attendees,
           "representatives": c.representatives.iter().map(|r| json!({"fullName": r.full_name, "position": r.position, "organizationId": r.organization_id})).collect::<Vec<_>>(),
           "documents": c.documents.iter().map(|d| json!({"title": d.title, "number": d.number, "date": d.issued_on, "url": d.url, "sha256": d.sha256})).collect::<Vec<_>>()})
}

/// Every organisation the conference names must exist.
async fn check_conference_refs(tx: &mut Conn, conf: &Conference) -> AppResult<()> {
    db::blocs::get(tx, conf.row.bloc_id)
        .await?
        .ok_or(RuleViolation::UnknownOrganization {
            id: conf.row.bloc_id,
        })
        .map_err(|_| AppError::new(ErrorCode::UnknownBloc))?;
    let mut ids: Vec<Uuid> = conf.attendees.clone();
    ids.extend(conf.row.host_organization_id);
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

pub async fn create_conference(
    db: &Db,
    caller: &Principal,
    mut conf: Conference,
) -> AppResult<Conference> {
    caller.require_admin()?;
    normalise_conference(&mut conf);
    db.transaction(async |tx| {
        check_conference_refs(tx, &conf).await?;
        db::conferences::insert(tx, &conf).await?;
        let saved = db::conferences::get(tx, conf.row.id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        record(
            tx,
            caller,
            Change {
                action: "conference.created",
                entity: "conference",
                entity_id: saved.row.id.to_string(),
                after: Some(conference_json(&saved)),
                ..Default::default()
            },
        )
        .await?;
        Ok(saved)
    })
    .await
}

pub async fn replace_conference(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    mut conf: Conference,
) -> AppResult<Conference> {
    caller.require_admin()?;
    normalise_conference(&mut conf);
    db.transaction(async |tx| {
        let before_row = db::conferences::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        check_version(expected, before_row.version)?;
        if before_row.bloc_id != conf.row.bloc_id {
            return Err(AppError::new(ErrorCode::BlocImmutable));
        }
        let before = db::conferences::get(tx, id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        conf.row.id = id;
        for r in &mut conf.representatives {
            r.conference_id = id;
        }
        for d in &mut conf.documents {
            d.conference_id = id;
        }
        check_conference_refs(tx, &conf).await?;
        db::conferences::replace(tx, &conf).await?;
        let saved = db::conferences::get(tx, id)
            .await?
            .ok_or(AppError::not_found("conference"))?;
        record(
            tx,
            caller,
            Change {
                action: "conference.replaced",
                entity: "conference",
                entity_id: id.to_string(),
                before: Some(conference_json(&before)),
                after: Some(conference_json(&saved)),
                ..Default::default()
            },
        )
        .await?;
        Ok(saved)
    })
    .await
}

fn normalise_conference(conf: &mut Conference) {
    conf.row.title = nfc(&conf.row.title);
    conf.row.location = opt_nfc(conf.row.location.take());
    conf.attendees.sort();
    conf.attendees.dedup();
    for r in &mut conf.representatives {
        r.full_name = nfc(&r.full_name);
        r.position = opt_nfc(r.position.take());
    }
    for d in &mut conf.documents {
        d.title = nfc(&d.title);
        d.sha256 = d.sha256.take().map(|s| s.to_ascii_lowercase());
    }
}

pub async fn get_conference(db: &Db, id: Uuid) -> AppResult<Conference> {
    db.read(async |c| db::conferences::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("conference"))
}

pub async fn list_conferences(
    db: &Db,
    bloc_id: Option<Uuid>,
    year: Option<i32>,
    page: PageRequest,
) -> AppResult<(Vec<Conference>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let mut rows = db
        .read(async |c| db::conferences::list(c, bloc_id, year, after, page.limit + 1).await)
        .await?;
    let next = page.next_cursor(&mut rows, |c| Cursor::from_uuid(c.row.id));
    Ok((rows, next))
}
