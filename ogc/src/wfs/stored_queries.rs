//! WFS 2.0.0 ListStoredQueries and DescribeStoredQueries responses.
//!
//! WFS 2.0 makes the `GetFeatureById` stored query mandatory for every server, and clients
//! (QGIS, GDAL, the OGC test suite) discover it through these two operations before using it.
//! The server offers no other stored query and no CreateStoredQuery, so both documents only
//! ever describe that one query, for every feature type served.

use std::io;

use quick_xml::events::{BytesStart, Event};

use crate::gml::ncname;
use crate::ows::xml::{self, XmlWriter};

/// The identifier WFS 2.0 (7.9.3.6) assigns to the mandatory stored query.
pub const GET_FEATURE_BY_ID: &str = "urn:ogc:def:query:OGC-WFS::GetFeatureById";

/// The query language the standard names for stored queries made of `wfs:Query` expressions.
const QUERY_LANGUAGE: &str = "urn:ogc:def:queryLanguage:OGC-WFS::WFS_QueryExpression";

const WFS2_NS: &str = "http://www.opengis.net/wfs/2.0";
const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const WFS2_LOCATION: &str =
    "http://www.opengis.net/wfs/2.0 http://schemas.opengis.net/wfs/2.0/wfs.xsd";

const TITLE: &str = "Get feature by identifier";
const ABSTRACT: &str = "Returns the single feature whose identifier (gml:id) is the value of the \
                        id parameter, whatever its feature type.";

/// `<wfs:ListStoredQueriesResponse>` listing `GetFeatureById`, which can return any of
/// `type_names` (local names, qualified here with `ns_prefix`).
pub fn list_stored_queries(ns_prefix: &str, ns_uri: &str, type_names: &[String]) -> String {
    let prefix = ncname(ns_prefix);
    let names = qualified_names(&prefix, type_names);
    xml::finish(xml::document(), |w| {
        let root = root("wfs:ListStoredQueriesResponse", &prefix, ns_uri);
        w.write_event(Event::Start(root.borrow()))?;
        w.create_element("wfs:StoredQuery")
            .with_attribute(("id", GET_FEATURE_BY_ID))
            .write_inner_content(|w| {
                xml::text(w, "wfs:Title", TITLE)?;
                names
                    .iter()
                    .try_for_each(|n| xml::text(w, "wfs:ReturnFeatureType", n))
            })?;
        w.write_event(Event::End(root.to_end()))
    })
}

/// `<wfs:DescribeStoredQueriesResponse>` for the requested `ids` (empty means every stored
/// query, as the standard specifies). An id the server does not know is an error whose message
/// the caller reports as `InvalidParameterValue` on `STOREDQUERY_ID`.
pub fn describe_stored_queries(
    ns_prefix: &str,
    ns_uri: &str,
    type_names: &[String],
    ids: &[String],
) -> Result<String, String> {
    if let Some(unknown) = ids.iter().find(|id| id.as_str() != GET_FEATURE_BY_ID) {
        return Err(format!("unknown stored query id: {unknown}"));
    }
    let prefix = ncname(ns_prefix);
    let names = qualified_names(&prefix, type_names);
    Ok(xml::finish(xml::document(), |w| {
        let mut root = root("wfs:DescribeStoredQueriesResponse", &prefix, ns_uri);
        // The parameter type `xs:string` is a QName: its prefix must be bound.
        root.push_attribute(("xmlns:xs", XS_NS));
        w.write_event(Event::Start(root.borrow()))?;
        // Repeated ids describe the one query once: a second copy would tell clients nothing.
        describe_get_feature_by_id(w, &names)?;
        w.write_event(Event::End(root.to_end()))
    }))
}

/// The `wfs:StoredQueryDescription` of `GetFeatureById`. The query expression is private:
/// it is implemented in code (a resource id lookup across all types), not as a stored
/// `wfs:Query` a client could reuse.
fn describe_get_feature_by_id(w: &mut XmlWriter, names: &[String]) -> io::Result<()> {
    w.create_element("wfs:StoredQueryDescription")
        .with_attribute(("id", GET_FEATURE_BY_ID))
        .write_inner_content(|w| {
            xml::text(w, "wfs:Title", TITLE)?;
            xml::text(w, "wfs:Abstract", ABSTRACT)?;
            w.create_element("wfs:Parameter")
                .with_attribute(("name", "id"))
                .with_attribute(("type", "xs:string"))
                .write_inner_content(|w| xml::text(w, "wfs:Title", "Feature identifier"))?;
            w.create_element("wfs:QueryExpressionText")
                .with_attribute(("returnFeatureTypes", names.join(" ").as_str()))
                .with_attribute(("language", QUERY_LANGUAGE))
                .with_attribute(("isPrivate", "true"))
                .write_empty()?;
            Ok(())
        })?;
    Ok(())
}

