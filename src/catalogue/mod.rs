//! The catalogue CSW answers from: a record generated for every served layer, so the platform
//! describes what it serves without anyone writing metadata first, plus the ISO 19139 records
//! imported into the store (`ossature catalogue import`), which describe data served elsewhere
//! or in more detail.
//!
//! A search reads its candidates from the store (its indexes select them,
//! `ogc::csw::prefilter`) unless the store's version (row count, latest write) is the one an
//! earlier search of the same prefilter read them at, so an import is visible without a
//! restart, and to every instance when the store is PostgreSQL; `ogc::csw::search` then
//! decides over the candidates, the layers' records included, so every store gives the same
//! answer. Documents read from the store are kept parsed, by identifier and write time, so a
//! record is parsed once, not per request.

pub mod store;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use ogc::bbox::Bbox;
use ogc::csw::prefilter::Prefilter;
use ogc::filter::Filter;

use ogc::csw::import::ImportReport;

use ogc::csw::record::{Contact, DateType, Keywords, RecordDate};
use ogc::csw::layer_links::{LayerServices, online_resources};
use ogc::csw::transaction::{Changes, Transaction};
use ogc::csw::{CswError, Record};

use crate::config::ServiceConfig;
use crate::registry::Registry;
use crate::source::SourceError;
use store::{Stamp, Store};

/// The id of the catalogue's OGC API Records collection, beside the layers' collections: the
/// word a user of `/collections` expects, and what pycsw and GeoNetwork's OGC API call theirs
/// (`metadata:main`, `main`) would not say to a planner. A layer may not take it.
pub const COLLECTION_ID: &str = "catalogue";

/// Cloned per access view (`for_view`): everything but the layers' records is shared.
#[derive(Clone)]
pub struct Catalogue {
    /// The served layers' records, made at start-up.
    layers: Vec<Arc<Record>>,
    /// Every served layer's record identifier, visible or not: an imported record never takes one.
    layer_ids: Arc<HashSet<String>>,
    store: Option<Store>,
    store_extent: Option<Bbox>,
    /// Records read from the store: identifier → (write time, record).
    read: Arc<RwLock<HashMap<String, (String, Arc<Record>)>>>,
    /// The imported records each prefilter selected, while the store is at the version they
    /// were read at: harvesters and viewers repeat their searches, and a common keyword selects
    /// thousands of records of a large catalogue (reading their rows again per request measured
    /// 6x pycsw on 10,000 records, against 65x with the records held in memory).
    selections: Arc<Mutex<Selections>>,
    /// The union of the records' extents (CRS84) at start-up, for the Records collection
    /// document.
    pub extent: Option<Bbox>,
    /// What GetRecords may ask for at once (`[catalogue] max_records`).
    pub limits: ogc::csw::request::Limits,
    /// The groups that may publish (`[catalogue] publishers`).
    publishers: Arc<[String]>,
    /// Whether this view's caller may publish (CSW Transaction).
    pub publisher: bool,
    /// Held through a transaction, from reading the records to writing them: two transactions
    /// of one instance must not both decide on the records as they were before either.
    transactions: Arc<tokio::sync::Mutex<()>>,
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
    /// The layers' records over the imported ones of `store`, whose extent is `store_extent`.
    pub fn new(registry: &Registry, base: &str, service: &ServiceConfig, limits: ogc::csw::request::Limits, store: Option<Store>, store_extent: Option<Bbox>) -> Catalogue {
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
        let extent = records.iter().filter_map(|r| r.bbox).chain(store_extent).reduce(|a, b| a.union(&b));
        let layer_ids = records.iter().map(|r| r.file_identifier.clone()).collect();
        Catalogue {
            layers: records.into_iter().map(Arc::new).collect(),
            layer_ids: Arc::new(layer_ids),
            store,
            store_extent,
            read: Arc::default(),
            selections: Arc::default(),
            extent,
            limits,
            publishers: Arc::new([]),
            publisher: false,
            transactions: Arc::default(),
        }
    }

    /// The catalogue whose records `publishers` (groups) may change.
    pub fn with_publishers(self, publishers: &[String]) -> Catalogue {
        Catalogue { publishers: publishers.into(), ..self }
    }

    /// Applies a CSW Transaction to the imported records and writes the outcome in one store
    /// transaction. The records are those of the last search's selection (parsed already), so a
    /// transaction does not read the whole store again.
    pub async fn transact(&self, transaction: Transaction) -> Result<Changes, TransactionError> {
        let store = self.store.as_ref().ok_or(TransactionError::Request(CswError::internal("the catalogue has no store to write to")))?;
        let _one_at_a_time = self.transactions.lock().await;
        let imported: Vec<Record> = self.candidates(None).await?.iter().filter(|r| !self.layer_ids.contains(&r.file_identifier)).map(|r| (**r).clone()).collect();
        let changes = ogc::csw::transaction::apply(transaction, imported, |id| self.layer_ids.contains(id))?;
        store.write(&changes.written, &changes.deleted).await?;
        Ok(changes)
    }

