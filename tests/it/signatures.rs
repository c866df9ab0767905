//! Publisher signatures on official downloads: Go's archive checked against
//! its `.asc` over the same stream, Node.js's `SHASUMS256.txt.sig` and
//! Rust's channel manifest `.asc` before any checksum in them is used. The
//! offline mirrors are our repacks of Debian's builds, so the publishers'
//! keys cannot have signed them: it is signed by a key
//! made with gpg (`scripts/setup-vendor-dists`), which these tests trust
//! through `upstream.trusted_keys` — or do not, to see each refusal. Keys
//! for the other cases are made here with gpg, as publishers make theirs.

use std::path::{Path, PathBuf};

use crate::harness::gpg::{Gpg, fingerprint_of};

use crate::harness::dists::{dists, go_tool, rust_dists, rust_tool, test_key};
use crate::harness::fakes::{nothing_installed, sha256_hex};
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

const ARCHIVE: &str = "go1.19.8.linux-amd64.tar.gz";

fn go_dists() -> PathBuf {
    dists().join("go")
}

/// A copy of the Go mirror to change: archive, `.sha256`, `.asc`, list.
fn mirror_copy(s: &Sandbox) -> PathBuf {
    let copy = s.root.join("go-mirror");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(go_dists()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), copy.join(entry.file_name())).unwrap();
    }
    copy
}

fn install_from(s: &Sandbox, mirror: &Path, keys: Option<&Path>) -> assert_cmd::Command {
    let mut cmd = go_tool(s, &["install", "golang", "1.19.8", "--json"]);
    cmd.env("TOOL_GOLANG_MIRROR", format!("file://{}", mirror.display()))
        .env(
            "TOOL_GOLANG_RELEASES",
            format!("file://{}/releases.json", mirror.display()),
        );
    match keys {
        Some(keys) => cmd.env("TOOL_UPSTREAM_TRUSTED_KEYS", keys),
        None => cmd.env_remove("TOOL_UPSTREAM_TRUSTED_KEYS"),
    };
    cmd
}

#[test]
fn a_signed_archive_installs_and_says_who_signed_it() {
    let s = Sandbox::new();
    let out = stdout(&mut go_tool(&s, &["install", "golang", "1.19.8", "--json"]));
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let fingerprint = fingerprint_of(&test_key());
    assert_eq!(report["details"]["signed_by"], fingerprint, "{report}");
    assert_eq!(
        report["details"]["signer"],
        "tool tests (mirror signing) <tests@tool.invalid>"
    );
}

#[test]
fn a_signature_by_a_key_not_trusted_refuses_the_install() {
    let s = Sandbox::new();
    let err = fails_with(&mut install_from(&s, &go_dists(), None), 1);
    refused_as_untrusted(
        &err,
        ARCHIVE,
        "Google's Go signing key",
        "EB4C1BFD4F042F6DDDCCEC917721F63BD38B4796",
    );
    nothing_installed(&s.data, "golang");
}

/// `err` refuses `file` from a file:// mirror as signed by none of
/// `keyring`'s keys, whose fingerprints include `fingerprint`.
fn refused_as_untrusted(err: &str, file: &str, keyring: &str, fingerprint: &str) {
    assert!(
        err.contains(&format!("{file} in file://"))
            && err.contains(&format!("expected a signature by {keyring} ("))
            && err.contains(fingerprint)
            && err.contains("which is not one of them"),
        "{err}"
    );
}

#[test]
fn a_tampered_archive_with_a_matching_checksum_is_refused() {
    // Whoever can change the mirror's archive can change its checksum too.
    let s = Sandbox::new();
    let mirror = mirror_copy(&s);
    let archive = mirror.join(ARCHIVE);
    // Still a good archive: a second gzip member of zeros after the tar's end.
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend(crate::harness::gzip(&[0u8; 1024]));
    std::fs::write(&archive, &bytes).unwrap();
    std::fs::write(mirror.join(format!("{ARCHIVE}.sha256")), sha256_hex(&bytes)).unwrap();
    let list = std::fs::read_to_string(mirror.join("releases.json")).unwrap();
    let old = sha256_hex(&std::fs::read(go_dists().join(ARCHIVE)).unwrap());
    std::fs::write(
        mirror.join("releases.json"),
        list.replace(&old, &sha256_hex(&bytes)),
    )
    .unwrap();
    let err = fails_with(&mut install_from(&s, &mirror, Some(&test_key())), 1);
    assert!(err.contains("that does not match the file"), "{err}");
    nothing_installed(&s.data, "golang");
}

