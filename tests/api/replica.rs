//! Reads from a streaming replica (issue 18, item 6): each test starts a
//! private primary, migrates it, builds a hot standby from it with
//! `pg_basebackup -R -X stream`, and serves the API with the heavy reads
//! routed by `service::reads::Reads` (docs/deploy.md, "Reads from a
//! replica"). Which server answered is read from `Thidua-Read-From`, and
//! checked against what each server holds: with replay paused the replica
//! really is behind, so a read it served cannot show a newer write.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::Service;
use actix_web::http::Method;
use actix_web::test::TestRequest;
use actix_web::web;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use serde_json::{Value, json};
use thidua::auth::jwt::claims_for;
use thidua::auth::{PrincipalKind, Role};
use thidua::embedded_pg::EmbeddedPg;
use thidua::service::reads::Reads;
use thidua::{AppState, Config, Db, build_app};
use uuid::Uuid;

use crate::helpers::test_keys;

struct Cluster {
    primary: EmbeddedPg,
    standby: Option<EmbeddedPg>,
    dir: PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut s) = self.standby.take() {
            s.stop();
        }
        self.primary.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A primary with the migrated `thidua` database and a standby streaming from it.
async fn cluster() -> Cluster {
    let dir = std::env::temp_dir().join(format!("thidua-replica-{}", Uuid::new_v4().simple()));
    let d = dir.clone();
    let primary = std::thread::spawn(move || EmbeddedPg::start(&d.join("primary/data"), None))
        .join()
        .unwrap()
        .expect("a private primary");
    let url = primary.url("thidua");
    thidua::db::migrate::create_database_if_missing(&url)
        .await
        .unwrap();
    thidua::db::migrate::run(&url).await.unwrap();
    let (primary, standby) = std::thread::spawn({
        let d = dir.clone();
        move || {
            let s = primary.start_standby(&d.join("standby/data"), &[]);
            (primary, s)
        }
    })
    .join()
    .unwrap();
    Cluster {
        primary,
        standby: Some(standby.expect("a streaming standby")),
        dir,
    }
}

