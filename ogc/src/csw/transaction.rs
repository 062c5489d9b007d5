//! CSW 2.0.2 Transaction (OGC 07-006r1, 10.11): the request read into actions, the actions
//! applied to the imported records, giving what the store must write in one database
//! transaction, and the `csw:TransactionResponse`.
//!
//! Choices:
//! - Inserted and replacing records are ISO 19139 `gmd:MD_Metadata` documents checked as an
//!   import checks them ([`super::iso::read_valid`]): the store keeps ISO documents, and a Dublin
//!   Core `csw:Record` holds too little to make one. Another record type is refused by name.
//! - `csw:Update` replaces a record whole (its record form). The property form
//!   (`csw:RecordProperty` + `csw:Constraint`) is OperationNotSupported: setting one property
//!   would rewrite a document its author wrote, in a way the author never sees.
//! - Actions apply in order, all or none: inserting an identifier the catalogue has, updating
//!   one it lacks, or touching a served layer's record (the server writes those) fails the
//!   whole transaction, so a harvester or a publisher's script never leaves half a batch.
//! - A Delete removes the imported records its constraint matches at that point of the
//!   transaction. Served layers' records are outside any transaction: a constraint matching
//!   them leaves them there.

use std::collections::BTreeMap;

use super::error::CswError;
use super::record::Record;
use super::request::{self, Elements};
use super::xml_request::constraint_of;
use super::{CSW_NS, ElementSet, GMD_NS, dublin_core, iso, search};
use crate::filter::Filter;
use crate::ows::xml::XmlWriter;
use crate::ows::xml_tree::Element;
use quick_xml::events::{BytesStart, BytesText, Event};

#[derive(Clone, Debug, PartialEq)]
pub struct Transaction {
    pub actions: Vec<Action>,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Insert { handle: Option<String>, records: Vec<Record> },
    Update(Record),
    Delete(Filter),
}

/// Reads a `csw:Transaction` element (its version checked by the caller).
pub(crate) fn parse(root: &Element) -> Result<Transaction, CswError> {
    let mut actions = Vec::new();
    for child in &root.children {
        if child.ns.as_deref() != Some(CSW_NS) {
            return Err(CswError::invalid("request", format!("unexpected <{}> in csw:Transaction (csw:Insert, csw:Update or csw:Delete)", child.qname)));
        }
        actions.push(match child.name.as_str() {
            "Insert" => {
                check_type_name(child, "Insert")?;
                let records = child.children.iter().map(|c| record_of(c, "Insert")).collect::<Result<Vec<_>, _>>()?;
                if records.is_empty() {
                    return Err(CswError::missing("Insert", "csw:Insert holds no record"));
                }
                Action::Insert { handle: child.attr("handle").map(str::to_string), records }
            }
            "Update" => match child.children.as_slice() {
                [record] if !record.is(CSW_NS, "RecordProperty") && !record.is(CSW_NS, "Constraint") => Action::Update(record_of(record, "Update")?),
                [] => return Err(CswError::missing("Update", "csw:Update holds no record")),
                _ if child.child(CSW_NS, "RecordProperty").is_some() => {
                    return Err(CswError::not_supported(
                        "RecordProperty",
                        "updating record properties is not supported: send the whole updated gmd:MD_Metadata in csw:Update",
                    ));
                }
                _ => return Err(CswError::invalid("Update", "csw:Update holds one record")),
            },
            "Delete" => {
                check_type_name(child, "Delete")?;
                let constraint = match child.children.as_slice() {
                    [c] if c.is(CSW_NS, "Constraint") => constraint_of(c)?,
                    _ => return Err(CswError::missing("Constraint", "csw:Delete holds one csw:Constraint selecting the records to delete")),
                };
                Action::Delete(constraint)
            }
            _ => return Err(CswError::invalid("request", format!("unexpected <{}> in csw:Transaction (csw:Insert, csw:Update or csw:Delete)", child.qname))),
        });
    }
    if actions.is_empty() {
        return Err(CswError::missing("request", "csw:Transaction holds no csw:Insert, csw:Update or csw:Delete"));
    }
    Ok(Transaction { actions, request_id: root.attr("requestId").map(str::to_string) })
}

fn check_type_name(action: &Element, locator: &str) -> Result<(), CswError> {
    match action.attr("typeName") {
        Some(t) => request::type_names(t, locator).map(drop),
        None => Ok(()),
    }
}

/// A record of an Insert or Update: an ISO document, kept verbatim by the request reader.
fn record_of(element: &Element, locator: &str) -> Result<Record, CswError> {
    let document = match (element.is(GMD_NS, "MD_Metadata"), &element.xml) {
        (true, Some(document)) => document,
        _ => {
            return Err(CswError::invalid(
                locator,
                format!("<{}> cannot be stored: the catalogue keeps ISO 19139 records, send gmd:MD_Metadata", element.qname),
            ));
        }
    };
    iso::read_valid(document).map_err(|e| CswError::invalid(locator, format!("the record is refused: {e}")))
}

