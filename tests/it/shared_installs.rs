//! `shared_installs`: versions in read-only folders laid out like
//! `installs/` (a volume mounted into a build image) count as installed,
//! and nothing is ever written there. Tested with a real read-only bind
//! mount (the tests run as root in CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Sandbox, fails_with, stdout, succeeds, write_executable};

/// A read-only bind mount of `src` at `at`, unmounted when dropped.
struct ReadOnlyMount(PathBuf);

impl ReadOnlyMount {
    fn new(src: &Path, at: &Path) -> ReadOnlyMount {
        std::fs::create_dir_all(at).unwrap();
        let mount = |args: &[&str]| succeeds(Command::new("mount").args(args));
        let (src, at_s) = (src.to_str().unwrap(), at.to_str().unwrap());
        mount(&["--bind", src, at_s]);
        let guard = ReadOnlyMount(at.to_path_buf());
        mount(&["-o", "remount,ro,bind", at_s]);
        guard
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A sandbox with Node.js 20.1.0 on a read-only volume (root only: a bind
/// mount); the mount, the volume's source `node` and the shared folder.
fn shared_node() -> (Sandbox, ReadOnlyMount, PathBuf, String) {
    let s = Sandbox::new();
    let volume = s.root.join("volume-src");
    let node = volume.join("nodejs/20.1.0/bin/node");
    std::fs::create_dir_all(node.parent().unwrap()).unwrap();
    write_executable(&node, "#!/bin/sh\necho shared node 20.1.0\n");
    let mounted = s.root.join("volume");
    let mount = ReadOnlyMount::new(&volume, &mounted);
    assert!(
        std::fs::write(mounted.join("probe"), b"x").is_err(),
        "the mount is read-only"
    );
    let shared = mounted.to_str().unwrap().to_string();
    (s, mount, node, shared)
}

/// `tool args…` with `shared` as the shared installs.
fn tool(s: &Sandbox, shared: &str, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.env("TOOL_SHARED_INSTALLS", shared);
    cmd
}

#[test]
#[ignore = "needs root for a bind mount: scripts/test runs it as root with --ignored"]
fn versions_on_a_read_only_volume_count_as_installed() {
    let (s, _mount, _node, shared) = shared_node();
    assert_eq!(
        stdout(&mut tool(&s, &shared, &["list", "nodejs"])),
        "  20.1.0\n"
    );
    let json = stdout(&mut tool(
        &s,
        &shared,
        &["install", "nodejs", "20.1.0", "--json"],
    ));
    assert!(
        json.contains(r#""outcome":"already-installed""#)
            && json.contains(&format!(r#""path":"{shared}/nodejs/20.1.0""#)),
        "{json}"
    );
    assert!(!s.data.join("installs/nodejs/20.1.0").exists());
    assert_eq!(
        stdout(&mut tool(&s, &shared, &["where", "nodejs", "20.1.0"])),
        format!("{shared}/nodejs/20.1.0\n")
    );
}

#[test]
#[ignore = "needs root for a bind mount: scripts/test runs it as root with --ignored"]
fn setting_a_shared_version_makes_its_shims() {
    let (s, _mount, _node, shared) = shared_node();
    succeeds(&mut tool(&s, &shared, &["set", "nodejs", "20.1.0"]));
    let mut shim = s.shim("node", &s.proj);
    shim.env("TOOL_SHARED_INSTALLS", &shared);
    assert_eq!(stdout(&mut shim), "shared node 20.1.0\n");
}

#[test]
#[ignore = "needs root for a bind mount: scripts/test runs it as root with --ignored"]
fn a_shared_version_is_never_uninstalled() {
    let (s, _mount, node, shared) = shared_node();
    let err = fails_with(
        &mut tool(&s, &shared, &["uninstall", "nodejs", "20.1.0"]),
        1,
    );
    assert!(err.contains("shared installs"), "{err}");
    assert!(node.is_file(), "nothing was removed");
}

#[test]
#[ignore = "needs root for a bind mount: scripts/test runs it as root with --ignored"]
fn without_the_setting_a_shared_version_is_not_there() {
    let (s, _mount, _node, _shared) = shared_node();
    let err = fails_with(&mut s.tool(&["where", "nodejs", "20.1.0"]), 1);
    assert!(
        err.contains("not installed") || err.contains("Version not installed"),
        "{err}"
    );
}
