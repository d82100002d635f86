//! Year-end evaluation: scoring schemes (E1), score sheets (E2), ranking
//! (E3), the secret ballot and leading units (E4).

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{Change, check_version, record, require_head_or_admin};
use crate::auth::{Principal, Role};
use crate::db::blocs::{MemberRow, TermRow};
use crate::db::evaluation::{BallotRow, CriterionRow, EntryRow, SchemeRow, SectionRow, SheetRow};
use crate::db::{self, Conn, Db};
use crate::domain::RuleViolation;
use crate::domain::ballot;
use crate::domain::evaluation::{self as rules, Criterion, CriterionKind, Score};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;

async fn term(c: &mut Conn, bloc_id: Uuid, year: i32) -> AppResult<TermRow> {
    db::blocs::term(c, bloc_id, year)
        .await?
        .ok_or(AppError::not_found("term"))
}

pub struct CriterionInput {
    pub code: String,
    pub text: String,
    pub kind: String,
    pub min_points: i32,
    pub max_points: i32,
    pub pledge_item_id: Option<Uuid>,
}

pub struct SectionInput {
    pub title: String,
    pub criteria: Vec<CriterionInput>,
}

pub struct Scheme {
    pub row: SchemeRow,
    pub sections: Vec<SectionRow>,
    pub criteria: Vec<CriterionRow>,
}

