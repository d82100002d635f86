//! `/api/v1/conferences`: bloc meetings, who attended, what they adopted.

use actix_web::{get, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::{IfMatch, ListQuery, PageParams, ValidatedJson};
use super::respond::{Created, Page, Tagged, Versioned};
use crate::AppState;
use crate::api::reads::ReadDb;
use crate::auth::Principal;
use crate::domain::registry::ConferenceKind;
use crate::error::{AppError, Problem};
use crate::service::registry::{self, Conference, ConferenceRecord};

pub static SHA256_RE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("^[0-9a-fA-F]{64}$").expect("valid regex"));

/// A named person who represented an organisation.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Representative {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Hoàng Minh Ái",
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub full_name: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        example = "Trưởng Ban Dân tộc",
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub position: Option<String>,
    pub organization_id: Option<Uuid>,
}

/// A document adopted at the conference (regulation, plan, …).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AdoptedDocument {
    #[validate(length(min = 1, max = 500))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Quy chế hoạt động Khối thi đua Văn hóa – Xã hội"
    )]
    pub title: String,
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub number: Option<String>,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub date: Option<NaiveDate>,
    #[validate(length(max = 2000), custom(function = "crate::api::checks::web_url"))]
    #[schema(format = "uri", max_length = 2000, pattern = "^https?://")]
    pub url: Option<String>,
    /// Hex SHA-256 of the document file.
    #[validate(regex(path = *SHA256_RE))]
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub sha256: Option<String>,
}

/// A conference as recorded.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01792056-02f4-799d-8f64-5412269501e9", "blocId": "017970bb-41af-7e01-901d-9133d22ebf08", "year": 2021, "kind": "start_of_year", "date": "2021-04-01", "location": "Ban Dân tộc tỉnh", "hostOrganizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "title": "Hội nghị triển khai nhiệm vụ công tác và ký giao ước thi đua năm 2021", "attendeeIds": ["017978a5-deaa-7134-bfb6-9062aaf30cfc", "01794f3d-b2ef-7f06-83c6-d5d5d4e349d8", "0179b51d-d3f5-78e0-8338-c730939629d4", "017944e7-164b-7385-842f-78af5fdc3b5f", "01797193-3c24-7e2c-87b1-217d0159205c", "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "0179adda-5387-73a8-b38d-19774f1e0910", "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "01792674-5c78-7f52-98db-545509fc3aeb", "017993be-f4a4-77fd-934f-3991a038c475"], "representatives": [{"fullName": "Hoàng Minh Ái", "position": "Trưởng Ban Dân tộc", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f"}], "documents": [{"title": "Quy chế hoạt động Khối thi đua Văn hóa – Xã hội", "number": null, "date": "2021-04-01", "url": null, "sha256": null}, {"title": "Kế hoạch hoạt động năm 2021", "number": null, "date": "2021-04-01", "url": null, "sha256": null}], "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct ConferenceView {
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

impl From<registry::Representative> for Representative {
    fn from(r: registry::Representative) -> Self {
        Representative {
            full_name: r.full_name,
            position: r.position,
            organization_id: r.organization_id,
        }
    }
}

impl From<Representative> for registry::Representative {
    fn from(r: Representative) -> Self {
        registry::Representative {
            full_name: r.full_name,
            position: r.position,
            organization_id: r.organization_id,
        }
    }
}

impl From<registry::AdoptedDocument> for AdoptedDocument {
    fn from(d: registry::AdoptedDocument) -> Self {
        AdoptedDocument {
            title: d.title,
            number: d.number,
            date: d.date,
            url: d.url,
            sha256: d.sha256,
        }
    }
}

impl From<AdoptedDocument> for registry::AdoptedDocument {
    fn from(d: AdoptedDocument) -> Self {
        registry::AdoptedDocument {
            title: d.title,
            number: d.number,
            date: d.date,
            url: d.url,
            sha256: d.sha256,
        }
    }
}

