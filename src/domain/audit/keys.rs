//! The Ed25519 keys that sign and verify audit checkpoints.

use std::fmt;

use aws_lc_rs::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{Checkpoint, message};

/// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw
/// 32-byte key follows it.
const SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

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
