//! Audit checkpoints, the pure part: what a checkpoint signs, the Ed25519
//! keys that sign and verify it, reading what an outside party kept, and
//! judging the chain against kept and stored checkpoints.
//!
//! A checkpoint says "at this time, audit row N had chain hash H", signed
//! with the server's audit key. The chain hash of row N covers every row up
//! to N, so a copy kept outside the database pins that whole prefix: a row
//! edited at or below N changes the hash at N (even when every later hash is
//! recomputed), and deleting the newest rows makes row N disappear. See
//! docs/security.md, "The audit trail: what verify proves".

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The first field of every signed message; a new format gets a new version.
pub const MESSAGE_PREFIX: &str = "thidua-audit-checkpoint:v1";

/// The algorithm name published with the key.
pub const ALGORITHM: &str = "Ed25519";

/// The event type of a checkpoint on the change feed.
pub const EVENT_TYPE: &str = "audit.checkpoint";

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw
/// 32-byte key follows it.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

/// One signed anchor of the audit chain, as the API serves it, the change
/// feed publishes it (`data` of an `audit.checkpoint` event) and
/// `thidua audit verify --against` reads it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The checkpoint's number (increases; not signed).
    pub id: i64,
    /// The audit row it anchors.
    pub audit_id: i64,
    /// Hex SHA-256: the chain hash at that row.
    #[serde(with = "hex_bytes")]
    #[schema(
        value_type = String,
        pattern = "^[0-9a-f]{64}$",
        example = "2ad9511ef92c117f298f0123875adb2106be4b6bc3d878d8868ccfa3dca98e8a"
    )]
    pub hash: Vec<u8>,
    /// When it was made: RFC 3339 UTC with six fraction digits, exactly the
    /// text that is signed.
    #[serde(with = "micros_time")]
    #[schema(value_type = String, format = DateTime, example = "2026-12-01T07:30:00.123456Z")]
    pub created_at: DateTime<Utc>,
    /// Which key signed it: hex of the first 8 bytes of SHA-256 of the raw public key.
    pub key_id: String,
    /// Hex Ed25519 signature of
    /// `thidua-audit-checkpoint:v1:<auditId>:<hash>:<createdAt>` (createdAt
    /// as RFC 3339 UTC with six fraction digits, e.g. `2026-12-01T07:30:00.123456Z`).
    #[serde(with = "hex_bytes")]
    #[schema(value_type = String, pattern = "^[0-9a-f]{128}$")]
    pub signature: Vec<u8>,
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        hex::decode(s.trim()).map_err(serde::de::Error::custom)
    }
}

