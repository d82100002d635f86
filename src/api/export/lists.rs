//! The lists as workbooks: one row per item of the page (per proposal item
//! for proposals), one column per field of the JSON answer, the cells being
//! that answer's values (docs/documents.md, "Lists").

use serde::Serialize;
use serde_json::{Value, json};

use super::{Cell, Sheet, json_sheet};
use crate::api::evaluation::RankingRow;

pub const ORGANIZATIONS: &[(&str, &str)] = &[
    ("/code", "Mã / Code"),
    ("/name", "Tên / Name"),
    ("/shortName", "Tên viết tắt / Short name"),
    ("/kind", "Loại / Kind"),
    ("/isUnit", "Là đơn vị / Is unit"),
    ("/parentId", "Đơn vị cấp trên / Parent id"),
    ("/validFrom", "Hiệu lực từ / Valid from"),
    ("/validTo", "Hiệu lực đến / Valid to"),
    ("/supersededById", "Thay thế bởi / Superseded by"),
    ("/supersededOn", "Ngày thay thế / Superseded on"),
    ("/active", "Đang hoạt động / Active"),
    ("/id", "Mã định danh / Id"),
    ("/version", "Phiên bản / Version"),
];

pub const PEOPLE: &[(&str, &str)] = &[
    ("/fullName", "Họ và tên / Full name"),
    ("/organizationId", "Đơn vị / Organisation id"),
    ("/position", "Chức vụ / Position"),
    ("/category", "Ngạch / Category"),
    ("/gender", "Giới tính / Gender"),
    ("/employmentStart", "Ngày vào làm / Employment start"),
    ("/active", "Đang công tác / Active"),
    ("/id", "Mã định danh / Id"),
    ("/version", "Phiên bản / Version"),
];

pub const AWARDS: &[(&str, &str)] = &[
    ("/award/year", "Năm / Year"),
    ("/award/awardType", "Danh hiệu, hình thức / Award type"),
    ("/award/status", "Trạng thái / Status"),
    ("/decisionNumber", "Số quyết định / Decision number"),
    ("/decidedOn", "Ngày quyết định / Decided on"),
    ("/issuingBody", "Cơ quan ban hành / Issuing body"),
    ("/award/personId", "Cá nhân / Person id"),
    ("/award/organizationId", "Tập thể / Organisation id"),
    ("/award/overridden", "Quyết định vượt quy tắc / Overridden"),
    ("/award/eligibility/eligible", "Đủ điều kiện / Eligible"),
    ("/award/eligibility/redacted", "Ẩn chi tiết (C2) / Redacted"),
    ("/award/revokedAt", "Thu hồi lúc / Revoked at"),
    ("/award/revokeReason", "Lý do thu hồi / Revoke reason"),
    ("/award/id", "Mã định danh / Id"),
];

/// Per proposal item: the proposal (`/proposal`), the item (`/item`) and the
/// rules it failed (`/failedRules`, empty when the checks are redacted).
pub const PROPOSALS: &[(&str, &str)] = &[
    ("/proposal/year", "Năm / Year"),
    ("/proposal/title", "Tờ trình / Proposal"),
    (
        "/proposal/organizationId",
        "Đơn vị đề nghị / Proposing unit",
    ),
    ("/proposal/status", "Trạng thái / Status"),
    ("/item/awardType", "Danh hiệu, hình thức / Award type"),
    ("/item/personId", "Cá nhân / Person id"),
    ("/item/organizationId", "Tập thể / Organisation id"),
    ("/item/eligible", "Đủ điều kiện / Eligible"),
    ("/failedRules", "Tiêu chuẩn không đạt / Failed rules"),
    ("/item/eligibility/redacted", "Ẩn chi tiết (C2) / Redacted"),
    ("/proposal/returnReason", "Lý do trả lại / Return reason"),
    ("/proposal/councilNote", "Ý kiến Hội đồng / Council note"),
    ("/proposal/councilOn", "Ngày họp Hội đồng / Council on"),
    ("/proposal/id", "Mã tờ trình / Proposal id"),
    ("/item/id", "Mã dòng / Item id"),
];

pub const REGISTRATIONS: &[(&str, &str)] = &[
    ("/year", "Năm / Year"),
    ("/organizationId", "Đơn vị / Organisation id"),
    ("/titles", "Danh hiệu tập thể đăng ký / Titles"),
    ("/subUnits", "Đơn vị trực thuộc / Sub-units"),
    ("/staff", "Cá nhân đăng ký / Staff"),
    ("/id", "Mã định danh / Id"),
    ("/version", "Phiên bản / Version"),
];

/// One sheet of a list page.
pub fn list<T: Serialize>(name: &str, columns: &[(&str, &str)], items: &[T]) -> Vec<Sheet> {
    vec![json_sheet(name, columns, items)]
}

/// The rows of the proposals sheet: one per item.
pub fn proposal_rows<T: Serialize>(proposals: &[T]) -> Vec<Value> {
    let mut rows = Vec::new();
    for p in proposals {
        let mut p = serde_json::to_value(p).unwrap_or(Value::Null);
        let items = p
            .as_object_mut()
            .and_then(|o| o.remove("items"))
            .and_then(|i| match i {
                Value::Array(a) => Some(a),
                _ => None,
            })
            .unwrap_or_default();
        for item in items {
            let failed: Vec<Value> = item
                .pointer("/eligibility/checks")
                .and_then(Value::as_array)
                .map(|checks| {
                    checks
                        .iter()
                        .filter(|c| c["passed"] == json!(false))
                        .map(|c| c["rule"].clone())
                        .collect()
                })
                .unwrap_or_default();
            rows.push(json!({"proposal": p, "item": item, "failedRules": failed}));
        }
    }
    rows
}

/// The ranking: rank, unit, total and sections as numbers.
pub fn ranking(rows: &[RankingRow]) -> Vec<Sheet> {
    let sections: Vec<String> = rows
        .iter()
        .find(|r| !r.sections.is_empty())
        .map(|r| r.sections.iter().map(|s| s.title.clone()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = [
        "Hạng / Rank",
        "Mã / Code",
        "Đơn vị / Unit",
        "Tổng điểm / Total",
        "Chỉ tự chấm / Self-score only",
    ]
    .map(String::from)
    .to_vec();
    header.extend(sections.iter().cloned());
    header.push("Chỉ tiêu đạt / Targets achieved".into());
    header.push("Chỉ tiêu đo được / Measurable".into());
    let mut sheet = Sheet::new("Xếp hạng", header);
    let number = |s: &str| s.parse::<f64>().map_or(Cell::Empty, Cell::Number);
    for r in rows {
        let mut row = vec![
            Cell::from(r.rank),
            Cell::from(r.code.clone()),
            Cell::from(r.name.clone()),
            r.total.as_deref().map_or(Cell::Empty, number),
            Cell::from(r.self_score_only),
        ];
        for title in &sections {
            let s = r.sections.iter().find(|s| &s.title == title);
            row.push(s.map_or(Cell::Empty, |s| number(&s.score)));
        }
        row.push(Cell::from(r.compliance_achieved));
        row.push(Cell::from(r.compliance_measurable));
        sheet.push(row);
    }
    sheet.frozen_columns = 3;
    sheet.widths = vec![8.0, 12.0, 36.0, 12.0, 12.0];
    vec![sheet]
}