impl From<Conference> for ConferenceView {
    fn from(c: Conference) -> Self {
        ConferenceView {
            id: c.id,
            bloc_id: c.bloc_id,
            year: c.year,
            kind: c.kind,
            date: c.date,
            location: c.location,
            host_organization_id: c.host_organization_id,
            title: c.title,
            attendee_ids: c.attendee_ids,
            representatives: c.representatives.into_iter().map(Into::into).collect(),
            documents: c.documents.into_iter().map(Into::into).collect(),
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl Versioned for ConferenceView {
    fn version(&self) -> i32 {
        self.version
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"blocId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "year": 2021, "kind": "start_of_year",
    "date": "2021-04-01", "location": "Ban Dân tộc tỉnh", "hostOrganizationId": null,
    "title": "Hội nghị triển khai nhiệm vụ công tác và ký giao ước thi đua năm 2021",
    "attendeeIds": [], "representatives": [{"fullName": "Hoàng Minh Ái", "position": "Trưởng Ban Dân tộc"}],
    "documents": [{"title": "Quy chế hoạt động Khối thi đua Văn hóa – Xã hội"}]}))]
pub struct ConferenceBody {
    pub bloc_id: Uuid,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    pub kind: ConferenceKind,
    #[validate(custom(function = "crate::api::checks::date"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub date: NaiveDate,
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 300,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub location: Option<String>,
    pub host_organization_id: Option<Uuid>,
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
    #[serde(default)]
    #[validate(length(max = 500))]
    #[schema(max_items = 500)]
    pub attendee_ids: Vec<Uuid>,
    #[serde(default)]
    #[validate(length(max = 500), nested)]
    #[schema(max_items = 500)]
    pub representatives: Vec<Representative>,
    #[serde(default)]
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub documents: Vec<AdoptedDocument>,
}

impl From<ConferenceBody> for ConferenceRecord {
    fn from(b: ConferenceBody) -> Self {
        ConferenceRecord {
            bloc_id: b.bloc_id,
            year: b.year,
            kind: b.kind,
            date: b.date,
            location: b.location,
            host_organization_id: b.host_organization_id,
            title: b.title,
            attendee_ids: b.attendee_ids,
            representatives: b.representatives.into_iter().map(Into::into).collect(),
            documents: b.documents.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ConferenceQuery {
    pub bloc_id: Option<Uuid>,
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}

/// Record a conference.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). A bloc's conference with its date, host,
/// location, attendees and the documents it adopted (e.g. the 2021 conference
/// at Ban Dân tộc tỉnh that adopted the bloc's rules and plan). Unknown bloc or
/// attendee: `unknown_bloc`, `unknown_organization`.
#[utoipa::path(
    operation_id = "createConference",
    tag = "conferences",
    request_body = ConferenceBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = ConferenceView, description = "Recorded"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_bloc`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/conferences")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<ConferenceBody>,
) -> Result<Created<ConferenceView>, AppError> {
    let saved = registry::create_conference(&state.db, &caller, body.into_inner().into()).await?;
    Ok(Created::versioned(
        format!("/api/v1/conferences/{}", saved.id),
        saved.into(),
    ))
}

/// List conferences.
///
/// Bloc conferences (start-of-year, review), filtered by bloc and year,
/// keyset-paginated. Any signed-in caller (a person with any role, or a service
/// client with the `read` scope) may call it.
#[utoipa::path(
    operation_id = "listConferences",
    tag = "conferences",
    params(ConferenceQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<ConferenceView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/conferences")]
pub async fn list(
    reads: ReadDb,
    _caller: Principal,
    q: ListQuery<ConferenceQuery>,
) -> Result<Page<ConferenceView>, AppError> {
    let filter = registry::ConferenceFilter {
        bloc_id: q.filter.bloc_id,
        year: q.filter.year,
    };
    Ok(registry::list_conferences(&reads, filter, q.page)
        .await?
        .into())
}

/// Get a conference.
///
/// The record with its attendees and adopted documents, and its `ETag`. Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    operation_id = "getConference",
    tag = "conferences",
    params(("id" = Uuid, Path, description = "Conference id")),
    responses(
        (status = 200, body = ConferenceView, description = "The conference; `ETag` set"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/conferences/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<ConferenceView>, AppError> {
    Ok(Tagged(
        registry::get_conference(&state.db, *id).await?.into(),
    ))
}

/// Replace a conference record.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Send `If-Match`; the bloc cannot change
/// (`bloc_immutable`).
#[utoipa::path(
    operation_id = "replaceConference",
    tag = "conferences",
    request_body = ConferenceBody,
    params(
        ("id" = Uuid, Path, description = "Conference id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = ConferenceView, description = "Replaced"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `bloc_immutable`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/conferences/{id}")]
pub async fn replace(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<ConferenceBody>,
) -> Result<Tagged<ConferenceView>, AppError> {
    let conf = body.into_inner().into();
    Ok(Tagged(
        registry::replace_conference(&state.db, &caller, *id, if_match.0, conf)
            .await?
            .into(),
    ))
}
