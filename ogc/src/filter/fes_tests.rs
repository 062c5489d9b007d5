//! FES 2.0 and Filter 1.1 documents (from the FES 2.0 specification's examples, WFS 1.1/2.0
//! examples and what clients send) and the exact trees they compile to.

use chrono::NaiveDate;
use geo_types::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon, line_string, point, polygon};

use super::*;
use crate::crs::Crs;
use crate::datetime::Interval;
use crate::filter::test_support::*;

const FES_NS: &str = r#"xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2""#;
const OGC_NS: &str = r#"xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml""#;

fn fes(body: &str) -> Result<Filter, FilterError> {
    parse(&format!("<fes:Filter {FES_NS}>{body}</fes:Filter>"))
}

fn ogc(body: &str) -> Result<Filter, FilterError> {
    parse(&format!("<ogc:Filter {OGC_NS}>{body}</ogc:Filter>"))
}

#[track_caller]
fn ok(result: Result<Filter, FilterError>) -> Filter {
    result.unwrap_or_else(|e| panic!("unexpected error: {e}"))
}

#[track_caller]
fn err(result: Result<Filter, FilterError>) -> String {
    match result {
        Ok(f) => panic!("expected an error, got {f:?}"),
        Err(e) => e.message,
    }
}

#[track_caller]
fn assert_err(result: Result<Filter, FilterError>, needle: &str) {
    let message = err(result);
    assert!(message.contains(needle), "error '{message}' does not mention '{needle}'");
}

fn geom(geometry: impl Into<Geometry<f64>>, crs: Option<Crs>) -> Expr {
    Expr::Geometry { geometry: geometry.into(), crs, authority_axes: true }
}

/// A geometry literal whose `srsName` was a traditional easting-first spelling (`EPSG:n`).
fn short(e: Expr) -> Expr {
    match e {
        Expr::Geometry { geometry, crs, .. } => Expr::Geometry { geometry, crs, authority_axes: false },
        other => other,
    }
}

fn casei(e: Expr) -> Expr {
    Expr::Function { function: Function::CaseInsensitive, args: vec![e] }
}

/// The geometry of a one-operand spatial filter, for GML reading tests.
#[track_caller]
fn gml(geometry: &str) -> Expr {
    match ok(fes(&format!("<fes:Intersects><fes:ValueReference>geom</fes:ValueReference>{geometry}</fes:Intersects>"))) {
        Filter::Spatial { right, .. } => right,
        other => panic!("not a spatial filter: {other:?}"),
    }
}

#[track_caller]
fn gml_err(geometry: &str, needle: &str) {
    assert_err(fes(&format!("<fes:Intersects><fes:ValueReference>geom</fes:ValueReference>{geometry}</fes:Intersects>")), needle);
}

// ---------------------------------------------------------------- comparisons

#[test]
fn spec_equal_to() {
    let doc = r#"<?xml version="1.0"?>
<fes:Filter
   xmlns:fes="http://www.opengis.net/fes/2.0"
   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
   xsi:schemaLocation="http://www.opengis.net/fes/2.0
   http://schemas.opengis.net/filter/2.0/filterAll.xsd">
   <fes:PropertyIsEqualTo>
      <fes:ValueReference>SomeProperty</fes:ValueReference>
      <fes:Literal>100</fes:Literal>
   </fes:PropertyIsEqualTo>
</fes:Filter>"#;
    assert_eq!(ok(parse(doc)), eq(prop("SomeProperty"), int(100)));
}

#[test]
fn every_comparison_in_both_versions() {
    let ops = [
        ("PropertyIsEqualTo", CompareOp::Eq),
        ("PropertyIsNotEqualTo", CompareOp::Ne),
        ("PropertyIsLessThan", CompareOp::Lt),
        ("PropertyIsGreaterThan", CompareOp::Gt),
        ("PropertyIsLessThanOrEqualTo", CompareOp::Le),
        ("PropertyIsGreaterThanOrEqualTo", CompareOp::Ge),
    ];
    for (name, op) in ops {
        let expected = Filter::Compare { op, left: prop("DEPTH"), right: int(30) };
        let v2 = fes(&format!("<fes:{name}><fes:ValueReference>DEPTH</fes:ValueReference><fes:Literal>30</fes:Literal></fes:{name}>"));
        let v1 = ogc(&format!("<ogc:{name}><ogc:PropertyName>DEPTH</ogc:PropertyName><ogc:Literal>30</ogc:Literal></ogc:{name}>"));
        assert_eq!(ok(v2), expected, "{name}");
        assert_eq!(ok(v1), expected, "{name}");
    }
}

#[test]
fn literal_on_the_left_and_two_properties() {
    let f = fes("<fes:PropertyIsLessThan><fes:Literal>5</fes:Literal><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsLessThan>");
    assert_eq!(ok(f), Filter::Compare { op: CompareOp::Lt, left: int(5), right: prop("a") });
    let f = fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:ValueReference>b</fes:ValueReference></fes:PropertyIsEqualTo>");
    assert_eq!(ok(f), eq(prop("a"), prop("b")));
}

#[test]
fn literals_are_numbers_only_when_they_read_back_the_same() {
    let cases = [
        ("12", Value::Int(12)),
        ("-7", Value::Int(-7)),
        ("0", Value::Int(0)),
        (" 12 ", Value::Int(12)),
        ("-3.5", Value::Float(-3.5)),
        ("0.1", Value::Float(0.1)),
        ("007", Value::Text("007".into())),
        ("+4", Value::Text("+4".into())),
        ("1.50", Value::Text("1.50".into())),
        ("1e3", Value::Text("1e3".into())),
        ("NaN", Value::Text("NaN".into())),
        ("inf", Value::Text("inf".into())),
        ("99999999999999999999", Value::Text("99999999999999999999".into())),
        ("Main Street", Value::Text("Main Street".into())),
        ("  two spaces ", Value::Text("  two spaces ".into())),
        ("", Value::Text(String::new())),
    ];
    for (literal, value) in cases {
        let f = fes(&format!("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal>{literal}</fes:Literal></fes:PropertyIsEqualTo>"));
        assert_eq!(ok(f), eq(prop("a"), Expr::Literal(value)), "{literal:?}");
    }
    let f = fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal/></fes:PropertyIsEqualTo>");
    assert_eq!(ok(f), eq(prop("a"), text("")));
}

#[test]
fn entities_character_references_and_cdata_in_literals() {
    let f = fes(
        "<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal>Tom &amp; Jerry &lt;3 &#233;t&#xE9; &quot;x&apos;</fes:Literal></fes:PropertyIsEqualTo>",
    );
    assert_eq!(ok(f), eq(prop("a"), text("Tom & Jerry <3 été \"x'")));
    let f = fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal><![CDATA[<b> & </b>]]></fes:Literal></fes:PropertyIsEqualTo>");
    assert_eq!(ok(f), eq(prop("a"), text("<b> & </b>")));
}

