//! Reading and checking a COG's headers: IFDs, tile tables, masks, GeoTIFF tags.
//!
//! The `tiff` crate parses the IFDs over an in-memory prefix of the file. A COG keeps all its
//! IFDs and tag arrays before the pixel data, so a prefix is enough; when a tag or IFD points
//! past it the parse fails with an end-of-input error and the prefix grows by doubling (only the
//! new bytes are fetched) until it fits, up to [`MAX_HEADER`].

use std::collections::HashSet;
use std::io::{Cursor, ErrorKind};
use std::ops::Range;

use bytes::Bytes;
use tiff::decoder::ifd::Value;
use tiff::decoder::{Decoder as TiffDecoder, IfdDecoder, Limits};
use tiff::tags::Tag;
use tiff::{TiffError, TiffFormatError};

use crate::decode::{Alpha, Codec, Decoder, MaskFormat, RawBlock};
use crate::georef::{self, GeoTags};
use crate::{CogError, Compression, Georef, Level, RangeReader};

const FIRST_READ: u64 = 16 * 1024;
/// Enough for the tile tables of about two million tiles.
const MAX_HEADER: u64 = 32 * 1024 * 1024;
/// Real COGs have a handful of IFDs (image, overviews, their masks); more means a broken chain.
const MAX_IFDS: usize = 128;

/// 4096 x 4096: GDAL writes 256 to 1024.
const MAX_TILE_PIXELS: u64 = 4096 * 4096;

const SUBFILE_REDUCED: u32 = 1;
const SUBFILE_MASK: u32 = 4;

/// The parsed headers of one COG.
pub(crate) struct Header {
    pub georef: Georef,
    pub nodata: Option<f64>,
    pub levels: Vec<Level>,
    /// Parallel to `levels`.
    pub layouts: Vec<Layout>,
}

/// Where the blocks of one TIFF image are in the file, in row-major block order.
pub(crate) struct Tiles {
    offsets: Vec<u64>,
    counts: Vec<u64>,
}

impl Tiles {
    /// The bytes of block `index`; `None` when the block is sparse (offset or size 0).
    pub fn range(&self, index: usize) -> Option<Range<u64>> {
        let (&offset, &count) = (self.offsets.get(index)?, self.counts.get(index)?);
        (offset != 0 && count != 0).then(|| offset..offset + count)
    }

    fn end(&self) -> u64 {
        (0..self.offsets.len()).filter_map(|i| self.range(i)).map(|r| r.end).max().unwrap_or(0)
    }
}

/// One level's blocks and how to decode them.
pub(crate) struct Layout {
    pub image: Tiles,
    pub mask: Option<Tiles>,
    pub decoder: Decoder,
}

/// The byte ranges one block needs: its pixels, then its mask when the level has one.
pub(crate) struct Pieces {
    image: Option<Range<u64>>,
    mask: Option<Range<u64>>,
}

impl Layout {
    pub fn pieces(&self, index: usize) -> Pieces {
        let image = self.image.range(index);
        // Without pixels the block is transparent whatever its mask says.
        let mask = image.as_ref().and(self.mask.as_ref()).and_then(|m| m.range(index));
        Pieces { image, mask }
    }
}

impl Pieces {
    pub fn ranges(&self) -> Vec<Range<u64>> {
        self.image.iter().chain(&self.mask).cloned().collect()
    }

    pub fn range_count(&self) -> usize {
        self.image.is_some() as usize + self.mask.is_some() as usize
    }

    /// Pairs the fetched bytes (in the order of [`Pieces::ranges`]) with their roles.
    pub fn with_bytes(&self, fetched: Vec<Bytes>) -> RawBlock {
        let mut fetched = fetched.into_iter();
        let image = self.image.as_ref().and_then(|_| fetched.next());
        let mask = self.mask.as_ref().and_then(|_| fetched.next());
        RawBlock { image, mask }
    }
}