#[test]
fn a_missing_signature_refuses_unless_checksums_are_enough() {
    let s = Sandbox::new();
    let mirror = mirror_copy(&s);
    std::fs::remove_file(mirror.join(format!("{ARCHIVE}.asc"))).unwrap();
    refused_unless_checksums(&s, "golang", &format!("{ARCHIVE}.asc"), || {
        install_from(&s, &mirror, Some(&test_key()))
    });
}

/// `install` refuses the archive whose `signature` is missing, and
/// installs it, unsigned, with `upstream.<tool>_verify = checksums`.
fn refused_unless_checksums(
    s: &Sandbox,
    tool: &str,
    signature: &str,
    install: impl Fn() -> assert_cmd::Command,
) {
    let err = fails_with(&mut install(), 1);
    assert!(
        err.contains(&format!("found no {signature} beside it"))
            && err.contains(&format!("upstream.{tool}_verify = checksums")),
        "{err}"
    );
    nothing_installed(&s.data, tool);
    let var = format!("TOOL_{}_VERIFY", tool.to_ascii_uppercase());
    let out = stdout(install().env(var, "checksums"));
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["outcome"], "installed", "{report}");
    assert!(report["details"].get("signed_by").is_none(), "{report}");
}

#[test]
fn a_signature_over_another_file_is_refused() {
    let s = Sandbox::new();
    let mirror = mirror_copy(&s);
    let gpg = Gpg::new(&s, "publisher").key("Publisher <p@tool.invalid>", None);
    let keys = gpg.public(&s.root.join("publisher.asc"));
    gpg.sign(
        &mirror.join("releases.json"),
        &mirror.join(format!("{ARCHIVE}.asc")),
        None,
    );
    let err = fails_with(&mut install_from(&s, &mirror, Some(&keys)), 1);
    assert!(
        err.contains(&format!("a signature by {}", gpg.fingerprint()))
            && err.contains("does not match the file"),
        "{err}"
    );
    nothing_installed(&s.data, "golang");
}

#[test]
fn a_signature_made_after_its_key_expired_is_refused() {
    let s = Sandbox::new();
    let mirror = mirror_copy(&s);
    let (made, signed, expiry_set) = ("20250101T000000", "20250110T000000", "20250101T010000");
    let gpg = Gpg::new(&s, "expired").key("Expired <e@tool.invalid>", Some(made));
    gpg.sign(
        &mirror.join(ARCHIVE),
        &mirror.join(format!("{ARCHIVE}.asc")),
        Some(signed),
    );
    // Then the key is given a one-day lifetime, as of before that signature.
    let fpr = gpg.fingerprint();
    gpg.run(&[
        &format!("--faked-system-time={expiry_set}"),
        "--quick-set-expire",
        &fpr,
        "1d",
    ]);
    let keys = gpg.public(&s.root.join("expired.asc"));
    let err = fails_with(&mut install_from(&s, &mirror, Some(&keys)), 1);
    assert!(
        err.contains(&format!("a signature by {fpr}, which had expired")),
        "{err}"
    );
    nothing_installed(&s.data, "golang");
}

/// The offline Node.js mirror (signed `SHASUMS256.txt.sig`), copied.
fn node_mirror(s: &Sandbox) -> PathBuf {
    let copy = s.root.join("node-mirror");
    crate::harness::copy_tree(&dists().join("node"), &copy);
    copy
}

