//! SQL text built from the filter AST, with values always bound as parameters.

use chrono::{DateTime, NaiveDate, Utc};
use ogc::value::Value;

use super::{Order, Query, Table};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Sqlite,
}

/// A bound parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    Bytes(Vec<u8>),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

impl From<&Value> for Param {
    fn from(v: &Value) -> Param {
        match v {
            Value::Bool(b) => Param::Bool(*b),
            Value::Int(i) => Param::Int(*i),
            Value::Float(f) => Param::Float(*f),
            Value::Text(s) => Param::Text(s.clone()),
            Value::Date(d) => Param::Date(*d),
            Value::DateTime(t) => Param::DateTime(*t),
            Value::Null => Param::Text(String::new()),
        }
    }
}

pub struct Sql {
    pub text: String,
    pub params: Vec<Param>,
    dialect: Dialect,
}

impl Sql {
    pub fn new(dialect: Dialect) -> Sql {
        Sql { text: String::with_capacity(256), params: Vec::new(), dialect }
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    pub fn push(&mut self, s: &str) -> &mut Sql {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder for `p`.
    pub fn param(&mut self, p: Param) -> &mut Sql {
        self.params.push(p);
        match self.dialect {
            Dialect::Postgres => {
                let n = self.params.len();
                self.text.push('$');
                self.text.push_str(&n.to_string());
            }
            Dialect::Sqlite => self.text.push('?'),
        }
        self
    }

    pub fn ident(&mut self, name: &str) -> &mut Sql {
        self.text.push_str(&quote_ident(name));
        self
    }

    /// Appends ` ORDER BY ...`: the query's keys, then the table's stable order so paging
    /// never returns a feature twice; nothing for an unordered query.
    pub fn order_by(&mut self, table: &Table, query: &Query) {
        if query.unordered {
            return;
        }
        self.push(" ORDER BY ");
        for (name, ascending) in &query.sort {
            self.ident(name).push(if *ascending { " ASC, " } else { " DESC, " });
        }
        match (&table.order, &table.id) {
            (Order::Id, Some(id)) => {
                self.ident(&id.name);
            }
            (Order::Ctid, _) => {
                self.push("ctid");
            }
            _ => {
                for f in &table.fields {
                    self.ident(&f.name).push(", ");
                }
                self.ident(&table.geometry_column);
            }
        }
    }
}

/// `SELECT id, fields..., geometry FROM table` (`fields`: the table's, or those a query selects). Columns are aliased by position (`c0`, `c1`...)
/// so that names in WHERE and ORDER BY always mean the table's columns, never a cast output
/// column of the same name (which would defeat the key index).
pub fn select(dialect: Dialect, table: &Table, fields: &[super::Field], cast: fn(&super::Field) -> String, null_id: &str, geometry: &str) -> Sql {
    let mut sql = Sql::new(dialect);
    sql.push("SELECT ");
    sql.push(&table.id.as_ref().map_or_else(|| null_id.to_string(), cast)).push(" AS c0");
    for (i, f) in fields.iter().enumerate() {
        sql.push(", ").push(&cast(f)).push(&format!(" AS c{}", i + 1));
    }
    sql.push(", ").push(geometry).push(" AS g FROM ").ident(&table.name);
    sql
}

/// `select` narrowed to one feature by its id as written in a URL; `None` when the text cannot
/// be an id of this table (so no query is needed to answer 404).
pub fn by_id(mut select: Sql, table: &Table, id: &str) -> Option<Sql> {
    let field = table.id.as_ref()?;
    let value = field.ty.parse_literal(id)?;
    select.push(" WHERE ").ident(&field.name).push(" = ").param(Param::from(&value));
    Some(select)
}

/// Double-quotes an identifier, or each part of `schema.table`.
pub fn quote_ident(name: &str) -> String {
    name.split('.').map(|part| format!("\"{}\"", part.replace('"', "\"\""))).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("public.communes"), "\"public\".\"communes\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn numbers_placeholders_per_dialect() {
        let mut pg = Sql::new(Dialect::Postgres);
        pg.param(Param::Int(1)).push(",").param(Param::Int(2));
        assert_eq!(pg.text, "$1,$2");
        let mut lite = Sql::new(Dialect::Sqlite);
        lite.param(Param::Int(1)).push(",").param(Param::Int(2));
        assert_eq!(lite.text, "?,?");
    }
}
