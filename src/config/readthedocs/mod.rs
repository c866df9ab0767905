//! `.readthedocs.yaml` as a version source: `build.tools` sets versions like
//! a `.tool-versions` file in its folder, mapped exactly as Read the Docs
//! maps them (its table, generated into `plugins/readthedocs.toml` by
//! `scripts/gen-readthedocs-table`, or a newer copy named by
//! `readthedocs_table`), and `build.os` names the builder's image, which
//! becomes the cache key's `{os}`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use yaml_rust2::Yaml;

mod load;
mod validate;
mod values;

use super::ToolInfo;
use crate::error::{Error, Result};

/// The names Read the Docs looks for, in its order.
pub const FILE_NAMES: &[&str] = &[
    ".readthedocs.yaml",
    ".readthedocs.yml",
    "readthedocs.yaml",
    "readthedocs.yml",
];

/// The service's mapping: `build.os` names and `build.tools` versions.
#[derive(Debug, Clone, Deserialize)]
pub struct Table {
    pub os: BTreeMap<String, String>,
    pub tools: BTreeMap<String, BTreeMap<String, String>>,
}

impl Table {
    /// The table shipped with this build.
    pub fn builtin() -> Table {
        // Checked by a unit test, so this cannot fail at run time.
        toml::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/plugins/readthedocs.toml"
        )))
        .unwrap_or(Table {
            os: BTreeMap::new(),
            tools: BTreeMap::new(),
        })
    }

    /// The table `.readthedocs.yaml` is read through, when
    /// `readthedocs_config` is on: `readthedocs_table`'s, else the shipped one.
    pub fn for_settings(settings: &crate::config::settings::Settings) -> Result<Option<Table>> {
        if !settings.values.readthedocs_config {
            return Ok(None);
        }
        Ok(Some(match &settings.values.readthedocs_table {
            Some(path) => Table::from_file(path)?,
            None => Table::builtin(),
        }))
    }

    /// `readthedocs_table`: a newer copy in the same format.
    pub fn from_file(path: &Path) -> Result<Table> {
        let text = load::read_text(path)?;
        toml::from_str(&text).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e
                .span()
                .map_or(1, |s| text[..s.start].lines().count().max(1)),
            message: format!("not a Read the Docs table: {}", e.message()),
        })
    }
}

/// One tool `build.tools` sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolVersion {
    pub tool: String,
    /// The full version the service installs (`3.9` → `3.9.25`).
    pub version: String,
    pub line: usize,
}

/// What a build config file sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildConfig {
    pub path: PathBuf,
    /// `build.os` mapped to the builder's image name (`ubuntu-22.04`).
    pub os: Option<String>,
    pub tools: Vec<ToolVersion>,
}

impl BuildConfig {
    pub fn get(&self, tool: &str) -> Option<&ToolVersion> {
        self.tools.iter().find(|t| t.tool == tool)
    }
}

/// The build config file in `dir`, if there is one.
pub fn find_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

/// Reads `path` and maps its `build.os` and `build.tools` through `table`;
/// `tools` says which tool installs each of the service's names.
pub fn read(path: &Path, table: &Table, tools: &dyn ToolInfo) -> Result<BuildConfig> {
    let text = load::read_text(path)?;
    let bad = |line: usize, message: String| Error::Parse {
        path: path.to_path_buf(),
        line,
        message,
    };
    let Some(doc) = load::first_document(path, &text)? else {
        let why =
            "the file is empty: Read the Docs rejects an empty config (config:base:invalid-syntax)";
        return Err(bad(1, why.to_string()));
    };
    validate::check(&doc, table).map_err(|r| bad(line_of_path(&text, &r.key), r.message))?;
    let build = &doc["build"];
    let os = match scalar(&build["os"]) {
        None => None,
        Some(name) => Some(table.os.get(&name).cloned().ok_or_else(|| {
            let known: Vec<&str> = table.os.keys().map(String::as_str).collect();
            bad(
                line_of(&text, "os", 1),
                format!(
                    "build.os `{name}` is not one Read the Docs knows ({})",
                    known.join(", ")
                ),
            )
        })?),
    };
    let mut tools_set = Vec::new();
    if let Yaml::Hash(entries) = &build["tools"] {
        for (key, value) in entries {
            let tool = scalar(key).unwrap_or_default();
            let line = line_of(&text, &tool, 1);
            let mapped = map_tool(table, tools, &tool, scalar(value), line);
            tools_set.push(mapped.map_err(|m| bad(line, m))?);
        }
    }
    Ok(BuildConfig {
        path: path.to_path_buf(),
        os,
        tools: tools_set,
    })
}

