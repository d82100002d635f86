//! `/api/v1/blocs`: emulation blocs (khối / cụm thi đua) and their yearly terms.

use actix_web::http::header;
use actix_web::{HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

mod cutoff;
pub use cutoff::*;

use super::extract::{IfMatch, ListQuery, PageParams, ValidatedJson, double_option};
use super::organizations::CODE_RE;
use super::respond::{Created, Page, Tagged, Versioned, etag};
use crate::AppState;
use crate::api::reads::ReadDb;
use crate::auth::Principal;
use crate::domain::registry::BlocKind;
use crate::error::{AppError, Problem};
use crate::service::registry::{self, Bloc, HeadSuggestion, Term};

/// An emulation bloc.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "017970bb-41af-7e01-901d-9133d22ebf08", "code": "VHXH", "name": "Khối thi đua Văn hóa – Xã hội", "kind": "khoi", "description": null, "rotateHead": true, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct BlocView {
    pub id: Uuid,
    #[schema(example = "VHXH")]
    pub code: String,
    #[schema(example = "Khối thi đua Văn hóa – Xã hội")]
    pub name: String,
    pub kind: BlocKind,
    pub description: Option<String>,
    /// B3: the same unit may not head the bloc two years running.
    pub rotate_head: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Bloc> for BlocView {
    fn from(b: Bloc) -> Self {
        BlocView {
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

impl Versioned for BlocView {
    fn version(&self) -> i32 {
        self.version
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"code": "VHXH", "name": "Khối thi đua Văn hóa – Xã hội", "kind": "khoi"}))]
pub struct CreateBlocBody {
    #[validate(regex(path = *CODE_RE))]
    #[schema(pattern = "^[A-Za-z0-9_-]{2,32}$")]
    pub code: String,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub name: String,
    pub kind: BlocKind,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    /// Default `true`.
    pub rotate_head: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"rotateHead": false}))]
pub struct UpdateBlocBody {
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub name: Option<String>,
    pub kind: Option<BlocKind>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(max = 4000))]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub description: Option<Option<String>>,
    pub rotate_head: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct BlocQuery {
    pub kind: Option<BlocKind>,
    /// Only the bloc with this code (exact, case-insensitive: `vhxh` finds `VHXH`).
    #[validate(regex(path = *CODE_RE))]
    #[param(pattern = "^[A-Za-z0-9_-]{2,32}$", example = "VHXH")]
    pub code: Option<String>,
}

impl From<UpdateBlocBody> for registry::UpdateBloc {
    fn from(b: UpdateBlocBody) -> Self {
        registry::UpdateBloc {
            name: b.name,
            kind: b.kind,
            description: b.description,
            rotate_head: b.rotate_head,
        }
    }
}

/// A member unit as listed in a term.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TermMember {
    pub id: Uuid,
    #[schema(example = "BDT")]
    pub code: String,
    #[schema(example = "Ban Dân tộc tỉnh")]
    pub name: String,
}

