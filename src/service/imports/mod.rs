//! Imports (docs/imports.md): a spreadsheet of one kind is read (bounded),
//! every row checked against the file and the database, and then either
//! answered as a list of problems (a dry run, or a real run that found
//! some: nothing written) or written all at once in one transaction, with
//! one audit row (kind, counts, SHA-256 of the file) and one change event
//! per created entity. Natural keys make a second import of the same file
//! change nothing.

mod awards;
mod ballots;
mod facts;
mod orgs;
mod people;
pub mod sheet;
pub mod template;

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Principal;
use crate::ctx::Lang;
use crate::db::imports::NewEvent;
use crate::db::{self, Conn, Db};
use crate::domain::import::{ImportKind, Problem, Row, match_headers};
use crate::error::catalogue::rows::row_text;
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::service::{Change, record};

/// A problem as the answer lists it: where, the code, and its text in both
/// languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemOut {
    pub sheet: String,
    pub row: u32,
    pub column: Option<String>,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
}

impl From<&Problem> for ProblemOut {
    fn from(p: &Problem) -> Self {
        let t = row_text(p.code);
        ProblemOut {
            sheet: p.sheet.clone(),
            row: p.row,
            column: p.column.clone(),
            code: p.code.as_str(),
            vi: t.vi.replace("{detail}", &p.detail),
            en: t.en.replace("{detail}", &p.detail),
        }
    }
}

/// What a kind found (a dry run) or did (a real run).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Entities created (or that a dry run would create).
    pub created: usize,
    /// Existing entities whose values the file changed (facts only).
    pub updated: usize,
    /// Rows whose natural key is already there with the same values.
    pub unchanged: usize,
}

/// The answer to an import.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportReport {
    pub kind: ImportKind,
    pub dry_run: bool,
    /// Hex SHA-256 of the uploaded file.
    pub sha256: String,
    pub sheet: String,
    /// Data rows read.
    pub rows: usize,
    pub counts: Counts,
    /// Every problem found; a real run writes only when there is none.
    pub problems: Vec<ProblemOut>,
}

/// What a kind's check found: the counts, and the writes to make.
pub(crate) struct Plan {
    pub counts: Counts,
    pub write: Write,
}

pub(crate) enum Write {
    Orgs(Vec<db::organizations::NewOrg>),
    People(
        Vec<db::people::NewPerson>,
        Vec<db::employments::NewEmployment>,
    ),
    Facts(Vec<db::titles::NewFacts>, Vec<(Uuid, i32)>),
    Awards(Vec<db::titles::DecisionRow>, Vec<db::titles::AwardRow>),
    Leading(Vec<db::imports::NewLeading>),
}

/// What a kind reads: the rows, the sheet's name and the caller.
pub(crate) struct Input<'a> {
    pub sheet: &'a str,
    pub rows: &'a [Row],
    pub caller: &'a Principal,
}

/// Import a file of `kind`: a dry run lists its problems and writes
/// nothing; a real run writes everything or, with any problem, nothing
/// (422 `import_rejected`, every problem in `errors`).
pub async fn import(
    db: &Db,
    caller: &Principal,
    kind: ImportKind,
    dry_run: bool,
    bytes: &[u8],
    max_rows: usize,
) -> AppResult<ImportReport> {
    caller.require_write()?;
    if matches!(
        kind,
        ImportKind::Organizations | ImportKind::Awards | ImportKind::BallotResults
    ) {
        caller.require_admin()?;
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let table = sheet::read(bytes, kind, max_rows)?;
    let (map, mut problems) = match_headers(kind, &table.sheet, &table.headers);
    let rows: Vec<Row> = table
        .rows
        .iter()
        .map(|(line, cells)| {
            Row::parse(
                kind,
                &table.sheet,
                *line,
                &map,
                &table.headers,
                cells,
                &mut problems,
            )
        })
        .collect();
    let sheet_name = table.sheet.clone();
    let n = rows.len();
    drop(table);
    let input = Input {
        sheet: &sheet_name,
        rows: &rows,
        caller,
    };
    let report = |counts: Counts, problems: &[Problem]| ImportReport {
        kind,
        dry_run,
        sha256: sha256.clone(),
        sheet: sheet_name.clone(),
        rows: n,
        counts,
        problems: problems.iter().map(ProblemOut::from).collect(),
    };
    if dry_run {
        return dry_run_check(db, kind, &input, problems, report).await;
    }
    db.transaction(async |tx| {
        let plan = check(tx, kind, &input, &mut problems).await?;
        if !problems.is_empty() {
            return Err(rejected(&problems));
        }
        let events = write(tx, plan.write).await?;
        let after = json!({"kind": kind, "sha256": sha256, "rows": n, "counts": plan.counts});
        let change = Change {
            action: "import.completed",
            entity: "import",
            entity_id: sha256.clone(),
            after: Some(after),
            organization_id: caller.organization_id,
            ..Default::default()
        };
        record(tx, caller, change).await?;
        db::imports::append_events(tx, (!caller.is_system()).then_some(caller.id), &events).await?;
        Ok(report(plan.counts, &[]))
    })
    .await
}

/// A dry run: the checks on a read connection, every problem in the answer.
/// `Db::read` may run its closure twice (a lost replica connection is retried
/// on the primary), so each run starts from the file's own problems.
async fn dry_run_check(
    db: &Db,
    kind: ImportKind,
    input: &Input<'_>,
    found: Vec<Problem>,
    report: impl Fn(Counts, &[Problem]) -> ImportReport,
) -> AppResult<ImportReport> {
    let report = &report;
    db.read(async |c| {
        let mut problems = found.clone();
        let plan = check(c, kind, input, &mut problems).await?;
        Ok(report(plan.counts, &problems))
    })
    .await
}

async fn check(
    c: &mut Conn,
    kind: ImportKind,
    input: &Input<'_>,
    problems: &mut Vec<Problem>,
) -> AppResult<Plan> {
    match kind {
        ImportKind::Organizations => orgs::check(c, input, problems).await,
        ImportKind::People => people::check(c, input, problems).await,
        ImportKind::Facts => facts::check(c, input, problems).await,
        ImportKind::Awards => awards::check(c, input, problems).await,
        ImportKind::BallotResults => ballots::check(c, input, problems).await,
    }
}

async fn write(tx: &mut Conn, w: Write) -> AppResult<Vec<NewEvent>> {
    Ok(match w {
        Write::Orgs(rows) => orgs::write(tx, rows).await?,
        Write::People(rows, history) => people::write(tx, rows, history).await?,
        Write::Facts(rows, units) => facts::write(tx, rows, units).await?,
        Write::Awards(decisions, awards) => awards::write(tx, decisions, awards).await?,
        Write::Leading(rows) => ballots::write(tx, rows).await?,
    })
}

/// 422 `import_rejected`: each problem as a field error named
/// `sheet!row:column`, in the request's language.
fn rejected(problems: &[Problem]) -> AppError {
    let lang = crate::ctx::lang();
    let errors = problems
        .iter()
        .map(|p| {
            let out = ProblemOut::from(p);
            FieldError {
                field: format!(
                    "{}!{}:{}",
                    out.sheet,
                    out.row,
                    out.column.clone().unwrap_or_default()
                ),
                code: out.code.to_string(),
                message: match lang {
                    Lang::Vi => out.vi,
                    Lang::En => out.en,
                },
            }
        })
        .collect();
    AppError::new(ErrorCode::ImportRejected).with_errors(errors)
}
