//! Rust: official releases as its dist server lays them out (the standalone
//! installers `dist/rust-<V>-<target>.tar.xz` or `.tar.gz`, whose sha256
//! comes from the signed channel manifest `dist/channel-rust-<V>.toml`,
//! and `dist/channel-rust-stable.toml` naming the current release), and
//! `rust-toolchain(.toml)` as rustup reads it. An installer
//! holds one folder per component, each with a `manifest.in` of the files
//! and folders it installs; `assemble` moves those of the components a
//! toolchain needs into place, without running its shell installer.

use std::path::{Component, Path, PathBuf};

use crate::archive::Format;
use crate::config::settings::InstallSettings;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::platform::Host;
use crate::provenance::{Policy, verify};
use crate::upstream::{Artifact, Release, Releases, Signing, arch_name, check_version, listing};

pub struct Rust;

impl super::Builtin for Rust {
    fn name(&self) -> &'static str {
        "rust"
    }

    fn description(&self) -> &'static str {
        "Rust"
    }

    fn legacy_filenames(&self) -> &'static [&'static str] {
        &["rust-toolchain.toml", "rust-toolchain"]
    }

    fn legacy_parser(&self, _file_name: &str) -> Option<fn(&str) -> Option<String>> {
        Some(rust_toolchain)
    }

    fn default_chain(&self) -> &'static [&'static str] {
        &["cache", "plugin", "upstream"]
    }

    fn readthedocs_name(&self) -> Option<&'static str> {
        Some("rust")
    }
}

impl Releases for Rust {
    fn tool(&self) -> &'static str {
        super::Builtin::name(self)
    }

    fn mirror<'a>(&self, settings: &'a InstallSettings) -> &'a str {
        &settings.upstream.rust_mirror
    }

    fn artifacts(&self, version: &str, host: &Host) -> Result<Vec<Artifact>> {
        artifacts(version, host)
    }

    fn list(&self, ctx: &Context) -> Result<Vec<Release>> {
        releases(ctx)
    }

    fn sha256_in_checksums(&self, text: &str, artifact: &Artifact) -> Option<String> {
        manifest_sha256(text, artifact)
    }

    fn checksums_signature(
        &self,
        artifact: &Artifact,
        settings: &InstallSettings,
    ) -> Option<Signing> {
        Some(manifest_signing(&artifact.checksum_key, settings))
    }

    fn is_installer(&self) -> bool {
        true
    }

    fn assemble(&self, unpacked: &Path, dest: &Path, host: &Host) -> Result<serde_json::Value> {
        Ok(serde_json::json!(assemble(unpacked, dest, target(host)?)?))
    }
}

/// The Rust release key, which signs every channel manifest
/// (`plugins/KEYS.md`).
const RUST_KEYS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/plugins/rust/keys.asc"
));

/// How the channel manifest `manifest` is signed: its `.asc`, by the Rust
/// release key.
fn manifest_signing(manifest: &str, settings: &InstallSettings) -> Signing {
    Signing {
        key: format!("{manifest}.asc"),
        keyring_name: "the Rust release key",
        keyring_origin: "plugins/rust/keys.asc",
        keyring: RUST_KEYS,
        policy: settings.upstream.rust_verify,
    }
}

/// The sha256 the channel manifest `text` gives the standalone installer
/// `artifact`: the `xz_hash` (or `hash`, for the `.tar.gz`) of the
/// `[pkg.rust.target.*]` entry whose `xz_url` (`url`) names the same file.
/// The file name carries the version and target, so another release's
/// manifest names nothing.
fn manifest_sha256(text: &str, artifact: &Artifact) -> Option<String> {
    let manifest: toml::Table = toml::from_str(text).ok()?;
    let targets = manifest
        .get("pkg")?
        .get("rust")?
        .get("target")?
        .as_table()?;
    let (url, hash) = match artifact.format {
        Format::Xz => ("xz_url", "xz_hash"),
        _ => ("url", "hash"),
    };
    let names = |entry: &&toml::Value| {
        let file = entry.get(url).and_then(|u| u.as_str()?.rsplit('/').next());
        file == Some(artifact.file_name())
    };
    let sha = targets.values().find(names)?.get(hash)?.as_str()?;
    let valid = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| sha.to_ascii_lowercase())
}

/// `rust-toolchain.toml` (`[toolchain] channel = …`) or the old one-line
/// `rust-toolchain`: a release number, or `stable`.
fn rust_toolchain(text: &str) -> Option<String> {
    let channel = match toml::from_str::<toml::Table>(text) {
        Ok(table) => table
            .get("toolchain")?
            .get("channel")?
            .as_str()?
            .to_string(),
        Err(_) => text.lines().next()?.trim().to_string(),
    };
    match channel.as_str() {
        "stable" => Some("latest".into()),
        c if c.starts_with(|ch: char| ch.is_ascii_digit()) => Some(super::exact_or_latest(c)),
        _ => None,
    }
}

