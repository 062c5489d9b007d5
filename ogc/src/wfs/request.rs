//! WFS requests in KVP encoding (GET), for versions 2.0.0, 1.1.0 and 1.0.0, parsed to typed
//! values. Parameter names are case-insensitive and TYPENAME/TYPENAMES, COUNT/MAXFEATURES,
//! RESOURCEID/FEATUREID are all accepted, as clients (QGIS, ArcGIS, GDAL, OWSLib) send them.

use crate::bbox::Bbox;
use crate::crs::Crs;
use crate::filter::{Expr, Filter, SpatialOp, fes};
use crate::ows::kvp::{Kvp, list};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V1_0_0,
    V1_1_0,
    V2_0_0,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        match s.trim() {
            "2.0.0" | "2.0" => Some(Version::V2_0_0),
            "1.1.0" | "1.1" => Some(Version::V1_1_0),
            "1.0.0" | "1.0" => Some(Version::V1_0_0),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Version::V2_0_0 => "2.0.0",
            Version::V1_1_0 => "1.1.0",
            Version::V1_0_0 => "1.0.0",
        }
    }
}

/// A CRS as a WFS request names it. The short `EPSG:n` form is read in the traditional
/// easting/longitude-first order whatever the version, as clients expect; URN and URI forms
/// follow the authority's axis order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SrsName {
    pub crs: Crs,
    pub authority_axes: bool,
}

