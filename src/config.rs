//! Settings: every one a clap argument with its environment variable
//! ([`Settings`], shown by `thidua serve --help`), each value checked when
//! it is read, then turned into the one [`Config`] the process uses. The
//! README's configuration table lists the same variables with the same
//! defaults (a test compares them).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Every setting the service uses, checked (see [`Settings`]).
#[derive(Clone)]
pub struct Config {
    /// `DATABASE_URL`; unset → the private PostgreSQL under `var/postgres`.
    pub database_url: Option<String>,
    /// `BIND_ADDR` (default `127.0.0.1:8080`).
    pub bind_addr: String,
    /// `THIDUA_VAR_DIR` (default `./var`): private database, generated secret.
    pub var_dir: PathBuf,
    /// `PG_BIN`: directory with `initdb` and `postgres` for the private server.
    pub pg_bin: Option<PathBuf>,
    /// `DB_POOL_SIZE` (default 8: 2–4× the cores; bigger pools made p99 worse).
    pub pool_size: usize,
    /// `DB_STATEMENT_TIMEOUT_MS` (default 5000) set on every pooled connection.
    pub statement_timeout_ms: u64,
    /// `DB_CONNECT_TIMEOUT_MS` (default 2000): how long a request waits for a
    /// connection before it fails fast with 503.
    pub connect_timeout: Duration,
    /// `REQUEST_TIMEOUT_SECS` (default 30): a request still running is answered 503.
    pub request_timeout: Duration,
    /// `BODY_LIMIT_BYTES` (default 262144): larger JSON bodies get 413.
    pub body_limit: usize,
    /// `CORS_ALLOWED_ORIGINS`: comma-separated origins; empty (default) allows none.
    pub cors_origins: Vec<String>,
    /// `LOG_FORMAT`: `json` (default) or `pretty`.
    pub log_format: String,
    /// `RUST_LOG` (default `info`): the log filter.
    pub log_filter: String,
    /// `PUBLIC_URL`: how the server is reached, for printed links (default from `BIND_ADDR`).
    pub public_url: Option<String>,
    /// `TRUSTED_PROXIES`: IPs or CIDRs of the reverse proxies in front of the
    /// server. Only a request whose TCP peer is one of them has its
    /// `Forwarded` / `X-Forwarded-For` read (right-most untrusted hop); empty
    /// (default): the peer address is the client, headers are ignored.
    pub trusted_proxies: TrustedProxies,
    /// `PASSWORD_HASH_CONCURRENCY` (default: half the cores, at least 1):
    /// Argon2 runs at once in the process (each holds a 19 MiB block).
    pub hash_concurrency: usize,
    /// `PASSWORD_HASH_WAIT_MS` (default 1000): how long a login waits for a
    /// hashing slot before it is answered 503 `login_busy`.
    pub hash_wait: Duration,
    /// `LOGIN_PACE_MS` (default 2000): once an account has had 10 failed
    /// logins in 15 minutes from all sources together, attempts on it run
    /// one per this interval.
    pub login_pace: Duration,
    /// `RATE_LIMIT_PER_MINUTE` (default 600 per caller; 0 turns it off).
    pub rate_limit_per_minute: u32,
    /// `JWT_SECRET`: the HS256 secret (at least 32 bytes).
    pub jwt_secret: Option<String>,
    /// `JWT_PRIVATE_KEY`: Ed25519 PEM (read from the path when the setting named a file).
    pub jwt_private_key: Option<Vec<u8>>,
    /// `JWT_PUBLIC_KEY`: Ed25519 PEM (read from the path when the setting named a file).
    pub jwt_public_key: Option<Vec<u8>>,
    /// `JWT_ISSUER` (default `thidua`).
    pub jwt_issuer: String,
    /// `JWT_AUDIENCE` (default `thidua-api`).
    pub jwt_audience: String,
    /// `TOKEN_TTL_SECS` (default 3600).
    pub token_ttl_secs: u64,
    /// `AUDIT_SIGNING_KEY`: the Ed25519 PKCS#8 PEM (read from the path when
    /// the setting named a file), checked to be a key.
    pub audit_signing_key: Option<Vec<u8>>,
    /// `AUDIT_CHECKPOINT_SECS` (default 300; 0 → `None`, off).
    pub audit_checkpoint: Option<Duration>,
    /// `WEBHOOK_ALLOW_HOSTS`: hosts (lower case) a webhook may target over
    /// plain http and whatever they resolve to (empty: none).
    pub webhook_allow_hosts: Vec<String>,
    /// `WEBHOOK_CONCURRENCY` (default 4): deliveries in flight per instance;
    /// 0: this instance delivers none.
    pub webhook_concurrency: usize,
    /// `WEBHOOK_RETRY_BASE_MS` and `WEBHOOK_RETRY_WINDOW_SECS`: the first
    /// retry's delay (default 30 s) and how long a failing delivery is tried
    /// (default 24 h) before its webhook pauses.
    pub webhook_retry: crate::domain::webhooks::RetryPolicy,
}

