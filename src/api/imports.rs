//! `/api/v1/imports`: spreadsheets in (docs/imports.md): a dry run lists
//! every problem; a real run writes all or nothing; templates to fill in.

use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::extract::ValidatedQuery;
use crate::AppState;
use crate::api::export::XlsxFile;
use crate::auth::Principal;
use crate::domain::import::ImportKind;
use crate::error::{AppError, ErrorCode, Problem};
use crate::service::imports::{self, Counts, ImportReport, ProblemOut};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// What the file holds.
    pub kind: ImportKind,
    /// `true` (the default): check every row and write nothing.
    pub dry_run: Option<bool>,
}

/// One problem of the file.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportProblemView {
    #[schema(example = "Cán bộ")]
    pub sheet: String,
    /// The spreadsheet's row number (the header is row 1).
    #[schema(example = 7)]
    pub row: u32,
    /// The column's header.
    #[schema(example = "Mã đơn vị")]
    pub column: Option<String>,
    #[schema(example = "unknown_organization")]
    pub code: String,
    #[schema(example = "Không có đơn vị mã SGDDTX.")]
    pub vi: String,
    #[schema(example = "There is no organisation with code SGDDTX.")]
    pub en: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportCountsView {
    /// Entities created (a dry run: that would be created).
    pub created: usize,
    /// Facts whose values the file changes.
    pub updated: usize,
    /// Rows already there with the same values (natural keys).
    pub unchanged: usize,
}

/// What an import found or did.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"kind": "people", "dryRun": true,
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "sheet": "Cán bộ",
    "rows": 10, "counts": {"created": 9, "updated": 0, "unchanged": 0},
    "problems": [{"sheet": "Cán bộ", "row": 7, "column": "Mã đơn vị", "code": "unknown_organization",
        "vi": "Không có đơn vị mã SGDDTX.", "en": "There is no organisation with code SGDDTX."}]}))]
pub struct ImportReportView {
    pub kind: ImportKind,
    pub dry_run: bool,
    /// Hex SHA-256 of the file (also in the audit row of a real run).
    pub sha256: String,
    pub sheet: String,
    /// Data rows read.
    pub rows: usize,
    pub counts: ImportCountsView,
    /// Every problem found; a real run answers 422 `import_rejected` instead when there is one.
    pub problems: Vec<ImportProblemView>,
}

impl From<ProblemOut> for ImportProblemView {
    fn from(p: ProblemOut) -> Self {
        ImportProblemView {
            sheet: p.sheet,
            row: p.row,
            column: p.column,
            code: p.code.to_string(),
            vi: p.vi,
            en: p.en,
        }
    }
}

impl From<Counts> for ImportCountsView {
    fn from(c: Counts) -> Self {
        ImportCountsView {
            created: c.created,
            updated: c.updated,
            unchanged: c.unchanged,
        }
    }
}

impl From<ImportReport> for ImportReportView {
    fn from(r: ImportReport) -> Self {
        ImportReportView {
            kind: r.kind,
            dry_run: r.dry_run,
            sha256: r.sha256,
            sheet: r.sheet,
            rows: r.rows,
            counts: r.counts.into(),
            problems: r.problems.into_iter().map(Into::into).collect(),
        }
    }
}

/// Import a spreadsheet of one kind.
///
/// The body is the file itself: an `.xlsx` workbook with the kind's sheet
/// (its Vietnamese name, or the kind's name) or a UTF-8 `.csv`, headers in
/// Vietnamese or as the English field names (`GET
/// /imports/templates/{kind}`). A dry run (the default) checks every row and
/// lists every problem with its sheet, row, column, code and text; it writes
/// nothing. A real run (`dryRun=false`) writes every row in one transaction,
/// or with any problem nothing at all; natural keys (organisation code,
/// staff code, subject-year-title) make the same file imported twice change
/// nothing the second time. Organisations, legacy awards and past ballot
/// results are the admin's; a unit's officers import their own staff and
/// facts.
#[utoipa::path(
    operation_id = "importSpreadsheet",
    tag = "imports",
    params(ImportQuery, ("Idempotency-Key" = Option<String>, Header, description = "Makes a retried POST return the first response")),
    request_body(description = "The file: .xlsx or UTF-8 .csv", content(
        (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (String = "text/csv", example = json!("Mã đơn vị,Tên đơn vị,Tên viết tắt,Loại hình,Mã đơn vị cấp trên,Hiệu lực từ,Hiệu lực đến\nUBND,Ủy ban nhân dân tỉnh Vĩnh Phúc,UBND tỉnh,other,,,\n")),
    )),
    responses(
        (status = 200, body = ImportReportView, description = "A dry run's findings, or what a real run wrote"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`, `malformed_body`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required` (organisations, awards, ballot results), `read_only`"),
        (status = 413, body = Problem, content_type = "application/problem+json", description = "`payload_too_large` (over `IMPORT_MAX_BYTES`), `too_many_rows` (over `IMPORT_MAX_ROWS`)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`not_a_spreadsheet`, `spreadsheet_encrypted` (password-protected), `sheet_missing`, `import_rejected` (a real run with problems: each in `errors`, field `sheet!row:column`; nothing written), `idempotency_key_reused`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/imports")]
pub async fn import(
    state: web::Data<AppState>,
    caller: Principal,
    q: ValidatedQuery<ImportQuery>,
    mut body: web::Payload,
) -> Result<web::Json<ImportReportView>, AppError> {
    let limit = state.config.import_max_bytes;
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| AppError::new(ErrorCode::MalformedBody))?;
        if bytes.len() + chunk.len() > limit {
            return Err(AppError::payload_too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    let dry_run = q.0.dry_run.unwrap_or(true);
    let report = imports::import(
        &state.db,
        &caller,
        q.0.kind,
        dry_run,
        &bytes,
        state.config.import_max_rows,
    )
    .await?;
    Ok(web::Json(report.into()))
}

/// Download the template of an import kind.
///
/// An `.xlsx` with the kind's sheet: the header row (Vietnamese, a note on
/// each header saying what goes there and its English field name), one
/// example row to overwrite, and a drop-down list on every column with a
/// fixed set of values.
#[utoipa::path(
    operation_id = "getImportTemplate",
    tag = "imports",
    params(("kind" = ImportKind, Path, description = "What the file holds")),
    responses(
        (status = 200, description = "The template", content(
            (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_path` (not a kind)"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/imports/templates/{kind}")]
pub async fn template(
    _caller: Principal,
    kind: web::Path<ImportKind>,
) -> Result<HttpResponse, AppError> {
    let kind = *kind;
    let bytes = imports::template::template(kind)?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"thidua-{}.xlsx\"", kind.as_str()),
        ))
        .body(bytes))
}
