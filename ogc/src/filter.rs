//! The filter AST every face compiles its query language to, and every source compiles to SQL.
//!
//! It holds what OGC API Features Part 1 needs (bounding box, datetime, property equality);
//! FES 2.0 and CQL2 extend the same tree rather than adding a second one.

use crate::datetime::Interval;
use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// Every member holds.
    And(Vec<Filter>),
    /// `property = value`, the value already typed from the layer schema.
    Equals { property: String, value: Value },
    /// The layer geometry intersects this area, given in the layer's storage CRS (a bbox in
    /// another CRS becomes the densified polygon of its outline).
    Intersects(geo_types::Polygon<f64>),
    /// The temporal property's value falls in the interval.
    During { property: String, interval: Interval },
}

impl Filter {
    /// Joins filters with AND, flattening the trivial cases.
    pub fn all(mut filters: Vec<Filter>) -> Option<Filter> {
        match filters.len() {
            0 => None,
            1 => filters.pop(),
            _ => Some(Filter::And(filters)),
        }
    }
}
