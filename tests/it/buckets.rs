//! Buckets as places: a `file://` folder that does not exist is a missing
//! bucket (never created by reading or pushing), `/` is no bucket root, and
//! an S3 prefix's listing stops at its own level.

use crate::harness::fakes::{OS, fake_python, json_line, tool_with};
use crate::harness::servers::S3Server;
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

#[test]
fn a_missing_file_bucket_is_an_error_and_is_never_created() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    let typo = s.root.join("buckett");
    let url = format!("file://{}", typo.display());
    let vars = [("TOOL_CACHE_URL", url.clone())];
    let other = s.root.join("other-data");
    for (data, args) in [
        (&other, vec!["install", "python", "3.9.6"]),
        (&s.data, vec!["cache", "list"]),
        (&s.data, vec!["cache", "verify", "--bucket", &url]),
        (&s.data, vec!["cache", "push", "python", "3.9.6"]),
    ] {
        let err = fails_with(&mut tool_with(&s, data, &vars, &args), 1);
        assert!(
            err.contains(&typo.display().to_string()) && err.contains("does not exist"),
            "{args:?}: {err}"
        );
        assert!(!typo.exists(), "{args:?} created {}", typo.display());
    }
}

#[test]
fn the_root_folder_is_no_bucket() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    let push = ["cache", "push", "python", "3.9.6", "--bucket", "file:///"];
    let err = fails_with(&mut tool_with(&s, &s.data, &[], &push), 1);
    assert!(err.contains("file:///") && err.contains("root"), "{err}");
    assert!(!std::path::Path::new("/sha256").exists());
}

#[test]
fn an_s3_prefix_lists_only_its_own_level() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    fake_python(&s.data, "3.9.6");
    fake_python(&s.data, "3.9.7");
    let nested = s3.env("s3://builds/kt");
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &nested,
        &["cache", "push", "python", "3.9.6"],
    ));
    let top = s3.env("s3://builds");
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &top,
        &["cache", "push", "python", "3.9.7"],
    ));

    let verify = ["cache", "verify", "--bucket", "s3://builds", "--json"];
    let out = stdout(&mut tool_with(&s, &s.data, &top, &verify));
    let checked: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(checked.len(), 1, "{out}");
    assert_eq!(checked[0]["key"], "testos-python-3.9.7", "{out}");
    assert!(checked[0]["problem"].is_null(), "{out}");

    let listed = json_line(&stdout(&mut tool_with(
        &s,
        &s.data,
        &top,
        &["cache", "list", "--json"],
    )));
    let keys: Vec<&str> = (listed.as_array().unwrap().iter())
        .filter(|r| r["bucket"].as_str().unwrap().starts_with("s3://"))
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["testos-python-3.9.7.manifest"], "{listed}");
}

/// A bucket holding `dummy` `version` in the layout before records, its
/// sidecar manifest saying it was built for sparc64; the version itself is
/// not installed.
fn dummy_for_another_arch(s: &Sandbox, version: &str) -> Vec<(&'static str, String)> {
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let root = s.install_fake("dummy", version, &["dummy"]);
    let push = ["cache", "push", "dummy", version, "--legacy-layout"];
    succeeds(&mut tool_with(s, &s.data, &vars, &push));
    std::fs::remove_dir_all(root).unwrap();
    let sidecar = bucket.join(format!("testos-dummy-{version}.manifest.json"));
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sidecar).unwrap()).unwrap();
    manifest["arch"] = "sparc64".into();
    std::fs::write(&sidecar, manifest.to_string()).unwrap();
    vars
}

#[test]
fn a_build_for_another_machine_is_said_when_the_next_backend_installs() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let vars = dummy_for_another_arch(&s, "1.0.0");
    let mut install = tool_with(&s, &s.data, &vars, &["install", "dummy", "1.0.0"]);
    let out = succeeds(install.env("CI", "true"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("testos-dummy-1.0.0") && err.contains("sparc64"),
        "{err}"
    );
}

#[test]
fn json_lists_the_backends_tried_when_the_next_one_fails() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let vars = dummy_for_another_arch(&s, "9.9.9");
    let install = ["install", "dummy", "9.9.9", "--json"];
    let out = tool_with(&s, &s.data, &vars, &install).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = json_line(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(report["outcome"], "failed", "{report}");
    let tried = report["tried"].as_array().unwrap();
    assert_eq!(tried.len(), 1, "{report}");
    assert_eq!(tried[0]["backend"], "cache", "{report}");
    assert!(
        tried[0]["reason"].as_str().unwrap().contains("sparc64"),
        "{report}"
    );
}

/// An S3 endpoint that has no object (HEAD: 404) and never answers an
/// upload (or, with `all`, anything): a push waits there until it is
/// interrupted.
fn s3_that_hangs(all: bool) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut line = String::new();
                let _ = BufReader::new(&stream).read_line(&mut line);
                if all || line.starts_with("PUT") || line.starts_with("POST") {
                    std::thread::sleep(std::time::Duration::from_secs(60));
                }
                let _ = (&stream).write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    endpoint
}

