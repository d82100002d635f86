//! The settings' value parsers and the types they read into: each value is
//! checked when it is read, with a reason the start-up error repeats.

use std::net::IpAddr;
use std::path::PathBuf;

pub(super) fn number<T: std::str::FromStr>(s: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| "not a whole number in range".to_string())
}

pub(super) fn at_least_one(s: &str) -> Result<u64, String> {
    match number::<u64>(s)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

pub(super) fn at_least_one_usize(s: &str) -> Result<usize, String> {
    match number::<usize>(s)? {
        0 => Err("must be at least 1".into()),
        n => Ok(n),
    }
}

pub(super) fn pool_size(s: &str) -> Result<usize, String> {
    match number::<usize>(s)? {
        n @ 1..=10_000 => Ok(n),
        _ => Err("must be 1–10000 connections".into()),
    }
}

pub(super) fn body_limit(s: &str) -> Result<usize, String> {
    match number::<usize>(s)? {
        n @ 1024..=1_073_741_824 => Ok(n),
        _ => Err("must be 1024–1073741824 bytes".into()),
    }
}

pub(super) fn non_empty(s: &str) -> Result<String, String> {
    match s.trim() {
        "" => Err("must not be empty".into()),
        t => Ok(t.to_string()),
    }
}

pub(super) fn non_empty_path(s: &str) -> Result<PathBuf, String> {
    non_empty(s).map(PathBuf::from)
}

pub(super) fn database_url(s: &str) -> Result<String, String> {
    crate::db::connect::Target::parse(s).map(|_| s.trim().to_string())
}

pub(super) fn bind_addr(s: &str) -> Result<String, String> {
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

pub(super) fn public_url(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err("must be an http:// or https:// URL with a host".into());
    }
    if u.query().is_some() || u.fragment().is_some() {
        return Err("must have no query or fragment".into());
    }
    Ok(s.trim().trim_end_matches('/').to_string())
}

pub(super) fn pg_bin(s: &str) -> Result<PathBuf, String> {
    let dir = non_empty_path(s)?;
    if dir.join("initdb").is_file() && dir.join("postgres").is_file() {
        Ok(dir)
    } else {
        Err(format!("{} holds no initdb and postgres", dir.display()))
    }
}

pub(super) fn jwt_secret(s: &str) -> Result<String, String> {
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
pub(super) fn pem_or_path(s: &str) -> Result<Pem, String> {
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

pub(super) fn audit_key(s: &str) -> Result<Pem, String> {
    let pem = pem_or_path(s)?;
    crate::domain::audit::SigningKey::from_pem(&pem.0)?;
    Ok(pem)
}

/// `WEBHOOK_ALLOW_HOSTS`: host names or addresses, lower case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowHosts(pub Vec<String>);

pub(super) fn allow_hosts(s: &str) -> Result<AllowHosts, String> {
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

pub(super) fn trusted_proxies(s: &str) -> Result<TrustedProxies, String> {
    TrustedProxies::parse(s)
}

/// The CORS origins, each `scheme://host[:port]` exactly as browsers send
/// it (lower case, no path, no default port).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origins(pub Vec<String>);

pub(super) fn cors_origins(s: &str) -> Result<Origins, String> {
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

pub(super) fn log_filter(s: &str) -> Result<String, String> {
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

pub(super) fn lease_secs(s: &str) -> Result<u64, String> {
    match number::<u64>(s)? {
        n if n >= 11 => Ok(n),
        _ => Err("must be at least 11 (more than an attempt's 10 s)".into()),
    }
}

pub(super) fn smtp_url(s: &str) -> Result<String, String> {
    let u = url::Url::parse(s.trim()).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(u.scheme(), "smtp" | "smtps") || u.host_str().is_none() {
        return Err("must be an smtp:// or smtps:// URL with a host".into());
    }
    Ok(s.trim().to_string())
}

pub(super) fn mail_from(s: &str) -> Result<String, String> {
    s.trim()
        .parse::<lettre::message::Mailbox>()
        .map_err(|e| format!("not a mailbox: {e}"))?;
    Ok(s.trim().to_string())
}
