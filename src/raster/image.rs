//! The pixel buffer every raster path produces and every encoder reads.

/// `width * height` RGBA8 pixels, straight (not premultiplied) alpha, rows top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct Rgba {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Rgba {
    /// A fully transparent image.
    pub fn transparent(width: u32, height: u32) -> Rgba {
        Rgba { width, height, data: vec![0; width as usize * height as usize * 4] }
    }

    pub fn is_opaque(&self) -> bool {
        self.data.chunks_exact(4).all(|p| p[3] == 255)
    }
}
