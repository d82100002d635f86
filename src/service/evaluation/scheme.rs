//! E1: the term's scoring scheme, set by hand or from a template, editable
//! until the first score is entered.

use serde::Serialize;
use uuid::Uuid;

use super::term;
use crate::auth::Principal;
use crate::db::blocs::TermRow;
use crate::db::evaluation::{CriterionRow, SchemeRow, SectionRow};
use crate::db::{self, Conn, Db};
pub use crate::domain::evaluation::TemplateSource;
use crate::domain::evaluation::{self as rules, Criterion, CriterionKind};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::nfc;
use crate::service::{Audited, Change, check_version, record, require_head_or_admin};

pub struct CriterionInput {
    pub code: String,
    pub text: String,
    pub kind: CriterionKind,
    pub min_points: i32,
    pub max_points: i32,
    pub pledge_item_id: Option<Uuid>,
}

pub struct SectionInput {
    pub title: String,
    pub criteria: Vec<CriterionInput>,
}

/// A term's scoring scheme (thang điểm).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Scheme {
    pub id: Uuid,
    pub term_id: Uuid,
    pub total_cap: i32,
    pub sections: Vec<SchemeSection>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemeSection {
    pub id: Uuid,
    pub title: String,
    pub criteria: Vec<SchemeCriterion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemeCriterion {
    pub id: Uuid,
    pub code: String,
    pub text: String,
    pub kind: CriterionKind,
    pub min_points: i32,
    pub max_points: i32,
    pub pledge_item_id: Option<Uuid>,
}

impl Audited for Scheme {
    const ENTITY: &'static str = "scoring_scheme";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
}

impl Scheme {
    fn of(row: SchemeRow, sections: &[SectionRow], criteria: &[CriterionRow]) -> Scheme {
        Scheme {
            id: row.id,
            term_id: row.term_id,
            total_cap: row.total_cap,
            version: row.version,
            sections: sections
                .iter()
                .map(|s| SchemeSection {
                    id: s.id,
                    title: s.title.clone(),
                    criteria: criteria
                        .iter()
                        .filter(|c| c.section_id == s.id)
                        .map(|c| SchemeCriterion {
                            id: c.id,
                            code: c.code.clone(),
                            text: c.text.clone(),
                            kind: c.kind,
                            min_points: c.min_points,
                            max_points: c.max_points,
                            pledge_item_id: c.pledge_item_id,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The criteria as the rules see them.
pub(super) fn domain_criteria(rows: &[CriterionRow]) -> Vec<Criterion> {
    rows.iter()
        .map(|c| Criterion {
            id: c.id,
            code: c.code.clone(),
            kind: c.kind,
            min: c.min_points,
            max: c.max_points,
        })
        .collect()
}

fn build_scheme(sections: Vec<SectionInput>) -> (Vec<SectionRow>, Vec<CriterionRow>) {
    let scheme_id = Uuid::now_v7();
    let mut secs = Vec::new();
    let mut crits = Vec::new();
    let mut pos = 0;
    for (i, s) in sections.into_iter().enumerate() {
        let sid = Uuid::now_v7();
        secs.push(SectionRow {
            id: sid,
            scheme_id,
            position: i as i32,
            title: nfc(&s.title),
        });
        for k in s.criteria {
            crits.push(CriterionRow {
                id: Uuid::now_v7(),
                scheme_id,
                section_id: sid,
                position: pos,
                code: k.code.trim().to_string(),
                text: nfc(&k.text),
                kind: k.kind,
                min_points: k.min_points,
                max_points: k.max_points,
                pledge_item_id: k.pledge_item_id,
            });
            pos += 1;
        }
    }
    (secs, crits)
}

pub(super) async fn load_scheme(c: &mut Conn, row: SchemeRow) -> AppResult<Scheme> {
    let sections = db::evaluation::sections(c, row.id).await?;
    let criteria = db::evaluation::criteria(c, row.id).await?;
    Ok(Scheme::of(row, &sections, &criteria))
}

/// The items of the term's pledge (none without one).
async fn pledge_items(c: &mut Conn, term: &TermRow) -> AppResult<Vec<db::pledges::ItemRow>> {
    match db::pledges::of_term(c, term.id).await? {
        Some(p) => Ok(db::pledges::items(c, p.id).await?),
        None => Ok(Vec::new()),
    }
}

/// The scheme's rows, checked (E1).
type Built = (i32, Vec<SectionRow>, Vec<CriterionRow>);

fn build(cap: i32, sections: Vec<SectionInput>) -> AppResult<Built> {
    let (secs, crits) = build_scheme(sections);
    rules::check_scheme(&domain_criteria(&crits), cap)?;
    Ok((cap, secs, crits))
}

/// E1 inside the caller's transaction, the caller already authorised for
/// the term: the rules that need the database, the write, the audit row.
async fn store(
    tx: &mut Conn,
    caller: &Principal,
    term: &TermRow,
    expected: Option<i32>,
    (cap, secs, crits): Built,
) -> AppResult<(Scheme, bool)> {
    let existing = db::evaluation::lock_scheme_of(tx, term.id).await?;
    if let Some(e) = &existing {
        check_version(expected, e.version)?;
        rules::check_scheme_editable(db::evaluation::scores_exist(tx, e.id).await?)?;
    }
    let linked: Vec<Uuid> = crits.iter().filter_map(|c| c.pledge_item_id).collect();
    if !linked.is_empty() {
        let items = pledge_items(tx, term).await?;
        if linked.iter().any(|i| !items.iter().any(|it| it.id == *i)) {
            return Err(AppError::new(ErrorCode::UnknownPledgeItem));
        }
    }
    let row =
        db::evaluation::put_scheme(tx, existing.as_ref(), term.id, cap, &secs, &crits).await?;
    let scheme = Scheme::of(row, &secs, &crits);
    let action = if existing.is_some() {
        "scoring_scheme.replaced"
    } else {
        "scoring_scheme.created"
    };
    record(tx, caller, Change::created(action, &scheme)).await?;
    Ok((scheme, existing.is_none()))
}

/// E1: set the term's scheme until the first score is entered; `true` when
/// the term had none (created), `false` when it replaced one.
pub async fn put_scheme(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    expected: Option<i32>,
    cap: i32,
    sections: Vec<SectionInput>,
) -> AppResult<(Scheme, bool)> {
    let built = build(cap, sections)?;
    db.transaction(async |tx| {
        let term = term(tx, bloc_id, year).await?;
        require_head_or_admin(caller, &term)?;
        store(tx, caller, &term, expected, built).await
    })
    .await
}

/// E1: fill the scheme from a template, in one transaction: authorise, read
/// the template's source, store it.
pub async fn scheme_template(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    source: TemplateSource,
) -> AppResult<Scheme> {
    db.transaction(async |tx| {
        let term = term(tx, bloc_id, year).await?;
        require_head_or_admin(caller, &term)?;
        let (cap, sections) = match source {
            TemplateSource::Standard => standard_template(&pledge_items(tx, &term).await?),
            TemplateSource::PreviousYear => previous_year_template(tx, bloc_id, year).await?,
        };
        Ok(store(tx, caller, &term, None, build(cap, sections)?)
            .await?
            .0)
    })
    .await
}

fn criterion(code: String, text: String, kind: CriterionKind, max: i32) -> CriterionInput {
    CriterionInput {
        code,
        text,
        kind,
        min_points: 0,
        max_points: max,
        pledge_item_id: None,
    }
}

/// The common 1,000-point frame (950 content + 50 bonus): one content
/// criterion per pledge item when the term has a pledge, else one.
fn standard_template(items: &[db::pledges::ItemRow]) -> (i32, Vec<SectionInput>) {
    let content: Vec<CriterionInput> = if items.is_empty() {
        let text = "Thực hiện nhiệm vụ chính trị, chuyên môn".to_string();
        vec![criterion("A1".into(), text, CriterionKind::Content, 950)]
    } else {
        let n = items.len() as i32;
        items
            .iter()
            .enumerate()
            .map(|(i, it)| CriterionInput {
                pledge_item_id: Some(it.id),
                ..criterion(
                    format!("A{}", i + 1),
                    it.text.clone(),
                    CriterionKind::Content,
                    950 / n + i32::from((i as i32) < 950 % n),
                )
            })
            .collect()
    };
    let bonus = criterion(
        "B1".into(),
        "Thành tích nổi bật, sáng kiến, mô hình mới".into(),
        CriterionKind::Bonus,
        50,
    );
    let sections = vec![
        SectionInput {
            title: "A. Nội dung thi đua (950 điểm)".into(),
            criteria: content,
        },
        SectionInput {
            title: "B. Điểm thưởng (50 điểm)".into(),
            criteria: vec![bonus],
        },
    ];
    (1000, sections)
}

/// Last year's scheme of the same bloc (links to last year's pledge dropped).
async fn previous_year_template(
    c: &mut Conn,
    bloc_id: Uuid,
    year: i32,
) -> AppResult<(i32, Vec<SectionInput>)> {
    let prev = match db::blocs::term(c, bloc_id, year.saturating_sub(1)).await? {
        Some(t) => db::evaluation::scheme_of(c, t.id).await?,
        None => None,
    };
    let prev = match prev {
        Some(s) => load_scheme(c, s).await?,
        None => return Err(AppError::new(ErrorCode::NoPreviousScheme)),
    };
    let sections = prev
        .sections
        .into_iter()
        .map(|s| SectionInput {
            title: s.title,
            criteria: s
                .criteria
                .into_iter()
                .map(|c| CriterionInput {
                    code: c.code,
                    text: c.text,
                    kind: c.kind,
                    min_points: c.min_points,
                    max_points: c.max_points,
                    pledge_item_id: None,
                })
                .collect(),
        })
        .collect();
    Ok((prev.total_cap, sections))
}

pub async fn get_scheme(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Scheme> {
    db.read(async |c| {
        let t = term(c, bloc_id, year).await?;
        let row = db::evaluation::scheme_of(c, t.id)
            .await?
            .ok_or(AppError::not_found("scoring_scheme"))?;
        load_scheme(c, row).await
    })
    .await
}
