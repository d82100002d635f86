//! `/api/v1/pledges`: the emulation pledge (giao ước thi đua) from draft to
//! signed to live compliance.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::{
    IfMatch, OptionalJson, ValidatedJson, ValidatedQuery, double_option, wants_csv,
};
use super::respond::{Created, Page, Tagged, Versioned, csv};
use crate::AppState;
use crate::auth::Principal;
use crate::db::pledges::{PledgeRow, ReportFilter, ReportRow, SignatureRow};
use crate::domain::paging::PageRequest;
use crate::domain::pledge::{Action, ReportValues};
use crate::error::{AppError, Problem};
use crate::service::pledges::{self as svc, Compliance, PledgeFull};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PledgeStatusDto {
    Draft,
    Open,
    InForce,
    Closed,
    Withdrawn,
}

impl PledgeStatusDto {
    fn parse(s: &str) -> Self {
        serde_json::from_value(serde_json::Value::String(s.into()))
            .unwrap_or(PledgeStatusDto::Draft)
    }
    fn as_str(self) -> &'static str {
        match self {
            PledgeStatusDto::Draft => "draft",
            PledgeStatusDto::Open => "open",
            PledgeStatusDto::InForce => "in_force",
            PledgeStatusDto::Closed => "closed",
            PledgeStatusDto::Withdrawn => "withdrawn",
        }
    }
}

/// T1: what a target measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetKindDto {
    Percentage,
    Count,
    Boolean,
    Qualitative,
}

/// T0: who or what the target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubjectDto {
    MemberUnits,
    SubUnits,
    Staff,
    Organisations,
    Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComparatorDto {
    Gte,
    Lte,
    Eq,
}

fn enum_str<T: Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn enum_of<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.into())).ok()
}

