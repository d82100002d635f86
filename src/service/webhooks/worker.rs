//! The delivery workers: in-process tasks that fan the feed out into
//! deliveries and make the due attempts. Every step claims its rows with
//! `FOR UPDATE SKIP LOCKED`, so any number of instances on one database
//! share the work with no coordinator; a crashed instance's claim lapses
//! after its lease (`WEBHOOK_LEASE_SECS`) and another makes the attempt again (at least once).

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
    /// How long a claim holds an attempt (`WEBHOOK_LEASE_SECS`, more than
    /// the attempt's 10 s): a crashed instance's attempt is made again after it.
    pub lease: Duration,
    /// How often each term's deadlines are looked at (`None`: no reminders).
    pub deadline_scan: Option<Duration>,
    /// Reminder mail, where `SMTP_URL` is set.
    pub mailer: Option<crate::service::deadlines::mail::Mailer>,
}

impl WorkerSettings {
    pub fn from_config(c: &crate::Config) -> WorkerSettings {
        WorkerSettings {
            concurrency: c.webhook_concurrency,
            retry: c.webhook_retry,
            allow_hosts: c.webhook_allow_hosts.clone(),
            idle_poll: Duration::from_millis(500),
            lease: c.webhook_lease,
            deadline_scan: c.deadline_scan,
            mailer: c.smtp_url.as_deref().and_then(|url| {
                crate::service::deadlines::mail::Mailer::new(url, &c.mail_from)
                    .inspect_err(|e| tracing::error!(error = %e, "reminder mail is off"))
                    .ok()
            }),
        }
    }
}

/// The running workers; dropping the handle stops them.
pub struct Workers(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Workers {
    fn drop(&mut self) {
        for h in &self.0 {
            h.abort();
        }
    }
}

/// Start this instance's workers (deliveries; deadlines and their mail),
/// or none when `concurrency` is 0.
pub fn start(db: Db, settings: WorkerSettings) -> Option<Workers> {
    if settings.concurrency == 0 {
        return None;
    }
    let outbound = Outbound::new(settings.allow_hosts.clone());
    let mut tasks = vec![tokio::spawn(run(db.clone(), settings.clone(), outbound))];
    if let Some(every) = settings.deadline_scan {
        tasks.push(tokio::spawn(deadlines(db, settings, every)));
    }
    Some(Workers(tasks))
}

/// The deadline worker: reminders of the terms due a look, then their mail.
async fn deadlines(db: Db, settings: WorkerSettings, every: Duration) {
    use crate::service::deadlines::{mail, reminders};
    // A term is looked at every `every`; this instance asks for due terms
    // at most once a second (or as often as its idle poll, in the tests).
    let poll = every
        .min(Duration::from_secs(1))
        .min(settings.idle_poll * 4);
    loop {
        if let Err(e) = reminders::scan(&db, every, settings.mailer.is_some()).await {
            tracing::warn!(error = %e, "deadline scan failed");
        }
        if let Some(m) = &settings.mailer
            && let Err(e) = mail::send_round(&db, m).await
        {
            tracing::warn!(error = %e, "reminder mail round failed");
        }
        tokio::time::sleep(poll).await;
    }
}

async fn run(db: Db, settings: WorkerSettings, outbound: Outbound) {
    let slots = Arc::new(Semaphore::new(settings.concurrency));
    // An attempt that ends wakes the loop: the webhook's next event can be
    // claimed at once instead of after the pause.
    let done = Arc::new(tokio::sync::Notify::new());
    let mut attempts = tokio::task::JoinSet::new();
    loop {
        let mut busy = false;
        match fan_out(&db).await {
            Ok(n) => busy |= n > 0,
            Err(e) => tracing::warn!(error = %e, "webhook fan-out failed"),
        }
        let free = slots.available_permits();
        let lease_ms = settings.lease.as_millis() as i64;
        if free > 0 {
            match db
                .transaction(async |tx| db::webhooks::claim(tx, free as i64, lease_ms).await)
                .await
            {
                Ok(ids) => {
                    busy |= !ids.is_empty();
                    for id in ids {
                        let Ok(permit) = slots.clone().acquire_owned().await else {
                            return;
                        };
                        let (db, outbound, retry) = (db.clone(), outbound.clone(), settings.retry);
                        let done = done.clone();
                        attempts.spawn(async move {
                            if let Err(e) = attempt(&db, &outbound, retry, id).await {
                                tracing::warn!(error = %e, delivery = %id, "webhook attempt not recorded");
                            }
                            drop(permit);
                            done.notify_one();
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
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = done.notified() => {}
        }
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
            // This webhook's own ping was delivered to it directly
            // (`deliveries::ping`): not a second time from the feed.
            .filter(|e| !(e.type_ == "webhook.pinged" && e.entity_id == sub.id.to_string()))
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