fn scratch_left(data: &std::path::Path) -> Vec<String> {
    let names = std::fs::read_dir(data.join("tmp")).map(|d| {
        d.flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with("push-") || n.starts_with("pack-"))
            .collect()
    });
    names.unwrap_or_default()
}

#[test]
fn an_interrupted_push_exits_130_and_leaves_no_scratch() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    let vars = [
        ("AWS_ENDPOINT_URL", s3_that_hangs(false)),
        ("AWS_ACCESS_KEY_ID", "id".into()),
        ("AWS_SECRET_ACCESS_KEY", "secret".into()),
        ("TOOL_CACHE_URL", "s3://builds".into()),
    ];
    for signal in ["INT", "TERM"] {
        let child = spawn_push(&s, &vars);
        crate::harness::interrupt(child, signal);
        assert_eq!(scratch_left(&s.data), Vec::<String>::new(), "{signal}");
    }
}

/// `cache push python 3.9.6` in the background, once its scratch folder
/// exists (packing has started).
fn spawn_push(s: &Sandbox, vars: &[(&str, String)]) -> crate::harness::Spawned {
    let mut cmd = s.process(crate::harness::BIN);
    cmd.args(["cache", "push", "python", "3.9.6"])
        .env("ASDF_DATA_DIR", &s.data)
        .env("TOOL_OS", OS)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = crate::harness::spawn(&mut cmd);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while scratch_left(&s.data).is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    child
}

#[test]
fn ctrl_c_ends_a_push_waiting_on_a_hung_bucket() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    let vars = [
        ("AWS_ENDPOINT_URL", s3_that_hangs(true)),
        ("AWS_ACCESS_KEY_ID", "id".into()),
        ("AWS_SECRET_ACCESS_KEY", "secret".into()),
        ("TOOL_CACHE_URL", "s3://builds".into()),
        // Far longer than this test waits for the exit below.
        ("TOOL_CACHE_READ_TIMEOUT", "600".into()),
    ];
    let mut child = spawn_push(&s, &vars);
    let pid = child.id().to_string();
    succeeds(std::process::Command::new("kill").args(["-INT", &pid]));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    fails_with(&mut child, 130);
    assert_eq!(scratch_left(&s.data), Vec::<String>::new());
}

#[test]
fn a_push_sweeps_scratch_whose_owner_is_gone_and_only_that() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    let dead = s.data.join("tmp/push-killed1");
    std::fs::create_dir_all(&dead).unwrap();
    std::fs::write(dead.join("testos-python-3.9.6.tar.zst"), vec![0u8; 4096]).unwrap();
    let live = s.data.join("tmp/push-running");
    std::fs::create_dir_all(&live).unwrap();
    let held = std::fs::File::open(&live).unwrap();
    held.lock().unwrap();
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &[],
        &["cache", "push", "python", "3.9.6"],
    ));
    assert!(!dead.exists(), "a killed push's scratch stayed");
    assert!(live.exists(), "a live push's scratch was removed");
    drop(held);
}

#[test]
fn a_record_naming_a_missing_archive_is_said_when_the_next_backend_installs() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = [("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let root = s.install_fake("dummy", "1.0.0", &["dummy"]);
    succeeds(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["cache", "push", "dummy", "1.0.0"],
    ));
    std::fs::remove_dir_all(root).unwrap();
    std::fs::remove_dir_all(bucket.join("sha256")).unwrap();
    let mut install = tool_with(&s, &s.data, &vars, &["install", "dummy", "1.0.0"]);
    let out = succeeds(install.env("CI", "true"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("testos-dummy-1.0.0.manifest") && err.contains("which is missing"),
        "{err}"
    );
}

#[test]
fn ctrl_c_ends_an_install_waiting_on_a_hung_bucket() {
    let s = Sandbox::new();
    let vars = [
        ("AWS_ENDPOINT_URL", s3_that_hangs(true)),
        ("AWS_ACCESS_KEY_ID", "id".into()),
        ("AWS_SECRET_ACCESS_KEY", "secret".into()),
        ("TOOL_CACHE_URL", "s3://builds".into()),
        // Far longer than this test waits for the exit below.
        ("TOOL_CACHE_READ_TIMEOUT", "600".into()),
        ("TOOL_BACKENDS_PYTHON", "cache".into()),
    ];
    let mut cmd = s.process(crate::harness::BIN);
    cmd.args(["install", "python", "3.9.6"])
        .env("ASDF_DATA_DIR", &s.data)
        .env("TOOL_OS", OS)
        .envs(vars.iter().map(|(k, v)| (k, v)))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = crate::harness::spawn(&mut cmd);
    let lock = s.data.join("tmp/install-locks/python/3.9.6.lock");
    crate::harness::wait_for(&lock);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let pid = child.id().to_string();
    succeeds(std::process::Command::new("kill").args(["-INT", &pid]));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let err = fails_with(&mut child, 130);
    assert!(err.contains("interrupted"), "{err}");
}
