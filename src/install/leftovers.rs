//! What interrupted installs leave in `installs/<tool>/`: a folder with an
//! `.incomplete` marker, `.staging-*` and `.trash-*` folders, and lock files
//! of versions that never got installed. A version's leftovers are removed
//! only under its lock, so nothing still being written is touched.

use std::collections::BTreeSet;

use super::lock;
use crate::env::Env;
use crate::error::Result;
use crate::installed;

/// Removes the leftovers of `dir` (the caller holds its lock).
pub fn clean(env: &Env, tool: &str, dir: &str) -> Result<()> {
    let marker = env.layout.incomplete_marker(tool, dir);
    if marker.exists() {
        let path = env.layout.install_path(tool, dir);
        if path.exists() {
            fs_err::remove_dir_all(&path)?;
        }
        fs_err::remove_file(&marker)?;
    }
    let prefixes = [format!(".{dir}.staging-"), format!(".{dir}.trash-")];
    if let Ok(entries) = std::fs::read_dir(env.layout.tool_installs_dir(tool)) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    Ok(())
}

/// Cleans every other version of `tool` whose lock is free, and deletes the
/// lock files of those that are not installed. Best effort: a failure here
/// never stops the install that called it.
pub fn sweep(env: &Env, tool: &str, except: &str) {
    for dir in with_leftovers(env, tool) {
        if dir == except {
            continue;
        }
        let Ok(Some(held)) = lock::try_acquire(env, tool, &dir) else {
            continue;
        };
        if clean(env, tool, &dir).is_ok() && !installed::is_installed(env, tool, &dir) {
            held.remove();
        }
    }
}

/// The version folders named by leftovers and lock files.
fn with_leftovers(env: &Env, tool: &str) -> BTreeSet<String> {
    let Ok(entries) = std::fs::read_dir(env.layout.tool_installs_dir(tool)) else {
        return BTreeSet::new();
    };
    entries
        .flatten()
        .filter_map(|e| version_of(&e.file_name().to_string_lossy()))
        .collect()
}

/// `3.9.6` from `.3.9.6.lock`, `.3.9.6.incomplete`, `.3.9.6.staging-x1Y`…
fn version_of(name: &str) -> Option<String> {
    let rest = name.strip_prefix('.')?;
    let dir = rest
        .strip_suffix(".lock")
        .or_else(|| rest.strip_suffix(".incomplete"))
        .or_else(|| rest.rfind(".staging-").map(|i| &rest[..i]))
        .or_else(|| rest.rfind(".trash-").map(|i| &rest[..i]))?;
    (!dir.is_empty()).then(|| dir.to_string())
}

#[cfg(test)]
mod tests {
    use super::version_of;

    #[test]
    fn leftover_names_give_their_version() {
        assert_eq!(version_of(".3.9.6.lock").as_deref(), Some("3.9.6"));
        assert_eq!(version_of(".3.9.6.staging-Ab12").as_deref(), Some("3.9.6"));
        assert_eq!(
            version_of(".ref-main.trash-77").as_deref(),
            Some("ref-main")
        );
        assert_eq!(version_of(".1.0.incomplete").as_deref(), Some("1.0"));
        assert_eq!(version_of("3.9.6"), None);
        assert_eq!(version_of(".lock"), None);
    }
}