async fn sql(url: &str, statement: &str) {
    let mut c = AsyncPgConnection::establish(url).await.unwrap();
    c.batch_execute(statement)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

struct Api {
    call: Box<dyn Fn(actix_http::Request) -> futures_util::future::LocalBoxFuture<'static, Answer>>,
    token: String,
}

struct Answer {
    status: u16,
    headers: actix_web::http::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    fn read_from(&self) -> String {
        self.header("thidua-read-from").unwrap_or_default()
    }
}

/// The API on the cluster, heavy reads routed with `max_lag`, an admin's token.
async fn api(c: &Cluster, max_lag: Duration) -> Api {
    let primary = Db::connect(&c.primary.url("thidua"), 4, 5000, Duration::from_secs(1)).unwrap();
    let standby = c.standby.as_ref().unwrap();
    let replica = Db::connect(&standby.url("thidua"), 4, 5000, Duration::from_secs(1)).unwrap();
    let reads = Reads::with_replica(primary.clone(), replica, max_lag);
    reads.spawn_poller(Duration::from_millis(50));
    let user = thidua::service::identity::bootstrap_user(
        &primary,
        thidua::service::identity::CreateUser {
            username: "admin".into(),
            full_name: "Quản trị".into(),
            organization_id: None,
            roles: vec![Role::Admin],
            password: "mật-khẩu-thử-nghiệm".into(),
            email: None,
        },
    )
    .await
    .unwrap();
    let keys = test_keys();
    let token = keys
        .issue(claims_for(
            PrincipalKind::User,
            user.id,
            "admin",
            vec![Role::Admin],
            &[],
            None,
            0,
        ))
        .unwrap()
        .0;
    let state = AppState::new(Config::for_tests(), primary, keys, 0).with_reads(reads);
    let svc =
        std::rc::Rc::new(actix_web::test::init_service(build_app(web::Data::new(state))).await);
    Api {
        call: Box::new(move |req| {
            let svc = svc.clone();
            Box::pin(async move {
                let res = svc.call(req).await.unwrap();
                let status = res.status().as_u16();
                let headers = res.headers().clone();
                let bytes = actix_web::body::to_bytes(res.into_body().boxed())
                    .await
                    .unwrap_or_default();
                Answer {
                    status,
                    headers,
                    body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                }
            })
        }),
        token,
    }
}

impl Api {
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut r = TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {}", self.token)));
        for (k, v) in extra {
            r = r.insert_header((*k, *v));
        }
        if let Some(b) = body {
            r = r.set_json(b);
        }
        (self.call)(r.to_request()).await
    }

    async fn create_org(&self, code: &str) -> Answer {
        let a = self
            .send(
                Method::POST,
                "/api/v1/organizations",
                Some(json!({"code": code, "name": format!("Đơn vị {code}"), "kind": "department"})),
                &[],
            )
            .await;
        assert_eq!(a.status, 201, "{:?}", a.body);
        a
    }

    /// `GET /organizations?code=`: (how many, which server).
    async fn find_org(&self, code: &str, extra: &[(&str, &str)]) -> (usize, String) {
        let a = self
            .send(
                Method::GET,
                &format!("/api/v1/organizations?code={code}"),
                None,
                extra,
            )
            .await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        (a.body["items"].as_array().unwrap().len(), a.read_from())
    }

    /// Until a plain list read is served by the replica (the poller ran).
    async fn wait_for_replica(&self, limit: Duration) {
        let start = Instant::now();
        while self.find_org("NONE", &[]).await.1 != "replica" {
            assert!(start.elapsed() < limit, "reads never went to the replica");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[actix_web::test]
async fn r6_a_callers_read_after_its_own_write_sees_it_while_the_replica_is_behind() {
    let c = cluster().await;
    let standby_url = c.standby.as_ref().unwrap().url("thidua");
    let api = api(&c, Duration::from_secs(60)).await;
    api.wait_for_replica(Duration::from_secs(10)).await;

    sql(&standby_url, "SELECT pg_wal_replay_pause()").await;
    let write = api.create_org("RYW1").await;
    let lsn = write.header("thidua-lsn").expect("the write's position");
    let cookie = write
        .header("set-cookie")
        .expect("the position as a cookie");
    assert!(
        cookie.starts_with(&format!("thidua_lsn={lsn};")),
        "{cookie}"
    );
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Max-Age=120"),
        "{cookie}"
    );

    // Another caller's read (no position): the replica, which is behind.
    assert_eq!(api.find_org("RYW1", &[]).await, (0, "replica".into()));
    // The writer's reads, by header and by cookie: the primary, which has it.
    let by_header = api.find_org("RYW1", &[("Thidua-Lsn", &lsn)]).await;
    assert_eq!(by_header, (1, "primary; reason=read-your-writes".into()));
    let jar = format!("thidua_lsn={lsn}");
    let by_cookie = api.find_org("RYW1", &[("Cookie", &jar)]).await;
    assert_eq!(by_cookie, (1, "primary; reason=read-your-writes".into()));
    // A position from before the write does not hold the read back.
    assert_eq!(
        api.find_org("RYW1", &[("Thidua-Lsn", "0/1")]).await.1,
        "replica"
    );

    // Replay resumed: once the replica has the write, the writer reads there.
    sql(&standby_url, "SELECT pg_wal_replay_resume()").await;
    let start = Instant::now();
    loop {
        let (n, from) = api.find_org("RYW1", &[("Thidua-Lsn", &lsn)]).await;
        assert_eq!(n, 1, "the writer always sees its write (from {from})");
        if from == "replica" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the replica never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Reads are not writes: they carry no position.
    let read = api
        .send(Method::GET, "/api/v1/organizations", None, &[])
        .await;
    assert!(read.header("thidua-lsn").is_none() && read.header("set-cookie").is_none());
}

#[actix_web::test]
async fn r6_with_replay_paused_reads_go_to_the_primary_once_lag_passes_the_bound() {
    let c = cluster().await;
    let standby_url = c.standby.as_ref().unwrap().url("thidua");
    let bound = Duration::from_millis(400);
    let api = api(&c, bound).await;
    api.wait_for_replica(Duration::from_secs(10)).await;

    sql(&standby_url, "SELECT pg_wal_replay_pause()").await;
    let written = Instant::now();
    api.create_org("LAG1").await;
    // Within the bound: still the (stale) replica.
    let (n, from) = api.find_org("LAG1", &[]).await;
    assert!(
        written.elapsed() < bound,
        "the machine was too slow to look within the bound"
    );
    assert_eq!((n, from.as_str()), (0, "replica"));
    // Past it: the primary, which has the write.
    let fell_back = loop {
        let (n, from) = api.find_org("LAG1", &[]).await;
        if from == "primary; reason=lag" {
            assert_eq!(n, 1);
            break written.elapsed();
        }
        assert_eq!((n, from.as_str()), (0, "replica"), "before the fallback");
        assert!(
            written.elapsed() < Duration::from_secs(10),
            "never fell back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // The lag counts from when the poll asked the primary, which is before
    // it answered: it may read up to one poll query early, never late.
    assert!(
        fell_back >= bound / 2,
        "fell back after {fell_back:?}, long before the bound {bound:?}"
    );
    eprintln!(
        "replica lag bound {bound:?}: reads fell back to the primary {fell_back:?} after the write"
    );

    sql(&standby_url, "SELECT pg_wal_replay_resume()").await;
    let start = Instant::now();
    while api.find_org("LAG1", &[]).await != (1, "replica".into()) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the replica never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn r6_with_the_standby_stopped_reads_go_to_the_primary_with_no_failed_request() {
    let mut c = cluster().await;
    let api = api(&c, Duration::from_secs(60)).await;
    api.wait_for_replica(Duration::from_secs(10)).await;
    api.create_org("DOWN1").await;
    // Replay is asynchronous: the replica shows the unit before the stop.
    let shown = Instant::now();
    loop {
        let a = api
            .send(Method::GET, "/api/v1/organizations?code=DOWN1", None, &[])
            .await;
        if a.read_from() == "replica" && a.body["items"].as_array().map(Vec::len) == Some(1) {
            break;
        }
        assert!(
            shown.elapsed() < Duration::from_secs(10),
            "the replica never showed the unit"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let mut standby = c.standby.take().unwrap();
    let stop = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(300));
        standby.stop();
        standby
    });
    // Four readers, from before the stop until well after it.
    let reader = |_: usize| async {
        let mut seen = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(2500) {
            let a = api
                .send(Method::GET, "/api/v1/organizations?code=DOWN1", None, &[])
                .await;
            seen.push((
                a.status,
                a.read_from(),
                a.body["items"].as_array().map(Vec::len),
            ));
        }
        seen
    };
    let all: Vec<_> = futures_util::future::join_all((0..4).map(reader))
        .await
        .into_iter()
        .flatten()
        .collect();
    let standby = stop.await.unwrap();
    let failed: Vec<_> = all.iter().filter(|(s, _, _)| *s != 200).collect();
    assert!(failed.is_empty(), "failed reads: {failed:?}");
    assert!(
        all.iter().all(|(_, _, n)| *n == Some(1)),
        "every read saw the unit"
    );
    assert!(
        all.iter().any(|(_, f, _)| f == "replica"),
        "some reads were the replica's"
    );
    let last = &all.last().unwrap().1;
    assert_eq!(last, "primary; reason=replica-down");
    eprintln!(
        "standby stopped under {} reads: {} from the replica, {} from the primary, 0 failed",
        all.len(),
        all.iter().filter(|(_, f, _)| f == "replica").count(),
        all.iter().filter(|(_, f, _)| f != "replica").count()
    );
    drop(standby);
}
