//! T6, T7: the compliance matrix, units × targets, from each unit's latest
//! report of the latest period.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::reports::Report;
use super::{Item, Target, Unit, items_of};
use crate::db::pledges::ReportRow;
use crate::db::{self, Db};
use crate::domain::compliance::{self, Value};
use crate::domain::ids::PledgeId;
use crate::domain::pledge::{Period, PledgeStatus, TargetKind};
use crate::error::{AppError, AppResult};

/// One cell of the compliance matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub target_id: Uuid,
    /// The latest report used (T7).
    pub report: Option<Report>,
    /// Exact percentage with two decimals (percentage targets).
    pub percent: Option<String>,
    /// `None`: no report, or a qualitative target.
    pub achieved: Option<bool>,
}

/// A unit's line in the matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitLine {
    pub unit: Unit,
    pub cells: Vec<Cell>,
    pub summary: UnitSummary,
}

/// A unit's line in the matrix, summed up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitSummary {
    pub achieved: usize,
    pub measurable: usize,
    pub reported: usize,
    pub items_met: usize,
}

/// The bloc's figure for a target (T7).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetFigure {
    pub target: Target,
    pub members_achieving: usize,
    pub members: usize,
    pub share: String,
    pub met: Option<bool>,
}

/// An item and whether it is met (T7).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemFigure {
    pub item_id: Uuid,
    pub position: i32,
    pub text: String,
    pub met: Option<bool>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Compliance {
    pub pledge_id: PledgeId,
    pub status: PledgeStatus,
    pub as_of: Option<DateTime<Utc>>,
    /// In item order.
    pub targets: Vec<TargetFigure>,
    pub items: Vec<ItemFigure>,
    pub units: Vec<UnitLine>,
}

fn measurable(t: &Target) -> bool {
    t.kind != TargetKind::Qualitative
}

/// T7: the bloc figure per target, in item order.
fn figures(units: &[UnitLine], ordered: &[Target]) -> Vec<TargetFigure> {
    ordered
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let achieved: Vec<Option<bool>> = units.iter().map(|u| u.cells[i].achieved).collect();
            let (members_achieving, share, met) = compliance::bloc_figure(&achieved, measurable(t));
            TargetFigure {
                target: t.clone(),
                members_achieving,
                members: units.len(),
                share,
                met,
            }
        })
        .collect()
}

/// T7: `met` per item, from its targets' bloc figures.
fn item_figures(items: &[Item], figures: &[TargetFigure]) -> Vec<ItemFigure> {
    items
        .iter()
        .map(|item| {
            let met: Vec<Option<bool>> = figures
                .iter()
                .filter(|f| f.target.item_id == item.id)
                .map(|f| f.met)
                .collect();
            ItemFigure {
                item_id: item.id,
                position: item.position,
                text: item.text.clone(),
                met: compliance::item_met(&met),
            }
        })
        .collect()
}

/// A unit's summary over its cells.
fn summary(cells: &[Cell], items: &[Item], ordered: &[Target]) -> UnitSummary {
    let items_met = items
        .iter()
        .filter(|item| {
            let mine: Vec<Option<bool>> = ordered
                .iter()
                .zip(cells)
                .filter(|(t, _)| t.item_id == item.id && measurable(t))
                .map(|(_, c)| Some(c.achieved == Some(true)))
                .collect();
            compliance::item_met(&mine) == Some(true)
        })
        .count();
    UnitSummary {
        achieved: cells.iter().filter(|c| c.achieved == Some(true)).count(),
        measurable: ordered.iter().filter(|t| measurable(t)).count(),
        reported: cells.iter().filter(|c| c.report.is_some()).count(),
        items_met,
    }
}

/// The end of `as_of`'s day, when given.
fn end_of_day(as_of: Option<NaiveDate>) -> Option<DateTime<Utc>> {
    as_of
        .and_then(|d| d.succ_opt())
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc() - chrono::Duration::microseconds(1))
}

/// T6, T7: the matrix units × targets from each unit's latest report of the
/// latest period. Two statements whatever the bloc's size.
pub async fn compliance(db: &Db, id: PledgeId, as_of: Option<NaiveDate>) -> AppResult<Compliance> {
    let as_of = end_of_day(as_of);
    let (full, reports) = db
        .read(async |c| -> AppResult<_> {
            let full = db::pledges::full(c, id)
                .await?
                .ok_or(AppError::not_found("pledge"))?;
            let reports = db::pledges::effective_reports(c, id, as_of).await?;
            Ok((full, reports))
        })
        .await?;
    let items = items_of(&full.items, &full.targets);
    let ordered = ordered_targets(&items);
    let year = full.term.year;
    let mut units: Vec<UnitLine> = full
        .members
        .iter()
        .map(|m| {
            let cells: Vec<Cell> = ordered
                .iter()
                .map(|t| {
                    let mine: Vec<&ReportRow> = reports
                        .iter()
                        .filter(|r| r.target_id == t.id && r.organization_id == m.id)
                        .collect();
                    cell(t, &mine, year)
                })
                .collect();
            UnitLine {
                unit: Unit::from(m),
                cells,
                summary: UnitSummary::default(),
            }
        })
        .collect();
    for u in units.iter_mut() {
        u.summary = summary(&u.cells, &items, &ordered);
    }
    let targets = figures(&units, &ordered);
    Ok(Compliance {
        pledge_id: full.pledge.id,
        status: full.pledge.status,
        as_of,
        items: item_figures(&items, &targets),
        targets,
        units,
    })
}

/// Targets in item order, then their own order.
fn ordered_targets(items: &[Item]) -> Vec<Target> {
    items
        .iter()
        .flat_map(|i| {
            let mut ts = i.targets.clone();
            ts.sort_by_key(|t| t.position);
            ts
        })
        .collect()
}

fn cell(t: &Target, reports: &[&ReportRow], year: i32) -> Cell {
    let values: Vec<(Value, &ReportRow)> = reports
        .iter()
        .filter_map(|r| {
            let period = Period::parse(&r.period, year).ok()?;
            let value = Value {
                period,
                numerator: r.numerator,
                denominator: r.denominator,
                count: r.count_value,
                done: r.done,
            };
            Some((value, *r))
        })
        .collect();
    let latest = values
        .iter()
        .max_by_key(|(v, r)| (v.period.rank(), r.reported_at));
    match latest {
        None => Cell {
            target_id: t.id,
            report: None,
            percent: None,
            achieved: None,
        },
        Some((v, r)) => Cell {
            target_id: t.id,
            report: Some(Report::from((*r).clone())),
            percent: match (v.numerator, v.denominator) {
                (Some(n), Some(d)) => compliance::percent_2dp(n, d),
                _ => None,
            },
            achieved: compliance::achieved(t.kind, t.comparator, t.target, v),
        },
    }
}
