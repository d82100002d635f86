use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

#[test]
fn headers_match_in_vietnamese_or_english_whatever_the_case() {
    let headers = s(&[
        "  mã   CÁN BỘ ",
        "fullName",
        "Ngạch",
        "Đơn vị lạ",
        "organizationCode",
    ]);
    let (map, problems) = match_headers(ImportKind::People, "Cán bộ", &headers);
    assert_eq!(map[0], Some(0));
    assert_eq!(map[1], Some(1));
    assert_eq!(map[2], Some(2));
    assert_eq!(map[3], None);
    assert_eq!(map[4], Some(4));
    let codes: Vec<ProblemCode> = problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, vec![ProblemCode::UnknownColumn]);
    let (_, missing) = match_headers(ImportKind::People, "Cán bộ", &s(&["Mã cán bộ", "code"]));
    assert!(
        missing
            .iter()
            .any(|p| p.code == ProblemCode::DuplicateColumn)
    );
    assert!(
        missing
            .iter()
            .any(|p| p.code == ProblemCode::MissingColumn
                && p.column.as_deref() == Some("Họ và tên"))
    );
}

#[test]
fn cells_parse_as_their_column_type() {
    assert_eq!(
        parse_cell(ColType::Date, "01/07/2024"),
        Ok(Some(Value::Date(
            NaiveDate::from_ymd_opt(2024, 7, 1).unwrap()
        )))
    );
    assert_eq!(
        parse_cell(ColType::Date, "31/02/2024"),
        Err(ProblemCode::InvalidValue)
    );
    assert_eq!(
        parse_cell(ColType::Int(0, 12), "12.0"),
        Ok(Some(Value::Int(12)))
    );
    assert_eq!(
        parse_cell(ColType::Int(0, 12), "13"),
        Err(ProblemCode::InvalidValue)
    );
    assert_eq!(
        parse_cell(ColType::Year, "1999"),
        Err(ProblemCode::InvalidValue)
    );
    assert_eq!(parse_cell(ColType::Bool, "Có"), Ok(Some(Value::Bool(true))));
    assert_eq!(
        parse_cell(ColType::Code, "sgddt"),
        Ok(Some(Value::Text("SGDDT".into())))
    );
    assert_eq!(
        parse_cell(ColType::Code, "S"),
        Err(ProblemCode::InvalidValue)
    );
    assert_eq!(
        parse_cell(ColType::Text(3), "abcd"),
        Err(ProblemCode::TooLong)
    );
    assert_eq!(
        parse_cell(ColType::Enum(&["htt"]), "HTT"),
        Ok(Some(Value::Text("htt".into())))
    );
    assert_eq!(
        parse_cell(ColType::Enum(&["htt"]), "tốt"),
        Err(ProblemCode::InvalidValue)
    );
    assert_eq!(parse_cell(ColType::Text(10), "   "), Ok(None));
}

#[test]
fn a_row_lists_a_required_cell_left_empty_and_a_bad_cell() {
    let headers = s(&["Mã cán bộ", "Năm", "Xếp loại", "Đăng ký thi đua"]);
    let (map, _) = match_headers(ImportKind::Facts, "Kết quả", &headers);
    let mut problems = Vec::new();
    let row = Row::parse(
        ImportKind::Facts,
        "Kết quả",
        7,
        &map,
        &headers,
        &s(&["CB-1", "20x4", "", "có"]),
        &mut problems,
    );
    let codes: Vec<(ProblemCode, Option<String>)> = problems
        .iter()
        .map(|p| (p.code, p.column.clone()))
        .collect();
    assert_eq!(
        codes,
        vec![
            (ProblemCode::InvalidValue, Some("Năm".into())),
            (ProblemCode::Required, Some("Xếp loại".into())),
        ]
    );
    assert!(row.bad("year"));
    assert_eq!(row.bool("registered"), Some(true));
    assert!(problems.iter().all(|p| p.row == 7));
}