/// The settings as command-line arguments, each also read from its
/// environment variable (a flag wins over the variable). `thidua serve
/// --help` lists them; the README's table must agree (`tests/api/deploy.rs`).
/// Every parser below refuses a bad value with a reason, which
/// `describe_setting_error` turns into one line naming the variable.
///
/// A setting whose default is not one fixed value says so in a last help
/// paragraph `Default: …`, in the words of the README's default column.
#[derive(clap::Args, Clone, Debug)]
#[command(next_help_heading = "Settings (each also read from the environment variable shown)")]
pub struct Settings {
    /// PostgreSQL to use (created if missing when the role may, then migrated).
    ///
    /// A postgres:// URL; `sslmode` (disable, prefer, require, verify-ca,
    /// verify-full) and `sslrootcert` (a CA file, or `system`) as in libpq.
    /// Unset: a private server from the installed binaries, data in
    /// $THIDUA_VAR_DIR/postgres, on a free local port, stopped on exit.
    ///
    /// Default: unset
    #[arg(long, env = "DATABASE_URL", value_name = "URL", hide_env_values = true,
          global = true, value_parser = database_url)]
    pub database_url: Option<String>,

    /// Address the API listens on (host:port).
    #[arg(long, env = "BIND_ADDR", value_name = "HOST:PORT", default_value = "127.0.0.1:8080",
          global = true, value_parser = bind_addr)]
    pub bind_addr: String,

    /// How the server is reached, for the printed links (an http(s) URL).
    ///
    /// Default: http://$BIND_ADDR
    #[arg(long, env = "PUBLIC_URL", value_name = "URL", global = true, value_parser = public_url)]
    pub public_url: Option<String>,

    /// The private database, its log, the generated JWT secret and audit signing key.
    #[arg(long, env = "THIDUA_VAR_DIR", value_name = "DIR", default_value = "./var",
          global = true, value_parser = non_empty_path)]
    pub var_dir: PathBuf,

    /// Directory with `initdb` and `postgres` for the private server.
    ///
    /// Default: searched (PATH, /usr/lib/postgresql/<v>/bin, pg_config --bindir)
    #[arg(long, env = "PG_BIN", value_name = "DIR", global = true, value_parser = pg_bin)]
    pub pg_bin: Option<PathBuf>,

    /// HS256 secret, at least 32 bytes; required with DATABASE_URL unless a key pair is set.
    ///
    /// Default: generated with the private database
    #[arg(long, env = "JWT_SECRET", value_name = "SECRET", hide_env_values = true,
          global = true, value_parser = jwt_secret)]
    pub jwt_secret: Option<String>,

    /// Ed25519 private key (PEM text or a path) → EdDSA tokens; set with JWT_PUBLIC_KEY.
    ///
    /// Default: unset
    #[arg(long, env = "JWT_PRIVATE_KEY", value_name = "PEM|PATH", hide_env_values = true,
          global = true, value_parser = pem_or_path)]
    pub jwt_private_key: Option<Pem>,

    /// Ed25519 public key (PEM text or a path), served at /api/v1/auth/jwks.
    ///
    /// Default: unset
    #[arg(long, env = "JWT_PUBLIC_KEY", value_name = "PEM|PATH", global = true,
          value_parser = pem_or_path)]
    pub jwt_public_key: Option<Pem>,

    /// The `iss` claim, checked on every token.
    #[arg(long, env = "JWT_ISSUER", value_name = "TEXT", default_value = "thidua",
          global = true, value_parser = non_empty)]
    pub jwt_issuer: String,

    /// The `aud` claim, checked on every token.
    #[arg(long, env = "JWT_AUDIENCE", value_name = "TEXT", default_value = "thidua-api",
          global = true, value_parser = non_empty)]
    pub jwt_audience: String,

    /// Token lifetime in seconds (at least 1).
    #[arg(long, env = "TOKEN_TTL_SECS", value_name = "SECS", default_value = "3600",
          global = true, value_parser = at_least_one)]
    pub token_ttl_secs: u64,

    /// Ed25519 private key (PKCS#8 PEM text or a path) that signs audit checkpoints.
    ///
    /// Default: generated with the private database, else derived from the JWT key
    #[arg(long, env = "AUDIT_SIGNING_KEY", value_name = "PEM|PATH", hide_env_values = true,
          global = true, value_parser = audit_key)]
    pub audit_signing_key: Option<Pem>,

    /// How often `serve` signs an audit checkpoint when the chain advanced (seconds); 0 turns it off.
    #[arg(long, env = "AUDIT_CHECKPOINT_SECS", value_name = "SECS", default_value = "300",
          global = true, value_parser = number::<u64>)]
    pub audit_checkpoint_secs: u64,

    /// Requests per caller (token subject, or client address before login) per minute, per instance; 0 turns it off.
    #[arg(long, env = "RATE_LIMIT_PER_MINUTE", value_name = "N", default_value = "600",
          global = true, value_parser = number::<u32>)]
    pub rate_limit_per_minute: u32,

    /// IPs or CIDRs (comma- or space-separated) of the reverse proxies in front.
    ///
    /// Only when the TCP peer is one are Forwarded / X-Forwarded-For read
    /// (the right-most hop that is not a trusted proxy) for rate limits and
    /// login failures; otherwise the peer address, headers ignored.
    ///
    /// Default: empty
    #[arg(long, env = "TRUSTED_PROXIES", value_name = "LIST", global = true,
          value_parser = trusted_proxies)]
    pub trusted_proxies: Option<TrustedProxies>,

    /// Argon2 runs at once (each holds 19 MiB); at least 1.
    ///
    /// Default: half the cores (at least 1)
    #[arg(long, env = "PASSWORD_HASH_CONCURRENCY", value_name = "N", global = true,
          value_parser = at_least_one_usize)]
    pub password_hash_concurrency: Option<usize>,

    /// How long a login waits for a hashing slot before 503 login_busy (milliseconds).
    #[arg(long, env = "PASSWORD_HASH_WAIT_MS", value_name = "MS", default_value = "1000",
          global = true, value_parser = number::<u64>)]
    pub password_hash_wait_ms: u64,

    /// After 10 failed logins for one account in 15 minutes (all addresses), attempts on it run one per this interval (milliseconds).
    #[arg(long, env = "LOGIN_PACE_MS", value_name = "MS", default_value = "2000",
          global = true, value_parser = number::<u64>)]
    pub login_pace_ms: u64,

    /// Pooled database connections (keep it 2–4× the cores); 1–10000.
    #[arg(long, env = "DB_POOL_SIZE", value_name = "N", default_value = "8",
          global = true, value_parser = pool_size)]
    pub db_pool_size: usize,

    /// statement_timeout and lock_timeout of every pooled connection (milliseconds; 0: none).
    #[arg(long, env = "DB_STATEMENT_TIMEOUT_MS", value_name = "MS", default_value = "5000",
          global = true, value_parser = number::<u64>)]
    pub db_statement_timeout_ms: u64,

    /// Wait for a database connection before answering 503 (milliseconds, at least 1).
    #[arg(long, env = "DB_CONNECT_TIMEOUT_MS", value_name = "MS", default_value = "2000",
          global = true, value_parser = at_least_one)]
    pub db_connect_timeout_ms: u64,

    /// A request still running after this is answered 503 request_timeout (seconds, at least 1).
    #[arg(long, env = "REQUEST_TIMEOUT_SECS", value_name = "SECS", default_value = "30",
          global = true, value_parser = at_least_one)]
    pub request_timeout_secs: u64,

    /// Larger request bodies get 413 (bytes, 1024–1073741824).
    #[arg(long, env = "BODY_LIMIT_BYTES", value_name = "BYTES", default_value = "262144",
          global = true, value_parser = body_limit)]
    pub body_limit_bytes: usize,

    /// Comma-separated origins (scheme://host[:port]) allowed by CORS; `*` is refused.
    ///
    /// Default: empty (none)
    #[arg(long, env = "CORS_ALLOWED_ORIGINS", value_name = "ORIGINS", global = true,
          value_parser = cors_origins)]
    pub cors_allowed_origins: Option<Origins>,

    /// Log lines on stderr: json, or pretty.
    #[arg(long, env = "LOG_FORMAT", value_name = "FORMAT", default_value = "json",
          global = true, value_parser = ["json", "pretty"])]
    pub log_format: String,

    /// Log filter (tracing's EnvFilter syntax: `info`, `warn,thidua=debug`).
    #[arg(long, env = "RUST_LOG", value_name = "FILTER", default_value = "info",
          global = true, value_parser = log_filter)]
    pub log_filter: String,

    /// Comma-separated hosts webhooks may target over plain http and at any address (loopback, private).
    ///
    /// Each a host name or address exactly as written in the webhook's URL;
    /// every other target must be https and resolve to public addresses
    /// only. For a receiver on the same machine or network (and the tests).
    ///
    /// Default: empty (none)
    #[arg(long, env = "WEBHOOK_ALLOW_HOSTS", value_name = "HOSTS", global = true,
          value_parser = allow_hosts)]
    pub webhook_allow_hosts: Option<AllowHosts>,

    /// Webhook deliveries in flight at once in this instance; 0: this instance delivers none.
    #[arg(long, env = "WEBHOOK_CONCURRENCY", value_name = "N", default_value = "4",
          global = true, value_parser = number::<usize>)]
    pub webhook_concurrency: usize,

    /// Delay before a failed webhook delivery's first retry (milliseconds); each next one is 3× longer.
    #[arg(long, env = "WEBHOOK_RETRY_BASE_MS", value_name = "MS", default_value = "30000",
          global = true, value_parser = at_least_one)]
    pub webhook_retry_base_ms: u64,

    /// How long a failing webhook delivery is retried before its webhook pauses (seconds).
    #[arg(long, env = "WEBHOOK_RETRY_WINDOW_SECS", value_name = "SECS", default_value = "86400",
          global = true, value_parser = at_least_one)]
    pub webhook_retry_window_secs: u64,
}

