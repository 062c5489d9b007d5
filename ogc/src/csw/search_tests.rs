use super::*;
use crate::csw::constraint::{ConstraintLanguage, parse};
use crate::csw::record::RecordDate;
use crate::csw::request::SortKey;
use crate::csw::test_support::layer_record;

fn records() -> Vec<Record> {
    let mut ocs = layer_record();
    ocs.file_identifier = "ocs2d".into();
    ocs.title = "Occupation du sol à grande échelle".into();
    ocs.bbox = Some(Bbox { min_x: 1.0, min_y: 43.0, max_x: 2.0, max_y: 44.0 });
    ocs.date_stamp = RecordDate::parse("2023-06-30").unwrap();
    ocs.abstract_ = "Occupation du sol".into();
    ocs.lineage = Some("Photo-interprétation".into());
    ocs.keywords.truncate(1);
    ocs.keywords[0].words = vec!["occupation du sol".into()];
    ocs.topic_categories = vec!["imageryBaseMapsEarthCover".into()];
    let mut bare = Record::new("bare", "Service WMS", RecordDate::parse("2020-02-02T08:00:00Z").unwrap());
    bare.hierarchy_level = "service".into();
    vec![layer_record(), ocs, bare]
}

fn ids(cql: &str) -> Vec<String> {
    let filter = parse(cql, ConstraintLanguage::CqlText).unwrap_or_else(|e| panic!("{cql}: {e}"));
    let all = records();
    let request = GetRecords { constraint: Some(filter), ..GetRecords::new() };
    search(&all, &request).unwrap().records.iter().map(|r| r.file_identifier.clone()).collect()
}

#[test]
fn text_queryables() {
    assert_eq!(ids("csw:AnyText LIKE '%ADMIN EXPRESS%'"), ["ossature-communes"]);
    assert_eq!(ids("csw:AnyText LIKE '%OCCITANIE%'"), ["ossature-communes", "ocs2d"]);
    assert_eq!(ids("AnyText LIKE '%carte wms%'"), ["ossature-communes", "ocs2d"]);
    // A keyword matches within one text, never across two (title "... & EPCI", then the abstract).
    assert_eq!(ids("AnyText LIKE '%epci%'"), ["ossature-communes"]);
    assert_eq!(ids("AnyText LIKE '%epci limites%'"), Vec::<String>::new());
    assert_eq!(ids("AnyText LIKE '%unités admin%'"), ["ossature-communes"]);
    assert_eq!(ids("dc:title = 'Service WMS'"), ["bare"]);
    assert_eq!(ids("dc:title = 'service wms'"), Vec::<String>::new());
    assert_eq!(ids("CASEI(dc:title) = CASEI('service wms')"), ["bare"]);
    assert_eq!(ids("ACCENTI(dc:title) LIKE ACCENTI('%a grande echelle')"), ["ocs2d"]);
    assert_eq!(ids("dc:subject = 'boundaries'"), ["ossature-communes"]);
    assert_eq!(ids("dc:type = 'service' OR apiso:TopicCategory = 'imageryBaseMapsEarthCover'"), ["ocs2d", "bare"]);
    assert_eq!(ids("NOT dc:type = 'dataset'"), ["bare"]);
    assert_eq!(ids("apiso:OrganisationName IN ('IGN', 'Cerema')"), ["ossature-communes", "ocs2d"]);
    assert_eq!(ids("apiso:Lineage IS NULL"), ["bare"]);
    assert_eq!(ids("dc:format LIKE 'geo_ackage'"), ["ossature-communes", "ocs2d"]);
    // GDAL's CSW driver names.
    assert_eq!(ids("dct:references LIKE '%/wfs%'"), ["ossature-communes", "ocs2d"]);
    assert_eq!(ids("dc:source LIKE 'photo%'"), ["ocs2d"]);
}

#[test]
fn dates() {
    assert_eq!(ids("dct:modified > '2024-01-01'"), ["ossature-communes"]);
    assert_eq!(ids("dc:date = '2019-01-15'"), ["ossature-communes", "ocs2d"], "any date of the record");
    assert_eq!(ids("dct:modified = '2020-02-02'"), ["bare"], "a date equals the instants of its day");
    assert_eq!(ids("dct:modified >= '2023-06-30' AND dct:modified <= '2023-06-30'"), ["ocs2d"]);
    assert_eq!(ids("T_DURING(apiso:RevisionDate, INTERVAL('2024-01-01', '2024-12-31'))"), ["ossature-communes", "ocs2d"]);
    assert_eq!(ids("T_AFTER(dct:modified, DATE('2023-07-01'))"), ["ossature-communes"]);
    assert_eq!(ids("T_BEFORE(dct:modified, TIMESTAMP('2020-02-02T09:00:00Z'))"), ["bare"]);
}

