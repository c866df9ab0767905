//! Build dependencies of Ruby: the headers behind its openssl, psych
//! (libyaml), zlib, fiddle (libffi) and, before 3.3, readline extensions
//! (checked by `compile::deps`), and the extensions required after a build.

use crate::compile::deps::{self, Header};
use crate::env::Env;
use crate::error::Result;

const HEADERS: &[Header] = &[
    ("openssl/ssl.h", "libssl-dev", "openssl"),
    ("yaml.h", "libyaml-dev", "psych"),
    ("zlib.h", "zlib1g-dev", "zlib"),
    ("ffi.h", "libffi-dev", "fiddle"),
    ("readline/readline.h", "libreadline-dev", "readline"),
];

/// Ruby 3.3 dropped its readline extension (`reline` is pure Ruby).
fn has_readline_ext(version: &str) -> bool {
    let mut parts = version.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    matches!((parts.next(), parts.next()), (Some(Some(major)), Some(Some(minor))) if (major, minor) < (3, 3))
}

fn wanted(version: &str) -> impl Iterator<Item = &'static Header> {
    let readline = has_readline_ext(version);
    HEADERS
        .iter()
        .filter(move |(_, _, ext)| readline || *ext != "readline")
}

/// Fails with the exact apt packages to install when anything is missing.
pub fn check(env: &Env, version: &str) -> Result<()> {
    let headers: Vec<Header> = wanted(version).copied().collect();
    deps::check(env, "Ruby", &headers)
}

/// The extensions a complete Ruby `version` can `require`.
pub fn extensions(version: &str) -> Vec<&'static str> {
    wanted(version).map(|(_, _, ext)| *ext).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readline_is_wanted_only_before_3_3() {
        assert!(extensions("3.1.2").contains(&"readline"));
        assert!(!extensions("3.3.11").contains(&"readline"));
        assert!(!extensions("4.0.3").contains(&"readline"));
        assert_eq!(extensions("3.4.9"), ["openssl", "psych", "zlib", "fiddle"]);
    }
}
