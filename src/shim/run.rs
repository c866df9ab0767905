//! The shim fast path: no argument parser, no async runtime, no network.
//! Read the environment, the shim and the nearest `.tool-versions`, then
//! `exec` the real program so arguments, stdio, signals and the exit code
//! pass through untouched.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

use crate::context::Context;
use crate::error::{Error, Result, exit};

/// Runs the shim at `shim_path` with `args`; returns only on failure, with
/// the exit code to use.
pub fn run(shim_path: &Path, args: Vec<OsString>) -> i32 {
    let err = match exec_shim(shim_path, args) {
        Ok(never) => match never {},
        Err(e) => e,
    };
    let person = crate::progress::Audience::of_stderr().is_person();
    crate::error::print(&crate::error::chain(&err), err.hint(), person);
    err.exit_code()
}

enum Never {}

fn exec_shim(shim_path: &Path, args: Vec<OsString>) -> Result<Never> {
    let command = shim_path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Usage(format!("not a shim path: {}", shim_path.display())))?;
    let ctx = Context::load()?;
    let target = super::find::find(&ctx, command, shim_path)?;
    let hook = format!("pre_{}_{command}", target.tool);
    if let Err(e) = crate::hooks::run(&ctx.settings, &hook, &args) {
        // asdf stops silently: the hook said what it had to say.
        return Err(match crate::progress::Audience::of_stderr().is_person() {
            true => e,
            false => Error::Quiet(exit::FAILURE),
        });
    }
    let err = Command::new(&target.program)
        .args(args)
        .envs(target.env_vars(&ctx.env))
        .exec();
    Err(cannot_run(&target.program, err))
}

pub fn cannot_run(program: &Path, err: std::io::Error) -> Error {
    Error::not_installed(format!("cannot run {}: {err}", program.display()), "")
}
