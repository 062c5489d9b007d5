//! The filter AST every face compiles its query language to (OGC API query parameters,
//! CQL2-text, CQL2-JSON, FES 2.0, Filter 1.1), and every source compiles to SQL.
//!
//! One tree for all languages keeps the semantics in one place: a filter written in FES 2.0,
//! CQL2-text or CQL2-JSON selects the same features. Parsers reject what they cannot express
//! here with a clear error; nothing is silently dropped.

pub mod cql2_json;
pub mod cql2_text;
pub mod eval;
pub mod fes;
#[cfg(test)]
pub(crate) mod test_support;

use crate::crs::Crs;
use crate::datetime::Interval;
use crate::value::Value;

/// A value expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A property of the features, by name (checked against the layer schema when compiled).
    Property(String),
    /// A scalar literal: text, number, boolean, date, timestamp.
    Literal(Value),
    /// A geometry literal and the CRS its coordinates are in (`None`: the default CRS of the
    /// language, CRS84 for CQL2 unless `filter-crs` says otherwise). `authority_axes` is false
    /// when the CRS was spelled the traditional way (`EPSG:4326`), whose coordinates clients
    /// write easting/longitude first whatever the authority says.
    Geometry { geometry: geo_types::Geometry<f64>, crs: Option<Crs>, authority_axes: bool },
    /// A time interval literal (CQL2 `INTERVAL`, FES `TimePeriod`); open ends are `None`.
    Interval(Interval),
    Arithmetic { op: ArithmeticOp, left: Box<Expr>, right: Box<Expr> },
    Function { function: Function, args: Vec<Expr> },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithmeticOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// The functions the standards define for comparisons; any other is refused by the parsers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    /// CQL2 `CASEI`: compare case-insensitively.
    CaseInsensitive,
    /// CQL2 `ACCENTI`: compare accent-insensitively.
    AccentInsensitive,
    Upper,
    Lower,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// The DE-9IM based predicates shared by CQL2 (`S_*`) and FES 2.0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpatialOp {
    Intersects,
    Disjoint,
    Contains,
    Within,
    Touches,
    Crosses,
    Overlaps,
    Equals,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistanceOp {
    /// Within the distance (FES `DWithin`, CQL2 `S_DWITHIN`).
    Within,
    /// Farther than the distance (FES `Beyond`).
    Beyond,
}

/// Allen's interval relations as CQL2 (`T_*`) and FES 2.0 name them; `Intersects` is CQL2's
/// `T_INTERSECTS` (FES `AnyInteracts`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemporalOp {
    After,
    Before,
    Contains,
    Disjoint,
    During,
    Equals,
    FinishedBy,
    Finishes,
    Intersects,
    Meets,
    MetBy,
    OverlappedBy,
    Overlaps,
    StartedBy,
    Starts,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    /// A constant (CQL2 `TRUE`/`FALSE`, or an empty conjunction).
    Bool(bool),
    Compare { op: CompareOp, left: Expr, right: Expr },
    /// `pattern` is in CQL2's form: `%` any string, `_` one character, `\` escapes the next
    /// character. Parsers of other languages (FES wildCard/singleChar/escapeChar) translate.
    Like { expr: Expr, pattern: String, case_insensitive: bool },
    Between { expr: Expr, low: Expr, high: Expr },
    In { expr: Expr, list: Vec<Expr> },
    IsNull(Expr),
    Spatial { op: SpatialOp, left: Expr, right: Expr },
    /// `distance` in `units` (a UOM name such as `m`, `km`, `deg`; `None`: the CRS's unit).
    Distance { op: DistanceOp, left: Expr, right: Expr, distance: f64, units: Option<String> },
    Temporal { op: TemporalOp, left: Expr, right: Expr },
    /// Features whose id is one of these (FES `ResourceId`, WFS `RESOURCEID`).
    ResourceId(Vec<String>),
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

    /// Every property name the filter reads, for checking against a schema.
    pub fn properties(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.visit_exprs(&mut |e| e.properties(&mut out));
        out
    }

    /// Whether the filter tests feature ids (`ResourceId`), which [`Filter::properties`] does not
    /// list: its answer then depends on the id as well as on those properties.
    pub fn selects_ids(&self) -> bool {
        match self {
            Filter::ResourceId(_) => true,
            Filter::And(all) | Filter::Or(all) => all.iter().any(Filter::selects_ids),
            Filter::Not(x) => x.selects_ids(),
            _ => false,
        }
    }

    fn visit_exprs<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        match self {
            Filter::And(all) | Filter::Or(all) => all.iter().for_each(|x| x.visit_exprs(f)),
            Filter::Not(x) => x.visit_exprs(f),
            Filter::Bool(_) | Filter::ResourceId(_) => {}
            Filter::Compare { left, right, .. } | Filter::Spatial { left, right, .. } | Filter::Temporal { left, right, .. } => {
                f(left);
                f(right);
            }
            Filter::Distance { left, right, .. } => {
                f(left);
                f(right);
            }
            Filter::Like { expr, .. } | Filter::IsNull(expr) => f(expr),
            Filter::Between { expr, low, high } => {
                f(expr);
                f(low);
                f(high);
            }
            Filter::In { expr, list } => {
                f(expr);
                list.iter().for_each(|e| f(e));
            }
        }
    }
}

impl Expr {
    fn properties<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Expr::Property(p) => out.push(p),
            Expr::Arithmetic { left, right, .. } => {
                left.properties(out);
                right.properties(out);
            }
            Expr::Function { args, .. } => args.iter().for_each(|a| a.properties(out)),
            Expr::Literal(_) | Expr::Geometry { .. } | Expr::Interval(_) => {}
        }
    }
}

/// A filter text or document that could not be understood, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub message: String,
}

impl FilterError {
    pub fn new(message: impl Into<String>) -> FilterError {
        FilterError { message: message.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_properties() {
        let f = Filter::And(vec![
            Filter::Compare { op: CompareOp::Eq, left: Expr::Property("a".into()), right: Expr::Literal(Value::Int(1)) },
            Filter::Not(Box::new(Filter::Like { expr: Expr::Property("b".into()), pattern: "x%".into(), case_insensitive: false })),
            Filter::Between {
                expr: Expr::Arithmetic { op: ArithmeticOp::Add, left: Box::new(Expr::Property("c".into())), right: Box::new(Expr::Literal(Value::Int(1))) },
                low: Expr::Literal(Value::Int(0)),
                high: Expr::Property("d".into()),
            },
        ]);
        assert_eq!(f.properties(), ["a", "b", "c", "d"]);
    }
}
