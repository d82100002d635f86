//! Issuing and validating access tokens: HS256 with a shared secret by
//! default, or Ed25519 (EdDSA) so other systems can verify with a public key.

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::principal::{PrincipalKind, Role, Scope};
use crate::error::{AppError, AppResult};

/// Tokens larger than this are refused before any parsing.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;
pub const LEEWAY_SECS: u64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: u64,
    pub iat: u64,
    pub nbf: u64,
    pub jti: String,
    /// `user` or `client`.
    pub typ: PrincipalKind,
    /// Username or client id.
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<Role>,
    /// OAuth-style space-separated scopes (clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org: Option<Uuid>,
    /// The principal's token version when issued; a bump revokes older tokens.
    pub tv: i32,
}

impl Claims {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scope
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|s| s.parse::<Scope>().ok())
            .collect()
    }
}

/// Signing and verification keys with the one algorithm they are pinned to.
#[derive(Clone)]
pub struct JwtKeys {
    alg: Algorithm,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Raw Ed25519 public key, published as a JWK.
    ed_public: Option<Vec<u8>>,
    pub issuer: String,
    pub audience: String,
    pub ttl_secs: u64,
    validation: Validation,
    /// HMAC-SHA256 of the signing secret (HS256) or private key (EdDSA):
    /// the root of keys the server derives for other purposes (sealing
    /// idempotent responses), never the signing key itself.
    server_key: [u8; 32],
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtKeys")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

pub const MIN_SECRET_LEN: usize = 32;

fn server_key(secret: &[u8]) -> [u8; 32] {
    use aws_lc_rs::hmac;
    let tag = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, secret),
        b"thidua server key v1",
    );
    let mut out = [0u8; 32];
    out.copy_from_slice(tag.as_ref());
    out
}

impl JwtKeys {
    fn validation(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
        let mut v = Validation::new(alg);
        v.algorithms = vec![alg];
        v.leeway = LEEWAY_SECS;
        v.validate_exp = true;
        v.validate_nbf = true;
        v.set_issuer(&[issuer]);
        v.set_audience(&[audience]);
        v.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "iss", "aud"]);
        v
    }

    pub fn hs256(
        secret: &[u8],
        issuer: &str,
        audience: &str,
        ttl_secs: u64,
    ) -> Result<JwtKeys, String> {
        if secret.len() < MIN_SECRET_LEN {
            return Err(format!(
                "JWT_SECRET must be at least {MIN_SECRET_LEN} bytes"
            ));
        }
        Ok(JwtKeys {
            alg: Algorithm::HS256,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ed_public: None,
            issuer: issuer.into(),
            audience: audience.into(),
            ttl_secs,
            validation: Self::validation(Algorithm::HS256, issuer, audience),
            server_key: server_key(secret),
        })
    }

    pub fn ed25519(
        private_pem: &[u8],
        public_pem: &[u8],
        issuer: &str,
        audience: &str,
        ttl_secs: u64,
    ) -> Result<JwtKeys, String> {
        let encoding =
            EncodingKey::from_ed_pem(private_pem).map_err(|e| format!("JWT_PRIVATE_KEY: {e}"))?;
        let decoding =
            DecodingKey::from_ed_pem(public_pem).map_err(|e| format!("JWT_PUBLIC_KEY: {e}"))?;
        let raw = decoding
            .try_get_as_bytes()
            .map(|b| b.to_vec())
            .map_err(|e| format!("JWT_PUBLIC_KEY: {e}"))?;
        Ok(JwtKeys {
            alg: Algorithm::EdDSA,
            encoding,
            decoding,
            ed_public: Some(raw),
            issuer: issuer.into(),
            audience: audience.into(),
            ttl_secs,
            validation: Self::validation(Algorithm::EdDSA, issuer, audience),
            // The key, not its PEM layout: whitespace does not change it.
            server_key: server_key(
                &private_pem
                    .iter()
                    .copied()
                    .filter(|b| !b.is_ascii_whitespace())
                    .collect::<Vec<u8>>(),
            ),
        })
    }

    /// A 32-byte key for `purpose` and `context`, derived from the server's
    /// secret: unknown to anyone who holds only the database.
    pub fn derive_key(&self, purpose: &str, context: &[&[u8]]) -> [u8; 32] {
        use aws_lc_rs::hmac;
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.server_key);
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(purpose.as_bytes());
        for part in context {
            // Length-prefixed: ("ab", "c") and ("a", "bc") differ.
            ctx.update(&(part.len() as u64).to_be_bytes());
            ctx.update(part);
        }
        let mut out = [0u8; 32];
        out.copy_from_slice(ctx.sign().as_ref());
        out
    }

    pub fn algorithm(&self) -> Algorithm {
        self.alg
    }

    pub fn key_id(&self) -> Option<String> {
        use sha2::{Digest, Sha256};
        self.ed_public
            .as_ref()
            .map(|k| hex::encode(&Sha256::digest(k)[..8]))
    }

    /// The public key as a JSON Web Key Set (empty under HS256: a shared
    /// secret is never published).
    pub fn jwks(&self) -> serde_json::Value {
        match &self.ed_public {
            Some(raw) => serde_json::json!({"keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "use": "sig",
                "alg": "EdDSA",
                "kid": self.key_id(),
                "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw),
            }]}),
            None => serde_json::json!({"keys": []}),
        }
    }

    pub fn issue(&self, mut claims: Claims) -> AppResult<(String, u64)> {
        let now = now_secs();
        claims.iss = self.issuer.clone();
        claims.aud = self.audience.clone();
        claims.iat = now;
        claims.nbf = now;
        claims.exp = now + self.ttl_secs;
        claims.jti = Uuid::now_v7().to_string();
        let mut header = Header::new(self.alg);
        header.kid = self.key_id();
        let token =
            jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(AppError::internal)?;
        Ok((token, self.ttl_secs))
    }

    /// Validate signature, pinned algorithm, exp/nbf (30 s leeway), iss, aud.
    /// Every failure is the same 401: no oracle for what was wrong.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Err(AppError::unauthenticated());
        }
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(data.claims),
            Err(e) => {
                tracing::debug!(reason = %e, "token rejected");
                Err(AppError::unauthenticated())
            }
        }
    }
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Blank claims for a principal; `issue` fills the registered ones.
pub fn claims_for(
    kind: PrincipalKind,
    id: Uuid,
    name: &str,
    roles: Vec<Role>,
    scopes: &[Scope],
    org: Option<Uuid>,
    token_version: i32,
) -> Claims {
    Claims {
        iss: String::new(),
        aud: String::new(),
        sub: id.to_string(),
        exp: 0,
        iat: 0,
        nbf: 0,
        jti: String::new(),
        typ: kind,
        name: name.into(),
        roles,
        scope: if scopes.is_empty() {
            None
        } else {
            Some(
                scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        },
        org,
        tv: token_version,
    }
}
