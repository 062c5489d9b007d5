//! The configuration file: one TOML document naming the server settings, the service metadata,
//! the sources and the layers. Errors name the file, the line and the key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::source::MvtEncoder;

#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: {key}: {message}")]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the error is not tied to a place in the file.
    pub line: usize,
    pub key: String,
    pub message: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub service: ServiceConfig,
    #[serde(default)]
    pub sources: BTreeMap<String, Spanned<SourceConfig>>,
    #[serde(default)]
    pub layers: Vec<LayerConfig>,
    /// Imagery layers: cloud-optimized GeoTIFF files read as one mosaic each.
    #[serde(default)]
    pub rasters: Vec<RasterConfig>,
    #[serde(default)]
    pub tile_cache: TileCacheConfig,
    #[serde(default)]
    pub catalogue: CatalogueConfig,
    /// Who may read and write what; everything is open to everyone when absent.
    pub access: Option<Spanned<crate::access::config::AccessConfig>>,
    /// Where the file was read from, for messages and relative paths.
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Default)]
pub struct Origin {
    pub path: PathBuf,
    pub text: String,
}

impl Origin {
    pub fn error(&self, span: Option<std::ops::Range<usize>>, key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        let line = span.map_or(0, |s| self.text[..s.start.min(self.text.len())].matches('\n').count() + 1);
        ConfigError { file: self.path.display().to_string(), line, key: key.into(), message: message.into() }
    }

    /// Resolves a path given in the file relative to the file's folder.
    pub fn resolve(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        if p.is_absolute() { p.to_path_buf() } else { self.path.parent().unwrap_or(Path::new(".")).join(p) }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(default = "default_bind")]
    pub bind: String,
    /// The URL clients reach the server at, used in every link (set it behind a reverse proxy).
    pub public_url: Option<String>,
    #[serde(default)]
    pub limits: Limits,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig { bind: default_bind(), public_url: None, limits: Limits::default() }
    }
}

fn default_bind() -> String {
    "127.0.0.1:8080".to_string()
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Features per page when the request gives no `limit`.
    pub default_limit: u64,
    /// The largest page; a larger `limit` is capped to it, as OGC API Features requires.
    pub max_limit: u64,
    /// Largest accepted request body.
    pub request_body_bytes: usize,
    /// Longest filter text (CQL2, FES) accepted.
    pub filter_bytes: usize,
    /// Longest a database statement may run before it is cancelled.
    pub query_timeout_ms: u64,
    /// Longest a whole request may take to produce its response head.
    pub request_timeout_ms: u64,
    /// `numberMatched` is counted exactly when the planner expects at most this many matches,
    /// and left out above (0: never count).
    pub exact_count_max: u64,
    /// Largest WMS map (GetMap WIDTH and HEIGHT), announced in the capabilities. A 4096 x 4096
    /// RGBA map is 64 MiB in memory, already a lot per request (MapServer's `MAXSIZE`).
    pub max_image_width: u32,
    pub max_image_height: u32,
    /// Most features one vector layer of a WMS map may draw; a map over more is refused
    /// (zoom in), so a continent-wide box over a detailed layer cannot hold the server.
    pub max_map_features: u64,
    /// Whether WMS `SLD` URLs may point at loopback, private or link-local addresses. Off by
    /// default: a client could otherwise make the server read the network it sits in.
    pub sld_private_addresses: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            default_limit: 10,
            max_limit: 10_000,
            request_body_bytes: 10 << 20,
            filter_bytes: 64 << 10,
            query_timeout_ms: 30_000,
            request_timeout_ms: 60_000,
            exact_count_max: 200_000,
            max_image_width: 4096,
            max_image_height: 4096,
            max_map_features: 200_000,
            sld_private_addresses: false,
        }
    }
}

/// Service metadata for capabilities documents and landing pages. `metadata` names a TOML file
/// (usually in `capabilities/`) whose values apply where this table leaves a key out.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ServiceConfig {
    pub metadata: Option<String>,
    pub title: Option<String>,
    #[serde(rename = "abstract")]
    pub abstract_: Option<String>,
    pub keywords: Option<Vec<String>>,
    pub fees: Option<String>,
    pub access_constraints: Option<String>,
    pub provider: Option<Provider>,
    /// The capabilities' `updateSequence`. Without it, the time the server started: a restart
    /// is when the offer can change, and clients holding an older sequence then refetch.
    pub update_sequence: Option<String>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    pub name: Option<String>,
    pub url: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum SourceConfig {
    Geopackage {
        path: String,
    },
    Postgis {
        /// `postgresql://user:pass@host:port/db`; `${VAR}` and `${VAR:-default}` are expanded.
        url: String,
        #[serde(default = "default_pool")]
        pool_size: u32,
        /// Who encodes the vector tiles of the source's layers.
        #[serde(default)]
        mvt_encoder: MvtEncoder,
    },
}

