//! `tool where <tool> [version]` and `tool which <command>`: print paths.

use crate::context::Context;
use crate::error::{Error, exit};
use crate::installed::{self, Located};
use crate::shim::find;
use crate::tools::Tools;
use crate::version::VersionSpec;

pub fn run_where(ctx: &Context, tool: &str, version: Option<&str>) -> anyhow::Result<i32> {
    Tools::new(&ctx.env).require_known(tool)?;
    let (spec, base) = match version {
        Some(v) => (VersionSpec::parse(v)?, ctx.env.cwd.clone()),
        None => {
            let tools = Tools::new(&ctx.env);
            let program = &ctx.env.program;
            let sel = ctx.resolver(&tools).resolve(tool)?.ok_or_else(|| {
                Error::Other(format!(
                    "No version is set for {tool}; please run `{program} set [options] {tool} <version>`"
                ))
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
            "Version not installed",
            format!("{} install {tool} {spec}", ctx.env.program),
        )
        .into()),
    }
}

pub fn run_which(ctx: &Context, command: &str) -> anyhow::Result<i32> {
    let shim = ctx.env.layout.shim_path(command);
    if !shim.is_file() {
        return Err(Error::Other(format!(
            "unknown command: {command}. Perhaps you have to reshim?"
        ))
        .into());
    }
    // What a shim would say, but `which` fails with 1, as asdf's does.
    let target = find::find(ctx, command, &shim, None).map_err(|e| match e {
        Error::NotSet { message, hint } | Error::NotInstalled { message, hint } => {
            Error::Hinted { message, hint }
        }
        no_command @ Error::NoExecutable { .. } => Error::Other(no_command.to_string()),
        other => other,
    })?;
    println!("{}", target.program.display());
    Ok(exit::OK)
}