impl Settings {
    /// The checked settings as the `Config` the process uses; the checks
    /// that span two settings are made here.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        if self.jwt_private_key.is_some() != self.jwt_public_key.is_some() {
            return Err(ConfigError(
                "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: set both, or neither".into(),
            ));
        }
        Ok(Config {
            database_url: self.database_url,
            bind_addr: self.bind_addr,
            var_dir: self.var_dir,
            pg_bin: self.pg_bin,
            pool_size: self.db_pool_size,
            statement_timeout_ms: self.db_statement_timeout_ms,
            connect_timeout: Duration::from_millis(self.db_connect_timeout_ms),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            body_limit: self.body_limit_bytes,
            cors_origins: self.cors_allowed_origins.map(|o| o.0).unwrap_or_default(),
            log_format: self.log_format,
            log_filter: self.log_filter,
            public_url: self.public_url,
            trusted_proxies: self.trusted_proxies.unwrap_or_default(),
            hash_concurrency: self
                .password_hash_concurrency
                .unwrap_or_else(crate::auth::password::default_concurrency),
            hash_wait: Duration::from_millis(self.password_hash_wait_ms),
            login_pace: Duration::from_millis(self.login_pace_ms),
            rate_limit_per_minute: self.rate_limit_per_minute,
            jwt_secret: self.jwt_secret,
            jwt_private_key: self.jwt_private_key.map(|p| p.0),
            jwt_public_key: self.jwt_public_key.map(|p| p.0),
            jwt_issuer: self.jwt_issuer,
            jwt_audience: self.jwt_audience,
            token_ttl_secs: self.token_ttl_secs,
            audit_signing_key: self.audit_signing_key.map(|p| p.0),
            audit_checkpoint: (self.audit_checkpoint_secs > 0)
                .then(|| Duration::from_secs(self.audit_checkpoint_secs)),
            webhook_allow_hosts: self.webhook_allow_hosts.map(|h| h.0).unwrap_or_default(),
            webhook_concurrency: self.webhook_concurrency,
            webhook_retry: crate::domain::webhooks::RetryPolicy {
                base: Duration::from_millis(self.webhook_retry_base_ms),
                window: Duration::from_secs(self.webhook_retry_window_secs),
            },
        })
    }

    /// The settings alone as a command (for `from_env`, the error lines and the tests).
    pub fn command() -> clap::Command {
        use clap::Args;
        Settings::augment_args(clap::Command::new("thidua").no_binary_name(true))
    }
}

