//! Imports (docs/imports.md): what each kind's sheet holds, how a header
//! row is matched (Vietnamese header or English field name, whatever the
//! case and spacing), and how a cell's text becomes a value. Pure: the
//! service reads the file and looks the natural keys up.

mod specs;

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::text::text_enum;

text_enum! {
    /// What a file holds.
    pub enum ImportKind {
        Organizations = "organizations",
        People = "people",
        Facts = "facts",
        Awards = "awards",
        BallotResults = "ballot_results",
    }
}

text_enum! {
    /// Where an award or a decision comes from: decided in thidua, or
    /// imported from the paper history (not re-decided).
    pub enum Provenance {
        Decided = "decided",
        Imported = "imported",
    }
}

/// A column's type (what its cells must hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    Text(usize),
    /// An organisation code (`^[A-Z0-9_-]{2,32}$`, upper-cased on reading).
    Code,
    /// A staff code (`^[A-Za-z0-9_.-]{1,32}$`).
    PersonCode,
    Date,
    Year,
    Int(i64, i64),
    /// `có`/`không`, `x`/empty, `true`/`false`, `1`/`0`.
    Bool,
    Enum(&'static [&'static str]),
}

/// One column of a kind.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    /// English field name (accepted as a header too).
    pub field: &'static str,
    /// Vietnamese header (what the template writes).
    pub vi: &'static str,
    pub required: bool,
    pub ty: ColType,
    pub example: &'static str,
    /// The template's note on the header (Vietnamese).
    pub note: &'static str,
}

impl Col {
    /// The values of a drop-down list (enums and booleans).
    pub fn choices(&self) -> Option<&'static [&'static str]> {
        match self.ty {
            ColType::Enum(v) => Some(v),
            ColType::Bool => Some(specs::YES_NO),
            _ => None,
        }
    }
}

text_enum! {
    /// Why a row (or the header) cannot be imported.
    pub enum ProblemCode {
        UnknownColumn = "unknown_column",
        MissingColumn = "missing_column",
        DuplicateColumn = "duplicate_column",
        Required = "required",
        InvalidValue = "invalid_value",
        TooLong = "too_long",
        UnknownOrganization = "unknown_organization",
        UnknownPerson = "unknown_person",
        ParentNotAUnit = "parent_not_a_unit",
        DuplicateKey = "duplicate_key",
        InvalidDates = "invalid_dates",
        OverlappingEmployment = "overlapping_employment",
        DisciplineUntilRequired = "discipline_until_required",
        OneSubject = "one_subject",
        SubjectKindMismatch = "subject_kind_mismatch",
        DecisionNumberTaken = "decision_number_taken",
        DecisionMismatch = "decision_mismatch",
        NoRuleSet = "no_rule_set",
        NotYourOrganization = "not_your_organization",
        InconsistentPerson = "inconsistent_person",
        UnknownBloc = "unknown_bloc",
        UnknownTerm = "unknown_term",
        NotAMember = "not_a_member",
        TermHasBallot = "term_has_ballot",
    }
}

/// One problem of a file: where (sheet, spreadsheet row number, column
/// header) and why; `detail` fills the text's `{detail}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub sheet: String,
    /// The spreadsheet's row number (the header is row 1).
    pub row: u32,
    /// The column's header as the file spells it (the template's when missing).
    pub column: Option<String>,
    pub code: ProblemCode,
    pub detail: String,
}

/// Headers compare trimmed, lower-cased, with runs of spaces as one.
pub fn header_key(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Which spec column each file column is (`None`: not one), and the
/// problems of the header row.
pub fn match_headers(
    kind: ImportKind,
    sheet: &str,
    headers: &[String],
) -> (Vec<Option<usize>>, Vec<Problem>) {
    let cols = kind.columns();
    let mut problems = Vec::new();
    let mut seen = vec![false; cols.len()];
    let mut map = Vec::with_capacity(headers.len());
    for h in headers {
        let key = header_key(h);
        if key.is_empty() {
            map.push(None);
            continue;
        }
        let hit = cols
            .iter()
            .position(|c| header_key(c.vi) == key || c.field.to_lowercase() == key);
        match hit {
            Some(i) if seen[i] => {
                problems.push(header_problem(
                    sheet,
                    Some(h),
                    ProblemCode::DuplicateColumn,
                    "",
                ));
                map.push(None);
            }
            Some(i) => {
                seen[i] = true;
                map.push(Some(i));
            }
            None => {
                problems.push(header_problem(
                    sheet,
                    Some(h),
                    ProblemCode::UnknownColumn,
                    "",
                ));
                map.push(None);
            }
        }
    }
    for (i, c) in cols.iter().enumerate() {
        if c.required && !seen[i] {
            problems.push(header_problem(
                sheet,
                Some(c.vi),
                ProblemCode::MissingColumn,
                "",
            ));
        }
    }
    (map, problems)
}

fn header_problem(sheet: &str, col: Option<&str>, code: ProblemCode, detail: &str) -> Problem {
    Problem {
        sheet: sheet.to_string(),
        row: 1,
        column: col.map(str::to_string),
        code,
        detail: detail.to_string(),
    }
}

/// A parsed cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Date(NaiveDate),
    Int(i64),
    Bool(bool),
}

