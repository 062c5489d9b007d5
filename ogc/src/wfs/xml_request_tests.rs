use super::*;
use crate::wfs::request::parse_kvp;

fn kvp(q: &str) -> Vec<(String, String)> {
    q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The XML request parses, and to the same value as the KVP one.
fn same(xml: &str, q: &str) -> WfsRequest {
    let from_xml = parse_xml(xml).unwrap_or_else(|e| panic!("{xml}\n{e:?}"));
    let from_kvp = parse_kvp(&kvp(q)).unwrap_or_else(|e| panic!("{q}\n{e:?}"));
    assert_eq!(from_xml, from_kvp, "{xml}\nvs {q}");
    from_xml
}

fn error(xml: &str) -> (&'static str, Option<String>) {
    let e = parse_xml(xml).unwrap_err();
    (e.code, e.locator)
}

const NS20: &str = r#"xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ossature="https://example.org/ossature""#;
const NS11: &str = r#"xmlns:wfs="http://www.opengis.net/wfs" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" xmlns:ossature="https://example.org/ossature""#;

#[test]
fn get_capabilities_negotiates_like_kvp() {
    let r = same(r#"<wfs:GetCapabilities service="WFS" xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#, "service=WFS&request=GetCapabilities");
    assert_eq!(r.version, Version::V2_0_0);
    let r = same(
        r#"<?xml version="1.0" encoding="UTF-8"?>
        <GetCapabilities service="WFS" xmlns="http://www.opengis.net/wfs/2.0" xmlns:ows="http://www.opengis.net/ows/1.1">
          <ows:AcceptVersions><ows:Version>1.1.0</ows:Version><ows:Version>1.0.0</ows:Version></ows:AcceptVersions>
        </GetCapabilities>"#,
        "service=WFS&request=GetCapabilities&AcceptVersions=1.1.0,1.0.0",
    );
    assert_eq!(r.version, Version::V1_1_0);
    // A WFS 1.1 request without AcceptVersions asks for 1.1.
    let r = parse_xml(r#"<wfs:GetCapabilities service="WFS" xmlns:wfs="http://www.opengis.net/wfs"/>"#).unwrap();
    assert_eq!(r, WfsRequest { version: Version::V1_1_0, request: Request::GetCapabilities });
    let xml = r#"<GetCapabilities xmlns="http://www.opengis.net/wfs/2.0" xmlns:ows="http://www.opengis.net/ows/1.1"><ows:AcceptVersions><ows:Version>3.0.0</ows:Version></ows:AcceptVersions></GetCapabilities>"#;
    assert_eq!(error(xml), ("VersionNegotiationFailed", Some("AcceptVersions".into())));
}

#[test]
fn describe_feature_type() {
    same(
        &format!(r#"<wfs:DescribeFeatureType service="WFS" version="2.0.0" {NS20}><wfs:TypeName>ossature:communes</wfs:TypeName><wfs:TypeName>ocs2d</wfs:TypeName></wfs:DescribeFeatureType>"#),
        "service=WFS&version=2.0.0&request=DescribeFeatureType&typeNames=ossature:communes,ocs2d",
    );
    same(
        &format!(r#"<wfs:DescribeFeatureType service="WFS" version="1.1.0" {NS11}/>"#),
        "service=WFS&version=1.1.0&request=DescribeFeatureType",
    );
}

#[test]
fn get_feature_paging_hits_srs_and_format() {
    same(
        &format!(
            r#"<wfs:GetFeature service="WFS" version="2.0.0" count="5" startIndex="10" resultType="hits" outputFormat="application/json" {NS20}>
                 <wfs:Query typeNames="ossature:communes" srsName="urn:ogc:def:crs:EPSG::4326"/>
               </wfs:GetFeature>"#
        ),
        "service=WFS&version=2.0.0&request=GetFeature&typeNames=ossature:communes&count=5&startIndex=10&resultType=hits&outputFormat=application/json&srsName=urn:ogc:def:crs:EPSG::4326",
    );
    // WFS 1.1: maxFeatures, typeName, EPSG:n short form, properties.
    let r = same(
        &format!(
            r#"<wfs:GetFeature service="WFS" version="1.1.0" maxFeatures="3" {NS11}>
                 <wfs:Query typeName="ossature:communes" srsName="EPSG:2154">
                   <wfs:PropertyName>ossature:nom</wfs:PropertyName>
                   <wfs:PropertyName>population</wfs:PropertyName>
                 </wfs:Query>
               </wfs:GetFeature>"#
        ),
        "service=WFS&version=1.1.0&request=GetFeature&typeName=communes&maxFeatures=3&srsName=EPSG:2154&propertyName=ossature:nom,population",
    );
    let Request::GetFeature(g) = r.request else { panic!() };
    assert_eq!(g.srs_name.map(|s| s.authority_axes), Some(false));
    assert_eq!(g.property_names, Some(vec!["nom".to_string(), "population".to_string()]));
}

#[test]
fn bbox_filter_is_the_kvp_filter() {
    let filter = r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:BBOX><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>50 3</gml:lowerCorner><gml:upperCorner>51 4</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>"#;
    // The POST body declares the namespaces on the root only.
    let xml = format!(
        r#"<wfs:GetFeature service="WFS" version="2.0.0" {NS20}>
             <wfs:Query typeNames="ossature:communes">
               <fes:Filter><fes:BBOX><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>50 3</gml:lowerCorner><gml:upperCorner>51 4</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>
             </wfs:Query>
           </wfs:GetFeature>"#
    );
    let r = same(&xml, &format!("service=WFS&version=2.0.0&request=GetFeature&typeNames=communes&filter={filter}"));
    let Request::GetFeature(g) = r.request else { panic!() };
    assert!(matches!(g.filter, Some(Filter::Spatial { .. })));
}

#[test]
fn filter_1_1_with_namespaces_from_several_levels() {
    // ogc declared on the root, gml on the Query, the default namespace is WFS.
    let xml = r#"<GetFeature xmlns="http://www.opengis.net/wfs" xmlns:ogc="http://www.opengis.net/ogc" version="1.1.0" service="WFS">
          <Query typeName="communes" xmlns:gml="http://www.opengis.net/gml">
            <ogc:Filter><ogc:And>
              <ogc:PropertyIsEqualTo><ogc:PropertyName>nom</ogc:PropertyName><ogc:Literal>Saint-Denis &amp; co</ogc:Literal></ogc:PropertyIsEqualTo>
              <ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>3 50</gml:lowerCorner><gml:upperCorner>4 51</gml:upperCorner></gml:Envelope></ogc:BBOX>
            </ogc:And></ogc:Filter>
            <ogc:SortBy><ogc:SortProperty><ogc:PropertyName>nom</ogc:PropertyName><ogc:SortOrder>DESC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
          </Query>
        </GetFeature>"#;
    let filter = r#"<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml"><ogc:And><ogc:PropertyIsEqualTo><ogc:PropertyName>nom</ogc:PropertyName><ogc:Literal>Saint-Denis </ogc:Literal></ogc:PropertyIsEqualTo><ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>3 50</gml:lowerCorner><gml:upperCorner>4 51</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:And></ogc:Filter>"#;
    let from_xml = parse_xml(xml).unwrap();
    let Request::GetFeature(g) = &from_xml.request else { panic!() };
    // KVP cannot carry `&`: compare with the literal made the same.
    let mut q = parse_kvp(&kvp(&format!("version=1.1.0&request=GetFeature&typeName=communes&sortBy=nom DESC&filter={filter}"))).unwrap();
    if let Request::GetFeature(k) = &mut q.request {
        let Some(Filter::And(parts)) = &mut k.filter else { panic!() };
        let Filter::Compare { right, .. } = &mut parts[0] else { panic!() };
        let Some(Filter::And(xml_parts)) = &g.filter else { panic!() };
        let Filter::Compare { right: xml_right, .. } = &xml_parts[0] else { panic!() };
        assert_eq!(format!("{xml_right:?}"), format!("{:?}", crate::filter::Expr::Literal(crate::value::Value::Text("Saint-Denis & co".into()))));
        *right = xml_right.clone();
    }
    assert_eq!(from_xml, q);
}

#[test]
fn sort_by_2_0() {
    same(
        &format!(
            r#"<wfs:GetFeature service="WFS" version="2.0.0" {NS20}>
                 <wfs:Query typeNames="ossature:communes">
                   <fes:SortBy>
                     <fes:SortProperty><fes:ValueReference>ossature:population</fes:ValueReference><fes:SortOrder>DESC</fes:SortOrder></fes:SortProperty>
                     <fes:SortProperty><fes:ValueReference>nom</fes:ValueReference></fes:SortProperty>
                   </fes:SortBy>
                 </wfs:Query>
               </wfs:GetFeature>"#
        ),
        "version=2.0.0&request=GetFeature&typeNames=communes&sortBy=population DESC,nom ASC",
    );
}

#[test]
fn get_feature_by_id() {
    let r = same(
        &format!(
            r#"<wfs:GetFeature service="WFS" version="2.0.0" {NS20}>
                 <wfs:StoredQuery id="urn:ogc:def:query:OGC-WFS::GetFeatureById"><wfs:Parameter name="id">communes.5</wfs:Parameter></wfs:StoredQuery>
               </wfs:GetFeature>"#
        ),
        &format!("version=2.0.0&request=GetFeature&storedQuery_Id={GET_FEATURE_BY_ID}&id=communes.5"),
    );
    let Request::GetFeature(g) = r.request else { panic!() };
    assert!(g.by_id);
    assert_eq!(g.type_names, ["communes"]);
    let xml = format!(r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:StoredQuery id="urn:x:Other"/></wfs:GetFeature>"#);
    assert_eq!(error(&xml), ("InvalidParameterValue", Some("storedQuery_Id".into())));
    let xml = format!(r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:StoredQuery id="{GET_FEATURE_BY_ID}"/></wfs:GetFeature>"#);
    assert_eq!(error(&xml), ("MissingParameterValue", Some("id".into())));
}

#[test]
fn resource_id_filter_names_the_type() {
    same(
        &format!(
            r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:Query><fes:Filter><fes:ResourceId rid="ocs2d.1"/><fes:ResourceId rid="ocs2d.2"/></fes:Filter></wfs:Query></wfs:GetFeature>"#
        ),
        "version=2.0.0&request=GetFeature&resourceId=ocs2d.1,ocs2d.2",
    );
}

#[test]
fn get_property_value() {
    let r = same(
        &format!(
            r#"<wfs:GetPropertyValue service="WFS" version="2.0.0" valueReference="ossature:nom" count="2" {NS20}><wfs:Query typeNames="ossature:communes"/></wfs:GetPropertyValue>"#
        ),
        "version=2.0.0&request=GetPropertyValue&valueReference=nom&typeNames=communes&count=2",
    );
    assert!(matches!(r.request, Request::GetPropertyValue { ref value_reference, .. } if value_reference == "nom"));
    let xml = format!(r#"<wfs:GetPropertyValue version="2.0.0" {NS20}><wfs:Query typeNames="a"/></wfs:GetPropertyValue>"#);
    assert_eq!(error(&xml), ("MissingParameterValue", Some("valueReference".into())));
}

#[test]
fn stored_query_operations() {
    same(&format!(r#"<wfs:ListStoredQueries service="WFS" version="2.0.0" {NS20}/>"#), "version=2.0.0&request=ListStoredQueries");
    same(
        &format!(r#"<wfs:DescribeStoredQueries service="WFS" version="2.0.0" {NS20}><wfs:StoredQueryId>{GET_FEATURE_BY_ID}</wfs:StoredQueryId></wfs:DescribeStoredQueries>"#),
        &format!("version=2.0.0&request=DescribeStoredQueries&storedQuery_Id={GET_FEATURE_BY_ID}"),
    );
    same(&format!(r#"<wfs:DescribeStoredQueries version="2.0.0" {NS20}/>"#), "version=2.0.0&request=DescribeStoredQueries");
}

#[test]
fn several_queries_are_several_types() {
    same(
        &format!(
            r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:Query typeNames="ossature:communes"/><wfs:Query typeNames="ossature:ocs2d"/></wfs:GetFeature>"#
        ),
        "version=2.0.0&request=GetFeature&typeNames=communes,ocs2d",
    );
    let filter = r#"<fes:Filter><fes:PropertyIsNull><fes:ValueReference>nom</fes:ValueReference></fes:PropertyIsNull></fes:Filter>"#;
    let xml = format!(r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:Query typeNames="a">{filter}</wfs:Query><wfs:Query typeNames="b"/></wfs:GetFeature>"#);
    assert_eq!(error(&xml), ("OptionNotSupported", Some("filter".into())));
    let xml = format!(r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:Query typeNames="a" srsName="EPSG:4326"/><wfs:Query typeNames="b"/></wfs:GetFeature>"#);
    assert_eq!(error(&xml), ("OptionNotSupported", Some("srsName".into())));
}

#[test]
fn version_from_the_namespace_when_absent() {
    let r = parse_xml(&format!(r#"<wfs:GetFeature {NS11}><wfs:Query typeName="a"/></wfs:GetFeature>"#)).unwrap();
    assert_eq!(r.version, Version::V1_1_0);
    let r = parse_xml(&format!(r#"<wfs:GetFeature {NS20}><wfs:Query typeNames="a"/></wfs:GetFeature>"#)).unwrap();
    assert_eq!(r.version, Version::V2_0_0);
}

#[test]
fn errors_carry_code_and_locator() {
    let parsing = ("OperationParsingFailed", Some("request".to_string()));
    for (xml, expected) in [
        ("<wfs:GetFeature", parsing.clone()),
        ("", parsing.clone()),
        ("not xml", parsing.clone()),
        (r#"<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query></wfs:GetFeature>"#, parsing.clone()),
        ("<GetFeature/>", parsing.clone()),
        (r#"<wfs:Dance xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#, parsing.clone()),
        (r#"<x:GetFeature xmlns:x="urn:other"/>"#, parsing.clone()),
        (r#"<undeclared:GetFeature/>"#, parsing.clone()),
        (r#"<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query typeNames="a"><wfs:Bogus/></wfs:Query></wfs:GetFeature>"#, parsing.clone()),
        (r#"<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0"/><second/>"#, parsing.clone()),
        (r#"<wfs:Transaction version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#, ("OperationNotSupported", Some("request".into()))),
        (r#"<wfs:GetFeature version="3.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#, ("InvalidParameterValue", Some("version".into()))),
        (r#"<wfs:GetFeature version="1.1.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#, ("InvalidParameterValue", Some("version".into()))),
        (r#"<wfs:GetFeature version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query/></wfs:GetFeature>"#, ("MissingParameterValue", Some("typeNames".into()))),
        (r#"<wfs:GetFeature version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#, ("MissingParameterValue", Some("typeNames".into()))),
        (r#"<wfs:GetFeature version="2.0.0" count="-1" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query typeNames="a"/></wfs:GetFeature>"#, ("InvalidParameterValue", Some("count".into()))),
        (r#"<wfs:GetFeature version="1.1.0" maxFeatures="x" xmlns:wfs="http://www.opengis.net/wfs"><wfs:Query typeName="a"/></wfs:GetFeature>"#, ("InvalidParameterValue", Some("maxFeatures".into()))),
        (r#"<wfs:GetFeature version="2.0.0" startIndex="1.5" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query typeNames="a"/></wfs:GetFeature>"#, ("InvalidParameterValue", Some("startIndex".into()))),
        (r#"<wfs:GetFeature version="2.0.0" resultType="all" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query typeNames="a"/></wfs:GetFeature>"#, ("InvalidParameterValue", Some("resultType".into()))),
        (r#"<wfs:GetFeature version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"><wfs:Query typeNames="a" srsName="EPSG:0"/></wfs:GetFeature>"#, ("InvalidParameterValue", Some("srsName".into()))),
        (r#"<wfs:GetFeature version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"><wfs:Query typeNames="a"><fes:Filter><fes:Nope/></fes:Filter></wfs:Query></wfs:GetFeature>"#, ("InvalidParameterValue", Some("filter".into()))),
        (r#"<wfs:GetFeature version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0"><wfs:Query typeNames="a"><fes:SortBy><fes:SortProperty><fes:ValueReference>x</fes:ValueReference><fes:SortOrder>UP</fes:SortOrder></fes:SortProperty></fes:SortBy></wfs:Query></wfs:GetFeature>"#, ("InvalidParameterValue", Some("sortBy".into()))),
    ] {
        assert_eq!(error(xml), expected, "{xml}");
    }
}

#[test]
fn dtds_and_entities_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<wfs:DescribeFeatureType xmlns:wfs="http://www.opengis.net/wfs/2.0" version="2.0.0"><wfs:TypeName>&lol3;</wfs:TypeName></wfs:DescribeFeatureType>"#;
    assert_eq!(error(laughs), ("OperationParsingFailed", Some("request".into())));
    let undefined = r#"<wfs:DescribeFeatureType xmlns:wfs="http://www.opengis.net/wfs/2.0" version="2.0.0"><wfs:TypeName>&lol3;</wfs:TypeName></wfs:DescribeFeatureType>"#;
    assert_eq!(error(undefined), ("OperationParsingFailed", Some("request".into())));
    // A DTD-less entity inside the filter is the filter reader's to refuse.
    let in_filter = format!(r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:Query typeNames="a"><fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal>&lol;</fes:Literal></fes:PropertyIsEqualTo></fes:Filter></wfs:Query></wfs:GetFeature>"#);
    assert!(parse_xml(&in_filter).is_err());
}

#[test]
fn deep_nesting_and_huge_bodies_are_refused() {
    let deep = format!(r#"<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0">{}{}</wfs:GetFeature>"#, "<a>".repeat(10_000), "</a>".repeat(10_000));
    assert_eq!(error(&deep), ("OperationParsingFailed", Some("request".into())));
    let deep_filter = format!(
        r#"<wfs:GetFeature version="2.0.0" {NS20}><wfs:Query typeNames="a"><fes:Filter>{}<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>{}</fes:Filter></wfs:Query></wfs:GetFeature>"#,
        "<fes:Not>".repeat(5_000),
        "</fes:Not>".repeat(5_000)
    );
    assert!(parse_xml(&deep_filter).is_err());
    let huge = format!("<a>{}</a>", " ".repeat(MAX_BODY));
    assert_eq!(error(&huge), ("OperationParsingFailed", Some("request".into())));
}

#[test]
fn truncated_bodies_never_panic() {
    let body = format!(
        r#"<?xml version="1.0"?><wfs:GetFeature service="WFS" version="2.0.0" count="5" {NS20}>
             <wfs:Query typeNames="ossature:communes" srsName="EPSG:4326">
               <wfs:PropertyName>nom</wfs:PropertyName>
               <fes:Filter><fes:BBOX><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>50 3</gml:lowerCorner><gml:upperCorner>51 4</gml:upperCorner></gml:Envelope></fes:BBOX></fes:Filter>
               <fes:SortBy><fes:SortProperty><fes:ValueReference>nom</fes:ValueReference><fes:SortOrder>DESC</fes:SortOrder></fes:SortProperty></fes:SortBy>
             </wfs:Query>
             <wfs:StoredQuery id="urn:ogc:def:query:OGC-WFS::GetFeatureById"><wfs:Parameter name="id">communes.é5</wfs:Parameter></wfs:StoredQuery>
           </wfs:GetFeature>"#
    );
    assert!(parse_xml(&body).is_err(), "a Query and a StoredQuery together are refused");
    for (i, _) in body.char_indices() {
        let _ = parse_xml(&body[..i]);
    }
}
