//! The binary cache against a real S3 server (s3s-fs, checking signatures),
//! a local HTTP server for faults, and file:// folders: publish, hit at
//! another path, relocation, the existing bucket layout, and every fault.

use std::io::Write;
use std::path::Path;

use crate::harness::fakes::{
    OS, cached_fake_pythons, fake_python, json_line, record_archive, tool_with,
};
use crate::harness::servers::{S3Server, SECRET_KEY};
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

/// A shim of another data dir, run in the project folder.
fn shim_in(s: &Sandbox, data: &Path, name: &str) -> assert_cmd::Command {
    let mut cmd = s.command(data.join("shims").join(name));
    cmd.env("ASDF_DATA_DIR", data);
    cmd
}

#[test]
fn an_s3_round_trip_runs_relocated_at_another_path() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let vars = s3.env("s3://builds/team");
    fake_python(&s.data, "3.9.6");
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["cache", "push", "python", "3.9.6", "--format", "both"],
    ));
    let stored = s.root.join("s3/builds/team");
    for format in ["zst", "gz"] {
        let archive = record_archive(&stored, "testos-python-3.9.6", format);
        assert!(archive.is_file(), "{} was not uploaded", archive.display());
    }

    let other = s.root.join("elsewhere/deeper/data");
    let out = stdout(&mut tool_with(
        &s,
        &other,
        &vars,
        &["install", "python", "3.9.6", "--json"],
    ));
    let report = json_line(&out);
    assert_eq!(report["backend"], "cache");
    assert_eq!(report["details"]["cache"], "hit");
    // The archive its record names, by digest.
    assert_eq!(
        report["details"]["record"], "testos-python-3.9.6.manifest",
        "{report}"
    );
    assert!(
        report["details"]["key"]
            .as_str()
            .unwrap()
            .starts_with("sha256/")
    );
    assert!(report["details"]["bytes"].as_u64().unwrap() > 0);
    assert!(
        report["details"]["bucket"]
            .as_str()
            .unwrap()
            .contains("s3://builds/team")
    );
    assert!(!out.contains(SECRET_KEY));

    let root = other.join("installs/python/3.9.6");
    let pip = std::process::Command::new(root.join("bin/pip"))
        .output()
        .unwrap();
    let pip_out = String::from_utf8_lossy(&pip.stdout);
    assert!(
        pip_out.starts_with(&format!("python 3.9.6 at {}/bin/python", root.display())),
        "{pip_out}"
    );
    let config = std::fs::read_to_string(root.join("lib/config.txt")).unwrap();
    assert_eq!(
        config,
        format!("prefix={0}\nlibdir={0}/lib\n", root.display())
    );
    let binary = std::fs::read(root.join("lib/libfake.so")).unwrap();
    assert!(
        binary.ends_with(
            s.data
                .join("installs/python/3.9.6")
                .display()
                .to_string()
                .as_bytes()
        ),
        "binaries are not rewritten"
    );
    assert_eq!(
        std::fs::read_link(root.join("bin/python3")).unwrap(),
        Path::new("python")
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join(".tool-manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["build_prefix"], root.display().to_string());
    // The shims of the second data dir run it.
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let out = stdout(shim_in(&s, &other, "python").arg("-V"));
    assert!(out.starts_with("python 3.9.6 at"), "{out}");
}

#[test]
fn cache_build_installs_without_the_cache_then_pushes() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let vars = s3.env("s3://builds");
    s.add_plugin("dummy", "dummy");
    let counter = s.root.join("counter");
    let build = |extra: &[&str]| {
        let mut args = vec!["cache", "build", "dummy", "1.0.0", "--json"];
        args.extend_from_slice(extra);
        let mut cmd = tool_with(&s, &s.data, &vars, &args);
        cmd.env("DUMMY_COUNTER", &counter);
        json_line(&stdout(&mut cmd))
    };
    assert_eq!(build(&[])["outcome"], "pushed");
    assert_eq!(build(&[])["outcome"], "already-cached");
    // A rebuild publishes over the key: its bytes, or the same ones again.
    let forced = build(&["--force"]);
    assert!(
        ["replaced", "already-published"].contains(&forced["outcome"].as_str().unwrap()),
        "{forced}"
    );
    assert_eq!(
        std::fs::read_to_string(&counter).unwrap().lines().count(),
        2,
        "built once, then rebuilt"
    );

    let other = s.root.join("second");
    succeeds(&mut tool_with(
        &s,
        &other,
        &[],
        &["plugin", "add", "dummy", &s.plugin_repo("dummy")],
    ));
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &other,
        &vars,
        &["install", "dummy", "1.0.0", "--json"],
    )));
    assert_eq!(report["backend"], "cache", "{report}");
    s.write("proj/.tool-versions", "dummy 1.0.0\n");
    let out = stdout(&mut shim_in(&s, &other, "dummy"));
    assert!(out.starts_with("dummy release 1.0.0:"), "{out}");
}

