//! The outbound HTTP client of webhook deliveries: reqwest (hyper's
//! HTTP/1.1 client and connection pool, rustls on aws-lc-rs) with no
//! redirects, no proxies, its own timeouts, and a DNS resolver of ours
//! (`GuardedResolver`) that checks every address a name resolves to before
//! reqwest may connect to any of them — so the delivery-time SSRF check is
//! made on the very addresses connected to (docs/webhooks.md, "The HTTP
//! client").

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::domain::webhooks::{
    Target, TargetError, check_resolved, forbidden_address, host_allowed, parse_target,
};
use crate::error::{AppError, AppResult, ErrorCode};

/// Whole attempt: connect, TLS, send, read the head and up to 1 KiB of body.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connecting alone (within the attempt's 10 s).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of the answer's body is kept.
pub const KEPT_BODY: usize = 1024;
/// How long an idle connection is kept.
pub const POOL_IDLE: Duration = Duration::from_secs(30);
/// Idle connections kept per host.
const POOL_PER_HOST: usize = 4;
/// The most of a body read to its end (so that its connection can carry
/// the next attempt); past it the connection is dropped.
const REUSABLE_BODY: usize = 64 * 1024;

/// The registration-time check: the URL's rules, then (for a name not in
/// `WEBHOOK_ALLOW_HOSTS`) every address it resolves to.
pub async fn check_target(url: &str, allow_hosts: &[String]) -> AppResult<Target> {
    let target = parse_target(url, allow_hosts).map_err(target_error)?;
    resolve(&target).await.map_err(|e| match e {
        SendError::Refused(t) => target_error(t),
        _ => AppError::new(ErrorCode::WebhookTargetUnresolved).arg("host", &target.host),
    })?;
    Ok(target)
}

pub fn target_error(e: TargetError) -> AppError {
    match e {
        TargetError::InvalidUrl => AppError::new(ErrorCode::WebhookUrlInvalid),
        TargetError::HttpsRequired => AppError::new(ErrorCode::WebhookHttpsRequired),
        TargetError::Forbidden { host, class } => AppError::new(ErrorCode::WebhookTargetForbidden)
            .arg("host", host)
            .arg("class", class.as_str()),
    }
}

/// Why an attempt got no HTTP answer.
#[derive(Debug)]
pub enum SendError {
    /// The target broke a rule (now: DNS may have changed since registration).
    Refused(TargetError),
    Unresolved(String),
    Connect(String),
    Io(String),
    Timeout,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Refused(TargetError::Forbidden { host, class }) => write!(
                f,
                "refused: {host} is (or resolves to) a {} address",
                class.as_str()
            ),
            SendError::Refused(TargetError::HttpsRequired) => {
                write!(f, "refused: https is required for this host")
            }
            SendError::Refused(TargetError::InvalidUrl) => write!(f, "refused: invalid URL"),
            SendError::Unresolved(e) => write!(f, "the host does not resolve: {e}"),
            SendError::Connect(e) => write!(f, "connection failed: {e}"),
            SendError::Io(e) => write!(f, "connection error: {e}"),
            SendError::Timeout => write!(f, "no answer within 10 s"),
        }
    }
}

impl std::error::Error for SendError {}

/// What the receiver answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Up to `KEPT_BODY` bytes.
    pub body: Vec<u8>,
}

/// Every address `host` resolves to (port 0: the connector puts the URL's
/// port on them).
async fn lookup(host: &str) -> Result<Vec<SocketAddr>, SendError> {
    let addrs: Vec<SocketAddr> =
        tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::lookup_host((host, 0)))
            .await
            .map_err(|_| SendError::Unresolved("lookup timed out".into()))?
            .map_err(|e| SendError::Unresolved(e.to_string()))?
            .collect();
    if addrs.is_empty() {
        return Err(SendError::Unresolved("no address".into()));
    }
    Ok(addrs)
}

/// `lookup`, with every address checked unless the host is in
/// `allow_hosts`: one forbidden address refuses the name whole, so a
/// rebinding answer cannot slip one in among good ones.
async fn lookup_checked(host: &str, allow_hosts: &[String]) -> Result<Vec<SocketAddr>, SendError> {
    let addrs = lookup(host).await?;
    if !host_allowed(host, allow_hosts) {
        for a in &addrs {
            if let Some(class) = forbidden_address(a.ip()) {
                return Err(SendError::Refused(TargetError::Forbidden {
                    host: host.to_string(),
                    class,
                }));
            }
        }
    }
    Ok(addrs)
}

/// The addresses a target stands for, every one checked (unless the host
/// is allowed): the registration-time check.
pub async fn resolve(target: &Target) -> Result<Vec<SocketAddr>, SendError> {
    let addrs = match target.ip {
        Some(ip) => vec![SocketAddr::new(ip, target.port)],
        None => lookup(&target.host).await?,
    };
    let ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
    check_resolved(target, &ips).map_err(SendError::Refused)?;
    Ok(addrs)
}

