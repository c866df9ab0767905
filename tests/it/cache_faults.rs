//! Cache faults: refused credentials, missing buckets, unknown hosts, 5xx,
//! cut bodies, 403/401, corrupt archives, checksum mismatches, hostile
//! archives and builds for another machine — each a clear error or a clean
//! miss, with nothing installed.

use std::path::{Path, PathBuf};

use crate::harness::fakes::{OS, fake_python, json_line, nothing_installed, tool_with};
use crate::harness::servers::{HttpServer, S3Server, SECRET_KEY};
use crate::harness::{RawEntry, Sandbox, fails_with, gzip, stdout, succeeds, tar_bytes};

#[test]
fn refused_s3_credentials_are_a_clear_error_that_never_shows_the_secret() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let secret = ("AWS_SECRET_ACCESS_KEY", "wrong-secret-value");
    let mut vars = s3.env_except("s3://builds", secret.0, secret.1);
    vars.push(("TOOL_CACHE_RETRIES", "0".into()));
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("access denied") && err.contains("s3://builds"),
        "{err}"
    );
    assert!(
        err.contains("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment"),
        "{err}"
    );
    assert!(
        !err.contains("wrong-secret-value") && !err.contains(SECRET_KEY),
        "secret leaked: {err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn a_missing_s3_bucket_is_a_clear_error() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let mut vars = s3.env("s3://no-such-bucket");
    vars.push(("TOOL_CACHE_RETRIES", "0".into()));
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("s3://no-such-bucket") && err.contains("NoSuchBucket"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn an_unknown_s3_host_is_a_clear_error() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let endpoint = ("AWS_ENDPOINT_URL", "http://no-such-host.invalid:9");
    let mut vars = s3.env_except("s3://builds", endpoint.0, endpoint.1);
    // Retries allowed, yet none made: the name will not start to resolve.
    vars.push(("TOOL_CACHE_RETRIES", "4".into()));
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("cache backend failed")
            && err.contains("the host name no-such-host.invalid does not resolve"),
        "{err}"
    );
    assert!(!err.contains("retries"), "{err}");
    nothing_installed(&s.data, "python");
}

/// A bucket in the layout before publish records (the build service's
/// buckets, and what `--legacy-layout` writes): archive, `.sha256` and
/// manifest beside each other, each fault reachable by name.
fn http_bucket(s: &Sandbox) -> (HttpServer, PathBuf, Vec<(&'static str, String)>) {
    let source = s.root.join("source-data");
    fake_python(&source, "3.9.6");
    let bucket = s.root.join("http-bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = [("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let push = [
        "cache",
        "push",
        "python",
        "3.9.6",
        "--format",
        "both",
        "--legacy-layout",
    ];
    succeeds(&mut tool_with(s, &source, &vars, &push));
    let server = HttpServer::start(&bucket);
    let vars = vec![
        ("TOOL_CACHE_URL", server.url.clone()),
        ("TOOL_CACHE_RETRIES", "3".into()),
    ];
    (server, bucket, vars)
}

#[test]
fn http_buckets_retry_after_5xx() {
    let s = Sandbox::new();
    let (server, _, vars) = http_bucket(&s);
    server.faults.lock().unwrap().status = Some((500, 2));
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["install", "python", "3.9.6", "--json"],
    )));
    assert_eq!(report["details"]["cache"], "hit", "{report}");
    succeeds(&mut std::process::Command::new(
        s.data.join("installs/python/3.9.6/bin/pip"),
    ));
}

#[test]
fn http_buckets_resume_a_cut_body_with_a_range_request() {
    let s = Sandbox::new();
    let (server, _, vars) = http_bucket(&s);
    server.faults.lock().unwrap().cut_after = Some((300, 1));
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["install", "python", "3.9.6", "--json"],
    )));
    assert_eq!(report["details"]["cache"], "hit", "{report}");
    let log = server.requests.lock().unwrap().clone();
    assert!(
        log.iter().any(|l| l.contains(".tar.zst from 300")),
        "no resumed range request: {log:?}"
    );
    succeeds(&mut std::process::Command::new(
        s.data.join("installs/python/3.9.6/bin/pip"),
    ));
}

#[test]
fn a_stalled_body_times_out_then_resumes() {
    let s = Sandbox::new();
    let (server, _, mut vars) = http_bucket(&s);
    vars.push(("TOOL_CACHE_READ_TIMEOUT", "1".into()));
    server.faults.lock().unwrap().stall = Some(std::time::Duration::from_secs(4));
    let started = std::time::Instant::now();
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &s.data,
        &vars,
        &["install", "python", "3.9.6", "--json"],
    )));
    assert_eq!(report["details"]["cache"], "hit", "{report}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "the stall was waited out, not timed out"
    );
    let log = server.requests.lock().unwrap().clone();
    let resumed = log
        .iter()
        .filter(|l| l.contains(".tar.zst from") && !l.ends_with("from 0"))
        .count();
    assert_eq!(resumed, 1, "{log:?}");
}

