//! The raster read path: COG mosaics read as any window, in any CRS, at any size.

pub mod image;
pub mod layer;
pub mod mosaic;
pub mod resample;
pub mod warp;

pub use image::Rgba;
pub use layer::RasterLayer;
pub use mosaic::Mosaic;
pub use resample::Resampling;

#[derive(Debug, Clone, thiserror::Error)]
pub enum RasterError {
    /// Bytes could not be read now (file system, HTTP backend): 502/503 to clients.
    #[error("{0}")]
    Unavailable(String),
    /// The data itself is unusable (corrupt block, unsupported encoding met while reading).
    #[error("{0}")]
    Data(String),
    /// The request cannot be answered within the configured bounds.
    #[error("{0}")]
    TooLarge(String),
    #[error(transparent)]
    Crs(#[from] crate::crs::CrsError),
}

impl From<cog::CogError> for RasterError {
    fn from(e: cog::CogError) -> Self {
        match e {
            cog::CogError::Unavailable(m) => RasterError::Unavailable(m),
            other => RasterError::Data(other.to_string()),
        }
    }
}

/// Pixel work (composing, encoding) run on the blocking pool, off the async workers that keep
/// answering other requests; a failure of the task itself (a panic) is a data error.
pub async fn on_blocking_pool<T: Send + 'static>(f: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, RasterError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| RasterError::Data(format!("rendering failed: {e}")))?.map_err(RasterError::Data)
}
