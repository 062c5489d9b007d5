//! Who the caller is: HTTP Basic (users of the file or of a PostgreSQL table, argon2 hashes),
//! API keys (header or URL parameter) and OpenID Connect bearer tokens (JWT checked against
//! a JWKS). A caller without credentials is anonymous; wrong credentials are refused, never
//! downgraded to anonymous, so a client learns its password is wrong.

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::http::HeaderMap;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use sha2::Digest;
use subtle::ConstantTimeEq;

use super::config::{AccessConfig, OidcConfig};
use super::limiter::FailureLimiter;
use super::verified::Verified;
use crate::config::{ConfigError, Origin, expand_env};

/// The group every caller belongs to, logged in or not: what anonymous callers may see stays
/// visible after a login, so a group's rules need not repeat the public ones.
pub const ANONYMOUS: &str = "anonymous";

/// The URL parameter carrying an API key, for clients that only take a URL.
pub const API_KEY_PARAM: &str = "apikey";
pub const API_KEY_HEADER: &str = "x-api-key";

/// An authenticated (or anonymous) caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// `None` for anonymous callers.
    pub name: Option<String>,
    /// Sorted, without duplicates, `anonymous` included: the key of the caller's view.
    pub groups: Arc<[String]>,
    /// The view of `groups` once looked up: a verified caller's `Principal` is shared by its
    /// requests, which then skip the views map.
    pub view: ViewMemo,
}

impl Principal {
    pub fn new(name: Option<String>, groups: impl IntoIterator<Item = String>) -> Principal {
        let mut g: Vec<String> = groups.into_iter().chain([ANONYMOUS.to_string()]).collect();
        g.sort();
        g.dedup();
        Principal { name, groups: g.into(), view: ViewMemo::default() }
    }
}

/// A remembered view: not part of who the caller is, so equal for every caller.
#[derive(Clone, Default)]
pub struct ViewMemo(pub std::sync::OnceLock<Arc<super::View>>);

impl std::fmt::Debug for ViewMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ViewMemo")
    }
}

impl PartialEq for ViewMemo {
    fn eq(&self, _: &ViewMemo) -> bool {
        true
    }
}

impl Eq for ViewMemo {}

/// Credentials as sent; borrowed from the request so nothing secret is copied around.
pub enum Credentials<'a> {
    None,
    /// The base64 token of HTTP Basic, decoded only when needed: a caller verified recently is
    /// recognized by its digest alone.
    Basic(&'a [u8]),
    ApiKey(&'a str),
    Bearer(&'a str),
    /// An `Authorization` header this server does not read.
    Malformed,
}

impl<'a> Credentials<'a> {
    /// `api_key_param`: the `apikey` URL parameter, already taken out of the query.
    pub fn of(headers: &'a HeaderMap, api_key_param: Option<&'a str>) -> Credentials<'a> {
        if let Some(v) = headers.get(axum::http::header::AUTHORIZATION) {
            // Basic first, from the bytes: base64 is ASCII, checked when decoded (on a miss).
            if let Some(token) = v.as_bytes().get(..6).filter(|s| s.eq_ignore_ascii_case(b"basic ")).map(|_| &v.as_bytes()[6..]) {
                return Credentials::Basic(token.trim_ascii());
            }
            let Ok(v) = v.to_str() else { return Credentials::Malformed };
            let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
            if scheme.eq_ignore_ascii_case("bearer") {
                return Credentials::Bearer(rest.trim());
            }
            return Credentials::Malformed;
        }
        if let Some(k) = headers.get(API_KEY_HEADER).and_then(|v| v.to_str().ok()) {
            return Credentials::ApiKey(k);
        }
        match api_key_param {
            Some(k) => Credentials::ApiKey(k),
            None => Credentials::None,
        }
    }

    /// The name the failure limiter counts attempts under (not a secret).
    fn claimed_user(&self) -> Cow<'static, str> {
        match self {
            Credentials::Basic(token) => decode_basic(token).map_or(Cow::Borrowed(""), |(user, _)| Cow::Owned(user)),
            Credentials::ApiKey(_) => Cow::Borrowed("(api key)"),
            Credentials::Bearer(_) => Cow::Borrowed("(bearer)"),
            Credentials::None | Credentials::Malformed => Cow::Borrowed(""),
        }
    }
}

