//! The short-name plugin index: a git repository (asdf-plugins layout:
//! `plugins/<name>` files holding `repository = <url>`) cloned into the data
//! dir and refreshed every `plugin_repository_last_check_duration` minutes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::git;
use crate::config::settings::{Refresh, Settings};
use crate::env::Env;
use crate::error::{Error, Result};

/// The index folder, cloned or refreshed as the settings say.
pub fn sync(env: &Env, settings: &Settings) -> Result<PathBuf> {
    if settings.values.disable_plugin_short_name_repository {
        return Err(Error::hinted(
            "Short-name plugin repository is disabled",
            "disable_plugin_short_name_repository = yes; give the git URL: tool plugin add <name> <git-url>",
        ));
    }
    let dir = env.layout.plugin_index_dir();
    // Where asdf keeps it too: both read the same data dirs.
    let stamp = dir.join("repo-updated");
    if !dir.join(".git").is_dir() {
        let _ = std::fs::remove_dir_all(&dir);
        git::clone(&settings.values.plugin_repository_url, &dir).map_err(|e| {
            Error::hinted(
                format!("cannot fetch the plugin index: {e}"),
                "add the plugin with its git URL: tool plugin add <name> <git-url>",
            )
        })?;
        touch(&stamp);
    } else if is_stale(&stamp, settings.values.plugin_repository_refresh) {
        match git::update(&dir, None) {
            Ok(_) => touch(&stamp),
            Err(e) => crate::progress::note(&format!(
                "warning: cannot refresh the plugin index, using the copy from before: {}",
                e.report()
            )),
        }
    }
    Ok(dir)
}

fn is_stale(stamp: &Path, refresh: Refresh) -> bool {
    let Refresh::Every(every) = refresh else {
        return false;
    };
    let age = std::fs::metadata(stamp)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok());
    age.is_none_or(|a| a >= every)
}

fn touch(path: &Path) {
    let _ = std::fs::write(path, b"");
}

/// Every `(name, url)` in the index, sorted by name.
pub fn entries(index: &Path) -> Vec<(String, String)> {
    let Ok(dir) = std::fs::read_dir(index.join("plugins")) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = dir
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            Some((name, repository_of(&e.path())?))
        })
        .collect();
    out.sort();
    out
}

/// The git URL the index gives for `name`.
pub fn lookup(index: &Path, name: &str) -> Option<String> {
    repository_of(&index.join("plugins").join(name))
}

fn repository_of(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let (key, value) = l.split_once('=')?;
        (key.trim() == "repository").then(|| value.trim().to_string())
    })
}
