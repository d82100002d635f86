//! `/api/v1/audit`: the audit trail (admin only), JSON or CSV; its signed
//! checkpoints and the key that verifies them.

use actix_web::http::header;
use actix_web::{Either, HttpRequest, HttpResponse, Responder, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::{ListQuery, NoFilter, PageParams, wants_csv};
use super::respond::{Created, Page, csv, next_link};
use crate::AppState;
use crate::api::reads::ReadDb;
use crate::auth::Principal;
use crate::domain::audit::Checkpoint;
use crate::domain::identity::ActorKind;
use crate::error::{AppError, ErrorCode, Problem};
use crate::service;
use crate::service::audit::{AuditFilter, AuditRecord, Checkpointed};

/// One audit record: who changed what, before and after.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": 1, "occurredAt": "2021-04-01T02:00:00Z", "actorKind": "user", "actorId": "017949c0-c6ff-770a-87ee-c13a79606f40", "actorName": "Ban Thi đua – Khen thưởng tỉnh Vĩnh Phúc", "organizationId": "017978a5-deaa-7134-bfb6-9062aaf30cfc", "onBehalfOf": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "action": "pledge.signed", "entity": "pledge", "entityId": "01797f72-3aee-78d9-a49e-efe6d270c029", "before": null, "after": null, "reason": "Ký thay theo ủy quyền của Sở Y tế", "requestId": "01J0Z8K3Q4R5S6T7V8W9X0Y1Z2", "hash": "a4723995db2afad5857155f278a77918a3bb7367696a7f355997fe5d17a93750"}))]
pub struct AuditEntry {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub organization_id: Option<Uuid>,
    /// The organisation the admin acted for, when it did.
    pub on_behalf_of: Option<Uuid>,
    #[schema(example = "user.created")]
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub request_id: Option<String>,
    /// Hex SHA-256 chaining this row to the previous one.
    pub hash: String,
}

impl From<AuditRecord> for AuditEntry {
    fn from(r: AuditRecord) -> Self {
        AuditEntry {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_name: r.actor_name,
            organization_id: r.organization_id,
            on_behalf_of: r.on_behalf_of,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            before: r.before,
            after: r.after,
            reason: r.reason,
            request_id: r.request_id,
            hash: hex::encode(r.hash),
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub actor_id: Option<Uuid>,
    /// Entity type, e.g. `user`.
    #[validate(length(max = 64))]
    #[param(max_length = 64)]
    pub entity: Option<String>,
    #[validate(length(max = 128))]
    #[param(max_length = 128)]
    pub entity_id: Option<String>,
    /// From this time (inclusive).
    #[validate(custom(function = "crate::api::checks::instant"))]
    #[param(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    #[validate(custom(function = "crate::api::checks::instant"))]
    #[param(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub to: Option<DateTime<Utc>>,
}

/// Read the audit trail, newest first.
///
/// Admin only. `Accept: text/csv` returns the same page as CSV (UTF-8 with BOM).
#[utoipa::path(
    operation_id = "listAuditRecords",
    tag = "audit",
    params(AuditQuery, PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), description = "One page", content(
            (Page<AuditEntry> = "application/json"),
            (String = "text/csv", example = json!("id,occurredAt,actorKind,actorName,action,entity,entityId,reason,requestId,before,after,hash\n1,2021-04-01T02:00:00+00:00,user,Ban Thi đua – Khen thưởng tỉnh Vĩnh Phúc,pledge.signed,pledge,01797f72-3aee-78d9-a49e-efe6d270c029,Ký thay theo ủy quyền của Sở Y tế,01J0Z8K3Q4R5S6T7V8W9X0Y1Z2,,\"{\"\"status\"\":\"\"in_force\"\"}\",a4723995db2afad5857155f278a77918a3bb7367696a7f355997fe5d17a93750\n")),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/audit")]
pub async fn list(
    reads: ReadDb,
    req: HttpRequest,
    caller: Principal,
    q: ListQuery<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    let (q, page) = (q.filter, q.page);
    let filter = AuditFilter {
        actor_id: q.actor_id,
        entity: q.entity,
        entity_id: q.entity_id,
        from: q.from,
        to: q.to,
    };
    let page: Page<AuditEntry> = service::audit::list(&reads, &caller, filter, page)
        .await?
        .into();
    if wants_csv(&req) {
        let mut res = csv("audit.csv", csv_rows(&page.items));
        if let Some(link) = next_link(&req, page.next_cursor.as_deref()) {
            res.headers_mut().insert(header::LINK, link);
        }
        return Ok(res);
    }
    Ok(page.respond_to(&req))
}

/// The CSV export: a header row, then one row per entry.
fn csv_rows(items: &[AuditEntry]) -> Vec<Vec<String>> {
    let mut out = vec![
        [
            "id",
            "occurredAt",
            "actorKind",
            "actorName",
            "action",
            "entity",
            "entityId",
            "reason",
            "requestId",
            "before",
            "after",
            "hash",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let js = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    for e in items {
        out.push(vec![
            e.id.to_string(),
            e.occurred_at.to_rfc3339(),
            e.actor_kind.to_string(),
            e.actor_name.clone(),
            e.action.clone(),
            e.entity.clone(),
            e.entity_id.clone(),
            e.reason.clone().unwrap_or_default(),
            e.request_id.clone().unwrap_or_default(),
            js(&e.before),
            js(&e.after),
            e.hash.clone(),
        ]);
    }
    out
}

/// List the audit checkpoints, newest first.
///
/// Each checkpoint is a signed statement "audit row `auditId` had chain hash
/// `hash` at `createdAt`", made every few minutes while the trail grows and
/// on demand. Keep them outside this system (they are also published on the
/// change feed as `audit.checkpoint` events): `thidua audit verify --against
/// <file>` then detects deleted newest rows and rewritten rows up to the
/// newest kept one. Verify signatures with `GET /api/v1/audit/signing-key`.
/// The admin and service clients with the `read` scope.
#[utoipa::path(
    operation_id = "listAuditCheckpoints",
    tag = "audit",
    params(PageParams),
    responses(
        (status = 200, headers(("Link" = String, description = "`<…?…&cursor=…>; rel=\"next\"`: the next page (this request with `cursor` replaced); absent on the last page")), body = Page<Checkpoint>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`audit_reader_required`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/audit/checkpoints")]
pub async fn list_checkpoints(
    state: web::Data<AppState>,
    caller: Principal,
    q: ListQuery<NoFilter>,
) -> Result<Page<Checkpoint>, AppError> {
    Ok(service::audit::checkpoints(&state.db, &caller, q.page)
        .await?
        .into())
}

/// Sign a checkpoint at the audit chain's head now.
///
/// Admin only. 201 with the new checkpoint (also published on the change
/// feed); 200 with the newest one when the chain has not advanced since it.
#[utoipa::path(
    operation_id = "createAuditCheckpoint",
    tag = "audit",
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = Checkpoint, description = "A new checkpoint at the chain's head"),
        (status = 200, body = Checkpoint, description = "The chain has not advanced since this checkpoint"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`audit_trail_empty`, `idempotency_in_progress`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`idempotency_key_reused`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/audit/checkpoints")]
pub async fn create_checkpoint(
    state: web::Data<AppState>,
    caller: Principal,
) -> Result<Either<Created<Checkpoint>, web::Json<Checkpoint>>, AppError> {
    match service::audit::create_checkpoint(&state.db, &caller, &state.audit_key).await? {
        Checkpointed::Created(c) => Ok(Either::Left(Created::at(
            format!("/api/v1/audit/checkpoints/{}", c.id),
            c,
        ))),
        Checkpointed::Unchanged(c) => Ok(Either::Right(web::Json(c))),
        Checkpointed::Empty => Err(AppError::new(ErrorCode::AuditTrailEmpty)),
    }
}

/// Get one audit checkpoint.
///
/// The admin and service clients with the `read` scope.
#[utoipa::path(
    operation_id = "getAuditCheckpoint",
    tag = "audit",
    params(("id" = i64, Path, description = "Checkpoint id", minimum = 1)),
    responses(
        (status = 200, body = Checkpoint, description = "The checkpoint"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`audit_reader_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/audit/checkpoints/{id}")]
pub async fn get_checkpoint(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<i64>,
) -> Result<web::Json<Checkpoint>, AppError> {
    Ok(web::Json(
        service::audit::get_checkpoint(&state.db, &caller, *id).await?,
    ))
}

/// The public key that verifies audit checkpoints.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"keyId": "65f77c3e667ac364", "algorithm": "Ed25519", "publicKey": "U_jvyEIWesICqqYgBxgueXhnnto_zTQJFsChOpoWOoA", "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAU/jvyEIWesICqqYgBxgueXhnnto/zTQJFsChOpoWOoA=\n-----END PUBLIC KEY-----\n", "signedMessage": "thidua-audit-checkpoint:v1:{auditId}:{hash}:{createdAt}"}))]
pub struct SigningKeyView {
    /// The checkpoints' `keyId`.
    pub key_id: String,
    #[schema(example = "Ed25519")]
    pub algorithm: &'static str,
    /// The raw 32-byte public key, base64url without padding (a JWK's `x`).
    pub public_key: String,
    /// The same key as a PEM SubjectPublicKeyInfo (`openssl pkey -pubin`).
    pub public_key_pem: String,
    /// What each signature covers, with the checkpoint's fields filled in.
    #[schema(example = "thidua-audit-checkpoint:v1:{auditId}:{hash}:{createdAt}")]
    pub signed_message: &'static str,
}

/// The public key that verifies audit checkpoints (Ed25519).
///
/// Any authenticated caller: the checkpoints are on the change feed, which
/// every caller may read. Pin this key outside the system: a checkpoint is
/// only as trustworthy as the key you check it with.
#[utoipa::path(
    operation_id = "getAuditSigningKey",
    tag = "audit",
    responses(
        (status = 200, body = SigningKeyView, description = "The key"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/audit/signing-key")]
pub async fn signing_key(
    state: web::Data<AppState>,
    _caller: Principal,
) -> web::Json<SigningKeyView> {
    let public = state.audit_key.public();
    web::Json(SigningKeyView {
        key_id: public.key_id(),
        algorithm: crate::domain::audit::ALGORITHM,
        public_key: public.base64url(),
        public_key_pem: public.pem(),
        signed_message: "thidua-audit-checkpoint:v1:{auditId}:{hash}:{createdAt}",
    })
}
