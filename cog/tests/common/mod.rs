//! Test COGs made with GDAL at test time, and GDAL's own reading of them as the reference.
//!
//! Without GDAL the tests print a note and pass, except under CI (env `CI` set) where a missing
//! GDAL is a failure: the checks must not silently vanish there.

#![allow(dead_code)] // each test binary uses part of it

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use bytes::Bytes;
use cog::{BlockCache, Cog, CogError, FileReader, RangeReader};

pub const WIDTH: u32 = 1500;
pub const HEIGHT: u32 = 1100;

/// The test image: gradients, a noisy area, flat areas, an all-zero rectangle (nodata), a band
/// that is zero alone, and a transparent top-left corner in band 4.
pub fn pixel(x: u32, y: u32) -> [u8; 4] {
    let mut p = [
        (x * 255 / (WIDTH - 1)) as u8,
        (y * 255 / (HEIGHT - 1)) as u8,
        ((x / 3 + y / 5) % 256) as u8,
        if x + y < 400 { 0 } else { 255 },
    ];
    if (600..900).contains(&y) && (200..700).contains(&x) {
        let mut h = (x as u64) << 32 | y as u64;
        h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^= h >> 29;
        h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^= h >> 32;
        p[..3].copy_from_slice(&h.to_le_bytes()[..3]);
    }
    if (100..300).contains(&y) && (900..1200).contains(&x) {
        p[..3].copy_from_slice(&[200, 120, 40]);
    }
    if (700..1000).contains(&y) && (1000..1400).contains(&x) {
        p[..3].copy_from_slice(&[0, 0, 0]);
    }
    if (50..80).contains(&y) && (50..1450).contains(&x) {
        p[0] = 0;
    }
    p
}

/// Whether GDAL's tools are here; panics under CI when they are not.
pub fn gdal() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    let found = *FOUND
        .get_or_init(|| Command::new("gdal_translate").arg("--version").output().is_ok_and(|o| o.status.success()));
    if !found {
        assert!(std::env::var_os("CI").is_none(), "GDAL (gdal_translate) is required under CI");
        eprintln!("note: GDAL not found, test skipped");
    }
    found
}

fn dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let stem = exe.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cog-fixtures-{stem}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

pub fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).current_dir(dir()).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

const COG: &[&str] = &["-q", "-of", "COG", "-co", "BLOCKSIZE=256"];

/// The path of a fixture, made on first use.
pub fn fixture(name: &str) -> PathBuf {
    static MADE: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let mut made = MADE.lock().unwrap_or_else(|e| e.into_inner());
    make(made.get_or_insert_with(HashSet::new), name)
}

