//! Queries on `conferences` and their attendees, representatives and documents.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use uuid::Uuid;

use super::Conn;
use super::Result;
use super::schema::{
    conference_attendees as ca, conference_documents as cd, conference_representatives as cr,
    conferences as cf,
};
use crate::domain::registry::ConferenceKind;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cf)]
pub struct ConferenceRow {
    pub id: Uuid,
    pub bloc_id: Uuid,
    pub year: i32,
    pub kind: ConferenceKind,
    pub held_on: NaiveDate,
    pub location: Option<String>,
    pub host_organization_id: Option<Uuid>,
    pub title: String,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cr)]
pub struct RepresentativeRow {
    pub conference_id: Uuid,
    pub ordinal: i32,
    pub organization_id: Option<Uuid>,
    pub full_name: String,
    pub position: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = cd)]
pub struct DocumentRow {
    pub conference_id: Uuid,
    pub ordinal: i32,
    pub title: String,
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub url: Option<String>,
    pub sha256: Option<String>,
}

/// A conference with everything recorded about it.
#[derive(Debug, Clone)]
pub struct Conference {
    pub row: ConferenceRow,
    pub attendees: Vec<Uuid>,
    pub representatives: Vec<RepresentativeRow>,
    pub documents: Vec<DocumentRow>,
}

pub async fn insert(c: &mut Conn, conf: &Conference) -> Result<()> {
    diesel::insert_into(cf::table)
        .values(&conf.row)
        .execute(c)
        .await?;
    write_children(c, conf).await
}

async fn write_children(c: &mut Conn, conf: &Conference) -> Result<()> {
    let id = conf.row.id;
    if !conf.attendees.is_empty() {
        let rows: Vec<_> = conf
            .attendees
            .iter()
            .map(|o| (ca::conference_id.eq(id), ca::organization_id.eq(*o)))
            .collect();
        diesel::insert_into(ca::table)
            .values(rows)
            .execute(c)
            .await?;
    }
    if !conf.representatives.is_empty() {
        diesel::insert_into(cr::table)
            .values(&conf.representatives)
            .execute(c)
            .await?;
    }
    if !conf.documents.is_empty() {
        diesel::insert_into(cd::table)
            .values(&conf.documents)
            .execute(c)
            .await?;
    }
    Ok(())
}

/// Replace the conference's fields and children; bumps the version.
pub async fn replace(c: &mut Conn, conf: &Conference) -> Result<ConferenceRow> {
    let id = conf.row.id;
    let r = &conf.row;
    let row = diesel::update(cf::table.find(id))
        .set((
            cf::kind.eq(r.kind),
            cf::held_on.eq(r.held_on),
            cf::location.eq(&r.location),
            cf::host_organization_id.eq(r.host_organization_id),
            cf::title.eq(&r.title),
            cf::version.eq(cf::version + 1),
            cf::updated_at.eq(diesel::dsl::now),
        ))
        .returning(ConferenceRow::as_returning())
        .get_result(c)
        .await?;
    diesel::delete(ca::table.filter(ca::conference_id.eq(id)))
        .execute(c)
        .await?;
    diesel::delete(cr::table.filter(cr::conference_id.eq(id)))
        .execute(c)
        .await?;
    diesel::delete(cd::table.filter(cd::conference_id.eq(id)))
        .execute(c)
        .await?;
    write_children(c, conf).await?;
    Ok(row)
}

pub async fn lock(c: &mut Conn, id: Uuid) -> Result<Option<ConferenceRow>> {
    Ok(cf::table
        .find(id)
        .select(ConferenceRow::as_select())
        .for_update()
        .first(c)
        .await
        .optional()?)
}

/// Conferences with their children: four queries whatever the count.
pub async fn load(c: &mut Conn, rows: Vec<ConferenceRow>) -> Result<Vec<Conference>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let att: Vec<(Uuid, Uuid)> = ca::table
        .filter(ca::conference_id.eq_any(&ids))
        .select((ca::conference_id, ca::organization_id))
        .load(c)
        .await?;
    let reps: Vec<RepresentativeRow> = cr::table
        .filter(cr::conference_id.eq_any(&ids))
        .order(cr::ordinal.asc())
        .select(RepresentativeRow::as_select())
        .load(c)
        .await?;
    let docs: Vec<DocumentRow> = cd::table
        .filter(cd::conference_id.eq_any(&ids))
        .order(cd::ordinal.asc())
        .select(DocumentRow::as_select())
        .load(c)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Conference {
            attendees: att
                .iter()
                .filter(|(c, _)| *c == row.id)
                .map(|(_, o)| *o)
                .collect(),
            representatives: reps
                .iter()
                .filter(|r| r.conference_id == row.id)
                .cloned()
                .collect(),
            documents: docs
                .iter()
                .filter(|d| d.conference_id == row.id)
                .cloned()
                .collect(),
            row,
        })
        .collect())
}

pub async fn get(c: &mut Conn, id: Uuid) -> Result<Option<Conference>> {
    let rows: Vec<ConferenceRow> = cf::table
        .find(id)
        .select(ConferenceRow::as_select())
        .load(c)
        .await?;
    Ok(load(c, rows).await?.pop())
}

pub async fn list(
    c: &mut Conn,
    bloc_id: Option<Uuid>,
    year: Option<i32>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Conference>> {
    let mut q = cf::table
        .select(ConferenceRow::as_select())
        .order(cf::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(b) = bloc_id {
        q = q.filter(cf::bloc_id.eq(b));
    }
    if let Some(y) = year {
        q = q.filter(cf::year.eq(y));
    }
    if let Some(a) = after {
        q = q.filter(cf::id.gt(a));
    }
    let rows = q.load(c).await?;
    load(c, rows).await
}

/// Does a conference with this bloc, date and title exist (demo idempotency)?
pub async fn find(
    c: &mut Conn,
    bloc_id: Uuid,
    held_on: NaiveDate,
    title: &str,
) -> Result<Option<Uuid>> {
    Ok(cf::table
        .filter(cf::bloc_id.eq(bloc_id))
        .filter(cf::held_on.eq(held_on))
        .filter(cf::title.eq(title))
        .select(cf::id)
        .first(c)
        .await
        .optional()?)
}
