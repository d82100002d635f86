//! `/api/v1/auth`: tokens, the caller, the public key set.

use actix_web::http::header;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::extract::{json_error, object_body};
use crate::AppState;
use crate::auth::{Principal, PrincipalKind, Role, Scope};
use crate::error::{AppError, ErrorCode, Problem};
use crate::service::identity::{self, Grant};

/// Credentials, as JSON (`grantType`) or as an OAuth 2.0 form
/// (`grant_type=client_credentials&client_id=…&client_secret=…`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grantType", rename_all = "snake_case", deny_unknown_fields)]
pub enum TokenRequest {
    /// A person: username and password.
    #[serde(rename_all = "camelCase")]
    #[schema(example = json!({"grantType": "password", "username": "admin", "password": "mật-khẩu-dài-đủ"}))]
    Password {
        #[schema(max_length = 64)]
        username: String,
        #[schema(max_length = 256, format = Password)]
        password: String,
    },
    /// Another system: client id and secret.
    #[serde(rename_all = "camelCase")]
    #[schema(example = json!({"grantType": "client_credentials", "clientId": "egov-portal", "clientSecret": "…"}))]
    ClientCredentials {
        #[schema(max_length = 64)]
        client_id: String,
        #[schema(max_length = 256, format = Password)]
        client_secret: String,
    },
}

/// The OAuth 2.0 form body of stock client-credentials clients, as read.
#[derive(Debug)]
pub struct TokenForm {
    pub grant_type: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

/// The OAuth 2.0 form body (`application/x-www-form-urlencoded`): what
/// `parse_form` and `grant_from_form` require, for the document only.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TokenFormBody {
    /// Another system: client id and secret.
    ClientCredentials {
        client_id: String,
        #[schema(format = Password)]
        client_secret: String,
        /// Ignored: a client gets the scopes it was registered with.
        scope: Option<String>,
    },
    /// A person: username and password.
    Password {
        username: String,
        #[schema(format = Password)]
        password: String,
    },
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"accessToken": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ0aGlkdWEiLCJhdWQiOiJ0aGlkdWEtYXBpIiwic3ViIjoiMDFhMjMyN2UtZWE1ZC03N2E4LWI1YTgtOTE3ODcyMjJmNmI2IiwiZXhwIjoxNzk2MTQ3MTI3LCJpYXQiOjE3OTYxNDM1MjcsIm5iZiI6MTc5NjE0MzUyNywianRpIjoiMDFhMjMyN2YtMzUxNC03MTVjLTk5ZDktMzM0OWJmZmM0YmU1IiwidHlwIjoidXNlciIsIm5hbWUiOiJhZG1pbiIsInJvbGVzIjpbImFkbWluIl0sIm9yZyI6IjAxYTIzMjdlLWUzMzktNzM2NS1iMTg1LTkzODRjMDc0NWY3NSIsInR2IjowfQ.4cQAwD1PoXyM4_wyFeAeCKD39YPWy0YeAhHheRel_o8", "tokenType": "Bearer", "expiresIn": 3600}))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the token expires.
    #[schema(example = 3600)]
    pub expires_in: u64,
}

/// Who is calling.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0179d344-af03-75fb-bd91-cc2a5a775393", "kind": "user", "name": "Hoàng Minh Ái", "organizationId": "0179e854-ddb4-7cd4-b294-6d9fc894ad9f", "roles": ["leader"], "scopes": []}))]
pub struct Me {
    pub id: Uuid,
    pub kind: PrincipalKind,
    /// Username or client id.
    pub name: String,
    pub organization_id: Option<Uuid>,
    pub roles: Vec<Role>,
    pub scopes: Vec<Scope>,
}

const MAX_CREDENTIAL_LEN: usize = 256;

fn grant_from_form(f: TokenForm) -> Result<Grant, AppError> {
    let missing = |f: &str| AppError::new(ErrorCode::InvalidGrantRequest).arg("field", f);
    match f.grant_type.as_str() {
        "client_credentials" => Ok(Grant::ClientCredentials {
            client_id: f.client_id.ok_or_else(|| missing("client_id"))?,
            client_secret: f.client_secret.ok_or_else(|| missing("client_secret"))?,
        }),
        "password" => Ok(Grant::Password {
            username: f.username.ok_or_else(|| missing("username"))?,
            password: f.password.ok_or_else(|| missing("password"))?,
        }),
        _ => Err(AppError::new(ErrorCode::UnsupportedGrantType)),
    }
}

