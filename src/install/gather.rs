//! Which installs an `install` command means: every version set here
//! (`.tool-versions` nearest first, then home, legacy files and
//! `.readthedocs.yaml` when they are read), one tool's set versions, one
//! version, or what a build config file sets; and the builder's image such
//! a file names, which becomes the cache key's `{os}`.

use std::path::Path;

use super::Request;
use crate::config::resolve::Selection;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::tools;
use crate::version::VersionSpec;

/// What was asked for, before it is turned into requests.
pub enum Asked<'a> {
    /// Everything set here.
    Here,
    /// One tool's set versions.
    Tool(&'a str),
    /// One version of one tool, as typed.
    Version(&'a str, &'a str),
    /// What a Read the Docs config file sets.
    BuildConfig(&'a Path),
}

/// The requests `asked` means here, with the context to install them in:
/// `ctx`, whose `{os}` becomes the builder's image a build config names
/// (unless the `os` setting is set).
pub fn requests(ctx: Context, asked: Asked<'_>) -> Result<(Context, Vec<Request>)> {
    let (requests, build_os) = match asked {
        Asked::BuildConfig(file) => from_build_config(&ctx, file)?,
        Asked::Here => (from_files(&ctx)?, nearest_build_os(&ctx)?),
        Asked::Tool(tool) => (set_versions(&ctx, tool)?, None),
        Asked::Version(tool, v) => (vec![one_version(&ctx, tool, v)?], None),
    };
    Ok((ctx.with_build_os(build_os), requests))
}

fn one_version(ctx: &Context, tool: &str, version: &str) -> Result<Request> {
    ctx.tools().require_known(tool)?;
    let spec = VersionSpec::parse(version)?;
    if !installable(&spec) {
        return Err(Error::Usage(format!(
            "error installing version: uninstallable version {spec} of {tool}"
        )));
    }
    Ok(Request {
        tool: tool.to_string(),
        spec,
    })
}

/// `--config FILE`: every tool its `build.tools` sets, and its `build.os`.
pub fn from_build_config(ctx: &Context, file: &Path) -> Result<(Vec<Request>, Option<String>)> {
    use crate::config::readthedocs::{Table, read};
    let path = crate::env::absolute(&ctx.env.cwd, file);
    let shipped;
    let table = match &ctx.readthedocs {
        Some(t) => t,
        None => {
            shipped = Table::builtin();
            &shipped
        }
    };
    let config = read(&path, table, &ctx.tools())?;
    let requests = config
        .tools
        .into_iter()
        .map(|t| Request {
            tool: t.tool,
            spec: VersionSpec::Version(t.version),
        })
        .collect();
    Ok((requests, config.os))
}

/// The `build.os` of the nearest `.readthedocs.yaml` (when they are read).
fn nearest_build_os(ctx: &Context) -> Result<Option<String>> {
    let tools = ctx.tools();
    let mut resolver = ctx.resolver(&tools);
    Ok(resolver.nearest_build_config()?.and_then(|c| c.os.clone()))
}

/// Every tool set here with what it is set to (`Resolver::set_here`, the
/// rule `current` shows and `install` installs).
pub fn set_here(ctx: &Context) -> Result<Vec<(String, Option<Selection>)>> {
    let tools = ctx.tools();
    let builtins: Vec<&str> = tools::builtins().map(|b| b.name()).collect();
    ctx.resolver(&tools).set_here(&tools.present(), &builtins)
}

fn installable(spec: &VersionSpec) -> bool {
    !matches!(spec, VersionSpec::System | VersionSpec::Path(_))
}

/// The versions set for one tool here.
fn set_versions(ctx: &Context, tool: &str) -> Result<Vec<Request>> {
    ctx.tools().require_known(tool)?;
    let tools = ctx.tools();
    let sel = ctx.resolver(&tools).resolve(tool)?.ok_or_else(|| {
        Error::hinted(
            format!("No versions specified for {tool} in config files or environment"),
            format!("tool install {tool} <version>, or tool set {tool} <version> first"),
        )
    })?;
    Ok(sel
        .versions
        .into_iter()
        .filter(installable)
        .map(|spec| Request {
            tool: tool.to_string(),
            spec,
        })
        .collect())
}

/// Every version of every tool set here (files nearest first, then home).
fn from_files(ctx: &Context) -> Result<Vec<Request>> {
    let mut requests = Vec::new();
    for (tool, selection) in set_here(ctx)? {
        let Some(sel) = selection else { continue };
        requests.extend(
            sel.versions
                .into_iter()
                .filter(installable)
                .map(|spec| Request {
                    tool: tool.clone(),
                    spec,
                }),
        );
    }
    if requests.is_empty() {
        return Err(Error::hinted(
            "nothing to install: no .tool-versions here or in a parent folder sets a version",
            "tool install <tool> <version>, or tool set <tool> <version> first",
        ));
    }
    Ok(requests)
}