fn default_pool() -> u32 {
    8
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerConfig {
    pub id: Spanned<String>,
    pub title: Option<String>,
    #[serde(rename = "abstract")]
    pub abstract_: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub source: Spanned<String>,
    /// Table or view, optionally schema-qualified (`schema.table`).
    pub table: Spanned<String>,
    pub id_column: Option<Spanned<String>>,
    pub geometry_column: Option<Spanned<String>>,
    /// Fields exposed, in this order; all non-geometry fields when absent.
    pub fields: Option<Spanned<Vec<String>>>,
    /// CRSs offered besides CRS84, the storage CRS, EPSG:4326 and EPSG:3857.
    #[serde(default)]
    pub crs: Vec<Spanned<String>>,
    /// A date or timestamp field that `datetime` filters on.
    pub temporal: Option<Spanned<String>>,
    /// SLD / SE files the layer is drawn with (WMS `STYLES`), the first one the default; none:
    /// a plain style for the geometry type.
    #[serde(default)]
    pub styles: Vec<Spanned<String>>,
    /// How the layer is cut into vector tiles (`[layers.tiles]`); defaults when absent.
    pub tiles: Option<Spanned<TilesConfig>>,
    /// OGC API Features PUT / PATCH / DELETE must name the feature's ETag in `If-Match`
    /// (else 428), so no client overwrites a change it has not seen.
    #[serde(default)]
    pub require_if_match: bool,
}

/// Vector tile settings of a layer. Zoom levels are WebMercatorQuad's; other tile matrix sets
/// use the level of closest scale, so one setting serves every grid.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct TilesConfig {
    pub min_zoom: u8,
    pub max_zoom: u8,
    /// Attributes the tiles carry, in this order; every exposed field when absent.
    pub fields: Option<Spanned<Vec<String>>>,
    /// Tile coordinates per tile side (MVT `extent`).
    pub extent: u32,
    /// Margin around the tile kept when clipping, in tile coordinates, so that strokes and
    /// labels continue across tile edges.
    pub buffer: u32,
    /// Douglas-Peucker tolerance in tile coordinates; 1 keeps everything a tile can show.
    pub simplify: f64,
    /// Filters by zoom range: a feature is in the tile when every filter whose range holds the
    /// zoom accepts it.
    pub filters: Vec<Spanned<ZoomFilter>>,
}

impl Default for TilesConfig {
    fn default() -> Self {
        TilesConfig { min_zoom: 0, max_zoom: 18, fields: None, extent: 4096, buffer: 64, simplify: 1.0, filters: Vec::new() }
    }
}

/// `{ min_zoom = 12, max_zoom = 13, cql2 = "surf_m2 > 5000" }`: a CQL2-text filter on the zoom
/// levels given (both bounds inclusive, either may be left out).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ZoomFilter {
    pub min_zoom: Option<u8>,
    pub max_zoom: Option<u8>,
    pub cql2: String,
}

