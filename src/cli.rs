//! The command line: `ossature` (serve the demo), `ossature serve [CONFIG]`, `ossature check CONFIG`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Parser)]
#[command(name = "ossature", version, about = "OGC geospatial server: OGC API, WMS, WMTS, WFS, CSW over PostGIS, GeoPackage and COG")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a configuration (the demo's when none is given).
    Serve {
        config: Option<PathBuf>,
        /// Address to listen on, overriding `server.bind`.
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Validate a configuration, including its sources, tables and fields, without serving.
    Check { config: PathBuf },
    /// Render the tiles of an imagery layer into the disk tier of the tile cache, ahead of use.
    /// Resumable: tiles already on disk are skipped.
    Seed {
        config: PathBuf,
        /// The imagery layer (`rasters[].id`).
        #[arg(long)]
        layer: String,
        /// Tile matrix set id (`WebMercatorQuad`, `LAMB93_5cm_EPSG`, `<layer>-native`, `...@2x`).
        #[arg(long, default_value = "WebMercatorQuad")]
        tms: String,
        /// Zoom levels, `14-18` or `16`.
        #[arg(long)]
        zoom: String,
        /// Only this longitude/latitude box: `minlon,minlat,maxlon,maxlat`.
        #[arg(long, conflicts_with = "within")]
        bbox: Option<String>,
        /// Only tiles touching the features of this vector layer (e.g. `communes`).
        #[arg(long)]
        within: Option<String>,
        /// A CQL2 filter choosing those features (e.g. `insee = '59350'`).
        #[arg(long = "where", requires = "within")]
        filter: Option<String>,
        /// `jpg`, `png` or `webp`; the layer's first format when absent.
        #[arg(long)]
        format: Option<String>,
        /// Tiles rendered at once.
        #[arg(long, default_value_t = 4)]
        jobs: usize,
    },
    /// Print the argon2 hash of a password read from standard input (one line), for
    /// `[[access.users]] password`. Read from stdin so it stays out of shell history and `ps`.
    HashPassword,
    /// Manage the catalogue's imported records.
    Catalogue {
        #[command(subcommand)]
        action: CatalogueCommand,
    },
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// Import the ISO 19139 records (`*.xml`) of a folder into the configuration's catalogue
    /// store. A record with a known fileIdentifier replaces the stored one; a document that does
    /// not read is reported and skipped, and the others are imported in one transaction.
    Import { config: PathBuf, folder: PathBuf },
}

fn hash_password() -> anyhow::Result<()> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        anyhow::bail!("no password on standard input");
    }
    println!("{}", crate::access::hash_password(password)?);
    Ok(())
}

/// The demo configuration: `demo/ossature.toml` under the working directory, else the one of
/// the source tree the binary was built from (so `cargo run` works from anywhere in it).
fn demo_config() -> PathBuf {
    let local = Path::new("demo/ossature.toml");
    if local.is_file() { local.to_path_buf() } else { Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/ossature.toml") }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            None => serve(&demo_config(), None).await,
            Some(Command::Serve { config, bind }) => serve(&config.unwrap_or_else(demo_config), bind).await,
            Some(Command::Check { config }) => check(&config).await,
            Some(Command::Seed { config, layer, tms, zoom, bbox, within, filter, format, jobs }) => seed(&config, SeedArgs { layer, tms, zoom, bbox, within, filter, format, jobs }).await,
            Some(Command::Catalogue { action: CatalogueCommand::Import { config, folder } }) => catalogue_import(&config, &folder).await,
            Some(Command::HashPassword) => hash_password(),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(path: &Path, bind: Option<SocketAddr>) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    crate::http::serve(config, bind).await
}

async fn check(path: &Path) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    let registry = crate::registry::Registry::build(&config).await?;
    for layer in &registry.layers {
        println!(
            "{}: {} ({} fields, {}, {}; styles: {})",
            layer.id,
            layer.table.name,
            layer.table.fields.len(),
            layer.table.geometry_type,
            layer.table.crs.short(),
            layer.styles.styles.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ")
        );
    }
    if config.access.is_some() {
        // The rules bind their areas and filters to the layers, and the JWKS is read: errors
        // name the rule's line.
        let catalogue = crate::catalogue::Catalogue::new(&registry, "", &config.service, ogc::csw::request::Limits { max_records: config.catalogue.max_records }, None, None);
        crate::access::Access::build(&config, &registry, catalogue).await?;
        println!("access rules: OK");
    }
    println!("{}: OK, {} layers", path.display(), registry.layers.len());
    Ok(())
}

