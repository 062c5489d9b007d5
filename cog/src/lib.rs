//! Cloud-optimized GeoTIFF reading over byte ranges.
//!
//! A [`Cog`] reads its headers once at open (through a [`RangeReader`]: local file, HTTP, later
//! an object store), then fetches and decodes single blocks on demand into straight-alpha RGBA,
//! shared through a byte-bounded [`BlockCache`]. JPEG blocks can also be served as they are
//! ([`Cog::jpeg_block`]) when a request matches the file's own tiling.

mod cache;
mod decode;
mod fetch;
mod file;
mod georef;
mod header;
mod http;
mod jpeg;

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

pub use cache::BlockCache;
pub use file::FileReader;
pub use http::HttpReader;

use cache::BlockKey;
use header::{Header, Layout};

#[derive(Clone, Debug, thiserror::Error)]
pub enum CogError {
    /// The bytes could not be fetched now (I/O error, HTTP 5xx, timeout, connection refused):
    /// a server maps this to 502/503 and keeps running.
    #[error("{0}")]
    Unavailable(String),
    /// The file is not a tiled GeoTIFF with the layout of a COG, or its structure is broken.
    #[error("{0}")]
    Invalid(String),
    /// A valid TIFF using something this reader does not decode (sample format, compression...).
    #[error("{0}")]
    Unsupported(String),
}

impl CogError {
    /// The same error with the file's name in front.
    fn named(self, name: &str) -> CogError {
        match self {
            CogError::Unavailable(m) => CogError::Unavailable(format!("{name}: {m}")),
            CogError::Invalid(m) => CogError::Invalid(format!("{name}: {m}")),
            CogError::Unsupported(m) => CogError::Unsupported(format!("{name}: {m}")),
        }
    }
}

/// A source of bytes read by ranges: a local file, an HTTP(S) URL, later an object store.
///
/// `read` returns exactly `range.end - range.start` bytes, fewer only when the range runs past
/// the end of the source (empty when it starts at or after the end): that is how a truncated
/// file is recognised without a separate size request.
#[async_trait::async_trait]
pub trait RangeReader: Send + Sync {
    /// A name for messages (a path or URL without credentials).
    fn name(&self) -> &str;
    async fn read(&self, range: Range<u64>) -> Result<Bytes, CogError>;
}

/// Where a COG's pixels sit in its CRS: the outer corner of the top-left pixel and the pixel size
/// (both positive; rows go south).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Georef {
    pub epsg: Option<u32>,
    pub origin_x: f64,
    pub origin_y: f64,
    pub pixel_width: f64,
    pub pixel_height: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Jpeg,
    Deflate,
    Lzw,
    Webp,
}

/// One resolution level: 0 is the full-resolution image, then overviews, coarsest last.
#[derive(Clone, Debug)]
pub struct Level {
    pub width: u32,
    pub height: u32,
    pub tile_width: u32,
    pub tile_height: u32,
    /// Pixel size in CRS units at this level (x, y).
    pub resolution: (f64, f64),
    pub compression: Compression,
}

impl Level {
    pub fn tiles_across(&self) -> u32 {
        self.width.div_ceil(self.tile_width)
    }
    pub fn tiles_down(&self) -> u32 {
        self.height.div_ceil(self.tile_height)
    }
}

/// A decoded block: `width * height` straight-alpha RGBA8 pixels (alpha 0 where the mask or
/// nodata says no data; gray images are expanded to RGB).
///
/// Edge blocks keep the full tile size: pixels beyond the image edge are whatever the file holds
/// there (GDAL pads with copies or zeros), so callers crop with the level's width and height.
pub struct Block {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
    /// Every alpha is 255 (no mask, no nodata here): resamplers then skip per-pixel alpha.
    pub opaque: bool,
}

impl Block {
    pub fn new(width: u32, height: u32, rgba: Vec<u8>) -> Block {
        let opaque = rgba.chunks_exact(4).all(|p| p[3] == 255);
        Block { width, height, rgba, opaque }
    }
}