fn domain_criteria(rows: &[CriterionRow]) -> Vec<Criterion> {
    rows.iter()
        .map(|c| Criterion {
            id: c.id,
            code: c.code.clone(),
            kind: CriterionKind::parse(&c.kind),
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

async fn load_scheme(c: &mut Conn, row: SchemeRow) -> AppResult<Scheme> {
    let sections = db::evaluation::sections(c, row.id).await?;
    let criteria = db::evaluation::criteria(c, row.id).await?;
    Ok(Scheme {
        row,
        sections,
        criteria,
    })
}

/// E1: set the term's scheme until the first score is entered.
pub async fn put_scheme(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    expected: Option<i32>,
    cap: i32,
    sections: Vec<SectionInput>,
) -> AppResult<Scheme> {
    let (secs, crits) = build_scheme(sections);
    rules::check_scheme(&domain_criteria(&crits), cap)?;
    db.transaction(async |tx| {
        let term = term(tx, bloc_id, year).await?;
        require_head_or_admin(caller, &term)?;
        let existing = db::evaluation::lock_scheme_of(tx, term.id).await?;
        if let Some(e) = &existing {
            check_version(expected, e.version)?;
            rules::check_scheme_editable(db::evaluation::scores_exist(tx, e.id).await?)?;
        }
        if !crits.is_empty() {
            let item_ids: Vec<Uuid> = crits.iter().filter_map(|c| c.pledge_item_id).collect();
            if !item_ids.is_empty() {
                let pledge = db::pledges::of_term(tx, term.id).await?;
                let items = match pledge {
                    Some(p) => db::pledges::items(tx, p.id).await?,
                    None => Vec::new(),
                };
                if item_ids.iter().any(|i| !items.iter().any(|it| it.id == *i)) {
                    return Err(AppError::new(ErrorCode::UnknownPledgeItem));
                }
            }
        }
        let row = db::evaluation::put_scheme(tx, existing.as_ref(), term.id, cap, &secs, &crits).await?;
        record(tx, caller, Change {
            action: if existing.is_some() { "scoring_scheme.replaced" } else { "scoring_scheme.created" },
            entity: "scoring_scheme",
            entity_id: row.id.to_string(),
            after: Some(json!({"termId": term.id, "totalCap": cap, "criteria": crits.iter().map(|c| json!({"code": c.code, "kind": c.kind, "min": c.min_points, "max": c.max_points})).collect::<Vec<_>>()})),
            ..Default::default()
        })
        .await?;
        load_scheme(tx, row).await
    })
    .await
}

/// The common 1,000-point frame (950 content + 50 bonus): one content
/// criterion per pledge item when the term has a pledge, else one.
pub async fn standard_template(
    db: &Db,
    bloc_id: Uuid,
    year: i32,
) -> AppResult<(i32, Vec<SectionInput>)> {
    let items = db
        .read(async |c| -> AppResult<_> {
            let t = term(c, bloc_id, year).await?;
            match db::pledges::of_term(c, t.id).await? {
                Some(p) => Ok(db::pledges::items(c, p.id).await?),
                None => Ok(Vec::new()),
            }
        })
        .await?;
    let content: Vec<CriterionInput> = if items.is_empty() {
        vec![CriterionInput {
            code: "A1".into(),
            text: "Thực hiện nhiệm vụ chính trị, chuyên môn".into(),
            kind: "content".into(),
            min_points: 0,
            max_points: 950,
            pledge_item_id: None,
        }]
    } else {
        let n = items.len() as i32;
        items
            .iter()
            .enumerate()
            .map(|(i, it)| CriterionInput {
                code: format!("A{}", i + 1),
                text: it.text.clone(),
                kind: "content".into(),
                min_points: 0,
                max_points: 950 / n + i32::from((i as i32) < 950 % n),
                pledge_item_id: Some(it.id),
            })
            .collect()
    };
    Ok((
        1000,
        vec![
            SectionInput {
                title: "A. Nội dung thi đua (950 điểm)".into(),
                criteria: content,
            },
            SectionInput {
                title: "B. Điểm thưởng (50 điểm)".into(),
                criteria: vec![CriterionInput {
                    code: "B1".into(),
                    text: "Thành tích nổi bật, sáng kiến, mô hình mới".into(),
                    kind: "bonus".into(),
                    min_points: 0,
                    max_points: 50,
                    pledge_item_id: None,
                }],
            },
        ],
    ))
}

/// Last year's scheme of the same bloc (links to last year's pledge dropped).
pub async fn previous_year_template(
    db: &Db,
    bloc_id: Uuid,
    year: i32,
) -> AppResult<(i32, Vec<SectionInput>)> {
    let prev = db
        .read(async |c| -> AppResult<_> {
            let Some(t) = db::blocs::term(c, bloc_id, year.saturating_sub(1)).await? else {
                return Ok(None);
            };
            match db::evaluation::scheme_of(c, t.id).await? {
                Some(s) => Ok(Some(load_scheme(c, s).await?)),
                None => Ok(None),
            }
        })
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NoPreviousScheme))?;
    let sections = prev
        .sections
        .iter()
        .map(|s| SectionInput {
            title: s.title.clone(),
            criteria: prev
                .criteria
                .iter()
                .filter(|c| c.section_id == s.id)
                .map(|c| CriterionInput {
                    code: c.code.clone(),
                    text: c.text.clone(),
                    kind: c.kind.clone(),
                    min_points: c.min_points,
                    max_points: c.max_points,
                    pledge_item_id: None,
                })
                .collect(),
        })
        .collect();
    Ok((prev.row.total_cap, sections))
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

/// The head sets who cross-scores whom; never a unit itself; members only.
pub async fn set_assignments(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    pairs: Vec<(Uuid, Uuid)>,
) -> AppResult<Vec<(Uuid, Uuid)>> {
    db.transaction(async |tx| {
        let t = term(tx, bloc_id, year).await?;
        require_head_or_admin(caller, &t)?;
        let members: Vec<Uuid> = db::blocs::members(tx, &[t.id]).await?.iter().map(|m| m.id).collect();
        for (r, s) in &pairs {
            if r == s {
                return Err(AppError::new(ErrorCode::SelfAssignment));
            }
            if !members.contains(r) || !members.contains(s) {
                return Err(RuleViolation::NotAMember.into());
            }
        }
        let mut pairs = pairs;
        pairs.sort();
        pairs.dedup();
        db::evaluation::set_assignments(tx, t.id, &pairs).await?;
        record(tx, caller, Change {
            action: "review_assignments.set",
            entity: "term",
            entity_id: t.id.to_string(),
            after: Some(json!({"assignments": pairs.iter().map(|(r, s)| json!({"reviewerId": r, "subjectId": s})).collect::<Vec<_>>()})),
            ..Default::default()
        })
        .await?;
        Ok(pairs)
    })
    .await
}

pub async fn assignments(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<(Uuid, Uuid)>> {
    db.read(async |c| -> AppResult<_> {
        let t = term(c, bloc_id, year).await?;
        Ok(db::evaluation::assignments(c, t.id).await?)
    })
    .await
}

pub struct EntryInput {
    pub criterion_id: Uuid,
    pub points: i32,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

pub struct Sheet {
    pub row: SheetRow,
    pub entries: Vec<EntryRow>,
}

/// May `caller` write the sheet of `reviewer` on `subject`? Self-sheets by the
/// unit itself; cross-sheets by the assigned reviewer (or, with no
/// assignments, by the head or deputy); never a cross-sheet on oneself.
async fn require_sheet_writer(
    c: &mut Conn,
    caller: &Principal,
    t: &TermRow,
    subject: Uuid,
    reviewer: Uuid,
) -> AppResult<()> {
    if !caller.is_admin() {
        caller.require_acting_for(reviewer)?;
    }
    let members: Vec<Uuid> = db::blocs::members(c, &[t.id])
        .await?
        .iter()
        .map(|m| m.id)
        .collect();
    if !members.contains(&subject) || !members.contains(&reviewer) {
        return Err(RuleViolation::NotAMember.into());
    }
    if subject == reviewer {
        return Ok(());
    }
    let pairs = db::evaluation::assignments(c, t.id).await?;
    let allowed = if pairs.is_empty() {
        reviewer == t.head_id || Some(reviewer) == t.deputy_id
    } else {
        pairs.contains(&(reviewer, subject))
    };
    if allowed {
        Ok(())
    } else {
        Err(RuleViolation::NotAReviewer.into())
    }
}

/// E1, E2: enter points on a draft sheet (created on first use). The first
/// score fixes the scheme.
pub async fn put_sheet(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    subject: Uuid,
    reviewer: Option<Uuid>,
    entries: Vec<EntryInput>,
) -> AppResult<Sheet> {
    let reviewer = reviewer
        .or(caller.organization_id)
        .ok_or(RuleViolation::NotAReviewer)?;
    db.transaction(async |tx| {
        let t = term(tx, bloc_id, year).await?;
        require_sheet_writer(tx, caller, &t, subject, reviewer).await?;
        let scheme = db::evaluation::scheme_of(tx, t.id).await?.ok_or_else(|| {
            AppError::new(ErrorCode::NoScoringScheme)
        })?;
        let criteria = db::evaluation::criteria(tx, scheme.id).await?;
        let mut ids: Vec<Uuid> = entries.iter().map(|e| e.criterion_id).collect();
        ids.sort();
        if ids.windows(2).any(|w| w[0] == w[1]) {
            return Err(RuleViolation::PointsOutOfBounds { reason: "a criterion is scored twice on one sheet".into() }.into());
        }
        rules::check_points(&domain_criteria(&criteria), &entries.iter().map(|e| (e.criterion_id, e.points)).collect::<Vec<_>>())?;
        let sheet = match db::evaluation::lock_sheet(tx, scheme.id, subject, reviewer).await? {
            Some(s) => s,
            None => db::evaluation::insert_sheet(tx, scheme.id, subject, reviewer).await?,
        };
        if sheet.status != "draft" {
            return Err(RuleViolation::SheetLocked { status: if sheet.status == "submitted" { "submitted" } else { "recused" } }.into());
        }
        let rows: Vec<EntryRow> = entries
            .into_iter()
            .map(|e| EntryRow { sheet_id: sheet.id, criterion_id: e.criterion_id, points: e.points, note: e.note.map(|n| nfc(&n)), evidence_url: e.evidence_url })
            .collect();
        db::evaluation::set_entries(tx, sheet.id, &rows).await?;
        record(tx, caller, Change {
            action: "score_sheet.saved",
            entity: "score_sheet",
            entity_id: sheet.id.to_string(),
            after: Some(json!({"subjectId": subject, "reviewerId": reviewer, "points": rows.iter().map(|r| json!({"criterionId": r.criterion_id, "points": r.points})).collect::<Vec<_>>()})),
            organization_id: Some(reviewer),
            ..Default::default()
        })
        .await?;
        let row = db::evaluation::lock_sheet_by_id(tx, sheet.id).await?.ok_or(AppError::not_found("score_sheet"))?;
        Ok(Sheet { row, entries: rows })
    })
    .await
}

#[derive(Debug, Clone, Copy)]
pub enum SheetAction {
    Submit,
    Recuse,
    Reopen,
}

/// Submit (locks the sheet), recuse (a cross-reviewer, with a reason), or
/// reopen (the admin only, with a reason; audited).
pub async fn sheet_action(
    db: &Db,
    caller: &Principal,
    sheet_id: Uuid,
    action: SheetAction,
    reason: Option<String>,
) -> AppResult<Sheet> {
    db.transaction(async |tx| {
        let sheet = db::evaluation::lock_sheet_by_id(tx, sheet_id)
            .await?
            .ok_or(AppError::not_found("score_sheet"))?;
        let reason = reason.map(|r| nfc(&r)).filter(|r| !r.is_empty());
        let next = match action {
            SheetAction::Submit | SheetAction::Recuse => {
                if !caller.is_admin() {
                    caller.require_acting_for(sheet.reviewer_id)?;
                }
                if sheet.status != "draft" {
                    return Err(RuleViolation::SheetLocked {
                        status: if sheet.status == "submitted" {
                            "submitted"
                        } else {
                            "recused"
                        },
                    }
                    .into());
                }
                match action {
                    SheetAction::Submit => "submitted",
                    _ => {
                        if sheet.subject_id == sheet.reviewer_id || reason.is_none() {
                            return Err(AppError::new(ErrorCode::RecusalNeedsReason));
                        }
                        "recused"
                    }
                }
            }
            SheetAction::Reopen => {
                caller.require_admin()?;
                if reason.is_none() {
                    return Err(AppError::new(ErrorCode::ReasonRequired));
                }
                "draft"
            }
        };
        let row = db::evaluation::set_sheet_status(
            tx,
            sheet.id,
            next,
            if next == "recused" {
                reason.as_deref()
            } else {
                None
            },
        )
        .await?;
        record(
            tx,
            caller,
            Change {
                action: match action {
                    SheetAction::Submit => "score_sheet.submitted",
                    SheetAction::Recuse => "score_sheet.recused",
                    SheetAction::Reopen => "score_sheet.reopened",
                },
                entity: "score_sheet",
                entity_id: sheet.id.to_string(),
                before: Some(json!({"status": sheet.status})),
                after: Some(json!({"status": next})),
                reason,
                organization_id: Some(sheet.reviewer_id),
                ..Default::default()
            },
        )
        .await?;
        let entries = db::evaluation::sheet_entries(tx, sheet.id).await?;
        Ok(Sheet { row, entries })
    })
    .await
}

pub async fn sheets(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<Sheet>> {
    db.read(async |c| {
        let t = term(c, bloc_id, year).await?;
        let Some(scheme) = db::evaluation::scheme_of(c, t.id).await? else {
            return Ok(Vec::new());
        };
        let rows = db::evaluation::sheets(c, scheme.id).await?;
        let entries = db::evaluation::entries(c, scheme.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| Sheet {
                entries: entries
                    .iter()
                    .filter(|e| e.sheet_id == row.id)
                    .cloned()
                    .collect(),
                row,
            })
            .collect())
    })
    .await
}

pub struct RankedUnit {
    pub member: MemberRow,
    pub rank: Option<usize>,
    pub score: Option<Score>,
    pub self_score_only: bool,
    /// Per section: (title, score).
    pub sections: Vec<(String, Score)>,
    pub compliance: Option<(usize, usize)>,
}

/// E3: totals descending, ties share a rank and are listed by code; per unit
/// its sections and the pledge compliance beside it.
pub async fn ranking(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<RankedUnit>> {
    let (members, scheme, sheets, pledge) = db
        .read(async |c| -> AppResult<_> {
            let t = term(c, bloc_id, year).await?;
            let members = db::blocs::members(c, &[t.id]).await?;
            let scheme = db::evaluation::scheme_of(c, t.id)
                .await?
                .ok_or(AppError::not_found("scoring_scheme"))?;
            let scheme = load_scheme(c, scheme).await?;
            let sheets = db::evaluation::sheets(c, scheme.row.id).await?;
            let entries = db::evaluation::entries(c, scheme.row.id).await?;
            let pledge = db::pledges::of_term(c, t.id).await?;
            Ok((members, scheme, (sheets, entries), pledge))
        })
        .await?;
    let compliance = match pledge {
        Some(p) => Some(super::pledges::compliance(db, p.id, None).await?),
        None => None,
    };
    let (sheet_rows, entries) = sheets;
    let cap = scheme.row.total_cap;
    let totals = |sheet: &SheetRow| -> (i64, Vec<i64>) {
        let mine: Vec<&EntryRow> = entries.iter().filter(|e| e.sheet_id == sheet.id).collect();
        let total = rules::sheet_total(&mine.iter().map(|e| e.points).collect::<Vec<_>>(), cap);
        let per_section = scheme
            .sections
            .iter()
            .map(|s| {
                mine.iter()
                    .filter(|e| {
                        scheme
                            .criteria
                            .iter()
                            .any(|c| c.id == e.criterion_id && c.section_id == s.id)
                    })
                    .map(|e| e.points as i64)
                    .sum()
            })
            .collect();
        (total, per_section)
    };
    let mut units: Vec<RankedUnit> = members
        .iter()
        .map(|m| {
            let submitted: Vec<&SheetRow> = sheet_rows
                .iter()
                .filter(|s| s.subject_id == m.id && s.status == "submitted")
                .collect();
            let cross: Vec<(i64, Vec<i64>)> = submitted
                .iter()
                .filter(|s| s.reviewer_id != m.id)
                .map(|s| totals(s))
                .collect();
            let own = submitted
                .iter()
                .find(|s| s.reviewer_id == m.id)
                .map(|s| totals(s));
            let fin = rules::final_score(
                &cross.iter().map(|c| c.0).collect::<Vec<_>>(),
                own.as_ref().map(|o| o.0),
            );
            let used: Vec<&(i64, Vec<i64>)> = if cross.is_empty() {
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
                    (
                        s.title.clone(),
                        Score {
                            sum: used.iter().map(|u| u.1[i]).sum(),
                            count: used.len() as i64,
                        },
                    )
                })
                .collect();
            // The same figures as the compliance matrix.
            let comp = compliance
                .as_ref()
                .and_then(|c| c.units.iter().find(|u| u.organization_id == m.id))
                .map(|u| (u.summary.achieved, u.summary.measurable));
            RankedUnit {
                member: m.clone(),
                rank: None,
                score: fin.map(|f| f.0),
                self_score_only: fin.is_some_and(|f| f.1),
                sections,
                compliance: comp,
            }
        })
        .collect();
    let order = rules::rank(
        &units
            .iter()
            .map(|u| (u.member.code.clone(), u.score))
            .collect::<Vec<_>>(),
    );
    let mut out = Vec::with_capacity(units.len());
    let mut slots: Vec<Option<RankedUnit>> = units.drain(..).map(Some).collect();
    for (idx, rank) in order {
        if let Some(mut u) = slots[idx].take() {
            u.rank = rank;
            out.push(u);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- ballots

pub struct OpenBallot {
    pub seats: Option<i32>,
    pub threshold_percent: Option<i32>,
    pub candidate_ids: Option<Vec<Uuid>>,
}

/// The head (or the admin) opens a ballot: K seats (default 1), threshold
/// (default more than 50%), candidates (default every member).
pub async fn open_ballot(
    db: &Db,
    caller: &Principal,
    bloc_id: Uuid,
    year: i32,
    cmd: OpenBallot,
) -> AppResult<BallotRow> {
    db.transaction(async |tx| {
        let t = term(tx, bloc_id, year).await?;
        require_head_or_admin(caller, &t)?;
        let members: Vec<Uuid> = db::blocs::members(tx, &[t.id]).await?.iter().map(|m| m.id).collect();
        let candidates = cmd.candidate_ids.unwrap_or_else(|| members.clone());
        if candidates.is_empty() || candidates.iter().any(|c| !members.contains(c)) {
            return Err(AppError::new(ErrorCode::InvalidCandidates));
        }
        let seats = cmd.seats.unwrap_or(1);
        if seats < 1 || seats as usize > candidates.len() {
            return Err(AppError::new(ErrorCode::InvalidSeats));
        }
        let row = db::evaluation::insert_ballot(tx, t.id, seats, cmd.threshold_percent.unwrap_or(50), &candidates, &members)
            .await
            .on_constraint("ballots_one_open_per_term", || ErrorCode::BallotAlreadyOpen)?;
        record(tx, caller, Change {
            action: "ballot.opened",
            entity: "ballot",
            entity_id: row.id.to_string(),
            after: Some(json!({"termId": t.id, "seats": row.seats, "thresholdPercent": row.threshold_percent, "candidates": row.candidates})),
            ..Default::default()
        })
        .await?;
        Ok(row)
    })
    .await
}

pub async fn get_ballot(db: &Db, id: Uuid) -> AppResult<BallotRow> {
    db.read(async |c| db::evaluation::ballot(c, id).await)
        .await?
        .ok_or(AppError::not_found("ballot"))
}

pub async fn ballots_of(db: &Db, bloc_id: Uuid, year: i32) -> AppResult<Vec<BallotRow>> {
    db.read(async |c| -> AppResult<_> {
        let t = term(c, bloc_id, year).await?;
        Ok(db::evaluation::ballots_of(c, t.id).await?)
    })
    .await
}

/// Finish a ballot in the caller's transaction: close it and record the
/// elected units as the term's leading units.
async fn finish(tx: &mut Conn, caller: &Principal, b: &BallotRow) -> AppResult<BallotRow> {
    let closed = db::evaluation::close_ballot(tx, b.id).await?;
    let result = compute(tx, &closed).await?;
    let elected: Vec<(Uuid, i32, i32)> = result
        .election
        .elected
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id, i as i32 + 1, c.votes as i32))
        .collect();
    db::evaluation::set_leading_units(tx, b.term_id, b.id, &elected).await?;
    record(tx, caller, Change {
        action: "ballot.closed",
        entity: "ballot",
        entity_id: b.id.to_string(),
        after: Some(json!({"voters": closed.voters.len(), "members": closed.members.len(),
                           "elected": result.election.elected.iter().map(|c| c.id).collect::<Vec<_>>(), "tiedSeats": result.election.tied_seats})),
        ..Default::default()
    })
    .await?;
    Ok(closed)
}

/// E4: a member unit's leader casts one ballot for up to K candidates. Who
/// voted is recorded; which paper is whose is not. The last member's vote
/// closes the ballot.
pub async fn vote(
    db: &Db,
    caller: &Principal,
    ballot_id: Uuid,
    org: Option<Uuid>,
    choices: Vec<Uuid>,
) -> AppResult<BallotRow> {
    // Only the unit's own leader: not even the admin may vote for a unit.
    let org = org
        .or(caller.organization_id)
        .filter(|o| caller.has_role(Role::Leader) && caller.organization_id == Some(*o));
    let Some(org) = org else {
        return Err(AppError::new(ErrorCode::NotVotingLeader));
    };
    db.transaction(async |tx| {
        let b = db::evaluation::lock_ballot(tx, ballot_id)
            .await?
            .ok_or(AppError::not_found("ballot"))?;
        ballot::check_vote(
            b.status == "open",
            &b.members,
            &b.voters,
            &b.candidates,
            b.seats as usize,
            org,
            &choices,
        )?;
        db::evaluation::cast(tx, b.id, org, &choices).await?;
        // The audit row and event say who voted, never what.
        record(
            tx,
            caller,
            Change {
                action: "ballot.voted",
                entity: "ballot",
                entity_id: b.id.to_string(),
                after: Some(json!({"organizationId": org})),
                organization_id: Some(org),
                ..Default::default()
            },
        )
        .await?;
        let after = db::evaluation::lock_ballot(tx, b.id)
            .await?
            .ok_or(AppError::not_found("ballot"))?;
        if ballot::results_visible(true, &after.members, &after.voters) {
            return finish(tx, caller, &after).await;
        }
        Ok(after)
    })
    .await
}

pub async fn close_ballot(db: &Db, caller: &Principal, ballot_id: Uuid) -> AppResult<BallotRow> {
    db.transaction(async |tx| {
        let b = db::evaluation::lock_ballot(tx, ballot_id)
            .await?
            .ok_or(AppError::not_found("ballot"))?;
        let t = db::blocs::term_by_id(tx, b.term_id)
            .await?
            .ok_or(AppError::not_found("term"))?;
        require_head_or_admin(caller, &t)?;
        if b.status != "open" {
            return Err(RuleViolation::BallotClosed.into());
        }
        // With one ballot cast, the result would show how that unit voted.
        if b.voters.len() < 2 && b.voters.len() < b.members.len() {
            return Err(AppError::new(ErrorCode::TooFewBallots));
        }
        finish(tx, caller, &b).await
    })
    .await
}

pub struct BallotResult {
    pub ballot: BallotRow,
    pub term: TermRow,
    pub members: Vec<MemberRow>,
    pub counts: Vec<ballot::Count>,
    pub election: ballot::Election,
    pub closed_at: Option<DateTime<Utc>>,
}

async fn compute(c: &mut Conn, b: &BallotRow) -> AppResult<BallotResult> {
    let t = db::blocs::term_by_id(c, b.term_id)
        .await?
        .ok_or(AppError::not_found("term"))?;
    let members = db::blocs::members(c, &[t.id]).await?;
    let papers = db::evaluation::papers(c, b.id).await?;
    let candidates: Vec<(Uuid, String)> = b
        .candidates
        .iter()
        .map(|id| {
            (
                *id,
                members
                    .iter()
                    .find(|m| m.id == *id)
                    .map(|m| m.code.clone())
                    .unwrap_or_default(),
            )
        })
        .collect();
    let counts = ballot::tally(&candidates, &papers);
    let election = ballot::elect(
        &counts,
        b.members.len(),
        b.threshold_percent as u32,
        b.seats as usize,
    );
    Ok(BallotResult {
        ballot: b.clone(),
        term: t,
        members,
        counts,
        election,
        closed_at: b.closed_at,
    })
}

/// E4: the tally and the elected, once closed (or every member voted).
pub async fn result(db: &Db, ballot_id: Uuid) -> AppResult<BallotResult> {
    db.read(async |c| {
        let b = db::evaluation::ballot(c, ballot_id)
            .await?
            .ok_or(AppError::not_found("ballot"))?;
        if !ballot::results_visible(b.status == "open", &b.members, &b.voters) {
            return Err(RuleViolation::ResultsHidden.into());
        }
        compute(c, &b).await
    })
    .await
}

/// The bloc's leading units for the year: (unit, rank, votes).
pub async fn leading_units(
    db: &Db,
    bloc_id: Uuid,
    year: i32,
) -> AppResult<Vec<(MemberRow, i32, i32)>> {
    db.read(async |c| {
        let t = term(c, bloc_id, year).await?;
        let members = db::blocs::members(c, &[t.id]).await?;
        let rows = db::evaluation::leading_units(c, t.id).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, rank, votes)| {
                members
                    .iter()
                    .find(|m| m.id == id)
                    .map(|m| (m.clone(), rank, votes))
            })
            .collect())
    })
    .await
}
