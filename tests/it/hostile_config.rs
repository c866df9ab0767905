//! Configuration from a hostile repository or a careless hand: files that
//! never end or would expand without bound, bytes that are not UTF-8, a byte
//! order mark, values that do not fit, parallel writers of one
//! `.tool-versions`, and the messages each of them gets.

use std::time::{Duration, Instant};

use crate::harness::{Sandbox, fails_with, spawn, stdout, succeeds};

/// Polls `child` for 20 s at most (a guard against hangs, not a timing
/// goal); kills it and returns `false` when it is still running.
fn finishes(child: &mut std::process::Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    false
}

/// A YAML document of 330-odd bytes whose aliases expand to 9^7 nodes.
fn alias_bomb() -> String {
    let mut text = String::from("version: 2\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..=7 {
        let prev = format!("*a{}", level - 1);
        let items = [prev.as_str(); 9].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    text
}

#[test]
fn an_alias_bomb_in_readthedocs_yaml_is_refused_at_its_line() {
    let s = Sandbox::new();
    s.write("proj/.readthedocs.yaml", &alias_bomb());
    let mut cmd = s.process(crate::harness::BIN);
    cmd.args(["current"])
        .env("TOOL_READTHEDOCS_CONFIG", "yes")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    // A cap on the address space, so the unbounded expansion fails fast
    // here rather than taking the machine's memory.
    let mut child = spawn(limit_memory(&mut cmd, 512 << 20));
    assert!(finishes(&mut child), "tool hung on an alias bomb");
    let err = fails_with(&mut child, 1);
    assert!(
        err.contains(".readthedocs.yaml:") && err.contains("alias"),
        "{err}"
    );
    assert!(err.lines().count() <= 3 && err.len() < 1000, "{err}");
}

/// Runs `cmd` with its address space limited to `bytes` (RLIMIT_AS).
fn limit_memory(cmd: &mut std::process::Command, bytes: u64) -> &mut std::process::Command {
    use std::os::unix::process::CommandExt;
    // SAFETY: setrlimit is async-signal-safe and touches only this child.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

#[test]
fn a_config_that_never_ends_is_refused_not_read_for_ever() {
    let s = Sandbox::new();
    let fifo = s.root.join("fifo.yaml");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let huge = s.root.join("huge.yaml");
    std::fs::write(&huge, "# padding\n".repeat(300_000)).unwrap();
    for (file, why) in [
        (fifo.to_str().unwrap(), "not a regular file"),
        ("/dev/zero", "not a regular file"),
        (huge.to_str().unwrap(), "larger than"),
    ] {
        let mut cmd = s.process(crate::harness::BIN);
        cmd.args(["install", "--config", file])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let mut child = spawn(limit_memory(&mut cmd, 512 << 20));
        assert!(finishes(&mut child), "tool hung reading {file}");
        let err = fails_with(&mut child, 1);
        assert!(err.contains(file) && err.contains(why), "{file}: {err}");
    }
}

#[test]
fn legacy_files_are_read_capped_and_quoted_short() {
    let s = Sandbox::new();
    s.install_fake("nodejs", "20.1.0", &["node"]);
    let settings = [("TOOL_LEGACY_VERSION_FILE", "yes")];
    for size in [5 << 20, 500 << 10] {
        s.write("proj/.nvmrc", &"9".repeat(size).replacen('9', "v1..", 1));
        let err = fails_with(s.tool(&["current", "nodejs"]).envs(settings), 1);
        assert!(err.contains(".nvmrc"), "{}", &err[..err.len().min(300)]);
        assert!(err.len() < 1000, "a message of {} bytes", err.len());
    }
}

#[test]
fn a_yaml_duplicate_key_is_said_in_words_at_its_line() {
    let s = Sandbox::new();
    s.write(
        "proj/.readthedocs.yaml",
        "version: 2\nbuild:\n  os: ubuntu-22.04\n  os: ubuntu-24.04\n",
    );
    let err = fails_with(
        s.tool(&["current"]).env("TOOL_READTHEDOCS_CONFIG", "yes"),
        1,
    );
    assert!(
        err.contains(".readthedocs.yaml:4") && err.contains("`os`") && !err.contains("String("),
        "{err}"
    );
}

#[test]
fn concurrent_sets_keep_every_line() {
    let s = Sandbox::new();
    let tools: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
    for tool in &tools {
        std::fs::create_dir_all(s.data.join("plugins").join(tool).join("bin")).unwrap();
    }
    s.write("proj/.tool-versions", "# kept\r\n");
    let children: Vec<_> = (tools.iter())
        .map(|tool| spawn(s.process(crate::harness::BIN).args(["set", tool, "1.0"])))
        .collect();
    for mut child in children {
        succeeds(&mut child);
    }
    let text = s.read("proj/.tool-versions");
    assert!(text.starts_with("# kept\r\n"), "{text:?}");
    for tool in &tools {
        assert!(
            text.contains(&format!("{tool} 1.0\r\n")),
            "{tool}: {text:?}"
        );
    }
    assert_eq!(text.lines().count(), 21, "{text:?}");
}

#[test]
fn a_latin1_comment_in_asdfrc_breaks_no_shim() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    std::fs::write(
        s.home.join(".asdfrc"),
        b"# r\xe9glages de l'\xe9quipe\nunrelated = caf\xe9\nlegacy_version_file = no\n",
    )
    .unwrap();
    let out = stdout(&mut s.shim("python", &s.proj));
    assert!(out.starts_with("python 3.9.6"), "{out}");
    succeeds(&mut s.tool(&["current", "python"]));
    // A setting whose own value is not UTF-8 is an error at its line.
    std::fs::write(s.home.join(".asdfrc"), b"# x\nos = caf\xe9\n").unwrap();
    let err = fails_with(&mut s.tool(&["current", "python"]), 1);
    assert!(err.contains(".asdfrc:2"), "{err}");
}

#[test]
fn a_byte_order_mark_does_not_hide_the_first_line() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "\u{feff}python 3.9.6\r\n");
    let out = stdout(&mut s.shim("python", &s.proj));
    assert!(out.starts_with("python 3.9.6"), "{out}");
    let current = stdout(&mut s.tool(&["current", "python"]));
    assert!(current.contains("3.9.6"), "{current}");
    succeeds(&mut s.tool(&["set", "nodejs", "20.1.0"]));
    let text = s.read("proj/.tool-versions");
    assert_eq!(text, "\u{feff}python 3.9.6\r\nnodejs 20.1.0\r\n");
}