/// Distinguishes every opened COG in the shared cache, so two opens of one file (a reload) never
/// mix blocks with stale headers.
static NEXT_IDENTITY: AtomicU64 = AtomicU64::new(1);

pub struct Cog {
    identity: u64,
    reader: Arc<dyn RangeReader>,
    cache: BlockCache,
    header: Header,
    decoded: AtomicU64,
}

impl Cog {
    /// Reads and checks the headers; a non-COG or corrupt file is refused here, with a message
    /// naming the file and the problem.
    pub async fn open(reader: Arc<dyn RangeReader>, cache: BlockCache) -> Result<Cog, CogError> {
        let header = header::read(reader.as_ref()).await?;
        Ok(Cog {
            identity: NEXT_IDENTITY.fetch_add(1, Ordering::Relaxed),
            reader,
            cache,
            header,
            decoded: AtomicU64::new(0),
        })
    }
    pub fn name(&self) -> &str {
        self.reader.name()
    }
    pub fn georef(&self) -> &Georef {
        &self.header.georef
    }
    pub fn levels(&self) -> &[Level] {
        &self.header.levels
    }
    pub fn nodata(&self) -> Option<f64> {
        self.header.nodata
    }
    /// Unique per open, shared by nothing else: the key of this COG's blocks in the cache.
    pub fn identity(&self) -> u64 {
        self.identity
    }
    /// Whether a level carries an internal mask (transparency) besides its pixels.
    pub fn has_mask(&self, level: usize) -> bool {
        self.header.layouts.get(level).is_some_and(|l| l.mask.is_some())
    }
    /// How many blocks this COG decoded since it was opened (cache misses), for metrics.
    pub fn blocks_decoded(&self) -> u64 {
        self.decoded.load(Ordering::Relaxed)
    }

    /// The decoded block (cached; concurrent misses decode once).
    pub async fn block(&self, level: usize, col: u32, row: u32) -> Result<Arc<Block>, CogError> {
        let (layout, index) = self.locate(level, col, row)?;
        let key = self.key(level, col, row);
        self.cache
            .inner()
            .try_get_with(key, async {
                let pieces = layout.pieces(index);
                let fetched = fetch::fetch(self.reader.as_ref(), &pieces.ranges()).await?;
                self.decode((level, col, row), layout, pieces.with_bytes(fetched)).await
            })
            .await
            .map_err(|e| (*e).clone())
    }

    /// Several blocks of one level; neighbouring byte ranges are fetched in one request.
    pub async fn blocks(&self, level: usize, tiles: &[(u32, u32)]) -> Result<Vec<Arc<Block>>, CogError> {
        let mut found = Vec::with_capacity(tiles.len());
        let mut missing = Vec::new();
        for &(col, row) in tiles {
            let index = self.locate(level, col, row)?.1;
            let block = self.cache.inner().get(&self.key(level, col, row)).await;
            if block.is_none() {
                missing.push((index, (col, row)));
            }
            found.push(block);
        }
        if !missing.is_empty() {
            missing.sort_unstable();
            missing.dedup();
            let loaded = self.load(level, &missing).await?;
            for (slot, &(col, row)) in found.iter_mut().zip(tiles) {
                if slot.is_none() {
                    let index = self.locate(level, col, row)?.1;
                    let at = missing
                        .binary_search_by_key(&index, |m| m.0)
                        .map_err(|_| self.block_error(level, col, row, "missing after fetch"))?;
                    *slot = Some(loaded[at].clone());
                }
            }
        }
        Ok(found.into_iter().flatten().collect())
    }

