//! Input from outside, hostile or just odd, beyond archives: `.tool-versions`
//! that is a pipe, version text used as a file name, secrets in URLs, bad
//! endpoints, closed pipes; and processes: a killed `tool` whose plugin
//! script keeps running, an uninstall racing an install, stale leftovers.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{
    BIN, Sandbox, fails_with, spawn, spawn_install, stdout, succeeds, wait_for, write_executable,
};

fn with_dummy() -> Sandbox {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    s
}

/// Whether process `pid` still runs (zombies count as gone).
fn alive(pid: i32) -> bool {
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !state.is_empty() && !state.contains(") Z ")
}

/// Polls `done` for 10 s at most (a guard against hangs, not a timing goal).
fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Starts `tool install dummy 1.0.0` (its script sleeping 30 s), kills it
/// once the script runs, and returns the script's pid.
fn kill_mid_install(s: &Sandbox) -> i32 {
    let mut first = spawn_install(s, "1.0.0", "30");
    wait_for(&s.data.join("installs/dummy/1.0.0/started"));
    let counter = std::fs::read_to_string(s.root.join("counter")).unwrap();
    let script: i32 = counter.trim().parse().unwrap();
    first.kill().unwrap(); // SIGKILL: tool gets no chance to stop anything
    first.wait().unwrap();
    script
}

#[test]
fn a_killed_tool_takes_its_plugin_script_along() {
    let s = with_dummy();
    let script = kill_mid_install(&s);
    let gone = eventually(|| !alive(script));
    // End the orphaned sleep (the script's process group) too.
    unsafe { libc::kill(-script, libc::SIGKILL) };
    assert!(gone, "the install script outlived tool");
}

#[test]
fn a_killed_tools_orphaned_sleep_keeps_the_version_locked() {
    let s = with_dummy();
    let script = kill_mid_install(&s);
    let log = s.root.join("second.log");
    let mut second = spawn(
        s.process(BIN)
            .args(["install", "dummy", "1.0.0"])
            .env("PATH", "/usr/bin:/bin")
            .env("CI", "true") // progress lines, as a CI log shows them
            .stderr(std::fs::File::create(&log).unwrap()),
    );
    let waits = eventually(|| {
        std::fs::read_to_string(&log).is_ok_and(|t| t.contains("waiting for another install"))
    });
    // End the orphaned sleep (the script's process group) so the wait ends.
    unsafe { libc::kill(-script, libc::SIGKILL) };
    assert!(waits, "{}", std::fs::read_to_string(&log).unwrap());
    succeeds(&mut second);
    assert_eq!(stdout(&mut s.tool(&["list", "dummy"])), "  1.0.0\n");
}

#[test]
fn uninstall_during_an_install_waits_then_leaves_no_partial_version() {
    let s = with_dummy();
    let mut install = spawn_install(&s, "1.1.0", "2");
    wait_for(&s.data.join("installs/dummy/1.1.0/started"));
    succeeds(&mut s.tool(&["uninstall", "dummy", "1.1.0"]));
    succeeds(&mut install);
    assert_eq!(stdout(&mut s.tool(&["list", "dummy"])), "");
    assert!(!s.data.join("installs/dummy/1.1.0").exists());
}

#[test]
fn stale_leftovers_of_other_versions_are_swept() {
    let s = with_dummy();
    let tool_dir = s.data.join("installs/dummy");
    std::fs::create_dir_all(tool_dir.join(".9.9.9.staging-x1/bin")).unwrap();
    std::fs::create_dir_all(tool_dir.join("9.9.9")).unwrap();
    std::fs::write(tool_dir.join(".9.9.9.incomplete"), "").unwrap();
    // Where older versions of tool kept the lock, and where they are now.
    std::fs::write(tool_dir.join(".9.9.9.lock"), "").unwrap();
    let locks = s.data.join("tmp/install-locks/dummy");
    std::fs::create_dir_all(&locks).unwrap();
    std::fs::write(locks.join("9.9.8.lock"), "").unwrap();
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    let mut left: Vec<String> = std::fs::read_dir(&tool_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["1.0.0"]);
    let locks: Vec<String> = std::fs::read_dir(&locks)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(locks, ["1.0.0.lock"]);
}

#[test]
fn a_failed_install_leaves_no_files_or_lock() {
    let s = Sandbox::new();
    s.add_plugin("failing", "failing");
    fails_with(&mut s.tool(&["install", "failing", "1.0"]), 1);
    let left = std::fs::read_dir(s.data.join("installs/failing")).map_or(0, |d| d.count());
    assert_eq!(left, 0, "a failed install left files or its lock");
}

