//! One layout for every printable document, after the administrative form
//! of Decree 30/2020/NĐ-CP (Appendix I; docs/documents.md, "Layout"): the
//! HTML and the DOCX renderers draw the same `Doc`, so both say the same.

/// A table: header, rows, and each column's share of the width (percent).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub widths: Vec<u32>,
}

/// A piece of the document's content (ô số 6, nội dung).
#[derive(Debug, Clone)]
pub enum Block {
    /// A section heading (`I. …`), bold.
    Heading(String),
    /// A centred bold line (`QUYẾT ĐỊNH:`).
    Centered(String),
    Para(String),
    /// `label: value`, the label bold.
    Field(String, String),
    Table(Table),
}

/// One signer's column of the signature block (ô số 7a–7c).
#[derive(Debug, Clone)]
pub struct Signer {
    /// Authority and title, upper case (`TM. KHỐI THI ĐUA` / `TRƯỞNG KHỐI`).
    pub roles: Vec<String>,
    /// The signer's full name (blank: signed by hand).
    pub name: String,
}

/// An annex on its own page (phụ lục / danh sách kèm theo).
#[derive(Debug, Clone)]
pub struct Annex {
    pub title: String,
    pub subtitle: String,
    pub table: Table,
}

/// A printable document.
#[derive(Debug, Clone)]
pub struct Doc {
    /// The HTML `<title>` and the download's name (ASCII).
    pub file_name: String,
    /// Ô số 2: the superior body (not bold), if any, and the issuing body (bold).
    pub issuer_parent: Option<String>,
    pub issuer: String,
    /// Ô số 3: `Số: 15/QĐ-UBND` (dotted when the office numbers it by hand).
    pub number: String,
    /// Ô số 4: `Vĩnh Phúc, ngày 01 tháng 4 năm 2021`.
    pub place_date: String,
    /// Ô số 5a: the document type, upper case, and its summary.
    pub kind: String,
    pub summary: Option<String>,
    /// Ô số 6.
    pub blocks: Vec<Block>,
    /// Ô số 7: signature columns, left to right.
    pub signers: Vec<Signer>,
    /// Ô số 9a: recipients.
    pub recipients: Vec<String>,
    pub annex: Option<Annex>,
}

/// The national title and motto (ô số 1).
pub const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";

/// Upper case as Vietnamese prints it.
pub fn upper(s: &str) -> String {
    s.to_uppercase()
}

impl Annex {
    /// The annex's table (the template binds it as `t`, like a block's).
    pub fn table(&self) -> &Table {
        &self.table
    }
}

impl Table {
    /// Each header with its width (percent; 0 when unset).
    pub fn columns(&self) -> Vec<(&str, u32)> {
        self.header
            .iter()
            .enumerate()
            .map(|(i, h)| (h.as_str(), self.widths.get(i).copied().unwrap_or(0)))
            .collect()
    }

    pub fn new(header: &[&str], widths: &[u32]) -> Table {
        Table {
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            widths: widths.to_vec(),
        }
    }
}
