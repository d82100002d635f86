//! The bare server (issue 15, item 4): actix-web and thidua's own pool
//! (`thidua::Db`, the same settings: size, statement timeout, fast
//! recycling) and nothing else — no request context, no auth, no rate
//! limit, no metrics, no idempotency. `bench/run.sh` runs it beside
//! `thidua serve` in the same run, so the tables show what our middleware
//! stack costs on top of the floor.
//!
//! ```sh
//! DATABASE_URL=postgres://… BIND_ADDR=127.0.0.1:18081 DB_POOL_SIZE=8 \
//!     cargo run --release --example bench-bare
//! ```
//!
//! * `GET /select1`: one `SELECT 1` through the pool (thidua's H).
//! * `GET /row/{uuid}`: one keyed row, `SELECT id, title, status FROM
//!   pledges WHERE id = $1`, as JSON (404 when absent).

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::QueryableByName;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use thidua::Db;
use uuid::Uuid;

#[derive(QueryableByName, Serialize)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    status: String,
}

async fn select1(db: web::Data<Db>) -> HttpResponse {
    match db.ping().await {
        Ok(()) => HttpResponse::Ok()
            .content_type("application/json")
            .body(r#"{"status":"ready"}"#),
        Err(e) => HttpResponse::ServiceUnavailable().body(e.to_string()),
    }
}

async fn row(db: web::Data<Db>, id: web::Path<Uuid>) -> HttpResponse {
    let id = id.into_inner();
    let found = db
        .read(async |c| {
            diesel::sql_query("SELECT id, title, status FROM pledges WHERE id = $1")
                .bind::<SqlUuid, _>(id)
                .get_results::<Row>(c)
                .await
                .map_err(thidua::db::Error::from)
        })
        .await;
    match found {
        Ok(mut rows) => match rows.pop() {
            Some(r) => HttpResponse::Ok().json(r),
            None => HttpResponse::NotFound().finish(),
        },
        Err(e) => HttpResponse::ServiceUnavailable().body(e.to_string()),
    }
}

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let bind = env("BIND_ADDR", "127.0.0.1:18081");
    let size: usize = env("DB_POOL_SIZE", "8").parse().expect("DB_POOL_SIZE");
    let timeout: u64 = env("DB_STATEMENT_TIMEOUT_MS", "5000")
        .parse()
        .expect("DB_STATEMENT_TIMEOUT_MS");
    let db = Db::connect(&url, size, timeout, Duration::from_secs(2)).expect("pool");
    let db = web::Data::new(db);
    println!("bench-bare serving on {bind}");
    HttpServer::new(move || {
        App::new()
            .app_data(db.clone())
            .route("/select1", web::get().to(select1))
            .route("/row/{id}", web::get().to(row))
    })
    .bind(&bind)?
    .run()
    .await
}