/// A bloc's membership, head and deputy for one year (nhiệm kỳ).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01790371-d7f8-77f6-b813-60bf5aa61c4c", "blocId": "017970bb-41af-7e01-901d-9133d22ebf08", "year": 2021, "memberIds": ["01794f3d-b2ef-7f06-83c6-d5d5d4e349d8", "0179b51d-d3f5-78e0-8338-c730939629d4", "017944e7-164b-7385-842f-78af5fdc3b5f", "01797193-3c24-7e2c-87b1-217d0159205c", "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "0179adda-5387-73a8-b38d-19774f1e0910", "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "01792674-5c78-7f52-98db-545509fc3aeb", "017993be-f4a4-77fd-934f-3991a038c475"], "members": [{"id": "01794f3d-b2ef-7f06-83c6-d5d5d4e349d8", "code": "SGDDT", "name": "Sở Giáo dục và Đào tạo"}, {"id": "0179b51d-d3f5-78e0-8338-c730939629d4", "code": "SLDTBXH", "name": "Sở Lao động – Thương binh và Xã hội"}, {"id": "017944e7-164b-7385-842f-78af5fdc3b5f", "code": "STTTT", "name": "Sở Thông tin và Truyền thông"}, {"id": "01797193-3c24-7e2c-87b1-217d0159205c", "code": "SVHTTDL", "name": "Sở Văn hóa, Thể thao và Du lịch"}, {"id": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "code": "SYT", "name": "Sở Y tế"}, {"id": "0179adda-5387-73a8-b38d-19774f1e0910", "code": "SKHCN", "name": "Sở Khoa học và Công nghệ"}, {"id": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "code": "BDT", "name": "Ban Dân tộc tỉnh"}, {"id": "01792674-5c78-7f52-98db-545509fc3aeb", "code": "DPTTH", "name": "Đài Phát thanh và Truyền hình tỉnh"}, {"id": "017993be-f4a4-77fd-934f-3991a038c475", "code": "VQGTD", "name": "Vườn quốc gia Tam Đảo"}], "headId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "deputyId": null, "reportingCutoff": "2021-12-31", "registrationDeadline": "2021-04-30", "frozen": true, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct TermView {
    pub id: Uuid,
    pub bloc_id: Uuid,
    #[schema(example = 2021)]
    pub year: i32,
    /// The member units' ids, as written in `PUT` (`memberIds`), ordered
    /// like `members`.
    pub member_ids: Vec<Uuid>,
    /// The same members with their code and name, ordered by code.
    pub members: Vec<TermMember>,
    pub head_id: Uuid,
    pub deputy_id: Option<Uuid>,
    /// No progress report is accepted after this date (T8).
    pub reporting_cutoff: NaiveDate,
    /// No registration (đăng ký thi đua) of a member is accepted after this
    /// date, but from the admin; none: no deadline set.
    pub registration_deadline: Option<NaiveDate>,
    /// B4: the pledge is open; changes need the admin and a reason.
    pub frozen: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Term> for TermView {
    fn from(t: Term) -> Self {
        TermView {
            id: t.id,
            bloc_id: t.bloc_id,
            year: t.year,
            member_ids: t.members.iter().map(|m| m.id).collect(),
            members: t
                .members
                .into_iter()
                .map(|m| TermMember {
                    id: m.id,
                    code: m.code,
                    name: m.name,
                })
                .collect(),
            head_id: t.head_id,
            deputy_id: t.deputy_id,
            reporting_cutoff: t.reporting_cutoff,
            registration_deadline: t.registration_deadline,
            frozen: t.frozen,
            version: t.version,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

impl Versioned for TermView {
    fn version(&self) -> i32 {
        self.version
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"memberIds": ["0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7e"],
    "headId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "deputyId": null, "reportingCutoff": "2021-12-15"}))]
pub struct PutTermBody {
    /// Member units (not sub-units, not staff: B5).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_items = 1, max_items = 200)]
    pub member_ids: Vec<Uuid>,
    /// A member (B2), not last year's head when the bloc rotates (B3).
    pub head_id: Uuid,
    /// A member other than the head (B2).
    pub deputy_id: Option<Uuid>,
    /// Default: 15 December of the year.
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub reporting_cutoff: Option<NaiveDate>,
    /// Required to change a frozen term (B4); kept in the audit trail.
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub reason: Option<String>,
}

/// Suggested head for a year, with the reason.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "code": "SYT", "lastHeadYear": null, "reason": "Chưa từng làm Trưởng khối"}))]
pub struct HeadSuggestionView {
    pub organization_id: Uuid,
    pub code: String,
    /// The last year it headed this bloc; `null` if never.
    pub last_head_year: Option<i32>,
    /// In the request's language.
    pub reason: String,
}

impl From<HeadSuggestion> for HeadSuggestionView {
    fn from(s: HeadSuggestion) -> Self {
        HeadSuggestionView {
            organization_id: s.organization_id,
            code: s.code,
            last_head_year: s.last_head_year,
            reason: s.reason,
        }
    }
}

/// Create an emulation bloc.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). A bloc (khối) or cluster (cụm) has a unique
/// code (`code_taken`) and whether its head rotates (B3); its members, head and
/// deputy are set per year with `PUT /api/v1/blocs/{id}/terms/{year}`.
#[utoipa::path(
    operation_id = "createBloc",
    tag = "blocs",
    request_body = CreateBlocBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = BlocView, description = "Created"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`code_taken`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/blocs")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateBlocBody>,
) -> Result<Created<BlocView>, AppError> {
    let b = body.into_inner();
    let bloc = registry::create_bloc(
        &state.db,
        &caller,
        registry::CreateBloc {
            code: b.code,
            name: b.name,
            kind: b.kind,
            description: b.description,
            rotate_head: b.rotate_head.unwrap_or(true),
        },
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/blocs/{}", bloc.id),
        bloc.into(),
    ))
}

/// List blocs, ordered by code.
///
/// Emulation blocs and clusters (khối, cụm thi đua), keyset-paginated,
/// optionally filtered by `code` (e.g. `VHXH`). Any signed-in caller (a person
/// with any role, or a service client with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "listBlocs",
    tag = "blocs",
    params(BlocQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<BlocView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs")]
pub async fn list(
    reads: ReadDb,
    _caller: Principal,
    q: ListQuery<BlocQuery>,
) -> Result<Page<BlocView>, AppError> {
    let filter = registry::BlocFilter {
        kind: q.filter.kind,
        code: q.filter.code,
    };
    Ok(registry::list_blocs(&reads, filter, q.page).await?.into())
}

/// Get a bloc.
///
/// A bloc's code, name, kind and head-rotation rule, with its `ETag` for a
/// later `If-Match`. Any signed-in caller (a person with any role, or a service
/// client with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "getBloc",
    tag = "blocs",
    params(("id" = Uuid, Path, description = "Bloc id")),
    responses(
        (status = 200, body = BlocView, description = "The bloc; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<BlocView>, AppError> {
    Ok(Tagged(registry::get_bloc(&state.db, *id).await?.into()))
}

/// Change a bloc.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Send `If-Match` with the ETag you read (412
/// when it changed meanwhile). The yearly terms are changed with their own
/// operation.
#[utoipa::path(
    operation_id = "updateBloc",
    tag = "blocs",
    request_body = UpdateBlocBody,
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = BlocView, description = "Changed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/blocs/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateBlocBody>,
) -> Result<Tagged<BlocView>, AppError> {
    Ok(Tagged(
        registry::update_bloc(
            &state.db,
            &caller,
            *id,
            if_match.0,
            body.into_inner().into(),
        )
        .await?
        .into(),
    ))
}

/// Create or replace a bloc's term for a year (admin).
///
/// Enforces B1 (a unit in one bloc per year), B2 (head and deputy are two
/// different members), B3 (no head two years running, when the bloc rotates)
/// and B5 (only units are members). Once the term's pledge is open (B4) a
/// change needs the admin and a `reason`. `201` when created, `200` when replaced.
#[utoipa::path(
    operation_id = "putTerm",
    tag = "blocs",
    request_body = PutTermBody,
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, minimum = 2000, maximum = 2100, description = "Emulation year (2000–2100)", example = 2021),
        ("If-Match" = Option<String>, Header, description = "ETag of the term you read (when replacing)"),
    ),
    responses(
        (status = 200, body = TermView, description = "Replaced"),
        (status = 201, body = TermView, description = "Created"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`, `invalid_path`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found` (bloc)"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_in_bloc` (B1), `head_deputy_invalid` (B2), `head_two_years_running` (B3), `term_frozen` (B4), `member_not_a_unit` (B5)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`, `duplicate_member`, `invalid_year`, `invalid_cutoff`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}")]
pub async fn put_term(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    if_match: IfMatch,
    body: ValidatedJson<PutTermBody>,
) -> Result<HttpResponse, AppError> {
    let (bloc_id, year) = path.into_inner();
    let b = body.into_inner();
    let cmd = registry::PutTerm {
        member_ids: b.member_ids,
        head_id: b.head_id,
        deputy_id: b.deputy_id,
        reporting_cutoff: b.reporting_cutoff,
        reason: b.reason,
    };
    let (term, created) =
        registry::put_term(&state.db, &caller, bloc_id, year, if_match.0, cmd).await?;
    let view: TermView = term.into();
    let mut res = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag(view.version)));
    if created {
        res.insert_header((
            header::LOCATION,
            format!("/api/v1/blocs/{bloc_id}/terms/{year}"),
        ));
    }
    Ok(res.json(view))
}

