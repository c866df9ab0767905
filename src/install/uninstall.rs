//! Uninstall, under the same per-version lock as install: the hooks, each
//! backend's own removal step (an asdf plugin's `bin/uninstall`), then the
//! folder renamed into a trash folder beside it (the same filesystem, so
//! the rename works on any mount) and deleted. A version is never seen
//! half-removed yet installed, and never removed while it is installing:
//! whether it is installed is decided under the lock, after any install
//! of it has ended.

use std::path::Path;

use super::lock;
use crate::backend::{self, Removal};
use crate::context::Context;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::hooks;
use crate::shim::reshim;
use crate::version::{VersionSpec, check_path_component};

/// `tool uninstall <tool> <version>`: `version` as the user wrote it (a
/// version or `ref:…`), removed with `uninstall`.
pub fn command(ctx: &Context, tool: &str, version: &str) -> Result<()> {
    ctx.tools().require_known(tool)?;
    let dir = match VersionSpec::parse(version)? {
        spec @ (VersionSpec::Version(_) | VersionSpec::Ref(_)) => {
            spec.install_dir_name().unwrap_or_default()
        }
        _ => {
            return Err(Error::Usage(format!(
                "`{version}` is not an installable version"
            )));
        }
    };
    check_path_component("version", &dir)?;
    uninstall(ctx, tool, &dir, version)
}

/// Removes `installs/<tool>/<dir>` (`version` as the user wrote it, for
/// hooks and messages), then the shims nothing provides any more.
pub fn uninstall(ctx: &Context, tool: &str, dir: &str, version: &str) -> Result<()> {
    let (env, settings) = (&ctx.env, &ctx.settings);
    let path = env.layout.install_path(tool, dir);
    if let Some(shared) = crate::installed::shared_location(env, tool, dir) {
        return Err(Error::hinted(
            format!(
                "{tool} {version} is in the shared installs at {}, which tool never changes: nothing to uninstall here",
                shared.display()
            ),
            "remove it from that folder itself, or drop the folder from shared_installs",
        ));
    }
    // Every install of the tool holds a lock file in this folder: without
    // it, nothing is installed or being installed.
    if !env.layout.tool_installs_dir(tool).is_dir() {
        return Err(Error::NoSuchVersion);
    }
    // Decided under the lock: a staged install's folder appears only when
    // it commits, so wait for any install of the version to end first.
    let lock = lock::acquire(env, tool, dir, || {
        crate::progress::note(&format!(
            "waiting for another install of {tool} {version} to finish"
        ))
    })?;
    if !path.is_dir() {
        lock.remove();
        return Err(Error::NoSuchVersion);
    }
    let hook = |when: &str| {
        hooks::run(
            settings,
            &format!("{when}_asdf_uninstall_{tool}"),
            &[version],
        )
    };
    hook("pre")?;
    let removal = Removal {
        ctx,
        tool,
        version_dir: dir,
        path: &path,
    };
    for b in backend::chain(ctx, tool, None)? {
        b.uninstall(&removal)?;
    }
    if path.exists() {
        remove_dir(env, tool, dir, &path)?;
    }
    let _ = std::fs::remove_file(env.layout.incomplete_marker(tool, dir));
    let _ = std::fs::remove_file(env.layout.fetched_record(tool, dir));
    lock.remove();
    reshim::refresh(env)?;
    hook("post")
}

/// Renames the folder out of the way first, so an interrupted removal never
/// leaves a half-deleted version that still looks installed.
fn remove_dir(env: &Env, tool: &str, dir: &str, path: &Path) -> Result<()> {
    let trash = env.layout.trash_path(tool, dir);
    fs_err::rename(path, &trash)?;
    fs_err::remove_dir_all(&trash)?;
    Ok(())
}
