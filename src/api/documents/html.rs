//! The HTML rendering: one askama template (`templates/document.html`,
//! escaping every value by default), A4 print CSS, and a
//! Content-Security-Policy that lets the page load nothing and run nothing:
//! its one style sheet is allowed by its hash.

use std::sync::LazyLock;

use askama::Template;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::model::{Block, Doc, MOTTO, NATIONAL_TITLE};
use crate::error::AppError;

/// Print layout after Decree 30/2020/NĐ-CP: A4, margins top and bottom
/// 20 mm, left 30 mm, right 15 mm; Times New Roman 13–14 pt.
const BASE_CSS: &str = "@page{size:A4;margin:20mm 15mm 20mm 30mm}\
body{font-family:'Times New Roman',Times,serif;font-size:14pt;line-height:1.35;color:#000;max-width:165mm;margin:1em auto}\
table.head{width:100%;border-collapse:collapse}\
table.head td{vertical-align:top;text-align:center;padding:0}\
table.head td.left{width:38%}\
.parent{font-size:13pt}.issuer{font-size:13pt;font-weight:bold}\
.national{font-size:12pt;font-weight:bold;white-space:nowrap}\
.motto{font-size:14pt;font-weight:bold}.motto span{border-bottom:1px solid #000;padding-bottom:1px}\
.number{font-size:13pt;margin-top:6pt}.place{font-style:italic;margin-top:8pt}\
.rule{width:30%;margin:2pt auto 0;border-top:1px solid #000}\
h1{font-size:14pt;text-align:center;margin:18pt 0 0}\
h2{font-size:14pt;margin:12pt 0 4pt}\
.summary{text-align:center;font-weight:bold}\
.subtitle{font-weight:normal;font-style:italic}\
p{text-align:justify;margin:6pt 0;text-indent:1cm}\
p.field{text-indent:0}p.centered{text-align:center;font-weight:bold;text-indent:0}\
table.grid{width:100%;border-collapse:collapse;font-size:13pt;margin:4pt 0}\
table.grid th,table.grid td{border:1px solid #000;padding:2pt 4pt;vertical-align:top}\
table.grid th{font-weight:bold;text-align:center}\
table.foot{width:100%;margin-top:18pt;border-collapse:collapse}\
table.foot td{vertical-align:top;padding:0}\
.recipients{font-size:11pt;width:40%}.recipients b{font-size:12pt;font-style:italic}\
.sign{text-align:center;font-weight:bold;font-size:13pt}\
.hint{font-weight:normal;font-style:italic;font-size:12pt}\
.signname{margin-top:56pt}\
.annex{break-before:page;page-break-before:always}\
@media print{body{max-width:none;margin:0}}";

/// The style sheet: the layout and a width class per percent (`.w30`), so
/// no element needs a `style` attribute the policy would refuse.
static CSS: LazyLock<String> = LazyLock::new(|| {
    let mut css = BASE_CSS.to_string();
    for n in 1..=100 {
        css.push_str(&format!(".w{n}{{width:{n}%}}"));
    }
    css
});

/// `Content-Security-Policy` of every HTML document: nothing loads, no
/// script runs, no form posts, no page frames it; the style sheet is
/// allowed by its SHA-256.
pub static CSP: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
});

#[derive(Template)]
#[template(path = "document.html")]
struct Page<'a> {
    doc: &'a Doc,
    css: &'a str,
    national: &'a str,
    motto: &'a str,
}

pub fn render(doc: &Doc) -> Result<String, AppError> {
    Page {
        doc,
        css: &CSS,
        national: NATIONAL_TITLE,
        motto: MOTTO,
    }
    .render()
    .map_err(AppError::internal)
}
