//! Which tools exist: the built-in definitions embedded from `plugins/*.toml`,
//! asdf plugins under `plugins/`, and tools with installs; plus tool-name checks.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::env::Env;
use crate::error::{Error, Result};

const BUILTIN_SOURCES: &[&str] = &[
    include_str!("../plugins/python.toml"),
    include_str!("../plugins/nodejs.toml"),
    include_str!("../plugins/golang.toml"),
    include_str!("../plugins/rust.toml"),
];

/// Names of the built-in tools, in the order of `BUILTIN_SOURCES`.
pub const BUILTIN_NAMES: &[&str] = &["python", "nodejs", "golang", "rust"];

#[derive(Debug, Clone, Deserialize)]
pub struct Builtin {
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub legacy_filenames: Vec<String>,
    /// Variables set for the tool's programs when no plugin manages it
    /// (`{install}` is the version's folder): Go's `GOROOT`.
    #[serde(default)]
    pub env: std::collections::BTreeMap<String, String>,
}

/// The built-in definition of `name`, parsed from its embedded TOML.
pub fn builtin(name: &str) -> Option<Builtin> {
    let index = BUILTIN_NAMES.iter().position(|n| *n == name)?;
    // The embedded files are checked by a unit test, so this cannot fail at run time.
    toml::from_str(BUILTIN_SOURCES[index]).ok()
}

/// A built-in tool's `[env]` table, without parsing definitions that have
/// none (Python's holds the whole release table: not for the shim path).
pub fn builtin_env(name: &str) -> std::collections::BTreeMap<String, String> {
    let index = BUILTIN_NAMES.iter().position(|n| *n == name);
    match index {
        Some(i) if BUILTIN_SOURCES[i].contains("\n[env]") => {
            builtin(name).map(|b| b.env).unwrap_or_default()
        }
        _ => Default::default(),
    }
}

/// Checks that `name` can be a tool (asdf's plugin-name rule, in its words).
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        let shown: String = name.chars().take(80).collect();
        Err(Error::Other(format!(
            "{shown} is invalid. Name may only contain lowercase letters, numbers, '_', and '-'"
        )))
    }
}

/// Whether `name` is an asdf plugin in the data dir.
pub fn is_plugin(env: &Env, name: &str) -> bool {
    env.layout.plugin_dir(name).is_dir()
}

/// Whether `name` is a tool this data dir can manage.
pub fn is_known(env: &Env, name: &str) -> bool {
    BUILTIN_NAMES.contains(&name)
        || is_plugin(env, name)
        || env.layout.tool_installs_dir(name).is_dir()
        || env.layout.shared().iter().any(|s| s.join(name).is_dir())
}

/// Checks the name and that the tool is known, for commands that take one.
pub fn require_known(env: &Env, name: &str) -> Result<()> {
    check_name(name)?;
    if is_known(env, name) {
        Ok(())
    } else {
        Err(Error::UnknownTool(name.to_string()))
    }
}

/// Tools present in this data dir: plugins and tools with an installs folder
/// (here or in the shared installs).
pub fn present(env: &Env) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let dirs = [env.layout.plugins_dir(), env.layout.installs_dir()]
        .into_iter()
        .chain(env.layout.shared().iter().cloned());
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if let (true, Ok(name)) = (is_dir, entry.file_name().into_string())
                && check_name(&name).is_ok()
            {
                names.insert(name);
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_definition_parses_under_its_name() {
        for name in BUILTIN_NAMES {
            let def = builtin(name).unwrap_or_else(|| panic!("plugins/{name}.toml does not parse"));
            assert_eq!(def.name, *name);
        }
    }

    #[test]
    fn names_follow_asdf_rules() {
        assert!(check_name("python").is_ok());
        assert!(check_name("my_tool-2").is_ok());
        for bad in ["", "a/b", "..", "a.b", "x y"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