struct SeedArgs {
    layer: String,
    tms: String,
    zoom: String,
    bbox: Option<String>,
    within: Option<String>,
    filter: Option<String>,
    format: Option<String>,
    jobs: usize,
}

async fn seed(path: &Path, a: SeedArgs) -> anyhow::Result<()> {
    use crate::tiles::seed::{self, Area, Plan};
    let config = Config::load(path)?;
    let registry = crate::registry::Registry::build(&config).await?;
    let layer = registry.raster(&a.layer).ok_or_else(|| anyhow::anyhow!("no imagery layer '{}'", a.layer))?.clone();
    let set = layer.tile_matrix_set(&a.tms).ok_or_else(|| anyhow::anyhow!("layer '{}' is not offered in '{}'", a.layer, a.tms))?.clone();
    let zooms = parse_zooms(&a.zoom, &set)?;
    let format = match &a.format {
        Some(f) => crate::raster::layer::image_format(f).filter(|f| layer.formats.contains(f)).ok_or_else(|| anyhow::anyhow!("'{f}' is not a format of layer '{}'", a.layer))?,
        None => layer.formats[0],
    };
    let area = match (a.bbox, a.within) {
        (Some(b), _) => Area::Bbox(ogc::bbox::Bbox::parse(&b).map_err(|e| anyhow::anyhow!("--bbox: {e}"))?),
        (None, Some(l)) => Area::Features { layer: l, filter: a.filter },
        (None, None) => Area::Extent,
    };
    let plan = Plan { layer, set, zooms, format, area, jobs: a.jobs };
    let tiles = seed::tiles(&registry, &plan).await?;
    let bar = indicatif::ProgressBar::new(tiles.len() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} tiles ({per_sec}, {eta} left)").expect("valid template"));
    let report = seed::run(&registry, &plan, &tiles, &bar).await?;
    bar.finish();
    println!("{} tiles rendered, {} already on disk, {} outside the layer's levels", report.rendered, report.skipped, report.out_of_range);
    Ok(())
}

async fn catalogue_import(path: &Path, folder: &Path) -> anyhow::Result<()> {
    let config = Config::load(path)?;
    let location = crate::catalogue::store::Location::of(&config).ok_or_else(|| anyhow::anyhow!("{}: no [catalogue] store to import into", path.display()))?;
    let store = crate::catalogue::store::Store::open(&location, crate::catalogue::store::Mode::Import).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} records read").expect("valid template"));
    let report = crate::catalogue::import_folder(&store, folder, &bar).await?;
    bar.finish();
    println!("{} added, {} updated, {} unchanged, {} skipped", report.added.len(), report.updated.len(), report.unchanged.len(), report.skipped.len());
    for (name, why) in &report.skipped {
        println!("skipped {name}: {why}");
    }
    if !report.skipped.is_empty() {
        anyhow::bail!("{} documents were not imported (listed above)", report.skipped.len());
    }
    Ok(())
}

/// `14-18` or `16`, checked against the set's levels.
fn parse_zooms(text: &str, set: &ogc::tms::TileMatrixSet) -> anyhow::Result<std::ops::RangeInclusive<usize>> {
    let (a, b) = text.split_once('-').unwrap_or((text, text));
    let (a, b): (usize, usize) = (a.trim().parse()?, b.trim().parse()?);
    if a > b || b >= set.matrices.len() {
        anyhow::bail!("--zoom {text}: {} has levels 0 to {}", set.id, set.matrices.len() - 1);
    }
    Ok(a..=b)
}
