//! The one install sequence every backend goes through: resolve the version,
//! take the per-version lock, clean what an interrupted install left, try the
//! backends in order (staging folder + rename, or in place with an
//! `.incomplete` marker), and commit. A version is never seen installed
//! before it is complete.

pub mod batch;
pub mod cache_adopt;
pub mod cache_build;
pub mod cache_plan;
pub mod cache_publish;
pub mod command;
pub mod current;
pub mod gather;
pub mod leftovers;
pub mod lock;
pub mod locked;
pub mod plugin_test;
pub mod rebuild;
pub mod reshim;
pub mod resolve;
pub mod set;
pub mod uninstall;
pub mod versions;

use std::os::fd::RawFd;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::backend::{self, Backend, Details, Failure, Job, Kind, Stage, Stages};
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::process::{Cancel, Sink};
use crate::progress::Task;
use crate::version::VersionSpec;
use crate::{hooks, installed};

pub use rebuild::rebuild;
pub use resolve::resolve;
pub use uninstall::uninstall;

/// What was asked: a tool and a version spec.
#[derive(Debug, Clone)]
pub struct Request {
    pub tool: String,
    pub spec: VersionSpec,
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub keep_download: bool,
    /// `--backend`: use only this one.
    pub backend: Option<String>,
    /// Leave the cache out of the chain (`cache build`).
    pub no_cache: bool,
    /// `--locked`: only what this lockfile names.
    pub locked: Option<std::sync::Arc<locked::Locked>>,
}

/// A backend that had nothing for this version.
#[derive(Debug, Clone, Serialize)]
pub struct Tried {
    pub backend: &'static str,
    pub reason: String,
}

/// A version resolved for installing.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// What the backend is given (`3.9.6`, or the git ref).
    pub version: String,
    pub kind: Kind,
    /// The folder under `installs/<tool>/`.
    pub dir: String,
}

/// How an install ended.
#[derive(Debug)]
pub struct Done {
    pub resolved: Resolved,
    pub path: PathBuf,
    /// The backend that installed it; `None` when it was already installed.
    pub backend: Option<&'static str>,
    pub details: Details,
    /// Backends before it that had nothing (a cache miss, say).
    pub tried: Vec<Tried>,
}

/// Everything one install needs besides the request.
pub struct Run<'a> {
    pub ctx: &'a Context,
    pub options: &'a Options,
    pub sink: &'a Sink,
    pub cancel: &'a Cancel,
}

/// Installs one version through the chain of backends. A tool nothing
/// knows is refused before anything is written (it gets no folder).
pub fn install(cx: &Run<'_>, req: &Request, task: &mut Task) -> Result<Done> {
    install_noting(cx, req, task, &mut Vec::new())
}

/// [`install`], noting in `tried` each backend that had nothing and why,
/// whether or not a later one installs it.
pub fn install_noting(
    cx: &Run<'_>,
    req: &Request,
    task: &mut Task,
    tried: &mut Vec<Tried>,
) -> Result<Done> {
    let env = &cx.ctx.env;
    crate::tools::Tools::new(env).require_known(&req.tool)?;
    let (chain, pinned) = chain_for(cx, req)?;
    let resolved = resolve(cx.ctx, &chain, req)?;
    task.set_label(format!("{} {}", req.tool, resolved.version));
    let path = env.layout.install_path(&req.tool, &resolved.dir);
    let already = |resolved: Resolved| Done {
        path: installed::location(env, &req.tool, &resolved.dir).unwrap_or_else(|| path.clone()),
        resolved,
        backend: None,
        details: Details::Null,
        tried: Vec::new(),
    };
    if installed_here(env, &req.tool, &resolved.dir, pinned)? {
        return Ok(already(resolved));
    }
    let lock = lock::acquire(env, &req.tool, &resolved.dir, || {
        task.step("waiting for another install of this version to finish")
    })?;
    if installed_here(env, &req.tool, &resolved.dir, pinned)? {
        return Ok(already(resolved));
    }
    leftovers::sweep(env, &req.tool, &resolved.dir);
    leftovers::clean(env, &req.tool, &resolved.dir)?;
    let hook = |name: &str| run_hook(cx, task, &format!("{name}_{}", req.tool), &resolved.version);
    let before = |stage: Stage| {
        hook(match stage {
            Stage::Download => "pre_asdf_download",
            Stage::Install => "pre_asdf_install",
        })
    };
    let stages = Stages::new(&before);
    let target = Target {
        cx,
        tool: &req.tool,
        resolved: &resolved,
        path: &path,
        task,
        hold: lock.fd(),
        stages: &stages,
        pinned,
    };
    let attempt = try_chain(&target, &chain, tried)
        .and_then(|found| hook("post_asdf_install").map(|()| found));
    let (backend, details) = match attempt {
        Ok(found) => found,
        Err(e) if installed::is_installed(env, &req.tool, &resolved.dir) => return Err(e),
        Err(e) => {
            lock.remove();
            return Err(e);
        }
    };
    Ok(Done {
        resolved,
        path,
        backend: Some(backend),
        details,
        tried: tried.clone(),
    })
}

