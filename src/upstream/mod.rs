//! Official binary releases, whoever publishes them: the `Releases` trait a
//! built-in tool implements for its upstream's layout (which archive a
//! version is, where its checksum is written, which versions exist), the
//! archive and release types, checksum files, and release lists kept for
//! offline use (`listing`). Mirrors are opened here, never with credentials.

pub mod listing;
pub mod signature;

use std::path::Path;

use crate::archive::Format;
use crate::config::settings::InstallSettings;
use crate::context::Context;

use crate::error::{Error, Result};
use crate::platform::Host;
use crate::remote::Remote;

/// How one upstream lays out its official releases.
pub trait Releases: Sync {
    /// The tool they are releases of.
    fn tool(&self) -> &'static str;

    /// The mirror URL from the settings (default: the upstream's server).
    fn mirror<'a>(&self, settings: &'a InstallSettings) -> &'a str;

    /// The archives `version` may come as, preferred first.
    fn artifacts(&self, version: &str, host: &Host) -> Result<Vec<Artifact>>;

    /// Every release the upstream lists, in its own order.
    fn list(&self, ctx: &Context) -> Result<Vec<Release>>;

    /// The sha256 the checksum file `text` (read from the artifact's
    /// `checksum_key`) gives the artifact: a `SHASUMS256.txt`-style line by
    /// default; Rust's channel manifest names it in a table.
    fn sha256_in_checksums(&self, text: &str, artifact: &Artifact) -> Option<String> {
        sha256_in(text, artifact.file_name())
    }

    /// Whether the release list carries sha256s (Go's), read when no
    /// checksum file stands beside the archive.
    fn lists_checksums(&self) -> bool {
        false
    }

    /// Whether the archive is an installer whose parts are laid out by
    /// `assemble` (Rust's), rather than the install itself.
    fn is_installer(&self) -> bool {
        false
    }

    /// Lays out an unpacked installer in `dest`; what it installed.
    fn assemble(&self, _unpacked: &Path, _dest: &Path, _host: &Host) -> Result<serde_json::Value> {
        Ok(serde_json::Value::Null)
    }

    /// How the publisher signs each archive itself (Go's `.asc` beside
    /// it), when it does.
    fn archive_signature(
        &self,
        _artifact: &Artifact,
        _settings: &InstallSettings,
    ) -> Option<Signing> {
        None
    }

    /// How the publisher signs the checksum file (Node.js's
    /// `SHASUMS256.txt.sig`), when it does.
    fn checksums_signature(
        &self,
        _artifact: &Artifact,
        _settings: &InstallSettings,
    ) -> Option<Signing> {
        None
    }

    /// What runs after an install from these releases (Node.js's default
    /// npm packages); its `--json` details.
    fn after_install(&self, _job: &crate::job::Job<'_>) -> Result<serde_json::Value> {
        Ok(serde_json::Value::Null)
    }
}

/// Opens a mirror of official releases: no bucket credentials, ever.
pub fn open_mirror(ctx: &Context, url: &str) -> Result<Remote> {
    Ok(ctx
        .client()?
        .open_mirror(url, &ctx.installs.transfer(&ctx.env))?)
}

/// A detached signature over a published file, and what checks it.
pub struct Signing {
    /// The signature's key on the mirror.
    pub key: String,
    /// For messages: `Google's Go signing key`.
    pub keyring_name: &'static str,
    /// Where the shipped keyring comes from, for messages.
    pub keyring_origin: &'static str,
    /// The shipped keyring, armored.
    pub keyring: &'static str,
    pub policy: crate::provenance::Policy,
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
        .ok_or_else(|| {
            Error::hinted(
                format!("there are no official builds for {} here", host.arch),
                "install it through an asdf plugin, or from a cache bucket with builds for this CPU",
            )
        })
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
        Err(Error::Invalid {
            what: "release version",
            value: version.chars().take(80).collect(),
            why: "releases are named with letters, digits, `.`, `-` and `+`",
        })
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