#[test]
fn a_tool_versions_fifo_or_device_is_refused_not_read() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let fifo = s.proj.join(".tool-versions");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let mut child = spawn(
        s.process(s.data.join("shims/python"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    );
    let finished = eventually(|| child.try_wait().unwrap().is_some());
    if !finished {
        let _ = child.kill();
    }
    assert!(finished, "the shim hung on a fifo");
    let err = fails_with(&mut child, 1);
    assert!(err.contains("not a regular file"), "{err}");

    std::fs::remove_file(&fifo).unwrap();
    std::os::unix::fs::symlink("/dev/stdin", &fifo).unwrap();
    let err = fails_with(&mut s.tool(&["current", "python"]), 1);
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn plugin_answers_are_cached_under_hashed_names() {
    let s = with_dummy();
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    let custom = s.root.join("custom");
    write_executable(&custom.join("bin/dummy"), "#!/bin/sh\necho custom\n");
    s.write(
        "proj/.tool-versions",
        &format!("dummy path:{}/../custom\n", custom.display()),
    );
    succeeds(&mut s.tool(&["which", "dummy"]));
    let meta = s.data.join("tmp/plugin-meta/dummy");
    for entry in std::fs::read_dir(&meta).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        assert!(entry.file_type().unwrap().is_file(), "{name} is not a file");
        // Fixed words and hashes only: nothing of the version's text.
        let hashed = name.split(['-', '.']).all(|part| {
            ["bin", "paths", "legacy", "filenames", "vars"].contains(&part)
                || (part.len() == 24 && part.bytes().all(|b| b.is_ascii_hexdigit()))
        });
        assert!(hashed, "{name}");
    }
}

#[test]
fn secrets_in_urls_are_never_printed() {
    let s = Sandbox::new();
    let run = |url: &str, args: &[&str]| {
        let out = s.tool(args).env("TOOL_CACHE_URL", url).output().unwrap();
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let bad = run(
        "https://user:pw-s3cret@[broken/x",
        &["install", "python", "3.9.6", "--json"],
    );
    assert!(
        bad.contains("cache.urls") && !bad.contains("pw-s3cret"),
        "{bad}"
    );
    let shown = run(
        "https://user:pw-s3cret@example.invalid/x?X-Amz-Signature=sig-s3cret",
        &["settings"],
    );
    assert!(shown.contains("https://example.invalid/x"), "{shown}");
    assert!(!shown.contains("s3cret"), "{shown}");
    let info = run("s3://key:key-s3cret@bucket/p", &["info"]);
    assert!(
        info.contains("s3://bucket/p") && !info.contains("key-s3cret"),
        "{info}"
    );
    let out = s
        .tool(&[
            "plugin",
            "add",
            "x",
            "https://user:tok3n-s3cret@127.0.0.1:9/x.git",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && !err.contains("tok3n-s3cret"),
        "{err}"
    );
}

#[test]
fn bad_endpoints_are_one_line_errors_not_crashes() {
    let s = Sandbox::new();
    for endpoint in ["notaurl", "ftp://example.invalid"] {
        let err = fails_with(
            s.tool(&["install", "python", "3.9.6"])
                .env("TOOL_CACHE_URL", "s3://bucket")
                .env("TOOL_BACKENDS_PYTHON", "cache")
                .env("AWS_ENDPOINT_URL", endpoint),
            1,
        );
        assert!(err.contains("bad AWS_ENDPOINT_URL"), "{err}");
    }
}

#[test]
fn writing_to_a_closed_pipe_ends_quietly() {
    use std::os::unix::process::ExitStatusExt;
    let s = Sandbox::new();
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read); // nobody will read: the first write fails
    let out = s
        .process(BIN)
        .arg("info")
        .stdout(Stdio::from(write))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{:?}", out.status);
}

/// A tmpfs mounted at `dir` for the life of the guard (root only).
/// A file system mounted for a test (root only), unmounted when dropped.
pub struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(dir: &std::path::Path) -> Mount {
        Mount::tmpfs_of(dir, "50%")
    }

    /// A tmpfs of `size` (`8k`: two pages, a disk that fills at once).
    pub fn tmpfs_of(dir: &std::path::Path, size: &str) -> Mount {
        std::fs::create_dir_all(dir).unwrap();
        let mut mount = std::process::Command::new("mount");
        let size = format!("size={size}");
        succeeds(mount.args(["-t", "tmpfs", "-o", &size, "tmpfs"]).arg(dir));
        Mount(dir.to_path_buf())
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

#[test]
#[ignore = "needs root to mount a tmpfs: scripts/test runs it as root with --ignored"]
fn uninstall_works_when_installs_is_another_filesystem() {
    let s = with_dummy();
    let _mount = Mount::tmpfs(&s.data.join("installs"));
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    succeeds(&mut s.tool(&["uninstall", "dummy", "1.0.0"]));
    assert_eq!(stdout(&mut s.tool(&["list", "dummy"])), "");
    let left = std::fs::read_dir(s.data.join("installs/dummy"))
        .unwrap()
        .count();
    assert_eq!(left, 0, "nothing stays, not even the lock file");
}
