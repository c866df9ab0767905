//! The shim fast path: no argument parser, no async runtime, no network.
//! Read the environment, the shim and the nearest `.tool-versions`, then
//! `exec` the real program so arguments, stdio, signals and the exit code
//! pass through untouched.

use std::ffi::{CString, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use crate::context::ShimContext;
use crate::env::Env;
use crate::error::{Error, Result, exit};

/// Runs the shim at `shim_path` with `args`; returns only on failure (with
/// the exit code to use) or after an installer ran as a child (its code).
/// `listed`: the shim's tools, when its shebang gave them.
pub fn run(shim_path: &Path, listed: Option<Vec<String>>, args: Vec<OsString>) -> i32 {
    let err = match exec_shim(shim_path, listed, args) {
        Ok(code) => return code,
        Err(e) => e,
    };
    let person = crate::progress::Audience::of_stderr().is_person();
    crate::error::print(&crate::error::chain(&err), err.hint(), person);
    err.exit_code()
}

fn exec_shim(shim_path: &Path, listed: Option<Vec<String>>, args: Vec<OsString>) -> Result<i32> {
    let command = shim_path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Usage(format!("not a shim path: {}", shim_path.display())))?;
    let ctx = ShimContext::load_for_shim()?;
    let target = super::find::find(&ctx, command, shim_path, listed)?;
    let hook = format!("pre_{}_{command}", target.tool);
    if let Err(e) = crate::hooks::run(&ctx.settings, &hook, &args) {
        // asdf stops silently: the hook said what it had to say.
        return Err(match crate::progress::Audience::of_stderr().is_person() {
            true => e,
            false => Error::Quiet(exit::FAILURE),
        });
    }
    if super::installers::installs_programs(command, &args) {
        return super::installers::run_then_reshim(&ctx, &target, args);
    }
    let err = exec(&ctx.env, &target.program, args, target.env_vars(&ctx.env));
    Err(super::find::cannot_run(&target.program, err))
}

/// Replaces this process with `program`, as `Command::new(program).args(args)
/// .envs(vars).exec()` does, without its copies of the environment: `argv[0]`
/// is the program's path; the environment is `env`'s with `vars` set (the last
/// value of a name wins); `execvp`'s rules (a file without
/// `#!` runs through `/bin/sh`). SIGPIPE passes on as it is: `tool` resets it
/// to its default action first (as `Command` would), and `tool-shim-full` keeps
/// the action it inherited, as asdf's shell shim does. Returns only on failure.
fn exec(
    env: &Env,
    program: &Path,
    args: Vec<OsString>,
    vars: Vec<(String, OsString)>,
) -> std::io::Error {
    let nul = || {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "nul byte found in provided data",
        )
    };
    let Ok(file) = CString::new(program.as_os_str().as_bytes()) else {
        return nul();
    };
    let mut argv: Vec<*const libc::c_char> = Vec::with_capacity(args.len() + 2);
    argv.push(file.as_ptr());
    let mut owned: Vec<CString> = Vec::with_capacity(args.len() + vars.len());
    for arg in args {
        match CString::new(arg.into_vec()) {
            Ok(c) => owned.push(c),
            Err(_) => return nul(),
        }
    }
    argv.extend(owned.iter().map(|c| c.as_ptr()));
    argv.push(std::ptr::null());
    let first_var = owned.len();
    for (name, value) in &vars {
        let mut pair = Vec::with_capacity(name.len() + value.len() + 2);
        pair.extend_from_slice(name.as_bytes());
        pair.push(b'=');
        pair.extend_from_slice(value.as_bytes());
        match CString::new(pair) {
            Ok(c) => owned.push(c),
            Err(_) => return nul(),
        }
    }
    // The inherited entries in their order, less the names we set; then ours,
    // where a later value of the same name wins (as in std's map). No sort:
    // the order of an environment means nothing to a program.
    let ours: Vec<(&[u8], *const libc::c_char)> = owned[first_var..]
        .iter()
        .filter_map(|c| Some((env_name(c.to_bytes())?, c.as_ptr())))
        .collect();
    let mut envp: Vec<*const libc::c_char> = Vec::with_capacity(env.vars().len() + ours.len() + 1);
    envp.extend(
        (env.vars().iter())
            .filter(|v| !ours.iter().any(|(n, _)| *n == v.name.as_encoded_bytes()))
            .map(|v| v.entry()),
    );
    for (i, (name, entry)) in ours.iter().enumerate() {
        if !ours[i + 1..].iter().any(|(n, _)| n == name) {
            envp.push(*entry);
        }
    }
    envp.push(std::ptr::null());
    // SAFETY: `file` and every pointer in the two arrays point into CStrings
    // (`file`, `owned`) or the process's environment block (which `Env`
    // borrows and nothing changes), and both
    // arrays end with a null pointer, as execvpe requires; it returns only on
    // failure, with errno set.
    unsafe { libc::execvpe(file.as_ptr(), argv.as_ptr(), envp.as_ptr()) };
    std::io::Error::last_os_error()
}

/// The name in `NAME=value`: up to the first `=` after the first byte, as
/// std reads the environment.
fn env_name(entry: &[u8]) -> Option<&[u8]> {
    let eq = entry.get(1..)?.iter().position(|b| *b == b'=')? + 1;
    Some(&entry[..eq])
}
