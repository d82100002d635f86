//! Anchoring the audit chain: signed checkpoints, published on the feed and
//! kept outside, detect tail truncation and rewrites that the chain alone
//! cannot (issue 12, item 7).

use actix_web::http::Method;
use serde_json::{Value, json};
use thidua::auth::Role;
use thidua::domain::audit::{Checkpoint, Finding, PublicKey, SigningKey, Source, read_kept};
use thidua::service::audit::{Checkpointed, verify, verify_anchored};

use crate::helpers::{TestApp, assert_problem};

/// `n` audited writes (users created by the admin), then settled (chained)
/// as `serve`'s settler would within `SETTLE_INTERVAL_MS`.
async fn write_rows(app: &TestApp, admin: &str, prefix: &str, n: usize) {
    for i in 0..n {
        let res = app
            .post(
                "/api/v1/users",
                admin,
                json!({"username": format!("user.{prefix}{i}"), "fullName": "X", "roles": ["viewer"], "password": "0123456789ab"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text());
    }
    app.settle().await;
}

async fn checkpoint_now(app: &TestApp, admin: &str) -> Checkpoint {
    let res = app
        .post("/api/v1/audit/checkpoints", admin, json!({}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
    serde_json::from_slice(&res.body).unwrap()
}

/// What an outside party kept: the checkpoint list as the API served it.
async fn kept_from_api(app: &TestApp, admin: &str) -> Vec<Checkpoint> {
    let res = app.get("/api/v1/audit/checkpoints", admin).await;
    assert_eq!(res.status, 200, "{}", res.text());
    read_kept(&res.text()).unwrap()
}

fn trusted(app: &TestApp) -> Vec<PublicKey> {
    vec![*app.state.audit_key.public()]
}

fn newest_row(app: &TestApp) -> i64 {
    app.count("SELECT max(id) AS n FROM audit_log")
}

#[actix_web::test]
async fn an_intact_chain_passes_against_checkpoints_kept_from_the_api_and_from_the_feed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    write_rows(&app, &admin, "a", 3).await;
    let first = checkpoint_now(&app, &admin).await;
    assert_eq!(first.audit_id, newest_row(&app));
    write_rows(&app, &admin, "b", 2).await;
    let second = checkpoint_now(&app, &admin).await;
    // The chain has not advanced: the same checkpoint, 200, nothing new.
    let again = app
        .post("/api/v1/audit/checkpoints", &admin, json!({}))
        .await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(
        serde_json::from_slice::<Checkpoint>(&again.body).unwrap(),
        second
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_checkpoints"), 2);
    write_rows(&app, &admin, "c", 1).await;

    // Kept as the API lists them (newest first), written out as a JSON array.
    let kept = kept_from_api(&app, &admin).await;
    assert_eq!(kept, vec![second.clone(), first.clone()]);
    let array = serde_json::to_string(&kept).unwrap();
    let verdict = verify_anchored(&app.state.db, &read_kept(&array).unwrap(), &trusted(&app))
        .await
        .unwrap();
    assert!(verdict.ok(), "{:?}", verdict.lines());
    assert_eq!(verdict.kept_checked, 2);
    assert_eq!(verdict.anchored.as_ref(), Some(&second));
    let lines = verdict.lines();
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "anchored: rows up to {} are exactly as they were",
            second.audit_id
        ))),
        "{lines:?}"
    );

    // Kept as JSON lines of the change feed (every event, not just checkpoints).
    let feed = app.get("/api/v1/events?limit=1000", &admin).await.json();
    let lines: Vec<String> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(Value::to_string)
        .collect();
    let from_feed = read_kept(&lines.join("\n")).unwrap();
    assert_eq!(from_feed, vec![first, second]);
    let verdict = verify_anchored(&app.state.db, &from_feed, &trusted(&app))
        .await
        .unwrap();
    assert!(verdict.ok(), "{:?}", verdict.lines());
}

