//! An upload on its way to disk. Chunks are gathered into a small buffer and written
//! off the async threads; the file sits in the media directory (so moving it into the
//! store is a rename, not a copy) and is removed when dropped unless it was moved, so a
//! refused or failed upload leaves nothing behind.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Where files being received wait, inside the media directory. Object keys start with
/// `w{workspace}/`, so this never meets one.
const INCOMING: &str = ".incoming";
/// Bytes gathered before each write.
const BUFFER: usize = 1024 * 1024;

pub struct Spool {
    path: PathBuf,
    file: Option<std::fs::File>,
    pending: Vec<u8>,
    written: u64,
    moved: bool,
}

fn blocking_failed(e: tokio::task::JoinError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl Spool {
    /// A new, empty file under `media_dir`.
    pub async fn create(media_dir: &Path) -> std::io::Result<Spool> {
        let dir = media_dir.join(INCOMING);
        let path = dir.join(format!("{}.part", &fanloop_store::new_token("")[..24]));
        let file = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&dir)?;
                std::fs::File::create_new(&path)
            })
            .await
            .map_err(blocking_failed)??
        };
        Ok(Spool {
            path,
            file: Some(file),
            pending: Vec::with_capacity(BUFFER),
            written: 0,
            moved: false,
        })
    }

    pub async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= BUFFER {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes what is buffered; after this the file on disk is complete.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut file = self
            .file
            .take()
            .ok_or_else(|| std::io::Error::other("spool file already failed"))?;
        let data = std::mem::take(&mut self.pending);
        let (file, mut data, result) = tokio::task::spawn_blocking(move || {
            let result = file.write_all(&data);
            (file, data, result)
        })
        .await
        .map_err(blocking_failed)?;
        result?;
        self.written += data.len() as u64;
        data.clear();
        self.pending = data;
        self.file = Some(file);
        Ok(())
    }

    /// Bytes on disk so far (call `flush` first for the whole file).
    pub fn written(&self) -> u64 {
        self.written
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Moves the complete file to `target` (creating its folders); from then on it is
    /// the caller's to keep or remove.
    pub async fn persist(mut self, target: PathBuf) -> std::io::Result<()> {
        self.flush().await?;
        let from = self.path.clone();
        tokio::task::spawn_blocking(move || {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::rename(&from, &target)
        })
        .await
        .map_err(blocking_failed)??;
        self.moved = true;
        Ok(())
    }
}

/// Removes partial uploads older than `age` from `media_dir`: those a crash or a kill
/// left behind (dropping a spool removes its file, but a killed process drops nothing).
/// A live upload's file is younger than any sensible `age`. Returns how many went.
pub fn sweep(media_dir: &Path, age: std::time::Duration) -> usize {
    let Ok(entries) = std::fs::read_dir(media_dir.join(INCOMING)) else {
        return 0;
    };
    let now = std::time::SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|at| now.duration_since(at).unwrap_or_default() >= age);
        let partial = path.extension().is_some_and(|e| e == "part");
        if stale && partial && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

impl Drop for Spool {
    fn drop(&mut self) {
        if self.moved {
            return;
        }
        self.file = None;
        if let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, path = %self.path.display(), "upload spool left behind");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sweep_removes_only_stale_partial_uploads() {
        let dir = std::env::temp_dir().join(format!("fanloop-spool-{}", std::process::id()));
        let incoming = dir.join(INCOMING);
        std::fs::create_dir_all(&incoming).unwrap();
        std::fs::write(incoming.join("left-behind.part"), b"half a video").unwrap();
        std::fs::write(incoming.join("notes.txt"), b"not ours").unwrap();
        // Nothing is older than an hour yet; everything is older than zero.
        assert_eq!(sweep(&dir, std::time::Duration::from_secs(3600)), 0);
        assert_eq!(sweep(&dir, std::time::Duration::ZERO), 1);
        assert!(!incoming.join("left-behind.part").exists());
        assert!(incoming.join("notes.txt").exists());
        assert_eq!(sweep(&dir.join("missing"), std::time::Duration::ZERO), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