/// The root element with the namespaces every stored query document needs: WFS, and the
/// data namespace that the `xs:QName` values (`ReturnFeatureType`, `returnFeatureTypes`)
/// resolve against.
fn root<'a>(name: &'a str, prefix: &str, ns_uri: &str) -> BytesStart<'a> {
    let mut root = BytesStart::new(name);
    root.push_attribute(("xmlns:wfs", WFS2_NS));
    root.push_attribute(("xmlns:xsi", XSI_NS));
    root.push_attribute(("xsi:schemaLocation", WFS2_LOCATION));
    root.push_attribute((format!("xmlns:{prefix}").as_str(), ns_uri));
    root
}

/// `prefix:name` for each type, with names sanitised as the GML writers do, so that the QNames
/// name the elements GetFeatureById actually returns.
fn qualified_names(prefix: &str, type_names: &[String]) -> Vec<String> {
    type_names
        .iter()
        .map(|n| format!("{prefix}:{}", ncname(n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ows::schema_check::validate;

    const NS: &str = "https://example.org/ossature";

    fn types() -> Vec<String> {
        vec!["communes".into(), "ocs 2d".into()]
    }

    #[test]
    fn lists_get_feature_by_id() {
        let doc = list_stored_queries("ossature", NS, &types());
        assert!(doc.contains(r#"xmlns:ossature="https://example.org/ossature""#));
        assert!(
            doc.contains(r#"<wfs:StoredQuery id="urn:ogc:def:query:OGC-WFS::GetFeatureById">"#)
        );
        assert!(doc.contains("<wfs:ReturnFeatureType>ossature:communes</wfs:ReturnFeatureType>"));
        assert!(doc.contains("<wfs:ReturnFeatureType>ossature:ocs_2d</wfs:ReturnFeatureType>"));
        validate(&doc, "wfs/2.0/wfs.xsd");
    }

    #[test]
    fn list_without_types_validates() {
        let doc = list_stored_queries("p", "urn:x", &[]);
        assert!(!doc.contains("ReturnFeatureType"));
        validate(&doc, "wfs/2.0/wfs.xsd");
    }

    #[test]
    fn describes_get_feature_by_id() {
        for ids in [
            vec![],
            vec![GET_FEATURE_BY_ID.to_string(), GET_FEATURE_BY_ID.to_string()],
        ] {
            let doc = describe_stored_queries("ossature", NS, &types(), &ids).unwrap();
            assert_eq!(doc.matches("<wfs:StoredQueryDescription ").count(), 1);
            assert!(doc.contains(r#"<wfs:Parameter name="id" type="xs:string">"#));
            assert!(doc.contains(concat!(
                r#"<wfs:QueryExpressionText returnFeatureTypes="ossature:communes ossature:ocs_2d" "#,
                r#"language="urn:ogc:def:queryLanguage:OGC-WFS::WFS_QueryExpression" isPrivate="true"/>"#
            )));
            validate(&doc, "wfs/2.0/wfs.xsd");
        }
    }

    #[test]
    fn rejects_unknown_ids() {
        let ids = vec![
            GET_FEATURE_BY_ID.to_string(),
            "GetFeatureByName".to_string(),
        ];
        let err = describe_stored_queries("p", NS, &types(), &ids).unwrap_err();
        assert!(err.contains("GetFeatureByName"), "{err}");
    }

    #[test]
    fn escapes_namespace_uri() {
        let doc = list_stored_queries("a b", "urn:x?a=1&b=<2>", &types());
        assert!(doc.contains(r#"xmlns:a_b="urn:x?a=1&amp;b=&lt;2&gt;""#));
        assert!(doc.contains("<wfs:ReturnFeatureType>a_b:communes</wfs:ReturnFeatureType>"));
        validate(&doc, "wfs/2.0/wfs.xsd");
    }
}
