//! The rules on a collective (C7–C10): its members' counts, its own
//! standing and its flags.

use serde_json::json;

use super::{AwardType, Check, Collective, Discipline, Rating, RuleParams, holds, share_at_least};

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
pub(super) fn c7(c: &Collective, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c8(c: &Collective, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c9(c: &Collective, y: i32, params: &RuleParams) -> Check {
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
pub(super) fn c10(c: &Collective, y: i32) -> Check {
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

#[cfg(test)]
mod tests;
