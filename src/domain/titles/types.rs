//! The types of the titles domain every layer shares: the catalogue's
//! award types, the facts the rules read (ratings, discipline, initiatives),
//! whom an award is for, the rule-set parameters, and the answers.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::domain::RuleViolation;
use crate::domain::text::text_enum;

text_enum! {
    /// An emulation title (danh hiệu) or a commendation form (hình thức); its
    /// JSON form is its `code()`.
    pub enum AwardType {
        Ldtt = "ldtt",
        Cstdcs = "cstdcs",
        CstdTinh = "cstd_tinh",
        CstdToanQuoc = "cstd_toan_quoc",
        Ttldtt = "ttldtt",
        Ttldxs = "ttldxs",
        CoThiDuaTinh = "co_thi_dua_tinh",
        CoThiDuaChinhPhu = "co_thi_dua_chinh_phu",
        BangKhenChuTichTinh = "bang_khen_chu_tich_tinh",
        BangKhenBo = "bang_khen_bo",
        BangKhenThuTuong = "bang_khen_thu_tuong",
        GiayKhen = "giay_khen",
    }
}

impl AwardType {
    /// The catalogue code (the text stored and sent).
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// Titles and forms for a collective (tập thể) rather than a person.
    pub fn collective(self) -> bool {
        matches!(
            self,
            AwardType::Ttldtt
                | AwardType::Ttldxs
                | AwardType::CoThiDuaTinh
                | AwardType::CoThiDuaChinhPhu
        )
    }
}

/// Whom an award is for: a person or a collective (an organisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubjectRef {
    Person(Uuid),
    Organization(Uuid),
}

impl SubjectRef {
    /// From the two id columns of a stored item or award (the person wins;
    /// a check constraint keeps exactly one).
    pub fn of(person: Option<Uuid>, org: Option<Uuid>) -> Option<SubjectRef> {
        match (person, org) {
            (Some(p), _) => Some(SubjectRef::Person(p)),
            (None, Some(o)) => Some(SubjectRef::Organization(o)),
            (None, None) => None,
        }
    }
    pub fn id(self) -> Uuid {
        match self {
            SubjectRef::Person(p) | SubjectRef::Organization(p) => p,
        }
    }
    pub fn person(self) -> Option<Uuid> {
        match self {
            SubjectRef::Person(p) => Some(p),
            SubjectRef::Organization(_) => None,
        }
    }
    pub fn organization(self) -> Option<Uuid> {
        match self {
            SubjectRef::Organization(o) => Some(o),
            SubjectRef::Person(_) => None,
        }
    }
}

text_enum! {
    // Xếp loại: the yearly performance rating, in increasing order:
    // `kht` not completed, `ht` completed, `htt` completed well, `htxs`
    // completed excellently.
    #[schema(as = RatingCode)]
    pub enum Rating { Kht = "kht", Ht = "ht", Htt = "htt", Htxs = "htxs" }
}

text_enum! {
    // Kỷ luật, in increasing severity: `none`, `khien_trach` (reprimand),
    // `canh_cao` (warning), `higher` (anything heavier than a warning).
    #[schema(as = DisciplineCode)]
    pub enum Discipline {
        None = "none",
        KhienTrach = "khien_trach",
        CanhCao = "canh_cao",
        Higher = "higher",
    }
}

text_enum! {
    // Sáng kiến: the level at which an initiative was recognised. A higher
    // level satisfies a lower requirement.
    #[schema(as = InitiativeLevel)]
    pub enum Level { Grassroots = "grassroots", Provincial = "provincial", National = "national" }
}

text_enum! {
    // Where a rule set applies: `national`, or `province` (a provincial
    // override wins where both are in force).
    pub enum RuleSetScope { National = "national", Province = "province" }
}

text_enum! {
    /// An award in the history: `active`, or `revoked` (a revoked award
    /// never counts again, C14).
    pub enum AwardStatus { Active = "active", Revoked = "revoked" }
}

