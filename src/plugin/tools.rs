//! The answers config asks for (`config::ToolInfo`): from an asdf plugin's
//! scripts (cached by `meta`) when the tool is a plugin, else from the
//! built-in definition.

use std::path::Path;

use super::{Plugin, meta};
use crate::config::ToolInfo;
use crate::env::Env;
use crate::error::Result;

/// Every tool of one data dir.
pub struct Tools<'a> {
    pub env: &'a Env,
}

impl ToolInfo for Tools<'_> {
    fn legacy_filenames(&self, tool: &str) -> Vec<String> {
        match Plugin::find(self.env, tool) {
            Some(plugin) => meta::legacy_filenames(self.env, &plugin),
            None => crate::tools::builtin(tool).map_or_else(Vec::new, |b| b.legacy_filenames),
        }
    }

    fn parse_legacy_file(&self, tool: &str, path: &Path) -> Result<Option<String>> {
        match Plugin::find(self.env, tool) {
            Some(plugin) => meta::parse_legacy_file(&plugin, path),
            None => crate::config::legacy_files::parse(tool, path),
        }
    }

    fn bin_paths(&self, tool: &str, version_dir: &str, install_path: &Path) -> Vec<String> {
        match Plugin::find(self.env, tool) {
            Some(plugin) => meta::bin_paths(self.env, &plugin, version_dir, install_path),
            None => vec!["bin".to_string()],
        }
    }
}
