//! CQL2-JSON (OGC 21-065r2, CQL2 1.0, JSON encoding) parsed into the shared filter AST.
//!
//! The document is walked as a `serde_json::Value` rather than deserialised into typed structs:
//! serde's untagged-enum errors ("data did not match any variant") tell a client nothing, while a
//! hand walk names the JSON path of the member that is wrong (`args[1].args[0]: ...`), which is
//! what someone building the document in code can find.
//!
//! It accepts and refuses exactly what the CQL2-text parser does, so a filter selects the same
//! features in either encoding: `%`, `^` and `div`, array functions, interval bounds taken from
//! properties, `accenti` around a non-ASCII like pattern, functions other than `casei`/`accenti`,
//! and boxes crossing the antimeridian are refused rather than approximated.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use geo_types::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};
use serde_json::{Map, Number, Value as Json};

use super::{ArithmeticOp, CompareOp, Expr, Filter, FilterError, Function, SpatialOp, TemporalOp};
use crate::crs::Crs;
use crate::datetime::Interval;
use crate::value::Value;

type Result<T> = std::result::Result<T, FilterError>;

/// The same bound as CQL2-text: deep enough for any real filter, shallow enough that recursion
/// stays far from the stack limit of a worker thread in debug builds.
const MAX_DEPTH: usize = 100;

const GEOMETRY_TYPES: [&str; 7] = ["Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection"];

/// Parses a CQL2-JSON document. `filter_crs` is the CRS of geometry literals (CRS84 when None).
pub fn parse(text: &str, filter_crs: Option<Crs>) -> Result<Filter> {
    // serde_json bounds its own recursion (128 levels), so hostile text fails here, not with a
    // stack overflow.
    let doc: Json = serde_json::from_str(text).map_err(|e| FilterError::new(format!("the filter is not valid JSON: {e}")))?;
    parse_value(&doc, filter_crs)
}

/// Parses an already decoded CQL2-JSON document, for faces that receive the filter inside a
/// larger JSON body (a STAC or OGC API search request).
pub fn parse_value(doc: &Json, filter_crs: Option<Crs>) -> Result<Filter> {
    let mut parser = Parser { crs: filter_crs.unwrap_or(Crs::Crs84), depth: 0 };
    parser.filter(doc, &Path::Root)
}

/// A GeoJSON geometry object, read as CQL2-JSON geometry literals are: the editing faces take
/// the geometry of a posted feature through it.
pub fn geometry(doc: &Json) -> Result<Geometry<f64>> {
    match doc {
        Json::Object(obj) => Parser { crs: Crs::Crs84, depth: 0 }.geometry(obj, &Path::Key(&Path::Root, "geometry"), true),
        other => Err(error(&Path::Key(&Path::Root, "geometry"), format!("expected a GeoJSON geometry object but found {}", describe(other)))),
    }
}

// ---------------------------------------------------------------------------------------------
// Paths and errors
// ---------------------------------------------------------------------------------------------

/// Where a member sits in the document, built on the stack as the walk descends and only
/// rendered when an error needs it, so a large geometry costs no string per coordinate.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'static str),
    Index(&'a Path<'a>, usize),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) => {
                parent.fmt(f)?;
                if !matches!(parent, Path::Root) {
                    f.write_str(".")?;
                }
                f.write_str(key)
            }
            Path::Index(parent, i) => {
                parent.fmt(f)?;
                write!(f, "[{i}]")
            }
        }
    }
}

fn error(path: &Path, message: impl fmt::Display) -> FilterError {
    match path {
        Path::Root => FilterError::new(format!("at the top level: {message}")),
        _ => FilterError::new(format!("{path}: {message}")),
    }
}

/// A JSON value named by its kind, never quoted whole, so a huge member cannot bloat a message.
fn describe(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

/// A name the client wrote, shortened for messages.
fn quote(text: &str) -> String {
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    format!("'{short}'")
}

fn describe_expr(e: &Expr) -> &'static str {
    match e {
        Expr::Property(_) => "a property",
        Expr::Literal(Value::Text(_)) => "a string",
        Expr::Literal(Value::Int(_) | Value::Float(_)) => "a number",
        Expr::Literal(Value::Bool(_)) => "a boolean",
        Expr::Literal(Value::Date(_)) => "a date",
        Expr::Literal(Value::DateTime(_)) => "a timestamp",
        Expr::Literal(Value::Null) => "null",
        Expr::Geometry { .. } => "a geometry",
        Expr::Interval(_) => "an interval",
        Expr::Arithmetic { .. } => "an arithmetic expression",
        Expr::Function { .. } => "a function call",
    }
}

// ---------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------

/// An `{"op": ..., "args": [...]}` object. `op` is matched case-insensitively: the standard
/// spells `isNull` in camel case and clients are inconsistent about it.
struct Call<'j> {
    op: String,
    written: &'j str,
    args: &'j [Json],
}

fn read_call<'j>(obj: &'j Map<String, Json>, path: &Path) -> Result<Call<'j>> {
    let written = match obj.get("op") {
        Some(Json::String(s)) => s.as_str(),
        Some(other) => return Err(error(&Path::Key(path, "op"), format!("expected the operator name as a string but found {}", describe(other)))),
        None => return Err(error(path, "expected an \"op\" member")),
    };
    if let Some(key) = obj.keys().find(|k| *k != "op" && *k != "args") {
        return Err(error(path, format!("unexpected member \"{key}\" next to \"op\" (only \"op\" and \"args\" belong there)")));
    }
    let args = match obj.get("args") {
        Some(Json::Array(a)) => a.as_slice(),
        Some(other) => return Err(error(&Path::Key(path, "args"), format!("expected an array of arguments but found {}", describe(other)))),
        None => return Err(error(path, format!("the operator {} has no \"args\" member", quote(written)))),
    };
    Ok(Call { op: written.to_ascii_lowercase(), written, args })
}

/// The arguments as a fixed-size array, so callers destructure them without indexing.
fn exact<'j, const N: usize>(call: &Call<'j>, path: &Path) -> Result<&'j [Json; N]> {
    <&[Json; N]>::try_from(call.args).map_err(|_| {
        let plural = if N == 1 { "" } else { "s" };
        error(&Path::Key(path, "args"), format!("{} takes {N} argument{plural} but has {}", quote(call.written), call.args.len()))
    })
}

fn compare_op(op: &str) -> Option<CompareOp> {
    Some(match op {
        "=" => CompareOp::Eq,
        "<>" => CompareOp::Ne,
        "<" => CompareOp::Lt,
        "<=" => CompareOp::Le,
        ">" => CompareOp::Gt,
        ">=" => CompareOp::Ge,
        _ => return None,
    })
}

fn arithmetic_op(op: &str) -> Option<ArithmeticOp> {
    Some(match op {
        "+" => ArithmeticOp::Add,
        "-" => ArithmeticOp::Sub,
        "*" => ArithmeticOp::Mul,
        "/" => ArithmeticOp::Div,
        _ => return None,
    })
}

fn text_function(op: &str) -> Option<Function> {
    Some(match op {
        "casei" => Function::CaseInsensitive,
        "accenti" => Function::AccentInsensitive,
        _ => return None,
    })
}

fn spatial_op(op: &str) -> Option<SpatialOp> {
    Some(match op {
        "s_intersects" => SpatialOp::Intersects,
        "s_equals" => SpatialOp::Equals,
        "s_disjoint" => SpatialOp::Disjoint,
        "s_touches" => SpatialOp::Touches,
        "s_within" => SpatialOp::Within,
        "s_overlaps" => SpatialOp::Overlaps,
        "s_crosses" => SpatialOp::Crosses,
        "s_contains" => SpatialOp::Contains,
        _ => return None,
    })
}