/// C0: the parameters of one rule set. Every number a rule reads is here;
/// the schema states each one's bounds (`check`), all but one cross-field
/// rule (`bangKhenTtgCstdcs` within `bangKhenTtgYears`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleParams {
    /// C3: fewest months employed in the year.
    #[schema(minimum = 0, maximum = 12)]
    pub ldtt_min_months: i32,
    /// C3: absent this many working days or more excludes.
    #[schema(minimum = 1, maximum = 366)]
    pub ldtt_max_absent_days: i32,
    /// C4: cap on CSTĐCS as a percentage of LĐTT in a unit's proposals (none: no cap).
    #[schema(minimum = 0, maximum = 100)]
    pub cstdcs_cap_percent: Option<i32>,
    /// C5: consecutive CSTĐCS years.
    #[schema(minimum = 1, maximum = 20)]
    pub cstd_tinh_consecutive_years: i32,
    /// C6: consecutive provincial-fighter awards.
    #[schema(minimum = 1, maximum = 20)]
    pub cstd_toan_quoc_consecutive: i32,
    /// C6: most years between two provincial-fighter awards that still follow each other.
    #[schema(minimum = 1, maximum = 20)]
    pub cstd_toan_quoc_max_gap_years: i32,
    /// C7: share of members that are LĐTT, in percent.
    #[schema(minimum = 0, maximum = 100)]
    pub ttldtt_min_share_percent: i32,
    /// C7: the share must be strictly greater (vn-2017: more than 50%).
    pub ttldtt_share_strict: bool,
    /// C8: share of members that are LĐTT, in percent.
    #[schema(minimum = 0, maximum = 100)]
    pub ttldxs_min_share_percent: i32,
    /// C8: at least one member is CSTĐCS (vn-2017).
    pub ttldxs_requires_cstdcs: bool,
    /// C8: cap on TTLĐXS as a percentage of TTLĐTT in a proposal list (none: no cap).
    #[schema(minimum = 0, maximum = 100)]
    pub ttldxs_cap_percent: Option<i32>,
    /// C9: provincial flags per bloc and year.
    #[schema(minimum = 1, maximum = 20)]
    pub flag_max_per_bloc: i32,
    /// C11: consecutive years.
    #[schema(minimum = 1, maximum = 20)]
    pub bang_khen_tinh_consecutive_years: i32,
    /// C11: initiatives over the window (with `htxs` each year).
    #[schema(minimum = 0, maximum = 20)]
    pub bang_khen_tinh_initiatives: i32,
    /// C12: consecutive years rated `htt` or better.
    #[schema(minimum = 1, maximum = 20)]
    pub bang_khen_ttg_years: i32,
    /// C12: CSTĐCS years within that run.
    #[schema(minimum = 0, maximum = 20)]
    pub bang_khen_ttg_cstdcs: i32,
}

impl RuleParams {
    /// The bounds a rule set's parameters must keep.
    pub fn check(&self) -> Result<(), RuleViolation> {
        let pct = |v: i32| (0..=100).contains(&v);
        let bad = |reason: &'static str| Err(RuleViolation::InvalidRuleSet { reason });
        if !(0..=12).contains(&self.ldtt_min_months) {
            return bad("ldttMinMonths is 0..12");
        }
        if !(1..=366).contains(&self.ldtt_max_absent_days) {
            return bad("ldttMaxAbsentDays is 1..366");
        }
        if !pct(self.ttldtt_min_share_percent) || !pct(self.ttldxs_min_share_percent) {
            return bad("shares are percentages 0..100");
        }
        if self.cstdcs_cap_percent.is_some_and(|v| !pct(v))
            || self.ttldxs_cap_percent.is_some_and(|v| !pct(v))
        {
            return bad("caps are percentages 0..100");
        }
        for v in [
            self.cstd_tinh_consecutive_years,
            self.cstd_toan_quoc_consecutive,
            self.cstd_toan_quoc_max_gap_years,
            self.flag_max_per_bloc,
            self.bang_khen_tinh_consecutive_years,
            self.bang_khen_ttg_years,
        ] {
            if !(1..=20).contains(&v) {
                return bad("year counts and seats are 1..20");
            }
        }
        if !(0..=20).contains(&self.bang_khen_tinh_initiatives)
            || !(0..=self.bang_khen_ttg_years).contains(&self.bang_khen_ttg_cstdcs)
        {
            return bad("initiative and CSTĐCS counts are 0..20 and within the run");
        }
        Ok(())
    }
}

