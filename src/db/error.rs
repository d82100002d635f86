//! The database layer's own error. It says what kind of failure happened —
//! classified by the SQLSTATE the server sent, and by diesel's
//! `DatabaseErrorKind` when there is none — and which constraint a
//! violation names; it knows nothing of HTTP. `error/database.rs` turns it
//! into an answer, in one place; a use case that expects a constraint names
//! it (`.on_constraint("pledge_signatures_once", || ErrorCode::AlreadySigned)`).
//!
//! The message text is kept for the log only: a server with localised
//! `lc_messages` gives the same classification.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure, for the layers above.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A query that must return a row returned none.
    NotFound,
    /// 23505
    UniqueViolation,
    /// 23503
    ForeignKeyViolation,
    /// 23514
    CheckViolation,
    /// 23502
    NotNullViolation,
    /// 40001: another transaction interfered.
    SerializationFailure,
    /// Class 22: a value the database cannot hold (a NUL character, a date
    /// out of range, text too long).
    DataException,
    /// 57014 (statement timeout, cancel) and 55P03 (lock timeout): the
    /// session is fine, the request may succeed when retried.
    Timeout,
    /// Class 08, 57P01–57P03, or an error with no SQLSTATE at all: the
    /// session is gone and its connection must leave the pool.
    ConnectionLost,
    /// The pool could not hand out a connection in time.
    Unavailable,
    Other,
}

/// A five-character SQLSTATE (`23505`, `57P01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqlState([u8; 5]);

impl SqlState {
    pub fn parse(code: &str) -> Option<SqlState> {
        let bytes: [u8; 5] = code.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
            .then_some(SqlState(bytes))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("?????")
    }

    /// The first two characters: `22` for every data exception.
    pub fn class(&self) -> &str {
        &self.as_str()[..2]
    }
}