/// The (user, password) of a Basic token; `None` when it is not base64 of UTF-8 `user:password`.
fn decode_basic(token: &[u8]) -> Option<(String, String)> {
    use base64::Engine;
    let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(token).ok()?).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the credentials were refused")]
    Refused,
    #[error("too many failed attempts; retry in {retry_after} s")]
    Throttled { retry_after: u64 },
    /// The user table cannot be read now.
    #[error("the user store is unavailable")]
    Unavailable,
}

struct User {
    phc: String,
    groups: Vec<String>,
}

struct ApiKey {
    name: String,
    key: Vec<u8>,
    groups: Vec<String>,
}

struct Oidc {
    keys: JwkSet,
    issuer: String,
    audience: String,
    groups_claim: String,
}

pub struct Authenticator {
    pub realm: String,
    users: HashMap<String, User>,
    user_table: Option<(sqlx::PgPool, String)>,
    api_keys: Vec<ApiKey>,
    oidc: Option<Oidc>,
    limiter: FailureLimiter,
    /// Basic callers verified recently, by the SHA-256 of their token (name and password).
    verified: Verified,
    anonymous: Arc<Principal>,
}

impl Authenticator {
    pub async fn build(c: &AccessConfig, origin: &Origin) -> Result<Authenticator, ConfigError> {
        let mut users = HashMap::new();
        for (i, u) in c.users.iter().enumerate() {
            if argon2::PasswordHash::new(u.password.get_ref()).is_err() {
                return Err(origin.error(Some(u.password.span()), format!("access.users[{i}].password"), "not an argon2 PHC string (make one with `ossature hash-password`)"));
            }
            users.insert(u.name.clone(), User { phc: u.password.get_ref().clone(), groups: u.groups.clone() });
        }
        let user_table = match &c.user_table {
            Some(t) => {
                let pool = sqlx::postgres::PgPoolOptions::new()
                    .max_connections(2)
                    .connect_lazy(&expand_env(&t.url))
                    .map_err(|e| origin.error(None, "access.user_table.url", e.to_string()))?;
                Some((pool, t.query.clone()))
            }
            None => None,
        };
        let api_keys = c.api_keys.iter().map(|k| ApiKey { name: k.name.clone(), key: expand_env(&k.key).into_bytes(), groups: k.groups.clone() }).collect();
        let oidc = match &c.oidc {
            Some(o) => Some(Oidc::load(o, origin).await?),
            None => None,
        };
        Ok(Authenticator {
            realm: c.realm.clone(),
            users,
            user_table,
            api_keys,
            oidc,
            limiter: FailureLimiter::new(c.limits.max_failures, Duration::from_secs(c.limits.window_s)),
            verified: Verified::new(10_000, Duration::from_secs(300)),
            anonymous: Arc::new(Principal::new(None, [])),
        })
    }

    /// The caller; refused credentials count against `(client, user)` in the failure limiter.
    pub async fn authenticate(&self, credentials: &Credentials<'_>, client: IpAddr) -> Result<Arc<Principal>, AuthError> {
        if let Credentials::None = credentials {
            return Ok(self.anonymous.clone());
        }
        // Before anything else, so that a blocked pair's answer says nothing of its password
        // (not even whether it is among the verified callers).
        if let Some(retry_after) = self.limiter.blocked(client, || credentials.claimed_user()) {
            return Err(AuthError::Throttled { retry_after });
        }
        let result = match credentials {
            Credentials::None => unreachable!("answered above"),
            Credentials::Malformed => Err(AuthError::Refused),
            Credentials::Basic(token) => self.basic(token).await,
            Credentials::ApiKey(key) => self.api_key(key).map(Arc::new),
            Credentials::Bearer(token) => self.bearer(token).map(Arc::new),
        };
        if let Err(AuthError::Refused) = result {
            let claimed = credentials.claimed_user();
            tracing::info!(client = %client, user = &*claimed, "authentication refused");
            self.limiter.failed(client, &claimed);
        }
        result
    }

