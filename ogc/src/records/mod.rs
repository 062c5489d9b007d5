//! OGC API - Records, Part 1 (OGC 20-004): the catalogue's records as a searchable collection of
//! GeoJSON records, over the same [`crate::csw::Record`]s and the same in-memory search as CSW.
//!
//! A records query is read into the filter AST with the CSW queryables' canonical names
//! ([`params::RecordsParams::filter`]), so `q`, `bbox`, `datetime`, `ids` and a CQL2 `filter`
//! select with exactly the semantics of a CSW constraint ([`crate::csw::search::matches`]).
//!
//! Modules: [`params`] (query parameters and the filter they make), [`documents`] (record
//! GeoJSON, the catalogue collection, its queryables, the OpenAPI paths).

pub mod documents;
pub mod params;

/// The Records Part 1 classes implemented. Not claimed: the searchable-catalog classes, whose
/// query parameters include `externalIds`; the `filter` parameter is the one of Features Part 3,
/// whose classes the server declares already.
pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-collection",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-api",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/sorting",
];

/// What every record says it conforms to (`conformsTo` of a record).
pub const RECORD_CORE: &str = "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core";
