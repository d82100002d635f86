//! Settings: defaults, cross-checks, and the README table.

use super::*;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "thidua-config-{name}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_audit_key_setting_wins_over_the_file_and_the_jwt_secret() {
    let key = crate::domain::audit::SigningKey::generate();
    let dir = temp_dir("setting");
    let (got, source) = resolve_audit_key(
        Some(key.to_pem().into_bytes()),
        Some(dir.join("audit-signing-key.pem")),
        Some(b"jwt secret".to_vec()),
        true,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (got.public(), source),
        (key.public(), AuditKeySource::Setting)
    );
    assert!(!dir.join("audit-signing-key.pem").exists());
    // A path to the PEM works too: the setting's parser reads it, and
    // refuses what is not a key.
    let path = dir.join("given.pem");
    std::fs::write(&path, key.to_pem()).unwrap();
    let pem = audit_key(&path.display().to_string()).unwrap();
    let (got, _) = resolve_audit_key(Some(pem.0), None, None, true)
        .unwrap()
        .unwrap();
    assert_eq!(got.public(), key.public());
    assert!(audit_key("-----BEGIN junk").is_err());
    assert!(audit_key(&dir.join("missing.pem").display().to_string()).is_err());
    assert!(resolve_audit_key(Some(b"-----BEGIN junk".to_vec()), None, None, true).is_err());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_private_database_keeps_one_generated_audit_key_readable_only_by_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("file");
    let path = dir.join("var").join("audit-signing-key.pem");
    assert!(
        resolve_audit_key(None, Some(path.clone()), None, false)
            .unwrap()
            .is_none(),
        "verify never creates a key"
    );
    let (first, source) = resolve_audit_key(None, Some(path.clone()), None, true)
        .unwrap()
        .unwrap();
    assert_eq!(source, AuditKeySource::File(path.clone()));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let (again, _) = resolve_audit_key(None, Some(path.clone()), Some(b"x".to_vec()), true)
        .unwrap()
        .unwrap();
    assert_eq!(again.public(), first.public());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn without_setting_or_file_the_audit_key_is_derived_from_the_jwt_key_or_refused() {
    let a = resolve_audit_key(None, None, Some(b"the same secret".to_vec()), true)
        .unwrap()
        .unwrap();
    let b = resolve_audit_key(None, None, Some(b"the same secret".to_vec()), true)
        .unwrap()
        .unwrap();
    assert_eq!(a.1, AuditKeySource::DerivedFromJwt);
    assert_eq!(a.0.public(), b.0.public());
    assert!(resolve_audit_key(None, None, None, true).is_err());
    assert!(
        resolve_audit_key(None, None, None, false)
            .unwrap()
            .is_none()
    );
}

#[test]
fn trusted_proxies_read_addresses_and_cidrs() {
    let t = TrustedProxies::parse("10.0.0.0/8, 192.168.1.7 2001:db8::/32").unwrap();
    assert!(t.contains("10.200.3.4".parse().unwrap()));
    assert!(
        t.contains("::ffff:10.1.1.1".parse().unwrap()),
        "IPv4-mapped"
    );
    assert!(t.contains("192.168.1.7".parse().unwrap()));
    assert!(!t.contains("192.168.1.8".parse().unwrap()));
    assert!(t.contains("2001:db8:ffff::1".parse().unwrap()));
    assert!(!t.contains("2001:db9::1".parse().unwrap()));
    assert!(
        TrustedProxies::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap())
    );
    assert!(TrustedProxies::parse("").unwrap().is_empty());
    assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
    assert!(TrustedProxies::parse("proxy.local").is_err());
}

fn parse_settings(args: &[&str]) -> Result<Settings, clap::Error> {
    use clap::FromArgMatches;
    // Flags only: the test process's environment is not read.
    let m = Settings::command()
        .mut_args(|a| a.env(clap::builder::Resettable::Reset))
        .try_get_matches_from(args)?;
    Settings::from_arg_matches(&m)
}

#[test]
fn cors_origins_are_exact_origins_and_never_a_wildcard() {
    assert_eq!(
        cors_origins(" https://app.example , http://localhost:5173,").unwrap(),
        Origins(vec![
            "https://app.example".into(),
            "http://localhost:5173".into()
        ])
    );
    assert!(
        cors_origins("*")
            .unwrap_err()
            .contains("\"*\" is not allowed")
    );
    assert!(cors_origins("https://a.example,*").is_err());
    for (bad, hint) in [
        ("https://app.example/", "\"https://app.example\""),
        ("https://App.Example", "\"https://app.example\""),
        ("https://app.example:443", "\"https://app.example\""),
        ("https://app.example/path", "\"https://app.example\""),
    ] {
        let e = cors_origins(bad).unwrap_err();
        assert!(e.contains(&format!("write {hint}")), "{bad}: {e}");
    }
    assert!(
        cors_origins("app.example")
            .unwrap_err()
            .contains("not an origin")
    );
    assert!(
        cors_origins("ftp://app.example")
            .unwrap_err()
            .contains("http(s)")
    );
    assert_eq!(cors_origins("").unwrap(), Origins(vec![]));
}

#[test]
fn sizes_counts_and_timeouts_are_bounded() {
    assert_eq!(pool_size(" 8 "), Ok(8));
    assert!(pool_size("0").is_err() && pool_size("10001").is_err() && pool_size("-1").is_err());
    assert_eq!(body_limit("1024"), Ok(1024));
    assert!(body_limit("1023").is_err() && body_limit("1073741825").is_err());
    assert_eq!(at_least_one("1"), Ok(1));
    assert_eq!(at_least_one("0"), Err("must be at least 1".into()));
    assert!(number::<u32>("4294967296").is_err(), "past u32");
    assert_eq!(number::<u64>("0"), Ok(0), "0 is a value where it means off");
}

