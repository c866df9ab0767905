//! Build dependencies, checked before configure: a C compiler, make, and
//! the headers of the libraries a tool's modules need, each found by
//! running the preprocessor; what is missing is named by its apt package.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::env::Env;
use crate::error::{Error, Result};

/// A header a build needs: `(header, Debian/Ubuntu package, what needs it)`.
pub type Header = (&'static str, &'static str, &'static str);

fn compiler(env: &Env) -> String {
    env.var("CC")
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| "cc".into())
}

fn header_found(env: &Env, cc: &str, header: &str) -> bool {
    let mut words = cc.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let cppflags = env.var("CPPFLAGS").unwrap_or_default();
    let child = Command::new(program)
        .args(words)
        .args(cppflags.split_whitespace())
        .args(["-E", "-x", "c", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let Ok(mut child) = child else { return false };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = writeln!(stdin, "#include <{header}>");
    }
    child.wait().is_ok_and(|s| s.success())
}

/// A program name found on PATH, or a path to an executable.
fn on_path(program: &str) -> bool {
    which::which(program).is_ok()
}

/// Fails with the exact apt packages to install when anything `label`
/// (`CPython`, `Ruby`) needs is missing.
pub fn check(env: &Env, label: &str, headers: &[Header]) -> Result<()> {
    let cc = compiler(env);
    let mut missing: Vec<(&str, &str)> = Vec::new();
    let cc_program = cc.split_whitespace().next().unwrap_or("cc").to_string();
    if !on_path(&cc_program) {
        missing.push(("build-essential", "a C compiler"));
    } else {
        for (header, package, module) in headers {
            if !header_found(env, &cc, header) {
                missing.push((package, module));
            }
        }
    }
    if !on_path("make") {
        missing.push(("make", "make"));
    }
    if missing.is_empty() {
        return Ok(());
    }
    let what: Vec<String> = missing
        .iter()
        .map(|(p, m)| format!("{p} (for {m})"))
        .collect();
    let packages: Vec<&str> = missing.iter().map(|(p, _)| *p).collect();
    Err(Error::hinted(
        format!(
            "missing build dependencies for {label}: {}",
            what.join(", ")
        ),
        format!("sudo apt-get install -y {}", packages.join(" ")),
    ))
}