/// A cell's text as its column's type; `Ok(None)` for an empty cell.
pub fn parse_cell(ty: ColType, raw: &str) -> Result<Option<Value>, ProblemCode> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let v = match ty {
        ColType::Text(max) => {
            if s.chars().count() > max {
                return Err(ProblemCode::TooLong);
            }
            if s.chars().any(|c| c.is_control()) {
                return Err(ProblemCode::InvalidValue);
            }
            Value::Text(s.to_string())
        }
        ColType::Code => {
            let up = s.to_uppercase();
            let ok = (2..=32).contains(&up.len())
                && up.bytes().all(|b| {
                    b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                });
            if !ok {
                return Err(ProblemCode::InvalidValue);
            }
            Value::Text(up)
        }
        ColType::PersonCode => {
            let ok = (1..=32).contains(&s.len())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
            if !ok {
                return Err(ProblemCode::InvalidValue);
            }
            Value::Text(s.to_string())
        }
        ColType::Date => Value::Date(parse_date(s).ok_or(ProblemCode::InvalidValue)?),
        ColType::Year => {
            let y = parse_int(s).ok_or(ProblemCode::InvalidValue)?;
            if !(2000..=2100).contains(&y) {
                return Err(ProblemCode::InvalidValue);
            }
            Value::Int(y)
        }
        ColType::Int(min, max) => {
            let n = parse_int(s).ok_or(ProblemCode::InvalidValue)?;
            if n < min || n > max {
                return Err(ProblemCode::InvalidValue);
            }
            Value::Int(n)
        }
        ColType::Bool => Value::Bool(parse_bool(s).ok_or(ProblemCode::InvalidValue)?),
        ColType::Enum(values) => {
            let low = s.to_lowercase();
            if !values.contains(&low.as_str()) {
                return Err(ProblemCode::InvalidValue);
            }
            Value::Text(low)
        }
    };
    Ok(Some(v))
}

/// `2024-07-01`, `01/07/2024` (day first, as Vietnamese sheets write it),
/// or a date cell the reader already turned into `yyyy-mm-dd`.
fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
        .filter(|d| {
            use chrono::Datelike;
            (1900..=2100).contains(&d.year())
        })
}

/// An integer, also as a spreadsheet writes a whole number (`12.0`).
fn parse_int(s: &str) -> Option<i64> {
    s.parse::<i64>()
        .ok()
        .or_else(|| s.strip_suffix(".0").and_then(|t| t.parse().ok()))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_lowercase().as_str() {
        "có" | "co" | "x" | "true" | "1" | "yes" => Some(true),
        "không" | "khong" | "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// A data row with its cells by spec column, and the problems found while
/// reading it.
pub struct Row {
    pub line: u32,
    values: Vec<Option<Value>>,
    raw: Vec<Option<String>>,
    kind: ImportKind,
}

impl Row {
    /// Parse a row's cells (`cells[i]` under file column `i`); the problems
    /// of its cells are appended to `problems`.
    pub fn parse(
        kind: ImportKind,
        sheet: &str,
        line: u32,
        map: &[Option<usize>],
        headers: &[String],
        cells: &[String],
        problems: &mut Vec<Problem>,
    ) -> Row {
        let cols = kind.columns();
        let mut values = vec![None; cols.len()];
        let mut raw = vec![None; cols.len()];
        for (i, cell) in cells.iter().enumerate() {
            let Some(Some(ci)) = map.get(i) else { continue };
            match parse_cell(cols[*ci].ty, cell) {
                Ok(v) => values[*ci] = v,
                Err(code) => problems.push(Problem {
                    sheet: sheet.to_string(),
                    row: line,
                    column: Some(headers[i].clone()),
                    code,
                    detail: cell.trim().chars().take(100).collect(),
                }),
            }
            raw[*ci] = Some(cell.trim().to_string());
        }
        for (ci, c) in cols.iter().enumerate() {
            if c.required && values[ci].is_none() && raw[ci].as_deref().is_none_or(str::is_empty) {
                problems.push(Problem {
                    sheet: sheet.to_string(),
                    row: line,
                    column: Some(c.vi.to_string()),
                    code: ProblemCode::Required,
                    detail: String::new(),
                });
            }
        }
        Row {
            line,
            values,
            raw,
            kind,
        }
    }

    fn get(&self, field: &str) -> Option<&Value> {
        let i = self.kind.columns().iter().position(|c| c.field == field)?;
        self.values[i].as_ref()
    }

    pub fn text(&self, field: &str) -> Option<String> {
        match self.get(field) {
            Some(Value::Text(s)) => Some(s.clone()),
            _ => None,
        }
    }

    pub fn date(&self, field: &str) -> Option<NaiveDate> {
        match self.get(field) {
            Some(Value::Date(d)) => Some(*d),
            _ => None,
        }
    }

    pub fn int(&self, field: &str) -> Option<i64> {
        match self.get(field) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn bool(&self, field: &str) -> Option<bool> {
        match self.get(field) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// An enum column as its type (`None`: empty or not one of its values).
    pub fn choice<T: std::str::FromStr>(&self, field: &str) -> Option<T> {
        self.text(field).and_then(|s| s.parse().ok())
    }

    /// Whether a cell had text that did not parse (a problem already listed).
    pub fn bad(&self, field: &str) -> bool {
        let Some(i) = self.kind.columns().iter().position(|c| c.field == field) else {
            return false;
        };
        self.values[i].is_none() && self.raw[i].as_deref().is_some_and(|s| !s.is_empty())
    }

    /// A problem about this row, under the column of `field`.
    pub fn problem(&self, sheet: &str, field: &str, code: ProblemCode, detail: &str) -> Problem {
        let column = self
            .kind
            .columns()
            .iter()
            .find(|c| c.field == field)
            .map(|c| c.vi.to_string());
        Problem {
            sheet: sheet.to_string(),
            row: self.line,
            column,
            code,
            detail: detail.to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
