//! The outbound HTTP client of webhook deliveries: HTTP/1.1 over tokio (and
//! tokio-rustls for https), with a small keep-alive pool keyed by the
//! checked address, to an address that was resolved and checked just before (no SSRF through DNS rebinding: the
//! connection goes to the checked address, never to a second lookup). No
//! redirect is followed: a 3xx is an answer like any other non-2xx.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::domain::webhooks::{Target, TargetError, check_resolved, parse_target};
use crate::error::{AppError, AppResult, ErrorCode};

/// Whole attempt: connect, TLS, send, read the head and up to 1 KiB of body.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// Connecting alone (within the attempt's 10 s).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How much of the answer's body is kept.
pub const KEPT_BODY: usize = 1024;
/// The most of an answer's head that is read.
const MAX_HEAD: usize = 16 * 1024;

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
    Tls(String),
    Io(String),
    Timeout,
    BadAnswer(String),
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
            SendError::Tls(e) => write!(f, "TLS failed: {e}"),
            SendError::Io(e) => write!(f, "connection error: {e}"),
            SendError::Timeout => write!(f, "no answer within 10 s"),
            SendError::BadAnswer(e) => write!(f, "unreadable answer: {e}"),
        }
    }
}

/// What the receiver answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Up to `KEPT_BODY` bytes.
    pub body: Vec<u8>,
}

/// The addresses to connect to, every one checked (unless the host is allowed).
pub async fn resolve(target: &Target) -> Result<Vec<SocketAddr>, SendError> {
    let addrs: Vec<SocketAddr> = match target.ip {
        Some(ip) => vec![SocketAddr::new(ip, target.port)],
        None => tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::lookup_host((target.host.as_str(), target.port)),
        )
        .await
        .map_err(|_| SendError::Unresolved("lookup timed out".into()))?
        .map_err(|e| SendError::Unresolved(e.to_string()))?
        .collect(),
    };
    if addrs.is_empty() {
        return Err(SendError::Unresolved("no address".into()));
    }
    let ips: Vec<IpAddr> = addrs.iter().map(SocketAddr::ip).collect();
    check_resolved(target, &ips).map_err(SendError::Refused)?;
    Ok(addrs)
}

/// The client: its TLS configuration (the system's CA store, aws-lc-rs) and
/// the hosts exempt from the address rules.
#[derive(Clone)]
pub struct Outbound {
    tls: Arc<rustls::ClientConfig>,
    allow_hosts: Arc<Vec<String>>,
    pool: Arc<Mutex<HashMap<PoolKey, Vec<Idle>>>>,
}

/// An open connection: plain TCP or TLS over it.
trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Idle connections are kept per (https, host, the checked address).
type PoolKey = (bool, String, SocketAddr);

struct Idle {
    stream: Box<dyn Io>,
    since: Instant,
}

/// How long an idle connection is kept.
pub const POOL_IDLE: Duration = Duration::from_secs(30);
/// Idle connections kept per key.
const POOL_PER_KEY: usize = 4;

impl Outbound {
    pub fn new(allow_hosts: Vec<String>) -> Outbound {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("aws-lc-rs supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Outbound {
            tls: Arc::new(tls),
            allow_hosts: Arc::new(allow_hosts),
            pool: Arc::default(),
        }
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
        let target = parse_target(url, &self.allow_hosts).map_err(SendError::Refused)?;
        let addrs = resolve(&target).await?;
        let request = request_bytes(&target, headers, body);
        // A kept connection to an address just checked; one that the
        // receiver closed meanwhile fails at once, and a fresh one follows.
        if let Some((key, mut stream)) = self.take_idle(&target, &addrs)
            && let Ok((answer, reusable)) = exchange(&mut *stream, &request).await
        {
            if reusable {
                self.put_idle(key, stream);
            }
            return Ok(answer);
        }
        let mut last = None;
        let mut connected = None;
        for addr in addrs {
            match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr)).await {
                Ok(Ok(s)) => {
                    connected = Some((addr, s));
                    break;
                }
                Ok(Err(e)) => last = Some(e.to_string()),
                Err(_) => last = Some("timed out".into()),
            }
        }
        let (addr, tcp) = connected.ok_or_else(|| SendError::Connect(last.unwrap_or_default()))?;
        let _ = tcp.set_nodelay(true);
        let mut stream: Box<dyn Io> = if target.https {
            let name = rustls::pki_types::ServerName::try_from(target.host.clone())
                .map_err(|e| SendError::Tls(e.to_string()))?;
            Box::new(
                tokio_rustls::TlsConnector::from(self.tls.clone())
                    .connect(name, tcp)
                    .await
                    .map_err(|e| SendError::Tls(e.to_string()))?,
            )
        } else {
            Box::new(tcp)
        };
        let (answer, reusable) = exchange(&mut *stream, &request).await?;
        if reusable {
            self.put_idle((target.https, target.host.clone(), addr), stream);
        }
        Ok(answer)
    }

    fn take_idle(&self, target: &Target, addrs: &[SocketAddr]) -> Option<(PoolKey, Box<dyn Io>)> {
        let mut pool = self.pool.lock().ok()?;
        for addr in addrs {
            let key = (target.https, target.host.clone(), *addr);
            if let Some(list) = pool.get_mut(&key) {
                list.retain(|i| i.since.elapsed() < POOL_IDLE);
                if let Some(idle) = list.pop() {
                    return Some((key, idle.stream));
                }
            }
        }
        None
    }

    fn put_idle(&self, key: PoolKey, stream: Box<dyn Io>) {
        if let Ok(mut pool) = self.pool.lock() {
            pool.retain(|_, list| {
                list.retain(|i| i.since.elapsed() < POOL_IDLE);
                !list.is_empty()
            });
            let list = pool.entry(key).or_default();
            if list.len() < POOL_PER_KEY {
                list.push(Idle {
                    stream,
                    since: Instant::now(),
                });
            }
        }
    }
}

