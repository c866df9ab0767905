//! `tool lock` and `tool install --locked`: a lock names the exact bytes
//! (backend, source, sha256, size, signer) per tool and platform; a locked
//! install gets those bytes or fails naming the difference.

use std::path::{Path, PathBuf};

use crate::harness::fakes::{
    fake_python, nothing_installed, read_record, record_archive, tool_with, with,
};
use crate::harness::{Sandbox, fails_with, succeeds};

const KEY: &str = "testos-python-3.9.6";

/// A bucket with python 3.9.6 published from a builder that says `who`.
fn published(s: &Sandbox, who: &str, extra: &[&str]) -> (PathBuf, Vec<(&'static str, String)>) {
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let data = s.root.join(format!("builder-{who}"));
    let root = fake_python(&data, "3.9.6");
    std::fs::write(root.join("lib/who"), who).unwrap();
    let mut args = vec!["cache", "push", "python", "3.9.6"];
    args.extend_from_slice(extra);
    succeeds(&mut tool_with(s, &data, &vars, &args));
    (bucket, vars)
}

/// python 3.9.6 published by builder A, set in `.tool-versions` and locked:
/// the bucket, its variables and the locked sha256.
fn locked_a(s: &Sandbox) -> (PathBuf, Vec<(&'static str, String)>, String) {
    let (bucket, vars) = published(s, "A", &[]);
    s.write("proj/.tool-versions", "python 3.9.6\n");
    succeeds(&mut tool_with(s, &s.data, &vars, &["lock"]));
    let sha = lock_file(s)["tool"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    (bucket, vars, sha)
}

fn lock_file(s: &Sandbox) -> serde_json::Value {
    let text = std::fs::read_to_string(s.root.join("home/proj/.tool-versions.lock")).unwrap();
    let value: toml::Value = toml::from_str(&text).unwrap();
    serde_json::to_value(value).unwrap()
}

fn locked_install(s: &Sandbox, data: &Path, vars: &[(&str, String)]) -> assert_cmd::Command {
    tool_with(s, data, vars, &["install", "--locked"])
}

#[test]
fn a_lock_names_the_published_bytes_and_a_locked_install_gets_them() {
    let s = Sandbox::new();
    let (bucket, vars) = published(&s, "A", &[]);
    s.write("proj/.tool-versions", "python 3.9.6\n");
    succeeds(&mut tool_with(&s, &s.data, &vars, &["lock"]));
    let entry = &lock_file(&s)["tool"][0];
    let record = read_record(&bucket, KEY);
    assert_eq!(entry["tool"], "python");
    assert_eq!(entry["version"], "3.9.6");
    assert_eq!(entry["backend"], "cache");
    assert_eq!(entry["sha256"], record["archives"][0]["sha256"], "{entry}");
    assert_eq!(entry["size"], record["archives"][0]["size"]);
    assert!(
        entry["platform"].as_str().unwrap().starts_with("testos/"),
        "{entry}"
    );
    assert!(
        entry["source"].as_str().unwrap().contains("sha256/"),
        "{entry}"
    );
    succeeds(&mut tool_with(&s, &s.data, &vars, &["lock", "--check"]));
    let reader = s.root.join("reader");
    succeeds(&mut locked_install(&s, &reader, &vars));
    assert_eq!(
        std::fs::read_to_string(reader.join("installs/python/3.9.6/lib/who")).unwrap(),
        "A"
    );
}

#[test]
fn a_republished_key_makes_the_lock_stale_and_a_locked_install_refuse_it() {
    let s = Sandbox::new();
    let (_, vars, locked_sha) = locked_a(&s);
    published(&s, "B", &["--replace"]);
    let err = fails_with(&mut tool_with(&s, &s.data, &vars, &["lock", "--check"]), 1);
    assert!(
        err.contains("is stale") && err.contains("python: locked 3.9.6 cache sha256"),
        "{err}"
    );
    let reader = s.root.join("reader");
    let err = fails_with(&mut locked_install(&s, &reader, &vars), 1);
    // The bucket's record names other bytes: not the locked ones, so a miss.
    assert!(
        err.contains(&format!("not the locked {locked_sha}"))
            && err.contains("no backend could install python 3.9.6"),
        "{err}"
    );
    nothing_installed(&reader, "python");
}

#[test]
fn a_locked_install_with_the_artifact_gone_installs_nothing() {
    let s = Sandbox::new();
    let (bucket, vars, _) = locked_a(&s);
    std::fs::remove_file(record_archive(&bucket, KEY, "zst")).unwrap();
    let reader = s.root.join("reader");
    fails_with(&mut locked_install(&s, &reader, &vars), 1);
    nothing_installed(&reader, "python");
}

#[test]
fn a_version_the_lock_does_not_name_is_refused_under_tool_locked() {
    let s = Sandbox::new();
    let (_, vars, _) = locked_a(&s);
    s.write("proj/.tool-versions", "python 3.9.7\n");
    let ci = with(&vars, "TOOL_LOCKED", "1");
    let err = fails_with(&mut tool_with(&s, &s.root.join("r"), &ci, &["install"]), 1);
    assert!(err.contains("locks python 3.9.6, not 3.9.7"), "{err}");
}

#[test]
fn without_a_lockfile_a_locked_install_says_so() {
    let s = Sandbox::new();
    let (_, vars) = published(&s, "A", &[]);
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let err = fails_with(&mut locked_install(&s, &s.root.join("r"), &vars), 1);
    assert!(
        err.contains("--locked, but there is no") && err.contains(".tool-versions.lock"),
        "{err}"
    );
    let err = fails_with(&mut tool_with(&s, &s.data, &vars, &["lock", "--check"]), 1);
    assert!(err.contains("there is no lockfile"), "{err}");
}

#[test]
fn an_asdf_plugin_locks_its_version_only_and_says_so() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    s.write("proj/.tool-versions", "dummy 1.0.0\n");
    succeeds(&mut s.tool(&["lock"]));
    let entry = &lock_file(&s)["tool"][0];
    assert_eq!(entry["backend"], "plugin", "{entry}");
    assert!(entry.get("sha256").is_none(), "{entry}");
    assert!(
        entry["note"].as_str().unwrap().contains("version only"),
        "{entry}"
    );
}

/// An installed copy of other bytes does not pass for the locked ones.
#[test]
fn an_installed_copy_of_other_bytes_is_refused_by_a_locked_install() {
    let s = Sandbox::new();
    let (_, vars, locked_sha) = locked_a(&s);
    published(&s, "B", &["--replace"]);
    let reader = s.root.join("reader");
    succeeds(&mut tool_with(
        &s,
        &reader,
        &vars,
        &["install", "python", "3.9.6"],
    ));
    let err = fails_with(&mut locked_install(&s, &reader, &vars), 1);
    assert!(
        err.contains("is installed from sha256")
            && err.contains(&format!("the lock says sha256 {locked_sha}")),
        "{err}"
    );
    // Locked again, the installed copy is the locked bytes.
    succeeds(&mut tool_with(&s, &s.data, &vars, &["lock"]));
    succeeds(&mut locked_install(&s, &reader, &vars));
}

/// Official releases lock the archive and its published sha256; a locked
/// install then asks for archives only: no checksum file, no index.
#[test]
fn a_locked_release_install_asks_only_for_the_archive() {
    use crate::harness::fakes::tiny_node_mirror;
    use crate::harness::servers::HttpServer;
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["1.2.3"], &["1.2.3"]);
    let server = HttpServer::start(&mirror);
    s.write("proj/.tool-versions", "nodejs 1.2.3\n");
    let node = |args: &[&str]| {
        let mut cmd = s.tool(args);
        cmd.env_remove("TOOL_NODEJS_MIRROR")
            .env("NODEJS_ORG_MIRROR", &server.url)
            .env("TOOL_BACKENDS_NODEJS", "upstream");
        cmd
    };
    succeeds(&mut node(&["lock"]));
    let entry = &lock_file(&s)["tool"][0];
    assert_eq!(entry["backend"], "upstream", "{entry}");
    assert!(
        entry["source"]
            .as_str()
            .unwrap()
            .ends_with("v1.2.3/node-v1.2.3-linux-x64.tar.gz"),
        "{entry}"
    );
    server.requests.lock().unwrap().clear();
    succeeds(&mut node(&["install", "--locked"]));
    let log = server.requests.lock().unwrap().clone();
    // The .tar.xz is tried first as always (absent here), then the archive.
    assert!(
        log.iter()
            .all(|l| l.contains("/v1.2.3/node-v1.2.3-linux-x64.tar.")),
        "{log:?}"
    );
    assert!(
        log.iter().any(|l| l.contains("linux-x64.tar.gz")),
        "{log:?}"
    );
}
