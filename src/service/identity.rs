//! Users, service clients and tokens: who may call, and how they prove it.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use super::{Change, check_version, record};
use crate::auth::jwt::{Claims, JwtKeys, claims_for};
use crate::auth::password::{self, Hasher, MIN_PASSWORD_LEN};
use crate::auth::{Principal, PrincipalKind, Role, Scope};
use crate::db::clients::{ClientRow, NewClient};
use crate::db::login_failures::{Limits, Outcome, Reservation};
use crate::db::users::{NewUser, UserChanges, UserFilter, UserRow};
use crate::db::{self, Db};
use crate::domain::paging::{Cursor, PageRequest};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;

pub struct CreateUser {
    pub username: String,
    pub full_name: String,
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub password: String,
}

#[derive(Default)]
pub struct UpdateUser {
    pub full_name: Option<String>,
    pub organization_id: Option<Option<Uuid>>,
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
}

pub struct CreateClient {
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub organization_id: Option<Uuid>,
}

pub enum Grant {
    Password {
        username: String,
        password: String,
    },
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
}

pub struct IssuedToken {
    pub access_token: String,
    pub expires_in: u64,
}

fn user_json(u: &UserRow) -> serde_json::Value {
    json!({
        "id": u.id, "username": u.username, "fullName": u.full_name,
        "organizationId": u.organization_id, "roles": u.roles, "active": u.active, "version": u.version,
    })
}

fn client_json(c: &ClientRow) -> serde_json::Value {
    json!({
        "id": c.id, "clientId": c.client_id, "name": c.name, "scopes": c.scopes,
        "organizationId": c.organization_id, "active": c.active, "version": c.version,
    })
}

fn check_password(p: &str) -> AppResult<()> {
    if p.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::validation(vec![crate::error::FieldError {
            field: "password".into(),
            code: "length".into(),
            message: format!("at least {MIN_PASSWORD_LEN} characters"),
        }]));
    }
    Ok(())
}

/// Roles are stored sorted, each once.
fn role_set(roles: &[Role]) -> Vec<Role> {
    let mut v = roles.to_vec();
    v.sort();
    v.dedup();
    v
}

/// Leaders and officers act for one organisation; the database says the
/// same (`users_org_for_unit_roles`), this says it clearly.
fn check_org_for_roles(roles: &[Role], org: Option<Uuid>) -> AppResult<()> {
    if org.is_none()
        && roles
            .iter()
            .any(|r| matches!(r, Role::Leader | Role::Officer))
    {
        return Err(AppError::new(ErrorCode::OrganizationRequired));
    }
    Ok(())
}

pub async fn create_user(db: &Db, caller: &Principal, cmd: CreateUser) -> AppResult<UserRow> {
    caller.require_admin()?;
    check_password(&cmd.password)?;
    let roles = role_set(&cmd.roles);
    check_org_for_roles(&roles, cmd.organization_id)?;
    let hash = password::hash(cmd.password).await?;
    let username = cmd.username.trim().to_lowercase();
    let full_name = nfc(&cmd.full_name);
    db.transaction(async |tx| {
        let user = db::users::insert(
            tx,
            NewUser {
                id: Uuid::now_v7(),
                username: &username,
                full_name: &full_name,
                organization_id: cmd.organization_id,
                roles,
                password_hash: &hash,
            },
        )
        .await
        .on_constraint("users_username_key", || ErrorCode::UsernameTaken)?;
        record(
            tx,
            caller,
            Change {
                action: "user.created",
                entity: "user",
                entity_id: user.id.to_string(),
                // The feed is readable by every caller: identities only.
                event_data: Some(json!({"id": user.id})),
                after: Some(user_json(&user)),
                organization_id: user.organization_id,
                ..Default::default()
            },
        )
        .await?;
        Ok(user)
    })
    .await
}

pub async fn list_users(
    db: &Db,
    caller: &Principal,
    mut filter: UserFilter,
    page: PageRequest,
) -> AppResult<(Vec<UserRow>, Option<String>)> {
    caller.require_admin()?;
    filter.after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    filter.limit = page.limit + 1;
    let mut rows = db.read(async |c| db::users::list(c, &filter).await).await?;
    let next = page.next_cursor(&mut rows, |u| Cursor::from_uuid(u.id));
    Ok((rows, next))
}

pub async fn get_user(db: &Db, caller: &Principal, id: Uuid) -> AppResult<UserRow> {
    caller.require_admin()?;
    db.read(async |c| db::users::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("user"))
}