/// Reads, parses and checks the headers of `reader`'s file.
pub(crate) async fn read(reader: &dyn RangeReader) -> Result<Header, CogError> {
    let name = reader.name();
    let mut prefix = reader.read(0..FIRST_READ).await?.to_vec();
    // A short read means the prefix is the whole file.
    let mut whole = (prefix.len() as u64) < FIRST_READ;
    let header = loop {
        // Tile tables of a large file are megabytes to walk: off the async threads.
        let parsed = tokio::task::spawn_blocking(move || (parse(&prefix), prefix)).await;
        let (parsed, returned) =
            parsed.map_err(|e| CogError::Unavailable(format!("{name}: header parsing task failed: {e}")))?;
        prefix = returned;
        match parsed {
            Ok(header) => break header,
            Err(Failure::NeedMore) if !whole && prefix.len() as u64 * 2 <= MAX_HEADER => {
                let start = prefix.len() as u64;
                let more = reader.read(start..start * 2).await?;
                whole = (more.len() as u64) < start;
                prefix.extend_from_slice(&more);
            }
            Err(Failure::NeedMore) if whole => {
                return Err(CogError::Invalid(format!(
                    "{name}: truncated or corrupt TIFF: an IFD or tag points past the end of the file ({} bytes)",
                    prefix.len()
                )));
            }
            Err(Failure::NeedMore) => {
                return Err(CogError::Invalid(format!("{name}: headers larger than {MAX_HEADER} bytes")));
            }
            Err(Failure::Refused(e)) => return Err(e.named(name)),
        }
    };
    check_end(reader, &header, whole.then_some(prefix.len() as u64)).await?;
    Ok(header)
}

/// Refuses a file cut short: its last block must be there. One 1-byte read unless the size is
/// already known.
async fn check_end(reader: &dyn RangeReader, header: &Header, size: Option<u64>) -> Result<(), CogError> {
    let end =
        header.layouts.iter().flat_map(|l| std::iter::once(&l.image).chain(&l.mask)).map(Tiles::end).max().unwrap_or(0);
    let present = match size {
        Some(size) => end <= size,
        None => end == 0 || !reader.read(end - 1..end).await?.is_empty(),
    };
    if present {
        Ok(())
    } else {
        Err(CogError::Invalid(format!(
            "{}: truncated file: blocks extend to byte {end} but the file is shorter",
            reader.name()
        )))
    }
}

enum Failure {
    /// The prefix ends before the data the headers point to.
    NeedMore,
    Refused(CogError),
}

impl From<TiffError> for Failure {
    fn from(e: TiffError) -> Failure {
        match e {
            TiffError::IoError(e) if e.kind() == ErrorKind::UnexpectedEof => Failure::NeedMore,
            TiffError::FormatError(TiffFormatError::TiffSignatureNotFound | TiffFormatError::TiffSignatureInvalid) => {
                Failure::Refused(CogError::Invalid("not a TIFF file".into()))
            }
            TiffError::UnsupportedError(e) => Failure::Refused(CogError::Unsupported(format!("unsupported TIFF: {e}"))),
            e => Failure::Refused(CogError::Invalid(format!("corrupt TIFF: {e}"))),
        }
    }
}

impl From<CogError> for Failure {
    fn from(e: CogError) -> Failure {
        Failure::Refused(e)
    }
}

fn invalid(message: impl Into<String>) -> Failure {
    Failure::Refused(CogError::Invalid(message.into()))
}

fn unsupported(message: impl Into<String>) -> Failure {
    Failure::Refused(CogError::Unsupported(message.into()))
}

/// The tags of one IFD that matter here.
struct Ifd {
    subfile: u32,
    width: u32,
    height: u32,
    tile: Option<(u32, u32)>,
    compression: u16,
    photometric: u16,
    samples: u16,
    bits: Vec<u16>,
    sample_format: Vec<u16>,
    planar: u16,
    predictor: u16,
    extra_samples: Vec<u16>,
    jpeg_tables: Option<Vec<u8>>,
    offsets: Vec<u64>,
    counts: Vec<u64>,
}

