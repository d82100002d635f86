//! Service clients: other provincial systems with client credentials
//! (admin only). The secret is returned when created or rotated, never again.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::auth::Principal;
use crate::auth::password;
use crate::db::clients::{ClientRow, NewClient};
use crate::db::{self, Db};
use crate::domain::identity::Scope;
use crate::domain::paging::{Cursor, Page, PageRequest};
use crate::error::{AppError, AppResult, ErrorCode, OnConstraint};
use crate::i18n::nfc;
use crate::service::{Audited, Change, record, update};

/// A service client as the use cases return it; its serialisation is what
/// the audit trail records (never the secret's hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Client {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    /// When set, the client writes only for this organisation.
    pub organization_id: Option<Uuid>,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ClientRow> for Client {
    fn from(c: ClientRow) -> Self {
        Client {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            scopes: c.scopes,
            organization_id: c.organization_id,
            active: c.active,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

impl Audited for Client {
    const ENTITY: &'static str = "client";
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

pub struct CreateClient {
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub organization_id: Option<Uuid>,
}

/// Create a service client; the secret is returned here and never again.
pub async fn create_client(
    db: &Db,
    caller: &Principal,
    cmd: CreateClient,
) -> AppResult<(Client, String)> {
    caller.require_admin()?;
    let secret = password::random_secret(32);
    let hash = password::hash(secret.clone()).await?;
    let mut scopes = cmd.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let client_id = cmd.client_id.trim().to_lowercase();
    let name = nfc(&cmd.name);
    let client = db
        .transaction(async |tx| -> AppResult<_> {
            let client: Client = db::clients::insert(
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
            .on_constraint("service_clients_client_id_key", || ErrorCode::ClientIdTaken)?
            .into();
            record(tx, caller, Change::created("client.created", &client)).await?;
            Ok(client)
        })
        .await?;
    Ok((client, secret))
}

/// Keyset page in creation order (admin).
pub async fn list_clients(
    db: &Db,
    caller: &Principal,
    page: PageRequest,
) -> AppResult<Page<Client>> {
    caller.require_admin()?;
    let after = page.cursor.as_ref().map(Cursor::uuid).transpose()?;
    let rows = db
        .read(async |c| db::clients::list(c, after, page.fetch()).await)
        .await?;
    Ok(page
        .page(rows, |r| Cursor::from_uuid(r.id))
        .map(Client::from))
}

pub async fn get_client(db: &Db, caller: &Principal, id: Uuid) -> AppResult<Client> {
    caller.require_admin()?;
    db.read(async |c| db::clients::get(c, id).await)
        .await?
        .map(Client::from)
        .ok_or(AppError::not_found("client"))
}

/// A new secret (no `If-Match`: the old one is what is being replaced).
pub async fn rotate_client_secret(
    db: &Db,
    caller: &Principal,
    id: Uuid,
) -> AppResult<(Client, String)> {
    caller.require_admin()?;
    let secret = password::random_secret(32);
    let hash = password::hash(secret.clone()).await?;
    let client = db
        .transaction(async |tx| {
            update(
                tx,
                caller,
                "client.secret_rotated",
                None,
                async |tx| Ok(db::clients::lock(tx, id).await?.map(Client::from)),
                async |tx, _| Ok(db::clients::set_secret(tx, id, &hash).await?.into()),
            )
            .await
        })
        .await?;
    Ok((client, secret))
}

pub async fn disable_client(
    db: &Db,
    caller: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<Client> {
    caller.require_admin()?;
    db.transaction(async |tx| {
        update(
            tx,
            caller,
            "client.disabled",
            expected_version,
            async |tx| Ok(db::clients::lock(tx, id).await?.map(Client::from)),
            async |tx, _| Ok(db::clients::disable(tx, id).await?.into()),
        )
        .await
    })
    .await
}