    /// Fetches the blocks at `tiles` (block index, position) with merged reads, then decodes
    /// each through the cache, so a concurrent `block()` of one of them still decodes once.
    async fn load(&self, level: usize, tiles: &[(usize, (u32, u32))]) -> Result<Vec<Arc<Block>>, CogError> {
        let layout = &self.header.layouts[level];
        let pieces: Vec<_> = tiles.iter().map(|&(index, _)| layout.pieces(index)).collect();
        let ranges: Vec<_> = pieces.iter().flat_map(|p| p.ranges()).collect();
        let mut fetched = fetch::fetch(self.reader.as_ref(), &ranges).await?.into_iter();
        let loads = pieces.iter().zip(tiles).map(|(p, &(_, (col, row)))| {
            let raw = p.with_bytes(fetched.by_ref().take(p.range_count()).collect());
            self.cache.inner().try_get_with(self.key(level, col, row), self.decode((level, col, row), layout, raw))
        });
        let loads: Vec<_> = loads.collect();
        futures_util::future::join_all(loads).await.into_iter().map(|r| r.map_err(|e| (*e).clone())).collect()
    }

    /// The block as a standalone JPEG file (JPEGTables spliced in), without decoding; `None`
    /// when the level is not JPEG-compressed or the block is empty (sparse).
    ///
    /// The entropy-coded data is byte-identical to the file's; a mask, if any, is not applied
    /// (JPEG carries no alpha), so callers that need transparency check [`Cog::has_mask`].
    pub async fn jpeg_block(&self, level: usize, col: u32, row: u32) -> Result<Option<Bytes>, CogError> {
        let (layout, index) = self.locate(level, col, row)?;
        if layout.decoder.codec.compression != Compression::Jpeg {
            return Ok(None);
        }
        let Some(range) = layout.image.range(index) else {
            return Ok(None);
        };
        let mut fetched = fetch::fetch(self.reader.as_ref(), std::slice::from_ref(&range)).await?;
        let tile = fetched.pop().unwrap_or_default();
        let tables = layout.decoder.codec.jpeg_tables.as_deref();
        jpeg::standalone(tables, &tile).map(|v| Some(Bytes::from(v))).map_err(|e| self.block_error(level, col, row, &e))
    }

    fn locate(&self, level: usize, col: u32, row: u32) -> Result<(&Layout, usize), CogError> {
        let info = self.header.levels.get(level).ok_or_else(|| {
            CogError::Invalid(format!("{}: no level {level} (the file has {})", self.name(), self.header.levels.len()))
        })?;
        if col >= info.tiles_across() || row >= info.tiles_down() {
            return Err(CogError::Invalid(format!(
                "{}: block ({col}, {row}) outside level {level} ({} x {} blocks)",
                self.name(),
                info.tiles_across(),
                info.tiles_down()
            )));
        }
        let index = row as usize * info.tiles_across() as usize + col as usize;
        Ok((&self.header.layouts[level], index))
    }

    fn key(&self, level: usize, col: u32, row: u32) -> BlockKey {
        BlockKey { cog: self.identity, level: level as u32, col, row }
    }

    /// Decodes on the blocking pool: a 512² JPEG or DEFLATE block is milliseconds of CPU.
    async fn decode(
        &self,
        (level, col, row): (usize, u32, u32),
        layout: &Layout,
        raw: decode::RawBlock,
    ) -> Result<Arc<Block>, CogError> {
        let decoder = layout.decoder.clone();
        let block = tokio::task::spawn_blocking(move || decoder.decode(&raw))
            .await
            .map_err(|e| CogError::Unavailable(format!("{}: decoding task failed: {e}", self.name())))?
            .map_err(|e| match e {
                decode::DecodeError::Invalid(m) => self.block_error(level, col, row, &m),
                decode::DecodeError::Unsupported(m) => {
                    CogError::Unsupported(format!("{}: block ({col}, {row}) of level {level}: {m}", self.name()))
                }
            })?;
        self.decoded.fetch_add(1, Ordering::Relaxed);
        Ok(Arc::new(block))
    }

    fn block_error(&self, level: usize, col: u32, row: u32, message: &str) -> CogError {
        CogError::Invalid(format!("{}: block ({col}, {row}) of level {level}: {message}", self.name()))
    }
}
