//! The tools: one home per built-in tool (`python`, `nodejs`, `golang`,
//! `rust`, `ruby`), each behind the `Builtin` trait with everything `tool` knows of
//! it — legacy version files, official releases, source build, the
//! environment of its programs, steps after install, default backends and
//! its Read the Docs name; and `Tools`, which the rest of the code asks about
//! any tool of a data dir: its asdf plugin when one was added, else the
//! built-in. Adding a tool is one module here plus its entry in `BUILTINS`.

pub mod golang;
pub mod nodejs;
pub mod python;
pub mod ruby;
pub mod rust;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::Path;

use crate::config::ToolInfo;
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::job::Job;
use crate::plugin::{Plugin, meta};
use crate::upstream::Releases;

/// What `tool` knows of a tool it manages without a plugin.
pub trait Builtin: Sync {
    fn name(&self) -> &'static str;

    fn description(&self) -> &'static str;

    /// Files read when `legacy_version_file = yes` (what asdf's plugin for
    /// the tool reads).
    fn legacy_filenames(&self) -> &'static [&'static str] {
        &[]
    }

    /// How one of its legacy files is read: the version spec it sets, or
    /// `None` when it names nothing installable. No parser: the file's
    /// words are versions as they are.
    fn legacy_parser(&self, _file_name: &str) -> Option<fn(&str) -> Option<String>> {
        None
    }

    /// Variables its programs get, given the version's folder: the one
    /// set to that folder is declared in `shim_rules::tools` (Go's
    /// `GOROOT`), which both shim paths read.
    fn env(&self, install: &Path) -> Vec<(String, OsString)> {
        shim_rules::tools::install_path_var(self.name().as_bytes())
            .map(|var| (var.to_string(), install.into()))
            .into_iter()
            .collect()
    }

    /// The backends tried, in order, when the settings name none.
    fn default_chain(&self) -> &'static [&'static str] {
        &["cache", "plugin"]
    }

    /// The name `.readthedocs.yaml`'s `build.tools` gives it.
    fn readthedocs_name(&self) -> Option<&'static str> {
        None
    }
}

/// How a built-in tool makes a version on this machine when no binary of
/// it is published: a build from its sources (the `source` backend), or its
/// publisher's installer run straight into the final folder, because what
/// it installs cannot be moved (the `installer` backend: Python's conda
/// distributions).
pub trait Build: Sync {
    /// The tool it makes versions of.
    fn tool(&self) -> &'static str;

    /// Whether it installs in place (into the final folder, behind the
    /// `.incomplete` marker) rather than into a staging folder: the
    /// `installer` backend's builds do, the `source` backend's do not.
    fn in_place(&self) -> bool {
        false
    }

    /// Every version it can make, on this machine.
    fn versions(&self, ctx: &Context) -> Result<Vec<String>>;

    /// Why `version` cannot be made here (not a release, with the nearest
    /// ones); `None` when it can.
    fn unknown(&self, ctx: &Context, version: &str) -> Result<Option<String>>;

    /// Fetches, checks and makes `job.version` into `job.dest`; its
    /// `--json` details.
    fn build(&self, job: &Job<'_>) -> Result<serde_json::Value>;

    /// What it starts from (a source archive, an installer): its official
    /// URL and sha256 (for lockfiles), when a sha256 is published.
    fn source_archive(&self, _ctx: &Context, _version: &str) -> Result<Option<(String, String)>> {
        Ok(None)
    }
}

/// Portable builds of a tool made by others than its publisher (Python's
/// python-build-standalone), the `prebuilt` backend's source: which archive a
/// version is for this machine, with the sha256 a table shipped in the
/// binary gives it, and what the unpacked build needs before it is committed.
pub trait Prebuilt: Sync {
    /// The tool they are builds of.
    fn tool(&self) -> &'static str;

    /// Every version with a build for this machine, oldest first.
    fn versions(&self, ctx: &Context) -> Result<Vec<String>>;

    /// The newest stable version under `prefix`.
    fn latest(&self, ctx: &Context, prefix: Option<&str>) -> Result<Option<String>>;

    /// The archive of exactly `version` for this machine; `None` when
    /// there is none (the chain moves on).
    fn archive(&self, ctx: &Context, version: &str) -> Result<Option<PrebuiltArchive>>;