/// Lock, compare the version (412 on mismatch), change, record.
async fn change_user(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    action: &'static str,
    build: impl FnOnce(&UserRow) -> AppResult<(UserChanges, bool)>,
) -> AppResult<UserRow> {
    db.transaction(async |tx| {
        let before = db::users::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("user"))?;
        check_version(expected_version, before.version)?;
        let (changes, revoke) = build(&before)?;
        let after = db::users::update(tx, id, changes, revoke).await?;
        record(
            tx,
            caller,
            Change {
                action,
                entity: "user",
                entity_id: id.to_string(),
                // The feed is readable by every caller: identities only.
                event_data: Some(json!({"id": id})),
                before: Some(user_json(&before)),
                after: Some(user_json(&after)),
                organization_id: after.organization_id,
                ..Default::default()
            },
        )
        .await?;
        Ok(after)
    })
    .await
}

pub async fn update_user(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    cmd: UpdateUser,
) -> AppResult<UserRow> {
    caller.require_admin()?;
    // As with `cannot_disable_self`: an admin cannot lock themselves out.
    if id == caller.id
        && (cmd.active == Some(false)
            || cmd
                .roles
                .as_ref()
                .is_some_and(|r| !r.contains(&Role::Admin)))
    {
        return Err(AppError::new(ErrorCode::CannotDemoteSelf));
    }
    change_user(db, caller, id, expected_version, "user.updated", |before| {
        let roles = cmd.roles.as_deref().map(role_set);
        let org = cmd.organization_id.unwrap_or(before.organization_id);
        check_org_for_roles(roles.as_ref().unwrap_or(&before.roles), org)?;
        // Taking roles, organisation or activity away revokes tokens at once.
        let revoke = cmd.active == Some(false)
            || roles.as_ref().is_some_and(|r| *r != before.roles)
            || cmd
                .organization_id
                .is_some_and(|o| o != before.organization_id);
        Ok((
            UserChanges {
                full_name: cmd.full_name.as_deref().map(nfc),
                organization_id: cmd.organization_id,
                roles,
                active: cmd.active,
                password_hash: None,
            },
            revoke,
        ))
    })
    .await
}

