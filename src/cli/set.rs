//! `tool set [-u|-p]`, and asdf's older `local` and `global`: write versions
//! into a `.tool-versions` file, keeping everything else in it.

use std::path::PathBuf;

use clap::Args;

use crate::config::resolve::Resolver;
use crate::config::tool_versions::ToolVersions;
use crate::context::Context;
use crate::error::{Error, exit};
use crate::installed::{self, Located};
use crate::version::VersionSpec;

/// Arguments are checked here, not by clap, so errors are asdf's own words
/// (and, as in asdf, `-h` is not a flag of `set`).
#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct SetArgs {
    /// Write to $HOME/.tool-versions
    #[arg(short = 'u', long = "home")]
    home: bool,
    /// Write to the nearest existing .tool-versions in this or a parent folder
    #[arg(short = 'p', long = "parent")]
    parent: bool,
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
    tool: Option<String>,
    versions: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LegacySetArgs {
    tool: String,
    #[arg(required = true)]
    versions: Vec<String>,
}

#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Here,
    Home,
    Parent,
}

pub fn run_set(ctx: &Context, args: SetArgs) -> anyhow::Result<i32> {
    let usage = |msg: &str| Err(Error::Usage(msg.to_string()).into());
    let Some(tool) = args.tool else {
        return usage("tool and version must be provided as arguments");
    };
    if args.versions.is_empty() {
        return usage("version must be provided as an argument");
    }
    let scope = match (args.home, args.parent) {
        (true, true) => {
            return usage(
                "home and parent flags cannot both be specified; must be one location or the other",
            );
        }
        (true, _) => Scope::Home,
        (_, true) => Scope::Parent,
        _ => Scope::Here,
    };
    let versions = parse_versions(ctx, &tool, &args.versions)?;
    write(ctx, scope, &tool, versions)
}

/// `local`/`global`: like `set`, but every plain version must be installed,
/// as asdf's older commands required.
pub fn run_legacy(ctx: &Context, args: LegacySetArgs, scope: Scope) -> anyhow::Result<i32> {
    let versions = parse_versions(ctx, &args.tool, &args.versions)?;
    for spec in &versions {
        if let VersionSpec::Version(_) | VersionSpec::Ref(_) = spec
            && installed::locate(&ctx.env, &args.tool, spec, &ctx.env.cwd) == Located::Missing
        {
            return Err(Error::hinted(
                format!("version {spec} is not installed for {}", args.tool),
                format!("tool install {} {spec}", args.tool),
            )
            .into());
        }
    }
    write(ctx, scope, &args.tool, versions)
}

/// Parses the versions; `latest[:p]` becomes the newest installed match.
fn parse_versions(ctx: &Context, tool: &str, raw: &[String]) -> anyhow::Result<Vec<VersionSpec>> {
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
                )
                .into()),
            }
        })
        .collect()
}

fn target_file(ctx: &Context, scope: Scope) -> anyhow::Result<PathBuf> {
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

fn write(
    ctx: &Context,
    scope: Scope,
    tool: &str,
    versions: Vec<VersionSpec>,
) -> anyhow::Result<i32> {
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
    Ok(exit::OK)
}
