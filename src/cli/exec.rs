//! `tool exec <command> [args]` and `tool env <command> [util [args]]`: run a
//! shimmed command, or any program, with the environment the shim would give.

use std::ffi::OsString;

use crate::context::Context;
use crate::error::Error;

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
    Err(crate::shim::exec::exec(ctx, command, args).into())
}

pub fn run_env(ctx: &Context, command: Option<&str>, util: Vec<OsString>) -> anyhow::Result<i32> {
    let command = required(ctx, "env", command)?;
    Err(crate::shim::exec::env(ctx, command, util).into())
}