fn parse(prefix: &[u8]) -> Result<Header, Failure> {
    let mut limits = Limits::default();
    // Tag arrays are materialized as enum values (32 bytes each): bound what a corrupt count
    // can make us allocate.
    limits.decoding_buffer_size = 128 * 1024 * 1024;
    let mut decoder = TiffDecoder::new(Cursor::new(prefix))?.with_limits(limits);
    let mut next = decoder.ifd_pointer();
    let mut seen = HashSet::new();
    let mut ifds = Vec::new();
    let mut geo = GeoTags::default();
    let mut nodata = None;
    while let Some(pointer) = next {
        if ifds.len() >= MAX_IFDS || !seen.insert(pointer.0) {
            return Err(invalid("corrupt TIFF: the IFD chain loops or is too long"));
        }
        let directory = decoder.read_directory(pointer)?;
        next = directory.next();
        let mut tags = decoder.read_directory_tags(&directory);
        if ifds.is_empty() {
            geo = GeoTags {
                pixel_scale: f64s(&mut tags, Tag::ModelPixelScaleTag)?,
                tiepoint: f64s(&mut tags, Tag::ModelTiepointTag)?,
                transformation: f64s(&mut tags, Tag::ModelTransformationTag)?,
                geokeys: tags.find_tag(Tag::GeoKeyDirectoryTag)?.map(Value::into_u16_vec).transpose()?,
            };
            nodata = match tags.find_tag(Tag::GdalNodata)? {
                Some(v) => parse_nodata(&v.into_string()?),
                None => None,
            };
        }
        ifds.push(read_ifd(&mut tags)?);
    }
    let georef = georef::georef(&geo)?;
    build(ifds, georef, nodata)
}

/// GDAL writes nodata as text ("0", "-9999", "nan"); an unparsable value is ignored as GDAL does.
fn parse_nodata(text: &str) -> Option<f64> {
    text.trim_matches(|c: char| c == '\0' || c.is_whitespace()).parse().ok()
}

fn f64s(tags: &mut IfdDecoder, tag: Tag) -> Result<Option<Vec<f64>>, Failure> {
    Ok(tags.find_tag(tag)?.map(Value::into_f64_vec).transpose()?)
}

fn read_ifd(tags: &mut IfdDecoder) -> Result<Ifd, Failure> {
    let mut uint = |tag: Tag, default: u64| -> Result<u64, Failure> {
        Ok(tags.find_tag(tag)?.map(Value::into_u64).transpose()?.unwrap_or(default))
    };
    let narrow = |v: u64, tag: Tag| u32::try_from(v).map_err(|_| invalid(format!("corrupt TIFF: {tag:?} {v}")));
    let subfile = narrow(uint(Tag::NewSubfileType, 0)?, Tag::NewSubfileType)?;
    let width = narrow(uint(Tag::ImageWidth, 0)?, Tag::ImageWidth)?;
    let height = narrow(uint(Tag::ImageLength, 0)?, Tag::ImageLength)?;
    let tile_width = narrow(uint(Tag::TileWidth, 0)?, Tag::TileWidth)?;
    let tile_height = narrow(uint(Tag::TileLength, 0)?, Tag::TileLength)?;
    let small = |v: u64, tag: Tag| u16::try_from(v).map_err(|_| invalid(format!("corrupt TIFF: {tag:?} {v}")));
    let compression = small(uint(Tag::Compression, 1)?, Tag::Compression)?;
    let photometric =
        small(uint(Tag::PhotometricInterpretation, u64::from(u16::MAX))?, Tag::PhotometricInterpretation)?;
    let samples = small(uint(Tag::SamplesPerPixel, 1)?, Tag::SamplesPerPixel)?;
    let planar = small(uint(Tag::PlanarConfiguration, 1)?, Tag::PlanarConfiguration)?;
    let predictor = small(uint(Tag::Predictor, 1)?, Tag::Predictor)?;
    let mut shorts = |tag: Tag| -> Result<Vec<u16>, Failure> {
        Ok(tags.find_tag(tag)?.map(Value::into_u16_vec).transpose()?.unwrap_or_default())
    };
    let bits = shorts(Tag::BitsPerSample)?;
    let sample_format = shorts(Tag::SampleFormat)?;
    let extra_samples = shorts(Tag::ExtraSamples)?;
    let jpeg_tables = tags.find_tag(Tag::JPEGTables)?.map(Value::into_u8_vec).transpose()?;
    let mut longs = |tag: Tag| -> Result<Vec<u64>, Failure> {
        Ok(tags.find_tag(tag)?.map(Value::into_u64_vec).transpose()?.unwrap_or_default())
    };
    let offsets = longs(Tag::TileOffsets)?;
    let counts = longs(Tag::TileByteCounts)?;
    Ok(Ifd {
        subfile,
        width,
        height,
        tile: (tile_width > 0 && tile_height > 0).then_some((tile_width, tile_height)),
        compression,
        photometric,
        samples,
        bits: if bits.is_empty() { vec![1] } else { bits },
        sample_format,
        planar,
        predictor,
        extra_samples,
        jpeg_tables,
        offsets,
        counts,
    })
}