fn temporal_op(op: &str) -> Option<TemporalOp> {
    Some(match op {
        "t_after" => TemporalOp::After,
        "t_before" => TemporalOp::Before,
        "t_contains" => TemporalOp::Contains,
        "t_disjoint" => TemporalOp::Disjoint,
        "t_during" => TemporalOp::During,
        "t_equals" => TemporalOp::Equals,
        "t_finishedby" => TemporalOp::FinishedBy,
        "t_finishes" => TemporalOp::Finishes,
        "t_intersects" => TemporalOp::Intersects,
        "t_meets" => TemporalOp::Meets,
        "t_metby" => TemporalOp::MetBy,
        "t_overlappedby" => TemporalOp::OverlappedBy,
        "t_overlaps" => TemporalOp::Overlaps,
        "t_startedby" => TemporalOp::StartedBy,
        "t_starts" => TemporalOp::Starts,
        _ => return None,
    })
}

fn is_condition_op(op: &str) -> bool {
    matches!(op, "and" | "or" | "not" | "like" | "between" | "in" | "isnull")
        || compare_op(op).is_some()
        || spatial_op(op).is_some()
        || temporal_op(op).is_some()
}

fn is_value_op(op: &str) -> bool {
    arithmetic_op(op).is_some() || text_function(op).is_some()
}

/// Valid CQL2 the AST cannot express gets its own message rather than "unknown operator", so
/// the client knows the server understood and declined.
fn refuse_unsupported(call: &Call, path: &Path) -> Result<()> {
    if matches!(call.op.as_str(), "div" | "%" | "^") {
        return Err(error(path, format!("the operator {} is not supported (only + - * / are)", quote(call.written))));
    }
    if call.op.starts_with("a_") {
        return Err(error(path, format!("the array function {} is not supported", quote(call.written))));
    }
    Ok(())
}

fn unknown_op(call: &Call, path: &Path) -> FilterError {
    error(path, format!("unknown operator {}", quote(call.written)))
}

fn not_a_condition(call: &Call, path: &Path) -> FilterError {
    if let Err(e) = refuse_unsupported(call, path) {
        return e;
    }
    if is_value_op(&call.op) {
        return error(path, format!("expected a condition but found {}, which gives a value", quote(call.written)));
    }
    unknown_op(call, path)
}

fn not_a_value_call(call: &Call, path: &Path) -> FilterError {
    if let Err(e) = refuse_unsupported(call, path) {
        return e;
    }
    if is_condition_op(&call.op) {
        return error(path, format!("expected a value but found the condition {}", quote(call.written)));
    }
    unknown_op(call, path)
}

