//! Bloc and term rules (B1–B5) and the organisation hierarchy, as pure
//! functions over what the service loaded.

use uuid::Uuid;

use super::text::text_enum;
use super::{HeadDeputyProblem, RuleViolation};

text_enum! {
    /// What kind of body an organisation is.
    pub enum OrgKind {
        Department = "department",
        Committee = "committee",
        Broadcaster = "broadcaster",
        NationalPark = "national_park",
        Board = "board",
        Division = "division",
        Other = "other",
    }
}

text_enum! {
    /// Staff category (CCVC-LĐ).
    #[schema(as = Category)]
    pub enum StaffCategory {
        /// Cán bộ: elected or appointed office holders.
        CanBo = "can_bo",
        /// Công chức: civil servants.
        CongChuc = "cong_chuc",
        /// Viên chức: public-service employees.
        VienChuc = "vien_chuc",
        /// Người lao động: other employees.
        NguoiLaoDong = "nguoi_lao_dong",
    }
}

// Giới tính (no description in the document).
text_enum! {
    pub enum Gender {
        Male = "male",
        Female = "female",
    }
}

// Khối or cụm thi đua (no description in the document).
text_enum! {
    pub enum BlocKind {
        /// Khối thi đua: departments of one field.
        Khoi = "khoi",
        /// Cụm thi đua: a geographic cluster.
        Cum = "cum",
    }
}

// Hội nghị: which meeting of the year (no description in the document).
text_enum! {
    pub enum ConferenceKind {
        /// Start of year: regulation adopted, pledge signed.
        StartOfYear = "start_of_year",
        MidYear = "mid_year",
        YearEnd = "year_end",
        Other = "other",
    }
}

/// An organisation as the term rules see it.
#[derive(Debug, Clone)]
pub struct OrgFacts {
    pub id: Uuid,
    pub code: String,
    /// A unit has no parent; a sub-unit's parent is a unit.
    pub is_unit: bool,
}

/// A proposed membership, head and deputy for one bloc and year.
#[derive(Debug, Clone)]
pub struct TermPlan {
    pub members: Vec<Uuid>,
    pub head: Uuid,
    pub deputy: Option<Uuid>,
}

/// What surrounds the plan in the database.
#[derive(Debug, Clone, Default)]
pub struct TermContext {
    /// Facts for every id in the plan that is an organisation.
    pub orgs: Vec<OrgFacts>,
    /// Ids in the plan that are people (staff), not organisations.
    pub people: Vec<Uuid>,
    /// Members of the plan already in another bloc's term that year: (unit code, bloc code).
    pub taken: Vec<(String, String)>,
    /// Head of the same bloc the year before and the year after, when known.
    pub neighbour_heads: Vec<(i32, Uuid)>,
    /// B3 applies to this bloc.
    pub rotate_head: bool,
}

/// B1, B2, B3, B5 for a term; unknown ids are reported first.
pub fn check_term(plan: &TermPlan, ctx: &TermContext) -> Result<(), RuleViolation> {
    let mut ids = plan.members.clone();
    ids.sort();
    ids.dedup();
    if ids.len() != plan.members.len() {
        return Err(RuleViolation::DuplicateMember);
    }
    // B5: only units (no sub-units, no staff) are members.
    for id in &plan.members {
        if ctx.people.contains(id) {
            return Err(RuleViolation::MemberNotAUnit {
                what: format!("person {id}"),
            });
        }
        match ctx.orgs.iter().find(|o| o.id == *id) {
            None => return Err(RuleViolation::UnknownOrganization { id: *id }),
            Some(o) if !o.is_unit => {
                return Err(RuleViolation::MemberNotAUnit {
                    what: o.code.clone(),
                });
            }
            Some(_) => {}
        }
    }
    // B2: head and deputy are members, and two different units.
    if !plan.members.contains(&plan.head) {
        return Err(RuleViolation::HeadDeputyInvalid {
            reason: HeadDeputyProblem::HeadNotMember,
        });
    }
    if let Some(d) = plan.deputy {
        if d == plan.head {
            return Err(RuleViolation::HeadDeputyInvalid {
                reason: HeadDeputyProblem::SameUnit,
            });
        }
        if !plan.members.contains(&d) {
            return Err(RuleViolation::HeadDeputyInvalid {
                reason: HeadDeputyProblem::DeputyNotMember,
            });
        }
    }
    // B1: one bloc term per unit and year.
    if let Some((unit, bloc)) = ctx.taken.first() {
        return Err(RuleViolation::AlreadyInBloc {
            unit: unit.clone(),
            bloc: bloc.clone(),
        });
    }
    // B3: not head of the same bloc two years running.
    if ctx.rotate_head
        && let Some((year, _)) = ctx.neighbour_heads.iter().find(|(_, h)| *h == plan.head)
    {
        let code = ctx
            .orgs
            .iter()
            .find(|o| o.id == plan.head)
            .map(|o| o.code.clone())
            .unwrap_or_default();
        return Err(RuleViolation::HeadTwoYearsRunning {
            unit: code,
            year: *year,
        });
    }
    Ok(())
}

