//! Webhooks (issue 17): which events a subscription wants, where it may
//! point, how a delivery is signed (the Standard Webhooks specification) and
//! when a failed one is tried again. Pure: no I/O.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chrono::{DateTime, Utc};

use crate::domain::text::text_enum;

text_enum! {
    /// Whether a webhook delivers: `paused` by a call, or by the server when
    /// a delivery kept failing for about a day.
    pub enum WebhookStatus { Active = "active", Paused = "paused" }
}

text_enum! {
    /// Why a webhook is paused.
    pub enum PauseReason { Manual = "manual", Failing = "failing" }
}

text_enum! {
    /// Who manages a webhook, and whose reading rights its deliveries follow.
    pub enum OwnerKind { User = "user", Client = "client" }
}

text_enum! {
    /// One attempt: still to be made, or what came of it.
    pub enum DeliveryStatus { Pending = "pending", Succeeded = "succeeded", Failed = "failed" }
}

text_enum! {
    /// Why an attempt exists: the feed, a ping, or a redelivery asked for.
    pub enum DeliveryOrigin { Feed = "feed", Ping = "ping", Redeliver = "redeliver" }
}

// ------------------------------------------------------------------ filters

/// A filter is an exact type (`pledge.signed`) or a prefix ending in `.`
/// (`pledge.`): lower-case words of `a-z`, `0-9`, `_` joined by dots.
pub fn valid_type_filter(f: &str) -> bool {
    let body = f.strip_suffix('.').unwrap_or(f);
    !body.is_empty()
        && f.len() <= 100
        && body.split('.').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// Does an event of `event_type` for `event_org` pass the subscription's
/// type filters and its organisation filter (when it has one)?
pub fn wants(
    types: &[String],
    org_filter: Option<uuid::Uuid>,
    event_type: &str,
    event_org: Option<uuid::Uuid>,
) -> bool {
    let typed = types.iter().any(|f| {
        if f.ends_with('.') {
            event_type.starts_with(f.as_str())
        } else {
            f == event_type
        }
    });
    typed && org_filter.is_none_or(|o| event_org == Some(o))
}

// ------------------------------------------------------------------ secrets and signatures

/// The prefix of a secret in the specification's format.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new secret: `whsec_` + base64 of 32 random bytes.
pub fn generate_secret(random: [u8; 32]) -> String {
    format!("{SECRET_PREFIX}{}", B64.encode(random))
}

/// The HMAC key a secret stands for: the decoded bytes after `whsec_`.
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    B64.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()
}

/// `v1,` + base64(HMAC-SHA256(key, `{id}.{timestamp}.{body}`)).
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    use aws_lc_rs::hmac;
    let key = hmac::Key::new(hmac::HMAC_SHA256, &secret_key(secret)?);
    let mut ctx = hmac::Context::with_key(&key);
    ctx.update(msg_id.as_bytes());
    ctx.update(b".");
    ctx.update(timestamp.to_string().as_bytes());
    ctx.update(b".");
    ctx.update(body);
    Some(format!("v1,{}", B64.encode(ctx.sign().as_ref())))
}