/// Sorts IFDs into levels, pairs masks with them and checks everything is decodable.
fn build(ifds: Vec<Ifd>, georef: Georef, nodata: Option<f64>) -> Result<Header, Failure> {
    let mut images = Vec::new();
    let mut masks = Vec::new();
    for (i, ifd) in ifds.into_iter().enumerate() {
        if ifd.subfile & SUBFILE_MASK != 0 {
            masks.push(ifd);
        } else if i == 0 || ifd.subfile & SUBFILE_REDUCED != 0 {
            images.push(ifd);
        }
        // Other pages (a multi-page TIFF) are not part of the pyramid.
    }
    if images.is_empty() {
        return Err(invalid("corrupt TIFF: the first IFD is a mask, not an image"));
    }
    images[1..].sort_by_key(|ifd| std::cmp::Reverse(ifd.width));
    let (full_width, full_height) = (images[0].width, images[0].height);
    for (i, pair) in images.windows(2).enumerate() {
        let (big, small) = (&pair[0], &pair[1]);
        let halves = |b: u32, s: u32| s == b / 2 || s == b.div_ceil(2);
        if !halves(big.width, small.width) || !halves(big.height, small.height) {
            return Err(invalid(format!(
                "overview {} is {} x {} after {} x {}: overview sizes must halve at each level",
                i + 1,
                small.width,
                small.height,
                big.width,
                big.height
            )));
        }
    }
    let byte_nodata = nodata.filter(|v| v.fract() == 0.0 && (0.0..=255.0).contains(v)).map(|v| v as u8);
    let mut levels = Vec::with_capacity(images.len());
    let mut layouts = Vec::with_capacity(images.len());
    for (index, image) in images.into_iter().enumerate() {
        let mask_at = masks.iter().position(|m| (m.width, m.height) == (image.width, image.height));
        let mask = mask_at.map(|i| masks.swap_remove(i));
        let (level, layout) = level(index, image, mask, byte_nodata, &georef, (full_width, full_height))?;
        levels.push(level);
        layouts.push(layout);
    }
    Ok(Header { georef, nodata, levels, layouts })
}

fn level(
    index: usize,
    mut image: Ifd,
    mask: Option<Ifd>,
    nodata: Option<u8>,
    georef: &Georef,
    full: (u32, u32),
) -> Result<(Level, Layout), Failure> {
    let what = if index == 0 { "the image".to_string() } else { format!("overview {index}") };
    let Some((tile_width, tile_height)) = image.tile else {
        return Err(invalid(format!("{what} is stripped, not tiled (not a cloud-optimized GeoTIFF)")));
    };
    if image.width == 0 || image.height == 0 {
        return Err(invalid(format!("{what} is empty ({} x {})", image.width, image.height)));
    }
    // Every block is decoded whole: a huge tile would be a huge allocation per block.
    if u64::from(tile_width) * u64::from(tile_height) > MAX_TILE_PIXELS {
        return Err(unsupported(format!("{what}: {tile_width} x {tile_height} tiles are too large")));
    }
    if image.planar != 1 {
        return Err(unsupported(format!(
            "{what}: planar configuration {} (separate planes); only interleaved pixels are read",
            image.planar
        )));
    }
    if let Some(&bits) = image.bits.iter().find(|&&b| b != 8) {
        return Err(unsupported(format!("{what}: {bits} bits per sample; only 8-bit images are read")));
    }
    if let Some(&format) = image.sample_format.iter().find(|&&f| f != 1) {
        return Err(unsupported(format!("{what}: sample format {format}; only unsigned integers are read")));
    }
    let compression = compression(image.compression).map_err(|e| unsupported(format!("{what}: {e}")))?;
    let predictor = match image.predictor {
        1 => false,
        2 => true,
        p => return Err(unsupported(format!("{what}: predictor {p}; only none and horizontal (2) are read"))),
    };
    let samples = image.samples;
    let photometric_ok = match (image.photometric, samples) {
        (1, 1 | 2) | (2, 3 | 4) => true,
        (6, 3) => compression == Compression::Jpeg,
        _ => false,
    };
    if !photometric_ok || (compression == Compression::Jpeg && !matches!(samples, 1 | 3)) {
        return Err(unsupported(format!(
            "{what}: photometric interpretation {} with {samples} samples and {compression:?} compression",
            image.photometric
        )));
    }
    let alpha = match (samples, image.extra_samples.first()) {
        (2 | 4, Some(1)) => Alpha::Premultiplied,
        (2 | 4, Some(2)) => Alpha::Straight,
        _ => Alpha::None,
    };
    let image_tiles = tiles(&what, &mut image, (tile_width, tile_height))?;
    let mask = match mask {
        Some(m) => Some(mask_layout(&what, m, &image)?),
        None => None,
    };
    let decoder = Decoder {
        tile_width,
        tile_height,
        codec: Codec { compression, predictor, jpeg_tables: image.jpeg_tables.map(Bytes::from) },
        samples: samples as u8,
        alpha,
        mask: mask.as_ref().map(|(_, format)| format.clone()),
        nodata,
    };
    let level = Level {
        width: image.width,
        height: image.height,
        tile_width,
        tile_height,
        // As GDAL: an overview spans the full extent with fewer, larger pixels.
        resolution: (
            georef.pixel_width * f64::from(full.0) / f64::from(image.width),
            georef.pixel_height * f64::from(full.1) / f64::from(image.height),
        ),
        compression,
    };
    Ok((level, Layout { image: image_tiles, mask: mask.map(|(t, _)| t), decoder }))
}

