//! Draft, list, read and edit a pledge.

use actix_web::{get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::PledgeView;
use super::items::{ItemBody, items_of};
use crate::AppState;
use crate::api::extract::{IfMatch, ListQuery, PageParams, ValidatedJson, double_option};
use crate::api::reads::ReadDb;
use crate::api::respond::{Created, Page, Tagged};
use crate::auth::Principal;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::PledgeStatus;
use crate::error::{AppError, Problem};
use crate::service::pledges::{self as svc, Pledge};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"blocId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "year": 2021,
    "title": "Giao ước thi đua năm 2021", "theme": "Đoàn kết, kỷ cương, đổi mới, sáng tạo",
    "items": [{"text": "Thi đua hoàn thành xuất sắc nhiệm vụ", "targets": []},
              {"text": "Phát động phong trào thi đua", "targets": [{"kind": "percentage", "subject": "member_units",
               "label": "Đơn vị phát động và đăng ký thi đua", "comparator": "gte", "target": 100}]}]}))]
pub struct CreatePledgeBody {
    pub bloc_id: Uuid,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub title: String,
    /// Chủ đề hành động: the year's motto.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub theme: Option<String>,
    /// The conference that adopted it.
    pub adopted_at_conference_id: Option<Uuid>,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub items: Vec<ItemBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"title": null, "theme": "Đoàn kết, kỷ cương, đổi mới, sáng tạo, khát vọng phát triển, thi đua hoàn thành xuất sắc nhiệm vụ phát triển kinh tế – xã hội năm 2021", "adoptedAtConferenceId": "0179e3b6-8089-72a7-babf-baa649807f8e"}))]
pub struct EditPledgeBody {
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 2000))]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub theme: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub adopted_at_conference_id: Option<Option<Uuid>>,
}

/// A pledge in a list (without items).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01797f72-3aee-78d9-a49e-efe6d270c029", "termId": "017920f9-aab8-7494-ab2a-c2ee92455fe0", "title": "Giao ước thi đua năm 2021 – Khối thi đua Văn hóa – Xã hội", "status": "in_force", "version": 1}))]
pub struct PledgeSummary {
    #[schema(value_type = Uuid)]
    pub id: PledgeId,
    pub term_id: Uuid,
    pub title: String,
    pub status: PledgeStatus,
    pub version: i32,
}

impl From<Pledge> for PledgeSummary {
    fn from(p: Pledge) -> Self {
        PledgeSummary {
            id: p.id,
            term_id: p.term_id,
            title: p.title,
            status: p.status,
            version: p.version,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PledgeQuery {
    pub bloc_id: Option<Uuid>,
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    pub status: Option<PledgeStatus>,
}

/// Draft a pledge for a bloc's term, with its items and targets.
///
/// The head unit's leader or officers, or the admin (P2). One pledge per term
/// that is not withdrawn (P1). Targets obey T1/T2.
#[utoipa::path(
    tag = "pledges",
    operation_id = "createPledge",
    request_body = CreatePledgeBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = PledgeView, description = "Drafted"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit` (P2), `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`: no term for the bloc and year"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_exists` (P1)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_target` (T2), `unknown_conference`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreatePledgeBody>,
) -> Result<Created<PledgeView>, AppError> {
    let b = body.into_inner();
    let full = svc::create(
        &state.db,
        &caller,
        svc::CreatePledge {
            bloc_id: b.bloc_id,
            year: b.year,
            title: b.title,
            theme: b.theme,
            conference_id: b.adopted_at_conference_id,
            items: items_of(b.items),
        },
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/pledges/{}", full.pledge.id),
        full.into(),
    ))
}

/// List pledges.
///
/// Pledges (giao ước thi đua), filtered by bloc, year and status,
/// keyset-paginated. Any signed-in caller (a person with any role, or a service
/// client with the `read` scope) may call it.
#[utoipa::path(
    tag = "pledges",
    operation_id = "listPledges",
    params(PledgeQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<PledgeSummary>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges")]
pub async fn list(
    reads: ReadDb,
    _caller: Principal,
    q: ListQuery<PledgeQuery>,
) -> Result<Page<PledgeSummary>, AppError> {
    let (q, page) = (q.filter, q.page);
    let filter = svc::PledgeFilter {
        bloc_id: q.bloc_id,
        year: q.year,
        status: q.status,
    };
    Ok(svc::list(&reads, filter, page).await?.into())
}

/// Get a pledge.
///
/// Items, targets, and who signed when and who has not (P4, P5), with the
/// `ETag`. Any signed-in caller (a person with any role, or a service client
/// with the `read` scope) may call it.
#[utoipa::path(
    tag = "pledges",
    operation_id = "getPledge",
    params(("id" = Uuid, Path, description = "Pledge id")),
    responses(
        (status = 200, body = PledgeView, description = "The pledge; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<PledgeId>,
) -> Result<Tagged<PledgeView>, AppError> {
    Ok(Tagged(svc::get(&state.db, *id).await?.into()))
}

/// Change a draft pledge's title, theme or conference.
///
/// The head unit's leader or officers, or the admin (`not_head_unit`). Only
/// while the pledge is a draft (P3: `pledge_not_draft`); a closed or withdrawn
/// pledge is read-only (P6).
#[utoipa::path(
    tag = "pledges",
    operation_id = "updatePledge",
    request_body = EditPledgeBody,
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Changed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_not_draft` (P3), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_conference`"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/pledges/{id}")]
pub async fn edit(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    if_match: IfMatch,
    body: ValidatedJson<EditPledgeBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    let b = body.into_inner();
    let cmd = svc::EditPledge {
        title: b.title,
        theme: b.theme,
        conference_id: b.adopted_at_conference_id,
    };
    Ok(Tagged(
        svc::edit(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}
