//! Turning one block's compressed bytes (and its mask's) into straight-alpha RGBA8.
//!
//! Every block is decompressed straight into the final RGBA buffer (samples packed at its start)
//! and expanded in place from the end, so a block costs one allocation besides the codec's own.

use bytes::Bytes;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use crate::{Block, Compression, jpeg};

pub(crate) enum DecodeError {
    Invalid(String),
    Unsupported(String),
}

fn invalid(message: impl Into<String>) -> DecodeError {
    DecodeError::Invalid(message.into())
}

/// How one kind of block (pixels or mask) is compressed.
#[derive(Clone, Debug)]
pub(crate) struct Codec {
    pub compression: Compression,
    /// TIFF predictor 2 (horizontal differencing), undone after decompression.
    pub predictor: bool,
    pub jpeg_tables: Option<Bytes>,
}

/// What the 4th (or 2nd) sample of a pixel means, from ExtraSamples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Alpha {
    /// No extra sample, or one of unspecified meaning (ignored, as GDAL does for display).
    None,
    Straight,
    Premultiplied,
}

/// A mask block: 1 bit per pixel (GDAL's default) or 8 bits, rows padded to whole bytes.
#[derive(Clone, Debug)]
pub(crate) struct MaskFormat {
    pub codec: Codec,
    pub bits: u8,
}

/// Everything needed to decode the blocks of one level; cheap to clone into a blocking task.
#[derive(Clone, Debug)]
pub(crate) struct Decoder {
    pub tile_width: u32,
    pub tile_height: u32,
    pub codec: Codec,
    /// Samples per pixel: 1 gray, 2 gray + extra, 3 RGB (or YCbCr inside JPEG), 4 RGB + extra.
    pub samples: u8,
    pub alpha: Alpha,
    pub mask: Option<MaskFormat>,
    /// The nodata value when it is a byte value (other values can match no 8-bit pixel).
    pub nodata: Option<u8>,
}

/// The fetched bytes of one block; `None` for a sparse (never written) block.
pub(crate) struct RawBlock {
    pub image: Option<Bytes>,
    pub mask: Option<Bytes>,
}

impl Decoder {
    pub fn decode(&self, raw: &RawBlock) -> Result<Block, DecodeError> {
        let pixels = self.tile_width as usize * self.tile_height as usize;
        let mut rgba = vec![0u8; pixels * 4];
        let Some(image) = &raw.image else {
            // Sparse: GDAL reads such a block as nodata (or 0); either way it is not data.
            return Ok(self.block(rgba));
        };
        match self.codec.compression {
            Compression::Jpeg => self.decode_jpeg(image, &mut rgba)?,
            Compression::Webp => self.decode_webp(image, &mut rgba)?,
            _ => {
                let len = pixels * self.samples as usize;
                inflate(&self.codec, image, &mut rgba[..len])?;
                if self.codec.predictor {
                    undo_predictor(&mut rgba[..len], self.tile_width as usize * self.samples as usize, self.samples);
                }
                expand(&mut rgba, self.samples, self.alpha != Alpha::None);
            }
        }
        if self.alpha == Alpha::Premultiplied {
            unpremultiply(&mut rgba);
        }
        match (&self.mask, &raw.mask) {
            (Some(format), Some(mask)) => self.apply_mask(format, mask, &mut rgba)?,
            // A sparse mask block reads as 0 in GDAL: nothing valid.
            (Some(_), None) => rgba.chunks_exact_mut(4).for_each(|p| p[3] = 0),
            (None, _) => {
                if let Some(nodata) = self.nodata {
                    for p in rgba.chunks_exact_mut(4) {
                        if p[0] == nodata && p[1] == nodata && p[2] == nodata {
                            p[3] = 0;
                        }
                    }
                }
            }
        }
        Ok(self.block(rgba))
    }

    fn block(&self, rgba: Vec<u8>) -> Block {
        Block::new(self.tile_width, self.tile_height, rgba)
    }

