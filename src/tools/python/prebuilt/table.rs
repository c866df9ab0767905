//! The python-build-standalone archives `tool` knows, with their sha256:
//! the table shipped in the binary (`plugins/python/prebuilt.txt`, generated
//! by `scripts/gen-prebuilt-table` from uv's `download-metadata.json`), then
//! a list of one's own in uv's format (`python.prebuilt_list`). Only what
//! installs here is kept: CPython `install_only` archives for Linux.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::{Error, Result};

const SHIPPED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/plugins/python/prebuilt.txt"
));

/// PBS's release downloads: the shipped table's paths are below it, and a
/// list's URLs under it are read as paths below the mirror.
pub const RELEASES: &str = "https://github.com/astral-sh/python-build-standalone/releases/download";

/// The most a list of one's own may hold (uv's own is about 3 MB).
pub const MAX_LIST: u64 = 32 << 20;

/// Where an archive is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// Below the release downloads (or the mirror standing for them).
    Release(String),
    /// Somewhere else, as a list of one's own names it.
    Url(String),
}

/// One archive of one version for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// `3.13.5`, without the `t` of a free-threaded build.
    pub version: String,
    pub freethreaded: bool,
    /// `x86_64-unknown-linux-gnu`.
    pub triple: String,
    pub sha256: String,
    pub location: Location,
}

impl Archive {
    /// The version as users name it: `3.13.5t` for a free-threaded build.
    pub fn name(&self) -> String {
        match self.freethreaded {
            true => format!("{}t", self.version),
            false => self.version.clone(),
        }
    }

    /// Its file name, as checksum messages name it.
    pub fn file_name(&self) -> &str {
        let (Location::Release(p) | Location::Url(p)) = &self.location;
        p.rsplit('/').next().unwrap_or(p)
    }
}

/// Archives by (version as users name it, triple).
#[derive(Debug, Default)]
pub struct Table {
    archives: BTreeMap<(String, String), Archive>,
}

impl Table {
    /// The shipped table.
    pub fn shipped() -> Table {
        let mut table = Table::default();
        for line in SHIPPED.lines().filter(|l| !l.starts_with('#')) {
            if let Some(a) = shipped_line(line) {
                table.add(a);
            }
        }
        table
    }

    fn add(&mut self, a: Archive) {
        self.archives.insert((a.name(), a.triple.clone()), a);
    }

    /// Adds the archives of a list in uv's `download-metadata.json` format
    /// (read from `from`, for messages); a later one replaces an earlier.
    pub fn add_list(&mut self, text: &[u8], from: &str) -> Result<usize> {
        let list: BTreeMap<String, UvEntry> =
            serde_json::from_slice(text).map_err(|e| Error::BadData {
                what: format!("the python-build-standalone list {from}"),
                why: format!(
                    "not uv's download-metadata.json format ({e}); name a file such as uv's crates/uv-python/download-metadata.json"
                ),
            })?;
        let found: Vec<Archive> = list.into_values().filter_map(UvEntry::archive).collect();
        let n = found.len();
        found.into_iter().for_each(|a| self.add(a));
        Ok(n)
    }

    /// The archive of `name` (`3.13.5`, `3.13.5t`) for `triple`.
    pub fn get(&self, name: &str, triple: &str) -> Option<&Archive> {
        self.archives.get(&(name.to_string(), triple.to_string()))
    }

    /// Every version with an archive for `triple`, oldest first.
    pub fn versions(&self, triple: &str) -> Vec<String> {
        let mut all: Vec<String> = (self.archives.keys())
            .filter(|(_, t)| t == triple)
            .map(|(v, _)| v.clone())
            .collect();
        crate::version::sort(&mut all);
        all
    }
}

/// `<version> <build> <triple> <variant> <flavor> <sha256>`.
fn shipped_line(line: &str) -> Option<Archive> {
    let [version, build, triple, variant, flavor, sha256] =
        <[&str; 6]>::try_from(line.split_whitespace().collect::<Vec<_>>()).ok()?;
    let freethreaded = variant == "freethreaded";
    let ft = if freethreaded { "-freethreaded" } else { "" };
    Some(Archive {
        version: version.into(),
        freethreaded,
        triple: triple.into(),
        sha256: sha256.into(),
        location: Location::Release(format!(
            "{build}/cpython-{version}+{build}-{triple}{ft}-{flavor}.tar.gz"
        )),
    })
}

