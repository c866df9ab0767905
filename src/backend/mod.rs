//! Install backends: a small trait, and the chain of backends tried for a
//! tool. "Not available here" moves the chain on; a real error stops it.

pub mod build;
pub mod cache;
pub mod plugin;
pub mod prebuilt;
pub mod upstream;

use crate::context::Context;
use crate::error::Error;
pub use crate::job::{Details, Job, Kind, Removal, Stage, Stages};
pub use crate::lockfile::Entry;

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

/// The lock entry of `tool` `version` with only what every backend knows.
pub fn entry(backend: &str, tool: &str, version: &str) -> Entry {
    Entry {
        tool: tool.to_string(),
        version: version.to_string(),
        backend: backend.to_string(),
        platform: None,
        source: None,
        sha256: None,
        size: None,
        signed_by: None,
        note: None,
    }
}

/// A lock entry's platform: `os/arch`.
pub fn platform(host: &crate::platform::Host) -> String {
    format!("{}/{}", host.os, host.arch)
}

pub trait Backend: Send + Sync {
    fn name(&self) -> &'static str;

    /// True when it must install straight into the final folder (asdf
    /// plugins write to `ASDF_INSTALL_PATH`); false to use a staging folder.
    fn in_place(&self) -> bool {
        false
    }

    /// Every version this backend can install, in its own order.
    fn list_versions(&self, ctx: &Context, tool: &str) -> Result<Vec<String>, Failure>;

    /// The newest stable version under `prefix`.
    fn latest(
        &self,
        ctx: &Context,
        tool: &str,
        prefix: Option<&str>,
    ) -> Result<Option<String>, Failure> {
        newest_listed(self, ctx, tool, prefix)
    }

    fn install(&self, job: &Job<'_>) -> Result<Details, Failure>;

    /// What an install of exactly `version` would fetch here, for a
    /// lockfile, asking as little as it can; `NotAvailable` when this
    /// backend would not install it.
    fn lock(&self, _ctx: &Context, tool: &str, _version: &str) -> Result<Entry, Failure> {
        Err(Failure::NotAvailable(format!(
            "{} cannot say which bytes it would install for {tool}",
            self.name()
        )))
    }

    /// The backend's own step before the folder is removed (nothing by
    /// default; asdf plugins run `bin/uninstall`).
    fn uninstall(&self, _removal: &Removal<'_>) -> crate::error::Result<()> {
        Ok(())
    }
}

/// The newest stable version a backend lists under `prefix`.
pub fn newest_listed<B: Backend + ?Sized>(
    backend: &B,
    ctx: &Context,
    tool: &str,
    prefix: Option<&str>,
) -> Result<Option<String>, Failure> {
    let all = backend.list_versions(ctx, tool)?;
    Ok(crate::version::newest_matching(&all, prefix).cloned())
}

/// Every backend this build knows, by name (`vendor` is the upstream
/// backend's former name, still accepted).
pub fn by_name(name: &str) -> Option<Box<dyn Backend>> {
    match name {
        "cache" => Some(Box::new(cache::CacheBackend)),
        "installer" => Some(Box::new(build::INSTALLER)),
        "plugin" => Some(Box::new(plugin::PluginBackend)),
        "prebuilt" => Some(Box::new(prebuilt::PrebuiltBackend)),
        "source" => Some(Box::new(build::SOURCE)),
        "upstream" | "vendor" => Some(Box::new(upstream::UpstreamBackend)),
        _ => None,
    }
}

pub const KNOWN: &[&str] = &[
    "cache",
    "installer",
    "plugin",
    "prebuilt",
    "source",
    "upstream",
];

/// The backends tried for `tool`, in order: `--backend`, else the tool's
/// chain from the settings, else its built-in chain (cache → plugin for a
/// tool without one).
pub fn chain(
    ctx: &Context,
    tool: &str,
    forced: Option<&str>,
) -> crate::error::Result<Vec<Box<dyn Backend>>> {
    let names: Vec<String> = match forced {
        Some(f) => vec![f.to_string()],
        None => ctx
            .settings
            .backends_for(&ctx.env, tool)
            .unwrap_or_else(|| {
                crate::tools::default_chain(tool)
                    .iter()
                    .map(|s| s.to_string())
                    .collect()
            }),
    };
    names
        .iter()
        .map(|n| by_name(n).ok_or_else(|| unknown(n)))
        .collect()
}

/// An error unless `name` is a backend this build knows.
pub fn require_known(name: &str) -> Result<(), Error> {
    by_name(name).map(|_| ()).ok_or_else(|| unknown(name))
}

fn unknown(name: &str) -> Error {
    Error::Usage(format!(
        "unknown backend `{name}` (known: {})",
        KNOWN.join(", ")
    ))
}

/// The default chain without the cache: what `cache build` installs with.
pub fn without_cache(chain: Vec<Box<dyn Backend>>) -> Vec<Box<dyn Backend>> {
    chain.into_iter().filter(|b| b.name() != "cache").collect()
}
