//! `tool where <tool> [version]` and `tool which <command>`: print paths.

use crate::cli::Ctx;
use crate::error::{Error, exit};
use crate::installed::{self, Located};
use crate::shim::find;
use crate::tools;
use crate::version::VersionSpec;

pub fn run_where(ctx: &Ctx, tool: &str, version: Option<&str>) -> anyhow::Result<i32> {
    tools::require_known(&ctx.env, tool)?;
    let (spec, base) = match version {
        Some(v) => (VersionSpec::parse(v)?, ctx.env.cwd.clone()),
        None => {
            let tools = ctx.tools();
            let sel = ctx.resolver(&tools).resolve(tool)?.ok_or_else(|| {
                Error::not_set(
                    format!("no version is set for {tool}"),
                    format!("run `tool set {tool} <version>`"),
                )
            })?;
            let base = sel.origin.base_dir(&ctx.env).to_path_buf();
            (sel.versions[0].clone(), base)
        }
    };
    match installed::locate(&ctx.env, tool, &spec, &base) {
        Located::Dir { path, .. } => {
            println!("{}", path.display());
            Ok(exit::OK)
        }
        Located::System => Err(Error::Other("System version is selected".into()).into()),
        Located::Missing => Err(Error::hinted(
            format!("Version not installed: {tool} {spec}"),
            format!("tool install {tool} {spec}"),
        )
        .into()),
    }
}

pub fn run_which(ctx: &Ctx, command: &str) -> anyhow::Result<i32> {
    let shim = ctx.env.layout.shim_path(command);
    let target = find::find(&ctx.env, ctx.legacy(), command, &shim)?;
    println!("{}", target.program.display());
    Ok(exit::OK)
}
