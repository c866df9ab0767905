//! The binary cache against a real S3 server (s3s-fs, checking signatures),
//! a local HTTP server for faults, and file:// folders: publish, hit at
//! another path, relocation, the existing bucket layout, and every fault.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::harness::{Sandbox, fails_with, stdout, write_executable};
use crate::servers::{HttpServer, S3Server, SECRET_KEY};

const OS: &str = "testos";

/// A fake CPython-like install whose files name their own prefix.
fn fake_python(data: &Path, version: &str) -> PathBuf {
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
fn tool_with(
    s: &Sandbox,
    data: &Path,
    vars: &[(&str, String)],
    args: &[&str],
) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.env("ASDF_DATA_DIR", data).env("TOOL_OS", OS);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

/// A shim of another data dir, run in the project folder.
fn shim_in(s: &Sandbox, data: &Path, name: &str) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(data.join("shims").join(name));
    s.clean_env(&mut cmd)
        .env("ASDF_DATA_DIR", data)
        .current_dir(&s.proj);
    cmd
}

fn json_line(out: &str) -> serde_json::Value {
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

fn nothing_installed(data: &Path, tool: &str) {
    let dir = data.join("installs").join(tool);
    let left: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        left.iter().all(|n| n.ends_with(".lock")),
        "left in {}: {left:?}",
        dir.display()
    );
}