/// A measurable indicator of an item (chỉ tiêu).
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"kind": "percentage", "subject": "staff", "label": "CCVC-LĐ đạt \"Lao động tiên tiến\" trở lên", "comparator": "gte", "target": 100}))]
pub struct TargetBody {
    pub kind: TargetKindDto,
    pub subject: SubjectDto,
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
    pub comparator: Option<ComparatorDto>,
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

fn items_of(items: Vec<ItemBody>) -> Vec<svc::ItemInput> {
    items
        .into_iter()
        .map(|i| svc::ItemInput {
            text: i.text,
            targets: i
                .targets
                .into_iter()
                .map(|t| svc::TargetInput {
                    kind: enum_str(t.kind),
                    subject: enum_str(t.subject),
                    label: t.label,
                    comparator: t.comparator.map(enum_str),
                    target: t.target,
                    weight: t.weight,
                })
                .collect(),
        })
        .collect()
}

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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplaceItemsBody {
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub items: Vec<ItemBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReorderBody {
    /// Every current item id, in the new order.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_items = 1, max_items = 100)]
    pub item_ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ActionBody {
    /// Why (kept in the audit trail).
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

/// One report line.
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReportLine {
    pub target_id: Uuid,
    /// Percentage targets: how many achieved…
    #[validate(range(min = 0))]
    #[schema(minimum = 0)]
    pub numerator: Option<i64>,
    /// …out of how many (> 0).
    #[validate(range(min = 1))]
    #[schema(minimum = 1)]
    pub denominator: Option<i64>,
    /// Count targets.
    #[validate(range(min = 0))]
    #[schema(minimum = 0)]
    pub count: Option<i64>,
    /// Boolean targets.
    pub done: Option<bool>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    /// Links to evidence (`http:` or `https:` URLs).
    #[serde(default)]
    #[validate(length(max = 20), custom(function = "crate::api::checks::web_urls"))]
    #[schema(max_items = 20, value_type = Vec<crate::api::checks::WebUrl>)]
    pub evidence: Vec<String>,
}

/// Reports of one unit for one period: one line, or a batch (all-or-nothing).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"period": "Q2", "reports": [{"targetId": "0193a5f0-7c1e-7b3a-9c1d-2f0e4b5a6c7d", "numerator": 45, "denominator": 48, "note": "Sơ kết quý II"}]}))]
pub struct ReportBody {
    /// The unit reported on; the caller's own by default (the admin or the head unit names it).
    pub organization_id: Option<Uuid>,
    /// `M01..M12`, `Q1..Q4`, `H1`, `H2`, `Y`, optionally `2021-Q2`.
    #[validate(length(min = 1, max = 10))]
    #[schema(
        min_length = 1,
        max_length = 10,
        pattern = r"^([0-9]{4}-)?(M(0[1-9]|1[0-2])|Q[1-4]|H[12]|Y)$",
        example = "Q2"
    )]
    pub period: String,
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub reports: Vec<ReportLine>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetView {
    pub id: Uuid,
    pub kind: TargetKindDto,
    pub subject: SubjectDto,
    pub label: String,
    pub comparator: Option<ComparatorDto>,
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
pub struct SignatureStatus {
    pub signed: Vec<SignatureView>,
    pub pending: Vec<PendingSigner>,
}

/// A pledge with its items, targets and signatures.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PledgeView {
    pub id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    pub head_id: Uuid,
    pub title: String,
    pub theme: Option<String>,
    pub adopted_at_conference_id: Option<Uuid>,
    pub status: PledgeStatusDto,
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

fn target_view(t: &crate::db::pledges::TargetRow) -> TargetView {
    TargetView {
        id: t.id,
        kind: enum_of(&t.kind).unwrap_or(TargetKindDto::Qualitative),
        subject: enum_of(&t.subject).unwrap_or(SubjectDto::Unit),
        label: t.label.clone(),
        comparator: t.comparator.as_deref().and_then(enum_of),
        target: t.target_value,
        weight: t.weight,
    }
}

fn signature_view(s: &SignatureRow, members: &[crate::db::blocs::MemberRow]) -> SignatureView {
    let m = members.iter().find(|m| m.id == s.organization_id);
    SignatureView {
        organization_id: s.organization_id,
        code: m.map(|m| m.code.clone()).unwrap_or_default(),
        name: m.map(|m| m.name.clone()).unwrap_or_default(),
        signer_name: s.signer_name.clone(),
        signer_position: s.signer_position.clone(),
        signed_at: s.signed_at,
        recorded_at: s.recorded_at,
        on_behalf: s.on_behalf,
    }
}

impl From<PledgeFull> for PledgeView {
    fn from(f: PledgeFull) -> Self {
        let items = f
            .items
            .iter()
            .map(|i| ItemView {
                id: i.id,
                position: i.position,
                text: i.text.clone(),
                targets: f
                    .targets
                    .iter()
                    .filter(|t| t.item_id == i.id)
                    .map(target_view)
                    .collect(),
            })
            .collect();
        let signed = f
            .signatures
            .iter()
            .map(|s| signature_view(s, &f.members))
            .collect();
        let pending = f
            .members
            .iter()
            .filter(|m| !f.signatures.iter().any(|s| s.organization_id == m.id))
            .map(|m| PendingSigner {
                organization_id: m.id,
                code: m.code.clone(),
                name: m.name.clone(),
            })
            .collect();
        PledgeView {
            id: f.row.id,
            bloc_id: f.term.bloc_id,
            year: f.term.year,
            head_id: f.term.head_id,
            title: f.row.title,
            theme: f.row.theme,
            adopted_at_conference_id: f.row.adopted_at_conference_id,
            status: PledgeStatusDto::parse(&f.row.status),
            opened_at: f.row.opened_at,
            in_force_at: f.row.in_force_at,
            closed_at: f.row.closed_at,
            withdrawn_at: f.row.withdrawn_at,
            items,
            signatures: SignatureStatus { signed, pending },
            version: f.row.version,
            created_at: f.row.created_at,
            updated_at: f.row.updated_at,
        }
    }
}

impl Versioned for PledgeView {
    fn version(&self) -> i32 {
        self.version
    }
}

/// A pledge in a list (without items).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PledgeSummary {
    pub id: Uuid,
    pub term_id: Uuid,
    pub title: String,
    pub status: PledgeStatusDto,
    pub version: i32,
}

impl From<PledgeRow> for PledgeSummary {
    fn from(p: PledgeRow) -> Self {
        PledgeSummary {
            id: p.id,
            term_id: p.term_id,
            title: p.title,
            status: PledgeStatusDto::parse(&p.status),
            version: p.version,
        }
    }
}

/// A stored report.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub id: Uuid,
    pub target_id: Uuid,
    pub organization_id: Uuid,
    pub period: String,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub count: Option<i64>,
    pub done: Option<bool>,
    pub note: Option<String>,
    pub evidence: Vec<String>,
    pub reported_at: DateTime<Utc>,
    pub reported_by: Option<Uuid>,
    /// Made by the admin or the head unit for this unit.
    pub on_behalf: bool,
    /// Set when a newer report for the same target, unit and period replaced it (T5).
    pub superseded_at: Option<DateTime<Utc>>,
}

impl From<ReportRow> for ReportView {
    fn from(r: ReportRow) -> Self {
        ReportView {
            id: r.id,
            target_id: r.target_id,
            organization_id: r.organization_id,
            period: r.period,
            numerator: r.numerator,
            denominator: r.denominator,
            count: r.count_value,
            done: r.done,
            note: r.note,
            evidence: r.evidence,
            reported_at: r.reported_at,
            reported_by: r.reported_by,
            on_behalf: r.on_behalf,
            superseded_at: r.superseded_at,
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
    pub status: Option<PledgeStatusDto>,
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub organization_id: Option<Uuid>,
    pub target_id: Option<Uuid>,
    #[validate(length(max = 10))]
    #[param(max_length = 10)]
    pub period: Option<String>,
    /// Include superseded reports (the history, T5).
    pub history: Option<bool>,
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ComplianceQuery {
    /// Compliance as reported by the end of this day (default: now).
    #[validate(custom(function = "crate::api::checks::date"))]
    #[param(pattern = "^(19[0-9]{2}|20[0-9]{2}|2100)-")]
    pub as_of: Option<NaiveDate>,
}

/// Status of a cell.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CellStatus {
    Achieved,
    NotAchieved,
    NoReport,
    /// Qualitative target: reported, judged at scoring.
    Reported,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CellView {
    pub target_id: Uuid,
    pub status: CellStatus,
    /// The period of the latest report used (T7).
    pub period: Option<String>,
    pub numerator: Option<i64>,
    pub denominator: Option<i64>,
    pub count: Option<i64>,
    pub done: Option<bool>,
    /// Exact percentage, two decimals (`"99.00"`).
    pub percent: Option<String>,
    pub achieved: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitSummary {
    /// Measurable targets achieved.
    pub achieved: usize,
    /// Measurable targets (percentage, count, boolean).
    pub measurable: usize,
    /// Targets with a report.
    pub reported: usize,
    /// Items whose measurable targets are all achieved.
    pub items_met: usize,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitCompliance {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    pub cells: Vec<CellView>,
    pub summary: UnitSummary,
}

/// The bloc's figure for a target (T7).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TargetCompliance {
    pub target_id: Uuid,
    pub item_id: Uuid,
    pub label: String,
    pub kind: TargetKindDto,
    pub comparator: Option<ComparatorDto>,
    pub target: Option<i64>,
    pub members_achieving: usize,
    pub members: usize,
    /// Share of members achieving it, two decimals.
    pub share: String,
    /// Every member achieves it (`null` for qualitative targets).
    pub met: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemCompliance {
    pub item_id: Uuid,
    pub position: i32,
    pub text: String,
    /// All its measurable targets are met; `null` when it has none.
    pub met: Option<bool>,
}

/// The compliance matrix: units × targets.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComplianceView {
    pub pledge_id: Uuid,
    pub status: PledgeStatusDto,
    pub as_of: Option<DateTime<Utc>>,
    pub targets: Vec<TargetCompliance>,
    pub items: Vec<ItemCompliance>,
    pub units: Vec<UnitCompliance>,
}

impl From<Compliance> for ComplianceView {
    fn from(c: Compliance) -> Self {
        let targets = c
            .targets
            .iter()
            .map(|f| TargetCompliance {
                target_id: f.target.id,
                item_id: f.target.item_id,
                label: f.target.label.clone(),
                kind: enum_of(&f.target.kind).unwrap_or(TargetKindDto::Qualitative),
                comparator: f.target.comparator.as_deref().and_then(enum_of),
                target: f.target.target_value,
                members_achieving: f.members_achieving,
                members: f.members,
                share: f.share.clone(),
                met: f.met,
            })
            .collect();
        let items = c
            .items
            .iter()
            .map(|(item, met)| ItemCompliance {
                item_id: item.id,
                position: item.position,
                text: item.text.clone(),
                met: *met,
            })
            .collect();
        let units = c
            .units
            .into_iter()
            .map(|u| {
                let cells: Vec<CellView> = u
                    .cells
                    .iter()
                    .map(|cell| {
                        let r = cell.report.as_ref();
                        CellView {
                            target_id: cell.target_id,
                            status: match (r, cell.achieved) {
                                (None, _) => CellStatus::NoReport,
                                (Some(_), Some(true)) => CellStatus::Achieved,
                                (Some(_), Some(false)) => CellStatus::NotAchieved,
                                (Some(_), None) => CellStatus::Reported,
                            },
                            period: r.map(|r| r.period.clone()),
                            numerator: r.and_then(|r| r.numerator),
                            denominator: r.and_then(|r| r.denominator),
                            count: r.and_then(|r| r.count_value),
                            done: r.and_then(|r| r.done),
                            percent: cell.percent.clone(),
                            achieved: cell.achieved,
                        }
                    })
                    .collect();
                let s = &u.summary;
                UnitCompliance {
                    organization_id: u.organization_id,
                    code: u.code,
                    name: u.name,
                    cells,
                    summary: UnitSummary {
                        achieved: s.achieved,
                        measurable: s.measurable,
                        reported: s.reported,
                        items_met: s.items_met,
                    },
                }
            })
            .collect();
        ComplianceView {
            pledge_id: c.full.row.id,
            status: PledgeStatusDto::parse(&c.full.row.status),
            as_of: c.as_of,
            targets,
            items,
            units,
        }
    }
}

fn compliance_csv(v: &ComplianceView) -> HttpResponse {
    let mut header = vec![
        "Mã đơn vị / Unit code".to_string(),
        "Đơn vị / Unit".to_string(),
    ];
    header.extend(v.targets.iter().map(|t| t.label.clone()));
    header.push("Đạt / Achieved".into());
    let mut rows = vec![header];
    for u in &v.units {
        let mut row = vec![u.code.clone(), u.name.clone()];
        row.extend(u.cells.iter().map(|c| {
            let value = match (c.numerator, c.denominator, c.count, c.done) {
                (Some(n), Some(d), _, _) => {
                    format!("{n}/{d} = {}%", c.percent.clone().unwrap_or_default())
                }
                (_, _, Some(n), _) => n.to_string(),
                (_, _, _, Some(d)) => {
                    if d {
                        "1".into()
                    } else {
                        "0".into()
                    }
                }
                _ => String::new(),
            };
            let status = enum_str(c.status);
            if value.is_empty() {
                status
            } else {
                format!("{value} ({status})")
            }
        }));
        row.push(format!("{}/{}", u.summary.achieved, u.summary.measurable));
        rows.push(row);
    }
    let mut bloc = vec!["KHOI".to_string(), "Toàn khối / Bloc".to_string()];
    bloc.extend(
        v.targets
            .iter()
            .map(|t| format!("{}/{} = {}%", t.members_achieving, t.members, t.share)),
    );
    bloc.push(String::new());
    rows.push(bloc);
    csv(&format!("compliance-{}.csv", v.pledge_id), rows)
}

/// Draft a pledge for a bloc's term, with its items and targets.
///
/// The head unit's leader or officers, or the admin (P2). One pledge per term
/// that is not withdrawn (P1). Targets obey T1/T2.
#[utoipa::path(
    tag = "pledges",
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
        format!("/api/v1/pledges/{}", full.row.id),
        full.into(),
    ))
}

/// List pledges (filter by bloc, year, status).
#[utoipa::path(
    tag = "pledges",
    params(PledgeQuery),
    responses(
        (status = 200, body = Page<PledgeSummary>, description = "One page"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges")]
pub async fn list(
    state: web::Data<AppState>,
    _caller: Principal,
    q: ValidatedQuery<PledgeQuery>,
) -> Result<web::Json<Page<PledgeSummary>>, AppError> {
    let q = q.0;
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let (rows, next) = svc::list(
        &state.db,
        q.bloc_id,
        q.year,
        q.status.map(|s| s.as_str().to_string()),
        page,
    )
    .await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
}

/// A pledge: items, targets, and who signed when and who has not.
#[utoipa::path(
    tag = "pledges",
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
    id: web::Path<Uuid>,
) -> Result<Tagged<PledgeView>, AppError> {
    Ok(Tagged(svc::get(&state.db, *id).await?.into()))
}

/// Change the pledge's title, theme or conference (draft only, P3).
#[utoipa::path(
    tag = "pledges",
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
    id: web::Path<Uuid>,
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

/// Replace every item and target (draft only, P3).
#[utoipa::path(
    tag = "pledges",
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
    id: web::Path<Uuid>,
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

/// Put the items in a new order (draft only, P3).
#[utoipa::path(
    tag = "pledges",
    request_body = ReorderBody,
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Reordered"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_not_draft` (P3)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `not_a_permutation`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/item-order")]
pub async fn reorder(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
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

async fn action(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    if_match: IfMatch,
    action: Action,
    body: Option<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    let reason = body.and_then(|b| b.reason);
    Ok(Tagged(
        svc::act(&state.db, caller, id, if_match.0, action, reason)
            .await?
            .into(),
    ))
}

/// Open the pledge for signing (P2, P3: at least one item, valid targets).
/// This freezes the term's membership, head and deputy (B4).
#[utoipa::path(
    tag = "pledges",
    request_body(content = Option<ActionBody>, description = "Optional reason"),
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Open for signing"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit` (P2)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition` (P2), `pledge_has_no_items` (P3), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters), `invalid_target` (T2)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/open")]
pub async fn open(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: OptionalJson<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    action(
        &state,
        &caller,
        *id,
        if_match,
        Action::Open,
        body.into_inner(),
    )
    .await
}

/// Close a pledge in force at the end of its year (P2); it becomes read-only (P6).
#[utoipa::path(
    tag = "pledges",
    request_body(content = Option<ActionBody>, description = "Optional reason"),
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Closed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit` (P2)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition` (P2), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: OptionalJson<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    action(
        &state,
        &caller,
        *id,
        if_match,
        Action::Close,
        body.into_inner(),
    )
    .await
}

