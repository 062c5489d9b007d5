//! The formats WMS requests name: map images, feature info, exceptions. Media types are matched
//! case- and space-insensitively, because `image/png; mode=8bit` reaches servers as
//! `image/png;mode=8bit`, `image/png; mode=8bit` or `image/png%3B+mode%3D8bit` decoded with the
//! `+` kept, depending on the client.

use super::version::Version;

/// The image formats of GetMap and GetLegendGraphic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapFormat {
    Png,
    /// 8-bit paletted PNG (`image/png; mode=8bit`, GeoServer's and MapServer's name): a third of
    /// the size of a full-colour PNG for thematic maps.
    Png8,
    Jpeg,
    Webp,
}

impl MapFormat {
    pub const ALL: [MapFormat; 4] = [MapFormat::Png, MapFormat::Png8, MapFormat::Jpeg, MapFormat::Webp];

    pub fn media_type(self) -> &'static str {
        match self {
            MapFormat::Png => "image/png",
            MapFormat::Png8 => "image/png; mode=8bit",
            MapFormat::Jpeg => "image/jpeg",
            MapFormat::Webp => "image/webp",
        }
    }

    /// Whether the format can carry transparency (`TRANSPARENT=TRUE` is ignored otherwise).
    pub fn has_alpha(self) -> bool {
        !matches!(self, MapFormat::Jpeg)
    }

    /// The media types above, plus the short names (`png`, `png8`, `jpeg`) GeoServer accepts
    /// and `image/jpg`, a common misspelling.
    pub fn parse(text: &str) -> Option<MapFormat> {
        // A `+` is a form-encoded space some clients leave undecoded (`image/png;+mode=8bit`);
        // no image media type has one.
        match normalise(text).replace('+', "").as_str() {
            "image/png" | "png" => Some(MapFormat::Png),
            "image/png;mode=8bit" | "image/png8" | "png8" => Some(MapFormat::Png8),
            "image/jpeg" | "image/jpg" | "jpeg" | "jpg" => Some(MapFormat::Jpeg),
            "image/webp" | "webp" => Some(MapFormat::Webp),
            _ => None,
        }
    }
}

/// The formats of GetFeatureInfo answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InfoFormat {
    Text,
    Html,
    /// GeoJSON (`application/json`, also accepted as `application/geo+json`).
    Json,
    /// GML 2 (`application/vnd.ogc.gml`), what 1.1.1 clients expect.
    Gml2,
    /// GML 3.1.1 (`application/vnd.ogc.gml/3.1.1`).
    Gml3,
}

impl InfoFormat {
    pub const ALL: [InfoFormat; 5] =
        [InfoFormat::Text, InfoFormat::Html, InfoFormat::Json, InfoFormat::Gml2, InfoFormat::Gml3];

    pub fn media_type(self) -> &'static str {
        match self {
            InfoFormat::Text => "text/plain",
            InfoFormat::Html => "text/html",
            InfoFormat::Json => "application/json",
            InfoFormat::Gml2 => "application/vnd.ogc.gml",
            InfoFormat::Gml3 => "application/vnd.ogc.gml/3.1.1",
        }
    }

    pub fn parse(text: &str) -> Option<InfoFormat> {
        let t = normalise(text);
        InfoFormat::ALL.into_iter().find(|f| f.media_type() == t).or(match t.as_str() {
            "application/geo+json" => Some(InfoFormat::Json),
            _ => None,
        })
    }
}

/// How GetMap errors are reported (`EXCEPTIONS`): a ServiceExceptionReport, the message drawn
/// in an image of the requested size and format, or a blank image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ExceptionFormat {
    #[default]
    Xml,
    InImage,
    Blank,
}

impl ExceptionFormat {
    pub const ALL: [ExceptionFormat; 3] = [ExceptionFormat::Xml, ExceptionFormat::InImage, ExceptionFormat::Blank];

