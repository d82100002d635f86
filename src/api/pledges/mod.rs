//! `/api/v1/pledges`: the emulation pledge (giao ước thi đua) from draft to
//! signed to live compliance. One file per action or small group; the
//! pledge's view, which most of them answer, lives here. (File names
//! differ from handler names: an actix handler is also a type.)

mod crud;
mod items;
mod lifecycle;
mod matrix;
mod progress;
mod signing;

pub use crud::*;
pub use items::*;
pub use lifecycle::*;
pub use matrix::*;
pub use progress::*;
pub use signing::*;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::respond::Versioned;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{Comparator, PledgeStatus, Subject, TargetKind};
use crate::service::pledges::{self as svc, PledgeDetail};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetView {
    pub id: Uuid,
    pub kind: TargetKind,
    pub subject: Subject,
    pub label: String,
    pub comparator: Option<Comparator>,
    pub target: Option<i64>,
    pub weight: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemView {
    pub id: Uuid,
    pub position: i32,
    pub text: String,
    pub targets: Vec<TargetView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignatureView {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    pub signer_name: String,
    pub signer_position: String,
    pub signed_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// Recorded by the admin on the unit's behalf.
    pub on_behalf: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingSigner {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
}

/// Who signed when, and who has not.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"signed": [{"organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "code": "BDT", "name": "Ban Dân tộc tỉnh", "signerName": "Hoàng Minh Ái", "signerPosition": "Trưởng Ban Dân tộc", "signedAt": "2021-04-01T03:00:00Z", "recordedAt": "2021-04-01T03:30:00Z", "onBehalf": false}], "pending": [{"organizationId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "code": "SYT", "name": "Sở Y tế"}]}))]
pub struct SignatureStatus {
    pub signed: Vec<SignatureView>,
    pub pending: Vec<PendingSigner>,
}

/// A pledge with its items, targets and signatures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "01797f72-3aee-78d9-a49e-efe6d270c029", "blocId": "017970bb-41af-7e01-901d-9133d22ebf08", "year": 2021, "headId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "title": "Giao ước thi đua năm 2021 – Khối thi đua Văn hóa – Xã hội", "theme": "Đoàn kết, kỷ cương, đổi mới, sáng tạo, khát vọng phát triển, thi đua hoàn thành xuất sắc nhiệm vụ phát triển kinh tế – xã hội năm 2021", "adoptedAtConferenceId": "0179e3b6-8089-72a7-babf-baa649807f8e", "status": "in_force", "openedAt": "2021-04-01T02:30:00Z", "inForceAt": "2021-04-01T03:30:00Z", "closedAt": null, "withdrawnAt": null, "items": [{"id": "017905fa-9ee1-7644-8936-8bf571a0a3e6", "position": 2, "text": "Các đơn vị phát động, triển khai phong trào thi đua, xây dựng kế hoạch và đăng ký thi đua năm 2021", "targets": [{"id": "01799674-4df3-7c6e-a32b-e6a6f7aaafac", "kind": "percentage", "subject": "member_units", "label": "Đơn vị tổ chức phát động và đăng ký thi đua", "comparator": "gte", "target": 100, "weight": null}]}], "signatures": {"signed": [{"organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "code": "BDT", "name": "Ban Dân tộc tỉnh", "signerName": "Hoàng Minh Ái", "signerPosition": "Trưởng Ban Dân tộc", "signedAt": "2021-04-01T03:00:00Z", "recordedAt": "2021-04-01T03:30:00Z", "onBehalf": false}], "pending": [{"organizationId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "code": "SYT", "name": "Sở Y tế"}]}, "version": 1, "createdAt": "2021-04-01T02:00:00Z", "updatedAt": "2021-04-01T02:00:00Z"}))]
pub struct PledgeView {
    #[schema(value_type = Uuid)]
    pub id: PledgeId,
    pub bloc_id: Uuid,
    pub year: i32,
    pub head_id: Uuid,
    pub title: String,
    pub theme: Option<String>,
    pub adopted_at_conference_id: Option<Uuid>,
    pub status: PledgeStatus,
    pub opened_at: Option<DateTime<Utc>>,
    pub in_force_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub items: Vec<ItemView>,
    pub signatures: SignatureStatus,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<svc::Target> for TargetView {
    fn from(t: svc::Target) -> Self {
        TargetView {
            id: t.id,
            kind: t.kind,
            subject: t.subject,
            label: t.label,
            comparator: t.comparator,
            target: t.target,
            weight: t.weight,
        }
    }
}

impl From<svc::Signature> for SignatureView {
    fn from(s: svc::Signature) -> Self {
        SignatureView {
            organization_id: s.organization_id,
            code: s.code,
            name: s.name,
            signer_name: s.signer_name,
            signer_position: s.signer_position,
            signed_at: s.signed_at,
            recorded_at: s.recorded_at,
            on_behalf: s.on_behalf,
        }
    }
}

impl From<svc::Signatures> for SignatureStatus {
    fn from(s: svc::Signatures) -> Self {
        SignatureStatus {
            signed: s.signed.into_iter().map(Into::into).collect(),
            pending: s
                .pending
                .into_iter()
                .map(|u| PendingSigner {
                    organization_id: u.organization_id,
                    code: u.code,
                    name: u.name,
                })
                .collect(),
        }
    }
}

impl From<PledgeDetail> for PledgeView {
    fn from(d: PledgeDetail) -> Self {
        let p = d.pledge;
        PledgeView {
            id: p.id,
            bloc_id: d.bloc_id,
            year: d.year,
            head_id: d.head_id,
            title: p.title,
            theme: p.theme,
            adopted_at_conference_id: p.adopted_at_conference_id,
            status: p.status,
            opened_at: p.opened_at,
            in_force_at: p.in_force_at,
            closed_at: p.closed_at,
            withdrawn_at: p.withdrawn_at,
            items: d
                .items
                .into_iter()
                .map(|i| ItemView {
                    id: i.id,
                    position: i.position,
                    text: i.text,
                    targets: i.targets.into_iter().map(Into::into).collect(),
                })
                .collect(),
            signatures: d.signatures.into(),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

impl Versioned for PledgeView {
    fn version(&self) -> i32 {
        self.version
    }
}
