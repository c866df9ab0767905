//! Install backends: a small trait, and the chain of backends tried for a
//! tool. "Not available here" moves the chain on; a real error stops it.

pub mod cache;
pub mod plugin;
pub mod source;
pub mod vendor;

use std::path::Path;

use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::Error;
use crate::process::{Cancel, Sink};

/// How a version was asked for (asdf's `ASDF_INSTALL_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Version,
    Ref,
}

/// One version to install, and where.
pub struct Job<'a> {
    pub env: &'a Env,
    pub settings: &'a Settings,
    pub tool: &'a str,
    /// The version (or git ref) as the backend sees it.
    pub version: &'a str,
    pub kind: Kind,
    /// The folder name under `installs/<tool>/` (`ref-<x>` for refs).
    pub version_dir: &'a str,
    /// Where the files go: a staging folder, or the final one for in-place backends.
    pub dest: &'a Path,
    /// The final install folder (what relocatable builds are configured for).
    pub final_path: &'a Path,
    pub keep_download: bool,
    pub sink: &'a Sink,
    pub cancel: &'a Cancel,
    pub task: &'a crate::progress::Task,
    /// The install lock's descriptor: processes the backend starts inherit
    /// it, so the version stays locked while any of them lives.
    pub hold: Option<std::os::fd::RawFd>,
    /// Entered before downloading and before installing, for asdf's hooks.
    pub stages: &'a Stages<'a>,
}

/// asdf's steps of an install, before which its `.asdfrc` hooks run
/// (`pre_asdf_download_<tool>`, `pre_asdf_install_<tool>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Download,
    Install,
}

/// Runs each stage's hook once per install, whichever backend reaches the
/// stage first (a cache miss followed by a plugin install runs each once).
pub struct Stages<'a> {
    hook: &'a dyn Fn(Stage) -> crate::error::Result<()>,
    entered: std::cell::Cell<(bool, bool)>,
}

impl<'a> Stages<'a> {
    pub fn new(hook: &'a dyn Fn(Stage) -> crate::error::Result<()>) -> Self {
        Stages {
            hook,
            entered: std::cell::Cell::new((false, false)),
        }
    }

    /// Runs the stage's hook unless it already ran; a failing hook stops
    /// the install, as in asdf.
    pub fn enter(&self, stage: Stage) -> crate::error::Result<()> {
        let (download, install) = self.entered.get();
        let first = match stage {
            Stage::Download => !download,
            Stage::Install => !install,
        };
        if !first {
            return Ok(());
        }
        self.entered.set(match stage {
            Stage::Download => (true, install),
            Stage::Install => (download, true),
        });
        (self.hook)(stage)
    }
}

/// What a backend reports about an install (`--json`'s `details`).
pub type Details = serde_json::Value;

/// Why a backend did not install.
#[derive(Debug)]
pub enum Failure {
    /// Normal: this backend has nothing for this tool or version.
    NotAvailable(String),
    /// A real error: stop the chain.
    Error(Error),
}

impl<E: Into<Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::Error(e.into())
    }
}

/// One installed version being removed.
pub struct Removal<'a> {
    pub env: &'a Env,
    pub tool: &'a str,
    /// The folder name under `installs/<tool>/`.
    pub version_dir: &'a str,
    pub path: &'a Path,
}

pub trait Backend: Send + Sync {
    fn name(&self) -> &'static str;

    /// True when it must install straight into the final folder (asdf
    /// plugins write to `ASDF_INSTALL_PATH`); false to use a staging folder.
    fn in_place(&self) -> bool {
        false
    }

    /// Every version this backend can install, in its own order.
    fn list_versions(&self, env: &Env, tool: &str) -> Result<Vec<String>, Failure>;

    /// The newest stable version under `prefix`.
    fn latest(
        &self,
        env: &Env,
        tool: &str,
        prefix: Option<&str>,
    ) -> Result<Option<String>, Failure> {
        newest_listed(self, env, tool, prefix)
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure>;

    /// The backend's own step before the folder is removed (nothing by
    /// default; asdf plugins run `bin/uninstall`).
    fn uninstall(&self, _removal: &Removal<'_>) -> crate::error::Result<()> {
        Ok(())
    }
}

/// The newest stable version a backend lists under `prefix`.
pub fn newest_listed<B: Backend + ?Sized>(
    backend: &B,
    env: &Env,
    tool: &str,
    prefix: Option<&str>,
) -> Result<Option<String>, Failure> {
    let all = backend.list_versions(env, tool)?;
    Ok(crate::version::newest_matching(&all, prefix).cloned())
}

/// Every backend this build knows, by name.
pub fn by_name(name: &str, settings: &Settings) -> Option<Box<dyn Backend>> {
    match name {
        "cache" => Some(Box::new(cache::CacheBackend::new(settings.clone()))),
        "plugin" => Some(Box::new(plugin::PluginBackend)),
        "source" => Some(Box::new(source::SourceBackend)),
        "vendor" => Some(Box::new(vendor::VendorBackend::new(settings.clone()))),
        _ => None,
    }
}

pub const KNOWN: &[&str] = &["cache", "plugin", "source", "vendor"];

/// The backends tried for `tool`, in order: `--backend`, else the tool's
/// chain from the settings, else the default chain.
pub fn chain(
    env: &Env,
    settings: &Settings,
    tool: &str,
    forced: Option<&str>,
) -> crate::error::Result<Vec<Box<dyn Backend>>> {
    let names: Vec<String> = match forced {
        Some(f) => vec![f.to_string()],
        None => settings
            .backends_for(env, tool)
            .unwrap_or_else(|| default_chain(tool).iter().map(|s| s.to_string()).collect()),
    };
    names
        .iter()
        .map(|n| {
            by_name(n, settings).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown backend `{n}` (known: {})",
                    KNOWN.join(", ")
                ))
            })
        })
        .collect()
}

/// python = cache → source; Node.js, Go and Rust = cache → asdf plugin
/// (when one was added: asdf users keep what their plugin does) → official
/// releases; other tools = cache → asdf plugin.
fn default_chain(tool: &str) -> &'static [&'static str] {
    match tool {
        "python" => &["cache", "source"],
        "nodejs" | "golang" | "rust" => &["cache", "plugin", "vendor"],
        _ => &["cache", "plugin"],
    }
}

/// The default chain without the cache: what `cache build` installs with.
pub fn without_cache(chain: Vec<Box<dyn Backend>>) -> Vec<Box<dyn Backend>> {
    chain.into_iter().filter(|b| b.name() != "cache").collect()
}