    fn decode_jpeg(&self, tile: &[u8], rgba: &mut [u8]) -> Result<(), DecodeError> {
        let stream = jpeg::standalone(self.codec.jpeg_tables.as_deref(), tile).map_err(invalid)?;
        // Gray JPEG decodes to luma, expanded below; three components (YCbCr as GDAL writes
        // them, or RGB with an Adobe marker) convert straight to RGBA inside the decoder.
        let gray = self.samples == 1;
        let colorspace = if gray { ColorSpace::Luma } else { ColorSpace::RGBA };
        let options = DecoderOptions::default()
            .jpeg_set_out_colorspace(colorspace)
            .set_max_width(self.tile_width as usize)
            .set_max_height(self.tile_height as usize);
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(&stream[..]), options);
        decoder.decode_headers().map_err(|e| invalid(format!("JPEG: {e:?}")))?;
        let (w, h) = decoder.dimensions().unwrap_or((0, 0));
        if (w, h) != (self.tile_width as usize, self.tile_height as usize) {
            return Err(invalid(format!(
                "JPEG block is {w} x {h}, the tile size is {} x {}",
                self.tile_width, self.tile_height
            )));
        }
        let len = if gray { w * h } else { w * h * 4 };
        decoder.decode_into(&mut rgba[..len]).map_err(|e| invalid(format!("JPEG: {e:?}")))?;
        if gray {
            expand(rgba, 1, false);
        }
        Ok(())
    }

    fn decode_webp(&self, tile: &[u8], rgba: &mut [u8]) -> Result<(), DecodeError> {
        let mut decoder =
            image_webp::WebPDecoder::new(std::io::Cursor::new(tile)).map_err(|e| invalid(format!("WebP: {e}")))?;
        let (w, h) = decoder.dimensions();
        if (w, h) != (self.tile_width, self.tile_height) {
            return Err(invalid(format!(
                "WebP block is {w} x {h}, the tile size is {} x {}",
                self.tile_width, self.tile_height
            )));
        }
        let has_alpha = decoder.has_alpha();
        let samples = if has_alpha { 4 } else { 3 };
        let len = w as usize * h as usize * samples;
        decoder.read_image(&mut rgba[..len]).map_err(|e| invalid(format!("WebP: {e}")))?;
        if !has_alpha {
            expand(rgba, 3, false);
        } else if self.alpha == Alpha::None {
            // A 4th band of unspecified meaning is not transparency.
            rgba.chunks_exact_mut(4).for_each(|p| p[3] = 255);
        }
        Ok(())
    }

    fn apply_mask(&self, format: &MaskFormat, data: &[u8], rgba: &mut [u8]) -> Result<(), DecodeError> {
        let (w, h) = (self.tile_width as usize, self.tile_height as usize);
        let row_bytes = if format.bits == 1 { w.div_ceil(8) } else { w };
        let mut mask = vec![0u8; row_bytes * h];
        inflate(&format.codec, data, &mut mask)?;
        if format.codec.predictor && format.bits == 8 {
            undo_predictor(&mut mask, w, 1);
        }
        for (pixels, bits) in rgba.chunks_exact_mut(w * 4).zip(mask.chunks_exact(row_bytes)) {
            if format.bits == 8 {
                for (p, m) in pixels.chunks_exact_mut(4).zip(bits) {
                    p[3] = p[3].min(*m);
                }
                continue;
            }
            // A byte of eight valid pixels, nearly every byte of a mask, leaves them as they are.
            for (eight, byte) in pixels.chunks_mut(32).zip(bits).filter(|(_, b)| **b != 0xFF) {
                for (k, p) in eight.chunks_exact_mut(4).enumerate() {
                    if byte & (0x80 >> k) == 0 {
                        p[3] = 0;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Decompresses a DEFLATE, LZW or uncompressed block into exactly `out.len()` bytes.
fn inflate(codec: &Codec, input: &[u8], out: &mut [u8]) -> Result<(), DecodeError> {
    let written = match codec.compression {
        Compression::None => {
            let n = input.len().min(out.len());
            out[..n].copy_from_slice(&input[..n]);
            n
        }
        Compression::Deflate => {
            let mut z = flate2::Decompress::new(true);
            let result = z.decompress(input, out, flate2::FlushDecompress::Finish);
            let written = z.total_out() as usize;
            if let Err(e) = result
                && written < out.len()
            {
                return Err(invalid(format!("DEFLATE: {e}")));
            }
            written
        }
        Compression::Lzw => lzw(input, out)?,
        Compression::Jpeg | Compression::Webp => {
            return Err(DecodeError::Unsupported(format!("{:?} for this kind of block", codec.compression)));
        }
    };
    if written < out.len() {
        return Err(invalid(format!(
            "{:?} block decompresses to {written} bytes, {} expected",
            codec.compression,
            out.len()
        )));
    }
    Ok(())
}

/// TIFF LZW: MSB-first codes, 8-bit alphabet, code size switching one code early.
fn lzw(input: &[u8], out: &mut [u8]) -> Result<usize, DecodeError> {
    let mut decoder = weezl::decode::Decoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8);
    let (mut read, mut written) = (0, 0);
    while written < out.len() {
        let r = decoder.decode_bytes(&input[read..], &mut out[written..]);
        read += r.consumed_in;
        written += r.consumed_out;
        match r.status {
            Ok(weezl::LzwStatus::Ok) if r.consumed_in + r.consumed_out > 0 => {}
            Ok(_) => break,
            // Some writers leave garbage after the last needed code: the pixels are complete.
            Err(_) if written == out.len() => break,
            Err(e) => return Err(invalid(format!("LZW: {e}"))),
        }
    }
    Ok(written)
}

/// Undoes horizontal differencing on 8-bit samples, row by row.
fn undo_predictor(data: &mut [u8], row_len: usize, samples: u8) {
    let samples = samples as usize;
    for row in data.chunks_exact_mut(row_len) {
        for i in samples..row.len() {
            row[i] = row[i].wrapping_add(row[i - samples]);
        }
    }
}

/// Spreads `samples`-per-pixel data packed at the start of `rgba` over 4 bytes per pixel,
/// walking backwards so no sample is overwritten before it is read.
fn expand(rgba: &mut [u8], samples: u8, has_alpha: bool) {
    let n = rgba.len() / 4;
    match samples {
        1 => {
            for i in (0..n).rev() {
                let g = rgba[i];
                rgba[4 * i..4 * i + 4].copy_from_slice(&[g, g, g, 255]);
            }
        }
        2 => {
            for i in (0..n).rev() {
                let (g, a) = (rgba[2 * i], if has_alpha { rgba[2 * i + 1] } else { 255 });
                rgba[4 * i..4 * i + 4].copy_from_slice(&[g, g, g, a]);
            }
        }
        3 => {
            for i in (0..n).rev() {
                let (r, g, b) = (rgba[3 * i], rgba[3 * i + 1], rgba[3 * i + 2]);
                rgba[4 * i..4 * i + 4].copy_from_slice(&[r, g, b, 255]);
            }
        }
        _ => {
            if !has_alpha {
                rgba.chunks_exact_mut(4).for_each(|p| p[3] = 255);
            }
        }
    }
}

fn unpremultiply(rgba: &mut [u8]) {
    for p in rgba.chunks_exact_mut(4) {
        let a = p[3] as u16;
        if a != 0 && a != 255 {
            for c in &mut p[..3] {
                *c = ((*c as u16 * 255 + a / 2) / a).min(255) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_rgb_in_place() {
        let mut buf = vec![1, 2, 3, 4, 5, 6, 0, 0];
        expand(&mut buf, 3, false);
        assert_eq!(buf, [1, 2, 3, 255, 4, 5, 6, 255]);
        let mut gray = vec![7, 8, 0, 0, 0, 0, 0, 0];
        expand(&mut gray, 1, false);
        assert_eq!(gray, [7, 7, 7, 255, 8, 8, 8, 255]);
    }

    #[test]
    fn undoes_horizontal_differencing() {
        let mut row = vec![10, 20, 1, 1, 255, 2];
        undo_predictor(&mut row, 6, 2);
        assert_eq!(row, [10, 20, 11, 21, 10, 23]);
    }

    #[test]
    fn corrupt_deflate_is_an_error_not_a_panic() {
        let codec = Codec { compression: Compression::Deflate, predictor: false, jpeg_tables: None };
        let mut out = vec![0; 64];
        assert!(inflate(&codec, b"\x78\x9cgarbage", &mut out).is_err());
        let codec = Codec { compression: Compression::Lzw, ..codec };
        assert!(inflate(&codec, &[0xff; 10], &mut out).is_err());
    }
}