#[test]
fn the_data_dirs_own_cache_is_the_default_bucket() {
    let s = Sandbox::new();
    cached_fake_pythons(&s, &["3.9.6", "3.9.18"]);
    assert!(s.data.join("cache/testos-python-3.9.18.manifest").is_file());
    // Hit from the data dir's own cache after an uninstall.
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &[],
        &["uninstall", "python", "3.9.6"],
    ));
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &s.data,
        &[],
        &["install", "python", "3.9.6", "--json"],
    )));
    assert_eq!(report["details"]["cache"], "hit");
}

#[test]
fn a_file_bucket_serves_another_data_dir() {
    let s = Sandbox::new();
    cached_fake_pythons(&s, &["3.9.6", "3.9.18"]);
    let other = s.root.join("other-data");
    let vars = [(
        "TOOL_CACHE_URL",
        format!("file://{}", s.data.join("cache").display()),
    )];
    let cached = stdout(&mut tool_with(
        &s,
        &other,
        &vars,
        &["list", "all", "python"],
    ));
    assert_eq!(cached, "3.9.6\n3.9.18\n", "only the cache answers here");
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &other,
        &vars,
        &["install", "python", "latest:3.9", "--json"],
    )));
    assert_eq!(report["version"], "3.9.18");
    assert!(report["tried"].as_array().unwrap().is_empty());
    let out = stdout(&mut tool_with(
        &s,
        &other,
        &vars,
        &["cache", "list", "python"],
    ));
    assert!(
        out.contains("testos-python-3.9.18.manifest") && out.contains("testos/"),
        "{out}"
    );
}

/// An archive in the existing buckets' layout: one `3.9.6/` folder, built
/// in the docs image's data dir, no manifest, no checksum.
fn legacy_archive(dir: &Path, name: &str) {
    let prefix = "/home/docs/.asdf/installs/python/3.9.6";
    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |path: &str, mode: u32, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_cksum();
        tar.append_data(&mut h, path, data).unwrap();
    };
    add(
        "3.9.6/bin/python",
        0o755,
        b"#!/bin/sh\necho \"legacy python at $0\"\n",
    );
    add(
        "3.9.6/bin/pip3",
        0o755,
        format!("#!{prefix}/bin/python\n").as_bytes(),
    );
    let data = tar.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&data).unwrap();
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), gz.finish().unwrap()).unwrap();
}

