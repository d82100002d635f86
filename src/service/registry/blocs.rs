//! Emulation blocs (khối, cụm thi đua): create, read, change.

use serde_json::json;
use uuid::Uuid;

use super::{code_taken, opt_nfc};
use crate::auth::Principal;
use crate::db::blocs::{BlocChanges, BlocRow, NewBloc};
use crate::db::{self, Db};
use crate::domain::paging::{Cursor, PageRequest};
use crate::domain::registry::BlocKind;
use crate::error::{AppError, AppResult, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Change, check_version, record};

pub struct CreateBloc {
    pub code: String,
    pub name: String,
    pub kind: BlocKind,
    pub description: Option<String>,
    pub rotate_head: bool,
}

fn bloc_json(b: &BlocRow) -> serde_json::Value {
    json!({"id": b.id, "code": b.code, "name": b.name, "kind": b.kind, "description": b.description,
           "rotateHead": b.rotate_head, "version": b.version})
}

pub async fn create_bloc(db: &Db, caller: &Principal, cmd: CreateBloc) -> AppResult<BlocRow> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let bloc = db::blocs::insert(
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
        .on_constraint("blocs_code_key", code_taken("khối / bloc"))?;
        record(
            tx,
            caller,
            Change {
                action: "bloc.created",
                entity: "bloc",
                entity_id: bloc.id.to_string(),
                after: Some(bloc_json(&bloc)),
                ..Default::default()
            },
        )
        .await?;
        Ok(bloc)
    })
    .await
}

pub async fn get_bloc(db: &Db, id: Uuid) -> AppResult<BlocRow> {
    db.read(async |c| db::blocs::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("bloc"))
}

pub async fn list_blocs(
    db: &Db,
    kind: Option<BlocKind>,
    page: PageRequest,
) -> AppResult<(Vec<BlocRow>, Option<String>)> {
    let after = page.cursor.as_ref().map(Cursor::code).transpose()?;
    let mut rows = db
        .read(async |c| db::blocs::list(c, kind, after.as_deref(), page.limit + 1).await)
        .await?;
    let next = page.next_cursor(&mut rows, |b| Cursor::from_code(&b.code));
    Ok((rows, next))
}

pub async fn update_bloc(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected: Option<i32>,
    changes: BlocChanges,
) -> AppResult<BlocRow> {
    caller.require_admin()?;
    let changes = BlocChanges {
        name: changes.name.as_deref().map(nfc),
        description: changes.description.map(opt_nfc),
        ..changes
    };
    db.transaction(async |tx| {
        let before = db::blocs::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("bloc"))?;
        check_version(expected, before.version)?;
        let after = db::blocs::update(tx, id, changes).await?;
        record(
            tx,
            caller,
            Change {
                action: "bloc.updated",
                entity: "bloc",
                entity_id: id.to_string(),
                before: Some(bloc_json(&before)),
                after: Some(bloc_json(&after)),
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}
