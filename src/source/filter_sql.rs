//! The filter AST compiled to a WHERE clause. Values are always bound parameters; property
//! names are checked against the table schema and quoted. What a dialect cannot evaluate is
//! refused with [`SourceError::Unsupported`] rather than approximated.

use chrono::{DateTime, NaiveTime, Utc};
use ogc::bbox::Bbox;
use ogc::filter::{ArithmeticOp, CompareOp, DistanceOp, Expr, Filter, Function, SpatialOp, TemporalOp};
use ogc::value::Value;

use super::sql::{Param, Sql};
use super::{SourceError, Table};

type R = Result<(), SourceError>;

/// What differs between PostgreSQL/PostGIS and SQLite/GeoPackage.
pub trait DialectSql {
    /// A spatial predicate between the geometry column and a literal in the storage CRS.
    /// `conjunctive` says whether the predicate only narrows the result (at the top level or
    /// under AND), where an index prefilter completed by the source is allowed.
    fn spatial(&self, sql: &mut Sql, table: &Table, op: SpatialOp, literal: &geo_types::Geometry<f64>, conjunctive: bool) -> R;
    fn distance(&self, sql: &mut Sql, table: &Table, op: DistanceOp, literal: &geo_types::Geometry<f64>, metres: f64) -> R;
    /// An expression comparable across instants for a date or timestamp column.
    fn time_column(&self, sql: &mut Sql, column: &str);
    fn time_param(&self, sql: &mut Sql, t: DateTime<Utc>);
    /// `expr LIKE pattern` with `pattern` in CQL2 form (`%`, `_`, `\` escapes).
    fn like(&self, sql: &mut Sql, expr: &mut dyn FnMut(&mut Sql) -> R, pattern: &str, case_insensitive: bool) -> R;
    /// A condition true for every feature whose envelope meets `envelope` (storage CRS), which
    /// may also hold for others: an index prefilter, not a predicate.
    fn envelope(&self, sql: &mut Sql, table: &Table, envelope: &Bbox);
}

/// Compiles the envelope prefilter and `filter` into ` WHERE ...` (nothing when there is
/// neither).
pub fn where_clause(sql: &mut Sql, table: &Table, envelope: Option<&Bbox>, filter: Option<&Filter>, dialect: &dyn DialectSql) -> R {
    if let Some(e) = envelope {
        sql.push(" WHERE ");
        dialect.envelope(sql, table, e);
    }
    if let Some(f) = filter {
        sql.push(if envelope.is_some() { " AND (" } else { " WHERE (" });
        Compiler { table, dialect }.filter(sql, f, true)?;
        sql.push(")");
    }
    Ok(())
}

struct Compiler<'a> {
    table: &'a Table,
    dialect: &'a dyn DialectSql,
}

fn unsupported(what: impl Into<String>) -> SourceError {
    SourceError::Unsupported(what.into())
}

/// One end of an instant or interval as SQL sees it: a column, a value, or unbounded.
#[derive(Clone, Copy)]
enum Bound<'e> {
    Column(&'e str),
    Time(DateTime<Utc>),
    NegInf,
    PosInf,
}

