//! One install of a version at a time, across processes: an exclusive lock
//! on `installs/<tool>/.<version>.lock`, released when the holder exits
//! (even by kill -9). The lock files stay: deleting them would race.

use std::fs::{File, TryLockError};
use std::path::PathBuf;

use crate::env::Env;
use crate::error::{Error, Result};

pub struct VersionLock {
    _file: File,
}

/// Takes the lock, calling `on_wait` first when another process holds it.
pub fn acquire(
    env: &Env,
    tool: &str,
    version_dir: &str,
    on_wait: impl FnOnce(),
) -> Result<VersionLock> {
    let dir = env.layout.tool_installs_dir(tool);
    fs_err::create_dir_all(&dir)?;
    let path: PathBuf = dir.join(format!(".{version_dir}.lock"));
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io("cannot open the install lock", &path, e))?;
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
    Ok(VersionLock { _file: file })
}