impl ZoomFilter {
    pub fn applies(&self, zoom: u8) -> bool {
        self.min_zoom.is_none_or(|z| zoom >= z) && self.max_zoom.is_none_or(|z| zoom <= z)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RasterConfig {
    pub id: Spanned<String>,
    pub title: Option<String>,
    #[serde(rename = "abstract")]
    pub abstract_: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// COG files, folders searched for `.tif`/`.tiff` (recursively), or HTTP(S) URLs read by
    /// range requests.
    pub files: Spanned<Vec<String>>,
    #[serde(default)]
    pub resampling: crate::raster::Resampling,
    /// Media types offered; JPEG, PNG and WebP when absent.
    pub formats: Option<Spanned<Vec<String>>>,
    /// Tile matrix sets offered besides the native one derived from the files; every well-known
    /// set when absent.
    pub tile_matrix_sets: Option<Spanned<Vec<String>>>,
    #[serde(default = "default_jpeg_quality")]
    pub jpeg_quality: u8,
    pub attribution: Option<String>,
}

fn default_jpeg_quality() -> u8 {
    85
}

/// The tile cache shared by every tile face, and the cache of decoded image blocks.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct TileCacheConfig {
    /// Encoded tiles kept in memory.
    pub memory_mb: u64,
    /// Decoded COG blocks kept in memory (a 512 x 512 block takes 1 MiB).
    pub blocks_mb: u64,
    /// A folder for the disk tier (none when absent).
    pub disk: Option<String>,
    pub disk_mb: u64,
    /// `Cache-Control: max-age` of tiles, in seconds.
    pub max_age_s: u64,
    /// Longest wait for one range request to an HTTP(S) COG.
    pub http_timeout_ms: u64,
}

impl Default for TileCacheConfig {
    fn default() -> Self {
        TileCacheConfig { memory_mb: 256, blocks_mb: 512, disk: None, disk_mb: 10_240, max_age_s: 3600, http_timeout_ms: 10_000 }
    }
}

/// The catalogue (CSW): a record per served layer, plus the ISO 19139 records imported with
/// `ossature catalogue import`, kept in an SQLite file or a PostgreSQL database.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogueConfig {
    /// Where imported records are kept: an SQLite file, relative to the configuration file, or a
    /// `postgresql://` URL; created by the first import. No imported records when absent.
    pub store: Option<String>,
    /// The most records one GetRecords page returns (`maxRecords` above it is refused).
    pub max_records: u64,
    /// Groups (of `[access]`) whose members may insert, replace and delete imported records
    /// with CSW Transaction. The store is opened for writing only when some group may.
    pub publishers: Vec<String>,
}

impl Default for CatalogueConfig {
    fn default() -> Self {
        CatalogueConfig { store: None, max_records: 500, publishers: Vec::new() }
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            key: String::new(),
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(path, text)
    }

    pub fn parse(path: &Path, text: String) -> Result<Config, ConfigError> {
        let origin = Origin { path: path.to_path_buf(), text };
        let mut config: Config = toml::from_str(&origin.text).map_err(|e| {
            let key = e.message().split('`').nth(1).unwrap_or("").to_string();
            origin.error(e.span(), key, e.message().trim().to_string())
        })?;
        config.origin = origin;
        config.service = config.service_metadata()?;
        config.validate()?;
        Ok(config)
    }

    /// Merges the metadata file under the inline `[service]` values.
    fn service_metadata(&self) -> Result<ServiceConfig, ConfigError> {
        let inline = self.service.clone();
        let Some(file) = &inline.metadata else { return Ok(inline) };
        let path = self.origin.resolve(file);
        let sub = Config::parse_service_file(&path)?;
        Ok(ServiceConfig {
            metadata: inline.metadata,
            title: inline.title.or(sub.title),
            abstract_: inline.abstract_.or(sub.abstract_),
            keywords: inline.keywords.or(sub.keywords),
            fees: inline.fees.or(sub.fees),
            access_constraints: inline.access_constraints.or(sub.access_constraints),
            provider: inline.provider.or(sub.provider),
            update_sequence: inline.update_sequence.or(sub.update_sequence),
        })
    }