/// The `webhook-signature` header: one signature per secret that signs,
/// separated by a space (the current one first, then the previous one while
/// its overlap lasts).
pub fn signature_header(secrets: &[&str], msg_id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|s| sign(s, msg_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The secrets that sign at `now`: the current one, and the previous one
/// until its overlap ends.
pub fn signing_secrets<'a>(
    current: &'a str,
    previous: Option<(&'a str, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> Vec<&'a str> {
    let mut out = vec![current];
    if let Some((p, until)) = previous
        && until > now
    {
        out.push(p);
    }
    out
}

// ------------------------------------------------------------------ retries

/// When a failed attempt is tried again: exponential (×3 from `base`, capped
/// at `window / 4`), each delay jittered by ±20 %, until the series has run
/// for `window`; then the subscription pauses. The defaults (30 s, 24 h)
/// try 10 times: 30 s, 1.5 min, 4.5 min, 13.5 min, 40.5 min, 2 h, 6 h × 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(30),
            window: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The delay after the `attempt`-th failure (1-based), before jitter.
    pub fn delay(&self, attempt: u32) -> Duration {
        let cap = self.window / 4;
        let factor = 3u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.base.saturating_mul(factor).min(cap)
    }

    /// The next attempt's time after the `attempt`-th failed at `now`, or
    /// `None` when it would fall past the series' window (give up: pause).
    /// `jitter` is uniform in [0, 1): ±20 % of the delay.
    pub fn next_attempt(
        &self,
        attempt: u32,
        series_started: DateTime<Utc>,
        now: DateTime<Utc>,
        jitter: f64,
    ) -> Option<DateTime<Utc>> {
        let d = self.delay(attempt).as_secs_f64() * (0.8 + 0.4 * jitter.clamp(0.0, 1.0));
        let next = now + chrono::Duration::milliseconds((d * 1000.0) as i64);
        let end = series_started + chrono::Duration::from_std(self.window).ok()?;
        (next <= end).then_some(next)
    }
}

// ------------------------------------------------------------------ targets (no SSRF)

/// Why an address may not be a webhook's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    Loopback,
    Private,
    LinkLocal,
    Unspecified,
    SharedCgnat,
    Multicast,
    Reserved,
}

impl AddressClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressClass::Loopback => "loopback",
            AddressClass::Private => "private",
            AddressClass::LinkLocal => "link-local (cloud metadata)",
            AddressClass::Unspecified => "unspecified",
            AddressClass::SharedCgnat => "shared (CGNAT)",
            AddressClass::Multicast => "multicast or broadcast",
            AddressClass::Reserved => "reserved",
        }
    }
}

/// The class that forbids `ip` as a target, or `None` for a public address.
/// IPv4 inside IPv6 (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`) is judged
/// as the IPv4 address it carries.
pub fn forbidden_address(ip: IpAddr) -> Option<AddressClass> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return forbidden_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            forbidden_v6(v6)
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    let o = ip.octets();
    Some(match o {
        [127, ..] => AddressClass::Loopback,
        [10, ..] | [192, 168, ..] => AddressClass::Private,
        [172, b, ..] if (16..32).contains(&b) => AddressClass::Private,
        [169, 254, ..] => AddressClass::LinkLocal,
        [0, ..] => AddressClass::Unspecified,
        [100, b, ..] if (64..128).contains(&b) => AddressClass::SharedCgnat,
        [a, ..] if a >= 224 => {
            if a < 240 || ip.is_broadcast() {
                AddressClass::Multicast
            } else {
                AddressClass::Reserved
            }
        }
        // IETF protocol assignments, benchmarking, the documentation nets.
        [192, 0, 0, _] | [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _] => {
            AddressClass::Reserved
        }
        [198, b, ..] if b == 18 || b == 19 => AddressClass::Reserved,
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<AddressClass> {
    let s = ip.segments();
    Some(if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if s[0] & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else if s[0] & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if s[0] & 0xff00 == 0xff00 {
        AddressClass::Multicast
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        AddressClass::Reserved
    } else if s[0..5] == [0, 0, 0, 0, 0] && s[5] == 0 {
        // IPv4-compatible (deprecated) ::a.b.c.d
        AddressClass::Reserved
    } else {
        return None;
    })
}

/// Where a webhook points, once its URL passed the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub https: bool,
    /// Lower case, IPv6 without brackets.
    pub host: String,
    pub port: u16,
    /// The host is an address literal (nothing to resolve).
    pub ip: Option<IpAddr>,
    /// Listed in `WEBHOOK_ALLOW_HOSTS`: exempt from the address rules and
    /// from https.
    pub allowed: bool,
    /// Path and query, as sent on the request line.
    pub path: String,
}

/// Why a URL is refused before any lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetError {
    /// Not an absolute http(s) URL with a host, or it carries credentials
    /// or a fragment.
    InvalidUrl,
    /// `http` to a host not in `WEBHOOK_ALLOW_HOSTS`.
    HttpsRequired,
    /// An address literal of a forbidden class.
    Forbidden { host: String, class: AddressClass },
}

