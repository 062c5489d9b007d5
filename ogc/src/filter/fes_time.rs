//! Times as FES 2.0 temporal operators take them: `gml:TimeInstant` (a date or date-time
//! literal), `gml:TimePeriod` (an interval) and plain `fes:Literal` text.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::super::{Expr, FilterError};
use super::gml_geometry::content;
use super::xml::{Element, excerpt};
use crate::datetime::Interval;
use crate::value::Value;

/// Whether `element` is a GML time primitive a temporal operator can take.
pub(super) fn is_time(element: &Element) -> bool {
    element.is_gml() && matches!(element.name.as_str(), "TimeInstant" | "TimePeriod")
}

pub(super) fn gml_time(element: &Element) -> Result<Expr, FilterError> {
    match element.name.as_str() {
        "TimeInstant" => instant(element)?
            .map(|t| Expr::Literal(t.value()))
            .ok_or_else(|| FilterError::new(format!("<{}> has no known position to compare with", element.qname))),
        "TimePeriod" => period(element).map(Expr::Interval),
        _ => Err(FilterError::new(format!("expected a gml:TimeInstant or gml:TimePeriod, found <{}>", element.qname))),
    }
}

/// A Literal operand of a temporal operator: a date, a date-time, or `start/end` (an interval as
/// the `datetime` parameter writes it), typed here because the schema cannot tell a literal
/// compared with a time from text.
pub(super) fn literal(text: &str) -> Result<Expr, FilterError> {
    let text = text.trim();
    if text.contains('/') {
        return Interval::parse(text).map(Expr::Interval).map_err(|e| FilterError::new(format!("temporal Literal: {e}")));
    }
    position(text).map(|t| Expr::Literal(t.value()))
}

/// A time position: a date (a whole day) or an instant.
#[derive(Clone, Copy)]
enum Time {
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

impl Time {
    fn value(self) -> Value {
        match self {
            Time::Date(d) => Value::Date(d),
            Time::DateTime(t) => Value::DateTime(t),
        }
    }

    /// The instant that bounds a period: a date's first instant as a begin, its last as an end.
    fn bound(self, is_end: bool) -> DateTime<Utc> {
        match self {
            Time::Date(d) if is_end => d.and_time(NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999).unwrap_or(NaiveTime::MIN)).and_utc(),
            Time::Date(d) => d.and_time(NaiveTime::MIN).and_utc(),
            Time::DateTime(t) => t,
        }
    }
}

/// A `timePosition` value. A date-time without an offset is taken as UTC: GML allows it, and
/// UTC is what the server stores and compares in.
fn position(text: &str) -> Result<Time, FilterError> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Time::DateTime(t.with_timezone(&Utc)));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Ok(Time::DateTime(t.and_utc()));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Time::Date(d));
    }
    Err(FilterError::new(format!("'{}' is not a date (2005-05-19) or date-time (2005-05-19T09:28:40Z)", excerpt(text))))
}

/// The position of a `TimeInstant`; `None` for an unknown one (an open end of a period).
fn instant(element: &Element) -> Result<Option<Time>, FilterError> {
    let children: Vec<&Element> = content(element).collect();
    match children.as_slice() {
        [p] if p.is_gml() && p.name == "timePosition" => time_position(p),
        _ => Err(FilterError::new(format!("<{}> must hold one gml:timePosition", element.qname))),
    }
}

fn time_position(element: &Element) -> Result<Option<Time>, FilterError> {
    let text = element.text.trim();
    match element.attr("indeterminatePosition").map(str::trim) {
        None => {}
        Some("unknown") if text.is_empty() => return Ok(None),
        Some(other) => {
            return Err(FilterError::new(format!(
                "indeterminatePosition '{}' of <{}> is not supported (only 'unknown', for an open end of a period)",
                excerpt(other),
                element.qname
            )));
        }
    }
    if text.is_empty() {
        return Err(FilterError::new(format!("<{}> is empty", element.qname)));
    }
    position(text).map(Some)
}

/// A period's ends, as `beginPosition`/`endPosition` or `begin`/`end` instants. A date stands for
/// its whole day, as in the `datetime` parameter.
fn period(element: &Element) -> Result<Interval, FilterError> {
    let children: Vec<&Element> = content(element).collect();
    let [begin, end] = children.as_slice() else {
        return Err(FilterError::new(format!("<{}> needs a begin and an end (gml:beginPosition and gml:endPosition)", element.qname)));
    };
    let start = end_point(begin, "begin")?.map(|t| t.bound(false));
    let end = end_point(end, "end")?.map(|t| t.bound(true));
    match (start, end) {
        (None, None) => Err(FilterError::new(format!("<{}> needs at least one known end", element.qname))),
        (Some(s), Some(e)) if s > e => Err(FilterError::new(format!("<{}> begins after it ends", element.qname))),
        _ => Ok(Interval { start, end }),
    }
}

fn end_point(element: &Element, which: &str) -> Result<Option<Time>, FilterError> {
    let position = format!("{which}Position");
    if !element.is_gml() {
        return Err(FilterError::new(format!("expected gml:{position} or gml:{which}, found <{}>", element.qname)));
    }
    if element.name == position {
        return time_position(element);
    }
    if element.name != which {
        return Err(FilterError::new(format!("expected gml:{position} or gml:{which}, found <{}>", element.qname)));
    }
    let children: Vec<&Element> = content(element).collect();
    match children.as_slice() {
        [i] if i.is_gml() && i.name == "TimeInstant" => instant(i),
        [] if element.has_attr_named("href") => {
            Err(FilterError::new(format!("<{}> refers to its instant by xlink:href, which is not supported: give it inline", element.qname)))
        }
        _ => Err(FilterError::new(format!("<{}> must hold one gml:TimeInstant", element.qname))),
    }
}
