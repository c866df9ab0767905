//! The process environment, read once into a snapshot: every variable, home,
//! working directory, data dir and the asdf-compatible overrides. No other
//! module reads the environment (but `progress`, which decides how to print
//! before any `Env` exists); each takes an `&Env`, so tests and callers can
//! see what is used. The snapshot borrows the process's own environment
//! block instead of copying it: the shim path reads it and hands it to the
//! program it `exec`s without a single copy.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
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
    /// Every `NAME=value` entry as it was at start, in the environment's
    /// order (a list, not a map: no hashing, no random seed on the shim path).
    vars: Vec<Var>,
}

/// One entry of the environment block: `NAME` and `value` of `NAME=value\0`.
#[derive(Debug, Clone, Copy)]
pub struct Var {
    pub name: &'static OsStr,
    pub value: &'static OsStr,
}

impl Var {
    /// The whole `NAME=value` entry, NUL-terminated, as `execve` takes it.
    pub fn entry(&self) -> *const libc::c_char {
        self.name.as_encoded_bytes().as_ptr().cast()
    }
}

unsafe extern "C" {
    /// The process environment, as C keeps it.
    static environ: *const *const libc::c_char;
}

/// The entries of the environment block the process started with.
fn process_vars() -> Vec<Var> {
    let mut out = Vec::with_capacity(64);
    // SAFETY: `environ` is null or a null-terminated array of NUL-terminated
    // strings. These are the block the kernel laid out at start: nothing in
    // `tool` calls `setenv`/`set_var` (a later `setenv` would not free them
    // either), so they stay valid and unchanged for the whole process.
    unsafe {
        let mut p = environ;
        while !p.is_null() && !(*p).is_null() {
            let entry = std::ffi::CStr::from_ptr(*p).to_bytes();
            // As std reads it: the name runs to the first `=` after its first byte.
            if let Some(eq) = entry
                .get(1..)
                .and_then(|e| e.iter().position(|b| *b == b'='))
            {
                let (name, value) = (&entry[..=eq], &entry[eq + 2..]);
                out.push(Var {
                    name: OsStr::from_encoded_bytes_unchecked(name),
                    value: OsStr::from_encoded_bytes_unchecked(value),
                });
            }
            p = p.add(1);
        }
    }
    out
}

impl Env {
    /// Reads the real process environment.
    pub fn from_process() -> Result<Self> {
        let vars = process_vars();
        let non_empty = |name: &str| {
            lookup(&vars, name)
                .filter(|v| !v.is_empty())
                .map(OsStr::to_os_string)
        };
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
        lookup(&self.vars, name).filter(|v| !v.is_empty())
    }

    /// Every entry, in the environment's order.
    pub fn vars(&self) -> &[Var] {
        &self.vars
    }

    /// Whether a variable is set at all (even to nothing).
    pub fn is_set(&self, name: &str) -> bool {
        lookup(&self.vars, name).is_some()
    }

    /// Whether requests go through a proxy (the variables reqwest reads).
    pub fn uses_proxy(&self) -> bool {
        [
            "https_proxy",
            "HTTPS_PROXY",
            "http_proxy",
            "HTTP_PROXY",
            "all_proxy",
            "ALL_PROXY",
        ]
        .iter()
        .any(|v| self.var(v).is_some_and(|x| !x.trim().is_empty()))
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

    /// The shortest path that opens `path`: `../../name` for a file in the
    /// working directory or one of its parents, else `path` as it is. The
    /// kernel then walks only the `..`s, not every folder from `/` again
    /// (the shim opens one per folder up; a tenth of its time on long paths).
    /// `cwd` is the process's own (no code changes directory) and physical
    /// (getcwd's), so each `..` is the parent its path names.
    pub fn openable<'a>(&self, path: &'a Path) -> std::borrow::Cow<'a, Path> {
        // On bytes: `Path`'s component parsing was most of a shim's
        // instructions here. Both paths come from getcwd and `join`.
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return path.into();
        };
        let (cwd, dir) = (self.cwd.as_os_str().as_bytes(), dir.as_os_str().as_bytes());
        let below = match cwd.strip_prefix(dir) {
            Some(rest) if dir == b"/" || rest.is_empty() || rest[0] == b'/' => rest,
            _ => return path.into(),
        };
        let ups = below
            .split(|b| *b == b'/')
            .filter(|c| !c.is_empty())
            .count();
        let mut short = b"../".repeat(ups);
        short.extend_from_slice(name.as_bytes());
        PathBuf::from(OsString::from_vec(short)).into()
    }

    /// `~/.tool-versions` (with the filename override applied).
    pub fn home_tool_versions(&self) -> PathBuf {
        self.home.join(&self.tool_versions_filename)
    }
}

/// The value of `name` in `vars` (the first, as `getenv` answers).
fn lookup(vars: &[Var], name: &str) -> Option<&'static OsStr> {
    vars.iter().find(|v| v.name == name).map(|v| v.value)
}

/// The asdf release whose commands and plugin protocol `tool` follows (the
/// Go generation, whose own test suite `tool` passes). Plugins read it from
/// `asdf version` to pick between asdf's older and newer commands.
pub const ASDF_GENERATION: &str = "0.20.0";

/// What `version` prints: run as `asdf`, asdf's own form (`0.20.0 (revision
/// 1a2b3c4)`), with `tool`'s version as the revision, so scripts that parse
/// `v?MAJOR.MINOR.PATCH` from it see the asdf they talk to; as `tool`,
/// `tool 0.1.0`.
pub fn version_line(program: &str) -> String {
    let ours = env!("CARGO_PKG_VERSION");
    match program {
        "asdf" => format!("{ASDF_GENERATION} (revision tool-{ours})"),
        _ => format!("tool {ours}"),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openable_paths_reach_the_same_folder_from_here() {
        let env = Env::from_process().unwrap();
        for dir in env.cwd.ancestors() {
            let path = dir.join(".tool-versions");
            let short = env.openable(&path);
            assert!(short.is_relative(), "{}", short.display());
            assert_eq!(short.file_name(), path.file_name());
            let folder = match short.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            assert_eq!(
                std::fs::canonicalize(folder).unwrap(),
                std::fs::canonicalize(dir).unwrap(),
                "{}",
                short.display()
            );
        }
        let elsewhere = env.cwd.join("sub/.tool-versions");
        assert_eq!(env.openable(&elsewhere), elsewhere.as_path());
        assert_eq!(env.openable(Path::new("/")), Path::new("/"));
        // A folder whose name only begins the working directory's is no parent.
        let text = env.cwd.to_str().unwrap();
        let cut = Path::new(&text[..text.len() - 1]).join(".tool-versions");
        assert_eq!(env.openable(&cut), cut.as_path());
    }
}