impl<'a> Compiler<'a> {
    fn filter(&self, sql: &mut Sql, f: &Filter, conjunctive: bool) -> R {
        match f {
            Filter::And(all) if all.is_empty() => self.constant(sql, true),
            Filter::Or(all) if all.is_empty() => self.constant(sql, false),
            Filter::And(all) | Filter::Or(all) => {
                let (joiner, conj) = if matches!(f, Filter::And(_)) { (" AND ", conjunctive) } else { (" OR ", false) };
                sql.push("(");
                for (i, x) in all.iter().enumerate() {
                    if i > 0 {
                        sql.push(joiner);
                    }
                    self.filter(sql, x, conj)?;
                }
                sql.push(")");
                Ok(())
            }
            Filter::Not(x) => {
                sql.push("NOT (");
                self.filter(sql, x, false)?;
                sql.push(")");
                Ok(())
            }
            Filter::Bool(b) => self.constant(sql, *b),
            Filter::Compare { op, left, right } => {
                sql.push("(");
                self.expr(sql, left)?;
                sql.push(match op {
                    CompareOp::Eq => " = ",
                    CompareOp::Ne => " <> ",
                    CompareOp::Lt => " < ",
                    CompareOp::Le => " <= ",
                    CompareOp::Gt => " > ",
                    CompareOp::Ge => " >= ",
                });
                self.expr(sql, right)?;
                sql.push(")");
                Ok(())
            }
            Filter::Like { expr, pattern, case_insensitive } => {
                self.dialect.like(sql, &mut |sql: &mut Sql| self.expr(sql, expr), pattern, *case_insensitive)
            }
            Filter::Between { expr, low, high } => {
                sql.push("(");
                self.expr(sql, expr)?;
                sql.push(" BETWEEN ");
                self.expr(sql, low)?;
                sql.push(" AND ");
                self.expr(sql, high)?;
                sql.push(")");
                Ok(())
            }
            Filter::In { expr, list } if list.is_empty() => {
                let _ = expr;
                self.constant(sql, false)
            }
            Filter::In { expr, list } => {
                sql.push("(");
                self.expr(sql, expr)?;
                sql.push(" IN (");
                for (i, e) in list.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    self.expr(sql, e)?;
                }
                sql.push("))");
                Ok(())
            }
            Filter::IsNull(e) => {
                sql.push("(");
                self.expr(sql, e)?;
                sql.push(" IS NULL)");
                Ok(())
            }
            Filter::Spatial { op, left, right } => {
                let (op, literal) = self.spatial_operands(*op, left, right)?;
                self.dialect.spatial(sql, self.table, op, literal, conjunctive)
            }
            Filter::Distance { op, left, right, distance, units } => {
                let (_, literal) = self.spatial_operands(SpatialOp::Intersects, left, right)?;
                let metres = match units.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    None | Some("m" | "meter" | "meters" | "metre" | "metres" | "urn:ogc:def:uom:epsg::9001") => *distance,
                    Some("km" | "kilometer" | "kilometers" | "kilometre" | "kilometres") => distance * 1000.0,
                    Some(other) => return Err(unsupported(format!("distance unit '{other}' (use m or km)"))),
                };
                self.dialect.distance(sql, self.table, *op, literal, metres)
            }
            Filter::Temporal { op, left, right } => self.temporal(sql, *op, left, right),
            Filter::ResourceId(ids) => {
                let Some(id) = &self.table.id else { return self.constant(sql, false) };
                let values: Vec<Value> = ids.iter().filter_map(|t| id.ty.parse_literal(t)).collect();
                if values.is_empty() {
                    return self.constant(sql, false);
                }
                sql.push("(").ident(&id.name).push(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.param(Param::from(v));
                }
                sql.push("))");
                Ok(())
            }
        }
    }

    fn constant(&self, sql: &mut Sql, b: bool) -> R {
        sql.push(if b { "(1 = 1)" } else { "(1 = 0)" });
        Ok(())
    }

    /// A spatial predicate as (operator seen from the geometry column, literal): the literal may
    /// be on either side, and must already be in the storage CRS.
    fn spatial_operands<'e>(&self, op: SpatialOp, left: &'e Expr, right: &'e Expr) -> Result<(SpatialOp, &'e geo_types::Geometry<f64>), SourceError> {
        let geometry_column = |e: &Expr| matches!(e, Expr::Property(p) if *p == self.table.geometry_column);
        let (literal, swapped) = match (left, right) {
            (l, Expr::Geometry { geometry, crs, .. }) if geometry_column(l) => ((geometry, crs), false),
            (Expr::Geometry { geometry, crs, .. }, r) if geometry_column(r) => ((geometry, crs), true),
            _ => {
                return Err(SourceError::Schema {
                    key: "filter",
                    message: format!("a spatial predicate compares the geometry property '{}' with a geometry literal", self.table.geometry_column),
                });
            }
        };
        if literal.1.is_some_and(|c| c != self.table.crs) {
            return Err(SourceError::Internal(anyhow::anyhow!("geometry literal not transformed to the storage CRS")));
        }
        let op = match (op, swapped) {
            (SpatialOp::Contains, true) => SpatialOp::Within,
            (SpatialOp::Within, true) => SpatialOp::Contains,
            (op, _) => op,
        };
        Ok((op, literal.0))
    }

    fn expr(&self, sql: &mut Sql, e: &Expr) -> R {
        match e {
            Expr::Property(name) => {
                let field = self.table.column(name).ok_or_else(|| SourceError::Schema { key: "filter", message: format!("unknown property '{name}'") })?;
                sql.ident(&field.name);
            }
            Expr::Literal(Value::Null) => {
                sql.push("NULL");
            }
            Expr::Literal(v) => {
                sql.param(Param::from(v));
            }
            Expr::Arithmetic { op, left, right } => {
                sql.push("(");
                self.expr(sql, left)?;
                sql.push(match op {
                    ArithmeticOp::Add => " + ",
                    ArithmeticOp::Sub => " - ",
                    ArithmeticOp::Mul => " * ",
                    ArithmeticOp::Div => " / ",
                });
                self.expr(sql, right)?;
                sql.push(")");
            }
            Expr::Function { function, args } => {
                let name = match function {
                    Function::CaseInsensitive | Function::Lower => "lower",
                    Function::Upper => "upper",
                    Function::AccentInsensitive => return Err(unsupported("ACCENTI")),
                };
                let [arg] = args.as_slice() else { return Err(unsupported(format!("{name} with {} arguments", args.len()))) };
                sql.push(name).push("(");
                self.expr(sql, arg)?;
                sql.push(")");
            }
            Expr::Geometry { .. } => return Err(SourceError::Schema { key: "filter", message: "a geometry can only be used in a spatial predicate".into() }),
            Expr::Interval(_) => return Err(SourceError::Schema { key: "filter", message: "an interval can only be used in a temporal predicate".into() }),
        }
        Ok(())
    }

    /// Both operands as [start, end]: a date or timestamp column is an instant, a date literal
    /// its whole day, an interval its ends (open ends unbounded).
    fn time_bounds(&self, e: &Expr) -> Result<(Bound<'a>, Bound<'a>), SourceError> {
        let day_end = NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).expect("valid time");
        Ok(match e {
            Expr::Property(name) => {
                let table: &'a Table = self.table;
                let field = table.column(name).ok_or_else(|| SourceError::Schema { key: "filter", message: format!("unknown property '{name}'") })?;
                if !field.ty.is_temporal() {
                    return Err(SourceError::Schema { key: "filter", message: format!("'{name}' is not a date or timestamp property") });
                }
                (Bound::Column(&field.name), Bound::Column(&field.name))
            }
            Expr::Literal(Value::DateTime(t)) => (Bound::Time(*t), Bound::Time(*t)),
            Expr::Literal(Value::Date(d)) => (Bound::Time(d.and_time(NaiveTime::MIN).and_utc()), Bound::Time(d.and_time(day_end).and_utc())),
            Expr::Interval(i) => (i.start.map_or(Bound::NegInf, Bound::Time), i.end.map_or(Bound::PosInf, Bound::Time)),
            _ => return Err(SourceError::Schema { key: "filter", message: "a temporal predicate compares dates, timestamps, intervals or temporal properties".into() }),
        })
    }

    fn temporal(&self, sql: &mut Sql, op: TemporalOp, left: &Expr, right: &Expr) -> R {
        use Cmp::*;
        let (a0, a1) = self.time_bounds(left)?;
        let (b0, b1) = self.time_bounds(right)?;
        // Allen's relations as conjunctions (for Disjoint, a disjunction) of comparisons.
        let (all, terms) = match op {
            TemporalOp::After => (true, vec![(a0, Gt, b1)]),
            TemporalOp::Before => (true, vec![(a1, Lt, b0)]),
            TemporalOp::Contains => (true, vec![(a0, Lt, b0), (a1, Gt, b1)]),
            TemporalOp::During => (true, vec![(a0, Gt, b0), (a1, Lt, b1)]),
            TemporalOp::Equals => (true, vec![(a0, Eq, b0), (a1, Eq, b1)]),
            TemporalOp::FinishedBy => (true, vec![(a0, Lt, b0), (a1, Eq, b1)]),
            TemporalOp::Finishes => (true, vec![(a0, Gt, b0), (a1, Eq, b1)]),
            TemporalOp::Intersects => (true, vec![(a0, Le, b1), (a1, Ge, b0)]),
            TemporalOp::Meets => (true, vec![(a1, Eq, b0)]),
            TemporalOp::MetBy => (true, vec![(a0, Eq, b1)]),
            TemporalOp::OverlappedBy => (true, vec![(a0, Gt, b0), (a0, Lt, b1), (a1, Gt, b1)]),
            TemporalOp::Overlaps => (true, vec![(a0, Lt, b0), (a1, Gt, b0), (a1, Lt, b1)]),
            TemporalOp::StartedBy => (true, vec![(a0, Eq, b0), (a1, Gt, b1)]),
            TemporalOp::Starts => (true, vec![(a0, Eq, b0), (a1, Lt, b1)]),
            TemporalOp::Disjoint => (false, vec![(a1, Lt, b0), (a0, Gt, b1)]),
        };
        sql.push("(");
        for (i, (x, cmp, y)) in terms.into_iter().enumerate() {
            if i > 0 {
                sql.push(if all { " AND " } else { " OR " });
            }
            self.compare_bounds(sql, x, cmp, y);
        }
        sql.push(")");
        Ok(())
    }

    /// `x cmp y`; an unbounded end makes the comparison a constant.
    fn compare_bounds(&self, sql: &mut Sql, x: Bound, cmp: Cmp, y: Bound) {
        let rank = |b: Bound| match b {
            Bound::NegInf => -1,
            Bound::PosInf => 1,
            _ => 0,
        };
        let (rx, ry) = (rank(x), rank(y));
        if rx != 0 || ry != 0 {
            let _ = self.constant(sql, cmp.holds(rx.cmp(&ry)));
            return;
        }
        sql.push("(");
        self.bound(sql, x);
        sql.push(cmp.sql());
        self.bound(sql, y);
        sql.push(")");
    }

    fn bound(&self, sql: &mut Sql, b: Bound) {
        match b {
            Bound::Column(c) => self.dialect.time_column(sql, c),
            Bound::Time(t) => self.dialect.time_param(sql, t),
            Bound::NegInf | Bound::PosInf => unreachable!("unbounded ends are constants"),
        }
    }
}

#[derive(Clone, Copy)]
enum Cmp {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl Cmp {
    fn sql(self) -> &'static str {
        match self {
            Cmp::Lt => " < ",
            Cmp::Le => " <= ",
            Cmp::Eq => " = ",
            Cmp::Ge => " >= ",
            Cmp::Gt => " > ",
        }
    }

    fn holds(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Cmp::Lt => o == Less,
            Cmp::Le => o != Greater,
            Cmp::Eq => o == Equal,
            Cmp::Ge => o != Less,
            Cmp::Gt => o == Greater,
        }
    }
}
