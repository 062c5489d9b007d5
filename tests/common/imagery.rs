//! The demo orthophoto served in-process, and GDAL as the reference imagery is compared with
//! (tiles and WMS maps are checked against the same `gdalwarp` windows).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ossature::config::Config;
use ossature::http::AppState;

pub struct Server {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
}

pub fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo")
}

pub async fn start(toml: &str) -> Server {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tiles.toml");
    let config = Config::parse(&path, format!("[server]\nbind = \"127.0.0.1:0\"\n{toml}")).expect("valid config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = ossature::http::build_state(&config, addr).await.expect("registry builds");
    let app = ossature::http::app(state.clone());
    tokio::spawn(async move { axum::serve(listener, tower::make::Shared::new(app)).await.unwrap() });
    Server { base: format!("http://{addr}"), state, client: reqwest::Client::new() }
}

pub fn ortho(files: &str, extra: &str) -> String {
    format!("[[rasters]]\nid = \"ortho\"\ntitle = \"Ortho\"\nfiles = [{files}]\n{extra}\n")
}

pub async fn demo_server() -> Server {
    start(&ortho(&format!("\"{}\"", demo().join("ortho").display()), "")).await
}

impl Server {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.unwrap()
    }
    pub async fn bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
        (status, ct, r.bytes().await.unwrap().to_vec())
    }
}

/// Whether GDAL's command-line tools are here; in CI they must be.
pub fn has_gdal() -> bool {
    let ok = Command::new("gdalinfo").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var("CI").is_err(), "GDAL (gdal-bin) is required in CI");
        eprintln!("gdal-bin missing: GDAL comparisons skipped");
    }
    ok
}

pub fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("command runs");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// RGBA pixels of a PNG of any colour type the server writes (RGB, RGBA, paletted).
pub fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let rgba = match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks_exact(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    (info.width, info.height, rgba)
}

pub fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ossature-tiles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// The demo mosaic warped by `gdalwarp` (bilinear, with alpha) to `bbox` (minx, miny, maxx,
/// maxy, easting first) of `crs` at `width` x `height`: RGBA rows, top first.
pub fn gdalwarp(crs: &str, bbox: [f64; 4], width: u32, height: u32) -> Vec<u8> {
    static VRT: OnceLock<PathBuf> = OnceLock::new();
    let vrt = VRT.get_or_init(|| {
        let vrt = tmp("mosaic.vrt");
        let files: Vec<PathBuf> = std::fs::read_dir(demo().join("ortho")).unwrap().map(|e| e.unwrap().path()).collect();
        run(Command::new("gdalbuildvrt").arg("-q").arg(&vrt).args(&files));
        vrt
    });
    let name = format!("warp-{}-{}", crs.replace(':', ""), bbox.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>().join("_"));
    let out = tmp(&format!("{name}.tif"));
    let _ = std::fs::remove_file(&out);
    let (w, h) = (width.to_string(), height.to_string());
    run(Command::new("gdalwarp").args(["-q", "-t_srs", crs, "-r", "bilinear", "-dstalpha", "-ts", &w, &h, "-te"]).args(bbox.map(|v| format!("{v:.9}"))).arg(vrt).arg(&out));
    let raw = tmp(&format!("{name}.raw"));
    run(Command::new("gdal_translate").args(["-q", "-of", "ENVI", "-co", "INTERLEAVE=BIP"]).arg(&out).arg(&raw));
    let theirs = std::fs::read(&raw).unwrap();
    assert_eq!(theirs.len(), (width * height * 4) as usize);
    theirs
}

/// Asserts that two RGBA images of the demo agree where both have data (most of them): both
/// decode the same JPEG blocks (different decoders: up to 4 levels apart) and resample
/// bilinearly; GDAL's own grid approximation differs by a fraction of a pixel.
pub fn mean_difference(ours: &[u8], theirs: &[u8], what: &str) {
    let (mut sum, mut n, mut big) = (0u64, 0u64, 0u64);
    for (a, b) in ours.chunks_exact(4).zip(theirs.chunks_exact(4)) {
        if a[3] == 255 && b[3] == 255 {
            for c in 0..3 {
                let d = a[c].abs_diff(b[c]) as u64;
                sum += d;
                n += 1;
                if d > 24 {
                    big += 1;
                }
            }
        }
    }
    assert!(n as usize > ours.len() / 4 * 3 / 2, "{what}: too few pixels with data on both sides ({n})");
    let mean = sum as f64 / n as f64;
    assert!(mean < 4.0, "{what}: mean difference {mean:.2} against gdalwarp");
    assert!((big as f64) < n as f64 * 0.01, "{what}: {big} of {n} samples differ by more than 24");
}

/// Serves `dir` over HTTP with Range support until the returned sender is dropped.
pub async fn http_server(dir: PathBuf) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = axum::Router::new().fallback_service(tower_http::services::ServeDir::new(dir));
    tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .unwrap()
    });
    (addr, tx)
}
