//! `shared_installs`: versions in read-only folders laid out like
//! `installs/` (a volume mounted into a build image) count as installed,
//! and nothing is ever written there. Tested with a real read-only bind
//! mount (the tests run as root in CI).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::{Sandbox, fails_with, stdout, succeeded};

/// A read-only bind mount of `src` at `at`, unmounted when dropped.
struct ReadOnlyMount(PathBuf);

impl ReadOnlyMount {
    fn new(src: &Path, at: &Path) -> ReadOnlyMount {
        std::fs::create_dir_all(at).unwrap();
        let mount = |args: &[&str]| {
            let out = Command::new("mount").args(args).output().unwrap();
            assert!(
                out.status.success(),
                "mount {args:?} (the tests run as root): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
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

#[test]
fn versions_on_a_read_only_volume_count_as_installed_and_stay_untouched() {
    let s = Sandbox::new();
    let volume = s.root.join("volume-src");
    let node = volume.join("nodejs/20.1.0/bin/node");
    std::fs::create_dir_all(node.parent().unwrap()).unwrap();
    crate::harness::write_executable(&node, "#!/bin/sh\necho shared node 20.1.0\n");
    let mounted = s.root.join("volume");
    let _mount = ReadOnlyMount::new(&volume, &mounted);
    assert!(
        std::fs::write(mounted.join("probe"), b"x").is_err(),
        "the mount is read-only"
    );
    let shared = mounted.to_str().unwrap().to_string();
    let tool = |args: &[&str]| {
        let mut cmd = s.tool(args);
        cmd.env("TOOL_SHARED_INSTALLS", &shared);
        cmd
    };
    assert_eq!(stdout(&mut tool(&["list", "nodejs"])), "  20.1.0\n");
    let out = tool(&["install", "nodejs", "20.1.0", "--json"])
        .output()
        .unwrap();
    let json = succeeded(&out);
    assert!(
        json.contains(r#""outcome":"already-installed""#)
            && json.contains(&format!(r#""path":"{shared}/nodejs/20.1.0""#)),
        "{json}"
    );
    assert!(!s.data.join("installs/nodejs/20.1.0").exists());
    // Setting a shared version is enough: its shims are made then.
    tool(&["set", "nodejs", "20.1.0"]).assert().success();
    let mut shim = s.shim("node", &s.proj);
    shim.env("TOOL_SHARED_INSTALLS", &shared);
    assert_eq!(stdout(&mut shim), "shared node 20.1.0\n");
    assert_eq!(
        stdout(&mut tool(&["where", "nodejs", "20.1.0"])),
        format!("{shared}/nodejs/20.1.0\n")
    );
    let err = fails_with(&mut tool(&["uninstall", "nodejs", "20.1.0"]), 1);
    assert!(err.contains("shared installs"), "{err}");
    assert!(node.is_file(), "nothing was removed");
    // Without the setting, the version is simply not there.
    let err = fails_with(&mut s.tool(&["where", "nodejs", "20.1.0"]), 1);
    assert!(
        err.contains("not installed") || err.contains("Version not installed"),
        "{err}"
    );
}
