//! COGs written by GDAL, read here and compared with GDAL's own reading.

mod common;

use std::path::Path;
use std::sync::Arc;

use cog::{BlockCache, Cog, CogError, Compression, FileReader};
use common::*;

/// Blocks checked on every file: corners, edges (partial blocks) and the noisy middle, at full
/// resolution, first and last overview.
const BLOCKS: &[(usize, u32, u32)] =
    &[(0, 0, 0), (0, 1, 2), (0, 2, 3), (0, 5, 4), (0, 4, 0), (1, 0, 0), (1, 1, 1), (1, 2, 2), (3, 0, 0)];

/// Largest and mean RGB difference over BLOCKS.
async fn compare_rgb(file: &str, bands: usize) -> (u8, f64) {
    let path = fixture(file);
    let cog = open(&path).await;
    let (mut max, mut mean) = (0u8, 0f64);
    for &(level, col, row) in BLOCKS {
        let block = cog.block(level, col, row).await.unwrap();
        let l = &cog.levels()[level];
        assert_eq!((block.width, block.height), (l.tile_width, l.tile_height));
        assert_eq!(block.rgba.len(), (l.tile_width * l.tile_height * 4) as usize);
        let win = window(&cog, level, col, row);
        let reference = gdal_window(&path, level, win, None);
        let (m, avg) = rgb_diff(&block.rgba, l.tile_width, &reference, bands, (win.2, win.3));
        eprintln!("{file} level {level} block ({col}, {row}): max diff {m}, mean {avg:.3}");
        max = max.max(m);
        mean = mean.max(avg);
    }
    (max, mean)
}

/// Alpha equals GDAL's masks of the RGB bands (0 where no data, 255 elsewhere) on BLOCKS.
async fn compare_alpha(file: &str) {
    let path = fixture(file);
    let cog = open(&path).await;
    for &(level, col, row) in BLOCKS {
        let block = cog.block(level, col, row).await.unwrap();
        let win = window(&cog, level, col, row);
        let mask = gdal_validity(&path, level, win, 3);
        let got = alpha(&block.rgba, cog.levels()[level].tile_width, (win.2, win.3));
        let wrong = got.iter().zip(&mask).filter(|(a, m)| a != m).count();
        assert_eq!(wrong, 0, "{file} level {level} block ({col}, {row}): {wrong} alpha values differ from GDAL's mask");
    }
}

#[tokio::test]
async fn deflate_with_predictor_is_exact() {
    if !gdal() {
        return;
    }
    assert_eq!(compare_rgb("deflate.tif", 3).await.0, 0);
    compare_alpha("deflate.tif").await;
}

#[tokio::test]
async fn lzw_is_exact() {
    if !gdal() {
        return;
    }
    assert_eq!(compare_rgb("lzw.tif", 3).await.0, 0);
}

#[tokio::test]
async fn uncompressed_is_exact() {
    if !gdal() {
        return;
    }
    assert_eq!(compare_rgb("none.tif", 3).await.0, 0);
}

#[tokio::test]
async fn gray_is_exact_and_expanded_to_rgb() {
    if !gdal() {
        return;
    }
    assert_eq!(compare_rgb("gray.tif", 1).await.0, 0);
}

#[tokio::test]
async fn gray_jpeg_is_close() {
    if !gdal() {
        return;
    }
    let (max, mean) = compare_rgb("gray_jpeg.tif", 1).await;
    assert!(max <= 1 && mean < 0.1, "max {max}, mean {mean}");
}

/// zune-jpeg against GDAL's libjpeg on GDAL's YCbCr 4:2:0 blocks: measured max 4, and a mean
/// per block up to 0.34 (on the noisy blocks).
#[tokio::test]
async fn jpeg_ycbcr_is_close() {
    if !gdal() {
        return;
    }
    let (max, mean) = compare_rgb("jpeg.tif", 3).await;
    assert!(max <= 4 && mean < 0.5, "max {max}, mean {mean}");
}

/// image-webp decodes GDAL's lossy WebP blocks exactly as libwebp does.
#[tokio::test]
async fn webp_is_exact() {
    if !gdal() {
        return;
    }
    assert_eq!(compare_rgb("webp.tif", 3).await.0, 0);
}

#[tokio::test]
async fn nodata_becomes_transparent() {
    if !gdal() {
        return;
    }
    let cog = open(&fixture("nodata.tif")).await;
    assert_eq!(cog.nodata(), Some(0.0));
    assert_eq!(compare_rgb("nodata.tif", 3).await.0, 0);
    compare_alpha("nodata.tif").await;
    // The all-zero rectangle (x 1000..1400, y 700..1000) is in block (4, 3): transparent there.
    let block = cog.block(0, 4, 3).await.unwrap();
    let at = |x: usize, y: usize| block.rgba[(y * 256 + x) * 4 + 3];
    assert_eq!(at(1100 - 1024, 800 - 768), 0);
    assert_eq!(at(10, 240), 255);
}

