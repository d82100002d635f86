//! Where heavy reads go (issue 18, item 6): the primary, or the streaming
//! replica when it keeps up and has the caller's last write
//! (`db::replica`, docs/deploy.md "Reads from a replica").

pub use crate::db::replica::{Lsn, Reads, ReplicaStatus, Route};

/// The database a heavy read uses: the replica or the primary, as
/// [`choose`] picked. The use cases take it as the `Db` it derefs to.
pub struct ReadDb(crate::db::Db);

impl std::ops::Deref for ReadDb {
    type Target = crate::db::Db;
    fn deref(&self) -> &crate::db::Db {
        &self.0
    }
}

/// Where a heavy read of a caller whose last write was at `min_lsn` goes.
pub fn choose(reads: &Reads, min_lsn: Option<Lsn>) -> (ReadDb, Route) {
    let (db, route) = reads.choose(min_lsn);
    (ReadDb(db), route)
}

/// The position a caller's reads must wait for after its write: the
/// primary's WAL position now. When it cannot be read, [`Lsn::MAX`], which
/// keeps the caller's reads on the primary until its token expires.
pub async fn write_position(reads: &Reads) -> Lsn {
    match crate::db::replica::current_lsn(reads.primary()).await {
        Ok(lsn) => lsn,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the WAL position after a write: the caller reads from the primary");
            Lsn::MAX
        }
    }
}
