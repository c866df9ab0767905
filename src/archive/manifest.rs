//! The manifest of a cached build: what it is, where it was built and for
//! which machines. Published beside the archive (`<key>.manifest.json`) so a
//! build for another os/arch/libc is a miss before any download, and inside
//! it (`<version>/.tool-manifest.json`) so a copied archive still describes
//! itself.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::platform::Host;
use crate::version::order;

/// The file name inside the install folder and the archive.
pub const FILE_NAME: &str = ".tool-manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub tool: String,
    pub version: String,
    pub os: String,
    pub arch: String,
    pub libc: String,
    /// The absolute install path the build was made for; relocated on install.
    pub build_prefix: String,
    #[serde(default)]
    pub build_options: Vec<String>,
    /// sha256 of each published archive, by format (`zst`, `gz`).
    #[serde(default)]
    pub sha256: BTreeMap<String, String>,
    #[serde(default)]
    pub created_by: String,
    /// What the build has installed on top (`pip==23.0.1`…), when known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
}

/// What a build from source says of itself.
pub struct SourceBuild<'a> {
    pub tool: &'a str,
    pub version: &'a str,
    pub host: &'a Host,
    /// The final install path the build was configured for.
    pub prefix: &'a std::path::Path,
    pub options: &'a [String],
    pub packages: Vec<String>,
}

impl Manifest {
    /// The manifest of a build from source, without archive checksums.
    pub fn of_source_build(build: SourceBuild<'_>) -> Manifest {
        Manifest {
            schema: 1,
            tool: build.tool.into(),
            version: build.version.into(),
            os: build.host.os.clone(),
            arch: build.host.arch.clone(),
            libc: build.host.libc.clone(),
            build_prefix: build.prefix.to_string_lossy().to_string(),
            build_options: build.options.to_vec(),
            sha256: Default::default(),
            created_by: format!("tool {} (source build)", env!("CARGO_PKG_VERSION")),
            packages: build.packages,
        }
    }

    /// The manifest as pretty JSON (serialising plain strings cannot fail).
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Why this build cannot run on `host`, if it cannot.
    pub fn incompatibility(&self, host: &Host) -> Option<String> {
        if self.arch != host.arch {
            return Some(format!(
                "built for {} but this machine is {}",
                self.arch, host.arch
            ));
        }
        if self.os != host.os {
            return Some(format!(
                "built for {} but this machine is {}",
                self.os, host.os
            ));
        }
        let glibc = |s: &str| s.strip_prefix("glibc-").map(str::to_string);
        match (glibc(&self.libc), glibc(&host.libc)) {
            (Some(need), Some(have)) if order::compare(&need, &have).is_gt() => {
                Some(format!("needs glibc {need} but this machine has {have}"))
            }
            (None, _) | (_, None) if self.libc != host.libc => Some(format!(
                "built for {} but this machine has {}",
                self.libc, host.libc
            )),
            _ => None,
        }
    }
}

/// The build prefix of archives made before manifests (the docs-build image's).
pub fn legacy_prefix(tool: &str, version: &str) -> String {
    format!("/home/docs/.asdf/installs/{tool}/{version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(os: &str, arch: &str, libc: &str) -> Manifest {
        Manifest {
            schema: 1,
            tool: "python".into(),
            version: "3.9.6".into(),
            os: os.into(),
            arch: arch.into(),
            libc: libc.into(),
            build_prefix: "/x".into(),
            build_options: vec![],
            sha256: BTreeMap::new(),
            created_by: String::new(),
            packages: vec![],
        }
    }

    #[test]
    fn runs_only_where_it_can() {
        let host = Host {
            os: "ubuntu-20.04".into(),
            arch: "x86_64".into(),
            libc: "glibc-2.31".into(),
        };
        assert_eq!(
            manifest("ubuntu-20.04", "x86_64", "glibc-2.31").incompatibility(&host),
            None
        );
        assert_eq!(
            manifest("ubuntu-20.04", "x86_64", "glibc-2.17").incompatibility(&host),
            None
        );
        assert!(
            manifest("ubuntu-20.04", "x86_64", "glibc-2.35")
                .incompatibility(&host)
                .unwrap()
                .contains("glibc 2.35")
        );
        assert!(
            manifest("ubuntu-20.04", "aarch64", "glibc-2.31")
                .incompatibility(&host)
                .is_some()
        );
        assert!(
            manifest("debian-12", "x86_64", "glibc-2.31")
                .incompatibility(&host)
                .is_some()
        );
        assert!(
            manifest("ubuntu-20.04", "x86_64", "musl")
                .incompatibility(&host)
                .is_some()
        );
    }
}