#[test]
fn latest_offline_names_the_index_it_could_not_read() {
    let s = Sandbox::new();
    let err = fails_with(
        s.tool(&["latest", "nodejs"])
            .env("TOOL_NODEJS_MIRROR", "https://nodejs.invalid/dist"),
        1,
    );
    assert!(
        err.contains("No compatible versions available")
            && err.contains("https://nodejs.invalid/dist"),
        "{err}"
    );
}

#[test]
fn keygen_says_which_path_failed_and_what_to_do() {
    let s = Sandbox::new();
    let missing = s.root.join("no/such");
    let err = fails_with(
        &mut s.tool(&["cache", "keygen", "k", "--dir", missing.to_str().unwrap()]),
        1,
    );
    assert!(
        err.contains(missing.to_str().unwrap()) && err.contains("create"),
        "{err}"
    );
    let dir = s.root.to_str().unwrap();
    succeeds(&mut s.tool(&["cache", "keygen", "k", "--dir", dir]));
    let err = fails_with(&mut s.tool(&["cache", "keygen", "k", "--dir", dir]), 1);
    assert!(
        err.contains("k.secret") && err.contains("already exists") && err.contains("another name"),
        "{err}"
    );
}

#[test]
fn an_os_that_is_not_a_key_component_is_refused() {
    let s = Sandbox::new();
    for os in ["../x", "a/b", ".hidden", ""] {
        let err = fails_with(
            &mut s.tool(&["cache", "plan", "python", "3.9.6", "--os", os]),
            1,
        );
        assert!(err.contains("os"), "{os}: {err}");
    }
    let err = fails_with(
        s.tool(&["cache", "plan", "python", "3.9.6"])
            .env("TOOL_OS", "../../etc"),
        1,
    );
    assert!(err.contains("TOOL_OS"), "{err}");
}

#[test]
fn config_toml_values_that_do_not_fit_are_refused_by_key_and_file() {
    let s = Sandbox::new();
    let file = s.home.join(".config/tool/config.toml");
    for (text, key, expected) in [
        (
            "[cache]\nretries = 5000000000000\n",
            "cache.retries",
            "up to",
        ),
        (
            "concurrency = 99999999999999999999\n",
            "concurrency",
            "number",
        ),
        ("cache = \"s3://bucket\"\n", "cache", "table"),
        (
            "[cache]\nread_timeout = 999999999999\n",
            "cache.read_timeout",
            "up to",
        ),
        (
            "[upstream]\nlist_ttl = 18446744073709551615\n",
            "upstream.list_ttl",
            "out of range",
        ),
    ] {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, text).unwrap();
        let err = fails_with(&mut s.tool(&["cache", "plan", "python", "3.9.6"]), 1);
        assert!(
            err.contains("config.toml") && err.contains(key) && err.contains(expected),
            "{text:?}: {err}"
        );
        assert!(
            !err.contains("i128") && !err.contains("invalid type"),
            "{err}"
        );
    }
}

#[test]
fn a_lockfile_that_is_a_fifo_is_refused_not_waited_on() {
    let s = Sandbox::new();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let fifo = s.proj.join(".tool-versions.lock");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let mut cmd = s.process(crate::harness::BIN);
    cmd.args(["install", "--locked"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = spawn(&mut cmd);
    assert!(finishes(&mut child), "tool hung on a fifo lockfile");
    let err = fails_with(&mut child, 1);
    assert!(
        err.contains(".tool-versions.lock") && err.contains("not a regular file"),
        "{err}"
    );
}

#[test]
fn a_long_value_in_readthedocs_yaml_is_quoted_short() {
    let s = Sandbox::new();
    let long = "3".repeat(500_000);
    s.write(
        "proj/.readthedocs.yaml",
        &format!("version: 2\nbuild:\n  os: ubuntu-22.04\n  tools:\n    python: \"{long}\"\n"),
    );
    let err = fails_with(
        s.tool(&["current"]).env("TOOL_READTHEDOCS_CONFIG", "yes"),
        1,
    );
    assert!(
        err.contains(".readthedocs.yaml:5"),
        "{}",
        &err[..err.len().min(300)]
    );
    assert!(err.len() < 1000, "a message of {} bytes", err.len());
}

#[test]
fn settings_files_that_never_end_fail_shims_instead_of_hanging_them() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let fifo = s.root.join("asdfrc");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    for (var, file) in [
        ("ASDF_CONFIG_FILE", fifo.to_str().unwrap()),
        ("TOOL_CONFIG_FILE", "/dev/zero"),
    ] {
        let mut cmd = s.process(s.data.join("shims/python"));
        cmd.env(var, file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let mut child = spawn(limit_memory(&mut cmd, 512 << 20));
        assert!(finishes(&mut child), "the shim hung on {var}={file}");
        let err = fails_with(&mut child, 1);
        assert!(
            err.contains(file) && err.contains("not a regular file"),
            "{err}"
        );
    }
}
