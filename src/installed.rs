//! What is installed: the versions under `installs/<tool>/`, and where a
//! version spec (exact, `latest[:prefix]`, `ref:`, `path:`, `system`) lands.

use std::path::{Path, PathBuf};

use crate::env::{Env, absolute};
use crate::version::{self, VersionSpec};

/// Where one spec resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// An install folder (or a `path:` folder), with the version as shown to users.
    Dir { version: String, path: PathBuf },
    /// `system`: use the program found on PATH outside the shims.
    System,
    /// Nothing installed matches.
    Missing,
}

/// Installed version folder names of `tool` (its own and the shared
/// installs'), oldest first. A symlink to a folder is a version, as asdf
/// follows it (and as `location` does).
pub fn versions(env: &Env, tool: &str) -> Vec<String> {
    let roots = std::iter::once(env.layout.tool_installs_dir(tool))
        .chain(env.layout.shared().iter().map(|s| s.join(tool)));
    let mut out: Vec<String> = Vec::new();
    for root in roots {
        let Ok(entries) = std::fs::read_dir(root) else {
            continue;
        };
        out.extend(
            entries
                .flatten()
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|name| is_version_dir(name) && is_installed(env, tool, name)),
        );
    }
    version::sort(&mut out);
    out.dedup();
    out
}

/// Whether a version is completely installed, here or in a shared folder.
pub fn is_installed(env: &Env, tool: &str, dir: &str) -> bool {
    location(env, tool, dir).is_some()
}

/// Whether `installs/<tool>/<dir>` of this data dir is a complete install.
pub fn is_installed_here(env: &Env, tool: &str, dir: &str) -> bool {
    is_version_dir(dir)
        && env.layout.install_path(tool, dir).is_dir()
        && !env.layout.incomplete_marker(tool, dir).exists()
}

/// Whether `dir` can be a version's folder: one component that does not
/// begin with `.` (the names of an install's own files do).
fn is_version_dir(dir: &str) -> bool {
    !dir.is_empty() && !dir.starts_with('.') && !dir.contains('/')
}

/// The folder of a complete install: this data dir's, else the first shared
/// installs folder that has it (without an `.incomplete` marker there).
pub fn location(env: &Env, tool: &str, dir: &str) -> Option<PathBuf> {
    if is_installed_here(env, tool, dir) {
        return Some(env.layout.install_path(tool, dir));
    }
    in_shared(env, tool, dir)
}

/// The shared installs folder holding a version this data dir does not.
pub fn shared_location(env: &Env, tool: &str, dir: &str) -> Option<PathBuf> {
    if is_installed_here(env, tool, dir) {
        return None;
    }
    in_shared(env, tool, dir)
}

/// The first shared installs folder with a complete copy of the version.
fn in_shared(env: &Env, tool: &str, dir: &str) -> Option<PathBuf> {
    if !is_version_dir(dir) {
        return None;
    }
    env.layout.shared().iter().find_map(|shared| {
        let path = shared.join(tool).join(dir);
        let marker = shared.join(tool).join(format!(".{dir}.incomplete"));
        (path.is_dir() && !marker.exists()).then_some(path)
    })
}

/// Resolves one spec against what is installed. `base` is the folder relative
/// `path:` entries are read from.
pub fn locate(env: &Env, tool: &str, spec: &VersionSpec, base: &Path) -> Located {
    // An installed version's folder (here or shared), else `Missing`.
    let at = |name: &str| {
        location(env, tool, name).map_or(Located::Missing, |path| Located::Dir {
            version: name.to_string(),
            path,
        })
    };
    match spec {
        VersionSpec::System => Located::System,
        VersionSpec::Path(p) => {
            let path = absolute(base, p);
            if path.is_dir() {
                Located::Dir {
                    version: spec.to_string(),
                    path,
                }
            } else {
                Located::Missing
            }
        }
        VersionSpec::Ref(r) => at(&format!("ref-{r}")),
        VersionSpec::Version(v) => at(v),
        VersionSpec::Latest(prefix) => {
            newest(env, tool, prefix.as_deref()).map_or(Located::Missing, |v| at(&v))
        }
    }
}

fn newest(env: &Env, tool: &str, prefix: Option<&str>) -> Option<String> {
    let all: Vec<String> = versions(env, tool)
        .into_iter()
        .filter(|v| !v.starts_with("ref-"))
        .collect();
    version::newest_matching(&all, prefix).cloned()
}