/// The URL's rules that need no lookup: an absolute `https` URL (or `http`
/// to an allowed host), no user info, no fragment, and an address literal
/// that is not of a forbidden class unless its host is allowed.
pub fn parse_target(url: &str, allow_hosts: &[String]) -> Result<Target, TargetError> {
    let u = url::Url::parse(url).map_err(|_| TargetError::InvalidUrl)?;
    if !matches!(u.scheme(), "http" | "https")
        || !u.username().is_empty()
        || u.password().is_some()
        || u.fragment().is_some()
    {
        return Err(TargetError::InvalidUrl);
    }
    let (host, ip) = match u.host().ok_or(TargetError::InvalidUrl)? {
        url::Host::Domain(d) => (d.trim_end_matches('.').to_ascii_lowercase(), None),
        url::Host::Ipv4(a) => (a.to_string(), Some(IpAddr::V4(a))),
        url::Host::Ipv6(a) => (a.to_string(), Some(IpAddr::V6(a))),
    };
    if host.is_empty() {
        return Err(TargetError::InvalidUrl);
    }
    let allowed = host_allowed(&host, allow_hosts);
    let https = u.scheme().eq_ignore_ascii_case("https");
    if !https && !allowed {
        return Err(TargetError::HttpsRequired);
    }
    if let Some(ip) = ip
        && !allowed
        && let Some(class) = forbidden_address(ip)
    {
        return Err(TargetError::Forbidden { host, class });
    }
    let port = u.port_or_known_default().ok_or(TargetError::InvalidUrl)?;
    let mut path = u.path().to_string();
    if let Some(q) = u.query() {
        path.push('?');
        path.push_str(q);
    }
    Ok(Target {
        https,
        host,
        port,
        ip,
        allowed,
        path,
    })
}

