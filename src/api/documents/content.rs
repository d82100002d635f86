//! What each document says, as a `Doc` (docs/documents.md has the mapping
//! of each part to the boxes of Decree 30/2020/NĐ-CP's form).

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{Annex, Block, Doc, Signer, Table, upper};
use crate::domain::pledge::{Comparator, TargetKind};
use crate::domain::registry::ConferenceKind;
use crate::service::documents::{
    BallotDocument, ConferenceDocument, DecisionDocument, PledgeDocument, vietnamese_date,
};
use crate::service::evaluation::BallotResult;
use crate::service::pledges::{PledgeDetail, Target};

/// Where the office dates its documents (`DOCUMENT_PLACE`), or a dotted
/// blank the clerk fills in.
fn place_date(place: &str, date: Option<NaiveDate>) -> String {
    let place = if place.trim().is_empty() {
        "……………"
    } else {
        place.trim()
    };
    match date {
        Some(d) => format!("{place}, {}", vietnamese_date(d)),
        None => format!("{place}, ngày … tháng … năm ……"),
    }
}

/// An instant as the Vietnamese date it fell on (UTC+7).
fn vn_date(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(7)).date_naive()
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A target's level as the pledge states it: `≥ 100%`, `= 1`, `≤ 3`.
fn level(t: &Target) -> String {
    let op = match t.comparator {
        Some(Comparator::Gte) => "≥ ",
        Some(Comparator::Lte) => "≤ ",
        Some(Comparator::Eq) => "= ",
        None => "",
    };
    match (t.kind, t.target) {
        (TargetKind::Percentage, Some(v)) => format!("{op}{v}%"),
        (TargetKind::Boolean, Some(1)) => "Hoàn thành".to_string(),
        (TargetKind::Boolean, Some(_)) => "Không".to_string(),
        (TargetKind::Count, Some(v)) => format!("{op}{v}"),
        (TargetKind::Qualitative, _) | (_, None) => "Đánh giá khi chấm điểm".to_string(),
    }
}

/// Every item with its targets, one row per target (an item without one
/// has one row).
fn items_table(p: &PledgeDetail) -> Table {
    let mut items = Table::new(&["STT", "Nội dung", "Chỉ tiêu", "Mức"], &[9, 46, 30, 15]);
    for item in &p.items {
        let mut first = true;
        let mut row = |target: Option<&Target>| {
            items.rows.push(vec![
                if first {
                    (item.position + 1).to_string()
                } else {
                    String::new()
                },
                if first {
                    item.text.clone()
                } else {
                    String::new()
                },
                target.map(|t| t.label.clone()).unwrap_or_default(),
                target.map(level).unwrap_or_default(),
            ]);
            first = false;
        };
        if item.targets.is_empty() {
            row(None);
        }
        for t in &item.targets {
            row(Some(t));
        }
    }
    items
}

