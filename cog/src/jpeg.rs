//! JPEG-in-TIFF streams made standalone.
//!
//! TIFF JPEG tiles usually share their quantization and Huffman tables in the JPEGTables tag (an
//! abbreviated stream `SOI tables EOI`) and each tile is `SOI frame+scan EOI`. Splicing the
//! tables before the tile's frame yields an ordinary JPEG file whose scan data is the file's
//! bytes untouched, which is what lets a matching tile request be served without re-encoding.

const SOI: [u8; 2] = [0xFF, 0xD8];
const EOI: [u8; 2] = [0xFF, 0xD9];

/// `tables` minus its EOI, then `tile` minus its SOI (or `tile` alone without tables).
pub(crate) fn standalone(tables: Option<&[u8]>, tile: &[u8]) -> Result<Vec<u8>, String> {
    if !tile.starts_with(&SOI) {
        return Err("JPEG block does not start with an SOI marker".into());
    }
    let Some(tables) = tables else {
        return Ok(tile.to_vec());
    };
    if tables.len() < 4 || !tables.starts_with(&SOI) || !tables.ends_with(&EOI) {
        return Err("JPEGTables is not an SOI..EOI stream".into());
    }
    let head = &tables[..tables.len() - 2];
    let mut out = Vec::with_capacity(head.len() + tile.len() - 2);
    out.extend_from_slice(head);
    out.extend_from_slice(&tile[2..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splices_tables_before_the_frame() {
        let tables = [0xFF, 0xD8, 0xFF, 0xDB, 1, 2, 0xFF, 0xD9];
        let tile = [0xFF, 0xD8, 0xFF, 0xC0, 9, 0xFF, 0xD9];
        let out = standalone(Some(&tables), &tile).unwrap();
        assert_eq!(out, [0xFF, 0xD8, 0xFF, 0xDB, 1, 2, 0xFF, 0xC0, 9, 0xFF, 0xD9]);
        assert!(standalone(Some(&tables), &[0, 1]).is_err());
        assert!(standalone(Some(&[0xFF, 0xD8]), &tile).is_err());
    }
}
