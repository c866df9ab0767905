//! What one extraction keeps from member to member, bounded whatever the
//! archive holds: the folders known to exist (a cache, started over when
//! full) and the links waiting for every file to exist (refused past a
//! budget). Nothing is kept per file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::archive::error::{Refusal, Result};

/// The most bytes of folder names the cache holds before it starts over.
const MADE_BYTES: usize = 1 << 20;
/// The most bytes of link names and targets kept until the end.
pub const LINK_BYTES: u64 = 16 << 20;
/// What one waiting link costs besides its names.
const LINK_OVERHEAD: u64 = 64;

/// A link to make once every file exists.
pub struct Deferred {
    pub path: PathBuf,
    pub target: PathBuf,
}

/// Folders known to exist, so that each is created about once.
#[derive(Default)]
pub struct Made {
    dirs: HashSet<PathBuf>,
    bytes: usize,
}

impl Made {
    pub fn contains(&self, dir: &Path) -> bool {
        self.dirs.contains(dir)
    }

    pub fn insert(&mut self, dir: PathBuf) {
        let len = dir.as_os_str().len();
        if self.bytes + len > MADE_BYTES {
            // Forgetting costs a mkdir of a folder that exists, no more.
            self.dirs.clear();
            self.bytes = 0;
        }
        if self.dirs.insert(dir) {
            self.bytes += len;
        }
    }
}

/// The links of the archive, in its order.
#[derive(Default)]
pub struct Links {
    pub symlinks: Vec<Deferred>,
    pub hardlinks: Vec<Deferred>,
    bytes: u64,
}

impl Links {
    /// Keeps `link` for the end, unless the links kept would pass the budget.
    pub fn push(&mut self, hard: bool, link: Deferred) -> Result<()> {
        let len = link.path.as_os_str().len() + link.target.as_os_str().len();
        self.bytes += len as u64 + LINK_OVERHEAD;
        if self.bytes > LINK_BYTES {
            return Err(Refusal::LinkNames(LINK_BYTES).into());
        }
        match hard {
            true => self.hardlinks.push(link),
            false => self.symlinks.push(link),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_folder_cache_starts_over_when_full() {
        let mut made = Made::default();
        let long = "d".repeat(4000);
        for i in 0..1000 {
            made.insert(PathBuf::from(format!("{long}{i}")));
        }
        assert!(made.bytes <= MADE_BYTES);
        assert!(made.contains(Path::new(&format!("{long}999"))));
    }

    #[test]
    fn links_past_the_budget_are_refused() {
        let mut links = Links::default();
        let link = || Deferred {
            path: PathBuf::from("l".repeat(4000)),
            target: PathBuf::from("t".repeat(4000)),
        };
        let fits = LINK_BYTES / (8000 + LINK_OVERHEAD);
        for _ in 0..fits {
            links.push(false, link()).unwrap();
        }
        assert!(links.push(true, link()).is_err());
    }
}