    /// Makes the build unpacked into `job.dest` right for
    /// `job.final_path`; its `--json` details.
    fn finish(&self, job: &Job<'_>) -> Result<serde_json::Value>;
}

/// One prebuilt archive: where it is, its sha256 and its layout.
#[derive(Debug, Clone)]
pub struct PrebuiltArchive {
    /// The server or mirror (no credentials are sent to it).
    pub mirror: String,
    /// The archive's path below `mirror`.
    pub key: String,
    pub sha256: String,
    pub format: crate::archive::Format,
    /// The folder every entry sits in.
    pub top: &'static str,
    /// Where the sha256 comes from, for messages.
    pub from: &'static str,
}

/// Every built-in tool, in the order `tool` lists them. What they know of
/// installing is kept in tables of its own (`RELEASES`, `BUILDS`), so the
/// shim path, which reaches this one, links no download or build code.
const BUILTINS: &[&dyn Builtin] = &[
    &python::Python,
    &nodejs::NodeJs,
    &golang::Golang,
    &rust::Rust,
    &ruby::Ruby,
];

/// The built-in tools with official binary releases.
const RELEASES: &[&dyn Releases] = &[&nodejs::NodeJs, &golang::Golang, &rust::Rust];

/// The built-in tools' builds from source and installers.
const BUILDS: &[&dyn Build] = &[&python::Python, &ruby::Ruby, &python::Conda];

/// The built-in tools' prebuilt builds.
const PREBUILTS: &[&dyn Prebuilt] = &[&python::prebuilt::Standalone];

/// `tool`'s prebuilt builds, when it has them.
pub fn prebuilt(tool: &str) -> Option<&'static dyn Prebuilt> {
    PREBUILTS.iter().copied().find(|p| p.tool() == tool)
}

/// `tool`'s build that installs in place (an installer) or not (a build
/// from source), when it has one.
pub fn build(tool: &str, in_place: bool) -> Option<&'static dyn Build> {
    BUILDS
        .iter()
        .copied()
        .find(|b| b.tool() == tool && b.in_place() == in_place)
}

/// `tool`'s official releases, when it has them.
pub fn releases(tool: &str) -> Option<&'static dyn Releases> {
    RELEASES.iter().copied().find(|r| r.tool() == tool)
}

/// The built-in tool named `name`.
pub fn builtin(name: &str) -> Option<&'static dyn Builtin> {
    BUILTINS.iter().copied().find(|b| b.name() == name)
}

/// Every built-in tool.
pub fn builtins() -> impl Iterator<Item = &'static dyn Builtin> {
    BUILTINS.iter().copied()
}

/// The backends tried for `tool` when the settings name none.
pub fn default_chain(tool: &str) -> &'static [&'static str] {
    builtin(tool).map_or(&["cache", "plugin"], |b| b.default_chain())
}

/// `20.11.0` stays exact; `20` or `20.11` (how version files often name a
/// line) becomes its newest release, `latest:20`.
pub(crate) fn exact_or_latest(v: &str) -> String {
    let v = v.trim_start_matches('v');
    if v.split('.').count() >= 3 || v.is_empty() {
        v.to_string()
    } else {
        format!("latest:{v}")
    }
}

impl<I> crate::context::Context<I> {
    /// The tools of this context's data dir: built-in ones and plugins.
    pub fn tools(&self) -> Tools<'_> {
        Tools { env: &self.env }
    }
}

/// Every tool of one data dir, as the rest of the code asks about them.
pub struct Tools<'a> {
    pub env: &'a Env,
}

impl<'a> Tools<'a> {
    pub fn new(env: &'a Env) -> Self {
        Tools { env }
    }

    /// Whether `name` is an asdf plugin in the data dir.
    pub fn is_plugin(&self, name: &str) -> bool {
        self.env.layout.plugin_dir(name).is_dir()
    }

    /// Whether `name` is a tool this data dir can manage.
    pub fn is_known(&self, name: &str) -> bool {
        let layout = &self.env.layout;
        builtin(name).is_some()
            || self.is_plugin(name)
            || layout.tool_installs_dir(name).is_dir()
            || layout.shared().iter().any(|s| s.join(name).is_dir())
    }