#[test]
fn between_dates_in_filter_1_1() {
    let filter = parse(
        r#"<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsBetween><ogc:PropertyName>apiso:Modified</ogc:PropertyName>
        <ogc:LowerBoundary><ogc:Literal>2020-01-01</ogc:Literal></ogc:LowerBoundary><ogc:UpperBoundary><ogc:Literal>2023-06-30</ogc:Literal></ogc:UpperBoundary></ogc:PropertyIsBetween></ogc:Filter>"#,
        ConstraintLanguage::Filter,
    )
    .unwrap();
    let all = records();
    let hits: Vec<&str> = all.iter().filter(|r| matches(&filter, r).unwrap()).map(|r| r.file_identifier.as_str()).collect();
    assert_eq!(hits, ["ocs2d", "bare"]);
}

#[test]
fn extents() {
    assert_eq!(ids("BBOX(ows:BoundingBox, 1.5, 43.5, 10, 50)"), ["ossature-communes", "ocs2d"]);
    assert_eq!(ids("S_WITHIN(ows:BoundingBox, BBOX(0, 42, 3, 45))"), ["ocs2d"]);
    assert_eq!(ids("S_CONTAINS(ows:BoundingBox, POINT(1.5 43.5))"), ["ossature-communes", "ocs2d"]);
    assert_eq!(ids("S_DISJOINT(ows:BoundingBox, BBOX(10, 10, 11, 11))"), ["ossature-communes", "ocs2d"], "no extent, no match");
    assert_eq!(ids("S_INTERSECTS(ows:BoundingBox, BBOX(-10, 10, -9, 11))"), Vec::<String>::new());
    // A Filter 1.1 envelope in EPSG:4326 latitude-first (urn) order.
    let filter = parse(
        r#"<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>
        <gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>43.2 1.2</gml:lowerCorner><gml:upperCorner>43.8 1.8</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>"#,
        ConstraintLanguage::Filter,
    )
    .unwrap();
    let all = records();
    let hits: Vec<&str> = all.iter().filter(|r| matches(&filter, r).unwrap()).map(|r| r.file_identifier.as_str()).collect();
    assert_eq!(hits, ["ossature-communes", "ocs2d"]);
}

#[test]
fn unsupported_operators_are_refused() {
    for cql in ["S_TOUCHES(ows:BoundingBox, BBOX(0, 0, 1, 1))", "dc:title = dc:title + 1", "T_MEETS(dct:modified, INTERVAL('2020-01-01', '2021-01-01'))"] {
        let Ok(filter) = parse(cql, ConstraintLanguage::CqlText) else { continue };
        let e = matches(&filter, &layer_record()).unwrap_err();
        assert_eq!(e.code.as_str(), "InvalidParameterValue", "{cql}");
    }
}

#[test]
fn sorting_paging_and_hits() {
    let all = records();
    let mut request = GetRecords { sort_by: vec![SortKey { queryable: Queryable::Title, ascending: false }], ..GetRecords::new() };
    let page = search(&all, &request).unwrap();
    let titles: Vec<&str> = page.records.iter().map(|r| r.file_identifier.as_str()).collect();
    assert_eq!(titles, ["bare", "ocs2d", "ossature-communes"]);
    request.start_position = 2;
    request.max_records = 1;
    let page = search(&all, &request).unwrap();
    assert_eq!((page.matched, page.records.len(), page.records[0].file_identifier.as_str()), (3, 1, "ocs2d"));
    request.sort_by = vec![SortKey { queryable: Queryable::Modified, ascending: true }];
    request.start_position = 1;
    request.max_records = 10;
    let order: Vec<&str> = search(&all, &request).unwrap().records.iter().map(|r| r.file_identifier.as_str()).collect();
    assert_eq!(order, ["bare", "ocs2d", "ossature-communes"]);
    request.result_type = ResultType::Hits;
    let page = search(&all, &request).unwrap();
    assert_eq!((page.matched, page.records.len()), (3, 0));
    request.result_type = ResultType::Results;
    request.start_position = 10;
    assert!(search(&all, &request).unwrap().records.is_empty());
}

