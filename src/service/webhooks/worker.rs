//! The delivery workers: in-process tasks that fan the feed out into
//! deliveries and make the due attempts. Every step claims its rows with
//! `FOR UPDATE SKIP LOCKED`, so any number of instances on one database
//! share the work with no coordinator; a crashed instance's claim lapses
//! after `LEASE` and another makes the attempt again (at least once).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::Webhook;
use super::outbound::{Outbound, elapsed_ms};
use crate::auth::{Principal, PrincipalKind};
use crate::db::events::EventRow;
use crate::db::webhooks::{
    DeliveryRow, NewDelivery, Outcome, SubscriptionChanges, SubscriptionRow,
};
use crate::db::{self, Db};
use crate::domain::ids::DeliveryId;
use crate::domain::webhooks::{
    DeliveryStatus, OwnerKind, PauseReason, RetryPolicy, WebhookStatus, signature_header,
    signing_secrets, wants,
};
use crate::error::AppResult;
use crate::service::{Change, record};

/// How long a claim holds an attempt (more than the attempt's 10 s).
pub const LEASE: Duration = Duration::from_secs(60);
/// Feed events read per subscription per round.
const FANOUT_BATCH: i64 = 200;
/// Subscriptions fanned out per round.
const FANOUT_SUBSCRIPTIONS: i64 = 50;

/// The workers' settings (from `Config`).
#[derive(Clone)]
pub struct WorkerSettings {
    pub concurrency: usize,
    pub retry: RetryPolicy,
    pub allow_hosts: Vec<String>,
    /// The pause between rounds that found nothing to do.
    pub idle_poll: Duration,
}

impl WorkerSettings {
    pub fn from_config(c: &crate::Config) -> WorkerSettings {
        WorkerSettings {
            concurrency: c.webhook_concurrency,
            retry: c.webhook_retry,
            allow_hosts: c.webhook_allow_hosts.clone(),
            idle_poll: Duration::from_millis(500),
        }
    }
}

/// The running workers; dropping the handle stops them.
pub struct Workers(tokio::task::JoinHandle<()>);

impl Drop for Workers {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Start this instance's workers, or none when `concurrency` is 0.
pub fn start(db: Db, settings: WorkerSettings) -> Option<Workers> {
    if settings.concurrency == 0 {
        return None;
    }
    let outbound = Outbound::new(settings.allow_hosts.clone());
    Some(Workers(tokio::spawn(run(db, settings, outbound))))
}

async fn run(db: Db, settings: WorkerSettings, outbound: Outbound) {
    let slots = Arc::new(Semaphore::new(settings.concurrency));
    let mut attempts = tokio::task::JoinSet::new();
    loop {
        let mut busy = false;
        match fan_out(&db).await {
            Ok(n) => busy |= n > 0,
            Err(e) => tracing::warn!(error = %e, "webhook fan-out failed"),
        }
        let free = slots.available_permits();
        if free > 0 {
            match db
                .transaction(async |tx| {
                    db::webhooks::claim(tx, free as i64, LEASE.as_millis() as i64).await
                })
                .await
            {
                Ok(ids) => {
                    busy |= !ids.is_empty();
                    for id in ids {
                        let Ok(permit) = slots.clone().acquire_owned().await else {
                            return;
                        };
                        let (db, outbound, retry) = (db.clone(), outbound.clone(), settings.retry);
                        attempts.spawn(async move {
                            if let Err(e) = attempt(&db, &outbound, retry, id).await {
                                tracing::warn!(error = %e, delivery = %id, "webhook attempt not recorded");
                            }
                            drop(permit);
                        });
                    }
                }
                Err(e) => tracing::warn!(error = %e, "webhook claim failed"),
            }
        }
        while attempts.try_join_next().is_some() {}
        let pause = if busy {
            Duration::from_millis(20)
        } else {
            settings.idle_poll
        };
        tokio::time::sleep(pause).await;
    }
}

/// The owner as a caller of the feed, or `None` when it is no longer active.
async fn owner_principal(db: &Db, sub: &SubscriptionRow) -> AppResult<Option<Principal>> {
    let id = sub.owner_id;
    Ok(match sub.owner_kind {
        OwnerKind::User => db
            .read(async |c| db::users::auth_state(c, id).await)
            .await?
            .filter(|u| u.active)
            .map(|u| Principal {
                kind: PrincipalKind::User,
                id,
                name: u.username,
                organization_id: u.organization_id,
                roles: u.roles,
                scopes: vec![],
            }),
        OwnerKind::Client => db
            .read(async |c| db::clients::get(c, id).await)
            .await?
            .filter(|c| c.active)
            .map(|c| Principal {
                kind: PrincipalKind::Client,
                id,
                name: c.client_id,
                organization_id: c.organization_id,
                roles: vec![],
                scopes: c.scopes,
            }),
    })
}

/// Turn the feed past each active subscription's cursor into deliveries:
/// the events its owner may read (`service::events::after`, the feed's own
/// authorisation) that pass its filters. The subscription is locked with
/// `SKIP LOCKED` at the cursor read, so one instance fans out each range.
pub async fn fan_out(db: &Db) -> AppResult<usize> {
    // Number what has committed, so the head below includes it (docs/feed.md).
    crate::service::events::settle(db).await?;
    let head = db.read(async |c| db::webhooks::feed_head(c).await).await?;
    let subs = db
        .read(async |c| db::webhooks::behind(c, head, FANOUT_SUBSCRIPTIONS).await)
        .await?;
    let mut scheduled = 0;
    for sub in subs {
        let Some(owner) = owner_principal(db, &sub).await? else {
            continue;
        };
        let events = crate::service::events::after(db, &owner, sub.cursor, FANOUT_BATCH)
            .await?
            .events;
        let Some(last) = events.last().map(|e| e.id) else {
            continue;
        };
        let now = Utc::now();
        let org = sub.organization_id.map(|o| o.uuid());
        let new: Vec<NewDelivery> = events
            .iter()
            .filter(|e| wants(&sub.event_types, org, &e.type_, e.organization_id))
            .map(|e| NewDelivery {
                id: DeliveryId::generate(),
                subscription_id: sub.id,
                event_id: e.id,
                origin: crate::domain::webhooks::DeliveryOrigin::Feed,
                attempt: 1,
                due_at: now,
                series_started_at: now,
            })
            .collect();
        scheduled += db
            .transaction(async |tx| {
                if db::webhooks::lock_for_fanout(tx, sub.id, sub.cursor)
                    .await?
                    .is_none()
                {
                    return Ok(0);
                }
                let n = db::webhooks::insert_deliveries(tx, &new).await?;
                db::webhooks::set_cursor(tx, sub.id, last).await?;
                Ok::<_, db::Error>(n)
            })
            .await?;
    }
    Ok(scheduled)
}

/// The event exactly as `GET /api/v1/events` shows it (same fields, same order).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FeedEvent<'a> {
    id: i64,
    #[serde(rename = "type")]
    type_: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    occurred_at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    organization_id: Option<Uuid>,
    data: &'a Value,
}

