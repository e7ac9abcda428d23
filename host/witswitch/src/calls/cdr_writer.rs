//! The CDR file: one JSON line per leg at hangup, rotated by size
//! ([`CdrRotation`]: `cdr.json` → `cdr.json.1` → ... up to `keep-files`).
//! One writer thread for the whole switch, fed through a queue, so the call
//! task never waits on the disk.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tokio::sync::mpsc;
use witswitch_core::{CdrRecord, CdrRotation};

/// The open CDR file and its size.
#[derive(Debug)]
pub struct CdrFile {
    path: PathBuf,
    rotation: CdrRotation,
    file: File,
    size: u64,
}

fn open_append(path: &Path) -> io::Result<File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

impl CdrFile {
    /// Opens (creating folders and file) `path` for appending.
    pub fn open(path: PathBuf, rotation: CdrRotation) -> io::Result<Self> {
        let file = open_append(&path)?;
        let size = file.metadata()?.len();
        Ok(CdrFile {
            path,
            rotation,
            file,
            size,
        })
    }

    /// Appends one line, rotating first when it would pass the size limit.
    pub fn write_line(&mut self, line: &str) -> io::Result<()> {
        if self.rotation.needs_rotation(self.size, line.len()) {
            self.rotate()?;
        }
        self.file.write_all(line.as_bytes())?;
        self.size = self
            .size
            .saturating_add(u64::try_from(line.len()).unwrap_or(u64::MAX));
        Ok(())
    }

    fn rotate(&mut self) -> io::Result<()> {
        let plan = self.rotation.plan(&self.path);
        if let Some(oldest) = &plan.remove {
            match std::fs::remove_file(oldest) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        for (from, to) in &plan.renames {
            match std::fs::rename(from, to) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        self.file = open_append(&self.path)?;
        self.size = self.file.metadata()?.len();
        Ok(())
    }
}

/// Starts the writer thread; records sent on the returned queue are written
/// in order. The thread ends when every sender is dropped, after writing what
/// was queued (join it at shutdown so no line is lost).
pub fn start(
    path: PathBuf,
    rotation: CdrRotation,
) -> io::Result<(
    mpsc::UnboundedSender<CdrRecord>,
    std::thread::JoinHandle<()>,
)> {
    let mut file = CdrFile::open(path.clone(), rotation)?;
    let (tx, mut rx) = mpsc::unbounded_channel::<CdrRecord>();
    let thread = std::thread::Builder::new()
        .name("witswitch-cdr".into())
        .spawn(move || {
            while let Some(record) = rx.blocking_recv() {
                let written = record
                    .to_json_line()
                    .map_err(io::Error::other)
                    .and_then(|line| file.write_line(&line));
                if let Err(e) = written {
                    tracing::error!("CDR {} not written to {}: {e}", record.uuid, path.display());
                }
            }
        })?;
    Ok((tx, thread))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_by_size_and_keeps_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cdr/cdr.json");
        let mut file = CdrFile::open(path.clone(), CdrRotation::new(30, 2)).unwrap();
        for n in 0..5 {
            file.write_line(&format!("{{\"n\":{n},\"pad\":\"xxxx\"}}\n"))
                .unwrap();
        }
        // 21-byte lines, 30-byte files: one line per file; 2 rotated kept.
        let read = |p: &Path| std::fs::read_to_string(p).unwrap();
        assert_eq!(read(&path), "{\"n\":4,\"pad\":\"xxxx\"}\n");
        assert_eq!(
            read(&dir.path().join("cdr/cdr.json.1")),
            "{\"n\":3,\"pad\":\"xxxx\"}\n"
        );
        assert_eq!(
            read(&dir.path().join("cdr/cdr.json.2")),
            "{\"n\":2,\"pad\":\"xxxx\"}\n"
        );
        assert!(!dir.path().join("cdr/cdr.json.3").exists());
    }

    #[test]
    fn appends_to_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cdr.json");
        std::fs::write(&path, "old\n").unwrap();
        let mut file = CdrFile::open(path.clone(), CdrRotation::new(1000, 1)).unwrap();
        file.write_line("new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\nnew\n");
    }
}
