//! The columns of each import kind: Vietnamese header (what the template
//! writes), English field name (also accepted), whether it is required, its
//! type, an example and the note the template shows (Vietnamese).

use super::{Col, ColType, ImportKind};

const fn col(
    field: &'static str,
    vi: &'static str,
    required: bool,
    ty: ColType,
    example: &'static str,
    note: &'static str,
) -> Col {
    Col {
        field,
        vi,
        required,
        ty,
        example,
        note,
    }
}

const ORG_KINDS: &[&str] = &[
    "department",
    "committee",
    "broadcaster",
    "national_park",
    "board",
    "division",
    "other",
];
const CATEGORIES: &[&str] = &["can_bo", "cong_chuc", "vien_chuc", "nguoi_lao_dong"];
const GENDERS: &[&str] = &["male", "female"];
const RATINGS: &[&str] = &["kht", "ht", "htt", "htxs"];
const DISCIPLINES: &[&str] = &["none", "khien_trach", "canh_cao", "higher"];
const AWARDS: &[&str] = &[
    "ldtt",
    "cstdcs",
    "cstd_tinh",
    "cstd_toan_quoc",
    "ttldtt",
    "ttldxs",
    "co_thi_dua_tinh",
    "co_thi_dua_chinh_phu",
    "bang_khen_chu_tich_tinh",
    "bang_khen_bo",
    "bang_khen_thu_tuong",
    "giay_khen",
];
pub(super) const YES_NO: &[&str] = &["có", "không"];

pub(super) const ORGANIZATIONS: &[Col] = &[
    col(
        "code",
        "Mã đơn vị",
        true,
        ColType::Code,
        "SGDDT",
        "Mã duy nhất: chữ in hoa, số, - hoặc _ (2–32 ký tự).",
    ),
    col(
        "name",
        "Tên đơn vị",
        true,
        ColType::Text(300),
        "Sở Giáo dục và Đào tạo",
        "Tên đầy đủ.",
    ),
    col(
        "shortName",
        "Tên viết tắt",
        false,
        ColType::Text(100),
        "SGDĐT",
        "Không bắt buộc.",
    ),
    col(
        "kind",
        "Loại hình",
        true,
        ColType::Enum(ORG_KINDS),
        "department",
        "Chọn trong danh sách.",
    ),
    col(
        "parentCode",
        "Mã đơn vị cấp trên",
        false,
        ColType::Code,
        "",
        "Để trống với đơn vị; với phòng trực thuộc, ghi mã đơn vị (đã có hoặc ở dòng trên).",
    ),
    col(
        "validFrom",
        "Hiệu lực từ",
        false,
        ColType::Date,
        "2008-01-01",
        "Ngày (yyyy-mm-dd), không bắt buộc.",
    ),
    col(
        "validTo",
        "Hiệu lực đến",
        false,
        ColType::Date,
        "",
        "Ngày (yyyy-mm-dd), không bắt buộc.",
    ),
];

pub(super) const PEOPLE: &[Col] = &[
    col(
        "code",
        "Mã cán bộ",
        true,
        ColType::PersonCode,
        "CB-00123",
        "Mã duy nhất của cán bộ; nhiều dòng cùng mã là các giai đoạn công tác.",
    ),
    col(
        "fullName",
        "Họ và tên",
        true,
        ColType::Text(200),
        "Nguyễn Văn An",
        "Họ tên đầy đủ.",
    ),
    col(
        "category",
        "Ngạch",
        true,
        ColType::Enum(CATEGORIES),
        "cong_chuc",
        "can_bo, cong_chuc, vien_chuc hoặc nguoi_lao_dong.",
    ),
    col(
        "gender",
        "Giới tính",
        false,
        ColType::Enum(GENDERS),
        "male",
        "male (nam) hoặc female (nữ).",
    ),
    col(
        "organizationCode",
        "Mã đơn vị",
        true,
        ColType::Code,
        "SGDDT",
        "Đơn vị hoặc phòng công tác trong giai đoạn này.",
    ),
    col(
        "position",
        "Chức vụ",
        false,
        ColType::Text(200),
        "Chuyên viên",
        "Không bắt buộc.",
    ),
    col(
        "from",
        "Từ ngày",
        false,
        ColType::Date,
        "2015-09-01",
        "Ngày bắt đầu giai đoạn (yyyy-mm-dd); để trống: trước khi có hồ sơ.",
    ),
    col(
        "to",
        "Đến ngày",
        false,
        ColType::Date,
        "",
        "Ngày cuối của giai đoạn; để trống: đang công tác.",
    ),
];