fn map_tool(
    table: &Table,
    tools: &dyn ToolInfo,
    tool: &str,
    asked: Option<String>,
    line: usize,
) -> std::result::Result<ToolVersion, String> {
    let Some(versions) = table.tools.get(tool) else {
        return Err(format!(
            "build.tools.{tool}: Read the Docs has no tool named {tool}"
        ));
    };
    let Some(ours) = tools.for_readthedocs(tool) else {
        let installable: Vec<&str> = (table.tools.keys())
            .map(String::as_str)
            .filter(|name| tools.for_readthedocs(name).is_some())
            .collect();
        return Err(format!(
            "build.tools.{tool}: tool cannot install {tool} (it installs {})",
            installable.join(", ")
        ));
    };
    let asked = asked.ok_or_else(|| format!("build.tools.{tool}: no version given"))?;
    let full = versions.get(&asked).ok_or_else(|| {
        let known: Vec<&str> = versions.keys().map(String::as_str).collect();
        format!(
            "build.tools.{tool}: `{asked}` is not a version Read the Docs offers ({})",
            known.join(", ")
        )
    })?;
    Ok(ToolVersion {
        tool: ours,
        version: full.clone(),
        line,
    })
}

/// A scalar as text, as written (`3.10` stays `3.10`, not `3.1`).
fn scalar(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The line where `key:` is written (for messages), else `fallback`.
fn line_of(text: &str, key: &str, fallback: usize) -> usize {
    text.lines()
        .position(|l| writes_key(l, key))
        .map_or(fallback, |i| i + 1)
}

/// The line of a dotted key (`build.tools.python`): each part looked for
/// below the line of the one before; the line of the deepest found, else 1.
fn line_of_path(text: &str, key: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let (mut from, mut found) = (0, 1);
    for part in key.split('.') {
        let Some(i) = lines.iter().skip(from).position(|l| writes_key(l, part)) else {
            break;
        };
        found = from + i + 1;
        from = found;
    }
    found
}

/// Whether `line` begins with `key:` (quoted or not).
fn writes_key(line: &str, key: &str) -> bool {
    let t = line.trim_start().trim_start_matches(['"', '\'']);
    t.strip_prefix(key).is_some_and(|rest| {
        rest.trim_start_matches(['"', '\''])
            .trim_start()
            .starts_with(':')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in tools' answer: the service's names are theirs.
    struct Installs(&'static [&'static str]);

    impl ToolInfo for Installs {
        fn legacy_filenames(&self, _: &str) -> Vec<String> {
            Vec::new()
        }
        fn parse_legacy_file(&self, _: &str, _: &Path) -> Result<Option<String>> {
            Ok(None)
        }
        fn bin_paths(&self, _: &str, _: &str, _: &Path) -> Vec<String> {
            Vec::new()
        }
        fn for_readthedocs(&self, name: &str) -> Option<String> {
            self.0.contains(&name).then(|| name.to_string())
        }
    }

    fn read_text(text: &str) -> Result<BuildConfig> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".readthedocs.yaml");
        std::fs::write(&path, text).unwrap();
        let tools = Installs(&["python", "nodejs", "golang", "rust"]);
        read(&path, &Table::builtin(), &tools)
    }

    #[test]
    fn the_shipped_table_parses_and_maps_as_the_service() {
        let table = Table::builtin();
        assert_eq!(table.tools["python"]["3.9"], "3.9.25");
        assert_eq!(table.os["ubuntu-lts-latest"], table.os["ubuntu-26.04"]);
    }

    #[test]
    fn maps_build_tools_and_os() {
        let config = read_text(
            "version: 2\nbuild:\n  os: ubuntu-22.04\n  tools:\n    python: \"3.9\"\n    nodejs: \"20\"\n    golang: \"1.22\"\n    rust: \"1.75\"\n",
        )
        .unwrap();
        assert_eq!(config.os.as_deref(), Some("ubuntu-22.04"));
        let got: Vec<(&str, &str, usize)> = config
            .tools
            .iter()
            .map(|t| (t.tool.as_str(), t.version.as_str(), t.line))
            .collect();
        let table = Table::builtin();
        assert_eq!(got[0], ("python", "3.9.25", 5));
        assert_eq!(got[1], ("nodejs", table.tools["nodejs"]["20"].as_str(), 6));
        assert_eq!(got[2].1, table.tools["golang"]["1.22"]);
        assert_eq!(got[3].1, "1.75.0");
    }

    #[test]
    fn conda_pythons_map_to_their_full_names() {
        let text = "build:\n  os: ubuntu-22.04\n  tools:\n    python: miniforge3-latest\n";
        let config = read_text(text).unwrap();
        let full = &Table::builtin().tools["python"]["miniforge3-latest"];
        assert!(full.starts_with("miniforge3-26.3."), "{full}");
        assert_eq!(config.tools[0].version, *full);
    }

    #[test]
    fn what_tool_cannot_install_is_an_error_at_its_line() {
        let err = read_text("build:\n  os: ubuntu-22.04\n  tools:\n    ruby: \"3.3\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(".readthedocs.yaml:4") && err.contains("cannot install ruby"),
            "{err}"
        );
        let err = read_text("build:\n  tools: [\n").unwrap_err().to_string();
        assert!(err.contains("not valid YAML"), "{err}");
    }

    #[test]
    fn what_the_service_rejects_is_rejected_at_its_line() {
        let os = "build:\n  os: ubuntu-22.04\n";
        let cases = [
            ("version: 1.6\n".to_string(), ":1: Invalid version", "1.6"),
            (
                "version: 1\n".into(),
                ":1: Invalid version",
                "invalid-version",
            ),
            (
                format!("{os}  tools:\n    python: 3\n"),
                ":4: Config validation error in `build.tools.python`",
                "got type `int` (`3`)",
            ),
            (
                format!("{os}  tools:\n    python: 3.10\n"),
                ":4: Config validation error",
                "got type `float` (`3.1`)",
            ),
            (
                format!("{os}  tools:\n    python: \"3.5\"\n"),
                ":4: Config validation error",
                "(`3.5`)",
            ),
            (
                "build:\n  tools:\n    python: \"3.12\"\n".into(),
                "Value `os` not found",
                "value-not-found",
            ),
            (
                "build:\n  os: ubuntu-20.04\n  tools:\n    python: \"3.12\"\n".into(),
                ":2: Config validation error in `build.os`",
                "ubuntu-22.04, ubuntu-24.04",
            ),
            (
                os.to_string(),
                "`build.tools` or `build.commands`",
                "missing-build-tools-commands",
            ),
            (
                format!("{os}  tools: [python]\n"),
                ":3: Config validation error in `build.tools`. Expected a dictionary, got type `list` (`['python']`)",
                "invalid-dict",
            ),
            ("".into(), ":1: the file is empty", "invalid-syntax"),
        ];
        for (text, at, detail) in cases {
            let err = read_text(&text).unwrap_err().to_string();
            assert!(err.contains(at) && err.contains(detail), "{text:?}: {err}");
        }
        let float_two = format!("version: 2.0\n{os}  commands: [\"true\"]\n");
        assert!(read_text(&float_two).is_ok(), "the service's 2.0 == 2");
    }
}