    async fn basic(&self, token: &[u8]) -> Result<Arc<Principal>, AuthError> {
        // The token is name and password in base64: its digest keys the caller on the secret
        // without keeping it, and a verified caller's requests need no decoding.
        let digest: [u8; 32] = sha2::Sha256::digest(token).into();
        if let Some(p) = self.verified.get(&digest) {
            return Ok(p);
        }
        let (user, password) = decode_basic(token).ok_or(AuthError::Refused)?;
        let user = user.as_str();
        let (phc, groups) = match self.users.get(user) {
            Some(u) => (u.phc.clone(), u.groups.clone()),
            None => match &self.user_table {
                Some((pool, query)) => {
                    let row: Option<(String, Vec<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(query.as_str())).bind(user).fetch_optional(pool).await.map_err(|e| {
                        tracing::error!(error = %e, "cannot read the user table");
                        AuthError::Unavailable
                    })?;
                    row.ok_or(AuthError::Refused)?
                }
                None => return Err(AuthError::Refused),
            },
        };
        let ok = tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), phc.as_str()).is_ok()).await.unwrap_or(false);
        if !ok {
            return Err(AuthError::Refused);
        }
        let principal = Arc::new(Principal::new(Some(user.to_string()), groups));
        self.verified.insert(digest, principal.clone());
        Ok(principal)
    }

    fn api_key(&self, key: &str) -> Result<Principal, AuthError> {
        // Every key is compared, in constant time, so timing tells nothing about which matched.
        let mut found = None;
        for k in &self.api_keys {
            if bool::from(k.key.ct_eq(key.as_bytes())) {
                found = Some(k);
            }
        }
        let k = found.ok_or(AuthError::Refused)?;
        Ok(Principal::new(Some(k.name.clone()), k.groups.iter().cloned()))
    }

    fn bearer(&self, token: &str) -> Result<Principal, AuthError> {
        let oidc = self.oidc.as_ref().ok_or(AuthError::Refused)?;
        oidc.verify(token).map_err(|e| {
            tracing::info!(reason = %e, "bearer token refused");
            AuthError::Refused
        })
    }
}

impl Oidc {
    async fn load(c: &OidcConfig, origin: &Origin) -> Result<Oidc, ConfigError> {
        let source = expand_env(&c.jwks);
        let text = if source.starts_with("https://") || source.starts_with("http://") {
            let fetched = async { reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?.get(&source).send().await?.error_for_status()?.text().await };
            fetched.await.map_err(|e| origin.error(None, "access.oidc.jwks", format!("cannot fetch {source}: {e}")))?
        } else {
            let path = origin.resolve(&source);
            std::fs::read_to_string(&path).map_err(|e| origin.error(None, "access.oidc.jwks", format!("{}: {e}", path.display())))?
        };
        let keys: JwkSet = serde_json::from_str(&text).map_err(|e| origin.error(None, "access.oidc.jwks", format!("not a JWKS document: {e}")))?;
        Ok(Oidc { keys, issuer: c.issuer.clone(), audience: c.audience.clone(), groups_claim: c.groups_claim.clone() })
    }

    fn verify(&self, token: &str) -> Result<Principal, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
        let jwk = match &header.kid {
            Some(kid) => self.keys.find(kid),
            None => self.keys.keys.first(),
        }
        .ok_or("no key of the JWKS has the token's kid")?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
        // The algorithm is the key's, never the token's own choice (no "alg": "none" or HMAC
        // with a public key).
        let alg = jwk.common.key_algorithm.and_then(|a| jsonwebtoken::Algorithm::try_from(a).ok()).unwrap_or(header.alg);
        let mut v = Validation::new(alg);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &v).map_err(|e| e.to_string())?;
        let claims = data.claims;
        let name = claims.get("preferred_username").or_else(|| claims.get("sub")).and_then(|v| v.as_str()).map(str::to_string);
        let groups = claims.get(&self.groups_claim).and_then(|v| v.as_array()).into_iter().flatten().filter_map(|g| g.as_str().map(str::to_string));
        Ok(Principal::new(name, groups.collect::<Vec<_>>()))
    }
}

/// An argon2id PHC string for `password` with a fresh salt (`ossature hash-password`).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("cannot hash: {e}"))
}
