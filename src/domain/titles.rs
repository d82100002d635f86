//! Danh hiệu thi đua và hình thức khen thưởng: the eligibility engine of
//! TITLES.md (C1–C14). Pure: the service loads the facts of a subject, this
//! module decides and explains every rule it checked with its figures.

use serde_json::{Value, json};

use super::RuleViolation;

pub mod decision;
mod proposal;
mod types;

pub use proposal::{CouncilOutcome, ProposalAction, ProposalStatus};
pub use types::*;
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

fn yn(b: bool) -> (&'static str, &'static str) {
    if b {
        ("đạt", "met")
    } else {
        ("không đạt", "not met")
    }
}

impl Person {
    fn year(&self, y: i32) -> Option<&PersonYear> {
        self.years.iter().find(|f| f.year == y)
    }

    /// C14: only active awards count.
    fn holds(&self, a: AwardType, y: i32) -> bool {
        holds(&self.awards, a, y)
    }

    fn initiatives(&self, from: i32, to: i32, min: Level) -> i64 {
        self.initiatives
            .iter()
            .filter(|i| i.year >= from && i.year <= to && i.level >= min)
            .count() as i64
    }

    /// LĐTT in year `y`: held, or (for the year considered) C3 on its facts
    /// unless that year's LĐTT was awarded and revoked (C14).
    fn ldtt(&self, y: i32, considered: i32, p: &RuleParams) -> bool {
        self.holds(AwardType::Ldtt, y)
            || (y == considered && !self.revoked(AwardType::Ldtt, y) && c3(self, y, p).passed)
    }

    /// CSTĐCS in year `y`: held, or (for the year considered) C4 on its
    /// facts unless that year's CSTĐCS was awarded and revoked (C14).
    fn cstdcs(&self, y: i32, considered: i32, p: &RuleParams) -> bool {
        self.holds(AwardType::Cstdcs, y)
            || (y == considered && !self.revoked(AwardType::Cstdcs, y) && c4(self, y, p).passed)
    }