fn not_a_value(obj: &Map<String, Json>, path: &Path) -> FilterError {
    let keys: Vec<&str> = obj.keys().take(5).map(String::as_str).collect();
    error(
        path,
        format!("expected a value (\"property\", \"op\", \"date\", \"timestamp\", \"interval\", \"bbox\" or a GeoJSON geometry) but found an object with members {keys:?}"),
    )
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

struct Parser {
    crs: Crs,
    depth: usize,
}

/// Conditions: what `and`, `or` and `not` combine.
impl Parser {
    fn filter(&mut self, json: &Json, path: &Path) -> Result<Filter> {
        self.enter(path)?;
        let result = self.filter_inner(json, path);
        self.depth -= 1;
        result
    }

    fn filter_inner(&mut self, json: &Json, path: &Path) -> Result<Filter> {
        match json {
            Json::Bool(b) => Ok(Filter::Bool(*b)),
            Json::Object(obj) if obj.contains_key("op") => {
                let call = read_call(obj, path)?;
                self.condition(&call, path)
            }
            other => Err(error(path, format!("expected a condition (an object with \"op\" and \"args\", or true/false) but found {}", describe(other)))),
        }
    }

    /// Only dispatches: it sits on every level of recursion, so it keeps no operands of its own
    /// and its frame stays small even in debug builds.
    fn condition(&mut self, call: &Call, path: &Path) -> Result<Filter> {
        let op = call.op.as_str();
        if let Some(op) = compare_op(op) {
            return self.compare(op, call, path);
        }
        if let Some(op) = spatial_op(op) {
            return self.spatial_predicate(op, call, path);
        }
        if let Some(op) = temporal_op(op) {
            return self.temporal_predicate(op, call, path);
        }
        match op {
            "and" => self.connective(call, path).map(Filter::And),
            "or" => self.connective(call, path).map(Filter::Or),
            "not" => self.not(call, path),
            "like" => self.like(call, path),
            "between" => self.between(call, path),
            "in" => self.in_list(call, path),
            "isnull" => self.is_null(call, path),
            _ => Err(not_a_condition(call, path)),
        }
    }

    fn compare(&mut self, op: CompareOp, call: &Call, path: &Path) -> Result<Filter> {
        let [a, b] = exact(call, path)?;
        let args = Path::Key(path, "args");
        Ok(Filter::Compare { op, left: self.scalar(a, &Path::Index(&args, 0))?, right: self.scalar(b, &Path::Index(&args, 1))? })
    }

    fn spatial_predicate(&mut self, op: SpatialOp, call: &Call, path: &Path) -> Result<Filter> {
        let [a, b] = exact(call, path)?;
        let args = Path::Key(path, "args");
        Ok(Filter::Spatial { op, left: self.spatial(a, &Path::Index(&args, 0))?, right: self.spatial(b, &Path::Index(&args, 1))? })
    }

    fn temporal_predicate(&mut self, op: TemporalOp, call: &Call, path: &Path) -> Result<Filter> {
        let [a, b] = exact(call, path)?;
        let args = Path::Key(path, "args");
        Ok(Filter::Temporal { op, left: self.temporal(a, &Path::Index(&args, 0))?, right: self.temporal(b, &Path::Index(&args, 1))? })
    }

    fn not(&mut self, call: &Call, path: &Path) -> Result<Filter> {
        let [a] = exact(call, path)?;
        let inner = self.filter(a, &Path::Index(&Path::Key(path, "args"), 0))?;
        Ok(Filter::Not(Box::new(inner)))
    }

    fn is_null(&mut self, call: &Call, path: &Path) -> Result<Filter> {
        let [a] = exact(call, path)?;
        Ok(Filter::IsNull(self.expr(a, &Path::Index(&Path::Key(path, "args"), 0))?))
    }

    /// The schema asks for at least two operands; one would be a client bug worth reporting.
    fn connective(&mut self, call: &Call, path: &Path) -> Result<Vec<Filter>> {
        let args = Path::Key(path, "args");
        if call.args.len() < 2 {
            return Err(error(&args, format!("{} takes at least 2 arguments but has {}", quote(call.written), call.args.len())));
        }
        call.args.iter().enumerate().map(|(i, a)| self.filter(a, &Path::Index(&args, i))).collect()
    }

    fn like(&mut self, call: &Call, path: &Path) -> Result<Filter> {
        let [a, b] = exact(call, path)?;
        let args = Path::Key(path, "args");
        let expr = self.character(a, &Path::Index(&args, 0))?;
        let (pattern, case_insensitive) = self.pattern(b, &Path::Index(&args, 1))?;
        Ok(Filter::Like { expr, pattern, case_insensitive })
    }

    fn pattern(&mut self, json: &Json, path: &Path) -> Result<(String, bool)> {
        self.enter(path)?;
        let result = self.pattern_inner(json, path);
        self.depth -= 1;
        result
    }

    /// The pattern stays a string, so its wrappers become the `case_insensitive` flag. `accenti`
    /// has no flag: it is exact to drop only when the pattern is ASCII, where it changes nothing.
    fn pattern_inner(&mut self, json: &Json, path: &Path) -> Result<(String, bool)> {
        const EXPECTED: &str = "expected a pattern string, casei(...) or accenti(...)";
        let obj = match json {
            Json::String(s) => return Ok((s.clone(), false)),
            Json::Object(obj) if obj.contains_key("op") => obj,
            other => return Err(error(path, format!("{EXPECTED} but found {}", describe(other)))),
        };
        let call = read_call(obj, path)?;
        let accent = call.op == "accenti";
        if !accent && call.op != "casei" {
            return Err(error(path, format!("{EXPECTED} but found {}", quote(call.written))));
        }
        let [inner] = exact(&call, path)?;
        let (pattern, case_insensitive) = self.pattern(inner, &Path::Index(&Path::Key(path, "args"), 0))?;
        if accent && !pattern.is_ascii() {
            return Err(error(path, "accenti around a like pattern with accented or other non-ASCII characters is not supported; write the pattern without accents"));
        }
        Ok((pattern, case_insensitive || !accent))
    }

    fn between(&mut self, call: &Call, path: &Path) -> Result<Filter> {
        let [a, b, c] = exact(call, path)?;
        let args = Path::Key(path, "args");
        Ok(Filter::Between {
            expr: self.numeric(a, &Path::Index(&args, 0))?,
            low: self.numeric(b, &Path::Index(&args, 1))?,
            high: self.numeric(c, &Path::Index(&args, 2))?,
        })
    }

    fn in_list(&mut self, call: &Call, path: &Path) -> Result<Filter> {
        let [a, b] = exact(call, path)?;
        let args = Path::Key(path, "args");
        let expr = self.scalar(a, &Path::Index(&args, 0))?;
        let list_path = Path::Index(&args, 1);
        let items = match b {
            Json::Array(items) if !items.is_empty() => items,
            Json::Array(_) => return Err(error(&list_path, "expected at least one value in the list")),
            other => return Err(error(&list_path, format!("expected an array of values but found {}", describe(other)))),
        };
        let list = items.iter().enumerate().map(|(i, item)| self.scalar(item, &Path::Index(&list_path, i))).collect::<Result<_>>()?;
        Ok(Filter::In { expr, list })
    }
}

/// Values: properties, literals, functions and arithmetic.
impl Parser {
    fn expr(&mut self, json: &Json, path: &Path) -> Result<Expr> {
        self.enter(path)?;
        let result = self.expr_inner(json, path);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, json: &Json, path: &Path) -> Result<Expr> {
        match json {
            Json::Null => Err(error(path, "expected a value but found null (test for a missing value with isNull)")),
            Json::Bool(b) => Ok(Expr::Literal(Value::Bool(*b))),
            Json::Number(n) => number(n, path).map(Expr::Literal),
            Json::String(s) => Ok(Expr::Literal(Value::Text(s.clone()))),
            Json::Array(_) => Err(error(path, "array values are not supported")),
            Json::Object(obj) => self.object(obj, path),
        }
    }

    /// Objects are told apart by their first-class member, as the schema's `oneOf` does.
    /// Operators, the only recursive case, branch off first so the literal cases' locals stay
    /// off the recursion path.
    fn object(&mut self, obj: &Map<String, Json>, path: &Path) -> Result<Expr> {
        if obj.contains_key("op") {
            let call = read_call(obj, path)?;
            return self.value_call(&call, path);
        }
        self.literal_object(obj, path)
    }

    fn literal_object(&mut self, obj: &Map<String, Json>, path: &Path) -> Result<Expr> {
        if obj.contains_key("type") {
            return Ok(Expr::Geometry { geometry: self.geometry(obj, path, true)?, crs: Some(self.crs), authority_axes: true });
        }
        if let Some(v) = obj.get("property") {
            only(obj, "property", path)?;
            return property(v, &Path::Key(path, "property"));
        }
        if let Some(v) = obj.get("date") {
            only(obj, "date", path)?;
            return date(v, &Path::Key(path, "date")).map(|d| Expr::Literal(Value::Date(d)));
        }
        if let Some(v) = obj.get("timestamp") {
            only(obj, "timestamp", path)?;
            return timestamp(v, &Path::Key(path, "timestamp")).map(|t| Expr::Literal(Value::DateTime(t)));
        }
        if let Some(v) = obj.get("interval") {
            only(obj, "interval", path)?;
            return interval(v, &Path::Key(path, "interval")).map(Expr::Interval);
        }
        if let Some(v) = obj.get("bbox") {
            only(obj, "bbox", path)?;
            return Ok(Expr::Geometry { geometry: bbox(v, &Path::Key(path, "bbox"))?, crs: Some(self.crs), authority_axes: true });
        }
        Err(not_a_value(obj, path))
    }

    fn value_call(&mut self, call: &Call, path: &Path) -> Result<Expr> {
        if let Some(op) = arithmetic_op(&call.op) {
            return self.arithmetic(op, call, path);
        }
        if let Some(function) = text_function(&call.op) {
            return self.function(function, call, path);
        }
        Err(not_a_value_call(call, path))
    }

    fn arithmetic(&mut self, op: ArithmeticOp, call: &Call, path: &Path) -> Result<Expr> {
        let [a, b] = exact(call, path)?;
        let args = Path::Key(path, "args");
        let left = Box::new(self.numeric(a, &Path::Index(&args, 0))?);
        let right = Box::new(self.numeric(b, &Path::Index(&args, 1))?);
        Ok(Expr::Arithmetic { op, left, right })
    }

    fn function(&mut self, function: Function, call: &Call, path: &Path) -> Result<Expr> {
        let [a] = exact(call, path)?;
        let arg = self.character(a, &Path::Index(&Path::Key(path, "args"), 0))?;
        Ok(Expr::Function { function, args: vec![arg] })
    }
}

/// Operand checks: what the standard allows where, with the kind found named in the error.
impl Parser {
    fn operand(&mut self, json: &Json, path: &Path, expected: &str, accept: fn(&Expr) -> bool) -> Result<Expr> {
        let e = self.expr(json, path)?;
        if accept(&e) { Ok(e) } else { Err(error(path, format!("expected {expected} but found {}", describe_expr(&e)))) }
    }

    fn scalar(&mut self, json: &Json, path: &Path) -> Result<Expr> {
        self.operand(json, path, "a string, number, boolean, date, timestamp, property or function", |e| {
            !matches!(e, Expr::Geometry { .. } | Expr::Interval(_))
        })
    }

    fn numeric(&mut self, json: &Json, path: &Path) -> Result<Expr> {
        self.operand(json, path, "a number, a property, a function or an arithmetic expression", |e| {
            matches!(e, Expr::Literal(Value::Int(_) | Value::Float(_)) | Expr::Property(_) | Expr::Function { .. } | Expr::Arithmetic { .. })
        })
    }

    fn character(&mut self, json: &Json, path: &Path) -> Result<Expr> {
        self.operand(json, path, "a string, a property, casei(...) or accenti(...)", |e| {
            matches!(e, Expr::Literal(Value::Text(_)) | Expr::Property(_) | Expr::Function { .. })
        })
    }

    fn spatial(&mut self, json: &Json, path: &Path) -> Result<Expr> {
        self.operand(json, path, "a property, a GeoJSON geometry or a bbox", |e| matches!(e, Expr::Property(_) | Expr::Geometry { .. }))
    }

    fn temporal(&mut self, json: &Json, path: &Path) -> Result<Expr> {
        self.operand(json, path, "a property, a date, a timestamp or an interval", |e| {
            matches!(e, Expr::Property(_) | Expr::Interval(_) | Expr::Literal(Value::Date(_) | Value::DateTime(_)))
        })
    }

    /// Guards every recursion the document can repeat without bound (conditions, values,
    /// pattern wrappers); the caller decrements when it returns. Not a closure-taking wrapper:
    /// that would add two debug-build frames per level.
    fn enter(&mut self, path: &Path) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(error(path, format!("the filter is nested too deeply (more than {MAX_DEPTH} levels)")));
        }
        self.depth += 1;
        Ok(())
    }
}

