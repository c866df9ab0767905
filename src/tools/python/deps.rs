//! Build dependencies of CPython: the headers of the libraries behind ssl,
//! zlib, bz2, lzma, sqlite3, ctypes (ffi), readline and uuid (checked by
//! `compile::deps`), and the modules imported after a build.

use crate::compile::deps::{self, Header};
use crate::env::Env;
use crate::error::Result;

const HEADERS: &[Header] = &[
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

/// Fails with the exact apt packages to install when anything is missing.
pub fn check(env: &Env) -> Result<()> {
    deps::check(env, "CPython", HEADERS)
}
