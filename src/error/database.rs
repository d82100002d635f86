//! A database error becomes an answer here, and nowhere else: connection
//! trouble is a 503 to retry, a constraint the service did not name is
//! answered by the constraint's rule or its kind (never naming the
//! constraint), anything else is a 500 whose text stays in the log.

use super::{AppError, AppResult, ErrorCode as C};
use crate::db::{self, ErrorKind as K};
use crate::domain::RuleViolation as R;

impl From<db::Error> for AppError {
    fn from(e: db::Error) -> Self {
        match e.kind() {
            K::NotFound => AppError::from_database(C::NotFound, e).arg("entity", "resource"),
            K::ConnectionLost => AppError::from_database(C::ServiceUnavailable, e).retry_after(1),
            K::Unavailable => {
                tracing::warn!(error = %e, "database pool unavailable");
                AppError::from_database(C::ServiceUnavailable, e).retry_after(2)
            }
            K::Timeout => AppError::from_database(C::ServiceUnavailable, e).retry_after(2),
            K::SerializationFailure => AppError::from_database(C::ConcurrentUpdate, e),
            K::DataException => AppError::from_database(C::InvalidValue, e),
            K::UniqueViolation | K::ForeignKeyViolation | K::CheckViolation => {
                // The constraint's name is for the log: no answer names a database object.
                tracing::info!(
                    constraint = e.constraint().unwrap_or(""),
                    "constraint violation not translated by the service"
                );
                constraint_error(e)
            }
            K::NotNullViolation | K::Other => AppError::from_database(C::InternalError, e),
        }
    }
}

/// A constraint the service did not translate, as the API's own code: the
/// named rule constraints by their rule, then by kind — a unique index is a
/// 409 (`unique_violation`: the thing exists), a foreign key a 422 naming what
/// is unknown, a CHECK a 422 `invalid_value`.
fn constraint_error(e: db::Error) -> AppError {
    let name = e.constraint().unwrap_or("").to_owned();
    let by_rule = match name.as_str() {
        "pledge_targets_t2" => Some(R::InvalidTarget {
            reason: "outside its kind's bounds",
        }),
        "progress_reports_t4" => Some(R::InvalidReportValues {
            reason: "0 ≤ numerator ≤ denominator, denominator > 0",
        }),
        "pledge_signatures_once" => Some(R::AlreadySigned),
        "term_members_one_bloc_per_year" => Some(R::AlreadyInBloc {
            unit: String::new(),
            bloc: String::new(),
        }),
        _ => None,
    };
    if let Some(v) = by_rule {
        return AppError::from(v);
    }
    let code = match (e.kind(), name.as_str()) {
        (_, "users_org_for_unit_roles") => C::OrganizationRequired,
        (K::UniqueViolation, _) => C::UniqueViolation,
        (K::ForeignKeyViolation, n)
            if n.ends_with("organization_id_fkey") || n.ends_with("organization_fk") =>
        {
            C::UnknownOrganization
        }
        (K::ForeignKeyViolation, n) if n.ends_with("person_id_fkey") => C::UnknownPerson,
        (K::ForeignKeyViolation, _) => C::UnknownReference,
        _ => C::InvalidValue,
    };
    AppError::from_database(code, e)
}

impl db::TxError for AppError {
    fn is_connection_lost(&self) -> bool {
        AppError::is_connection_lost(self)
    }
}

/// A use case names the constraint it expects a write to run into, and
/// what that means: `insert(…).await.on_constraint("organizations_code_key", || ErrorCode::CodeTaken)?`.
pub trait OnConstraint<T> {
    /// A violation of constraint `name` answers `answer()`; any other error
    /// converts as every database error does.
    fn on_constraint<E: Into<AppError>>(
        self,
        name: &str,
        answer: impl FnOnce() -> E,
    ) -> AppResult<T>
    where
        Self: Sized,
    {
        self.on_any_constraint(&[name], answer)
    }

    /// As `on_constraint`, for a rule kept by several constraints.
    fn on_any_constraint<E: Into<AppError>>(
        self,
        names: &[&str],
        answer: impl FnOnce() -> E,
    ) -> AppResult<T>;
}

impl<T> OnConstraint<T> for db::Result<T> {
    fn on_any_constraint<E: Into<AppError>>(
        self,
        names: &[&str],
        answer: impl FnOnce() -> E,
    ) -> AppResult<T> {
        self.map_err(|e| {
            if e.constraint().is_some_and(|c| names.contains(&c)) {
                answer().into()
            } else {
                e.into()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::Lang;
    use crate::db::error::SqlState;
    use actix_web::ResponseError;
    use diesel::result::DatabaseErrorKind as D;

    fn violation(code: &str, constraint: &str) -> db::Result<()> {
        Err(db::Error::from_database(
            &D::Unknown,
            SqlState::parse(code),
            Some(constraint),
            "ràng buộc bị vi phạm",
        ))
    }

    #[test]
    fn a_named_constraint_answers_what_the_use_case_says() {
        let e = violation("23505", "organizations_code_key")
            .on_constraint("organizations_code_key", || {
                AppError::new(C::CodeTaken).arg("what", "đơn vị / organisation")
            })
            .unwrap_err();
        assert_eq!(e.code(), "code_taken");
        assert_eq!(
            e.problem(Lang::En).detail,
            "The đơn vị / organisation code is already taken."
        );
    }

    #[test]
    fn another_constraint_falls_through_to_the_generic_answer() {
        let e = violation("23505", "blocs_code_key")
            .on_constraint("organizations_code_key", || C::CodeTaken)
            .unwrap_err();
        assert_eq!(e.code(), "unique_violation");
        let e = violation("23503", "people_organization_id_fkey")
            .on_constraint("x", || C::CodeTaken)
            .unwrap_err();
        assert_eq!(e.code(), "unknown_organization");
        assert_eq!(
            e.problem(Lang::En).detail,
            "The organisation referred to does not exist."
        );
        let e = violation("23514", "pledge_targets_t2")
            .on_constraint("x", || C::CodeTaken)
            .unwrap_err();
        assert_eq!(e.code(), "invalid_target");
    }

    #[test]
    fn connection_trouble_is_a_503_to_retry_and_marks_the_session_lost() {
        let lost = AppError::from(db::Error::from_database(
            &D::Unknown,
            SqlState::parse("57P01"),
            None,
            "kết thúc kết nối",
        ));
        assert_eq!(
            (lost.code(), lost.status_code().as_u16()),
            ("service_unavailable", 503)
        );
        assert!(lost.is_connection_lost());
        let timeout = AppError::from(db::Error::from_database(
            &D::Unknown,
            SqlState::parse("57014"),
            None,
            "hết thời gian",
        ));
        assert_eq!(timeout.code(), "service_unavailable");
        assert!(!timeout.is_connection_lost());
        let value = AppError::from(db::Error::from_database(
            &D::Unknown,
            SqlState::parse("22021"),
            None,
            "ký tự không hợp lệ",
        ));
        assert_eq!(
            (value.code(), value.status_code().as_u16()),
            ("invalid_value", 422)
        );
    }
}