/// A person's facts for one year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonYear {
    pub year: i32,
    pub rating: Rating,
    pub registered: bool,
    pub months_employed: i32,
    pub absent_days: i32,
    pub discipline: Discipline,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Initiative {
    pub year: i32,
    pub level: Level,
}

/// An award in the history; a revoked one never counts (C14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub award: AwardType,
    pub year: i32,
    pub active: bool,
}

/// Everything the rules read about a person.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Person {
    pub years: Vec<PersonYear>,
    pub initiatives: Vec<Initiative>,
    pub awards: Vec<Held>,
    /// C2: a discipline still in force on the day of the check.
    pub discipline_in_force: bool,
    /// C2: an investigation or complaint review is open.
    pub under_investigation: bool,
}

/// C9: where the unit stands in its bloc's year-end vote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    pub bloc_code: String,
    /// Its rank among the elected leading units, when elected.
    pub elected_rank: Option<i32>,
    /// Elected units ranked strictly better.
    pub better_elected: i64,
    /// Provincial flags already awarded (active) to other units of the bloc that year.
    pub flags_awarded: i64,
}

/// Everything the rules read about a collective.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Collective {
    /// Its staff at the end of the year, with their facts and awards.
    pub members: Vec<Person>,
    pub awards: Vec<Held>,
    /// The bloc standing for the year; `None` when the unit is in no bloc.
    pub standing: Option<Standing>,
}

pub enum Subject<'a> {
    Person(&'a Person),
    Collective(&'a Collective),
}

/// One rule checked: its id, the outcome, a sentence in both languages and
/// the figures behind it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// Rule id of TITLES.md (`C1` … `C14`).
    pub rule: String,
    pub passed: bool,
    /// The reason in Vietnamese.
    pub vi: String,
    /// The reason in English.
    pub en: String,
    /// The numbers the rule compared.
    #[schema(value_type = Object)]
    pub figures: Value,
}

impl Check {
    pub(super) fn new(rule: &str, passed: bool, vi: String, en: String, figures: Value) -> Check {
        Check {
            rule: rule.to_string(),
            passed,
            vi,
            en,
            figures,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub eligible: bool,
    pub checks: Vec<Check>,
}

/// The answer a proposal item (or an award) was made with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredAnswer {
    pub eligible: bool,
    #[schema(value_type = Object)]
    pub rule_set: Value,
    /// Every rule checked with its figures; empty when `redacted`.
    pub checks: Vec<Check>,
    /// `true` when the caller may not read the subject's C2 data (only the
    /// admin and the subject's own unit do): the outcome without the checks.
    #[serde(default)]
    pub redacted: bool,
}

impl StoredAnswer {
    /// The answer as stored (an unreadable one reads as not eligible, no checks).
    pub fn from_json(v: Value) -> StoredAnswer {
        serde_json::from_value(v).unwrap_or(StoredAnswer {
            eligible: false,
            rule_set: Value::Null,
            checks: Vec::new(),
            redacted: false,
        })
    }

    /// The outcome without its C2 data: `eligible` and the rule set stay,
    /// the checks (sentences and figures) go.
    pub fn redact(&mut self) {
        self.checks.clear();
        self.redacted = true;
    }
}