#[actix_web::test]
async fn checkpoints_reach_the_feed_signed_with_the_published_key_and_add_no_audit_row() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let (_, viewer) = app.user("feed.viewer", &[Role::Viewer], None).await;
    write_rows(&app, &admin, "f", 2).await;
    let rows_before = app.count("SELECT count(*) AS n FROM audit_log");
    let made = checkpoint_now(&app, &admin).await;
    assert_eq!(
        app.count("SELECT count(*) AS n FROM audit_log"),
        rows_before,
        "a checkpoint must not advance the chain it anchors"
    );

    // Any feed reader sees it, as the API shows it, and nothing more.
    let feed = app.get("/api/v1/events?limit=1000", &viewer).await.json();
    let events: Vec<&Value> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "audit.checkpoint")
        .collect();
    assert_eq!(events.len(), 1, "{feed}");
    assert_eq!(events[0]["entity"], "audit_checkpoint");
    assert_eq!(events[0]["entityId"], made.id.to_string());
    assert_eq!(events[0]["data"], serde_json::to_value(&made).unwrap());
    let mut fields: Vec<&String> = events[0]["data"].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(
        fields,
        ["auditId", "createdAt", "hash", "id", "keyId", "signature"]
    );

    // The signature verifies with the key any caller can fetch and pin.
    let key = app.get("/api/v1/audit/signing-key", &viewer).await;
    assert_eq!(key.status, 200, "{}", key.text());
    let key = key.json();
    assert_eq!(key["algorithm"], "Ed25519");
    assert_eq!(key["keyId"], made.key_id);
    let from_x = PublicKey::parse(key["publicKey"].as_str().unwrap()).unwrap();
    let from_pem = PublicKey::parse(key["publicKeyPem"].as_str().unwrap()).unwrap();
    assert_eq!(from_x, from_pem);
    assert!(from_x.verifies(&made));
    // And it anchors the row it names, with that row's hash.
    let hash = app.count(&format!(
        "SELECT count(*) AS n FROM audit_log WHERE id = {} AND encode(hash, 'hex') = '{}'",
        made.audit_id,
        hex::encode(&made.hash)
    ));
    assert_eq!(hash, 1);
}

#[actix_web::test]
async fn truncating_the_newest_rows_is_detected_against_a_kept_checkpoint_file() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    write_rows(&app, &admin, "t", 3).await;
    let keep_until = newest_row(&app);
    write_rows(&app, &admin, "u", 3).await;
    let anchored = checkpoint_now(&app, &admin).await;
    let kept = kept_from_api(&app, &admin).await;

    // Someone with the database owner's rights deletes the newest rows and
    // the server's checkpoints that name them.
    app.sql(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
         ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update;
         DELETE FROM audit_checkpoints WHERE audit_id > {keep_until};
         DELETE FROM audit_log WHERE id > {keep_until};
         ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update;
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;"
    ));

    // The chain alone and the server's own (trimmed) table see nothing.
    let (_, broken) = verify(&app.state.db).await.unwrap();
    assert_eq!(broken, None);
    let alone = verify_anchored(&app.state.db, &[], &trusted(&app))
        .await
        .unwrap();
    assert!(alone.ok(), "{:?}", alone.lines());

    // The kept copy does.
    let verdict = verify_anchored(&app.state.db, &kept, &trusted(&app))
        .await
        .unwrap();
    assert!(!verdict.ok());
    assert!(
        verdict.findings.contains(&Finding::RowGone {
            source: Source::Kept,
            audit_id: anchored.audit_id,
            created_at: anchored.created_at,
            newest: Some(keep_until),
        }),
        "{:?}",
        verdict.findings
    );
    assert!(verdict.findings.contains(&Finding::NotOnServer {
        audit_id: anchored.audit_id
    }));
    let lines = verdict.lines();
    assert!(
        lines[0].contains(&format!("row {} is gone", anchored.audit_id))
            && lines[0].contains("tail truncation"),
        "{lines:?}"
    );
    assert!(lines.last().unwrap().contains("FAILED"));
}

/// Rewrite row `target` and recompute every later hash, as someone who
/// knows the chain's formula would: the chain is consistent again.
fn rewrite_and_rechain(app: &TestApp, target: i64) {
    app.sql(&format!(
        r#"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
           UPDATE audit_log SET actor_name = 'someone else' WHERE id = {target};
           DO $$
           DECLARE r record; prev bytea;
           BEGIN
               SELECT hash INTO prev FROM audit_log WHERE id < {target} ORDER BY id DESC LIMIT 1;
               prev := coalesce(prev, '\x'::bytea);
               FOR r IN SELECT id FROM audit_log WHERE id >= {target} ORDER BY id LOOP
                   UPDATE audit_log a SET prev_hash = prev, hash = sha256(prev || audit_canonical(a))
                    WHERE a.id = r.id RETURNING a.hash INTO prev;
               END LOOP;
           END $$;
           ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;"#
    ));
}

