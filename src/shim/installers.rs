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
use crate::context::Context;
use crate::error::{Error, Result};

/// Whether `command args…` installs or removes programs.
pub fn installs_programs(command: &str, args: &[OsString]) -> bool {
    // Every other command leaves at once, without allocating.
    let installer = matches!(
        command,
        "cargo" | "gem" | "go" | "conda" | "mamba" | "micromamba" | "npm" | "pnpm" | "uv"
    ) || is_pip(command)
        || command.starts_with("python");
    if !installer {
        return false;
    }
    let words: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let first = || words.iter().copied().find(|w| !w.starts_with('-'));
    let is = |w: Option<&str>, names: &[&str]| w.is_some_and(|w| names.contains(&w));
    match command {
        "cargo" => is(first(), &["install", "uninstall"]),
        "gem" => is(first(), &["install", "uninstall", "update"]),
        "go" => is(first(), &["install"]),
        "conda" | "mamba" | "micromamba" => is(
            first(),
            &["install", "create", "remove", "uninstall", "update"],
        ),
        "npm" | "pnpm" => {
            let global = words
                .iter()
                .any(|w| matches!(*w, "-g" | "--global" | "--location=global"));
            let verbs = [
                "install",
                "i",
                "add",
                "uninstall",
                "remove",
                "rm",
                "un",
                "r",
                "update",
                "up",
                "link",
            ];
            global && is(first(), &verbs)
        }
        "uv" => {
            words.first() == Some(&"tool")
                && is(words.get(1).copied(), &["install", "uninstall", "upgrade"])
        }
        c if is_pip(c) => is(first(), &["install", "uninstall"]),
        c if c.starts_with("python") => pip_module(&words),
        _ => false,
    }
}

/// `pip`, `pip3`, `pip3.11`.
fn is_pip(command: &str) -> bool {
    command
        .strip_prefix("pip")
        .is_some_and(|rest| rest.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// `python -m pip install …` (or `-mpip`).
fn pip_module(words: &[&str]) -> bool {
    let rest = match words {
        ["-m", "pip", rest @ ..] | ["-mpip", rest @ ..] => rest,
        _ => return false,
    };
    let sub = rest.iter().find(|w| !w.starts_with('-'));
    sub.is_some_and(|w| matches!(*w, "install" | "uninstall"))
}

/// Runs the target with `args` as a child, then reshims when it succeeded;
/// the child's exit code, or its signal raised again on this process.
pub fn run_then_reshim(ctx: &Context, target: &Target, args: Vec<OsString>) -> Result<i32> {
    // What std's start-up would have done (`tool-shim-full` skips it): the reshim
    // below writes files and may print.
    crate::process::reopen_closed_stdio();
    crate::process::die_quietly_on_closed_pipes();
    let mut cmd = std::process::Command::new(&target.program);
    cmd.args(args)
        .arg0(OsStr::new(&target.program))
        .envs(target.env_vars(&ctx.env));
    let status = {
        // As `system()` does: Ctrl-C and Ctrl-\ reach the child (same process
        // group); this process waits for it, then answers as it did.
        let _ignoring = IgnoreInterrupts::new();
        cmd.status()
            .map_err(|e| super::run::cannot_run(&target.program, e))?
    };
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

/// SIGINT and SIGQUIT ignored while it lives.
struct IgnoreInterrupts {
    old: [libc::sighandler_t; 2],
}

impl IgnoreInterrupts {
    fn new() -> Self {
        // SAFETY: setting a signal's disposition to SIG_IGN has no other effect.
        let old = unsafe {
            [
                libc::signal(libc::SIGINT, libc::SIG_IGN),
                libc::signal(libc::SIGQUIT, libc::SIG_IGN),
            ]
        };
        IgnoreInterrupts { old }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        // SAFETY: puts back the dispositions `new` found.
        unsafe {
            libc::signal(libc::SIGINT, self.old[0]);
            libc::signal(libc::SIGQUIT, self.old[1]);
        }
    }
}

/// Ends this process by `signal`, as the child ended.
fn raise(signal: i32) {
    // SAFETY: the default disposition, then the signal to ourselves.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// The no-libc `tool-shim`'s copy of the rule, compared with this one below.
#[cfg(test)]
#[path = "../../tool-shim/src/installers.rs"]
mod no_libc;

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
    fn the_no_libc_shim_tells_installers_as_this_rule_does() {
        let commands = [
            "cargo",
            "gem",
            "go",
            "conda",
            "mamba",
            "micromamba",
            "npm",
            "pnpm",
            "uv",
            "pip",
            "pip3",
            "pip3.11",
            "pipx",
            "pip-x",
            "python",
            "python3",
            "python3.11",
            "node",
            "",
        ];
        let words: [&[u8]; 16] = [
            b"install",
            b"uninstall",
            b"update",
            b"create",
            b"-g",
            b"--global",
            b"--location=global",
            b"i",
            b"tool",
            b"-m",
            b"pip",
            b"-mpip",
            b"-U",
            b"x",
            b"\xff",
            b"--",
        ];
        // Every line of up to three of `words`.
        let mut lines: Vec<Vec<&[u8]>> = vec![Vec::new()];
        let mut last = lines.clone();
        for _ in 0..3 {
            last = (last.iter())
                .flat_map(|l| words.iter().map(move |w| [l.as_slice(), &[*w]].concat()))
                .collect();
            lines.extend(last.iter().cloned());
        }
        let mut installers = 0;
        for command in commands {
            for args in &lines {
                let os: Vec<std::ffi::OsString> = (args.iter())
                    .map(|a| std::os::unix::ffi::OsStringExt::from_vec(a.to_vec()))
                    .collect();
                let ours = installs_programs(command, &os);
                let theirs = super::no_libc::installs_programs(command.as_bytes(), args);
                assert_eq!(theirs, ours, "{command} {args:?}");
                installers += usize::from(ours);
            }
        }
        assert!(
            installers > 1000,
            "the table reaches installers: {installers}"
        );
    }
}
