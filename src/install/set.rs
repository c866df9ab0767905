//! `tool set [-u|-p]`, and asdf's older `local` and `global`: which file a
//! scope writes, `latest[:p]` taken as the newest installed match, and the
//! versions written into the `.tool-versions` file, keeping everything else
//! in it (with shims refreshed when a shared install becomes current).

use std::path::PathBuf;

use crate::config::resolve::Resolver;
use crate::config::tool_versions::ToolVersions;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::installed::{self, Located};
use crate::version::VersionSpec;

/// Which `.tool-versions` file a set writes.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// The current folder's.
    Here,
    /// `$HOME`'s.
    Home,
    /// The nearest existing one in this or a parent folder.
    Parent,
}

/// Sets `tool` to `raw` versions in `scope`'s file; with `must_be_installed`
/// (asdf's `local` and `global`), every plain version must be installed.
pub fn set(
    ctx: &Context,
    scope: Scope,
    tool: &str,
    raw: &[String],
    must_be_installed: bool,
) -> Result<()> {
    let versions = parse_versions(ctx, tool, raw)?;
    if must_be_installed {
        for spec in &versions {
            if let VersionSpec::Version(_) | VersionSpec::Ref(_) = spec
                && installed::locate(&ctx.env, tool, spec, &ctx.env.cwd) == Located::Missing
            {
                return Err(Error::hinted(
                    format!("version {spec} is not installed for {tool}"),
                    format!("tool install {tool} {spec}"),
                ));
            }
        }
    }
    write(ctx, scope, tool, versions)
}

/// Parses the versions; `latest[:p]` becomes the newest installed match.
fn parse_versions(ctx: &Context, tool: &str, raw: &[String]) -> Result<Vec<VersionSpec>> {
    ctx.tools().require_known(tool)?;
    raw.iter()
        .map(|r| {
            let spec = VersionSpec::parse(r)?;
            let VersionSpec::Latest(_) = spec else {
                return Ok(spec);
            };
            match installed::locate(&ctx.env, tool, &spec, &ctx.env.cwd) {
                Located::Dir { version, .. } => Ok(VersionSpec::Version(version)),
                _ => Err(Error::hinted(
                    format!("no installed version of {tool} matches `{spec}`"),
                    format!("install one first with `tool install {tool} {spec}`"),
                )),
            }
        })
        .collect()
}

fn target_file(ctx: &Context, scope: Scope) -> Result<PathBuf> {
    Ok(match scope {
        Scope::Here => ctx.env.cwd.join(&ctx.env.tool_versions_filename),
        Scope::Home => ctx.env.home_tool_versions(),
        Scope::Parent => Resolver::new(&ctx.env, false, &ctx.tools())
            .nearest_file()
            .ok_or_else(|| {
                Error::hinted(
                    format!(
                        "No {} version file found in parent directory",
                        ctx.env.tool_versions_filename
                    ),
                    "run `tool set` without -p to create one here",
                )
            })?,
    })
}

fn write(ctx: &Context, scope: Scope, tool: &str, versions: Vec<VersionSpec>) -> Result<()> {
    let path = target_file(ctx, scope)?;
    let shared = versions.iter().any(|v| match v {
        VersionSpec::Version(dir) => installed::shared_location(&ctx.env, tool, dir).is_some(),
        _ => false,
    });
    ToolVersions::edit(&path, |file| file.set(tool, versions))?;
    // A version from the shared installs was never installed here, so no
    // install made its shims: setting it is enough to run it.
    if shared {
        crate::shim::reshim::refresh(&ctx.env)?;
    }
    Ok(())
}
