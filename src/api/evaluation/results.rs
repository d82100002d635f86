//! E4: the ballot's result and its minutes (biên bản kiểm phiếu).

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::api::documents;
use crate::auth::Principal;
use crate::error::{AppError, Problem};
use crate::service::evaluation::{self as svc, BallotResult};

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
#[schema(example = json!({"ballotId": "0179784c-aac0-7936-a68e-5948af61526a", "blocId": "017970bb-41af-7e01-901d-9133d22ebf08", "year": 2021, "date": "2021-12-20T02:00:00Z", "members": [], "membersCount": 9, "votersCount": 9, "seats": 3, "thresholdPercent": 50, "counts": [], "elected": [], "tiedSeats": 0, "tied": [], "note": "Kết quả bỏ phiếu kín suy tôn đơn vị dẫn đầu Khối thi đua Văn hóa – Xã hội năm 2021"}))]
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

/// The sentence of the minutes, in the request's language.
fn note(tied_seats: usize) -> String {
    let lang = crate::i18n::current_lang();
    match tied_seats {
        0 => lang
            .pick(
                "Kết quả theo số phiếu và ngưỡng quy định.",
                "Result by votes and the required share.",
            )
            .to_string(),
        n => match lang {
            crate::i18n::Lang::Vi => {
                format!("{n} vị trí không có đơn vị trúng cử do đồng số phiếu ở vị trí cuối.")
            }
            crate::i18n::Lang::En => {
                format!("{n} seat(s) left empty: candidates tied at the last seat.")
            }
        },
    }
}

fn result_view(r: BallotResult) -> BallotResultView {
    let named = |id: Uuid, votes: usize| {
        let u = r.unit(id);
        CandidateCount {
            organization_id: id,
            code: u.code,
            name: u.name,
            votes,
        }
    };
    let votes_of = |id: Uuid| r.counts.iter().find(|c| c.id == id).map_or(0, |c| c.votes);
    let counted = |cs: &[crate::domain::ballot::Count]| -> Vec<CandidateCount> {
        cs.iter().map(|c| named(c.id, c.votes)).collect()
    };
    BallotResultView {
        ballot_id: r.ballot.id,
        bloc_id: r.bloc_id,
        year: r.year,
        date: r.closed_at,
        members: r
            .members
            .iter()
            .map(|m| named(m.organization_id, votes_of(m.organization_id)))
            .collect(),
        members_count: r.ballot.member_ids.len(),
        voters_count: r.ballot.voter_ids.len(),
        seats: r.ballot.seats,
        threshold_percent: r.ballot.threshold_percent,
        counts: counted(&r.counts),
        elected: counted(&r.election.elected),
        tied_seats: r.election.tied_seats,
        tied: counted(&r.election.tied),
        note: note(r.election.tied_seats),
    }
}

/// The ballot's result (E4).
///
/// The tally and the elected units, once the ballot is closed or every member
/// has voted (`results_hidden` before). A candidate is elected when the ballots
/// naming it exceed the threshold share of the members, in order of votes, up
/// to the seats; a tie at the last seat is reported, not broken (E4). Any
/// signed-in caller (a person with any role, or a service client with the
/// `read` scope) may call it.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getBallotResult",
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

/// The ballot's minutes (biên bản kiểm phiếu).
///
/// The counting record of a closed ballot as JSON, or printable HTML with
/// `Accept: text/html`: seats, threshold, votes per candidate, the elected
/// units and any tie (E4). Any signed-in caller (a person with any role, or a
/// service client with the `read` scope) may call it. Hidden (`results_hidden`)
/// until the ballot is closed or every member has voted.
/// The same document is at `GET /ballots/{id}/document`, also as DOCX.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getBallotMinutes",
    params(("id" = Uuid, Path, description = "Ballot id")),
    responses(
        (status = 200, description = "The minutes", content((BallotResultView = "application/json"), (String = "text/html", example = json!("<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Biên bản kiểm phiếu 2021</title></head><body><h1>Biên bản kiểm phiếu bầu đơn vị dẫn đầu năm 2021</h1><p><em>Minutes of the secret ballot for the leading units, 2021</em></p><p>Số thành viên / Members: 9; số phiếu / ballots cast: 9; số đơn vị cần chọn / seats: 3; ngưỡng / threshold: &gt; 50% số thành viên</p><h2>Kết quả / Count</h2><table><tr><th>Mã / Code</th><th>Đơn vị / Unit</th><th>Số phiếu / Votes</th></tr><tr><td>BDT</td><td>Ban Dân tộc tỉnh</td><td style=\"text-align:right\">9</td></tr></table><h2>Đơn vị dẫn đầu / Elected</h2><ul><li>BDT — Ban Dân tộc tỉnh (9 phiếu / votes)</li></ul></body></html>")))),
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
    let html = req
        .headers()
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if html {
        // The printable minutes: the same document as `…/document?format=html`.
        let d = crate::service::documents::ballot(&state.db, *id).await?;
        let place = state.config.document_place.as_deref().unwrap_or_default();
        return documents::respond(
            &documents::content::ballot(&d, place),
            Some(documents::DocumentFormat::Html),
        );
    }
    Ok(HttpResponse::Ok().json(result_view(svc::result(&state.db, *id).await?)))
}
