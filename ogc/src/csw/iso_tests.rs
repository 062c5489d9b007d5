use super::*;
use crate::csw::test_support::{GMD_SCHEMA, layer_record};
use crate::ows::schema_check::validate;

#[test]
fn every_element_set_validates_against_gmd() {
    let r = layer_record();
    for set in [ElementSet::Brief, ElementSet::Summary, ElementSet::Full] {
        validate(&write(&r, set), GMD_SCHEMA);
    }
    // The bare minimum too: no contact, no dates, no language, no extent.
    let bare = Record::new("x", "t", RecordDate::parse("2024-01-01").unwrap());
    for set in [ElementSet::Brief, ElementSet::Summary, ElementSet::Full] {
        let doc = write(&bare, set);
        assert!(doc.contains("gco:nilReason=\"missing\""));
        validate(&doc, GMD_SCHEMA);
    }
}

#[test]
fn brief_is_a_subset() {
    let r = layer_record();
    let brief = write(&r, ElementSet::Brief);
    assert!(brief.contains("<gco:CharacterString>ossature-communes</gco:CharacterString>"));
    assert!(brief.contains("&lt;2024&gt; &amp; EPCI"), "{brief}");
    assert!(brief.contains("<gco:Decimal>42.33</gco:Decimal>"));
    assert!(!brief.contains("gmd:keyword"));
    assert!(!brief.contains("gmd:onLine"));
    let summary = write(&r, ElementSet::Summary);
    assert!(summary.contains("gmd:keyword"));
    assert!(summary.contains("<gco:CharacterString>OGC:WMS</gco:CharacterString>"));
    assert!(!summary.contains("metadataStandardName"));
    assert!(write(&r, ElementSet::Full).contains("metadataStandardName"));
}

#[test]
fn round_trip_writer_to_reader() {
    let r = layer_record();
    let doc = write(&r, ElementSet::Full);
    let mut back = read(&doc).unwrap();
    assert_eq!(back.source_xml.as_deref(), Some(doc.as_str()));
    back.source_xml = None;
    assert_eq!(back, r);
}

#[test]
fn brief_round_trip_keeps_the_brief_fields() {
    let r = layer_record();
    let back = read(&write(&r, ElementSet::Brief)).unwrap();
    assert_eq!((back.file_identifier.as_str(), back.title.as_str(), back.bbox), (r.file_identifier.as_str(), r.title.as_str(), r.bbox));
    assert!(back.keywords.is_empty());
}

#[test]
fn imported_full_record_is_returned_verbatim() {
    let source = format!("\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- harvested -->\n{}", FOREIGN);
    let r = read(&source).unwrap();
    assert_eq!(write(&r, ElementSet::Full), source);
    let mut w = crate::ows::xml::document();
    write_element(&mut w, &r, ElementSet::Full).unwrap();
    let embedded = String::from_utf8(w.into_inner()).unwrap();
    assert_eq!(embedded.matches("<?xml").count(), 1, "{embedded}");
    assert!(embedded.contains("<!-- harvested -->"));
    // Brief and summary are rewritten from the model.
    assert!(!write(&r, ElementSet::Brief).contains("harvested"));
}

