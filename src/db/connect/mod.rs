//! Reaching PostgreSQL: `DATABASE_URL` read with libpq's `sslmode` and
//! `sslrootcert`, connections made by tokio-postgres over rustls, and errors
//! turned into one line an operator can act on. The pool, the migrations
//! and the start-up database check all connect through [`Target`].
//!
//! What each `sslmode` does (docs/deploy.md):
//! - `disable`: no TLS.
//! - `prefer` (the default, as in libpq): TLS when the server offers it,
//!   certificate not checked; plaintext when it does not.
//! - `require`: TLS or nothing, certificate not checked, unless `sslrootcert`
//!   names a file: then it is checked as `verify-ca` (libpq does the same).
//! - `verify-ca`: the certificate chains to a trusted CA; the host name is
//!   not checked.
//! - `verify-full`: the chain and the host name (or IP address) are checked.
//!
//! Trusted CAs: the PEM file `sslrootcert` names, or the system's store when
//! it is unset or `system` (`sslrootcert=system` also makes `verify-full` the
//! default and refuses weaker modes, as libpq 16 does).

use std::path::PathBuf;
use std::sync::Arc;

use diesel::ConnectionError;
use diesel_async::AsyncPgConnection;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

/// libpq's `sslmode` values (`allow` is not offered: it only ever adds a
/// plaintext attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn verifies(self) -> bool {
        self >= SslMode::VerifyCa
    }
}

/// Where the trusted CA certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The system's store (`/etc/ssl/certs`, or `SSL_CERT_FILE` / `SSL_CERT_DIR`).
    System,
    /// The PEM file `sslrootcert` names.
    File(PathBuf),
}

impl std::fmt::Display for Roots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Roots::System => f.write_str("the system's CA store"),
            Roots::File(p) => write!(f, "sslrootcert={}", p.display()),
        }
    }
}

/// A parsed `DATABASE_URL`: the tokio-postgres settings and the TLS policy.
#[derive(Clone)]
pub struct Target {
    config: tokio_postgres::Config,
    mode: SslMode,
    roots: Option<Roots>,
    tls: Option<tokio_postgres_rustls::MakeRustlsConnect>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("Target")
            .field("server", &self.describe_server())
            .field("sslmode", &self.mode)
            .field("roots", &self.roots)
            .finish()
    }
}

/// Connection parameters of libpq's this client does not implement: refused
/// by name instead of being ignored (a CRL nobody checks is worse than none).
const UNSUPPORTED: &[&str] = &["sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir"];

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent-encoding in {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} is not UTF-8 once decoded"))
}

/// The URL without the TLS parameters tokio-postgres does not read
/// (`sslmode`, `sslrootcert`), and their values.
fn split_tls_params(url: &str) -> Result<(String, Option<String>, Option<String>), String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut sslmode = None;
    let mut rootcert = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(k)?;
        match key.as_str() {
            "sslmode" => sslmode = Some(percent_decode(v)?),
            "sslrootcert" => rootcert = Some(percent_decode(v)?),
            k if UNSUPPORTED.contains(&k) => {
                return Err(format!(
                    "{k} is not supported (no client certificates or CRLs): authenticate with a password"
                ));
            }
            _ => kept.push(pair),
        }
    }
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((rest, sslmode, rootcert))
}

/// The effective mode and roots of `sslmode` and `sslrootcert`, as libpq
/// reads them.
fn tls_mode(
    sslmode: Option<String>,
    rootcert: Option<String>,
) -> Result<(SslMode, Option<Roots>), String> {
    let roots = rootcert.map(|v| match v.as_str() {
        "system" => Roots::System,
        _ => Roots::File(PathBuf::from(v)),
    });
    let mode = match sslmode.as_deref() {
        None if roots == Some(Roots::System) => SslMode::VerifyFull,
        None => SslMode::Prefer,
        Some(s) => SslMode::parse(s).ok_or_else(|| {
            format!("sslmode={s:?} is not one of disable, prefer, require, verify-ca, verify-full")
        })?,
    };
    if roots == Some(Roots::System) && mode != SslMode::VerifyFull {
        return Err(format!(
            "sslrootcert=system needs sslmode=verify-full (not {})",
            mode.as_str()
        ));
    }
    // libpq: "if a root CA file exists, sslmode=require behaves as verify-ca".
    let mode = match (mode, &roots) {
        (SslMode::Require, Some(Roots::File(_))) => SslMode::VerifyCa,
        (m, _) => m,
    };
    Ok((mode, roots))
}

