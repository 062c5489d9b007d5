//! Attribute values and field types shared by every encoding (GeoJSON, GML, HTML, JSON Schema).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// The type of a layer field, as read from the source's schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Boolean,
    Integer,
    Number,
    Text,
    Date,
    DateTime,
}

impl FieldType {
    /// JSON Schema `type` and `format`, as used in queryables and OpenAPI.
    pub fn json_schema(&self) -> serde_json::Value {
        match self {
            FieldType::Boolean => serde_json::json!({"type": "boolean"}),
            FieldType::Integer => serde_json::json!({"type": "integer"}),
            FieldType::Number => serde_json::json!({"type": "number"}),
            FieldType::Text => serde_json::json!({"type": "string"}),
            FieldType::Date => serde_json::json!({"type": "string", "format": "date"}),
            FieldType::DateTime => serde_json::json!({"type": "string", "format": "date-time"}),
        }
    }

    pub fn is_temporal(&self) -> bool {
        matches!(self, FieldType::Date | FieldType::DateTime)
    }

    /// Reads a query-string value as this type, so a property filter binds a typed parameter
    /// (and a mistyped value is a client error, not a database error).
    pub fn parse_literal(&self, text: &str) -> Option<Value> {
        Some(match self {
            FieldType::Boolean => Value::Bool(match text {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => return None,
            }),
            FieldType::Integer => Value::Int(text.trim().parse().ok()?),
            FieldType::Number => Value::Float(text.trim().parse().ok().filter(|v: &f64| v.is_finite())?),
            FieldType::Text => Value::Text(text.to_string()),
            FieldType::Date => Value::Date(NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?),
            FieldType::DateTime => Value::DateTime(DateTime::parse_from_rfc3339(text.trim()).ok()?.with_timezone(&Utc)),
        })
    }
}

/// One attribute value of a feature.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

impl Value {
    /// Appends the value as JSON.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Int(i) => out.extend_from_slice(itoa(*i).as_bytes()),
            Value::Float(f) if f.is_finite() => out.extend_from_slice(ryu::Buffer::new().format_finite(*f).as_bytes()),
            Value::Float(_) => out.extend_from_slice(b"null"),
            Value::Text(s) => write_json_string(out, s),
            Value::Date(_) | Value::DateTime(_) => write_json_string(out, &self.to_text()),
        }
    }

    /// The value as text, as HTML pages and plain-text encodings show it (empty for null).
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::DateTime(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        }
    }
}

fn itoa(i: i64) -> String {
    i.to_string()
}

/// Appends `s` as a JSON string literal.
pub fn write_json_string(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaping is correct for every control character and cannot fail on a Vec.
    serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: Value) -> String {
        let mut out = Vec::new();
        v.write_json(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn writes_json() {
        assert_eq!(json(Value::Text("a\"b\n".into())), r#""a\"b\n""#);
        assert_eq!(json(Value::Float(0.1)), "0.1");
        assert_eq!(json(Value::Float(f64::NAN)), "null");
        assert_eq!(json(Value::Int(-3)), "-3");
        assert_eq!(json(Value::Date(NaiveDate::from_ymd_opt(2021, 6, 30).unwrap())), r#""2021-06-30""#);
    }

    #[test]
    fn parses_literals() {
        assert_eq!(FieldType::Integer.parse_literal("12"), Some(Value::Int(12)));
        assert_eq!(FieldType::Integer.parse_literal("x"), None);
        assert_eq!(FieldType::Number.parse_literal("inf"), None);
        assert_eq!(FieldType::Date.parse_literal("2021-02-30"), None);
    }
}
