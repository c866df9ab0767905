//! One version being installed or removed, as every backend and built-in
//! tool sees it: what to install, where, with which context, and asdf's
//! stages whose `.asdfrc` hooks run once per install.

use std::path::Path;

use crate::archive::unpack;
use crate::context::Context;
use crate::process::{Cancel, Sink};

/// How a version was asked for (asdf's `ASDF_INSTALL_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Version,
    Ref,
}

/// One version to install, and where.
pub struct Job<'a> {
    pub ctx: &'a Context,
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
    /// `install --locked`: the sha256 the bytes must have. A backend that
    /// fetches an archive uses it instead of asking for a checksum (or, the
    /// cache, skips a bucket whose record names other bytes).
    pub locked_sha256: Option<&'a str>,
}

impl Job<'_> {
    /// Where and how an archive of this job unpacks: into `dest`, `top`
    /// stripped, within `cache.max_unpacked_size`, no prefix or build check
    /// (a caller that has them sets them).
    pub fn unpack_into<'a>(&'a self, dest: &'a Path, top: &'a str) -> unpack::Options<'a> {
        unpack::Options {
            dest,
            final_path: self.final_path,
            top,
            default_prefix: None,
            max_bytes: self.ctx.installs.cache.max_unpacked_size,
            check: None,
        }
    }

    /// A download that installs as it streams: both stages' hooks run first.
    pub fn enter_download_and_install(&self) -> crate::error::Result<()> {
        self.stages.enter(Stage::Download)?;
        self.stages.enter(Stage::Install)
    }
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

/// One installed version being removed.
pub struct Removal<'a> {
    pub ctx: &'a Context,
    pub tool: &'a str,
    /// The folder name under `installs/<tool>/`.
    pub version_dir: &'a str,
    pub path: &'a Path,
}
