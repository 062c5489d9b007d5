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

/// 8-bit paletted PNG (`image/png; mode=8bit`), what web viewers ask of styled vector maps to
/// divide their size by three. A map with at most 256 colours (flat fills, no anti-aliasing) keeps
/// them exactly; otherwise NeuQuant (`color_quant`, alpha-aware, from the image-rs project)
/// picks 255 colours and index 0 stays fully transparent, so the transparent background of a
/// `TRANSPARENT=TRUE` map never takes a colour.
pub fn png8(image: &Rgba) -> Result<Bytes, String> {
    let pixels = image.data.chunks_exact(4);
    let (palette, indices) = match exact_palette(&image.data) {
        Some(palette) => {
            let index: std::collections::HashMap<[u8; 4], u8> = palette.iter().enumerate().map(|(i, c)| (*c, i as u8)).collect();
            (palette, pixels.map(|p| index[&[p[0], p[1], p[2], p[3]]]).collect::<Vec<u8>>())
        }
        None => {
            // NeuQuant learns from every n-th pixel: every one on small maps (its palette is poor
            // otherwise), about 64k of them on large ones, where sampling costs little quality.
            let count = image.data.len() / 4;
            let sample = i32::try_from(count / 65_536).unwrap_or(30).clamp(1, 30);
            let quant = color_quant::NeuQuant::new(sample, 255, &image.data);
            let mut palette = vec![[0u8; 4]];
            palette.extend((0..255).map(|i| quant.lookup(i).unwrap_or([0; 4])));
            // Neighbouring pixels mostly repeat a colour: remember the last lookup.
            let mut last = ([0u8; 4], 0u8);
            let indices = pixels
                .map(|p| {
                    let c = [p[0], p[1], p[2], p[3]];
                    if c[3] == 0 {
                        return 0;
                    }
                    if c != last.0 {
                        last = (c, quant.index_of(&c) as u8 + 1);
                    }
                    last.1
                })
                .collect();
            (palette, indices)
        }
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Balanced);
    encoder.set_palette(palette.iter().flat_map(|c| [c[0], c[1], c[2]]).collect::<Vec<u8>>());
    let alpha: Vec<u8> = palette.iter().map(|c| c[3]).collect();
    // tRNS lists alphas up to the last non-opaque entry; none at all for an opaque map.
    if let Some(last) = alpha.iter().rposition(|&a| a != 255) {
        encoder.set_trns(alpha[..=last].to_vec());
    }
    let mut writer = encoder.write_header().map_err(|e| format!("PNG encoding failed: {e}"))?;
    writer.write_image_data(&indices).map_err(|e| format!("PNG encoding failed: {e}"))?;
    writer.finish().map_err(|e| format!("PNG encoding failed: {e}"))?;
    Ok(out.into())
}

/// The image's colours when there are at most 256 of them, transparent pixels counted as one.
fn exact_palette(data: &[u8]) -> Option<Vec<[u8; 4]>> {
    let mut seen = std::collections::HashSet::new();
    let mut palette = Vec::new();
    for p in data.chunks_exact(4) {
        let c = if p[3] == 0 { [0; 4] } else { [p[0], p[1], p[2], p[3]] };
        if seen.insert(c) {
            if palette.len() == 256 {
                return None;
            }
            palette.push(c);
        }
    }
    Some(palette)
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

    fn decode_indexed(b: Bytes) -> (png::ColorType, Vec<u8>) {
        let mut r = png::Decoder::new(std::io::Cursor::new(b));
        r.set_transformations(png::Transformations::EXPAND);
        let mut r = r.read_info().unwrap();
        let indexed = r.info().color_type;
        let mut buf = vec![0; r.output_buffer_size().unwrap()];
        let info = r.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        (indexed, buf)
    }

    #[test]
    fn png8_keeps_few_colours_exactly() {
        let mut img = Rgba::transparent(16, 16);
        for (i, p) in img.data.chunks_exact_mut(4).enumerate() {
            if i % 3 != 0 {
                p.copy_from_slice(if i % 2 == 0 { &[200, 30, 40, 255] } else { &[10, 120, 250, 128] });
            }
        }
        let (color, rgba) = decode_indexed(png8(&img).unwrap());
        assert_eq!(color, png::ColorType::Indexed);
        assert_eq!(rgba, img.data, "a map of three colours comes back exactly");
    }

    #[test]
    fn png8_quantises_many_colours_closely_and_keeps_transparency() {
        let mut img = gradient(255);
        img.data[..4 * 64].fill(0); // first row transparent
        let (color, rgba) = decode_indexed(png8(&img).unwrap());
        assert_eq!(color, png::ColorType::Indexed);
        assert!(rgba[..4 * 64].chunks_exact(4).all(|p| p[3] == 0), "transparent pixels stay transparent");
        let diffs: Vec<u8> = rgba.iter().zip(&img.data).skip(4 * 64).map(|(a, b)| a.abs_diff(*b)).collect();
        let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
        let worst = *diffs.iter().max().unwrap();
        assert!(mean <= 4.5 && worst <= 40, "a 2048-colour gradient in 255 colours: mean {mean}, worst {worst} levels");
        assert!(rgba[4 * 64..].chunks_exact(4).all(|p| p[3] == 255), "opaque pixels stay opaque");
    }

    #[test]
    fn transparent_jpeg_and_vector_formats() {
        let img = Rgba::transparent(8, 8);
        let opts = EncodeOptions { background: [0, 0, 255], ..EncodeOptions::default() };
        assert!(encode(&img, TileFormat::Jpeg, &opts).unwrap().starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(encode(&img, TileFormat::Mvt, &EncodeOptions::default()).is_err());
    }
}
