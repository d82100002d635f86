//! E3: the ranking (JSON or CSV); E4: the leading units elected.

use actix_web::{HttpRequest, HttpResponse, Responder, get, web};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::api::export::{self, ExportParams, XlsxFile};
use crate::api::extract::{ValidatedQuery, wants_csv};
use crate::api::reads::ReadDb;
use crate::api::respond::{Page, csv};
use crate::auth::Principal;
use crate::error::{AppError, Problem};
use crate::service::evaluation as svc;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionScore {
    pub title: String,
    /// Two decimals (a mean of cross-sheets may be fractional).
    pub score: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"rank": 1, "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "code": "BDT", "name": "Ban Dân tộc tỉnh", "total": "950", "selfScoreOnly": false, "sections": [{"title": "Thực hiện nhiệm vụ chính trị, chuyên môn", "score": "950"}], "complianceAchieved": 5, "complianceMeasurable": 5}))]
pub struct RankingRow {
    /// Ties share a rank (E3); `null` without a submitted sheet.
    pub rank: Option<usize>,
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    /// Two decimals; `null` without a submitted sheet.
    pub total: Option<String>,
    /// No cross-score submitted: the self-score stands.
    pub self_score_only: bool,
    pub sections: Vec<SectionScore>,
    /// Pledge targets achieved / measurable, beside the score.
    pub compliance_achieved: Option<usize>,
    pub compliance_measurable: Option<usize>,
}

/// The term's ranking (E3).
///
/// Each unit's total of its submitted score sheets, ties sharing a rank (listed
/// by code), the points per section, and the pledge compliance beside each unit
/// (T6, T7). `Accept: text/csv` gives the same as CSV (UTF-8 with BOM). Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
///
/// `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
/// or `?format=xlsx` gives an Excel workbook (docs/documents.md, "Exports").
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getRanking",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year"), ExportParams),
    responses(
        (status = 200, description = "The ranking", content((Page<RankingRow> = "application/json"), (String = "text/csv", example = json!("Hạng / Rank,Mã / Code,Đơn vị / Unit,Tổng điểm / Total,Chỉ tự chấm / Self-score only,Chỉ tiêu đạt / Targets achieved\n1,BDT,Ban Dân tộc tỉnh,950,false,6/6\n2,SYT,Sở Y tế,940,false,6/6\n")), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/ranking")]
pub async fn ranking(
    reads: ReadDb,
    req: HttpRequest,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
    q: ValidatedQuery<ExportParams>,
) -> Result<HttpResponse, AppError> {
    let (bloc, year) = path.into_inner();
    let rows: Vec<RankingRow> = svc::ranking(&reads, bloc, year)
        .await?
        .into_iter()
        .map(|u| RankingRow {
            rank: u.rank,
            organization_id: u.unit.organization_id,
            code: u.unit.code,
            name: u.unit.name,
            total: u.score.map(|s| s.display()),
            self_score_only: u.self_score_only,
            sections: u
                .sections
                .into_iter()
                .map(|(title, s)| SectionScore {
                    title,
                    score: s.display(),
                })
                .collect(),
            compliance_achieved: u.compliance.map(|c| c.0),
            compliance_measurable: u.compliance.map(|c| c.1),
        })
        .collect();
    if export::wants_xlsx(&req, q.0.format) {
        return export::xlsx_response(
            &format!("ranking-{year}.xlsx"),
            &export::lists::ranking(&rows),
        );
    }
    if q.0.format.is_none() && wants_csv(&req) {
        let mut out = vec![
            [
                "Hạng / Rank",
                "Mã / Code",
                "Đơn vị / Unit",
                "Tổng điểm / Total",
                "Chỉ tự chấm / Self-score only",
                "Chỉ tiêu đạt / Targets achieved",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for r in &rows {
            out.push(vec![
                r.rank.map(|k| k.to_string()).unwrap_or_default(),
                r.code.clone(),
                r.name.clone(),
                r.total.clone().unwrap_or_default(),
                r.self_score_only.to_string(),
                match (r.compliance_achieved, r.compliance_measurable) {
                    (Some(a), Some(m)) => format!("{a}/{m}"),
                    _ => String::new(),
                },
            ]);
        }
        return Ok(csv(&format!("ranking-{year}.csv"), out));
    }
    Ok(Page::complete(rows).respond_to(&req))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "code": "BDT", "name": "Ban Dân tộc tỉnh", "rank": 1, "votes": 9}))]
pub struct LeadingUnit {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    pub rank: i32,
    pub votes: i32,
}

/// The bloc's leading units for the year.
///
/// The units the closed ballot elected (E4), with their rank and votes: what
/// the eligibility rules C9 and C10 read for the year. Empty until a ballot is
/// closed. Any signed-in caller (a person with any role, or a service client
/// with the `read` scope) may call it.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "listLeadingUnits",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Page<LeadingUnit>, description = "Elected units, best first"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/leading-units")]
pub async fn leading_units(
    reads: ReadDb,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<Page<LeadingUnit>, AppError> {
    let (bloc, year) = path.into_inner();
    let rows = svc::leading_units(&reads, bloc, year).await?;
    Ok(Page::complete(
        rows.into_iter()
            .map(|l| LeadingUnit {
                organization_id: l.unit.organization_id,
                code: l.unit.code,
                name: l.unit.name,
                rank: l.rank,
                votes: l.votes,
            })
            .collect(),
    ))
}