/// An ISO record as other catalogues write them: default namespace prefixes differ, gmx:Anchor
/// keywords, a codeSpace on the CRS, a DateTime stamp without offset, a service extent.
const FOREIGN: &str = r#"<MD_Metadata xmlns="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gmx="http://www.isotc211.org/2005/gmx" xmlns:xlink="http://www.w3.org/1999/xlink">
  <fileIdentifier><gco:CharacterString> 0f1e-ocs2d </gco:CharacterString></fileIdentifier>
  <language><gco:CharacterString>eng</gco:CharacterString></language>
  <hierarchyLevel><MD_ScopeCode codeList="x#MD_ScopeCode" codeListValue="series"/></hierarchyLevel>
  <contact><CI_ResponsibleParty><organisationName><gco:CharacterString>DREAL</gco:CharacterString></organisationName><role><CI_RoleCode codeList="x" codeListValue="custodian"/></role></CI_ResponsibleParty></contact>
  <dateStamp><gco:DateTime>2023-11-02T08:00:00</gco:DateTime></dateStamp>
  <referenceSystemInfo><MD_ReferenceSystem><referenceSystemIdentifier><RS_Identifier><code><gco:CharacterString>2154</gco:CharacterString></code><codeSpace><gco:CharacterString>EPSG</gco:CharacterString></codeSpace></RS_Identifier></referenceSystemIdentifier></MD_ReferenceSystem></referenceSystemInfo>
  <identificationInfo><MD_DataIdentification>
    <citation><CI_Citation><title><gco:CharacterString>OCS2D Occitanie</gco:CharacterString></title>
      <date><CI_Date><date><gco:Date>2021-06-30</gco:Date></date><dateType><CI_DateTypeCode codeList="x" codeListValue="publication"/></dateType></CI_Date></date>
      <date><CI_Date><date><gco:Date>2022-06-30</gco:Date></date><dateType><CI_DateTypeCode codeList="x" codeListValue="lastUpdate"/></dateType></CI_Date></date>
    </CI_Citation></citation>
    <abstract><gco:CharacterString>Occupation du sol à grande échelle.</gco:CharacterString></abstract>
    <descriptiveKeywords><MD_Keywords><keyword><gmx:Anchor xlink:href="http://inspire.ec.europa.eu/theme/lc">Occupation des terres</gmx:Anchor></keyword>
      <thesaurusName><CI_Citation><title><gco:CharacterString>GEMET</gco:CharacterString></title><date gco:nilReason="unknown"/></CI_Citation></thesaurusName></MD_Keywords></descriptiveKeywords>
    <language><gco:CharacterString>fre</gco:CharacterString></language>
    <topicCategory><MD_TopicCategoryCode>imageryBaseMapsEarthCover</MD_TopicCategoryCode></topicCategory>
    <extent><EX_Extent><geographicElement><EX_GeographicBoundingBox>
      <westBoundLongitude><gco:Decimal>-0.5</gco:Decimal></westBoundLongitude><eastBoundLongitude><gco:Decimal>5</gco:Decimal></eastBoundLongitude>
      <southBoundLatitude><gco:Decimal>42</gco:Decimal></southBoundLatitude><northBoundLatitude><gco:Decimal>45</gco:Decimal></northBoundLatitude>
    </EX_GeographicBoundingBox></geographicElement></EX_Extent></extent>
  </MD_DataIdentification></identificationInfo>
  <distributionInfo><MD_Distribution><transferOptions><MD_DigitalTransferOptions><onLine><CI_OnlineResource>
    <linkage><URL>https://data.example.org/ocs2d.zip</URL></linkage><protocol><gco:CharacterString>WWW:DOWNLOAD-1.0-http--download</gco:CharacterString></protocol>
  </CI_OnlineResource></onLine></MD_DigitalTransferOptions></transferOptions></MD_Distribution></distributionInfo>
</MD_Metadata>"#;

#[test]
fn reads_records_written_elsewhere() {
    let r = read(FOREIGN).unwrap();
    assert_eq!(r.file_identifier, "0f1e-ocs2d");
    assert_eq!(r.hierarchy_level, "series");
    assert_eq!(r.language.as_deref(), Some("eng"));
    assert_eq!(r.date_stamp.to_text(), "2023-11-02T08:00:00Z");
    assert_eq!(r.crs, ["EPSG:2154"]);
    assert_eq!(r.dates, [(DateType::Publication, RecordDate::parse("2021-06-30").unwrap())]);
    assert_eq!(r.keywords[0].words, ["Occupation des terres"]);
    assert_eq!(r.keywords[0].thesaurus, Some(Thesaurus { title: "GEMET".into(), date: None }));
    assert_eq!(r.topic_categories, ["imageryBaseMapsEarthCover"]);
    assert_eq!(r.bbox, Some(Bbox { min_x: -0.5, min_y: 42.0, max_x: 5.0, max_y: 45.0 }));
    assert_eq!(r.metadata_contacts[0].organisation.as_deref(), Some("DREAL"));
    assert_eq!(r.metadata_contacts[0].role, "custodian");
    assert_eq!(r.online_resources[0].protocol.as_deref(), Some("WWW:DOWNLOAD-1.0-http--download"));
    // Rewritten from the model, it is valid ISO.
    crate::ows::schema_check::validate(&write(&r, ElementSet::Summary), GMD_SCHEMA);
}

