//! Running a fleet's bucket: `cache plan` agrees with installs over the
//! build service's layout (`<os>-<tool>-<version>.tar.gz`, no records),
//! `cache adopt` turns that layout into signed publish records without
//! rebuilding, `cache gc` sweeps archives no record names, `cache rm`
//! retires a record — each against a local folder and the real S3 server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cache_plan::plan;
use crate::harness::fakes::{fake_python, json_line, tool_with, with};
use crate::harness::servers::S3Server;
use crate::harness::{Sandbox, fails_with, gzip, stdout, succeeds, tar_bytes};

const OS: &str = "ubuntu-22.04";
const CONDA: &str = "miniforge3-25.11.0-1";

/// A bucket's variables and the folder its objects are files in.
struct Bucket {
    vars: Vec<(&'static str, String)>,
    dir: PathBuf,
    _server: Option<S3Server>,
}

fn folder_bucket(s: &Sandbox) -> Bucket {
    let dir = s.root.join("bucket");
    std::fs::create_dir_all(&dir).unwrap();
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", dir.display()))];
    Bucket {
        vars: machine(vars),
        dir,
        _server: None,
    }
}

fn s3_bucket(s: &Sandbox) -> Bucket {
    let server = S3Server::start(&s.root.join("s3"), "builds");
    Bucket {
        vars: machine(server.env("s3://builds")),
        dir: s.root.join("s3/builds"),
        _server: Some(server),
    }
}

/// Both kinds of bucket, each in a sandbox of its own.
fn both() -> Vec<(Sandbox, Bucket)> {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let (fa, sb) = (folder_bucket(&a), s3_bucket(&b));
    vec![(a, fa), (b, sb)]
}

/// The service's machine, reading the cache alone.
fn machine(mut vars: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    vars.push(("TOOL_OS", OS.into()));
    vars.push(("TOOL_BACKENDS_NODEJS", "cache".into()));
    vars
}

/// `<os>-<tool>-<version>.tar.gz` as the build service makes it (GNU tar
/// of `/home/docs/.asdf/installs/<tool>/<version>`): a program naming its
/// prefix, and `links` (path, target as the builder's disk had it).
fn service_tarball(s: &Sandbox, b: &Bucket, tool: &str, version: &str, links: &[(&str, &str)]) {
    let prefix = format!("/home/docs/.asdf/installs/{tool}/{version}");
    let stage = s.root.join("builder").join(tool).join(version);
    std::fs::create_dir_all(stage.join("bin")).unwrap();
    let program = stage.join("bin").join(tool);
    let text = format!("#!/bin/sh\n# built at {prefix}\necho \"{tool} {version}\"\n");
    std::fs::write(&program, text).unwrap();
    std::fs::set_permissions(
        &program,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    for (path, target) in links {
        std::os::unix::fs::symlink(target.replace("{prefix}", &prefix), stage.join(path)).unwrap();
    }
    let name = format!("{OS}-{tool}-{version}.tar.gz");
    let status = std::process::Command::new("tar")
        .arg("-czf")
        .arg(b.dir.join(&name))
        .arg("-C")
        .arg(stage.parent().unwrap())
        .arg(version)
        .status()
        .unwrap();
    assert!(status.success(), "tar failed");
}

/// A hostile archive in the service's layout: a link out of the install.
fn hostile_tarball(b: &Bucket, version: &str) {
    let tar = tar_bytes(&[(
        &format!("{version}/bin/python"),
        tar::EntryType::Symlink,
        "/etc/passwd",
        b"",
    )]);
    let name = format!("{OS}-python-{version}.tar.gz");
    std::fs::write(b.dir.join(name), gzip(&tar)).unwrap();
}

/// The service's bucket: python, nodejs, a conda Python with absolute links
/// inside its own prefix, and one hostile archive.
fn services_bucket(s: &Sandbox, b: &Bucket) {
    service_tarball(s, b, "python", "3.11.2", &[]);
    service_tarball(s, b, "nodejs", "20.20.2", &[]);
    let links = [("_conda", "{prefix}/bin/python"), ("bin/root", "{prefix}")];
    service_tarball(s, b, "python", CONDA, &links);
    hostile_tarball(b, "3.10.1");
}

const ADOPTED: [(&str, &str); 3] = [
    ("python", "3.11.2"),
    ("nodejs", "20.20.2"),
    ("python", CONDA),
];

/// Every file of an install: its kind, and its bytes (its own path as
/// `{root}`) or link target.
fn files(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let what = if meta.is_symlink() {
                format!("-> {}", std::fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                todo.push(path);
                "dir".to_string()
            } else {
                let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).to_string();
                text.replace(&root.display().to_string(), "{root}")
            };
            if rel != ".tool-manifest.json" {
                out.insert(rel, what);
            }
        }
    }
    out
}

