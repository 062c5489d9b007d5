//! Filters evaluated in memory against one subject: a catalogue record (CSW GetRecords over the
//! records held in memory) or a feature being drawn (a style rule's filter).
//!
//! The comparison semantics live here once, and a [`Subject`] says what its properties are,
//! how it meets a geometry and which ids it has. Semantics:
//!
//! - A property with several values matches when any of its values does; one with none
//!   matches nothing (except `PropertyIsNull`).
//! - `PropertyIsLike` is case-insensitive (GeoNetwork, pycsw, GeoServer's `ilike` in styles);
//!   comparisons are case-sensitive unless wrapped in a case function. `ACCENTI` folds the
//!   accents of Latin letters.
//! - Numbers compare as numbers when one side is a number, text as text; dates compare by the
//!   instant they start, and a date equals every instant of its day.
//! - Temporal operators: After, Before, During, Equals and AnyInteracts (T_INTERSECTS).

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::{CompareOp, Expr, Filter, Function, SpatialOp, TemporalOp};
use crate::datetime::DateOrInstant;
use crate::value::Value;

/// A value a comparison works on.
#[derive(Clone, Debug)]
pub enum Scalar {
    Text(String),
    Number(f64),
    Date(DateOrInstant),
}

impl Scalar {
    /// Borrowed for text, which style rules compare once per rule and feature.
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Scalar::Text(t) => std::borrow::Cow::Borrowed(t),
            Scalar::Number(n) => n.to_string().into(),
            Scalar::Date(d) => d.to_text().into(),
        }
    }

    /// The scalar of an attribute value; `None` for null.
    pub fn of(v: &Value) -> Option<Scalar> {
        Some(match v {
            Value::Null => return None,
            Value::Bool(b) => Scalar::Text(b.to_string()),
            Value::Int(i) => Scalar::Number(*i as f64),
            Value::Float(f) => Scalar::Number(*f),
            Value::Text(t) => Scalar::Text(t.clone()),
            Value::Date(d) => Scalar::Date(DateOrInstant::Date(*d)),
            Value::DateTime(t) => Scalar::Date(DateOrInstant::DateTime(*t)),
        })
    }
}

/// What a filter is evaluated against.
pub trait Subject {
    type Error;
    /// The values of a property; an unknown name is an error, a null value none.
    fn values(&self, property: &str) -> Result<Vec<Scalar>, Self::Error>;
    /// Whether the subject is one of these (FES `ResourceId`).
    fn has_id(&self, ids: &[String]) -> bool;
    /// A spatial operator between the subject's geometry and a literal.
    fn spatial(&self, op: SpatialOp, left: &Expr, right: &Expr) -> Result<bool, Self::Error>;
    /// A part of the filter this subject cannot evaluate (`what` names it).
    fn unsupported(what: &str) -> Self::Error;
    /// A literal that cannot mean anything (a date that does not read as one).
    fn invalid(message: String) -> Self::Error;
    /// Whether `property` contains `word` (lower case, without wildcards), when the subject
    /// keeps that property's text ready for it (a catalogue record's AnyText); `None` to let the
    /// evaluator test each value.
    fn contains_word(&self, _property: &str, _word: &str) -> Option<bool> {
        None
    }
}