fn mask_layout(what: &str, mut mask: Ifd, image: &Ifd) -> Result<(Tiles, MaskFormat), Failure> {
    if mask.tile != image.tile {
        return Err(invalid(format!("the mask of {what} is not tiled like it")));
    }
    let bits = mask.bits.first().copied().unwrap_or(1);
    if mask.samples != 1 || !matches!(bits, 1 | 8) {
        return Err(unsupported(format!("the mask of {what} has {} samples of {bits} bits", mask.samples)));
    }
    let compression = compression(mask.compression).map_err(|e| unsupported(format!("mask of {what}: {e}")))?;
    if matches!(compression, Compression::Jpeg | Compression::Webp) {
        return Err(unsupported(format!("mask of {what} compressed with {compression:?}")));
    }
    let tiles = tiles(&format!("the mask of {what}"), &mut mask, image.tile.unwrap_or_default())?;
    let codec = Codec { compression, predictor: mask.predictor == 2, jpeg_tables: None };
    Ok((tiles, MaskFormat { codec, bits: bits as u8 }))
}

/// Takes the tile tables out of `ifd` after checking them.
fn tiles(what: &str, ifd: &mut Ifd, (tile_width, tile_height): (u32, u32)) -> Result<Tiles, Failure> {
    let count = ifd.width.div_ceil(tile_width) as usize * ifd.height.div_ceil(tile_height) as usize;
    if ifd.offsets.len() < count || ifd.counts.len() < count {
        return Err(invalid(format!(
            "{what} has {count} tiles but {} offsets and {} byte counts",
            ifd.offsets.len(),
            ifd.counts.len()
        )));
    }
    // A compressed tile is never much larger than the raw one: a larger size is corruption,
    // and refusing it here keeps a bad header from making us allocate gigabytes later.
    let limit = 2 * u64::from(tile_width) * u64::from(tile_height) * u64::from(ifd.samples.max(1)) + (1 << 20);
    if let Some(bad) = ifd.counts.iter().find(|&&c| c > limit) {
        return Err(invalid(format!("{what} has a tile of {bad} bytes (corrupt byte counts)")));
    }
    Ok(Tiles { offsets: std::mem::take(&mut ifd.offsets), counts: std::mem::take(&mut ifd.counts) })
}

fn compression(code: u16) -> Result<Compression, String> {
    Ok(match code {
        1 => Compression::None,
        7 => Compression::Jpeg,
        8 | 32946 => Compression::Deflate,
        5 => Compression::Lzw,
        50001 => Compression::Webp,
        6 => return Err("old-style JPEG compression (6)".into()),
        32773 => return Err("PackBits compression (32773)".into()),
        50000 => return Err("ZSTD compression (50000)".into()),
        34887 => return Err("LERC compression (34887)".into()),
        c => return Err(format!("compression {c}")),
    })
}
