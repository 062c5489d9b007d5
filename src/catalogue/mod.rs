//! The catalogue CSW answers from: a record generated for every served layer, so the platform
//! describes what it serves without anyone writing metadata first, plus the ISO 19139 records
//! imported into the store (`ossature catalogue import`), which describe data served elsewhere
//! or in more detail.
//!
//! Records are held in memory and searched there (`ogc::csw::search`): a regional catalogue has
//! hundreds to a few thousand records, and the store is read once at start-up.

pub mod store;

use std::path::{Path, PathBuf};

use ogc::csw::import::ImportReport;

use ogc::csw::record::{Contact, DateType, Keywords, RecordDate};
use ogc::csw::layer_links::{LayerServices, online_resources};
use ogc::csw::Record;

use crate::config::ServiceConfig;
use crate::registry::Registry;

/// The id of the catalogue's OGC API Records collection, beside the layers' collections: the
/// word a user of `/collections` expects, and what pycsw and GeoNetwork's OGC API call theirs
/// (`metadata:main`, `main`) would not say to a planner. A layer may not take it.
pub const COLLECTION_ID: &str = "catalogue";

pub struct Catalogue {
    pub records: Vec<Record>,
    /// The union of the records' extents (CRS84), for the Records collection document.
    pub extent: Option<ogc::bbox::Bbox>,
    /// What GetRecords may ask for at once (`[catalogue] max_records`).
    pub limits: ogc::csw::request::Limits,
}

/// The identifier of a served layer's record. Stable across restarts, so harvesters update
/// the record instead of adding a new one each time.
pub fn layer_record_id(layer: &str) -> String {
    format!("ossature-{layer}")
}

/// Where a served layer's ISO 19139 record is: the `MetadataURL` of its capabilities entries.
pub fn layer_record_url(base: &str, layer: &str) -> String {
    ogc::csw::layer_links::iso_record_url(base, &layer_record_id(layer))
}

impl Catalogue {
    /// The layers' records, then the imported ones; an imported record that takes a layer
    /// record's identifier is left out (the server's description of what it serves wins).
    pub fn new(registry: &Registry, base: &str, service: &ServiceConfig, limits: ogc::csw::request::Limits, imported: Vec<Record>) -> Catalogue {
        let today = RecordDate::Date(chrono::Utc::now().date_naive());
        let contact = service.provider.as_ref().map(|p| Contact {
            organisation: p.name.clone(),
            individual: p.contact_name.clone(),
            email: p.contact_email.clone(),
            role: "pointOfContact".to_string(),
        });
        let record = |id: &str, title: &str, description: &str, keywords: &[String], services: LayerServices| {
            let mut r = Record::new(layer_record_id(id), title, today);
            r.abstract_ = description.to_string();
            r.language = Some("fre".to_string());
            r.dates.push((DateType::Publication, today));
            if !keywords.is_empty() {
                r.keywords.push(Keywords { words: keywords.to_vec(), kind: None, thesaurus: None });
            }
            r.contacts.extend(contact.clone());
            r.metadata_contacts.extend(contact.clone());
            r.online_resources = online_resources(&services);
            r
        };
        let services = |layer: &str| LayerServices { base_url: base.to_string(), layer: layer.to_string(), ..LayerServices::default() };
        let mut records = Vec::new();
        for l in &registry.layers {
            let mut r = record(&l.id, &l.title, &l.description, &l.keywords, LayerServices { wfs_type_name: Some(format!("{}:{}", crate::services::wfs::NS_PREFIX, l.id)), features: true, ..services(&l.id) });
            r.bbox = l.extent;
            r.crs = l.crs.iter().map(|c| c.short()).collect();
            r.formats = vec!["GeoJSON".to_string(), "GML 3.2".to_string()];
            records.push(r);
        }
        for l in &registry.rasters {
            let mut r = record(&l.id, &l.title, &l.description, &l.keywords, LayerServices { wms: true, wmts: true, tiles: true, ..services(&l.id) });
            r.bbox = Some(l.extent);
            r.crs = std::iter::once(l.mosaic.crs).chain(l.tile_matrix_sets.iter().map(|s| s.crs)).fold(Vec::new(), |mut v, c| {
                if !v.contains(&c.short()) {
                    v.push(c.short());
                }
                v
            });
            r.formats = l.formats.iter().map(|f| f.media_type().to_string()).collect();
            records.push(r);
        }
        for r in imported {
            if records.iter().any(|l| l.file_identifier == r.file_identifier) {
                tracing::warn!(file_identifier = %r.file_identifier, "imported record left out: a served layer's record has this identifier");
                continue;
            }
            records.push(r);
        }
        let extent = ogc::records::documents::extent(&records);
        Catalogue { records, extent, limits }
    }
}

/// Imports the `*.xml` documents of `folder` into `store`: every document is read first, the
/// good ones are merged by fileIdentifier and written in one transaction, the bad ones (not
/// ISO 19139, unreadable) are named in the report with the reason.
impl Catalogue {
    /// The catalogue without the records of these layers (those a caller may not see).
    pub fn without_layers(&self, layers: &[&str]) -> Catalogue {
        let hidden: Vec<String> = layers.iter().map(|l| layer_record_id(l)).collect();
        let records: Vec<Record> = self.records.iter().filter(|r| !hidden.contains(&r.file_identifier)).cloned().collect();
        let extent = ogc::records::documents::extent(&records);
        Catalogue { records, extent, limits: self.limits }
    }
}

pub async fn import_folder(store: &store::Store, folder: &Path, progress: &indicatif::ProgressBar) -> anyhow::Result<ImportReport> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(|e| anyhow::anyhow!("{}: {e}", folder.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
        .collect();
    files.sort();
    progress.set_length(files.len() as u64);
    let mut documents = Vec::with_capacity(files.len());
    let mut unreadable = Vec::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(text) => documents.push((f.display().to_string(), text)),
            Err(e) => unreadable.push((f.display().to_string(), e.to_string())),
        }
        progress.inc(1);
    }
    let mut records = store.load().await?;
    let mut report = ogc::csw::import::import(&mut records, documents.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    report.skipped.extend(unreadable);
    let changed: std::collections::HashSet<&String> = report.added.iter().chain(&report.updated).collect();
    store.save(records.iter().filter(|r| changed.contains(&r.file_identifier))).await?;
    Ok(report)
}
