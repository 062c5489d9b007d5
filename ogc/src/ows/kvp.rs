//! KVP request parameters as WFS and CSW read them: names are case-insensitive (clients send
//! `typeNames`, `TYPENAMES`, `typenames`), a blank value counts as absent, lists are
//! comma-separated. Values are kept as sent, since a filter or a CQL text may start with a space.
//!
//! WMS and WMTS trim names or values first (their clients pad them) and keep empty list items
//! (`STYLES=,,` is three default styles), so they read parameters their own way.

/// The decoded query string pairs, names upper-cased.
pub(crate) struct Kvp<'a>(Vec<(String, &'a str)>);

impl<'a> Kvp<'a> {
    pub fn new(pairs: &'a [(String, String)]) -> Kvp<'a> {
        Kvp(pairs.iter().map(|(k, v)| (k.to_ascii_uppercase(), v.as_str())).collect())
    }

    /// The first of `names` (upper case) present with a non-blank value.
    pub fn get(&self, names: &[&str]) -> Option<&'a str> {
        names.iter().find_map(|n| self.0.iter().find(|(k, v)| k == n && !v.trim().is_empty()).map(|(_, v)| *v))
    }
}

/// A comma-separated list, items trimmed, empty items dropped.
pub(crate) fn list(v: &str) -> Vec<String> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}
