//! `reshim`: makes `shims/` match what is installed: one shim per executable
//! in every installed version's bin folders, stale shims removed, each write
//! atomic so a shim running meanwhile never reads half a file.

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::config::ToolInfo;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::fs::write_atomic;
use crate::plugin::Plugin;
use crate::tools::Tools;
use crate::{installed, version};

/// What changed in one sync.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub written: usize,
    pub removed: usize,
    pub unchanged: usize,
}

/// A version outside `installs/` that gets shims too (`reshim x path:/dir`).
pub struct Extra {
    pub tool: String,
    /// As written in shim metadata: `path:/dir`.
    pub version: String,
    pub root: PathBuf,
}

/// Rewrites the shims for every installed version of every tool.
/// Brings the shims in line with what is installed, for this `tool`: the
/// one call every command that changes installs ends with.
pub fn refresh(env: &Env) -> Result<Summary> {
    sync(env, &super::Launcher::current(env)?)
}

pub fn sync(env: &Env, launcher: &super::Launcher) -> Result<Summary> {
    sync_with(env, launcher, &[])
}

/// The data dir's reshim lock, held until the guard is dropped.
fn lock(env: &Env) -> Result<std::fs::File> {
    let path = env.layout.reshim_lock();
    if let Some(dir) = path.parent() {
        fs_err::create_dir_all(dir)?;
    }
    let file = fs_err::File::create(&path)?.into_parts().0;
    file.lock()
        .map_err(|e| Error::io("cannot lock", &path, e))?;
    Ok(file)
}

/// `sync`, with shims for `extra` versions as well.
pub fn sync_with(env: &Env, launcher: &super::Launcher, extra: &[Extra]) -> Result<Summary> {
    let dir = env.layout.shims_dir();
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io("cannot create the shims folder", &dir, e))?;
    // One reshim at a time: one that looked at the installs earlier must not
    // finish last and remove the shims a later one made.
    let _serialized = lock(env)?;
    let mut wanted = wanted_shims(env);
    for e in extra {
        for command in commands_of(env, &e.tool, &e.version, &e.root) {
            wanted
                .entry(command)
                .or_default()
                .insert((e.tool.clone(), e.version.clone()));
        }
    }
    let mut summary = Summary::default();
    for (command, pairs) in &wanted {
        let path = dir.join(command);
        let text = super::render(launcher, command, &pairs_in_order(pairs));
        if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            summary.unchanged += 1;
            continue;
        }
        write_atomic(&path, text.as_bytes(), Some(0o755))?;
        summary.written += 1;
    }
    for stale in stale_shims(&dir, &wanted) {
        match std::fs::remove_file(&stale) {
            Ok(()) => summary.removed += 1,
            // Another reshim running at the same time removed it first.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("cannot remove the stale shim", &stale, e)),
        }
    }
    Ok(summary)
}

type Wanted = BTreeMap<String, BTreeSet<(String, String)>>;

fn wanted_shims(env: &Env) -> Wanted {
    let mut wanted = Wanted::new();
    for tool in Tools::new(env).present() {
        for version in installed::versions(env, &tool) {
            let root = installed::location(env, &tool, &version)
                .unwrap_or_else(|| env.layout.install_path(&tool, &version));
            for command in commands_of(env, &tool, &version, &root) {
                wanted
                    .entry(command)
                    .or_default()
                    .insert((tool.clone(), version.clone()));
            }
        }
    }
    wanted
}

/// Whether an installed version lacks a shim it should have (a run that
/// could not write them, a full disk): read-only, so a version whose shims
/// are all there costs no reshim.
pub fn lacks_shims(env: &Env, tool: &str, version: &str) -> bool {
    let Some(root) = installed::location(env, tool, version) else {
        return false;
    };
    let pair = (tool.to_string(), version.to_string());
    commands_of(env, tool, version, &root)
        .iter()
        .any(|command| {
            super::read_metadata(&env.layout.shim_path(command)).is_none_or(|p| !p.contains(&pair))
        })
}

/// The commands one version gets shims for: the executables in its bin
/// folders, and (as in asdf) the wrappers in its plugin's `shims/` folder.
fn commands_of(env: &Env, tool: &str, version: &str, root: &Path) -> Vec<String> {
    let mut commands: Vec<String> = Plugin::find(env, tool)
        .map(|p| executables(&p.shims_dir()))
        .unwrap_or_default();
    for bin in Tools::new(env).bin_paths(tool, version, root) {
        commands.extend(executables(&root.join(bin)));
    }
    commands
}

fn pairs_in_order(pairs: &BTreeSet<(String, String)>) -> Vec<(String, String)> {
    let mut v: Vec<_> = pairs.iter().cloned().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| version::compare(&a.1, &b.1)));
    v
}

/// Names of the executable files (following symlinks) directly in `dir`.
pub fn executables(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| {
            std::fs::metadata(e.path())
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// Shims in `dir` (files with asdf metadata) that no installed version wants.
fn stale_shims(dir: &Path, wanted: &Wanted) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            // Dot files are other reshims' temporary files, never shims.
            let name = e.file_name();
            !name
                .to_str()
                .is_some_and(|n| n.starts_with('.') || wanted.contains_key(n))
        })
        .map(|e| e.path())
        .filter(|p| super::read_metadata(p).is_some())
        .collect()
}
