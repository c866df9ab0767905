//! What configuration needs to know about a tool that only the tool's
//! definition (a built-in or an asdf plugin) can say. Config defines the
//! question; `tools::Tools` answers it, and callers pass it in, so config
//! never runs plugin scripts itself.

use std::path::Path;

use crate::error::Result;

pub trait ToolInfo {
    /// Legacy version files the tool reads (`.python-version`, `.nvmrc`…).
    fn legacy_filenames(&self, tool: &str) -> Vec<String>;

    /// The versions a legacy file sets, as text, when the tool parses it
    /// itself (`parse-legacy-file`); `None` to read the file's words.
    fn parse_legacy_file(&self, tool: &str, path: &Path) -> Result<Option<String>>;

    /// Folders holding a version's executables, relative to its install folder.
    fn bin_paths(&self, tool: &str, version_dir: &str, install_path: &Path) -> Vec<String>;

    /// The tool that installs what `.readthedocs.yaml`'s `build.tools`
    /// calls `name`; `None` when nothing here can.
    fn for_readthedocs(&self, name: &str) -> Option<String>;
}