#[actix_web::test]
async fn editing_a_row_and_recomputing_every_later_hash_is_detected() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    write_rows(&app, &admin, "e", 4).await;
    let anchored = checkpoint_now(&app, &admin).await;
    let kept = kept_from_api(&app, &admin).await;
    write_rows(&app, &admin, "g", 2).await;
    let target = app.count("SELECT min(id) + 2 AS n FROM audit_log");
    assert!(target < anchored.audit_id);

    rewrite_and_rechain(&app, target);
    let (checked, broken) = verify(&app.state.db).await.unwrap();
    assert_eq!(broken, None, "the rechained trail is internally consistent");
    assert_eq!(checked, app.count("SELECT count(*) AS n FROM audit_log"));

    let verdict = verify_anchored(&app.state.db, &kept, &trusted(&app))
        .await
        .unwrap();
    let now = app.count(&format!(
        "SELECT count(*) AS n FROM audit_log WHERE id = {} AND hash <> decode('{}', 'hex')",
        anchored.audit_id,
        hex::encode(&anchored.hash)
    ));
    assert_eq!(now, 1, "the hash at the anchored row changed");
    for source in [Source::Kept, Source::Server] {
        assert!(
            verdict.findings.iter().any(|f| matches!(f,
                Finding::HashDiffers { source: s, audit_id, signed, .. }
                    if *s == source && *audit_id == anchored.audit_id && *signed == anchored.hash)),
            "{source}: {:?}",
            verdict.findings
        );
    }
    assert!(
        verdict.lines()[0].contains(&format!("rows up to {} were rewritten", anchored.audit_id)),
        "{:?}",
        verdict.lines()
    );

    // Making the server's copy say the new hash does not help: it cannot be re-signed.
    app.sql(
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update;
         UPDATE audit_checkpoints c SET hash = a.hash FROM audit_log a WHERE a.id = c.audit_id;
         ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update;",
    );
    let verdict = verify_anchored(&app.state.db, &[], &trusted(&app))
        .await
        .unwrap();
    assert_eq!(
        verdict.findings,
        vec![Finding::BadSignature {
            source: Source::Server,
            audit_id: anchored.audit_id,
            key_id: anchored.key_id.clone()
        }]
    );
}

#[actix_web::test]
async fn a_forged_or_altered_signature_is_detected() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    write_rows(&app, &admin, "s", 2).await;
    let real = checkpoint_now(&app, &admin).await;

    // An altered signature in the kept copy.
    let mut altered = real.clone();
    altered.signature[10] ^= 0x01;
    let verdict = verify_anchored(&app.state.db, &[altered], &trusted(&app))
        .await
        .unwrap();
    assert!(verdict.findings.contains(&Finding::BadSignature {
        source: Source::Kept,
        audit_id: real.audit_id,
        key_id: real.key_id.clone()
    }));
    assert!(
        verdict.lines()[0].contains("signature does not verify"),
        "{:?}",
        verdict.lines()
    );

    // A checkpoint forged into the server's table with a key of the forger's
    // own, once naming that key and once naming the trusted one.
    let forger = SigningKey::generate();
    let sign = |key_id: &str| {
        let created_at = thidua::domain::audit::now_for_checkpoint();
        let signature = forger.sign(real.audit_id - 1, &[0u8; 32], created_at);
        format!(
            "INSERT INTO audit_checkpoints (audit_id, hash, created_at, key_id, signature)
             VALUES ({}, decode('{}', 'hex'), '{}', '{key_id}', decode('{}', 'hex'))",
            real.audit_id - 1,
            "00".repeat(32),
            thidua::domain::audit::signed_time(created_at),
            hex::encode(signature)
        )
    };
    app.sql(&sign(&forger.public().key_id()));
    let verdict = verify_anchored(&app.state.db, &[], &trusted(&app))
        .await
        .unwrap();
    assert!(
        verdict.findings.iter().any(|f| matches!(f,
            Finding::UnknownKey { source: Source::Server, key_id, .. } if *key_id == forger.public().key_id())),
        "{:?}",
        verdict.findings
    );
    app.sql(&format!(
        "ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update;
         DELETE FROM audit_checkpoints WHERE audit_id = {};
         ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update;",
        real.audit_id - 1
    ));
    app.sql(&sign(&real.key_id));
    let verdict = verify_anchored(&app.state.db, &[], &trusted(&app))
        .await
        .unwrap();
    assert!(
        verdict.findings.contains(&Finding::BadSignature {
            source: Source::Server,
            audit_id: real.audit_id - 1,
            key_id: real.key_id.clone()
        }),
        "{:?}",
        verdict.findings
    );
    // The real one still stands.
    let verdict = verify_anchored(&app.state.db, std::slice::from_ref(&real), &trusted(&app))
        .await
        .unwrap();
    assert!(
        !verdict.findings.iter().any(|f| matches!(
            f,
            Finding::BadSignature {
                source: Source::Kept,
                ..
            }
        )),
        "{:?}",
        verdict.findings
    );
}