/// A setting set to nothing (or blanks) counts as unset, as it always has:
/// `FOO=` in a compose file or a shell keeps the default. Turns off the
/// environment variable of every argument of `cmd` whose variable is blank.
pub fn ignore_blank_env(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|a| {
        let blank = a.get_env().is_some_and(|name| {
            std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty())
        });
        if blank {
            a.env(clap::builder::Resettable::Reset)
        } else {
            a
        }
    })
}

/// A clap error about a setting's value as one line naming the variable
/// and the flag (`configuration: DB_POOL_SIZE="0" (--db-pool-size): must be
/// 1–10000 connections`); secrets are not echoed. `None` for other errors
/// (unknown flags, help, version).
pub fn describe_setting_error(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if !matches!(
        e.kind(),
        ErrorKind::ValueValidation | ErrorKind::InvalidValue
    ) {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let long = arg
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_start_matches('-')
        .to_string();
    let cmd = Settings::command();
    let setting = cmd
        .get_arguments()
        .find(|a| a.get_long() == Some(long.as_str()))?;
    let env = setting
        .get_env()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let value = match e.get(ContextKind::InvalidValue) {
        Some(ContextValue::String(v)) if !setting.is_hide_env_values_set() => format!("={v:?}"),
        _ => String::new(),
    };
    let reason = match (std::error::Error::source(e), e.get(ContextKind::ValidValue)) {
        (Some(source), _) => source.to_string(),
        (None, Some(ContextValue::Strings(valid))) => {
            format!("must be one of {}", valid.join(", "))
        }
        (None, _) => "not a valid value".to_string(),
    };
    Some(format!("configuration: {env}{value} (--{long}): {reason}"))
}

fn number<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| "not a whole number in range".to_string())
}

