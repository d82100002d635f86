//! Reading and verifying the audit trail.

use crate::auth::Principal;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::db::{self, Db};
use crate::domain::paging::{Cursor, PageRequest};
use crate::error::AppResult;

pub async fn list(
    db: &Db,
    caller: &Principal,
    mut filter: AuditFilter,
    page: PageRequest,
) -> AppResult<(Vec<AuditRow>, Option<String>)> {
    caller.require_admin()?;
    filter.before_id = page.cursor.as_ref().map(Cursor::i64).transpose()?;
    filter.limit = page.limit + 1;
    let mut rows = db.read(async |c| db::audit::list(c, &filter).await).await?;
    let next = page.next_cursor(&mut rows, |r| Cursor::from_i64(r.id));
    Ok((rows, next))
}

/// `(rows checked, first broken row id)`.
pub async fn verify(db: &Db) -> AppResult<(i64, Option<i64>)> {
    db.transaction(async |c| db::audit::verify(c).await).await
}
