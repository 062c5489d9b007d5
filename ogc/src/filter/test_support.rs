//! Expression and filter builders the parser tests share.

use chrono::{DateTime, Utc};

use super::{CompareOp, Expr, Filter};
use crate::value::Value;

pub fn prop(name: &str) -> Expr {
    Expr::Property(name.into())
}

pub fn int(i: i64) -> Expr {
    Expr::Literal(Value::Int(i))
}

pub fn float(f: f64) -> Expr {
    Expr::Literal(Value::Float(f))
}

pub fn text(s: &str) -> Expr {
    Expr::Literal(Value::Text(s.into()))
}

pub fn cmp(op: CompareOp, left: Expr, right: Expr) -> Filter {
    Filter::Compare { op, left, right }
}

pub fn eq(left: Expr, right: Expr) -> Filter {
    cmp(CompareOp::Eq, left, right)
}

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