#[test]
fn match_case_false_compares_case_insensitively() {
    let f = fes(
        r#"<fes:PropertyIsEqualTo matchCase="false"><fes:ValueReference>name</fes:ValueReference><fes:Literal>Paris</fes:Literal></fes:PropertyIsEqualTo>"#,
    );
    assert_eq!(ok(f), eq(casei(prop("name")), casei(text("Paris"))));
    let f1 =
        ogc(r#"<ogc:PropertyIsEqualTo matchCase="false"><ogc:PropertyName>name</ogc:PropertyName><ogc:Literal>Paris</ogc:Literal></ogc:PropertyIsEqualTo>"#);
    assert_eq!(ok(f1), eq(casei(prop("name")), casei(text("Paris"))));
    // Numbers have no case.
    let f = fes(r#"<fes:PropertyIsEqualTo matchCase="false"><fes:ValueReference>n</fes:ValueReference><fes:Literal>3</fes:Literal></fes:PropertyIsEqualTo>"#);
    assert_eq!(ok(f), eq(prop("n"), int(3)));
    let f = fes(
        r#"<fes:PropertyIsEqualTo matchCase="true" matchAction="All"><fes:ValueReference>name</fes:ValueReference><fes:Literal>Paris</fes:Literal></fes:PropertyIsEqualTo>"#,
    );
    assert_eq!(ok(f), eq(prop("name"), text("Paris")));
    assert_err(
        fes(r#"<fes:PropertyIsEqualTo matchCase="maybe"><fes:ValueReference>a</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsEqualTo>"#),
        "matchCase",
    );
    assert_err(
        fes(r#"<fes:PropertyIsEqualTo matchAction="Some"><fes:ValueReference>a</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsEqualTo>"#),
        "matchAction",
    );
}

#[test]
fn comparison_needs_two_expressions() {
    assert_err(fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsEqualTo>"), "needs two expressions, found 1");
    assert_err(
        fes(
            "<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal>1</fes:Literal><fes:Literal>2</fes:Literal></fes:PropertyIsEqualTo>",
        ),
        "found 3",
    );
    assert_err(fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Foo/></fes:PropertyIsEqualTo>"), "expected an expression");
    assert_err(
        fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><gml:Point><gml:pos>1 2</gml:pos></gml:Point></fes:PropertyIsEqualTo>"),
        "is a geometry",
    );
}

// ---------------------------------------------------------------- like

#[test]
fn like_in_both_versions() {
    let expected = Filter::Like { expr: prop("LAST_NAME"), pattern: "JOHN%".into(), case_insensitive: false };
    let v2 = fes(
        r##"<fes:PropertyIsLike wildCard="*" singleChar="#" escapeChar="!"><fes:ValueReference>LAST_NAME</fes:ValueReference><fes:Literal>JOHN*</fes:Literal></fes:PropertyIsLike>"##,
    );
    let v1 = ogc(
        r##"<ogc:PropertyIsLike wildCard="*" singleChar="#" escape="!"><ogc:PropertyName>LAST_NAME</ogc:PropertyName><ogc:Literal>JOHN*</ogc:Literal></ogc:PropertyIsLike>"##,
    );
    assert_eq!(ok(v2), expected);
    assert_eq!(ok(v1), expected);
}

#[test]
fn like_translates_wildcards_and_escapes() {
    let like = |pattern: &str| match ok(fes(&format!(
        r#"<fes:PropertyIsLike wildCard="*" singleChar="." escapeChar="!"><fes:ValueReference>a</fes:ValueReference><fes:Literal>{pattern}</fes:Literal></fes:PropertyIsLike>"#
    ))) {
        Filter::Like { pattern, .. } => pattern,
        other => panic!("{other:?}"),
    };
    assert_eq!(like("*rue.de*"), "%rue_de%");
    assert_eq!(like("100!%*"), "100\\%%");
    assert_eq!(like("a!*b!.c!!d"), "a*b.c!d");
    assert_eq!(like("50% off_now\\"), "50\\% off\\_now\\\\");
    assert_eq!(like("!%"), "\\%");
    assert_eq!(like(""), "");
}

#[test]
fn like_pattern_translation() {
    assert_eq!(like_pattern("a%b", '%', '_', Some('\\')).unwrap(), "a%b");
    assert_eq!(like_pattern("a\\%b\\_", '%', '_', Some('\\')).unwrap(), "a\\%b\\_");
    assert_eq!(like_pattern("x?y*", '*', '?', None).unwrap(), "x_y%");
    assert!(like_pattern("abc!", '*', '?', Some('!')).unwrap_err().contains("ends with its escape"));
    assert!(like_pattern("a", '*', '*', Some('!')).unwrap_err().contains("different"));
    assert!(like_pattern("a", '*', '?', Some('*')).unwrap_err().contains("different"));
}

#[test]
fn like_options_and_refusals() {
    let f = fes(
        r#"<fes:PropertyIsLike wildCard="%" singleChar="_" escapeChar="\" matchCase="false"><fes:ValueReference>app:name</fes:ValueReference><fes:Literal>par%</fes:Literal></fes:PropertyIsLike>"#,
    );
    assert_eq!(ok(f), Filter::Like { expr: prop("name"), pattern: "par%".into(), case_insensitive: true });
    // No escape character at all: every character but the wildcards is literal.
    let f = ogc(r#"<ogc:PropertyIsLike wildCard="*" singleChar="?"><ogc:PropertyName>a</ogc:PropertyName><ogc:Literal>!*</ogc:Literal></ogc:PropertyIsLike>"#);
    assert_eq!(ok(f), Filter::Like { expr: prop("a"), pattern: "!%".into(), case_insensitive: false });
    let f = fes(
        r##"<fes:PropertyIsLike singleChar="#" escapeChar="!"><fes:ValueReference>a</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsLike>"##,
    );
    assert_err(f, "wildCard");
    let f = fes(
        r##"<fes:PropertyIsLike wildCard="**" singleChar="#" escapeChar="!"><fes:ValueReference>a</fes:ValueReference><fes:Literal>x</fes:Literal></fes:PropertyIsLike>"##,
    );
    assert_err(f, "one character");
    let f = fes(
        r##"<fes:PropertyIsLike wildCard="*" singleChar="#" escapeChar="!"><fes:ValueReference>a</fes:ValueReference><fes:ValueReference>b</fes:ValueReference></fes:PropertyIsLike>"##,
    );
    assert_err(f, "must be a Literal");
    let f = fes(
        r##"<fes:PropertyIsLike wildCard="*" singleChar="#" escapeChar="!"><fes:ValueReference>a</fes:ValueReference><fes:Literal>x!</fes:Literal></fes:PropertyIsLike>"##,
    );
    assert_err(f, "ends with its escape character");
}

// ---------------------------------------------------------------- null, between, logic

#[test]
fn null_and_nil() {
    let expected = Filter::IsNull(prop("ADDRESS"));
    assert_eq!(ok(fes("<fes:PropertyIsNull><fes:ValueReference>ADDRESS</fes:ValueReference></fes:PropertyIsNull>")), expected);
    assert_eq!(ok(fes(r#"<fes:PropertyIsNil nilReason="missing"><fes:ValueReference>ADDRESS</fes:ValueReference></fes:PropertyIsNil>"#)), expected);
    assert_eq!(ok(ogc("<ogc:PropertyIsNull><ogc:PropertyName>ADDRESS</ogc:PropertyName></ogc:PropertyIsNull>")), expected);
    assert_err(fes("<fes:PropertyIsNull/>"), "needs one expression");
}

#[test]
fn spec_between() {
    let doc = r#"<?xml version="1.0"?>
<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">
   <fes:PropertyIsBetween>
      <fes:ValueReference>DEPTH</fes:ValueReference>
      <fes:LowerBoundary>
         <fes:Literal>100</fes:Literal>
      </fes:LowerBoundary>
      <fes:UpperBoundary>
         <fes:Literal>200</fes:Literal>
      </fes:UpperBoundary>
   </fes:PropertyIsBetween>
</fes:Filter>"#;
    let expected = Filter::Between { expr: prop("DEPTH"), low: int(100), high: int(200) };
    assert_eq!(ok(parse(doc)), expected);
    let v1 = ogc(
        "<ogc:PropertyIsBetween><ogc:PropertyName>DEPTH</ogc:PropertyName><ogc:LowerBoundary><ogc:Literal>100</ogc:Literal></ogc:LowerBoundary><ogc:UpperBoundary><ogc:Literal>200</ogc:Literal></ogc:UpperBoundary></ogc:PropertyIsBetween>",
    );
    assert_eq!(ok(v1), expected);
    let swapped = fes(
        "<fes:PropertyIsBetween><fes:ValueReference>DEPTH</fes:ValueReference><fes:UpperBoundary><fes:Literal>2</fes:Literal></fes:UpperBoundary><fes:LowerBoundary><fes:Literal>1</fes:Literal></fes:LowerBoundary></fes:PropertyIsBetween>",
    );
    assert_err(swapped, "expected LowerBoundary");
}

#[test]
fn logic_operators_nest() {
    let doc = "<fes:Or>
        <fes:And>
          <fes:PropertyIsLessThan><fes:ValueReference>DEPTH</fes:ValueReference><fes:Literal>30</fes:Literal></fes:PropertyIsLessThan>
          <fes:Not><fes:PropertyIsNull><fes:ValueReference>NAME</fes:ValueReference></fes:PropertyIsNull></fes:Not>
        </fes:And>
        <fes:PropertyIsEqualTo><fes:ValueReference>TYPE</fes:ValueReference><fes:Literal>lake</fes:Literal></fes:PropertyIsEqualTo>
      </fes:Or>";
    let expected = Filter::Or(vec![
        Filter::And(vec![Filter::Compare { op: CompareOp::Lt, left: prop("DEPTH"), right: int(30) }, Filter::Not(Box::new(Filter::IsNull(prop("NAME"))))]),
        eq(prop("TYPE"), text("lake")),
    ]);
    let parsed = ok(fes(doc));
    assert_eq!(parsed, expected);
    assert_eq!(parsed.properties(), ["DEPTH", "NAME", "TYPE"]);
    let v1 = ok(ogc(&doc.replace("fes:", "ogc:").replace("ValueReference", "PropertyName")));
    assert_eq!(v1, expected);
}

#[test]
fn logic_operand_counts() {
    let single = fes("<fes:And><fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull></fes:And>");
    assert_eq!(ok(single), Filter::IsNull(prop("a")));
    assert_err(fes("<fes:And/>"), "has no operands");
    assert_err(fes("<fes:Or></fes:Or>"), "has no operands");
    assert_err(fes("<fes:Not/>"), "exactly one operand, found 0");
    let two = "<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>";
    assert_err(fes(&format!("<fes:Not>{two}{two}</fes:Not>")), "exactly one operand, found 2");
}

#[test]
fn filter_holds_one_predicate() {
    assert_err(fes(""), "is empty");
    let p = "<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>";
    assert_err(fes(&format!("{p}{p}")), "combine them with And or Or");
}

// ---------------------------------------------------------------- ids

#[test]
fn spec_resource_ids() {
    let doc = r#"<?xml version="1.0"?>
<fes:Filter
   xmlns:fes="http://www.opengis.net/fes/2.0"
   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
   xsi:schemaLocation="http://www.opengis.net/fes/2.0
   http://schemas.opengis.net/filter/2.0/filterAll.xsd">
   <fes:ResourceId rid="TREESA_1M.1234"/>
   <fes:ResourceId rid="TREESA_1M.5678"/>
   <fes:ResourceId rid="TREESA_1M.9012"/>
   <fes:ResourceId rid="INWATERA_1M.3456"/>
   <fes:ResourceId rid="INWATERA_1M.7890"/>
   <fes:ResourceId rid="BUILTUPA_1M.4321"/>
</fes:Filter>"#;
    let ids = ["TREESA_1M.1234", "TREESA_1M.5678", "TREESA_1M.9012", "INWATERA_1M.3456", "INWATERA_1M.7890", "BUILTUPA_1M.4321"];
    assert_eq!(ok(parse(doc)), Filter::ResourceId(ids.map(String::from).to_vec()));
}

#[test]
fn filter_1_1_ids() {
    let f = ogc(r#"<ogc:FeatureId fid="roads.1"/><ogc:FeatureId fid="roads.2"/><ogc:GmlObjectId gml:id="roads.3"/>"#);
    assert_eq!(ok(f), Filter::ResourceId(vec!["roads.1".into(), "roads.2".into(), "roads.3".into()]));
    let v2 = fes(r#"<fes:ResourceId rid="roads.1"/>"#);
    let v1 = ogc(r#"<ogc:FeatureId fid="roads.1"/>"#);
    assert_eq!(ok(v2), ok(v1));
}

#[test]
fn ids_inside_logic_operators() {
    let f = fes(
        r#"<fes:And><fes:ResourceId rid="a.1"/><fes:ResourceId rid="a.2"/><fes:PropertyIsNull><fes:ValueReference>x</fes:ValueReference></fes:PropertyIsNull><fes:ResourceId rid="a.3"/></fes:And>"#,
    );
    assert_eq!(
        ok(f),
        Filter::And(vec![Filter::ResourceId(vec!["a.1".into(), "a.2".into()]), Filter::IsNull(prop("x")), Filter::ResourceId(vec!["a.3".into()])])
    );
    let f = fes(r#"<fes:Not><fes:ResourceId rid="a.1"/><fes:ResourceId rid="a.2"/></fes:Not>"#);
    assert_eq!(ok(f), Filter::Not(Box::new(Filter::ResourceId(vec!["a.1".into(), "a.2".into()]))));
}

#[test]
fn id_refusals() {
    assert_err(fes(r#"<fes:ResourceId rid="a.1" version="LAST"/>"#), "version navigation");
    assert_err(fes(r#"<fes:ResourceId rid="a.1" startDate="2020-01-01T00:00:00Z"/>"#), "startDate");
    assert_err(fes(r#"<fes:ResourceId rid=""/>"#), "non-empty rid");
    assert_err(fes("<fes:ResourceId/>"), "non-empty rid");
    assert_err(ogc("<ogc:FeatureId/>"), "non-empty fid");
    assert_err(ogc(r#"<ogc:GmlObjectId id="x"/>"#), "gml:id");
    assert_err(fes(r#"<fes:FeatureId fid="a.1"/>"#), "fes:ResourceId");
    assert_err(ogc(r#"<ogc:ResourceId rid="a.1"/>"#), "ogc:FeatureId");
    let many: String = (0..=MAX_IDS).map(|i| format!(r#"<fes:ResourceId rid="a.{i}"/>"#)).collect();
    assert_err(fes(&many), "more than 10000 resource ids");
}

// ---------------------------------------------------------------- properties, functions, arithmetic

#[test]
fn property_references() {
    let null = |name: &str| fes(&format!("<fes:PropertyIsNull><fes:ValueReference>{name}</fes:ValueReference></fes:PropertyIsNull>"));
    assert_eq!(ok(null("app:nom")), Filter::IsNull(prop("nom")));
    assert_eq!(ok(null(" nom_commune ")), Filter::IsNull(prop("nom_commune")));
    assert_eq!(ok(null("élévation")), Filter::IsNull(prop("élévation")));
    for bad in ["app:Layer/app:nom", "@gml:id", "nom[1]", "a:b:c", "1abc", "count(x)", "*", "a b", "/nom", ":nom"] {
        assert_err(null(bad), "not an XPath path");
    }
    assert_err(null(""), "is empty");
    assert_err(fes("<fes:PropertyIsNull><fes:PropertyName>a</fes:PropertyName></fes:PropertyIsNull>"), "FES 2.0 names properties with ValueReference");
    assert_err(ogc("<ogc:PropertyIsNull><ogc:ValueReference>a</ogc:ValueReference></ogc:PropertyIsNull>"), "Filter 1.1 names properties with PropertyName");
}

#[test]
fn functions() {
    let f = fes(
        r#"<fes:PropertyIsEqualTo><fes:Function name="lower"><fes:ValueReference>name</fes:ValueReference></fes:Function><fes:Literal>paris</fes:Literal></fes:PropertyIsEqualTo>"#,
    );
    let lower = Expr::Function { function: Function::Lower, args: vec![prop("name")] };
    assert_eq!(ok(f), eq(lower.clone(), text("paris")));
    let f = ogc(
        r#"<ogc:PropertyIsEqualTo><ogc:Function name="strToLowerCase"><ogc:PropertyName>name</ogc:PropertyName></ogc:Function><ogc:Literal>paris</ogc:Literal></ogc:PropertyIsEqualTo>"#,
    );
    assert_eq!(ok(f), eq(lower, text("paris")));
    let f = fes(
        r#"<fes:PropertyIsEqualTo><fes:Function name="UPPER"><fes:ValueReference>name</fes:ValueReference></fes:Function><fes:Literal>PARIS</fes:Literal></fes:PropertyIsEqualTo>"#,
    );
    assert_eq!(ok(f), eq(Expr::Function { function: Function::Upper, args: vec![prop("name")] }, text("PARIS")));
}

#[test]
fn spec_unknown_function_is_refused() {
    let doc = r#"<?xml version="1.0"?>
<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">
   <fes:PropertyIsEqualTo>
      <fes:Function name="SIN">
         <fes:ValueReference>DISPERSION_ANGLE</fes:ValueReference>
      </fes:Function>
      <fes:Literal>1</fes:Literal>
   </fes:PropertyIsEqualTo>
</fes:Filter>"#;
    assert_err(parse(doc), "the function 'SIN' is not supported (supported: lower, upper)");
    assert_err(fes("<fes:PropertyIsNull><fes:Function><fes:ValueReference>a</fes:ValueReference></fes:Function></fes:PropertyIsNull>"), "needs a name");
    assert_err(fes(r#"<fes:PropertyIsNull><fes:Function name="lower"/></fes:PropertyIsNull>"#), "needs one argument");
    assert_err(fes(r#"<fes:Function name="isOpen"><fes:ValueReference>a</fes:ValueReference></fes:Function>"#), "cannot be a predicate");
}

#[test]
fn filter_1_1_arithmetic() {
    let f = ogc(
        "<ogc:PropertyIsGreaterThan><ogc:Mul><ogc:Add><ogc:PropertyName>a</ogc:PropertyName><ogc:Literal>1</ogc:Literal></ogc:Add><ogc:Literal>2.5</ogc:Literal></ogc:Mul><ogc:Div><ogc:PropertyName>b</ogc:PropertyName><ogc:Sub><ogc:Literal>4</ogc:Literal><ogc:PropertyName>c</ogc:PropertyName></ogc:Sub></ogc:Div></ogc:PropertyIsGreaterThan>",
    );
    let arith = |op, l, r| Expr::Arithmetic { op, left: Box::new(l), right: Box::new(r) };
    let expected = Filter::Compare {
        op: CompareOp::Gt,
        left: arith(ArithmeticOp::Mul, arith(ArithmeticOp::Add, prop("a"), int(1)), Expr::Literal(Value::Float(2.5))),
        right: arith(ArithmeticOp::Div, prop("b"), arith(ArithmeticOp::Sub, int(4), prop("c"))),
    };
    assert_eq!(ok(f), expected);
    assert_err(
        fes(
            "<fes:PropertyIsEqualTo><fes:Add><fes:ValueReference>a</fes:ValueReference><fes:Literal>1</fes:Literal></fes:Add><fes:Literal>2</fes:Literal></fes:PropertyIsEqualTo>",
        ),
        "FES 2.0 has no arithmetic",
    );
    assert_err(ogc("<ogc:PropertyIsNull><ogc:Add><ogc:Literal>1</ogc:Literal></ogc:Add></ogc:PropertyIsNull>"), "needs two expressions");
}

// ---------------------------------------------------------------- spatial

fn square(crs: Option<Crs>) -> Expr {
    geom(polygon![(x: 10.0, y: 40.0), (x: 20.0, y: 40.0), (x: 20.0, y: 50.0), (x: 10.0, y: 40.0 + 10.0), (x: 10.0, y: 40.0)], crs)
}

#[test]
fn bbox_in_both_versions() {
    let expected = Filter::Spatial { op: SpatialOp::Intersects, left: prop("geom"), right: square(Some(Crs::Epsg(4326))) };
    let v2 = fes(
        r#"<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>10 40</gml:lowerCorner><gml:upperCorner>20 50</gml:upperCorner></gml:Envelope></fes:BBOX>"#,
    );
    let v1 = ogc(
        r#"<ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>10 40</gml:lowerCorner><gml:upperCorner>20 50</gml:upperCorner></gml:Envelope></ogc:BBOX>"#,
    );
    let gml2 = ogc(
        r#"<ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Box srsName="http://www.opengis.net/gml/srs/epsg.xml#4326"><gml:coordinates>10,40 20,50</gml:coordinates></gml:Box></ogc:BBOX>"#,
    );
    let pos = ogc(
        r#"<ogc:BBOX><ogc:PropertyName>geom</ogc:PropertyName><gml:Envelope srsName="EPSG:4326"><gml:pos>10 40</gml:pos><gml:pos>20 50</gml:pos></gml:Envelope></ogc:BBOX>"#,
    );
    assert_eq!(ok(v2), expected);
    let Filter::Spatial { op, left, right } = expected else { unreachable!() };
    let expected = Filter::Spatial { op, left, right: short(right) };
    assert_eq!(ok(v1), expected);
    assert_eq!(ok(gml2), expected);
    assert_eq!(ok(pos), expected);
}

#[test]
fn bbox_without_property_tests_the_default_geometry() {
    let f = fes("<fes:BBOX><gml:Envelope><gml:lowerCorner>10 40</gml:lowerCorner><gml:upperCorner>20 50</gml:upperCorner></gml:Envelope></fes:BBOX>");
    assert_eq!(ok(f), Filter::Spatial { op: SpatialOp::Intersects, left: prop(DEFAULT_GEOMETRY), right: square(None) });
}

#[test]
fn bbox_refusals() {
    assert_err(fes("<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Point><gml:pos>1 2</gml:pos></gml:Point></fes:BBOX>"), "needs a gml:Envelope");
    assert_err(fes("<fes:BBOX><fes:ValueReference>geom</fes:ValueReference></fes:BBOX>"), "needs a gml:Envelope");
    assert_err(
        fes(
            "<fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope><gml:lowerCorner>20 40</gml:lowerCorner><gml:upperCorner>10 50</gml:upperCorner></gml:Envelope></fes:BBOX>",
        ),
        "antimeridian",
    );
    assert_err(fes("<fes:BBOX><gml:Envelope><gml:lowerCorner>10 40</gml:lowerCorner></gml:Envelope></fes:BBOX>"), "needs two corners");
    assert_err(
        fes(
            r#"<fes:BBOX><gml:Envelope srsName="EPSG:banana"><gml:lowerCorner>1 2</gml:lowerCorner><gml:upperCorner>3 4</gml:upperCorner></gml:Envelope></fes:BBOX>"#,
        ),
        "'EPSG:banana' is not a CRS identifier",
    );
}

#[test]
fn every_binary_spatial_operator() {
    let ops = [
        ("Intersects", SpatialOp::Intersects),
        ("Disjoint", SpatialOp::Disjoint),
        ("Contains", SpatialOp::Contains),
        ("Within", SpatialOp::Within),
        ("Touches", SpatialOp::Touches),
        ("Crosses", SpatialOp::Crosses),
        ("Overlaps", SpatialOp::Overlaps),
        ("Equals", SpatialOp::Equals),
    ];
    for (name, op) in ops {
        let expected = Filter::Spatial { op, left: prop("the_geom"), right: geom(point!(x: 2.35, y: 48.85), Some(Crs::Crs84)) };
        let v2 = fes(&format!(
            r#"<fes:{name}><fes:ValueReference>the_geom</fes:ValueReference><gml:Point gml:id="p1" srsName="http://www.opengis.net/def/crs/OGC/1.3/CRS84"><gml:pos>2.35 48.85</gml:pos></gml:Point></fes:{name}>"#
        ));
        let v1 = ogc(&format!(
            r#"<ogc:{name}><ogc:PropertyName>the_geom</ogc:PropertyName><gml:Point srsName="CRS:84"><gml:coordinates>2.35,48.85</gml:coordinates></gml:Point></ogc:{name}>"#
        ));
        assert_eq!(ok(v2), expected, "{name}");
        assert_eq!(ok(v1), expected, "{name}");
    }
}

#[test]
fn spec_within_and_between() {
    let doc = r#"<?xml version="1.0"?>
<fes:Filter
   xmlns:fes="http://www.opengis.net/fes/2.0"
   xmlns:gml="http://www.opengis.net/gml/3.2"
   xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
   xsi:schemaLocation="http://www.opengis.net/fes/2.0
   http://schemas.opengis.net/filter/2.0/filterAll.xsd
   http://www.opengis.net/gml/3.2
   http://schemas.opengis.net/gml/3.2.1/gml.xsd">
   <fes:And>
      <fes:Within>
         <fes:ValueReference>WKB_GEOM</fes:ValueReference>
         <gml:Polygon gml:id="P1" srsName="urn:ogc:def:crs:EPSG::4326">
            <gml:exterior>
               <gml:LinearRing>
                  <gml:posList>10 10 20 20 30 30 40 40 10 10</gml:posList>
               </gml:LinearRing>
            </gml:exterior>
         </gml:Polygon>
      </fes:Within>
      <fes:PropertyIsBetween>
         <fes:ValueReference>DEPTH</fes:ValueReference>
         <fes:LowerBoundary>
            <fes:Literal>400</fes:Literal>
         </fes:LowerBoundary>
         <fes:UpperBoundary>
            <fes:Literal>800</fes:Literal>
         </fes:UpperBoundary>
      </fes:PropertyIsBetween>
   </fes:And>
</fes:Filter>"#;
    let ring = polygon![(x: 10.0, y: 10.0), (x: 20.0, y: 20.0), (x: 30.0, y: 30.0), (x: 40.0, y: 40.0), (x: 10.0, y: 10.0)];
    let expected = Filter::And(vec![
        Filter::Spatial { op: SpatialOp::Within, left: prop("WKB_GEOM"), right: geom(ring, Some(Crs::Epsg(4326))) },
        Filter::Between { expr: prop("DEPTH"), low: int(400), high: int(800) },
    ]);
    assert_eq!(ok(parse(doc)), expected);
}

#[test]
fn geometry_inside_a_literal_and_without_property() {
    let f = fes(
        "<fes:Intersects><fes:ValueReference>g</fes:ValueReference><fes:Literal><gml:Point><gml:pos>1 2</gml:pos></gml:Point></fes:Literal></fes:Intersects>",
    );
    assert_eq!(ok(f), Filter::Spatial { op: SpatialOp::Intersects, left: prop("g"), right: geom(point!(x: 1.0, y: 2.0), None) });
    let f = fes("<fes:Touches><gml:Point><gml:pos>1 2</gml:pos></gml:Point></fes:Touches>");
    assert_eq!(ok(f), Filter::Spatial { op: SpatialOp::Touches, left: prop(DEFAULT_GEOMETRY), right: geom(point!(x: 1.0, y: 2.0), None) });
    assert_err(fes("<fes:Touches/>"), "needs a ValueReference and a geometry, found 0");
}

#[test]
fn distance_operators() {
    let point = short(geom(point!(x: 651_000.0, y: 6_862_000.0), Some(Crs::LAMBERT93)));
    let expected = |op, units: Option<&str>| Filter::Distance { op, left: prop("geom"), right: point.clone(), distance: 150.0, units: units.map(String::from) };
    let v2 = fes(
        r#"<fes:DWithin><fes:ValueReference>geom</fes:ValueReference><gml:Point srsName="EPSG:2154"><gml:pos>651000 6862000</gml:pos></gml:Point><fes:Distance uom="m">150</fes:Distance></fes:DWithin>"#,
    );
    let v1 = ogc(
        r#"<ogc:DWithin><ogc:PropertyName>geom</ogc:PropertyName><gml:Point srsName="EPSG:2154"><gml:pos>651000 6862000</gml:pos></gml:Point><ogc:Distance units="meter">150</ogc:Distance></ogc:DWithin>"#,
    );
    assert_eq!(ok(v2), expected(DistanceOp::Within, Some("m")));
    assert_eq!(ok(v1), expected(DistanceOp::Within, Some("m")));
    let beyond = |uom: &str| {
        fes(&format!(
            r#"<fes:Beyond><fes:ValueReference>geom</fes:ValueReference><gml:Point srsName="EPSG:2154"><gml:pos>651000 6862000</gml:pos></gml:Point><fes:Distance{uom}>150.0</fes:Distance></fes:Beyond>"#
        ))
    };
    assert_eq!(ok(beyond(r#" uom="urn:ogc:def:uom:EPSG::9001""#)), expected(DistanceOp::Beyond, Some("m")));
    assert_eq!(ok(beyond(r#" uom="http://www.opengis.net/def/uom/OGC/1.0/metre""#)), expected(DistanceOp::Beyond, Some("m")));
    assert_eq!(ok(beyond(r#" uom="kilometers""#)), expected(DistanceOp::Beyond, Some("km")));
    assert_eq!(ok(beyond(r#" uom="http://www.opengis.net/def/uom/EPSG/0/9102""#)), expected(DistanceOp::Beyond, Some("deg")));
    assert_eq!(ok(beyond(r#" uom="furlong""#)), expected(DistanceOp::Beyond, Some("furlong")));
    assert_eq!(ok(beyond("")), expected(DistanceOp::Beyond, None));
    assert_err(
        fes(
            "<fes:DWithin><fes:ValueReference>geom</fes:ValueReference><gml:Point><gml:pos>1 2</gml:pos></gml:Point><fes:Distance>-1</fes:Distance></fes:DWithin>",
        ),
        "not a non-negative number",
    );
    assert_err(
        fes("<fes:DWithin><fes:ValueReference>geom</fes:ValueReference><gml:Point><gml:pos>1 2</gml:pos></gml:Point></fes:DWithin>"),
        "needs a Distance",
    );
}

// ---------------------------------------------------------------- GML geometries

#[test]
fn gml_points() {
    let p = geom(point!(x: 1.5, y: -2.0), None);
    assert_eq!(gml("<gml:Point><gml:pos>1.5 -2</gml:pos></gml:Point>"), p);
    assert_eq!(gml("<gml:Point><gml:coordinates>1.5,-2</gml:coordinates></gml:Point>"), p);
    assert_eq!(gml(r#"<gml:Point><gml:coordinates decimal="," cs=";" ts=" ">1,5;-2</gml:coordinates></gml:Point>"#), p);
    assert_eq!(gml("<gml:Point><gml:coord><gml:X>1.5</gml:X><gml:Y>-2</gml:Y></gml:coord></gml:Point>"), p);
    let gml31 = fes(
        r#"<fes:Intersects xmlns:g="http://www.opengis.net/gml"><fes:ValueReference>geom</fes:ValueReference><g:Point><g:pos>1.5 -2</g:pos></g:Point></fes:Intersects>"#,
    );
    assert_eq!(ok(gml31), Filter::Spatial { op: SpatialOp::Intersects, left: prop("geom"), right: p });
}

#[test]
fn gml_line_strings() {
    let l = geom(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 2.0, y: 0.0)], None);
    assert_eq!(gml("<gml:LineString><gml:posList>0 0 1 1 2 0</gml:posList></gml:LineString>"), l);
    assert_eq!(gml("<gml:LineString><gml:pos>0 0</gml:pos><gml:pos>1 1</gml:pos><gml:pos>2 0</gml:pos></gml:LineString>"), l);
    assert_eq!(gml("<gml:LineString><gml:coordinates>0,0 1,1\n 2,0</gml:coordinates></gml:LineString>"), l);
    assert_eq!(
        gml(
            r#"<gml:LineString><gml:pos>0 0</gml:pos><gml:pointProperty><gml:Point><gml:pos>1 1</gml:pos></gml:Point></gml:pointProperty><gml:pos>2 0</gml:pos></gml:LineString>"#
        ),
        l
    );
    gml_err("<gml:LineString><gml:posList>0 0</gml:posList></gml:LineString>", "at least two positions");
    gml_err("<gml:LineString><gml:posList>0 0 1</gml:posList></gml:LineString>", "not a multiple of its dimension 2");
}

#[test]
fn gml_polygons_with_holes() {
    let expected = geom(
        Polygon::new(
            LineString::from(vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]),
            vec![LineString::from(vec![(2.0, 2.0), (2.0, 4.0), (4.0, 4.0), (2.0, 2.0)])],
        ),
        None,
    );
    let gml3 = "<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>0 0 10 0 10 10 0 10 0 0</gml:posList></gml:LinearRing></gml:exterior>\
                <gml:interior><gml:LinearRing><gml:posList>2 2 2 4 4 4 2 2</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>";
    let gml2 = "<gml:Polygon><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>0,0 10,0 10,10 0,10 0,0</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs>\
                <gml:innerBoundaryIs><gml:LinearRing><gml:coordinates>2,2 2,4 4,4 2,2</gml:coordinates></gml:LinearRing></gml:innerBoundaryIs></gml:Polygon>";
    assert_eq!(gml(gml3), expected);
    assert_eq!(gml(gml2), expected);
    gml_err(
        "<gml:Polygon><gml:exterior><gml:LinearRing><gml:posList>0 0 1 0 1 1 0 1</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>",
        "must be closed",
    );
    gml_err("<gml:Polygon/>", "has no exterior ring");
    gml_err(
        "<gml:Polygon><gml:interior><gml:LinearRing><gml:posList>0 0 1 0 1 1 0 0</gml:posList></gml:LinearRing></gml:interior></gml:Polygon>",
        "unexpected <gml:interior>",
    );
}

#[test]
fn gml_collections() {
    let pts = geom(MultiPoint(vec![point!(x: 1.0, y: 2.0), point!(x: 3.0, y: 4.0)]), None);
    assert_eq!(
        gml(
            "<gml:MultiPoint><gml:pointMember><gml:Point><gml:pos>1 2</gml:pos></gml:Point></gml:pointMember><gml:pointMember><gml:Point><gml:pos>3 4</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint>"
        ),
        pts
    );
    assert_eq!(
        gml(
            "<gml:MultiPoint><gml:pointMembers><gml:Point><gml:pos>1 2</gml:pos></gml:Point><gml:Point><gml:pos>3 4</gml:pos></gml:Point></gml:pointMembers></gml:MultiPoint>"
        ),
        pts
    );
    let lines = geom(MultiLineString(vec![line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)], line_string![(x: 2.0, y: 2.0), (x: 3.0, y: 3.0)]]), None);
    assert_eq!(
        gml(
            "<gml:MultiCurve><gml:curveMember><gml:LineString><gml:posList>0 0 1 1</gml:posList></gml:LineString></gml:curveMember><gml:curveMember><gml:LineString><gml:posList>2 2 3 3</gml:posList></gml:LineString></gml:curveMember></gml:MultiCurve>"
        ),
        lines
    );
    assert_eq!(
        gml(
            "<gml:MultiLineString><gml:lineStringMember><gml:LineString><gml:coordinates>0,0 1,1</gml:coordinates></gml:LineString></gml:lineStringMember><gml:lineStringMember><gml:LineString><gml:coordinates>2,2 3,3</gml:coordinates></gml:LineString></gml:lineStringMember></gml:MultiLineString>"
        ),
        lines
    );
    let ring = "<gml:LinearRing><gml:posList>0 0 1 0 1 1 0 0</gml:posList></gml:LinearRing>";
    let tri = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 0.0)];
    let polys = short(geom(MultiPolygon(vec![tri.clone(), tri.clone()]), Some(Crs::Epsg(3857))));
    let surface = format!("<gml:Polygon><gml:exterior>{ring}</gml:exterior></gml:Polygon>");
    assert_eq!(
        gml(&format!(
            r#"<gml:MultiSurface srsName="EPSG:3857"><gml:surfaceMember>{surface}</gml:surfaceMember><gml:surfaceMember>{surface}</gml:surfaceMember></gml:MultiSurface>"#
        )),
        polys
    );
    assert_eq!(gml(&format!(r#"<gml:MultiSurface srsName="EPSG:3857"><gml:surfaceMembers>{surface}{surface}</gml:surfaceMembers></gml:MultiSurface>"#)), polys);
    let gml2 = format!("<gml:Polygon><gml:outerBoundaryIs>{ring}</gml:outerBoundaryIs></gml:Polygon>");
    assert_eq!(
        gml(&format!(
            r#"<gml:MultiPolygon srsName="EPSG:3857"><gml:polygonMember>{gml2}</gml:polygonMember><gml:polygonMember>{gml2}</gml:polygonMember></gml:MultiPolygon>"#
        )),
        polys
    );
    let mixed = gml(
        "<gml:MultiGeometry><gml:geometryMember><gml:Point><gml:pos>1 2</gml:pos></gml:Point></gml:geometryMember><gml:geometryMember><gml:LineString><gml:posList>0 0 1 1</gml:posList></gml:LineString></gml:geometryMember></gml:MultiGeometry>",
    );
    let collection = GeometryCollection(vec![Geometry::Point(point!(x: 1.0, y: 2.0)), Geometry::LineString(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)])]);
    assert_eq!(mixed, geom(Geometry::GeometryCollection(collection), None));
    gml_err("<gml:MultiPoint><gml:pointMember/></gml:MultiPoint>", "exactly one Point");
    gml_err("<gml:MultiCurve><gml:curveMember><gml:Point><gml:pos>1 2</gml:pos></gml:Point></gml:curveMember></gml:MultiCurve>", "expected a gml:LineString");
}

#[test]
fn gml_reference_systems() {
    // A member inherits its collection's srsName, and may repeat it in another spelling.
    let inherited = gml(
        r#"<gml:MultiPoint srsName="EPSG:4326"><gml:pointMember><gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>48.8 2.3</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint>"#,
    );
    assert_eq!(inherited, short(geom(MultiPoint(vec![point!(x: 48.8, y: 2.3)]), Some(Crs::WGS84))));
    let from_member =
        gml(r#"<gml:MultiPoint><gml:pointMember><gml:Point srsName="EPSG:2154"><gml:pos>1 2</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint>"#);
    assert_eq!(from_member, short(geom(MultiPoint(vec![point!(x: 1.0, y: 2.0)]), Some(Crs::LAMBERT93))));
    gml_err(
        r#"<gml:MultiPoint srsName="EPSG:4326"><gml:pointMember><gml:Point srsName="EPSG:2154"><gml:pos>1 2</gml:pos></gml:Point></gml:pointMember></gml:MultiPoint>"#,
        "one geometry has one CRS",
    );
    gml_err(r#"<gml:Point srsName="EPSG:0"><gml:pos>1 2</gml:pos></gml:Point>"#, "not a CRS identifier");
}

#[test]
fn gml_third_dimension_is_dropped() {
    let l = geom(line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)], None);
    assert_eq!(gml(r#"<gml:LineString srsDimension="3"><gml:posList>0 0 5 1 1 6</gml:posList></gml:LineString>"#), l);
    assert_eq!(gml(r#"<gml:LineString><gml:posList srsDimension="3">0 0 5 1 1 6</gml:posList></gml:LineString>"#), l);
    assert_eq!(gml("<gml:LineString><gml:pos>0 0 5</gml:pos><gml:pos>1 1 6</gml:pos></gml:LineString>"), l);
    assert_eq!(gml("<gml:LineString><gml:coordinates>0,0,5 1,1,6</gml:coordinates></gml:LineString>"), l);
    gml_err(r#"<gml:LineString srsDimension="4"><gml:posList>0 0 5 1 1 1 6 1</gml:posList></gml:LineString>"#, "only 2 and 3 are supported");
    gml_err(r#"<gml:Point><gml:pos srsDimension="2">1 2 3</gml:pos></gml:Point>"#, "needs 2 (or 3) numbers");
    gml_err("<gml:Point><gml:pos>1 2 3 4</gml:pos></gml:Point>", "needs 2 (or 3) numbers, found 4");
}

#[test]
fn gml_refusals() {
    gml_err("<gml:Point><gml:pos>1 abc</gml:pos></gml:Point>", "'abc' in <gml:pos> is not a number");
    gml_err("<gml:Point><gml:pos>1 NaN</gml:pos></gml:Point>", "'NaN' in <gml:pos> is not a number");
    gml_err("<gml:Point><gml:pos>1 inf</gml:pos></gml:Point>", "is not a number");
    gml_err("<gml:Point/>", "exactly one position, found 0");
    gml_err("<gml:Point><gml:pos>1 2</gml:pos><gml:pos>3 4</gml:pos></gml:Point>", "exactly one position, found 2");
    gml_err("<gml:Curve><gml:segments/></gml:Curve>", "<gml:Curve> is not supported");
    gml_err("<gml:Banana/>", "<gml:Banana> is not a GML geometry");
    gml_err(r##"<gml:MultiPoint xmlns:xlink="http://www.w3.org/1999/xlink"><gml:pointMember xlink:href="#p1"/></gml:MultiPoint>"##, "xlink:href");
    gml_err("<gml:Point><gml:coordinates>1;2</gml:coordinates></gml:Point>", "'1;2' in <gml:coordinates> is not a number");
    gml_err("<gml:Point><gml:coordinates>1,2,3,4</gml:coordinates></gml:Point>", "the tuple '1,2,3,4' needs 2 (or 3) numbers");
    gml_err("<gml:Point><gml:lowerCorner>1 2</gml:lowerCorner></gml:Point>", "unexpected <gml:lowerCorner>");
    // Descriptive GML properties are allowed and ignored.
    assert_eq!(gml(r#"<gml:Point gml:id="p"><gml:name>here</gml:name><gml:pos>1 2</gml:pos></gml:Point>"#), geom(point!(x: 1.0, y: 2.0), None));
}

#[test]
fn gml_position_budget() {
    let mut list = String::new();
    for i in 0..=gml_geometry::MAX_POSITIONS {
        list.push_str(&format!("{i} 0 "));
    }
    gml_err(&format!("<gml:LineString><gml:posList>{list}</gml:posList></gml:LineString>"), "more than 100000 positions");
}

#[test]
fn coordinates_keep_written_axis_order() {
    // Latitude first as EPSG:4326 defines it: the server swaps, not the parser.
    let p = gml(r#"<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>48.85 2.35</gml:pos></gml:Point>"#);
    assert_eq!(p, geom(Point(Coord { x: 48.85, y: 2.35 }), Some(Crs::WGS84)));
}

// ---------------------------------------------------------------- temporal

#[test]
fn spec_tequals_time_instant() {
    let doc = r#"<?xml version="1.0"?>
<fes:Filter
   xmlns:fes="http://www.opengis.net/fes/2.0"
   xmlns:gml="http://www.opengis.net/gml/3.2">
   <fes:TEquals>
      <fes:ValueReference>validTime</fes:ValueReference>
      <gml:TimeInstant gml:id="TI1">
         <gml:timePosition>2005-05-19T09:28:40Z</gml:timePosition>
      </gml:TimeInstant>
   </fes:TEquals>
</fes:Filter>"#;
    let expected = Filter::Temporal { op: TemporalOp::Equals, left: prop("validTime"), right: Expr::Literal(Value::DateTime(utc("2005-05-19T09:28:40Z"))) };
    assert_eq!(ok(parse(doc)), expected);
}

#[test]
fn spec_tcontains_with_offset() {
    let f = fes(
        r#"<fes:TContains><fes:ValueReference>period</fes:ValueReference><gml:TimeInstant gml:id="TI1"><gml:timePosition>2005-05-20T02:45:00-05:00</gml:timePosition></gml:TimeInstant></fes:TContains>"#,
    );
    assert_eq!(ok(f), Filter::Temporal { op: TemporalOp::Contains, left: prop("period"), right: Expr::Literal(Value::DateTime(utc("2005-05-20T07:45:00Z"))) });
}

#[test]
fn spec_during_time_period() {
    let doc = r#"<?xml version="1.0"?>
<fes:Filter
   xmlns:fes="http://www.opengis.net/fes/2.0"
   xmlns:gml="http://www.opengis.net/gml/3.2">
   <fes:During>
      <fes:ValueReference>gml:validTime</fes:ValueReference>
      <gml:TimePeriod gml:id="TP1">
         <gml:begin>
            <gml:TimeInstant gml:id="TI1">
               <gml:timePosition>2005-05-17T00:00:00Z</gml:timePosition>
            </gml:TimeInstant>
         </gml:begin>
         <gml:end>
            <gml:TimeInstant gml:id="TI2">
               <gml:timePosition>2005-05-23T00:00:00Z</gml:timePosition>
            </gml:TimeInstant>
         </gml:end>
      </gml:TimePeriod>
   </fes:During>
</fes:Filter>"#;
    let interval = Interval { start: Some(utc("2005-05-17T00:00:00Z")), end: Some(utc("2005-05-23T00:00:00Z")) };
    assert_eq!(ok(parse(doc)), Filter::Temporal { op: TemporalOp::During, left: prop("validTime"), right: Expr::Interval(interval) });
}

#[test]
fn every_temporal_operator() {
    let ops = [
        ("After", TemporalOp::After),
        ("Before", TemporalOp::Before),
        ("Begins", TemporalOp::Starts),
        ("BegunBy", TemporalOp::StartedBy),
        ("TContains", TemporalOp::Contains),
        ("During", TemporalOp::During),
        ("TEquals", TemporalOp::Equals),
        ("TOverlaps", TemporalOp::Overlaps),
        ("Meets", TemporalOp::Meets),
        ("MetBy", TemporalOp::MetBy),
        ("OverlappedBy", TemporalOp::OverlappedBy),
        ("Ends", TemporalOp::Finishes),
        ("EndedBy", TemporalOp::FinishedBy),
        ("AnyInteracts", TemporalOp::Intersects),
    ];
    let period = Interval { start: Some(utc("2005-05-17T08:00:00Z")), end: Some(utc("2005-05-23T11:00:00Z")) };
    for (name, op) in ops {
        let f = fes(&format!(
            r#"<fes:{name}><fes:ValueReference>t</fes:ValueReference><gml:TimePeriod gml:id="TP1"><gml:beginPosition>2005-05-17T08:00:00Z</gml:beginPosition><gml:endPosition>2005-05-23T11:00:00Z</gml:endPosition></gml:TimePeriod></fes:{name}>"#
        ));
        assert_eq!(ok(f), Filter::Temporal { op, left: prop("t"), right: Expr::Interval(period) }, "{name}");
    }
}

#[test]
fn time_periods_of_dates_and_open_ends() {
    let during = |period: &str| fes(&format!("<fes:During><fes:ValueReference>t</fes:ValueReference><gml:TimePeriod>{period}</gml:TimePeriod></fes:During>"));
    let whole_days = Interval { start: Some(utc("2021-01-01T00:00:00Z")), end: Some(utc("2021-01-31T23:59:59.999999Z")) };
    let f = during("<gml:beginPosition>2021-01-01</gml:beginPosition><gml:endPosition>2021-01-31</gml:endPosition>");
    assert_eq!(ok(f), Filter::Temporal { op: TemporalOp::During, left: prop("t"), right: Expr::Interval(whole_days) });
    let f = during(r#"<gml:beginPosition>2021-01-01T00:00:00</gml:beginPosition><gml:endPosition indeterminatePosition="unknown"/>"#);
    let open = Interval { start: Some(utc("2021-01-01T00:00:00Z")), end: None };
    assert_eq!(ok(f), Filter::Temporal { op: TemporalOp::During, left: prop("t"), right: Expr::Interval(open) });
    assert_err(during("<gml:beginPosition>2021-02-01</gml:beginPosition><gml:endPosition>2021-01-01</gml:endPosition>"), "begins after it ends");
    assert_err(during(r#"<gml:beginPosition indeterminatePosition="unknown"/><gml:endPosition indeterminatePosition="unknown"/>"#), "at least one known end");
    assert_err(during(r#"<gml:beginPosition indeterminatePosition="now"/><gml:endPosition>2021-01-01</gml:endPosition>"#), "'now'");
    assert_err(during("<gml:beginPosition>2021</gml:beginPosition><gml:endPosition>2022</gml:endPosition>"), "'2021' is not a date");
    assert_err(during("<gml:beginPosition>2021-01-01</gml:beginPosition>"), "needs a begin and an end");
}

#[test]
fn temporal_literals() {
    let after = |literal: &str| fes(&format!("<fes:After><fes:ValueReference>t</fes:ValueReference><fes:Literal>{literal}</fes:Literal></fes:After>"));
    let date = NaiveDate::from_ymd_opt(2020, 6, 30).unwrap();
    assert_eq!(ok(after("2020-06-30")), Filter::Temporal { op: TemporalOp::After, left: prop("t"), right: Expr::Literal(Value::Date(date)) });
    assert_eq!(
        ok(after("2020-06-30T12:00:00.5+02:00")),
        Filter::Temporal { op: TemporalOp::After, left: prop("t"), right: Expr::Literal(Value::DateTime(utc("2020-06-30T10:00:00.5Z"))) }
    );
    let interval = Interval { start: Some(utc("2020-01-01T00:00:00Z")), end: None };
    assert_eq!(ok(after("2020-01-01/..")), Filter::Temporal { op: TemporalOp::After, left: prop("t"), right: Expr::Interval(interval) });
    assert_err(after("yesterday"), "'yesterday' is not a date");
    let two_props = fes("<fes:Before><fes:ValueReference>a</fes:ValueReference><fes:ValueReference>b</fes:ValueReference></fes:Before>");
    assert_eq!(ok(two_props), Filter::Temporal { op: TemporalOp::Before, left: prop("a"), right: prop("b") });
    let in_literal = fes(
        "<fes:Before><fes:ValueReference>a</fes:ValueReference><fes:Literal><gml:TimeInstant><gml:timePosition>2020-06-30</gml:timePosition></gml:TimeInstant></fes:Literal></fes:Before>",
    );
    assert_eq!(ok(in_literal), Filter::Temporal { op: TemporalOp::Before, left: prop("a"), right: Expr::Literal(Value::Date(date)) });
}

#[test]
fn temporal_operators_are_fes_2_only() {
    assert_err(ogc("<ogc:After><ogc:PropertyName>t</ogc:PropertyName><ogc:Literal>2020-01-01</ogc:Literal></ogc:After>"), "temporal operators are FES 2.0");
    assert_err(fes("<fes:After><fes:ValueReference>t</fes:ValueReference></fes:After>"), "two temporal operands");
}

// ---------------------------------------------------------------- namespaces and versions

#[test]
fn default_namespace_declarations_are_accepted() {
    let v2 = parse(
        r#"<Filter xmlns="http://www.opengis.net/fes/2.0"><PropertyIsEqualTo><ValueReference>a</ValueReference><Literal>1</Literal></PropertyIsEqualTo></Filter>"#,
    );
    let v1 = parse(
        r#"<Filter xmlns="http://www.opengis.net/ogc"><PropertyIsEqualTo><PropertyName>a</PropertyName><Literal>1</Literal></PropertyIsEqualTo></Filter>"#,
    );
    assert_eq!(ok(v2), eq(prop("a"), int(1)));
    assert_eq!(ok(v1), eq(prop("a"), int(1)));
}

#[test]
fn missing_namespaces_are_named() {
    assert_err(
        parse("<Filter><PropertyIsEqualTo><PropertyName>a</PropertyName><Literal>1</Literal></PropertyIsEqualTo></Filter>"),
        "<Filter> has no namespace: declare FES 2.0 (xmlns=\"http://www.opengis.net/fes/2.0\") or Filter 1.1",
    );
    assert_err(
        parse("<fes:Filter><fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull></fes:Filter>"),
        "the namespace prefix 'fes' of <fes:Filter> is not declared (add xmlns:fes=\"http://www.opengis.net/fes/2.0\")",
    );
    assert_err(parse("<ogc:Filter><ogc:FeatureId fid=\"a\"/></ogc:Filter>"), "xmlns:ogc=\"http://www.opengis.net/ogc\"");
    assert_err(
        parse(r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:BBOX><gml:Envelope/></fes:BBOX></fes:Filter>"#),
        "prefix 'gml' of <gml:Envelope> is not declared (add xmlns:gml=",
    );
    assert_err(parse(r#"<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:GmlObjectId gml:id="a"/></ogc:Filter>"#), "prefix 'gml' of attribute gml:id");
}

#[test]
fn versions_are_not_mixed() {
    let mixed = r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsNull><ogc:PropertyName>a</ogc:PropertyName></ogc:PropertyIsNull></fes:Filter>"#;
    assert_err(parse(mixed), "<ogc:PropertyIsNull> is a Filter 1.1 element inside a FES 2.0 filter");
    let mixed = r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:ogc="http://www.opengis.net/ogc"><fes:PropertyIsNull><ogc:PropertyName>a</ogc:PropertyName></fes:PropertyIsNull></fes:Filter>"#;
    assert_err(parse(mixed), "Filter 1.1 element inside a FES 2.0 filter");
}

#[test]
fn wrong_roots_and_unknown_elements() {
    assert_err(parse(r#"<fes:Query xmlns:fes="http://www.opengis.net/fes/2.0"/>"#), "expected a Filter element, found <fes:Query>");
    assert_err(parse(r#"<wfs:GetFeature xmlns:wfs="http://www.opengis.net/wfs/2.0"/>"#), "expected a fes:Filter or ogc:Filter element");
    assert_err(fes("<fes:PropertyIsSimilarTo/>"), "<fes:PropertyIsSimilarTo> is not a FES 2.0 filter operator");
    assert_err(fes(r#"<foo:Bar xmlns:foo="urn:foo"/>"#), "expected a filter predicate, found <foo:Bar>");
    assert_err(fes("<fes:Literal>1</fes:Literal>"), "not a FES 2.0 filter operator");
}

#[test]
fn bom_declaration_comments_and_processing_instructions_are_fine() {
    let doc = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- a comment -->\n<?pi data?>\n<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"><!-- inside --><fes:ResourceId rid=\"a.1\"/></fes:Filter>\n";
    assert_eq!(ok(parse(doc)), Filter::ResourceId(vec!["a.1".into()]));
}

// ---------------------------------------------------------------- hostile and broken input

#[test]
fn dtds_are_refused() {
    let billion_laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal>&lol9;</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"#;
    assert_err(parse(billion_laughs), "DTDs are not allowed");
    let xxe = r#"<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:ResourceId rid="&xxe;"/></fes:Filter>"#;
    assert_err(parse(xxe), "DTDs are not allowed");
    assert_err(parse(r#"<!DOCTYPE Filter SYSTEM "http://example.com/filter.dtd"><Filter/>"#), "DTDs are not allowed");
}

#[test]
fn undefined_entities_are_refused() {
    assert_err(
        fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal>&lol;</fes:Literal></fes:PropertyIsEqualTo>"),
        "undefined entity '&lol;'",
    );
    assert_err(fes(r#"<fes:ResourceId rid="&lol;"/>"#), "only the predefined XML entities");
    assert_err(fes("<fes:PropertyIsEqualTo><fes:ValueReference>a</fes:ValueReference><fes:Literal>&#0;</fes:Literal></fes:PropertyIsEqualTo>"), "");
}

#[test]
fn nesting_is_capped() {
    let depth = 150;
    let body = format!(
        "{}<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>{}",
        "<fes:Not>".repeat(depth),
        "</fes:Not>".repeat(depth)
    );
    assert_err(fes(&body), "deeper than 100 levels");
    // Within the cap, deep filters are fine.
    let depth = 90;
    let body = format!(
        "{}<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>{}",
        "<fes:Not>".repeat(depth),
        "</fes:Not>".repeat(depth)
    );
    let mut f = ok(fes(&body));
    for _ in 0..depth {
        f = match f {
            Filter::Not(inner) => *inner,
            other => panic!("{other:?}"),
        };
    }
    assert_eq!(f, Filter::IsNull(prop("a")));
    // Unclosed deep nesting fails on depth, not on memory.
    assert_err(parse(&"<a>".repeat(100_000)), "deeper than 100 levels");
}

#[test]
fn element_count_is_capped() {
    let body = format!("<fes:Or>{}</fes:Or>", "<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>".repeat(60_000));
    assert_err(fes(&body), "more than 100000 elements");
}

#[test]
fn malformed_xml() {
    let cases = [
        ("", "empty"),
        ("   ", "empty"),
        ("not xml at all", "outside the root element"),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\">", "ends before <fes:Filter> is closed"),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"></fes:Filtre>", "malformed XML"),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"/><fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"/>", "one root"),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"/>trailing", "outside the root element"),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\" a=\"1\" a=\"2\"/>", "malformed attribute"),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\" a=1/>", "malformed"),
        ("</fes:Filter>", "malformed XML"),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"><fes:ResourceId rid=\"a & b\"/></fes:Filter>", ""),
        ("<<>>", ""),
        ("<fes:Filter xmlns:fes=\"http://www.opengis.net/fes/2.0\"><!-- unclosed comment </fes:Filter>", "malformed XML"),
    ];
    for (doc, needle) in cases {
        let message = err(parse(doc));
        assert!(message.contains(needle), "{doc:?}: '{message}' does not mention '{needle}'");
    }
}

#[test]
fn mixed_content_is_refused() {
    assert_err(
        fes("<fes:PropertyIsEqualTo>junk<fes:ValueReference>a</fes:ValueReference><fes:Literal>1</fes:Literal></fes:PropertyIsEqualTo>"),
        "unexpected text 'junk' in <fes:PropertyIsEqualTo>",
    );
    assert_err(fes("<fes:Literal>1<gml:Point/></fes:Literal>"), "unexpected text '1'");
}

#[test]
fn numbers_that_are_not() {
    assert_err(
        fes(
            "<fes:DWithin><fes:ValueReference>g</fes:ValueReference><gml:Point><gml:pos>1 2</gml:pos></gml:Point><fes:Distance uom=\"m\">ten</fes:Distance></fes:DWithin>",
        ),
        "'ten' is not a non-negative number",
    );
    assert_err(
        fes(
            "<fes:DWithin><fes:ValueReference>g</fes:ValueReference><gml:Point><gml:pos>1 2</gml:pos></gml:Point><fes:Distance uom=\"m\">NaN</fes:Distance></fes:DWithin>",
        ),
        "not a non-negative number",
    );
    gml_err("<gml:Point><gml:pos>1,5 2</gml:pos></gml:Point>", "'1,5' in <gml:pos> is not a number");
    gml_err(
        "<gml:Envelope><gml:lowerCorner>0 0</gml:lowerCorner><gml:upperCorner>1e999 1</gml:upperCorner></gml:Envelope>",
        "'1e999' in <gml:upperCorner> is not a number",
    );
}

/// Every example document of this module, for the robustness tests.
fn samples() -> Vec<String> {
    let mut docs = vec![
        format!(
            r##"<?xml version="1.0"?><fes:Filter {FES_NS}><fes:And><fes:PropertyIsLike wildCard="*" singleChar="#" escapeChar="!" matchCase="false"><fes:ValueReference>app:name</fes:ValueReference><fes:Literal>Jo&amp;hn!**</fes:Literal></fes:PropertyIsLike><fes:BBOX><gml:Envelope srsName="EPSG:4326"><gml:lowerCorner>1 2</gml:lowerCorner><gml:upperCorner>3 4</gml:upperCorner></gml:Envelope></fes:BBOX><fes:During><fes:ValueReference>t</fes:ValueReference><gml:TimePeriod><gml:beginPosition>2020-01-01</gml:beginPosition><gml:endPosition>2020-12-31</gml:endPosition></gml:TimePeriod></fes:During></fes:And></fes:Filter>"##
        ),
        format!(
            r#"<ogc:Filter {OGC_NS}><ogc:Or><ogc:PropertyIsBetween><ogc:Add><ogc:PropertyName>a</ogc:PropertyName><ogc:Literal>1</ogc:Literal></ogc:Add><ogc:LowerBoundary><ogc:Literal>0</ogc:Literal></ogc:LowerBoundary><ogc:UpperBoundary><ogc:Literal>9.5</ogc:Literal></ogc:UpperBoundary></ogc:PropertyIsBetween><ogc:DWithin><ogc:PropertyName>g</ogc:PropertyName><gml:Polygon srsName="EPSG:2154"><gml:outerBoundaryIs><gml:LinearRing><gml:coordinates>0,0 1,0 1,1 0,0</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs></gml:Polygon><ogc:Distance units="m">5</ogc:Distance></ogc:DWithin><ogc:FeatureId fid="x.1"/></ogc:Or></ogc:Filter>"#
        ),
        format!(
            r#"<fes:Filter {FES_NS}><fes:Not><fes:Intersects><fes:ValueReference>g</fes:ValueReference><gml:MultiSurface srsName="urn:ogc:def:crs:EPSG::3857"><gml:surfaceMember><gml:Polygon><gml:exterior><gml:LinearRing><gml:posList srsDimension="2">0 0 1 0 1 1 0 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember></gml:MultiSurface></fes:Intersects></fes:Not></fes:Filter>"#
        ),
        format!(r#"<fes:Filter {FES_NS}><fes:ResourceId rid="a.1"/><fes:ResourceId rid="a.2"/></fes:Filter>"#),
    ];
    docs.push(format!(
        r#"<fes:Filter {FES_NS}><fes:PropertyIsEqualTo><fes:Function name="lower"><fes:ValueReference>n</fes:ValueReference></fes:Function><fes:Literal><![CDATA[x<y]]></fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"#
    ));
    docs
}

#[test]
fn samples_parse() {
    for doc in samples() {
        ok(parse(&doc));
    }
}

#[test]
fn truncated_documents_never_panic_and_fail() {
    for doc in samples() {
        let end = doc.trim_end().len();
        for (i, _) in doc.char_indices().filter(|(i, _)| *i < end) {
            let result = std::panic::catch_unwind(|| parse(&doc[..i]));
            match result {
                Ok(Err(_)) => {}
                Ok(Ok(f)) => panic!("prefix {:?} parsed as {f:?}", &doc[..i]),
                Err(_) => panic!("prefix {:?} panicked", &doc[..i]),
            }
        }
    }
}

#[test]
fn corrupted_documents_never_panic() {
    // Each sample with one byte position replaced by markup-significant characters.
    for doc in samples() {
        for (i, _) in doc.char_indices().step_by(3) {
            for c in ["<", ">", "&", "\"", "/", " ", "x", ":"] {
                let mut bad = doc.clone();
                let len = bad[i..].chars().next().map_or(0, char::len_utf8);
                bad.replace_range(i..i + len, c);
                let result = std::panic::catch_unwind(|| parse(&bad));
                assert!(result.is_ok(), "{bad:?} panicked");
            }
        }
    }
}

#[test]
fn version_equivalents_give_the_same_tree() {
    let pairs = [
        (
            "<fes:PropertyIsNotEqualTo matchCase=\"false\"><fes:ValueReference>app:a</fes:ValueReference><fes:Literal>X</fes:Literal></fes:PropertyIsNotEqualTo>",
            "<ogc:PropertyIsNotEqualTo matchCase=\"false\"><ogc:PropertyName>app:a</ogc:PropertyName><ogc:Literal>X</ogc:Literal></ogc:PropertyIsNotEqualTo>",
        ),
        (
            "<fes:Not><fes:PropertyIsLike wildCard=\"%\" singleChar=\"_\" escapeChar=\"\\\"><fes:ValueReference>a</fes:ValueReference><fes:Literal>x\\%%</fes:Literal></fes:PropertyIsLike></fes:Not>",
            "<ogc:Not><ogc:PropertyIsLike wildCard=\"%\" singleChar=\"_\" escape=\"\\\"><ogc:PropertyName>a</ogc:PropertyName><ogc:Literal>x\\%%</ogc:Literal></ogc:PropertyIsLike></ogc:Not>",
        ),
        (
            "<fes:Within><fes:ValueReference>g</fes:ValueReference><gml:Polygon srsName=\"EPSG:2154\"><gml:exterior><gml:LinearRing><gml:posList>0 0 4 0 4 4 0 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></fes:Within>",
            "<ogc:Within><ogc:PropertyName>g</ogc:PropertyName><gml:Polygon srsName=\"EPSG:2154\"><gml:exterior><gml:LinearRing><gml:posList>0 0 4 0 4 4 0 0</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></ogc:Within>",
        ),
        (
            "<fes:BBOX><gml:Envelope srsName=\"EPSG:3857\"><gml:lowerCorner>0 0</gml:lowerCorner><gml:upperCorner>5 5</gml:upperCorner></gml:Envelope></fes:BBOX>",
            "<ogc:BBOX><gml:Box srsName=\"EPSG:3857\"><gml:coordinates>0,0 5,5</gml:coordinates></gml:Box></ogc:BBOX>",
        ),
        (
            "<fes:Beyond><fes:ValueReference>g</fes:ValueReference><gml:LineString><gml:posList>0 0 1 1</gml:posList></gml:LineString><fes:Distance uom=\"km\">2.5</fes:Distance></fes:Beyond>",
            "<ogc:Beyond><ogc:PropertyName>g</ogc:PropertyName><gml:LineString><gml:coordinates>0,0 1,1</gml:coordinates></gml:LineString><ogc:Distance units=\"km\">2.5</ogc:Distance></ogc:Beyond>",
        ),
    ];
    for (v2, v1) in pairs {
        assert_eq!(ok(fes(v2)), ok(ogc(v1)), "{v2}");
    }
}

/// The deepest documents the reader lets through, one per recursive path of the interpreter.
fn deepest() -> Vec<String> {
    let n = xml::MAX_DEPTH - 3;
    let null = "<fes:PropertyIsNull><fes:ValueReference>a</fes:ValueReference></fes:PropertyIsNull>";
    let point = "<gml:Point><gml:pos>1 2</gml:pos></gml:Point>";
    vec![
        format!("<fes:Filter {FES_NS}>{}{null}{}</fes:Filter>", "<fes:Not>".repeat(n), "</fes:Not>".repeat(n)),
        format!("<fes:Filter {FES_NS}>{}{null}{}</fes:Filter>", "<fes:And>".repeat(n), "</fes:And>".repeat(n)),
        format!(
            "<ogc:Filter {OGC_NS}><ogc:PropertyIsEqualTo><ogc:Literal>1</ogc:Literal>{}<ogc:PropertyName>a</ogc:PropertyName>{}</ogc:PropertyIsEqualTo></ogc:Filter>",
            "<ogc:Add><ogc:Literal>1</ogc:Literal>".repeat(n - 1),
            "</ogc:Add>".repeat(n - 1)
        ),
        format!(
            r#"<fes:Filter {FES_NS}><fes:PropertyIsNull>{}<fes:ValueReference>a</fes:ValueReference>{}</fes:PropertyIsNull></fes:Filter>"#,
            r#"<fes:Function name="lower">"#.repeat(n),
            "</fes:Function>".repeat(n)
        ),
        format!(
            "<fes:Filter {FES_NS}><fes:Intersects><fes:ValueReference>g</fes:ValueReference>{}{point}{}</fes:Intersects></fes:Filter>",
            "<gml:MultiGeometry><gml:geometryMember>".repeat((n - 3) / 2),
            "</gml:geometryMember></gml:MultiGeometry>".repeat((n - 3) / 2)
        ),
    ]
}

/// The server parses on worker threads with bounded stacks; at the depth cap an unoptimised
/// build needs about 240 KiB.
#[test]
fn deepest_filters_fit_a_small_stack() {
    let docs = deepest();
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            for doc in &docs {
                ok(parse(doc));
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
