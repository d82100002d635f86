//! The texts of an import's row problems (`ProblemCode`, docs/imports.md):
//! `{detail}` is the offending value or the key it names.

use super::Text;
use crate::domain::import::ProblemCode;

const fn t(vi: &'static str, en: &'static str) -> Text {
    Text::new(vi, en)
}

pub fn row_text(code: ProblemCode) -> Text {
    use ProblemCode as P;
    match code {
        P::UnknownColumn => t(
            "Cột không thuộc mẫu nhập.",
            "The column is not one of the kind's columns.",
        ),
        P::MissingColumn => t("Thiếu cột bắt buộc.", "A required column is missing."),
        P::DuplicateColumn => t("Cột xuất hiện hai lần.", "The column appears twice."),
        P::Required => t("Ô bắt buộc để trống.", "A required cell is empty."),
        P::InvalidValue => t("Giá trị không hợp lệ: {detail}", "Invalid value: {detail}"),
        P::TooLong => t("Giá trị quá dài.", "The value is too long."),
        _ => references(code),
    }
}

/// The problems that name a key the database or the file does not have.
fn references(code: ProblemCode) -> Text {
    use ProblemCode as P;
    match code {
        P::UnknownOrganization => t(
            "Không có đơn vị mã {detail}.",
            "There is no organisation with code {detail}.",
        ),
        P::UnknownPerson => t(
            "Không có cán bộ mã {detail}.",
            "There is no person with code {detail}.",
        ),
        P::ParentNotAUnit => t(
            "Đơn vị cấp trên {detail} không phải là đơn vị.",
            "The parent {detail} is not a unit.",
        ),
        P::DuplicateKey => t("Trùng khoá với dòng {detail}.", "Same key as row {detail}."),
        P::InvalidDates => t(
            "Ngày kết thúc trước ngày bắt đầu.",
            "The end date is before the start date.",
        ),
        P::OverlappingEmployment => t(
            "Giai đoạn công tác chồng lên giai đoạn ở dòng {detail}, hoặc một giai đoạn chưa kết thúc không phải giai đoạn cuối.",
            "The employment overlaps the one in row {detail}, or an open employment is not the last.",
        ),
        P::DisciplineUntilRequired => t(
            "Có kỷ luật thì phải ghi ngày kỷ luật hết hiệu lực.",
            "A discipline needs the date it ends.",
        ),
        P::OneSubject => t(
            "Ghi đúng một trong hai: mã cán bộ hoặc mã đơn vị.",
            "Give exactly one of the person code and the organisation code.",
        ),
        P::SubjectKindMismatch => t(
            "Danh hiệu {detail} không dành cho đối tượng này (cá nhân/tập thể).",
            "The title {detail} is not for this kind of subject (person/collective).",
        ),
        P::DecisionNumberTaken => t(
            "Số quyết định {detail} đã có trong hệ thống (không phải quyết định đã nhập).",
            "Decision {detail} is already recorded (not by an import).",
        ),
        P::DecisionMismatch => t(
            "Quyết định {detail} ghi khác nhau (ngày, cơ quan, người ký) ở các dòng.",
            "Decision {detail} has different dates, bodies or signers in different rows.",
        ),
        P::NoRuleSet => t(
            "Không có bộ quy tắc cho năm {detail}.",
            "There is no rule set for year {detail}.",
        ),
        P::NotYourOrganization => t(
            "Không có quyền nhập cho đơn vị {detail}.",
            "You may not import for organisation {detail}.",
        ),
        P::InconsistentPerson => t(
            "Cùng mã cán bộ nhưng họ tên, ngạch hoặc giới tính khác dòng {detail}.",
            "Same person code but another name, category or gender than row {detail}.",
        ),
        P::UnknownBloc => t(
            "Không có khối mã {detail}.",
            "There is no bloc with code {detail}.",
        ),
        P::UnknownTerm => t(
            "Khối chưa có nhiệm kỳ năm {detail} trong hệ thống.",
            "The bloc has no term for year {detail}.",
        ),
        P::NotAMember => t(
            "Đơn vị {detail} không phải thành viên khối năm đó.",
            "Organisation {detail} is not a member of the bloc that year.",
        ),
        P::TermHasBallot => t(
            "Nhiệm kỳ đã có kết quả bỏ phiếu trong hệ thống.",
            "The term already has a ballot's result in thidua.",
        ),
        _ => t("Dòng không hợp lệ.", "The row is invalid."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_problem_has_its_own_text_with_the_same_placeholders() {
        let fallback = t("Dòng không hợp lệ.", "The row is invalid.");
        for code in ProblemCode::ALL {
            let text = row_text(*code);
            assert_ne!(text, fallback, "{code:?}");
            assert_eq!(
                text.vi.contains("{detail}"),
                text.en.contains("{detail}"),
                "{code:?}"
            );
        }
    }
}
