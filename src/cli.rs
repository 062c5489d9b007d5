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
            "{}: {} ({} fields, {}, {})",
            layer.id,
            layer.table.name,
            layer.table.fields.len(),
            layer.table.geometry_type,
            layer.table.crs.short()
        );
    }
    println!("{}: OK, {} layers", path.display(), registry.layers.len());
    Ok(())
}