#[tokio::test]
async fn internal_mask_of_jpeg_becomes_alpha() {
    if !gdal() {
        return;
    }
    let cog = open(&fixture("jpeg_mask.tif")).await;
    assert!((0..cog.levels().len()).all(|l| cog.has_mask(l)));
    let (max, mean) = compare_rgb("jpeg_mask.tif", 3).await;
    assert!(max <= 4 && mean < 0.5, "max {max}, mean {mean}");
    compare_alpha("jpeg_mask.tif").await;
    let corner = cog.block(0, 0, 0).await.unwrap();
    assert_eq!(corner.rgba[3], 0, "the top-left corner is transparent");
}

#[tokio::test]
async fn alpha_band_is_straight_alpha() {
    if !gdal() {
        return;
    }
    let path = fixture("rgba.tif");
    let cog = open(&path).await;
    for &(level, col, row) in BLOCKS {
        let block = cog.block(level, col, row).await.unwrap();
        let win = window(&cog, level, col, row);
        let reference = gdal_window(&path, level, win, None);
        let tw = cog.levels()[level].tile_width as usize;
        for y in 0..win.3 as usize {
            for x in 0..win.2 as usize {
                let want = &reference[(y * win.2 as usize + x) * 4..][..4];
                assert_eq!(&block.rgba[(y * tw + x) * 4..][..4], want, "level {level} block ({col}, {row}) at {x},{y}");
            }
        }
    }
}

#[tokio::test]
async fn georef_levels_and_epsg_match_gdalinfo() {
    if !gdal() {
        return;
    }
    for file in ["jpeg.tif", "deflate.tif", "lzw.tif", "nodata.tif", "jpeg_mask.tif", "gray.tif", "webp.tif"] {
        let path = fixture(file);
        let cog = open(&path).await;
        let info = gdalinfo(&path);
        let gt: Vec<f64> = info["geoTransform"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let g = cog.georef();
        assert_eq!((g.origin_x, g.pixel_width, g.origin_y, -g.pixel_height), (gt[0], gt[1], gt[3], gt[5]), "{file}");
        assert_eq!(g.epsg, info["stac"]["proj:epsg"].as_u64().map(|v| v as u32), "{file}");
        assert_eq!(g.epsg, Some(2154));
        let mut sizes = vec![(info["size"][0].as_u64().unwrap(), info["size"][1].as_u64().unwrap())];
        for o in info["bands"][0]["overviews"].as_array().unwrap() {
            sizes.push((o["size"][0].as_u64().unwrap(), o["size"][1].as_u64().unwrap()));
        }
        let ours: Vec<_> = cog.levels().iter().map(|l| (l.width as u64, l.height as u64)).collect();
        assert_eq!(ours, sizes, "{file}");
        let l1 = &cog.levels()[1];
        assert_eq!(l1.resolution, (0.2 * 1500.0 / 750.0, 0.2 * 1100.0 / 550.0));
        let expected = match file {
            "jpeg.tif" | "jpeg_mask.tif" => Compression::Jpeg,
            "lzw.tif" => Compression::Lzw,
            "webp.tif" => Compression::Webp,
            _ => Compression::Deflate,
        };
        assert!(cog.levels().iter().all(|l| l.compression == expected && l.tile_width == 256), "{file}");
    }
}

#[tokio::test]
async fn jpeg_block_is_the_file_block_with_tables() {
    if !gdal() {
        return;
    }
    for file in ["jpeg.tif", "jpeg_mask.tif"] {
        let path = fixture(file);
        let cog = open(&path).await;
        let bytes = std::fs::read(&path).unwrap();
        for (level, col, row) in [(0, 0, 0), (0, 5, 4), (1, 1, 1), (3, 0, 0)] {
            let jpeg = cog.jpeg_block(level, col, row).await.unwrap().expect("a JPEG block");
            let (offset, size) = gdal_block_location(&path, level, col, row, false);
            let tile = &bytes[offset as usize..(offset + size) as usize];
            assert_eq!(&tile[..2], &[0xFF, 0xD8]);
            assert!(jpeg.ends_with(&tile[2..]), "{file}: the block's frame and scan are copied as they are");
            assert!(jpeg.starts_with(&[0xFF, 0xD8]) && jpeg.len() > tile.len());
            // The standalone file decodes to exactly what block() gives (same decoder).
            let options = zune_jpeg::zune_core::options::DecoderOptions::default()
                .jpeg_set_out_colorspace(zune_jpeg::zune_core::colorspace::ColorSpace::RGBA);
            let cursor = zune_jpeg::zune_core::bytestream::ZCursor::new(&jpeg[..]);
            let pixels = zune_jpeg::JpegDecoder::new_with_options(cursor, options).decode().unwrap();
            let block = cog.block(level, col, row).await.unwrap();
            let rgb = |v: &[u8]| v.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect::<Vec<_>>();
            assert_eq!(rgb(&pixels), rgb(&block.rgba), "{file} level {level} block ({col}, {row})");
        }
    }
    let deflate = open(&fixture("deflate.tif")).await;
    assert!(deflate.jpeg_block(0, 0, 0).await.unwrap().is_none());
}

async fn refusal(file: &str) -> CogError {
    let path = fixture(file);
    let reader = Arc::new(FileReader::open(&path).unwrap());
    let err = Cog::open(reader, BlockCache::new(1 << 20)).await.err().unwrap_or_else(|| panic!("{file} was accepted"));
    assert!(err.to_string().contains(path.to_str().unwrap()), "the message names the file: {err}");
    eprintln!("{file}: {err}");
    err
}

#[tokio::test]
async fn refuses_what_is_not_a_cog() {
    if !gdal() {
        return;
    }
    let err = refusal("text.tif").await;
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("not a TIFF")), "{err}");
    let err = refusal("image.png").await;
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("not a TIFF")), "{err}");
    let err = refusal("stripped.tif").await;
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("not tiled")), "{err}");
    let err = refusal("truncated.tif").await;
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("truncated")), "{err}");
    let err = refusal("nogeo.tif").await;
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("no georeferencing")), "{err}");
    let err = refusal("uint16.tif").await;
    assert!(matches!(&err, CogError::Unsupported(m) if m.contains("16 bits")), "{err}");
    let missing = FileReader::open(Path::new("/nonexistent/x.tif")).err().unwrap();
    assert!(matches!(&missing, CogError::Invalid(m) if m.contains("/nonexistent/x.tif")), "{missing}");
}

