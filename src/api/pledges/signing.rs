//! P4, P5: sign the pledge; who signed and who has not.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::{SignatureStatus, SignatureView};
use crate::AppState;
use crate::api::extract::ValidatedJson;
use crate::api::respond::Created;
use crate::auth::Principal;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::PledgeStatus;
use crate::error::{AppError, Problem};
use crate::service::pledges as svc;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"signerName": "Hoàng Minh Ái", "signerPosition": "Trưởng Ban Dân tộc", "signedAt": "2021-04-01T08:00:00Z"}))]
pub struct SignBody {
    /// The unit signing: the leader's own by default; the admin names it.
    pub organization_id: Option<Uuid>,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub signer_name: String,
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub signer_position: String,
    /// When it was signed (e.g. on paper at the conference); never in the future. Default: now.
    #[validate(custom(function = "crate::api::checks::instant"))]
    #[schema(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub signed_at: Option<DateTime<Utc>>,
}

/// The signature that was recorded, and the pledge's status after it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"signature": {"organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "code": "BDT", "name": "Ban Dân tộc tỉnh", "signerName": "Hoàng Minh Ái", "signerPosition": "Trưởng Ban Dân tộc", "signedAt": "2021-04-01T03:00:00Z", "recordedAt": "2021-04-01T03:30:00Z", "onBehalf": false}, "pledgeStatus": "draft"}))]
pub struct SignResult {
    pub signature: SignatureView,
    /// `in_force` when this was the last member's signature (P5).
    pub pledge_status: PledgeStatus,
}

/// Sign the pledge for a member unit (its leader, or the admin on its behalf).
///
/// Once per unit, only while open (P4); the last member's signature puts the
/// pledge in force in the same transaction (P5).
#[utoipa::path(
    tag = "pledges",
    operation_id = "signPledge",
    request_body = SignBody,
    params(("id" = Uuid, Path, description = "Pledge id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = SignResult, description = "Signed; `pledgeStatus` is `in_force` after the last member"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_member_leader`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_not_open`, `not_a_member`, `already_signed`, `signed_in_future` (P4)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/signatures")]
pub async fn sign(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<PledgeId>,
    body: ValidatedJson<SignBody>,
) -> Result<Created<SignResult>, AppError> {
    let b = body.into_inner();
    let signed = svc::sign(
        &state.db,
        &caller,
        *id,
        svc::SignCommand {
            organization_id: b.organization_id,
            signer_name: b.signer_name,
            signer_position: b.signer_position,
            signed_at: b.signed_at,
        },
    )
    .await?;
    Ok(Created::at(
        format!("/api/v1/pledges/{id}/signatures"),
        SignResult {
            signature: signed.signature.into(),
            pledge_status: signed.pledge_status,
        },
    ))
}

/// Who signed the pledge, and who has not.
///
/// Each member's signature with the signer's name, position and the signing
/// date (P4), and the members still to sign. Any signed-in caller (a person
/// with any role, or a service client with the `read` scope) may call it.
#[utoipa::path(
    tag = "pledges",
    operation_id = "listSignatures",
    params(("id" = Uuid, Path, description = "Pledge id")),
    responses(
        (status = 200, body = SignatureStatus, description = "Signed and pending members"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges/{id}/signatures")]
pub async fn signatures(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<PledgeId>,
) -> Result<web::Json<SignatureStatus>, AppError> {
    Ok(web::Json(svc::signatures(&state.db, *id).await?.into()))
}
