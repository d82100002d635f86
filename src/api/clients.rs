//! `/api/v1/clients`: other provincial systems with client credentials (admin only).

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::extract::{IfMatch, ListQuery, NoFilter, PageParams, ValidatedJson};
use super::respond::{Created, Page, Tagged, Versioned};
use crate::AppState;
use crate::auth::{Principal, Scope};
use crate::error::{AppError, Problem};
use crate::service::identity::{self, Client};

/// A service client. Its secret is shown once, when created or rotated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01799ff1-8b3e-7f8e-9cf5-2c31babeced9", "clientId": "egov-portal", "name": "Cổng dịch vụ công tỉnh", "scopes": ["read"], "organizationId": null, "active": true, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct ClientView {
    pub id: Uuid,
    #[schema(example = "egov-portal")]
    pub client_id: String,
    #[schema(example = "Cổng dịch vụ công tỉnh")]
    pub name: String,
    pub scopes: Vec<Scope>,
    /// When set, the client may write only for this organisation.
    pub organization_id: Option<Uuid>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Client> for ClientView {
    fn from(c: Client) -> Self {
        ClientView {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            scopes: c.scopes,
            organization_id: c.organization_id,
            active: c.active,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl Versioned for ClientView {
    fn version(&self) -> i32 {
        self.version
    }
}

/// A client with its secret: returned exactly once.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01799ff1-8b3e-7f8e-9cf5-2c31babeced9", "clientId": "egov-portal", "name": "Cổng dịch vụ công tỉnh", "scopes": ["read"], "organizationId": null, "active": true, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z", "clientSecret": "n3Xr8Qe2Jk7Lm5Pz0Tv4Wy9Ab6Cd1Ef"}))]
pub struct ClientWithSecret {
    #[serde(flatten)]
    pub client: ClientView,
    /// Store it now: it is kept only as a hash and never shown again.
    pub client_secret: String,
}

impl Versioned for ClientWithSecret {
    fn version(&self) -> i32 {
        self.client.version
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"clientId": "egov-portal", "name": "Cổng dịch vụ công tỉnh", "scopes": ["read"]}))]
pub struct CreateClientBody {
    #[validate(length(min = 3, max = 64), regex(path = *super::users::USERNAME_RE))]
    #[schema(min_length = 3, max_length = 64, pattern = "^[a-z0-9._-]{3,64}$")]
    pub client_id: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub name: String,
    #[validate(length(min = 1, max = 2))]
    #[schema(min_items = 1, max_items = 2)]
    pub scopes: Vec<Scope>,
    pub organization_id: Option<Uuid>,
}

impl From<CreateClientBody> for identity::CreateClient {
    fn from(b: CreateClientBody) -> Self {
        identity::CreateClient {
            client_id: b.client_id,
            name: b.name,
            scopes: b.scopes,
            organization_id: b.organization_id,
        }
    }
}

/// Register a service client.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). The response carries the client's secret,
/// once: store it, it is kept only as a hash. Scopes `read` and `write`; a
/// client bound to an organisation writes only for that unit.
#[utoipa::path(
    operation_id = "createClient",
    tag = "clients",
    request_body = CreateClientBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = ClientWithSecret, description = "Created"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`client_id_taken`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `unknown_organization`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/clients")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Principal,
    body: ValidatedJson<CreateClientBody>,
) -> Result<Created<ClientWithSecret>, AppError> {
    let (row, secret) =
        identity::create_client(&state.db, &caller, body.into_inner().into()).await?;
    let location = format!("/api/v1/clients/{}", row.id);
    Ok(Created::versioned(
        location,
        ClientWithSecret {
            client: row.into(),
            client_secret: secret,
        },
    ))
}

/// List service clients.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Other systems that log in with client
/// credentials, keyset-paginated; their secrets are never shown again.
#[utoipa::path(
    operation_id = "listClients",
    tag = "clients",
    params(PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<ClientView>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/clients")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    q: ListQuery<NoFilter>,
) -> Result<Page<ClientView>, AppError> {
    Ok(identity::list_clients(&state.db, &caller, q.page)
        .await?
        .into())
}

/// Get a service client.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). Its scopes, organisation and state, never its
/// secret.
#[utoipa::path(
    operation_id = "getClient",
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client record id")),
    responses(
        (status = 200, body = ClientView, description = "The client"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/clients/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<ClientView>, AppError> {
    Ok(Tagged(
        identity::get_client(&state.db, &caller, *id).await?.into(),
    ))
}

/// Replace a client's secret.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). The response carries the new secret, once; the
/// old one and every token issued with it stop working.
#[utoipa::path(
    operation_id = "rotateClientSecret",
    tag = "clients",
    params(("id" = Uuid, Path, description = "Client record id")),
    responses(
        (status = 200, body = ClientWithSecret, description = "The new secret, shown once"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/clients/{id}/secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<ClientWithSecret>, AppError> {
    let (row, secret) = identity::rotate_client_secret(&state.db, &caller, *id).await?;
    Ok(Tagged(ClientWithSecret {
        client: row.into(),
        client_secret: secret,
    }))
}

/// Disable a service client.
///
/// Only the provincial board may call it: a person with the `admin` role
/// (`admin_required` otherwise). The client can no longer get a token, and the
/// tokens it holds stop working on their next request.
#[utoipa::path(
    operation_id = "disableClient",
    tag = "clients",
    params(
        ("id" = Uuid, Path, description = "Client record id"),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read"),
    ),
    responses(
        (status = 200, body = ClientView, description = "Disabled"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/clients/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<Tagged<ClientView>, AppError> {
    Ok(Tagged(
        identity::disable_client(&state.db, &caller, *id, if_match.0)
            .await?
            .into(),
    ))
}