fn install_node(s: &Sandbox, mirror: &Path, keys: Option<&Path>) -> assert_cmd::Command {
    let mut cmd = s.tool(&["install", "nodejs", "20.11.0", "--json"]);
    cmd.env_remove("TOOL_NODEJS_VERIFY")
        .env("TOOL_NODEJS_MIRROR", format!("file://{}", mirror.display()))
        .env("npm_config_registry", "http://127.0.0.1:9/");
    match keys {
        Some(keys) => cmd.env("TOOL_UPSTREAM_TRUSTED_KEYS", keys),
        None => cmd.env_remove("TOOL_UPSTREAM_TRUSTED_KEYS"),
    };
    cmd
}

#[test]
fn nodes_checksum_file_is_checked_against_the_releasers_keys() {
    let s = Sandbox::new();
    let mirror = node_mirror(&s);
    let out = stdout(&mut install_node(&s, &mirror, Some(&test_key())));
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        report["details"]["signer"], "tool tests (mirror signing) <tests@tool.invalid>",
        "{report}"
    );
    // Not trusted: the shipped keyring is the Node.js releasers' only.
    let s = Sandbox::new();
    let err = fails_with(&mut install_node(&s, &mirror, None), 1);
    refused_as_untrusted(
        &err,
        "v20.11.0/SHASUMS256.txt",
        "the Node.js releasers' keys",
        "8FCCA13FEF1D0C2E91008E09770F7A9A5AE15600",
    );
    nothing_installed(&s.data, "nodejs");
}

#[test]
fn a_checksum_file_changed_after_signing_is_refused() {
    // The mirror's archive and its line in SHASUMS256.txt changed together.
    let s = Sandbox::new();
    let mirror = node_mirror(&s);
    let dir = mirror.join("v20.11.0");
    let archive = dir.join("node-v20.11.0-linux-x64.tar.xz");
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend([0u8; 512]);
    std::fs::write(&archive, &bytes).unwrap();
    let sums = std::fs::read_to_string(dir.join("SHASUMS256.txt")).unwrap();
    let old = sha256_hex(
        &std::fs::read(dists().join("node/v20.11.0/node-v20.11.0-linux-x64.tar.xz")).unwrap(),
    );
    std::fs::write(
        dir.join("SHASUMS256.txt"),
        sums.replace(&old, &sha256_hex(&bytes)),
    )
    .unwrap();
    let err = fails_with(&mut install_node(&s, &mirror, Some(&test_key())), 1);
    assert!(
        err.contains("SHASUMS256.txt") && err.contains("does not match the file"),
        "{err}"
    );
    nothing_installed(&s.data, "nodejs");
    // Without its .sig, the same: refused, unless checksums are enough.
    std::fs::remove_file(dir.join("SHASUMS256.txt.sig")).unwrap();
    let err = fails_with(&mut install_node(&s, &mirror, Some(&test_key())), 1);
    assert!(
        err.contains("found no SHASUMS256.txt.sig beside it"),
        "{err}"
    );
    nothing_installed(&s.data, "nodejs");
}

#[test]
fn a_lock_records_the_key_whose_signature_held() {
    let s = Sandbox::new();
    let mirror = node_mirror(&s);
    s.write("proj/.tool-versions", "nodejs 20.11.0\n");
    let mut lock = s.tool(&["lock"]);
    lock.env_remove("TOOL_NODEJS_VERIFY")
        .env("TOOL_NODEJS_MIRROR", format!("file://{}", mirror.display()))
        .env("TOOL_UPSTREAM_TRUSTED_KEYS", test_key());
    succeeds(&mut lock);
    let written = s.read("proj/.tool-versions.lock");
    let signer = format!("openpgp:{}", fingerprint_of(&test_key()));
    assert!(written.contains(&signer), "{written}");
}

const RUST_MANIFEST: &str = "dist/channel-rust-1.63.0.toml";

/// A copy of the offline Rust dist server to change: its manifests and
/// signatures copied, the installer linked (it is only read).
fn rust_mirror(s: &Sandbox) -> PathBuf {
    let copy = s.root.join("rust-mirror");
    std::fs::create_dir_all(copy.join("dist")).unwrap();
    for entry in std::fs::read_dir(rust_dists().join("dist")).unwrap() {
        let entry = entry.unwrap();
        let to = copy.join("dist").join(entry.file_name());
        match entry.file_name().to_string_lossy().ends_with(".tar.xz") {
            true => std::fs::hard_link(entry.path(), to).unwrap(),
            false => drop(std::fs::copy(entry.path(), to).unwrap()),
        }
    }
    copy
}

