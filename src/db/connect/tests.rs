//! Reading `DATABASE_URL`: the TLS parameters as libpq reads them.

use super::*;

fn ca_file() -> (PathBuf, PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("thidua-connect-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let path = dir.join("ca.pem");
    std::fs::write(&path, ca.pem()).unwrap();
    (dir, path)
}

#[test]
fn sslmode_defaults_to_prefer_and_every_libpq_mode_is_read() {
    let t = Target::parse("postgres://u:p@db.example:5433/thidua").unwrap();
    assert_eq!(t.ssl_mode(), SslMode::Prefer);
    for m in ["disable", "prefer", "require", "verify-ca", "verify-full"] {
        let t = Target::parse(&format!("postgres://u@h/thidua?sslmode={m}")).unwrap();
        assert_eq!(t.ssl_mode().as_str(), m);
    }
    let e = Target::parse("postgres://u@h/thidua?sslmode=allow").unwrap_err();
    assert!(e.contains("sslmode=\"allow\""), "{e}");
}

#[test]
fn the_ssl_parameters_are_taken_out_and_the_others_kept_for_tokio_postgres() {
    let (dir, ca) = ca_file();
    let url = format!(
        "postgres://app:s%40cret@a.example:5432,b.example:5433/thidua?application_name=thidua&sslmode=verify-full&sslrootcert={}&target_session_attrs=read-write",
        ca.display()
    );
    let t = Target::parse(&url).unwrap();
    assert_eq!(t.ssl_mode(), SslMode::VerifyFull);
    assert_eq!(t.roots, Some(Roots::File(ca.clone())));
    assert_eq!(t.config.get_application_name(), Some("thidua"));
    assert_eq!(
        t.config.get_target_session_attrs(),
        tokio_postgres::config::TargetSessionAttrs::ReadWrite
    );
    assert_eq!(t.config.get_password(), Some(&b"s@cret"[..]));
    assert_eq!(
        t.describe_server(),
        "a.example:5432,b.example:5433/thidua",
        "no user, no password"
    );
    assert!(!format!("{t:?}").contains("cret"));
    assert_eq!(t.with_database("postgres").database(), "postgres");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn require_with_a_ca_file_checks_the_chain_like_libpq_and_system_roots_need_verify_full() {
    let (dir, ca) = ca_file();
    let t = Target::parse(&format!(
        "postgres://u@h/thidua?sslmode=require&sslrootcert={}",
        ca.display()
    ))
    .unwrap();
    assert_eq!(t.ssl_mode(), SslMode::VerifyCa);
    let t = Target::parse("postgres://u@h/thidua?sslrootcert=system").unwrap();
    assert_eq!(
        (t.ssl_mode(), t.roots),
        (SslMode::VerifyFull, Some(Roots::System))
    );
    let e = Target::parse("postgres://u@h/thidua?sslrootcert=system&sslmode=require").unwrap_err();
    assert!(e.contains("verify-full"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_missing_or_empty_ca_file_and_client_certificates_are_refused_at_parse() {
    let e =
        Target::parse("postgres://u@h/thidua?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
            .unwrap_err();
    assert!(e.starts_with("sslrootcert=/nonexistent/ca.pem: "), "{e}");
    let (dir, ca) = ca_file();
    std::fs::write(&ca, "not a certificate\n").unwrap();
    let e = Target::parse(&format!(
        "postgres://u@h/thidua?sslmode=verify-ca&sslrootcert={}",
        ca.display()
    ))
    .unwrap_err();
    assert!(e.contains("holds no PEM certificate"), "{e}");
    let e = Target::parse("postgres://u@h/thidua?sslcert=/x.pem").unwrap_err();
    assert!(e.starts_with("sslcert is not supported"), "{e}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn presented_certificate_names_read_as_written() {
    assert_eq!(plain_name("DnsName(\"db.example\")"), "db.example");
    assert_eq!(plain_name("IpAddress(10.0.0.5)"), "10.0.0.5");
    assert_eq!(plain_name("*.example"), "*.example");
}

#[test]
fn urls_without_a_database_or_of_another_scheme_are_refused() {
    assert!(Target::parse("mysql://u@h/thidua").is_err());
    assert!(
        Target::parse("postgres://u@h")
            .unwrap_err()
            .contains("no database")
    );
    assert!(
        Target::parse("postgres://u@h/")
            .unwrap_err()
            .contains("no database")
    );
    assert!(Target::parse("postgres://u@h/thidua?nonsense=1").is_err());
}
