//! Every path under the data dir (`ASDF_DATA_DIR`, else `~/.asdf`) is computed
//! here, in asdf's layout: `installs/<tool>/<version>`, `plugins/<name>`,
//! `shims/`, `downloads/<tool>/<version>`, `tmp/`.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    data_dir: PathBuf,
    /// Read-only folders laid out like `installs/` (`shared_installs`):
    /// their versions count as installed; nothing is written there.
    shared: Vec<PathBuf>,
}

impl Layout {
    pub fn new(data_dir: PathBuf) -> Self {
        Layout {
            data_dir,
            shared: Vec::new(),
        }
    }

    pub fn with_shared(mut self, shared: Vec<PathBuf>) -> Self {
        self.shared = shared;
        self
    }

    /// The shared installs folders, in the order they are searched.
    pub fn shared(&self) -> &[PathBuf] {
        &self.shared
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn installs_dir(&self) -> PathBuf {
        self.data_dir.join("installs")
    }

    pub fn tool_installs_dir(&self, tool: &str) -> PathBuf {
        self.installs_dir().join(tool)
    }

    /// The install folder of one version; `ref:x` versions live in `ref-x`.
    pub fn install_path(&self, tool: &str, version_dir: &str) -> PathBuf {
        self.tool_installs_dir(tool).join(version_dir)
    }

    pub fn plugins_dir(&self) -> PathBuf {
        self.data_dir.join("plugins")
    }

    pub fn plugin_dir(&self, name: &str) -> PathBuf {
        self.plugins_dir().join(name)
    }

    pub fn shims_dir(&self) -> PathBuf {
        self.data_dir.join("shims")
    }

    pub fn shim_path(&self, command: &str) -> PathBuf {
        self.shims_dir().join(command)
    }

    pub fn downloads_dir(&self, tool: &str, version_dir: &str) -> PathBuf {
        self.data_dir.join("downloads").join(tool).join(version_dir)
    }

    /// Where the per-version install locks of `tool` live: out of
    /// `installs/<tool>/`, whose entries plugins list as versions.
    pub fn install_locks_dir(&self, tool: &str) -> PathBuf {
        self.tmp_dir().join("install-locks").join(tool)
    }

    /// The lock one install (or removal) of a version holds.
    pub fn install_lock(&self, tool: &str, version_dir: &str) -> PathBuf {
        self.install_locks_dir(tool)
            .join(format!("{version_dir}.lock"))
    }

    /// Held while the shims are brought in line with the installs.
    pub fn reshim_lock(&self) -> PathBuf {
        self.tmp_dir().join("reshim.lock")
    }

    /// A release list kept for offline use, by the hash of its URL.
    pub fn release_list(&self, name: &str) -> PathBuf {
        self.tmp_dir().join("release-lists").join(name)
    }

    /// Scratch space on the data dir's filesystem, so renames out of it are atomic.
    pub fn tmp_dir(&self) -> PathBuf {
        self.data_dir.join("tmp")
    }
}

impl Layout {
    /// Present while a version is being installed in place (asdf plugins write
    /// straight into `installs/`): a version with this marker is not installed.
    pub fn incomplete_marker(&self, tool: &str, version_dir: &str) -> PathBuf {
        self.tool_installs_dir(tool)
            .join(format!(".{version_dir}.incomplete"))
    }

    /// What an install fetched (backend, sha256), beside the version: read
    /// by `install --locked` when the version is already there.
    pub fn fetched_record(&self, tool: &str, version_dir: &str) -> PathBuf {
        self.tool_installs_dir(tool)
            .join(format!(".{version_dir}.fetched"))
    }

    /// Where a version being removed is renamed to first (beside it, so on
    /// the same filesystem); swept by the next install of that version.
    pub fn trash_path(&self, tool: &str, version_dir: &str) -> PathBuf {
        self.tool_installs_dir(tool)
            .join(format!(".{version_dir}.trash-{}", std::process::id()))
    }
}

impl Layout {
    /// Cached answers of a plugin's scripts (bin paths, legacy file names),
    /// so the shim path does not run scripts.
    pub fn plugin_meta_dir(&self, name: &str) -> PathBuf {
        self.tmp_dir().join("plugin-meta").join(name)
    }

    /// Where the short-name plugin index repository is cloned (asdf's place).
    pub fn plugin_index_dir(&self) -> PathBuf {
        self.data_dir.join("plugin-index")
    }

    /// Install logs, one per tool version.
    pub fn log_path(&self, tool: &str, version_dir: &str) -> PathBuf {
        self.tmp_dir()
            .join("logs")
            .join(format!("{tool}-{version_dir}.log"))
    }
}
