//! Node.js: official releases as nodejs.org/dist lays them out
//! (`releases`), `.nvmrc` and `.node-version` read as nvm reads them, and
//! `~/.default-npm-packages` installed after (`npm`), as asdf-nodejs does.

mod npm;
mod releases;

use crate::config::settings::InstallSettings;
use crate::context::Context;
use crate::error::Result;
use crate::job::Job;
use crate::platform::Host;
use crate::upstream::{Artifact, Release, Releases, Signing};

pub struct NodeJs;

impl super::Builtin for NodeJs {
    fn name(&self) -> &'static str {
        "nodejs"
    }

    fn description(&self) -> &'static str {
        "Node.js"
    }

    fn legacy_filenames(&self) -> &'static [&'static str] {
        &[".nvmrc", ".node-version"]
    }

    fn legacy_parser(&self, _file_name: &str) -> Option<fn(&str) -> Option<String>> {
        Some(version_file)
    }

    fn default_chain(&self) -> &'static [&'static str] {
        &["cache", "plugin", "upstream"]
    }

    fn readthedocs_name(&self) -> Option<&'static str> {
        Some("nodejs")
    }
}

impl Releases for NodeJs {
    fn tool(&self) -> &'static str {
        super::Builtin::name(self)
    }

    fn mirror<'a>(&self, settings: &'a InstallSettings) -> &'a str {
        &settings.upstream.nodejs_mirror
    }

    fn artifacts(&self, version: &str, host: &Host) -> Result<Vec<Artifact>> {
        releases::artifacts(version, host)
    }

    fn list(&self, ctx: &Context) -> Result<Vec<Release>> {
        releases::releases(ctx)
    }

    fn checksums_signature(
        &self,
        artifact: &Artifact,
        settings: &InstallSettings,
    ) -> Option<Signing> {
        Some(Signing {
            key: format!("{}.sig", artifact.checksum_key),
            keyring_name: "the Node.js releasers' keys",
            keyring_origin: "plugins/nodejs/keys.asc",
            keyring: NODE_KEYS,
            policy: settings.upstream.nodejs_verify,
        })
    }

    fn after_install(&self, job: &Job<'_>) -> Result<serde_json::Value> {
        npm::install_defaults(job)
    }
}

/// Every key the Node.js releasers sign with or signed with
/// (`plugins/KEYS.md`).
const NODE_KEYS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/plugins/nodejs/keys.asc"
));

/// Node.js's LTS lines by codename, as asdf-nodejs names them; `lts/*` is
/// the last one. Newer lines need an entry here (or an exact version).
const LTS_LINES: &[(&str, &str)] = &[
    ("argon", "4"),
    ("boron", "6"),
    ("carbon", "8"),
    ("dubnium", "10"),
    ("erbium", "12"),
    ("fermium", "14"),
    ("gallium", "16"),
    ("hydrogen", "18"),
    ("iron", "20"),
    ("jod", "22"),
    ("krypton", "24"),
];

/// `.nvmrc` / `.node-version`: a version, `lts/*`, `lts/<codename>`,
/// `node` / `stable` / `latest`; comments after `#`. LTS names become their
/// line's newest release, so shims resolve them offline among installs.
fn version_file(text: &str) -> Option<String> {
    let word = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .find(|l| !l.is_empty())?
        .to_ascii_lowercase();
    Some(match word.as_str() {
        "node" | "stable" | "latest" | "current" => "latest".into(),
        "lts/*" | "lts" => format!("latest:{}", LTS_LINES.last()?.1),
        _ => match word.strip_prefix("lts/") {
            Some(codename) => {
                let (_, major) = LTS_LINES.iter().find(|(name, _)| *name == codename)?;
                format!("latest:{major}")
            }
            None => super::exact_or_latest(&word),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::version_file as node;

    #[test]
    fn node_files_as_nvm_reads_them() {
        assert_eq!(node("v20.11.0\n").as_deref(), Some("20.11.0"));
        assert_eq!(node("v20 # team default\n").as_deref(), Some("latest:20"));
        assert_eq!(node("lts/*").as_deref(), Some("latest:24"));
        assert_eq!(node("lts/Iron").as_deref(), Some("latest:20"));
        assert_eq!(node("lts/unknown"), None);
        assert_eq!(node("node").as_deref(), Some("latest"));
        assert_eq!(node("\n"), None);
    }
}