    /// C14: the award was made for that year and revoked, with no active one.
    fn revoked(&self, a: AwardType, y: i32) -> bool {
        !self.holds(a, y)
            && self
                .awards
                .iter()
                .any(|h| !h.active && h.award == a && h.year == y)
    }
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

fn no_facts(rule: &str, y: i32) -> Check {
    Check::new(
        rule,
        false,
        format!("Chưa có số liệu cá nhân năm {y} (xếp loại, đăng ký thi đua, thời gian công tác)."),
        format!("No personal facts recorded for {y} (rating, registration, time employed)."),
        json!({"year": y, "factsRecorded": false}),
    )
}

/// C3: Lao động tiên tiến.
fn c3(p: &Person, y: i32, params: &RuleParams) -> Check {
    let Some(f) = p.year(y) else {
        return no_facts("C3", y);
    };
    let mut vi = Vec::new();
    let mut en = Vec::new();
    if f.rating < Rating::Htt {
        vi.push(format!(
            "xếp loại {} (cần từ htt trở lên)",
            f.rating.as_str()
        ));
        en.push(format!("rated {} (needs htt or better)", f.rating.as_str()));
    }
    if !f.registered {
        vi.push("không đăng ký thi đua".to_string());
        en.push("did not register for emulation".to_string());
    }
    if f.months_employed < params.ldtt_min_months {
        vi.push(format!(
            "công tác {} tháng (cần ít nhất {})",
            f.months_employed, params.ldtt_min_months
        ));
        en.push(format!(
            "employed {} months (needs {})",
            f.months_employed, params.ldtt_min_months
        ));
    }
    if f.absent_days >= params.ldtt_max_absent_days {
        vi.push(format!(
            "nghỉ {} ngày làm việc (từ {} ngày trở lên là không đạt)",
            f.absent_days, params.ldtt_max_absent_days
        ));
        en.push(format!(
            "absent {} working days ({} or more excludes)",
            f.absent_days, params.ldtt_max_absent_days
        ));
    }
    if f.discipline >= Discipline::KhienTrach {
        vi.push(format!("bị kỷ luật ({}) trong năm", f.discipline.as_str()));
        en.push(format!(
            "disciplined ({}) in the year",
            f.discipline.as_str()
        ));
    }
    let ok = vi.is_empty();
    Check::new(
        "C3",
        ok,
        if ok {
            format!("Đạt tiêu chuẩn Lao động tiên tiến năm {y}.")
        } else {
            format!("Không đạt Lao động tiên tiến năm {y}: {}.", vi.join("; "))
        },
        if ok {
            format!("Meets the Advanced Worker standard for {y}.")
        } else {
            format!("Not an Advanced Worker for {y}: {}.", en.join("; "))
        },
        json!({
            "year": y,
            "rating": f.rating.as_str(),
            "registered": f.registered,
            "monthsEmployed": f.months_employed,
            "minMonths": params.ldtt_min_months,
            "absentDays": f.absent_days,
            "maxAbsentDays": params.ldtt_max_absent_days,
            "discipline": f.discipline.as_str(),
        }),
    )
}

/// C4: CSTĐCS = LĐTT the same year and (htxs or a recognised initiative).
fn c4(p: &Person, y: i32, params: &RuleParams) -> Check {
    let held_ldtt = p.holds(AwardType::Ldtt, y);
    let ldtt = c3(p, y, params);
    let ldtt_ok = held_ldtt || (ldtt.passed && !p.revoked(AwardType::Ldtt, y));
    let htxs = p.year(y).is_some_and(|f| f.rating == Rating::Htxs);
    let initiatives = p.initiatives(y, y, Level::Grassroots);
    let ok = ldtt_ok && (htxs || initiatives > 0);
    let (vi_l, en_l) = yn(ldtt_ok);
    Check::new(
        "C4",
        ok,
        format!(
            "Lao động tiên tiến năm {y}: {vi_l}; xếp loại htxs: {}; sáng kiến được công nhận trong năm: {initiatives}. {}",
            if htxs { "có" } else { "không" },
            if ok {
                "Đạt tiêu chuẩn Chiến sĩ thi đua cơ sở."
            } else if !ldtt_ok {
                "Không đạt: cần đạt Lao động tiên tiến cùng năm."
            } else {
                "Không đạt: cần xếp loại htxs hoặc có sáng kiến được công nhận."
            }
        ),
        format!(
            "Advanced Worker in {y}: {en_l}; rated htxs: {}; recognised initiatives in the year: {initiatives}. {}",
            if htxs { "yes" } else { "no" },
            if ok {
                "Meets the Grassroots Emulation Fighter standard."
            } else if !ldtt_ok {
                "Not met: needs Advanced Worker the same year."
            } else {
                "Not met: needs an htxs rating or a recognised initiative."
            }
        ),
        json!({
            "year": y,
            "ldtt": ldtt_ok,
            "ldttHeld": held_ldtt,
            "ldttFigures": ldtt.figures,
            "htxs": htxs,
            "initiatives": initiatives,
        }),
    )
}

/// C5: CSTĐCS in each of the N consecutive years ending in `y`, and an
/// initiative with province-wide effect in those years.
fn c5(p: &Person, y: i32, params: &RuleParams) -> Check {
    let n = params.cstd_tinh_consecutive_years;
    let from = y - n + 1;
    let years: Vec<i32> = (from..=y).filter(|&k| p.cstdcs(k, y, params)).collect();
    let provincial = p.initiatives(from, y, Level::Provincial);
    let ok = years.len() as i32 == n && provincial > 0;
    Check::new(
        "C5",
        ok,
        format!(
            "Chiến sĩ thi đua cơ sở {}/{n} năm liên tục {from}–{y} (các năm đạt: {years:?}); sáng kiến có phạm vi ảnh hưởng cấp tỉnh: {provincial}.{}",
            years.len(),
            if ok { " Đạt." } else { " Không đạt." }
        ),
        format!(
            "Grassroots Emulation Fighter in {}/{n} consecutive years {from}–{y} (years held: {years:?}); initiatives with province-wide effect: {provincial}.{}",
            years.len(),
            if ok { " Met." } else { " Not met." }
        ),
        json!({"from": from, "to": y, "required": n, "cstdcsYears": years, "provincialInitiatives": provincial}),
    )
}

/// C6: provincial fighter in N consecutive award rounds, the latest recent,
/// and an initiative with nationwide effect in that span.
fn c6(p: &Person, y: i32, params: &RuleParams) -> Check {
    let n = params.cstd_toan_quoc_consecutive as usize;
    let gap = params.cstd_toan_quoc_max_gap_years;
    let mut years: Vec<i32> = p
        .awards
        .iter()
        .filter(|h| h.active && h.award == AwardType::CstdTinh && h.year < y)
        .map(|h| h.year)
        .collect();
    years.sort_unstable();
    years.dedup();
    let run: Vec<i32> = years.iter().rev().take(n).rev().copied().collect();
    let consecutive = run.len() == n && run.windows(2).all(|w| w[1] - w[0] <= gap);
    let recent = run.last().is_some_and(|&last| last >= y - gap);
    let from = run.first().copied().unwrap_or(y);
    let national = p.initiatives(from, y, Level::National);
    let ok = consecutive && recent && national > 0;
    Check::new(
        "C6",
        ok,
        format!(
            "Chiến sĩ thi đua cấp tỉnh các năm {run:?} (cần {n} lần liên tục, cách nhau tối đa {gap} năm, lần gần nhất từ năm {}); sáng kiến phạm vi toàn quốc: {national}.{}",
            y - gap,
            if ok { " Đạt." } else { " Không đạt." }
        ),
        format!(
            "Provincial Emulation Fighter in {run:?} (needs {n} consecutive rounds at most {gap} years apart, the latest from {}); initiatives with nationwide effect: {national}.{}",
            y - gap,
            if ok { " Met." } else { " Not met." }
        ),
        json!({"cstdTinhYears": run, "required": n, "maxGapYears": gap, "consecutive": consecutive, "recent": recent, "nationalInitiatives": national}),
    )
}

/// C11: Bằng khen of the provincial chairman.
fn c11(p: &Person, y: i32, params: &RuleParams) -> Check {
    let n = params.bang_khen_tinh_consecutive_years;
    let from = y - n + 1;
    let cstdcs: Vec<i32> = (from..=y).filter(|&k| p.cstdcs(k, y, params)).collect();
    let htxs: Vec<i32> = (from..=y)
        .filter(|&k| p.year(k).is_some_and(|f| f.rating == Rating::Htxs))
        .collect();
    let initiatives = p.initiatives(from, y, Level::Grassroots);
    let by_cstdcs = cstdcs.len() as i32 == n;
    let by_htxs =
        htxs.len() as i32 == n && initiatives >= i64::from(params.bang_khen_tinh_initiatives);
    let ok = by_cstdcs || by_htxs;
    Check::new(
        "C11",
        ok,
        format!(
            "Năm {from}–{y}: Chiến sĩ thi đua cơ sở các năm {cstdcs:?} (cần {n} năm liên tục), hoặc xếp loại htxs các năm {htxs:?} với {initiatives}/{} sáng kiến.{}",
            params.bang_khen_tinh_initiatives,
            if ok { " Đạt." } else { " Không đạt." }
        ),
        format!(
            "{from}–{y}: Grassroots Emulation Fighter in {cstdcs:?} (needs {n} consecutive years), or rated htxs in {htxs:?} with {initiatives}/{} initiatives.{}",
            params.bang_khen_tinh_initiatives,
            if ok { " Met." } else { " Not met." }
        ),
        json!({"from": from, "to": y, "required": n, "cstdcsYears": cstdcs, "htxsYears": htxs, "initiatives": initiatives, "requiredInitiatives": params.bang_khen_tinh_initiatives}),
    )
}

/// C12: Bằng khen of the Prime Minister.
fn c12(p: &Person, y: i32, params: &RuleParams) -> Check {
    let n = params.bang_khen_ttg_years;
    let from = y - n + 1;
    let earlier: Vec<i32> = p
        .awards
        .iter()
        .filter(|h| {
            h.active
                && h.year < y
                && matches!(
                    h.award,
                    AwardType::BangKhenChuTichTinh | AwardType::BangKhenBo
                )
        })
        .map(|h| h.year)
        .collect();
    let good: Vec<i32> = (from..=y)
        .filter(|&k| p.year(k).is_some_and(|f| f.rating >= Rating::Htt))
        .collect();
    let cstdcs: Vec<i32> = (from..=y).filter(|&k| p.cstdcs(k, y, params)).collect();
    let ok = !earlier.is_empty()
        && good.len() as i32 == n
        && cstdcs.len() as i32 >= params.bang_khen_ttg_cstdcs;
    Check::new(
        "C12",
        ok,
        format!(
            "Bằng khen cấp tỉnh hoặc cấp bộ đã nhận: {earlier:?}; hoàn thành tốt nhiệm vụ trở lên {}/{n} năm {from}–{y}; Chiến sĩ thi đua cơ sở {}/{} lần.{}",
            good.len(),
            cstdcs.len(),
            params.bang_khen_ttg_cstdcs,
            if ok { " Đạt." } else { " Không đạt." }
        ),
        format!(
            "Provincial or ministerial Certificate of Merit held: {earlier:?}; rated htt or better {}/{n} years {from}–{y}; Grassroots Emulation Fighter {}/{} times.{}",
            good.len(),
            cstdcs.len(),
            params.bang_khen_ttg_cstdcs,
            if ok { " Met." } else { " Not met." }
        ),
        json!({"from": from, "to": y, "earlierBangKhenYears": earlier, "goodYears": good, "requiredYears": n, "cstdcsYears": cstdcs, "requiredCstdcs": params.bang_khen_ttg_cstdcs}),
    )
}

struct MemberCounts {
    members: i64,
    ldtt: i64,
    cstdcs: i64,
    warned: i64,
    not_completed: i64,
}

fn count_members(c: &Collective, y: i32, params: &RuleParams) -> MemberCounts {
    let mut k = MemberCounts {
        members: c.members.len() as i64,
        ldtt: 0,
        cstdcs: 0,
        warned: 0,
        not_completed: 0,
    };
    for m in &c.members {
        k.ldtt += i64::from(m.ldtt(y, y, params));
        k.cstdcs += i64::from(m.cstdcs(y, y, params));
        let f = m.year(y);
        k.warned += i64::from(f.is_some_and(|f| f.discipline >= Discipline::CanhCao));
        k.not_completed += i64::from(f.is_none_or(|f| f.rating < Rating::Ht));
    }
    k
}

/// C7: Tập thể lao động tiên tiến.
fn c7(c: &Collective, y: i32, params: &RuleParams) -> Check {
    let k = count_members(c, y, params);
    let pct = params.ttldtt_min_share_percent;
    let strict = params.ttldtt_share_strict;
    let share = share_at_least(k.ldtt, k.members, pct, strict);
    let ok = share && k.warned == 0;
    let cmp_vi = if strict { "trên" } else { "ít nhất" };
    let cmp_en = if strict { "more than" } else { "at least" };
    Check::new(
        "C7",
        ok,
        format!(
            "{}/{} thành viên đạt Lao động tiên tiến (cần {cmp_vi} {pct}%); {} thành viên bị kỷ luật từ cảnh cáo trở lên.{}",
            k.ldtt,
            k.members,
            k.warned,
            if ok { " Đạt." } else { " Không đạt." }
        ),
        format!(
            "{}/{} members are Advanced Workers (needs {cmp_en} {pct}%); {} members disciplined at warning or above.{}",
            k.ldtt,
            k.members,
            k.warned,
            if ok { " Met." } else { " Not met." }
        ),
        json!({"year": y, "ldtt": k.ldtt, "members": k.members, "required": pct, "strict": strict, "warned": k.warned}),
    )
}

/// C8: Tập thể lao động xuất sắc.
fn c8(c: &Collective, y: i32, params: &RuleParams) -> Check {
    let k = count_members(c, y, params);
    let pct = params.ttldxs_min_share_percent;
    let share = share_at_least(k.ldtt, k.members, pct, false);
    let cstdcs_ok = !params.ttldxs_requires_cstdcs || k.cstdcs > 0;
    // The TTLĐTT standard of the same year, reported under C8 with its figures.
    let ttldtt = c7(c, y, params);
    let ttldtt_ok = holds(&c.awards, AwardType::Ttldtt, y) || ttldtt.passed;
    let ok =
        k.members > 0 && k.not_completed == 0 && share && k.warned == 0 && cstdcs_ok && ttldtt_ok;
    Check::new(
        "C8",
        ok,
        format!(
            "{} thành viên chưa hoàn thành nhiệm vụ (cần 0); {}/{} đạt Lao động tiên tiến (cần ít nhất {pct}%); {} bị kỷ luật từ cảnh cáo trở lên; Chiến sĩ thi đua cơ sở: {}{}.{}",
            k.not_completed,
            k.ldtt,
            k.members,
            k.warned,
            k.cstdcs,
            if params.ttldxs_requires_cstdcs {
                " (cần ít nhất 1)"
            } else {
                ""
            },
            if ok { " Đạt." } else { " Không đạt." }
        ),
        format!(
            "{} members did not complete their tasks (needs 0); {}/{} are Advanced Workers (needs at least {pct}%); {} disciplined at warning or above; Grassroots Emulation Fighters: {}{}.{}",
            k.not_completed,
            k.ldtt,
            k.members,
            k.warned,
            k.cstdcs,
            if params.ttldxs_requires_cstdcs {
                " (needs at least 1)"
            } else {
                ""
            },
            if ok { " Met." } else { " Not met." }
        ),
        json!({"year": y, "members": k.members, "notCompleted": k.not_completed, "ldtt": k.ldtt, "required": pct, "warned": k.warned, "cstdcs": k.cstdcs, "requiresCstdcs": params.ttldxs_requires_cstdcs, "ttldtt": ttldtt_ok, "ttldttFigures": ttldtt.figures}),
    )
}

/// C9: the provincial flag goes only to a leading unit of its bloc.
fn c9(c: &Collective, y: i32, params: &RuleParams) -> Check {
    let max = i64::from(params.flag_max_per_bloc);
    let Some(s) = &c.standing else {
        return Check::new(
            "C9",
            false,
            format!(
                "Đơn vị không thuộc khối thi đua nào năm {y}; cờ thi đua cấp tỉnh chỉ tặng đơn vị dẫn đầu khối."
            ),
            format!(
                "The unit is in no emulation bloc for {y}; the provincial flag goes only to a bloc's leading unit."
            ),
            json!({"year": y, "bloc": null, "elected": false}),
        );
    };
    let elected = s.elected_rank.is_some();
    let seat = elected && s.better_elected < max;
    let room = s.flags_awarded < max;
    let ok = seat && room;
    let (vi, en) = if !elected {
        (
            format!(
                "Đơn vị không được bình chọn là đơn vị dẫn đầu khối {} năm {y}.",
                s.bloc_code
            ),
            format!(
                "The unit was not elected a leading unit of bloc {} for {y}.",
                s.bloc_code
            ),
        )
    } else if !seat {
        (
            format!(
                "Đơn vị dẫn đầu khối {} nhưng có {} đơn vị dẫn đầu xếp trên; mỗi khối tối đa {max} cờ.",
                s.bloc_code, s.better_elected
            ),
            format!(
                "A leading unit of bloc {}, but {} elected units rank higher; at most {max} flags per bloc.",
                s.bloc_code, s.better_elected
            ),
        )
    } else if !room {
        (
            format!(
                "Khối {} đã được tặng {} cờ năm {y}; mỗi khối tối đa {max}.",
                s.bloc_code, s.flags_awarded
            ),
            format!(
                "Bloc {} already received {} flags for {y}; at most {max} per bloc.",
                s.bloc_code, s.flags_awarded
            ),
        )
    } else {
        (
            format!("Đơn vị dẫn đầu khối {} năm {y}. Đạt.", s.bloc_code),
            format!("Leading unit of bloc {} for {y}. Met.", s.bloc_code),
        )
    };
    Check::new(
        "C9",
        ok,
        vi,
        en,
        json!({"year": y, "bloc": s.bloc_code, "elected": elected, "rank": s.elected_rank, "betterElected": s.better_elected, "flagsAwarded": s.flags_awarded, "maxPerBloc": max}),
    )
}

/// C10: the Government flag only for a holder of the provincial flag.
fn c10(c: &Collective, y: i32) -> Check {
    let ok = holds(&c.awards, AwardType::CoThiDuaTinh, y);
    Check::new(
        "C10",
        ok,
        if ok {
            format!("Đã được tặng Cờ thi đua cấp tỉnh năm {y}. Đạt.")
        } else {
            format!(
                "Chưa được tặng Cờ thi đua cấp tỉnh năm {y}; Cờ của Chính phủ chỉ xét đơn vị đã có cờ cấp tỉnh."
            )
        },
        if ok {
            format!("Holds the provincial flag for {y}. Met.")
        } else {
            format!(
                "Does not hold the provincial flag for {y}; the Government flag is only for holders of it."
            )
        },
        json!({"year": y, "provincialFlag": ok}),
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
