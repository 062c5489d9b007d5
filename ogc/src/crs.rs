//! CRS identifiers as the OGC standards spell them, and their axis order.
//!
//! Clients name the same CRS in half a dozen ways (`EPSG:4326`, `urn:ogc:def:crs:EPSG::4326`,
//! `http://www.opengis.net/def/crs/EPSG/0/4326`, ...). They are all parsed to one [`Crs`] value so
//! the rest of the server compares CRSs by value, and written back in the form each standard wants.

use std::fmt;

/// A coordinate reference system known by an authority code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Crs {
    /// OGC CRS84: WGS 84 with longitude first, the default of OGC API and GeoJSON.
    Crs84,
    /// An EPSG code; axis order is the authority's (latitude first for geographic CRSs).
    Epsg(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a CRS identifier this server understands (use e.g. EPSG:2154 or http://www.opengis.net/def/crs/EPSG/0/2154)")]
pub struct CrsParseError(pub String);

impl Crs {
    pub const WGS84: Crs = Crs::Epsg(4326);
    pub const WEB_MERCATOR: Crs = Crs::Epsg(3857);
    pub const LAMBERT93: Crs = Crs::Epsg(2154);

    /// Parses every spelling of a CRS identifier that OGC clients send.
    pub fn parse(text: &str) -> Result<Crs, CrsParseError> {
        let err = || CrsParseError(text.to_string());
        let s = text.trim();
        // Safe CURIE form used by OGC API: [EPSG:2154]
        let s = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
        let lower = s.to_ascii_lowercase();
        const CRS84_NAMES: [&str; 7] = [
            "crs:84",
            "ogc:crs84",
            "urn:ogc:def:crs:ogc:1.3:crs84",
            "urn:ogc:def:crs:ogc::crs84",
            "http://www.opengis.net/def/crs/ogc/1.3/crs84",
            "https://www.opengis.net/def/crs/ogc/1.3/crs84",
            "http://www.opengis.net/def/crs/ogc/0/crs84",
        ];
        if CRS84_NAMES.contains(&lower.as_str()) {
            return Ok(Crs::Crs84);
        }
        let code = if let Some(rest) = lower.strip_prefix("epsg:") {
            rest
        } else if let Some(rest) = lower
            .strip_prefix("urn:ogc:def:crs:epsg:")
            .or_else(|| lower.strip_prefix("urn:x-ogc:def:crs:epsg:"))
        {
            // urn:ogc:def:crs:EPSG::4326 or urn:ogc:def:crs:EPSG:6.6:4326
            rest.rsplit(':').next().ok_or_else(err)?
        } else if let Some(rest) = lower
            .strip_prefix("http://www.opengis.net/def/crs/epsg/")
            .or_else(|| lower.strip_prefix("https://www.opengis.net/def/crs/epsg/"))
        {
            // version segment then code: .../EPSG/0/4326
            let (_version, code) = rest.split_once('/').ok_or_else(err)?;
            code
        } else if let Some(rest) = lower.strip_prefix("http://www.opengis.net/gml/srs/epsg.xml#") {
            rest
        } else {
            return Err(err());
        };
        match code.parse::<u32>() {
            Ok(c) if c > 0 => Ok(Crs::Epsg(c)),
            _ => Err(err()),
        }
    }

    /// The http URI of OGC API (Features Part 2, Tiles) and GML 3.2 `srsName`.
    pub fn uri(&self) -> String {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84".to_string(),
            Crs::Epsg(c) => format!("http://www.opengis.net/def/crs/EPSG/0/{c}"),
        }
    }

    /// The URN form, whose axis order is the authority's: what WFS 2.0 and WMTS 1.0 clients
    /// match on (the standards' examples and GeoServer use it).
    pub fn urn(&self) -> String {
        match self {
            Crs::Crs84 => "urn:ogc:def:crs:OGC:1.3:CRS84".to_string(),
            Crs::Epsg(c) => format!("urn:ogc:def:crs:EPSG::{c}"),
        }
    }

    /// The `urn:x-ogc` form of WFS 1.1: GeoServer emits it there, and since clients (ArcGIS,
    /// older QGIS) learnt 1.1 against GeoServer, it is the one they treat as "latitude first for
    /// geographic CRSs" rather than the ambiguous `EPSG:n`.
    pub fn urn_x(&self) -> String {
        match self {
            Crs::Crs84 => "urn:ogc:def:crs:OGC:1.3:CRS84".to_string(),
            Crs::Epsg(c) => format!("urn:x-ogc:def:crs:EPSG:{c}"),
        }
    }

    /// The short `EPSG:n` form of WMS 1.1.1/1.3.0 and WFS 1.x (`CRS:84` for CRS84).
    pub fn short(&self) -> String {
        match self {
            Crs::Crs84 => "CRS:84".to_string(),
            Crs::Epsg(c) => format!("EPSG:{c}"),
        }
    }

    /// The EPSG code whose datum and projection this CRS uses (CRS84 is EPSG:4326 with the axes
    /// swapped), which is what a transformation engine needs.
    pub fn epsg_code(&self) -> u32 {
        match self {
            Crs::Crs84 => 4326,
            Crs::Epsg(c) => *c,
        }
    }

    /// Whether `text` is one of the traditional spellings (`EPSG:n`, GML 2's
    /// `http://www.opengis.net/gml/srs/epsg.xml#n`) whose coordinates WMS 1.1.1, WFS 1.x and
    /// their clients write easting/longitude first; URNs and `def/crs` URIs follow the authority.
    pub fn easting_first_spelling(text: &str) -> bool {
        let t = text.trim().to_ascii_lowercase();
        t.starts_with("epsg:") || t.starts_with("http://www.opengis.net/gml/srs/epsg.xml#")
    }

    /// Whether coordinates in this CRS, in the authority's axis order, come latitude first.
    /// `geographic` is what the transformation engine says of the CRS: every EPSG geographic 2D
    /// CRS is defined latitude first, CRS84 and projected CRSs are easting first.
    pub fn is_lat_lon(&self, geographic: bool) -> bool {
        matches!(self, Crs::Epsg(_)) && geographic
    }
}

impl fmt::Display for Crs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uri())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_spelling() {
        for s in [
            "EPSG:2154",
            "epsg:2154",
            "urn:ogc:def:crs:EPSG::2154",
            "urn:ogc:def:crs:EPSG:6.6:2154",
            "urn:x-ogc:def:crs:EPSG:2154",
            "http://www.opengis.net/def/crs/EPSG/0/2154",
            "https://www.opengis.net/def/crs/EPSG/0/2154",
            "http://www.opengis.net/gml/srs/epsg.xml#2154",
            "[EPSG:2154]",
        ] {
            assert_eq!(Crs::parse(s), Ok(Crs::Epsg(2154)), "{s}");
        }
        for s in ["CRS:84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84", "urn:ogc:def:crs:OGC:1.3:CRS84", "OGC:CRS84"] {
            assert_eq!(Crs::parse(s), Ok(Crs::Crs84), "{s}");
        }
    }

    #[test]
    fn rejects_garbage() {
        for s in ["", "EPSG:", "EPSG:abc", "EPSG:-4", "EPSG:0", "http://example.com/4326", "urn:ogc:def:crs:EPSG::"] {
            assert!(Crs::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn writes_uris() {
        assert_eq!(Crs::Epsg(3857).uri(), "http://www.opengis.net/def/crs/EPSG/0/3857");
        assert_eq!(Crs::Crs84.uri(), "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
        assert_eq!(Crs::Epsg(2154).short(), "EPSG:2154");
    }

    #[test]
    fn axis_order() {
        assert!(Crs::WGS84.is_lat_lon(true));
        assert!(!Crs::Crs84.is_lat_lon(true));
        assert!(!Crs::LAMBERT93.is_lat_lon(false));
    }
}
