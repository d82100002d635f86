//! Reading an uploaded file, bounded: an `.xlsx` workbook's one sheet is
//! streamed cell by cell (calamine's cell reader, so the sheet is never
//! held as a second grid), a `.csv` is split in place; either way only the
//! rows' text is kept, and reading stops at the row limit.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use chrono::{Days, NaiveDate};

use crate::domain::import::{ImportKind, header_key};
use crate::error::{AppError, ErrorCode};

/// At most this many columns are read (the widest kind has fewer than 10).
const MAX_COLUMNS: usize = 64;

/// A sheet's text: the header row and the non-empty data rows with their
/// spreadsheet row numbers (the header is row 1 when it is the first row).
#[derive(Debug, Default)]
pub struct Table {
    pub sheet: String,
    pub headers: Vec<String>,
    pub rows: Vec<(u32, Vec<String>)>,
}

fn not_a_spreadsheet() -> AppError {
    AppError::new(ErrorCode::NotASpreadsheet)
}

fn too_many_rows(limit: usize) -> AppError {
    AppError::new(ErrorCode::TooManyRows).arg("limit", limit)
}

/// The kind's sheet of an `.xlsx` (ZIP) or the rows of a `.csv` (UTF-8).
pub fn read(bytes: &[u8], kind: ImportKind, max_rows: usize) -> Result<Table, AppError> {
    if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, kind, max_rows)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        // An OLE container: an encrypted (password-protected) workbook, or
        // a legacy .xls, which is not read.
        match Xlsx::new(Cursor::new(bytes)) {
            Err(XlsxError::Password) => Err(AppError::new(ErrorCode::SpreadsheetEncrypted)),
            _ if contains_utf16(bytes, "EncryptedPackage") => {
                Err(AppError::new(ErrorCode::SpreadsheetEncrypted))
            }
            _ => Err(not_a_spreadsheet()),
        }
    } else {
        read_csv(bytes, kind, max_rows)
    }
}

fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let pat: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(pat.len()).any(|w| w == pat.as_slice())
}

fn read_xlsx(bytes: &[u8], kind: ImportKind, max_rows: usize) -> Result<Table, AppError> {
    let mut wb: Xlsx<_> = match Xlsx::new(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(XlsxError::Password) => return Err(AppError::new(ErrorCode::SpreadsheetEncrypted)),
        Err(_) => return Err(not_a_spreadsheet()),
    };
    let want = header_key(kind.sheet());
    let Some(name) = wb
        .sheet_names()
        .into_iter()
        .find(|n| header_key(n) == want || n.trim().eq_ignore_ascii_case(kind.as_str()))
    else {
        return Err(AppError::new(ErrorCode::SheetMissing).arg("sheet", kind.sheet()));
    };
    let mut cells = wb
        .worksheet_cells_reader(&name)
        .map_err(|_| not_a_spreadsheet())?;
    // The sheet says how far it reaches: refuse a too-long one before reading it.
    let dim = cells.dimensions();
    if dim.end.0.saturating_sub(dim.start.0) as usize > max_rows.saturating_add(1) {
        return Err(too_many_rows(max_rows));
    }
    let mut table = Table {
        sheet: name.clone(),
        ..Default::default()
    };
    let mut current: Option<(u32, Vec<String>)> = None;
    let mut header_seen = false;
    loop {
        let cell = cells.next_cell().map_err(|_| not_a_spreadsheet())?;
        let next_row = cell.as_ref().map(|c| c.get_position().0);
        if current.as_ref().is_some_and(|c| Some(c.0) != next_row) {
            let (r, row) = current.take().unwrap_or_default();
            push_row(&mut table, &mut header_seen, r + 1, row, max_rows)?;
        }
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        let c = c as usize;
        if c >= MAX_COLUMNS {
            continue;
        }
        let text = cell_text(cell.get_value());
        if text.is_empty() {
            continue;
        }
        let row = &mut current.get_or_insert_with(|| (r, Vec::new())).1;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    if !header_seen {
        return Err(AppError::new(ErrorCode::SheetMissing).arg("sheet", kind.sheet()));
    }
    Ok(table)
}

/// The first non-empty row is the header; the others are data.
fn push_row(
    table: &mut Table,
    header_seen: &mut bool,
    line: u32,
    row: Vec<String>,
    max_rows: usize,
) -> Result<(), AppError> {
    if row.iter().all(|c| c.trim().is_empty()) {
        return Ok(());
    }
    if !*header_seen {
        *header_seen = true;
        table.headers = row;
        return Ok(());
    }
    if table.rows.len() >= max_rows {
        return Err(too_many_rows(max_rows));
    }
    table.rows.push((line, row));
    Ok(())
}

/// A cell as text: numbers without a spurious `.0`, dates as `yyyy-mm-dd`.
fn cell_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Int(n) => n.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::String(s) => s.trim().to_string(),
        DataRef::SharedString(s) => s.trim().to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => {
            excel_date(d.as_f64()).map_or_else(|| d.as_f64().to_string(), |d| d.to_string())
        }
        DataRef::DateTimeIso(s) => s.chars().take(10).collect(),
        DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    }
}

