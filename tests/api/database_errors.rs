//! The database layer's own error on a real server: the SQLSTATE the
//! server sends decides the kind (vendor/diesel-async/THIDUA-PATCH.md), and
//! a violated constraint is named.

use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use thidua::db::{self, ErrorKind};

use crate::helpers::TestApp;

#[actix_web::test]
async fn a_statement_timeout_is_classified_by_its_sqlstate() {
    let app = TestApp::spawn().await;
    let err = app
        .state
        .db
        .transaction(async |c| {
            c.batch_execute("SET LOCAL statement_timeout = 20").await?;
            diesel::sql_query("SELECT pg_sleep(2)").execute(c).await?;
            Ok::<_, db::Error>(())
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(
        err.sql_state().map(|s| s.as_str().to_string()).as_deref(),
        Some("57014")
    );
}

#[actix_web::test]
async fn a_value_the_database_cannot_hold_is_a_data_exception() {
    let app = TestApp::spawn().await;
    let err = app
        .state
        .db
        .read(async |c| {
            diesel::sql_query("SELECT 'not a date'::date")
                .execute(c)
                .await?;
            Ok::<_, db::Error>(())
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DataException, "{err}");
    assert_eq!(
        err.sql_state().map(|s| s.class().to_string()).as_deref(),
        Some("22")
    );
}

#[actix_web::test]
async fn a_violated_unique_index_is_named_by_the_error() {
    let app = TestApp::spawn().await;
    let insert = "INSERT INTO organizations (id, code, name, kind) VALUES (gen_random_uuid(), 'TRUNG', 'Một', 'department')";
    let err = app
        .state
        .db
        .transaction(async |c| {
            c.batch_execute(insert).await?;
            c.batch_execute(insert).await?;
            Ok::<_, db::Error>(())
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
    assert_eq!(err.constraint(), Some("organizations_code_key"));
}