/// Serialised as signed, so a verifier can use the text as it is; read
/// back from any RFC 3339 form.
mod micros_time {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::signed_time(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(s.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

/// The time as signed: RFC 3339, UTC, microseconds (what PostgreSQL keeps).
pub fn signed_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A time the database stores unchanged (it keeps microseconds), so that a
/// checkpoint read back verifies.
pub fn now_for_checkpoint() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The bytes a checkpoint's signature covers.
pub fn message(audit_id: i64, hash: &[u8], created_at: DateTime<Utc>) -> Vec<u8> {
    format!(
        "{MESSAGE_PREFIX}:{audit_id}:{}:{}",
        hex::encode(hash),
        signed_time(created_at)
    )
    .into_bytes()
}

/// The server's audit signing key (Ed25519). Never printed.
pub struct SigningKey {
    pair: Ed25519KeyPair,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("key_id", &self.public.key_id())
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    fn from_pair(pair: Ed25519KeyPair) -> SigningKey {
        let mut raw = [0u8; 32];
        raw.copy_from_slice(pair.public_key().as_ref());
        SigningKey {
            pair,
            public: PublicKey(raw),
        }
    }

    /// A fresh random key.
    pub fn generate() -> SigningKey {
        // Key generation fails only when the system has no randomness: then
        // nothing can be signed safely, and the process should not go on.
        SigningKey::from_pair(Ed25519KeyPair::generate().expect("system randomness for a key"))
    }

    /// A key derived from a server secret (HKDF-SHA256 with a label of its
    /// own, so the derived key reveals nothing of the secret and differs from
    /// any other use of it). The same secret always gives the same key.
    pub fn derive(secret: &[u8]) -> SigningKey {
        use aws_lc_rs::hkdf::{HKDF_SHA256, KeyType, Salt};
        struct Len;
        impl KeyType for Len {
            fn len(&self) -> usize {
                32
            }
        }
        let mut seed = [0u8; 32];
        Salt::new(HKDF_SHA256, b"thidua audit checkpoint signing key")
            .extract(secret)
            .expand(&[b"ed25519 seed v1"], Len)
            .and_then(|okm| okm.fill(&mut seed))
            .expect("32 bytes are within HKDF-SHA256's output limit");
        SigningKey::from_pair(
            Ed25519KeyPair::from_seed_unchecked(&seed).expect("any 32 bytes are an Ed25519 seed"),
        )
    }

    /// An unencrypted PKCS#8 Ed25519 private key in PEM (`PRIVATE KEY`), as
    /// `openssl genpkey -algorithm ed25519` writes it.
    pub fn from_pem(text: &[u8]) -> Result<SigningKey, String> {
        let p = pem::parse(text).map_err(|e| format!("not a PEM private key: {e}"))?;
        if p.tag() != "PRIVATE KEY" {
            return Err(format!(
                "expected a PEM `PRIVATE KEY` (PKCS#8 Ed25519), found `{}`",
                p.tag()
            ));
        }
        Ed25519KeyPair::from_pkcs8(p.contents())
            .map(SigningKey::from_pair)
            .map_err(|e| format!("not an Ed25519 PKCS#8 key: {e}"))
    }

    /// The private key as PKCS#8 v1 PEM (readable by openssl).
    pub fn to_pem(&self) -> String {
        let der = self
            .pair
            .to_pkcs8v1()
            .expect("an Ed25519 key pair encodes as PKCS#8");
        pem::encode_config(
            &pem::Pem::new("PRIVATE KEY", der.as_ref()),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Sign "row `audit_id` had chain hash `hash` at `created_at`".
    pub fn sign(&self, audit_id: i64, hash: &[u8], created_at: DateTime<Utc>) -> Vec<u8> {
        self.pair
            .sign(&message(audit_id, hash, created_at))
            .as_ref()
            .to_vec()
    }
}

/// An Ed25519 public key that checkpoints are verified with.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey([u8; 32]);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

impl PublicKey {
    pub fn from_raw(raw: &[u8]) -> Result<PublicKey, String> {
        <[u8; 32]>::try_from(raw)
            .map(PublicKey)
            .map_err(|_| format!("an Ed25519 public key is 32 bytes, not {}", raw.len()))
    }

    /// A PEM `PUBLIC KEY` (SubjectPublicKeyInfo), or the raw 32 bytes in
    /// base64url (the signing-key endpoint's `publicKey`, a JWK's `x`) or hex.
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let t = text.trim();
        if t.starts_with("-----BEGIN") {
            let p = pem::parse(t).map_err(|e| format!("not a PEM public key: {e}"))?;
            if p.tag() != "PUBLIC KEY" {
                return Err(format!("expected a PEM `PUBLIC KEY`, found `{}`", p.tag()));
            }
            let der = p.contents();
            return match der.strip_prefix(&SPKI_PREFIX[..]) {
                Some(raw) => PublicKey::from_raw(raw),
                None => Err("the PEM public key is not an Ed25519 key".into()),
            };
        }
        if t.len() == 64
            && let Ok(raw) = hex::decode(t)
        {
            return PublicKey::from_raw(&raw);
        }
        match URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')) {
            Ok(raw) => PublicKey::from_raw(&raw),
            Err(_) => Err("not a PEM, base64url or hex Ed25519 public key".into()),
        }
    }

    pub fn raw(&self) -> &[u8; 32] {
        &self.0
    }

    /// Hex of the first 8 bytes of SHA-256 of the raw key (as the JWKS `kid`).
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0)[..8])
    }