#[test]
fn http_faults_that_do_not_heal_install_nothing() {
    let s = Sandbox::new();
    let (server, _, vars) = http_bucket(&s);
    server.faults.lock().unwrap().cut_after = Some((300, 1000));
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("testos-python-3.9.6.tar.zst") && err.contains(&server.url),
        "{err}"
    );
    nothing_installed(&s.data, "python");

    server.faults.lock().unwrap().cut_after = None;
    server.faults.lock().unwrap().status = Some((403, 1000));
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("access denied") && err.contains("none (anonymous)"),
        "{err}"
    );
    server.faults.lock().unwrap().status = None;

    server.faults.lock().unwrap().bearer = Some("t0ken-s3cret".into());
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(err.contains("access denied"), "{err}");
    let mut with_token = vars.clone();
    with_token.push(("TOOL_CACHE_TOKEN", "t0ken-s3cret".into()));
    let out = succeeds(&mut tool_with(
        &s,
        &s.data,
        &with_token,
        &["install", "python", "3.9.6"],
    ));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("t0ken-s3cret"));
    let settings = stdout(&mut tool_with(&s, &s.data, &with_token, &["settings"]));
    assert!(
        settings.contains("(set)") && !settings.contains("t0ken-s3cret"),
        "{settings}"
    );
}

