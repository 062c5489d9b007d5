//! Tile encodings, by media type (WMTS `FORMAT`, `Accept`) and by the short name used in URLs
//! (WMTS REST extensions, OGC API `?f=`).

/// A tile encoding the server can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TileFormat {
    Png,
    Jpeg,
    Webp,
    /// Mapbox Vector Tiles 2.1.
    Mvt,
}

impl TileFormat {
    pub const ALL: [TileFormat; 4] = [TileFormat::Png, TileFormat::Jpeg, TileFormat::Webp, TileFormat::Mvt];

    pub fn media_type(self) -> &'static str {
        match self {
            TileFormat::Png => "image/png",
            TileFormat::Jpeg => "image/jpeg",
            TileFormat::Webp => "image/webp",
            TileFormat::Mvt => "application/vnd.mapbox-vector-tile",
        }
    }

    /// The short name written in URLs: OGC API Tiles' `f` values (`jpg`, not `jpeg`).
    pub fn extension(self) -> &'static str {
        match self {
            TileFormat::Png => "png",
            TileFormat::Jpeg => "jpg",
            TileFormat::Webp => "webp",
            TileFormat::Mvt => "mvt",
        }
    }

    /// Parses a media type, ignoring parameters and case (`image/PNG; mode=8bit`). `image/jpg`
    /// and `application/x-protobuf` are accepted because clients send them.
    pub fn from_media_type(text: &str) -> Option<TileFormat> {
        let essence = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "image/jpg" => Some(TileFormat::Jpeg),
            "application/x-protobuf" => Some(TileFormat::Mvt),
            _ => TileFormat::ALL.into_iter().find(|f| f.media_type() == essence),
        }
    }

    /// Parses a URL extension; `jpeg` and `pbf` are accepted beside `jpg` and `mvt`.
    pub fn from_extension(text: &str) -> Option<TileFormat> {
        match text.to_ascii_lowercase().as_str() {
            "jpeg" => Some(TileFormat::Jpeg),
            "pbf" => Some(TileFormat::Mvt),
            ext => TileFormat::ALL.into_iter().find(|f| f.extension() == ext),
        }
    }

    pub fn is_vector(self) -> bool {
        self == TileFormat::Mvt
    }
}