/// A literal object has one member; anything else next to it would be silently ignored.
fn only(obj: &Map<String, Json>, key: &str, path: &Path) -> Result<()> {
    match obj.keys().find(|k| *k != key) {
        Some(other) => Err(error(path, format!("unexpected member \"{other}\" next to \"{key}\""))),
        None => Ok(()),
    }
}

fn property(json: &Json, path: &Path) -> Result<Expr> {
    match json {
        Json::String(s) if !s.is_empty() => Ok(Expr::Property(s.clone())),
        Json::String(_) => Err(error(path, "expected a property name but found an empty string")),
        other => Err(error(path, format!("expected a property name as a string but found {}", describe(other)))),
    }
}

/// Integers stay exact `Int`s (serde_json already tells `1` from `1.0`); an integer beyond
/// `i64` is refused rather than rounded, as in CQL2-text.
fn number(n: &Number, path: &Path) -> Result<Value> {
    if let Some(i) = n.as_i64() {
        return Ok(Value::Int(i));
    }
    if n.is_u64() {
        return Err(error(path, format!("the number {n} is out of range")));
    }
    n.as_f64().filter(|v| v.is_finite()).map(Value::Float).ok_or_else(|| error(path, format!("the number {n} is out of range")))
}

// ---------------------------------------------------------------------------------------------
// Temporal literals
// ---------------------------------------------------------------------------------------------

fn date(json: &Json, path: &Path) -> Result<NaiveDate> {
    let text = string(json, path, "a date such as \"2021-06-30\"")?;
    parse_date(text).ok_or_else(|| error(path, format!("expected a date such as \"2021-06-30\" but found {}", quote(text))))
}

fn timestamp(json: &Json, path: &Path) -> Result<DateTime<Utc>> {
    let text = string(json, path, "a timestamp such as \"2021-06-30T12:00:00Z\"")?;
    parse_timestamp(text).ok_or_else(|| error(path, format!("expected a timestamp such as \"2021-06-30T12:00:00Z\" but found {}", quote(text))))
}

fn string<'j>(json: &'j Json, path: &Path, what: &str) -> Result<&'j str> {
    match json {
        Json::String(s) => Ok(s),
        other => Err(error(path, format!("expected {what} but found {}", describe(other)))),
    }
}

fn interval(json: &Json, path: &Path) -> Result<Interval> {
    let bounds = match json {
        Json::Array(a) => a.as_slice(),
        other => return Err(error(path, format!("expected an array of 2 bounds but found {}", describe(other)))),
    };
    let Ok([a, b]) = <&[Json; 2]>::try_from(bounds) else {
        return Err(error(path, format!("expected 2 bounds but found {}", bounds.len())));
    };
    let start = bound(a, &Path::Index(path, 0), false)?;
    let end = bound(b, &Path::Index(path, 1), true)?;
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(error(path, "the interval starts after it ends"));
    }
    Ok(Interval { start, end })
}

/// A date bound covers its whole day (its first instant at the start, its last at the end), as
/// the `datetime` parameter and CQL2-text do, so `["2021-01-01", "2021-12-31"]` is all of 2021.
fn bound(json: &Json, path: &Path, is_end: bool) -> Result<Option<DateTime<Utc>>> {
    const EXPECTED: &str = "expected a date, a timestamp or \"..\"";
    let instant = match json {
        Json::String(s) if s == ".." => return Ok(None),
        Json::String(s) => instant(s).ok_or_else(|| error(path, format!("{EXPECTED} but found {}", quote(s))))?,
        Json::Object(obj) if obj.contains_key("date") && obj.len() == 1 => {
            let d = date(&obj["date"], &Path::Key(path, "date"))?;
            instant(&d.format("%Y-%m-%d").to_string()).ok_or_else(|| error(path, EXPECTED))?
        }
        Json::Object(obj) if obj.contains_key("timestamp") && obj.len() == 1 => {
            let t = timestamp(&obj["timestamp"], &Path::Key(path, "timestamp"))?;
            Interval { start: Some(t), end: Some(t) }
        }
        Json::Object(obj) if obj.contains_key("property") || obj.contains_key("op") => {
            return Err(error(path, format!("interval bounds taken from properties or functions are not supported; {EXPECTED}")));
        }
        other => return Err(error(path, format!("{EXPECTED} but found {}", describe(other)))),
    };
    Ok(if is_end { instant.end } else { instant.start })
}

fn instant(text: &str) -> Option<Interval> {
    if parse_date(text).is_some() {
        Interval::parse(text).ok()
    } else {
        parse_timestamp(text).map(|t| Interval { start: Some(t), end: Some(t) })
    }
}

/// The BNF's `fullDate`, strictly: chrono alone would also take `2021-6-30` or `+2021-06-30`.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A full date, `T`, and an RFC 3339 time; a numeric offset names one instant unambiguously, so
/// it is accepted and normalised to UTC, as in CQL2-text.
fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let date_part = text.get(..10)?;
    if parse_date(date_part).is_none() || !matches!(text.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    Some(DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc))
}

// ---------------------------------------------------------------------------------------------
// Geometry literals
// ---------------------------------------------------------------------------------------------

impl Parser {
    /// Collections nest only one level, as in CQL2-text, which also bounds the recursion.
    fn geometry(&mut self, obj: &Map<String, Json>, path: &Path, allow_collection: bool) -> Result<Geometry<f64>> {
        if obj.contains_key("crs") {
            return Err(error(&Path::Key(path, "crs"), "a \"crs\" member is not supported; give the CRS of geometries with filter-crs"));
        }
        let type_path = Path::Key(path, "type");
        let tag = match obj.get("type") {
            Some(Json::String(s)) if GEOMETRY_TYPES.contains(&s.as_str()) => s.as_str(),
            Some(Json::String(s)) => return Err(error(&type_path, format!("unknown GeoJSON geometry type {} (expected one of {GEOMETRY_TYPES:?})", quote(s)))),
            Some(other) => return Err(error(&type_path, format!("expected a GeoJSON geometry type but found {}", describe(other)))),
            None => return Err(error(path, "expected a \"type\" member")),
        };
        if tag == "GeometryCollection" {
            if !allow_collection {
                return Err(error(path, "a GeometryCollection cannot contain another GeometryCollection"));
            }
            return self.collection(obj, path);
        }
        let coords_path = Path::Key(path, "coordinates");
        let coords = obj.get("coordinates").ok_or_else(|| error(path, format!("the {tag} has no \"coordinates\" member")))?;
        Ok(match tag {
            "Point" => Geometry::Point(Point(position(coords, &coords_path)?)),
            "LineString" => Geometry::LineString(line(coords, &coords_path)?),
            "Polygon" => Geometry::Polygon(polygon(coords, &coords_path)?),
            "MultiPoint" => Geometry::MultiPoint(MultiPoint(each(coords, &coords_path, |c, p| position(c, p).map(Point))?)),
            "MultiLineString" => Geometry::MultiLineString(MultiLineString(each(coords, &coords_path, line)?)),
            _ => Geometry::MultiPolygon(MultiPolygon(each(coords, &coords_path, polygon)?)),
        })
    }

    fn collection(&mut self, obj: &Map<String, Json>, path: &Path) -> Result<Geometry<f64>> {
        let members_path = Path::Key(path, "geometries");
        let members = obj.get("geometries").ok_or_else(|| error(path, "the GeometryCollection has no \"geometries\" member"))?;
        let geometries = each(members, &members_path, |member, p| match member {
            Json::Object(m) => self.geometry(m, p, false),
            other => Err(error(p, format!("expected a GeoJSON geometry but found {}", describe(other)))),
        })?;
        Ok(Geometry::GeometryCollection(GeometryCollection(geometries)))
    }
}

