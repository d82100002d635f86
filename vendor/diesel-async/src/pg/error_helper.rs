use std::error::Error;
use std::sync::Arc;

use diesel::ConnectionError;

pub(super) struct ErrorHelper(pub(super) tokio_postgres::Error);

impl From<ErrorHelper> for ConnectionError {
    fn from(postgres_error: ErrorHelper) -> Self {
        ConnectionError::CouldntSetupConfiguration(postgres_error.into())
    }
}

impl From<ErrorHelper> for diesel::result::Error {
    fn from(ErrorHelper(postgres_error): ErrorHelper) -> Self {
        from_tokio_postgres_error(Arc::new(postgres_error))
    }
}

pub(super) fn from_tokio_postgres_error(
    postgres_error: Arc<tokio_postgres::Error>,
) -> diesel::result::Error {
    use diesel::result::DatabaseErrorKind::*;
    use tokio_postgres::error::SqlState;

    match postgres_error.code() {
        Some(code) => {
            let kind = match *code {
                SqlState::UNIQUE_VIOLATION => UniqueViolation,
                SqlState::FOREIGN_KEY_VIOLATION => ForeignKeyViolation,
                SqlState::RESTRICT_VIOLATION => RestrictViolation,
                SqlState::EXCLUSION_VIOLATION => ExclusionViolation,
                SqlState::T_R_SERIALIZATION_FAILURE => SerializationFailure,
                SqlState::READ_ONLY_SQL_TRANSACTION => ReadOnlyTransaction,
                SqlState::NOT_NULL_VIOLATION => NotNullViolation,
                SqlState::CHECK_VIOLATION => CheckViolation,
                _ => Unknown,
            };

            // thidua patch (THIDUA-PATCH.md): keep the SQLSTATE readable.
            let wrapper = Box::new(PostgresDbErrorWrapper(
                postgres_error
                    .source()
                    .and_then(|e| e.downcast_ref::<tokio_postgres::error::DbError>().cloned())
                    .expect("It's a db error, because we've got a SQLState code above"),
            ));
            thidua_sql_state::register(&*wrapper, code.code());
            diesel::result::Error::DatabaseError(kind, wrapper as _)
        }
        None => diesel::result::Error::DatabaseError(
            UnableToSendCommand,
            Box::new(postgres_error.to_string()),
        ),
    }
}

struct PostgresDbErrorWrapper(tokio_postgres::error::DbError);

// thidua patch (THIDUA-PATCH.md): a wrapper leaves the registry when it drops.
impl Drop for PostgresDbErrorWrapper {
    fn drop(&mut self) {
        thidua_sql_state::forget(self);
    }
}

/// thidua patch (THIDUA-PATCH.md): the SQLSTATE of every live error this
/// crate made from a server's error response, keyed by the address of its
/// `DatabaseErrorInformation`. diesel 2.3's `DatabaseErrorInformation` has
/// no accessor for it (diesel-rs/diesel#5232), and maps only a few codes to
/// a `DatabaseErrorKind`. An entry lives exactly as long as its wrapper, so
/// an address found here is that wrapper's.
pub(crate) mod thidua_sql_state {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};

    static LIVE: LazyLock<Mutex<HashMap<usize, String>>> = LazyLock::new(Default::default);

    fn address<T: ?Sized>(value: &T) -> usize {
        value as *const T as *const () as usize
    }

    pub(super) fn register(wrapper: &super::PostgresDbErrorWrapper, code: &str) {
        let mut live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
        live.insert(address(wrapper), code.to_owned());
    }

    pub(super) fn forget(wrapper: &super::PostgresDbErrorWrapper) {
        let mut live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
        live.remove(&address(wrapper));
    }

    pub(crate) fn of(
        info: &(dyn diesel::result::DatabaseErrorInformation + Send + Sync),
    ) -> Option<String> {
        let live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
        live.get(&address(info)).cloned()
    }
}

impl diesel::result::DatabaseErrorInformation for PostgresDbErrorWrapper {
    fn message(&self) -> &str {
        self.0.message()
    }

    fn details(&self) -> Option<&str> {
        self.0.detail()
    }

    fn hint(&self) -> Option<&str> {
        self.0.hint()
    }

    fn table_name(&self) -> Option<&str> {
        self.0.table()
    }

    fn column_name(&self) -> Option<&str> {
        self.0.column()
    }

    fn constraint_name(&self) -> Option<&str> {
        self.0.constraint()
    }

    fn statement_position(&self) -> Option<i32> {
        use tokio_postgres::error::ErrorPosition;
        self.0.position().and_then(|e| match *e {
            ErrorPosition::Original(position) | ErrorPosition::Internal { position, .. } => {
                position.try_into().ok()
            }
        })
    }
}