    /// Checks the name and that the tool is known, for commands that take one.
    pub fn require_known(&self, name: &str) -> Result<()> {
        crate::tool_name::check(name)?;
        if self.is_known(name) {
            Ok(())
        } else {
            Err(Error::UnknownTool(name.to_string()))
        }
    }

    /// Tools present in this data dir: plugins and tools with an installs
    /// folder (here or in the shared installs).
    pub fn present(&self) -> BTreeSet<String> {
        let layout = &self.env.layout;
        let dirs = [layout.plugins_dir(), layout.installs_dir()]
            .into_iter()
            .chain(layout.shared().iter().cloned());
        let mut names = BTreeSet::new();
        for entries in dirs.filter_map(|d| std::fs::read_dir(d).ok()) {
            for entry in entries.flatten() {
                // A symlink to a folder counts, as `is_known` follows it.
                let is_dir = entry.path().is_dir();
                if let (true, Ok(name)) = (is_dir, entry.file_name().into_string())
                    && crate::tool_name::check(&name).is_ok()
                {
                    names.insert(name);
                }
            }
        }
        names
    }

    /// Variables a built-in tool's programs get when no plugin manages it.
    pub fn program_env(&self, tool: &str, install: &Path) -> Vec<(String, OsString)> {
        match builtin(tool) {
            Some(b) if !self.is_plugin(tool) => b.env(install),
            _ => Vec::new(),
        }
    }
}

impl ToolInfo for Tools<'_> {
    fn legacy_filenames(&self, tool: &str) -> Vec<String> {
        match Plugin::find(self.env, tool) {
            Some(plugin) => meta::legacy_filenames(self.env, &plugin),
            None => builtin(tool).map_or_else(Vec::new, |b| {
                b.legacy_filenames().iter().map(|f| f.to_string()).collect()
            }),
        }
    }

    fn parse_legacy_file(&self, tool: &str, path: &Path) -> Result<Option<String>> {
        if let Some(plugin) = Plugin::find(self.env, tool) {
            return meta::parse_legacy_file(&plugin, path);
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let Some(parser) = builtin(tool).and_then(|b| b.legacy_parser(name)) else {
            return Ok(None);
        };
        let bytes = crate::fs::read_capped(path, crate::fs::MAX_CONFIG_LEN)
            .map_err(|e| Error::io("cannot read", path, e))?;
        match parser(&String::from_utf8_lossy(&bytes)) {
            Some(spec) => Ok(Some(spec)),
            None => Err(Error::Parse {
                path: path.to_path_buf(),
                line: 1,
                message: format!("no {tool} version that tool can install is named here"),
            }),
        }
    }

    fn bin_paths(&self, tool: &str, version_dir: &str, install_path: &Path) -> Vec<String> {
        match Plugin::find(self.env, tool) {
            Some(plugin) => meta::bin_paths(self.env, &plugin, version_dir, install_path),
            None => vec!["bin".to_string()],
        }
    }

    fn for_readthedocs(&self, name: &str) -> Option<String> {
        let built_in = builtins().find(|b| b.readthedocs_name() == Some(name));
        match built_in {
            Some(b) => Some(b.name().to_string()),
            None => self.is_plugin(name).then(|| name.to_string()),
        }
    }
}

/// The no-libc `tool-shim`'s table of tool variables, compared below.
#[cfg(test)]
use shim_rules::tools as no_libc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_no_libc_shim_sets_each_builtin_s_variables() {
        let install = Path::new("/d/installs/x/1");
        for b in builtins() {
            let theirs: Vec<(String, OsString)> = no_libc::install_path_var(b.name().as_bytes())
                .map(|name| (name.to_string(), install.into()))
                .into_iter()
                .collect();
            assert_eq!(theirs, b.env(install), "{}", b.name());
        }
        assert_eq!(no_libc::install_path_var(b"jq"), None);
    }

    #[test]
    fn every_builtin_is_found_by_its_name() {
        for b in builtins() {
            assert_eq!(builtin(b.name()).map(|f| f.name()), Some(b.name()));
            crate::tool_name::check(b.name()).unwrap();
        }
        assert!(builtin("jq").is_none());
    }

    #[test]
    fn partial_versions_become_their_newest_release() {
        assert_eq!(exact_or_latest("v20.11.0"), "20.11.0");
        assert_eq!(exact_or_latest("20"), "latest:20");
        assert_eq!(exact_or_latest("1.21"), "latest:1.21");
    }
}
