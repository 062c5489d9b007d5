//! The online resources of a served layer's record: where each protocol face serves it, with
//! the protocol names catalogue clients act on.
//!
//! QGIS MetaSearch offers "add to map" for `OGC:WMS`, `OGC:WMTS` and `OGC:WFS` links (it reads
//! `dct:references` schemes and ISO `CI_OnlineResource` protocols), GeoNetwork does the same
//! for its map viewer. The link's `name` is what the client must ask for: the layer name for
//! WMS and WMTS, the feature type name for WFS. URL shapes are the server's (`/wms`, `/wmts`,
//! `/wfs`, `/collections/{id}`), under its public base URL.

use super::record::{OnlineResource, protocols};

/// What the server serves a layer through, as the layer registry knows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayerServices {
    /// The public base URL, without a trailing slash (`https://geo.example.org`).
    pub base_url: String,
    /// The layer's id: its WMS/WMTS layer name and OGC API collection id.
    pub layer: String,
    pub wms: bool,
    pub wmts: bool,
    /// The WFS feature type name (qualified as the capabilities announce it), for vector layers.
    pub wfs_type_name: Option<String>,
    /// OGC API Features collection (vector layers).
    pub features: bool,
    /// OGC API Tiles (map or vector tiles of the collection).
    pub tiles: bool,
    /// Direct downloads: URL and a description (`GeoPackage`, ...).
    pub downloads: Vec<(String, String)>,
}

/// What is escaped in a URL path segment or query value: everything but RFC 3986's unreserved
/// characters.
pub const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// The CSW GetRecordById URL of a record in ISO 19139 (`full`): what capabilities give as a
/// layer's `MetadataURL` and OGC API records as their `application/xml` alternate.
pub fn iso_record_url(base_url: &str, id: &str) -> String {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, COMPONENT).to_string();
    format!(
        "{}/csw?service=CSW&version=2.0.2&request=GetRecordById&id={}&outputSchema={}&elementSetName=full",
        base_url.trim_end_matches('/'),
        enc(id),
        enc(super::GMD_NS)
    )
}

/// The online resources for `s`, in the order clients list them.
pub fn online_resources(s: &LayerServices) -> Vec<OnlineResource> {
    let base = s.base_url.trim_end_matches('/');
    let link = |url: String, protocol: &str, name: Option<&str>, description: &str| OnlineResource {
        url,
        protocol: Some(protocol.to_string()),
        name: name.map(str::to_string),
        description: Some(description.to_string()),
    };
    let mut out = Vec::new();
    if s.wms {
        out.push(link(format!("{base}/wms"), protocols::WMS, Some(&s.layer), "WMS map"));
    }
    if s.wmts {
        out.push(link(format!("{base}/wmts"), protocols::WMTS, Some(&s.layer), "WMTS tiles"));
    }
    if let Some(type_name) = &s.wfs_type_name {
        out.push(link(format!("{base}/wfs"), protocols::WFS, Some(type_name), "WFS features"));
    }
    if s.features {
        out.push(link(format!("{base}/collections/{}", s.layer), protocols::OGC_API_FEATURES, Some(&s.layer), "OGC API Features collection"));
    }
    if s.tiles {
        out.push(link(format!("{base}/collections/{}/map/tiles", s.layer), protocols::OGC_API_TILES, Some(&s.layer), "OGC API Tiles"));
    }
    for (url, description) in &s.downloads {
        out.push(link(url.clone(), protocols::DOWNLOAD, None, description));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_for_a_vector_layer() {
        let s = LayerServices {
            base_url: "https://geo.example.org/".into(),
            layer: "communes".into(),
            wms: true,
            wmts: false,
            wfs_type_name: Some("ossature:communes".into()),
            features: true,
            tiles: false,
            downloads: vec![("https://geo.example.org/dl/communes.gpkg".into(), "GeoPackage".into())],
        };
        let links = online_resources(&s);
        let summary: Vec<(&str, &str, Option<&str>)> =
            links.iter().map(|l| (l.url.as_str(), l.protocol.as_deref().unwrap(), l.name.as_deref())).collect();
        assert_eq!(
            summary,
            [
                ("https://geo.example.org/wms", "OGC:WMS", Some("communes")),
                ("https://geo.example.org/wfs", "OGC:WFS", Some("ossature:communes")),
                ("https://geo.example.org/collections/communes", "OGC API - Features", Some("communes")),
                ("https://geo.example.org/dl/communes.gpkg", "WWW:DOWNLOAD-1.0-http--download", None),
            ]
        );
    }
}