/// Makes `name` (and what it is made from) unless already made; the caller holds the lock.
fn make(made: &mut HashSet<String>, name: &str) -> PathBuf {
    let path = dir().join(name);
    if made.contains(name) {
        return path;
    }
    let from_source = |made: &mut HashSet<String>| make(made, "src_rgba.tif");
    let rgb = ["src_rgba.tif", "-b", "1", "-b", "2", "-b", "3"];
    let args: Vec<&str> = match name {
        "src.bin" => {
            write_source();
            vec![]
        }
        "src_rgba.tif" => {
            make(made, "src.bin");
            let georef = ["-a_srs", "EPSG:2154", "-a_ullr", "650000", "6862000", "650300", "6861780"];
            [&["-q"], &georef[..], &["-colorinterp", "red,green,blue,alpha", "src.bin"]].concat()
        }
        "text.tif" => {
            std::fs::write(&path, "not an image at all\n".repeat(100)).unwrap();
            vec![]
        }
        "truncated.tif" => {
            let whole = std::fs::read(make(made, "jpeg.tif")).unwrap();
            std::fs::write(&path, &whole[..whole.len() / 2]).unwrap();
            vec![]
        }
        "thirds.tif" => {
            make(made, "src_rgba.tif");
            run("gdal_translate", &["-q", "-co", "TILED=YES", "-b", "1", "-b", "2", "-b", "3", "src_rgba.tif", name]);
            run("gdaladdo", &["-q", name, "3", "9"]);
            vec![]
        }
        "nogeo.tif" => {
            make(made, "src.bin");
            vec!["-q", "-co", "TILED=YES", "-b", "1", "-b", "2", "-b", "3", "src.bin"]
        }
        _ => {
            from_source(made);
            match name {
                "jpeg.tif" => [COG, &["-co", "COMPRESS=JPEG", "-co", "QUALITY=85"], &rgb].concat(),
                "deflate.tif" => [COG, &["-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=YES"], &rgb].concat(),
                "none.tif" => [COG, &["-co", "COMPRESS=NONE"], &rgb].concat(),
                "uint16.tif" => [COG, &["-ot", "UInt16"], &rgb].concat(),
                "lzw.tif" => [COG, &["-co", "COMPRESS=LZW"], &rgb].concat(),
                "webp.tif" => [COG, &["-co", "COMPRESS=WEBP", "-co", "QUALITY=85"], &rgb].concat(),
                "nodata.tif" => [COG, &["-co", "COMPRESS=DEFLATE", "-a_nodata", "0"], &rgb].concat(),
                "jpeg_mask.tif" => [COG, &["-co", "COMPRESS=JPEG", "-co", "QUALITY=85", "-mask", "4"], &rgb].concat(),
                "rgba.tif" => [COG, &["-co", "COMPRESS=DEFLATE", "src_rgba.tif"]].concat(),
                "gray.tif" => [COG, &["-co", "COMPRESS=DEFLATE", "-b", "3", "src_rgba.tif"]].concat(),
                "gray_jpeg.tif" => [COG, &["-co", "COMPRESS=JPEG", "-b", "3", "src_rgba.tif"]].concat(),
                "small_tiles.tif" => {
                    [&["-q", "-of", "COG", "-co", "BLOCKSIZE=16"][..], &["-co", "COMPRESS=DEFLATE"], &rgb].concat()
                }
                "stripped.tif" => vec!["-q", "-co", "TILED=NO", "-b", "1", "-b", "2", "-b", "3", "src_rgba.tif"],
                "image.png" => vec!["-q", "-of", "PNG", "-outsize", "64", "48", "-b", "1", "src_rgba.tif"],
                other => panic!("no fixture {other}"),
            }
        }
    };
    if !args.is_empty() {
        run("gdal_translate", &[&args[..], &[name]].concat());
    }
    made.insert(name.into());
    path
}

fn write_source() {
    let mut raw = Vec::with_capacity((WIDTH * HEIGHT * 4) as usize);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            raw.extend_from_slice(&pixel(x, y));
        }
    }
    std::fs::write(dir().join("src.bin"), raw).unwrap();
    let hdr = format!(
        "ENVI\nsamples = {WIDTH}\nlines = {HEIGHT}\nbands = 4\nheader offset = 0\ndata type = 1\ninterleave = bip\nbyte order = 0\n"
    );
    std::fs::write(dir().join("src.hdr"), hdr).unwrap();
}

/// GDAL's pixels of a window of `level` (0 = full resolution), all bands interleaved, or the
/// mask of band `mask`.
pub fn gdal_window(file: &Path, level: usize, (x, y, w, h): (u32, u32, u32, u32), mask: Option<u32>) -> Vec<u8> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let out = dir().join(format!("ref-{}.bin", COUNTER.fetch_add(1, Ordering::Relaxed)));
    let window = [x, y, w, h].map(|v| v.to_string());
    let mut args: Vec<String> = ["-q", "-of", "ENVI", "-co", "INTERLEAVE=BIP", "-srcwin"].map(String::from).to_vec();
    args.extend(window);
    if level > 0 {
        args.extend(["-oo".into(), format!("OVERVIEW_LEVEL={}", level - 1)]);
    }
    if let Some(band) = mask {
        args.extend(["-b".into(), format!("mask,{band}")]);
    }
    args.push(file.display().to_string());
    args.push(out.display().to_string());
    run("gdal_translate", &args.iter().map(String::as_str).collect::<Vec<_>>());
    let bytes = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(out.with_extension("hdr"));
    let _ = std::fs::remove_file(out.with_extension("bin.aux.xml"));
    bytes
}