    fn parse_service_file(path: &Path) -> Result<ServiceConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.display().to_string(),
            line: 0,
            key: "service.metadata".into(),
            message: format!("cannot read: {e}"),
        })?;
        let origin = Origin { path: path.to_path_buf(), text };
        toml::from_str(&origin.text).map_err(|e| origin.error(e.span(), "", e.message().trim().to_string()))
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let o = &self.origin;
        let l = &self.server.limits;
        if l.default_limit == 0 || l.max_limit == 0 || l.default_limit > l.max_limit {
            return Err(o.error(None, "server.limits", "default_limit and max_limit must be at least 1, default_limit <= max_limit"));
        }
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(o.error(None, "server.bind", format!("'{}' is not an address:port", self.server.bind)));
        }
        if let Some(url) = &self.server.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(o.error(None, "server.public_url", "must start with http:// or https://"));
            }
        }
        let publishers = &self.catalogue.publishers;
        if !publishers.is_empty() {
            if self.catalogue.store.is_none() {
                return Err(o.error(None, "catalogue.publishers", "publishers write to the catalogue's store: set [catalogue] store"));
            }
            if self.access.is_none() {
                return Err(o.error(None, "catalogue.publishers", "publishers must log in: add an [access] section with their users"));
            }
            if publishers.iter().any(|g| g == crate::access::ANONYMOUS) {
                return Err(o.error(None, "catalogue.publishers", "anonymous callers cannot publish: name the groups that may"));
            }
        }
        for (name, src) in &self.sources {
            if let SourceConfig::Geopackage { path } = src.get_ref() {
                let p = o.resolve(&expand_env(path));
                if !p.is_file() {
                    return Err(o.error(Some(src.span()), format!("sources.{name}.path"), format!("no such file: {}", p.display())));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        let ids = self.layers.iter().enumerate().map(|(i, l)| (format!("layers[{i}].id"), &l.id));
        for (key, id) in ids.chain(self.rasters.iter().enumerate().map(|(i, r)| (format!("rasters[{i}].id"), &r.id))) {
            let name = id.get_ref();
            let valid_id = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.') && !name.starts_with('.');
            if !valid_id {
                return Err(o.error(Some(id.span()), key, format!("'{name}' must be letters, digits, '_', '-' or '.', not starting with '.'")));
            }
            if name == crate::catalogue::COLLECTION_ID {
                return Err(o.error(Some(id.span()), key, format!("'{name}' is the catalogue's collection id (OGC API Records); choose another id")));
            }
            if !seen.insert(name.clone()) {
                return Err(o.error(Some(id.span()), key, format!("'{name}' is used by another layer")));
            }
        }
        for (i, r) in self.rasters.iter().enumerate() {
            if r.files.get_ref().is_empty() {
                return Err(o.error(Some(r.files.span()), format!("rasters[{i}].files"), "give at least one file, folder or URL"));
            }
            if let Some(f) = &r.formats
                && let Some(bad) = f.get_ref().iter().find(|m| crate::raster::layer::image_format(m).is_none())
            {
                return Err(o.error(Some(f.span()), format!("rasters[{i}].formats"), format!("'{bad}' is not one of image/jpeg, image/png, image/webp")));
            }
            if !(1..=100).contains(&r.jpeg_quality) {
                return Err(o.error(None, format!("rasters[{i}].jpeg_quality"), "must be 1 to 100"));
            }
        }
        for (i, layer) in self.layers.iter().enumerate() {
            if !self.sources.contains_key(layer.source.get_ref()) {
                let known: Vec<&str> = self.sources.keys().map(String::as_str).collect();
                return Err(o.error(
                    Some(layer.source.span()),
                    format!("layers[{i}].source"),
                    format!("unknown source '{}' (known: {})", layer.source.get_ref(), known.join(", ")),
                ));
            }
            if let Some(tiles) = &layer.tiles {
                validate_tiles(o, i, tiles)?;
            }
            for c in &layer.crs {
                if let Err(e) = ogc::crs::Crs::parse(c.get_ref()).map_err(|e| e.to_string()).and_then(|crs| crate::crs::check(crs).map_err(|e| e.to_string())) {
                    return Err(o.error(Some(c.span()), format!("layers[{i}].crs"), e));
                }
            }
        }
        Ok(())
    }

    /// The base URL of every link.
    pub fn base_url(&self) -> String {
        match &self.server.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.server.bind),
        }
    }
}

/// Checks what needs no data: zoom ranges, sizes and the filters' syntax (their properties are
/// checked against the table when the registry is built).
fn validate_tiles(o: &Origin, i: usize, tiles: &Spanned<TilesConfig>) -> Result<(), ConfigError> {
    let t = tiles.get_ref();
    let err = |span: std::ops::Range<usize>, key: &str, m: String| o.error(Some(span), format!("layers[{i}].tiles.{key}"), m);
    if t.min_zoom > t.max_zoom || t.max_zoom > 30 {
        return Err(err(tiles.span(), "max_zoom", format!("zooms must satisfy min_zoom <= max_zoom <= 30 (got {}..{})", t.min_zoom, t.max_zoom)));
    }
    if !(256..=16384).contains(&t.extent) {
        return Err(err(tiles.span(), "extent", format!("must be 256 to 16384 (got {})", t.extent)));
    }
    if t.buffer > t.extent / 2 {
        return Err(err(tiles.span(), "buffer", format!("must be at most half the extent (got {})", t.buffer)));
    }
    if !(t.simplify.is_finite() && t.simplify >= 0.0) {
        return Err(err(tiles.span(), "simplify", "must be a tolerance of 0 or more".into()));
    }
    for (n, f) in t.filters.iter().enumerate() {
        let zf = f.get_ref();
        if let (Some(a), Some(b)) = (zf.min_zoom, zf.max_zoom)
            && a > b
        {
            return Err(err(f.span(), &format!("filters[{n}]"), format!("min_zoom {a} is above max_zoom {b}")));
        }
        if let Err(e) = ogc::filter::cql2_text::parse(&zf.cql2, None) {
            return Err(err(f.span(), &format!("filters[{n}].cql2"), e.to_string()));
        }
    }
    Ok(())
}

