//! Who the caller is: HTTP Basic (users of the file or of a PostgreSQL table, argon2 hashes),
//! API keys (header or URL parameter) and OpenID Connect bearer tokens (JWT checked against
//! a JWKS). A caller without credentials is anonymous; wrong credentials are refused, never
//! downgraded to anonymous, so a client learns its password is wrong.

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
}

impl Principal {
    pub fn new(name: Option<String>, groups: impl IntoIterator<Item = String>) -> Principal {
        let mut g: Vec<String> = groups.into_iter().chain([ANONYMOUS.to_string()]).collect();
        g.sort();
        g.dedup();
        Principal { name, groups: g.into() }
    }
}

/// Credentials as sent; borrowed from the request so nothing secret is copied around.
pub enum Credentials<'a> {
    None,
    Basic { user: String, password: String },
    ApiKey(&'a str),
    Bearer(&'a str),
    /// An `Authorization` header this server does not read.
    Malformed,
}

impl<'a> Credentials<'a> {
    /// `api_key_param`: the `apikey` URL parameter, already taken out of the query.
    pub fn of(headers: &'a HeaderMap, api_key_param: Option<&'a str>) -> Credentials<'a> {
        if let Some(v) = headers.get(axum::http::header::AUTHORIZATION) {
            let Ok(v) = v.to_str() else { return Credentials::Malformed };
            let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
            if scheme.eq_ignore_ascii_case("basic") {
                use base64::Engine;
                let decoded = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok().and_then(|b| String::from_utf8(b).ok());
                return match decoded.as_deref().and_then(|s| s.split_once(':')) {
                    Some((u, p)) => Credentials::Basic { user: u.to_string(), password: p.to_string() },
                    None => Credentials::Malformed,
                };
            }
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
    fn claimed_user(&self) -> &str {
        match self {
            Credentials::Basic { user, .. } => user,
            Credentials::ApiKey(_) => "(api key)",
            Credentials::Bearer(_) => "(bearer)",
            Credentials::None | Credentials::Malformed => "",
        }
    }
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
    /// Callers whose password was verified recently, by a digest of name and password: argon2
    /// costs tens of milliseconds by design, and Basic clients send the password with every
    /// tile request.
    verified: moka::sync::Cache<[u8; 32], Principal>,
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
            verified: moka::sync::Cache::builder().max_capacity(10_000).time_to_live(Duration::from_secs(300)).build(),
        })
    }

    /// The caller; refused credentials count against `(client, user)` in the failure limiter.
    pub async fn authenticate(&self, credentials: &Credentials<'_>, client: IpAddr) -> Result<Principal, AuthError> {
        if let Credentials::None = credentials {
            return Ok(Principal::new(None, []));
        }
        let claimed = credentials.claimed_user();
        if let Some(retry_after) = self.limiter.blocked(client, claimed) {
            return Err(AuthError::Throttled { retry_after });
        }
        let result = match credentials {
            Credentials::None => unreachable!("answered above"),
            Credentials::Malformed => Err(AuthError::Refused),
            Credentials::Basic { user, password } => self.basic(user, password).await,
            Credentials::ApiKey(key) => self.api_key(key),
            Credentials::Bearer(token) => self.bearer(token),
        };
        if let Err(AuthError::Refused) = result {
            tracing::info!(client = %client, user = claimed, "authentication refused");
            self.limiter.failed(client, claimed);
        }
        result
    }

    async fn basic(&self, user: &str, password: &str) -> Result<Principal, AuthError> {
        let digest: [u8; 32] = sha2::Sha256::new().chain_update(user.as_bytes()).chain_update([0]).chain_update(password.as_bytes()).finalize().into();
        if let Some(p) = self.verified.get(&digest) {
            return Ok(p);
        }
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
        let pw = password.to_string();
        let ok = tokio::task::spawn_blocking(move || Argon2::default().verify_password(pw.as_bytes(), phc.as_str()).is_ok()).await.unwrap_or(false);
        if !ok {
            return Err(AuthError::Refused);
        }
        let principal = Principal::new(Some(user.to_string()), groups);
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
