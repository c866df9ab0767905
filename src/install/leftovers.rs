//! What interrupted installs leave in `installs/<tool>/`: a folder with an
//! `.incomplete` marker, `.staging-*` and `.trash-*` folders (and lock files
//! older versions of `tool` kept there); and, in `tmp/install-locks/<tool>/`,
//! lock files of versions that never got installed. A version's leftovers are removed
//! only under its lock, so nothing still being written is touched; a name
//! counts as a leftover only when it parses back to exactly that version
//! (no version begins with `.`), and a marker only when it is a file.

use std::collections::BTreeSet;
use std::path::Path;

use super::lock;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::installed;

/// What a dot-name beside the versions is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Lock,
    Incomplete,
    Staging,
    Trash,
}

/// Removes the leftovers of `dir` (the caller holds its lock).
pub fn clean(env: &Env, tool: &str, dir: &str) -> Result<()> {
    let marker = env.layout.incomplete_marker(tool, dir);
    if is_marker(&marker)? {
        let path = env.layout.install_path(tool, dir);
        if std::fs::symlink_metadata(&path).is_ok() {
            fs_err::remove_dir_all(&path)?;
        }
        fs_err::remove_file(&marker)?;
    }
    let Ok(entries) = std::fs::read_dir(env.layout.tool_installs_dir(tool)) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = match parse(&name.to_string_lossy()) {
            Some((v, Kind::Staging | Kind::Trash)) => v == dir,
            _ => false,
        };
        if ours && entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
    Ok(())
}

/// Whether `marker` is an install's `.incomplete` marker: a file. Anything
/// else there (a folder an older `tool` made for a version named
/// `.1.0.incomplete`) is refused, never taken for a marker nor deleted.
fn is_marker(marker: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(marker) {
        Ok(m) if m.is_file() => Ok(true),
        Ok(_) => Err(Error::hinted(
            format!(
                "{} is not an install marker (a file), so the version beside it is left alone",
                marker.display()
            ),
            "move it out of that folder (a version name beginning with `.` made it), then install again",
        )),
        Err(_) => Ok(false),
    }
}

/// Cleans every other version of `tool` whose lock is free, and deletes the
/// lock files of those that are not installed. Best effort: a failure here
/// never stops the install that called it.
pub fn sweep(env: &Env, tool: &str, except: &str) {
    let leftovers = with_leftovers(env, tool);
    // A version whose old-style lock an older `tool` still holds is left alone.
    let mut held_elsewhere = BTreeSet::new();
    for (dir, _) in leftovers.iter().filter(|(_, k)| *k == Some(Kind::Lock)) {
        let old = env
            .layout
            .tool_installs_dir(tool)
            .join(format!(".{dir}.lock"));
        if !lock::remove_if_free(&old) {
            held_elsewhere.insert(dir.clone());
        }
    }
    let versions: BTreeSet<String> = leftovers.into_iter().map(|(dir, _)| dir).collect();
    for dir in versions {
        if dir == except || held_elsewhere.contains(&dir) {
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

/// The version folders named by leftovers and lock files, with the kind
/// of leftover beside the versions (`None`: only a lock of its own).
fn with_leftovers(env: &Env, tool: &str) -> BTreeSet<(String, Option<Kind>)> {
    let names = |dir: std::path::PathBuf| {
        (std::fs::read_dir(dir).into_iter().flatten().flatten())
            .map(|e| e.file_name().to_string_lossy().into_owned())
    };
    let beside = names(env.layout.tool_installs_dir(tool))
        .filter_map(|name| parse(&name).map(|(v, kind)| (v, Some(kind))));
    let locks = names(env.layout.install_locks_dir(tool)).filter_map(|name| {
        let dir = name.strip_suffix(".lock")?;
        let valid = crate::version::check_path_component("version", dir).is_ok();
        valid.then(|| (dir.to_string(), None))
    });
    beside.chain(locks).collect()
}

/// `3.9.6` from `.3.9.6.lock`, `.3.9.6.incomplete`, `.3.9.6.staging-x1Y`,
/// `.3.9.6.trash-77`; `None` for a name no install of a valid version makes.
fn parse(name: &str) -> Option<(String, Kind)> {
    let rest = name.strip_prefix('.')?;
    let suffixed = |tag: &str, ok: fn(char) -> bool| {
        let i = rest.rfind(tag)?;
        let suffix = &rest[i + tag.len()..];
        (!suffix.is_empty() && suffix.chars().all(ok)).then(|| &rest[..i])
    };
    let (dir, kind) = if let Some(d) = rest.strip_suffix(".lock") {
        (d, Kind::Lock)
    } else if let Some(d) = rest.strip_suffix(".incomplete") {
        (d, Kind::Incomplete)
    } else if let Some(d) = suffixed(".staging-", |c| c.is_ascii_alphanumeric()) {
        (d, Kind::Staging)
    } else {
        (suffixed(".trash-", |c| c.is_ascii_digit())?, Kind::Trash)
    };
    let valid = crate::version::check_path_component("version", dir).is_ok();
    valid.then(|| (dir.to_string(), kind))
}

#[cfg(test)]
mod tests {
    use super::{Kind, parse};

    fn version_of(name: &str) -> Option<String> {
        parse(name).map(|(v, _)| v)
    }

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

    #[test]
    fn a_name_is_only_the_leftover_of_the_version_it_parses_to() {
        // The staging folder of version `1.0.staging-x`, not of 1.0.
        assert_eq!(
            parse(".1.0.staging-x.staging-Ab12"),
            Some(("1.0.staging-x".into(), Kind::Staging))
        );
        // The lock of a version named `.1.0.incomplete` (an older tool let one in).
        assert_eq!(parse("..1.0.incomplete.lock"), None);
        assert_eq!(parse("..1.0.incomplete"), None);
        assert_eq!(parse(".1.0.trash-x"), None);
        assert_eq!(parse(".1.0.staging-"), None);
    }
}
