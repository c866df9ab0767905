//! Go: official releases as go.dev lays them out (`go<V>.linux-<arch>.tar.gz`
//! with everything in `go/`, its `.sha256` beside it, and the release list
//! in the format of `go.dev/dl/?mode=json&include=all`: versions, stability,
//! sha256 per file), `GOROOT` for its programs, and `.go-version`, `go.mod`
//! and `go.work` read as asdf-golang reads them.

use serde::Deserialize;

use crate::archive::Format;
use crate::config::settings::InstallSettings;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::upstream::{Artifact, Release, Releases, Signing, arch_name, check_version, listing};

pub struct Golang;

impl super::Builtin for Golang {
    fn name(&self) -> &'static str {
        "golang"
    }

    fn description(&self) -> &'static str {
        "Go"
    }

    fn legacy_filenames(&self) -> &'static [&'static str] {
        &[".go-version", "go.mod", "go.work"]
    }

    fn legacy_parser(&self, file_name: &str) -> Option<fn(&str) -> Option<String>> {
        match file_name {
            "go.mod" | "go.work" => Some(go_mod),
            ".go-version" => {
                Some(|t| Some(super::exact_or_latest(t.trim().trim_start_matches("go"))))
            }
            _ => None,
        }
    }

    fn default_chain(&self) -> &'static [&'static str] {
        &["cache", "plugin", "upstream"]
    }

    fn readthedocs_name(&self) -> Option<&'static str> {
        Some("golang")
    }
}

impl Releases for Golang {
    fn tool(&self) -> &'static str {
        super::Builtin::name(self)
    }

    fn mirror<'a>(&self, settings: &'a InstallSettings) -> &'a str {
        &settings.upstream.golang_mirror
    }

    fn artifacts(&self, version: &str, host: &Host) -> Result<Vec<Artifact>> {
        artifacts(version, host)
    }

    fn list(&self, ctx: &Context) -> Result<Vec<Release>> {
        releases(ctx)
    }

    fn lists_checksums(&self) -> bool {
        true
    }

    fn archive_signature(
        &self,
        artifact: &Artifact,
        settings: &InstallSettings,
    ) -> Option<Signing> {
        Some(Signing {
            key: format!("{}.asc", artifact.key),
            keyring_name: "Google's Go signing key",
            keyring_origin: "plugins/golang/keys.asc",
            keyring: GO_KEYS,
            policy: settings.upstream.golang_verify,
        })
    }
}

/// Google's keys that sign Go's downloads (`plugins/KEYS.md`).
const GO_KEYS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/plugins/golang/keys.asc"
));

/// `go.mod` / `go.work`: the `toolchain go1.21.5` line (exact), else the
/// `go 1.21` line (its newest release).
fn go_mod(text: &str) -> Option<String> {
    let directive = |name: &str| {
        text.lines().find_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some(name)).then(|| words.next()).flatten()
        })
    };
    if let Some(toolchain) = directive("toolchain") {
        return Some(toolchain.trim_start_matches("go").to_string());
    }
    let go = directive("go")?;
    Some(match go.split('.').count() {
        3 => go.to_string(),
        _ => format!("latest:{go}"),
    })
}

const ARCHES: &[(&str, &str)] = &[("x86_64", "amd64"), ("aarch64", "arm64")];

fn artifacts(version: &str, host: &Host) -> Result<Vec<Artifact>> {
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
fn releases(ctx: &Context) -> Result<Vec<Release>> {
    parse(&listing::document(
        ctx,
        &ctx.installs.upstream.golang_releases,
    )?)
}

fn parse(bytes: &[u8]) -> Result<Vec<Release>> {
    let entries: Vec<Entry> = serde_json::from_slice(bytes).map_err(|e| Error::BadData {
        what: "Go's release list".into(),
        why: format!("cannot be read: {e}"),
    })?;
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
    fn go_mod_prefers_the_toolchain_line() {
        assert_eq!(
            go_mod("module x\n\ngo 1.21\n\ntoolchain go1.21.5\n").as_deref(),
            Some("1.21.5")
        );
        assert_eq!(
            go_mod("module x\ngo 1.22\n").as_deref(),
            Some("latest:1.22")
        );
        assert_eq!(go_mod("module x\ngo 1.22.3\n").as_deref(), Some("1.22.3"));
        assert_eq!(go_mod("module x\n"), None);
    }

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