impl SrsName {
    pub fn parse(text: &str) -> Option<SrsName> {
        let crs = Crs::parse(text).ok()?;
        Some(SrsName { crs, authority_axes: !Crs::easting_first_spelling(text) })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct GetFeature {
    pub type_names: Vec<String>,
    /// FILTER (FES), or the filter BBOX / RESOURCEID / the GetFeatureById stored query stand for.
    pub filter: Option<Filter>,
    /// The CRS of a KVP BBOX, whose coordinates `filter` holds as given.
    pub bbox_srs: Option<SrsName>,
    pub property_names: Option<Vec<String>>,
    pub sort_by: Vec<(String, bool)>,
    pub srs_name: Option<SrsName>,
    pub count: Option<u64>,
    pub start_index: u64,
    pub hits: bool,
    pub output_format: Option<String>,
    /// The GetFeatureById stored query: one feature, no collection around it.
    pub by_id: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    GetCapabilities,
    DescribeFeatureType { type_names: Vec<String> },
    GetFeature(GetFeature),
    /// The values of one property (`valueReference`) of the features a GetFeature would return.
    GetPropertyValue { query: GetFeature, value_reference: String },
    ListStoredQueries,
    DescribeStoredQueries { ids: Vec<String> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct WfsRequest {
    pub version: Version,
    pub request: Request,
}

/// An OWS exception: code, the parameter at fault, the message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WfsError {
    pub code: &'static str,
    pub locator: Option<String>,
    pub message: String,
}

impl WfsError {
    pub fn new(code: &'static str, locator: &str, message: impl Into<String>) -> WfsError {
        WfsError { code, locator: (!locator.is_empty()).then(|| locator.to_string()), message: message.into() }
    }

    fn invalid(locator: &str, message: impl Into<String>) -> WfsError {
        WfsError::new("InvalidParameterValue", locator, message)
    }
}

/// The id of the stored query every WFS 2.0 server offers.
pub const GET_FEATURE_BY_ID: &str = "urn:ogc:def:query:OGC-WFS::GetFeatureById";

/// Type names without their namespace prefix (`ossature:communes` → `communes`); a
/// parenthesized list of one query per type (`(a)(b)`) is flattened.
fn type_names(v: &str) -> Vec<String> {
    v.split([',', '(', ')'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit(':').next().unwrap_or(s).to_string())
        .collect()
}

pub fn parse_kvp(pairs: &[(String, String)]) -> Result<WfsRequest, WfsError> {
    let kvp = Kvp::new(pairs);
    let request = kvp.get(&["REQUEST"]).ok_or_else(|| WfsError::new("MissingParameterValue", "request", "the REQUEST parameter is required"))?;
    let version = match kvp.get(&["VERSION"]) {
        Some(v) => Version::parse(v).ok_or_else(|| WfsError::invalid("version", format!("version '{v}' is not supported (2.0.0, 1.1.0, 1.0.0)")))?,
        None if request.eq_ignore_ascii_case("GetCapabilities") => {
            // The highest version the client accepts.
            let accepted = kvp.get(&["ACCEPTVERSIONS"]).map(list).unwrap_or_default();
            let best = accepted.iter().filter_map(|v| Version::parse(v)).max();
            match (accepted.is_empty(), best) {
                (true, _) => Version::V2_0_0,
                (false, Some(v)) => v,
                (false, None) => return Err(WfsError::new("VersionNegotiationFailed", "AcceptVersions", "none of the accepted versions is supported (2.0.0, 1.1.0, 1.0.0)")),
            }
        }
        None => return Err(WfsError::new("MissingParameterValue", "version", "the VERSION parameter is required")),
    };
    let request = match request.to_ascii_lowercase().as_str() {
        "getcapabilities" => Request::GetCapabilities,
        "describefeaturetype" => Request::DescribeFeatureType { type_names: kvp.get(&["TYPENAMES", "TYPENAME"]).map(type_names).unwrap_or_default() },
        "getfeature" => Request::GetFeature(get_feature(&kvp, version)?),
        "liststoredqueries" => Request::ListStoredQueries,
        "describestoredqueries" => Request::DescribeStoredQueries { ids: kvp.get(&["STOREDQUERY_ID"]).map(list).unwrap_or_default() },
        "getpropertyvalue" => {
            let value_reference = kvp
                .get(&["VALUEREFERENCE"])
                .ok_or_else(|| WfsError::new("MissingParameterValue", "valueReference", "GetPropertyValue needs VALUEREFERENCE"))?;
            let name = value_reference.trim().rsplit(':').next().unwrap_or(value_reference).to_string();
            Request::GetPropertyValue { query: get_feature(&kvp, version)?, value_reference: name }
        }
        "transaction" | "lockfeature" | "getfeaturewithlock" | "createstoredquery" | "dropstoredquery" => {
            return Err(WfsError::new("OperationNotSupported", "request", format!("{request} is not supported by this server")));
        }
        _ => return Err(WfsError::invalid("request", format!("'{request}' is not a WFS operation"))),
    };
    Ok(WfsRequest { version, request })
}

fn number(kvp: &Kvp, names: &[&str]) -> Result<Option<u64>, WfsError> {
    kvp.get(names)
        .map(|v| v.trim().parse::<u64>().map_err(|_| WfsError::invalid(&names[0].to_ascii_lowercase(), format!("'{v}' is not a non-negative integer"))))
        .transpose()
}

fn get_feature(kvp: &Kvp, version: Version) -> Result<GetFeature, WfsError> {
    let stored = kvp.get(&["STOREDQUERY_ID"]);
    let by_id = match stored {
        Some(id) if id == GET_FEATURE_BY_ID => true,
        Some(id) => return Err(WfsError::invalid("storedQuery_Id", format!("no stored query '{id}' (only {GET_FEATURE_BY_ID})"))),
        None => false,
    };
    let mut type_names = kvp.get(&["TYPENAMES", "TYPENAME"]).map(type_names).unwrap_or_default();
    let mut filters = Vec::new();
    let ids = if by_id {
        let id = kvp.get(&["ID"]).ok_or_else(|| WfsError::new("MissingParameterValue", "id", "GetFeatureById needs the ID parameter"))?;
        vec![id.to_string()]
    } else {
        kvp.get(&["RESOURCEID", "FEATUREID"]).map(list).unwrap_or_default()
    };
    if !ids.is_empty() {
        // Ids are `type.n`: they name the type when TYPENAMES does not.
        if type_names.is_empty() {
            type_names = ids.iter().filter_map(|i| i.rsplit_once('.').map(|(t, _)| t.to_string())).collect();
            type_names.dedup();
        }
        filters.push(Filter::ResourceId(ids));
    }
    if type_names.is_empty() {
        return Err(WfsError::new("MissingParameterValue", "typeNames", "the TYPENAMES (or TYPENAME) parameter is required"));
    }
    let mut bbox_srs = None;
    if let Some(b) = kvp.get(&["BBOX"]) {
        let parts: Vec<&str> = b.split(',').collect();
        let (numbers, srs) = match parts.len() {
            4 => (&parts[..], None),
            5 => (&parts[..4], Some(parts[4])),
            _ => return Err(WfsError::invalid("bbox", "expected minx,miny,maxx,maxy[,crs]")),
        };
        let bbox = Bbox::parse(&numbers.join(",")).map_err(|e| WfsError::invalid("bbox", e.to_string()))?;
        if let Some(s) = srs {
            bbox_srs = Some(SrsName::parse(s).ok_or_else(|| WfsError::invalid("bbox", format!("'{s}' is not a CRS this server knows")))?);
        }
        let polygon = geo_types::Polygon::new(
            geo_types::LineString::from(vec![(bbox.min_x, bbox.min_y), (bbox.max_x, bbox.min_y), (bbox.max_x, bbox.max_y), (bbox.min_x, bbox.max_y), (bbox.min_x, bbox.min_y)]),
            vec![],
        );
        filters.push(Filter::Spatial {
            op: SpatialOp::Intersects,
            left: Expr::Property(fes::DEFAULT_GEOMETRY.to_string()),
            right: Expr::Geometry { geometry: polygon.into(), crs: bbox_srs.map(|s| s.crs), authority_axes: bbox_srs.is_none_or(|s| s.authority_axes) },
        });
    }
    if let Some(f) = kvp.get(&["FILTER"]) {
        if kvp.get(&["BBOX"]).is_some() || !filters.is_empty() {
            return Err(WfsError::invalid("filter", "FILTER cannot be combined with BBOX or RESOURCEID"));
        }
        // One filter per query in parentheses when several types are asked.
        let text = f.trim().strip_prefix('(').and_then(|t| t.strip_suffix(')')).filter(|t| !t.contains(")(")).unwrap_or(f.trim());
        filters.push(fes::parse(text).map_err(|e| WfsError::invalid("filter", e.message))?);
    }
    let sort_by = match kvp.get(&["SORTBY"]) {
        Some(v) => list(v)
            .into_iter()
            .map(|item| {
                let mut words = item.split_whitespace();
                let name = words.next().unwrap_or("").rsplit(':').next().unwrap_or("").to_string();
                match words.next().map(str::to_ascii_uppercase).as_deref() {
                    None | Some("ASC" | "A") => Ok((name, true)),
                    Some("DESC" | "D") => Ok((name, false)),
                    Some(o) => Err(WfsError::invalid("sortBy", format!("'{o}' is not ASC or DESC"))),
                }
            })
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    let srs_name = match kvp.get(&["SRSNAME"]) {
        Some(s) => Some(SrsName::parse(s).ok_or_else(|| WfsError::invalid("srsName", format!("'{s}' is not a CRS this server knows")))?),
        None => None,
    };
    let hits = match kvp.get(&["RESULTTYPE"]).map(str::to_ascii_lowercase).as_deref() {
        None | Some("results") => false,
        Some("hits") => true,
        Some(other) => return Err(WfsError::invalid("resultType", format!("'{other}' is not results or hits"))),
    };
    let count_names: &[&str] = if version == Version::V2_0_0 { &["COUNT", "MAXFEATURES"] } else { &["MAXFEATURES", "COUNT"] };
    Ok(GetFeature {
        type_names,
        filter: Filter::all(filters),
        bbox_srs,
        // `*` (OWSLib sends it) means every property, as no PROPERTYNAME does.
        property_names: kvp
            .get(&["PROPERTYNAME"])
            .map(|v| list(&v.replace(['(', ')'], "")))
            .filter(|names| !names.iter().any(|n| n == "*"))
            .map(|names| names.into_iter().map(|p| p.rsplit(':').next().unwrap_or(&p).to_string()).collect()),
        sort_by,
        srs_name,
        count: number(kvp, count_names)?,
        start_index: number(kvp, &["STARTINDEX"])?.unwrap_or(0),
        hits,
        output_format: kvp.get(&["OUTPUTFORMAT"]).map(str::to_string),
        by_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kvp(q: &str) -> Vec<(String, String)> {
        q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn get_feature(q: &str) -> GetFeature {
        match parse_kvp(&kvp(q)).unwrap().request {
            Request::GetFeature(g) => g,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_are_case_insensitive_and_aliases_accepted() {
        let g = get_feature("service=WFS&version=2.0.0&request=GetFeature&typeName=ossature:communes&count=5&startIndex=10&sortBy=nom DESC");
        assert_eq!(g.type_names, ["communes"]);
        assert_eq!((g.count, g.start_index), (Some(5), 10));
        assert_eq!(g.sort_by, [("nom".to_string(), false)]);
        let g = get_feature("SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME=communes&MAXFEATURES=3&RESULTTYPE=hits");
        assert_eq!((g.count, g.hits), (Some(3), true));
    }

    #[test]
    fn bbox_with_crs_and_axis_convention() {
        let g = get_feature("version=2.0.0&request=GetFeature&typenames=communes&bbox=50,3,51,4,urn:ogc:def:crs:EPSG::4326");
        assert_eq!(g.bbox_srs, Some(SrsName { crs: Crs::Epsg(4326), authority_axes: true }));
        let g = get_feature("version=1.1.0&request=GetFeature&typename=communes&bbox=3,50,4,51,EPSG:4326");
        assert_eq!(g.bbox_srs, Some(SrsName { crs: Crs::Epsg(4326), authority_axes: false }));
        assert!(matches!(g.filter, Some(Filter::Spatial { .. })));
    }

    #[test]
    fn get_feature_by_id_and_resource_ids() {
        let g = get_feature(&format!("version=2.0.0&request=GetFeature&storedQuery_Id={GET_FEATURE_BY_ID}&id=communes.12"));
        assert!(g.by_id);
        assert_eq!(g.type_names, ["communes"]);
        assert_eq!(g.filter, Some(Filter::ResourceId(vec!["communes.12".into()])));
        let g = get_feature("version=2.0.0&request=GetFeature&resourceId=ocs2d.1,ocs2d.2");
        assert_eq!(g.type_names, ["ocs2d"]);
    }

    #[test]
    fn errors_carry_code_and_locator() {
        for (q, code, locator) in [
            ("service=WFS&version=2.0.0", "MissingParameterValue", "request"),
            ("request=GetFeature&typenames=x", "MissingParameterValue", "version"),
            ("version=3.0.0&request=GetFeature&typenames=x", "InvalidParameterValue", "version"),
            ("version=2.0.0&request=GetFeature", "MissingParameterValue", "typeNames"),
            ("version=2.0.0&request=GetFeature&typenames=x&count=-1", "InvalidParameterValue", "count"),
            ("version=2.0.0&request=GetFeature&typenames=x&bbox=1,2,3", "InvalidParameterValue", "bbox"),
            ("version=2.0.0&request=GetFeature&typenames=x&filter=<oops", "InvalidParameterValue", "filter"),
            ("version=2.0.0&request=GetFeature&typenames=x&resultType=all", "InvalidParameterValue", "resultType"),
            ("version=2.0.0&request=Transaction", "OperationNotSupported", "request"),
            ("version=2.0.0&request=Dance", "InvalidParameterValue", "request"),
            ("request=GetCapabilities&acceptversions=3.0.0", "VersionNegotiationFailed", "AcceptVersions"),
        ] {
            let e = parse_kvp(&kvp(q)).unwrap_err();
            assert_eq!((e.code, e.locator.as_deref()), (code, Some(locator)), "{q}: {e}");
        }
    }

    #[test]
    fn capabilities_negotiates_the_version() {
        assert_eq!(parse_kvp(&kvp("service=WFS&request=GetCapabilities")).unwrap().version, Version::V2_0_0);
        assert_eq!(parse_kvp(&kvp("service=WFS&request=GetCapabilities&AcceptVersions=1.1.0,1.0.0")).unwrap().version, Version::V1_1_0);
    }
}
