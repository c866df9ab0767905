//! Go as go.dev lays it out: `go<V>.linux-<arch>.tar.gz` with everything in
//! `go/`, its `.sha256` beside it, and the release list in the format of
//! `go.dev/dl/?mode=json&include=all` (versions, stability, sha256 per file).

use serde::Deserialize;

use super::{Artifact, Release, arch_name, check_version, listing};
use crate::archive::Format;
use crate::config::settings::Settings;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::platform::Host;

const ARCHES: &[(&str, &str)] = &[("x86_64", "amd64"), ("aarch64", "arm64")];

pub fn artifacts(version: &str, host: &Host) -> Result<Vec<Artifact>> {
    check_version(version)?;
    let arch = arch_name(host, ARCHES)?;
    let key = format!("go{version}.linux-{arch}.tar.gz");
    Ok(vec![Artifact {
        checksum_key: format!("{key}.sha256"),
        key,
        format: Format::Gzip,
        top: "go".into(),
    }])
}

#[derive(Deserialize)]
struct Entry {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Deserialize)]
struct File {
    filename: String,
    #[serde(default)]
    sha256: String,
}

/// Every release in the list, newest first as go.dev writes it.
pub fn releases(env: &Env, settings: &Settings) -> Result<Vec<Release>> {
    parse(&listing::document(
        env,
        settings,
        &settings.vendor.golang_releases,
    )?)
}

fn parse(bytes: &[u8]) -> Result<Vec<Release>> {
    let entries: Vec<Entry> = serde_json::from_slice(bytes)
        .map_err(|e| Error::Other(format!("Go's release list cannot be read: {e}")))?;
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let version = e.version.strip_prefix("go")?.to_string();
            check_version(&version).ok()?;
            Some(Release {
                version,
                stable: e.stable,
                lts: None,
                sha256: e
                    .files
                    .into_iter()
                    .filter(|f| f.sha256.len() == 64)
                    .map(|f| (f.filename, f.sha256.to_ascii_lowercase()))
                    .collect(),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_go_devs_release_list() {
        let sha = "c".repeat(64);
        let list = format!(
            r#"[{{"version":"go1.22rc1","stable":false,"files":[]}},{{"version":"go1.21.5","stable":true,"files":[{{"filename":"go1.21.5.linux-amd64.tar.gz","sha256":"{sha}"}}]}}]"#
        );
        let releases = parse(list.as_bytes()).unwrap();
        assert_eq!(releases[0].version, "1.22rc1");
        assert!(!releases[0].stable);
        assert_eq!(
            releases[1].sha256,
            [("go1.21.5.linux-amd64.tar.gz".to_string(), sha)]
        );
    }
}
