//! Failed token requests, for brute-force protection across instances.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::Conn;
use super::schema::login_failures as lf;
use crate::error::AppResult;

/// Failures for `principal` in the window, and the seconds until the oldest
/// of them leaves it.
pub async fn recent(c: &mut Conn, principal: &str, window_secs: i64) -> AppResult<(i64, i64)> {
    #[derive(QueryableByName)]
    struct R {
        #[diesel(sql_type = diesel::sql_types::Int8)]
        n: i64,
        #[diesel(sql_type = diesel::sql_types::Int8)]
        wait: i64,
    }
    let r: R = diesel::sql_query(
        "SELECT count(*) AS n,
                coalesce(ceil(extract(epoch FROM (min(failed_at) + make_interval(secs => $2)) - now()))::int8, 0) AS wait
           FROM login_failures
          WHERE principal = $1 AND failed_at > now() - make_interval(secs => $2)",
    )
    .bind::<diesel::sql_types::Text, _>(principal)
    .bind::<diesel::sql_types::Int8, _>(window_secs)
    .get_result(c)
    .await?;
    Ok((r.n, r.wait.max(1)))
}

pub async fn record(c: &mut Conn, principal: &str) -> AppResult<()> {
    diesel::insert_into(lf::table)
        .values(lf::principal.eq(principal))
        .execute(c)
        .await?;
    Ok(())
}

pub async fn clear(c: &mut Conn, principal: &str) -> AppResult<()> {
    diesel::delete(lf::table.filter(lf::principal.eq(principal)))
        .execute(c)
        .await?;
    Ok(())
}