fn at_least_one(s: &str) -> Result<u64, String> {
    match number::<u64>(s)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

fn at_least_one_usize(s: &str) -> Result<usize, String> {
    match number::<usize>(s)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

fn pool_size(s: &str) -> Result<usize, String> {
    match number::<usize>(s)? {
        n @ 1..=10_000 => Ok(n),
        _ => Err("must be 1–10000 connections".into()),
    }
}

fn body_limit(s: &str) -> Result<usize, String> {
    match number::<usize>(s)? {
        n @ 1024..=1_073_741_824 => Ok(n),
        _ => Err("must be 1024–1073741824 bytes".into()),
    }
}

fn non_empty(s: &str) -> Result<String, String> {
    match s.trim() {
        "" => Err("must not be empty".into()),
        t => Ok(t.to_string()),
    }
}

fn non_empty_path(s: &str) -> Result<PathBuf, String> {
    non_empty(s).map(PathBuf::from)
}

fn database_url(s: &str) -> Result<String, String> {
    crate::db::connect::Target::parse(s).map(|_| s.trim().to_string())
}

fn bind_addr(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(s.to_string());
    }
    match s.rsplit_once(':') {
        Some((host, port))
            if !host.is_empty()
                && !host.contains([':', '/', '[', ']', ' '])
                && port.parse::<u16>().is_ok() =>
        {
            Ok(s.to_string())
        }
        _ => Err("must be host:port (127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080)".into()),
    }
}

fn public_url(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err("must be an http:// or https:// URL with a host".into());
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err("must have no query or fragment".into());
    }
    Ok(s.trim().trim_end_matches('/').to_string())
}

