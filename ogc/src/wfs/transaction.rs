//! WFS Transaction (2.0.0 `wfs:Insert` / `Update` / `Replace` / `Delete`, and the 1.1.0 subset
//! QGIS and GDAL send) read into actions, and the `TransactionResponse` written back.
//!
//! The body is read by the filter reader (DTDs refused, depth and element count bounded), so
//! the feature geometries and `Filter`s inside actions are read by the very code that reads
//! filters. Feature and property names are taken by local name: the server has one namespace.

use geo_types::Geometry;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::request::{Version, WfsError};
use super::xml_request::{WFS11, WFS20};
use crate::crs::Crs;
use crate::filter::Filter;
use crate::filter::fes::xml::{self, Element, ReadOptions};
use crate::filter::fes::{gml_geometry_of, parse_element};

/// A geometry as written, with its `srsName` (none: the feature type's default CRS).
#[derive(Debug, Clone, PartialEq)]
pub struct GmlGeometry {
    pub geometry: Geometry<f64>,
    pub crs: Option<Crs>,
    pub authority_axes: bool,
}

/// A property value: text, a geometry, or nothing (an empty element or no `wfs:Value`).
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    Null,
    Text(String),
    Geometry(GmlGeometry),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeatureInput {
    pub type_name: String,
    pub properties: Vec<(String, PropertyValue)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Insert(Vec<FeatureInput>),
    Update { type_name: String, properties: Vec<(String, PropertyValue)>, filter: Filter },
    Replace { feature: FeatureInput, filter: Filter },
    Delete { type_name: String, filter: Filter },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transaction {
    pub version: Version,
    /// The request says `version="1.0.0"` (in the namespace 1.0.0 and 1.1.0 share). QGIS 3.22
    /// sends such documents on any connection but a 1.1.0 one and reads only a 1.0.0
    /// `WFS_TransactionResponse` back ([`response_1_0`]); the actions are those of 1.1.0.
    pub declared_1_0: bool,
    pub actions: Vec<Action>,
}

/// Whether a body is a Transaction (so the server reads it with the transaction's larger size
/// limit and this parser).
pub fn is_transaction(body: &str) -> bool {
    let head = &body[..body.len().min(2048)];
    head.contains("Transaction") && (head.contains(WFS20) || head.contains(WFS11))
}

const TRANSACTION: ReadOptions = ReadOptions { document: "transaction", mixed: |_| false };

fn parsing(message: impl Into<String>) -> WfsError {
    WfsError::new("OperationParsingFailed", "Transaction", message)
}

pub fn parse(body: &str) -> Result<Transaction, WfsError> {
    if body.len() > super::xml_request::MAX_BODY {
        return Err(parsing(format!("the request body is larger than {} bytes", super::xml_request::MAX_BODY)));
    }
    let root = xml::read_with(body, &TRANSACTION).map_err(|e| parsing(e.to_string()))?;
    let version = match root.ns.as_deref() {
        Some(WFS20) => Version::V2_0_0,
        Some(WFS11) => Version::V1_1_0,
        _ => return Err(parsing(format!("<{}> is not a WFS request", root.qname))),
    };
    if root.name != "Transaction" {
        return Err(parsing(format!("<{}> is not a wfs:Transaction", root.qname)));
    }
    let declared_1_0 = version == Version::V1_1_0 && root.attr("version").map(str::trim) == Some("1.0.0");
    let ns = root.ns.as_deref().unwrap_or_default();
    let mut actions = Vec::new();
    for a in &root.children {
        if !a.in_ns(ns) {
            return Err(parsing(format!("<{}> is not a transaction action", a.qname)));
        }
        actions.push(match a.name.as_str() {
            "Insert" => Action::Insert(a.children.iter().map(feature).collect::<Result<_, _>>()?),
            "Update" => {
                let type_name = type_name(a)?;
                let mut properties = Vec::new();
                for p in a.children.iter().filter(|c| c.in_ns(ns) && c.name == "Property") {
                    properties.push(update_property(p, ns)?);
                }
                Action::Update { type_name, properties, filter: filter(a)? }
            }
            "Replace" if version == Version::V2_0_0 => {
                let f = a.children.iter().find(|c| !c.is_filter()).ok_or_else(|| parsing("wfs:Replace needs a feature"))?;
                Action::Replace { feature: feature(f)?, filter: filter(a)? }
            }
            "Delete" => Action::Delete { type_name: type_name(a)?, filter: filter(a)? },
            "Native" => return Err(WfsError::new("OperationNotSupported", "Native", "wfs:Native actions are not supported")),
            _ => return Err(parsing(format!("<{}> is not a transaction action", a.qname))),
        });
    }
    Ok(Transaction { version, declared_1_0, actions })
}

trait FilterElement {
    fn is_filter(&self) -> bool;
}

impl FilterElement for Element {
    fn is_filter(&self) -> bool {
        self.name == "Filter" && (self.in_ns(xml::FES20) || self.in_ns(xml::OGC))
    }
}

fn type_name(a: &Element) -> Result<String, WfsError> {
    let name = a.attr("typeName").or_else(|| a.attr("typeNames")).ok_or_else(|| parsing(format!("<{}> needs a typeName", a.qname)))?;
    Ok(local(name).to_string())
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The action's filter; an Update or Delete without one would touch every feature, which no
/// client means: it is refused.
fn filter(a: &Element) -> Result<Filter, WfsError> {
    let f = a.children.iter().find(|c| c.is_filter()).ok_or_else(|| parsing(format!("<{}> needs a Filter", a.qname)))?;
    parse_element(f).map_err(|e| WfsError::new("InvalidParameterValue", "Filter", e.to_string()))
}

/// A feature element: each child a property, holding text or one GML geometry.
fn feature(f: &Element) -> Result<FeatureInput, WfsError> {
    let mut properties = Vec::new();
    for p in &f.children {
        properties.push((p.name.clone(), value(p.children.as_slice(), &p.text)?));
    }
    Ok(FeatureInput { type_name: f.name.clone(), properties })
}

fn value(children: &[Element], text: &str) -> Result<PropertyValue, WfsError> {
    match children {
        [] if text.is_empty() => Ok(PropertyValue::Null),
        [] => Ok(PropertyValue::Text(text.to_string())),
        [g] if g.is_gml() => {
            let (geometry, crs, authority_axes) = gml_geometry_of(g).map_err(|e| WfsError::new("InvalidValue", &g.qname, e.to_string()))?;
            Ok(PropertyValue::Geometry(GmlGeometry { geometry, crs, authority_axes }))
        }
        [other, ..] => Err(parsing(format!("<{}>: a property holds text or one GML geometry", other.qname))),
    }
}

/// `wfs:Property` of an Update: `ValueReference` (2.0) or `Name` (1.1), and the value.
fn update_property(p: &Element, ns: &str) -> Result<(String, PropertyValue), WfsError> {
    let name = p
        .children
        .iter()
        .find(|c| c.in_ns(ns) && matches!(c.name.as_str(), "ValueReference" | "Name"))
        .ok_or_else(|| parsing("wfs:Property needs a ValueReference"))?;
    let value = match p.children.iter().find(|c| c.in_ns(ns) && c.name == "Value") {
        Some(v) => self::value(v.children.as_slice(), &v.text)?,
        None => PropertyValue::Null,
    };
    Ok((local(name.text.trim()).to_string(), value))
}

/// What a transaction did: counts, and the ids given to inserted features in order.
pub struct Summary<'a> {
    pub inserted: &'a [String],
    pub updated: usize,
    pub replaced: usize,
    pub deleted: usize,
}

/// The `wfs:TransactionResponse` of the version.
pub fn response(version: Version, s: &Summary) -> String {
    let mut w = Writer::new(Vec::new());
    let v2 = version == Version::V2_0_0;
    let write = |w: &mut Writer<Vec<u8>>, e: Event| w.write_event(e).expect("writing to a Vec cannot fail");
    write(&mut w, Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut root = BytesStart::new("wfs:TransactionResponse");
    root.push_attribute(("xmlns:wfs", if v2 { WFS20 } else { WFS11 }));
    root.push_attribute(if v2 { ("xmlns:fes", xml::FES20) } else { ("xmlns:ogc", xml::OGC) });
    root.push_attribute(("version", version.as_str()));
    write(&mut w, Event::Start(root));
    write(&mut w, Event::Start(BytesStart::new("wfs:TransactionSummary")));
    let mut counts = vec![("wfs:totalInserted", s.inserted.len()), ("wfs:totalUpdated", s.updated + if v2 { 0 } else { s.replaced })];
    if v2 {
        counts.push(("wfs:totalReplaced", s.replaced));
    }
    counts.push(("wfs:totalDeleted", s.deleted));
    for (name, n) in counts {
        write(&mut w, Event::Start(BytesStart::new(name)));
        write(&mut w, Event::Text(BytesText::new(&n.to_string())));
        write(&mut w, Event::End(BytesEnd::new(name)));
    }
    write(&mut w, Event::End(BytesEnd::new("wfs:TransactionSummary")));
    if !s.inserted.is_empty() {
        write(&mut w, Event::Start(BytesStart::new("wfs:InsertResults")));
        for id in s.inserted {
            write(&mut w, Event::Start(BytesStart::new("wfs:Feature")));
            let mut rid = BytesStart::new(if v2 { "fes:ResourceId" } else { "ogc:FeatureId" });
            rid.push_attribute((if v2 { "rid" } else { "fid" }, id.as_str()));
            write(&mut w, Event::Empty(rid));
            write(&mut w, Event::End(BytesEnd::new("wfs:Feature")));
        }
        write(&mut w, Event::End(BytesEnd::new("wfs:InsertResults")));
    }
    write(&mut w, Event::End(BytesEnd::new("wfs:TransactionResponse")));
    String::from_utf8(w.into_inner()).expect("the writer writes UTF-8")
}

/// The WFS 1.0.0 `WFS_TransactionResponse`: the inserted features' ids, then the status.
pub fn response_1_0(s: &Summary) -> String {
    let mut w = Writer::new(Vec::new());
    let write = |w: &mut Writer<Vec<u8>>, e: Event| w.write_event(e).expect("writing to a Vec cannot fail");
    write(&mut w, Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut root = BytesStart::new("wfs:WFS_TransactionResponse");
    root.push_attribute(("xmlns:wfs", WFS11));
    root.push_attribute(("xmlns:ogc", xml::OGC));
    root.push_attribute(("version", "1.0.0"));
    write(&mut w, Event::Start(root));
    if !s.inserted.is_empty() {
        write(&mut w, Event::Start(BytesStart::new("wfs:InsertResult")));
        for id in s.inserted {
            let mut fid = BytesStart::new("ogc:FeatureId");
            fid.push_attribute(("fid", id.as_str()));
            write(&mut w, Event::Empty(fid));
        }
        write(&mut w, Event::End(BytesEnd::new("wfs:InsertResult")));
    }
    for name in ["wfs:TransactionResult", "wfs:Status"] {
        write(&mut w, Event::Start(BytesStart::new(name)));
    }
    write(&mut w, Event::Empty(BytesStart::new("wfs:SUCCESS")));
    for name in ["wfs:Status", "wfs:TransactionResult", "wfs:WFS_TransactionResponse"] {
        write(&mut w, Event::End(BytesEnd::new(name)));
    }
    String::from_utf8(w.into_inner()).expect("the writer writes UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = r#"<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
        xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ossature="https://ossature.org/features">
      <wfs:Insert><ossature:sig><ossature:titre>Banc</ossature:titre><ossature:statut/>
        <ossature:geom><gml:Point srsName="urn:ogc:def:crs:EPSG::2154"><gml:pos>697000 7063000</gml:pos></gml:Point></ossature:geom></ossature:sig></wfs:Insert>
      <wfs:Update typeName="ossature:sig"><wfs:Property><wfs:ValueReference>statut</wfs:ValueReference><wfs:Value>traité</wfs:Value></wfs:Property>
        <fes:Filter><fes:ResourceId rid="sig.3"/></fes:Filter></wfs:Update>
      <wfs:Delete typeName="ossature:sig"><fes:Filter><fes:ResourceId rid="sig.4"/></fes:Filter></wfs:Delete>
    </wfs:Transaction>"#;

    #[test]
    fn reads_actions() {
        let t = parse(T).unwrap();
        assert_eq!(t.version, Version::V2_0_0);
        let Action::Insert(features) = &t.actions[0] else { panic!("{:?}", t.actions[0]) };
        assert_eq!(features[0].type_name, "sig");
        assert_eq!(features[0].properties[0], ("titre".to_string(), PropertyValue::Text("Banc".into())));
        assert_eq!(features[0].properties[1], ("statut".to_string(), PropertyValue::Null));
        let PropertyValue::Geometry(g) = &features[0].properties[2].1 else { panic!() };
        assert_eq!(g.crs, Some(Crs::Epsg(2154)));
        assert_eq!(
            t.actions[1],
            Action::Update {
                type_name: "sig".into(),
                properties: vec![("statut".into(), PropertyValue::Text("traité".into()))],
                filter: Filter::ResourceId(vec!["sig.3".into()])
            }
        );
        assert_eq!(t.actions[2], Action::Delete { type_name: "sig".into(), filter: Filter::ResourceId(vec!["sig.4".into()]) });
    }

    #[test]
    fn refuses_what_it_cannot_apply() {
        let no_filter = T.replace(r#"<fes:Filter><fes:ResourceId rid="sig.4"/></fes:Filter>"#, "");
        assert_eq!(parse(&no_filter).unwrap_err().code, "OperationParsingFailed");
        let native = T.replace("<wfs:Delete", "<wfs:Native vendorId=\"x\" safeToIgnore=\"false\"/><wfs:Delete");
        assert_eq!(parse(&native).unwrap_err().code, "OperationNotSupported");
        assert!(parse("<!DOCTYPE x [<!ENTITY a \"b\">]><x/>").is_err());
    }

    #[test]
    fn writes_the_response() {
        let ids = ["sig.13".to_string()];
        let s = Summary { inserted: &ids, updated: 2, replaced: 0, deleted: 1 };
        let v2 = response(Version::V2_0_0, &s);
        assert!(v2.contains("<wfs:totalUpdated>2</wfs:totalUpdated><wfs:totalReplaced>0</wfs:totalReplaced><wfs:totalDeleted>1</wfs:totalDeleted>"), "{v2}");
        assert!(v2.contains(r#"<wfs:InsertResults><wfs:Feature><fes:ResourceId rid="sig.13"/></wfs:Feature></wfs:InsertResults>"#), "{v2}");
        let v1 = response(Version::V1_1_0, &s);
        assert!(v1.contains(r#"<ogc:FeatureId fid="sig.13"/>"#), "{v1}");
        // What QGIS 3.22 reads after sending a 1.0.0 document: the ids, then SUCCESS.
        let v10 = response_1_0(&s);
        assert!(v10.contains(r#"<wfs:InsertResult><ogc:FeatureId fid="sig.13"/></wfs:InsertResult><wfs:TransactionResult><wfs:Status><wfs:SUCCESS/></wfs:Status></wfs:TransactionResult></wfs:WFS_TransactionResponse>"#), "{v10}");
    }

    #[test]
    fn a_1_0_0_document_is_read_as_1_1_0_and_says_so() {
        let doc = r#"<Transaction xmlns="http://www.opengis.net/wfs" version="1.0.0" service="WFS" xmlns:ogc="http://www.opengis.net/ogc">
          <Delete typeName="ossature:sig"><ogc:Filter><ogc:FeatureId fid="sig.3"/></ogc:Filter></Delete></Transaction>"#;
        let t = parse(doc).unwrap();
        assert_eq!((t.version, t.declared_1_0, t.actions.len()), (Version::V1_1_0, true, 1));
        assert!(!parse(&doc.replace("1.0.0", "1.1.0")).unwrap().declared_1_0);
    }

    /// WFS 1.0.0 clients (ArcGIS, older OpenLayers) write GML 2: `gml:coordinates` tuples and
    /// `outerBoundaryIs` rings.
    #[test]
    fn reads_gml_2_geometries_of_1_0_0_documents() {
        let doc = r#"<wfs:Transaction version="1.0.0" service="WFS" xmlns:wfs="http://www.opengis.net/wfs"
            xmlns:gml="http://www.opengis.net/gml" xmlns:ogc="http://www.opengis.net/ogc" xmlns:ossature="https://ossature.org/features">
          <wfs:Insert><ossature:zones><ossature:nom>Friche</ossature:nom><ossature:geom><gml:Polygon srsName="EPSG:2154">
            <gml:outerBoundaryIs><gml:LinearRing><gml:coordinates decimal="." cs="," ts=" ">697000,7063000 697100,7063000 697100,7063100 697000,7063000</gml:coordinates></gml:LinearRing></gml:outerBoundaryIs>
            <gml:innerBoundaryIs><gml:LinearRing><gml:coordinates>697010,7063010 697020,7063010 697020,7063020 697010,7063010</gml:coordinates></gml:LinearRing></gml:innerBoundaryIs>
          </gml:Polygon></ossature:geom></ossature:zones></wfs:Insert>
          <wfs:Update typeName="ossature:zones"><wfs:Property><wfs:Name>geom</wfs:Name><wfs:Value><gml:Point srsName="EPSG:2154"><gml:coordinates>697050,7063050</gml:coordinates></gml:Point></wfs:Value></wfs:Property>
            <ogc:Filter><ogc:FeatureId fid="zones.2"/></ogc:Filter></wfs:Update>
        </wfs:Transaction>"#;
        let t = parse(doc).unwrap();
        assert!(t.declared_1_0);
        let Action::Insert(features) = &t.actions[0] else { panic!("{:?}", t.actions[0]) };
        let PropertyValue::Geometry(g) = &features[0].properties[1].1 else { panic!("{:?}", features[0].properties) };
        assert_eq!(g.crs, Some(Crs::Epsg(2154)));
        let geo_types::Geometry::Polygon(p) = &g.geometry else { panic!("{:?}", g.geometry) };
        assert_eq!((p.exterior().0.len(), p.interiors().len()), (4, 1));
        assert_eq!(p.exterior().0[1], geo_types::coord! { x: 697100.0, y: 7063000.0 });
        let Action::Update { properties, .. } = &t.actions[1] else { panic!("{:?}", t.actions[1]) };
        let PropertyValue::Geometry(g) = &properties[0].1 else { panic!("{properties:?}") };
        assert_eq!(g.geometry, geo_types::Geometry::Point(geo_types::point! { x: 697050.0, y: 7063050.0 }));
    }
}