/// One entry of uv's `download-metadata.json` (fields `tool` does not
/// use are ignored).
#[derive(Debug, Deserialize)]
struct UvEntry {
    name: String,
    arch: UvArch,
    os: String,
    libc: String,
    major: u32,
    minor: u32,
    patch: u32,
    prerelease: Option<String>,
    url: String,
    sha256: Option<String>,
    variant: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UvArch {
    family: String,
    variant: Option<String>,
}

impl UvEntry {
    /// The archive, when it is one `tool` installs: CPython for Linux, an
    /// `install_only` archive with its sha256, a plain version.
    fn archive(self) -> Option<Archive> {
        let pre = self.prerelease.unwrap_or_default();
        let plain =
            |s: &str| s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let sha_ok = self
            .sha256
            .as_ref()
            .is_some_and(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()));
        let freethreaded = match self.variant.as_deref() {
            None => false,
            Some("freethreaded") => true,
            Some(_) => return None,
        };
        let keep = self.name == "cpython"
            && self.os == "linux"
            && self.arch.variant.is_none()
            && plain(&self.arch.family)
            && plain(&self.libc)
            && plain(&pre)
            && sha_ok
            && self.url.contains("install_only")
            && (self.url.ends_with(".tar.gz") || self.url.ends_with(".tar.zst"));
        if !keep {
            return None;
        }
        let location = match self.url.strip_prefix(RELEASES) {
            Some(rest) => Location::Release(
                percent_encoding::percent_decode_str(rest.trim_start_matches('/'))
                    .decode_utf8()
                    .ok()?
                    .into_owned(),
            ),
            None => Location::Url(self.url),
        };
        Some(Archive {
            version: format!("{}.{}.{}{pre}", self.major, self.minor, self.patch),
            freethreaded,
            triple: format!("{}-unknown-linux-{}", self.arch.family, self.libc),
            sha256: self.sha256.unwrap_or_default().to_ascii_lowercase(),
            location,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_names_pbs_archives_as_uv_lists_them() {
        let table = Table::shipped();
        let gnu = "x86_64-unknown-linux-gnu";
        let a = table.get("3.13.5", gnu).unwrap();
        assert_eq!(
            a.location,
            Location::Release(
                "20250723/cpython-3.13.5+20250723-x86_64-unknown-linux-gnu-install_only_stripped.tar.gz"
                    .into()
            )
        );
        assert_eq!(
            a.sha256,
            "f7ac16748be2674ec14df532a3e48d0c6f215017b537f14ca3feb837dbe86292"
        );
        let versions = table.versions(gnu);
        assert!(versions.len() > 100, "{}", versions.len());
        assert!(versions.iter().any(|v| v.ends_with('t')));
        assert!(table.get("3.6.15", gnu).is_none());
        assert!(!table.versions("aarch64-unknown-linux-musl").is_empty());
    }

    #[test]
    fn a_list_in_uv_s_format_adds_what_installs_here() {
        let entry = |key: &str, url: &str, variant: &str, sha: &str| {
            format!(
                r#""{key}": {{"name": "cpython", "arch": {{"family": "x86_64", "variant": null}},
                "os": "linux", "libc": "gnu", "major": 3, "minor": 11, "patch": 2,
                "prerelease": null, "url": "{url}", "sha256": {sha}, "variant": {variant},
                "build": "20230320"}}"#
            )
        };
        let sha = format!("\"{}\"", "A".repeat(64));
        let text = format!(
            "{{{}, {}, {}, {}}}",
            entry(
                "a",
                &format!(
                    "{RELEASES}/20230320/cpython-3.11.2%2B20230320-x86_64-unknown-linux-gnu-install_only.tar.gz"
                ),
                "null",
                &sha
            ),
            entry(
                "b",
                "file:///srv/ft-install_only.tar.gz",
                "\"freethreaded\"",
                &sha
            ),
            entry("c", "file:///srv/x-install_only.tar.gz", "\"debug\"", &sha),
            entry("d", "file:///srv/y-full.tar.zst", "null", "null"),
        );
        let mut table = Table::default();
        assert_eq!(table.add_list(text.as_bytes(), "mine.json").unwrap(), 2);
        let gnu = "x86_64-unknown-linux-gnu";
        let a = table.get("3.11.2", gnu).unwrap();
        assert_eq!(
            a.file_name(),
            "cpython-3.11.2+20230320-x86_64-unknown-linux-gnu-install_only.tar.gz"
        );
        assert_eq!(a.sha256, "a".repeat(64));
        let ft = table.get("3.11.2t", gnu).unwrap();
        assert_eq!(
            ft.location,
            Location::Url("file:///srv/ft-install_only.tar.gz".into())
        );
        let err = table.add_list(b"[1]", "mine.json").unwrap_err();
        assert!(err.to_string().contains("mine.json"), "{err}");
    }
}