fn pg_bin(s: &str) -> Result<PathBuf, String> {
    let dir = non_empty_path(s)?;
    if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
        Ok(dir)
    } else {
        Err(format!("{} holds no initdb and postgres", dir.display()))
    }
}

fn jwt_secret(s: &str) -> Result<String, String> {
    let min = crate::auth::jwt::MIN_SECRET_LEN;
    if s.len() < min {
        return Err(format!(
            "must be at least {min} bytes (e.g. `openssl rand -base64 48`)"
        ));
    }
    Ok(s.to_string())
}

/// PEM bytes, from the setting's text or the file it named.
#[derive(Clone, Debug)]
pub struct Pem(pub Vec<u8>);

/// PEM text, or the path of a file holding it.
fn pem_or_path(s: &str) -> Result<Pem, String> {
    let bytes = if s.trim_start().starts_with("-----BEGIN") {
        s.as_bytes().to_vec()
    } else {
        std::fs::read(s.trim()).map_err(|e| format!("cannot read {}: {e}", s.trim()))?
    };
    if !String::from_utf8_lossy(&bytes).contains("-----BEGIN") {
        return Err("is neither PEM text nor a file holding PEM".into());
    }
    Ok(Pem(bytes))
}

fn audit_key(s: &str) -> Result<Pem, String> {
    let pem = pem_or_path(s)?;
    crate::domain::audit::SigningKey::from_pem(&pem.0)?;
    Ok(pem)
}

/// `WEBHOOK_ALLOW_HOSTS`: host names or addresses, lower case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowHosts(pub Vec<String>);

fn allow_hosts(s: &str) -> Result<AllowHosts, String> {
    let mut out = Vec::new();
    for h in s.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        let h = h
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        if h.contains(['/', ':', '@', ' ']) && h.parse::<IpAddr>().is_err() {
            return Err(format!(
                "{h:?} is not a host (a name or an address, no scheme, port or path)"
            ));
        }
        out.push(h);
    }
    Ok(AllowHosts(out))
}

fn trusted_proxies(s: &str) -> Result<TrustedProxies, String> {
    TrustedProxies::parse(s)
}

/// The CORS origins, each `scheme://host[:port]` exactly as browsers send
/// it (lower case, no path, no default port).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins(pub Vec<String>);

fn cors_origins(s: &str) -> Result<Origins, String> {
    let mut out = Vec::new();
    for o in s.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        if o == "*" {
            return Err("\"*\" is not allowed: list each origin (a wildcard lets any site call the API from its users' browsers)".into());
        }
        let u = url::Url::parse(o)
            .map_err(|_| format!("{o:?} is not an origin (https://host[:port])"))?;
        if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
            return Err(format!(
                "{o:?} is not an http(s) origin (https://host[:port])"
            ));
        }
        let canonical = u.origin().ascii_serialization();
        if canonical != o {
            return Err(format!(
                "{o:?} is not an origin as browsers send it: write {canonical:?} (no path, lower case, no default port)"
            ));
        }
        out.push(canonical);
    }
    Ok(Origins(out))
}

