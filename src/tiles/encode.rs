//! Image encoders shared by the tile and map faces.

use bytes::Bytes;

use ogc::tiles::TileFormat;

use crate::raster::Rgba;

/// Encoding settings: photographic imagery favours speed for PNG (its pixels barely compress)
/// and uses lossy WebP; JPEG has no alpha, so transparent pixels become `background`.
#[derive(Clone, Copy, Debug)]
pub struct EncodeOptions {
    pub jpeg_quality: u8,
    pub webp_quality: f32,
    pub background: [u8; 3],
    pub photo: bool,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions { jpeg_quality: 85, webp_quality: 80.0, background: [255, 255, 255], photo: true }
    }
}

pub fn encode(image: &Rgba, format: TileFormat, options: &EncodeOptions) -> Result<Bytes, String> {
    match format {
        TileFormat::Jpeg => jpeg(image, options),
        TileFormat::Png => png(image, options),
        TileFormat::Webp => webp(image, options),
        TileFormat::Mvt => Err("an image cannot be encoded as a vector tile".to_string()),
    }
}

/// The formats an image can be encoded in.
pub const IMAGE_FORMATS: [TileFormat; 3] = [TileFormat::Jpeg, TileFormat::Png, TileFormat::Webp];

fn jpeg(image: &Rgba, options: &EncodeOptions) -> Result<Bytes, String> {
    let mut out = Vec::with_capacity(image.data.len() / 32);
    let encoder = jpeg_encoder::Encoder::new(&mut out, options.jpeg_quality);
    let (w, h) = (u16::try_from(image.width).map_err(|_| "image too wide for JPEG")?, u16::try_from(image.height).map_err(|_| "image too high for JPEG")?);
    // An opaque image (most orthophoto tiles) goes to the encoder as it is: it ignores alpha.
    let result = if image.is_opaque() {
        encoder.encode(&image.data, w, h, jpeg_encoder::ColorType::Rgba)
    } else {
        let mut flat = image.clone();
        flat.flatten(options.background);
        encoder.encode(&flat.data, w, h, jpeg_encoder::ColorType::Rgba)
    };
    result.map_err(|e| format!("JPEG encoding failed: {e}"))?;
    Ok(out.into())
}

fn png(image: &Rgba, options: &EncodeOptions) -> Result<Bytes, String> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(if options.photo { png::Compression::Fast } else { png::Compression::Balanced });
    let opaque = image.is_opaque();
    encoder.set_color(if opaque { png::ColorType::Rgb } else { png::ColorType::Rgba });
    let mut writer = encoder.write_header().map_err(|e| format!("PNG encoding failed: {e}"))?;
    let data = if opaque { image.data.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect() } else { image.data.clone() };
    writer.write_image_data(&data).map_err(|e| format!("PNG encoding failed: {e}"))?;
    writer.finish().map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(out.into())
}

fn webp(image: &Rgba, options: &EncodeOptions) -> Result<Bytes, String> {
    let encoder = webp::Encoder::from_rgba(&image.data, image.width, image.height);
    let encoded = encoder.encode_simple(false, options.webp_quality).map_err(|e| format!("WebP encoding failed: {e:?}"))?;
    Ok(Bytes::copy_from_slice(&encoded))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(alpha: u8) -> Rgba {
        let mut img = Rgba::transparent(64, 32);
        for (i, p) in img.data.chunks_exact_mut(4).enumerate() {
            p.copy_from_slice(&[(i % 64 * 4) as u8, (i / 64 * 8) as u8, 128, alpha]);
        }
        img
    }

    #[test]
    fn formats_start_with_their_signatures() {
        let opts = EncodeOptions::default();
        let img = gradient(255);
        assert!(encode(&img, TileFormat::Jpeg, &opts).unwrap().starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(encode(&img, TileFormat::Png, &opts).unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
        let webp = encode(&img, TileFormat::Webp, &opts).unwrap();
        assert!(webp.starts_with(b"RIFF") && &webp[8..12] == b"WEBP");
    }

    #[test]
    fn png_keeps_alpha_only_when_needed() {
        let opts = EncodeOptions::default();
        let decode = |b: Bytes| {
            let r = png::Decoder::new(std::io::Cursor::new(b)).read_info().unwrap();
            r.info().color_type
        };
        assert_eq!(decode(encode(&gradient(255), TileFormat::Png, &opts).unwrap()), png::ColorType::Rgb);
        assert_eq!(decode(encode(&gradient(100), TileFormat::Png, &opts).unwrap()), png::ColorType::Rgba);
    }

    #[test]
    fn transparent_jpeg_and_vector_formats() {
        let img = Rgba::transparent(8, 8);
        let opts = EncodeOptions { background: [0, 0, 255], ..EncodeOptions::default() };
        assert!(encode(&img, TileFormat::Jpeg, &opts).unwrap().starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(encode(&img, TileFormat::Mvt, &EncodeOptions::default()).is_err());
    }
}
