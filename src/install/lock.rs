//! One install of a version at a time, across processes: an exclusive lock
//! on `tmp/install-locks/<tool>/<version>.lock` (out of `installs/<tool>/`,
//! which plugins list as versions), released when the holder and every
//! child that inherited it have exited (even by kill -9). A lock file may be
//! deleted by its holder: a waiter that then wins the lock on the deleted
//! file sees that the path names another file and starts over.

use std::fs::{File, TryLockError};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::error::{Error, Result};

pub struct VersionLock {
    file: File,
    path: PathBuf,
}

impl VersionLock {
    /// The descriptor children inherit to keep the lock while they live.
    pub fn fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }

    /// Deletes the lock file (for a version that is not installed), then
    /// releases the lock.
    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lock's path, its folder made, and the tool's installs folder, which
/// the lock's holder writes into.
fn lock_path(env: &Env, tool: &str, version_dir: &str) -> Result<PathBuf> {
    fs_err::create_dir_all(env.layout.tool_installs_dir(tool))?;
    fs_err::create_dir_all(env.layout.install_locks_dir(tool))?;
    Ok(env.layout.install_lock(tool, version_dir))
}

fn open(path: &Path) -> Result<File> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io("cannot open the install lock", path, e))
}

/// Whether the locked file is still the one at `path`.
fn still_current(file: &File, path: &Path) -> bool {
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

/// Takes the lock, calling `on_wait` first when another process holds it.
pub fn acquire(
    env: &Env,
    tool: &str,
    version_dir: &str,
    mut on_wait: impl FnMut(),
) -> Result<VersionLock> {
    let path = lock_path(env, tool, version_dir)?;
    loop {
        let file = open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                on_wait();
                file.lock()
                    .map_err(|e| Error::io("cannot take the install lock", &path, e))?;
            }
            Err(TryLockError::Error(e)) => {
                return Err(Error::io("cannot take the install lock", &path, e));
            }
        }
        if still_current(&file, &path) {
            return Ok(VersionLock { file, path });
        }
    }
}

/// The lock when nobody holds it, without waiting.
pub fn try_acquire(env: &Env, tool: &str, version_dir: &str) -> Result<Option<VersionLock>> {
    let path = lock_path(env, tool, version_dir)?;
    let file = open(&path)?;
    match file.try_lock() {
        Ok(()) if still_current(&file, &path) => Ok(Some(VersionLock { file, path })),
        Ok(()) | Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(Error::io("cannot take the install lock", &path, e)),
    }
}

/// Deletes `path`, an install lock where older versions of `tool` kept
/// them (`installs/<tool>/.<version>.lock`), unless someone holds it;
/// false when someone does.
pub fn remove_if_free(path: &Path) -> bool {
    let Ok(file) = File::options().write(true).open(path) else {
        return true;
    };
    match file.try_lock() {
        Ok(()) => {
            if still_current(&file, path) {
                let _ = std::fs::remove_file(path);
            }
            true
        }
        Err(_) => false,
    }
}

/// Whether this process holds the version's lock through a descriptor it
/// inherited: a plugin's `bin/install` running `asdf reshim <tool> <version>`
/// for the version being installed. Proved by the kernel, not by a variable
/// anyone can set: one of our open descriptors is the lock file, and the
/// exclusive lock on it is ours.
pub fn held_by_ancestor(env: &Env, tool: &str, version_dir: &str) -> bool {
    let path = env.layout.install_lock(tool, version_dir);
    let Ok(lock) = std::fs::metadata(&path) else {
        return false;
    };
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return false;
    };
    fds.flatten().any(|entry| {
        let same = std::fs::metadata(entry.path())
            .is_ok_and(|m| m.ino() == lock.ino() && m.dev() == lock.dev());
        let fd = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<RawFd>().ok());
        same && fd.is_some_and(holds_exclusive)
    })
}

/// True when the lock on `fd`'s open file is ours: taking it again through
/// the same open file succeeds at once, while another holder would refuse.
fn holds_exclusive(fd: RawFd) -> bool {
    // SAFETY: flock on a descriptor number only reads our own fd table; an
    // fd that is not open makes it fail with EBADF.
    unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) == 0 }
}
