//! Managing webhook subscriptions: create (the secret shown once), read,
//! change, pause, resume, delete, rotate the secret.

use chrono::{DateTime, Utc};

use super::outbound::check_target;
use super::{Webhook, may_manage, owner_of};
use crate::auth::Principal;
use crate::db::webhooks::{NewSubscription, SubscriptionChanges, SubscriptionRow};
use crate::db::{self, Conn, Db};
use crate::domain::ids::{OrganizationId, WebhookId};
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::domain::webhooks::{PauseReason, WebhookStatus, generate_secret};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::service::{Audited, Change, check_version, record, update};

pub struct CreateWebhook {
    pub url: String,
    pub event_types: Vec<String>,
    pub organization_id: Option<OrganizationId>,
}

/// A patch: `None` keeps the value; `organization_id: Some(None)` drops the filter.
pub struct UpdateWebhook {
    pub url: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub organization_id: Option<Option<OrganizationId>>,
}

fn new_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    generate_secret(bytes)
}

fn normalise_types(mut types: Vec<String>) -> Vec<String> {
    types.sort();
    types.dedup();
    types
}

fn unknown_org() -> impl FnOnce() -> AppError {
    || AppError::new(ErrorCode::UnknownOrganization)
}

/// Register a webhook for the caller (the admin, or a service client for
/// itself); it starts at the feed's head. The secret is returned here, once.
pub async fn create_webhook(
    db: &Db,
    allow_hosts: &[String],
    caller: &Principal,
    cmd: CreateWebhook,
) -> AppResult<(Webhook, String)> {
    let (owner_kind, owner_id) = owner_of(caller)?;
    check_target(&cmd.url, allow_hosts).await?;
    let secret = new_secret();
    // The head of everything committed so far (docs/feed.md): settle first.
    crate::service::events::settle(db).await?;
    let webhook = db
        .transaction(async |tx| -> AppResult<_> {
            let cursor = db::webhooks::feed_head(tx).await?;
            let row = db::webhooks::insert(
                tx,
                NewSubscription {
                    id: WebhookId::generate(),
                    owner_kind,
                    owner_id,
                    url: cmd.url.clone(),
                    event_types: normalise_types(cmd.event_types.clone()),
                    organization_id: cmd.organization_id,
                    secret: secret.clone(),
                    cursor,
                },
            )
            .await
            .on_constraint("webhook_subscriptions_organization_id_fkey", unknown_org())?;
            let webhook = Webhook::from(row);
            record(tx, caller, Change::created("webhook.created", &webhook)).await?;
            Ok(webhook)
        })
        .await?;
    Ok((webhook, secret))
}

/// Keyset page in creation order: every webhook for the admin, its own for a client.
pub async fn list_webhooks(
    db: &Db,
    caller: &Principal,
    page: PageRequest,
) -> AppResult<Page<Webhook>> {
    owner_of(caller)?;
    let owner = (!caller.is_admin()).then_some(caller.id);
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let rows = db
        .read(async |c| db::webhooks::list(c, owner, after, page.fetch()).await)
        .await?;
    Ok(page
        .page(rows, |r| Cursor::from_uuid(r.id.uuid()))
        .map(Webhook::from))
}

pub async fn get_webhook(db: &Db, caller: &Principal, id: WebhookId) -> AppResult<Webhook> {
    owner_of(caller)?;
    let row = db
        .read(async |c| db::webhooks::get(c, id).await)
        .await?
        .ok_or(AppError::not_found(Webhook::ENTITY))?;
    may_manage(caller, &row)?;
    Ok(row.into())
}

/// The row locked, if the caller may manage it (else a 404 or 403).
async fn lock_managed(
    tx: &mut Conn,
    caller: &Principal,
    id: WebhookId,
) -> AppResult<Option<SubscriptionRow>> {
    let row = db::webhooks::lock(tx, id).await?;
    if let Some(r) = &row {
        may_manage(caller, r)?;
    }
    Ok(row)
}

/// The same transaction's change of the locked row, audited as `action`.
async fn change(
    db: &Db,
    caller: &Principal,
    id: WebhookId,
    expected: Option<i32>,
    action: &'static str,
    apply: impl AsyncFnOnce(&mut Conn, &Webhook) -> AppResult<SubscriptionChanges>,
) -> AppResult<Webhook> {
    owner_of(caller)?;
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            action,
            expected,
            async |tx| Ok(lock_managed(tx, caller, id).await?.map(Webhook::from)),
            async |tx, before| {
                let changes = apply(tx, before).await?;
                Ok(db::webhooks::update(tx, id, changes)
                    .await
                    .on_constraint("webhook_subscriptions_organization_id_fkey", unknown_org())?
                    .into())
            },
        )
        .await
    })
    .await
}