/// Expands `${VAR}` and `${VAR:-default}` so secrets and hosts can come from the environment.
pub fn expand_env(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = &rest[start + 2..start + end];
        let (name, default) = match inner.split_once(":-") {
            Some((n, d)) => (n, Some(d)),
            None => (inner, None),
        };
        match std::env::var(name) {
            Ok(v) if !v.is_empty() => out.push_str(&v),
            _ => out.push_str(default.unwrap_or("")),
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/tmp/test.toml"), text.to_string())
    }

    #[test]
    fn defaults() {
        let c = parse("").unwrap();
        assert_eq!(c.server.bind, "127.0.0.1:8080");
        assert_eq!(c.base_url(), "http://127.0.0.1:8080");
        assert_eq!(c.server.limits.default_limit, 10);
    }

    #[test]
    fn errors_name_line_and_key() {
        let e = parse("[server]\nbind = \"127.0.0.1:1\"\nbogus = 3\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.to_string().contains("bogus"), "{e}");
        let e = parse("[sources.pg]\ntype = \"postgis\"\nurl = \"x\"\n\n[[layers]]\nid = \"a\"\nsource = \"nope\"\ntable = \"t\"\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (7, "layers[0].source"), "{e}");
        assert!(e.to_string().starts_with("/tmp/test.toml:7: layers[0].source: unknown source 'nope'"), "{e}");
        let e = parse("[sources.pg]\ntype = \"postgis\"\nurl = \"x\"\n[[layers]]\nid = \"a\"\nsource = \"pg\"\ntable = \"t\"\ncrs = [\"EPSG:999999\"]\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (8, "layers[0].crs"), "{e}");
    }

    #[test]
    fn tile_settings_are_checked_with_their_line() {
        let layer = "[sources.pg]\ntype = \"postgis\"\nurl = \"x\"\n[[layers]]\nid = \"a\"\nsource = \"pg\"\ntable = \"t\"\n";
        let c = parse(layer).unwrap();
        assert!(c.layers[0].tiles.is_none());
        let e = parse(&format!("{layer}[layers.tiles]\nmin_zoom = 14\nmax_zoom = 12\n")).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (8, "layers[0].tiles.max_zoom"), "{e}");
        let e = parse(&format!("{layer}[layers.tiles]\nfilters = [\n  {{ min_zoom = 3, cql2 = \"surf >\" }},\n]\n")).unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (10, "layers[0].tiles.filters[0].cql2"), "{e}");
        let e = parse(&format!("{layer}[layers.tiles]\nbogus = 1\n")).unwrap_err();
        assert_eq!(e.line, 9, "{e}");
        let ok = parse(&format!("{layer}[layers.tiles]\nmin_zoom = 12\nfilters = [{{ max_zoom = 13, cql2 = \"surf > 5000\" }}]\n")).unwrap();
        let f = ok.layers[0].tiles.as_ref().unwrap().get_ref().filters[0].get_ref();
        assert!(f.applies(12) && f.applies(13) && !f.applies(14));
    }

    #[test]
    fn public_url_is_the_base() {
        let c = parse("[server]\npublic_url = \"https://geo.example.org/ossature/\"\n").unwrap();
        assert_eq!(c.base_url(), "https://geo.example.org/ossature");
    }

    #[test]
    fn expands_environment() {
        // A variable name nothing sets.
        assert_eq!(expand_env("a${OSSATURE_SURELY_UNSET:-def}b"), "adefb");
        assert_eq!(expand_env("${OSSATURE_SURELY_UNSET}"), "");
        assert_eq!(expand_env("no vars"), "no vars");
    }
}
