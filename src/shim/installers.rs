//! Shims kept current by themselves: a shim whose command line installs or
//! removes programs (`pip install`, `python -m pip install`, `npm install -g`,
//! `cargo install`, `gem install`, `go install`, `uv tool install`, conda's
//! and mamba's installs) runs the program as a child instead of `exec`ing
//! it, then reshims when it succeeded — what Read the Docs' builder does
//! by matching strings, and asdf stopped doing in 0.16. The decision is
//! made from the command name and arguments alone, before any system call,
//! so every other command keeps the `exec` fast path. Exit code, signals
//! and stdio pass through; a failed run changes nothing.

use std::ffi::{OsStr, OsString};
use std::os::unix::process::{CommandExt, ExitStatusExt};

use super::find::Target;
use crate::context::ShimContext;
use crate::error::{Error, Result};

/// Whether `command args…` installs or removes programs (`shim_rules::install_rule`).
pub fn installs_programs(command: &str, args: &[OsString]) -> bool {
    let bytes = args.iter().map(|a| a.as_encoded_bytes());
    shim_rules::install_rule::installs_programs(command.as_bytes(), bytes)
}

/// Runs the target with `args` as a child, then reshims when it succeeded;
/// the child's exit code, or its signal raised again on this process.
pub fn run_then_reshim(ctx: &ShimContext, target: &Target, args: Vec<OsString>) -> Result<i32> {
    // What std's start-up would have done (`tool-shim-full` skips it): the reshim
    // below writes files and may print.
    crate::process::reopen_closed_stdio();
    crate::process::die_quietly_on_closed_pipes();
    let mut cmd = std::process::Command::new(&target.program);
    cmd.args(args)
        .arg0(OsStr::new(&target.program))
        .envs(target.env_vars(&ctx.env));
    // Ctrl-C and Ctrl-\ reach the child (same process group), a signal sent
    // to this process alone is passed on, and a `kill -9` of this process
    // takes the child with it; this process answers as the child ended.
    let status = crate::process::run_in_foreground(&mut cmd)
        .map_err(|e| super::find::cannot_run(&target.program, e))?;
    if status.success() {
        // A reshim failure must not turn a good install into a failure.
        if let Err(e) = super::reshim::refresh(&ctx.env) {
            eprintln!("{}", Error::report(&e));
        }
    }
    if let Some(signal) = status.signal() {
        raise(signal);
    }
    Ok(status.code().unwrap_or(1))
}

/// Ends this process by `signal`, as the child ended.
fn raise(signal: i32) {
    // SAFETY: the default disposition, then the signal to ourselves.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

#[cfg(test)]
mod tests {
    use super::installs_programs;

    fn installs(line: &str) -> bool {
        let mut words = line.split_whitespace();
        let command = words.next().unwrap_or_default();
        let args: Vec<std::ffi::OsString> = words.map(Into::into).collect();
        installs_programs(command, &args)
    }

    #[test]
    fn installer_command_lines_are_told_from_the_rest() {
        for yes in [
            "pip install uv",
            "pip3.11 install -U sphinx",
            "pip --quiet uninstall -y uv",
            "python -m pip install .",
            "python3 -mpip install -r requirements.txt",
            "npm install -g prettier",
            "npm i --global yarn",
            "cargo install mdbook",
            "gem install bundler",
            "go install golang.org/x/tools/gopls@latest",
            "uv tool install ruff",
            "conda install -y numpy",
        ] {
            assert!(installs(yes), "{yes}");
        }
        for no in [
            "pip list",
            "pip freeze",
            "python -c import",
            "python script.py install",
            "npm install",
            "npm run build",
            "cargo build",
            "go build ./...",
            "uv pip install x",
            "node install",
            "pipx install x",
        ] {
            assert!(!installs(no), "{no}");
        }
    }

    #[test]
    fn arguments_that_are_not_utf8_are_left_out() {
        let args = |words: &[&[u8]]| -> Vec<std::ffi::OsString> {
            let to_os = |w: &&[u8]| std::os::unix::ffi::OsStringExt::from_vec(w.to_vec());
            words.iter().map(to_os).collect()
        };
        assert!(installs_programs("pip", &args(&[b"\xff", b"install"])));
        assert!(!installs_programs("pip", &args(&[b"\xffinstall"])));
        assert!(installs_programs("npm", &args(&[b"i", b"\xff", b"-g"])));
    }
}
