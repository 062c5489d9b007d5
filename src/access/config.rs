//! The `[access]` section: how callers prove who they are and what each group may do.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessConfig {
    /// The realm of `WWW-Authenticate: Basic`, shown by QGIS and browsers in their login prompt.
    #[serde(default = "default_realm")]
    pub realm: String,
    #[serde(default)]
    pub users: Vec<UserConfig>,
    /// Users read from PostgreSQL besides those of the file.
    pub user_table: Option<UserTableConfig>,
    #[serde(default)]
    pub api_keys: Vec<ApiKeyConfig>,
    pub oidc: Option<OidcConfig>,
    #[serde(default)]
    pub limits: FailureLimits,
    #[serde(default)]
    pub rules: Vec<Spanned<RuleConfig>>,
    #[serde(default)]
    pub moderation: Vec<Spanned<ModerationConfig>>,
}

fn default_realm() -> String {
    "Ossature".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserConfig {
    pub name: String,
    /// An argon2 PHC string (`ossature hash-password` makes one); never the password itself.
    pub password: Spanned<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// A query taking the user name as `$1` and returning the PHC hash and the groups
/// (`text[]`), e.g. `SELECT password_hash, groups FROM app.users WHERE login = $1`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserTableConfig {
    pub url: String,
    pub query: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Who holds the key, for logs (the key itself is never logged).
    pub name: String,
    /// The key; `${VAR}` is expanded so it can stay out of the file.
    pub key: String,
    #[serde(default)]
    pub groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    pub issuer: String,
    pub audience: String,
    /// A JWKS document: a file path or an `https://` URL (read at start-up).
    pub jwks: String,
    /// The claim holding the caller's groups (a list of strings).
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
}

fn default_groups_claim() -> String {
    "groups".into()
}

/// Failed logins allowed per client address and user name within `window_s` before the
/// next attempts are answered 429 until the window ends.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct FailureLimits {
    pub max_failures: u32,
    pub window_s: u64,
}

impl Default for FailureLimits {
    fn default() -> Self {
        FailureLimits { max_failures: 5, window_s: 60 }
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Right {
    Read,
    /// Implies read.
    Write,
}

/// What one group may do with some layers.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub group: String,
    /// Layer ids (vector or imagery); `*` for every layer.
    #[serde(default)]
    pub layers: Vec<String>,
    /// Layers having any of these keywords (themes).
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default = "default_right")]
    pub right: Right,
    /// The operations allowed (see `access::Operation`); all those of the right when absent.
    pub operations: Option<Vec<String>>,
    pub area: Option<AreaConfig>,
    /// Attributes the group never sees nor filters on.
    #[serde(default)]
    pub hidden: Vec<String>,
    /// CQL2 text selecting the rows the group sees.
    pub filter: Option<String>,
}

fn default_right() -> Right {
    Right::Read
}

/// Where the group's rights hold: a polygon, or the union of features of a layer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, untagged)]
pub enum AreaConfig {
    Wkt {
        wkt: String,
        #[serde(default = "default_area_crs")]
        crs: String,
    },
    Layer {
        layer: String,
        /// CQL2 text selecting the features, e.g. `code_epci = '200093201'`.
        filter: Option<String>,
    },
}

fn default_area_crs() -> String {
    "EPSG:2154".into()
}

/// A layer whose contributions wait for a moderator: they land with the `initial` status, only
/// the `moderators` change it, and until it is one of `published` a contribution is seen by its
/// author and the moderators alone.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ModerationConfig {
    pub layer: String,
    /// Groups whose members see every contribution and change statuses.
    pub moderators: Vec<String>,
    /// The text column holding the status.
    pub status: String,
    /// The text column holding the author's login, which the server writes.
    pub author: String,
    /// The status a contribution lands with.
    pub initial: String,
    /// The statuses every reader of the layer sees.
    pub published: Vec<String>,
}