/// Every member unit: who signed, as what, when; blank rows for the rest.
fn signatures_table(p: &PledgeDetail) -> Table {
    let mut signatures = Table::new(
        &["STT", "Đơn vị", "Người ký", "Chức vụ", "Ngày ký", "Ký tên"],
        &[8, 24, 19, 20, 16, 13],
    );
    let mut n = 0;
    for s in &p.signatures.signed {
        n += 1;
        signatures.rows.push(vec![
            n.to_string(),
            s.name.clone(),
            s.signer_name.clone(),
            s.signer_position.clone(),
            dmy(vn_date(s.signed_at)),
            String::new(),
        ]);
    }
    for u in &p.signatures.pending {
        n += 1;
        signatures.rows.push(vec![
            n.to_string(),
            u.name.clone(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    signatures
}

pub fn pledge(d: &PledgeDocument, place: &str) -> Doc {
    let p = &d.detail;
    let day = d
        .conference
        .as_ref()
        .map(|c| c.date)
        .or(p.pledge.in_force_at.map(vn_date));
    let mut blocks = Vec::new();
    if let Some(theme) = &p.pledge.theme {
        blocks.push(Block::Field("Chủ đề".into(), theme.clone()));
    }
    let at = match &d.conference {
        Some(c) => format!(
            "Tại {} ({}{}), ",
            c.title,
            vietnamese_date(c.date),
            c.location
                .as_ref()
                .map(|l| format!(", tại {l}"))
                .unwrap_or_default()
        ),
        None => String::new(),
    };
    blocks.push(Block::Para(format!(
        "{at}các đơn vị thành viên {} thống nhất ký kết giao ước thi đua năm {} với các nội dung sau:",
        d.bloc_name, p.year
    )));
    blocks.push(Block::Heading("I. NỘI DUNG GIAO ƯỚC".into()));
    blocks.push(Block::Table(items_table(p)));
    blocks.push(Block::Heading(
        "II. CÁC ĐƠN VỊ THÀNH VIÊN KÝ GIAO ƯỚC".into(),
    ));
    blocks.push(Block::Table(signatures_table(p)));
    let head_signer = d.head.as_ref().and_then(|h| {
        p.signatures
            .signed
            .iter()
            .find(|s| s.organization_id == h.organization_id)
    });
    Doc {
        file_name: format!("giao-uoc-thi-dua-{}", p.year),
        issuer_parent: None,
        issuer: upper(&d.bloc_name),
        number: "Số: ……/GƯTĐ".into(),
        place_date: place_date(place, day),
        kind: "GIAO ƯỚC THI ĐUA".into(),
        summary: Some(p.pledge.title.clone()),
        blocks,
        signers: vec![Signer {
            roles: vec![
                "TM. CÁC ĐƠN VỊ THÀNH VIÊN".into(),
                "TRƯỞNG KHỐI".into(),
                d.head.as_ref().map(|h| upper(&h.name)).unwrap_or_default(),
            ],
            name: head_signer
                .map(|s| s.signer_name.clone())
                .unwrap_or_default(),
        }],
        recipients: vec![
            "Các đơn vị thành viên Khối;".into(),
            "Hội đồng Thi đua – Khen thưởng;".into(),
            "Lưu: VT, Khối.".into(),
        ],
        annex: None,
    }
}

/// The count per candidate and the elected units.
fn tally_blocks(r: &BallotResult) -> Vec<Block> {
    let members = r.ballot.member_ids.len();
    let share = |votes: usize| {
        if members == 0 {
            String::new()
        } else {
            format!("{:.2}%", votes as f64 * 100.0 / members as f64)
        }
    };
    let votes_of = |id: uuid::Uuid| r.counts.iter().find(|c| c.id == id).map_or(0, |c| c.votes);
    let mut blocks = Vec::new();
    blocks.push(Block::Heading("II. KẾT QUẢ KIỂM PHIẾU".into()));
    let mut t = Table::new(
        &["STT", "Mã", "Đơn vị", "Số phiếu", "Tỷ lệ"],
        &[8, 18, 46, 14, 14],
    );
    for (i, c) in r.counts.iter().enumerate() {
        let u = r.unit(c.id);
        t.rows.push(vec![
            (i + 1).to_string(),
            u.code,
            u.name,
            c.votes.to_string(),
            share(c.votes),
        ]);
    }
    blocks.push(Block::Table(t));
    blocks.push(Block::Heading("III. ĐƠN VỊ DẪN ĐẦU".into()));
    if r.election.elected.is_empty() {
        blocks.push(Block::Para("Không có đơn vị trúng cử.".into()));
    } else {
        let mut e = Table::new(&["STT", "Mã", "Đơn vị", "Số phiếu"], &[8, 16, 60, 16]);
        for (i, c) in r.election.elected.iter().enumerate() {
            let u = r.unit(c.id);
            e.rows.push(vec![
                (i + 1).to_string(),
                u.code,
                u.name,
                votes_of(c.id).to_string(),
            ]);
        }
        blocks.push(Block::Table(e));
    }
    if r.election.tied_seats > 0 {
        blocks.push(Block::Para(format!(
            "{} vị trí không có đơn vị trúng cử do đồng số phiếu ở vị trí cuối.",
            r.election.tied_seats
        )));
    }
    blocks
}

pub fn ballot(d: &BallotDocument, place: &str) -> Doc {
    let r = &d.result;
    let members = r.ballot.member_ids.len();
    let mut blocks = vec![
        Block::Field("Số đơn vị thành viên".into(), members.to_string()),
        Block::Field(
            "Số phiếu phát ra / thu vào".into(),
            format!("{members} / {}", r.ballot.voter_ids.len()),
        ),
        Block::Field("Số đơn vị được bầu".into(), r.ballot.seats.to_string()),
        Block::Field(
            "Ngưỡng trúng cử".into(),
            format!("trên {}% tổng số thành viên", r.ballot.threshold_percent),
        ),
        Block::Heading("I. THÀNH VIÊN KHỐI".into()),
    ];
    let mut m = Table::new(&["STT", "Mã", "Đơn vị"], &[8, 20, 72]);
    for (i, u) in r.members.iter().enumerate() {
        m.rows
            .push(vec![(i + 1).to_string(), u.code.clone(), u.name.clone()]);
    }
    blocks.push(Block::Table(m));
    blocks.extend(tally_blocks(r));
    Doc {
        file_name: format!("bien-ban-kiem-phieu-{}", r.year),
        issuer_parent: None,
        issuer: upper(&d.bloc_name),
        number: "Số: ……/BB-KTĐ".into(),
        place_date: place_date(place, r.closed_at.map(vn_date)),
        kind: "BIÊN BẢN KIỂM PHIẾU".into(),
        summary: Some(format!("Bầu đơn vị dẫn đầu {} năm {}", d.bloc_name, r.year)),
        blocks,
        signers: vec![
            Signer {
                roles: vec!["ĐẠI DIỆN TỔ KIỂM PHIẾU".into()],
                name: String::new(),
            },
            Signer {
                roles: vec![
                    "TRƯỞNG KHỐI".into(),
                    d.head.as_ref().map(|h| upper(&h.name)).unwrap_or_default(),
                ],
                name: String::new(),
            },
        ],
        recipients: vec![
            "Các đơn vị thành viên Khối;".into(),
            "Lưu: VT, Khối.".into(),
        ],
        annex: None,
    }
}

pub fn decision(d: &DecisionDocument, place: &str) -> Doc {
    let dec = &d.decision;
    let people = d.annex.iter().filter(|l| l.person).count();
    let collectives = d.annex.len() - people;
    let blocks = vec![
        Block::Centered(upper(&dec.issuing_body)),
        Block::Para(
            "Căn cứ Luật Thi đua, khen thưởng và các văn bản quy định chi tiết, hướng dẫn thi hành;"
                .into(),
        ),
        Block::Para(format!(
            "Xét đề nghị khen thưởng năm {} và kết quả xét của Hội đồng Thi đua – Khen thưởng,",
            dec.year
        )),
        Block::Centered("QUYẾT ĐỊNH:".into()),
        Block::Para(format!(
            "Điều 1. Tặng danh hiệu thi đua, hình thức khen thưởng năm {} cho {collectives} tập thể và {people} cá nhân có tên trong danh sách kèm theo Quyết định này.",
            dec.year
        )),
        Block::Para("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.".into()),
        Block::Para(
            "Điều 3. Các cơ quan, đơn vị và cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."
                .into(),
        ),
    ];
    let mut table = Table::new(
        &[
            "STT",
            "Tập thể / Họ và tên",
            "Chức vụ",
            "Đơn vị",
            "Danh hiệu, hình thức",
        ],
        &[9, 27, 18, 24, 22],
    );
    for (i, l) in d.annex.iter().enumerate() {
        let title = if l.revoked {
            format!("{} (đã thu hồi)", l.title)
        } else {
            l.title.clone()
        };
        table.rows.push(vec![
            (i + 1).to_string(),
            l.name.clone(),
            l.position.clone().unwrap_or_default(),
            l.unit.clone(),
            title,
        ]);
    }
    Doc {
        file_name: format!("quyet-dinh-khen-thuong-{}", dec.year),
        issuer_parent: None,
        issuer: upper(&dec.issuing_body),
        number: format!("Số: {}", dec.number),
        place_date: place_date(place, Some(dec.decided_on)),
        kind: "QUYẾT ĐỊNH".into(),
        summary: Some(format!("Về việc khen thưởng năm {}", dec.year)),
        blocks,
        signers: vec![Signer {
            roles: vec![format!("TM. {}", upper(&dec.issuing_body))],
            name: dec.signer.clone(),
        }],
        recipients: vec!["Như Điều 3;".into(), "Lưu: VT.".into()],
        annex: Some(Annex {
            title: "DANH SÁCH".into(),
            subtitle: format!(
                "Kèm theo Quyết định số {} ngày {} của {}",
                dec.number,
                dmy(dec.decided_on),
                dec.issuing_body
            ),
            table,
        }),
    }
}

fn conference_kind(k: ConferenceKind) -> &'static str {
    match k {
        ConferenceKind::StartOfYear => "Hội nghị đầu năm (ký giao ước thi đua)",
        ConferenceKind::MidYear => "Hội nghị sơ kết",
        ConferenceKind::YearEnd => "Hội nghị tổng kết",
        ConferenceKind::Other => "Hội nghị khác",
    }
}

pub fn conference(d: &ConferenceDocument, place: &str) -> Doc {
    let c = &d.conference;
    let mut blocks = vec![
        Block::Field("Thời gian".into(), vietnamese_date(c.date)),
        Block::Field("Địa điểm".into(), c.location.clone().unwrap_or_default()),
        Block::Field("Đơn vị chủ trì".into(), d.host.clone().unwrap_or_default()),
        Block::Field("Loại hội nghị".into(), conference_kind(c.kind).into()),
        Block::Heading("I. THÀNH PHẦN THAM DỰ".into()),
    ];
    let mut a = Table::new(&["STT", "Mã", "Đơn vị"], &[8, 20, 72]);
    for (i, (code, name)) in d.attendees.iter().enumerate() {
        a.rows
            .push(vec![(i + 1).to_string(), code.clone(), name.clone()]);
    }
    blocks.push(Block::Table(a));
    if !c.representatives.is_empty() {
        let mut r = Table::new(&["STT", "Họ và tên", "Chức vụ"], &[8, 46, 46]);
        for (i, p) in c.representatives.iter().enumerate() {
            r.rows.push(vec![
                (i + 1).to_string(),
                p.full_name.clone(),
                p.position.clone().unwrap_or_default(),
            ]);
        }
        blocks.push(Block::Para("Đại biểu chủ trì, đại diện:".into()));
        blocks.push(Block::Table(r));
    }
    blocks.push(Block::Heading("II. VĂN BẢN ĐƯỢC THÔNG QUA".into()));
    let mut docs = Table::new(&["STT", "Văn bản", "Số, ký hiệu", "Ngày"], &[8, 56, 20, 16]);
    for (i, doc) in c.documents.iter().enumerate() {
        docs.rows.push(vec![
            (i + 1).to_string(),
            doc.title.clone(),
            doc.number.clone().unwrap_or_default(),
            doc.date.map(dmy).unwrap_or_default(),
        ]);
    }
    blocks.push(Block::Table(docs));
    let chair = c.representatives.first();
    Doc {
        file_name: format!("bien-ban-hoi-nghi-{}", c.date),
        issuer_parent: None,
        issuer: upper(&d.bloc_name),
        number: "Số: ……/BB-KTĐ".into(),
        place_date: place_date(place, Some(c.date)),
        kind: "BIÊN BẢN HỘI NGHỊ".into(),
        summary: Some(c.title.clone()),
        blocks,
        signers: vec![
            Signer {
                roles: vec!["THƯ KÝ HỘI NGHỊ".into()],
                name: String::new(),
            },
            Signer {
                roles: vec![
                    "CHỦ TRÌ HỘI NGHỊ".into(),
                    chair
                        .and_then(|p| p.position.as_deref())
                        .map(upper)
                        .unwrap_or_default(),
                ],
                name: chair.map(|p| p.full_name.clone()).unwrap_or_default(),
            },
        ],
        recipients: vec![
            "Các đơn vị thành viên Khối;".into(),
            "Lưu: VT, Khối.".into(),
        ],
        annex: None,
    }
}