    pub fn base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// SubjectPublicKeyInfo PEM (`openssl pkey -pubin` reads it).
    pub fn pem(&self) -> String {
        let mut der = SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.0);
        pem::encode_config(
            &pem::Pem::new("PUBLIC KEY", der),
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        )
    }

    /// Does `c`'s signature verify with this key over its own fields?
    pub fn verifies(&self, c: &Checkpoint) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.0)
            .verify(&message(c.audit_id, &c.hash, c.created_at), &c.signature)
            .is_ok()
    }
}

/// Read the checkpoints an outside party kept: a JSON array of checkpoints
/// (as `GET /api/v1/audit/checkpoints` lists them) or of change-feed events,
/// a page of either (`{"items": [...]}`), or JSON lines of either. Events
/// other than `audit.checkpoint` are skipped, so a whole feed log will do.
pub fn read_kept(text: &str) -> Result<Vec<Checkpoint>, String> {
    let t = text.trim_start_matches('\u{feff}').trim();
    let values: Vec<(String, serde_json::Value)> =
        match serde_json::from_str::<serde_json::Value>(t) {
            Ok(serde_json::Value::Array(items)) => items
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("item {}", i + 1), v))
                .collect(),
            Ok(serde_json::Value::Object(mut o))
                if o.get("items").is_some_and(|v| v.is_array()) =>
            {
                match o.remove("items") {
                    Some(serde_json::Value::Array(items)) => items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (format!("item {}", i + 1), v))
                        .collect(),
                    _ => Vec::new(),
                }
            }
            Ok(v @ serde_json::Value::Object(_)) => vec![("line 1".into(), v)],
            Ok(_) => return Err("expected checkpoints or change-feed events as JSON".into()),
            // Not one JSON document: JSON lines.
            Err(_) => {
                let mut out = Vec::new();
                for (n, line) in t.lines().enumerate() {
                    let line = line.trim();
                    if line.is_empty() {
                        continue;
                    }
                    let v = serde_json::from_str(line)
                        .map_err(|e| format!("line {}: not JSON: {e}", n + 1))?;
                    out.push((format!("line {}", n + 1), v));
                }
                out
            }
        };
    let mut kept = Vec::new();
    for (at, v) in values {
        let checkpoint = match v.get("type") {
            // A change-feed event.
            Some(ty) if ty == EVENT_TYPE => v.get("data").cloned().unwrap_or_default(),
            Some(_) => continue,
            None => v,
        };
        kept.push(
            serde_json::from_value(checkpoint)
                .map_err(|e| format!("{at}: not an audit checkpoint: {e}"))?,
        );
    }
    Ok(kept)
}

/// Where a checkpoint under judgement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The file an outside party kept.
    Kept,
    /// The server's own `audit_checkpoints` table.
    Server,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Kept => "kept checkpoint",
            Source::Server => "server checkpoint",
        })
    }
}

/// One thing verify found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The chain does not recompute from this row on (edited or removed
    /// without recomputing the hashes after it).
    ChainBroken { row: i64 },
    /// The anchored row is no longer in the trail: the newest rows were
    /// deleted (tail truncation).
    RowGone {
        source: Source,
        audit_id: i64,
        created_at: DateTime<Utc>,
        newest: Option<i64>,
    },
    /// The chain hash at the anchored row is not the one signed: a row at or
    /// below it was rewritten (and the hashes after it recomputed).
    HashDiffers {
        source: Source,
        audit_id: i64,
        created_at: DateTime<Utc>,
        signed: Vec<u8>,
        now: Vec<u8>,
    },
    /// The signature does not verify with the key it names.
    BadSignature {
        source: Source,
        audit_id: i64,
        key_id: String,
    },
    /// Signed by a key that is not trusted here.
    UnknownKey {
        source: Source,
        audit_id: i64,
        key_id: String,
    },
    /// A kept checkpoint the server's append-only table no longer holds as
    /// it was published: that table was edited.
    NotOnServer { audit_id: i64 },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::ChainBroken { row } => write!(
                f,
                "FAIL chain: row {row} does not match its hash or its predecessor (altered behind the API)"
            ),
            Finding::RowGone {
                source,
                audit_id,
                created_at,
                newest,
            } => write!(
                f,
                "FAIL {source} for row {audit_id} (signed {}): row {audit_id} is gone; the newest row is now {} (tail truncation)",
                signed_time(*created_at),
                newest.map_or_else(|| "none".to_string(), |n| n.to_string()),
            ),
            Finding::HashDiffers {
                source,
                audit_id,
                created_at,
                signed,
                now,
            } => write!(
                f,
                "FAIL {source} for row {audit_id} (signed {}): the chain hash at row {audit_id} is {}, the checkpoint signed {} (rows up to {audit_id} were rewritten)",
                signed_time(*created_at),
                hex::encode(now),
                hex::encode(signed),
            ),
            Finding::BadSignature {
                source,
                audit_id,
                key_id,
            } => write!(
                f,
                "FAIL {source} for row {audit_id}: the signature does not verify with key {key_id} (forged or altered)"
            ),
            Finding::UnknownKey {
                source,
                audit_id,
                key_id,
            } => write!(
                f,
                "FAIL {source} for row {audit_id}: signed by key {key_id}, which is not a trusted key"
            ),
            Finding::NotOnServer { audit_id } => write!(
                f,
                "FAIL kept checkpoint for row {audit_id}: the server's checkpoint table no longer holds it as published (the table was edited)"
            ),
        }
    }
}

