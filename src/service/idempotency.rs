//! `Idempotency-Key` records: reserve before running, store the response
//! after, replay it for 24 hours.
//!
//! Nothing in a record is of use to someone holding only the database
//! (issue 12, item 8): responses such as a new client's secret are stored
//! sealed with AES-256-GCM under a key derived from the server secret and
//! the Idempotency-Key itself; the key is stored as its SHA-256 and the
//! request's fingerprint is an HMAC under a key derived the same way (a
//! plain hash of a body holding a password could be guessed offline). Only
//! a caller who presents the key again, to a server holding the secret, can
//! have the response opened.

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use sha2::{Digest, Sha256};

use crate::auth::jwt::JwtKeys;
use crate::db::{self, Db};
use crate::error::AppResult;

pub use crate::db::idempotency::Stored;

/// What `reserve` found (a replay's body already opened).
pub enum Reservation {
    /// First use of the key: run the request.
    Reserved,
    /// Same key, same request, finished: send this again.
    Replay(Stored),
    /// Same key, another request body or target (or a record this server
    /// cannot open: written under another secret, or altered).
    Mismatch,
    /// Same key, first request still running.
    InProgress,
}

/// One caller's use of one Idempotency-Key.
pub struct Record {
    caller: String,
    /// Hex SHA-256 of the Idempotency-Key: what the table stores.
    key_id: String,
    seal_key: [u8; 32],
    mac_key: [u8; 32],
}

impl Record {
    pub fn new(keys: &JwtKeys, caller: &str, idempotency_key: &str) -> Record {
        let ctx: [&[u8]; 2] = [caller.as_bytes(), idempotency_key.as_bytes()];
        Record {
            caller: caller.to_string(),
            key_id: hex::encode(Sha256::digest(idempotency_key.as_bytes())),
            seal_key: keys.derive_key("thidua idempotency seal v1", &ctx),
            mac_key: keys.derive_key("thidua idempotency request v1", &ctx),
        }
    }

    /// The fingerprint a retry must match: HMAC over the parts, each
    /// length-prefixed.
    pub fn request_hash(&self, parts: &[&[u8]]) -> Vec<u8> {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.mac_key);
        let mut ctx = hmac::Context::with_key(&key);
        for part in parts {
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        ctx.sign().as_ref().to_vec()
    }

    fn aead(&self) -> LessSafeKey {
        // A 32-byte key is always a valid AES-256 key.
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.seal_key).expect("AES-256 key"))
    }

    /// What the sealed body is bound to: the record and the status.
    fn aad(&self, status: i16) -> Vec<u8> {
        let mut aad = Vec::with_capacity(self.caller.len() + self.key_id.len() + 4);
        aad.extend_from_slice(self.caller.as_bytes());
        aad.push(0);
        aad.extend_from_slice(self.key_id.as_bytes());
        aad.push(0);
        aad.extend_from_slice(&status.to_be_bytes());
        aad
    }

    /// nonce ‖ ciphertext ‖ tag. The key is this record's alone, so a
    /// random nonce never meets the same key twice in practice.
    pub fn seal(&self, status: i16, body: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).expect("system random");
        let mut sealed = body.to_vec();
        self.aead()
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(self.aad(status)),
                &mut sealed,
            )
            .expect("AES-GCM seal");
        let mut out = nonce.to_vec();
        out.append(&mut sealed);
        out
    }

    /// The body, or `None` when it was not sealed by this key.
    pub fn open(&self, status: i16, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = sealed.split_at(NONCE_LEN);
        let mut buf = data.to_vec();
        let plain = self
            .aead()
            .open_in_place(
                Nonce::try_assume_unique_for_key(nonce).ok()?,
                Aad::from(self.aad(status)),
                &mut buf,
            )
            .ok()?;
        Some(plain.to_vec())
    }
}

