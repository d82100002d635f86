//! E1: the term's scoring scheme, by hand or from a template.

use actix_web::{get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::extract::{IfMatch, ValidatedJson};
use crate::api::respond::{Tagged, Upserted, Versioned};
use crate::auth::Principal;
use crate::domain::evaluation::{CriterionKind, TemplateSource};
use crate::error::{AppError, Problem};
use crate::service::evaluation::{self as svc, Scheme};

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CriterionBody {
    #[validate(
        length(min = 1, max = 32),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 32,
        example = "A1",
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub code: String,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub text: String,
    pub kind: CriterionKind,
    /// Content and bonus: the maximum (> 0).
    pub max_points: Option<i32>,
    /// Penalty: the minimum (< 0).
    pub min_points: Option<i32>,
    /// Show this pledge item's compliance beside the criterion.
    pub pledge_item_id: Option<Uuid>,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SectionBody {
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
    #[validate(length(min = 1, max = 200), nested)]
    #[schema(min_items = 1, max_items = 200)]
    pub criteria: Vec<CriterionBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"totalCap": 1000, "sections": [
    {"title": "A. Nội dung thi đua", "criteria": [{"code": "A1", "text": "Thực hiện nhiệm vụ chính trị", "kind": "content", "maxPoints": 950}]},
    {"title": "B. Điểm thưởng, điểm trừ", "criteria": [{"code": "B1", "text": "Sáng kiến", "kind": "bonus", "maxPoints": 50},
                                                      {"code": "C1", "text": "Vi phạm kỷ luật", "kind": "penalty", "minPoints": -20}]}]}))]
pub struct SchemeBody {
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub total_cap: i32,
    #[validate(length(min = 1, max = 50), nested)]
    #[schema(min_items = 1, max_items = 50)]
    pub sections: Vec<SectionBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"source": "standard"}))]
pub struct TemplateBody {
    pub source: TemplateSource,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriterionView {
    pub id: Uuid,
    pub code: String,
    pub text: String,
    pub kind: CriterionKind,
    pub min_points: i32,
    pub max_points: i32,
    pub pledge_item_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionView {
    pub id: Uuid,
    pub title: String,
    pub criteria: Vec<CriterionView>,
}

/// A term's scoring scheme (thang điểm).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0179f130-44cb-71ed-ae3a-210c16536ad5", "termId": "017920f9-aab8-7494-ab2a-c2ee92455fe0", "totalCap": 1000, "sections": [{"id": "0179ab3a-11a2-7be7-a0cb-271bac7005a3", "title": "Thực hiện nhiệm vụ chính trị, chuyên môn", "criteria": [{"id": "0179b2e6-8d9b-7414-a5ef-0bb19db83622", "code": "A1", "text": "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị, chuyên môn năm 2021", "kind": "content", "minPoints": 1, "maxPoints": 1, "pledgeItemId": "0179ea55-e72f-7a82-8aaf-d67a38adea7d"}]}], "version": 1}))]
pub struct SchemeView {
    pub id: Uuid,
    pub term_id: Uuid,
    pub total_cap: i32,
    pub sections: Vec<SectionView>,
    pub version: i32,
}

impl Versioned for SchemeView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<Scheme> for SchemeView {
    fn from(s: Scheme) -> Self {
        SchemeView {
            id: s.id,
            term_id: s.term_id,
            total_cap: s.total_cap,
            sections: s
                .sections
                .into_iter()
                .map(|sec| SectionView {
                    id: sec.id,
                    title: sec.title,
                    criteria: sec
                        .criteria
                        .into_iter()
                        .map(|c| CriterionView {
                            id: c.id,
                            code: c.code,
                            text: c.text,
                            kind: c.kind,
                            min_points: c.min_points,
                            max_points: c.max_points,
                            pledge_item_id: c.pledge_item_id,
                        })
                        .collect(),
                })
                .collect(),
            version: s.version,
        }
    }
}

fn sections_of(body: Vec<SectionBody>) -> Vec<svc::SectionInput> {
    body.into_iter()
        .map(|s| svc::SectionInput {
            title: s.title,
            criteria: s
                .criteria
                .into_iter()
                .map(|c| svc::CriterionInput {
                    code: c.code,
                    text: c.text,
                    kind: c.kind,
                    min_points: c.min_points.unwrap_or(0),
                    max_points: c.max_points.unwrap_or(0),
                    pledge_item_id: c.pledge_item_id,
                })
                .collect(),
        })
        .collect()
}

/// Set the term's scoring scheme (the head or the admin).
///
/// Editable until the first score is entered, then fixed (E1). `201` with
/// `Location` when the term had no scheme, `200` when it replaces one.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "putScoringScheme",
    request_body = SchemeBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year"),
           ("If-Match" = Option<String>, Header, description = "ETag of the scheme you read")),
    responses(
        (status = 200, body = SchemeView, description = "Replaced; `ETag` set"),
        (status = 201, body = SchemeView, description = "Created; `Location` and `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`scheme_frozen` (E1)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_scheme` (E1), `unknown_pledge_item`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/scoring-scheme")]
pub async fn put_scheme(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    if_match: IfMatch,
    body: ValidatedJson<SchemeBody>,
) -> Result<Upserted<SchemeView>, AppError> {
    let (bloc, year) = path.into_inner();
    let b = body.into_inner();
    let (scheme, created) = svc::put_scheme(
        &state.db,
        &caller,
        bloc,
        year,
        if_match.0,
        b.total_cap,
        sections_of(b.sections),
    )
    .await?;
    Ok(Upserted::new(
        created,
        format!("/api/v1/blocs/{bloc}/terms/{year}/scoring-scheme"),
        SchemeView::from(scheme),
    ))
}

/// Fill the scheme from a template.
///
/// The head unit's leader or officers, or the admin (`not_head_unit`). Copies
/// the 1,000-point frame, or last year's scheme of the bloc
/// (`no_previous_scheme` when there is none). Only while no score is entered
/// (E1: `scheme_frozen`).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "copyScoringSchemeTemplate",
    request_body = TemplateBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = SchemeView, description = "The scheme"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`scheme_frozen` (E1), `no_previous_scheme`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/blocs/{id}/terms/{year}/scoring-scheme/template")]
pub async fn scheme_template(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<TemplateBody>,
) -> Result<Tagged<SchemeView>, AppError> {
    let (bloc, year) = path.into_inner();
    let source = body.into_inner().source;
    Ok(Tagged(
        svc::scheme_template(&state.db, &caller, bloc, year, source)
            .await?
            .into(),
    ))
}

/// The term's scoring scheme.
///
/// Sections and criteria with their point bounds (E1); the total is capped. Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getScoringScheme",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = SchemeView, description = "The scheme"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/scoring-scheme")]
pub async fn get_scheme(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<Tagged<SchemeView>, AppError> {
    let (bloc, year) = path.into_inner();
    Ok(Tagged(svc::get_scheme(&state.db, bloc, year).await?.into()))
}