/// Whether `subject` satisfies `filter`.
pub fn matches<S: Subject>(filter: &Filter, subject: &S) -> Result<bool, S::Error> {
    Ok(match filter {
        Filter::And(all) => {
            for f in all {
                if !matches(f, subject)? {
                    return Ok(false);
                }
            }
            true
        }
        Filter::Or(any) => {
            for f in any {
                if matches(f, subject)? {
                    return Ok(true);
                }
            }
            false
        }
        Filter::Not(f) => !matches(f, subject)?,
        Filter::Bool(b) => *b,
        Filter::ResourceId(ids) => subject.has_id(ids),
        Filter::Compare { op, left, right } => {
            let (l, r) = (scalars(left, subject)?, scalars(right, subject)?);
            l.iter().any(|a| r.iter().any(|b| compare(a, b).is_some_and(|o| op_holds(*op, o, a, b))))
        }
        Filter::Like { expr, pattern, .. } => {
            let pattern = pattern.to_lowercase();
            // `%word%`, what catalogue clients send for a keyword search, is a substring test:
            // no per-character copy of every text.
            if let Some(word) = pattern.strip_prefix('%').and_then(|p| p.strip_suffix('%')).filter(|w| !w.contains(['%', '_', '\\'])) {
                if let Expr::Property(p) = expr
                    && let Some(hit) = subject.contains_word(p, word)
                {
                    return Ok(hit);
                }
                return Ok(scalars(expr, subject)?.iter().any(|v| v.text().to_lowercase().contains(word)));
            }
            let pattern: Vec<char> = pattern.chars().collect();
            scalars(expr, subject)?.iter().any(|v| like(&v.text().to_lowercase().chars().collect::<Vec<_>>(), &pattern))
        }
        Filter::Between { expr, low, high } => {
            let (values, low, high) = (scalars(expr, subject)?, scalars(low, subject)?, scalars(high, subject)?);
            values.iter().any(|v| {
                low.iter().any(|l| compare(v, l).is_some_and(|o| o != Ordering::Less || same_day(v, l)))
                    && high.iter().any(|h| compare(v, h).is_some_and(|o| o != Ordering::Greater || same_day(v, h)))
            })
        }
        Filter::In { expr, list } => {
            let values = scalars(expr, subject)?;
            let mut candidates = Vec::new();
            for e in list {
                candidates.extend(scalars(e, subject)?);
            }
            values.iter().any(|v| candidates.iter().any(|c| compare(v, c).is_some_and(|o| op_holds(CompareOp::Eq, o, v, c))))
        }
        Filter::IsNull(expr) => scalars(expr, subject)?.is_empty(),
        Filter::Spatial { op, left, right } => subject.spatial(*op, left, right)?,
        Filter::Distance { .. } => return Err(S::unsupported("a distance operator (DWithin, Beyond)")),
        Filter::Temporal { op, left, right } => temporal(*op, left, right, subject)?,
    })
}

fn scalars<S: Subject>(e: &Expr, subject: &S) -> Result<Vec<Scalar>, S::Error> {
    Ok(match e {
        Expr::Property(name) => subject.values(name)?,
        Expr::Literal(v) => Scalar::of(v).into_iter().collect(),
        Expr::Function { function, args } => {
            let [arg] = args.as_slice() else { return Err(S::unsupported("a function with several arguments")) };
            let fold: fn(&str) -> String = match function {
                Function::CaseInsensitive | Function::Lower => str::to_lowercase,
                Function::Upper => str::to_uppercase,
                Function::AccentInsensitive => fold_accents,
            };
            scalars(arg, subject)?
                .into_iter()
                .map(|s| match s {
                    Scalar::Text(t) => Scalar::Text(fold(&t)),
                    other => other,
                })
                .collect()
        }
        Expr::Arithmetic { .. } => return Err(S::unsupported("arithmetic")),
        Expr::Geometry { .. } => return Err(S::unsupported("a geometry outside a spatial operator")),
        Expr::Interval(_) => return Err(S::unsupported("an interval outside a temporal operator")),
    })
}

/// Lower-cases and strips the accents of Latin letters (`Élévation` → `elevation`).
fn fold_accents(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.to_lowercase().chars() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            c => out.push(c),
        }
    }
    out
}

/// Orders two scalars: dates as dates (a text literal beside a date is read as one), numbers as
/// numbers when both read as numbers, else text. None when a date cannot be read.
fn compare(a: &Scalar, b: &Scalar) -> Option<Ordering> {
    match (a, b) {
        (Scalar::Date(x), Scalar::Date(y)) => Some(x.start().cmp(&y.start())),
        (Scalar::Date(x), other) => Some(x.start().cmp(&DateOrInstant::parse(&other.text())?.start())),
        (other, Scalar::Date(y)) => Some(DateOrInstant::parse(&other.text())?.start().cmp(&y.start())),
        (x, y) => {
            // Numerically when a side is a number and both read as numbers; texts alone are
            // never parsed.
            if matches!((x, y), (Scalar::Number(_), _) | (_, Scalar::Number(_)))
                && let (Ok(m), Ok(n)) = (x.text().trim().parse::<f64>(), y.text().trim().parse::<f64>())
            {
                return m.partial_cmp(&n);
            }
            Some(x.text().cmp(&y.text()))
        }
    }
}

