//! Replace and reorder a draft pledge's items and targets (P3, T1, T2).

use uuid::Uuid;

use super::{PledgeDetail, Target, load_detail, lock_for_change};
use crate::auth::Principal;
use crate::db::pledges::{ItemRow, PledgeChanges, TargetRow};
use crate::db::{self, Db};
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{self as rules, Comparator, Subject, TargetKind};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::nfc;
use crate::service::{Change, record};

pub struct TargetInput {
    pub kind: TargetKind,
    pub subject: Subject,
    pub label: String,
    pub comparator: Option<Comparator>,
    pub target: Option<i64>,
    pub weight: Option<i32>,
}

pub struct ItemInput {
    pub text: String,
    pub targets: Vec<TargetInput>,
}

/// Build item and target rows, checking every target (T1, T2).
pub(super) fn build_items(
    pledge_id: PledgeId,
    items: Vec<ItemInput>,
) -> AppResult<(Vec<ItemRow>, Vec<TargetRow>)> {
    let mut item_rows = Vec::with_capacity(items.len());
    let mut target_rows = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let item_id = Uuid::now_v7();
        item_rows.push(ItemRow {
            id: item_id,
            pledge_id,
            position: i as i32,
            text: nfc(&item.text),
        });
        for (j, t) in item.targets.into_iter().enumerate() {
            let row = TargetRow {
                id: Uuid::now_v7(),
                pledge_id,
                item_id,
                position: j as i32,
                kind: t.kind,
                subject: t.subject,
                label: nfc(&t.label),
                comparator: t.comparator,
                target_value: t.target,
                weight: t.weight,
            };
            rules::validate_target(&Target::from(&row).spec())?;
            target_rows.push(row);
        }
    }
    Ok((item_rows, target_rows))
}

/// P3: replace every item and target (draft only).
pub async fn replace_items(
    db: &Db,
    caller: &Principal,
    id: PledgeId,
    expected: Option<i32>,
    items: Vec<ItemInput>,
) -> AppResult<PledgeDetail> {
    let (item_rows, target_rows) = build_items(id, items)?;
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        rules::require_editable(before.status)?;
        db::pledges::delete_items(tx, id).await?;
        db::pledges::insert_items(tx, &item_rows, &target_rows).await?;
        let after = db::pledges::update(tx, id, PledgeChanges::default()).await?;
        let detail = load_detail(tx, after).await?;
        record(
            tx,
            caller,
            Change {
                action: "pledge.items_replaced",
                entity: "pledge",
                entity_id: id.to_string(),
                after: Some(
                    serde_json::json!({"items": detail.items, "version": detail.pledge.version}),
                ),
                organization_id: Some(term.head_id),
                ..Default::default()
            },
        )
        .await?;
        Ok(detail)
    })
    .await
}

/// P3: a new order of the same items (draft only).
pub async fn reorder_items(
    db: &Db,
    caller: &Principal,
    id: PledgeId,
    expected: Option<i32>,
    ordered: Vec<Uuid>,
) -> AppResult<PledgeDetail> {
    db.transaction(async |tx| {
        let (before, term) = lock_for_change(tx, caller, id, expected).await?;
        rules::require_editable(before.status)?;
        let mut current: Vec<Uuid> = db::pledges::items(tx, id)
            .await?
            .iter()
            .map(|i| i.id)
            .collect();
        let mut given = ordered.clone();
        current.sort();
        given.sort();
        if current != given {
            return Err(AppError::new(ErrorCode::NotAPermutation));
        }
        db::pledges::reorder(tx, id, &ordered).await?;
        let after = db::pledges::update(tx, id, PledgeChanges::default()).await?;
        record(
            tx,
            caller,
            Change {
                action: "pledge.items_reordered",
                entity: "pledge",
                entity_id: id.to_string(),
                after: Some(serde_json::json!({"itemIds": ordered, "version": after.version})),
                organization_id: Some(term.head_id),
                ..Default::default()
            },
        )
        .await?;
        load_detail(tx, after).await
    })
    .await
}
