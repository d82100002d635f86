//! Year-end evaluation: scoring schemes, score sheets, ranking, secret ballots.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::extract::{IfMatch, OptionalJson, ValidatedJson, wants_csv};
use super::respond::{Created, Tagged, Versioned, csv};
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppError, Problem};
use crate::service::evaluation::{self as svc, BallotResult, Scheme, Sheet, SheetAction};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKindDto {
    /// 0..maxPoints
    Content,
    /// 0..maxPoints
    Bonus,
    /// minPoints..0
    Penalty,
}

fn kind_str(k: CriterionKindDto) -> &'static str {
    match k {
        CriterionKindDto::Content => "content",
        CriterionKindDto::Bonus => "bonus",
        CriterionKindDto::Penalty => "penalty",
    }
}

fn kind_of(s: &str) -> CriterionKindDto {
    match s {
        "bonus" => CriterionKindDto::Bonus,
        "penalty" => CriterionKindDto::Penalty,
        _ => CriterionKindDto::Content,
    }
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CriterionBody {
    #[validate(
        length(min = 1, max = 32),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 32,
        example = "A1",
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub code: String,
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub text: String,
    pub kind: CriterionKindDto,
    /// Content and bonus: the maximum (> 0).
    pub max_points: Option<i32>,
    /// Penalty: the minimum (< 0).
    pub min_points: Option<i32>,
    /// Show this pledge item's compliance beside the criterion.
    pub pledge_item_id: Option<Uuid>,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SectionBody {
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::api::checks::line")
    )]
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff][^\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]*$"
    )]
    pub title: String,
    #[validate(length(min = 1, max = 200), nested)]
    #[schema(min_items = 1, max_items = 200)]
    pub criteria: Vec<CriterionBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"totalCap": 1000, "sections": [
    {"title": "A. Nội dung thi đua", "criteria": [{"code": "A1", "text": "Thực hiện nhiệm vụ chính trị", "kind": "content", "maxPoints": 950}]},
    {"title": "B. Điểm thưởng, điểm trừ", "criteria": [{"code": "B1", "text": "Sáng kiến", "kind": "bonus", "maxPoints": 50},
                                                      {"code": "C1", "text": "Vi phạm kỷ luật", "kind": "penalty", "minPoints": -20}]}]}))]
pub struct SchemeBody {
    #[validate(range(min = 1, max = 100000))]
    #[schema(minimum = 1, maximum = 100000)]
    pub total_cap: i32,
    #[validate(length(min = 1, max = 50), nested)]
    #[schema(min_items = 1, max_items = 50)]
    pub sections: Vec<SectionBody>,
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TemplateSource {
    /// The common 1,000-point frame: 950 content (one criterion per pledge item) + 50 bonus.
    Standard,
    /// Last year's scheme of the same bloc.
    PreviousYear,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"source": "standard"}))]
