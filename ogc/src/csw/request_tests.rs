use super::*;
use crate::filter::{Expr, SpatialOp};

fn kvp(q: &str) -> Vec<(String, String)> {
    q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn parse(q: &str) -> Result<CswRequest, CswError> {
    parse_kvp(&kvp(q), &Limits { max_records: 100 })
}

fn get_records(q: &str) -> GetRecords {
    match parse(q).unwrap_or_else(|e| panic!("{q}: {e:?}")) {
        CswRequest::GetRecords(g) => g,
        other => panic!("{other:?}"),
    }
}

#[test]
fn owslib_kvp_get_records_with_cql() {
    let g = get_records(
        "service=CSW&version=2.0.2&request=GetRecords&outputschema=http://www.opengis.net/cat/csw/2.0.2&typenames=csw:Record&elementsetname=full&resulttype=results&constraintlanguage=CQL_TEXT&constraint_language_version=1.1.0&constraint=csw:AnyText like '%birds%'&startposition=0&maxrecords=10",
    );
    assert_eq!(g.type_names, [TypeName::Record]);
    assert_eq!(g.elements, Elements::Set(ElementSet::Full));
    assert_eq!(g.start_position, 1);
    assert_eq!(g.max_records, 10);
    assert_eq!(g.constraint, Some(Filter::Like { expr: Expr::Property("apiso:AnyText".into()), pattern: "%birds%".into(), case_insensitive: false }));
}

#[test]
fn defaults_of_a_bare_get_records() {
    let g = get_records("SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecords");
    assert_eq!(g, GetRecords::new());
    assert_eq!(g.elements, Elements::Set(ElementSet::Summary));
}

#[test]
fn iso_output_sorting_hits_and_filter_xml() {
    let filter = r#"<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope><gml:lowerCorner>-1 42</gml:lowerCorner><gml:upperCorner>5 46</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter>"#;
    let g = get_records(&format!(
        "service=CSW&version=2.0.2&request=GetRecords&typeNames=gmd:MD_Metadata&outputSchema=http://www.isotc211.org/2005/gmd&ElementSetName=brief&resultType=hits&constraintLanguage=FILTER&constraint={filter}&sortBy=dc:title:D,apiso:Modified&startPosition=11&maxRecords=20&requestId=abc"
    ));
    assert_eq!(g.type_names, [TypeName::MdMetadata]);
    assert_eq!(g.output_schema, OutputSchema::Iso);
    assert_eq!(g.result_type, ResultType::Hits);
    assert_eq!(g.sort_by, [SortKey { queryable: Queryable::Title, ascending: false }, SortKey { queryable: Queryable::Modified, ascending: true }]);
    assert_eq!((g.start_position, g.max_records), (11, 20));
    assert_eq!(g.request_id.as_deref(), Some("abc"));
    assert!(matches!(g.constraint, Some(Filter::Spatial { op: SpatialOp::Intersects, left: Expr::Property(ref p), .. }) if p == "apiso:BoundingBox"));
    // Without CONSTRAINTLANGUAGE, the constraint's first character decides.
    let g = get_records(&format!("service=CSW&version=2.0.2&request=GetRecords&constraint={filter}"));
    assert!(g.constraint.is_some());
}

#[test]
fn element_names_for_dublin_core() {
    let g = get_records("service=CSW&version=2.0.2&request=GetRecords&ElementName=dc:title,dct:modified");
    assert_eq!(g.elements, Elements::Names(vec![Queryable::Title, Queryable::Modified]));
}

#[test]
fn other_operations() {
    assert_eq!(parse("service=CSW&request=GetCapabilities").unwrap(), CswRequest::GetCapabilities(GetCapabilities { sections: None }));
    assert_eq!(
        parse("service=CSW&request=GetCapabilities&acceptVersions=2.0.2,3.0.0&sections=ServiceIdentification,Filter_Capabilities").unwrap(),
        CswRequest::GetCapabilities(GetCapabilities { sections: Some(vec![Section::ServiceIdentification, Section::FilterCapabilities]) })
    );
    assert_eq!(
        parse("service=CSW&version=2.0.2&request=DescribeRecord&typeName=csw:Record,gmd:MD_Metadata&schemaLanguage=XMLSCHEMA").unwrap(),
        CswRequest::DescribeRecord(DescribeRecord { type_names: vec![TypeName::Record, TypeName::MdMetadata] })
    );
    assert_eq!(
        parse("service=CSW&version=2.0.2&request=GetRecordById&id=a,b&outputSchema=http://www.isotc211.org/2005/gmd&elementSetName=full").unwrap(),
        CswRequest::GetRecordById(GetRecordById { ids: vec!["a".into(), "b".into()], output_schema: OutputSchema::Iso, element_set: ElementSet::Full })
    );
    assert_eq!(
        parse("service=CSW&version=2.0.2&request=GetDomain&parameterName=GetRecords.resultType&propertyName=dc:type").unwrap(),
        CswRequest::GetDomain(GetDomain { names: vec![DomainOf::Parameter("GetRecords.resultType".into()), DomainOf::Property("dc:type".into(), Queryable::Type)] })
    );
}

#[test]
fn errors_carry_code_and_locator() {
    for (q, code, locator) in [
        ("service=CSW&version=2.0.2", "MissingParameterValue", "request"),
        ("version=2.0.2&request=GetRecords", "MissingParameterValue", "service"),
        ("service=WFS&version=2.0.2&request=GetRecords", "InvalidParameterValue", "service"),
        ("service=CSW&request=GetRecords", "MissingParameterValue", "version"),
        ("service=CSW&version=3.0.0&request=GetRecords", "InvalidParameterValue", "version"),
        ("service=CSW&request=GetCapabilities&acceptversions=3.0.0", "VersionNegotiationFailed", "AcceptVersions"),
        ("service=CSW&request=GetCapabilities&sections=Contents", "InvalidParameterValue", "sections"),
        ("service=CSW&version=2.0.2&request=GetRecords&typeNames=csw:Dataset", "InvalidParameterValue", "typeNames"),
        ("service=CSW&version=2.0.2&request=GetRecords&outputSchema=urn:x", "InvalidParameterValue", "outputSchema"),
        ("service=CSW&version=2.0.2&request=GetRecords&outputFormat=application/json", "InvalidParameterValue", "outputFormat"),
        ("service=CSW&version=2.0.2&request=GetRecords&ElementSetName=huge", "InvalidParameterValue", "ElementSetName"),
        ("service=CSW&version=2.0.2&request=GetRecords&ElementName=dc:title&outputSchema=http://www.isotc211.org/2005/gmd", "InvalidParameterValue", "ElementName"),
        ("service=CSW&version=2.0.2&request=GetRecords&resultType=all", "InvalidParameterValue", "resultType"),
        ("service=CSW&version=2.0.2&request=GetRecords&constraintLanguage=SQL&constraint=x", "InvalidParameterValue", "constraintLanguage"),
        ("service=CSW&version=2.0.2&request=GetRecords&constraintLanguage=CQL_TEXT&constraint=foo = 1", "InvalidParameterValue", "Constraint"),
        ("service=CSW&version=2.0.2&request=GetRecords&constraintLanguage=FILTER&constraint=<oops", "InvalidParameterValue", "Constraint"),
        ("service=CSW&version=2.0.2&request=GetRecords&sortBy=colour:A", "InvalidParameterValue", "SortBy"),
        ("service=CSW&version=2.0.2&request=GetRecords&startPosition=-3", "InvalidParameterValue", "startPosition"),
        ("service=CSW&version=2.0.2&request=GetRecords&maxRecords=101", "InvalidParameterValue", "maxRecords"),
        ("service=CSW&version=2.0.2&request=GetRecords&maxRecords=ten", "InvalidParameterValue", "maxRecords"),
        ("service=CSW&version=2.0.2&request=GetRecords&distributedSearch=true", "InvalidParameterValue", "DistributedSearch"),
        ("service=CSW&version=2.0.2&request=GetRecordById", "MissingParameterValue", "Id"),
        ("service=CSW&version=2.0.2&request=GetDomain", "MissingParameterValue", "ParameterName"),
        ("service=CSW&version=2.0.2&request=GetDomain&parameterName=GetRecords.colour", "InvalidParameterValue", "ParameterName"),
        ("service=CSW&version=2.0.2&request=GetDomain&propertyName=colour", "InvalidParameterValue", "PropertyName"),
        ("service=CSW&version=2.0.2&request=DescribeRecord&schemaLanguage=RELAXNG", "InvalidParameterValue", "schemaLanguage"),
        ("service=CSW&version=2.0.2&request=Transaction", "OperationNotSupported", "request"),
        ("service=CSW&version=2.0.2&request=Dance", "InvalidParameterValue", "request"),
    ] {
        let e = parse(q).unwrap_err();
        assert_eq!((e.code.as_str(), e.locator.as_deref()), (code, Some(locator)), "{q}: {e}");
    }
}
