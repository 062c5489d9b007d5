//! Temporal values of the `datetime` parameter (OGC API Features) and temporal filters:
//! an instant or an interval with open (`..` or empty) ends, as RFC 3339 dates or date-times.

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, Utc};

/// A closed interval in UTC; `None` is an open end. An instant is an interval whose ends are equal
/// (a whole day for a date).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Interval {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatetimeError {
    #[error("'{0}' is not an RFC 3339 date (2021-06-30) or date-time (2021-06-30T12:00:00Z)")]
    NotADatetime(String),
    #[error("the interval starts after it ends")]
    Inverted,
    #[error("an interval needs at least one bounded end")]
    Unbounded,
}

impl Interval {
    pub fn parse(text: &str) -> Result<Interval, DatetimeError> {
        let text = text.trim();
        match text.split_once('/') {
            None => {
                let start = parse_instant(text, false)?;
                let end = parse_instant(text, true)?;
                Ok(Interval { start: Some(start), end: Some(end) })
            }
            Some((a, b)) => {
                let start = parse_end(a, false)?;
                let end = parse_end(b, true)?;
                if start.is_none() && end.is_none() {
                    return Err(DatetimeError::Unbounded);
                }
                if let (Some(s), Some(e)) = (start, end) {
                    if s > e {
                        return Err(DatetimeError::Inverted);
                    }
                }
                Ok(Interval { start, end })
            }
        }
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| t >= s) && self.end.is_none_or(|e| t <= e)
    }

    /// Whether this interval meets `[start, end]` (a feature's own interval or a date's day).
    pub fn intersects(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.start.is_none_or(|s| end >= s) && self.end.is_none_or(|e| start <= e)
    }
}

fn parse_end(text: &str, is_end: bool) -> Result<Option<DateTime<Utc>>, DatetimeError> {
    let text = text.trim();
    if text.is_empty() || text == ".." {
        Ok(None)
    } else {
        parse_instant(text, is_end).map(Some)
    }
}

/// A date stands for its whole day: its first instant at the start of an interval, its last
/// at the end, so `2021-06-30` as an end includes that day.
fn parse_instant(text: &str, is_end: bool) -> Result<DateTime<Utc>, DatetimeError> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Ok(dt.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let time = if is_end { NaiveTime::from_hms_micro_opt(23, 59, 59, 999_999) } else { NaiveTime::from_hms_opt(0, 0, 0) };
        return Ok(d.and_time(time.expect("valid constant time")).and_utc());
    }
    Err(DatetimeError::NotADatetime(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn date_instant_is_whole_day() {
        let i = Interval::parse("2021-06-30").unwrap();
        assert!(i.contains(dt("2021-06-30T00:00:00Z")));
        assert!(i.contains(dt("2021-06-30T23:59:59Z")));
        assert!(!i.contains(dt("2021-07-01T00:00:00Z")));
    }

    #[test]
    fn open_intervals() {
        let i = Interval::parse("../2016-12-31").unwrap();
        assert_eq!(i.start, None);
        assert!(i.contains(dt("2016-12-31T12:00:00Z")));
        let i = Interval::parse("2021-01-01T00:00:00+02:00/").unwrap();
        assert_eq!(i.start, Some(dt("2020-12-31T22:00:00Z")));
        assert_eq!(i.end, None);
    }

    #[test]
    fn rejects_bad() {
        assert!(matches!(Interval::parse("notadate"), Err(DatetimeError::NotADatetime(_))));
        assert_eq!(Interval::parse("../.."), Err(DatetimeError::Unbounded));
        assert_eq!(Interval::parse("2022-01-01/2021-01-01"), Err(DatetimeError::Inverted));
        assert!(Interval::parse("2021-13-01").is_err());
    }
}

/// A date as metadata and attributes write it: a calendar date (ISO 19139 `gco:Date`, a
/// `date` column) or an instant (`gco:DateTime`, a timestamp).
///
/// Kept distinct because a value saying "2024-03-01" does not say "midnight UTC", and writing it
/// back as a date-time would change what the author wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateOrInstant {
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

impl DateOrInstant {
    /// Parses `YYYY-MM-DD`, an RFC 3339 date-time, or a date-time without offset (common in
    /// harvested records, read as UTC). A year-month (`2024-03`) or a year alone, which
    /// `gco:Date` also allows, is read as its first day.
    pub fn parse(text: &str) -> Option<DateOrInstant> {
        let t = text.trim();
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            return Some(DateOrInstant::Date(d));
        }
        if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
            return Some(DateOrInstant::DateTime(dt.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
            if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, format) {
                return Some(DateOrInstant::DateTime(dt.and_utc()));
            }
        }
        if let Ok(d) = NaiveDate::parse_from_str(&format!("{t}-01"), "%Y-%m-%d") {
            return Some(DateOrInstant::Date(d));
        }
        if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            return NaiveDate::parse_from_str(&format!("{t}-01-01"), "%Y-%m-%d").ok().map(DateOrInstant::Date);
        }
        None
    }

    /// The text ISO and Dublin Core output carry: `2024-03-01` or `2024-03-01T10:00:00Z`.
    pub fn to_text(&self) -> String {
        match self {
            DateOrInstant::Date(d) => d.format("%Y-%m-%d").to_string(),
            DateOrInstant::DateTime(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        }
    }

    /// The first instant the date covers, for comparisons and sorting.
    pub fn start(&self) -> DateTime<Utc> {
        match self {
            DateOrInstant::Date(d) => d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(),
            DateOrInstant::DateTime(t) => *t,
        }
    }

    /// The last instant the date covers (the end of the day for a date).
    pub fn end(&self) -> DateTime<Utc> {
        match self {
            DateOrInstant::Date(d) => d.and_hms_milli_opt(23, 59, 59, 999).expect("end of day exists").and_utc(),
            DateOrInstant::DateTime(t) => *t,
        }
    }

    pub fn is_date_time(&self) -> bool {
        matches!(self, DateOrInstant::DateTime(_))
    }
}
