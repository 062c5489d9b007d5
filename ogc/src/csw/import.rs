//! Importing ISO 19139 documents into the catalogue: each read with [`super::iso::read`], a bad
//! one reported and skipped, the rest merged by `fileIdentifier` so that importing the same
//! folder twice changes nothing.
//!
//! The server reads the files (this crate does no I/O) and hands their names and texts over.
//! Rules:
//! - a record whose `fileIdentifier` is already imported replaces it (the file was edited) or,
//!   when the document is byte-identical, is counted unchanged;
//! - a record whose `fileIdentifier` is that of a served layer's record (one without
//!   `source_xml`) is skipped: a file must not silently hide what the server generates;
//! - two documents of one batch with the same `fileIdentifier`: the first wins, the second is
//!   skipped, naming the first, so the outcome does not depend on which file was read last.
//!
//! Reading checks what the catalogue needs (an `MD_Metadata` root, an identifier, a title, a
//! date stamp, well-formed XML without DTD) and the rules of `gmd.xsd` in
//! [`super::iso_rules`]. A document failing any of them is skipped whole: nothing of it enters
//! the catalogue.

use super::iso;
use super::record::Record;

/// What an import did, for the import command's report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// fileIdentifiers of new records.
    pub added: Vec<String>,
    /// fileIdentifiers of records replaced by a changed document.
    pub updated: Vec<String>,
    /// fileIdentifiers of records whose document had not changed.
    pub unchanged: Vec<String>,
    /// Document name and why it was skipped.
    pub skipped: Vec<(String, String)>,
}

/// Merges `documents` (name, text) into `catalogue`.
pub fn import<'a>(catalogue: &mut Vec<Record>, documents: impl IntoIterator<Item = (&'a str, &'a str)>) -> ImportReport {
    let mut report = ImportReport::default();
    let mut batch: Vec<(String, &str)> = Vec::new();
    for (name, text) in documents {
        let record = match iso::read_valid(text) {
            Ok(r) => r,
            Err(e) => {
                report.skipped.push((name.to_string(), e.0));
                continue;
            }
        };
        let id = record.file_identifier.clone();
        if let Some((_, first)) = batch.iter().find(|(i, _)| *i == id) {
            report.skipped.push((name.to_string(), format!("fileIdentifier '{id}' is also the identifier of {first}, imported first")));
            continue;
        }
        match catalogue.iter_mut().find(|r| r.file_identifier == id) {
            Some(existing) if existing.source_xml.is_none() => {
                report.skipped.push((name.to_string(), format!("fileIdentifier '{id}' is the identifier of a served layer's record")));
                continue;
            }
            Some(existing) if existing.source_xml == record.source_xml => report.unchanged.push(id.clone()),
            Some(existing) => {
                *existing = record;
                report.updated.push(id.clone());
            }
            None => {
                catalogue.push(record);
                report.added.push(id.clone());
            }
        }
        batch.push((id, name));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csw::ElementSet;
    use crate::csw::test_support::layer_record;

    fn document(id: &str, title: &str) -> String {
        let mut r = layer_record();
        r.file_identifier = id.into();
        r.title = title.into();
        iso::write(&r, ElementSet::Full)
    }

    #[test]
    fn import_is_idempotent_and_reports_every_document() {
        let mut catalogue = vec![layer_record()];
        let (a, b) = (document("a", "A"), document("b", "B"));
        let clash = document("ossature-communes", "hides the layer");
        let twin = document("a", "A again");
        let report = import(
            &mut catalogue,
            [("a.xml", a.as_str()), ("b.xml", b.as_str()), ("bad.xml", "<nope"), ("clash.xml", clash.as_str()), ("twin.xml", twin.as_str())],
        );
        assert_eq!(report.added, ["a", "b"]);
        assert_eq!(report.skipped.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(), ["bad.xml", "clash.xml", "twin.xml"]);
        assert!(report.skipped[0].1.contains("not well-formed"));
        assert!(report.skipped[2].1.contains("a.xml"));
        assert_eq!(catalogue.len(), 3);
        // Again, one file edited.
        let b2 = document("b", "B, revised");
        let report = import(&mut catalogue, [("a.xml", a.as_str()), ("b.xml", b2.as_str())]);
        assert_eq!((report.unchanged, report.updated, report.added), (vec!["a".to_string()], vec!["b".to_string()], vec![]));
        assert_eq!(catalogue.len(), 3);
        assert_eq!(catalogue[2].title, "B, revised");
    }
}
