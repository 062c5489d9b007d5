//! Writes on a moderated layer (`crate::access::Moderation`): the server writes the author and
//! the initial status of a contribution, the author never changes, and only moderators change
//! the status. Which rows a contributor may change (their own) is their grant's write clause.

use std::borrow::Cow;

use super::{EditError, Editor, Given, Proposed};
use crate::access::Moderated;
use crate::source::write::Values;
use crate::source::{Feature, Table};

/// The proposal with what the server writes: on an insert, the author (the editor's login) and,
/// unless a moderator gives one, the initial status. Blank values of those two columns count
/// as not given, since QGIS sends every attribute of a new feature, set or not. Unchanged on a
/// layer without moderation.
pub fn proposal<'p>(m: Option<&Moderated>, p: &'p Proposed, editor: &Editor, insert: bool) -> Result<Cow<'p, Proposed>, EditError> {
    let Some(m) = m else { return Ok(Cow::Borrowed(p)) };
    let rule = &m.rule;
    let given = |column: &str| p.properties.iter().find(|(n, _)| n == column).map(|(_, v)| v).filter(|v| !blank(v));
    if !insert && !p.properties.iter().any(|(n, v)| (*n == rule.status || *n == rule.author) && blank(v)) {
        return Ok(Cow::Borrowed(p));
    }
    let mut p = p.clone();
    p.properties.retain(|(n, v)| !((*n == rule.status || *n == rule.author) && blank(v)));
    if insert {
        let name = editor.name.ok_or_else(|| EditError::LoginRequired(format!("log in to contribute to layer '{}'", rule.layer)))?;
        if given(&rule.author).is_some_and(|v| !is(v, name)) {
            return Err(EditError::Forbidden(format!("'{}' is written by the server: the login of the contributor", rule.author)));
        }
        if !m.moderator && given(&rule.status).is_some_and(|v| !is(v, &rule.initial)) {
            return Err(not_moderator(m));
        }
        p.properties.retain(|(n, _)| *n != rule.author);
        p.properties.push((rule.author.clone(), Given::Text(name.to_string())));
        if given(&rule.status).is_none() {
            p.properties.push((rule.status.clone(), Given::Text(rule.initial.clone())));
        }
    }
    Ok(Cow::Owned(p))
}

/// The columns a replacement keeps from the feature when they are not given.
pub fn kept(m: Option<&Moderated>) -> Vec<&str> {
    m.map(|m| vec![m.rule.status.as_str(), m.rule.author.as_str()]).unwrap_or_default()
}

/// Refuses a change of the author, or of the status by a non-moderator, on `before`.
pub fn settle(m: &Moderated, table: &Table, values: &Values, before: &Feature) -> Result<(), EditError> {
    let current = |column: &str| table.fields.iter().position(|f| f.name == column).and_then(|i| before.properties.get(i));
    let changes = |column: &str| values.columns.iter().any(|(f, v)| f.name == column && current(column) != Some(v));
    if changes(&m.rule.author) {
        return Err(EditError::Forbidden(format!("'{}' is written by the server and never changes", m.rule.author)));
    }
    if !m.moderator && changes(&m.rule.status) {
        return Err(not_moderator(m));
    }
    Ok(())
}

fn not_moderator(m: &Moderated) -> EditError {
    EditError::Forbidden(format!(
        "only moderators change '{}' on layer '{}': contributions land as '{}'",
        m.rule.status, m.rule.layer, m.rule.initial
    ))
}

fn blank(v: &Given) -> bool {
    match v {
        Given::Json(serde_json::Value::Null) => true,
        Given::Json(serde_json::Value::String(s)) | Given::Text(s) => s.trim().is_empty(),
        Given::Json(_) => false,
    }
}

fn is(v: &Given, s: &str) -> bool {
    match v {
        Given::Json(serde_json::Value::String(t)) | Given::Text(t) => t == s,
        Given::Json(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::config::ModerationConfig;
    use ogc::crs::Crs;
    use std::sync::Arc;

    fn moderated(moderator: bool) -> Moderated {
        let rule = ModerationConfig {
            layer: "signalements".into(),
            moderators: vec!["moderateurs".into()],
            status: "statut".into(),
            author: "auteur".into(),
            initial: "en attente".into(),
            published: vec!["publié".into()],
        };
        Moderated { rule: Arc::new(rule), moderator }
    }

    fn proposed(props: &[(&str, Given)]) -> Proposed {
        Proposed { properties: props.iter().map(|(n, v)| (n.to_string(), v.clone())).collect(), geometry: None, crs: Crs::Crs84, authority_axes: false }
    }

    fn value_of<'a>(p: &'a Proposed, n: &str) -> Option<&'a Given> {
        p.properties.iter().find(|(k, _)| k == n).map(|(_, v)| v)
    }

    #[test]
    fn an_insert_gets_the_author_and_the_initial_status() {
        let editor = Editor { name: Some("alice") };
        let p = proposed(&[("titre", Given::Text("Nid de poule".into())), ("statut", Given::Text(" ".into())), ("auteur", Given::Json(serde_json::Value::Null))]);
        let out = proposal(Some(&moderated(false)), &p, &editor, true).unwrap();
        assert!(matches!(value_of(&out, "auteur"), Some(Given::Text(a)) if a == "alice"));
        assert!(matches!(value_of(&out, "statut"), Some(Given::Text(s)) if s == "en attente"));
        assert_eq!(out.properties.len(), 3);
    }

    #[test]
    fn only_moderators_choose_a_status_and_no_one_signs_for_another() {
        let editor = Editor { name: Some("alice") };
        let published = proposed(&[("statut", Given::Text("publié".into()))]);
        assert!(matches!(proposal(Some(&moderated(false)), &published, &editor, true), Err(EditError::Forbidden(m)) if m.contains("only moderators")));
        let out = proposal(Some(&moderated(true)), &published, &editor, true).unwrap();
        assert!(matches!(value_of(&out, "statut"), Some(Given::Text(s)) if s == "publié"));
        let forged = proposed(&[("auteur", Given::Json(serde_json::json!("bob")))]);
        assert!(matches!(proposal(Some(&moderated(true)), &forged, &editor, true), Err(EditError::Forbidden(_))));
        assert!(matches!(proposal(Some(&moderated(false)), &forged, &Editor { name: None }, true), Err(EditError::LoginRequired(_))));
    }

    #[test]
    fn updates_keep_what_is_given_but_blanks() {
        let editor = Editor { name: Some("alice") };
        let p = proposed(&[("titre", Given::Text("x".into()))]);
        assert!(matches!(proposal(Some(&moderated(false)), &p, &editor, false).unwrap(), Cow::Borrowed(_)));
        let p = proposed(&[("titre", Given::Text("x".into())), ("statut", Given::Text(String::new()))]);
        let out = proposal(Some(&moderated(false)), &p, &editor, false).unwrap();
        assert_eq!(out.properties.len(), 1);
    }
}