/// What a transaction does to the store: the records to write (new or replacing) and the
/// identifiers to delete, with the counts and inserted records the response reports.
#[derive(Debug, Default)]
pub struct Changes {
    pub written: Vec<Record>,
    pub deleted: Vec<String>,
    /// The inserted records, by the handle of their csw:Insert.
    pub inserted: Vec<(Option<String>, Vec<Record>)>,
    pub total_inserted: usize,
    pub total_updated: usize,
    pub total_deleted: usize,
}

/// Applies the actions, in order, to `imported` (the store's records); `served` tells a served
/// layer's record identifier.
pub fn apply(transaction: Transaction, imported: Vec<Record>, served: impl Fn(&str) -> bool) -> Result<Changes, CswError> {
    let mut records: BTreeMap<String, Record> = imported.into_iter().map(|r| (r.file_identifier.clone(), r)).collect();
    let mut touched: BTreeMap<String, bool> = BTreeMap::new(); // identifier → still there
    let mut changes = Changes::default();
    let refuse_served = |id: &str, locator: &str| match served(id) {
        true => Err(CswError::invalid(locator, format!("'{id}' is the record of a served layer: the server writes it, a transaction cannot"))),
        false => Ok(()),
    };
    for action in transaction.actions {
        match action {
            Action::Insert { handle, records: new } => {
                for r in &new {
                    refuse_served(&r.file_identifier, "Insert")?;
                    if records.contains_key(&r.file_identifier) || new.iter().filter(|o| o.file_identifier == r.file_identifier).count() > 1 {
                        return Err(CswError::invalid("Insert", format!("a record '{}' exists already: replace it with csw:Update", r.file_identifier)));
                    }
                }
                for r in &new {
                    records.insert(r.file_identifier.clone(), r.clone());
                    touched.insert(r.file_identifier.clone(), true);
                }
                changes.total_inserted += new.len();
                changes.inserted.push((handle, new));
            }
            Action::Update(r) => {
                refuse_served(&r.file_identifier, "Update")?;
                if !records.contains_key(&r.file_identifier) {
                    return Err(CswError::invalid("Update", format!("no record '{}' to update: insert it with csw:Insert", r.file_identifier)));
                }
                touched.insert(r.file_identifier.clone(), true);
                records.insert(r.file_identifier.clone(), r);
                changes.total_updated += 1;
            }
            Action::Delete(filter) => {
                let mut matched = Vec::new();
                for r in records.values() {
                    if search::matches(&filter, r)? {
                        matched.push(r.file_identifier.clone());
                    }
                }
                for id in &matched {
                    records.remove(id);
                    touched.insert(id.clone(), false);
                }
                changes.total_deleted += matched.len();
            }
        }
    }
    for (id, kept) in touched {
        match (kept, records.remove(&id)) {
            (true, Some(r)) => changes.written.push(r),
            _ => changes.deleted.push(id),
        }
    }
    Ok(changes)
}

const PUBLICATION_SCHEMA: &str = "http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-publication.xsd";

/// The `csw:TransactionResponse`: the summary, and a brief record of each inserted one.
pub fn response(changes: &Changes, request_id: Option<&str>) -> String {
    super::response::document_in(PUBLICATION_SCHEMA, "csw:TransactionResponse", &[("version", super::VERSION)], |w| {
        let mut summary = BytesStart::new("csw:TransactionSummary");
        if let Some(id) = request_id {
            summary.push_attribute(("requestId", id));
        }
        w.write_event(Event::Start(summary.borrow()))?;
        for (name, n) in [("csw:totalInserted", changes.total_inserted), ("csw:totalUpdated", changes.total_updated), ("csw:totalDeleted", changes.total_deleted)] {
            text_element(w, name, &n.to_string())?;
        }
        w.write_event(Event::End(summary.to_end()))?;
        for (handle, records) in &changes.inserted {
            let mut result = BytesStart::new("csw:InsertResult");
            if let Some(h) = handle {
                result.push_attribute(("handleRef", h.as_str()));
            }
            w.write_event(Event::Start(result.borrow()))?;
            for r in records {
                dublin_core::write(w, r, &Elements::Set(ElementSet::Brief))?;
            }
            w.write_event(Event::End(result.to_end()))?;
        }
        Ok(())
    })
}

fn text_element(w: &mut XmlWriter, name: &str, text: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesStart::new(name).to_end()))
}

#[cfg(test)]
#[path = "transaction_tests.rs"]
mod tests;