#[test]
fn refuses_what_is_not_a_usable_record() {
    let cases = [
        ("<MD_Metadata", "not well-formed"),
        (r#"<gmi:MI_Metadata xmlns:gmi="http://www.isotc211.org/2005/gmi"/>"#, "not an ISO 19139 gmd:MD_Metadata"),
        (r#"<MD_Metadata xmlns="urn:other"/>"#, "not an ISO 19139"),
        (r#"<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"/>"#, "no gmd:fileIdentifier"),
        (
            r#"<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco"><gmd:fileIdentifier><gco:CharacterString>a</gco:CharacterString></gmd:fileIdentifier></gmd:MD_Metadata>"#,
            "has no title",
        ),
        (&FOREIGN.replace("<dateStamp><gco:DateTime>2023-11-02T08:00:00</gco:DateTime></dateStamp>", ""), "no gmd:dateStamp"),
        (&FOREIGN.replace("2023-11-02T08:00:00", "last tuesday"), "'last tuesday' is not a date"),
        (r#"<!DOCTYPE x [<!ENTITY a "b">]><x/>"#, "DTD"),
    ];
    for (doc, message) in cases {
        let e = read(doc).unwrap_err();
        assert!(e.0.contains(message), "{doc}\n→ {e}");
    }
}

#[test]
fn embeddable_strips_declaration_and_bom() {
    assert_eq!(embeddable("\u{feff}<?xml version=\"1.0\"?>\n<a/>"), "<a/>");
    assert_eq!(embeddable("<a/>"), "<a/>");
}

#[test]
fn reads_a_service_record() {
    let doc = r##"<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:srv="http://www.isotc211.org/2005/srv">
      <gmd:fileIdentifier><gco:CharacterString>wms-service</gco:CharacterString></gmd:fileIdentifier>
      <gmd:hierarchyLevel><gmd:MD_ScopeCode codeList="x" codeListValue="service">service</gmd:MD_ScopeCode></gmd:hierarchyLevel>
      <gmd:dateStamp><gco:Date>2024-02-29</gco:Date></gmd:dateStamp>
      <gmd:identificationInfo><srv:SV_ServiceIdentification>
        <gmd:citation><gmd:CI_Citation><gmd:title xsi:type="gmd:PT_FreeText_PropertyType" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><gco:CharacterString>Service de visualisation</gco:CharacterString>
          <gmd:PT_FreeText><gmd:textGroup><gmd:LocalisedCharacterString locale="#EN">View service</gmd:LocalisedCharacterString></gmd:textGroup></gmd:PT_FreeText></gmd:title></gmd:CI_Citation></gmd:citation>
        <gmd:abstract><gco:CharacterString>WMS</gco:CharacterString></gmd:abstract>
        <srv:serviceType><gco:LocalName>view</gco:LocalName></srv:serviceType>
        <srv:extent><gmd:EX_Extent><gmd:geographicElement><gmd:EX_GeographicBoundingBox>
          <gmd:westBoundLongitude><gco:Decimal>1</gco:Decimal></gmd:westBoundLongitude><gmd:eastBoundLongitude><gco:Decimal>2</gco:Decimal></gmd:eastBoundLongitude>
          <gmd:southBoundLatitude><gco:Decimal>43</gco:Decimal></gmd:southBoundLatitude><gmd:northBoundLatitude><gco:Decimal>44</gco:Decimal></gmd:northBoundLatitude>
        </gmd:EX_GeographicBoundingBox></gmd:geographicElement></gmd:EX_Extent></srv:extent>
      </srv:SV_ServiceIdentification></gmd:identificationInfo>
    </gmd:MD_Metadata>"##;
    let r = read(doc).unwrap();
    assert_eq!((r.hierarchy_level.as_str(), r.title.as_str(), r.abstract_.as_str()), ("service", "Service de visualisation", "WMS"));
    assert_eq!(r.bbox, Some(Bbox { min_x: 1.0, min_y: 43.0, max_x: 2.0, max_y: 44.0 }));
    assert_eq!(r.date_stamp, RecordDate::parse("2024-02-29").unwrap());
}
