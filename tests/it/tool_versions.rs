//! Writing and reading `.tool-versions`: `set`, `local`, `global`, and bad files.

use crate::harness::{Sandbox, fails_with, stdout, succeeds};

#[test]
fn set_edits_the_file_here_keeping_its_comments_order_with_crlf() {
    let s = Sandbox::new();
    s.install_fake("python", "3.11.2", &["python"]);
    s.write(
        "proj/.tool-versions",
        "# pinned for CI\r\nnodejs 20.1.0 # lts\r\n\r\npython 3.9.6\t# old\r\n",
    );
    succeeds(&mut s.tool(&["set", "python", "3.11.2", "system"]));
    succeeds(&mut s.tool(&["set", "golang", "1.21.0"]));
    assert_eq!(
        s.read("proj/.tool-versions"),
        "# pinned for CI\r\nnodejs 20.1.0 # lts\r\n\r\npython 3.11.2 system\t# old\r\ngolang 1.21.0\r\n"
    );
}

#[test]
fn set_creates_the_file_in_the_current_folder() {
    let s = Sandbox::new();
    succeeds(&mut s.tool(&["set", "python", "3.9.6"]));
    assert_eq!(s.read("proj/.tool-versions"), "python 3.9.6\n");
}

#[test]
fn set_parent_writes_the_nearest_file_above() {
    let s = Sandbox::new();
    let deep = s.proj.join("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    succeeds(&mut s.tool_in(&deep, &["set", "-p", "nodejs", "20.1.0"]));
    assert_eq!(
        s.read("proj/.tool-versions"),
        "python 3.9.6\nnodejs 20.1.0\n"
    );
    assert!(!deep.join(".tool-versions").exists());
}

#[test]
fn set_home_writes_the_home_file() {
    let s = Sandbox::new();
    let deep = s.proj.join("a/b");
    std::fs::create_dir_all(&deep).unwrap();
    succeeds(&mut s.tool_in(&deep, &["set", "-u", "python", "3.11.2"]));
    assert_eq!(s.read(".tool-versions"), "python 3.11.2\n");
}

#[test]
fn set_refuses_home_with_parent() {
    let s = Sandbox::new();
    let err = fails_with(&mut s.tool(&["set", "-u", "-p", "python", "3.9.6"]), 1);
    assert_eq!(
        err,
        "home and parent flags cannot both be specified; must be one location or the other\n"
    );
}

#[test]
fn set_parent_without_any_file_says_so() {
    let s = Sandbox::new();
    let err = fails_with(&mut s.tool(&["set", "-p", "python", "3.9.6"]), 1);
    assert!(
        err.contains("No .tool-versions version file found in parent directory"),
        "{err}"
    );
}

#[test]
fn set_latest_resolves_to_the_newest_installed_version() {
    let s = Sandbox::new();
    for v in ["3.9.6", "3.9.18", "3.10.2", "3.12.0rc1"] {
        s.install_fake("python", v, &["python"]);
    }
    succeeds(&mut s.tool(&["set", "python", "latest"]));
    assert_eq!(s.read("proj/.tool-versions"), "python 3.10.2\n");
    succeeds(&mut s.tool(&["set", "python", "latest:3.9"]));
    assert_eq!(s.read("proj/.tool-versions"), "python 3.9.18\n");
    let err = fails_with(&mut s.tool(&["set", "python", "latest:3.7"]), 1);
    assert!(
        err.contains("no installed version of python matches `latest:3.7`"),
        "{err}"
    );
}

#[test]
fn set_refuses_bad_input_leaving_the_file_alone() {
    let s = Sandbox::new();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    for (args, needle) in [
        (
            vec!["set", "nosuchtool", "1.0"],
            "No such plugin: nosuchtool",
        ),
        (
            vec!["set", "python", "../../etc"],
            "invalid version `../../etc`",
        ),
        (vec!["set", "python", "foo:bar"], "unknown form"),
        (
            vec!["set", "py/thon", "1.0"],
            "is invalid. Name may only contain",
        ),
    ] {
        let err = fails_with(&mut s.tool(&args), 1);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(s.read("proj/.tool-versions"), "python 3.9.6\n");
}

#[test]
fn local_or_global_requires_installed_versions() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    let err = fails_with(&mut s.tool(&["local", "python", "3.8.0"]), 1);
    assert!(
        err.contains("version 3.8.0 is not installed for python"),
        "{err}"
    );
    assert!(!s.proj.join(".tool-versions").exists());

    succeeds(&mut s.tool(&["local", "python", "3.9.6", "system"]));
    assert_eq!(s.read("proj/.tool-versions"), "python 3.9.6 system\n");
    succeeds(&mut s.tool(&["global", "python", "3.9.6"]));
    assert_eq!(s.read(".tool-versions"), "python 3.9.6\n");
}

#[test]
fn a_filename_override_replaces_tool_versions_everywhere() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    for var in [
        "ASDF_TOOL_VERSIONS_FILENAME",
        "ASDF_DEFAULT_TOOL_VERSIONS_FILENAME",
    ] {
        let _ = std::fs::remove_file(s.proj.join(".my-versions"));
        succeeds(&mut s.tool(&["set", "python", "3.9.6"]).env(var, ".my-versions"));
        assert_eq!(s.read("proj/.my-versions"), "python 3.9.6\n");
        let out = stdout(
            s.tool(&["current", "python", "--no-header"])
                .env(var, ".my-versions"),
        );
        assert!(out.contains(".my-versions"), "{var}: {out}");
    }
    assert!(!s.proj.join(".tool-versions").exists());
}

