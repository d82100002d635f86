//! The pledge's items and targets: replace them, reorder them (draft only).

use actix_web::{post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::PledgeView;
use crate::AppState;
use crate::api::extract::{IfMatch, ValidatedJson};
use crate::api::respond::Tagged;
use crate::auth::Principal;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{Comparator, Subject, TargetKind};
use crate::error::{AppError, Problem};
use crate::service::pledges as svc;

/// A measurable indicator of an item (chỉ tiêu).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"kind": "percentage", "subject": "staff", "label": "CCVC-LĐ đạt \"Lao động tiên tiến\" trở lên", "comparator": "gte", "target": 100}))]
pub struct TargetBody {
    pub kind: TargetKind,
    pub subject: Subject,
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub label: String,
    /// Required for percentage, count, boolean (`eq`); absent for qualitative.
    pub comparator: Option<Comparator>,
    /// Percentage: (0, 100]; count: ≥ 0; boolean: 1 (done) or 0; qualitative: absent (T2).
    pub target: Option<i64>,
    #[validate(range(min = 0, max = 1000))]
    #[schema(minimum = 0, maximum = 1000)]
    pub weight: Option<i32>,
}

/// A commitment of the pledge (nội dung).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ItemBody {
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 4000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub text: String,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub targets: Vec<TargetBody>,
}

pub(super) fn items_of(items: Vec<ItemBody>) -> Vec<svc::ItemInput> {
    items
        .into_iter()
        .map(|i| svc::ItemInput {
            text: i.text,
            targets: i
                .targets
                .into_iter()
                .map(|t| svc::TargetInput {
                    kind: t.kind,
                    subject: t.subject,
                    label: t.label,
                    comparator: t.comparator,
                    target: t.target,
                    weight: t.weight,
                })
                .collect(),
        })
        .collect()
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"items": [{"text": "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị, chuyên môn năm 2021", "targets": []}, {"text": "Các đơn vị phát động, triển khai phong trào thi đua, xây dựng kế hoạch và đăng ký thi đua năm 2021", "targets": [{"kind": "percentage", "subject": "member_units", "label": "Đơn vị tổ chức phát động và đăng ký thi đua", "comparator": "gte", "target": 100}]}]}))]
pub struct ReplaceItemsBody {
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub items: Vec<ItemBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"itemIds": ["017905fa-9ee1-7644-8936-8bf571a0a3e6", "0179615c-7fae-72a6-8ad0-9f1f72d39b64"]}))]
pub struct ReorderBody {
    /// Every current item id, in the new order.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100)]
    pub item_ids: Vec<Uuid>,
}

/// Replace every item and target of a draft pledge.
///
/// The head unit's leader or officers, or the admin (`not_head_unit`). Draft
/// only (P3). Each target's kind, comparator and value are checked (T1, T2:
/// `invalid_target`).
#[utoipa::path(
    tag = "pledges",
    operation_id = "replacePledgeItems",
    request_body = ReplaceItemsBody,
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Replaced"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_not_draft` (P3), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_target` (T2)"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/pledges/{id}/items")]
pub async fn replace_items(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    if_match: IfMatch,
    body: ValidatedJson<ReplaceItemsBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    let items = items_of(body.into_inner().items);
    Ok(Tagged(
        svc::replace_items(&state.db, &caller, *id, if_match.0, items)
            .await?
            .into(),
    ))
}

/// Put a draft pledge's items in a new order.
///
/// The head unit's leader or officers, or the admin (`not_head_unit`).
/// `itemIds` must list every item once (`not_a_permutation`). Draft only (P3),
/// never on a read-only pledge (P6).
#[utoipa::path(
    tag = "pledges",
    operation_id = "reorderPledgeItems",
    request_body = ReorderBody,
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Reordered"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_not_draft` (P3), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `not_a_permutation`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/item-order")]
pub async fn reorder(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    if_match: IfMatch,
    body: ValidatedJson<ReorderBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    Ok(Tagged(
        svc::reorder_items(
            &state.db,
            &caller,
            *id,
            if_match.0,
            body.into_inner().item_ids,
        )
        .await?
        .into(),
    ))
}
