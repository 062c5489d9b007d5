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

    /// `top` composited over this image (same size): how map layers stack, first at the bottom.
    pub fn draw(&mut self, top: &Rgba) {
        for (o, p) in self.data.chunks_exact_mut(4).zip(top.data.chunks_exact(4)) {
            blend(o, [p[0], p[1], p[2], p[3]]);
        }
    }

    /// Every pixel over an opaque `background` (in 8-bit integers): what an image without
    /// alpha shows, or a map asked without transparency.
    pub fn flatten(&mut self, background: [u8; 3]) {
        for p in self.data.chunks_exact_mut(4) {
            let a = p[3] as u32;
            if a == 255 {
                continue;
            }
            for c in 0..3 {
                p[c] = ((p[c] as u32 * a + background[c] as u32 * (255 - a) + 127) / 255) as u8;
            }
            p[3] = 255;
        }
    }
}

/// `src` composited over the pixel `dst`: copied where it is opaque or `dst` is empty, blended
/// where it is partly transparent, nothing where it is transparent.
#[inline]
pub fn blend(dst: &mut [u8], src: [u8; 4]) {
    if src[3] == 255 || (dst[3] == 0 && src[3] > 0) {
        dst.copy_from_slice(&src);
    } else if src[3] > 0 {
        over(dst, src);
    }
}

/// `src` composited over `dst`, both straight alpha, `src` not transparent.
fn over(dst: &mut [u8], src: [u8; 4]) {
    let sa = src[3] as f64 / 255.0;
    let da = dst[3] as f64 / 255.0;
    let a = sa + da * (1.0 - sa);
    for c in 0..3 {
        dst[c] = ((src[c] as f64 * sa + dst[c] as f64 * da * (1.0 - sa)) / a).round() as u8;
    }
    dst[3] = (a * 255.0).round() as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_stack_and_flatten() {
        let mut bottom = Rgba { width: 3, height: 1, data: vec![10, 20, 30, 255, 0, 0, 0, 0, 200, 0, 0, 255] };
        let top = Rgba { width: 3, height: 1, data: vec![0, 0, 0, 0, 1, 2, 3, 255, 0, 0, 200, 128] };
        bottom.draw(&top);
        // Transparent keeps the bottom, opaque replaces it, half alpha mixes.
        assert_eq!(&bottom.data[..8], &[10, 20, 30, 255, 1, 2, 3, 255]);
        assert_eq!(&bottom.data[8..], &[100, 0, 100, 255]);
        let mut half = Rgba { width: 2, height: 1, data: vec![0, 0, 0, 0, 0, 0, 0, 128] };
        half.flatten([255, 255, 255]);
        assert_eq!(half.data, [255, 255, 255, 255, 127, 127, 127, 255]);
    }
}
