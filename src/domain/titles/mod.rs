//! Danh hiệu thi đua và hình thức khen thưởng: the eligibility engine of
//! TITLES.md (C1–C14). Pure: the service loads the facts of a subject, this
//! module decides and explains every rule it checked with its figures.

use serde_json::{Value, json};

use super::RuleViolation;

mod collective;
pub mod decision;
mod person;
mod proposal;
mod types;

pub use proposal::{CouncilOutcome, ProposalAction, ProposalStatus};
pub use types::*;

use collective::{c7, c8, c9, c10};
use person::{c3, c4, c5, c6, c11, c12};

/// C13: `num / den >= pct%` (or `>` when strict) in exact integers.
pub fn share_at_least(num: i64, den: i64, pct: i32, strict: bool) -> bool {
    if den <= 0 {
        return false;
    }
    let (lhs, rhs) = (num * 100, i64::from(pct) * den);
    if strict { lhs > rhs } else { lhs >= rhs }
}

/// C13: `count <= cap% of base` in exact integers.
pub fn within_cap(count: i64, base: i64, cap_pct: i32) -> bool {
    count * 100 <= i64::from(cap_pct) * base
}

fn holds(awards: &[Held], a: AwardType, y: i32) -> bool {
    awards
        .iter()
        .any(|h| h.active && h.award == a && h.year == y)
}

/// C1: one achievement earns one award.
fn c1(awards: &[Held], a: AwardType, y: i32) -> Check {
    let held = holds(awards, a, y);
    Check::new(
        "C1",
        !held,
        if held {
            format!(
                "Đã được tặng {} năm {y}; mỗi thành tích chỉ khen một lần.",
                a.code()
            )
        } else {
            format!("Chưa được tặng {} năm {y}.", a.code())
        },
        if held {
            format!(
                "Already awarded {} for {y}; one achievement earns one award.",
                a.code()
            )
        } else {
            format!("Not yet awarded {} for {y}.", a.code())
        },
        json!({"awardType": a.code(), "year": y, "alreadyAwarded": held}),
    )
}

/// C2: nobody under discipline in force, investigation or complaint review.
fn c2(p: &Person) -> Check {
    let ok = !p.discipline_in_force && !p.under_investigation;
    let mut vi = Vec::new();
    let mut en = Vec::new();
    if p.discipline_in_force {
        vi.push("đang trong thời hạn kỷ luật");
        en.push("a discipline is in force");
    }
    if p.under_investigation {
        vi.push("đang bị điều tra hoặc xem xét khiếu nại, tố cáo");
        en.push("under investigation or complaint review");
    }
    Check::new(
        "C2",
        ok,
        if ok {
            "Không trong thời hạn kỷ luật, không bị điều tra hay xem xét khiếu nại.".into()
        } else {
            format!("Không được đề nghị khen thưởng: {}.", vi.join(", "))
        },
        if ok {
            "No discipline in force, no investigation or complaint review.".into()
        } else {
            format!("Cannot be proposed or awarded: {}.", en.join(", "))
        },
        json!({"disciplineInForce": p.discipline_in_force, "underInvestigation": p.under_investigation}),
    )
}

/// C14: revoked awards were left out (reported when there are any).
fn c14(awards: &[Held]) -> Option<Check> {
    let revoked: Vec<Value> = awards
        .iter()
        .filter(|h| !h.active)
        .map(|h| json!({"awardType": h.award.code(), "year": h.year}))
        .collect();
    (!revoked.is_empty()).then(|| {
        Check::new(
            "C14",
            true,
            format!(
                "{} khen thưởng đã bị hủy bỏ không được tính.",
                revoked.len()
            ),
            format!("{} revoked awards were not counted.", revoked.len()),
            json!({"revoked": revoked}),
        )
    })
}

/// The eligibility answer for a subject, a title or form, and a year.
pub fn evaluate(
    award: AwardType,
    y: i32,
    params: &RuleParams,
    subject: Subject<'_>,
) -> Result<Answer, RuleViolation> {
    let mut checks = Vec::new();
    match subject {
        Subject::Person(p) => {
            if award.collective() {
                return Err(RuleViolation::SubjectKindMismatch {
                    award: award.code(),
                    expected: "collective",
                });
            }
            checks.push(c1(&p.awards, award, y));
            checks.push(c2(p));
            match award {
                AwardType::Ldtt => checks.push(c3(p, y, params)),
                AwardType::Cstdcs => checks.push(c4(p, y, params)),
                AwardType::CstdTinh => checks.push(c5(p, y, params)),
                AwardType::CstdToanQuoc => checks.push(c6(p, y, params)),
                AwardType::BangKhenChuTichTinh => checks.push(c11(p, y, params)),
                AwardType::BangKhenThuTuong => checks.push(c12(p, y, params)),
                // Ministerial forms and Giấy khen: only C1 and C2 are in TITLES.md.
                _ => {}
            }
            checks.extend(c14(&p.awards));
        }
        Subject::Collective(c) => {
            if !award.collective() {
                return Err(RuleViolation::SubjectKindMismatch {
                    award: award.code(),
                    expected: "person",
                });
            }
            checks.push(c1(&c.awards, award, y));
            match award {
                AwardType::Ttldtt => checks.push(c7(c, y, params)),
                AwardType::Ttldxs => checks.push(c8(c, y, params)),
                AwardType::CoThiDuaTinh => checks.push(c9(c, y, params)),
                _ => checks.push(c10(c, y)),
            }
            checks.extend(c14(&c.awards));
        }
    }
    Ok(Answer {
        eligible: checks.iter().all(|c| c.passed),
        checks,
    })
}

/// Quotas over a whole proposal list (C4 cap, C8 cap): `count` of the
/// capped title against `base` of the title it is a share of.
pub fn quota(award: AwardType, count: i64, base: i64, params: &RuleParams) -> Option<Check> {
    let (rule, cap, base_code) = match award {
        AwardType::Cstdcs => ("C4", params.cstdcs_cap_percent?, "ldtt"),
        AwardType::Ttldxs => ("C8", params.ttldxs_cap_percent?, "ttldtt"),
        _ => return None,
    };
    let ok = within_cap(count, base, cap);
    Some(Check::new(
        rule,
        ok,
        format!(
            "Danh sách đề nghị có {count} {} trên {base} {base_code} (tối đa {cap}%).{}",
            award.code(),
            if ok {
                " Đạt."
            } else {
                " Vượt tỷ lệ."
            }
        ),
        format!(
            "The list proposes {count} {} against {base} {base_code} (at most {cap}%).{}",
            award.code(),
            if ok { " Met." } else { " Over the quota." }
        ),
        json!({"awardType": award.code(), "count": count, "base": base, "baseAwardType": base_code, "capPercent": cap}),
    ))
}

#[cfg(test)]
mod tests;