pub async fn disable_user(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<UserRow> {
    caller.require_admin()?;
    if id == caller.id {
        return Err(AppError::new(ErrorCode::CannotDisableSelf));
    }
    change_user(db, caller, id, expected_version, "user.disabled", |_| {
        Ok((
            UserChanges {
                active: Some(false),
                ..Default::default()
            },
            true,
        ))
    })
    .await
}

pub async fn reset_password(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    new_password: String,
) -> AppResult<UserRow> {
    caller.require_admin()?;
    check_password(&new_password)?;
    let hash = password::hash(new_password).await?;
    change_user(db, caller, id, None, "user.password_reset", |_| {
        Ok((
            UserChanges {
                password_hash: Some(hash),
                ..Default::default()
            },
            true,
        ))
    })
    .await
}

/// Create a service client; the secret is returned here and never again.
pub async fn create_client(
    db: &Db,
    caller: &Principal,
    cmd: CreateClient,
) -> AppResult<(ClientRow, String)> {
    caller.require_admin()?;
    let secret = password::random_secret(32);
    let hash = password::hash(secret.clone()).await?;
    let mut scopes = cmd.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let client_id = cmd.client_id.trim().to_lowercase();
    let name = nfc(&cmd.name);
    let row = db
        .transaction(async |tx| -> AppResult<_> {
            let row = db::clients::insert(
                tx,
                NewClient {
                    id: Uuid::now_v7(),
                    client_id: &client_id,
                    name: &name,
                    scopes,
                    organization_id: cmd.organization_id,
                    secret_hash: &hash,
                },
            )
            .await
            .on_constraint("service_clients_client_id_key", || ErrorCode::ClientIdTaken)?;
            record(
                tx,
                caller,
                Change {
                    action: "client.created",
                    entity: "client",
                    entity_id: row.id.to_string(),
                    // The feed is readable by every caller: identities only.
                    event_data: Some(json!({"id": row.id})),
                    after: Some(client_json(&row)),
                    organization_id: row.organization_id,
                    ..Default::default()
                },
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok((row, secret))
}

pub async fn list_clients(
    db: &Db,
    caller: &Principal,
    page: PageRequest,
) -> AppResult<(Vec<ClientRow>, Option<String>)> {
    caller.require_admin()?;
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let mut rows = db
        .read(async |c| db::clients::list(c, after, page.limit + 1).await)
        .await?;
    let next = page.next_cursor(&mut rows, |r| Cursor::from_uuid(r.id));
    Ok((rows, next))
}

pub async fn get_client(db: &Db, caller: &Principal, id: Uuid) -> AppResult<ClientRow> {
    caller.require_admin()?;
    db.read(async |c| db::clients::get(c, id).await)
        .await?
        .ok_or(AppError::not_found("client"))
}

pub async fn rotate_client_secret(
    db: &Db,
    caller: &Principal,
    id: Uuid,
) -> AppResult<(ClientRow, String)> {
    caller.require_admin()?;
    let secret = password::random_secret(32);
    let hash = password::hash(secret.clone()).await?;
    let row = db
        .transaction(async |tx| -> AppResult<_> {
            let before = db::clients::lock(tx, id)
                .await?
                .ok_or(AppError::not_found("client"))?;
            let row = db::clients::set_secret(tx, id, &hash).await?;
            record(
                tx,
                caller,
                Change {
                    action: "client.secret_rotated",
                    entity: "client",
                    entity_id: id.to_string(),
                    // The feed is readable by every caller: identities only.
                    event_data: Some(json!({"id": id})),
                    before: Some(client_json(&before)),
                    after: Some(client_json(&row)),
                    organization_id: row.organization_id,
                    ..Default::default()
                },
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok((row, secret))
}

pub async fn disable_client(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<ClientRow> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        let before = db::clients::lock(tx, id)
            .await?
            .ok_or(AppError::not_found("client"))?;
        check_version(expected_version, before.version)?;
        let row = db::clients::disable(tx, id).await?;
        record(
            tx,
            caller,
            Change {
                action: "client.disabled",
                entity: "client",
                entity_id: id.to_string(),
                // The feed is readable by every caller: identities only.
                event_data: Some(json!({"id": id})),
                before: Some(client_json(&before)),
                after: Some(client_json(&row)),
                organization_id: row.organization_id,
                ..Default::default()
            },
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Issue 12, item 2: failures allowed per (account, source address) in the
/// window; the next attempt from that source is 429 `too_many_failed_logins`.
pub const MAX_FAILURES_PER_SOURCE: i32 = 10;
/// Failures per account, from all sources together, after which attempts on
/// it are paced (`Config::login_pace` apart) instead of refused.
pub const PACE_AFTER_ACCOUNT_FAILURES: i32 = 10;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;
/// A paced attempt whose turn is further away than this is refused (429
/// `login_throttled`) rather than kept waiting.
pub const MAX_PACING_WAIT: Duration = Duration::from_secs(10);
/// How often a crowded source looks again for a free reservation.
const CROWDED_RETRY: Duration = Duration::from_millis(25);

/// How logins are bounded: the hashing slots and the pacing interval.
pub struct LoginGuard<'a> {
    pub hasher: &'a Hasher,
    pub pace: Duration,
}

/// Exchange credentials for a token (`source`: the caller's address key).
///
/// Every attempt is first reserved on its (account, source) pair and its
/// account, in the statements that check the limits (failures and
/// attempts in flight together), and settled once checked. A source past
/// `MAX_FAILURES_PER_SOURCE` is refused; an account past
/// `PACE_AFTER_ACCOUNT_FAILURES` is slowed, one attempt per `pace`, so
/// another source with the right password still logs in. An unknown account costs the same hashing time as a wrong
/// password, and hashing waits for a slot (503 `login_busy` after
/// `PASSWORD_HASH_WAIT_MS`).
pub async fn issue_token(
    db: &Db,
    keys: &JwtKeys,
    guard: &LoginGuard<'_>,
    grant: Grant,
    source: &str,
) -> AppResult<IssuedToken> {
    let (principal_key, name, secret) = match grant {
        Grant::Password { username, password } => {
            let name = username.trim().to_lowercase();
            (format!("user:{name}"), name, password)
        }
        Grant::ClientCredentials {
            client_id,
            client_secret,
        } => {
            let name = client_id.trim().to_lowercase();
            (format!("client:{name}"), name, client_secret)
        }
    };
    let is_user = principal_key.starts_with("user:");
    let limits = Limits {
        per_source: MAX_FAILURES_PER_SOURCE,
        per_account: PACE_AFTER_ACCOUNT_FAILURES,
        window_secs: FAILURE_WINDOW_SECS,
        pace_ms: guard.pace.as_millis() as i64,
        max_wait_ms: MAX_PACING_WAIT.as_millis() as i64,
    };
    // A source with as many checks in flight as it has failures left waits
    // for one to finish, as long as a login waits for a hashing slot.
    let deadline = tokio::time::Instant::now() + guard.hasher.login_wait();
    let wait_ms = loop {
        let r = db
            .transaction(async |tx| {
                match db::login_failures::reserve(tx, &principal_key, source, limits).await? {
                    Reservation::Go { wait_ms } => Ok(Some(wait_ms)),
                    Reservation::Crowded => Ok(None),
                    Reservation::SourceLocked { retry_after_secs } => {
                        Err(AppError::new(ErrorCode::TooManyFailedLogins)
                            .retry_after(retry_after_secs))
                    }
                    Reservation::Paced { retry_after_secs } => {
                        Err(AppError::new(ErrorCode::LoginThrottled).retry_after(retry_after_secs))
                    }
                }
            })
            .await?;
        match r {
            Some(wait_ms) => break wait_ms,
            None if tokio::time::Instant::now() + CROWDED_RETRY < deadline => {
                tokio::time::sleep(CROWDED_RETRY).await;
            }
            None => {
                return Err(AppError::new(ErrorCode::LoginBusy).retry_after(1));
            }
        }
    };
    if wait_ms > 0 {
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
    }

    let claims: Option<(Claims, String)> = if is_user {
        db.read(async |c| db::users::by_username(c, &name).await)
            .await?
            .filter(|(row, _)| row.active)
            .map(|(u, hash)| {
                let roles = u.roles.clone();
                let claims = claims_for(
                    PrincipalKind::User,
                    u.id,
                    &u.username,
                    roles,
                    &[],
                    u.organization_id,
                    u.token_version,
                );
                (claims, hash)
            })
    } else {
        db.read(async |c| db::clients::by_client_id(c, &name).await)
            .await?
            .filter(|(row, _)| row.active)
            .map(|(c, hash)| {
                let scopes = c.scopes.clone();
                let claims = claims_for(
                    PrincipalKind::Client,
                    c.id,
                    &c.client_id,
                    vec![],
                    &scopes,
                    c.organization_id,
                    c.token_version,
                );
                (claims, hash)
            })
    };
    // Both counters in one transaction, in the order `reserve` locks them:
    // a reservation never sees the address's attempt settled and the
    // account's still in flight (which would pace a right answer).
    let settle = async |outcome| {
        db.transaction(async |tx| {
            db::login_failures::settle(tx, &principal_key, source, outcome).await
        })
        .await
    };
    let Ok(permit) = guard.hasher.login_permit().await else {
        settle(Outcome::NotRun).await?;
        return Err(AppError::new(ErrorCode::LoginBusy).retry_after(1));
    };
    let (claims, hash) = match claims {
        Some((claims, hash)) => (Some(claims), Some(hash)),
        None => (None, None),
    };
    let ok = Hasher::verify(permit, secret, hash).await;
    match claims.filter(|_| ok) {
        Some(claims) => {
            settle(Outcome::Succeeded).await?;
            let (access_token, expires_in) = keys.issue(claims)?;
            Ok(IssuedToken {
                access_token,
                expires_in,
            })
        }
        None => {
            settle(Outcome::Failed).await?;
            Err(AppError::unauthenticated())
        }
    }
}

/// Delete failed-login counters whose window has ended (run by `serve`
/// with the idempotency purge, so the table holds at most a window's worth).
pub async fn purge_login_failures(db: &Db) -> AppResult<usize> {
    Ok(db
        .read(async |c| db::login_failures::purge_expired(c, FAILURE_WINDOW_SECS).await)
        .await?)
}

/// The live side of authentication: the account still exists, is active,
/// and the token's version is current. Roles and organisation come from the
/// database, so a change applies at once.
pub async fn principal_from_claims(db: &Db, claims: &Claims) -> AppResult<Principal> {
    let id: Uuid = claims
        .sub
        .parse()
        .map_err(|_| AppError::unauthenticated())?;
    match claims.typ {
        PrincipalKind::User => {
            let row = db
                .read(async |c| db::users::auth_state(c, id).await)
                .await?;
            match row {
                Some(u) if u.active && u.token_version == claims.tv => Ok(Principal {
                    kind: PrincipalKind::User,
                    id,
                    name: u.username,
                    organization_id: u.organization_id,
                    roles: u.roles,
                    scopes: vec![],
                }),
                _ => Err(AppError::unauthenticated()),
            }
        }
        PrincipalKind::Client => {
            let row = db.read(async |c| db::clients::get(c, id).await).await?;
            match row {
                Some(c) if c.active && c.token_version == claims.tv => Ok(Principal {
                    kind: PrincipalKind::Client,
                    id,
                    name: c.client_id,
                    organization_id: c.organization_id,
                    roles: vec![],
                    scopes: c.scopes,
                }),
                _ => Err(AppError::unauthenticated()),
            }
        }
    }
}

/// Is there an active admin? (`serve` says how to create one when not.)
pub async fn admin_exists(db: &Db) -> AppResult<bool> {
    Ok(db.read(async |c| db::users::admin_exists(c).await).await?)
}

/// Bootstrap from the command line (`thidua user add`).
pub async fn bootstrap_user(db: &Db, cmd: CreateUser) -> AppResult<UserRow> {
    create_user(db, &Principal::system(), cmd).await
}
