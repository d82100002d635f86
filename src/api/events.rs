//! `/api/v1/events`: the change feed other systems follow.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::extract::ValidatedQuery;
use crate::AppState;
use crate::auth::Principal;
use crate::error::{AppError, Problem};
use crate::service;
use crate::service::events::Feed;

/// One committed change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// Increases in commit order: follow with `after=`.
    pub id: i64,
    #[serde(rename = "type")]
    #[schema(example = "user.created")]
    pub type_: String,
    pub entity: String,
    pub entity_id: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub data: serde_json::Value,
}

impl From<service::events::Event> for Event {
    fn from(e: service::events::Event) -> Self {
        Event {
            id: e.id,
            type_: e.type_,
            entity: e.entity,
            entity_id: e.entity_id,
            occurred_at: e.occurred_at,
            actor_id: e.actor_id,
            organization_id: e.organization_id,
            data: e.data,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventPage {
    pub items: Vec<Event>,
    /// Pass as `after` next time (the last id served, or the `after` you sent).
    pub last_event_id: i64,
}

impl From<Feed> for EventPage {
    fn from(f: Feed) -> Self {
        EventPage {
            items: f.events.into_iter().map(Into::into).collect(),
            last_event_id: f.last_event_id,
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Serve events with ids above this (0 for the beginning).
    #[validate(range(min = 0))]
    #[param(minimum = 0)]
    pub after: Option<i64>,
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// Follow the change feed.
///
/// Events come in commit order; a reader that keeps passing `after=lastEventId`
/// never misses one.
#[utoipa::path(
    operation_id = "listEvents",
    tag = "events",
    params(EventQuery),
    responses(
        (status = 200, body = EventPage, description = "Events after `after`, oldest first"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`invalid_query`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/events")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Principal,
    q: ValidatedQuery<EventQuery>,
) -> Result<web::Json<EventPage>, AppError> {
    let after = q.0.after.unwrap_or(0);
    let feed = service::events::after(&state.db, &caller, after, q.0.limit.unwrap_or(100)).await?;
    Ok(web::Json(feed.into()))
}