/// reqwest's DNS hook: the only way a name becomes addresses for this
/// client, so every connection (pooled ones were made through it too) goes
/// to an address checked when the connection was made. Address literals do
/// not reach a resolver: `parse_target` has checked them before the
/// request is built.
struct GuardedResolver {
    allow_hosts: Arc<Vec<String>>,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().trim_end_matches('.').to_ascii_lowercase();
        let allow = self.allow_hosts.clone();
        Box::pin(async move {
            let addrs = lookup_checked(&host, &allow).await?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The client: one reqwest client per instance (its pool is this
/// instance's), and the hosts exempt from the address rules.
#[derive(Clone)]
pub struct Outbound {
    http: reqwest::Client,
    allow_hosts: Arc<Vec<String>>,
}

impl Outbound {
    pub fn new(allow_hosts: Vec<String>) -> Outbound {
        let allow_hosts = Arc::new(allow_hosts);
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("aws-lc-rs supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .dns_resolver(Arc::new(GuardedResolver {
                allow_hosts: allow_hosts.clone(),
            }))
            // A proxy would resolve the name itself, past our check.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .http1_only()
            .timeout(ATTEMPT_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE)
            .pool_max_idle_per_host(POOL_PER_HOST)
            .tcp_nodelay(true)
            .user_agent("thidua-webhooks/1")
            .build()
            .expect("the webhook client's settings are valid");
        Outbound { http, allow_hosts }
    }

    /// POST `body` with `headers` to `url`, within `ATTEMPT_TIMEOUT`.
    pub async fn post(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<Answer, SendError> {
        tokio::time::timeout(ATTEMPT_TIMEOUT, self.post_inner(url, headers, body))
            .await
            .unwrap_or(Err(SendError::Timeout))
    }

    async fn post_inner(
        &self,
        url: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<Answer, SendError> {
        // The URL's rules, and an address literal's class, before anything
        // is sent (a literal never reaches the resolver).
        parse_target(url, &self.allow_hosts).map_err(SendError::Refused)?;
        let mut req = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_vec());
        for (name, value) in headers {
            req = req.header(*name, value);
        }
        let mut resp = req.send().await.map_err(send_error)?;
        let status = resp.status().as_u16();
        let mut kept = Vec::new();
        let mut read = 0usize;
        // Read the body to its end (up to 64 KiB) so the connection can be
        // pooled; keep the first 1 KiB.
        while read <= REUSABLE_BODY {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    read += c.len();
                    let room = KEPT_BODY.saturating_sub(kept.len());
                    kept.extend_from_slice(&c[..c.len().min(room)]);
                }
                // The status is known: a body cut short is still an answer.
                Ok(None) | Err(_) => break,
            }
        }
        Ok(Answer { status, body: kept })
    }
}

/// reqwest's error, as a delivery records it: our resolver's refusal is
/// found in the error's sources and named as such.
fn send_error(e: reqwest::Error) -> SendError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(s) = source {
        if let Some(SendError::Refused(t)) = s.downcast_ref::<SendError>() {
            return SendError::Refused(t.clone());
        }
        if let Some(SendError::Unresolved(m)) = s.downcast_ref::<SendError>() {
            return SendError::Unresolved(m.clone());
        }
        source = s.source();
    }
    let chain = error_chain(&e);
    if e.is_timeout() {
        SendError::Timeout
    } else if e.is_connect() {
        SendError::Connect(chain)
    } else {
        SendError::Io(chain)
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// How long since `start`, in whole milliseconds.
pub fn elapsed_ms(start: Instant) -> i32 {
    start.elapsed().as_millis().min(i32::MAX as u128) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_resolver_refuses_a_name_with_a_loopback_address_unless_allowed() {
        let e = lookup_checked("localhost", &[]).await.unwrap_err();
        assert!(
            e.to_string()
                .starts_with("refused: localhost is (or resolves to) a loopback address"),
            "{e}"
        );
        let ok = lookup_checked("localhost", &["localhost".into()])
            .await
            .unwrap();
        assert!(ok.iter().all(|a| a.ip().is_loopback()));
    }

    #[tokio::test]
    async fn a_refusal_by_the_resolver_is_recorded_as_a_refusal() {
        // `localhost` passes the URL's rules (allowed for http) only in the
        // list; this client has an empty list, so https is needed and the
        // resolver, not the URL check, is what refuses.
        let client = Outbound::new(vec![]);
        let e = client
            .post("https://localhost:9/", &[], b"{}")
            .await
            .unwrap_err();
        assert!(e.to_string().starts_with("refused: localhost"), "{e}");
    }
}
