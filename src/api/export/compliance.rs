//! The compliance matrix as a workbook, from the same view as its JSON
//! (docs/documents.md, "The compliance workbook"): three sheets.
//!
//! - `Ma trận` — units × targets: two frozen header rows (the item, then the
//!   target's label), the unit's code and name frozen at the left; per cell the
//!   typed value of the latest report (a percentage as a percent-formatted
//!   fraction, a count as a number, a boolean as TRUE/FALSE, a qualitative
//!   target's period as text), green when achieved, red when not, grey
//!   without a report; then the unit's summary; a last `Toàn khối` row with
//!   each target's share of members achieving it, coloured by `met`.
//! - `Chỉ tiêu` — one row per target: its item, kind, comparator, level,
//!   members achieving it, members, share and `met`.
//! - `Chi tiết` — one row per unit and target: every figure of the cell.

use serde::Serialize;

use super::{Cell, Shade, Sheet};
use crate::api::pledges::{CellStatus, CellView, ComplianceView};

/// A JSON enum's name (`percentage`, `gte`).
fn name_of<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// `"99.00"` → 0.99.
fn fraction(percent: &str) -> Cell {
    percent
        .parse::<f64>()
        .map_or(Cell::Empty, |p| Cell::Percent(p / 100.0))
}

fn shade(achieved: Option<bool>, status: CellStatus) -> Shade {
    match (status, achieved) {
        (CellStatus::NoReport, _) => Shade::Muted,
        (_, Some(true)) => Shade::Good,
        (_, Some(false)) => Shade::Bad,
        _ => Shade::None,
    }
}

/// The value a matrix cell shows, typed.
fn value(c: &CellView) -> Cell {
    if let Some(p) = &c.percent {
        return fraction(p);
    }
    match (c.count, c.done, &c.period) {
        (Some(n), _, _) => Cell::from(n),
        (None, Some(d), _) => Cell::Bool(d),
        (None, None, Some(period)) => Cell::Text(period.clone()),
        _ => Cell::Empty,
    }
}

pub fn sheets(v: &ComplianceView) -> Vec<Sheet> {
    vec![matrix(v), targets(v), detail(v)]
}

fn item_position(v: &ComplianceView, item_id: uuid::Uuid) -> i32 {
    v.items
        .iter()
        .find(|i| i.item_id == item_id)
        .map_or(0, |i| i.position)
}

fn matrix(v: &ComplianceView) -> Sheet {
    let summary = [
        "Chỉ tiêu đạt / Achieved",
        "Chỉ tiêu đo được / Measurable",
        "Đã báo cáo / Reported",
        "Nội dung đạt / Items met",
    ];
    let mut items = vec!["Nội dung / Item".to_string(), String::new()];
    let mut labels = vec![
        "Mã đơn vị / Unit code".to_string(),
        "Đơn vị / Unit".to_string(),
    ];
    for t in &v.targets {
        // Items numbered from 1, as the printed pledge numbers them.
        items.push(format!("Nội dung {}", item_position(v, t.item_id) + 1));
        labels.push(t.label.clone());
    }
    for s in summary {
        items.push(String::new());
        labels.push(s.to_string());
    }
    let mut sheet = Sheet {
        name: "Ma trận".into(),
        header: vec![items, labels],
        frozen_columns: 2,
        ..Sheet::default()
    };
    for u in &v.units {
        let mut row = vec![
            (Cell::Text(u.code.clone()), Shade::None),
            (Cell::Text(u.name.clone()), Shade::None),
        ];
        row.extend(
            u.cells
                .iter()
                .map(|c| (value(c), shade(c.achieved, c.status))),
        );
        for n in [
            u.summary.achieved,
            u.summary.measurable,
            u.summary.reported,
            u.summary.items_met,
        ] {
            row.push((Cell::from(n), Shade::None));
        }
        sheet.rows.push(row);
    }
    let mut bloc = vec![
        (Cell::from("KHOI"), Shade::None),
        (Cell::from("Toàn khối / Bloc"), Shade::None),
    ];
    bloc.extend(v.targets.iter().map(|t| {
        let s = match t.met {
            Some(true) => Shade::Good,
            Some(false) => Shade::Bad,
            None => Shade::None,
        };
        (fraction(&t.share), s)
    }));
    sheet.rows.push(bloc);
    sheet.widths = vec![14.0, 36.0];
    sheet
        .widths
        .extend(std::iter::repeat_n(16.0, v.targets.len() + summary.len()));
    sheet
}

fn targets(v: &ComplianceView) -> Sheet {
    let mut sheet = Sheet::new(
        "Chỉ tiêu",
        [
            "Nội dung / Item",
            "Nội dung giao ước / Item text",
            "Chỉ tiêu / Target",
            "Loại / Kind",
            "So sánh / Comparator",
            "Mức / Level",
            "Đơn vị đạt / Members achieving",
            "Thành viên / Members",
            "Tỷ lệ / Share",
            "Toàn khối đạt / Met",
        ]
        .map(String::from)
        .to_vec(),
    );
    for t in &v.targets {
        let item = v.items.iter().find(|i| i.item_id == t.item_id);
        sheet.push(vec![
            Cell::from(item.map(|i| i.position)),
            Cell::from(item.map(|i| i.text.clone())),
            Cell::from(t.label.clone()),
            Cell::from(name_of(&t.kind)),
            Cell::from(t.comparator.as_ref().map(name_of)),
            Cell::from(t.target),
            Cell::from(t.members_achieving),
            Cell::from(t.members),
            fraction(&t.share),
            Cell::from(t.met),
        ]);
    }
    sheet.widths = vec![10.0, 50.0, 40.0, 14.0, 12.0, 10.0, 14.0, 12.0, 12.0, 12.0];
    sheet
}

fn detail(v: &ComplianceView) -> Sheet {
    let mut sheet = Sheet::new(
        "Chi tiết",
        [
            "Mã đơn vị / Unit code",
            "Đơn vị / Unit",
            "Chỉ tiêu / Target",
            "Kỳ báo cáo / Period",
            "Tử số / Numerator",
            "Mẫu số / Denominator",
            "Số lượng / Count",
            "Hoàn thành / Done",
            "Tỷ lệ / Percent",
            "Trạng thái / Status",
            "Đạt / Achieved",
        ]
        .map(String::from)
        .to_vec(),
    );
    sheet.frozen_columns = 2;
    for u in &v.units {
        for (c, t) in u.cells.iter().zip(&v.targets) {
            sheet.rows.push(vec![
                (Cell::from(u.code.clone()), Shade::None),
                (Cell::from(u.name.clone()), Shade::None),
                (Cell::from(t.label.clone()), Shade::None),
                (Cell::from(c.period.clone()), Shade::None),
                (Cell::from(c.numerator), Shade::None),
                (Cell::from(c.denominator), Shade::None),
                (Cell::from(c.count), Shade::None),
                (Cell::from(c.done), Shade::None),
                (
                    c.percent.as_deref().map_or(Cell::Empty, fraction),
                    Shade::None,
                ),
                (Cell::from(c.status.as_str()), Shade::None),
                (Cell::from(c.achieved), shade(c.achieved, c.status)),
            ]);
        }
    }
    sheet.widths = vec![
        14.0, 36.0, 40.0, 12.0, 10.0, 10.0, 10.0, 10.0, 10.0, 14.0, 10.0,
    ];
    sheet
}