/// Maps every element of a JSON array, each with its own path.
fn each<T>(json: &Json, path: &Path, mut item: impl FnMut(&Json, &Path) -> Result<T>) -> Result<Vec<T>> {
    match json {
        Json::Array(items) => items.iter().enumerate().map(|(i, x)| item(x, &Path::Index(path, i))).collect(),
        other => Err(error(path, format!("expected an array but found {}", describe(other)))),
    }
}

/// Spatial relations are evaluated on x and y and geo-types is 2D, so a third (or further)
/// ordinate is checked and dropped, as `POINT Z` is in CQL2-text.
fn position(json: &Json, path: &Path) -> Result<Coord<f64>> {
    let ordinates = each(json, path, finite)?;
    match ordinates[..] {
        [x, y, ..] => Ok(Coord { x, y }),
        _ => Err(error(path, format!("expected a position [x, y] but found {} number(s)", ordinates.len()))),
    }
}

fn finite(json: &Json, path: &Path) -> Result<f64> {
    match json {
        Json::Number(n) => n.as_f64().filter(|v| v.is_finite()).ok_or_else(|| error(path, format!("the number {n} is out of range"))),
        other => Err(error(path, format!("expected a number but found {}", describe(other)))),
    }
}

fn line(json: &Json, path: &Path) -> Result<LineString<f64>> {
    let coords = each(json, path, position)?;
    if coords.len() < 2 {
        return Err(error(path, "a LineString needs at least 2 positions"));
    }
    Ok(LineString(coords))
}

fn polygon(json: &Json, path: &Path) -> Result<Polygon<f64>> {
    let mut rings = each(json, path, ring)?.into_iter();
    let exterior = rings.next().ok_or_else(|| error(path, "a Polygon needs at least its exterior ring"))?;
    Ok(Polygon::new(exterior, rings.collect()))
}

/// Rings are checked rather than silently closed: an unclosed ring is usually a truncated or
/// mistyped polygon, and the client should hear about it.
fn ring(json: &Json, path: &Path) -> Result<LineString<f64>> {
    let coords = each(json, path, position)?;
    if coords.len() < 4 || coords.first() != coords.last() {
        return Err(error(path, "a polygon ring needs at least 4 positions and must end where it starts"));
    }
    Ok(LineString(coords))
}

