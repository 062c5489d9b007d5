//! Shared test fixtures: a layer record as the server builds one, and a wrapper schema for
//! validating CSW responses that carry ISO records.

use std::path::PathBuf;
use std::sync::OnceLock;

use super::record::{Contact, DateType, Keywords, OnlineResource, Record, RecordDate, Thesaurus, protocols};
use crate::bbox::Bbox;
use crate::ows::schema_check::schemas_dir;

/// A served layer's record with every modelled field set, and text that needs escaping.
pub fn layer_record() -> Record {
    let mut r = Record::new("ossature-communes", "Communes d'Occitanie <2024> & EPCI", RecordDate::parse("2024-05-02T10:30:00Z").unwrap());
    r.abstract_ = "Limites administratives des communes (source : IGN Admin Express).".into();
    r.language = Some("fre".into());
    r.dates = vec![
        (DateType::Creation, RecordDate::parse("2019-01-15").unwrap()),
        (DateType::Revision, RecordDate::parse("2024-04-30").unwrap()),
    ];
    r.keywords = vec![
        Keywords { words: vec!["communes".into(), "limites administratives".into()], kind: None, thesaurus: None },
        Keywords {
            words: vec!["Unités administratives".into()],
            kind: Some("theme".into()),
            thesaurus: Some(Thesaurus { title: "GEMET - INSPIRE themes, version 1.0".into(), date: Some((DateType::Publication, RecordDate::parse("2008-06-01").unwrap())) }),
        },
    ];
    r.topic_categories = vec!["boundaries".into()];
    r.formats = vec!["GeoPackage".into(), "application/json".into()];
    r.bbox = Some(Bbox { min_x: -0.33, min_y: 42.33, max_x: 4.85, max_y: 45.05 });
    r.crs = vec!["EPSG:2154".into(), "EPSG:4326".into()];
    r.metadata_contacts = vec![Contact { organisation: Some("Région Occitanie".into()), individual: None, email: Some("sig@example.org".into()), role: "pointOfContact".into() }];
    r.contacts = vec![Contact { organisation: Some("IGN".into()), individual: Some("Service clients".into()), email: None, role: "originator".into() }];
    r.lineage = Some("Extraction d'Admin Express COG 2024, simplifiée à 1 m.".into());
    r.online_resources = vec![
        OnlineResource { url: "https://geo.example.org/wms?".into(), protocol: Some(protocols::WMS.into()), name: Some("communes".into()), description: Some("Carte WMS".into()) },
        OnlineResource { url: "https://geo.example.org/wfs?".into(), protocol: Some(protocols::WFS.into()), name: Some("ossature:communes".into()), description: None },
        OnlineResource { url: "https://geo.example.org/collections/communes".into(), protocol: Some(protocols::OGC_API_FEATURES.into()), name: None, description: None },
    ];
    r
}

/// A schema importing CSW 2.0.2 discovery and ISO 19139 gmd from their local files, for
/// documents that mix them (CSW responses carrying `gmd:MD_Metadata`). Written once per test
/// process to the temporary folder; the path is absolute, which `schema_check::validate`
/// accepts as is (`Path::join` keeps an absolute path).
pub fn csw_and_gmd_schema() -> String {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    let path = PATH.get_or_init(|| {
        let dir = schemas_dir();
        let file = |p: &str| dir.join(p).display().to_string();
        let schema = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:import namespace="http://www.opengis.net/cat/csw/2.0.2" schemaLocation="{}"/>
  <xs:import namespace="http://www.isotc211.org/2005/gmd" schemaLocation="{}"/>
</xs:schema>
"#,
            file("csw/2.0.2/CSW-discovery.xsd"),
            file("iso/19139/20070417/gmd/gmd.xsd")
        );
        // One file for every run (its content depends only on the schema folder), written
        // under a temporary name and renamed, so concurrent test processes never see half of it.
        let path = std::env::temp_dir().join("ossature-csw-gmd-wrapper.xsd");
        let partial = std::env::temp_dir().join(format!("ossature-csw-gmd-wrapper.{}.tmp", std::process::id()));
        std::fs::write(&partial, schema).expect("write the wrapper schema");
        std::fs::rename(&partial, &path).expect("move the wrapper schema in place");
        path
    });
    path.display().to_string()
}

pub const GMD_SCHEMA: &str = "iso/19139/20070417/gmd/gmd.xsd";
pub const CSW_SCHEMA: &str = "csw/2.0.2/CSW-discovery.xsd";
