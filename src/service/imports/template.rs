//! `GET /imports/templates/{kind}`: an `.xlsx` a clerk fills in: the kind's
//! sheet with its header row (Vietnamese, a note on each header saying what
//! goes there), one example row, and a drop-down list on every enum or
//! yes/no column.

use rust_xlsxwriter::{DataValidation, Format, Note, Workbook, XlsxError};

use crate::domain::import::{ColType, ImportKind};
use crate::error::{AppError, AppResult};

/// How many rows the drop-down lists cover.
const LIST_ROWS: u32 = 100_000;

pub fn template(kind: ImportKind) -> AppResult<Vec<u8>> {
    build(kind).map_err(AppError::internal)
}

fn build(kind: ImportKind) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#DDEBF7");
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name(kind.sheet())?;
    ws.set_freeze_panes(1, 0)?;
    for (i, col) in kind.columns().iter().enumerate() {
        let c = i as u16;
        ws.write_string_with_format(0, c, col.vi, &bold)?;
        let note = format!(
            "{}{}\n(Tên trường: {})",
            if col.required { "Bắt buộc. " } else { "" },
            col.note,
            col.field
        );
        ws.insert_note(0, c, &Note::new(note).set_author("thidua"))?;
        ws.set_column_width(c, (col.vi.chars().count() as f64 + 6.0).max(14.0))?;
        match col.ty {
            ColType::Year | ColType::Int(..) if !col.example.is_empty() => {
                let n: f64 = col.example.parse().unwrap_or(0.0);
                ws.write_number(1, c, n)?;
            }
            _ => {
                ws.write_string_with_format(1, c, col.example, &text)?;
            }
        }
        if let Some(choices) = col.choices() {
            let dv = DataValidation::new()
                .allow_list_strings(choices)?
                .set_input_title(col.vi)?
                .set_input_message(col.note)?;
            ws.add_data_validation(1, c, LIST_ROWS, c, &dv)?;
        }
    }
    wb.save_to_buffer()
}