/// Get a bloc's term for a year.
///
/// The members, head and deputy for the year (B1, B2, B5), the registration
/// deadline and the reporting cut-off (T8), with the term's `ETag`. Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    operation_id = "getTerm",
    tag = "blocs",
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, description = "Emulation year", example = 2021),
    ),
    responses(
        (status = 200, body = TermView, description = "The term; `ETag` set"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_path`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}")]
pub async fn get_term(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<Tagged<TermView>, AppError> {
    let (bloc_id, year) = path.into_inner();
    Ok(Tagged(
        registry::get_term(&state.db, bloc_id, year).await?.into(),
    ))
}

/// A bloc's terms, newest first.
///
/// The bloc's history year by year: members, head, deputy, registration
/// deadline and reporting cut-off of each term (B1–B5). Any signed-in caller (a
/// person with any role, or a service client with the `read` scope) may call
/// it.
#[utoipa::path(
    operation_id = "listTerms",
    tag = "blocs",
    params(("id" = Uuid, Path, description = "Bloc id")),
    responses(
        (status = 200, body = Page<TermView>, description = "Every term"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms")]
pub async fn list_terms(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Page<TermView>, AppError> {
    Ok(Page::complete(
        registry::term_history(&state.db, *id)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// Suggest the year's head unit.
///
/// The member that has gone longest without being head (one that never was
/// comes first; ties by code), with the reason — the rotation rule B3 as a
/// suggestion; the admin decides with `PUT` on the term. Any signed-in caller
/// (a person with any role, or a service client with the `read` scope) may call
/// it. `no_members_to_suggest` when the term has no members.
#[utoipa::path(
    operation_id = "getHeadSuggestion",
    tag = "blocs",
    params(
        ("id" = Uuid, Path, description = "Bloc id"),
        ("year" = i32, Path, description = "Emulation year", example = 2022),
    ),
    responses(
        (status = 200, body = HeadSuggestionView, description = "The suggestion"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`no_members_to_suggest`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/head-suggestion")]
pub async fn head_suggestion(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<HeadSuggestionView>, AppError> {
    let (bloc_id, year) = path.into_inner();
    Ok(web::Json(
        registry::head_suggestion(&state.db, bloc_id, year)
            .await?
            .into(),
    ))
}