fn install(s: &Sandbox, data: &Path, vars: &[(&str, String)], tool: &str, v: &str) -> PathBuf {
    succeeds(&mut tool_with(s, data, vars, &["install", tool, v]));
    data.join("installs").join(tool).join(v)
}

fn keygen(s: &Sandbox) -> (PathBuf, String) {
    let dir = s.root.join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    let args = ["cache", "keygen", "ops-1", "--dir", dir.to_str().unwrap()];
    let out = succeeds(&mut s.tool(&args));
    let public = String::from_utf8(out.stdout).unwrap().trim().to_string();
    (dir.join("ops-1.secret"), public)
}

/// The JSON lines of a command, by key.
fn lines_by_key(out: &[u8]) -> BTreeMap<String, serde_json::Value> {
    (String::from_utf8_lossy(out).lines())
        .map(json_line)
        .map(|v| (v["key"].as_str().unwrap().to_string(), v))
        .collect()
}

#[test]
fn a_plan_over_the_services_layout_lists_only_what_installs_would_not_hit() {
    for (s, b) in both() {
        service_tarball(&s, &b, "python", "3.11.2", &[]);
        let args = [
            "python",
            "3.11.2",
            "3.10.1",
            "--os",
            OS,
            "--os",
            "ubuntu-24.04",
        ];
        let jobs = plan(&s, &b.vars, &args);
        let listed: Vec<(&str, &str, &str)> = (jobs.iter())
            .map(|j| {
                let field = |n: &str| j[n].as_str().unwrap();
                (field("version"), field("os"), field("reason"))
            })
            .collect();
        let want = [
            ("3.10.1", OS, "missing"),
            ("3.11.2", "ubuntu-24.04", "missing"),
            ("3.10.1", "ubuntu-24.04", "missing"),
        ];
        assert_eq!(listed, want, "{jobs:?}");
        // And the install it counted on does hit.
        install(&s, &s.data, &b.vars, "python", "3.11.2");
    }
}

#[test]
fn with_trusted_keys_the_services_archives_are_listed_as_needing_a_signature() {
    for (s, b) in both() {
        service_tarball(&s, &b, "python", "3.11.2", &[]);
        let (_, public) = keygen(&s);
        let vars = with(&b.vars, "TOOL_CACHE_TRUSTED_KEYS", &public);
        let jobs = plan(&s, &vars, &["python", "3.11.2", "--os", OS]);
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        assert_eq!(jobs[0]["reason"], "unsigned");
        assert_eq!(jobs[0]["run"], "tool cache adopt python 3.11.2");
        // As the install says: it refuses the unsigned archive.
        let mut cmd = tool_with(&s, &s.data, &vars, &["install", "python", "3.11.2"]);
        let err = fails_with(&mut cmd, 1);
        assert!(err.contains("no signed publish record"), "{err}");
    }
}

