//! T6, T7: the compliance matrix, as JSON or CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::api::extract::{ValidatedQuery, wants_csv};
use crate::api::reads::ReadDb;
use crate::api::respond::csv;
use crate::auth::Principal;
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{Comparator, PledgeStatus, TargetKind};
use crate::error::{AppError, Problem};
use crate::service::pledges::{self as svc, Compliance};

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

impl CellStatus {
    fn as_str(self) -> &'static str {
        match self {
            CellStatus::Achieved => "achieved",
            CellStatus::NotAchieved => "not_achieved",
            CellStatus::NoReport => "no_report",
            CellStatus::Reported => "reported",
        }
    }
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
    pub kind: TargetKind,
    pub comparator: Option<Comparator>,
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
    #[schema(value_type = Uuid)]
    pub pledge_id: PledgeId,
    pub status: PledgeStatus,
    pub as_of: Option<DateTime<Utc>>,
    pub targets: Vec<TargetCompliance>,
    pub items: Vec<ItemCompliance>,
    pub units: Vec<UnitCompliance>,
}

impl From<svc::Cell> for CellView {
    fn from(cell: svc::Cell) -> Self {
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
            count: r.and_then(|r| r.count),
            done: r.and_then(|r| r.done),
            percent: cell.percent,
            achieved: cell.achieved,
        }
    }
}

impl From<svc::UnitLine> for UnitCompliance {
    fn from(u: svc::UnitLine) -> Self {
        let s = u.summary;
        UnitCompliance {
            organization_id: u.unit.organization_id,
            code: u.unit.code,
            name: u.unit.name,
            cells: u.cells.into_iter().map(Into::into).collect(),
            summary: UnitSummary {
                achieved: s.achieved,
                measurable: s.measurable,
                reported: s.reported,
                items_met: s.items_met,
            },
        }
    }
}

impl From<svc::TargetFigure> for TargetCompliance {
    fn from(f: svc::TargetFigure) -> Self {
        TargetCompliance {
            target_id: f.target.id,
            item_id: f.target.item_id,
            label: f.target.label,
            kind: f.target.kind,
            comparator: f.target.comparator,
            target: f.target.target,
            members_achieving: f.members_achieving,
            members: f.members,
            share: f.share,
            met: f.met,
        }
    }
}

impl From<Compliance> for ComplianceView {
    fn from(c: Compliance) -> Self {
        ComplianceView {
            pledge_id: c.pledge_id,
            status: c.status,
            as_of: c.as_of,
            targets: c.targets.into_iter().map(Into::into).collect(),
            items: c
                .items
                .into_iter()
                .map(|i| ItemCompliance {
                    item_id: i.item_id,
                    position: i.position,
                    text: i.text,
                    met: i.met,
                })
                .collect(),
            units: c.units.into_iter().map(Into::into).collect(),
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
            let status = c.status.as_str();
            if value.is_empty() {
                status.to_string()
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

/// The compliance matrix: units × targets, with each unit's latest value,
/// exact percentage and `achieved` (T6, T7); per target the bloc's figure;
/// per item `met`; per unit a summary. `Accept: text/csv` gives the same as
/// CSV (UTF-8 with BOM).
#[utoipa::path(
    tag = "pledges",
    operation_id = "getPledgeCompliance",
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
    reads: ReadDb,
    req: HttpRequest,
    _caller: Principal,
    id: web::Path<PledgeId>,
    q: ValidatedQuery<ComplianceQuery>,
) -> Result<HttpResponse, AppError> {
    let view: ComplianceView = svc::compliance(&reads, *id, q.0.as_of).await?.into();
    if wants_csv(&req) {
        return Ok(compliance_csv(&view));
    }
    Ok(HttpResponse::Ok().json(view))
}
