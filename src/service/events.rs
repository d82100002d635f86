//! Following the change feed.

use crate::auth::Principal;
use crate::db::events::EventRow;
use crate::db::{self, Db};
use crate::error::AppResult;

/// Any authenticated caller may follow the feed: it carries what the API
/// lets every reader see.
pub async fn after(
    db: &Db,
    _caller: &Principal,
    after: i64,
    limit: i64,
) -> AppResult<Vec<EventRow>> {
    Ok(db
        .read(async |c| db::events::after(c, after, limit).await)
        .await?)
}
