//! The TIME parameter (WMS 1.3.0 Annex C / 1.1.1 Annex C) and its check against a layer's time
//! dimension.
//!
//! A request value is a comma-separated list of instants and intervals `start/end[/period]`,
//! or `current`. Dimension values in capabilities are written the same way. Matching is by
//! overlap: a requested instant matches an advertised instant at that time (a date: that day),
//! and an interval matches any advertised value it meets. Advertised `start/end/period` ranges
//! are matched on their extent, not on each step of the period: a request between two steps is
//! accepted and the source answers with what it has there.

use chrono::{DateTime, Utc};

use crate::datetime::Interval;

/// One item of a TIME value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimeItem {
    /// `current`: the most recent data.
    Current,
    /// An instant (`start == end`, a whole day for a date) or an interval; `period` is the
    /// resolution of `start/end/period`, kept as written (an ISO 8601 duration).
    Range { interval: Interval, period: Option<String> },
}

/// A parsed TIME value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeValue {
    pub items: Vec<TimeItem>,
}

impl TimeValue {
    pub fn parse(text: &str) -> Result<TimeValue, String> {
        let items = text
            .split(',')
            .map(str::trim)
            .map(|item| {
                if item.is_empty() {
                    return Err(format!("'{text}' has an empty item"));
                }
                if item.eq_ignore_ascii_case("current") {
                    return Ok(TimeItem::Current);
                }
                let (range, period) = split_period(item)?;
                let interval = Interval::parse(range).map_err(|e| format!("'{item}': {e}"))?;
                Ok(TimeItem::Range { interval, period })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TimeValue { items })
    }
}

/// `start/end/period` → (`start/end`, period); an instant or `start/end` are left whole.
fn split_period(item: &str) -> Result<(&str, Option<String>), String> {
    let parts: Vec<&str> = item.split('/').collect();
    match parts.len() {
        1 | 2 => Ok((item, None)),
        3 => {
            let period = parts[2].trim();
            if !period.starts_with('P') || period.len() < 3 {
                return Err(format!("'{period}' is not an ISO 8601 period (P1D, PT1H, ...)"));
            }
            let end = item.len() - parts[2].len() - 1;
            Ok((&item[..end], Some(period.to_string())))
        }
        _ => Err(format!("'{item}' is neither an instant nor start/end[/period]")),
    }
}

fn overlaps(a: &Interval, b: &Interval) -> bool {
    let start = a.start.unwrap_or(DateTime::<Utc>::MIN_UTC);
    let end = a.end.unwrap_or(DateTime::<Utc>::MAX_UTC);
    b.intersects(start, end)
}

/// Whether `value` asks only for times a dimension offers. `allowed` are the advertised values
/// (as in capabilities), `current` whether `current` is offered, `nearest` whether the
/// dimension snaps to the nearest value (then any well-formed time is accepted).
pub fn admits(value: &TimeValue, allowed: &[String], current: bool, nearest: bool) -> bool {
    if nearest {
        return value.items.iter().all(|i| current || !matches!(i, TimeItem::Current));
    }
    let allowed: Vec<Interval> = allowed
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|v| split_period(v.trim()).ok().and_then(|(r, _)| Interval::parse(r).ok()))
        .collect();
    value.items.iter().all(|item| match item {
        TimeItem::Current => current,
        TimeItem::Range { interval, .. } => allowed.iter().any(|a| overlaps(interval, a)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(values: &[&str]) -> Vec<String> {
        values.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_lists_intervals_periods_and_current() {
        let v = TimeValue::parse("2020-01-01, 2021-06-30T12:00:00Z/2021-07-01T00:00:00Z/PT1H,current").unwrap();
        assert_eq!(v.items.len(), 3);
        assert!(matches!(&v.items[1], TimeItem::Range { period: Some(p), .. } if p == "PT1H"));
        assert_eq!(v.items[2], TimeItem::Current);
        assert!(matches!(&v.items[0], TimeItem::Range { period: None, .. }));
    }

    #[test]
    fn refuses_malformed() {
        for text in [
            "",
            "2020-13-01",
            "yesterday",
            "2020-01-01/2019-01-01",
            "2020-01-01/2021-01-01/1D",
            "a/b/c/d",
            "2020-01-01,,2021-01-01",
        ] {
            assert!(TimeValue::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn matches_by_overlap() {
        let years = allowed(&["2018-01-01,2020-01-01", "2022-01-01"]);
        let ok = |t: &str| admits(&TimeValue::parse(t).unwrap(), &years, false, false);
        assert!(ok("2018-01-01"));
        assert!(ok("2020-01-01T10:00:00Z"), "a date advertised covers its day");
        assert!(ok("2019-01-01/2020-06-01"));
        assert!(ok("2018-01-01,2022-01-01"));
        assert!(!ok("2019-01-01"));
        assert!(!ok("2018-01-01,2019-01-01"), "every item must be offered");
        assert!(!ok("current"));

        let range = allowed(&["2000-01-01/2020-12-31/P1Y"]);
        assert!(admits(&TimeValue::parse("2010-05-01").unwrap(), &range, false, false));
        assert!(!admits(&TimeValue::parse("2021-05-01").unwrap(), &range, false, false));
        assert!(admits(&TimeValue::parse("current").unwrap(), &range, true, false));
        assert!(admits(&TimeValue::parse("1900-01-01").unwrap(), &range, false, true), "nearest value snaps");
    }
}