/// Get an access token.
///
/// People use `{"grantType":"password","username","password"}`; other systems
/// `{"grantType":"client_credentials","clientId","clientSecret"}`, or the
/// OAuth 2.0 form `grant_type=client_credentials&client_id=…&client_secret=…`
/// (`application/x-www-form-urlencoded`).
///
/// After 10 failures for one username or client id from one address within
/// 15 minutes, that address gets 429 `too_many_failed_logins` (with
/// `Retry-After`) for the account; other addresses still log in. After 10
/// failures from all addresses together, attempts on the account are slowed
/// to one per `LOGIN_PACE_MS` (2 s); one that would wait more than 10 s is
/// 429 `login_throttled`. Password checks run a few at a time: a login that
/// finds no free slot within `PASSWORD_HASH_WAIT_MS` is 503 `login_busy`
/// (with `Retry-After`). `Idempotency-Key` is refused here (400
/// `idempotency_key_not_supported`): the answer is a credential, never
/// stored, and asking again is harmless.
#[utoipa::path(
    operation_id = "issueToken",
    tag = "auth",
    request_body(content(
        (TokenRequest = "application/json", examples(
            ("password" = (summary = "A person", value = json!({"grantType": "password", "username": "admin", "password": "mật-khẩu-dài-đủ"}))),
            ("client_credentials" = (summary = "Another system", value = json!({"grantType": "client_credentials", "clientId": "egov-portal", "clientSecret": "s3cr3t…"}))),
        )),
        (TokenFormBody = "application/x-www-form-urlencoded", example = json!({"grant_type": "client_credentials", "client_id": "egov-portal", "client_secret": "s3cr3t…"})),
    )),
    responses(
        (status = 200, body = TokenResponse, description = "A bearer token"),
        (status = 400, body = Problem, content_type = "application/problem+json", description = "`malformed_json`, `body_not_an_object`, `malformed_body`, `malformed_form`, `invalid_grant_request` (a form field missing), `unsupported_grant_type`, `idempotency_key_not_supported`"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`: wrong credentials (the same answer for an unknown account)"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "`validation_failed`: an unknown or missing field in the JSON body"),
        (status = 415, body = Problem, content_type = "application/problem+json", description = "`unsupported_media_type`"),
        (status = 429, body = Problem, content_type = "application/problem+json", description = "`too_many_failed_logins` (this address, this account), `login_throttled` (the account is paced and its queue is full), `rate_limited`; with `Retry-After`"),
        (status = 503, body = Problem, content_type = "application/problem+json", description = "`login_busy` (no password-hashing slot came free in time), `service_unavailable`, `request_timeout`; with `Retry-After`"),
    ),
    security(())
)]
#[post("/api/v1/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<web::Json<TokenResponse>, AppError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let grant = if ct.starts_with("application/x-www-form-urlencoded") {
        let form = parse_form(&body)?;
        grant_from_form(form)?
    } else if ct.starts_with("application/json") {
        let json: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| json_error(actix_web::error::JsonPayloadError::Deserialize(e)))?;
        let r: TokenRequest = object_body(json)?;
        match r {
            TokenRequest::Password { username, password } => Grant::Password { username, password },
            TokenRequest::ClientCredentials {
                client_id,
                client_secret,
            } => Grant::ClientCredentials {
                client_id,
                client_secret,
            },
        }
    } else {
        return Err(AppError::unsupported_media_type());
    };
    let too_long = match &grant {
        Grant::Password { username, password } => {
            username.len() > MAX_CREDENTIAL_LEN || password.len() > MAX_CREDENTIAL_LEN
        }
        Grant::ClientCredentials {
            client_id,
            client_secret,
        } => client_id.len() > MAX_CREDENTIAL_LEN || client_secret.len() > MAX_CREDENTIAL_LEN,
    };
    if too_long {
        return Err(AppError::unauthenticated());
    }
    let source = req
        .extensions()
        .get::<super::middleware::ClientAddr>()
        .copied()
        .unwrap_or(super::middleware::ClientAddr(
            req.peer_addr().map(|a| a.ip()),
        ))
        .key();
    let guard = identity::LoginGuard {
        hasher: &state.hasher,
        pace: state.config.login_pace,
    };
    let t = identity::issue_token(&state.db, &state.jwt, &guard, grant, &source).await?;
    Ok(web::Json(TokenResponse {
        access_token: t.access_token,
        token_type: "Bearer",
        expires_in: t.expires_in,
    }))
}

/// The OAuth 2.0 form body (the body was already read to pick the format).
fn parse_form(body: &[u8]) -> Result<TokenForm, AppError> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    Ok(TokenForm {
        grant_type: get("grant_type").ok_or_else(|| {
            AppError::new(ErrorCode::InvalidGrantRequest).arg("field", "grant_type")
        })?,
        client_id: get("client_id"),
        client_secret: get("client_secret"),
        username: get("username"),
        password: get("password"),
    })
}

/// The caller, as the API sees it.
///
/// Who the token belongs to: a person (roles, organisation) or a service client
/// (scopes, the organisation it is bound to). Any signed-in caller (a person
/// with any role, or a service client with the `read` scope) may call it. Use
/// it after login to know which unit the caller acts for.
#[utoipa::path(
    operation_id = "getCurrentPrincipal",
    tag = "auth",
    responses(
        (status = 200, body = Me, description = "The caller"),
        (status = 401, body = Problem, content_type = "application/problem+json", description = "`unauthenticated`"),
    ),
    security(("bearer" = []))
)]
#[get("/api/v1/auth/me")]
pub async fn me(caller: Principal) -> web::Json<Me> {
    web::Json(Me {
        id: caller.id,
        kind: caller.kind,
        name: caller.name,
        organization_id: caller.organization_id,
        roles: caller.roles,
        scopes: caller.scopes,
    })
}

/// The public keys that verify this API's tokens (JWK Set).
///
/// Public, no token needed: another system verifies an access token offline
/// with these keys (RS256, `kid` in the token header). The set is empty when
/// the server signs with a shared secret (HS256); such tokens can only be
/// checked by this server.
#[utoipa::path(
    operation_id = "getJwks",
    tag = "auth",
    responses((status = 200, description = "JSON Web Key Set", content_type = "application/jwk-set+json", body = Object, example = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA", "kid": "7f4ea59b9ada6b71", "x": "_FG_Kfr5azMcs6MPkWbGzuJ8JRZoJpRr7yJRBctQkV4"}]}))),
    security(())
)]
#[get("/api/v1/auth/jwks")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .body(state.jwt.jwks().to_string())
}