impl Target {
    /// Read a `postgres://` URL. CA files are read now, so a wrong path fails
    /// at start, not at the first connection.
    pub fn parse(url: &str) -> Result<Target, String> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(
                "must be a postgres:// URL (postgres://user:password@host:5432/database?sslmode=verify-full)"
                    .into(),
            );
        }
        let (rest, sslmode, rootcert) = split_tls_params(url)?;
        let mut config: tokio_postgres::Config = rest.parse().map_err(|e| format!("{e}"))?;
        if config.get_dbname().is_none_or(str::is_empty) {
            return Err("names no database (postgres://…/thidua)".into());
        }
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            return Err("names no host (postgres://user@host:5432/thidua)".into());
        }

        let (mode, roots) = tls_mode(sslmode, rootcert)?;
        config.ssl_mode(match mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        let roots = match (mode.verifies(), roots) {
            (true, None) => Some(Roots::System),
            (true, r) => r,
            (false, _) => None,
        };
        let tls = match mode {
            SslMode::Disable => None,
            _ => Some(tokio_postgres_rustls::MakeRustlsConnect::new(
                client_config(mode, roots.as_ref())?,
            )),
        };
        Ok(Target {
            config,
            mode,
            roots,
            tls,
        })
    }

    /// The effective `sslmode` (`require` with a CA file reads as `verify-ca`).
    pub fn ssl_mode(&self) -> SslMode {
        self.mode
    }

    pub fn database(&self) -> &str {
        self.config.get_dbname().unwrap_or_default()
    }

    pub fn user(&self) -> Option<&str> {
        self.config.get_user()
    }

    /// The same server and settings, another database.
    pub fn with_database(&self, name: &str) -> Target {
        let mut t = self.clone();
        t.config.dbname(name);
        t
    }

    /// `host:port[,host:port]/database`, for messages (no user, no password).
    pub fn describe_server(&self) -> String {
        let ports = self.config.get_ports();
        let port = |i: usize| ports.get(i).or(ports.first()).copied().unwrap_or(5432);
        let hosts: Vec<String> = if self.config.get_hosts().is_empty() {
            self.config
                .get_hostaddrs()
                .iter()
                .enumerate()
                .map(|(i, a)| format!("{a}:{}", port(i)))
                .collect()
        } else {
            self.config
                .get_hosts()
                .iter()
                .enumerate()
                .map(|(i, h)| match h {
                    tokio_postgres::config::Host::Tcp(h) => format!("{h}:{}", port(i)),
                    tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .collect()
        };
        format!("{}/{}", hosts.join(","), self.database())
    }

    /// One connection, with the TLS policy applied.
    pub async fn connect(&self) -> Result<AsyncPgConnection, ConnectError> {
        let conn = match &self.tls {
            None => {
                let (client, conn) = self
                    .config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(ConnectError::Postgres)?;
                AsyncPgConnection::try_from_client_and_connection(client, conn).await
            }
            Some(tls) => {
                let (client, conn) = self
                    .config
                    .connect(tls.clone())
                    .await
                    .map_err(ConnectError::Postgres)?;
                AsyncPgConnection::try_from_client_and_connection(client, conn).await
            }
        };
        conn.map_err(ConnectError::Setup)
    }

    /// `connect` for the pool: the error as diesel's, already described.
    pub async fn establish(&self) -> Result<AsyncPgConnection, ConnectionError> {
        self.connect()
            .await
            .map_err(|e| ConnectionError::BadConnection(self.explain(&e)))
    }

    /// One line naming the server, the mode and what went wrong.
    pub fn explain(&self, e: &ConnectError) -> String {
        format!(
            "cannot connect to PostgreSQL at {} (sslmode={}): {}",
            self.describe_server(),
            self.mode.as_str(),
            self.reason(e)
        )
    }

    fn reason(&self, e: &ConnectError) -> String {
        let pg = match e {
            ConnectError::Setup(e) => return e.to_string(),
            ConnectError::Postgres(e) => e,
        };
        if let Some(db) = pg.as_db_error() {
            return format!("{}: {}", db.severity(), db.message());
        }
        let roots = self
            .roots
            .as_ref()
            .map_or_else(|| "a trusted CA".to_string(), Roots::to_string);
        let mut source = std::error::Error::source(pg);
        while let Some(s) = source {
            if let Some(tls) = s.downcast_ref::<rustls::Error>() {
                return match tls {
                    rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                        format!("the server's TLS certificate is not signed by a CA in {roots}")
                    }
                    rustls::Error::InvalidCertificate(CertificateError::NotValidForName) => {
                        "the server's TLS certificate is not valid for this host name (verify-full checks it)".into()
                    }
                    rustls::Error::InvalidCertificate(
                        CertificateError::NotValidForNameContext { expected, presented },
                    ) => format!(
                        "the server's TLS certificate is not valid for host name {} (it names {}; verify-full checks it)",
                        expected.to_str(),
                        presented
                            .iter()
                            .map(|n| plain_name(n))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    rustls::Error::InvalidCertificate(
                        CertificateError::Expired | CertificateError::ExpiredContext { .. },
                    ) => "the server's TLS certificate has expired".into(),
                    rustls::Error::InvalidCertificate(
                        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. },
                    ) => "the server's TLS certificate is not valid yet".into(),
                    other => format!("TLS handshake failed: {other}"),
                };
            }
            if let Some(io) = s.downcast_ref::<std::io::Error>()
                && let Some(inner) = io.get_ref()
                && let Some(tls) = inner.downcast_ref::<rustls::Error>()
            {
                source = Some(tls);
                continue;
            }
            source = s.source();
        }
        let text = pg.to_string();
        if text.contains("server does not support TLS") {
            return format!(
                "the server does not accept TLS (sslmode={} requires it)",
                self.mode.as_str()
            );
        }
        text
    }
}

