//! E3: the ranking, with the pledge compliance beside each unit; E4: the
//! leading units the ballot elected.

use uuid::Uuid;

use super::scheme::{Scheme, load_scheme};
use super::{Unit, term};
use crate::db::evaluation::{EntryRow, SheetRow};
use crate::db::{self, Db};
use crate::domain::evaluation::{self as rules, Score, SheetStatus};
use crate::error::{AppError, AppResult};
use crate::service::pledges::{self, Compliance};

#[derive(Debug, Clone)]
pub struct RankedUnit {
    pub unit: Unit,
    /// Ties share a rank (E3); `None` without a submitted sheet.
    pub rank: Option<usize>,
    pub score: Option<Score>,
    /// No cross-score submitted: the self-score stands.
    pub self_score_only: bool,
    /// Per section: (title, score).
    pub sections: Vec<(String, Score)>,
    /// Pledge targets (achieved, measurable).
    pub compliance: Option<(usize, usize)>,
}

/// A submitted sheet's total (capped) and its points per section.
struct Totals {
    total: i64,
    per_section: Vec<i64>,
}

fn totals(scheme: &Scheme, entries: &[EntryRow], sheet: &SheetRow) -> Totals {
    let mine: Vec<&EntryRow> = entries.iter().filter(|e| e.sheet_id == sheet.id).collect();
    let points: Vec<i32> = mine.iter().map(|e| e.points).collect();
    let per_section = scheme
        .sections
        .iter()
        .map(|s| {
            mine.iter()
                .filter(|e| s.criteria.iter().any(|c| c.id == e.criterion_id))
                .map(|e| e.points as i64)
                .sum()
        })
        .collect();
    Totals {
        total: rules::sheet_total(&points, scheme.total_cap),
        per_section,
    }
}

/// A unit's line: the mean of its submitted cross-sheets, or its own sheet
/// when no cross-sheet is in; per section the same sheets' points.
fn line(
    unit: Unit,
    scheme: &Scheme,
    sheets: &[SheetRow],
    entries: &[EntryRow],
    compliance: Option<&Compliance>,
) -> RankedUnit {
    let id = unit.organization_id;
    let submitted: Vec<&SheetRow> = sheets
        .iter()
        .filter(|s| s.subject_id == id && s.status == SheetStatus::Submitted)
        .collect();
    let cross: Vec<Totals> = submitted
        .iter()
        .filter(|s| s.reviewer_id != id)
        .map(|s| totals(scheme, entries, s))
        .collect();
    let own = submitted
        .iter()
        .find(|s| s.reviewer_id == id)
        .map(|s| totals(scheme, entries, s));
    let cross_totals: Vec<i64> = cross.iter().map(|c| c.total).collect();
    let fin = rules::final_score(&cross_totals, own.as_ref().map(|o| o.total));
    let used: Vec<&Totals> = if cross.is_empty() {
        own.iter().collect()
    } else {
        cross.iter().collect()
    };
    let sections = scheme
        .sections
        .iter()
        .enumerate()
        .filter(|_| !used.is_empty())
        .map(|(i, s)| {
            let score = Score {
                sum: used.iter().map(|u| u.per_section[i]).sum(),
                count: used.len() as i64,
            };
            (s.title.clone(), score)
        })
        .collect();
    // The same figures as the compliance matrix.
    let compliance = compliance
        .and_then(|c| c.units.iter().find(|u| u.unit.organization_id == id))
        .map(|u| (u.summary.achieved, u.summary.measurable));
    RankedUnit {
        unit,
        rank: None,
        score: fin.map(|f| f.0),
        self_score_only: fin.is_some_and(|f| f.1),
        sections,
        compliance,
    }
}

/// E3: totals descending, ties share a rank and are listed by code; per unit
/// its sections and the pledge compliance beside it.
pub async fn ranking(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<RankedUnit>> {
    let (members, scheme, sheets, entries, pledge) = db
        .read(async |c| -> AppResult<_> {
            let t = term(c, bloc_id, year).await?;
            let members = db::blocs::members(c, &[t.id]).await?;
            let scheme = db::evaluation::scheme_of(c, t.id)
                .await?
                .ok_or(AppError::not_found("scoring_scheme"))?;
            let scheme = load_scheme(c, scheme).await?;
            let sheets = db::evaluation::sheets(c, scheme.id).await?;
            let entries = db::evaluation::entries(c, scheme.id).await?;
            let pledge = db::pledges::of_term(c, t.id).await?;
            Ok((members, scheme, sheets, entries, pledge))
        })
        .await?;
    let compliance = match pledge {
        Some(p) => Some(pledges::compliance(db, p.id, None).await?),
        None => None,
    };
    let units: Vec<RankedUnit> = members
        .iter()
        .map(|m| {
            line(
                Unit::from(m),
                &scheme,
                &sheets,
                &entries,
                compliance.as_ref(),
            )
        })
        .collect();
    let keys: Vec<(String, Option<Score>)> = units
        .iter()
        .map(|u| (u.unit.code.clone(), u.score))
        .collect();
    let mut slots: Vec<Option<RankedUnit>> = units.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(slots.len());
    for (idx, rank) in rules::rank(&keys) {
        if let Some(mut u) = slots[idx].take() {
            u.rank = rank;
            out.push(u);
        }
    }
    Ok(out)
}

/// A unit the ballot elected.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadingUnit {
    pub unit: Unit,
    pub rank: i32,
    pub votes: i32,
}

/// The bloc's leading units for the year.
pub async fn leading_units(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<LeadingUnit>> {
    db.read(async |c| {
        let t = term(c, bloc_id, year).await?;
        let members = db::blocs::members(c, &[t.id]).await?;
        let rows = db::evaluation::leading_units(c, t.id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, rank, votes)| {
                let m = members.iter().find(|m| m.id == id)?;
                Some(LeadingUnit {
                    unit: Unit::from(m),
                    rank,
                    votes,
                })
            })
            .collect())
    })
    .await
}
