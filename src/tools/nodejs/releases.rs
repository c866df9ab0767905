//! Node.js as nodejs.org/dist lays it out: `index.json` (versions, `lts`),
//! `v<V>/node-v<V>-linux-<arch>.tar.xz` (or `.tar.gz`) and
//! `v<V>/SHASUMS256.txt`.

use serde::Deserialize;

use crate::archive::Format;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::upstream::{Artifact, Release, arch_name, check_version, listing};

const ARCHES: &[(&str, &str)] = &[("x86_64", "x64"), ("aarch64", "arm64")];

pub fn artifacts(version: &str, host: &Host) -> Result<Vec<Artifact>> {
    check_version(version)?;
    let arch = arch_name(host, ARCHES)?;
    let top = format!("node-v{version}-linux-{arch}");
    Ok([Format::Xz, Format::Gzip]
        .into_iter()
        .map(|format| Artifact {
            key: format!("v{version}/{top}{}", format.extension()),
            format,
            top: top.clone(),
            checksum_key: format!("v{version}/SHASUMS256.txt"),
        })
        .collect())
}

#[derive(Deserialize)]
struct Entry {
    version: String,
    #[serde(default)]
    lts: serde_json::Value,
}

/// Every release in `index.json`, newest first as upstream writes it.
pub fn releases(ctx: &Context) -> Result<Vec<Release>> {
    let url = format!("{}/index.json", ctx.installs.upstream.nodejs_mirror);
    parse(&listing::document(ctx, &url)?)
}

fn parse(bytes: &[u8]) -> Result<Vec<Release>> {
    let entries: Vec<Entry> = serde_json::from_slice(bytes).map_err(|e| Error::BadData {
        what: "Node.js's index.json".into(),
        why: format!("cannot be read: {e}"),
    })?;
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let version = e.version.strip_prefix('v')?.to_string();
            check_version(&version).ok()?;
            Some(Release {
                version,
                stable: true,
                lts: e.lts.as_str().map(str::to_ascii_lowercase),
                sha256: Vec::new(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_and_lts_names_from_index_json() {
        let index = br#"[{"version":"v21.0.0","lts":false},{"version":"v20.11.0","lts":"Iron"},{"version":"v../../x","lts":false}]"#;
        let releases = parse(index).unwrap();
        let names: Vec<(&str, Option<&str>)> = releases
            .iter()
            .map(|r| (r.version.as_str(), r.lts.as_deref()))
            .collect();
        assert_eq!(names, [("21.0.0", None), ("20.11.0", Some("iron"))]);
    }

    #[test]
    fn names_the_archives_as_upstream() {
        let host = Host {
            os: "debian-12".into(),
            arch: "x86_64".into(),
            libc: "glibc".into(),
        };
        let a = artifacts("20.11.0", &host).unwrap();
        assert_eq!(a[0].key, "v20.11.0/node-v20.11.0-linux-x64.tar.xz");
        assert_eq!(a[1].file_name(), "node-v20.11.0-linux-x64.tar.gz");
        assert_eq!(a[0].checksum_key, "v20.11.0/SHASUMS256.txt");
        assert!(artifacts("../1", &host).is_err());
    }
}