/// What the database says about the chain, read in one snapshot.
#[derive(Debug, Clone, Default)]
pub struct ChainState {
    /// Rows walked.
    pub rows: i64,
    /// The newest row's id.
    pub newest: Option<i64>,
    /// The first row that does not recompute.
    pub first_broken: Option<i64>,
    /// The stored chain hash of each row a checkpoint names (absent: no such row).
    pub hashes: HashMap<i64, Vec<u8>>,
}

/// The outcome of `judge`: every finding, and what was checked.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub chain_rows: i64,
    pub newest: Option<i64>,
    pub kept_checked: usize,
    pub server_checked: usize,
    /// The newest kept checkpoint that passed every check: rows up to it are
    /// exactly as they were when it was signed.
    pub anchored: Option<Checkpoint>,
    /// The newest server checkpoint that passed every check.
    pub server_newest: Option<Checkpoint>,
    pub trusted_keys: Vec<String>,
    pub findings: Vec<Finding>,
}

impl Verdict {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    /// What was checked and found, one line each, failures first.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.findings.iter().map(|f| f.to_string()).collect();
        out.push(match (self.chain_rows, self.newest) {
            (0, _) => "chain: the audit trail is empty".to_string(),
            (n, Some(newest)) => format!(
                "chain: {n} rows walked up to row {newest}, {}",
                if self
                    .findings
                    .iter()
                    .any(|f| matches!(f, Finding::ChainBroken { .. }))
                {
                    "NOT internally consistent"
                } else {
                    "every hash recomputes"
                }
            ),
            (n, None) => format!("chain: {n} rows walked"),
        });
        out.push(format!(
            "keys trusted for signatures: {}",
            if self.trusted_keys.is_empty() {
                "none".to_string()
            } else {
                self.trusted_keys.join(", ")
            }
        ));
        out.push(format!(
            "server checkpoints: {} checked (the table is in the database: whoever can rewrite the trail can delete them too){}",
            self.server_checked,
            self.server_newest
                .as_ref()
                .map(|c| format!(", newest valid one at row {}", c.audit_id))
                .unwrap_or_default()
        ));
        if self.kept_checked > 0 {
            out.push(format!(
                "kept checkpoints: {} checked against the chain, the signatures and the server's table",
                self.kept_checked
            ));
        }
        if self.ok() {
            match (&self.anchored, self.newest) {
                (Some(c), Some(newest)) => {
                    out.push(format!(
                        "anchored: rows up to {} are exactly as they were at {} (a kept checkpoint); rows {}–{newest} are internally consistent but not anchored by a kept checkpoint",
                        c.audit_id,
                        signed_time(c.created_at),
                        c.audit_id + 1,
                    ));
                }
                _ => out.push(
                    "anchored: nothing (no kept checkpoint given): the chain is only internally consistent, and deleting its newest rows, or rewriting rows with every later hash recomputed, would not show"
                        .to_string(),
                ),
            }
            out.push(format!(
                "audit chain intact: {} rows verified",
                self.chain_rows
            ));
        } else {
            out.push(format!(
                "audit chain verification FAILED: {} finding(s)",
                self.findings.len()
            ));
        }
        out
    }
}