/// Is `host` (lower case) listed in `WEBHOOK_ALLOW_HOSTS`?
pub fn host_allowed(host: &str, allow_hosts: &[String]) -> bool {
    allow_hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// The resolved addresses a delivery may connect to: all of them must be
/// allowed (a name with one forbidden address is refused whole, so a
/// rebinding answer cannot slip one in), unless the host is allowed.
pub fn check_resolved(target: &Target, addrs: &[IpAddr]) -> Result<(), TargetError> {
    if target.allowed {
        return Ok(());
    }
    for ip in addrs {
        if let Some(class) = forbidden_address(*ip) {
            return Err(TargetError::Forbidden {
                host: target.host.clone(),
                class,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Standard Webhooks specification's published test vector.
    #[test]
    fn the_signer_matches_the_standard_webhooks_test_vector() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sig = sign(
            secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            sig.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn two_secrets_sign_during_the_overlap_and_one_after() {
        let now = Utc::now();
        let a = generate_secret([1; 32]);
        let b = generate_secret([2; 32]);
        let later = now + chrono::Duration::hours(1);
        let both = signing_secrets(&a, Some((&b, later)), now);
        assert_eq!(both, vec![a.as_str(), b.as_str()]);
        let h = signature_header(&both, "1", 5, b"{}");
        let parts: Vec<_> = h.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_eq!(parts[0], sign(&a, "1", 5, b"{}").unwrap());
        assert_eq!(
            signing_secrets(&a, Some((&b, now)), later),
            vec![a.as_str()]
        );
    }

    #[test]
    fn a_generated_secret_has_the_specification_format() {
        let s = generate_secret([7; 32]);
        assert!(s.starts_with("whsec_"));
        assert_eq!(secret_key(&s).unwrap(), vec![7; 32]);
        assert!(secret_key("nope").is_none());
    }

    #[test]
    fn filters_are_exact_types_or_prefixes_ending_in_a_dot() {
        assert!(valid_type_filter("pledge.signed"));
        assert!(valid_type_filter("pledge."));
        assert!(!valid_type_filter("pledge.*"));
        assert!(!valid_type_filter("."));
        assert!(!valid_type_filter("Pledge"));
        assert!(!valid_type_filter("a..b"));
        let t = vec!["pledge.".to_string(), "user.created".to_string()];
        assert!(wants(&t, None, "pledge.signed", None));
        assert!(wants(&t, None, "user.created", None));
        assert!(!wants(&t, None, "user.updated", None));
        assert!(!wants(&t, None, "pledges.x", None));
        let org = uuid::Uuid::now_v7();
        assert!(wants(&t, Some(org), "pledge.signed", Some(org)));
        assert!(!wants(&t, Some(org), "pledge.signed", None));
        assert!(!wants(
            &t,
            Some(org),
            "pledge.signed",
            Some(uuid::Uuid::nil())
        ));
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_for_about_a_day() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(1), Duration::from_secs(30));
        assert_eq!(p.delay(2), Duration::from_secs(90));
        assert_eq!(p.delay(3), Duration::from_secs(270));
        assert_eq!(p.delay(7), Duration::from_secs(6 * 3600));
        assert_eq!(p.delay(40), Duration::from_secs(6 * 3600));
        let start = Utc::now();
        // Jitter stays within ±20 %.
        let lo = p.next_attempt(1, start, start, 0.0).unwrap();
        let hi = p.next_attempt(1, start, start, 0.999).unwrap();
        assert_eq!((lo - start).num_milliseconds(), 24_000);
        assert!((hi - start).num_milliseconds() < 36_000);
        // Walk the series with the mid jitter: it gives up within the window.
        let (mut now, mut attempt, mut total) = (start, 1, 0);
        while let Some(next) = p.next_attempt(attempt, start, now, 0.5) {
            now = next;
            attempt += 1;
            total += 1;
        }
        assert_eq!(total, 9, "ten attempts in all");
        assert!(now - start > chrono::Duration::hours(20));
        assert!(now - start <= chrono::Duration::hours(24));
    }

    #[test]
    fn private_loopback_link_local_metadata_and_cgnat_addresses_are_forbidden() {
        for (ip, class) in [
            ("127.0.0.1", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("10.0.0.1", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("fc00::1", AddressClass::Private),
            ("fd00:ec2::254", AddressClass::Private),
            ("169.254.169.254", AddressClass::LinkLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("0.0.0.0", AddressClass::Unspecified),
            ("::", AddressClass::Unspecified),
            ("100.64.0.1", AddressClass::SharedCgnat),
            ("100.100.100.200", AddressClass::SharedCgnat),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("::ffff:10.1.2.3", AddressClass::Private),
            ("64:ff9b::a9fe:a9fe", AddressClass::LinkLocal),
            ("255.255.255.255", AddressClass::Multicast),
            ("224.0.0.1", AddressClass::Multicast),
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(forbidden_address(ip), Some(class), "{ip}");
        }
        for ip in ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700::1111"] {
            assert_eq!(forbidden_address(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[test]
    fn only_https_and_no_forbidden_literal_unless_the_host_is_allowed() {
        let none: Vec<String> = vec![];
        let t = parse_target("https://hooks.example/in?x=1", &none).unwrap();
        assert_eq!(
            (t.host.as_str(), t.port, t.path.as_str(), t.allowed),
            ("hooks.example", 443, "/in?x=1", false)
        );
        assert_eq!(
            parse_target("http://hooks.example/in", &none),
            Err(TargetError::HttpsRequired)
        );
        assert!(matches!(
            parse_target("https://10.0.0.1/", &none),
            Err(TargetError::Forbidden {
                class: AddressClass::Private,
                ..
            })
        ));
        assert!(matches!(
            parse_target("https://169.254.169.254/latest", &none),
            Err(TargetError::Forbidden {
                class: AddressClass::LinkLocal,
                ..
            })
        ));
        assert!(matches!(
            parse_target("https://[::1]:8443/", &none),
            Err(TargetError::Forbidden {
                class: AddressClass::Loopback,
                ..
            })
        ));
        assert_eq!(
            parse_target("ftp://x.example/", &none),
            Err(TargetError::InvalidUrl)
        );
        assert_eq!(
            parse_target("https://u:p@x.example/", &none),
            Err(TargetError::InvalidUrl)
        );
        assert_eq!(
            parse_target("not a url", &none),
            Err(TargetError::InvalidUrl)
        );
        let allow = vec!["127.0.0.1".to_string()];
        let t = parse_target("http://127.0.0.1:9000/hook", &allow).unwrap();
        assert!(t.allowed && !t.https && t.port == 9000);
        // A name that resolves to loopback is refused at delivery time.
        let t = parse_target("https://localhost/", &none).unwrap();
        assert!(check_resolved(&t, &["127.0.0.1".parse().unwrap()]).is_err());
        assert!(check_resolved(&t, &["93.184.215.14".parse().unwrap()]).is_ok());
        assert!(
            check_resolved(
                &t,
                &[
                    "93.184.215.14".parse().unwrap(),
                    "10.0.0.1".parse().unwrap()
                ]
            )
            .is_err()
        );
    }
}