/// Withdraw a draft or open pledge (P2); the term may then get a new one (P1).
#[utoipa::path(
    tag = "pledges",
    request_body(content = Option<ActionBody>, description = "Why it is withdrawn"),
    params(("id" = Uuid, Path, description = "Pledge id"), ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    responses(
        (status = 200, body = PledgeView, description = "Withdrawn"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit` (P2)"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`invalid_transition` (P2), `pledge_read_only` (P6)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: OptionalJson<ActionBody>,
) -> Result<Tagged<PledgeView>, AppError> {
    action(
        &state,
        &caller,
        *id,
        if_match,
        Action::Withdraw,
        body.into_inner(),
    )
    .await
}

/// The signature that was recorded, and the pledge's status after it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignResult {
    pub signature: SignatureView,
    /// `in_force` when this was the last member's signature (P5).
    pub pledge_status: PledgeStatusDto,
}

/// Sign the pledge for a member unit (its leader, or the admin on its behalf).
///
/// Once per unit, only while open (P4); the last member's signature puts the
/// pledge in force in the same transaction (P5).
#[utoipa::path(
    tag = "pledges",
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
    id: web::Path<Uuid>,
    body: ValidatedJson<SignBody>,
) -> Result<Created<SignResult>, AppError> {
    let b = body.into_inner();
    let (sig, status) = svc::sign(
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
    let full = svc::get(&state.db, *id).await?;
    let view = signature_view(&sig, &full.members);
    Ok(Created::at(
        format!("/api/v1/pledges/{id}/signatures"),
        SignResult {
            signature: view,
            pledge_status: PledgeStatusDto::parse(status.as_str()),
        },
    ))
}

/// Who signed when, and who has not.
#[utoipa::path(
    tag = "pledges",
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
    id: web::Path<Uuid>,
) -> Result<web::Json<SignatureStatus>, AppError> {
    Ok(web::Json(
        PledgeView::from(svc::signatures(&state.db, *id).await?).signatures,
    ))
}

/// Report progress for one unit and period: one line or a batch, all-or-nothing.
///
/// A member unit reports for itself (the admin or the head unit may report for
/// it, recorded as such), only while the pledge is in force, for a period of
/// the pledge year (T3), with whole non-negative values (T4), before the
/// term's cut-off (T8). A new report supersedes the last one for the same
/// target, unit and period; the history is kept (T5).
#[utoipa::path(
    tag = "pledges",
    request_body = ReportBody,
    params(("id" = Uuid, Path, description = "Pledge id"), ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    responses(
        (status = 201, body = Vec<ReportView>, description = "Stored"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `read_only`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`pledge_not_in_force`, `period_outside_year`, `not_a_member` (T3), `reporting_closed` (T8)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_period`, `unknown_target` (T3), `invalid_report_values` (T4), `duplicate_target`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/pledges/{id}/reports")]
pub async fn report(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<ReportBody>,
) -> Result<Created<Vec<ReportView>>, AppError> {
    let b = body.into_inner();
    let cmd = svc::ReportCommand {
        organization_id: b.organization_id,
        period: b.period,
        entries: b
            .reports
            .into_iter()
            .map(|l| svc::ReportEntry {
                target_id: l.target_id,
                values: ReportValues {
                    numerator: l.numerator,
                    denominator: l.denominator,
                    count: l.count,
                    done: l.done,
                },
                note: l.note,
                evidence: l.evidence,
            })
            .collect(),
    };
    let rows = svc::report(&state.db, &caller, *id, cmd).await?;
    Ok(Created::at(
        format!("/api/v1/pledges/{id}/reports"),
        rows.into_iter().map(Into::into).collect(),
    ))
}

/// Progress reports: current ones, or with `history=true` every report made.
#[utoipa::path(
    tag = "pledges",
    params(("id" = Uuid, Path, description = "Pledge id"), ReportQuery),
    responses(
        (status = 200, body = Page<ReportView>, description = "One page, in the order made"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `invalid_cursor`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges/{id}/reports")]
pub async fn reports(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
    q: ValidatedQuery<ReportQuery>,
) -> Result<web::Json<Page<ReportView>>, AppError> {
    let q = q.0;
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let filter = ReportFilter {
        organization_id: q.organization_id,
        target_id: q.target_id,
        period: q
            .period
            .map(|p| p.rsplit('-').next().unwrap_or_default().to_string()),
        history: q.history.unwrap_or(false),
        ..Default::default()
    };
    let (rows, next) = svc::reports(&state.db, *id, filter, page).await?;
    Ok(web::Json(Page {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor: next,
    }))
}

/// The compliance matrix: units × targets, with each unit's latest value,
/// exact percentage and `achieved` (T6, T7); per target the bloc's figure;
/// per item `met`; per unit a summary. `Accept: text/csv` gives the same as
/// CSV (UTF-8 with BOM).
#[utoipa::path(
    tag = "pledges",
    params(("id" = Uuid, Path, description = "Pledge id"), ComplianceQuery),
    responses(
        (status = 200, description = "The matrix", content(
            (ComplianceView = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges/{id}/compliance")]
pub async fn compliance(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: Principal,
    id: web::Path<Uuid>,
    q: ValidatedQuery<ComplianceQuery>,
) -> Result<HttpResponse, AppError> {
    let view: ComplianceView = svc::compliance(&state.db, *id, q.0.as_of).await?.into();
    if wants_csv(&req) {
        return Ok(compliance_csv(&view));
    }
    Ok(HttpResponse::Ok().json(view))
}
