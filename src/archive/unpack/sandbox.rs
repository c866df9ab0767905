//! Every write of an extraction, resolved beneath the staging folder by
//! construction: paths go through a `cap-std` directory handle (`openat2`
//! with `RESOLVE_BENEATH` where the kernel has it, a checked walk where it
//! does not), so no chain of links, however built, reaches outside. Modes
//! are masked by the process umask; setuid, setgid and sticky bits dropped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use cap_std::fs::{Dir, OpenOptions};

use crate::archive::error::Result;

pub struct Sandbox {
    dir: Dir,
    /// The path of the folder, for messages.
    root: PathBuf,
    umask: u32,
}

impl Sandbox {
    pub fn open(root: &Path) -> Result<Sandbox> {
        let dir = Dir::open_ambient_dir(root, cap_std::ambient_authority())
            .map_err(|e| with_path(root, e))?;
        Ok(Sandbox {
            dir,
            root: root.to_path_buf(),
            umask: umask(),
        })
    }

    fn err(&self, rel: &Path, e: std::io::Error) -> crate::archive::Error {
        // cap-std's answer to a path that would leave the folder.
        if e.kind() == std::io::ErrorKind::PermissionDenied {
            return crate::archive::Refusal::Escapes(rel.to_path_buf()).into();
        }
        with_path(&self.root.join(rel), e).into()
    }

    /// Creates `rel` and its parents.
    pub fn make_dirs(&self, rel: &Path) -> Result<()> {
        self.dir.create_dir_all(rel).map_err(|e| self.err(rel, e))
    }

    /// A folder's mode from the archive (owner always keeps rwx, so the
    /// extraction can go on writing into it).
    pub fn set_dir_mode(&self, rel: &Path, mode: u32) -> Result<()> {
        let mode = (mode & 0o777 & !self.umask) | 0o700;
        let perms =
            cap_std::fs::Permissions::from_std(std::os::unix::fs::PermissionsExt::from_mode(mode));
        self.dir
            .set_permissions(rel, perms)
            .map_err(|e| self.err(rel, e))
    }

    /// A new file (replacing a file of that name) with `mode` and `mtime`;
    /// `fill` writes its content.
    pub fn write_file(
        &self,
        rel: &Path,
        mode: u32,
        mtime: Option<u64>,
        fill: impl FnOnce(&mut std::fs::File) -> Result<()>,
    ) -> Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create(true).truncate(true);
        let file = self
            .dir
            .open_with(rel, &options)
            .map_err(|e| self.err(rel, e))?;
        let mut file = file.into_std();
        fill(&mut file)?;
        file.flush().map_err(|e| self.err(rel, e))?;
        let mode = mode & 0o777 & !self.umask;
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))
            .map_err(|e| self.err(rel, e))?;
        if let Some(time) = mtime.and_then(|s| UNIX_EPOCH.checked_add(Duration::from_secs(s))) {
            let _ = file.set_modified(time);
        }
        Ok(())
    }

    /// A hard link `link` to the already extracted `target`.
    pub fn hard_link(&self, target: &Path, link: &Path) -> Result<()> {
        let _ = self.dir.remove_file(link);
        self.dir
            .hard_link(target, &self.dir, link)
            .map_err(|e| self.err(link, e))
    }

    /// A symlink `link` whose text is `target`.
    pub fn symlink(&self, target: &Path, link: &Path) -> Result<()> {
        let _ = self.dir.remove_file(link);
        self.dir
            .symlink(target, link)
            .map_err(|e| self.err(link, e))
    }

    /// Whether `rel` is a regular file (links not followed).
    pub fn is_file(&self, rel: &Path) -> bool {
        self.dir.symlink_metadata(rel).is_ok_and(|m| m.is_file())
    }

    /// Removes a file or link (best effort, beneath the folder like the rest).
    pub fn remove(&self, rel: &Path) {
        let _ = self.dir.remove_file(rel);
    }

    /// Whether `rel` (a path through any links, as the kernel would follow
    /// them) stays inside: a missing end is fine, leaving is not.
    pub fn resolves_inside(&self, rel: &Path) -> bool {
        match self.dir.canonicalize(rel) {
            Ok(_) => true,
            Err(e) => e.kind() == std::io::ErrorKind::NotFound,
        }
    }
}

fn with_path(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display()))
}

/// The process umask, read without changing it (`umask(2)` can only be
/// read by setting it, which would race with other threads).
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}
