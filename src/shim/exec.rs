//! `tool exec <command> [args]` and `tool env <command> [util [args]]`: the
//! program a shim of `command` would run (its pre-hook run first, for
//! `exec`), started in place of this process with the shim's environment.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

use super::find::{self, Target, cannot_run};
use crate::context::Context;
use crate::error::{Error, Result};

fn target(ctx: &Context, command: &str) -> Result<Target> {
    if command.is_empty() || command.contains('/') || command == ".." {
        return Err(Error::Usage(format!("`{command}` is not a command name")));
    }
    let shim = ctx.env.layout.shim_path(command);
    find::find(ctx, command, &shim, None)
}

/// Runs `command`'s program with `args` in place of this process, after its
/// `pre_<tool>_<command>` hook; returns only on failure.
pub fn exec(ctx: &Context, command: &str, args: Vec<OsString>) -> Error {
    let target = match target(ctx, command) {
        Ok(t) => t,
        Err(e) => return e,
    };
    let hook = format!("pre_{}_{command}", target.tool);
    if let Err(e) = crate::hooks::run(&ctx.settings, &hook, &args) {
        return e;
    }
    let err = Command::new(&target.program)
        .args(args)
        .envs(target.env_vars(&ctx.env))
        .exec();
    cannot_run(&target.program, err)
}

/// Runs `util` (default `env`) with the environment `command`'s shim would
/// give, in place of this process; returns only on failure.
pub fn env(ctx: &Context, command: &str, util: Vec<OsString>) -> Error {
    let target = match target(ctx, command) {
        Ok(t) => t,
        Err(Error::NoExecutable { command, .. }) => {
            return Error::hinted(
                format!(
                    "No executable {command} found for current version. Please select a different version or install {command} manually for the current version"
                ),
                "",
            );
        }
        Err(other) => return other,
    };
    let mut util = util.into_iter();
    let program = util.next().unwrap_or_else(|| "env".into());
    // With PATH set on the command, std looks the program up in the new PATH.
    let err = Command::new(&program)
        .args(util)
        .envs(target.env_vars(&ctx.env))
        .exec();
    cannot_run(program.as_ref(), err)
}