/// A 1900-system serial day as a date (day 0 is 1899-12-30).
fn excel_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(Days::new(serial.trunc() as u64))
}

/// A UTF-8 CSV (a byte-order mark allowed), comma- or semicolon-separated
/// (whichever the header row uses more), with `"` quoting.
fn read_csv(bytes: &[u8], kind: ImportKind, max_rows: usize) -> Result<Table, AppError> {
    let text = std::str::from_utf8(bytes).map_err(|_| not_a_spreadsheet())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() || text.contains('\0') {
        return Err(not_a_spreadsheet());
    }
    let first = text.lines().next().unwrap_or("");
    let sep = if first.matches(';').count() > first.matches(',').count() {
        ';'
    } else {
        ','
    };
    let mut table = Table {
        sheet: kind.as_str().to_string(),
        ..Default::default()
    };
    let mut header_seen = false;
    let mut line = 1u32;
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut row_start = 1u32;
    while let Some(ch) = chars.next() {
        match (quoted, ch) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, c) if c == sep => {
                if row.len() < MAX_COLUMNS {
                    row.push(std::mem::take(&mut field));
                } else {
                    field.clear();
                }
            }
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                push_row(
                    &mut table,
                    &mut header_seen,
                    row_start,
                    std::mem::take(&mut row),
                    max_rows,
                )?;
                line += 1;
                row_start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(not_a_spreadsheet());
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        push_row(&mut table, &mut header_seen, row_start, row, max_rows)?;
    }
    if !header_seen {
        return Err(not_a_spreadsheet());
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_is_read_with_quotes_semicolons_and_row_numbers() {
        let t = read(
            "\u{feff}Mã cán bộ;Họ và tên\r\nCB1;\"Nguyễn; \"\"An\"\"\"\r\n\r\nCB2;Lê B\n"
                .as_bytes(),
            ImportKind::People,
            10,
        )
        .unwrap();
        assert_eq!(t.headers, vec!["Mã cán bộ", "Họ và tên"]);
        assert_eq!(t.rows[0], (2, vec!["CB1".into(), "Nguyễn; \"An\"".into()]));
        assert_eq!(t.rows[1].0, 4);
    }

    #[test]
    fn bad_files_are_refused_with_their_own_codes() {
        let code = |r: Result<Table, AppError>| r.unwrap_err().error_code();
        assert_eq!(
            code(read(b"\x00\x01\x02binary", ImportKind::People, 10)),
            ErrorCode::NotASpreadsheet
        );
        assert_eq!(
            code(read(b"PK\x03\x04not a zip", ImportKind::People, 10)),
            ErrorCode::NotASpreadsheet
        );
        assert_eq!(
            code(read(b"a,b\n1,2\n3,4\n", ImportKind::People, 1)),
            ErrorCode::TooManyRows
        );
        let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        ole.extend(
            "EncryptedPackage"
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        );
        assert_eq!(
            code(read(&ole, ImportKind::People, 10)),
            ErrorCode::SpreadsheetEncrypted
        );
        assert_eq!(excel_date(45474.0), NaiveDate::from_ymd_opt(2024, 7, 1));
    }
}