/// What the Rust installer holds that it should not.
fn bad_installer(why: String) -> Error {
    Error::BadData {
        what: "the Rust installer".into(),
        why,
    }
}

const TARGETS: &[(&str, &str)] = &[
    ("x86_64", "x86_64-unknown-linux-gnu"),
    ("aarch64", "aarch64-unknown-linux-gnu"),
];

/// This machine's target triple.
fn target(host: &Host) -> Result<&'static str> {
    arch_name(host, TARGETS)
}

fn artifacts(version: &str, host: &Host) -> Result<Vec<Artifact>> {
    check_version(version)?;
    let top = format!("rust-{version}-{}", target(host)?);
    Ok([Format::Xz, Format::Gzip]
        .into_iter()
        .map(|format| Artifact {
            key: format!("dist/{top}{}", format.extension()),
            checksum_key: format!("dist/channel-rust-{version}.toml"),
            format,
            top: top.clone(),
        })
        .collect())
}

/// The current stable release, from `dist/channel-rust-stable.toml`,
/// whose `.asc` is checked first where the policy asks (else a mirror could
/// make `latest` an older release, whose own manifest is validly signed).
fn releases(ctx: &Context) -> Result<Vec<Release>> {
    let url = format!(
        "{}/dist/channel-rust-stable.toml",
        ctx.installs.upstream.rust_mirror
    );
    let bytes = listing::document(ctx, &url)?;
    let signed = manifest_signing(&url, &ctx.installs);
    if signed.policy == Policy::Signatures {
        let signature = listing::document(ctx, &signed.key)?;
        let keyring = crate::upstream::signature::keyring(&signed, &ctx.installs)?;
        verify::detached(&keyring, &signature, &bytes[..], &url)?;
    }
    let bad = |why: String| Error::BadData {
        what: "Rust's channel manifest".into(),
        why: format!("cannot be read: {why}"),
    };
    let text = String::from_utf8(bytes).map_err(|e| bad(e.to_string()))?;
    let manifest: toml::Table = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let version = manifest
        .get("pkg")
        .and_then(|p| p.get("rust"))
        .and_then(|r| r.get("version"))
        .and_then(|v| v.as_str())
        .and_then(|v| v.split_whitespace().next())
        .ok_or_else(|| bad("no pkg.rust.version".into()))?;
    check_version(version)?;
    Ok(vec![Release {
        version: version.to_string(),
        stable: true,
        lts: None,
        sha256: Vec::new(),
    }])
}

/// The components a toolchain is made of (the `-preview` names are older
/// releases' names for the same tools).
fn wanted(component: &str, target: &str) -> bool {
    matches!(
        component,
        "rustc" | "cargo" | "rustfmt" | "rustfmt-preview" | "clippy" | "clippy-preview"
    ) || component == format!("rust-std-{target}")
}

/// Moves the wanted components of the unpacked installer `unpacked` into
/// `dest`; returns their names.
fn assemble(unpacked: &Path, dest: &Path, target: &str) -> Result<Vec<String>> {
    let list = fs_err::read_to_string(unpacked.join("components"))
        .map_err(|_| bad_installer("has no `components` list".into()))?;
    let mut installed = Vec::new();
    for component in list.lines().map(str::trim).filter(|c| wanted(c, target)) {
        let root = unpacked.join(component);
        let manifest = fs_err::read_to_string(root.join("manifest.in"))?;
        for line in manifest.lines().filter(|l| !l.trim().is_empty()) {
            let rel = entry_path(line, component)?;
            merge_move(&root.join(&rel), &dest.join(&rel))?;
        }
        installed.push(component.to_string());
    }
    for needed in ["rustc", "cargo"] {
        if !installed.iter().any(|c| c == needed) {
            return Err(bad_installer(format!("has no `{needed}` component")));
        }
    }
    check_links(dest, dest)?;
    Ok(installed)
}

/// `file:bin/rustc` / `dir:lib/rustlib/…` → a path that stays below its root.
fn entry_path(line: &str, component: &str) -> Result<PathBuf> {
    let rel = line
        .strip_prefix("file:")
        .or_else(|| line.strip_prefix("dir:"))
        .map(Path::new)
        .filter(|p| {
            p.components().count() > 0 && p.components().all(|c| matches!(c, Component::Normal(_)))
        });
    rel.map(Path::to_path_buf).ok_or_else(|| {
        bad_installer(format!(
            "names `{}` in {component}/manifest.in, which is not a path inside it",
            line.chars().take(200).collect::<String>()
        ))
    })
}