#[test]
fn addresses_and_urls_are_checked_and_public_url_loses_its_trailing_slash() {
    for ok in [
        "127.0.0.1:8080",
        "0.0.0.0:80",
        "[::1]:8080",
        "localhost:8080",
    ] {
        assert_eq!(bind_addr(ok), Ok(ok.to_string()));
    }
    for bad in ["8080", ":8080", "127.0.0.1", "127.0.0.1:99999", "a b:80"] {
        assert!(bind_addr(bad).is_err(), "{bad}");
    }
    assert_eq!(
        public_url("https://thidua.example/"),
        Ok("https://thidua.example".into())
    );
    assert!(public_url("thidua.example").is_err());
    assert!(public_url("ftp://thidua.example").is_err());
    assert!(public_url("https://thidua.example/?a=1").is_err());
    assert!(database_url("postgres://u@h/thidua?sslmode=require").is_ok());
    assert!(database_url("postgres://u@h/thidua?sslmode=on").is_err());
    assert!(log_filter("warn,thidua=debug").is_ok());
    assert!(log_filter("thidua=loud").is_err());
    assert!(jwt_secret(&"x".repeat(31)).is_err());
    assert!(jwt_secret(&"x".repeat(32)).is_ok());
}

#[test]
fn a_bad_value_is_one_line_naming_the_variable_and_the_flag_without_echoing_secrets() {
    let e = parse_settings(&["--db-pool-size", "0"]).unwrap_err();
    assert_eq!(
        describe_setting_error(&e).unwrap(),
        "configuration: DB_POOL_SIZE=\"0\" (--db-pool-size): must be 1–10000 connections"
    );
    let e = parse_settings(&["--log-format", "xml"]).unwrap_err();
    assert_eq!(
        describe_setting_error(&e).unwrap(),
        "configuration: LOG_FORMAT=\"xml\" (--log-format): must be one of json, pretty"
    );
    let e = parse_settings(&["--jwt-secret", "hunter2"]).unwrap_err();
    let line = describe_setting_error(&e).unwrap();
    assert!(
        line.starts_with("configuration: JWT_SECRET (--jwt-secret): must be at least 32 bytes"),
        "{line}"
    );
    assert!(!line.contains("hunter2"));
    let e = parse_settings(&["--no-such-flag"]).unwrap_err();
    assert_eq!(
        describe_setting_error(&e),
        None,
        "clap answers unknown flags itself"
    );
}

#[test]
fn settings_become_the_config_with_the_documented_defaults_and_cross_checks() {
    let c = parse_settings(&[
        "--db-pool-size",
        "3",
        "--trusted-proxies",
        "10.0.0.0/8",
        "--cors-allowed-origins",
        "https://app.example",
        "--audit-checkpoint-secs",
        "0",
        "--bind-addr",
        "0.0.0.0:9000",
        "--database-url",
        "postgres://u@h/x",
        "--jwt-secret",
        &"s".repeat(32),
        "--password-hash-concurrency",
        "2",
        "--var-dir",
        "/srv/thidua",
        "--pg-bin",
        "/nonexistent",
    ]);
    assert!(c.is_err(), "PG_BIN must hold initdb and postgres");
    let c = parse_settings(&[
        "--db-pool-size",
        "3",
        "--trusted-proxies",
        "10.0.0.0/8",
        "--cors-allowed-origins",
        "https://app.example",
        "--audit-checkpoint-secs",
        "0",
        "--bind-addr",
        "0.0.0.0:9000",
        "--database-url",
        "postgres://u@h/x",
        "--jwt-secret",
        &"s".repeat(32),
        "--password-hash-concurrency",
        "2",
        "--var-dir",
        "/srv/thidua",
        "--public-url",
        "https://api.example/",
        "--db-connect-timeout-ms",
        "2000",
        "--request-timeout-secs",
        "30",
        "--body-limit-bytes",
        "262144",
        "--log-format",
        "json",
        "--log-filter",
        "info",
        "--jwt-issuer",
        "thidua",
        "--jwt-audience",
        "thidua-api",
        "--token-ttl-secs",
        "60",
        "--rate-limit-per-minute",
        "0",
        "--password-hash-wait-ms",
        "1000",
        "--login-pace-ms",
        "2000",
        "--db-statement-timeout-ms",
        "5000",
    ])
    .unwrap()
    .into_config()
    .unwrap();
    assert_eq!(c.pool_size, 3);
    assert!(c.trusted_proxies.contains("10.1.2.3".parse().unwrap()));
    assert_eq!(c.cors_origins, vec!["https://app.example".to_string()]);
    assert_eq!(c.audit_checkpoint, None, "0 turns checkpoints off");
    assert_eq!(c.public_url.as_deref(), Some("https://api.example"));
    assert_eq!((c.hash_concurrency, c.token_ttl_secs), (2, 60));
    assert_eq!(c.var_dir, PathBuf::from("/srv/thidua"));
    assert!(!format!("{c:?}").contains("sssss"), "no secret in Debug");

    let mut s = parse_settings(&["--jwt-secret", &"s".repeat(32)]).unwrap();
    s.jwt_private_key = Some(Pem(b"-----BEGIN PRIVATE KEY-----".to_vec()));
    s.jwt_public_key = None;
    assert_eq!(
        s.into_config().unwrap_err().0,
        "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: set both, or neither"
    );
}
