//! Reads from a streaming replica (issue 18, item 6; docs/deploy.md,
//! "Reads from a replica").
//!
//! `DATABASE_REPLICA_URL` names a hot standby. The heavy reads (lists,
//! search, compliance, ranking, the change feed) take their `Db` from
//! [`Reads::choose`], which answers the replica only when all of these hold:
//! - the last poll reached it and it is still in recovery (a standby);
//! - its lag is within `REPLICA_MAX_LAG_MS`;
//! - it has replayed the caller's last write (`min_lsn`, the position the
//!   primary's WAL had reached when that write was answered).
//!
//! Otherwise the primary. Writes always go to the primary.
//!
//! Lag is measured in time, not bytes: every poll notes the primary's WAL
//! position and when it was seen; the lag is the age of the oldest noted
//! position the replica has not replayed yet (0 when it has replayed them
//! all). An idle primary therefore shows no lag, and a replica whose replay
//! stopped shows a lag growing from the first write it missed. It is exact
//! to within one poll interval.
//!
//! The replica's `Db` falls back to the primary by itself: a checkout that
//! cannot reach the replica, or a read whose replica connection was lost
//! mid-query, runs again on the primary (`Db::read`), and the replica is
//! marked unreachable until the next poll reaches it.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

use super::{Db, Error, Result};

/// A WAL position (`pg_lsn`): 64 bits, written `X/Y` in hex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(pub u64);

impl Lsn {
    /// Above every real position: "read from the primary" (a write whose
    /// position could not be read afterwards).
    pub const MAX: Lsn = Lsn(u64::MAX);

    pub fn parse(s: &str) -> Option<Lsn> {
        let (hi, lo) = s.trim().split_once('/')?;
        if hi.is_empty() || lo.is_empty() || hi.len() > 8 || lo.len() > 8 {
            return None;
        }
        let hi = u64::from_str_radix(hi, 16).ok()?;
        let lo = u64::from_str_radix(lo, 16).ok()?;
        Some(Lsn((hi << 32) | lo))
    }
}

impl std::fmt::Display for Lsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// Where a read was sent, and why (the `Thidua-Read-From` header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Replica,
    /// No replica is configured.
    PrimaryOnly,
    /// The replica was not reachable (or is no standby) at the last poll.
    ReplicaDown,
    /// The replica lags more than the bound.
    ReplicaLagging,
    /// The replica has not replayed the caller's last write yet.
    CallerAhead,
}

impl Route {
    /// `replica`, or `primary` and the reason (`primary; reason=lag`).
    pub fn header(self) -> &'static str {
        match self {
            Route::Replica => "replica",
            Route::PrimaryOnly => "primary",
            Route::ReplicaDown => "primary; reason=replica-down",
            Route::ReplicaLagging => "primary; reason=lag",
            Route::CallerAhead => "primary; reason=read-your-writes",
        }
    }
}

/// What the last poll saw.
#[derive(Debug, Clone)]
pub struct ReplicaStatus {
    pub reachable: bool,
    /// `pg_last_wal_replay_lsn()` on the replica.
    pub replayed: Option<Lsn>,
    pub lag: Duration,
}

struct Watch {
    status: ReplicaStatus,
    /// Primary positions not yet replayed by the replica, oldest first.
    pending: VecDeque<(Instant, Lsn)>,
}

struct Replica {
    db: Db,
    max_lag: Duration,
    watch: Mutex<Watch>,
}

/// The primary and, when configured, the replica and what is known of it.
#[derive(Clone)]
pub struct Reads {
    primary: Db,
    replica: Option<Arc<Replica>>,
}

#[derive(QueryableByName)]
struct LsnRow {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    lsn: Option<String>,
}

/// The primary's WAL position now (`pg_current_wal_insert_lsn()`): after a
/// write has committed, at or past its commit record.
pub async fn current_lsn(db: &Db) -> Result<Lsn> {
    let row: LsnRow = db
        .read(async |c| {
            Ok::<_, Error>(
                diesel::sql_query("SELECT pg_current_wal_insert_lsn()::text AS lsn")
                    .get_result::<LsnRow>(c)
                    .await?,
            )
        })
        .await?;
    row.lsn
        .as_deref()
        .and_then(Lsn::parse)
        .ok_or_else(|| Error::other("pg_current_wal_insert_lsn() gave no position"))
}

/// The replica's replayed position; `None` when it is not in recovery
/// (promoted, or never a standby).
async fn replayed_lsn(db: &Db) -> Result<Option<Lsn>> {
    let row: LsnRow = db
        .read(async |c| {
            Ok::<_, Error>(
                diesel::sql_query(
                    "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text END AS lsn",
                )
                .get_result::<LsnRow>(c)
                .await?,
            )
        })
        .await?;
    Ok(row.lsn.as_deref().and_then(Lsn::parse))
}

impl Reads {
    /// Reads from the primary only.
    pub fn primary_only(primary: Db) -> Reads {
        Reads {
            primary,
            replica: None,
        }
    }

