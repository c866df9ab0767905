//! File-system helpers every layer shares: atomic replacement of a file
//! (`write_atomic`) and durable commits (`sync_dir`). Errors come from
//! `fs-err`, so each one names the path it is about.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Replaces `target` with `bytes` atomically: written, fsynced and closed
/// under a temporary name in the same folder, then renamed (a file still
/// open for writing could not be executed, so shims are never seen
/// half-written or busy). `mode` defaults to the old file's permissions,
/// else 0o644.
pub fn write_atomic(target: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let with_path = |e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("cannot write {}: {e}", target.display()))
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".tool-tmp-")
        .tempfile_in(dir)
        .map_err(with_path)?;
    let mode = mode
        .or_else(|| {
            std::fs::metadata(target)
                .ok()
                .map(|m| m.permissions().mode())
        })
        .unwrap_or(0o644);
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .map_err(with_path)?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(with_path)?;
    tmp.into_temp_path()
        .persist(target)
        .map_err(|e| with_path(e.error))
}

/// A new folder `<parent>/<prefix>XXXXXX` (the parent created when
/// missing), removed when the handle is dropped unless kept.
pub fn temp_dir_in(parent: &Path, prefix: &str) -> std::io::Result<tempfile::TempDir> {
    fs_err::create_dir_all(parent)?;
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(parent)
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot create a folder in {}: {e}", parent.display()),
            )
        })
}

/// Flushes everything written to the filesystem holding `path` (one
/// `syncfs(2)` rather than an fsync per file of a large tree).
pub fn sync_filesystem(path: &Path) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let dir = fs_err::File::open(path)?;
    // SAFETY: syncfs only reads the descriptor, which `dir` keeps open.
    if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// Flushes a folder's entries (a rename into it, a new file) to disk.
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    fs_err::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_files_and_keeps_or_sets_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        write_atomic(&file, b"one", Some(0o755)).unwrap();
        write_atomic(&file, b"two", None).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file is left behind");
        let err = write_atomic(&dir.path().join("no/such/dir/f"), b"x", None).unwrap_err();
        assert!(err.to_string().contains("no/such/dir/f"), "{err}");
    }
}
