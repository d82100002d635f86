//! Draft, read, list and edit a pledge (P1–P3).

use uuid::Uuid;

use super::items::{ItemInput, build_items};
use super::{Pledge, PledgeDetail, Rows, load_detail, lock_for_change};
use crate::auth::Principal;
use crate::db::pledges::PledgeChanges;
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::ids::PledgeId;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::pledge::{self as rules, PledgeStatus};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Change, record, require_head_or_admin};

pub struct CreatePledge {
    pub bloc_id: Uuid,
    pub year: i32,
    pub title: String,
    pub theme: Option<String>,
    pub conference_id: Option<Uuid>,
    pub items: Vec<ItemInput>,
}

/// A conference named for the pledge must be the bloc's.
async fn check_conference(c: &mut Conn, conference: Option<Uuid>, bloc_id: Uuid) -> AppResult<()> {
    if let Some(conf) = conference {
        let found = db::conferences::get(c, conf).await?;
        if found.is_none_or(|c| c.row.bloc_id != bloc_id) {
            return Err(AppError::new(ErrorCode::UnknownConference));
        }
    }
    Ok(())
}

/// P1, P2, T1, T2: the head unit drafts the term's one pledge.
pub async fn create(db: &Db, caller: &Principal, cmd: CreatePledge) -> AppResult<PledgeDetail> {
    let pledge_id = PledgeId::generate();
    let (items, targets) = build_items(pledge_id, cmd.items)?;
    db.transaction(async |tx| {
        let term = db::blocs::term(tx, cmd.bloc_id, cmd.year)
            .await?
            .ok_or(AppError::not_found("term"))?;
        require_head_or_admin(caller, &term)?;
        if db::pledges::of_term(tx, term.id).await?.is_some() {
            return Err(RuleViolation::PledgeExists.into());
        }
        check_conference(tx, cmd.conference_id, cmd.bloc_id).await?;
        let row = db::pledges::insert(
            tx,
            pledge_id,
            term.id,
            &nfc(&cmd.title),
            cmd.theme.as_deref().map(nfc).as_deref(),
            cmd.conference_id,
        )
        .await
        .on_constraint("pledges_one_per_term", || RuleViolation::PledgeExists)?;
        db::pledges::insert_items(tx, &items, &targets).await?;
        let change = Change::created("pledge.created", &Pledge::from(row.clone()));
        record(
            tx,
            caller,
            Change {
                organization_id: Some(term.head_id),
                ..change
            },
        )
        .await?;
        load_detail(tx, row).await
    })
    .await
}

/// One statement (`db::pledges::full`).
pub async fn get(db: &Db, id: PledgeId) -> AppResult<PledgeDetail> {
    let full = db
        .read(async |c| db::pledges::full(c, id).await)
        .await?
        .ok_or(AppError::not_found("pledge"))?;
    Ok(Rows::from(full).into())
}

/// Which pledges a list shows.
#[derive(Debug, Clone, Default)]
pub struct PledgeFilter {
    pub bloc_id: Option<Uuid>,
    pub year: Option<i32>,
    pub status: Option<PledgeStatus>,
}

pub async fn list(db: &Db, filter: PledgeFilter, page: PageRequest) -> AppResult<Page<Pledge>> {
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let rows = db
        .read(async |c| {
            let terms = match (filter.bloc_id, filter.year) {
                (None, None) => None,
                _ => Some(db::blocs::term_ids(c, filter.bloc_id, filter.year).await?),
            };
            db::pledges::list(c, terms.as_deref(), filter.status, after, page.fetch()).await
        })
        .await?;
    Ok(page
        .page(rows, |p| Cursor::from_uuid(p.id.uuid()))
        .map(Pledge::from))
}

pub struct EditPledge {
    pub title: Option<String>,
    pub theme: Option<Option<String>>,
    pub conference_id: Option<Option<Uuid>>,
}

/// P3: the pledge's text changes only in draft.
pub async fn edit(
    db: &Db,
    caller: &Principal,
    id: PledgeId,
    expected: Option<i32>,
    cmd: EditPledge,
) -> AppResult<PledgeDetail> {
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        rules::require_editable(before.status)?;
        check_conference(tx, cmd.conference_id.flatten(), term.bloc_id).await?;
        let after = db::pledges::update(
            tx,
            id,
            PledgeChanges {
                title: cmd.title.as_deref().map(nfc),
                theme: cmd.theme.map(|t| t.map(|v| nfc(&v))),
                adopted_at_conference_id: cmd.conference_id,
                ..Default::default()
            },
        )
        .await?;
        let change = Change::updated(
            "pledge.updated",
            &Pledge::from(before),
            &Pledge::from(after.clone()),
        );
        record(
            tx,
            caller,
            Change {
                organization_id: Some(term.head_id),
                ..change
            },
        )
        .await?;
        load_detail(tx, after).await
    })
    .await
}