/// Whether two date scalars fall within each other's span (a date equals the instants of its day).
fn same_day(a: &Scalar, b: &Scalar) -> bool {
    // Texts and numbers alone are never dates: no parsing (style rules compare text per feature).
    if !matches!(a, Scalar::Date(_)) && !matches!(b, Scalar::Date(_)) {
        return false;
    }
    let span = |s: &Scalar| match s {
        Scalar::Date(d) => Some((d.start(), d.end())),
        other => DateOrInstant::parse(&other.text()).map(|d| (d.start(), d.end())),
    };
    match (span(a), span(b)) {
        (Some((s1, e1)), Some((s2, e2))) => s1 <= e2 && s2 <= e1,
        _ => false,
    }
}

fn op_holds(op: CompareOp, o: Ordering, a: &Scalar, b: &Scalar) -> bool {
    let equal = o == Ordering::Equal || same_day(a, b);
    match op {
        CompareOp::Eq => equal,
        CompareOp::Ne => !equal,
        CompareOp::Lt => o == Ordering::Less && !equal,
        CompareOp::Le => o == Ordering::Less || equal,
        CompareOp::Gt => o == Ordering::Greater && !equal,
        CompareOp::Ge => o == Ordering::Greater || equal,
    }
}

/// CQL2 LIKE: `%` any string, `_` one character, `\` escapes the next.
fn like(text: &[char], pattern: &[char]) -> bool {
    // Iterative matcher with backtracking to the last `%`, linear in practice.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('%') => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some('\\') if pattern.get(p + 1) == Some(&text[t]) => {
                p += 2;
                t += 1;
                continue;
            }
            Some('_') => {
                p += 1;
                t += 1;
                continue;
            }
            Some(c) if *c != '\\' && *c == text[t] => {
                p += 1;
                t += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|c| *c == '%')
}

fn temporal<S: Subject>(op: TemporalOp, left: &Expr, right: &Expr, subject: &S) -> Result<bool, S::Error> {
    let span = |d: &DateOrInstant| (d.start(), d.end());
    let literal: (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = match right {
        Expr::Interval(i) => (i.start, i.end),
        Expr::Literal(Value::Date(d)) => {
            let (s, e) = span(&DateOrInstant::Date(*d));
            (Some(s), Some(e))
        }
        Expr::Literal(Value::DateTime(t)) => (Some(*t), Some(*t)),
        Expr::Literal(Value::Text(t)) => match DateOrInstant::parse(t) {
            Some(d) => {
                let (s, e) = span(&d);
                (Some(s), Some(e))
            }
            None => return Err(S::invalid(format!("'{t}' is not a date"))),
        },
        _ => return Err(S::unsupported("a temporal operator whose second operand is not a date or period")),
    };
    let values: Vec<(DateTime<Utc>, DateTime<Utc>)> = scalars(left, subject)?
        .into_iter()
        .filter_map(|s| match s {
            Scalar::Date(d) => Some(span(&d)),
            other => DateOrInstant::parse(&other.text()).map(|d| span(&d)),
        })
        .collect();
    let (ls, le) = literal;
    let after_start = |t: DateTime<Utc>| ls.is_none_or(|s| t >= s);
    let before_end = |t: DateTime<Utc>| le.is_none_or(|e| t <= e);
    let holds = |(s, e): (DateTime<Utc>, DateTime<Utc>)| -> Result<bool, S::Error> {
        Ok(match op {
            TemporalOp::After => le.is_some_and(|end| s > end),
            TemporalOp::Before => ls.is_some_and(|start| e < start),
            TemporalOp::During => after_start(s) && before_end(e),
            TemporalOp::Equals => ls == Some(s) && le == Some(e),
            TemporalOp::Intersects => after_start(e) && before_end(s),
            other => return Err(S::unsupported(&format!("the temporal operator {other:?}"))),
        })
    };
    for v in values {
        if holds(v)? {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns() {
        let m = |t: &str, p: &str| like(&t.chars().collect::<Vec<_>>(), &p.chars().collect::<Vec<_>>());
        assert!(m("communes", "%mun%"));
        assert!(m("communes", "c_mmunes"));
        assert!(!m("communes", "c_mmune"));
        assert!(m("100%", "100\\%"));
        assert!(!m("1000", "100\\%"));
        assert!(m("", "%"));
        assert!(m("abcabc", "%abc"));
    }
}
