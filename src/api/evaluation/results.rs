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

/// The result (E4): tally and elected, once closed or every member voted.
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

/// The minutes (biên bản kiểm phiếu): JSON, or printable HTML with `Accept: text/html`
/// (the document `GET /ballots/{id}/document` gives, also as DOCX).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getBallotMinutes",
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
