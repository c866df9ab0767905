//! A table of official source releases: version → the publisher's sha256
//! of its `.tar.xz` and `.tar.gz` (or `.tgz`), and the release's folder on
//! the publisher's server when it is not the usual one. The tables are
//! generated data (`plugins/<tool>/versions.toml`, written by `scripts/gen-*`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::version;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// sha256 of the `.tar.xz`.
    pub xz: Option<String>,
    /// sha256 of the `.tar.gz` (CPython's `.tgz`).
    #[serde(alias = "tgz")]
    pub gz: Option<String>,
    /// The folder on the publisher's server, when not the usual one.
    pub dir: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    versions: BTreeMap<String, Release>,
}

impl Table {
    /// A shipped table; a unit test of each tool parses its own, so this
    /// cannot fail.
    pub fn embedded(text: &str) -> Table {
        toml::from_str(text).unwrap_or_default()
    }

    /// A table of one's own in the same format, `path:line` on a mistake.
    pub fn from_file(path: &Path) -> Result<Table> {
        let text = fs_err::read_to_string(path)?;
        let table: Table = toml::from_str(&text).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: e
                .span()
                .map_or(1, |s| text[..s.start].matches('\n').count() + 1),
            message: format!("not a release table: {}", e.message()),
        })?;
        let bad_sha = |s: &Option<String>| {
            s.as_ref()
                .is_some_and(|s| s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()))
        };
        if let Some((v, _)) = table
            .versions
            .iter()
            .find(|(_, r)| bad_sha(&r.xz) || bad_sha(&r.gz) || (r.xz.is_none() && r.gz.is_none()))
        {
            let line = text
                .lines()
                .position(|l| l.contains(v.as_str()))
                .unwrap_or(0)
                + 1;
            return Err(Error::Parse {
                path: path.to_path_buf(),
                line,
                message: format!("{v}: expected xz or gz with a sha256 of 64 hex digits"),
            });
        }
        Ok(table)
    }

    /// `other`'s entries added, replacing those of the same version.
    pub fn with(mut self, other: Table) -> Table {
        self.versions.extend(other.versions);
        self
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> Vec<String> {
        let mut all: Vec<String> = self.versions.keys().cloned().collect();
        version::sort(&mut all);
        all
    }

    pub fn get(&self, version: &str) -> Option<&Release> {
        self.versions.get(version)
    }

    /// Up to three known versions closest to an unknown one, for messages.
    pub fn nearest(&self, wanted: &str) -> Vec<String> {
        let all = self.versions();
        let series: String = wanted.split('.').take(2).collect::<Vec<_>>().join(".");
        let major = wanted.split('.').next().unwrap_or("");
        let mut near: Vec<String> = all
            .iter()
            .filter(|v| version::matches_prefix(v, &series))
            .cloned()
            .collect();
        if near.is_empty() {
            near = all
                .iter()
                .filter(|v| version::matches_prefix(v, major))
                .cloned()
                .collect();
        }
        near.reverse();
        near.truncate(3);
        near
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_of_ones_own_is_checked_and_replaces_shipped_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("extra.toml");
        let sha = "a".repeat(64);
        std::fs::write(
            &path,
            format!("[versions]\n\"3.1.2\" = {{ xz = \"{sha}\" }}\n"),
        )
        .unwrap();
        let shipped = Table::embedded(&format!(
            "[versions]\n\"3.1.2\" = {{ gz = \"{}\" }}\n\"3.1.3\" = {{ gz = \"{}\" }}\n",
            "b".repeat(64),
            "c".repeat(64)
        ));
        let merged = shipped.with(Table::from_file(&path).unwrap());
        assert_eq!(merged.get("3.1.2").unwrap().xz.as_deref(), Some(&*sha));
        assert!(merged.get("3.1.2").unwrap().gz.is_none());
        assert_eq!(merged.versions(), ["3.1.2", "3.1.3"]);
        assert_eq!(merged.nearest("3.1.9"), ["3.1.3", "3.1.2"]);

        std::fs::write(&path, "[versions]\n\"3.1.2\" = { xz = \"12ab\" }\n").unwrap();
        let err = Table::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("extra.toml:2") && err.contains("64 hex"),
            "{err}"
        );
        std::fs::write(&path, "[versions]\n\"3.1.2\" = { sha = 1 }\n").unwrap();
        let err = Table::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("extra.toml:2") && err.contains("not a release table"),
            "{err}"
        );
    }
}