#[test]
fn adopted_archives_install_under_trusted_keys_with_the_same_files() {
    for (s, b) in both() {
        services_bucket(&s, &b);
        let before = s.root.join("before");
        let old: Vec<_> = (ADOPTED.iter())
            .map(|(t, v)| files(&install(&s, &before, &b.vars, t, v)))
            .collect();
        let (secret, public) = keygen(&s);
        let signing = with(&b.vars, "TOOL_CACHE_SIGNING_KEY", secret.display());
        // A dry run says what it would adopt and writes nothing.
        let dry = ["cache", "adopt", "--dry-run", "--json"];
        let said = lines_by_key(&succeeds(&mut tool_with(&s, &s.data, &signing, &dry)).stdout);
        assert_eq!(said.len(), 4, "{said:?}");
        assert!(
            said.values().all(|l| l["outcome"] == "would-adopt"),
            "{said:?}"
        );
        assert!(!b.dir.join("sha256").exists());
        let adopt = ["cache", "adopt", "--json"];
        let out = tool_with(&s, &s.data, &signing, &adopt).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "the hostile archive is refused");
        let said = lines_by_key(&out.stdout);
        let hostile = &said[&format!("{OS}-python-3.10.1")];
        assert_eq!(hostile["outcome"], "refused", "{said:?}");
        assert!(
            hostile["why"]
                .as_str()
                .unwrap()
                .contains("points outside the install")
        );
        assert!(!b.dir.join(format!("{OS}-python-3.10.1.manifest")).exists());
        let trusting = with(&b.vars, "TOOL_CACHE_TRUSTED_KEYS", &public);
        for ((tool, v), old) in ADOPTED.iter().zip(&old) {
            assert_eq!(said[&format!("{OS}-{tool}-{v}")]["outcome"], "adopted");
            let data = s.root.join("after").join(tool);
            assert_eq!(
                &files(&install(&s, &data, &trusting, tool, v)),
                old,
                "{tool} {v}"
            );
            // The old object stays for older readers.
            assert!(b.dir.join(format!("{OS}-{tool}-{v}.tar.gz")).is_file());
        }
        // Adopting again changes nothing.
        let again = lines_by_key(
            &tool_with(&s, &s.data, &signing, &adopt)
                .output()
                .unwrap()
                .stdout,
        );
        assert_eq!(
            again[&format!("{OS}-nodejs-20.20.2")]["outcome"],
            "already-adopted"
        );
    }
}

#[test]
fn adopts_racing_each_other_and_installs_all_succeed() {
    for (s, b) in both() {
        adopts_race(&s, &b);
    }
}