/// Runs the `.asdfrc` hook `name` with the version as its argument, with
/// progress out of its way.
fn run_hook(cx: &Run<'_>, task: &Task, name: &str, version: &str) -> Result<()> {
    let args = [version];
    task.suspend(|| match cx.sink {
        Sink::Terminal => hooks::run(&cx.ctx.settings, name, &args),
        Sink::Log(_) => hooks::run_beside_data(&cx.ctx.settings, name, &args),
    })
}

/// Whether the version is installed already; under `--locked`, an error
/// unless it is the locked bytes.
fn installed_here(
    env: &crate::env::Env,
    tool: &str,
    dir: &str,
    pinned: Option<&crate::lockfile::Entry>,
) -> Result<bool> {
    let here = installed::is_installed(env, tool, dir);
    if let (true, Some(entry)) = (here, pinned) {
        locked::check_installed(env, entry, dir)?;
    }
    Ok(here)
}

/// The backends an install tries, in order.
type Chain = Vec<Box<dyn Backend>>;

/// The backends to try for `req`, and its lock entry under `--locked`
/// (whose backend is then the only one).
fn chain_for<'a>(
    cx: &'a Run<'_>,
    req: &Request,
) -> Result<(Chain, Option<&'a crate::lockfile::Entry>)> {
    let pinned = match &cx.options.locked {
        Some(l) => Some(locked::entry(l, req)?),
        None => None,
    };
    let forced = (pinned.map(|e| e.backend.as_str())).or(cx.options.backend.as_deref());
    let mut chain = backend::chain(cx.ctx, &req.tool, forced)?;
    if cx.options.no_cache {
        chain = backend::without_cache(chain);
    }
    Ok((chain, pinned))
}

/// One version being installed, as every backend attempt sees it.
struct Target<'a> {
    cx: &'a Run<'a>,
    tool: &'a str,
    resolved: &'a Resolved,
    path: &'a Path,
    task: &'a Task,
    /// The install lock's descriptor.
    hold: RawFd,
    stages: &'a Stages<'a>,
    /// `--locked`: what the bytes must be.
    pinned: Option<&'a crate::lockfile::Entry>,
}

