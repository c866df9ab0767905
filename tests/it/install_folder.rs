//! The safety of `installs/<tool>/`: version names that could pass for an
//! install's bookkeeping (`.1.0.incomplete`), what the leftovers sweep may
//! delete, symlinked version folders, uninstall racing a staged install,
//! failures after commit, and tools that cannot be installed at all.

use crate::harness::{Sandbox, fails_with, shim_bin, stdout, succeeds, write_executable};

fn with_dummy() -> Sandbox {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    s
}

#[test]
fn a_version_that_begins_with_a_dot_is_refused_everywhere() {
    let s = with_dummy();
    let err = fails_with(&mut s.tool(&["install", "dummy", ".1.0.0.incomplete"]), 1);
    assert!(err.contains("invalid version `.1.0.0.incomplete`"), "{err}");
    assert!(!s.data.join("installs/dummy/.1.0.0.incomplete").exists());
    // A cloned repository's .tool-versions: refused at its line.
    s.write("proj/.tool-versions", "dummy .1.0.0.incomplete\n");
    let err = fails_with(&mut s.tool(&["install"]), 1);
    assert!(err.contains(".tool-versions:1: invalid version"), "{err}");
    assert!(!s.data.join("installs/dummy/.1.0.0.incomplete").exists());
    // `.` alone names the folder of every version.
    s.write("proj/.tool-versions", "dummy .\n");
    fails_with(&mut s.tool(&["where", "dummy"]), 1);
    fails_with(&mut s.tool(&["current", "dummy"]), 1);
    std::fs::remove_file(s.proj.join(".tool-versions")).unwrap();
    fails_with(&mut s.tool(&["where", "dummy", "."]), 1);
}

#[test]
fn the_sweep_never_deletes_a_version_a_folder_name_points_at() {
    let s = with_dummy();
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    // What an older tool let `install dummy .1.0.0.incomplete` make: a
    // folder where 1.0.0's marker would be.
    let tool_dir = s.data.join("installs/dummy");
    std::fs::create_dir_all(tool_dir.join(".1.0.0.incomplete/bin")).unwrap();
    std::fs::write(tool_dir.join("..1.0.0.incomplete.lock"), "").unwrap();
    succeeds(&mut s.tool(&["install", "dummy", "1.1.0"]));
    assert!(tool_dir.join("1.0.0/bin/dummy").is_file(), "1.0.0 deleted");
    // Installing 1.0.0 over it says what is in the way, and deletes nothing.
    std::fs::remove_dir_all(tool_dir.join("1.0.0")).unwrap();
    let err = fails_with(&mut s.tool(&["install", "dummy", "1.0.0"]), 1);
    assert!(
        err.contains(".1.0.0.incomplete is not an install marker"),
        "{err}"
    );
    assert!(tool_dir.join(".1.0.0.incomplete/bin").is_dir());
    std::fs::remove_dir_all(tool_dir.join(".1.0.0.incomplete")).unwrap();
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
}

#[test]
fn cleaning_a_version_leaves_another_versions_staging_alone() {
    let s = with_dummy();
    // Version `1.0.0.staging-x` is being installed (its lock held): its
    // staging folder begins like one of 1.0.0's.
    let tool_dir = s.data.join("installs/dummy");
    let staging = tool_dir.join(".1.0.0.staging-x.staging-Ab12/bin");
    std::fs::create_dir_all(&staging).unwrap();
    let locks = s.data.join("tmp/install-locks/dummy");
    std::fs::create_dir_all(&locks).unwrap();
    let lock = std::fs::File::create(locks.join("1.0.0.staging-x.lock")).unwrap();
    lock.lock().unwrap();
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    assert!(staging.is_dir(), "another install's staging folder deleted");
}

#[test]
fn the_no_libc_shim_never_runs_a_dot_version_from_the_tools_folder() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    // A program where `installs/python/./bin/python` would find it.
    write_executable(
        &s.data.join("installs/python/bin/python"),
        "#!/bin/sh\necho wrong folder\n",
    );
    s.write("proj/.tool-versions", "python .\n");
    assert!(shim_bin().is_file());
    let err = fails_with(&mut s.shim("python", &s.proj), 1);
    assert!(err.contains("invalid version `.`"), "{err}");
    s.write("proj/.tool-versions", "python 3.9.6\n");
    assert_eq!(
        stdout(&mut s.shim("python", &s.proj)),
        "python 3.9.6 python \n"
    );
}