/// Renames `from` to `to`, merging into a folder that is already there.
fn merge_move(from: &Path, to: &Path) -> Result<()> {
    let meta = fs_err::symlink_metadata(from)?;
    if meta.is_dir() && to.is_dir() {
        for entry in fs_err::read_dir(from)? {
            let entry = entry?;
            merge_move(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        fs_err::create_dir_all(parent)?;
    }
    fs_err::rename(from, to)?;
    Ok(())
}

/// Every symlink below `dir` must point inside `root` from where it now is
/// (files moved up out of their component folder change what `..` means).
fn check_links(dir: &Path, root: &Path) -> Result<()> {
    for entry in fs_err::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            check_links(&path, root)?;
        } else if kind.is_symlink() {
            let target = fs_err::read_link(&path)?;
            let mut at: Vec<Component> = path
                .parent()
                .unwrap_or(root)
                .strip_prefix(root)
                .map(|p| p.components().collect())
                .unwrap_or_default();
            let mut inside = target.is_relative();
            for c in target.components() {
                match c {
                    Component::ParentDir => inside &= at.pop().is_some(),
                    Component::Normal(_) => at.push(c),
                    _ => {}
                }
            }
            if !inside {
                return Err(bad_installer(format!(
                    "has a link {} that points outside the toolchain",
                    path.strip_prefix(root).unwrap_or(&path).display()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_toolchain_channels() {
        assert_eq!(
            rust_toolchain("[toolchain]\nchannel = \"1.75.0\"\ncomponents = [\"clippy\"]\n")
                .as_deref(),
            Some("1.75.0")
        );
        assert_eq!(rust_toolchain("1.75\n").as_deref(), Some("latest:1.75"));
        assert_eq!(rust_toolchain("stable\n").as_deref(), Some("latest"));
        assert_eq!(rust_toolchain("nightly-2024-01-01\n"), None);
    }

    #[test]
    fn the_installers_sha256_comes_from_its_manifest_entry() {
        let host = Host {
            os: "ubuntu-20.04".into(),
            arch: "x86_64".into(),
            libc: "gnu".into(),
        };
        let [xz, gz] = <[Artifact; 2]>::try_from(artifacts("1.76.0", &host).unwrap()).unwrap();
        assert_eq!(xz.checksum_key, "dist/channel-rust-1.76.0.toml");
        let (a, b) = ("a".repeat(64), "B".repeat(64));
        let manifest = format!(
            "manifest-version = \"2\"\n[pkg.rust]\nversion = \"1.76.0 (07dca489a 2024-02-04)\"\n\
             [pkg.rust.target.aarch64-unknown-linux-gnu]\navailable = true\n\
             xz_url = \"https://static.rust-lang.org/dist/2024-02-08/rust-1.76.0-aarch64-unknown-linux-gnu.tar.xz\"\n\
             xz_hash = \"{b}\"\n\
             [pkg.rust.target.x86_64-unknown-linux-gnu]\navailable = true\n\
             url = \"https://static.rust-lang.org/dist/2024-02-08/rust-1.76.0-x86_64-unknown-linux-gnu.tar.gz\"\n\
             hash = \"{b}\"\n\
             xz_url = \"https://static.rust-lang.org/dist/2024-02-08/rust-1.76.0-x86_64-unknown-linux-gnu.tar.xz\"\n\
             xz_hash = \"{a}\"\n"
        );
        assert_eq!(manifest_sha256(&manifest, &xz).as_deref(), Some(a.as_str()));
        assert_eq!(
            manifest_sha256(&manifest, &gz),
            Some(b.to_ascii_lowercase())
        );
        // Another release's manifest names other files.
        let other = manifest.replace("1.76.0", "1.75.0");
        assert_eq!(manifest_sha256(&other, &xz), None);
        assert_eq!(manifest_sha256("not toml [", &xz), None);
    }

    #[test]
    fn manifest_entries_must_stay_inside() {
        assert_eq!(
            entry_path("file:bin/rustc", "rustc").unwrap(),
            Path::new("bin/rustc")
        );
        assert!(entry_path("file:../etc/passwd", "rustc").is_err());
        assert!(entry_path("dir:/usr", "rustc").is_err());
        assert!(entry_path("bin/rustc", "rustc").is_err());
    }

    #[test]
    fn assembles_components_and_refuses_escaping_links() {
        let t = tempfile::tempdir().unwrap();
        let (unpacked, dest) = (t.path().join("u"), t.path().join("d"));
        let target = "x86_64-unknown-linux-gnu";
        for (comp, file) in [
            ("rustc", "bin/rustc"),
            ("cargo", "bin/cargo"),
            ("rust-docs", "share/doc/x"),
        ] {
            let f = unpacked.join(comp).join(file);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(&f, comp).unwrap();
            std::fs::write(
                unpacked.join(comp).join("manifest.in"),
                format!("file:{file}\n"),
            )
            .unwrap();
        }
        std::fs::write(unpacked.join("components"), "rustc\ncargo\nrust-docs\n").unwrap();
        std::fs::create_dir_all(&dest).unwrap();
        let got = assemble(&unpacked, &dest, target).unwrap();
        assert_eq!(got, ["rustc", "cargo"]);
        assert_eq!(
            std::fs::read_to_string(dest.join("bin/cargo")).unwrap(),
            "cargo"
        );
        assert!(
            !dest.join("share").exists(),
            "docs are not a toolchain component"
        );
        std::os::unix::fs::symlink("../../outside", dest.join("bin/evil")).unwrap();
        assert!(check_links(&dest, &dest).is_err());
    }
}