/// Reserve the key. A reservation left without an answer for `lease` (the
/// request timeout: its request cannot still be running) is taken over by
/// the same request, so a client's retry after an instance died, or lost
/// its database, mid-request runs it instead of waiting 24 hours.
pub async fn reserve(
    db: &Db,
    rec: &Record,
    request_hash: &[u8],
    lease: std::time::Duration,
) -> AppResult<Reservation> {
    use db::idempotency::Reservation as Row;
    let found = db
        .read(async |c| {
            db::idempotency::reserve(c, &rec.caller, &rec.key_id, request_hash, lease).await
        })
        .await?;
    Ok(match found {
        Row::Reserved => Reservation::Reserved,
        Row::Mismatch => Reservation::Mismatch,
        Row::InProgress => Reservation::InProgress,
        Row::Replay(stored) => match rec.open(stored.status, &stored.body) {
            Some(body) => Reservation::Replay(Stored { body, ..stored }),
            None => Reservation::Mismatch,
        },
    })
}

/// Store the first response, sealed. A failure here only costs the replay
/// (the write itself is committed), so it is logged, not returned.
pub async fn complete(
    db: &Db,
    rec: &Record,
    status: i16,
    headers: &[(String, String)],
    body: &[u8],
) {
    let sealed = rec.seal(status, body);
    let r = db
        .read(async |c| {
            db::idempotency::complete(c, &rec.caller, &rec.key_id, status, headers, &sealed).await
        })
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "could not store the idempotent response");
    }
}

/// Run the reserved request: the write transaction it commits marks the
/// reservation committed, so a retry never runs a committed write again.
pub async fn running<F: std::future::Future>(rec: &Record, f: F) -> F::Output {
    db::idempotency::running(&rec.caller, &rec.key_id, f).await
}

/// Forget a reservation whose request failed before committing anything.
pub async fn release(db: &Db, rec: &Record) {
    let r = db
        .read(async |c| db::idempotency::release(c, &rec.caller, &rec.key_id).await)
        .await;
    if let Err(e) = r {
        tracing::warn!(error = %e, "could not release the idempotency key");
    }
}

/// Delete records older than 24 hours (run periodically by `serve`).
pub async fn purge_expired(db: &Db) -> AppResult<usize> {
    Ok(db
        .read(async |c| db::idempotency::purge_expired(c).await)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8]) -> JwtKeys {
        JwtKeys::hs256(secret, "thidua", "thidua-api", 60).unwrap()
    }

    #[test]
    fn a_sealed_body_opens_only_with_the_same_server_secret_key_and_status() {
        let server = keys(b"0123456789abcdef0123456789abcdef-one");
        let rec = Record::new(&server, "user:1", "key-1");
        let sealed = rec.seal(201, b"{\"clientSecret\":\"s3cr3t\"}");
        assert!(!sealed.windows(6).any(|w| w == b"s3cr3t"));
        assert_eq!(
            rec.open(201, &sealed).as_deref(),
            Some(&b"{\"clientSecret\":\"s3cr3t\"}"[..])
        );
        assert_eq!(rec.open(200, &sealed), None, "bound to the status");
        let other_key = Record::new(&server, "user:1", "key-2");
        assert_eq!(other_key.open(201, &sealed), None);
        let other_caller = Record::new(&server, "user:2", "key-1");
        assert_eq!(other_caller.open(201, &sealed), None);
        let other_server = Record::new(
            &keys(b"0123456789abcdef0123456789abcdef-two"),
            "user:1",
            "key-1",
        );
        assert_eq!(other_server.open(201, &sealed), None);
        assert_ne!(
            rec.request_hash(&[b"POST", b"/x", b"body"]),
            other_server.request_hash(&[b"POST", b"/x", b"body"]),
            "the fingerprint is keyed by the server secret"
        );
        assert_ne!(
            rec.request_hash(&[b"POST", b"/xbody"]),
            rec.request_hash(&[b"POST", b"/x", b"body"]),
            "parts are length-prefixed"
        );
    }
}