fn request_bytes(target: &Target, headers: &[(&str, String)], body: &[u8]) -> Vec<u8> {
    let host = match (target.ip, target.https, target.port) {
        (Some(IpAddr::V6(_)), _, _) => format!("[{}]:{}", target.host, target.port),
        (_, true, 443) | (_, false, 80) => target.host.clone(),
        _ => format!("{}:{}", target.host, target.port),
    };
    let mut head = format!(
        "POST {} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: thidua-webhooks/1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        if target.path.is_empty() {
            "/"
        } else {
            &target.path
        },
        body.len()
    );
    for (name, value) in headers {
        head.push_str(name);
        head.push_str(": ");
        head.push_str(value);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    out
}

/// The most of a body read to keep its connection for the next attempt.
const REUSABLE_BODY: usize = 64 * 1024;

/// Send the request, read the status line and up to `KEPT_BODY` of the
/// body; the second value says whether the connection may carry another
/// request (HTTP/1.1, no `Connection: close`, a `Content-Length` body read
/// to its end).
async fn exchange<S: AsyncRead + AsyncWrite + Unpin + ?Sized>(
    s: &mut S,
    request: &[u8],
) -> Result<(Answer, bool), SendError> {
    s.write_all(request)
        .await
        .map_err(|e| SendError::Io(e.to_string()))?;
    s.flush().await.map_err(|e| SendError::Io(e.to_string()))?;
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 2048];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return Err(SendError::BadAnswer("head over 16 KiB".into()));
        }
        let n = s
            .read(&mut chunk)
            .await
            .map_err(|e| SendError::Io(e.to_string()))?;
        if n == 0 {
            return Err(SendError::BadAnswer("closed before a full head".into()));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let status = parse_status(&buf[..head_end])?;
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head
        .lines()
        .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
    let keep_alive = head.starts_with("http/1.1")
        && !head
            .lines()
            .any(|l| l.starts_with("connection:") && l.contains("close"))
        && !chunked
        && length.is_some_and(|n| n <= REUSABLE_BODY);
    let mut body = buf[head_end..].to_vec();
    let want = match length {
        Some(n) if keep_alive => n,
        Some(n) => n.min(KEPT_BODY + 64),
        None => KEPT_BODY + 64,
    };
    let mut complete = true;
    while body.len() < want {
        // A receiver that keeps the connection open without a length ends
        // the read only by the attempt's timeout; the status is known, so
        // stop at what arrived.
        match tokio::time::timeout(Duration::from_millis(500), s.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => body.extend_from_slice(&chunk[..n]),
            _ => {
                complete = false;
                break;
            }
        }
    }
    if chunked {
        body = dechunk(&body);
    }
    let reusable = keep_alive && complete && body.len() == want;
    body.truncate(length.unwrap_or(usize::MAX).min(KEPT_BODY));
    Ok((Answer { status, body }, reusable))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn parse_status(head: &[u8]) -> Result<u16, SendError> {
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    match (
        parts.next(),
        parts.next().and_then(|c| c.parse::<u16>().ok()),
    ) {
        (Some(v), Some(code)) if v.starts_with("HTTP/1.") && (100..600).contains(&code) => Ok(code),
        _ => Err(SendError::BadAnswer(format!("status line {line:?}"))),
    }
}

/// The data of a chunked body, as far as it arrived.
fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = find(b, b"\r\n") {
        let size = std::str::from_utf8(&b[..i])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok());
        let Some(size) = size.filter(|s| *s > 0) else {
            break;
        };
        let data = &b[i + 2..];
        let take = size.min(data.len());
        out.extend_from_slice(&data[..take]);
        if take < size || data.len() < size + 2 {
            break;
        }
        b = &data[size + 2..];
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

    #[test]
    fn a_status_line_and_a_chunked_body_are_read() {
        assert_eq!(
            parse_status(b"HTTP/1.1 204 No Content\r\n\r\n").unwrap(),
            204
        );
        assert!(parse_status(b"SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert_eq!(
            dechunk(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
            b"hello world"
        );
    }

    #[test]
    fn the_request_names_the_host_and_carries_the_body() {
        let t = parse_target("http://127.0.0.1:9000/in?a=1", &["127.0.0.1".into()]).unwrap();
        let r = request_bytes(&t, &[("webhook-id", "7".into())], b"{}");
        let s = String::from_utf8(r).unwrap();
        assert!(s.starts_with("POST /in?a=1 HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n"));
        assert!(s.contains("\r\nwebhook-id: 7\r\n"));
        assert!(s.ends_with("\r\n\r\n{}"));
    }
}
