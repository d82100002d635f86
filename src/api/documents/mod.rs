//! `GET …/document?format=html|docx`: the documents the office prints and
//! signs (docs/documents.md) — the signed pledge, the ballot minutes, the
//! commendation decision with its annex, the conference record. Each is read
//! under its resource's own read rule; HTML carries a Content-Security-Policy.

pub mod content;
pub mod docx;
pub mod html;
pub mod model;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::AppState;
use crate::api::export::attachment;
use crate::api::extract::ValidatedQuery;
use crate::auth::Principal;
use crate::domain::ids::PledgeId;
use crate::error::{AppError, Problem};
use crate::service::documents as svc;

/// The media type of a Word document.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// The document's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentFormat {
    /// Printable HTML (A4 print style sheet).
    #[default]
    Html,
    /// A Word document (Office Open XML) to edit in Word or LibreOffice.
    Docx,
}

#[derive(Debug, Default, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// `html` (default) or `docx`.
    #[param(inline)]
    pub format: Option<DocumentFormat>,
}

/// A Word document (`.docx`), as a response body.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct DocxFile(pub Vec<u8>);

/// The document as the asked form.
pub fn respond(doc: &model::Doc, format: Option<DocumentFormat>) -> Result<HttpResponse, AppError> {
    match format.unwrap_or_default() {
        DocumentFormat::Html => Ok(html_response(html::render(doc)?)),
        DocumentFormat::Docx => Ok(HttpResponse::Ok()
            .content_type(DOCX)
            .insert_header((
                header::CONTENT_DISPOSITION,
                attachment(&format!("{}.docx", doc.file_name)),
            ))
            .body(docx::render(doc)?)),
    }
}

/// HTML with the documents' Content-Security-Policy.
pub fn html_response(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, html::CSP.as_str()))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body)
}

fn place(state: &AppState) -> &str {
    state.config.document_place.as_deref().unwrap_or_default()
}

/// The signed pledge (giao ước thi đua), to print or edit.
///
/// The national title and motto, the bloc, the number and the place and
/// date (the conference day it was signed), the theme, every item with its
/// targets, and the signature table of every member unit (signer, position,
/// date; blank rows for units yet to sign), after Decree 30/2020/NĐ-CP's
/// form. `format=html` (default) is printable HTML, `format=docx` a Word
/// document. Read by anyone signed in, as the pledge is.
#[utoipa::path(
    tag = "pledges",
    operation_id = "getPledgeDocument",
    params(("id" = Uuid, Path, description = "Pledge id"), DocumentQuery),
    responses(
        (status = 200, description = "The document", headers(("Content-Security-Policy" = String, description = "On HTML: nothing loads or runs")), content(
            (String = "text/html", example = json!("<!DOCTYPE html><html lang=\"vi\">…</html>")),
            (DocxFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/pledges/{id}/document")]
pub async fn pledge_document(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<PledgeId>,
    q: ValidatedQuery<DocumentQuery>,
) -> Result<HttpResponse, AppError> {
    let d = svc::pledge(&state.db, *id).await?;
    respond(&content::pledge(&d, place(&state)), q.0.format)
}

/// The ballot minutes (biên bản kiểm phiếu), to print or edit.
///
/// The members, the ballots handed out and returned, the seats and the
/// threshold, the tally and the elected units, with the signature block of
/// the counting team and the head unit. Readable once the result is
/// (E4: the ballot closed or every member voted).
#[utoipa::path(
    tag = "evaluation",
    operation_id = "getBallotDocument",
    params(("id" = Uuid, Path, description = "Ballot id"), DocumentQuery),
    responses(
        (status = 200, description = "The document", headers(("Content-Security-Policy" = String, description = "On HTML: nothing loads or runs")), content(
            (String = "text/html", example = json!("<!DOCTYPE html><html lang=\"vi\">…</html>")),
            (DocxFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "`results_hidden`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/ballots/{id}/document")]
pub async fn ballot_document(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
    q: ValidatedQuery<DocumentQuery>,
) -> Result<HttpResponse, AppError> {
    let d = svc::ballot(&state.db, *id).await?;
    respond(&content::ballot(&d, place(&state)), q.0.format)
}

/// The commendation decision (quyết định khen thưởng) with its annex list.
///
/// The issuing body, number and date, the articles, the signer, and on its
/// own page the list that goes with it (danh sách kèm theo): every
/// collective and person awarded, with position, unit and title. No
/// eligibility figures appear (C2 data). Read by anyone signed in, as the
/// decision is.
#[utoipa::path(
    tag = "titles",
    operation_id = "getDecisionDocument",
    params(("id" = Uuid, Path, description = "Decision id"), DocumentQuery),
    responses(
        (status = 200, description = "The document", headers(("Content-Security-Policy" = String, description = "On HTML: nothing loads or runs")), content(
            (String = "text/html", example = json!("<!DOCTYPE html><html lang=\"vi\">…</html>")),
            (DocxFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/decisions/{id}/document")]
pub async fn decision_document(
    state: web::Data<AppState>,
    caller: Principal,
    id: web::Path<Uuid>,
    q: ValidatedQuery<DocumentQuery>,
) -> Result<HttpResponse, AppError> {
    let d = svc::decision(&state.db, &caller, *id).await?;
    respond(&content::decision(&d, place(&state)), q.0.format)
}

/// The conference record (biên bản hội nghị), to print or edit.
///
/// Date, place, host, kind, the attending organisations, the
/// representatives and the documents adopted, with the signature block of
/// the secretary and the chair. Read by anyone signed in, as the conference
/// is.
#[utoipa::path(
    tag = "conferences",
    operation_id = "getConferenceDocument",
    params(("id" = Uuid, Path, description = "Conference id"), DocumentQuery),
    responses(
        (status = 200, description = "The document", headers(("Content-Security-Policy" = String, description = "On HTML: nothing loads or runs")), content(
            (String = "text/html", example = json!("<!DOCTYPE html><html lang=\"vi\">…</html>")),
            (DocxFile = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        )),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 404, body = Problem, content_type = "application/problem+json", description = "`not_found`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/conferences/{id}/document")]
pub async fn conference_document(
    state: web::Data<AppState>,
    _caller: Principal,
    id: web::Path<Uuid>,
    q: ValidatedQuery<DocumentQuery>,
) -> Result<HttpResponse, AppError> {
    let d = svc::conference(&state.db, *id).await?;
    respond(&content::conference(&d, place(&state)), q.0.format)
}
