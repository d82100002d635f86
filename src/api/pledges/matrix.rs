//! T6, T7: the compliance matrix, as JSON or CSV.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::api::export::{self, ExportFormat, XlsxFile};
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
    /// `xlsx`: the matrix as an Excel workbook (as `Accept:
    /// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
    /// does); `json` (default) the JSON answer.
    #[param(inline)]
    pub format: Option<ExportFormat>,
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
    pub fn as_str(self) -> &'static str {
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
#[schema(example = json!({"pledgeId": "01797f72-3aee-78d9-a49e-efe6d270c029", "status": "draft", "asOf": "2021-04-01T02:00:00Z", "targets": [{"targetId": "01799674-4df3-7c6e-a32b-e6a6f7aaafac", "itemId": "017905fa-9ee1-7644-8936-8bf571a0a3e6", "label": "Đơn vị tổ chức phát động và đăng ký thi đua", "kind": "percentage", "comparator": "gte", "target": 100, "membersAchieving": 9, "members": 9, "share": "100.00", "met": true}], "items": [{"itemId": "017905fa-9ee1-7644-8936-8bf571a0a3e6", "position": 2, "text": "Các đơn vị phát động, triển khai phong trào thi đua, xây dựng kế hoạch và đăng ký thi đua năm 2021", "met": true}], "units": [{"organizationId": "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "code": "SYT", "name": "Sở Y tế", "cells": [{"targetId": "01799674-4df3-7c6e-a32b-e6a6f7aaafac", "status": "achieved", "period": "2021", "numerator": 1, "denominator": 1, "count": null, "done": null, "percent": "100.00", "achieved": true}], "summary": {"achieved": 5, "measurable": 5, "reported": 5, "itemsMet": 4}}]}))]
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

/// The pledge's compliance matrix.
///
/// Units × targets, with each unit's latest value, exact percentage and
/// `achieved` (T6, T7); per target the bloc's figure; per item `met`; per unit
/// a summary. `Accept: text/csv` gives the same as CSV (UTF-8 with BOM). Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx` gives an Excel workbook (docs/documents.md, "Exports").
#[utoipa::path(
    tag = "pledges",
    operation_id = "getPledgeCompliance",
    params(("id" = Uuid, Path, description = "Pledge id"), ComplianceQuery),
    responses(
        (status = 200, description = "The matrix", content(
            (ComplianceView = "application/json"),
            (String = "text/csv", example = json!("Mã đơn vị / Unit code,Đơn vị / Unit,Đơn vị tổ chức phát động và đăng ký thi đua,Đơn vị chăm lo tốt đời sống CCVC-LĐ,\"Đảng bộ, Công đoàn, Đoàn Thanh niên hoàn thành nhiệm vụ trở lên\",\"Đạt chuẩn \"\"Cơ quan văn hóa\"\"\",\"Phòng, đơn vị đạt \"\"Tập thể lao động tiên tiến\"\" trở lên\",\"CCVC-LĐ đạt \"\"Lao động tiên tiến\"\" trở lên\",Đạt / Achieved\nSYT,Sở Y tế,1/1 = 100.00% (achieved),1/1 = 100.00% (achieved),3/3 = 100.00% (achieved),1 (achieved),12/12 = 100.00% (achieved),no_report,5/6\nKHOI,Toàn khối / Bloc,1/9 = 11.11%,1/9 = 11.11%,1/9 = 11.11%,1/9 = 11.11%,1/9 = 11.11%,0/9 = 0.00%,\n")),
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
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
    if export::wants_xlsx(&req, q.0.format) {
        let name = format!("compliance-{}.xlsx", view.pledge_id);
        return export::xlsx_response(&name, &export::compliance::sheets(&view));
    }
    if q.0.format.is_none() && wants_csv(&req) {
        return Ok(compliance_csv(&view));
    }
    Ok(HttpResponse::Ok().json(view))
}
