//! What a reader would refuse is never published: `cache push` applies the
//! extractor's rules to the install it packs (links that leave it, fifos,
//! sockets, devices), and `cache verify` applies them to every archive a
//! record names, so one bad push cannot break a key for a fleet.

use std::path::{Path, PathBuf};

use crate::harness::fakes::{fake_python, read_record, sha256_hex, tool_with};
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

const KEY: &str = "testos-python-3.9.6";

fn file_bucket(s: &Sandbox) -> (PathBuf, Vec<(&'static str, String)>) {
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let vars = vec![("TOOL_CACHE_URL", format!("file://{}", bucket.display()))];
    (bucket, vars)
}

/// A builder's data dir with a fake Python 3.9.6; `spoil` changes its tree.
fn builder(s: &Sandbox, spoil: impl FnOnce(&Path)) -> PathBuf {
    let data = s.root.join("builder");
    spoil(&fake_python(&data, "3.9.6"));
    data
}

fn push(s: &Sandbox, data: &Path, vars: &[(&str, String)]) -> assert_cmd::Command {
    tool_with(s, data, vars, &["cache", "push", "python", "3.9.6"])
}

/// Pushing `spoil`ed install fails naming `path` and `why`, and publishes
/// nothing.
fn push_is_refused(spoil: impl FnOnce(&Path), path: &str, why: &str) {
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    let data = builder(&s, spoil);
    let err = fails_with(&mut push(&s, &data, &vars), 1);
    assert!(err.contains(path) && err.contains(why), "{err}");
    assert!(
        !bucket.join(format!("{KEY}.manifest")).exists(),
        "a record was published"
    );
}

#[test]
fn a_link_out_of_the_install_is_not_pushed() {
    let link = |root: &Path| std::os::unix::fs::symlink("/etc/passwd", root.join("lib/evil"));
    push_is_refused(
        |r| link(r).unwrap(),
        "lib/evil",
        "points outside the install",
    );
}

#[test]
fn a_link_that_climbs_out_through_other_links_is_not_pushed() {
    push_is_refused(
        |root| {
            std::os::unix::fs::symlink(".", root.join("b")).unwrap();
            std::os::unix::fs::symlink("b/b/b/../..", root.join("up")).unwrap();
        },
        "up",
        "points outside the install",
    );
}

#[test]
fn a_fifo_is_not_dropped_silently() {
    let fifo = |root: &Path| {
        let path = std::ffi::CString::new(root.join("lib/pipe").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0);
    };
    push_is_refused(fifo, "lib/pipe", "fifo");
}

#[test]
fn links_inside_the_install_are_still_pushed_and_installed() {
    let s = Sandbox::new();
    let (_, vars) = file_bucket(&s);
    let data = builder(&s, |root| {
        let prefix = root.to_str().unwrap();
        std::os::unix::fs::symlink(format!("{prefix}/bin/python"), root.join("lib/abs")).unwrap();
        std::os::unix::fs::symlink("../bin", root.join("lib/bin")).unwrap();
    });
    succeeds(&mut push(&s, &data, &vars));
    let reader = s.root.join("reader");
    succeeds(&mut tool_with(
        &s,
        &reader,
        &vars,
        &["install", "python", "3.9.6"],
    ));
    let root = reader.join("installs/python/3.9.6");
    assert_eq!(
        std::fs::read_link(root.join("lib/abs")).unwrap(),
        Path::new("../bin/python")
    );
    assert!(root.join("lib/bin/python").is_file());
}

/// A tar.zst of python 3.9.6 with a link a reader refuses.
fn refused_archive() -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    let mut file = tar::Header::new_gnu();
    file.set_size(3);
    file.set_mode(0o755);
    tar.append_data(&mut file, "3.9.6/bin/python", &b"#!\n"[..])
        .unwrap();
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_size(0);
    link.set_mode(0o777);
    tar.append_link(&mut link, "3.9.6/lib/evil", "/etc/passwd")
        .unwrap();
    zstd::encode_all(&tar.into_inner().unwrap()[..], 3).unwrap()
}

#[test]
fn verify_says_bad_for_an_archive_no_reader_would_install() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let s = Sandbox::new();
    let (bucket, vars) = file_bucket(&s);
    let data = builder(&s, |_| {});
    succeeds(&mut push(&s, &data, &vars));
    let verify = ["cache", "verify"];
    assert!(stdout(&mut tool_with(&s, &data, &vars, &verify)).starts_with("ok "));
    // The record now names an archive holding a link out of the install.
    let archive = refused_archive();
    let sha = sha256_hex(&archive);
    let object = format!("sha256/{sha}.tar.zst");
    std::fs::write(bucket.join(&object), &archive).unwrap();
    let mut record = read_record(&bucket, KEY);
    record["archives"] = serde_json::json!([{
        "format": "zst", "object": object, "sha256": sha, "size": archive.len(),
    }]);
    let path = bucket.join(format!("{KEY}.manifest"));
    let mut envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    envelope["payload"] = b64.encode(serde_json::to_vec(&record).unwrap()).into();
    std::fs::write(&path, serde_json::to_vec(&envelope).unwrap()).unwrap();
    let out = tool_with(&s, &data, &vars, &verify).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with("BAD ")
            && text.contains("lib/evil")
            && text.contains("outside the install"),
        "{text}"
    );
}

/// A scratch folder a killed `cache verify` left behind is removed by the
/// next one; one a running verify holds is not.
#[test]
fn verify_sweeps_the_scratch_a_killed_verify_left() {
    let s = Sandbox::new();
    let (_bucket, vars) = file_bucket(&s);
    let data = builder(&s, |_| {});
    succeeds(&mut push(&s, &data, &vars));
    let dead = data.join("tmp/verify-killed1");
    std::fs::create_dir_all(dead.join("3.9.6/bin")).unwrap();
    let live = data.join("tmp/verify-running");
    std::fs::create_dir_all(&live).unwrap();
    let held = std::fs::File::open(&live).unwrap();
    held.lock().unwrap();
    let verify = ["cache", "verify"];
    assert!(stdout(&mut tool_with(&s, &data, &vars, &verify)).starts_with("ok "));
    assert!(!dead.exists(), "a killed verify's scratch stayed");
    assert!(live.exists(), "a running verify's scratch was removed");
    drop(held);
}
