//! The two WMS versions served, and version negotiation.

/// A WMS version this server speaks. Ordered, so the highest is `max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    V1_1_1,
    V1_3_0,
}

impl Version {
    pub const HIGHEST: Version = Version::V1_3_0;
    pub const LOWEST: Version = Version::V1_1_1;

    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1_1_1 => "1.1.1",
            Version::V1_3_0 => "1.3.0",
        }
    }

    /// The version an operation other than GetCapabilities asks for: exactly one the server
    /// speaks. `1.1.0` is read as 1.1.1, whose requests are spelt the same (SRS, X/Y,
    /// longitude first), because old clients still send it.
    pub fn parse(text: &str) -> Option<Version> {
        match text.trim() {
            "1.3.0" | "1.3" => Some(Version::V1_3_0),
            "1.1.1" | "1.1.0" | "1.1" => Some(Version::V1_1_1),
            _ => None,
        }
    }

    /// Version negotiation of GetCapabilities (WMS 1.3.0 §6.2.4, 1.1.1 §6.2.4): a requested
    /// version the server speaks is answered in it; a higher one gets the highest; a lower one
    /// the lowest; one in between the highest below it. Text that is no version at all gets the
    /// highest, like a missing VERSION.
    pub fn negotiate(requested: &str) -> Version {
        if let Some(v) = Version::parse(requested) {
            return v;
        }
        let Some(n) = dotted(requested) else {
            return Version::HIGHEST;
        };
        if n >= [1, 3, 0] {
            Version::V1_3_0
        } else {
            // Between 1.1.1 and 1.3.0 the highest below is 1.1.1; below 1.1.1 the lowest is too.
            Version::V1_1_1
        }
    }

    /// The name of the CRS parameter of GetMap and GetFeatureInfo.
    pub fn crs_parameter(self) -> &'static str {
        match self {
            Version::V1_1_1 => "SRS",
            Version::V1_3_0 => "CRS",
        }
    }

    /// The media type of capabilities documents (and of the GetCapabilities `Format`).
    pub fn capabilities_media_type(self) -> &'static str {
        match self {
            Version::V1_1_1 => "application/vnd.ogc.wms_xml",
            Version::V1_3_0 => "text/xml",
        }
    }

    /// The media type of ServiceExceptionReports.
    pub fn exception_media_type(self) -> &'static str {
        match self {
            Version::V1_1_1 => "application/vnd.ogc.se_xml",
            Version::V1_3_0 => "text/xml",
        }
    }
}

/// `x.y.z` as three numbers (missing parts are 0).
fn dotted(text: &str) -> Option<[u32; 3]> {
    let mut out = [0; 3];
    let parts: Vec<&str> = text.trim().split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for (slot, part) in out.iter_mut().zip(&parts) {
        *slot = part.parse().ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_versions() {
        assert_eq!(Version::parse("1.3.0"), Some(Version::V1_3_0));
        assert_eq!(Version::parse(" 1.1.1 "), Some(Version::V1_1_1));
        assert_eq!(Version::parse("1.1.0"), Some(Version::V1_1_1));
        assert_eq!(Version::parse("1.0.0"), None);
        assert_eq!(Version::parse("2.0.0"), None);
    }

    #[test]
    fn negotiation_follows_the_standard() {
        for (asked, answered) in [
            ("1.3.0", Version::V1_3_0),
            ("1.1.1", Version::V1_1_1),
            ("2.0.0", Version::V1_3_0),
            ("1.4", Version::V1_3_0),
            ("1.2.0", Version::V1_1_1),
            ("1.0.0", Version::V1_1_1),
            ("1.0.7", Version::V1_1_1),
            ("garbage", Version::V1_3_0),
        ] {
            assert_eq!(Version::negotiate(asked), answered, "{asked}");
        }
    }

    #[test]
    fn names_per_version() {
        assert_eq!(Version::V1_3_0.crs_parameter(), "CRS");
        assert_eq!(Version::V1_1_1.crs_parameter(), "SRS");
        assert_eq!(Version::V1_1_1.exception_media_type(), "application/vnd.ogc.se_xml");
        assert_eq!(Version::V1_1_1.capabilities_media_type(), "application/vnd.ogc.wms_xml");
        assert_eq!(Version::V1_3_0.exception_media_type(), "text/xml");
        assert!(Version::V1_1_1 < Version::V1_3_0);
    }
}