    /// The name capabilities announce: 1.3.0's keywords, 1.1.1's media types.
    pub fn name(self, version: Version) -> &'static str {
        match (version, self) {
            (Version::V1_3_0, ExceptionFormat::Xml) => "XML",
            (Version::V1_3_0, ExceptionFormat::InImage) => "INIMAGE",
            (Version::V1_3_0, ExceptionFormat::Blank) => "BLANK",
            (Version::V1_1_1, ExceptionFormat::Xml) => "application/vnd.ogc.se_xml",
            (Version::V1_1_1, ExceptionFormat::InImage) => "application/vnd.ogc.se_inimage",
            (Version::V1_1_1, ExceptionFormat::Blank) => "application/vnd.ogc.se_blank",
        }
    }

    /// Either version's spelling, whatever the request's version: clients written for one
    /// version are pointed at the other all the time, and the meaning is unambiguous.
    pub fn parse(text: &str) -> Option<ExceptionFormat> {
        match normalise(text).as_str() {
            "xml" | "application/vnd.ogc.se_xml" | "text/xml" => Some(ExceptionFormat::Xml),
            "inimage" | "application/vnd.ogc.se_inimage" => Some(ExceptionFormat::InImage),
            "blank" | "application/vnd.ogc.se_blank" => Some(ExceptionFormat::Blank),
            _ => None,
        }
    }
}

/// Lower case without spaces.
fn normalise(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_formats_in_every_spelling() {
        for (text, format) in [
            ("image/png", MapFormat::Png),
            ("IMAGE/PNG", MapFormat::Png),
            ("image/png; mode=8bit", MapFormat::Png8),
            ("image/png;mode=8bit", MapFormat::Png8),
            ("image/png;+mode=8bit", MapFormat::Png8),
            ("image/png8", MapFormat::Png8),
            ("image/jpeg", MapFormat::Jpeg),
            ("image/jpg", MapFormat::Jpeg),
            ("image/webp", MapFormat::Webp),
        ] {
            assert_eq!(MapFormat::parse(text), Some(format), "{text}");
        }
        for text in ["image/gif", "image/tiff", "", "image/png; mode=24bit", "application/pdf"] {
            assert_eq!(MapFormat::parse(text), None, "{text}");
        }
        for f in MapFormat::ALL {
            assert_eq!(MapFormat::parse(f.media_type()), Some(f));
        }
        assert!(!MapFormat::Jpeg.has_alpha() && MapFormat::Png8.has_alpha());
    }

    #[test]
    fn info_formats() {
        for f in InfoFormat::ALL {
            assert_eq!(InfoFormat::parse(f.media_type()), Some(f));
        }
        assert_eq!(InfoFormat::parse("application/vnd.ogc.gml/3.1.1"), Some(InfoFormat::Gml3));
        assert_eq!(InfoFormat::parse("Application/Geo+JSON"), Some(InfoFormat::Json));
        assert_eq!(InfoFormat::parse("application/vnd.ogc.gml/3.2"), None);
        assert_eq!(InfoFormat::parse("image/png"), None);
    }

    #[test]
    fn exception_formats_in_both_spellings() {
        for (text, f) in [
            ("XML", ExceptionFormat::Xml),
            ("application/vnd.ogc.se_xml", ExceptionFormat::Xml),
            ("INIMAGE", ExceptionFormat::InImage),
            ("application/vnd.ogc.se_inimage", ExceptionFormat::InImage),
            ("blank", ExceptionFormat::Blank),
            ("application/vnd.ogc.se_blank", ExceptionFormat::Blank),
        ] {
            assert_eq!(ExceptionFormat::parse(text), Some(f), "{text}");
        }
        assert_eq!(ExceptionFormat::parse("application/json"), None);
        for v in [Version::V1_1_1, Version::V1_3_0] {
            for f in ExceptionFormat::ALL {
                assert_eq!(ExceptionFormat::parse(f.name(v)), Some(f));
            }
        }
    }
}