#[actix_web::test]
async fn checkpoints_are_read_by_the_admin_and_read_clients_and_made_by_the_admin() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let org = app.org("KT", None);
    let officer = app.member_token("kt.officer", Role::Officer, org);
    let (_, viewer) = app.user("kt.viewer", &[Role::Viewer], None).await;
    let made = checkpoint_now(&app, &admin).await;
    let one = format!("/api/v1/audit/checkpoints/{}", made.id);

    for token in [&officer, &viewer] {
        assert_problem(
            &app.get("/api/v1/audit/checkpoints", token).await,
            403,
            "audit_reader_required",
        );
        assert_problem(&app.get(&one, token).await, 403, "audit_reader_required");
        assert_problem(
            &app.post("/api/v1/audit/checkpoints", token, json!({}))
                .await,
            403,
            "admin_required",
        );
        // The key is public: every caller may fetch it.
        assert_eq!(
            app.get("/api/v1/audit/signing-key", token).await.status,
            200
        );
    }
    for path in [
        "/api/v1/audit/checkpoints",
        one.as_str(),
        "/api/v1/audit/signing-key",
    ] {
        assert_problem(
            &app.send(TestApp::req(Method::GET, path, None)).await,
            401,
            "unauthenticated",
        );
    }

    // A read client (an outside party keeping copies) may list, not make.
    let created = app
        .post(
            "/api/v1/clients",
            &admin,
            json!({"clientId": "archive", "name": "Lưu trữ tỉnh", "scopes": ["read"]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text());
    let secret = created.json()["clientSecret"].as_str().unwrap().to_string();
    let token = app
        .send(TestApp::req(Method::POST, "/api/v1/auth/token", None).set_json(json!({"grantType": "client_credentials", "clientId": "archive", "clientSecret": secret})))
        .await
        .json()["accessToken"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = app.get("/api/v1/audit/checkpoints?limit=1", &token).await;
    assert_eq!(listed.status, 200, "{}", listed.text());
    assert_eq!(listed.json()["items"][0]["id"], made.id);
    assert_eq!(app.get(&one, &token).await.status, 200);
    assert_problem(
        &app.post("/api/v1/audit/checkpoints", &token, json!({}))
            .await,
        403,
        "admin_required",
    );
    assert_problem(
        &app.get("/api/v1/audit/checkpoints/999999", &admin).await,
        404,
        "not_found",
    );
}

#[actix_web::test]
async fn checkpoints_page_newest_first_with_a_cursor() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let mut made = Vec::new();
    for i in 0..3 {
        write_rows(&app, &admin, &format!("p{i}-"), 1).await;
        made.push(checkpoint_now(&app, &admin).await);
    }
    let first = app
        .get("/api/v1/audit/checkpoints?limit=2", &admin)
        .await
        .json();
    assert_eq!(first["items"][0]["id"], made[2].id);
    assert_eq!(first["items"][1]["id"], made[1].id);
    let cursor = first["nextCursor"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v1/audit/checkpoints?limit=2&cursor={cursor}"),
            &admin,
        )
        .await
        .json();
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert_eq!(rest["items"][0]["id"], made[0].id);
    assert!(rest["nextCursor"].is_null());
    assert_problem(
        &app.get("/api/v1/audit/checkpoints?limit=0", &admin).await,
        422,
        "validation_failed",
    );
}

#[actix_web::test]
async fn an_empty_trail_has_nothing_to_checkpoint() {
    let app = TestApp::spawn().await;
    let org = app.org("RONG", None);
    // Inserted directly: no audit row.
    let admin = app.member_token("empty.admin", Role::Admin, org);
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_log"), 0);
    assert_problem(
        &app.post("/api/v1/audit/checkpoints", &admin, json!({}))
            .await,
        409,
        "audit_trail_empty",
    );
    assert_eq!(
        thidua::service::audit::checkpoint(&app.state.db, &app.state.audit_key)
            .await
            .unwrap(),
        Checkpointed::Empty
    );
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_checkpoints"), 0);
}

#[actix_web::test]
async fn instances_checkpointing_at_once_sign_the_head_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    write_rows(&app, &admin, "c", 2).await;
    // Two "instances": the same database, each with the shared key.
    let key = app.state.audit_key.clone();
    let runs = (0..6).map(|_| thidua::service::audit::checkpoint(&app.state.db, &key));
    let outcomes = futures_util::future::join_all(runs).await;
    let created = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Checkpointed::Created(_))))
        .count();
    let unchanged = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(Checkpointed::Unchanged(_))))
        .count();
    assert_eq!((created, unchanged), (1, 5), "{outcomes:?}");
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_checkpoints"), 1);
    assert_eq!(
        app.count("SELECT count(*) AS n FROM events WHERE type = 'audit.checkpoint'"),
        1
    );
}

