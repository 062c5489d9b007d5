//! Access rights: who the caller is (`authenticate`) and what their groups may see and change
//! (`grant`), decided once per request by the middleware (`middleware`) and handed to the
//! faces as a [`View`]: the layers the caller may read, each narrowed to its grant.
//!
//! Without an `[access]` section there is one open view and the middleware only attaches it.

pub mod authenticate;
pub mod config;
mod grant;
mod guard;
mod limiter;
pub mod middleware;
mod moderation;
mod verified;
mod view;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub use authenticate::{ANONYMOUS, Authenticator, Principal, hash_password};
pub use grant::{Grant, Operation, Operations, Restriction};
pub use moderation::Moderated;
pub use view::View;

use crate::catalogue::Catalogue;
use crate::config::{Config, ConfigError};
use crate::registry::Registry;

pub enum Access {
    /// No rules: everyone sees everything.
    Open(Arc<View>),
    Ruled(Box<Policy>),
}

pub struct Policy {
    pub auth: Authenticator,
    rules: grant::Rules,
    catalogue: Arc<Catalogue>,
    /// Views by group set: built on a set's first request, since grants bind filters and
    /// narrow schemas, which no request should pay for again. foldhash, not SipHash: the map
    /// holds at most `MAX_VIEWS` sets, so there is no flooding to resist, and the lookup cost 560
    /// instructions per request (callgrind), most of them SipHash over the group names.
    views: RwLock<ViewMap<Arc<[String]>>>,
    /// Views by group set and login, for the group sets [`grant::Rules::personal`] names.
    personal: RwLock<ViewMap<(Arc<[String]>, String)>>,
    pub anonymous: Arc<View>,
    /// Ids of every layer, to tell a hidden layer from an unknown one.
    all_layers: Vec<String>,
}

/// Most distinct group sets kept; past it, views are built per request (token issuers can mint
/// group sets, the cache must not grow with them).
const MAX_VIEWS: usize = 1024;

impl Access {
    pub async fn build(config: &Config, registry: &Registry, catalogue: Catalogue) -> Result<Access, ConfigError> {
        let catalogue = Arc::new(catalogue);
        let Some(spanned) = &config.access else { return Ok(Access::Open(Arc::new(View::open(registry, catalogue)))) };
        let c = spanned.get_ref();
        let rules = grant::Rules::build(c, registry, &config.origin).await?;
        let auth = Authenticator::build(c, &config.origin).await?;
        let anonymous = Arc::new(View::of(registry, &rules, &Principal::new(None, []), &catalogue));
        let all_layers = registry.layers.iter().map(|l| l.id.clone()).chain(registry.rasters.iter().map(|r| r.id.clone())).collect();
        Ok(Access::Ruled(Box::new(Policy { auth, rules, catalogue, views: RwLock::default(), personal: RwLock::default(), anonymous, all_layers })))
    }
}

impl Access {
    /// The Basic challenge a refusal that a login may lift carries (`None` without rules).
    pub fn challenge(&self) -> Option<axum::http::HeaderValue> {
        match self {
            Access::Open(_) => None,
            Access::Ruled(p) => p.basic_challenge(),
        }
    }

    /// What callers without credentials see.
    pub fn anonymous_view(&self) -> Arc<View> {
        match self {
            Access::Open(v) => v.clone(),
            Access::Ruled(p) => p.anonymous.clone(),
        }
    }
}

type ViewMap<K> = HashMap<K, Arc<View>, foldhash::fast::RandomState>;

/// The view under `key`, built and kept (up to [`MAX_VIEWS`]) on its first request.
fn cached<K: std::hash::Hash + Eq + Clone>(views: &RwLock<ViewMap<K>>, key: &K, build: impl FnOnce() -> View) -> Arc<View> {
    if let Some(v) = views.read().expect("views lock").get(key) {
        return v.clone();
    }
    let view = Arc::new(build());
    let mut views = views.write().expect("views lock");
    if views.len() < MAX_VIEWS {
        views.insert(key.clone(), view.clone());
    }
    view
}

impl Policy {
    /// The `WWW-Authenticate` value asking for a login, which QGIS and browsers prompt for.
    pub fn basic_challenge(&self) -> Option<axum::http::HeaderValue> {
        axum::http::HeaderValue::from_str(&format!("Basic realm=\"{}\", charset=\"UTF-8\"", self.auth.realm.replace('"', "'"))).ok()
    }

    /// The view of a caller's groups.
    pub fn view(&self, registry: &Registry, principal: &Principal) -> Arc<View> {
        let Some(name) = &principal.name else { return self.anonymous.clone() };
        let build = || View::of(registry, &self.rules, principal, &self.catalogue);
        match self.rules.personal(&principal.groups) {
            false => cached(&self.views, &principal.groups, build),
            true => cached(&self.personal, &(principal.groups.clone(), name.clone()), build),
        }
    }

    /// Whether `id` is a layer the view hides (rather than no layer at all).
    pub fn hides(&self, view: &View, id: &str) -> bool {
        self.all_layers.iter().any(|l| l == id) && !view.has(id)
    }
}
