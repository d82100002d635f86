//! The C4 and C8 caps over a proposer's whole list for a year, checked on
//! submission and again by the decision.

use std::collections::HashSet;

use uuid::Uuid;

use crate::db::titles::{AwardRow, ProposalItemRow};
use crate::db::{self, Conn};
use crate::domain::titles::decision::{Item, cap_failures};
use crate::domain::titles::{self as rules, AwardType, Check, RuleParams, SubjectRef};
use crate::error::{AppError, AppResult, ErrorCode, RuleFailure};

/// The (subject, award) of stored proposal items.
pub(super) fn items_of_rows(items: &[ProposalItemRow]) -> Vec<Item> {
    items
        .iter()
        .filter_map(|i| {
            Some((
                SubjectRef::of(i.person_id, i.organization_id)?,
                i.award_type,
            ))
        })
        .collect()
}

/// The (subject, award) of stored awards.
pub(super) fn items_of_awards(rows: &[AwardRow]) -> HashSet<Item> {
    rows.iter()
        .filter_map(|a| {
            Some((
                SubjectRef::of(a.person_id, a.organization_id)?,
                a.award_type,
            ))
        })
        .collect()
}

/// C4 and C8 caps over a list: the items being decided or submitted plus
/// the proposer's other live proposals.
fn quota_checks(list: &[Item], params: &RuleParams) -> Vec<Check> {
    let count = |a: AwardType| list.iter().filter(|p| p.1 == a).count() as i64;
    [
        (AwardType::Cstdcs, AwardType::Ldtt),
        (AwardType::Ttldxs, AwardType::Ttldtt),
    ]
    .into_iter()
    .filter(|(capped, _)| count(*capped) > 0)
    .filter_map(|(capped, base)| rules::quota(capped, count(capped), count(base), params))
    .collect()
}

/// The failed C4 and C8 caps for a proposer and year: `list` plus its other
/// live proposals and the awards its unit already holds for the year, under
/// the proposer's lock so two submissions cannot both slip under the cap.
pub(super) async fn over_quota(
    c: &mut Conn,
    proposer: Option<Uuid>,
    year: i32,
    this: Uuid,
    list: &[Item],
    params: &RuleParams,
) -> AppResult<Vec<Check>> {
    db::titles::lock_quota(c, proposer, year).await?;
    let mut all = list.to_vec();
    all.extend(items_of_rows(
        &db::titles::live_items_of_proposer(c, proposer, year, this).await?,
    ));
    if let Some(org) = proposer {
        let tree = db::titles::org_tree(c, org).await?;
        let orgs: Vec<Uuid> = tree.iter().map(|t| t.0).collect();
        let staff: Vec<Uuid> = db::titles::staff_in_year(c, &orgs, year)
            .await?
            .into_iter()
            .map(|s| s.0)
            .collect();
        let held = db::titles::active_awards_for_year(c, &staff, &orgs, year).await?;
        for held_item in items_of_awards(&held) {
            if !all.contains(&held_item) {
                all.push(held_item);
            }
        }
    }
    Ok(quota_checks(&all, params)
        .into_iter()
        .filter(|c| !c.passed)
        .collect())
}

/// 409 `quota_exceeded` with each failed cap.
pub(super) fn quota_refusal(over: &[Check]) -> AppError {
    AppError::new(ErrorCode::QuotaExceeded).with_failures(
        cap_failures(over, "items")
            .into_iter()
            .map(failure)
            .collect(),
    )
}

/// A domain failure as the problem's `errors` entry.
pub(super) fn failure(f: rules::decision::Failure) -> RuleFailure {
    RuleFailure {
        field: f.field,
        rule: f.rule,
        vi: f.vi,
        en: f.en,
    }
}