pub struct TemplateBody {
    pub source: TemplateSource,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CriterionView {
    pub id: Uuid,
    pub code: String,
    pub text: String,
    pub kind: CriterionKindDto,
    pub min_points: i32,
    pub max_points: i32,
    pub pledge_item_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionView {
    pub id: Uuid,
    pub title: String,
    pub criteria: Vec<CriterionView>,
}

/// A term's scoring scheme (thang điểm).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SchemeView {
    pub id: Uuid,
    pub term_id: Uuid,
    pub total_cap: i32,
    pub sections: Vec<SectionView>,
    pub version: i32,
}

impl Versioned for SchemeView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<Scheme> for SchemeView {
    fn from(s: Scheme) -> Self {
        SchemeView {
            id: s.row.id,
            term_id: s.row.term_id,
            total_cap: s.row.total_cap,
            sections: s
                .sections
                .iter()
                .map(|sec| SectionView {
                    id: sec.id,
                    title: sec.title.clone(),
                    criteria: s
                        .criteria
                        .iter()
                        .filter(|c| c.section_id == sec.id)
                        .map(|c| CriterionView {
                            id: c.id,
                            code: c.code.clone(),
                            text: c.text.clone(),
                            kind: kind_of(&c.kind),
                            min_points: c.min_points,
                            max_points: c.max_points,
                            pledge_item_id: c.pledge_item_id,
                        })
                        .collect(),
                })
                .collect(),
            version: s.row.version,
        }
    }
}

fn sections_of(body: Vec<SectionBody>) -> Vec<svc::SectionInput> {
    body.into_iter()
        .map(|s| svc::SectionInput {
            title: s.title,
            criteria: s
                .criteria
                .into_iter()
                .map(|c| svc::CriterionInput {
                    code: c.code,
                    text: c.text,
                    kind: kind_str(c.kind).into(),
                    min_points: c.min_points.unwrap_or(0),
                    max_points: c.max_points.unwrap_or(0),
                    pledge_item_id: c.pledge_item_id,
                })
                .collect(),
        })
        .collect()
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Assignment {
    /// The unit that scores…
    pub reviewer_id: Uuid,
    /// …this unit (never itself).
    pub subject_id: Uuid,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AssignmentsBody {
    #[validate(length(max = 10000))]
    #[schema(max_items = 10000)]
    pub assignments: Vec<Assignment>,
}

#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntryBody {
    pub criterion_id: Uuid,
    /// Within the criterion's bounds (E2).
    pub points: i32,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub note: Option<String>,
    #[validate(length(max = 2000), custom(function = "crate::api::checks::web_url"))]
    #[schema(max_length = 2000, format = "uri", pattern = "^https?://")]
    pub evidence_url: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SheetBody {
    /// The scoring unit: the caller's own by default (the admin names it).
    /// The same as the subject for a self-score sheet.
    pub reviewer_id: Option<Uuid>,
    #[validate(length(max = 500), nested)]
    #[schema(max_items = 500)]
    pub entries: Vec<EntryBody>,
}

#[derive(Debug, Deserialize, Validate, ToSchema, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReasonBody {
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::api::checks::block")
    )]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*[^\\s\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069][^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
    )]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntryView {
    pub criterion_id: Uuid,
    pub points: i32,
    pub note: Option<String>,
    pub evidence_url: Option<String>,
}

/// A score sheet: self (reviewer = subject) or cross.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SheetView {
    pub id: Uuid,
    pub subject_id: Uuid,
    pub reviewer_id: Uuid,
    pub self_score: bool,
    /// `draft`, `submitted` (locked) or `recused`.
    pub status: String,
    pub recusal_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub entries: Vec<EntryView>,
    pub version: i32,
}