    /// The records `filter` may select, in catalogue order: the layers', then the imported ones
    /// by identifier. An imported record that takes a layer record's identifier is left out
    /// (the server's description of what it serves wins).
    pub async fn candidates(&self, filter: Option<&Filter>) -> Result<Vec<Arc<Record>>, SourceError> {
        let mut out = self.layers.clone();
        let Some(store) = &self.store else { return Ok(out) };
        let prefilter = filter.map_or(Prefilter::All, Prefilter::of);
        let version = store.version().await?;
        let key = format!("{prefilter:?}");
        let selected = self.selections.lock().expect("not poisoned").get(&version, &key);
        let selected = match selected {
            Some(records) => records,
            None => {
                let records = Arc::new(self.read_selection(store, &prefilter).await?);
                self.selections.lock().expect("not poisoned").keep(version, key, records.clone());
                records
            }
        };
        out.extend(selected.iter().cloned());
        Ok(out)
    }

    /// The imported records `prefilter` selects, read from the store (documents parsed once per
    /// write time).
    async fn read_selection(&self, store: &Store, prefilter: &Prefilter) -> Result<Vec<Arc<Record>>, SourceError> {
        let stamps: Vec<Stamp> = store.candidates(prefilter).await?.into_iter().filter(|s| !self.layer_ids.contains(&s.file_identifier)).collect();
        let unread: Vec<Stamp> = {
            let read = self.read.read().expect("not poisoned");
            stamps.iter().filter(|s| read.get(&s.file_identifier).is_none_or(|(at, _)| *at != s.imported_at)).cloned().collect()
        };
        if !unread.is_empty() {
            let records = store.documents(&unread).await?;
            let mut read = self.read.write().expect("not poisoned");
            for (s, r) in records {
                read.insert(s.file_identifier, (s.imported_at, Arc::new(r)));
            }
        }
        let read = self.read.read().expect("not poisoned");
        Ok(stamps.iter().filter_map(|s| read.get(&s.file_identifier).map(|(_, r)| r.clone())).collect())
    }

    /// The records of these identifiers, in the order asked, those not in the catalogue left out.
    pub async fn by_ids(&self, ids: &[String]) -> Result<Vec<Arc<Record>>, SourceError> {
        let found = self.candidates(Some(&Filter::ResourceId(ids.to_vec()))).await?;
        Ok(ids.iter().filter_map(|id| found.iter().find(|r| &r.file_identifier == id).cloned()).collect())
    }
}

/// Why a transaction failed: the request (the client's to fix) or the store.
#[derive(Debug, thiserror::Error)]
pub enum TransactionError {
    #[error(transparent)]
    Request(#[from] CswError),
    #[error(transparent)]
    Store(#[from] SourceError),
}

/// Selections by prefilter (its `Debug` form), all read at one store version.
#[derive(Default)]
struct Selections {
    version: Option<(i64, String)>,
    by_prefilter: HashMap<String, Arc<Vec<Arc<Record>>>>,
}

/// Distinct prefilters kept; past it the oldest are not worth tracking, all are dropped.
const MAX_SELECTIONS: usize = 256;

impl Selections {
    fn get(&self, version: &(i64, String), key: &str) -> Option<Arc<Vec<Arc<Record>>>> {
        (self.version.as_ref() == Some(version)).then(|| self.by_prefilter.get(key).cloned()).flatten()
    }

    fn keep(&mut self, version: (i64, String), key: String, records: Arc<Vec<Arc<Record>>>) {
        if self.version.as_ref() != Some(&version) || self.by_prefilter.len() >= MAX_SELECTIONS {
            self.by_prefilter.clear();
            self.version = Some(version);
        }
        self.by_prefilter.insert(key, records);
    }
}

/// Imports the `*.xml` documents of `folder` into `store`: every document is read first, the
impl Catalogue {
    /// The catalogue as members of `groups` see it: without the records of `layers` (those they
    /// may not see), publishing if one of the groups may. The imported records, the store and
    /// what was read from it stay shared.
    pub fn for_view(&self, layers: &[&str], groups: &[String]) -> Catalogue {
        let hidden: HashSet<String> = layers.iter().map(|l| layer_record_id(l)).collect();
        let visible: Vec<Arc<Record>> = self.layers.iter().filter(|r| !hidden.contains(&r.file_identifier)).cloned().collect();
        let extent = visible.iter().filter_map(|r| r.bbox).chain(self.store_extent).reduce(|a, b| a.union(&b));
        let publisher = groups.iter().any(|g| self.publishers.contains(g));
        Catalogue { layers: visible, extent, publisher, ..self.clone() }
    }
}

/// good ones are merged by fileIdentifier and each new or changed one is written in a
/// transaction of its own, the bad ones (not ISO 19139, unreadable) are named in the report
/// with the reason. An import cut short leaves whole records, and running it again completes it.
pub async fn import_folder(store: &Store, folder: &Path, progress: &indicatif::ProgressBar) -> anyhow::Result<ImportReport> {
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
    let changed: HashSet<&String> = report.added.iter().chain(&report.updated).collect();
    for r in records.iter().filter(|r| changed.contains(&r.file_identifier)) {
        store.save(r).await.map_err(|e| anyhow::anyhow!("catalogue store: record {}: {e}", r.file_identifier))?;
    }
    Ok(report)
}