fn log_filter(s: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(s.trim())
        .map(|_| s.trim().to_string())
        .map_err(|e| format!("not a log filter: {e}"))
}

/// One IP network (`10.0.0.0/8`, `2001:db8::/32`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<IpNet, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or CIDR"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0–{max}"))?,
        };
        Ok(IpNet { addr, prefix })
    }
}

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// A comma- or space-separated list of IPs and CIDRs.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split([',', ' ', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<IpNet>, String>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The database URL may carry a password, and keys are secrets: never print them.
        let set = |v: bool| if v { "<set>" } else { "<unset>" };
        f.debug_struct("Config")
            .field("database_url", &set(self.database_url.is_some()))
            .field("bind_addr", &self.bind_addr)
            .field("pool_size", &self.pool_size)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("hash_concurrency", &self.hash_concurrency)
            .field("jwt_secret", &set(self.jwt_secret.is_some()))
            .field("jwt_private_key", &set(self.jwt_private_key.is_some()))
            .field("audit_signing_key", &set(self.audit_signing_key.is_some()))
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

impl Config {
    /// The settings from the environment alone (no command line).
    pub fn from_env() -> Result<Config, ConfigError> {
        use clap::FromArgMatches;
        let matches = ignore_blank_env(Settings::command())
            .try_get_matches_from(std::iter::empty::<String>())
            .map_err(|e| {
                ConfigError(match describe_setting_error(&e) {
                    Some(line) => line.trim_start_matches("configuration: ").to_string(),
                    None => e.to_string(),
                })
            })?;
        Settings::from_arg_matches(&matches)
            .map_err(|e| ConfigError(e.to_string()))?
            .into_config()
    }

    /// Defaults for tests and tools: no environment read.
    pub fn for_tests() -> Config {
        Config {
            database_url: None,
            bind_addr: "127.0.0.1:0".into(),
            var_dir: PathBuf::from("var"),
            pg_bin: None,
            pool_size: 4,
            statement_timeout_ms: 5000,
            connect_timeout: Duration::from_millis(1000),
            request_timeout: Duration::from_secs(30),
            body_limit: 262_144,
            cors_origins: Vec::new(),
            log_format: "json".into(),
            log_filter: "info".into(),
            public_url: None,
            trusted_proxies: TrustedProxies::default(),
            // Tests hash on every core and wait for a slot as long as a
            // request may run: a test that logs in many times at once is not
            // a test of the login bound (`Options::hasher` is).
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_wait: Duration::from_secs(30),
            login_pace: Duration::from_millis(2000),
            rate_limit_per_minute: 0,
            jwt_secret: None,
            jwt_private_key: None,
            jwt_public_key: None,
            jwt_issuer: "thidua".into(),
            jwt_audience: "thidua-api".into(),
            token_ttl_secs: 3600,
            audit_signing_key: None,
            audit_checkpoint: None,
            webhook_allow_hosts: Vec::new(),
            // Tests start the delivery workers themselves.
            webhook_concurrency: 4,
            webhook_retry: crate::domain::webhooks::RetryPolicy::default(),
        }
    }
}

/// Token keys from the settings: `JWT_PRIVATE_KEY` + `JWT_PUBLIC_KEY`
/// (Ed25519) → EdDSA; else `JWT_SECRET` (≥ 32 bytes) → HS256; else, only
/// with the private local database, a random secret generated once and
/// kept in `var/jwt-secret`.
pub fn jwt_keys(cfg: &Config, private_db: bool) -> Result<crate::auth::jwt::JwtKeys, ConfigError> {
    use crate::auth::jwt::JwtKeys;
    let (issuer, audience, ttl) = (&cfg.jwt_issuer, &cfg.jwt_audience, cfg.token_ttl_secs);
    match (&cfg.jwt_private_key, &cfg.jwt_public_key) {
        (Some(private), Some(public)) => {
            return JwtKeys::ed25519(private, public, issuer, audience, ttl).map_err(ConfigError);
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(ConfigError(
                "JWT_PRIVATE_KEY and JWT_PUBLIC_KEY: set both, or neither".into(),
            ));
        }
        (None, None) => {}
    }
    let secret = match &cfg.jwt_secret {
        Some(s) => s.clone(),
        None if private_db => {
            crate::embedded_pg::persistent_secret(&cfg.var_dir.join("jwt-secret"), 48)
                .map_err(ConfigError)?
        }
        None => {
            return Err(ConfigError(
                "JWT_SECRET is not set: set a random secret of at least 32 bytes (e.g. `openssl rand -base64 48`), or JWT_PRIVATE_KEY/JWT_PUBLIC_KEY".into(),
            ));
        }
    };
    JwtKeys::hs256(secret.as_bytes(), issuer, audience, ttl).map_err(ConfigError)
}

