//! Users: people who log in (admin only). Create, read, list, change,
//! disable, reset the password; a change that takes something away revokes
//! the user's tokens at once.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::Principal;
use crate::auth::password::{self, MIN_PASSWORD_LEN};
use crate::db::users::{NewUser, UserChanges, UserQuery, UserRow};
use crate::db::{self, Db};
use crate::domain::identity::Role;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::error::{AppError, AppResult, ErrorCode, FieldError, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record, update};

/// A user as the use cases return it; its serialisation is what the audit
/// trail records (never the password hash or the token version).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub full_name: String,
    /// The organisation the user acts for; `None` province-wide.
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub active: bool,
    /// Where deadline reminders are mailed (a leader's or officer's).
    pub email: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for User {
    fn from(u: UserRow) -> Self {
        User {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            organization_id: u.organization_id,
            roles: u.roles,
            active: u.active,
            email: u.email,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

impl Audited for User {
    const ENTITY: &'static str = "user";
    fn entity_id(&self) -> String {
        self.id.to_string()
    }
    fn version(&self) -> i32 {
        self.version
    }
    fn organization_id(&self) -> Option<Uuid> {
        self.organization_id
    }
    /// The feed is readable by every caller: identities only.
    fn event_data(&self) -> Option<Value> {
        Some(json!({"id": self.id}))
    }
}

pub struct CreateUser {
    pub username: String,
    pub full_name: String,
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub password: String,
    pub email: Option<String>,
}

#[derive(Default)]
pub struct UpdateUser {
    pub full_name: Option<String>,
    pub organization_id: Option<Option<Uuid>>,
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    /// `Some(None)` removes the address.
    pub email: Option<Option<String>>,
}

/// Which users a list shows.
#[derive(Debug, Default)]
pub struct UserFilter {
    pub organization_id: Option<Uuid>,
    pub role: Option<Role>,
    pub active: Option<bool>,
}

fn check_password(p: &str) -> AppResult<()> {
    if p.chars().count() < MIN_PASSWORD_LEN {
        return Err(AppError::validation(vec![FieldError {
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

pub async fn create_user(db: &Db, caller: &Principal, cmd: CreateUser) -> AppResult<User> {
    caller.require_admin()?;
    check_password(&cmd.password)?;
    let roles = role_set(&cmd.roles);
    check_org_for_roles(&roles, cmd.organization_id)?;
    let hash = password::hash(cmd.password).await?;
    let username = cmd.username.trim().to_lowercase();
    let full_name = nfc(&cmd.full_name);
    db.transaction(async |tx| {
        let user: User = db::users::insert(
            tx,
            NewUser {
                id: Uuid::now_v7(),
                username: &username,
                full_name: &full_name,
                organization_id: cmd.organization_id,
                roles,
                password_hash: &hash,
                email: cmd.email.as_deref().map(str::trim),
            },
        )
        .await
        .on_constraint("users_username_key", || ErrorCode::UsernameTaken)?
        .into();
        record(tx, caller, Change::created("user.created", &user)).await?;
        Ok(user)
    })
    .await
}

/// Keyset page in creation order (admin).
pub async fn list_users(
    db: &Db,
    caller: &Principal,
    filter: UserFilter,
    page: PageRequest,
) -> AppResult<Page<User>> {
    caller.require_admin()?;
    let query = UserQuery {
        organization_id: filter.organization_id,
        role: filter.role,
        active: filter.active,
        after: page.cursor.as_ref().map(Cursor::uuid).transpose()?,
        limit: page.fetch(),
    };
    let rows = db.read(async |c| db::users::list(c, &query).await).await?;
    Ok(page.page(rows, |u| Cursor::from_uuid(u.id)).map(User::from))
}

pub async fn get_user(db: &Db, caller: &Principal, id: Uuid) -> AppResult<User> {
    caller.require_admin()?;
    db.read(async |c| db::users::get(c, id).await)
        .await?
        .map(User::from)
        .ok_or(AppError::not_found("user"))
}

/// The update skeleton for users: `build` decides the changes and whether
/// they revoke the user's tokens.
async fn change_user(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    action: &'static str,
    build: impl FnOnce(&User) -> AppResult<(UserChanges, bool)>,
) -> AppResult<User> {
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            action,
            expected_version,
            async |tx| Ok(db::users::lock(tx, id).await?.map(User::from)),
            async |tx, before| {
                let (changes, revoke) = build(before)?;
                Ok(db::users::update(tx, id, changes, revoke).await?.into())
            },
        )
        .await
    })
    .await
}

pub async fn update_user(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    cmd: UpdateUser,
) -> AppResult<User> {
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
                email: cmd.email.clone().map(|e| e.map(|e| e.trim().to_string())),
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
) -> AppResult<User> {
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
) -> AppResult<User> {
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

/// Is there an active admin? (`serve` says how to create one when not.)
pub async fn admin_exists(db: &Db) -> AppResult<bool> {
    Ok(db.read(async |c| db::users::admin_exists(c).await).await?)
}

/// Bootstrap from the command line (`thidua user add`).
pub async fn bootstrap_user(db: &Db, cmd: CreateUser) -> AppResult<User> {
    create_user(db, &Principal::system(), cmd).await
}