#[test]
fn a_symlinked_version_folder_is_installed_for_every_command() {
    let s = Sandbox::new();
    let real = s.install_fake("elsewhere", "1.0", &["foo"]);
    let link = s.data.join("installs/foo/1.0");
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&real, &link).unwrap();
    s.write("proj/.tool-versions", "foo 1.0\n");
    assert_eq!(stdout(&mut s.tool(&["list", "foo"])), " *1.0\n");
    assert_eq!(
        stdout(&mut s.tool(&["where", "foo"])),
        format!("{}\n", link.display())
    );
    s.reshim();
    assert_eq!(
        stdout(&mut s.shim("foo", &s.proj).arg("x")),
        "elsewhere 1.0 foo x\n"
    );
}

#[test]
fn an_unknown_tool_leaves_no_folder_and_stays_unknown() {
    let s = Sandbox::new();
    s.write("proj/.tool-versions", "nosuch 1.0\n");
    let err = fails_with(&mut s.tool(&["install"]), 1);
    assert!(err.contains("No such plugin: nosuch"), "{err}");
    assert!(!s.data.join("installs/nosuch").exists());
    let err = fails_with(&mut s.tool(&["install", "nosuch", "1.0"]), 1);
    assert!(err.contains("No such plugin: nosuch"), "{err}");
    assert!(!stdout(&mut s.tool(&["list"])).contains("nosuch"));
}

/// Whether process `pid` waits for a `flock` (`/proc/locks` marks waiters `->`).
fn waits_for_a_lock(pid: u32) -> bool {
    let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
    locks.lines().any(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.get(1) == Some(&"->") && words.get(5) == Some(&pid.to_string().as_str())
    })
}

#[test]
fn uninstall_waits_for_a_staged_install_of_the_version() {
    let s = with_dummy();
    // A staged install holds the lock while its folder does not exist yet.
    let tool_dir = s.data.join("installs/dummy");
    std::fs::create_dir_all(&tool_dir).unwrap();
    let locks = s.data.join("tmp/install-locks/dummy");
    std::fs::create_dir_all(&locks).unwrap();
    let lock = std::fs::File::create(locks.join("1.1.0.lock")).unwrap();
    lock.lock().unwrap();
    let mut uninstall = crate::harness::spawn(
        s.process(crate::harness::BIN)
            .args(["uninstall", "dummy", "1.1.0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped()),
    );
    let pid = uninstall.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while uninstall.try_wait().unwrap().is_none()
        && !waits_for_a_lock(pid)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // The install commits (its rename), then lets go of the lock.
    s.install_fake("dummy", "1.1.0", &["dummy"]);
    drop(lock);
    succeeds(&mut uninstall);
    assert!(!tool_dir.join("1.1.0").exists());
}

#[test]
fn shims_that_could_not_be_made_fail_the_install_and_the_next_one_makes_them() {
    let s = with_dummy();
    std::fs::create_dir_all(&s.data).unwrap();
    std::fs::write(s.data.join("shims"), "a file where the shims folder goes").unwrap();
    let out = s
        .tool(&["install", "dummy", "1.0.0", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("\"outcome\":\"failed\""), "{json}");
    assert!(json.contains("shims"), "{json}");
    std::fs::remove_file(s.data.join("shims")).unwrap();
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    assert!(s.data.join("shims/dummy").is_file(), "the missing shim");
}

#[test]
fn a_fetched_record_that_cannot_be_written_fails_before_commit() {
    let s = Sandbox::new();
    let mirror = crate::harness::fakes::tiny_node_mirror(&s.root, &["1.2.3"], &[]);
    let record = s.data.join("installs/nodejs/.1.2.3.fetched");
    std::fs::create_dir_all(record.join("in-the-way")).unwrap();
    let mut install = s.tool(&["install", "nodejs", "1.2.3"]);
    install.env(
        "TOOL_NODEJS_MIRROR",
        crate::harness::dists::file_url(&mirror),
    );
    let err = fails_with(&mut install, 1);
    assert!(err.contains(".1.2.3.fetched"), "{err}");
    assert!(!s.data.join("installs/nodejs/1.2.3").exists());
}

#[test]
#[ignore = "needs root to mount a tmpfs: scripts/test runs it as root with --ignored"]
fn a_full_disk_while_writing_shims_fails_the_install_and_the_next_one_makes_them() {
    let s = with_dummy();
    let shims = s.data.join("shims");
    let _mount = crate::hostile_input::Mount::tmpfs_of(&shims, "8k");
    let filler = shims.join(".filler");
    let _ = std::fs::write(&filler, vec![0u8; 64 * 1024]);
    let out = s
        .tool(&["install", "dummy", "1.0.0", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains("\"outcome\":\"failed\""), "{json}");
    assert!(!shims.join("dummy").exists());
    std::fs::remove_file(&filler).unwrap();
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    assert!(shims.join("dummy").is_file(), "the missing shim");
}
