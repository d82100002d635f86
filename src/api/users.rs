//! `/api/v1/users`: people who log in (admin only).

use actix_web::{get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::{IfMatch, ListQuery, PageParams, ValidatedJson};
use super::respond::{Created, Page, Tagged, Versioned};
use crate::AppState;
use crate::api::reads::ReadDb;
use crate::auth::{Principal, Role};
use crate::error::{AppError, Problem};
use crate::service::identity::{self, User};

/// A person who logs in. The password hash is never shown.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0179d344-af03-75fb-bd91-cc2a5a775393", "username": "bdt.leader", "fullName": "Hoàng Minh Ái", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "roles": ["leader"], "active": true, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct UserView {
    pub id: Uuid,
    #[schema(example = "bdt.officer")]
    pub username: String,
    #[schema(example = "Hoàng Minh Ái")]
    pub full_name: String,
    /// The organisation this user acts for; `null` for province-wide admins and viewers.
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub active: bool,
    /// Where deadline reminders are mailed (leaders and officers).
    #[schema(example = "van.an@so-vhttdl.gov.vn")]
    pub email: Option<String>,
    /// Also sent as the `ETag`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            organization_id: u.organization_id,
            roles: u.roles,
            active: u.active,
            email: u.email,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

impl Versioned for UserView {
    fn version(&self) -> i32 {
        self.version
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"username": "bdt.officer", "fullName": "Cán bộ thi đua Ban Dân tộc tỉnh",
    "organizationId": null, "roles": ["viewer"], "password": "mật-khẩu-dài-đủ"}))]
pub struct CreateUserBody {
    /// 3–64 characters: lower-case letters, digits, `.`, `_`, `-`.
    #[validate(length(min = 3, max = 64), regex(path = *USERNAME_RE))]
    #[schema(min_length = 3, max_length = 64, pattern = "^[a-z0-9._-]{3,64}$")]
    pub username: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub full_name: String,
    pub organization_id: Option<Uuid>,
    #[validate(length(min = 1, max = 4))]
    #[schema(min_items = 1, max_items = 4)]
    pub roles: Vec<Role>,
    /// At least 10 characters; never stored or logged in clear.
    #[validate(length(min = 10, max = 256))]
    #[schema(min_length = 10, max_length = 256, format = Password)]
    pub password: String,
    /// Where deadline reminders are mailed (leaders and officers).
    #[validate(email, length(max = 254))]
    #[schema(max_length = 254, format = Email, example = "van.an@so-vhttdl.gov.vn")]
    pub email: Option<String>,
}

impl From<CreateUserBody> for identity::CreateUser {
    fn from(b: CreateUserBody) -> Self {
        identity::CreateUser {
            username: b.username,
            full_name: b.full_name,
            organization_id: b.organization_id,
            roles: b.roles,
            password: b.password,
            email: b.email,
        }
    }
}

pub static USERNAME_RE: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| regex::Regex::new("^[a-z0-9._-]{3,64}$").expect("valid regex"));

/// Fields to change; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"fullName": "Cán bộ thi đua Ban Dân tộc tỉnh", "roles": ["officer"]}))]
pub struct UpdateUserBody {
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub full_name: Option<String>,
    /// Send `null` to make the user province-wide.
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub organization_id: Option<Option<Uuid>>,
    #[validate(length(min = 1, max = 4))]
    #[schema(min_items = 1, max_items = 4)]
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    /// Where deadline reminders are mailed; `null` removes it.
    #[serde(default, deserialize_with = "super::extract::double_option")]
    #[validate(custom(function = "email_ok"))]
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    pub email: Option<Option<String>>,
}

/// A set address (validator runs it on `Some(Some(_))` only).
fn email_ok(e: &str) -> Result<(), validator::ValidationError> {
    use validator::ValidateEmail;
    if e.validate_email() && e.len() <= 254 {
        Ok(())
    } else {
        Err(validator::ValidationError::new("email"))
    }
}