/// `gdalinfo -json` of a file.
pub fn gdalinfo(file: &Path) -> serde_json::Value {
    let out = Command::new("gdalinfo").arg("-json").arg(file).output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (offset, size) of a block as GDAL's TIFF driver reports it (band 1 of `level`, or its mask).
pub fn gdal_block_location(file: &Path, level: usize, col: u32, row: u32, mask: bool) -> (u64, u64) {
    let script = format!(
        "from osgeo import gdal\nds = gdal.Open({file:?})\nb = ds.GetRasterBand(1)\nb = b if {level} == 0 else b.GetOverview({level} - 1)\nb = b.GetMaskBand() if {mask} else b\nprint(b.GetMetadataItem('BLOCK_OFFSET_{col}_{row}', 'TIFF'), b.GetMetadataItem('BLOCK_SIZE_{col}_{row}', 'TIFF'))",
        file = file.display().to_string(),
        mask = if mask { "True" } else { "False" },
    );
    let out = Command::new("/usr/bin/python3").arg("-c").arg(script).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut parts = text.split_whitespace().map(|v| v.parse::<u64>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

/// A reader that counts the range requests it passes on.
pub struct Counting {
    pub inner: Arc<dyn RangeReader>,
    pub reads: AtomicUsize,
    pub ranges: Mutex<Vec<Range<u64>>>,
}

impl Counting {
    pub fn new(inner: Arc<dyn RangeReader>) -> Arc<Counting> {
        Arc::new(Counting { inner, reads: AtomicUsize::new(0), ranges: Mutex::new(Vec::new()) })
    }
    pub fn reset(&self) -> usize {
        self.ranges.lock().unwrap().clear();
        self.reads.swap(0, Ordering::SeqCst)
    }
    pub fn count(&self) -> usize {
        self.reads.load(Ordering::SeqCst)
    }
}

#[async_trait::async_trait]
impl RangeReader for Counting {
    fn name(&self) -> &str {
        self.inner.name()
    }
    async fn read(&self, range: Range<u64>) -> Result<Bytes, CogError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.ranges.lock().unwrap().push(range.clone());
        self.inner.read(range).await
    }
}

pub async fn open(path: &Path) -> Cog {
    open_with(path, BlockCache::new(64 << 20)).await
}

pub async fn open_with(path: &Path, cache: BlockCache) -> Cog {
    let reader = Arc::new(FileReader::open(path).unwrap());
    Cog::open(reader, cache).await.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The valid window of a block: edge blocks are cut by the level's size.
pub fn window(cog: &Cog, level: usize, col: u32, row: u32) -> (u32, u32, u32, u32) {
    let l = &cog.levels()[level];
    let (x, y) = (col * l.tile_width, row * l.tile_height);
    (x, y, l.tile_width.min(l.width - x), l.tile_height.min(l.height - y))
}

/// Differences between a block's RGB (inside `w` x `h`) and GDAL's `bands`-band pixels:
/// (max, mean). Gray references are compared with each of R, G and B.
pub fn rgb_diff(rgba: &[u8], tile_width: u32, reference: &[u8], bands: usize, (w, h): (u32, u32)) -> (u8, f64) {
    let (mut max, mut sum, mut n) = (0u8, 0u64, 0u64);
    for y in 0..h as usize {
        for x in 0..w as usize {
            let p = &rgba[(y * tile_width as usize + x) * 4..][..4];
            let r = &reference[(y * w as usize + x) * bands..][..bands];
            for c in 0..3 {
                let want = if bands == 1 { r[0] } else { r[c] };
                let d = p[c].abs_diff(want);
                max = max.max(d);
                sum += d as u64;
                n += 1;
            }
        }
    }
    (max, sum as f64 / n as f64)
}

/// GDAL's validity of a window: 0 where every band's mask is 0 (nodata applies per band in
/// GDAL; a pixel is transparent here only when all its bands are nodata), else 255.
pub fn gdal_validity(file: &Path, level: usize, win: (u32, u32, u32, u32), bands: u32) -> Vec<u8> {
    let mut valid = gdal_window(file, level, win, Some(1));
    for band in 2..=bands {
        let other = gdal_window(file, level, win, Some(band));
        valid.iter_mut().zip(other).for_each(|(v, o)| *v = (*v).max(o));
    }
    valid
}

/// Alpha of a block window as 0/255 per pixel.
pub fn alpha(rgba: &[u8], tile_width: u32, (w, h): (u32, u32)) -> Vec<u8> {
    let mut out = Vec::with_capacity((w * h) as usize);
    for y in 0..h as usize {
        for x in 0..w as usize {
            out.push(rgba[(y * tile_width as usize + x) * 4 + 3]);
        }
    }
    out
}

/// A file held in memory, for altered copies of fixtures.
pub struct Memory(pub Bytes);

#[async_trait::async_trait]
impl RangeReader for Memory {
    fn name(&self) -> &str {
        "memory.tif"
    }
    async fn read(&self, range: Range<u64>) -> Result<Bytes, CogError> {
        let len = self.0.len() as u64;
        let (start, end) = (range.start.min(len), range.end.min(len));
        Ok(self.0.slice(start as usize..end as usize))
    }
}