pub(super) const FACTS: &[Col] = &[
    col(
        "personCode",
        "Mã cán bộ",
        true,
        ColType::PersonCode,
        "CB-00123",
        "Mã cán bộ đã có (hoặc nhập trước bằng mẫu Cán bộ).",
    ),
    col(
        "year",
        "Năm",
        true,
        ColType::Year,
        "2024",
        "Năm thi đua (2000–2100).",
    ),
    col(
        "rating",
        "Xếp loại",
        true,
        ColType::Enum(RATINGS),
        "htt",
        "kht (không hoàn thành), ht (hoàn thành), htt (tốt), htxs (xuất sắc).",
    ),
    col(
        "registered",
        "Đăng ký thi đua",
        true,
        ColType::Bool,
        "có",
        "có / không.",
    ),
    col(
        "monthsEmployed",
        "Số tháng công tác",
        false,
        ColType::Int(0, 12),
        "12",
        "Để trống: tính từ quá trình công tác (số tháng trọn).",
    ),
    col(
        "absentDays",
        "Số ngày nghỉ",
        false,
        ColType::Int(0, 366),
        "0",
        "Ngày làm việc nghỉ (không tính nghỉ thai sản); để trống: 0.",
    ),
    col(
        "discipline",
        "Kỷ luật",
        false,
        ColType::Enum(DISCIPLINES),
        "none",
        "none (không), khien_trach (khiển trách), canh_cao (cảnh cáo), higher (nặng hơn); để trống: none.",
    ),
    col(
        "disciplineUntil",
        "Kỷ luật đến ngày",
        false,
        ColType::Date,
        "",
        "Bắt buộc khi có kỷ luật.",
    ),
    col(
        "underInvestigation",
        "Đang bị điều tra, xem xét",
        false,
        ColType::Bool,
        "không",
        "có / không; để trống: không.",
    ),
];

pub(super) const AWARDS_COLS: &[Col] = &[
    col(
        "decisionNumber",
        "Số quyết định",
        true,
        ColType::Text(100),
        "125/QĐ-UBND",
        "Số, ký hiệu của quyết định giấy.",
    ),
    col(
        "decidedOn",
        "Ngày quyết định",
        true,
        ColType::Date,
        "2022-01-15",
        "yyyy-mm-dd.",
    ),
    col(
        "issuingBody",
        "Cơ quan ban hành",
        true,
        ColType::Text(300),
        "UBND tỉnh",
        "Cơ quan ra quyết định.",
    ),
    col(
        "signer",
        "Người ký",
        true,
        ColType::Text(200),
        "Trần Văn Bình",
        "Người ký quyết định.",
    ),
    col(
        "awardType",
        "Danh hiệu",
        true,
        ColType::Enum(AWARDS),
        "cstdcs",
        "Danh hiệu hoặc hình thức khen thưởng.",
    ),
    col(
        "year",
        "Năm",
        true,
        ColType::Year,
        "2021",
        "Năm thi đua được khen.",
    ),
    col(
        "personCode",
        "Mã cán bộ",
        false,
        ColType::PersonCode,
        "CB-00123",
        "Với khen cá nhân (để trống mã đơn vị).",
    ),
    col(
        "organizationCode",
        "Mã đơn vị",
        false,
        ColType::Code,
        "",
        "Với khen tập thể (để trống mã cán bộ).",
    ),
];

pub(super) const BALLOT_RESULTS: &[Col] = &[
    col(
        "blocCode",
        "Mã khối",
        true,
        ColType::Code,
        "KT-VHXH",
        "Mã khối, cụm thi đua.",
    ),
    col(
        "year",
        "Năm",
        true,
        ColType::Year,
        "2019",
        "Năm của nhiệm kỳ (nhiệm kỳ phải có trong hệ thống).",
    ),
    col(
        "organizationCode",
        "Mã đơn vị",
        true,
        ColType::Code,
        "SVHTTDL",
        "Đơn vị được bầu dẫn đầu (thành viên khối năm đó).",
    ),
    col(
        "rank",
        "Thứ hạng",
        true,
        ColType::Int(1, 100),
        "1",
        "1 là dẫn đầu.",
    ),
    col(
        "votes",
        "Số phiếu",
        false,
        ColType::Int(0, 100_000),
        "7",
        "Số phiếu bầu; để trống: 0.",
    ),
    col(
        "minutesRef",
        "Số biên bản",
        true,
        ColType::Text(200),
        "BB-05/2019/KT",
        "Số, ngày của biên bản kiểm phiếu giấy.",
    ),
];

impl ImportKind {
    /// The sheet the kind reads in a workbook (Vietnamese; the English kind
    /// name is accepted too).
    pub fn sheet(self) -> &'static str {
        match self {
            ImportKind::Organizations => "Đơn vị",
            ImportKind::People => "Cán bộ",
            ImportKind::Facts => "Kết quả",
            ImportKind::Awards => "Khen thưởng",
            ImportKind::BallotResults => "Kết quả bầu",
        }
    }

    pub fn columns(self) -> &'static [Col] {
        match self {
            ImportKind::Organizations => ORGANIZATIONS,
            ImportKind::People => PEOPLE,
            ImportKind::Facts => FACTS,
            ImportKind::Awards => AWARDS_COLS,
            ImportKind::BallotResults => BALLOT_RESULTS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::registry::{Gender, OrgKind, StaffCategory};
    use crate::domain::titles::{AwardType, Discipline, Rating};

    /// The drop-down lists are the enums the rules read, value for value.
    #[test]
    fn enum_columns_list_every_value_of_their_type() {
        let strs = |all: Vec<&'static str>| all;
        assert_eq!(
            ORG_KINDS,
            strs(OrgKind::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            CATEGORIES,
            strs(StaffCategory::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            GENDERS,
            strs(Gender::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            RATINGS,
            strs(Rating::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            DISCIPLINES,
            strs(Discipline::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(
            AWARDS,
            strs(AwardType::ALL.iter().map(|v| v.as_str()).collect())
        );
        assert_eq!(YES_NO.len(), 2);
    }
}
