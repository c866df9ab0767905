//! What `tool install` and `tool lock` do, from what was asked to what the
//! command line prints: the requests and the context they install in
//! (`gather`), the backend named checked, the lockfile read for `--locked`,
//! the batch run and finished; the lock computed, compared or written.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Options;
use super::batch::{self, Report};
use super::gather::{self, Asked};
use super::locked::{self, Locked};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::lockfile::{self, Lock};

/// How `tool install` was asked to install.
pub struct Install<'a> {
    pub asked: Asked<'a>,
    /// `--config FILE`: the build config the versions come from.
    pub config: Option<&'a Path>,
    pub keep_download: bool,
    /// `--backend`: only this one.
    pub backend: Option<String>,
    /// `--locked` (or the `locked` setting): only what the lockfile names.
    pub locked: bool,
    /// `--json`: results on stdout, build output to logs.
    pub json: bool,
}

/// Installs what `install` asks for; a report per version and the exit code.
pub fn install(ctx: Context, install: Install<'_>) -> Result<(Vec<Report>, i32)> {
    let (ctx, requests) = gather::requests(ctx, install.asked)?;
    if let Some(name) = &install.backend {
        crate::backend::require_known(name)?;
    }
    let locked = match install.locked || ctx.settings.values.locked {
        true => Some(Arc::new(read_lock(&ctx, install.config)?)),
        false => None,
    };
    let options = Options {
        keep_download: install.keep_download,
        backend: install.backend,
        no_cache: false,
        locked,
    };
    let mut reports = batch::run(&ctx, &requests, &options, install.json);
    let code = batch::finish(&ctx, &mut reports);
    Ok((reports, code))
}

/// The lockfile beside the version file, which must exist.
fn read_lock(ctx: &Context, config: Option<&Path>) -> Result<Locked> {
    let file = locked::version_file(ctx, config)?;
    let path = lockfile::path_for(&file);
    let Some(lock) = Lock::read(&path)? else {
        return Err(Error::hinted(
            format!("--locked, but there is no {}", path.display()),
            "write it with `tool lock`",
        ));
    };
    let host = crate::platform::Host::detect(ctx.settings.values.os.as_deref());
    Ok(Locked {
        path,
        lock,
        platform: crate::backend::platform(&host),
    })
}

/// A lock computed for what is set here (or in `config`), beside the one
/// on disk.
pub struct Computed {
    pub path: PathBuf,
    pub previous: Option<Lock>,
    pub lock: Lock,
}

impl Computed {
    /// What changed since the lockfile read, one line per entry.
    pub fn differences(&self) -> Vec<String> {
        let new = &self.lock;
        let Some(old) = self.previous.as_ref() else {
            return vec!["there is no lockfile".into()];
        };
        let mut out = Vec::new();
        for e in &new.entries {
            match old
                .entries
                .iter()
                .find(|o| o.tool == e.tool && o.platform == e.platform)
            {
                None => out.push(format!("{} {}: not locked", e.tool, e.version)),
                Some(o) if o != e => out.push(format!(
                    "{}: locked {} {} sha256 {}, now {} {} sha256 {}",
                    e.tool,
                    o.version,
                    o.backend,
                    o.sha256.as_deref().unwrap_or("-"),
                    e.version,
                    e.backend,
                    e.sha256.as_deref().unwrap_or("-")
                )),
                Some(_) => {}
            }
        }
        for o in &old.entries {
            if !new.entries.iter().any(|e| e.tool == o.tool) {
                out.push(format!("{}: locked but no longer set", o.tool));
            }
        }
        out
    }

    /// Whether the lockfile on disk is this lock.
    pub fn up_to_date(&self) -> bool {
        self.previous.as_ref() == Some(&self.lock)
    }

    /// Writes the lockfile.
    pub fn write(&self) -> Result<()> {
        self.lock.write(&self.path)
    }
}

/// `tool lock`: the lock of what is set here, or in the build config
/// `config`, on this platform, with the lockfile it would replace.
pub fn lock(ctx: Context, config: Option<&Path>) -> Result<Computed> {
    let file = locked::version_file(&ctx, config)?;
    let asked = match config {
        Some(f) => Asked::BuildConfig(f),
        None => Asked::Here,
    };
    let (ctx, requests) = gather::requests(ctx, asked)?;
    let path = lockfile::path_for(&file);
    let previous = Lock::read(&path)?;
    let lock = locked::compute(&ctx, &requests, previous.clone())?;
    Ok(Computed {
        path,
        previous,
        lock,
    })
}