#[test]
fn existing_bucket_layout_is_read_unchanged() {
    let s = Sandbox::new();
    let bucket = s.root.join("legacy-bucket");
    legacy_archive(&bucket, "ubuntu-20.04-python-3.9.6.tar.gz");
    let vars = [
        ("TOOL_CACHE_URL", format!("file://{}", bucket.display())),
        ("TOOL_OS", "ubuntu-20.04".to_string()),
    ];
    let mut cmd = s.tool(&["install", "python", "3.9.6"]);
    cmd.envs(vars.iter().map(|(k, v)| (k, v)));
    succeeds(&mut cmd);
    let root = s.data.join("installs/python/3.9.6");
    let out = std::process::Command::new(root.join("bin/pip3"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("legacy python at {}/bin/python\n", root.display())
    );
}

#[test]
fn packs_are_deterministic_tar_files() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    let out = s.root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let pack = |name: &str| {
        let file = out.join(name);
        succeeds(
            &mut s
                .tool(&[
                    "cache",
                    "pack",
                    "python",
                    "3.9.6",
                    "-o",
                    file.to_str().unwrap(),
                ])
                .env("TOOL_OS", OS),
        );
        std::fs::read_to_string(format!("{}.sha256", file.display())).unwrap()
    };
    let first = pack("a.tar.zst");
    let second = pack("b.tar.zst");
    assert_eq!(
        first.split_whitespace().next(),
        second.split_whitespace().next(),
        "packing is not deterministic"
    );
    assert!(first.ends_with("  a.tar.zst\n"), "{first}");
    pack("c.tar.gz");
    let listing = std::process::Command::new("tar")
        .args(["-tvzf"])
        .arg(out.join("c.tar.gz"))
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    let names: Vec<&str> = listing
        .lines()
        .map(|l| l.split_whitespace().nth(5).unwrap().trim_end_matches('/'))
        .collect();
    assert_eq!(
        names[..2],
        ["3.9.6", "3.9.6/.tool-manifest.json"],
        "{listing}"
    );
    let mut sorted = names[2..].to_vec();
    sorted.sort();
    assert_eq!(names[2..], sorted[..], "entries are not sorted: {listing}");
    assert!(
        listing
            .lines()
            .all(|l| l.contains(" 0/0 ") || l.contains("root/root")),
        "{listing}"
    );
    fails_with(
        &mut s.tool(&["cache", "pack", "python", "3.9.6", "-o", "x.zip"]),
        1,
    );
    let err = fails_with(&mut s.tool(&["cache", "pack", "python", "3.1.0"]), 1);
    assert!(err.contains("not installed"), "{err}");
}

/// Incompressible bytes (xorshift), so the archive needs a multipart upload.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn large_archives_upload_in_parts_with_profile_credentials() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let root = fake_python(&s.data, "3.12.1");
    let blob = noise(24 << 20);
    std::fs::write(root.join("lib/libbig.so"), &blob).unwrap();
    s.write(
        ".aws/credentials",
        &format!("[default]\naws_access_key_id = nope\naws_secret_access_key = wrong\n\n[ci]\naws_access_key_id = {}\naws_secret_access_key = {SECRET_KEY}\n", crate::harness::servers::ACCESS_KEY),
    );
    let vars: Vec<(&str, String)> = s3
        .env("s3://builds/big")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("AWS_ACCESS") && !k.starts_with("AWS_SECRET"))
        .chain([("AWS_PROFILE", "ci".to_string())])
        .collect();
    let out = stdout(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["cache", "push", "python", "3.12.1", "--json"],
    ));
    assert!(
        json_line(&out)["bytes"].as_u64().unwrap() > 20 << 20,
        "{out}"
    );
    let other = s.root.join("other");
    succeeds(&mut tool_with(
        &s,
        &other,
        &vars,
        &["install", "python", "3.12.1"],
    ));
    assert_eq!(
        std::fs::read(other.join("installs/python/3.12.1/lib/libbig.so")).unwrap(),
        blob
    );
    let denied: Vec<(&str, String)> = vars
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "AWS_PROFILE" {
                    "default".into()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let err = fails_with(
        &mut tool_with(
            &s,
            &s.root.join("third"),
            &denied,
            &["install", "python", "3.12.1"],
        ),
        1,
    );
    assert!(
        err.contains("profile `default`") && err.contains(".aws/credentials"),
        "{err}"
    );
}

#[test]
fn cache_build_reports_each_of_several_versions() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let out = stdout(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["cache", "build", "dummy", "1.0.0", "1.1.0", "--json"],
    ));
    let pushed: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(r#""outcome":"pushed""#))
        .collect();
    assert_eq!(pushed.len(), 2, "{out}");
    assert!(bucket.join(format!("{OS}-dummy-1.1.0.manifest")).is_file());
    // One version failing does not stop the others; the exit code tells.
    let out = tool_with(
        &s,
        &s.data,
        &vars,
        &[
            "cache", "build", "dummy", "1.0.0", "9.9.9", "2.0.0", "--json",
        ],
    )
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains(r#""outcome":"already-cached""#), "{said}");
    assert!(
        bucket.join(format!("{OS}-dummy-2.0.0.manifest")).is_file(),
        "{said}"
    );
    assert!(!bucket.join(format!("{OS}-dummy-9.9.9.manifest")).exists());
}
