//! The rules on a person (C3–C6, C11, C12) and what they read of a
//! person's years, initiatives and awards.

use serde_json::json;

use super::{AwardType, Check, Discipline, Level, Person, PersonYear, Rating, RuleParams, holds};

fn yn(b: bool) -> (&'static str, &'static str) {
    if b {
        ("đạt", "met")
    } else {
        ("không đạt", "not met")
    }
}

impl Person {
    pub(super) fn year(&self, y: i32) -> Option<&PersonYear> {
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
    pub(super) fn ldtt(&self, y: i32, considered: i32, p: &RuleParams) -> bool {
        self.holds(AwardType::Ldtt, y)
            || (y == considered && !self.revoked(AwardType::Ldtt, y) && c3(self, y, p).passed)
    }

    /// CSTĐCS in year `y`: held, or (for the year considered) C4 on its
    /// facts unless that year's CSTĐCS was awarded and revoked (C14).
    pub(super) fn cstdcs(&self, y: i32, considered: i32, p: &RuleParams) -> bool {
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
pub(super) fn c3(p: &Person, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c4(p: &Person, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c5(p: &Person, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c6(p: &Person, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c11(p: &Person, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c12(p: &Person, y: i32, params: &RuleParams) -> Check {
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

#[cfg(test)]
mod tests;