/// A failed database call.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    sql_state: Option<SqlState>,
    constraint: Option<String>,
    /// The server's or the driver's words, for the log.
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            sql_state: None,
            constraint: None,
            message: message.into(),
        }
    }

    /// An error the server (or the driver, when `sql_state` is `None`)
    /// reported, classified by its SQLSTATE first.
    pub fn from_database(
        kind: &DatabaseErrorKind,
        sql_state: Option<SqlState>,
        constraint: Option<&str>,
        message: &str,
    ) -> Error {
        Error {
            kind: classify(kind, sql_state),
            sql_state,
            constraint: constraint.map(str::to_owned),
            message: message.to_owned(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn sql_state(&self) -> Option<SqlState> {
        self.sql_state
    }

    /// The violated constraint's (or unique index's) name.
    pub fn constraint(&self) -> Option<&str> {
        self.constraint.as_deref()
    }

    pub fn is_connection_lost(&self) -> bool {
        self.kind == ErrorKind::ConnectionLost
    }

    /// Anything that is not the database's own failure (a value that does
    /// not serialise, a stored document that does not parse).
    pub fn other(e: impl std::fmt::Display) -> Error {
        Error::new(ErrorKind::Other, e.to_string())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.kind)?;
        if let Some(s) = &self.sql_state {
            write!(f, " ({})", s.as_str())?;
        }
        if let Some(c) = &self.constraint {
            write!(f, " on {c}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

/// By SQLSTATE when the server sent one; by diesel's kind otherwise (no
/// SQLSTATE at all means the driver lost the connection).
pub fn classify(kind: &DatabaseErrorKind, sql_state: Option<SqlState>) -> ErrorKind {
    use DatabaseErrorKind as D;
    let Some(state) = sql_state else {
        return match kind {
            D::UniqueViolation => ErrorKind::UniqueViolation,
            D::ForeignKeyViolation => ErrorKind::ForeignKeyViolation,
            D::CheckViolation => ErrorKind::CheckViolation,
            D::NotNullViolation => ErrorKind::NotNullViolation,
            D::SerializationFailure => ErrorKind::SerializationFailure,
            D::UnableToSendCommand | D::ClosedConnection => ErrorKind::ConnectionLost,
            _ => ErrorKind::Other,
        };
    };
    match (state.class(), state.as_str()) {
        (_, "23505") => ErrorKind::UniqueViolation,
        (_, "23503") => ErrorKind::ForeignKeyViolation,
        (_, "23514") => ErrorKind::CheckViolation,
        (_, "23502") => ErrorKind::NotNullViolation,
        (_, "40001") => ErrorKind::SerializationFailure,
        ("22", _) => ErrorKind::DataException,
        (_, "57014" | "55P03") => ErrorKind::Timeout,
        ("08", _) | (_, "57P01" | "57P02" | "57P03") => ErrorKind::ConnectionLost,
        _ => ErrorKind::Other,
    }
}

impl From<DieselError> for Error {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => Error::new(ErrorKind::NotFound, "no row"),
            DieselError::DatabaseError(kind, info) => Error::from_database(
                kind,
                diesel_async::pg::sql_state(info.as_ref()).and_then(|s| SqlState::parse(&s)),
                info.constraint_name(),
                info.message(),
            ),
            // A transaction whose rollback failed: the session is unusable.
            DieselError::BrokenTransactionManager => {
                Error::new(ErrorKind::ConnectionLost, e.to_string())
            }
            _ => Error::other(e),
        }
    }
}

impl From<super::PoolError> for Error {
    fn from(e: super::PoolError) -> Self {
        Error::new(ErrorKind::Unavailable, e.to_string())
    }
}

/// The error of a unit of work run by `Db::read` / `Db::transaction`: it
/// holds database errors, and says when one broke the session.
pub trait TxError: From<Error> {
    fn is_connection_lost(&self) -> bool;
}

impl TxError for Error {
    fn is_connection_lost(&self) -> bool {
        Error::is_connection_lost(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a server with localised `lc_messages` says, attached to an
    /// error diesel reports.
    struct Localised(&'static str);

    impl diesel::result::DatabaseErrorInformation for Localised {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn state(s: &str) -> Option<SqlState> {
        SqlState::parse(s)
    }

    #[test]
    fn the_sqlstate_decides_whatever_the_message_says() {
        let unknown = DatabaseErrorKind::Unknown;
        for (code, message, kind) in [
            (
                "57014",
                "hủy câu lệnh do hết thời gian chờ câu lệnh",
                ErrorKind::Timeout,
            ),
            (
                "55P03",
                "Zeitüberschreitung beim Warten auf Sperre",
                ErrorKind::Timeout,
            ),
            (
                "57P01",
                "kết thúc kết nối theo lệnh của quản trị viên",
                ErrorKind::ConnectionLost,
            ),
            (
                "57P03",
                "le système de bases de données s'arrête",
                ErrorKind::ConnectionLost,
            ),
            ("08006", "conexión perdida", ErrorKind::ConnectionLost),
            (
                "22P05",
                "ký tự null không được phép",
                ErrorKind::DataException,
            ),
            (
                "22008",
                "giá trị ngày giờ ngoài phạm vi",
                ErrorKind::DataException,
            ),
            // An English message that names another failure changes nothing.
            (
                "22P02",
                "canceling statement due to statement timeout",
                ErrorKind::DataException,
            ),
            (
                "42601",
                "terminating connection due to administrator command",
                ErrorKind::Other,
            ),
        ] {
            let e = Error::from_database(&unknown, state(code), None, message);
            assert_eq!(e.kind(), kind, "{code} {message}");
        }
    }

    #[test]
    fn a_database_error_without_a_sqlstate_is_classified_by_diesel_kind_not_by_its_message() {
        // Not made by the driver from a server response: no SQLSTATE is known,
        // and a message that reads like a lost connection or a timeout is not
        // taken for one.
        for message in [
            "terminating connection due to administrator command",
            "canceling statement due to statement timeout",
            "invalid byte sequence for encoding \"UTF8\": 0x00",
        ] {
            let e = Error::from(DieselError::DatabaseError(
                DatabaseErrorKind::Unknown,
                Box::new(Localised(message)),
            ));
            assert_eq!(e.kind(), ErrorKind::Other, "{message}");
            assert_eq!(e.sql_state(), None);
        }
        let e = Error::from(DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new(Localised("kết nối đã đóng")),
        ));
        assert_eq!(e.kind(), ErrorKind::ConnectionLost);
        let e = Error::from(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new(Localised("giá trị trùng lặp vi phạm ràng buộc duy nhất")),
        ));
        assert_eq!(e.kind(), ErrorKind::UniqueViolation);
    }

    #[test]
    fn constraint_classes_map_to_their_kinds() {
        let unknown = DatabaseErrorKind::Unknown;
        for (code, kind) in [
            ("23505", ErrorKind::UniqueViolation),
            ("23503", ErrorKind::ForeignKeyViolation),
            ("23514", ErrorKind::CheckViolation),
            ("23502", ErrorKind::NotNullViolation),
            ("40001", ErrorKind::SerializationFailure),
        ] {
            assert_eq!(classify(&unknown, state(code)), kind, "{code}");
        }
        assert_eq!(SqlState::parse("2350"), None);
        assert_eq!(SqlState::parse("23505x"), None);
        assert_eq!(
            state("57P01").map(|s| s.class().to_string()),
            Some("57".into())
        );
    }
}
