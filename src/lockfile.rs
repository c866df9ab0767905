//! The lockfile beside a version file (`.tool-versions.lock`,
//! `.readthedocs.yaml.lock`): per tool and platform, the exact version, the
//! backend, where the bytes come from, their sha256 and size, and the key
//! that signed them. `tool lock` writes it, `tool lock --check` compares it,
//! `tool install --locked` installs only what it names.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

const HEADER: &str = "# Written by `tool lock`: the exact bytes each tool installs.\n# `tool install --locked` installs only these; `tool lock --check` says when it is stale.\n\n";

/// One tool's bytes on one platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub tool: String,
    pub version: String,
    pub backend: String,
    /// `os/arch` (`ubuntu-20.04/x86_64`); absent for what does not depend
    /// on it (a source archive, a plugin's version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// Where the bytes come from: a bucket's record and object, a release URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_by: Option<String>,
    /// What the backend cannot lock, said plainly (asdf plugins: version only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    #[serde(default, rename = "tool")]
    pub entries: Vec<Entry>,
}

/// The lockfile of `config` (a `.tool-versions` or `.readthedocs.yaml`).
pub fn path_for(config: &Path) -> PathBuf {
    let mut name = config.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    config.with_file_name(name)
}

impl Lock {
    /// Reads `path`; `None` when there is none. Errors name `file:line`.
    pub fn read(path: &Path) -> Result<Option<Lock>> {
        let read = crate::fs::read_capped(path, crate::fs::MAX_CONFIG_LEN).and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        });
        let text = match read {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("cannot read the lockfile", path, e)),
        };
        toml::from_str(&text)
            .map(Some)
            .map_err(|e: toml::de::Error| Error::Parse {
                path: path.to_path_buf(),
                line: 1 + text[..e.span().map_or(0, |s| s.start)]
                    .matches('\n')
                    .count(),
                message: e.message().to_string(),
            })
    }

    pub fn write(&self, path: &Path) -> Result<()> {
        let body = toml::to_string(self)
            .map_err(|e| Error::io("cannot write the lockfile", path, std::io::Error::other(e)))?;
        crate::fs::write_atomic(path, format!("{HEADER}{body}").as_bytes(), Some(0o644))
            .map_err(|e| Error::io("cannot write the lockfile", path, e))
    }

    /// The entry for `tool` on `platform` (or one that holds for every
    /// platform).
    pub fn find(&self, tool: &str, platform: &str) -> Option<&Entry> {
        (self.entries.iter())
            .find(|e| e.tool == tool && e.platform.as_deref().is_none_or(|p| p == platform))
    }

    /// `entry` in place of the one for its tool and platform; other
    /// platforms' entries of the same version stay, other versions go.
    pub fn put(&mut self, entry: Entry) {
        // Other platforms stay only beside another platform's entry: one
        // that holds everywhere replaces them all, and they replace it.
        let keep_others = entry.platform.is_some();
        self.entries.retain(|e| {
            e.tool != entry.tool
                || (keep_others
                    && e.platform.is_some()
                    && e.version == entry.version
                    && e.platform != entry.platform)
        });
        self.entries.push(entry);
        self.entries
            .sort_by(|a, b| (&a.tool, &a.platform).cmp(&(&b.tool, &b.platform)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tool: &str, version: &str, platform: Option<&str>) -> Entry {
        Entry {
            tool: tool.into(),
            version: version.into(),
            backend: "cache".into(),
            platform: platform.map(Into::into),
            source: None,
            sha256: Some("ab".into()),
            size: Some(1),
            signed_by: None,
            note: None,
        }
    }

    #[test]
    fn a_lock_round_trips_through_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".tool-versions.lock");
        let mut lock = Lock::default();
        lock.put(entry("python", "3.9.6", Some("ubuntu-20.04/x86_64")));
        lock.put(entry("nodejs", "20.11.0", None));
        lock.write(&path).unwrap();
        assert_eq!(Lock::read(&path).unwrap().unwrap(), lock);
    }

    #[test]
    fn put_keeps_other_platforms_of_the_same_version_only() {
        let mut lock = Lock::default();
        lock.put(entry("python", "3.9.6", Some("a/x86_64")));
        lock.put(entry("python", "3.9.6", Some("b/x86_64")));
        assert_eq!(lock.entries.len(), 2);
        lock.put(entry("python", "3.9.7", Some("a/x86_64")));
        assert_eq!(lock.entries.len(), 1);
        assert!(lock.find("python", "b/x86_64").is_none());
    }

    #[test]
    fn a_malformed_lock_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.lock");
        std::fs::write(&path, "# c\n[[tool]]\ntool = 3\n").unwrap();
        let err = Lock::read(&path).unwrap_err().to_string();
        assert!(err.contains("x.lock:3:"), "{err}");
    }
}
