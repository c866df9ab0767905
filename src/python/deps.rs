//! Build dependencies of CPython: a C compiler, make, and the headers of
//! the libraries behind ssl, zlib, bz2, lzma, sqlite3, ctypes (ffi),
//! readline and uuid, each checked by running the preprocessor.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::env::Env;
use crate::error::{Error, Result};

/// Header → the Debian/Ubuntu package that provides it.
const HEADERS: &[(&str, &str, &str)] = &[
    ("openssl/ssl.h", "libssl-dev", "ssl"),
    ("zlib.h", "zlib1g-dev", "zlib"),
    ("bzlib.h", "libbz2-dev", "bz2"),
    ("lzma.h", "liblzma-dev", "lzma"),
    ("sqlite3.h", "libsqlite3-dev", "sqlite3"),
    ("ffi.h", "libffi-dev", "ctypes"),
    ("readline/readline.h", "libreadline-dev", "readline"),
    ("uuid/uuid.h", "uuid-dev", "uuid"),
];

/// The modules whose import is checked after a build (`_uuid`, because
/// `uuid` itself imports without libuuid).
pub const MODULES: &[&str] = &[
    "ssl", "ctypes", "zlib", "bz2", "lzma", "sqlite3", "readline", "_uuid",
];

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

/// Fails with the exact apt packages to install when anything is missing.
pub fn check(env: &Env) -> Result<()> {
    let cc = compiler(env);
    let mut missing: Vec<(&str, &str)> = Vec::new();
    let cc_program = cc.split_whitespace().next().unwrap_or("cc").to_string();
    if !on_path(&cc_program) {
        missing.push(("build-essential", "a C compiler"));
    } else {
        for (header, package, module) in HEADERS {
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
            "missing build dependencies for CPython: {}",
            what.join(", ")
        ),
        format!("sudo apt-get install -y {}", packages.join(" ")),
    ))
}