/// Judge the chain against kept and stored checkpoints. A checkpoint passes
/// when its signature verifies with a trusted key, its row still exists,
/// and the chain hash at that row is the one it signed; a kept one must also
/// still be in the server's table as published.
pub fn judge(
    chain: &ChainState,
    kept: &[Checkpoint],
    server: &[Checkpoint],
    trusted: &[PublicKey],
) -> Verdict {
    let keys: BTreeMap<String, &PublicKey> = trusted.iter().map(|k| (k.key_id(), k)).collect();
    let mut findings = Vec::new();
    if let Some(row) = chain.first_broken {
        findings.push(Finding::ChainBroken { row });
    }
    let mut check = |source: Source, c: &Checkpoint| -> bool {
        let before = findings.len();
        match keys.get(&c.key_id) {
            None => findings.push(Finding::UnknownKey {
                source,
                audit_id: c.audit_id,
                key_id: c.key_id.clone(),
            }),
            Some(k) if !k.verifies(c) => findings.push(Finding::BadSignature {
                source,
                audit_id: c.audit_id,
                key_id: c.key_id.clone(),
            }),
            Some(_) => {}
        }
        match chain.hashes.get(&c.audit_id) {
            None => findings.push(Finding::RowGone {
                source,
                audit_id: c.audit_id,
                created_at: c.created_at,
                newest: chain.newest,
            }),
            Some(h) if *h != c.hash => findings.push(Finding::HashDiffers {
                source,
                audit_id: c.audit_id,
                created_at: c.created_at,
                signed: c.hash.clone(),
                now: h.clone(),
            }),
            Some(_) => {}
        }
        findings.len() == before
    };
    let mut server_newest: Option<&Checkpoint> = None;
    for c in server {
        if check(Source::Server, c) && server_newest.is_none_or(|n| c.audit_id > n.audit_id) {
            server_newest = Some(c);
        }
    }
    let mut anchored: Option<&Checkpoint> = None;
    for c in kept {
        if check(Source::Kept, c) && anchored.is_none_or(|n| c.audit_id > n.audit_id) {
            anchored = Some(c);
        }
    }
    for c in kept {
        let published = server.iter().any(|s| {
            s.audit_id == c.audit_id
                && s.hash == c.hash
                && s.created_at == c.created_at
                && s.signature == c.signature
        });
        if !published {
            findings.push(Finding::NotOnServer {
                audit_id: c.audit_id,
            });
        }
    }
    Verdict {
        chain_rows: chain.rows,
        newest: chain.newest,
        kept_checked: kept.len(),
        server_checked: server.len(),
        anchored: anchored.cloned(),
        server_newest: server_newest.cloned(),
        trusted_keys: keys.into_keys().collect(),
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn checkpoint(key: &SigningKey, id: i64, audit_id: i64, hash: [u8; 32]) -> Checkpoint {
        let created_at = at("2026-12-01T07:30:00.123456Z");
        Checkpoint {
            id,
            audit_id,
            hash: hash.to_vec(),
            created_at,
            key_id: key.public().key_id(),
            signature: key.sign(audit_id, &hash, created_at),
        }
    }

    fn chain(rows: &[(i64, [u8; 32])]) -> ChainState {
        ChainState {
            rows: rows.len() as i64,
            newest: rows.last().map(|r| r.0),
            first_broken: None,
            hashes: rows.iter().map(|(id, h)| (*id, h.to_vec())).collect(),
        }
    }

    #[test]
    fn the_signed_message_names_row_hash_and_time_to_the_microsecond() {
        assert_eq!(
            String::from_utf8(message(42, &[0xab, 0x01], at("2026-12-01T07:30:00Z"))).unwrap(),
            "thidua-audit-checkpoint:v1:42:ab01:2026-12-01T07:30:00.000000Z"
        );
    }

    #[test]
    fn a_signature_verifies_with_its_key_and_not_after_any_field_changes() {
        let key = SigningKey::generate();
        let c = checkpoint(&key, 1, 10, [7; 32]);
        assert!(key.public().verifies(&c));
        let mut other = c.clone();
        other.audit_id = 11;
        assert!(!key.public().verifies(&other));
        let mut other = c.clone();
        other.hash[0] ^= 1;
        assert!(!key.public().verifies(&other));
        let mut other = c.clone();
        other.created_at += chrono::Duration::microseconds(1);
        assert!(!key.public().verifies(&other));
        let mut other = c.clone();
        other.signature[5] ^= 1;
        assert!(!key.public().verifies(&other));
        assert!(!SigningKey::generate().public().verifies(&c));
    }

    #[test]
    fn a_derived_key_depends_only_on_its_secret() {
        let a = SigningKey::derive(b"secret one, at least 32 bytes long!!");
        let b = SigningKey::derive(b"secret one, at least 32 bytes long!!");
        let c = SigningKey::derive(b"secret two, at least 32 bytes long!!");
        assert_eq!(a.public(), b.public());
        assert_ne!(a.public(), c.public());
    }

    #[test]
    fn keys_round_trip_through_pem_and_the_published_forms() {
        let key = SigningKey::generate();
        let again = SigningKey::from_pem(key.to_pem().as_bytes()).unwrap();
        assert_eq!(again.public(), key.public());
        let p = key.public();
        assert_eq!(PublicKey::parse(&p.pem()).unwrap(), *p);
        assert_eq!(PublicKey::parse(&p.base64url()).unwrap(), *p);
        assert_eq!(PublicKey::parse(&hex::encode(p.raw())).unwrap(), *p);
        assert!(key.to_pem().starts_with("-----BEGIN PRIVATE KEY-----\n"));
        assert!(SigningKey::from_pem(p.pem().as_bytes()).is_err());
        assert!(PublicKey::parse("not a key").is_err());
    }

    #[test]
    fn an_openssl_generated_key_is_accepted() {
        // `openssl genpkey -algorithm ed25519` (PKCS#8 v1) and its public key.
        let private = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIN4jSAWBdDgoqxjPJYsItJckU/H01Q4sPCphLTjkbB7Y\n-----END PRIVATE KEY-----\n";
        let public = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA09EWzp5oG3ljY88jQZDY2Qlb4HfGLIqMxqVxYH8yuLg=\n-----END PUBLIC KEY-----\n";
        let key = SigningKey::from_pem(private.as_bytes()).unwrap();
        assert_eq!(*key.public(), PublicKey::parse(public).unwrap());
    }

    #[test]
    fn created_at_is_served_as_the_signed_text() {
        let key = SigningKey::generate();
        let mut c = checkpoint(&key, 1, 10, [1; 32]);
        c.created_at = at("2026-12-01T07:30:00.650Z");
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["createdAt"], "2026-12-01T07:30:00.650000Z");
        let back: Checkpoint = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
        // Another RFC 3339 spelling of the same instant reads the same.
        let mut other = serde_json::to_value(&c).unwrap();
        other["createdAt"] = "2026-12-01T14:30:00.65+07:00".into();
        assert_eq!(serde_json::from_value::<Checkpoint>(other).unwrap(), c);
    }

    #[test]
    fn kept_files_are_read_as_arrays_pages_and_feed_json_lines() {
        let key = SigningKey::generate();
        let c = checkpoint(&key, 3, 10, [1; 32]);
        let as_json = serde_json::to_value(&c).unwrap();
        let array = serde_json::to_string(&vec![&as_json]).unwrap();
        assert_eq!(read_kept(&array).unwrap(), vec![c.clone()]);
        let page = serde_json::json!({"items": [as_json], "nextCursor": null}).to_string();
        assert_eq!(read_kept(&page).unwrap(), vec![c.clone()]);
        let feed = [
            serde_json::json!({"id": 1, "type": "user.created", "data": {"x": 1}}),
            serde_json::json!({"id": 2, "type": EVENT_TYPE, "entity": "audit_checkpoint", "data": as_json}),
        ]
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join("\n");
        assert_eq!(read_kept(&feed).unwrap(), vec![c.clone()]);
        assert!(
            read_kept("{\"id\": 1}\nnot json")
                .unwrap_err()
                .starts_with("line 2")
        );
        assert!(
            read_kept("[{\"hello\": 1}]")
                .unwrap_err()
                .starts_with("item 1")
        );
    }

    #[test]
    fn an_intact_chain_passes_and_is_anchored_at_the_newest_kept_checkpoint() {
        let key = SigningKey::generate();
        let state = chain(&[(1, [1; 32]), (2, [2; 32]), (3, [3; 32])]);
        let kept = vec![
            checkpoint(&key, 1, 1, [1; 32]),
            checkpoint(&key, 2, 2, [2; 32]),
        ];
        let v = judge(&state, &kept, &kept, &[*key.public()]);
        assert!(v.ok(), "{:?}", v.findings);
        assert_eq!(v.anchored.as_ref().map(|c| c.audit_id), Some(2));
        assert!(
            v.lines()
                .iter()
                .any(|l| l.starts_with("anchored: rows up to 2"))
        );
    }

    #[test]
    fn a_kept_checkpoint_whose_row_is_gone_is_tail_truncation() {
        let key = SigningKey::generate();
        let kept = vec![checkpoint(&key, 1, 3, [3; 32])];
        let v = judge(
            &chain(&[(1, [1; 32]), (2, [2; 32])]),
            &kept,
            &kept,
            &[*key.public()],
        );
        assert!(matches!(
            v.findings.as_slice(),
            [
                Finding::RowGone {
                    source: Source::Server,
                    audit_id: 3,
                    newest: Some(2),
                    ..
                },
                Finding::RowGone {
                    source: Source::Kept,
                    audit_id: 3,
                    ..
                }
            ]
        ));
        assert!(v.lines()[0].contains("tail truncation"));
    }

    #[test]
    fn a_different_hash_at_the_anchored_row_is_a_rewrite() {
        let key = SigningKey::generate();
        let kept = vec![checkpoint(&key, 1, 2, [2; 32])];
        let v = judge(
            &chain(&[(1, [1; 32]), (2, [9; 32])]),
            &kept,
            &[],
            &[*key.public()],
        );
        assert!(matches!(
            v.findings.as_slice(),
            [
                Finding::HashDiffers {
                    source: Source::Kept,
                    audit_id: 2,
                    ..
                },
                Finding::NotOnServer { audit_id: 2 }
            ]
        ));
    }

    #[test]
    fn an_altered_signature_or_an_untrusted_key_fails() {
        let key = SigningKey::generate();
        let state = chain(&[(1, [1; 32])]);
        let mut altered = checkpoint(&key, 1, 1, [1; 32]);
        altered.signature[0] ^= 0x80;
        let v = judge(
            &state,
            std::slice::from_ref(&altered),
            std::slice::from_ref(&altered),
            &[*key.public()],
        );
        assert!(v.findings.contains(&Finding::BadSignature {
            source: Source::Kept,
            audit_id: 1,
            key_id: key.public().key_id()
        }));
        let forger = SigningKey::generate();
        let forged = checkpoint(&forger, 1, 1, [1; 32]);
        let v = judge(&state, std::slice::from_ref(&forged), &[], &[*key.public()]);
        assert!(matches!(v.findings[0], Finding::UnknownKey { .. }));
        // Naming the trusted key's id does not help a forger.
        let mut forged = forged;
        forged.key_id = key.public().key_id();
        let v = judge(&state, std::slice::from_ref(&forged), &[], &[*key.public()]);
        assert!(matches!(v.findings[0], Finding::BadSignature { .. }));
    }

    #[test]
    fn a_broken_chain_fails_even_without_checkpoints() {
        let mut state = chain(&[(1, [1; 32]), (2, [2; 32])]);
        state.first_broken = Some(2);
        let v = judge(&state, &[], &[], &[]);
        assert_eq!(v.findings, vec![Finding::ChainBroken { row: 2 }]);
        assert!(!v.ok());
    }
}