impl Versioned for SheetView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<Sheet> for SheetView {
    fn from(s: Sheet) -> Self {
        SheetView {
            id: s.row.id,
            subject_id: s.row.subject_id,
            reviewer_id: s.row.reviewer_id,
            self_score: s.row.subject_id == s.row.reviewer_id,
            status: s.row.status,
            recusal_reason: s.row.recusal_reason,
            submitted_at: s.row.submitted_at,
            entries: s
                .entries
                .into_iter()
                .map(|e| EntryView {
                    criterion_id: e.criterion_id,
                    points: e.points,
                    note: e.note,
                    evidence_url: e.evidence_url,
                })
                .collect(),
            version: s.row.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SectionScore {
    pub title: String,
    /// Two decimals (a mean of cross-sheets may be fractional).
    pub score: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RankingRow {
    /// Ties share a rank (E3); `null` without a submitted sheet.
    pub rank: Option<usize>,
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    /// Two decimals; `null` without a submitted sheet.
    pub total: Option<String>,
    /// No cross-score submitted: the self-score stands.
    pub self_score_only: bool,
    pub sections: Vec<SectionScore>,
    /// Pledge targets achieved / measurable, beside the score.
    pub compliance_achieved: Option<usize>,
    pub compliance_measurable: Option<usize>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schema(example = json!({"seats": 1}))]
pub struct OpenBallotBody {
    /// K: how many leading units to elect (default 1).
    #[validate(range(min = 1, max = 50))]
    #[schema(minimum = 1, maximum = 50)]
    pub seats: Option<i32>,
    /// Elected when the ballots naming a unit exceed this share of members (default 50: more than half).
    #[validate(range(min = 0, max = 99))]
    #[schema(minimum = 0, maximum = 99)]
    pub threshold_percent: Option<i32>,
    /// Default: every member.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_items = 1, max_items = 200)]
    pub candidate_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VoteBody {
    /// Up to K distinct candidates (an empty list is a blank ballot).
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub choices: Vec<Uuid>,
}

/// A ballot: who may vote, who has voted (never what).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BallotView {
    pub id: Uuid,
    pub term_id: Uuid,
    pub seats: i32,
    pub threshold_percent: i32,
    pub candidate_ids: Vec<Uuid>,
    pub member_ids: Vec<Uuid>,
    /// Units that have voted, sorted by id (their order says nothing).
    pub voter_ids: Vec<Uuid>,
    /// `open` or `closed`.
    pub status: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Versioned for BallotView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<crate::db::evaluation::BallotRow> for BallotView {
    fn from(b: crate::db::evaluation::BallotRow) -> Self {
        BallotView {
            id: b.id,
            term_id: b.term_id,
            seats: b.seats,
            threshold_percent: b.threshold_percent,
            candidate_ids: b.candidates,
            member_ids: b.members,
            voter_ids: b.voters,
            status: b.status,
            opened_at: b.opened_at,
            closed_at: b.closed_at,
            version: b.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CandidateCount {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    pub votes: usize,
}

/// The tally, the elected units and the minutes of a ballot.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BallotResultView {
    pub ballot_id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    /// When the ballot closed.
    pub date: Option<DateTime<Utc>>,
    pub members: Vec<CandidateCount>,
    pub members_count: usize,
    pub voters_count: usize,
    pub seats: i32,
    pub threshold_percent: i32,
    /// Per candidate, most votes first (ties by code).
    pub counts: Vec<CandidateCount>,
    pub elected: Vec<CandidateCount>,
    /// Seats left empty by a tie at the last seat.
    pub tied_seats: usize,
    pub tied: Vec<CandidateCount>,
    /// A sentence for the minutes, in the request's language.
    pub note: String,
}

fn result_view(r: BallotResult) -> BallotResultView {
    let named = |id: Uuid, votes: usize| {
        let m = r.members.iter().find(|m| m.id == id);
        CandidateCount {
            organization_id: id,
            code: m.map(|m| m.code.clone()).unwrap_or_default(),
            name: m.map(|m| m.name.clone()).unwrap_or_default(),
            votes,
        }
    };
    let lang = crate::i18n::current_lang();
    let note = match (r.election.elected.len(), r.election.tied_seats) {
        (_, 0) => lang
            .pick(
                "Kết quả theo số phiếu và ngưỡng quy định.",
                "Result by votes and the required share.",
            )
            .to_string(),
        (_, n) => match lang {
            crate::i18n::Lang::Vi => {
                format!("{n} vị trí không có đơn vị trúng cử do đồng số phiếu ở vị trí cuối.")
            }
            crate::i18n::Lang::En => {
                format!("{n} seat(s) left empty: candidates tied at the last seat.")
            }
        },
    };
    BallotResultView {
        ballot_id: r.ballot.id,
        bloc_id: r.term.bloc_id,
        year: r.term.year,
        date: r.closed_at,
        members: r
            .members
            .iter()
            .map(|m| {
                named(
                    m.id,
                    r.counts
                        .iter()
                        .find(|c| c.id == m.id)
                        .map(|c| c.votes)
                        .unwrap_or(0),
                )
            })
            .collect(),
        members_count: r.ballot.members.len(),
        voters_count: r.ballot.voters.len(),
        seats: r.ballot.seats,
        threshold_percent: r.ballot.threshold_percent,
        counts: r.counts.iter().map(|c| named(c.id, c.votes)).collect(),
        elected: r
            .election
            .elected
            .iter()
            .map(|c| named(c.id, c.votes))
            .collect(),
        tied_seats: r.election.tied_seats,
        tied: r
            .election
            .tied
            .iter()
            .map(|c| named(c.id, c.votes))
            .collect(),
        note,
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn minutes_html(v: &BallotResultView) -> String {
    let rows: String = v
        .counts
        .iter()
        .map(|c| {
            format!(
                "<tr><td>{}</td><td>{}</td><td style=\"text-align:right\">{}</td></tr>",
                html_escape(&c.code),
                html_escape(&c.name),
                c.votes
            )
        })
        .collect();
    let elected: String = if v.elected.is_empty() {
        "<li>Không có / None</li>".into()
    } else {
        v.elected
            .iter()
            .map(|c| {
                format!(
                    "<li>{} — {} ({} phiếu / votes)</li>",
                    html_escape(&c.code),
                    html_escape(&c.name),
                    c.votes
                )
            })
            .collect()
    };
    let members: String = v
        .members
        .iter()
        .map(|m| {
            format!(
                "<li>{} — {}</li>",
                html_escape(&m.code),
                html_escape(&m.name)
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Biên bản kiểm phiếu {year}</title>\
<style>body{{font-family:serif;max-width:48em;margin:2em auto}}table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #444;padding:.3em}}</style></head><body>\
<h1>Biên bản kiểm phiếu bầu đơn vị dẫn đầu năm {year}</h1><p><em>Minutes of the secret ballot for the leading units, {year}</em></p>\
<p>Ngày / Date: {date}</p><p>Số thành viên / Members: {members_count}; số phiếu / ballots cast: {voters}; số đơn vị cần chọn / seats: {seats}; \
ngưỡng / threshold: &gt; {threshold}% số thành viên</p><h2>Thành viên / Members</h2><ul>{members}</ul>\
<h2>Kết quả / Count</h2><table><tr><th>Mã / Code</th><th>Đơn vị / Unit</th><th>Số phiếu / Votes</th></tr>{rows}</table>\
<h2>Đơn vị dẫn đầu / Elected</h2><ul>{elected}</ul><p>{note}</p></body></html>",
        year = v.year,
        date = v
            .date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        members_count = v.members_count,
        voters = v.voters_count,
        seats = v.seats,
        threshold = v.threshold_percent,
        note = html_escape(&v.note),
    )
}

/// Set the term's scoring scheme (the head or the admin).
///
/// Editable until the first score is entered, then fixed (E1).
#[utoipa::path(
    tag = "evaluation",
    request_body = SchemeBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year"),
           ("If-Match" = Option<String>, Header, description = "ETag of the scheme you read")),
    responses(
        (status = 200, body = SchemeView, description = "The scheme"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`scheme_frozen` (E1)"),
        (status = 412, body = Problem, content_type = "application/problem+json", description = "`version_conflict`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_scheme` (E1), `unknown_pledge_item`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/scoring-scheme")]
pub async fn put_scheme(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    if_match: IfMatch,
    body: ValidatedJson<SchemeBody>,
) -> Result<Tagged<SchemeView>, AppError> {
    let (bloc, year) = path.into_inner();
    let b = body.into_inner();
    Ok(Tagged(
        svc::put_scheme(
            &state.db,
            &caller,
            bloc,
            year,
            if_match.0,
            b.total_cap,
            sections_of(b.sections),
        )
        .await?
        .into(),
    ))
}

/// Fill the scheme from a template: the 1,000-point frame, or last year's (E1).
#[utoipa::path(
    tag = "evaluation",
    request_body = TemplateBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = SchemeView, description = "The scheme"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`scheme_frozen` (E1), `no_previous_scheme`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/blocs/{id}/terms/{year}/scoring-scheme/template")]
pub async fn scheme_template(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<TemplateBody>,
) -> Result<Tagged<SchemeView>, AppError> {
    let (bloc, year) = path.into_inner();
    let (cap, sections) = match body.into_inner().source {
        TemplateSource::Standard => svc::standard_template(&state.db, bloc, year).await?,
        TemplateSource::PreviousYear => svc::previous_year_template(&state.db, bloc, year).await?,
    };
    Ok(Tagged(
        svc::put_scheme(&state.db, &caller, bloc, year, None, cap, sections)
            .await?
            .into(),
    ))
}

/// The term's scoring scheme.
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = SchemeView, description = "The scheme"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/scoring-scheme")]
pub async fn get_scheme(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<Tagged<SchemeView>, AppError> {
    let (bloc, year) = path.into_inner();
    Ok(Tagged(svc::get_scheme(&state.db, bloc, year).await?.into()))
}

/// Set who cross-scores whom (the head or the admin); never a unit itself.
#[utoipa::path(
    tag = "evaluation",
    request_body = AssignmentsBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Vec<Assignment>, description = "The assignment matrix"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`not_a_member`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `self_assignment`"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/review-assignments")]
pub async fn put_assignments(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<AssignmentsBody>,
) -> Result<web::Json<Vec<Assignment>>, AppError> {
    let (bloc, year) = path.into_inner();
    let pairs = body
        .into_inner()
        .assignments
        .into_iter()
        .map(|a| (a.reviewer_id, a.subject_id))
        .collect();
    let saved = svc::set_assignments(&state.db, &caller, bloc, year, pairs).await?;
    Ok(web::Json(
        saved
            .into_iter()
            .map(|(r, s)| Assignment {
                reviewer_id: r,
                subject_id: s,
            })
            .collect(),
    ))
}

/// The assignment matrix (empty: the head and deputy cross-score).
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Vec<Assignment>, description = "The assignment matrix"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/review-assignments")]
pub async fn get_assignments(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<Vec<Assignment>>, AppError> {
    let (bloc, year) = path.into_inner();
    let pairs = svc::assignments(&state.db, bloc, year).await?;
    Ok(web::Json(
        pairs
            .into_iter()
            .map(|(r, s)| Assignment {
                reviewer_id: r,
                subject_id: s,
            })
            .collect(),
    ))
}

/// Enter points on a draft sheet for a unit (self-score by the unit itself;
/// cross-score by an assigned reviewer, or the head or deputy). E2 bounds.
#[utoipa::path(
    tag = "evaluation",
    request_body = SheetBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year"),
           ("subjectId" = Uuid, Path, description = "The unit scored")),
    responses(
        (status = 200, body = SheetView, description = "The draft sheet"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`, `not_a_reviewer`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`sheet_locked`, `no_scoring_scheme`, `not_a_member`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `points_out_of_bounds` (E2)"),
    ),
    security(("bearer" = []))
)]
#[put("/api/v1/blocs/{id}/terms/{year}/score-sheets/{subjectId}")]
pub async fn put_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32, Uuid)>,
    body: ValidatedJson<SheetBody>,
) -> Result<Tagged<SheetView>, AppError> {
    let (bloc, year, subject) = path.into_inner();
    let b = body.into_inner();
    let entries = b
        .entries
        .into_iter()
        .map(|e| svc::EntryInput {
            criterion_id: e.criterion_id,
            points: e.points,
            note: e.note,
            evidence_url: e.evidence_url,
        })
        .collect();
    Ok(Tagged(
        svc::put_sheet(
            &state.db,
            &caller,
            bloc,
            year,
            subject,
            b.reviewer_id,
            entries,
        )
        .await?
        .into(),
    ))
}

/// Every score sheet of the term.
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Vec<SheetView>, description = "The sheets"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/score-sheets")]
pub async fn list_sheets(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<Vec<SheetView>>, AppError> {
    let (bloc, year) = path.into_inner();
    Ok(web::Json(
        svc::sheets(&state.db, bloc, year)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

async fn sheet_action(
    state: &AppState,
    caller: &Principal,
    id: Uuid,
    action: SheetAction,
    body: Option<ReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    Ok(Tagged(
        svc::sheet_action(&state.db, caller, id, action, body.and_then(|b| b.reason))
            .await?
            .into(),
    ))
}

/// Submit a sheet: it is locked (only the admin can reopen it).
#[utoipa::path(
    tag = "evaluation",
    request_body(content = Option<ReasonBody>, description = "Optional"),
    params(("id" = Uuid, Path, description = "Sheet id")),
    responses(
        (status = 200, body = SheetView, description = "Submitted"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`sheet_locked`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed` (the optional body: an unknown field, a reason over 2,000 characters)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/score-sheets/{id}/submit")]
pub async fn submit_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: OptionalJson<ReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    sheet_action(&state, &caller, *id, SheetAction::Submit, body.into_inner()).await
}

/// A cross-reviewer recuses itself, with a written reason.
#[utoipa::path(
    tag = "evaluation",
    request_body = ReasonBody,
    params(("id" = Uuid, Path, description = "Sheet id")),
    responses(
        (status = 200, body = SheetView, description = "Recused"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_your_organization`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`sheet_locked`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`recusal_needs_reason`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/score-sheets/{id}/recuse")]
pub async fn recuse_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<ReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    sheet_action(
        &state,
        &caller,
        *id,
        SheetAction::Recuse,
        Some(body.into_inner()),
    )
    .await
}

/// Reopen a submitted or recused sheet (the admin, with a reason; audited).
#[utoipa::path(
    tag = "evaluation",
    request_body = ReasonBody,
    params(("id" = Uuid, Path, description = "Sheet id")),
    responses(
        (status = 200, body = SheetView, description = "Back to draft"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`admin_required`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`reason_required`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/score-sheets/{id}/reopen")]
pub async fn reopen_sheet(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<ReasonBody>,
) -> Result<Tagged<SheetView>, AppError> {
    sheet_action(
        &state,
        &caller,
        *id,
        SheetAction::Reopen,
        Some(body.into_inner()),
    )
    .await
}

/// The ranking (E3): totals, ties sharing a rank (listed by code), sections,
/// and the pledge compliance beside each unit. `Accept: text/csv` for CSV.
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, description = "The ranking", content((Vec<RankingRow> = "application/json"), (String = "text/csv"))),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/ranking")]
pub async fn ranking(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<HttpResponse, AppError> {
    let (bloc, year) = path.into_inner();
    let rows: Vec<RankingRow> = svc::ranking(&state.db, bloc, year)
        .await?
        .into_iter()
        .map(|u| RankingRow {
            rank: u.rank,
            organization_id: u.member.id,
            code: u.member.code,
            name: u.member.name,
            total: u.score.map(|s| s.display()),
            self_score_only: u.self_score_only,
            sections: u
                .sections
                .into_iter()
                .map(|(title, s)| SectionScore {
                    title,
                    score: s.display(),
                })
                .collect(),
            compliance_achieved: u.compliance.map(|c| c.0),
            compliance_measurable: u.compliance.map(|c| c.1),
        })
        .collect();
    if wants_csv(&req) {
        let mut out = vec![
            [
                "Hạng / Rank",
                "Mã / Code",
                "Đơn vị / Unit",
                "Tổng điểm / Total",
                "Chỉ tự chấm / Self-score only",
                "Chỉ tiêu đạt / Targets achieved",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for r in &rows {
            out.push(vec![
                r.rank.map(|k| k.to_string()).unwrap_or_default(),
                r.code.clone(),
                r.name.clone(),
                r.total.clone().unwrap_or_default(),
                r.self_score_only.to_string(),
                match (r.compliance_achieved, r.compliance_measurable) {
                    (Some(a), Some(m)) => format!("{a}/{m}"),
                    _ => String::new(),
                },
            ]);
        }
        return Ok(csv(&format!("ranking-{year}.csv"), out));
    }
    Ok(HttpResponse::Ok().json(rows))
}

/// Open the secret ballot for the leading units (the head or the admin).
#[utoipa::path(
    tag = "evaluation",
    request_body = OpenBallotBody,
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 201, body = BallotView, description = "Open"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`ballot_already_open`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_candidates`, `invalid_seats`"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/blocs/{id}/terms/{year}/ballots")]
pub async fn open_ballot(
    state: web::Data<AppState>,
    caller: Principal,
    path: web::Path<(Uuid, i32)>,
    body: ValidatedJson<OpenBallotBody>,
) -> Result<Created<BallotView>, AppError> {
    let (bloc, year) = path.into_inner();
    let b = body.into_inner();
    let row = svc::open_ballot(
        &state.db,
        &caller,
        bloc,
        year,
        svc::OpenBallot {
            seats: b.seats,
            threshold_percent: b.threshold_percent,
            candidate_ids: b.candidate_ids,
        },
    )
    .await?;
    Ok(Created::versioned(
        format!("/api/v1/ballots/{}", row.id),
        row.into(),
    ))
}

/// The term's ballots.
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Vec<BallotView>, description = "The ballots"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/ballots")]
pub async fn list_ballots(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<Vec<BallotView>>, AppError> {
    let (bloc, year) = path.into_inner();
    Ok(web::Json(
        svc::ballots_of(&state.db, bloc, year)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A ballot: who may vote and who has (never what).
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Ballot id")),
    responses(
        (status = 200, body = BallotView, description = "The ballot"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/ballots/{id}")]
pub async fn get_ballot(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<BallotView>, AppError> {
    Ok(Tagged(svc::get_ballot(&state.db, *id).await?.into()))
}

/// Cast the unit's ballot (its own leader only; once; up to K candidates).
/// The last member's vote closes the ballot.
#[utoipa::path(
    tag = "evaluation",
    request_body = VoteBody,
    params(("id" = Uuid, Path, description = "Ballot id")),
    responses(
        (status = 201, body = BallotView, description = "Counted (the choice is not shown back)"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_member_leader`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`already_voted`, `ballot_closed`, `not_a_member` (E4)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`, `invalid_choices` (more than K, not a candidate)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/ballots/{id}/votes")]
pub async fn vote(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    body: ValidatedJson<VoteBody>,
) -> Result<Created<BallotView>, AppError> {
    let row = svc::vote(&state.db, &caller, *id, None, body.into_inner().choices).await?;
    Ok(Created::at(format!("/api/v1/ballots/{id}"), row.into()))
}

/// Close the ballot (the head or the admin): results become visible and the
/// elected units are recorded as the bloc's leading units.
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Ballot id")),
    responses(
        (status = 200, body = BallotView, description = "Closed"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 403, body = Problem, content_type = "application/problem+json", description = "`not_head_unit`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`ballot_closed`, `too_few_ballots` (one ballot cast of several: closing would reveal it)"),
    ),
    security(("bearer" = []))
)]
#[post("/api/v1/ballots/{id}/close")]
pub async fn close_ballot(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
) -> Result<Tagged<BallotView>, AppError> {
    Ok(Tagged(
        svc::close_ballot(&state.db, &caller, *id).await?.into(),
    ))
}

/// The result (E4): tally and elected, once closed or every member voted.
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Ballot id")),
    responses(
        (status = 200, body = BallotResultView, description = "The result"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`results_hidden`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/ballots/{id}/result")]
pub async fn ballot_result(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<web::Json<BallotResultView>, AppError> {
    Ok(web::Json(result_view(svc::result(&state.db, *id).await?)))
}

/// The minutes (biên bản kiểm phiếu): JSON, or printable HTML with `Accept: text/html`.
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Ballot id")),
    responses(
        (status = 200, description = "The minutes", content((BallotResultView = "application/json"), (String = "text/html"))),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`results_hidden`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/ballots/{id}/minutes")]
pub async fn minutes(
    state: web::Data<AppState>,
    req: HttpRequest,
    _caller: Principal,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let view = result_view(svc::result(&state.db, *id).await?);
    let html = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if html {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(minutes_html(&view)));
    }
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeadingUnit {
    pub organization_id: Uuid,
    pub code: String,
    pub name: String,
    pub rank: i32,
    pub votes: i32,
}

/// The bloc's leading units for the year (from the closed ballot).
#[utoipa::path(
    tag = "evaluation",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Vec<LeadingUnit>, description = "Elected units, best first"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/blocs/{id}/terms/{year}/leading-units")]
pub async fn leading_units(
    state: web::Data<AppState>,
    _caller: Principal,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<Vec<LeadingUnit>>, AppError> {
    let (bloc, year) = path.into_inner();
    let rows = svc::leading_units(&state.db, bloc, year).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(m, rank, votes)| LeadingUnit {
                organization_id: m.id,
                code: m.code,
                name: m.name,
                rank,
                votes,
            })
            .collect(),
    ))
}
