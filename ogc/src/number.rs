//! Fixed-point decimal formatting of coordinates, shared by the GeoJSON and GML writers.

/// Appends `v` rounded to `decimals` places (`scale` = 10^decimals), trailing zeros dropped.
/// Integer formatting of the scaled value is several times faster than shortest-representation
/// float printing, and the output is the same number. Returns `false`, writing nothing, when
/// the value cannot be written this way (not finite, or too large once scaled); the caller
/// then writes it in its format's own notation.
pub(crate) fn write_fixed(out: &mut Vec<u8>, v: f64, decimals: u32, scale: f64) -> bool {
    let scaled = (v * scale).round();
    if !scaled.is_finite() || scaled.abs() >= 9.0e18 {
        return false;
    }
    let scaled = scaled as i64;
    let unit = scale as u64;
    if scaled < 0 {
        out.push(b'-');
    }
    let magnitude = scaled.unsigned_abs();
    let (int, mut frac) = (magnitude / unit, magnitude % unit);
    let mut digits = itoa::Buffer::new();
    out.extend_from_slice(digits.format(int).as_bytes());
    if frac == 0 {
        return true;
    }
    let mut width = decimals as usize;
    while frac % 10 == 0 {
        frac /= 10;
        width -= 1;
    }
    out.push(b'.');
    let f = digits.format(frac);
    out.extend(std::iter::repeat_n(b'0', width.saturating_sub(f.len())));
    out.extend_from_slice(f.as_bytes());
    true
}
