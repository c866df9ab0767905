//! Which versions are set for a tool here, in asdf's order: `ASDF_<TOOL>_VERSION`,
//! then the nearest `.tool-versions` (or legacy version file, when enabled)
//! walking up from the current directory, then `$HOME/.tool-versions`.

// BTreeMap, not HashMap: no random hash seed (a getrandom call) on the shim path.
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::ToolInfo;
use super::readthedocs::{self, BuildConfig, Table};
use super::tool_versions::ToolVersions;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::version::VersionSpec;

/// Where a tool's versions were set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Env(String),
    File { path: PathBuf, line: usize },
    Legacy(PathBuf),
}

impl Origin {
    /// The folder relative `path:` versions are resolved against.
    pub fn base_dir<'a>(&'a self, env: &'a Env) -> &'a Path {
        match self {
            Origin::Env(_) => &env.cwd,
            Origin::File { path, .. } | Origin::Legacy(path) => path.parent().unwrap_or(&env.cwd),
        }
    }

    /// The file (or variable) name, as `current` prints it.
    pub fn describe(&self) -> String {
        match self {
            Origin::Env(var) => var.clone(),
            Origin::File { path, .. } | Origin::Legacy(path) => path.display().to_string(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Env(var) => write!(f, "${var}"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Legacy(path) => write!(f, "{}", path.display()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub tool: String,
    pub versions: Vec<VersionSpec>,
    pub origin: Origin,
}

/// Resolves tools against one environment, reading each file at most once.
pub struct Resolver<'a> {
    env: &'a Env,
    legacy: bool,
    tools: &'a dyn ToolInfo,
    /// Files read so far (a few, one per folder walked): found by their
    /// bytes, which is cheaper than `Path`'s component-wise order.
    files: Vec<(PathBuf, Option<ToolVersions>)>,
    /// Read `.readthedocs.yaml` through this table (`readthedocs_config`).
    readthedocs: Option<&'a Table>,
    build_configs: BTreeMap<PathBuf, Option<BuildConfig>>,
}

/// `ASDF_PYTHON_VERSION`, `ASDF_MY_TOOL_VERSION`…
pub fn env_var_name(tool: &str) -> String {
    format!(
        "ASDF_{}_VERSION",
        tool.to_ascii_uppercase().replace('-', "_")
    )
}

impl<'a> Resolver<'a> {
    pub fn new(env: &'a Env, legacy_version_file: bool, tools: &'a dyn ToolInfo) -> Self {
        Resolver {
            env,
            legacy: legacy_version_file,
            tools,
            files: Vec::new(),
            readthedocs: None,
            build_configs: BTreeMap::new(),
        }
    }

    /// Also reads `.readthedocs.yaml` files, mapped through `table`.
    pub fn with_readthedocs(mut self, table: Option<&'a Table>) -> Self {
        self.readthedocs = table;
        self
    }

    /// The build config file of `dir`, read once, when enabled.
    pub fn build_config(&mut self, dir: &Path) -> Result<Option<&BuildConfig>> {
        let Some(table) = self.readthedocs else {
            return Ok(None);
        };
        if !self.build_configs.contains_key(dir) {
            let parsed = match readthedocs::find_in(dir) {
                Some(path) => Some(readthedocs::read(&path, table, self.tools)?),
                None => None,
            };
            self.build_configs.insert(dir.to_path_buf(), parsed);
        }
        Ok(self.build_configs[dir].as_ref())
    }

    /// The versions set for `tool`, or `None` when nothing sets it.
    pub fn resolve(&mut self, tool: &str) -> Result<Option<Selection>> {
        let var = env_var_name(tool);
        if let Some(value) = self.env.var(&var) {
            let versions = value
                .split_whitespace()
                .map(VersionSpec::parse_set)
                .collect::<Result<Vec<_>>>()
                .map_err(|e| Error::Other(format!("${var}: {e}")))?;
            return Ok(Some(Selection {
                tool: tool.to_string(),
                versions,
                origin: Origin::Env(var),
            }));
        }
        let legacy_names = if self.legacy {
            self.tools.legacy_filenames(tool)
        } else {
            Vec::new()
        };
        let env = self.env;
        for dir in env.cwd.ancestors() {
            if let Some(found) = self.in_dir(dir, tool, &legacy_names)? {
                return Ok(Some(found));
            }
        }
        let home_file = env.home_tool_versions();
        self.in_file(&home_file, tool)
    }

    /// The build config nearest to the current folder, walking up (when
    /// build configs are read).
    pub fn nearest_build_config(&mut self) -> Result<Option<&BuildConfig>> {
        let env = self.env;
        let Some(dir) = env
            .cwd
            .ancestors()
            .find(|d| self.readthedocs.is_some() && readthedocs::find_in(d).is_some())
        else {
            return Ok(None);
        };
        self.build_config(dir)
    }

    /// The tools set here, with what each is set to: the one rule `current`
    /// and `install` share. Named in the applicable `.tool-versions` files
    /// (nearest first, in file order), `present` (the data dir's tools, set
    /// or not), named in the nearest build config, then those of `builtins`
    /// that a legacy file sets.
    pub fn set_here(
        &mut self,
        present: &BTreeSet<String>,
        builtins: &[&str],
    ) -> Result<Vec<(String, Option<Selection>)>> {
        let mut names: Vec<String> = Vec::new();
        let add = |names: &mut Vec<String>, name: &str| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        };
        for file in self.applicable_files()? {
            file.entries().for_each(|e| add(&mut names, &e.tool));
        }
        present.iter().for_each(|p| add(&mut names, p));
        if let Some(config) = self.nearest_build_config()? {
            config.tools.iter().for_each(|t| add(&mut names, &t.tool));
        }
        let listed = names.len();
        if self.legacy || self.readthedocs.is_some() {
            builtins.iter().for_each(|b| add(&mut names, b));
        }
        let mut out = Vec::new();
        for (i, name) in names.into_iter().enumerate() {
            let selection = self.resolve(&name)?;
            if i < listed || selection.is_some() {
                out.push((name, selection));
            }
        }
        Ok(out)
    }

    /// The nearest `.tool-versions` file walking up from the current directory.
    pub fn nearest_file(&self) -> Option<PathBuf> {
        self.env
            .cwd
            .ancestors()
            .map(|d| d.join(&self.env.tool_versions_filename))
            .find(|p| p.is_file())
    }

    /// Every `.tool-versions` file that applies here, nearest first, then home.
    pub fn applicable_files(&mut self) -> Result<Vec<&ToolVersions>> {
        let env = self.env;
        let mut paths: Vec<PathBuf> = env
            .cwd
            .ancestors()
            .map(|d| d.join(&env.tool_versions_filename))
            .collect();
        let home = env.home_tool_versions();
        if !paths.contains(&home) {
            paths.push(home);
        }
        for p in &paths {
            self.file(p)?;
        }
        Ok(paths
            .iter()
            .filter_map(|p| self.files[self.index_of(p)?].1.as_ref())
            .collect())
    }

    fn in_dir(&mut self, dir: &Path, tool: &str, legacy: &[String]) -> Result<Option<Selection>> {
        let file = dir.join(&self.env.tool_versions_filename);
        if let Some(found) = self.in_file(&file, tool)? {
            return Ok(Some(found));
        }
        if let Some(config) = self.build_config(dir)?
            && let Some(set) = config.get(tool)
        {
            return Ok(Some(Selection {
                tool: tool.to_string(),
                versions: vec![VersionSpec::Version(set.version.clone())],
                origin: Origin::File {
                    path: config.path.clone(),
                    line: set.line,
                },
            }));
        }
        for name in legacy {
            let path = dir.join(name);
            if let Some(versions) = read_legacy_file(&path, tool, self.tools)? {
                return Ok(Some(Selection {
                    tool: tool.to_string(),
                    versions,
                    origin: Origin::Legacy(path),
                }));
            }
        }
        Ok(None)
    }

    fn in_file(&mut self, path: &Path, tool: &str) -> Result<Option<Selection>> {
        Ok(self
            .file(path)?
            .and_then(|tv| tv.get(tool))
            .map(|entry| Selection {
                tool: tool.to_string(),
                versions: entry.versions.clone(),
                origin: Origin::File {
                    path: path.to_path_buf(),
                    line: entry.line,
                },
            }))
    }

    fn file(&mut self, path: &Path) -> Result<Option<&ToolVersions>> {
        let i = match self.index_of(path) {
            Some(i) => i,
            None => {
                let parsed = ToolVersions::load_via(&self.env.openable(path), path)?;
                self.files.push((path.to_path_buf(), parsed));
                self.files.len() - 1
            }
        };
        Ok(self.files[i].1.as_ref())
    }

    fn index_of(&self, path: &Path) -> Option<usize> {
        (self.files.iter()).position(|(p, _)| p.as_os_str() == path.as_os_str())
    }
}

/// Reads the versions in a legacy file (`.python-version`, `.nvmrc`…): every
/// word outside comments, with a leading `v` before a digit dropped.
fn read_legacy_file(
    path: &Path,
    tool: &str,
    tools: &dyn ToolInfo,
) -> Result<Option<Vec<VersionSpec>>> {
    if !path.is_file() {
        return Ok(None);
    }
    let text = match tools.parse_legacy_file(tool, path)? {
        Some(parsed) => parsed.into_bytes(),
        None => crate::fs::read_capped(path, crate::fs::MAX_CONFIG_LEN)
            .map_err(|e| Error::io("cannot read", path, e))?,
    };
    let text = String::from_utf8_lossy(&text);
    let mut versions = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("");
        for word in line.split_whitespace() {
            let word = word
                .strip_prefix('v')
                .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
                .unwrap_or(word);
            let spec = VersionSpec::parse(word).map_err(|e| Error::Parse {
                path: path.to_path_buf(),
                line: i + 1,
                message: e.to_string(),
            })?;
            versions.push(spec);
        }
    }
    Ok((!versions.is_empty()).then_some(versions))
}