impl From<UpdateUserBody> for identity::UpdateUser {
    fn from(b: UpdateUserBody) -> Self {
        identity::UpdateUser {
            full_name: b.full_name,
            organization_id: b.organization_id,
            roles: b.roles,
            active: b.active,
            email: b.email,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"password": "Doi-mat-khau-2021!"}))]
pub struct ResetPasswordBody {
    #[validate(length(min = 10, max = 256))]
    #[schema(min_length = 10, max_length = 256, format = Password)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub organization_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

impl From<&UserQuery> for identity::UserFilter {
    fn from(q: &UserQuery) -> Self {
        identity::UserFilter {
            organization_id: q.organization_id,
            role: q.role,
            active: q.active,
        }
    }
}

/// Create a user.
///
/// Admin only. Leaders and officers need an `organizationId`.
#[utoipa::path(
    operation_id = "createUser",
    tag = "users",
    request_body = CreateUserBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = UserView, description = "Created; `Location` and `ETag` set"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`username_taken`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `organization_required`, `unknown_organization`, `idempotency_key_reused`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/users")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateUserBody>,
) -> Result<Created<UserView>, AppError> {
    let user = identity::create_user(&state.db, &caller, body.into_inner().into()).await?;
    Ok(Created::versioned(
        format!("/api/v1/users/{}", user.id),
        user.into(),
    ))
}

/// List users.
///
/// Admin only; keyset-paginated in creation order.
#[utoipa::path(
    operation_id = "listUsers",
    tag = "users",
    params(UserQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<UserView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/users")]
pub async fn list(
    reads: ReadDb,
    caller: Principal,
    q: ListQuery<UserQuery>,
) -> Result<Page<UserView>, AppError> {
    Ok(
        identity::list_users(&reads, &caller, (&q.filter).into(), q.page)
            .await?
            .into(),
    )
}

/// Get a user.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). The account's roles, organisation and state,
/// never its password.
#[utoipa::path(
    operation_id = "getUser",
    tag = "users",
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserView, description = "The user; `ETag` set"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_path`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/users/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<UserView>, AppError> {
    Ok(Tagged(
        identity::get_user(&state.db, &caller, *id).await?.into(),
    ))
}

/// Change a user.
///
/// Send `If-Match` with the ETag you read; 412 when it changed meanwhile.
/// Changing roles or organisation, or deactivating, revokes the user's tokens.
#[utoipa::path(
    operation_id = "updateUser",
    tag = "users",
    request_body = UpdateUserBody,
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read, e.g. `\"3\"`"),
    ),
    responses(
        (status = 200, body = UserView, description = "Changed; new `ETag`"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`, `invalid_if_match`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`cannot_demote_self`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `organization_required`"),
    ),
    security(("bearer" = []))
)]
#[patch("/api/v1/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ValidatedJson<UpdateUserBody>,
) -> Result<Tagged<UserView>, AppError> {
    let cmd = body.into_inner().into();
    Ok(Tagged(
        identity::update_user(&state.db, &caller, *id, if_match.0, cmd)
            .await?
            .into(),
    ))
}

/// Disable a user.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). The account can no longer log in and its
/// tokens stop working on their next request. The admin cannot disable itself
/// (`cannot_disable_self`).
#[utoipa::path(
    operation_id = "disableUser",
    tag = "users",
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = UserView, description = "Disabled"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`cannot_disable_self`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/users/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<UserView>, AppError> {
    Ok(Tagged(
        identity::disable_user(&state.db, &caller, *id, if_match.0)
            .await?
            .into(),
    ))
}

/// Set a new password for a user.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Revokes the user's tokens; the password must
/// meet the length rule (`validation_failed`).
#[utoipa::path(
    operation_id = "resetUserPassword",
    tag = "users",
    request_body = ResetPasswordBody,
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, body = UserView, description = "Password replaced"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/users/{id}/password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<ResetPasswordBody>,
) -> Result<Tagged<UserView>, AppError> {
    Ok(Tagged(
        identity::reset_password(&state.db, &caller, *id, body.into_inner().password)
            .await?
            .into(),
    ))
}