#[test]
fn s3_round_trip_relocates_and_runs_at_another_path() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let vars = s3.env("s3://builds/team");
    fake_python(&s.data, "3.9.6");
    tool_with(
        &s,
        &s.data,
        &vars,
        &["cache", "push", "python", "3.9.6", "--format", "both"],
    )
    .assert()
    .success();
    let stored = s.root.join("s3/builds/team");
    for f in [
        "testos-python-3.9.6.tar.zst",
        "testos-python-3.9.6.tar.gz",
        "testos-python-3.9.6.tar.zst.sha256",
        "testos-python-3.9.6.manifest.json",
    ] {
        assert!(stored.join(f).is_file(), "{f} was not uploaded");
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
    assert_eq!(report["details"]["key"], "testos-python-3.9.6.tar.zst");
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
    assert_eq!(build(&["--force"])["outcome"], "pushed");
    assert_eq!(
        std::fs::read_to_string(&counter).unwrap().lines().count(),
        2,
        "built once, then rebuilt"
    );

    let other = s.root.join("second");
    tool_with(
        &s,
        &other,
        &[],
        &["plugin", "add", "dummy", &s.plugin_repo("dummy")],
    )
    .assert()
    .success();
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
fn default_local_cache_and_file_buckets_work_out_of_the_box() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    fake_python(&s.data, "3.9.18");
    for v in ["3.9.6", "3.9.18"] {
        tool_with(&s, &s.data, &[], &["cache", "push", "python", v])
            .assert()
            .success();
    }
    assert!(s.data.join("cache/testos-python-3.9.18.tar.zst").is_file());
    // Hit from the data dir's own cache after an uninstall.
    tool_with(&s, &s.data, &[], &["uninstall", "python", "3.9.6"])
        .assert()
        .success();
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &s.data,
        &[],
        &["install", "python", "3.9.6", "--json"],
    )));
    assert_eq!(report["details"]["cache"], "hit");

    let other = s.root.join("other-data");
    let vars = [(
        "TOOL_CACHE_URL",
        format!("file://{}", s.data.join("cache").display()),
    )];
    assert_eq!(
        stdout(&mut tool_with(
            &s,
            &other,
            &vars,
            &["list", "all", "python"]
        )),
        "3.9.6\n3.9.18\n"
    );
    let report = json_line(&stdout(&mut tool_with(
        &s,
        &other,
        &vars,
        &["install", "python", "3.9", "--json"],
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
        out.contains("testos-python-3.9.18.tar.zst") && out.contains("testos/"),
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
    cmd.assert().success();
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
fn packs_are_deterministic_and_readable_by_tar() {
    let s = Sandbox::new();
    fake_python(&s.data, "3.9.6");
    let out = s.root.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let pack = |name: &str| {
        let file = out.join(name);
        s.tool(&[
            "cache",
            "pack",
            "python",
            "3.9.6",
            "-o",
            file.to_str().unwrap(),
        ])
        .env("TOOL_OS", OS)
        .assert()
        .success();
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
        2,
    );
    let err = fails_with(&mut s.tool(&["cache", "pack", "python", "3.1.0"]), 1);
    assert!(err.contains("not installed"), "{err}");
}

#[test]
fn credentials_missing_buckets_and_unknown_hosts_are_clear_errors() {
    let s = Sandbox::new();
    let s3 = S3Server::start(&s.root.join("s3"), "builds");
    let mut vars = s3.env("s3://builds");
    vars.push(("TOOL_CACHE_RETRIES", "0".into()));
    let wrong: Vec<_> = vars
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "AWS_SECRET_ACCESS_KEY" {
                    "wrong-secret-value".to_string()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &wrong, &["install", "python", "3.9.6"]),
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

    let missing: Vec<_> = vars
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "TOOL_CACHE_URL" {
                    "s3://no-such-bucket".into()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &missing, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("s3://no-such-bucket") && err.contains("NoSuchBucket"),
        "{err}"
    );

    let nohost: Vec<_> = vars
        .iter()
        .map(|(k, v)| {
            (
                *k,
                if *k == "AWS_ENDPOINT_URL" {
                    "http://no-such-host.invalid:9".into()
                } else {
                    v.clone()
                },
            )
        })
        .collect();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &nohost, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("no-such-host.invalid") && err.contains("cache backend failed"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

fn http_bucket(s: &Sandbox) -> (HttpServer, PathBuf, Vec<(&'static str, String)>) {
    let source = s.root.join("source-data");
    fake_python(&source, "3.9.6");
    let bucket = s.root.join("http-bucket");
    let vars = [("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    tool_with(
        s,
        &source,
        &vars,
        &["cache", "push", "python", "3.9.6", "--format", "both"],
    )
    .assert()
    .success();
    let server = HttpServer::start(&bucket);
    let vars = vec![
        ("TOOL_CACHE_URL", server.url.clone()),
        ("TOOL_CACHE_RETRIES", "3".into()),
    ];
    (server, bucket, vars)
}

#[test]
fn http_buckets_retry_5xx_and_resume_cut_bodies() {
    let s = Sandbox::new();
    let (server, _, vars) = http_bucket(&s);
    server.faults.lock().unwrap().status = Some((500, 2));
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
    let pip = std::process::Command::new(s.data.join("installs/python/3.9.6/bin/pip"))
        .output()
        .unwrap();
    assert!(pip.status.success());
}

#[test]
fn http_faults_that_do_not_heal_install_nothing() {
    let s = Sandbox::new();
    let (server, bucket, vars) = http_bucket(&s);
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
    let out = tool_with(&s, &s.data, &with_token, &["install", "python", "3.9.6"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("t0ken-s3cret"));
    let settings = stdout(&mut tool_with(&s, &s.data, &with_token, &["settings"]));
    assert!(
        settings.contains("(set)") && !settings.contains("t0ken-s3cret"),
        "{settings}"
    );
    let _ = bucket;
}

#[test]
fn corrupt_archives_and_checksum_mismatches_install_nothing() {
    let s = Sandbox::new();
    let (_server, bucket, _) = http_bucket(&s);
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    let zst = bucket.join("testos-python-3.9.6.tar.zst");
    let good = std::fs::read(&zst).unwrap();

    let sha = bucket.join("testos-python-3.9.6.tar.zst.sha256");
    let good_sha = std::fs::read_to_string(&sha).unwrap();
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
    std::fs::write(&sha, good_sha).unwrap();

    let mut corrupt = good.clone();
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

    std::fs::write(&zst, &good[..good.len() / 2]).unwrap();
    std::fs::remove_file(&sha).unwrap();
    let err = fails_with(
        &mut tool_with(&s, &s.data, &vars, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(err.contains("corrupt or truncated"), "{err}");

    std::fs::write(&zst, &good).unwrap();
    let mut strict = vars.clone();
    strict.push(("TOOL_CACHE_REQUIRE_CHECKSUM", "yes".into()));
    let err = fails_with(
        &mut tool_with(&s, &s.data, &strict, &["install", "python", "3.9.6"]),
        1,
    );
    assert!(
        err.contains("has no testos-python-3.9.6.tar.zst.sha256"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

/// Name, type, link target and data of one hand-made tar entry.
type RawEntry<'a> = (&'a str, tar::EntryType, &'a str, &'a [u8]);

/// A gzip tar whose entries are written byte by byte (no path checks).
fn raw_tar(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, link, data) in entries {
        let mut h = tar::Header::new_gnu();
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&out).unwrap();
    gz.finish().unwrap()
}

#[test]
fn hostile_archives_are_refused_and_leave_nothing() {
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
            raw_tar(&entries),
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