/// A sub-unit's parent must be a unit, and a unit with sub-units cannot
/// itself become a sub-unit.
pub fn check_parent(parent: Option<&OrgFacts>, has_children: bool) -> Result<(), RuleViolation> {
    match parent {
        None => Ok(()),
        Some(p) if !p.is_unit => Err(RuleViolation::ParentNotAUnit {
            parent: p.code.clone(),
        }),
        Some(p) if has_children => Err(RuleViolation::ParentNotAUnit {
            parent: p.code.clone(),
        }),
        Some(_) => Ok(()),
    }
}

/// A candidate for head with the last year it headed this bloc.
#[derive(Debug, Clone)]
pub struct HeadCandidate {
    pub id: Uuid,
    pub code: String,
    pub last_head_year: Option<i32>,
}

/// The member that has gone longest without being head (never first), ties
/// by code.
pub fn suggest_head(candidates: &[HeadCandidate]) -> Option<&HeadCandidate> {
    candidates.iter().min_by(|a, b| {
        let ka = a.last_head_year.unwrap_or(i32::MIN);
        let kb = b.last_head_year.unwrap_or(i32::MIN);
        ka.cmp(&kb).then_with(|| a.code.cmp(&b.code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str) -> OrgFacts {
        OrgFacts {
            id: Uuid::now_v7(),
            code: code.into(),
            is_unit: true,
        }
    }

    fn plan_of(orgs: &[OrgFacts], head: usize, deputy: Option<usize>) -> TermPlan {
        TermPlan {
            members: orgs.iter().map(|o| o.id).collect(),
            head: orgs[head].id,
            deputy: deputy.map(|d| orgs[d].id),
        }
    }

    #[test]
    fn b1_a_unit_already_in_another_bloc_that_year_is_refused() {
        let orgs = vec![unit("A"), unit("B")];
        let ctx = TermContext {
            orgs: orgs.clone(),
            taken: vec![("B".into(), "KT".into())],
            ..Default::default()
        };
        assert!(matches!(
            check_term(&plan_of(&orgs, 0, None), &ctx),
            Err(RuleViolation::AlreadyInBloc { .. })
        ));
    }

    #[test]
    fn b2_head_and_deputy_are_distinct_members() {
        let orgs = vec![unit("A"), unit("B")];
        let ctx = TermContext {
            orgs: orgs.clone(),
            ..Default::default()
        };
        assert!(check_term(&plan_of(&orgs, 0, Some(1)), &ctx).is_ok());
        assert!(matches!(
            check_term(&plan_of(&orgs, 0, Some(0)), &ctx),
            Err(RuleViolation::HeadDeputyInvalid { .. })
        ));
        let mut outside = plan_of(&orgs, 0, None);
        outside.head = Uuid::now_v7();
        assert!(matches!(
            check_term(&outside, &ctx),
            Err(RuleViolation::HeadDeputyInvalid { .. })
        ));
    }

    #[test]
    fn b3_same_head_two_years_running_only_when_rotation_is_on() {
        let orgs = vec![unit("A"), unit("B")];
        let mut ctx = TermContext {
            orgs: orgs.clone(),
            neighbour_heads: vec![(2020, orgs[0].id)],
            rotate_head: true,
            ..Default::default()
        };
        assert!(matches!(
            check_term(&plan_of(&orgs, 0, None), &ctx),
            Err(RuleViolation::HeadTwoYearsRunning { year: 2020, .. })
        ));
        assert!(check_term(&plan_of(&orgs, 1, None), &ctx).is_ok());
        ctx.rotate_head = false;
        assert!(check_term(&plan_of(&orgs, 0, None), &ctx).is_ok());
    }

    #[test]
    fn b5_sub_units_and_staff_cannot_be_members() {
        let mut orgs = vec![unit("A"), unit("A-P1")];
        orgs[1].is_unit = false;
        let ctx = TermContext {
            orgs: orgs.clone(),
            ..Default::default()
        };
        assert!(matches!(
            check_term(&plan_of(&orgs, 0, None), &ctx),
            Err(RuleViolation::MemberNotAUnit { .. })
        ));
        let person = Uuid::now_v7();
        let ctx = TermContext {
            orgs: orgs[..1].to_vec(),
            people: vec![person],
            ..Default::default()
        };
        let plan = TermPlan {
            members: vec![orgs[0].id, person],
            head: orgs[0].id,
            deputy: None,
        };
        assert!(matches!(
            check_term(&plan, &ctx),
            Err(RuleViolation::MemberNotAUnit { .. })
        ));
    }

    #[test]
    fn head_suggestion_prefers_never_then_longest_ago_then_code() {
        let c = |code: &str, y: Option<i32>| HeadCandidate {
            id: Uuid::now_v7(),
            code: code.into(),
            last_head_year: y,
        };
        let cs = vec![
            c("SYT", Some(2019)),
            c("BDT", Some(2020)),
            c("STTTT", None),
            c("SGDDT", None),
        ];
        assert_eq!(suggest_head(&cs).unwrap().code, "SGDDT");
        let cs = vec![c("SYT", Some(2019)), c("BDT", Some(2020))];
        assert_eq!(suggest_head(&cs).unwrap().code, "SYT");
    }

    #[test]
    fn a_sub_units_parent_must_be_a_unit() {
        let mut sub = unit("P1");
        sub.is_unit = false;
        assert!(check_parent(Some(&sub), false).is_err());
        assert!(check_parent(Some(&unit("A")), true).is_err());
        assert!(check_parent(Some(&unit("A")), false).is_ok());
    }
}
