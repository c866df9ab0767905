//! The process environment, read once into a snapshot: every variable, home,
//! working directory, data dir and the asdf-compatible overrides. No other
//! module reads the environment; each takes an `&Env`, so tests and callers
//! can see what is used.

use std::ffi::{OsStr, OsString};
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
    /// Every variable as it was at start, in the environment's order (a
    /// list, not a map: no hashing, no random seed on the shim path).
    vars: Vec<(OsString, OsString)>,
}

impl Env {
    /// Reads the real process environment.
    pub fn from_process() -> Result<Self> {
        Env::from_vars(std::env::vars_os().collect())
    }

    /// An environment from these variables (the process's working directory).
    pub fn from_vars(vars: Vec<(OsString, OsString)>) -> Result<Self> {
        let non_empty = |name: &str| lookup(&vars, name).filter(|v| !v.is_empty()).cloned();
        let cwd = std::env::current_dir()
            .map_err(|e| Error::io("cannot read the current directory", ".", e))?;
        let home = non_empty("HOME")
            .map(PathBuf::from)
            .or_else(dirs::home_dir)
            .ok_or_else(|| Error::hinted("cannot find the home directory", "set HOME"))?;
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
            vars,
        })
    }

    /// A variable, `None` when unset, empty or not UTF-8.
    pub fn var(&self, name: &str) -> Option<String> {
        self.var_os(name)
            .and_then(|v| v.to_str())
            .map(str::to_string)
    }

    /// A variable as bytes, `None` when unset or empty.
    pub fn var_os(&self, name: &str) -> Option<&OsStr> {
        lookup(&self.vars, name)
            .map(OsString::as_os_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether a variable is set at all (even to nothing).
    pub fn is_set(&self, name: &str) -> bool {
        lookup(&self.vars, name).is_some()
    }

    /// `SOURCE_DATE_EPOCH` (reproducible builds), when set to a number.
    pub fn source_date_epoch(&self) -> Option<u64> {
        self.var("SOURCE_DATE_EPOCH")?.trim().parse().ok()
    }

    /// `PATH` as it was at start.
    pub fn path(&self) -> OsString {
        self.var_os("PATH")
            .map(OsStr::to_os_string)
            .unwrap_or_default()
    }

    /// `PATH` with `first` in front.
    pub fn path_with(&self, first: &[PathBuf]) -> OsString {
        let current = self.path();
        let parts = first.iter().cloned().chain(std::env::split_paths(&current));
        std::env::join_paths(parts).unwrap_or(current)
    }

    /// `~/.tool-versions` (with the filename override applied).
    pub fn home_tool_versions(&self) -> PathBuf {
        self.home.join(&self.tool_versions_filename)
    }
}

/// The value of `name` in `vars` (the first, as `getenv` answers).
fn lookup<'a>(vars: &'a [(OsString, OsString)], name: &str) -> Option<&'a OsString> {
    vars.iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// `asdf` when run as `asdf` (a link to `tool`), else `tool`.
pub fn program_name() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = Path::new(&argv0).file_name().unwrap_or_default();
    if name == "asdf" { "asdf" } else { "tool" }.to_string()
}

/// `path` made absolute against `base` (no filesystem access).
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}
