//! Excel exports (docs/documents.md, "Exports"): the same answer as the JSON,
//! as an `.xlsx` workbook, for `Accept:
//! application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` or
//! `?format=xlsx` (a browser link). Cells are typed: numbers stay numbers,
//! booleans booleans, text is written as text (a cell that starts with `=`
//! is a string, never a formula: the writer has no path from text to a
//! formula). The export is built from the very view the JSON is, so the C2
//! rules (docs/security.md) apply to it exactly as to the JSON.

pub mod compliance;
pub mod lists;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, Responder};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::respond::{Page, next_link};
use crate::error::AppError;

/// The media type of an Excel workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An Excel workbook (`.xlsx`), as a response body.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct XlsxFile(pub Vec<u8>);

/// The longest text a cell holds (Excel's limit).
const MAX_CELL_CHARS: usize = 32_767;

/// `?format=`: the answer's form when a link cannot set `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Json,
    Xlsx,
}

/// The export parameter of a list (`params(…, PageParams, ExportParams)`).
#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `xlsx`: the same page as an Excel workbook (as `Accept:
    /// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`
    /// does); `json` (default) the JSON answer.
    #[param(inline)]
    pub format: Option<ExportFormat>,
}

/// Does the request ask for a workbook? `?format=` wins over `Accept`.
pub fn wants_xlsx(req: &HttpRequest, format: Option<ExportFormat>) -> bool {
    match format {
        Some(f) => f == ExportFormat::Xlsx,
        None => req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains(XLSX)),
    }
}

/// One typed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A share as a fraction (0.99), shown as `99.00%`.
    Percent(f64),
    Bool(bool),
}

/// How a cell is shaded: the compliance matrix colours achieved and not
/// achieved targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    None,
    Good,
    Bad,
    Muted,
}

/// A worksheet: header rows (bold, frozen), then data rows.
#[derive(Debug, Default)]
pub struct Sheet {
    pub name: String,
    pub header: Vec<Vec<String>>,
    pub rows: Vec<Vec<(Cell, Shade)>>,
    /// Columns frozen at the left (codes and names).
    pub frozen_columns: u16,
    pub widths: Vec<f64>,
}

impl Sheet {
    pub fn new(name: &str, header: Vec<String>) -> Sheet {
        Sheet {
            name: name.to_string(),
            header: vec![header],
            ..Sheet::default()
        }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows
            .push(row.into_iter().map(|c| (c, Shade::None)).collect());
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

impl From<i32> for Cell {
    fn from(n: i32) -> Cell {
        Cell::Number(f64::from(n))
    }
}

impl From<usize> for Cell {
    fn from(n: usize) -> Cell {
        Cell::Number(n as f64)
    }
}

impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

/// A JSON value as a cell: numbers, booleans and text keep their type; an
/// array of scalars is joined with `, `; an object is its JSON text.
pub fn json_cell(v: Option<&Value>) -> Cell {
    match v {
        None | Some(Value::Null) => Cell::Empty,
        Some(Value::Bool(b)) => Cell::Bool(*b),
        Some(Value::Number(n)) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        Some(Value::String(s)) => Cell::Text(s.clone()),
        Some(Value::Array(a)) => Cell::Text(
            a.iter()
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Some(o @ Value::Object(_)) => Cell::Text(o.to_string()),
    }
}

/// A sheet whose columns are JSON pointers into each item's serialisation,
/// each with its header: the cells are the JSON answer's values.
pub fn json_sheet<T: Serialize>(name: &str, columns: &[(&str, &str)], items: &[T]) -> Sheet {
    let mut sheet = Sheet::new(name, columns.iter().map(|(_, h)| h.to_string()).collect());
    for item in items {
        let v = serde_json::to_value(item).unwrap_or(Value::Null);
        sheet.push(
            columns
                .iter()
                .map(|(p, _)| json_cell(v.pointer(p)))
                .collect(),
        );
    }
    sheet.widths = columns.iter().map(|(_, h)| width_for(h)).collect();
    sheet
}

fn width_for(header: &str) -> f64 {
    (header.chars().count() as f64 * 0.9).clamp(10.0, 40.0)
}

struct Formats {
    header: Format,
    percent: Format,
    shade: [(Shade, Format, Format); 3],
}

impl Formats {
    fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border(FormatBorder::Thin);
        let percent = Format::new().set_num_format("0.00%");
        let fill = |bg: u32, fg: u32| {
            let f = Format::new()
                .set_background_color(Color::RGB(bg))
                .set_font_color(Color::RGB(fg));
            (f.clone(), f.set_num_format("0.00%"))
        };
        let (good, good_pct) = fill(0xC6EFCE, 0x006100);
        let (bad, bad_pct) = fill(0xFFC7CE, 0x9C0006);
        let (muted, muted_pct) = fill(0xEDEDED, 0x595959);
        Formats {
            header,
            percent,
            shade: [
                (Shade::Good, good, good_pct),
                (Shade::Bad, bad, bad_pct),
                (Shade::Muted, muted, muted_pct),
            ],
        }
    }

    fn of(&self, shade: Shade, percent: bool) -> Option<&Format> {
        match self.shade.iter().find(|(s, _, _)| *s == shade) {
            Some((_, plain, pct)) => Some(if percent { pct } else { plain }),
            None if percent => Some(&self.percent),
            None => None,
        }
    }
}

fn write_cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    match (cell, format) {
        (Cell::Empty, Some(f)) => ws.write_blank(row, col, f).map(|_| ()),
        (Cell::Empty, None) => Ok(()),
        (Cell::Text(s), f) => {
            let s: String = s.chars().take(MAX_CELL_CHARS).collect();
            match f {
                Some(f) => ws.write_string_with_format(row, col, s, f).map(|_| ()),
                None => ws.write_string(row, col, s).map(|_| ()),
            }
        }
        (Cell::Number(n) | Cell::Percent(n), f) => match f {
            Some(f) => ws.write_number_with_format(row, col, *n, f).map(|_| ()),
            None => ws.write_number(row, col, *n).map(|_| ()),
        },
        (Cell::Bool(b), f) => match f {
            Some(f) => ws.write_boolean_with_format(row, col, *b, f).map(|_| ()),
            None => ws.write_boolean(row, col, *b).map(|_| ()),
        },
    }
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c })
        .take(28)
        .collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base = if clean.is_empty() {
        "Sheet".to_string()
    } else {
        clean
    };
    let mut out = base.clone();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&out)) {
        out = format!("{base} {n}");
        n += 1;
    }
    out
}