#[actix_web::test]
async fn checkpoint_rows_cannot_be_updated_or_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    checkpoint_now(&app, &admin).await;
    for sql in [
        "UPDATE audit_checkpoints SET key_id = 'x'",
        "DELETE FROM audit_checkpoints",
        "TRUNCATE audit_checkpoints",
    ] {
        assert!(
            app.sql_err(sql).unwrap_or_default().contains("append-only"),
            "{sql}"
        );
    }
    assert_eq!(app.count("SELECT count(*) AS n FROM audit_checkpoints"), 1);
}

/// The command line: `audit checkpoint`, `audit key`, then `audit verify
/// --against` a kept file passes, and fails with a clear line once the
/// newest rows are gone.
#[actix_web::test]
async fn the_audit_commands_checkpoint_and_verify_against_a_kept_file() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    write_rows(&app, &admin, "cli", 3).await;
    let dir = std::env::temp_dir().join(format!(
        "thidua-audit-cli-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_thidua"))
            .args(args)
            .env("DATABASE_URL", &app.url)
            .env("THIDUA_VAR_DIR", &dir)
            .env(
                "JWT_SECRET",
                std::str::from_utf8(crate::helpers::TEST_SECRET).unwrap(),
            )
            .env_remove("JWT_PRIVATE_KEY")
            .env_remove("AUDIT_SIGNING_KEY")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run thidua");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, said, err) = run(&["audit", "checkpoint"]);
    assert!(
        ok && said.starts_with("checkpoint 1 signed"),
        "{said} {err}"
    );
    let (ok, said, _) = run(&["audit", "checkpoint"]);
    assert!(ok && said.contains("nothing to sign"), "{said}");
    let (ok, key, _) = run(&["audit", "key"]);
    assert!(
        ok && key.contains("BEGIN PUBLIC KEY") && key.contains("DerivedFromJwt"),
        "{key}"
    );

    // The outside party's copy, as the API lists it.
    let listed = app.get("/api/v1/audit/checkpoints", &admin).await.json();
    let kept_file = dir.join("kept.json");
    std::fs::write(&kept_file, listed["items"].to_string()).unwrap();
    let kept_arg = kept_file.display().to_string();
    let (ok, said, err) = run(&["audit", "verify", "--against", &kept_arg]);
    assert!(ok, "{said} {err}");
    assert!(said.contains("kept checkpoints: 1 read"), "{said}");
    assert!(said.contains("anchored: rows up to"), "{said}");
    assert!(said.contains("audit chain intact"), "{said}");

    // A key the checkpoint was not signed with is not trusted.
    let other = SigningKey::generate().public().base64url();
    let (ok, said, _) = run(&[
        "audit",
        "verify",
        "--against",
        &kept_arg,
        "--public-key",
        &other,
    ]);
    assert!(!ok && said.contains("not a trusted key"), "{said}");

    let anchored = listed["items"][0]["auditId"].as_i64().unwrap();
    app.sql(&format!(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
         ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_no_update;
         DELETE FROM audit_checkpoints;
         DELETE FROM audit_log WHERE id >= {anchored};
         ALTER TABLE audit_checkpoints ENABLE TRIGGER audit_checkpoints_no_update;
         ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;"
    ));
    let (ok, said, _) = run(&["audit", "verify"]);
    assert!(
        ok,
        "without the kept copy the truncation does not show: {said}"
    );
    let (ok, said, err) = run(&["audit", "verify", "--against", &kept_arg]);
    assert!(!ok, "{said}");
    assert!(
        said.lines().any(|l| l.starts_with("FAIL kept checkpoint")
            && l.contains(&format!("row {anchored} is gone"))
            && l.contains("tail truncation")),
        "{said}"
    );
    assert!(err.contains("audit chain verification failed"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