/// A bbox becomes the polygon it covers (counter-clockwise from the south-west corner);
/// elevations of a 6-number box are dropped.
fn bbox(json: &Json, path: &Path) -> Result<Geometry<f64>> {
    let numbers = each(json, path, finite)?;
    let (w, s, e, n) = match numbers[..] {
        [w, s, e, n] | [w, s, _, e, n, _] => (w, s, e, n),
        _ => return Err(error(path, format!("expected 4 or 6 numbers but found {}", numbers.len()))),
    };
    if s > n {
        return Err(error(path, "the bbox's southern bound is north of its northern bound"));
    }
    if w > e {
        return Err(error(path, "the bbox's western bound is east of its eastern bound (boxes crossing the antimeridian are not supported)"));
    }
    let ring = vec![Coord { x: w, y: s }, Coord { x: e, y: s }, Coord { x: e, y: n }, Coord { x: w, y: n }, Coord { x: w, y: s }];
    Ok(Geometry::Polygon(Polygon::new(LineString(ring), vec![])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::test_support::*;
    use serde_json::json;

    fn ok(text: &str) -> Filter {
        parse(text, None).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> String {
        match parse(text, None) {
            Ok(f) => panic!("{text} parsed as {f:?}"),
            Err(e) => e.message,
        }
    }

    fn geom(geometry: Geometry<f64>) -> Expr {
        Expr::Geometry { geometry, crs: Some(Crs::Crs84), authority_axes: true }
    }

    fn ls(coords: &[(f64, f64)]) -> LineString<f64> {
        LineString(coords.iter().map(|&(x, y)| Coord { x, y }).collect())
    }

    fn func(function: Function, arg: Expr) -> Expr {
        Expr::Function { function, args: vec![arg] }
    }

    // --- Examples of OGC 21-065r2 (Annex B, JSON encoding) -----------------------------------

    #[test]
    fn equality_with_string() {
        assert_eq!(
            ok(r#"{"op":"=","args":[{"property":"landsat:scene_id"},"LC82030282019133LGN00"]}"#),
            cmp(CompareOp::Eq, prop("landsat:scene_id"), text("LC82030282019133LGN00"))
        );
    }

    #[test]
    fn like_keeps_pattern() {
        assert_eq!(
            ok(r#"{"op":"like","args":[{"property":"eo:instrument"},"OLI%"]}"#),
            Filter::Like { expr: prop("eo:instrument"), pattern: "OLI%".into(), case_insensitive: false }
        );
    }

    #[test]
    fn in_list() {
        assert_eq!(
            ok(r#"{"op":"in","args":[{"property":"landsat:wrs_path"},["153","154","15X"]]}"#),
            Filter::In { expr: prop("landsat:wrs_path"), list: vec![text("153"), text("154"), text("15X")] }
        );
    }

    #[test]
    fn and_of_comparisons_with_int_and_float() {
        let f = ok(r#"{"op":"and","args":[
            {"op":"<","args":[{"property":"eo:cloud_cover"},0.1]},
            {"op":"=","args":[{"property":"landsat:wrs_row"},28]},
            {"op":"=","args":[{"property":"landsat:wrs_path"},203]}]}"#);
        assert_eq!(
            f,
            Filter::And(vec![
                cmp(CompareOp::Lt, prop("eo:cloud_cover"), float(0.1)),
                cmp(CompareOp::Eq, prop("landsat:wrs_row"), int(28)),
                cmp(CompareOp::Eq, prop("landsat:wrs_path"), int(203)),
            ])
        );
    }

    #[test]
    fn or_and_every_comparison_operator() {
        let f = ok(r#"{"op":"or","args":[
            {"op":"<>","args":[{"property":"a"},1]},{"op":">","args":[{"property":"a"},-2]},
            {"op":"<=","args":[{"property":"a"},1.5]},{"op":">=","args":[{"property":"a"},1e2]}]}"#);
        assert_eq!(
            f,
            Filter::Or(vec![
                cmp(CompareOp::Ne, prop("a"), int(1)),
                cmp(CompareOp::Gt, prop("a"), int(-2)),
                cmp(CompareOp::Le, prop("a"), float(1.5)),
                cmp(CompareOp::Ge, prop("a"), float(100.0)),
            ])
        );
    }

    #[test]
    fn not_and_is_null() {
        assert_eq!(ok(r#"{"op":"isNull","args":[{"property":"geometry"}]}"#), Filter::IsNull(prop("geometry")));
        assert_eq!(
            ok(r#"{"op":"not","args":[{"op":"isNull","args":[{"property":"geometry"}]}]}"#),
            Filter::Not(Box::new(Filter::IsNull(prop("geometry"))))
        );
    }

    #[test]
    fn between_numbers() {
        assert_eq!(
            ok(r#"{"op":"between","args":[{"property":"depth"},100.0,150.0]}"#),
            Filter::Between { expr: prop("depth"), low: float(100.0), high: float(150.0) }
        );
    }

    #[test]
    fn boolean_filter_and_literal() {
        assert_eq!(ok("true"), Filter::Bool(true));
        assert_eq!(ok(" false "), Filter::Bool(false));
        assert_eq!(ok(r#"{"op":"=","args":[{"property":"swimming_pool"},true]}"#), cmp(CompareOp::Eq, prop("swimming_pool"), Expr::Literal(Value::Bool(true))));
    }

    #[test]
    fn date_and_timestamp_literals() {
        assert_eq!(
            ok(r#"{"op":">","args":[{"property":"updated"},{"date":"2012-06-05"}]}"#),
            cmp(CompareOp::Gt, prop("updated"), Expr::Literal(Value::Date(NaiveDate::from_ymd_opt(2012, 6, 5).unwrap())))
        );
        assert_eq!(
            ok(r#"{"op":"t_after","args":[{"property":"built"},{"timestamp":"2012-06-05T00:00:00Z"}]}"#),
            Filter::Temporal { op: TemporalOp::After, left: prop("built"), right: Expr::Literal(Value::DateTime(utc("2012-06-05T00:00:00Z"))) }
        );
    }

    #[test]
    fn interval_of_timestamps() {
        assert_eq!(
            ok(r#"{"op":"t_intersects","args":[{"property":"updated"},{"interval":["2017-06-10T07:30:00Z","2017-06-11T10:30:00Z"]}]}"#),
            Filter::Temporal {
                op: TemporalOp::Intersects,
                left: prop("updated"),
                right: Expr::Interval(Interval { start: Some(utc("2017-06-10T07:30:00Z")), end: Some(utc("2017-06-11T10:30:00Z")) }),
            }
        );
    }

    #[test]
    fn interval_of_dates_covers_whole_days_and_open_ends() {
        assert_eq!(
            ok(r#"{"op":"t_during","args":[{"property":"event"},{"interval":["1991-10-07",{"date":"2010-02-10"}]}]}"#),
            Filter::Temporal {
                op: TemporalOp::During,
                left: prop("event"),
                right: Expr::Interval(Interval { start: Some(utc("1991-10-07T00:00:00Z")), end: Some(utc("2010-02-10T23:59:59.999999Z")) }),
            }
        );
        assert_eq!(
            ok(r#"{"op":"t_before","args":[{"property":"e"},{"interval":["..",{"timestamp":"2010-02-10T05:29:20+02:00"}]}]}"#),
            Filter::Temporal { op: TemporalOp::Before, left: prop("e"), right: Expr::Interval(Interval { start: None, end: Some(utc("2010-02-10T03:29:20Z")) }) }
        );
    }

    #[test]
    fn every_temporal_operator() {
        let names = [
            ("t_after", TemporalOp::After),
            ("t_before", TemporalOp::Before),
            ("t_contains", TemporalOp::Contains),
            ("t_disjoint", TemporalOp::Disjoint),
            ("t_during", TemporalOp::During),
            ("t_equals", TemporalOp::Equals),
            ("t_finishedby", TemporalOp::FinishedBy),
            ("t_finishes", TemporalOp::Finishes),
            ("t_intersects", TemporalOp::Intersects),
            ("t_meets", TemporalOp::Meets),
            ("t_metby", TemporalOp::MetBy),
            ("t_overlappedby", TemporalOp::OverlappedBy),
            ("t_overlaps", TemporalOp::Overlaps),
            ("t_startedby", TemporalOp::StartedBy),
            ("t_starts", TemporalOp::Starts),
        ];
        for (name, op) in names {
            let doc = json!({"op": name, "args": [{"property": "a"}, {"property": "b"}]});
            assert_eq!(parse_value(&doc, None), Ok(Filter::Temporal { op, left: prop("a"), right: prop("b") }), "{name}");
        }
    }

    #[test]
    fn every_spatial_operator() {
        let names = [
            ("s_intersects", SpatialOp::Intersects),
            ("s_equals", SpatialOp::Equals),
            ("s_disjoint", SpatialOp::Disjoint),
            ("s_touches", SpatialOp::Touches),
            ("s_within", SpatialOp::Within),
            ("s_overlaps", SpatialOp::Overlaps),
            ("s_crosses", SpatialOp::Crosses),
            ("S_CONTAINS", SpatialOp::Contains),
        ];
        for (name, op) in names {
            let doc = json!({"op": name, "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [1, 2]}]});
            let right = geom(Geometry::Point(Point::new(1.0, 2.0)));
            assert_eq!(parse_value(&doc, None), Ok(Filter::Spatial { op, left: prop("geometry"), right }), "{name}");
        }
    }

    #[test]
    fn polygon_literal() {
        let f = ok(r#"{"op":"s_within","args":[{"property":"road"},
            {"type":"Polygon","coordinates":[[[43.7286,-79.2986],[43.7311,-79.2996],[43.7323,-79.2972],[43.7286,-79.2986]]]}]}"#);
        let ring = ls(&[(43.7286, -79.2986), (43.7311, -79.2996), (43.7323, -79.2972), (43.7286, -79.2986)]);
        assert_eq!(f, Filter::Spatial { op: SpatialOp::Within, left: prop("road"), right: geom(Geometry::Polygon(Polygon::new(ring, vec![]))) });
    }

    #[test]
    fn line_and_multi_geometries_drop_z() {
        let f = ok(r#"{"op":"s_crosses","args":[{"property":"geometry"},{"type":"LineString","coordinates":[[1,2,3],[4,5,6]]}]}"#);
        assert_eq!(f, Filter::Spatial { op: SpatialOp::Crosses, left: prop("geometry"), right: geom(Geometry::LineString(ls(&[(1.0, 2.0), (4.0, 5.0)]))) });
        let doc = json!({"op": "s_intersects", "args": [{"property": "g"}, {"type": "MultiPoint", "coordinates": [[1, 2], [3, 4]]}]});
        let mp = Geometry::MultiPoint(MultiPoint(vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)]));
        assert_eq!(parse_value(&doc, None), Ok(Filter::Spatial { op: SpatialOp::Intersects, left: prop("g"), right: geom(mp) }));
        let doc = json!({"op": "s_intersects", "args": [{"property": "g"}, {"type": "MultiLineString", "coordinates": [[[0, 0], [1, 1]]]}]});
        let ml = Geometry::MultiLineString(MultiLineString(vec![ls(&[(0.0, 0.0), (1.0, 1.0)])]));
        assert_eq!(parse_value(&doc, None), Ok(Filter::Spatial { op: SpatialOp::Intersects, left: prop("g"), right: geom(ml) }));
    }

    #[test]
    fn multipolygon_and_collection() {
        let square = [[0, 0], [1, 0], [1, 1], [0, 0]];
        let doc = json!({"op": "s_disjoint", "args": [
            {"type": "MultiPolygon", "coordinates": [[square]]},
            {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [5, 6]}, {"type": "Polygon", "coordinates": [square]}]}
        ]});
        let poly = Polygon::new(ls(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]), vec![]);
        let collection = GeometryCollection(vec![Geometry::Point(Point::new(5.0, 6.0)), Geometry::Polygon(poly.clone())]);
        assert_eq!(
            parse_value(&doc, None),
            Ok(Filter::Spatial {
                op: SpatialOp::Disjoint,
                left: geom(Geometry::MultiPolygon(MultiPolygon(vec![poly]))),
                right: geom(Geometry::GeometryCollection(collection)),
            })
        );
    }

    #[test]
    fn bbox_of_four_and_six_numbers() {
        let expected = Polygon::new(ls(&[(-128.1, -1.1), (180.0, -1.1), (180.0, 90.0), (-128.1, 90.0), (-128.1, -1.1)]), vec![]);
        for b in ["[-128.1,-1.1,180.0,90.0]", "[-128.1,-1.1,-99999.0,180.0,90.0,100000.0]"] {
            let f = ok(&format!(r#"{{"op":"s_intersects","args":[{{"property":"geometry"}},{{"bbox":{b}}}]}}"#));
            assert_eq!(f, Filter::Spatial { op: SpatialOp::Intersects, left: prop("geometry"), right: geom(Geometry::Polygon(expected.clone())) }, "{b}");
        }
    }

    #[test]
    fn filter_crs_applies_to_geometries() {
        let f = parse(r#"{"op":"s_intersects","args":[{"property":"g"},{"type":"Point","coordinates":[700000,6600000]}]}"#, Some(Crs::LAMBERT93));
        let right = Expr::Geometry { geometry: Geometry::Point(Point::new(700000.0, 6600000.0)), crs: Some(Crs::LAMBERT93), authority_axes: true };
        assert_eq!(f, Ok(Filter::Spatial { op: SpatialOp::Intersects, left: prop("g"), right }));
    }

    #[test]
    fn casei_like_keeps_function_and_sets_flag() {
        assert_eq!(
            ok(r#"{"op":"like","args":[{"op":"casei","args":[{"property":"road_class"}]},{"op":"casei","args":["Οδος%"]}]}"#),
            Filter::Like { expr: func(Function::CaseInsensitive, prop("road_class")), pattern: "Οδος%".into(), case_insensitive: true }
        );
        assert_eq!(
            ok(r#"{"op":"like","args":[{"property":"n"},{"op":"accenti","args":["abc%"]}]}"#),
            Filter::Like { expr: prop("n"), pattern: "abc%".into(), case_insensitive: false }
        );
    }

    #[test]
    fn casei_and_accenti_comparison() {
        assert_eq!(
            ok(r#"{"op":"=","args":[{"op":"casei","args":[{"property":"road_class"}]},{"op":"casei","args":["Οδος"]}]}"#),
            cmp(CompareOp::Eq, func(Function::CaseInsensitive, prop("road_class")), func(Function::CaseInsensitive, text("Οδος")))
        );
        assert_eq!(
            ok(r#"{"op":"=","args":[{"op":"accenti","args":[{"property":"etat_vol"}]},{"op":"accenti","args":["débárquér"]}]}"#),
            cmp(CompareOp::Eq, func(Function::AccentInsensitive, prop("etat_vol")), func(Function::AccentInsensitive, text("débárquér")))
        );
    }

    #[test]
    fn arithmetic() {
        let f = ok(r#"{"op":">","args":[{"property":"vehicle_height"},{"op":"-","args":[{"property":"bridge_clearance"},1]}]}"#);
        let minus = Expr::Arithmetic { op: ArithmeticOp::Sub, left: Box::new(prop("bridge_clearance")), right: Box::new(int(1)) };
        assert_eq!(f, cmp(CompareOp::Gt, prop("vehicle_height"), minus));
        let f = ok(r#"{"op":"=","args":[{"op":"*","args":[{"op":"+","args":[{"property":"a"},2]},{"op":"/","args":[3,4.5]}]},0]}"#);
        let add = Expr::Arithmetic { op: ArithmeticOp::Add, left: Box::new(prop("a")), right: Box::new(int(2)) };
        let div = Expr::Arithmetic { op: ArithmeticOp::Div, left: Box::new(int(3)), right: Box::new(float(4.5)) };
        assert_eq!(f, cmp(CompareOp::Eq, Expr::Arithmetic { op: ArithmeticOp::Mul, left: Box::new(add), right: Box::new(div) }, int(0)));
    }

    #[test]
    fn nested_logic() {
        let f = ok(r#"{"op":"or","args":[{"op":"and","args":[true,{"op":"isNull","args":[{"property":"x"}]}]},{"op":"not","args":[false]}]}"#);
        assert_eq!(
            f,
            Filter::Or(vec![Filter::And(vec![Filter::Bool(true), Filter::IsNull(prop("x"))]), Filter::Not(Box::new(Filter::Bool(false)))])
        );
    }

    #[test]
    fn accepts_a_hundred_levels() {
        let mut doc = json!(true);
        for _ in 0..99 {
            doc = json!({"op": "not", "args": [doc]});
        }
        assert!(parse_value(&doc, None).is_ok());
    }

    /// Debug builds have large frames; the deepest accepted filter must still fit the small
    /// stack of a worker thread.
    #[test]
    fn deepest_filters_fit_a_small_stack() {
        let wrap = |inner: serde_json::Value, op: &str, times: usize, extra: Option<serde_json::Value>| {
            (0..times).fold(inner, |acc, _| match &extra {
                Some(e) => json!({"op": op, "args": [acc, e]}),
                None => json!({"op": op, "args": [acc]}),
            })
        };
        let n = MAX_DEPTH - 1;
        let inputs = [
            wrap(json!(true), "not", n, None),
            json!({"op": "=", "args": [wrap(json!(1), "+", n - 1, Some(json!(1))), 1]}),
            json!({"op": "like", "args": [{"property": "a"}, wrap(json!("a%"), "casei", n - 1, None)]}),
            json!({"op": "=", "args": [wrap(json!("a"), "casei", n - 1, None), "a"]}),
        ];
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || {
                for input in &inputs {
                    assert!(parse_value(input, None).is_ok(), "{input:.60}");
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }

    // --- Errors name where the problem is ----------------------------------------------------

    #[test]
    fn unknown_operator_path() {
        let m = err(r#"{"op":"and","args":[{"op":"=","args":[{"property":"a"},1]},{"op":"not","args":[{"op":"foo","args":[]}]}]}"#);
        assert_eq!(m, "args[1].args[0]: unknown operator 'foo'");
    }

    #[test]
    fn wrong_argument_counts() {
        assert_eq!(err(r#"{"op":"=","args":[1]}"#), "args: '=' takes 2 arguments but has 1");
        assert_eq!(err(r#"{"op":"and","args":[true]}"#), "args: 'and' takes at least 2 arguments but has 1");
        assert_eq!(err(r#"{"op":"not","args":[{"op":"between","args":[{"property":"a"},1]}]}"#), "args[0].args: 'between' takes 3 arguments but has 2");
        assert_eq!(err(r#"{"op":"isNull"}"#), "at the top level: the operator 'isNull' has no \"args\" member");
    }

    #[test]
    fn wrong_operand_types() {
        assert!(err(r#"{"op":"between","args":[{"property":"a"},"x",2]}"#).starts_with("args[1]: expected a number"));
        assert!(err(r#"{"op":"s_within","args":[{"property":"a"},"POINT(1 2)"]}"#).starts_with("args[1]: expected a property, a GeoJSON geometry"));
        assert!(err(r#"{"op":"t_after","args":[{"property":"a"},"2021-01-01"]}"#).starts_with("args[1]: expected a property, a date"));
        assert!(err(r#"{"op":"in","args":[{"property":"a"},[1,{"bbox":[0,0,1,1]}]]}"#).starts_with("args[1][1]: expected a string, number"));
        assert!(err(r#"{"op":"like","args":[{"property":"a"},5]}"#).starts_with("args[1]: expected a pattern string"));
        assert!(err(r#"{"op":"=","args":[{"property":7},1]}"#).starts_with("args[0].property: expected a property name"));
        assert!(err(r#"{"op":"=","args":[{"op":"and","args":[true,true]},1]}"#).starts_with("args[0]: expected a value but found the condition 'and'"));
        assert!(err(r#"{"op":"+","args":[1,2]}"#).starts_with("at the top level: expected a condition but found '+'"));
        assert!(err(r#"{"op":"=","args":[null,1]}"#).starts_with("args[0]: expected a value but found null"));
        assert!(err(r#""a = 1""#).starts_with("at the top level: expected a condition"));
    }

    #[test]
    fn invalid_dates() {
        assert!(err(r#"{"op":"=","args":[{"property":"d"},{"date":"2021-02-30"}]}"#).starts_with("args[1].date: expected a date"));
        assert!(err(r#"{"op":"=","args":[{"property":"d"},{"timestamp":"2021-02-03"}]}"#).starts_with("args[1].timestamp: expected a timestamp"));
        assert!(err(r#"{"op":"t_after","args":[{"property":"d"},{"interval":["2021-01-01","soon"]}]}"#).starts_with("args[1].interval[1]: expected a date"));
        assert_eq!(
            err(r#"{"op":"t_after","args":[{"property":"d"},{"interval":["2022-01-01","2021-01-01"]}]}"#),
            "args[1].interval: the interval starts after it ends"
        );
        assert!(err(r#"{"op":"t_after","args":[{"property":"d"},{"interval":[{"property":"s"},".."]}]}"#).starts_with("args[1].interval[0]: interval bounds taken from properties"));
    }

    #[test]
    fn unsupported_cql2() {
        assert_eq!(err(r#"{"op":"a_contains","args":[{"property":"a"},["x"]]}"#), "at the top level: the array function 'a_contains' is not supported");
        assert!(err(r#"{"op":"=","args":[{"op":"%","args":[{"property":"a"},2]},0]}"#).starts_with("args[0]: the operator '%' is not supported"));
        assert!(err(r#"{"op":"=","args":[{"op":"upper","args":[{"property":"a"}]},"A"]}"#).starts_with("args[0]: unknown operator 'upper'"));
        assert!(err(r#"{"op":"like","args":[{"property":"a"},{"op":"accenti","args":["é%"]}]}"#).starts_with("args[1]: accenti around a like pattern"));
        assert!(err(r#"{"op":"s_intersects","args":[{"property":"g"},{"bbox":[170,0,-170,10]}]}"#).contains("antimeridian"));
        assert!(err(r#"{"op":"=","args":[{"property":"a"},18446744073709551615]}"#).starts_with("args[1]: the number 18446744073709551615 is out of range"));
    }

    #[test]
    fn invalid_geometries() {
        let open = r#"{"op":"s_within","args":[{"property":"g"},{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}]}"#;
        assert!(err(open).starts_with("args[1].coordinates[0]: a polygon ring needs at least 4 positions"));
        assert!(err(r#"{"op":"s_within","args":[{"property":"g"},{"type":"Point","coordinates":[1,"2"]}]}"#).starts_with("args[1].coordinates[1]: expected a number"));
        assert!(err(r#"{"op":"s_within","args":[{"property":"g"},{"type":"Circle","coordinates":[1,2]}]}"#).starts_with("args[1].type: unknown GeoJSON geometry type 'Circle'"));
        let nested = r#"{"op":"s_within","args":[{"property":"g"},{"type":"GeometryCollection","geometries":[{"type":"GeometryCollection","geometries":[]}]}]}"#;
        assert!(err(nested).starts_with("args[1].geometries[0]: a GeometryCollection cannot contain"));
        assert!(err(r#"{"op":"s_within","args":[{"property":"g"},{"bbox":[1,2,3]}]}"#).starts_with("args[1].bbox: expected 4 or 6 numbers"));
        assert!(err(r#"{"op":"s_within","args":[{"property":"g"},{"type":"Point","coordinates":[1,2],"crs":{}}]}"#).starts_with("args[1].crs:"));
    }

    #[test]
    fn unexpected_members() {
        assert!(err(r#"{"op":"=","args":[{"property":"a"},1],"extra":1}"#).starts_with("at the top level: unexpected member \"extra\""));
        assert!(err(r#"{"op":"=","args":[{"property":"a","x":1},1]}"#).starts_with("args[0]: unexpected member \"x\" next to \"property\""));
        assert!(err(r#"{"op":"=","args":[{"foo":"a"},1]}"#).starts_with("args[0]: expected a value"));
    }

    #[test]
    fn nesting_too_deep() {
        let mut doc = json!(true);
        for _ in 0..150 {
            doc = json!({"op": "not", "args": [doc]});
        }
        let m = parse_value(&doc, None).unwrap_err().message;
        assert!(m.contains("nested too deeply"), "{m}");
        assert!(m.starts_with("args[0].args[0]"), "{m}");
        let mut arith = json!(1);
        for _ in 0..150 {
            arith = json!({"op": "+", "args": [arith, 1]});
        }
        let doc = json!({"op": "=", "args": [arith, 1]});
        assert!(parse_value(&doc, None).unwrap_err().message.contains("nested too deeply"));
        let mut pattern = json!("a%");
        for _ in 0..150 {
            pattern = json!({"op": "casei", "args": [pattern]});
        }
        let doc = json!({"op": "like", "args": [{"property": "a"}, pattern]});
        assert!(parse_value(&doc, None).unwrap_err().message.contains("nested too deeply"));
    }

    // --- Garbage never panics ------------------------------------------------------------------

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let deep = "[".repeat(100_000);
        let deep_objects = r#"{"op":"not","args":["#.repeat(10_000);
        let inputs = [
            "", " ", "{", "}", "[]", "{}", "null", "0", "-1", "1e999", "\"\"", "[true]", "{\"op\":null}", "{\"op\":1,\"args\":[]}",
            "{\"op\":\"=\",\"args\":{}}", "{\"op\":\"in\",\"args\":[1,[]]}", "{\"op\":\"in\",\"args\":[1,2]}", "{\"op\":\"=\",\"args\":[[1],[2]]}",
            "{\"op\":\"s_intersects\",\"args\":[{\"type\":\"Point\"},{\"type\":7}]}", "{\"op\":\"s_intersects\",\"args\":[{\"type\":\"Polygon\",\"coordinates\":[]},1]}",
            "{\"op\":\"t_after\",\"args\":[{\"interval\":[]},{\"interval\":\"..\"}]}", "{\"op\":\"t_after\",\"args\":[{\"interval\":[\"..\",\"..\",\"..\"]},1]}",
            "{\"op\":\"like\",\"args\":[1,{\"op\":\"casei\",\"args\":[]}]}", "\u{0}", "\u{feff}{}", "{\"op\":\"\u{1F600}\",\"args\":[]}",
            &deep, &deep_objects,
        ];
        for input in inputs {
            assert!(parse(input, None).is_err(), "{input:.60}");
        }
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let full = r#"{"op":"and","args":[{"op":"like","args":[{"op":"casei","args":[{"property":"név"}]},"a%"]},
            {"op":"t_during","args":[{"property":"t"},{"interval":["2020-01-01",{"timestamp":"2021-01-01T00:00:00Z"}]}]},
            {"op":"s_within","args":[{"property":"g"},{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,2]}]}]},
            {"op":"in","args":[{"property":"a"},[1,2.5,"x",true]]},{"op":"between","args":[{"op":"*","args":[{"property":"b"},2]},0,{"property":"c"}]}]}"#;
        assert!(parse(full, None).is_ok());
        for (i, _) in full.char_indices().skip(1) {
            let _ = parse(&full[..i], None);
            let _ = parse(&full[i..], None);
        }
    }

    #[test]
    fn every_json_kind_in_every_slot_is_handled() {
        let kinds = [json!(null), json!(true), json!(-3), json!(1.5), json!("s"), json!([]), json!([1, 2]), json!({}), json!({"op": "x", "args": []})];
        let ops = ["and", "not", "=", "like", "between", "in", "isNull", "s_within", "t_after", "+", "casei", "a_equals"];
        for op in ops {
            for a in &kinds {
                for b in &kinds {
                    let _ = parse_value(&json!({"op": op, "args": [a, b]}), None);
                    let _ = parse_value(&json!({"op": op, "args": [a]}), None);
                    let _ = parse_value(&json!({"op": "=", "args": [{"interval": [a, b]}, {"bbox": [a, b]}]}), None);
                    let _ = parse_value(&json!({"op": "s_within", "args": [{"type": "Polygon", "coordinates": [[a, b]]}, {"type": "MultiPoint", "coordinates": a}]}), None);
                }
            }
        }
    }
}
