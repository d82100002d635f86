//! E4: the secret ballot: open, list, read, vote, close.

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::extract::ValidatedJson;
use crate::api::respond::{Created, Page, Tagged, Versioned};
use crate::auth::Principal;
use crate::domain::ballot::BallotStatus;
use crate::error::{AppError, Problem};
use crate::service::evaluation::{self as svc, Ballot};

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
#[schema(example = json!({"choices": ["01799f1d-9ba8-7d57-b21c-7f75272e4d07"]}))]
pub struct VoteBody {
    /// Up to K distinct candidates (an empty list is a blank ballot).
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub choices: Vec<Uuid>,
}

/// A ballot: who may vote, who has voted (never what).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "017923b2-d264-7bf8-b618-2e87c298eab4", "termId": "017920f9-aab8-7494-ab2a-c2ee92455fe0", "seats": 3, "thresholdPercent": 50, "candidateIds": ["01794f3d-b2ef-7f06-83c6-d5d5d4e349d8", "0179b51d-d3f5-78e0-8338-c730939629d4", "017944e7-164b-7385-842f-78af5fdc3b5f", "01797193-3c24-7e2c-87b1-217d0159205c", "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "0179adda-5387-73a8-b38d-19774f1e0910", "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "01792674-5c78-7f52-98db-545509fc3aeb", "017993be-f4a4-77fd-934f-3991a038c475"], "memberIds": ["01794f3d-b2ef-7f06-83c6-d5d5d4e349d8", "0179b51d-d3f5-78e0-8338-c730939629d4", "017944e7-164b-7385-842f-78af5fdc3b5f", "01797193-3c24-7e2c-87b1-217d0159205c", "01797ed5-eb83-7e8e-ba1a-99bc19100a47", "0179adda-5387-73a8-b38d-19774f1e0910", "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "01792674-5c78-7f52-98db-545509fc3aeb", "017993be-f4a4-77fd-934f-3991a038c475"], "voterIds": ["0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "01797ed5-eb83-7e8e-ba1a-99bc19100a47"], "status": "open", "openedAt": "2021-04-01T02:30:00Z", "closedAt": null, "version": 1}))]
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
    pub status: BallotStatus,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
}

impl Versioned for BallotView {
    fn version(&self) -> i32 {
        self.version
    }
}

impl From<Ballot> for BallotView {
    fn from(b: Ballot) -> Self {
        BallotView {
            id: b.id,
            term_id: b.term_id,
            seats: b.seats,
            threshold_percent: b.threshold_percent,
            candidate_ids: b.candidate_ids,
            member_ids: b.member_ids,
            voter_ids: b.voter_ids,
            status: b.status,
            opened_at: b.opened_at,
            closed_at: b.closed_at,
            version: b.version,
        }
    }
}

/// Open the secret ballot for the leading units.
///
/// The head unit's leader or officers, or the admin (`not_head_unit`). Names
/// the candidates (term members: `invalid_candidates`), the seats K and the
/// threshold (`invalid_seats`); one open ballot per term
/// (`ballot_already_open`). Every member's leader then votes once (E4).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "openBallot",
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
///
/// Every secret ballot opened for the term's leading units, open or closed
/// (E4). Any signed-in caller (a person with any role, or a service client with
/// the `read` scope) may call it.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "listBallots",
    params(("id" = Uuid, Path, description = "Bloc id"), ("year" = i32, Path, description = "Emulation year")),
    responses(
        (status = 200, body = Page<BallotView>, description = "The ballots"),
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
) -> Result<Page<BallotView>, AppError> {
    let (bloc, year) = path.into_inner();
    Ok(Page::complete(
        svc::ballots_of(&state.db, bloc, year)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// A ballot: who may vote and who has voted.
///
/// The secret ballot for a term's leading units: candidates, members entitled
/// to vote, the seats (K) and threshold, and which members have voted — never
/// what they chose (E4). Any signed-in caller (a person with any role, or a
/// service client with the `read` scope) may call it.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getBallot",
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

/// Cast a member unit's ballot.
///
/// The member unit's own leader only — not even the admin may vote for a unit
/// (`not_member_leader`) — once (`already_voted`), choosing up to K candidates
/// from the ballot's list (E4; `invalid_choices`). The choices are stored
/// without the voter, so nobody can read them back. The last member's vote
/// closes the ballot.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "castVote",
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

/// Close the ballot.
///
/// The head unit's leader or officers, or the admin, may call it
/// (`not_head_unit` otherwise). The results become visible and the elected
/// units are recorded as the bloc's leading units for the year (E4), which
/// later eligibility checks read (C9, C10). Closing after a single ballot of
/// several would reveal it: `too_few_ballots`.
#[utoipa::path(
    tag = "evaluation",
    operation_id = "closeBallot",
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
