//! Local files read by position.

use std::fs::File;
use std::io::ErrorKind;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;

use crate::{CogError, RangeReader};

/// A local file read with positional reads.
///
/// `pread` on the blocking pool: it never moves a shared cursor, so concurrent reads of one
/// file need no lock, and a slow disk never stalls the async runtime.
pub struct FileReader {
    file: Arc<File>,
    name: String,
}

impl FileReader {
    pub fn open(path: &Path) -> Result<FileReader, CogError> {
        let name = path.display().to_string();
        let file = File::open(path).map_err(|e| match e.kind() {
            ErrorKind::NotFound | ErrorKind::PermissionDenied | ErrorKind::IsADirectory => {
                CogError::Invalid(format!("{name}: {e}"))
            }
            _ => CogError::Unavailable(format!("{name}: {e}")),
        })?;
        Ok(FileReader { file: Arc::new(file), name })
    }
}

#[async_trait::async_trait]
impl RangeReader for FileReader {
    fn name(&self) -> &str {
        &self.name
    }

    async fn read(&self, range: Range<u64>) -> Result<Bytes, CogError> {
        let file = self.file.clone();
        let read = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
            // Clamped to the file size, so a corrupt range never allocates more than the file.
            let size = file.metadata()?.len();
            let end = range.end.min(size);
            let len = usize::try_from(end.saturating_sub(range.start)).map_err(std::io::Error::other)?;
            let mut buf = vec![0; len];
            let mut filled = 0;
            while filled < len {
                match file.read_at(&mut buf[filled..], range.start + filled as u64) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            buf.truncate(filled);
            Ok(buf)
        })
        .await
        .map_err(|e| CogError::Unavailable(format!("{}: read task failed: {e}", self.name)))?
        .map_err(|e| CogError::Unavailable(format!("{}: {e}", self.name)))?;
        Ok(Bytes::from(read))
    }
}