/// The body a delivery of `e` carries.
pub fn body_of(e: &EventRow) -> Vec<u8> {
    serde_json::to_vec(&FeedEvent {
        id: e.id,
        type_: &e.type_,
        entity: &e.entity,
        entity_id: &e.entity_id,
        occurred_at: e.occurred_at,
        actor_id: e.actor_id,
        organization_id: e.organization_id,
        data: &e.data,
    })
    .unwrap_or_default()
}

/// Make one claimed attempt and record what came of it.
async fn attempt(
    db: &Db,
    outbound: &Outbound,
    retry: RetryPolicy,
    id: DeliveryId,
) -> AppResult<()> {
    let Some((d, sub, event)) = db
        .read(async |c| db::webhooks::claimed_context(c, id).await)
        .await?
    else {
        return Ok(());
    };
    let body = body_of(&event);
    let now = Utc::now();
    let ts = now.timestamp();
    let msg_id = event.id.to_string();
    let previous = sub
        .previous_secret
        .as_deref()
        .zip(sub.previous_secret_until);
    let signature = signature_header(
        &signing_secrets(&sub.secret, previous, now),
        &msg_id,
        ts,
        &body,
    );
    let headers = [
        ("webhook-id", msg_id),
        ("webhook-timestamp", ts.to_string()),
        ("webhook-signature", signature),
    ];
    let start = Instant::now();
    let result = outbound.post(&sub.url, &headers, &body).await;
    let latency_ms = elapsed_ms(start);
    let outcome = match result {
        Ok(a) => Outcome {
            status: if (200..300).contains(&a.status) {
                DeliveryStatus::Succeeded
            } else {
                DeliveryStatus::Failed
            },
            attempted_at: now,
            response_status: Some(a.status as i32),
            latency_ms,
            response_body: Some(String::from_utf8_lossy(&a.body).into_owned()),
            error: (!(200..300).contains(&a.status)).then(|| format!("answered {}", a.status)),
        },
        Err(e) => Outcome {
            status: DeliveryStatus::Failed,
            attempted_at: now,
            response_status: None,
            latency_ms,
            response_body: None,
            error: Some(e.to_string()),
        },
    };
    record_outcome(db, retry, d, outcome).await
}

/// Finish the attempt; after a failure schedule the next one, or, past the
/// retry window, pause the webhook (`webhook.paused`, by the system) with
/// the next attempt waiting for its resume: nothing is skipped.
async fn record_outcome(db: &Db, retry: RetryPolicy, d: DeliveryRow, o: Outcome) -> AppResult<()> {
    let failed = o.status == DeliveryStatus::Failed;
    db.transaction(async |tx| -> AppResult<_> {
        if db::webhooks::finish(tx, d.id, o).await?.is_none() || !failed {
            return Ok(());
        }
        let now = Utc::now();
        let jitter: f64 = rand::random();
        let next = retry.next_attempt(d.attempt as u32, d.series_started_at, now, jitter);
        db::webhooks::insert_delivery(
            tx,
            NewDelivery {
                id: DeliveryId::generate(),
                subscription_id: d.subscription_id,
                event_id: d.event_id,
                origin: d.origin,
                attempt: d.attempt + 1,
                due_at: next.unwrap_or(now),
                series_started_at: if next.is_some() {
                    d.series_started_at
                } else {
                    now
                },
            },
        )
        .await?;
        if next.is_none()
            && let Some(sub) = db::webhooks::lock(tx, d.subscription_id).await?
            && sub.status == WebhookStatus::Active
        {
            let before = Webhook::from(sub);
            let after: Webhook = db::webhooks::update(
                tx,
                d.subscription_id,
                SubscriptionChanges {
                    status: Some(WebhookStatus::Paused),
                    paused_reason: Some(Some(PauseReason::Failing)),
                    ..Default::default()
                },
            )
            .await?
            .into();
            record(
                tx,
                &Principal::system(),
                Change::updated("webhook.paused", &before, &after),
            )
            .await?;
            tracing::warn!(webhook = %d.subscription_id, "webhook paused: deliveries kept failing");
        }
        Ok(())
    })
    .await
}
