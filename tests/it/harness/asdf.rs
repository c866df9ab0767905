//! `tool` run as `asdf` (through an `asdf -> tool` link), as asdf's users
//! and asdf's own suite run it.

use std::io::{Read, Seek};
use std::path::PathBuf;

use super::{BIN, Sandbox};

/// A folder with `asdf -> tool`, first on PATH.
pub fn asdf_link(s: &Sandbox) -> PathBuf {
    let dir = s.root.join("asdf-bin");
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("asdf");
    if !link.exists() {
        std::os::unix::fs::symlink(BIN, &link).unwrap();
    }
    link
}

/// PATH with the `asdf` link first, then the shims, as a plugin's scripts
/// see it on a machine with asdf.
pub fn path_with_asdf(s: &Sandbox) -> String {
    format!(
        "{}:{}:/usr/bin:/bin",
        asdf_link(s).parent().unwrap().display(),
        s.data.join("shims").display()
    )
}

/// `asdf args…` in the project folder with the sandbox's environment.
pub fn asdf(s: &Sandbox, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.command(asdf_link(s));
    cmd.args(args);
    cmd
}

/// Runs `asdf args`; returns the exit code and stdout and stderr merged in
/// the order they were written (as asdf's own tests see them).
pub fn run(s: &Sandbox, args: &[&str]) -> (i32, String) {
    let mut merged = tempfile::tempfile().unwrap();
    let status = s
        .process(asdf_link(s))
        .env("PATH", "/usr/bin:/bin")
        .args(args)
        .stdout(merged.try_clone().unwrap())
        .stderr(merged.try_clone().unwrap())
        .status()
        .unwrap();
    let mut text = String::new();
    merged.rewind().unwrap();
    merged.read_to_string(&mut text).unwrap();
    (status.code().unwrap_or(-1), text)
}
