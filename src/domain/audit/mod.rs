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

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

mod keys;
pub use keys::{PublicKey, SigningKey};

/// The first field of every signed message; a new format gets a new version.
pub const MESSAGE_PREFIX: &str = "thidua-audit-checkpoint:v1";

/// The algorithm name published with the key.
pub const ALGORITHM: &str = "Ed25519";

/// The event type of a checkpoint on the change feed.
pub const EVENT_TYPE: &str = "audit.checkpoint";

/// One signed anchor of the audit chain, as the API serves it, the change
/// feed publishes it (`data` of an `audit.checkpoint` event) and
/// `thidua audit verify --against` reads it back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": 1, "auditId": 44, "hash": "0bc136caa21da6061700f6b43636654ff04de0b7eb6710995e19dbd78c57d3b9", "createdAt": "2021-04-01T03:35:00Z", "keyId": "65f77c3e667ac364", "signature": "db05954966e0337d9708146428d52937847eb5c724bacfec640973867d6234447b9e3ba5df75f33eb025f888aad2a70a20109ce3cf35436b89cac1c671fd7709"}))]
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
    /// Rows not yet chained carry a hash or a position: writers cannot set
    /// them (a trigger clears them), so someone wrote behind the API.
    TailTampered { rows: i64 },
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
            Finding::TailTampered { rows } => write!(
                f,
                "FAIL tail: {rows} row(s) not yet chained carry a hash (written behind the API)"
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
    /// Committed rows the settler has not chained yet (docs/feed.md).
    pub unchained: i64,
    /// Of those, rows that carry a hash anyway.
    pub unchained_broken: i64,
}

/// The outcome of `judge`: every finding, and what was checked.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub chain_rows: i64,
    pub newest: Option<i64>,
    /// Committed rows not chained yet: in the trail, not yet protected by it.
    pub unchained: i64,
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
        out.push(match self.unchained {
            0 => "tail: every committed row is chained".to_string(),
            n => format!(
                "tail: {n} committed row(s) not chained yet (the settler chains them in commit-settled order; until then an edit to them would not show)"
            ),
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

/// What the walk itself found: a broken chained row, a tail row with a hash.
fn chain_findings(chain: &ChainState) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(row) = chain.first_broken {
        findings.push(Finding::ChainBroken { row });
    }
    if chain.unchained_broken > 0 {
        findings.push(Finding::TailTampered {
            rows: chain.unchained_broken,
        });
    }
    findings
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
    let mut findings = chain_findings(chain);
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
        unchained: chain.unchained,
        kept_checked: kept.len(),
        server_checked: server.len(),
        anchored: anchored.cloned(),
        server_newest: server_newest.cloned(),
        trusted_keys: keys.into_keys().collect(),
        findings,
    }
}

#[cfg(test)]
mod tests;