    /// Reads from `replica` when it keeps up within `max_lag`; its
    /// checkouts fall back to `primary`. Call [`Reads::spawn_poller`] to
    /// keep its status current (until then it counts as unreachable).
    pub fn with_replica(primary: Db, replica: Db, max_lag: Duration) -> Reads {
        let replica = Arc::new_cyclic(|weak: &std::sync::Weak<Replica>| {
            let weak = weak.clone();
            let on_lost: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
                if let Some(r) = weak.upgrade() {
                    r.mark_unreachable();
                }
            });
            Replica {
                db: replica.with_fallback(primary.clone(), on_lost),
                max_lag,
                watch: Mutex::new(Watch {
                    status: ReplicaStatus {
                        reachable: false,
                        replayed: None,
                        lag: Duration::ZERO,
                    },
                    pending: VecDeque::new(),
                }),
            }
        });
        Reads {
            primary,
            replica: Some(replica),
        }
    }

    pub fn primary(&self) -> &Db {
        &self.primary
    }

    /// The lag bound (zero without a replica).
    pub fn max_lag(&self) -> Duration {
        self.replica.as_ref().map_or(Duration::ZERO, |r| r.max_lag)
    }

    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// The Db a heavy read of a caller whose last write was at `min_lsn`
    /// should use, and why.
    pub fn choose(&self, min_lsn: Option<Lsn>) -> (Db, Route) {
        let Some(r) = &self.replica else {
            return (self.primary.clone(), Route::PrimaryOnly);
        };
        let w = r.watch.lock().unwrap_or_else(|p| p.into_inner());
        let route = match (&w.status, min_lsn) {
            (s, _) if !s.reachable || s.replayed.is_none() => Route::ReplicaDown,
            (s, _) if s.lag > r.max_lag => Route::ReplicaLagging,
            (s, Some(min)) if s.replayed.is_some_and(|seen| seen < min) => Route::CallerAhead,
            _ => Route::Replica,
        };
        drop(w);
        match route {
            Route::Replica => (r.db.clone(), route),
            _ => (self.primary.clone(), route),
        }
    }

    /// What the last poll saw (`None` without a replica).
    pub fn status(&self) -> Option<ReplicaStatus> {
        self.replica.as_ref().map(|r| {
            r.watch
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .status
                .clone()
        })
    }

    /// Poll the primary's position and the replica's replay every `every`
    /// (a task on the current runtime, ended when the last `Reads` is gone).
    pub fn spawn_poller(&self, every: Duration) {
        let Some(r) = &self.replica else { return };
        let weak = Arc::downgrade(r);
        let primary = self.primary.clone();
        actix_web::rt::spawn(async move {
            loop {
                let Some(r) = weak.upgrade() else { break };
                r.poll(&primary).await;
                drop(r);
                tokio::time::sleep(every).await;
            }
        });
    }

    /// One poll now (the poller's step; tests call it to not wait).
    pub async fn poll_once(&self) {
        if let Some(r) = &self.replica {
            r.poll(&self.primary).await;
        }
    }
}

impl Replica {
    fn mark_unreachable(&self) {
        let mut w = self.watch.lock().unwrap_or_else(|p| p.into_inner());
        if w.status.reachable {
            tracing::warn!("the read replica is unreachable: reads go to the primary");
        }
        w.status.reachable = false;
    }

    async fn poll(&self, primary: &Db) {
        // The primary's position first: a position seen before the
        // replica's replay is read can only make the lag look larger.
        let seen_at = Instant::now();
        let head = current_lsn(primary).await.ok();
        // The replica's own pool, never its fallback: this asks the replica.
        let replayed = replayed_lsn(&self.db.without_fallback()).await;
        let mut w = self.watch.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(head) = head
            && w.pending.back().is_none_or(|(_, last)| *last < head)
        {
            w.pending.push_back((seen_at, head));
            if w.pending.len() > 100_000 {
                w.pending.pop_front();
            }
        }
        let was = w.status.reachable && w.status.replayed.is_some();
        match replayed {
            Ok(Some(lsn)) => {
                while w.pending.front().is_some_and(|(_, p)| *p <= lsn) {
                    w.pending.pop_front();
                }
                w.status.reachable = true;
                w.status.replayed = Some(lsn);
            }
            Ok(None) => {
                w.status.reachable = true;
                w.status.replayed = None;
            }
            Err(e) => {
                if was {
                    tracing::warn!(error = %e, "the read replica is unreachable: reads go to the primary");
                }
                w.status.reachable = false;
            }
        }
        w.status.lag = w
            .pending
            .front()
            .map_or(Duration::ZERO, |(t, _)| t.elapsed());
        let now = w.status.reachable && w.status.replayed.is_some();
        if now && !was {
            tracing::info!(replayed = ?w.status.replayed.map(|l| l.to_string()), "the read replica is reachable: heavy reads use it");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsn_reads_and_writes_postgres_notation() {
        assert_eq!(Lsn::parse("0/3000148"), Some(Lsn(0x3000148)));
        assert_eq!(
            Lsn::parse("16/B374D848"),
            Some(Lsn((0x16 << 32) | 0xB374D848))
        );
        assert_eq!(Lsn(0x3000148).to_string(), "0/3000148");
        assert_eq!(Lsn::MAX.to_string(), "FFFFFFFF/FFFFFFFF");
        assert_eq!(Lsn::parse(&Lsn::MAX.to_string()), Some(Lsn::MAX));
        assert!(Lsn::parse("0/3000148") < Lsn::parse("1/0"));
        for bad in [
            "",
            "/",
            "0/",
            "/1",
            "x/1",
            "0/3000148/1",
            "123456789/0",
            "0 3",
        ] {
            assert_eq!(Lsn::parse(bad), None, "{bad:?}");
        }
    }
}
