//! `plugin add`, `update`, `remove` and `list`: plugins are git checkouts
//! under `plugins/<name>`, added atomically (clone beside, then rename).

use std::ffi::OsString;
use std::path::Path;

use super::{Plugin, git, index};
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::process::{Cancel, Sink};

pub enum Added {
    New(Plugin),
    AlreadyThere,
}

pub fn add(env: &Env, settings: &Settings, name: &str, url: Option<&str>) -> Result<Added> {
    crate::tool_name::check(name)?;
    if Plugin::find(env, name).is_some() {
        return Ok(Added::AlreadyThere);
    }
    let url = match url {
        Some(u) => u.to_string(),
        None => {
            let idx = index::sync(env, settings)?;
            index::lookup(&idx, name).ok_or_else(|| {
                Error::hinted(
                    format!("plugin {name} not found in repository"),
                    format!("give its git URL: tool plugin add {name} <git-url>"),
                )
            })?
        }
    };
    crate::hooks::run_plugin_hooks(settings, "pre", "add", name)?;
    let plugins = env.layout.plugins_dir();
    let staging = crate::fs::temp_dir_in(&plugins, &format!(".{name}.adding-"))?;
    let checkout = staging.path().join(name);
    git::clone(&url, &checkout).map_err(|e| {
        Error::hinted(
            format!(
                "cannot add plugin `{name}` from {}: {}",
                crate::remote::redact(&url),
                crate::error::chain(&e)
            ),
            e.hint().unwrap_or_default(),
        )
    })?;
    let dir = env.layout.plugin_dir(name);
    fs_err::rename(&checkout, &dir)?;
    let plugin = Plugin {
        name: name.to_string(),
        dir,
        data_dir: env.layout.data_dir().to_path_buf(),
    };
    if plugin.has("post-plugin-add") {
        let vars = vec![("ASDF_PLUGIN_SOURCE_URL", OsString::from(&url))];
        if let Err(e) = plugin.run(
            "post-plugin-add",
            &vars,
            &Sink::Terminal,
            &Cancel::default(),
            None,
        ) {
            let _ = std::fs::remove_dir_all(&plugin.dir);
            return Err(e);
        }
    }
    crate::hooks::run_plugin_hooks(settings, "post", "add", name)?;
    Ok(Added::New(plugin))
}

/// Updates to `reference` (or the default branch); returns the ref moved to.
pub fn update(env: &Env, plugin: &Plugin, reference: Option<&str>) -> Result<String> {
    let before = git::commit(&plugin.dir)?;
    let moved_to = git::update(&plugin.dir, reference)?;
    let after = git::commit(&plugin.dir)?;
    // New scripts may answer differently, or read other variables.
    if before != after {
        let _ = std::fs::remove_dir_all(env.layout.plugin_meta_dir(&plugin.name));
    }
    if plugin.has("post-plugin-update") {
        let vars = vec![
            ("ASDF_PLUGIN_PREV_REF", OsString::from(&before)),
            ("ASDF_PLUGIN_POST_REF", OsString::from(&after)),
        ];
        plugin.run(
            "post-plugin-update",
            &vars,
            &Sink::Terminal,
            &Cancel::default(),
            None,
        )?;
    }
    Ok(moved_to)
}

/// Removes the plugin, its installs, downloads and cached answers.
pub fn remove(env: &Env, settings: &Settings, plugin: &Plugin) -> Result<()> {
    crate::hooks::run_plugin_hooks(settings, "pre", "remove", &plugin.name)?;
    if plugin.has("pre-plugin-remove") {
        plugin.run(
            "pre-plugin-remove",
            &Vec::new(),
            &Sink::Terminal,
            &Cancel::default(),
            None,
        )?;
    }
    let layout = &env.layout;
    for dir in [
        layout.tool_installs_dir(&plugin.name),
        layout.data_dir().join("downloads").join(&plugin.name),
        layout.plugin_meta_dir(&plugin.name),
        plugin.dir.clone(),
    ] {
        remove_tree(&dir)?;
    }
    crate::hooks::run_plugin_hooks(settings, "post", "remove", &plugin.name)
}

fn remove_tree(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(Error::io("cannot remove", dir, e))
        }
        _ => Ok(()),
    }
}

/// Added plugins, sorted by name.
pub fn list(env: &Env) -> Vec<Plugin> {
    let Ok(entries) = std::fs::read_dir(env.layout.plugins_dir()) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| crate::tool_name::check(n).is_ok())
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| Plugin::find(env, &n))
        .collect()
}

/// `plugin list [--urls] [--refs]`, one line per plugin as asdf 0.14 (the
/// service's) prints them: with more than the name, the name padded to 28
/// columns, then each column after a space (the remote URL, secrets
/// redacted; the branch and the short commit).
pub fn listing(env: &Env, urls: bool, refs: bool) -> Vec<String> {
    let columns = |p: &Plugin| {
        let mut words = Vec::new();
        if urls {
            words.push(git::shown_url(&p.dir));
        }
        if refs {
            words.push(git::branch(&p.dir).unwrap_or_default());
            words.push(git::head(&p.dir).unwrap_or_default());
        }
        words.retain(|w| !w.is_empty());
        words
    };
    list(env)
        .iter()
        .map(|p| match columns(p) {
            words if words.is_empty() => p.name.clone(),
            words => format!("{:<28} {}", p.name, words.join(" ")),
        })
        .collect()
}