/// A name as rustls presents it (`DnsName("db.example")`, `IpAddress(10.0.0.5)`)
/// as an operator writes it.
fn plain_name(n: &str) -> &str {
    ["DnsName(\"", "IpAddress("]
        .iter()
        .find_map(|p| n.strip_prefix(p))
        .map(|rest| rest.trim_end_matches(')').trim_end_matches('"'))
        .unwrap_or(n)
}

/// Why a connection failed.
#[derive(Debug)]
pub enum ConnectError {
    /// Connecting or authenticating (the server's own error is inside).
    Postgres(tokio_postgres::Error),
    /// Connected, but diesel's session setup failed.
    Setup(ConnectionError),
}

impl ConnectError {
    /// The server said the database does not exist (SQLSTATE 3D000).
    pub fn is_missing_database(&self) -> bool {
        matches!(self, ConnectError::Postgres(e)
            if e.code() == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME))
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn root_store(roots: &Roots) -> Result<rustls::RootCertStore, String> {
    let mut store = rustls::RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let pem =
                std::fs::read(path).map_err(|e| format!("sslrootcert={}: {e}", path.display()))?;
            let certs = CertificateDer::pem_slice_iter(&pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("sslrootcert={}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!(
                    "sslrootcert={}: holds no PEM certificate",
                    path.display()
                ));
            }
            for c in certs {
                store
                    .add(c)
                    .map_err(|e| format!("sslrootcert={}: {e}", path.display()))?;
            }
        }
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
            if store.is_empty() {
                return Err(
                    "no CA certificates found in the system's store to check the server with: install them (Debian: ca-certificates) or set sslrootcert=<file>"
                        .into(),
                );
            }
        }
    }
    Ok(store)
}

fn client_config(mode: SslMode, roots: Option<&Roots>) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let config = match (mode.verifies(), roots) {
        (true, Some(roots)) => {
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(root_store(roots)?),
                provider,
            )
            .build()
            .map_err(|e| format!("TLS: {e}"))?;
            let verifier: Arc<dyn ServerCertVerifier> = if mode == SslMode::VerifyFull {
                webpki
            } else {
                Arc::new(ChainOnly(webpki))
            };
            builder
                .dangerous()
                .with_custom_certificate_verifier(verifier)
                .with_no_client_auth()
        }
        _ => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth(),
    };
    Ok(config)
}

/// `verify-ca`: the chain is checked, the name is not. webpki checks the
/// chain first and the name last, so a name mismatch means the chain passed.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`: encrypted, the certificate not checked (the
/// handshake signatures still are, so the session key is the server's).
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests;