#[test]
fn a_checksum_mismatch_installs_nothing() {
    let s = Sandbox::new();
    let (_server, bucket, _) = http_bucket(&s);
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let sha = bucket.join("testos-python-3.9.6.tar.zst.sha256");
    std::fs::write(&sha, format!("{}  x\n", "0".repeat(64))).unwrap();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("checksum mismatch for testos-python-3.9.6.tar.zst"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn a_corrupt_archive_installs_nothing() {
    let s = Sandbox::new();
    let (_server, bucket, _) = http_bucket(&s);
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let zst = bucket.join("testos-python-3.9.6.tar.zst");
    let mut corrupt = std::fs::read(&zst).unwrap();
    let mid = corrupt.len() / 2;
    corrupt[mid..].iter_mut().for_each(|b| *b ^= 0x5a);
    std::fs::write(&zst, &corrupt).unwrap();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("archive refused: corrupt or truncated") || err.contains("checksum mismatch"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn a_truncated_archive_without_a_checksum_installs_nothing() {
    let s = Sandbox::new();
    let (_server, bucket, _) = http_bucket(&s);
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let zst = bucket.join("testos-python-3.9.6.tar.zst");
    let good = std::fs::read(&zst).unwrap();
    std::fs::write(&zst, &good[..good.len() / 2]).unwrap();
    std::fs::remove_file(bucket.join("testos-python-3.9.6.tar.zst.sha256")).unwrap();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(err.contains("corrupt or truncated"), "{err}");
    nothing_installed(&s.data, "python");
}

#[test]
fn a_required_checksum_that_is_missing_installs_nothing() {
    let s = Sandbox::new();
    let (_server, bucket, _) = http_bucket(&s);
    let vars = vec![
        ("TOOL_CACHE_URL", format!("file://{}", bucket.display())),
        ("TOOL_CACHE_REQUIRE_CHECKSUM", "yes".into()),
    ];
    std::fs::remove_file(bucket.join("testos-python-3.9.6.tar.zst.sha256")).unwrap();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("has no testos-python-3.9.6.tar.zst.sha256"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn hostile_archives_are_refused_leaving_nothing() {
    use tar::EntryType::{Block, Char, Link, Regular, Symlink};
    let s = Sandbox::new();
    let bucket = s.root.join("evil-bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = vec![
        ("TOOL_CACHE_URL", format!("file://{}", bucket.display())),
        ("TOOL_CACHE_MAX_UNPACKED_SIZE", "2K".to_string()),
    ];
    let ok: &[u8] = b"#!/bin/sh\necho ok\n";
    let big = vec![b'x'; 4096];
    let cases: Vec<(&str, Vec<RawEntry>, &str)> = vec![
        (
            "dotdot",
            vec![
                ("3.9.6/bin/python", Regular, "", ok),
                ("3.9.6/../../../escaped", Regular, "", ok),
            ],
            "contains `..`",
        ),
        (
            "absolute",
            vec![("/tmp/tool-test-absolute-escape", Regular, "", ok)],
            "absolute path",
        ),
        (
            "symlink-abs",
            vec![
                ("3.9.6/bin/python", Regular, "", ok),
                ("3.9.6/etc", Symlink, "/etc", b""),
            ],
            "points outside",
        ),
        (
            "symlink-rel",
            vec![
                ("3.9.6/bin/python", Regular, "", ok),
                ("3.9.6/bin/up", Symlink, "../../../x", b""),
            ],
            "points outside",
        ),
        (
            "hardlink",
            vec![
                ("3.9.6/bin/python", Regular, "", ok),
                ("3.9.6/bin/pw", Link, "/etc/passwd", b""),
            ],
            "absolute path",
        ),
        (
            "hardlink-out",
            vec![
                ("3.9.6/bin/python", Regular, "", ok),
                ("3.9.6/bin/pw", Link, "3.9.6/nothing", b""),
            ],
            "outside the archive",
        ),
        (
            "device",
            vec![
                ("3.9.6/bin/python", Regular, "", ok),
                ("3.9.6/dev/null", Char, "", b""),
            ],
            "devices",
        ),
        ("block", vec![("3.9.6/dev/sda", Block, "", b"")], "devices"),
        ("bomb", vec![("3.9.6/big", Regular, "", &big)], "byte limit"),
        (
            "outside-top",
            vec![
                ("3.9.6/bin/python", Regular, "", ok),
                ("other/file", Regular, "", ok),
            ],
            "outside the 3.9.6 folder",
        ),
    ];
    for (label, entries, needle) in cases {
        std::fs::write(
            bucket.join(format!("{OS}-python-3.9.6.tar.gz")),
            gzip(&tar_bytes(&entries)),
        )
        .unwrap();
        let err = fails_with(
            &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
            1,
        );
        assert!(
            err.contains("archive refused") && err.contains(needle),
            "{label}: {err}"
        );
        nothing_installed(&s.data, "python");
    }
    assert!(!s.data.join("escaped").exists() && !s.root.join("escaped").exists());
    assert!(!Path::new("/tmp/tool-test-absolute-escape").exists());
}

#[test]
fn builds_for_another_machine_are_misses() {
    let s = Sandbox::new();
    let (_server, bucket, _) = http_bucket(&s);
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let manifest_path = bucket.join("testos-python-3.9.6.manifest.json");
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    manifest["arch"] = "sparc64".into();
    std::fs::write(&manifest_path, manifest.to_string()).unwrap();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("no backend could install python 3.9.6"),
        "{err}"
    );
    assert!(err.contains("built for sparc64"), "{err}");
    nothing_installed(&s.data, "python");

    // Without the sidecar, the manifest inside the archive decides.
    std::fs::copy(
        bucket.join("testos-python-3.9.6.tar.zst"),
        bucket.join("otheros-python-3.9.6.tar.zst"),
    )
    .unwrap();
    let other_os = [
        ("TOOL_CACHE_URL", vars[0].1.clone()),
        ("TOOL_OS", "otheros".to_string()),
    ];
    let err = fails_with(
        &mut tool_with(&s, &s.data, &other_os, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("built for testos but this machine is otheros"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn a_dropped_download_resumes_without_an_etag() {
    let s = Sandbox::new();
    let (server, _, vars) = http_bucket(&s);
    {
        let mut faults = server.faults.lock().unwrap();
        faults.no_etag = true;
        faults.cut_after = Some((300, 1));
    }
    let install = ["install", "python", "3.9.6", "--json"];
    let report = json_line(&stdout(&mut tool_with(&s, &s.data, &vars, &install)));
    assert_eq!(report["details"]["cache"], "hit", "{report}");
    let log = server.requests.lock().unwrap().clone();
    assert!(
        log.iter().any(|l| l.contains(".tar.zst from 300")),
        "no resumed range request: {log:?}"
    );
}

#[test]
fn a_hung_bucket_is_given_up_after_the_stall_timeout_saying_so() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let s = Sandbox::new();
    // Accepts every connection and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, SeqCst);
            held.push(stream);
        }
    });
    let vars = [
        ("TOOL_CACHE_URL", url),
        ("TOOL_CACHE_READ_TIMEOUT", "1".into()),
        ("TOOL_CACHE_RETRIES", "3".into()),
    ];
    let install = ["install", "python", "3.9.6"];
    let err = fails_with(&mut tool_with(&s, &s.data, &vars, &install), 1);
    assert!(err.contains("waiting for an answer"), "{err}");
    assert!(
        err.contains("testos-python-3.9.6.manifest")
            && (err.contains("timed out") || err.contains("no answer within 1 s")),
        "{err}"
    );
    // One attempt: retries fit inside the stall timeout, not after it.
    assert_eq!(accepted.load(SeqCst), 1, "{err}");
}
