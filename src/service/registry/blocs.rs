//! Emulation blocs (khối, cụm thi đua): create, read, change.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::{code_taken, opt_nfc};
use crate::auth::Principal;
use crate::db::blocs::{BlocChanges, BlocRow, NewBloc};
use crate::db::{self, Db};
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::registry::BlocKind;
use crate::error::{AppError, AppResult, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record, update};

/// A bloc as the use cases return it; its serialisation is what the audit
/// trail records.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bloc {
    pub id: Uuid,
    pub code: String,
    pub name: String,
    pub kind: BlocKind,
    pub description: Option<String>,
    /// B3: the same unit may not head the bloc two years running.
    pub rotate_head: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<BlocRow> for Bloc {
    fn from(b: BlocRow) -> Self {
        Bloc {
            id: b.id,
            code: b.code,
            name: b.name,
            kind: b.kind,
            description: b.description,
            rotate_head: b.rotate_head,
            version: b.version,
            created_at: b.created_at,
            updated_at: b.updated_at,
        }
    }
}

impl Audited for Bloc {
    const ENTITY: &'static str = "bloc";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
}

pub struct CreateBloc {
    pub code: String,
    pub name: String,
    pub kind: BlocKind,
    pub description: Option<String>,
    pub rotate_head: bool,
}

/// What a change names; `None`: unchanged (`description: Some(None)` clears it).
#[derive(Debug, Default)]
pub struct UpdateBloc {
    pub name: Option<String>,
    pub kind: Option<BlocKind>,
    pub description: Option<Option<String>>,
    pub rotate_head: Option<bool>,
}

/// Which blocs a list shows.
#[derive(Debug, Default)]
pub struct BlocFilter {
    pub kind: Option<BlocKind>,
    /// Exact and case-insensitive: codes are stored upper-case.
    pub code: Option<String>,
}

pub async fn create_bloc(db: &Db, caller: &Principal, cmd: CreateBloc) -> AppResult<Bloc> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let bloc: Bloc = db::blocs::insert(
            tx,
            NewBloc {
                id: Uuid::now_v7(),
                code: cmd.code.trim().to_uppercase(),
                name: nfc(&cmd.name),
                kind: cmd.kind,
                description: opt_nfc(cmd.description),
                rotate_head: cmd.rotate_head,
            },
        )
        .await
        .on_constraint("blocs_code_key", code_taken("khối / bloc"))?
        .into();
        record(tx, caller, Change::created("bloc.created", &bloc)).await?;
        Ok(bloc)
    })
    .await
}

pub async fn get_bloc(db: &Db, id: Uuid) -> AppResult<Bloc> {
    db.read(async |c| db::blocs::get(c, id).await)
        .await?
        .map(Bloc::from)
        .ok_or(AppError::not_found("bloc"))
}

/// The bloc with this code, if there is one.
pub async fn find_bloc(db: &Db, code: &str) -> AppResult<Option<Bloc>> {
    Ok(db
        .read(async |c| db::blocs::by_code(c, code).await)
        .await?
        .map(Bloc::from))
}

/// Ordered by code, keyset-paged.
pub async fn list_blocs(db: &Db, filter: BlocFilter, page: PageRequest) -> AppResult<Page<Bloc>> {
    let after = page.cursor.as_ref().map(Cursor::code).transpose()?;
    let code = filter.code.map(|c| c.trim().to_uppercase());
    let rows = db
        .read(async |c| {
            db::blocs::list(
                c,
                filter.kind,
                code.as_deref(),
                after.as_deref(),
                page.fetch(),
            )
            .await
        })
        .await?;
    Ok(page
        .page(rows, |b| Cursor::from_code(&b.code))
        .map(Bloc::from))
}

pub async fn update_bloc(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    cmd: UpdateBloc,
) -> AppResult<Bloc> {
    caller.require_admin()?;
    let changes = BlocChanges {
        name: cmd.name.as_deref().map(nfc),
        kind: cmd.kind,
        description: cmd.description.map(opt_nfc),
        rotate_head: cmd.rotate_head,
    };
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "bloc.updated",
            expected,
            async |tx| Ok(db::blocs::lock(tx, id).await?.map(Bloc::from)),
            async |tx, _| Ok(db::blocs::update(tx, id, changes).await?.into()),
        )
        .await
    })
    .await
}