#[test]
fn malformed_files_get_file_line_errors() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let long = format!("python {}\n", "9".repeat(5000));
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            b"python 3.9.6\n\x00\x01\x02garbage\xff\n".to_vec(),
            ".tool-versions:2: binary data",
        ),
        (
            b"python 3.9.6\nnodejs \xff\xfe\n".to_vec(),
            ".tool-versions:2: not valid UTF-8",
        ),
        (
            long.into_bytes(),
            ".tool-versions:1: line is longer than 4096 bytes",
        ),
        (
            b"# ok\npython ref:\n".to_vec(),
            ".tool-versions:2: invalid version `ref:`",
        ),
        (
            b"python path:\n".to_vec(),
            ".tool-versions:1: invalid version `path:`",
        ),
        (
            b"python git:abc\n".to_vec(),
            ".tool-versions:1: invalid version `git:abc`",
        ),
    ];
    for (bytes, needle) in cases {
        std::fs::write(s.proj.join(".tool-versions"), &bytes).unwrap();
        for args in [
            vec!["current"],
            vec!["which", "python"],
            vec!["set", "python", "3.9.6"],
        ] {
            let err = fails_with(&mut s.tool(&args), 1);
            assert!(err.contains(needle), "{args:?}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "one-line error: {err}");
        }
        let err = fails_with(&mut s.shim("python", &s.proj), 1);
        assert!(err.contains(needle), "shim: {err}");
        assert_eq!(
            std::fs::read(s.proj.join(".tool-versions")).unwrap(),
            bytes,
            "file was changed"
        );
    }
}

#[test]
fn unreadable_tool_versions_is_a_clear_error() {
    let s = Sandbox::new();
    std::fs::create_dir_all(s.proj.join(".tool-versions")).unwrap();
    let err = fails_with(&mut s.tool(&["current"]), 1);
    assert!(
        err.contains("cannot read") && err.contains(".tool-versions"),
        "{err}"
    );
}

#[test]
fn lines_asdf_skips_leave_every_other_tool_working() {
    let s = Sandbox::new();
    s.install_fake("python", "3.11.2", &["python"]);
    s.reshim();
    // As people write them: a tool pinned elsewhere, and mise's backends.
    let file = "jq\nnpm:prettier 3.3.3\ngithub:cargo-bins/cargo-binstall 1.10.0\npython 3.11.2\n";
    s.write("proj/.tool-versions", file);
    let out = stdout(&mut s.shim("python", &s.proj));
    assert!(out.starts_with("python 3.11.2"), "{out}");
    let current = stdout(&mut s.tool(&["current", "python"]));
    assert!(current.contains("3.11.2"), "{current}");
}