#[tokio::test]
async fn out_of_range_blocks_are_errors() {
    if !gdal() {
        return;
    }
    let cog = open(&fixture("deflate.tif")).await;
    assert!(matches!(cog.block(0, 6, 0).await, Err(CogError::Invalid(_))));
    assert!(matches!(cog.block(9, 0, 0).await, Err(CogError::Invalid(_))));
    assert!(matches!(cog.blocks(0, &[(0, 0), (0, 5)]).await, Err(CogError::Invalid(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_fetch_and_decode_once() {
    if !gdal() {
        return;
    }
    let path = fixture("jpeg_mask.tif");
    let counting = Counting::new(Arc::new(FileReader::open(&path).unwrap()));
    let cog = Arc::new(Cog::open(counting.clone(), BlockCache::new(64 << 20)).await.unwrap());
    counting.reset();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let cog = cog.clone();
            tokio::spawn(async move { cog.block(0, 2, 2).await.unwrap() })
        })
        .collect();
    let mut blocks = Vec::new();
    for t in tasks {
        blocks.push(t.await.unwrap());
    }
    assert!(blocks.iter().all(|b| Arc::ptr_eq(b, &blocks[0])));
    assert_eq!(cog.blocks_decoded(), 1);
    assert_eq!(counting.count(), 1, "image and mask of one block come in one read");
}

#[tokio::test]
async fn cache_stays_within_its_bound() {
    if !gdal() {
        return;
    }
    let cache = BlockCache::new(600_000);
    let cog = open_with(&fixture("deflate.tif"), cache.clone()).await;
    for col in 0..6 {
        for row in 0..4 {
            cog.block(0, col, row).await.unwrap();
        }
    }
    let used = cache.used_bytes().await;
    assert!((256 * 256 * 4..=600_000).contains(&used), "used {used}");
}

#[tokio::test]
async fn blocks_merges_neighbouring_ranges() {
    if !gdal() {
        return;
    }
    for file in ["deflate.tif", "jpeg_mask.tif"] {
        let path = fixture(file);
        let counting = Counting::new(Arc::new(FileReader::open(&path).unwrap()));
        let cog = Cog::open(counting.clone(), BlockCache::new(64 << 20)).await.unwrap();
        counting.reset();
        let tiles = [(0, 1), (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (2, 1)];
        let blocks = cog.blocks(0, &tiles).await.unwrap();
        assert_eq!(
            counting.count(),
            1,
            "{file}: one row of blocks (and masks) in one read: {:?}",
            counting.ranges.lock().unwrap()
        );
        assert_eq!(cog.blocks_decoded(), 6, "{file}: the repeated tile is decoded once");
        assert!(Arc::ptr_eq(&blocks[2], &blocks[6]));
        // Cached now: block() fetches nothing, and blocks() with one new tile reads only it.
        for (i, &(col, row)) in tiles.iter().enumerate() {
            assert!(Arc::ptr_eq(&cog.block(0, col, row).await.unwrap(), &blocks[i]));
        }
        assert_eq!(counting.count(), 1);
        let more = cog.blocks(0, &[(1, 1), (1, 3)]).await.unwrap();
        assert_eq!(counting.count(), 2);
        assert!(Arc::ptr_eq(&more[0], &blocks[1]));
        // Same pixels as decoding blocks one by one.
        let single = open(&path).await;
        for (i, &(col, row)) in tiles.iter().enumerate() {
            assert!(single.block(0, col, row).await.unwrap().rgba == blocks[i].rgba);
        }
        assert!(single.block(0, 1, 3).await.unwrap().rgba == more[1].rgba);
    }
}

#[tokio::test]
async fn large_headers_are_read_by_growing_the_prefix() {
    if !gdal() {
        return;
    }
    let path = fixture("small_tiles.tif");
    let counting = Counting::new(Arc::new(FileReader::open(&path).unwrap()));
    let cog = Cog::open(counting.clone(), BlockCache::new(64 << 20)).await.unwrap();
    let ranges = counting.ranges.lock().unwrap().clone();
    eprintln!("header reads: {ranges:?}");
    assert!(ranges.len() >= 3 && ranges[1] == (16384..32768), "the prefix doubles: {ranges:?}");
    assert_eq!(cog.levels()[0].tiles_across(), 94);
    // GDAL writes the overviews of such a file with 128 x 128 tiles: tile sizes are per level.
    assert_eq!(cog.levels()[1].tile_width, 128);
    for (level, col, row) in [(0, 93, 68), (0, 40, 40), (1, 5, 4), (2, 2, 2)] {
        let block = cog.block(level, col, row).await.unwrap();
        let win = window(&cog, level, col, row);
        let reference = gdal_window(&path, level, win, None);
        let tile_width = cog.levels()[level].tile_width;
        assert_eq!(rgb_diff(&block.rgba, tile_width, &reference, 3, (win.2, win.3)).0, 0);
    }
}

#[tokio::test]
async fn refuses_overviews_that_do_not_halve() {
    if !gdal() {
        return;
    }
    let err = refusal("thirds.tif").await;
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("halve")), "{err}");
}

#[tokio::test]
async fn refuses_a_corrupt_ifd_pointer() {
    if !gdal() {
        return;
    }
    let mut bytes = std::fs::read(fixture("deflate.tif")).unwrap();
    let beyond = bytes.len() as u32 + 1000;
    bytes[4..8].copy_from_slice(&beyond.to_le_bytes());
    let err = Cog::open(Arc::new(Memory(bytes.into())), BlockCache::new(1 << 20)).await.err().unwrap();
    assert!(matches!(&err, CogError::Invalid(m) if m.contains("memory.tif") && m.contains("corrupt")), "{err}");
}

/// Damaged headers and blocks give errors, never panics or huge allocations.
#[tokio::test]
async fn damaged_files_never_panic() {
    if !gdal() {
        return;
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for file in ["jpeg_mask.tif", "deflate.tif", "lzw.tif", "webp.tif"] {
        let original = std::fs::read(fixture(file)).unwrap();
        let (mut opened, mut decoded) = (0, 0);
        for round in 0..150 {
            let mut bytes = original.clone();
            // Header bytes most rounds (where structure lives), anywhere otherwise.
            let span = if round % 3 == 0 { bytes.len() } else { 2048.min(bytes.len()) };
            for _ in 0..1 + next() % 4 {
                let at = (next() % span as u64) as usize;
                bytes[at] = next() as u8;
            }
            let Ok(cog) = Cog::open(Arc::new(Memory(bytes.into())), BlockCache::new(8 << 20)).await else {
                continue;
            };
            opened += 1;
            for level in 0..cog.levels().len() {
                let l = &cog.levels()[level];
                for (col, row) in [(0, 0), (l.tiles_across() - 1, l.tiles_down() - 1)] {
                    decoded += cog.block(level, col, row).await.is_ok() as usize;
                    let _ = cog.jpeg_block(level, col, row).await;
                }
            }
        }
        eprintln!("{file}: {opened} damaged copies opened, {decoded} blocks decoded");
    }
}
