//! The few names the printable documents need beside their records
//! (docs/documents.md): organisations and people by id, in one statement each.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::{organizations as o, people as p};
use crate::domain::ids::{OrganizationId, PersonId};

/// An organisation as a document names it.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct OrgName {
    pub id: OrganizationId,
    pub code: String,
    pub name: String,
}

/// A person as a document names them: name, position, organisation.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct PersonName {
    pub id: PersonId,
    pub full_name: String,
    pub position: Option<String>,
    pub organization_id: OrganizationId,
}

pub async fn organizations(c: &mut Conn, ids: &[Uuid]) -> Result<Vec<OrgName>> {
    Ok(o::table
        .filter(o::id.eq_any(ids))
        .select((o::id, o::code, o::name))
        .order(o::code.asc())
        .load(c)
        .await?)
}

pub async fn people(c: &mut Conn, ids: &[Uuid]) -> Result<Vec<PersonName>> {
    Ok(p::table
        .filter(p::id.eq_any(ids))
        .select((p::id, p::full_name, p::position, p::organization_id))
        .load(c)
        .await?)
}