/// Tries each backend in turn; `tried` gets each one that had nothing.
fn try_chain(
    t: &Target<'_>,
    chain: &[Box<dyn Backend>],
    tried: &mut Vec<Tried>,
) -> Result<(&'static str, Details)> {
    let (cx, task, path, resolved, tool) = (t.cx, t.task, t.path, t.resolved, t.tool);
    for backend in chain {
        cx.cancel.check()?;
        task.step(&format!("installing with {}", backend.name()));
        // Before the commit: the locked bytes, and the record of what was
        // fetched (a record that cannot be written fails the install).
        let seal = |details: &Details| {
            if let Some(entry) = t.pinned {
                locked::check(entry, details)?;
            }
            locked::remember(&cx.ctx.env, tool, &resolved.dir, backend.name(), details)
        };
        let attempt = if backend.in_place() {
            let job = make_job(t, path);
            in_place(&cx.ctx.env, backend.as_ref(), &job, &resolved.dir, seal)
        } else {
            staged(backend.as_ref(), path, |dest| {
                let details = backend.install(&make_job(t, dest))?;
                seal(&details).map(|()| details)
            })
        };
        match attempt {
            Ok(details) => return Ok((backend.name(), details)),
            Err(Failure::NotAvailable(reason)) => tried.push(Tried {
                backend: backend.name(),
                reason,
            }),
            Err(Failure::Error(Error::Interrupted)) => return Err(Error::Interrupted),
            Err(Failure::Error(e)) => {
                return Err(Error::Backend {
                    backend: backend.name(),
                    source: Box::new(e),
                });
            }
        }
    }
    Err(Error::NoVersion {
        what: format!("no backend could install {tool} {}", resolved.version),
        why: tried
            .iter()
            .map(|t| format!("{}: {}", t.backend, t.reason))
            .collect(),
    })
}

/// Backends that write into the final folder: an `.incomplete` marker makes
/// the folder count as not installed until the backend has finished.
fn in_place(
    env: &Env,
    backend: &dyn Backend,
    job: &Job<'_>,
    dir: &str,
    seal: impl FnOnce(&Details) -> Result<(), Failure>,
) -> Result<Details, Failure> {
    let marker = env.layout.incomplete_marker(job.tool, dir);
    fs_err::write(&marker, b"")?;
    let result = fs_err::create_dir_all(job.dest)
        .map_err(Failure::from)
        .and_then(|()| backend.install(job))
        .and_then(|details| check_not_empty(backend, job.dest).map(|()| details))
        .and_then(|details| seal(&details).map(|()| details));
    match &result {
        Ok(_) => crate::fs::sync_filesystem(job.dest)?,
        Err(_) => {
            let _ = std::fs::remove_dir_all(job.dest);
        }
    }
    fs_err::remove_file(&marker)?;
    if let Some(parent) = marker.parent() {
        crate::fs::sync_dir(parent)?;
    }
    result
}

/// Backends that fill a staging folder beside the final one, then rename.
fn staged(
    backend: &dyn Backend,
    path: &Path,
    install: impl FnOnce(&Path) -> Result<Details, Failure>,
) -> Result<Details, Failure> {
    let parent = path.parent().unwrap_or(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let staging = crate::fs::temp_dir_in(parent, &format!(".{name}.staging-"))?;
    let details = install(staging.path())?;
    check_not_empty(backend, staging.path())?;
    // Durable before it is visible: a power loss never shows a half-written
    // version under its final name.
    crate::fs::sync_filesystem(staging.path())?;
    let kept = staging.keep();
    std::fs::rename(&kept, path).map_err(|e| {
        let _ = std::fs::remove_dir_all(&kept);
        Failure::Error(Error::io("cannot move the staged install to", path, e))
    })?;
    crate::fs::sync_dir(parent)?;
    Ok(details)
}

/// The job for one backend; `dest` is where files go (the final folder for
/// in-place backends).
fn make_job<'a>(t: &'a Target<'a>, dest: &'a Path) -> Job<'a> {
    let cx = t.cx;
    Job {
        ctx: cx.ctx,
        tool: t.tool,
        version: &t.resolved.version,
        kind: t.resolved.kind,
        version_dir: &t.resolved.dir,
        dest,
        final_path: t.path,
        keep_download: cx.options.keep_download || cx.ctx.settings.values.always_keep_download,
        sink: cx.sink,
        cancel: cx.cancel,
        task: t.task,
        hold: Some(t.hold),
        stages: t.stages,
        locked_sha256: t.pinned.and_then(|e| e.sha256.as_deref()),
    }
}

fn check_not_empty(backend: &dyn Backend, dir: &Path) -> Result<(), Failure> {
    let empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true);
    if empty {
        return Err(Failure::Error(Error::InstalledNothing {
            backend: backend.name(),
            dir: dir.to_path_buf(),
        }));
    }
    Ok(())
}