/// The workbook's bytes.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, AppError> {
    build(sheets).map_err(AppError::internal)
}

fn build(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let mut wb = Workbook::new();
    let mut names: Vec<String> = Vec::new();
    for sheet in sheets {
        let name = sheet_name(&sheet.name, &names);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        names.push(name);
        for (r, line) in sheet.header.iter().enumerate() {
            for (c, h) in line.iter().enumerate() {
                ws.write_string_with_format(r as u32, c as u16, h, &formats.header)?;
            }
        }
        let top = sheet.header.len() as u32;
        for (r, line) in sheet.rows.iter().enumerate() {
            for (c, (cell, shade)) in line.iter().enumerate() {
                let percent = matches!(cell, Cell::Percent(_));
                write_cell(
                    ws,
                    top + r as u32,
                    c as u16,
                    cell,
                    formats.of(*shade, percent),
                )?;
            }
        }
        for (c, w) in sheet.widths.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        ws.set_freeze_panes(top, sheet.frozen_columns)?;
    }
    if sheets.is_empty() {
        wb.add_worksheet();
    }
    wb.save_to_buffer()
}

/// The workbook as a download.
pub fn xlsx_response(filename: &str, sheets: &[Sheet]) -> Result<HttpResponse, AppError> {
    let bytes = workbook(sheets)?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header((header::CONTENT_DISPOSITION, attachment(filename)))
        .body(bytes))
}

/// A page as JSON, or as a workbook (with the same `Link` to the next page).
pub fn page_or_xlsx<T: Serialize + utoipa::ToSchema>(
    req: &HttpRequest,
    format: Option<ExportFormat>,
    filename: &str,
    page: Page<T>,
    sheet: impl FnOnce(&[T]) -> Vec<Sheet>,
) -> Result<HttpResponse, AppError> {
    if !wants_xlsx(req, format) {
        return Ok(page.respond_to(req));
    }
    let mut res = xlsx_response(filename, &sheet(&page.items))?;
    if let Some(link) = next_link(req, page.next_cursor.as_deref()) {
        res.headers_mut().insert(header::LINK, link);
    }
    Ok(res)
}

/// The `Content-Disposition` of a download.
pub fn attachment(filename: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::{Cell, json_cell, sheet_name};
    use serde_json::json;

    #[test]
    fn sheet_names_are_cut_cleaned_and_unique() {
        let taken = vec!["Ma trận".to_string()];
        assert_eq!(sheet_name("Ma trận", &taken), "Ma trận 2");
        assert_eq!(sheet_name("a/b:c", &[]), "a b c");
        assert!(sheet_name(&"x".repeat(40), &[]).chars().count() <= 31);
    }

    #[test]
    fn json_values_keep_their_type_in_cells() {
        assert_eq!(json_cell(Some(&json!(3))), Cell::Number(3.0));
        assert_eq!(json_cell(Some(&json!(true))), Cell::Bool(true));
        assert_eq!(json_cell(Some(&json!("=1+1"))), Cell::Text("=1+1".into()));
        assert_eq!(
            json_cell(Some(&json!(["a", "b"]))),
            Cell::Text("a, b".into())
        );
        assert_eq!(json_cell(None), Cell::Empty);
    }
}
