//! `tool exec <command> [args]` and `tool env <command> [util [args]]`: run a
//! shimmed command, or any program, with the environment the shim would give.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

use crate::context::Context;
use crate::error::Error;
use crate::shim::{find, run::cannot_run};

fn target(ctx: &Context, command: &str) -> crate::error::Result<find::Target> {
    if command.is_empty() || command.contains('/') || command == ".." {
        return Err(Error::Usage(format!("`{command}` is not a command name")));
    }
    let shim = ctx.env.layout.shim_path(command);
    find::find(ctx, command, &shim, None)
}

/// asdf's usage line for a command run without its argument.
fn required<'a>(
    ctx: &Context,
    verb: &str,
    command: Option<&'a str>,
) -> crate::error::Result<&'a str> {
    command.ok_or_else(|| Error::Usage(format!("usage: {} {verb} <command>", ctx.env.program)))
}

pub fn run_exec(ctx: &Context, command: Option<&str>, args: Vec<OsString>) -> anyhow::Result<i32> {
    let command = required(ctx, "exec", command)?;
    let target = target(ctx, command)?;
    crate::hooks::run(
        &ctx.settings,
        &format!("pre_{}_{command}", target.tool),
        &args,
    )?;
    let err = Command::new(&target.program)
        .args(args)
        .envs(target.env_vars(&ctx.env))
        .exec();
    Err(cannot_run(&target.program, err).into())
}

pub fn run_env(ctx: &Context, command: Option<&str>, util: Vec<OsString>) -> anyhow::Result<i32> {
    let command = required(ctx, "env", command)?;
    let target = target(ctx, command).map_err(|e| match e {
        Error::NoExecutable { command, .. } => Error::hinted(
            format!(
                "No executable {command} found for current version. Please select a different version or install {command} manually for the current version"
            ),
            "",
        ),
        other => other,
    })?;
    let mut util = util.into_iter();
    let program = util.next().unwrap_or_else(|| "env".into());
    // With PATH set on the command, std looks the program up in the new PATH.
    let err = Command::new(&program)
        .args(util)
        .envs(target.env_vars(&ctx.env))
        .exec();
    Err(cannot_run(program.as_ref(), err).into())
}
