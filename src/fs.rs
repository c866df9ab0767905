//! File-system helpers every layer shares: atomic replacement of a file
//! (`write_atomic`), durable commits (`sync_dir`), scratch folders a sweep
//! can tell are abandoned (`scratch_in`, `sweep_scratch`), `move_file`,
//! small reads in as few system calls as the kernel allows (`read_small`,
//! and `is_dir`, `exists` and `is_executable` for the shim path), and the
//! one bounded read of a file a repository or a user hands us
//! (`read_capped`). Errors come from
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

/// A scratch folder `<parent>/<prefix>XXXXXX` that says it is in use: this
/// process holds a lock on the folder itself until it drops it (the folder
/// is then removed), so [`sweep_scratch`] can tell a live one from one
/// whose owner was killed. Never a name alone: the lock decides.
pub struct Scratch {
    dir: tempfile::TempDir,
    _held: std::fs::File,
}

impl Scratch {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// The guard that makes creating-and-locking one step for [`sweep_scratch`].
fn scratch_guard(parent: &Path, prefix: &str) -> std::io::Result<std::fs::File> {
    let path = parent.join(format!(".{prefix}lock"));
    std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display())))
}

/// A new [`Scratch`] folder in `parent` (created when missing).
pub fn scratch_in(parent: &Path, prefix: &str) -> std::io::Result<Scratch> {
    fs_err::create_dir_all(parent)?;
    // Shared: other creators go ahead; a sweep (exclusive) waits for us.
    let guard = scratch_guard(parent, prefix)?;
    guard.lock_shared()?;
    let dir = temp_dir_in(parent, prefix)?;
    let held = std::fs::File::open(dir.path()).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("cannot open {}: {e}", dir.path().display()),
        )
    })?;
    held.try_lock()
        .map_err(|e| std::io::Error::other(format!("cannot lock {}: {e}", dir.path().display())))?;
    Ok(Scratch { dir, _held: held })
}

/// Removes the `<prefix>*` folders of `parent` whose owner is gone (their
/// lock is free: killed by a signal, kill -9 or a power cut), and returns
/// how many. Best effort: what cannot be removed stays for the next sweep.
pub fn sweep_scratch(parent: &Path, prefix: &str) -> usize {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let Ok(guard) = scratch_guard(parent, prefix) else {
        return 0;
    };
    if guard.lock().is_err() {
        return 0;
    }
    let mut swept = 0;
    for entry in entries.flatten() {
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if !is_dir || !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let Ok(dir) = std::fs::File::open(entry.path()) else {
            continue;
        };
        if dir.try_lock().is_ok() && std::fs::remove_dir_all(entry.path()).is_ok() {
            swept += 1;
        }
    }
    swept
}

/// Moves `from` to `to`: a rename, else (another filesystem) a copy and a
/// removal.
pub fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::rename(from, to) {
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
            fs_err::copy(from, to)?;
            fs_err::remove_file(from)
        }
        other => other.map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot move {} to {}: {e}", from.display(), to.display()),
            )
        }),
    }
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

/// Up to `max` bytes of the regular file `file`, whose size `stat` said is
/// `size`: one `read` when the file is as long as it said (no second call to
/// meet the end), else to the end for files that report no size (as `/proc`
/// files do); one that grows meanwhile is taken as `stat` saw it. Past `max`
/// one byte more is read, so a caller sees the file is too large. The shim path reads two small files per
/// run, and each saved call is a measurable part of its cost.
pub fn read_small(file: &std::fs::File, size: u64, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let wanted = size.min(max);
    let mut bytes = Vec::with_capacity(wanted as usize);
    file.take(wanted).read_to_end(&mut bytes)?;
    if size == 0 || bytes.len() as u64 == max {
        // No size to trust, or already at the limit: anything beyond counts.
        file.take(max + 1 - bytes.len() as u64)
            .read_to_end(&mut bytes)?;
    }
    Ok(bytes)
}

/// The cap on a configuration file read whole (`.tool-versions`, settings,
/// `.readthedocs.yaml`, legacy version files): none comes close to it.
pub const MAX_CONFIG_LEN: u64 = 1 << 20;

