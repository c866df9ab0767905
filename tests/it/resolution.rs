//! Which version applies where: env overrides, walking up, home, legacy files,
//! prefixes, `latest`, `path:` and fallbacks.

use crate::harness::{Sandbox, fails_with, stdout, succeeds};

fn which_version(s: &Sandbox, dir: &std::path::Path) -> String {
    stdout(&mut s.shim("python", dir))
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn nearest_file_wins_then_home() {
    let s = Sandbox::new();
    for v in ["3.8.10", "3.9.6", "3.11.2"] {
        s.install_fake("python", v, &["python"]);
    }
    s.reshim();
    let deep = s.proj.join("a/b/c/d/e");
    std::fs::create_dir_all(&deep).unwrap();
    s.write(".tool-versions", "python 3.8.10\n");
    assert_eq!(which_version(&s, &deep), "3.8.10");
    s.write("proj/.tool-versions", "nodejs 20.1.0\n");
    assert_eq!(
        which_version(&s, &deep),
        "3.8.10",
        "a file without the tool is skipped"
    );
    s.write("proj/a/.tool-versions", "python 3.9.6\n");
    assert_eq!(which_version(&s, &deep), "3.9.6");
    s.write("proj/a/b/c/.tool-versions", "python 3.11.2\n");
    assert_eq!(which_version(&s, &deep), "3.11.2");
    assert_eq!(which_version(&s, &s.proj), "3.8.10");
}

#[test]
fn environment_variable_overrides_files() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.install_fake("python", "3.11.2", &["python"]);
    s.install_fake("my-tool", "1.0.0", &["mytool"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let out = stdout(
        s.shim("python", &s.proj)
            .env("ASDF_PYTHON_VERSION", "3.11.2"),
    );
    assert!(out.starts_with("python 3.11.2"), "{out}");
    let out = stdout(
        s.shim("mytool", &s.proj)
            .env("ASDF_MY_TOOL_VERSION", "1.0.0"),
    );
    assert!(out.starts_with("my-tool 1.0.0"), "{out}");
    let out = stdout(
        s.tool(&["current", "python"])
            .env("ASDF_PYTHON_VERSION", "3.11.2"),
    );
    assert!(out.contains("ASDF_PYTHON_VERSION"), "{out}");
}

#[test]
fn latest_picks_the_newest_installed_match() {
    let s = Sandbox::new();
    for v in ["3.9.6", "3.9.18", "3.10.1", "3.90.0", "3.12.0rc1"] {
        s.install_fake("python", v, &["python"]);
    }
    s.reshim();
    for (spec, want) in [
        ("latest", "3.90.0"),
        ("latest:3.10", "3.10.1"),
        ("latest:3.12.0rc", "3.12.0rc1"),
    ] {
        succeeds(&mut s.tool(&["set", "python", spec]));
        assert_eq!(s.read("proj/.tool-versions"), format!("python {want}\n"));
        assert_eq!(which_version(&s, &s.proj), want, "{spec}");
    }
}

#[test]
fn versions_name_install_folders_literally() {
    let s = Sandbox::new();
    for v in ["3.9.6", "3.9.18", "3.10.1", "3.90.0", "3.12.0rc1"] {
        s.install_fake("python", v, &["python"]);
    }
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    assert_eq!(which_version(&s, &s.proj), "3.9.6");
    // `3.9` is the folder `3.9`, as in asdf: not 3.9.18.
    s.write("proj/.tool-versions", "python 3.9\n");
    let err = fails_with(&mut s.shim("python", &s.proj), 126);
    assert!(err.contains("python 3.9 is set by"), "{err}");
    s.install_fake("python", "3.9", &["python"]);
    assert_eq!(which_version(&s, &s.proj), "3.9");
}

#[test]
fn latest_written_in_a_file_is_a_folder_name_as_in_asdf() {
    let s = Sandbox::new();
    s.install_fake("python", "3.11.2", &["python"]);
    s.reshim();
    for spec in ["latest", "latest:3.11"] {
        s.write("proj/.tool-versions", &format!("python {spec}\n"));
        let err = fails_with(&mut s.shim("python", &s.proj), 126);
        assert!(err.contains(&format!("python {spec} is set by")), "{err}");
    }
    s.install_fake("python", "latest:3.11", &["python"]);
    assert_eq!(which_version(&s, &s.proj), "latest:3.11");
}

#[test]
fn first_installed_fallback_with_the_command_wins() {
    let s = Sandbox::new();
    s.install_fake("python", "2.7.18", &["python", "python2"]);
    s.install_fake("python", "3.11.2", &["python", "python3"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.8.0 3.11.2 2.7.18\n");
    assert_eq!(which_version(&s, &s.proj), "3.11.2");
    let out = stdout(&mut s.shim("python2", &s.proj));
    assert!(out.starts_with("python 2.7.18 python2"), "{out}");
}

#[test]
fn path_versions_run_the_program_in_that_folder() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let custom = s.home.join("src/python-dev");
    crate::harness::write_executable(&custom.join("bin/python"), "#!/bin/sh\necho custom-build\n");
    s.write("proj/.tool-versions", "python path:../src/python-dev\n");
    assert_eq!(stdout(&mut s.shim("python", &s.proj)), "custom-build\n");
}

#[test]
fn ref_versions_use_the_ref_install() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.install_fake("python", "ref-main", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "python ref:main\n");
    assert_eq!(which_version(&s, &s.proj), "ref-main");
}

#[test]
fn ruby_version_files_are_read_with_or_without_the_ruby_prefix() {
    let s = Sandbox::new();
    s.install_fake("ruby", "3.3.11", &["ruby"]);
    s.reshim();
    s.write(".asdfrc", "legacy_version_file = yes\n");
    for text in ["ruby-3.3.11\n", "3.3.11\n"] {
        s.write("proj/.ruby-version", text);
        let out = stdout(&mut s.shim("ruby", &s.proj));
        assert!(out.starts_with("ruby 3.3.11"), "{text:?}: {out}");
    }
    s.write("proj/.ruby-version", "ruby-3.4.9\n");
    let err = fails_with(&mut s.shim("ruby", &s.proj), 126);
    assert!(
        err.contains("ruby 3.4.9 is set by") && err.contains(".ruby-version"),
        "{err}"
    );
}

#[test]
fn legacy_version_files_only_when_enabled() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.install_fake("nodejs", "20.1.0", &["node"]);
    s.reshim();
    s.write("proj/.python-version", "3.9.6\n");
    s.write("proj/.nvmrc", "v20.1.0\n");
    fails_with(&mut s.shim("python", &s.proj), 126);

    s.write(".asdfrc", "legacy_version_file = yes\n");
    assert_eq!(which_version(&s, &s.proj), "3.9.6");
    let out = stdout(&mut s.shim("node", &s.proj));
    assert!(out.starts_with("nodejs 20.1.0"), "{out}");
    let out = stdout(&mut s.tool(&["current", "python", "--no-header"]));
    assert!(out.contains("/proj/.python-version"), "{out}");

    // A .tool-versions in the same folder takes precedence.
    s.write("proj/.tool-versions", "python system\n");
    let out = stdout(&mut s.tool(&["current", "python", "--no-header"]));
    assert!(out.contains("system"), "{out}");

    std::fs::remove_file(s.home.join(".asdfrc")).unwrap();
    std::fs::remove_file(s.proj.join(".tool-versions")).unwrap();
    let out = stdout(
        s.shim("python", &s.proj)
            .env("TOOL_LEGACY_VERSION_FILE", "yes"),
    );
    assert!(out.starts_with("python 3.9.6"), "{out}");
}
