//! Official binary releases of Node.js, Go and Rust, each in its upstream's
//! own layout: which archive a version is, where its checksum is written,
//! and which versions exist (from the upstream's release list, cached).

pub mod golang;
pub mod listing;
pub mod node;
pub mod rust;

use crate::archive::Format;
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::platform::Host;

/// An upstream the vendor backend knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upstream {
    Node,
    Go,
    Rust,
}

impl Upstream {
    pub fn of(tool: &str) -> Option<Upstream> {
        match tool {
            "nodejs" => Some(Upstream::Node),
            "golang" => Some(Upstream::Go),
            "rust" => Some(Upstream::Rust),
            _ => None,
        }
    }

    /// The mirror URL from the settings (default: the upstream's server).
    pub fn mirror(self, settings: &Settings) -> &str {
        match self {
            Upstream::Node => &settings.vendor.nodejs_mirror,
            Upstream::Go => &settings.vendor.golang_mirror,
            Upstream::Rust => &settings.vendor.rust_mirror,
        }
    }

    /// The archives `version` may come as, preferred first.
    pub fn artifacts(self, version: &str, host: &Host) -> Result<Vec<Artifact>> {
        match self {
            Upstream::Node => node::artifacts(version, host),
            Upstream::Go => golang::artifacts(version, host),
            Upstream::Rust => rust::artifacts(version, host),
        }
    }

    /// Every release the upstream lists, in its own order.
    pub fn releases(self, env: &Env, settings: &Settings) -> Result<Vec<Release>> {
        match self {
            Upstream::Node => node::releases(env, settings),
            Upstream::Go => golang::releases(env, settings),
            Upstream::Rust => rust::releases(env, settings),
        }
    }
}

/// One archive of a version, relative to the mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub key: String,
    pub format: Format,
    /// The folder every entry sits in (stripped on extraction).
    pub top: String,
    /// The checksum file beside it that names its sha256.
    pub checksum_key: String,
}

impl Artifact {
    /// The archive's file name (what checksum files list).
    pub fn file_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }
}

/// One version as a release list describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub version: String,
    pub stable: bool,
    /// Node.js's LTS codename.
    pub lts: Option<String>,
    /// sha256 per archive file name, when the list gives them (Go's).
    pub sha256: Vec<(String, String)>,
}

/// The sha256 a checksum file gives `name`: `SHASUMS256.txt` and Rust's
/// `.sha256` lines (`<sha>  <name>`, `*` before a binary name), or Go's
/// `.sha256` (the bare digest).
pub fn sha256_in(text: &str, name: &str) -> Option<String> {
    let valid = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let mut lines = text.lines().map(str::split_whitespace);
    let found = lines.find_map(|mut words| {
        let sha = words.next()?;
        match words.next() {
            Some(file) if file.trim_start_matches('*') == name => Some(sha),
            None if text.trim() == sha => Some(sha),
            _ => None,
        }
    })?;
    valid(found).then(|| found.to_ascii_lowercase())
}

/// An upstream name for this machine's CPU, or an error naming it.
pub fn arch_name<'a>(host: &Host, names: &[(&str, &'a str)]) -> Result<&'a str> {
    names
        .iter()
        .find(|(ours, _)| *ours == host.arch)
        .map(|(_, theirs)| *theirs)
        .ok_or_else(|| Error::Other(format!("no official builds for {} here", host.arch)))
}

/// A version as users write it: digits and dots, maybe a pre-release tail;
/// nothing that could step out of a URL path.
pub fn check_version(version: &str) -> Result<()> {
    let ok = !version.is_empty()
        && version.len() <= 64
        && version
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+'))
        && !version.starts_with(['.', '-']);
    if ok {
        Ok(())
    } else {
        Err(Error::Other(format!(
            "`{}` is not a release version",
            version.chars().take(80).collect::<String>()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::sha256_in;

    #[test]
    fn reads_the_three_checksum_file_shapes() {
        let a = "a".repeat(64);
        let b = "B".repeat(64);
        let sums = format!("{a}  node-v1.tar.gz\n{b}  node-v1.tar.xz\n");
        assert_eq!(sha256_in(&sums, "node-v1.tar.xz"), Some("b".repeat(64)));
        assert_eq!(sha256_in(&sums, "node-v2.tar.xz"), None);
        assert_eq!(sha256_in(&format!("{a}\n"), "go.tar.gz"), Some(a.clone()));
        assert_eq!(
            sha256_in(&format!("{a} *rust.tar.xz"), "rust.tar.xz"),
            Some(a)
        );
        assert_eq!(sha256_in("nothex  x.tar.gz", "x.tar.gz"), None);
    }
}