/// The regular file at `path`, read whole when it holds at most `max`
/// bytes. Opened without blocking and checked before any read, so a fifo,
/// a device (`/dev/zero`), a socket or a folder is an error
/// (`InvalidInput`), never a hang or a read without end; a larger file is
/// `FileTooLarge`; a missing one `NotFound`. Messages say what to do; the
/// caller adds the path.
pub fn read_capped(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind};
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        let why = "not a regular file (a folder, pipe or device?); only files are read";
        return Err(Error::new(ErrorKind::InvalidInput, why));
    }
    let bytes = read_small(&file, meta.len(), max)?;
    if bytes.len() as u64 > max {
        let why = format!(
            "larger than {}; is it really the file meant?",
            shown_size(max)
        );
        return Err(Error::new(ErrorKind::FileTooLarge, why));
    }
    Ok(bytes)
}

/// `1 MiB`, `64 KiB`, `100 bytes`.
fn shown_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// `stat(2)`, following links. std's `metadata` goes through `statx`, and
/// when the first `statx` of a process fails (the usual case for a shim:
/// no plugin folder) std calls it a second time to learn whether the kernel
/// has it; `rustix` calls `newfstatat` once.
fn stat(path: &Path) -> Option<rustix::fs::Stat> {
    rustix::fs::stat(path).ok()
}

/// Whether `path` is a folder (or a link to one).
pub fn is_dir(path: &Path) -> bool {
    stat(path).is_some_and(|st| rustix::fs::FileType::from_raw_mode(st.st_mode).is_dir())
}

/// Whether anything is at `path` (a link counts by its target).
pub fn exists(path: &Path) -> bool {
    stat(path).is_some()
}

/// Whether `path` is a regular file with an execute bit.
pub fn is_executable(path: &Path) -> bool {
    stat(path).is_some_and(|st| {
        rustix::fs::FileType::from_raw_mode(st.st_mode).is_file() && st.st_mode & 0o111 != 0
    })
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

    #[test]
    fn small_reads_take_the_whole_file_and_stop_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"0123456789").unwrap();
        let open = || std::fs::File::open(&file).unwrap();
        assert_eq!(read_small(&open(), 10, 100).unwrap(), b"0123456789");
        // A size of 0 (a /proc file) still reads to the end.
        assert_eq!(read_small(&open(), 0, 100).unwrap(), b"0123456789");
        // At the limit, one byte more shows the file is larger.
        assert_eq!(read_small(&open(), 10, 4).unwrap(), b"01234");
        assert_eq!(read_small(&open(), 0, 4).unwrap(), b"01234");
    }

    #[test]
    fn capped_reads_refuse_what_is_not_a_small_regular_file() {
        use std::io::ErrorKind;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_capped(&file, 10).unwrap(), b"0123456789");
        let err = read_capped(&file, 9).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileTooLarge);
        assert!(err.to_string().contains("larger than 9 bytes"), "{err}");
        let kind = |p: &str| read_capped(Path::new(p), 1 << 20).unwrap_err().kind();
        assert_eq!(kind("/dev/zero"), ErrorKind::InvalidInput);
        assert_eq!(kind("/"), ErrorKind::InvalidInput);
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
        assert_eq!(kind(fifo.to_str().unwrap()), ErrorKind::InvalidInput);
        assert_eq!(kind("/no/such/file"), ErrorKind::NotFound);
        assert_eq!(shown_size(MAX_CONFIG_LEN), "1 MiB");
    }

    #[test]
    fn stat_helpers_tell_folders_files_and_programs_apart() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"").unwrap();
        let program = dir.path().join("p");
        std::fs::write(&program, b"").unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::os::unix::fs::symlink(&program, dir.path().join("link")).unwrap();
        assert!(is_dir(dir.path()) && !is_dir(&file));
        assert!(exists(&file) && !exists(&dir.path().join("none")));
        assert!(is_executable(&program) && is_executable(&dir.path().join("link")));
        assert!(!is_executable(&file) && !is_executable(dir.path()));
    }
}
