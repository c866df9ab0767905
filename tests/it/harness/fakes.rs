//! Fakes shared by several test files: a CPython-like install that names
//! its own prefix, a tiny Node.js mirror, and `tool` set up for the binary
//! cache alone.

use std::path::{Path, PathBuf};

use super::{Sandbox, succeeds, tar_bytes, write_executable};

pub const OS: &str = "testos";

/// A fake CPython-like install whose files name their own prefix.
pub fn fake_python(data: &Path, version: &str) -> PathBuf {
    let root = data.join("installs/python").join(version);
    let prefix = root.display().to_string();
    write_executable(
        &root.join("bin/python"),
        &format!("#!/bin/sh\necho \"python {version} at $0 $*\"\n"),
    );
    write_executable(
        &root.join("bin/pip"),
        &format!("#!{prefix}/bin/python\n# pip launcher\n"),
    );
    std::fs::create_dir_all(root.join("lib")).unwrap();
    std::fs::write(
        root.join("lib/config.txt"),
        format!("prefix={prefix}\nlibdir={prefix}/lib\n"),
    )
    .unwrap();
    let mut binary = b"\x7fELF\x00\x01binary".to_vec();
    binary.extend_from_slice(prefix.as_bytes());
    std::fs::write(root.join("lib/libfake.so"), &binary).unwrap();
    std::os::unix::fs::symlink("python", root.join("bin/python3")).unwrap();
    root
}

/// `tool` with the sandbox's env plus the given variables and data dir.
pub fn tool_with(
    s: &Sandbox,
    data: &Path,
    vars: &[(&str, String)],
    args: &[&str],
) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    // The cache alone: a miss must not fall through to compiling CPython.
    cmd.env("ASDF_DATA_DIR", data)
        .env("TOOL_OS", OS)
        .env("TOOL_BACKENDS_PYTHON", "cache");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// Fake Pythons `versions` in the sandbox's data dir, each pushed to the
/// data dir's own cache (`<data>/cache`, the default bucket).
pub fn cached_fake_pythons(s: &Sandbox, versions: &[&str]) {
    for v in versions {
        fake_python(&s.data, v);
        let push = ["cache", "push", "python", v];
        succeeds(&mut tool_with(s, &s.data, &[], &push));
    }
}

pub fn json_line(out: &str) -> serde_json::Value {
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

pub fn nothing_installed(data: &Path, tool: &str) {
    let dir = data.join("installs").join(tool);
    let left: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "left in {}: {left:?}", dir.display());
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// A small Node.js mirror: `node-v<V>-linux-x64.tar.gz` whose `bin/node`
/// prints its version, `SHASUMS256.txt` beside it; `index.json` listing
/// `listed` (which may name versions without files).
pub fn tiny_node_mirror(root: &Path, versions: &[&str], listed: &[&str]) -> PathBuf {
    let mirror = root.join("node-mirror");
    for v in versions {
        let top = format!("node-v{v}-linux-x64");
        let script = format!("#!/bin/sh\necho node {v}\n");
        let (dir, bin) = (format!("{top}/"), format!("{top}/bin/node"));
        let tar = tar_bytes(&[
            (&dir, tar::EntryType::Directory, "", b""),
            (&bin, tar::EntryType::Regular, "", script.as_bytes()),
        ]);
        let archive = super::gzip(&tar);
        let folder = mirror.join(format!("v{v}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{top}.tar.gz")), &archive).unwrap();
        std::fs::write(
            folder.join("SHASUMS256.txt"),
            format!("{}  {top}.tar.gz\n", sha256_hex(&archive)),
        )
        .unwrap();
    }
    let index: Vec<String> = listed
        .iter()
        .map(|v| format!(r#"{{"version":"v{v}","lts":false}}"#))
        .collect();
    std::fs::create_dir_all(&mirror).unwrap();
    std::fs::write(mirror.join("index.json"), format!("[{}]", index.join(","))).unwrap();
    mirror
}

/// The payload of `<bucket>/<key>.manifest`, a publish record as written
/// (a DSSE envelope: base64 payload, payload type, signatures).
pub fn read_record(bucket: &Path, key: &str) -> serde_json::Value {
    use base64::Engine;
    let path = bucket.join(format!("{key}.manifest"));
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let envelope: serde_json::Value = serde_json::from_slice(&text).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// The archive a publish record names for `format` (`zst`, `gz`).
pub fn record_archive(bucket: &Path, key: &str, format: &str) -> PathBuf {
    let record = read_record(bucket, key);
    let archives = record["archives"].as_array().unwrap();
    let found = archives.iter().find(|a| a["format"] == format);
    let object = found.unwrap_or_else(|| panic!("no {format} in {record}"))["object"]
        .as_str()
        .unwrap();
    bucket.join(object)
}

/// `vars` with one more variable (set last, so it wins).
pub fn with(
    vars: &[(&'static str, String)],
    name: &'static str,
    value: impl ToString,
) -> Vec<(&'static str, String)> {
    let mut out = vars.to_vec();
    out.push((name, value.to_string()));
    out
}
