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

/// Installed version folder names of `tool`, oldest first.
pub fn versions(env: &Env, tool: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(env.layout.tool_installs_dir(tool)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| !name.starts_with('.') && is_installed(env, tool, name))
        .collect();
    version::sort(&mut out);
    out
}

/// Whether `installs/<tool>/<dir>` is a complete install.
pub fn is_installed(env: &Env, tool: &str, dir: &str) -> bool {
    env.layout.install_path(tool, dir).is_dir() && !env.layout.incomplete_marker(tool, dir).exists()
}

/// Resolves one spec against what is installed. `base` is the folder relative
/// `path:` entries are read from.
pub fn locate(env: &Env, tool: &str, spec: &VersionSpec, base: &Path) -> Located {
    let dir = |name: &str| Located::Dir {
        version: name.to_string(),
        path: env.layout.install_path(tool, name),
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
        VersionSpec::Ref(r) => {
            let name = format!("ref-{r}");
            if is_installed(env, tool, &name) {
                dir(&name)
            } else {
                Located::Missing
            }
        }
        VersionSpec::Version(v) if is_installed(env, tool, v) => dir(v),
        VersionSpec::Version(_) => Located::Missing,
        VersionSpec::Latest(Some(prefix)) => {
            newest(env, tool, Some(prefix)).map_or(Located::Missing, |v| dir(&v))
        }
        VersionSpec::Latest(None) => newest(env, tool, None).map_or(Located::Missing, |v| dir(&v)),
    }
}

fn newest(env: &Env, tool: &str, prefix: Option<&str>) -> Option<String> {
    let all: Vec<String> = versions(env, tool)
        .into_iter()
        .filter(|v| !v.starts_with("ref-"))
        .collect();
    version::newest_matching(&all, prefix).cloned()
}
