//! `thidua seed bench --scale S|M|L --seed N`: the benchmark data sets.
//!
//! * **S** is the demo (`seed demo`), with bench users added and the 2021
//!   term's reporting cutoff moved a year ahead so that W1 can report.
//! * **M**: 100 units, 20 blocs, 20,000 staff, one year of pledges with
//!   quarterly reports.
//! * **L**: 200 units, 40 blocs, 50,000 staff, ten years of pledges and
//!   quarterly reports, at least 1,000,000 audit rows and as many change
//!   events (one per audit row; award history does not exist yet).
//!
//! M and L are bulk SQL (`db::benchdata`) into an empty database; the same
//! seed and year give the same rows. Every user the generator creates has the
//! one password it is given: `bench.admin` (admin) and an officer per unit.

use std::time::Instant;

use chrono::{Datelike, Duration};
use uuid::Uuid;

use super::identity::{self, CreateUser};
use super::pledges::today_in_vietnam;
use crate::auth::{Principal, Role};
use crate::db::benchdata::{self as sql, AUDIT_BATCH, Shape};
use crate::db::{self, Db};
use crate::error::{AppError, AppResult, ErrorCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    S,
    M,
    L,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s {
            "S" | "s" => Some(Scale::S),
            "M" | "m" => Some(Scale::M),
            "L" | "l" => Some(Scale::L),
            _ => None,
        }
    }

    /// The bulk shape of M and L (S is the demo).
    pub fn shape(self, seed: u64, last_year: i32) -> Option<Shape> {
        match self {
            Scale::S => None,
            Scale::M => Some(Shape {
                seed,
                units: 100,
                blocs: 20,
                staff: 20_000,
                years: 1,
                last_year,
                audit_rows: 0,
            }),
            Scale::L => Some(Shape {
                seed,
                units: 200,
                blocs: 40,
                staff: 50_000,
                years: 10,
                last_year,
                audit_rows: 1_000_000,
            }),
        }
    }
}

/// Generate a data set; `log` hears each step and its duration.
pub async fn generate(
    db: &Db,
    scale: Scale,
    seed: u64,
    year: Option<i32>,
    password: String,
    log: impl Fn(String),
) -> AppResult<()> {
    if password.chars().count() < crate::auth::password::MIN_PASSWORD_LEN {
        return Err(AppError::new(ErrorCode::PasswordTooShort));
    }
    let Some(shape) = scale.shape(seed, year.unwrap_or_else(|| today_in_vietnam().year())) else {
        return small(db, password, log).await;
    };
    let mut conn = db.conn().await?;
    let c: &mut db::Conn = &mut conn;
    if !sql::is_empty(c).await? {
        return Err(AppError::new(ErrorCode::NotEmpty));
    }
    let hash = crate::auth::password::hash(password).await?;
    let t = Instant::now();
    sql::prepare(c, &shape).await?;
    let step =
        |name: &str, since: Instant| log(format!("{name}: {:.1} s", since.elapsed().as_secs_f64()));

    let s0 = Instant::now();
    sql::begin(c).await?;
    sql::registry(c, &shape).await?;
    step("organisations, staff, blocs, terms", s0);
    let s0 = Instant::now();
    sql::pledges(c, &shape).await?;
    step("pledges, items, targets, signatures, reports", s0);
    let s0 = Instant::now();
    sql::awards(c, &shape).await?;
    step("decisions and the award history", s0);
    let s0 = Instant::now();
    sql::users(c, &shape, &hash).await?;
    step("users", s0);
    sql::commit(c).await?;

    let s0 = Instant::now();
    let staged = sql::stage_audit(c, &shape).await?;
    step(&format!("audit staged ({staged} rows)"), s0);
    let s0 = Instant::now();
    let mut lo = 1;
    while lo <= staged {
        let hi = (lo + AUDIT_BATCH - 1).min(staged);
        sql::append_audit(c, lo, hi).await?;
        // Chain and number the batch (docs/feed.md), as `serve`'s settler would.
        while db::audit::settle(c, AUDIT_BATCH as i32)
            .await?
            .is_some_and(|n| n > 0)
        {}
        lo = hi + 1;
        if (hi / AUDIT_BATCH) % 4 == 0 || hi == staged {
            log(format!(
                "audit + events: {hi}/{staged} ({:.1} s)",
                s0.elapsed().as_secs_f64()
            ));
        }
    }
    step("audit rows and change events", s0);
    let s0 = Instant::now();
    sql::analyze(c).await?;
    step("analyze", s0);
    log(format!("total: {:.1} s", t.elapsed().as_secs_f64()));
    Ok(())
}

/// S: the demo, bench users, and a reporting cutoff a year from today.
async fn small(db: &Db, password: String, log: impl Fn(String)) -> AppResult<()> {
    let t = Instant::now();
    let report = super::demo::seed(db).await?;
    log(format!("demo: {} rows created", report.created.len()));
    let system = Principal::system();
    let board = db
        .read(async |c| db::organizations::by_code(c, "BTDKT").await)
        .await?
        .ok_or(AppError::not_found("organization"))?;
    let mut users: Vec<(String, Role, Uuid)> =
        vec![("bench.admin".into(), Role::Admin, board.id.uuid())];
    let members = db.read(async |c| sql::in_force_members(c).await).await?;
    for (id, code) in &members {
        users.push((format!("bench.{}", code.to_lowercase()), Role::Officer, *id));
    }
    for (username, role, org) in users {
        if db
            .read(async |c| db::users::by_username(c, &username).await)
            .await?
            .is_some()
        {
            continue;
        }
        identity::bootstrap_user(
            db,
            CreateUser {
                username: username.clone(),
                full_name: format!("Người dùng đo hiệu năng {username}"),
                organization_id: Some(org),
                roles: vec![role],
                password: password.clone(),
                email: None,
            },
        )
        .await?;
    }
    let cutoff = today_in_vietnam() + Duration::days(365);
    for (bloc_id, year) in db.read(async |c| sql::in_force_terms(c).await).await? {
        super::registry::move_cutoff(
            db,
            &system,
            bloc_id,
            year,
            cutoff,
            "Đo hiệu năng: nhận báo cáo tiến độ (W1)".into(),
        )
        .await?;
    }
    log(format!("total: {:.1} s", t.elapsed().as_secs_f64()));
    Ok(())
}