/// Where the audit checkpoint signing key came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditKeySource {
    /// `AUDIT_SIGNING_KEY` (PEM text or a path to a PEM file).
    Setting,
    /// Generated once with the private database and kept in this file.
    File(PathBuf),
    /// Derived from the JWT key material (HKDF): `JWT_PRIVATE_KEY`, else `JWT_SECRET`.
    DerivedFromJwt,
}

/// The key that signs audit checkpoints (Ed25519): `AUDIT_SIGNING_KEY` (an
/// unencrypted PKCS#8 PEM, e.g. from `openssl genpkey -algorithm ed25519`, as
/// text or a path); else, with the private local database,
/// `$THIDUA_VAR_DIR/audit-signing-key.pem`, generated on first use; else a
/// key derived from the JWT key material, so that instances sharing one
/// database and one JWT setting sign with the same key. With `generate`
/// false (verify), a missing key file is not created and gives `None`.
pub fn audit_signing_key(
    cfg: &Config,
    private_db: bool,
    generate: bool,
) -> Result<Option<(crate::domain::audit::SigningKey, AuditKeySource)>, ConfigError> {
    let jwt = cfg
        .jwt_private_key
        .clone()
        .or_else(|| cfg.jwt_secret.clone().map(String::into_bytes));
    resolve_audit_key(
        cfg.audit_signing_key.clone(),
        private_db.then(|| cfg.var_dir.join("audit-signing-key.pem")),
        jwt,
        generate,
    )
}

fn resolve_audit_key(
    setting: Option<Vec<u8>>,
    key_file: Option<PathBuf>,
    jwt_material: Option<Vec<u8>>,
    generate: bool,
) -> Result<Option<(crate::domain::audit::SigningKey, AuditKeySource)>, ConfigError> {
    use crate::domain::audit::SigningKey;
    if let Some(pem) = setting {
        let key = SigningKey::from_pem(&pem)
            .map_err(|e| ConfigError(format!("AUDIT_SIGNING_KEY: {e}")))?;
        return Ok(Some((key, AuditKeySource::Setting)));
    }
    if let Some(path) = key_file {
        let shown = path.display().to_string();
        return match std::fs::read(&path) {
            Ok(pem) => SigningKey::from_pem(&pem)
                .map(|k| Some((k, AuditKeySource::File(path))))
                .map_err(|e| ConfigError(format!("{shown}: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && generate => {
                let key = SigningKey::generate();
                write_private(&path, key.to_pem().as_bytes())
                    .map_err(|e| ConfigError(format!("write {shown}: {e}")))?;
                Ok(Some((key, AuditKeySource::File(path))))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(ConfigError(format!("read {shown}: {e}"))),
        };
    }
    match jwt_material {
        Some(m) => Ok(Some((
            SigningKey::derive(&m),
            AuditKeySource::DerivedFromJwt,
        ))),
        None if generate => Err(ConfigError(
            "AUDIT_SIGNING_KEY is not set and there is no JWT key to derive one from: set AUDIT_SIGNING_KEY to an Ed25519 private key (`openssl genpkey -algorithm ed25519`)".into(),
        )),
        None => Ok(None),
    }
}

/// A new file only its owner can read.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(test)]
mod tests {
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
}