fn adopts_race(s: &Sandbox, b: &Bucket) {
    for v in ["3.11.2", "3.12.1", "3.13.0"] {
        service_tarball(s, b, "python", v, &[]);
    }
    let outs: Vec<std::process::Output> = std::thread::scope(|scope| {
        let mut runs = Vec::new();
        for i in 0..2 {
            let (vars, s) = (&b.vars, &s);
            runs.push(scope.spawn(move || {
                let data = s.root.join(format!("adopter-{i}"));
                tool_with(s, &data, vars, &["cache", "adopt", "python", "--json"])
                    .output()
                    .unwrap()
            }));
        }
        for i in 0..3 {
            let (vars, s) = (&b.vars, &s);
            runs.push(scope.spawn(move || {
                let data = s.root.join(format!("reader-{i}"));
                tool_with(s, &data, vars, &["install", "python", "3.12.1"])
                    .output()
                    .unwrap()
            }));
        }
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    for out in &outs {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
    }
    let mut adopted = 0;
    for out in &outs[..2] {
        let said = lines_by_key(&out.stdout);
        assert_eq!(said.len(), 3, "{said:?}");
        adopted += said.values().filter(|l| l["outcome"] == "adopted").count();
    }
    // A folder bucket's conditional create is atomic (a no-replace link):
    // one adopter wins each key. s3s-fs checks If-None-Match before it
    // writes, not atomically, so both may write there; what must hold then
    // is that every key is adopted and what they wrote verifies.
    match b._server {
        None => assert_eq!(adopted, 3, "each key adopted once"),
        Some(_) => assert!((3..=6).contains(&adopted), "{adopted} adoptions"),
    }
    let url = (b.vars.iter())
        .find(|(name, _)| *name == "TOOL_CACHE_URL")
        .map(|(_, url)| url.clone())
        .unwrap();
    succeeds(&mut tool_with(
        s,
        &s.data,
        &b.vars,
        &["cache", "verify", "--bucket", &url],
    ));
}

fn gone(path: &Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while path.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} stayed",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Every archive under `sha256/` made two days old (the default grace is one).
fn age_archives(b: &Bucket) {
    for entry in std::fs::read_dir(b.dir.join("sha256")).unwrap() {
        let path = entry.unwrap().path();
        let status = std::process::Command::new("touch")
            .args(["-d", "2 days ago"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

fn gc(s: &Sandbox, vars: &[(&str, String)], extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["cache", "gc", "--json"];
    args.extend_from_slice(extra);
    json_line(&stdout(&mut tool_with(s, &s.data, vars, &args)))
}

/// Python `version` rebuilt with `mark` in it and pushed over the key.
fn push_build(s: &Sandbox, data: &Path, vars: &[(&str, String)], version: &str, mark: &str) {
    let root = data.join("installs/python").join(version);
    if !root.exists() {
        fake_python(data, version);
    }
    // The same bytes again, when the same mark: the file is left as it is.
    if std::fs::read_to_string(root.join("lib/mark"))
        .ok()
        .as_deref()
        != Some(mark)
    {
        std::fs::write(root.join("lib/mark"), mark).unwrap();
    }
    let push = ["cache", "push", "python", version, "--replace"];
    succeeds(&mut tool_with(s, data, vars, &push));
}

#[test]
fn gc_lists_then_deletes_only_archives_no_record_names_past_the_grace() {
    let s = Sandbox::new();
    let b = folder_bucket(&s);
    push_build(&s, &s.data, &b.vars, "3.9.6", "first");
    push_build(&s, &s.data, &b.vars, "3.9.6", "second");
    push_build(&s, &s.data, &b.vars, "3.10.0", "only");
    // The first build's archive is named by no record, but is young.
    let listed = gc(&s, &b.vars, &[]);
    assert_eq!(
        (listed["archives"].as_u64(), listed["young"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(listed["orphans"].as_array().unwrap().len(), 0, "{listed}");
    age_archives(&b);
    let longer = with(&b.vars, "TOOL_CACHE_GC_GRACE", "3d");
    assert_eq!(gc(&s, &longer, &["--delete"])["young"], 1);
    let listed = gc(&s, &b.vars, &[]);
    let orphans = listed["orphans"].as_array().unwrap();
    assert_eq!(orphans.len(), 1, "{listed}");
    let orphan = b.dir.join(orphans[0]["object"].as_str().unwrap());
    assert!(orphan.is_file(), "a listing deletes nothing");
    let swept = gc(&s, &b.vars, &["--delete"]);
    assert_eq!(swept["deleted"], 1, "{swept}");
    assert_eq!(swept["deleted_bytes"], listed["orphan_bytes"]);
    assert!(!orphan.exists());
    // What the records name is all there and installs.
    succeeds(&mut tool_with(&s, &s.data, &b.vars, &["cache", "verify"]));
    let reader = s.root.join("reader");
    let root = install(&s, &reader, &b.vars, "python", "3.9.6");
    assert_eq!(
        std::fs::read_to_string(root.join("lib/mark")).unwrap(),
        "second"
    );
}

#[test]
fn gc_racing_publishes_never_deletes_an_archive_a_record_names() {
    let s = Sandbox::new();
    let b = s3_bucket(&s);
    let versions = ["3.9.1", "3.9.2", "3.9.3", "3.9.4"];
    // Archives no record names any more, older than the grace, published
    // again (the same bytes) while gc deletes what it found unnamed: first
    // 1,000 old archives of nobody's (sorted first), so that gc is still
    // deleting when the publishers find theirs there.
    for v in versions {
        push_build(&s, &s.data, &b.vars, v, "same");
        let rm = ["cache", "rm", "python", v];
        succeeds(&mut tool_with(&s, &s.data, &b.vars, &rm));
    }
    for n in 0..1000 {
        let junk = b.dir.join(format!("sha256/0000{n:060}.tar.zst"));
        std::fs::write(junk, b"nobody's").unwrap();
    }
    age_archives(&b);
    let first_junk = b.dir.join(format!("sha256/0000{:060}.tar.zst", 0));
    std::thread::scope(|scope| {
        scope.spawn(|| gc(&s, &b.vars, &["--delete"]));
        // Once gc deletes, it has read the records for the last time.
        gone(&first_junk);
        for v in versions {
            let (s, vars) = (&s, &b.vars);
            scope.spawn(move || push_build(s, &s.data, vars, v, "same"));
        }
    });
    let verify = ["cache", "verify", "--bucket", "s3://builds"];
    let out = stdout(&mut tool_with(&s, &s.data, &b.vars, &verify));
    assert_eq!(
        out.lines().filter(|l| l.starts_with("ok ")).count(),
        4,
        "{out}"
    );
}

#[test]
fn rm_retires_a_record_and_says_when_there_is_none() {
    for (s, b) in both() {
        push_build(&s, &s.data, &b.vars, "3.9.6", "one");
        let rm = ["cache", "rm", "python", "3.9.6", "--json"];
        let said = json_line(&stdout(&mut tool_with(&s, &s.data, &b.vars, &rm)));
        assert_eq!(said["record"], format!("{OS}-python-3.9.6.manifest"));
        assert_eq!(said["archives"].as_array().unwrap().len(), 1, "{said}");
        assert!(!b.dir.join(format!("{OS}-python-3.9.6.manifest")).exists());
        let err = fails_with(&mut tool_with(&s, &s.data, &b.vars, &rm), 1);
        assert!(err.contains("no publish record"), "{err}");
        // Its archive is now gc's, once old enough.
        age_archives(&b);
        assert_eq!(gc(&s, &b.vars, &[])["orphans"].as_array().unwrap().len(), 1);
    }
}

/// `cache rm`'s condition, on the library's remote (a folder bucket): a
/// record written again since it was read is left as it is.
#[test]
fn a_conditional_delete_leaves_a_copy_written_since_it_was_read() {
    use tool::remote::{Client, Deleted};
    let s = Sandbox::new();
    let b = folder_bucket(&s);
    let client = Client::new().unwrap();
    let bucket = client.folder(b.dir.clone(), "bucket").unwrap();
    bucket.put_small("k.manifest", b"first".to_vec()).unwrap();
    let (_, first) = bucket.get_small_versioned("k.manifest").unwrap().unwrap();
    bucket.put_small("k.manifest", b"second!".to_vec()).unwrap();
    assert_eq!(
        bucket.delete_if("k.manifest", &first).unwrap(),
        Deleted::Changed
    );
    let (now, second) = bucket.get_small_versioned("k.manifest").unwrap().unwrap();
    assert_eq!(&now[..], b"second!");
    assert_eq!(
        bucket.delete_if("k.manifest", &second).unwrap(),
        Deleted::Deleted
    );
    assert!(!b.dir.join("k.manifest").exists());
    assert_eq!(
        bucket.delete_if("k.manifest", &second).unwrap(),
        Deleted::Missing
    );
}

#[test]
fn adopt_refuses_an_archive_that_is_not_its_checksum_and_one_without_when_required() {
    let s = Sandbox::new();
    let b = folder_bucket(&s);
    service_tarball(&s, &b, "python", "3.11.2", &[]);
    service_tarball(&s, &b, "python", "3.12.1", &[]);
    let other = "0".repeat(64);
    let sums = b.dir.join(format!("{OS}-python-3.11.2.tar.gz.sha256"));
    std::fs::write(&sums, format!("{other}  {OS}-python-3.11.2.tar.gz\n")).unwrap();
    let vars = with(&b.vars, "TOOL_CACHE_REQUIRE_CHECKSUM", "yes");
    let out = (tool_with(&s, &s.data, &vars, &["cache", "adopt", "--json"]).output()).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = lines_by_key(&out.stdout);
    let wrong = &said[&format!("{OS}-python-3.11.2")];
    assert_eq!(wrong["outcome"], "refused", "{said:?}");
    assert!(wrong["why"].as_str().unwrap().contains(&other), "{wrong}");
    let missing = &said[&format!("{OS}-python-3.12.1")];
    assert_eq!(missing["outcome"], "refused", "{said:?}");
    assert!(
        missing["why"]
            .as_str()
            .unwrap()
            .contains("cache.require_checksum"),
        "{missing}"
    );
    assert!(
        !b.dir.join("sha256").exists(),
        "nothing refused is published"
    );
}
