//! The process environment, read once: home, working directory, data dir and
//! the asdf-compatible overrides. Every other module takes an `&Env` instead of
//! reading the environment itself, so tests and callers can see what is used.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::layout::Layout;

pub const DEFAULT_TOOL_VERSIONS: &str = ".tool-versions";

#[derive(Debug, Clone)]
pub struct Env {
    pub home: PathBuf,
    pub cwd: PathBuf,
    pub layout: Layout,
    /// `ASDF_TOOL_VERSIONS_FILENAME` (or the older
    /// `ASDF_DEFAULT_TOOL_VERSIONS_FILENAME`), else `.tool-versions`.
    pub tool_versions_filename: String,
    /// The name the user typed (`asdf` through the drop-in link), for
    /// messages that tell them what to run.
    pub program: String,
}

impl Env {
    /// Reads the real process environment.
    pub fn from_process() -> Result<Self> {
        let cwd = std::env::current_dir()
            .map_err(|e| Error::io("cannot read the current directory", ".", e))?;
        let home = non_empty("HOME")
            .map(PathBuf::from)
            .or_else(dirs::home_dir)
            .ok_or_else(|| Error::Other("cannot find the home directory: set HOME".into()))?;
        let data_dir = non_empty("ASDF_DATA_DIR")
            .map(|d| absolute(&cwd, Path::new(&d)))
            .unwrap_or_else(|| home.join(".asdf"));
        let tool_versions_filename = non_empty("ASDF_TOOL_VERSIONS_FILENAME")
            .or_else(|| non_empty("ASDF_DEFAULT_TOOL_VERSIONS_FILENAME"))
            .and_then(|f| f.into_string().ok())
            .unwrap_or_else(|| DEFAULT_TOOL_VERSIONS.to_string());
        Ok(Env {
            home,
            cwd,
            layout: Layout::new(data_dir),
            tool_versions_filename,
            program: program_name(),
        })
    }

    /// A variable from the environment, `None` when unset, empty or not UTF-8.
    pub fn var(&self, name: &str) -> Option<String> {
        non_empty(name).and_then(|v| v.into_string().ok())
    }

    /// `~/.tool-versions` (with the filename override applied).
    pub fn home_tool_versions(&self) -> PathBuf {
        self.home.join(&self.tool_versions_filename)
    }
}

/// `asdf` when run as `asdf` (a link to `tool`), else `tool`.
pub fn program_name() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = Path::new(&argv0).file_name().unwrap_or_default();
    if name == "asdf" { "asdf" } else { "tool" }.to_string()
}

fn non_empty(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// `path` made absolute against `base` (no filesystem access).
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}
