//! The database layer's own error on a real server: the SQLSTATE the
//! server sends decides the kind (vendor/diesel-async/THIDUA-PATCH.md), and
//! a violated constraint is named.

use diesel::sql_types::Text;
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
#[derive(diesel::QueryableByName)]
struct KindRow {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    kind: thidua::domain::registry::OrgKind,
}

#[actix_web::test]
async fn a_text_the_enum_does_not_know_is_an_error_never_a_default() {
    let app = TestApp::spawn().await;
    let read = |text: &'static str| {
        let db = app.state.db.clone();
        async move {
            db.read(async |c| {
                diesel::sql_query("SELECT $1 AS kind")
                    .bind::<Text, _>(text)
                    .get_result::<KindRow>(c)
                    .await
                    .map_err(db::Error::from)
            })
            .await
        }
    };
    assert!(read("department").await.is_ok());
    let err = read("ministry")
        .await
        .err()
        .expect("an unknown kind is refused");
    assert_eq!(err.kind(), ErrorKind::Other, "{err}");
    assert!(
        err.to_string().contains("\"ministry\" is not a OrgKind"),
        "{err}"
    );
}
