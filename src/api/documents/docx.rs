//! The DOCX rendering (docx-rs): the same `Doc` as the HTML, as a Word
//! document a clerk opens and edits in Word or LibreOffice. A4 portrait,
//! margins after Decree 30/2020/NĐ-CP (top and bottom 20 mm, left 30 mm,
//! right 15 mm), Times New Roman 14 pt (13 pt in the header and tables).

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table as DTable,
    TableCell, TableRow, WidthType,
};

use super::model::{Block, Doc, MOTTO, NATIONAL_TITLE, Table};
use crate::error::AppError;

/// Twips (1/20 pt): A4 is 11906 × 16838; 1 mm ≈ 56.7.
const A4_WIDTH: u32 = 11906;
const A4_HEIGHT: u32 = 16838;
const MARGIN_TOP: i32 = 1134;
const MARGIN_BOTTOM: i32 = 1134;
const MARGIN_LEFT: i32 = 1701;
const MARGIN_RIGHT: i32 = 850;
/// The text's width: A4 less the left and right margins.
const TEXT_WIDTH: usize = (A4_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

/// Font sizes in half-points.
const BODY: usize = 28;
const SMALL: usize = 26;
const NOTE: usize = 22;

fn fonts() -> RunFonts {
    RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .east_asia("Times New Roman")
        .cs("Times New Roman")
}

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size).fonts(fonts())
}

fn centered(text: &str, size: usize, bold: bool) -> Paragraph {
    let r = run(text, size);
    Paragraph::new()
        .add_run(if bold { r.bold() } else { r })
        .align(AlignmentType::Center)
}

fn borderless(cells: Vec<(usize, Vec<Paragraph>)>) -> DTable {
    let widths: Vec<usize> = cells.iter().map(|(w, _)| *w).collect();
    let row = TableRow::new(
        cells
            .into_iter()
            .map(|(w, ps)| {
                ps.into_iter()
                    .fold(TableCell::new().width(w, WidthType::Dxa), |c, p| {
                        c.add_paragraph(p)
                    })
            })
            .collect(),
    );
    DTable::without_borders(vec![row])
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

fn grid(t: &Table) -> DTable {
    let widths: Vec<usize> = (0..t.header.len())
        .map(|i| TEXT_WIDTH * t.widths.get(i).copied().unwrap_or(10) as usize / 100)
        .collect();
    let cell = |i: usize, text: &str, bold: bool| {
        let r = run(text, SMALL);
        let p = Paragraph::new().add_run(if bold { r.bold() } else { r });
        let p = if bold {
            p.align(AlignmentType::Center)
        } else {
            p
        };
        TableCell::new()
            .width(widths.get(i).copied().unwrap_or(0), WidthType::Dxa)
            .add_paragraph(p)
    };
    let mut rows = vec![TableRow::new(
        t.header
            .iter()
            .enumerate()
            .map(|(i, h)| cell(i, h, true))
            .collect(),
    )];
    for r in &t.rows {
        rows.push(TableRow::new(
            r.iter()
                .enumerate()
                .map(|(i, c)| cell(i, c, false))
                .collect(),
        ));
    }
    DTable::new(rows)
        .set_grid(widths)
        .width(TEXT_WIDTH, WidthType::Dxa)
}

fn rule() -> Paragraph {
    centered("―――――――", NOTE, false)
}

fn header(doc: &Doc) -> DTable {
    let mut left = Vec::new();
    if let Some(p) = &doc.issuer_parent {
        left.push(centered(p, SMALL, false));
    }
    left.push(centered(&doc.issuer, SMALL, true));
    left.push(rule());
    left.push(centered(&doc.number, SMALL, false));
    let right = vec![
        centered(NATIONAL_TITLE, 24, true),
        Paragraph::new()
            .add_run(run(MOTTO, BODY).bold().underline("single"))
            .align(AlignmentType::Center),
        Paragraph::new()
            .add_run(run(&doc.place_date, BODY).italic())
            .align(AlignmentType::Center),
    ];
    borderless(vec![
        (TEXT_WIDTH * 38 / 100, left),
        (TEXT_WIDTH * 62 / 100, right),
    ])
}

fn footer(doc: &Doc) -> DTable {
    let n = doc.signers.len().max(1);
    let signers_width = TEXT_WIDTH * 3 / 5;
    let mut recipients = Vec::new();
    if !doc.recipients.is_empty() {
        recipients.push(Paragraph::new().add_run(run("Nơi nhận:", 24).bold().italic()));
        for r in &doc.recipients {
            recipients.push(Paragraph::new().add_run(run(&format!("- {r}"), NOTE)));
        }
    }
    let mut cells = vec![(TEXT_WIDTH - signers_width, recipients)];
    for (i, s) in doc.signers.iter().enumerate() {
        let mut ps: Vec<Paragraph> = s
            .roles
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| centered(r, SMALL, true))
            .collect();
        let hint = if i + 1 == doc.signers.len() {
            "(Ký, ghi rõ họ tên, đóng dấu)"
        } else {
            "(Ký, ghi rõ họ tên)"
        };
        ps.push(
            Paragraph::new()
                .add_run(run(hint, 24).italic())
                .align(AlignmentType::Center),
        );
        for _ in 0..4 {
            ps.push(Paragraph::new());
        }
        ps.push(centered(&s.name, BODY, true));
        cells.push((signers_width / n, ps));
    }
    borderless(cells)
}

fn build(doc: &Doc) -> Docx {
    let mut d = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT),
        )
        .default_fonts(fonts())
        .default_size(BODY)
        .add_table(header(doc))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centered(&doc.kind, BODY, true));
    if let Some(s) = &doc.summary {
        d = d
            .add_paragraph(centered(s, BODY, true))
            .add_paragraph(rule());
    }
    for block in &doc.blocks {
        d = match block {
            Block::Heading(t) => d.add_paragraph(Paragraph::new().add_run(run(t, BODY).bold())),
            Block::Centered(t) => d.add_paragraph(centered(t, BODY, true)),
            Block::Para(t) => d.add_paragraph(
                Paragraph::new()
                    .add_run(run(t, BODY))
                    .align(AlignmentType::Both)
                    .indent(None, Some(SpecialIndentType::FirstLine(567)), None, None),
            ),
            Block::Field(label, value) => d.add_paragraph(
                Paragraph::new()
                    .add_run(run(&format!("{label}: "), BODY).bold())
                    .add_run(run(value, BODY)),
            ),
            Block::Table(t) => d.add_table(grid(t)).add_paragraph(Paragraph::new()),
        };
    }
    d = d.add_paragraph(Paragraph::new()).add_table(footer(doc));
    if let Some(a) = &doc.annex {
        d = d
            .add_paragraph(centered(&a.title, BODY, true).page_break_before(true))
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(&a.subtitle, BODY).italic())
                    .align(AlignmentType::Center),
            )
            .add_paragraph(rule())
            .add_table(grid(&a.table));
    }
    d
}

/// The document's bytes (a ZIP of Office Open XML parts).
pub fn render(doc: &Doc) -> Result<Vec<u8>, AppError> {
    let mut out = Cursor::new(Vec::new());
    build(doc)
        .build()
        .pack(&mut out)
        .map_err(AppError::internal)?;
    Ok(out.into_inner())
}
