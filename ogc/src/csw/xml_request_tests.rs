use super::*;
use crate::csw::queryables::Queryable;
use crate::csw::request::{ResultType, parse_kvp};
use crate::csw::{OutputSchema, TypeName};
use crate::filter::{Expr, Filter, SpatialOp};

const LIMITS: Limits = Limits { max_records: 100 };

fn kvp(q: &str) -> Vec<(String, String)> {
    q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The XML request parses, and to the same value as the KVP one.
fn same(xml: &str, q: &str) -> CswRequest {
    let from_xml = parse_xml(xml, &LIMITS).unwrap_or_else(|e| panic!("{xml}\n{e:?}"));
    let from_kvp = parse_kvp(&kvp(q), &LIMITS).unwrap_or_else(|e| panic!("{q}\n{e:?}"));
    assert_eq!(from_xml, from_kvp, "{xml}\nvs {q}");
    from_xml
}

fn records(r: CswRequest) -> GetRecords {
    match r {
        CswRequest::GetRecords(g) => g,
        other => panic!("{other:?}"),
    }
}

fn error(xml: &str) -> (&'static str, Option<String>) {
    let e = parse_xml(xml, &LIMITS).unwrap_err();
    (e.code.as_str(), e.locator)
}

/// What GeoNetwork's CSW harvester posts: ISO output, both type names, AnyText LIKE.
const GEONETWORK: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" resultType="results" startPosition="51" maxRecords="50" outputSchema="http://www.isotc211.org/2005/gmd">
  <csw:Query typeNames="csw:Record gmd:MD_Metadata">
    <csw:ElementSetName>full</csw:ElementSetName>
    <csw:Constraint version="1.1.0">
      <ogc:Filter xmlns:ogc="http://www.opengis.net/ogc">
        <ogc:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\">
          <ogc:PropertyName>AnyText</ogc:PropertyName>
          <ogc:Literal>%occitanie%</ogc:Literal>
        </ogc:PropertyIsLike>
      </ogc:Filter>
    </csw:Constraint>
  </csw:Query>
</csw:GetRecords>"#;

#[test]
fn geonetwork_harvester_request() {
    let g = records(parse_xml(GEONETWORK, &LIMITS).unwrap());
    assert_eq!(g.type_names, [TypeName::Record, TypeName::MdMetadata]);
    assert_eq!(g.output_schema, OutputSchema::Iso);
    assert_eq!(g.elements, Elements::Set(ElementSet::Full));
    assert_eq!((g.start_position, g.max_records), (51, 50));
    assert_eq!(g.constraint, Some(Filter::Like { expr: Expr::Property("apiso:AnyText".into()), pattern: "%occitanie%".into(), case_insensitive: false }));
    // The single type name form, without a constraint.
    let xml = GEONETWORK.replace("csw:Record gmd:MD_Metadata", "gmd:MD_Metadata");
    let start = xml.find("<csw:Constraint").unwrap();
    let end = xml.find("</csw:Constraint>").unwrap() + "</csw:Constraint>".len();
    let xml = format!("{}{}", &xml[..start], &xml[end..]);
    let g = records(same(
        &xml,
        "service=CSW&version=2.0.2&request=GetRecords&resultType=results&startPosition=51&maxRecords=50&outputSchema=http://www.isotc211.org/2005/gmd&typeNames=gmd:MD_Metadata&ElementSetName=full",
    ));
    assert_eq!(g.type_names, [TypeName::MdMetadata]);
}

#[test]
fn gdal_bbox_query_with_sort_and_hits() {
    let xml = r#"<csw:GetRecords resultType="hits" service="CSW" version="2.0.2" startPosition="1" maxRecords="20"
        xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:gml="http://www.opengis.net/gml" xmlns:dc="http://purl.org/dc/elements/1.1/"
        xmlns:dct="http://purl.org/dc/terms/" xmlns:ogc="http://www.opengis.net/ogc" xmlns:ows="http://www.opengis.net/ows">
      <csw:Query typeNames="csw:Record">
        <csw:ElementSetName>brief</csw:ElementSetName>
        <csw:Constraint version="1.1.0"><ogc:Filter><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>
          <gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>42 -1</gml:lowerCorner><gml:upperCorner>46 5</gml:upperCorner></gml:Envelope>
        </ogc:BBOX></ogc:Filter></csw:Constraint>
        <ogc:SortBy><ogc:SortProperty><ogc:PropertyName>dct:modified</ogc:PropertyName><ogc:SortOrder>DESC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
      </csw:Query>
    </csw:GetRecords>"#;
    let g = records(parse_xml(xml, &LIMITS).unwrap());
    assert_eq!(g.result_type, ResultType::Hits);
    assert_eq!(g.elements, Elements::Set(ElementSet::Brief));
    assert_eq!(g.sort_by, [SortKey { queryable: Queryable::Modified, ascending: false }]);
    let Some(Filter::Spatial { op: SpatialOp::Intersects, right: Expr::Geometry { geometry, .. }, .. }) = &g.constraint else { panic!("{:?}", g.constraint) };
    let geo_types::Geometry::Polygon(p) = geometry else { panic!() };
    assert_eq!(p.exterior().0[0], geo_types::Coord { x: -1.0, y: 42.0 }, "latitude-first corners are swapped to CRS84");
}

#[test]
fn owslib_cql_and_element_names() {
    let xml = r#"<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" outputSchema="http://www.opengis.net/cat/csw/2.0.2" startPosition="0" maxRecords="10">
      <csw:Query typeNames="csw:Record"><csw:ElementName>dc:title</csw:ElementName><csw:ElementName>dc:identifier</csw:ElementName>
      <csw:Constraint version="1.1.0"><csw:CqlText>dc:title like '%ocs%'</csw:CqlText></csw:Constraint></csw:Query></csw:GetRecords>"#;
    let g = records(same(
        xml,
        "service=CSW&version=2.0.2&request=GetRecords&outputSchema=http://www.opengis.net/cat/csw/2.0.2&startPosition=0&maxRecords=10&typeNames=csw:Record&ElementName=dc:title,dc:identifier&constraintLanguage=CQL_TEXT&constraint=dc:title like '%ocs%'",
    ));
    assert_eq!(g.elements, Elements::Names(vec![Queryable::Title, Queryable::Identifier]));
    assert_eq!(g.start_position, 1);
}

#[test]
fn other_operations_match_kvp() {
    same(
        r#"<csw:GetCapabilities xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ows="http://www.opengis.net/ows" service="CSW"><ows:AcceptVersions><ows:Version>2.0.2</ows:Version></ows:AcceptVersions><ows:Sections><ows:Section>OperationsMetadata</ows:Section></ows:Sections></csw:GetCapabilities>"#,
        "service=CSW&request=GetCapabilities&acceptVersions=2.0.2&sections=OperationsMetadata",
    );
    same(
        r#"<DescribeRecord xmlns="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" schemaLanguage="http://www.w3.org/XML/Schema"><TypeName>csw:Record</TypeName></DescribeRecord>"#,
        "service=CSW&version=2.0.2&request=DescribeRecord&typeName=csw:Record",
    );
    same(
        r#"<csw:GetRecordById xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2" outputSchema="http://www.isotc211.org/2005/gmd"><csw:Id>a</csw:Id><csw:Id>b</csw:Id><csw:ElementSetName>full</csw:ElementSetName></csw:GetRecordById>"#,
        "service=CSW&version=2.0.2&request=GetRecordById&id=a,b&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full",
    );
    same(
        r#"<csw:GetDomain xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" service="CSW" version="2.0.2"><csw:PropertyName>apiso:TopicCategory</csw:PropertyName></csw:GetDomain>"#,
        "service=CSW&version=2.0.2&request=GetDomain&propertyName=apiso:TopicCategory",
    );
}

#[test]
fn errors_carry_code_and_locator() {
    const CSW: &str = r#"xmlns:csw="http://www.opengis.net/cat/csw/2.0.2""#;
    for (xml, code, locator) in [
        ("<csw:GetRecords".to_string(), "InvalidParameterValue", "request"),
        (r#"<GetRecords xmlns="urn:x" version="2.0.2"/>"#.to_string(), "InvalidParameterValue", "request"),
        (format!(r#"<csw:GetRecords {CSW}/>"#), "MissingParameterValue", "version"),
        (format!(r#"<csw:GetRecords {CSW} version="2.0.2" service="WMS"/>"#), "InvalidParameterValue", "service"),
        (format!(r#"<csw:GetRecords {CSW} version="2.0.2"/>"#), "MissingParameterValue", "Query"),
        (format!(r#"<csw:GetRecords {CSW} version="2.0.2"><csw:DistributedSearch/><csw:Query/></csw:GetRecords>"#), "InvalidParameterValue", "DistributedSearch"),
        (format!(r#"<csw:GetRecords {CSW} version="2.0.2" maxRecords="500"><csw:Query/></csw:GetRecords>"#), "InvalidParameterValue", "maxRecords"),
        (format!(r#"<csw:GetRecords {CSW} version="2.0.2"><csw:Query><csw:Dance/></csw:Query></csw:GetRecords>"#), "InvalidParameterValue", "request"),
        (format!(r#"<csw:GetRecords {CSW} version="2.0.2"><csw:Query><csw:Constraint/></csw:Query></csw:GetRecords>"#), "MissingParameterValue", "Constraint"),
        (
            format!(r#"<csw:GetRecords {CSW} version="2.0.2"><csw:Query><csw:Constraint><csw:CqlText>colour = 'red'</csw:CqlText></csw:Constraint></csw:Query></csw:GetRecords>"#),
            "InvalidParameterValue",
            "Constraint",
        ),
        (
            format!(r#"<csw:GetRecords {CSW} xmlns:ogc="http://www.opengis.net/ogc" version="2.0.2"><csw:Query><csw:Constraint><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>colour</ogc:PropertyName><ogc:Literal>1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>"#),
            "InvalidParameterValue",
            "Constraint",
        ),
        (format!(r#"<csw:GetRecordById {CSW} version="2.0.2"/>"#), "MissingParameterValue", "Id"),
        (format!(r#"<csw:Transaction {CSW} version="2.0.2"/>"#), "MissingParameterValue", "request"),
        (format!(r#"<csw:Harvest {CSW} version="2.0.2"/>"#), "OperationNotSupported", "request"),
        (
            format!(r#"<csw:GetCapabilities {CSW} xmlns:ows="http://www.opengis.net/ows"><ows:AcceptVersions><ows:Version>3.0.0</ows:Version></ows:AcceptVersions></csw:GetCapabilities>"#),
            "VersionNegotiationFailed",
            "AcceptVersions",
        ),
        (r#"<!DOCTYPE x [<!ENTITY a "b">]><x/>"#.to_string(), "InvalidParameterValue", "request"),
    ] {
        assert_eq!(error(&xml), (code, Some(locator.to_string())), "{xml}");
    }
}