fn install_rust(s: &Sandbox, mirror: &Path, keys: Option<&Path>) -> assert_cmd::Command {
    let mut cmd = rust_tool(s, &["install", "rust", "1.63.0", "--json"]);
    cmd.env("RUSTUP_DIST_SERVER", format!("file://{}", mirror.display()));
    if keys.is_none() {
        cmd.env_remove("TOOL_UPSTREAM_TRUSTED_KEYS");
    }
    cmd
}

#[test]
fn rusts_installer_sha256_comes_from_the_signed_channel_manifest() {
    let s = Sandbox::new();
    let mirror = rust_mirror(&s);
    // The .sha256 beside the installer is not what is checked.
    std::fs::write(
        mirror.join("dist/rust-1.63.0-x86_64-unknown-linux-gnu.tar.xz.sha256"),
        format!(
            "{}  rust-1.63.0-x86_64-unknown-linux-gnu.tar.xz\n",
            "0".repeat(64)
        ),
    )
    .unwrap();
    let out = stdout(&mut install_rust(&s, &mirror, Some(&test_key())));
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["outcome"], "installed", "{report}");
    assert_eq!(report["details"]["signed_by"], fingerprint_of(&test_key()));
    assert!(s.data.join("installs/rust/1.63.0/bin/cargo").is_file());
}

#[test]
fn a_rust_manifest_not_signed_by_the_release_key_is_refused() {
    let s = Sandbox::new();
    let mirror = rust_mirror(&s);
    let err = fails_with(&mut install_rust(&s, &mirror, None), 1);
    refused_as_untrusted(
        &err,
        RUST_MANIFEST,
        "the Rust release key",
        "108F66205EAEB0AAA8DD5E1C85AB96E6FA1BE5FE",
    );
    nothing_installed(&s.data, "rust");
}

#[test]
fn a_rust_manifest_changed_after_signing_is_refused() {
    let s = Sandbox::new();
    let mirror = rust_mirror(&s);
    let manifest = mirror.join(RUST_MANIFEST);
    let text = std::fs::read_to_string(&manifest).unwrap();
    let line = text.lines().find(|l| l.starts_with("xz_hash")).unwrap();
    std::fs::write(
        &manifest,
        text.replace(line, &format!("xz_hash = \"{}\"", "1".repeat(64))),
    )
    .unwrap();
    let err = fails_with(&mut install_rust(&s, &mirror, Some(&test_key())), 1);
    assert!(
        err.contains(RUST_MANIFEST) && err.contains("does not match the file"),
        "{err}"
    );
    nothing_installed(&s.data, "rust");
}

#[test]
fn a_rust_manifest_without_its_signature_is_refused_unless_checksums_are_enough() {
    let s = Sandbox::new();
    let mirror = rust_mirror(&s);
    std::fs::remove_file(mirror.join(format!("{RUST_MANIFEST}.asc"))).unwrap();
    refused_unless_checksums(&s, "rust", "channel-rust-1.63.0.toml.asc", || {
        install_rust(&s, &mirror, Some(&test_key()))
    });
}

#[test]
fn a_stable_channel_manifest_changed_after_signing_makes_no_latest() {
    // An older release named as stable: its own manifest would be signed.
    let s = Sandbox::new();
    let mirror = rust_mirror(&s);
    let stable = mirror.join("dist/channel-rust-stable.toml");
    let text = std::fs::read_to_string(&stable).unwrap();
    std::fs::write(
        &stable,
        text.replace("version = \"1.63.0", "version = \"1.62.0"),
    )
    .unwrap();
    let mut latest = rust_tool(&s, &["latest", "rust"]);
    latest.env("RUSTUP_DIST_SERVER", format!("file://{}", mirror.display()));
    let err = fails_with(&mut latest, 1);
    assert!(
        err.contains("channel-rust-stable.toml") && err.contains("does not match the file"),
        "{err}"
    );
}
