//! What a tool's backend chain can install: `list all` (every backend's
//! list merged; one alone keeps its own order, as asdf shows a plugin's)
//! and `latest` for one tool or for every tool of the data dir; and `where`:
//! the folder of the version set here, or of one named.

use std::path::PathBuf;

use crate::backend::{self, Failure};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::installed::{self, Located};
use crate::version::VersionSpec;

/// Every version `tool`'s chain lists that starts with `prefix`; asdf's
/// "No compatible versions available" when none does, with what each
/// backend said.
pub fn list_all(ctx: &Context, tool: &str, prefix: Option<&str>) -> Result<Vec<String>> {
    Ok(listed(ctx, tool, prefix)?
        .into_iter()
        .map(|l| l.version)
        .collect())
}

/// One installable version and the backends that list it, in chain order
/// (`list all --json`: `prebuilt` marks a version that installs prebuilt).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    pub version: String,
    pub backends: Vec<&'static str>,
}

/// [`list_all`] with the backends that list each version.
pub fn listed(ctx: &Context, tool: &str, prefix: Option<&str>) -> Result<Vec<Listed>> {
    ctx.tools().require_known(tool)?;
    let chain = backend::chain(ctx, tool, None)?;
    let mut versions: Vec<Listed> = Vec::new();
    let mut why = Vec::new();
    let mut listed = 0;
    for b in &chain {
        match b.list_versions(ctx, tool) {
            // Only a backend that lists something counts.
            Ok(list) if list.is_empty() => {}
            Ok(list) => {
                listed += 1;
                let known: std::collections::HashMap<String, usize> = (versions.iter())
                    .enumerate()
                    .map(|(i, l)| (l.version.clone(), i))
                    .collect();
                for v in list {
                    match known.get(&v) {
                        Some(&i) => versions[i].backends.push(b.name()),
                        None => versions.push(Listed {
                            version: v,
                            backends: vec![b.name()],
                        }),
                    }
                }
            }
            Err(Failure::NotAvailable(w)) => why.push(format!("{}: {w}", b.name())),
            Err(Failure::Error(e)) => return Err(e),
        }
    }
    if listed > 1 {
        versions.sort_by(|a, b| crate::version::compare(&a.version, &b.version));
    }
    versions.retain(|l| prefix.is_none_or(|p| l.version.starts_with(p)));
    if versions.is_empty() {
        let what = prefix.map_or_else(|| tool.to_string(), |p| format!("{tool} {p}"));
        let what = format!("No compatible versions available ({what})");
        return Err(match why.is_empty() {
            true => Error::hinted(what, ""),
            false => Error::NoVersion { what, why },
        });
    }
    Ok(versions)
}

/// The newest version `tool`'s chain can install (matching `prefix`).
pub fn latest(ctx: &Context, tool: &str, prefix: Option<&str>) -> Result<String> {
    Ok(latest_from(ctx, tool, prefix)?.0)
}

/// [`latest`] and the first backend of the chain that offers it.
pub fn latest_from(
    ctx: &Context,
    tool: &str,
    prefix: Option<&str>,
) -> Result<(String, &'static str)> {
    ctx.tools().require_known(tool)?;
    let chain = backend::chain(ctx, tool, None)?;
    super::resolve::latest_from(ctx, &chain, tool, prefix)
}

/// The backend `tool` `version` would be installed by here, and what it
/// would fetch, asking as little as a lock does (`tool info <tool> <version>`).
pub fn source_of(ctx: &Context, tool: &str, version: &str) -> Result<crate::lockfile::Entry> {
    ctx.tools().require_known(tool)?;
    super::locked::entry_for(ctx, tool, version)
}

/// One tool's answer to `latest --all`: its newest version and whether
/// that is installed, or why there is none.
pub type Newest = (String, Result<(String, bool)>);

/// `latest --all`: an answer for each tool of the data dir.
pub fn latest_of_all(ctx: &Context) -> Result<Vec<Newest>> {
    let mut out = Vec::new();
    for name in ctx.tools().present() {
        let chain = backend::chain(ctx, &name, None)?;
        let answer = super::resolve::latest(ctx, &chain, &name, None).map(|v| {
            let installed = installed::is_installed(&ctx.env, &name, &v);
            (v, installed)
        });
        out.push((name, answer));
    }
    Ok(out)
}

/// `tool where <tool> [version]`: the install folder of `version`, or of
/// the version set here; asdf's words when there is none.
pub fn where_installed(ctx: &Context, tool: &str, version: Option<&str>) -> Result<PathBuf> {
    let tools = ctx.tools();
    tools.require_known(tool)?;
    let (spec, base) = match version {
        Some(v) => (VersionSpec::parse(v)?, ctx.env.cwd.clone()),
        None => {
            let program = &ctx.env.program;
            let sel = ctx.resolver(&tools).resolve(tool)?.ok_or_else(|| {
                Error::hinted(
                    format!(
                        "No version is set for {tool}; please run `{program} set [options] {tool} <version>`"
                    ),
                    "",
                )
            })?;
            let base = sel.origin.base_dir(&ctx.env).to_path_buf();
            (sel.versions[0].clone(), base)
        }
    };
    match installed::locate(&ctx.env, tool, &spec, &base) {
        Located::Dir { path, .. } => Ok(path),
        Located::System => Err(Error::hinted(
            "System version is selected",
            format!("the system's own {tool} is found on PATH outside the shims"),
        )),
        Located::Missing => Err(Error::hinted(
            "Version not installed",
            format!("{} install {tool} {spec}", ctx.env.program),
        )),
    }
}

/// The installed versions of `tool` (those starting with `filter`, when
/// given), oldest first, each with whether it is current here.
pub fn installed(ctx: &Context, tool: &str, filter: Option<&str>) -> Result<Vec<(String, bool)>> {
    ctx.tools().require_known(tool)?;
    let versions: Vec<String> = installed::versions(&ctx.env, tool)
        .into_iter()
        .filter(|v| filter.is_none_or(|f| v.starts_with(f)))
        .collect();
    if versions.is_empty() {
        return Ok(Vec::new());
    }
    let tools = ctx.tools();
    let current: Vec<String> = match ctx.resolver(&tools).resolve(tool)? {
        Some(sel) => (sel.versions.iter())
            .filter_map(|spec| {
                let base = sel.origin.base_dir(&ctx.env);
                match installed::locate(&ctx.env, tool, spec, base) {
                    Located::Dir { version, .. } => Some(version),
                    _ => None,
                }
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(versions
        .into_iter()
        .map(|v| {
            let is_current = current.contains(&v);
            (v, is_current)
        })
        .collect())
}

/// The tools present here: plugins and built-in tools with installs.
pub fn present(ctx: &Context) -> Vec<String> {
    ctx.tools().present().into_iter().collect()
}
