//! Moderated layers (`[[access.moderation]]`), as participatory platforms run them: a
//! contribution lands with an initial status, only moderators change it, and until a moderator
//! publishes it, its author and the moderators alone see it.
//!
//! What a caller sees is a row clause added to their grant (so every face, vector tiles and
//! the tile cache's keys included, follows it); what they may write is checked by the editing
//! core (`crate::edit::contribution`).

use ogc::crs::Crs;
use ogc::filter::{CompareOp, Expr, Filter};
use ogc::value::{FieldType, Value};

use super::ANONYMOUS;
use super::config::ModerationConfig;
use crate::registry::Registry;
use crate::source::Table;

/// A caller's standing on a moderated layer.
#[derive(Debug, Clone)]
pub struct Moderated {
    pub rule: std::sync::Arc<ModerationConfig>,
    pub moderator: bool,
}

impl ModerationConfig {
    /// The section checked against the layer's schema: the status and author are text columns,
    /// and the initial status is not a published one (contributions would land published).
    pub fn check(&self, registry: &Registry) -> Result<(), (&'static str, String)> {
        let layer = registry.layer(&self.layer).ok_or_else(|| ("layer", format!("no vector layer '{}'", self.layer)))?;
        for (key, column) in [("status", &self.status), ("author", &self.author)] {
            match layer.table.field(column) {
                None => return Err((key, format!("'{column}' is not a field of layer '{}'", self.layer))),
                Some(f) if f.ty != FieldType::Text => return Err((key, format!("'{column}' must be a text field"))),
                Some(_) => {}
            }
        }
        if self.status == self.author {
            return Err(("author", "the status and the author must be different fields".into()));
        }
        if self.moderators.is_empty() {
            return Err(("moderators", "name at least one group".into()));
        }
        if self.moderators.iter().any(|g| g == ANONYMOUS) {
            return Err(("moderators", "moderators must log in: 'anonymous' cannot moderate".into()));
        }
        if self.published.is_empty() {
            return Err(("published", "name the statuses every reader sees".into()));
        }
        if self.published.contains(&self.initial) {
            return Err(("initial", format!("'{}' is a published status: contributions would land published", self.initial)));
        }
        Ok(())
    }

    pub fn moderates(&self, groups: &[String]) -> bool {
        self.moderators.iter().any(|g| groups.contains(g))
    }

    /// The rows a non-moderator sees: published ones and, when logged in, their own.
    pub fn visible(&self, table: &Table, name: Option<&str>) -> Filter {
        let published = Filter::In { expr: Expr::Property(self.status.clone()), list: self.published.iter().map(|s| text(s)).collect() };
        let filter = match name {
            Some(_) => Filter::Or(vec![published, self.own(name)]),
            None => published,
        };
        bound(filter, table)
    }

    /// The rows a non-moderator may change: their own contributions.
    pub fn writable(&self, table: &Table, name: Option<&str>) -> Filter {
        bound(self.own(name), table)
    }

    fn own(&self, name: Option<&str>) -> Filter {
        match name {
            Some(n) => Filter::Compare { op: CompareOp::Eq, left: Expr::Property(self.author.clone()), right: text(n) },
            None => Filter::Bool(false),
        }
    }
}

fn text(s: &str) -> Expr {
    Expr::Literal(Value::Text(s.to_string()))
}

/// Bound like the rules' clauses; the columns were checked at start-up, so binding cannot fail.
fn bound(f: Filter, table: &Table) -> Filter {
    crate::bind::bind(f, table, Crs::Crs84).expect("moderation columns are text fields of the table")
}