/// Change the URL, the type filters or the organisation filter.
pub async fn update_webhook(
    db: &Db,
    allow_hosts: &[String],
    caller: &Principal,
    id: WebhookId,
    expected: Option<i32>,
    cmd: UpdateWebhook,
) -> AppResult<Webhook> {
    if let Some(url) = &cmd.url {
        owner_of(caller)?;
        check_target(url, allow_hosts).await?;
    }
    change(db, caller, id, expected, "webhook.updated", async |_, _| {
        Ok(SubscriptionChanges {
            url: cmd.url,
            event_types: cmd.event_types.map(normalise_types),
            organization_id: cmd.organization_id,
            ..Default::default()
        })
    })
    .await
}

/// Stop delivering (what the feed gains meanwhile is delivered on resume).
pub async fn pause_webhook(
    db: &Db,
    caller: &Principal,
    id: WebhookId,
    expected: Option<i32>,
) -> AppResult<Webhook> {
    change(
        db,
        caller,
        id,
        expected,
        "webhook.paused",
        async |_, before| {
            if before.status == WebhookStatus::Paused {
                return Err(AppError::new(ErrorCode::WebhookAlreadyPaused));
            }
            Ok(SubscriptionChanges {
                status: Some(WebhookStatus::Paused),
                paused_reason: Some(Some(PauseReason::Manual)),
                ..Default::default()
            })
        },
    )
    .await
}

/// Deliver again from where it stopped: the attempt that failed (when it
/// paused by itself) starts a new retry series now.
pub async fn resume_webhook(
    db: &Db,
    caller: &Principal,
    id: WebhookId,
    expected: Option<i32>,
) -> AppResult<Webhook> {
    change(
        db,
        caller,
        id,
        expected,
        "webhook.resumed",
        async |tx, before| {
            if before.status != WebhookStatus::Paused {
                return Err(AppError::new(ErrorCode::WebhookNotPaused));
            }
            db::webhooks::restart_series(tx, id).await?;
            Ok(SubscriptionChanges {
                status: Some(WebhookStatus::Active),
                paused_reason: Some(None),
                ..Default::default()
            })
        },
    )
    .await
}

/// A new secret; the previous one keeps signing for `overlap` (both
/// signatures in the header meanwhile). Returned here, once.
pub async fn rotate_webhook_secret(
    db: &Db,
    caller: &Principal,
    id: WebhookId,
    overlap: chrono::Duration,
) -> AppResult<(Webhook, String)> {
    let secret = new_secret();
    let now: DateTime<Utc> = Utc::now();
    let webhook = db
        .transaction(async |tx| -> AppResult<_> {
            let current = lock_managed(tx, caller, id)
                .await?
                .ok_or(AppError::not_found(Webhook::ENTITY))?;
            let (previous, until) = if overlap > chrono::Duration::zero() {
                (Some(current.secret.clone()), Some(now + overlap))
            } else {
                (None, None)
            };
            let before = Webhook::from(current);
            let after: Webhook = db::webhooks::update(
                tx,
                id,
                SubscriptionChanges {
                    secret: Some(secret.clone()),
                    previous_secret: Some(previous),
                    previous_secret_until: Some(until),
                    ..Default::default()
                },
            )
            .await?
            .into();
            record(
                tx,
                caller,
                Change::updated("webhook.secret_rotated", &before, &after),
            )
            .await?;
            Ok(after)
        })
        .await?;
    Ok((webhook, secret))
}

/// Delete a webhook and its delivery history.
pub async fn delete_webhook(
    db: &Db,
    caller: &Principal,
    id: WebhookId,
    expected: Option<i32>,
) -> AppResult<()> {
    owner_of(caller)?;
    db.transaction(async |tx| -> AppResult<_> {
        let before: Webhook = lock_managed(tx, caller, id)
            .await?
            .ok_or(AppError::not_found(Webhook::ENTITY))?
            .into();
        check_version(expected, before.version())?;
        db::webhooks::delete(tx, id).await?;
        let mut change = Change::created("webhook.deleted", &before);
        change.before = change.after.take();
        record(tx, caller, change).await?;
        Ok(())
    })
    .await
}
