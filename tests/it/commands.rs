//! Every everyday command, with asdf's output formats and exit codes.

use crate::harness::{Sandbox, fails_with, stdout, succeeds};

fn sandbox_with_python() -> Sandbox {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python", "pip"]);
    s.install_fake("python", "3.11.2", &["python", "pip", "python3.11"]);
    s.reshim();
    s
}

#[test]
fn current_prints_asdfs_table() {
    let s = sandbox_with_python();
    let file = s.write(
        "proj/.tool-versions",
        "python 3.11.2 3.9.6\nnodejs 20.1.0\n",
    );
    let src = file.display().to_string();
    let w = src.len() + 1;
    let out = stdout(&mut s.tool(&["current"]));
    let expected = format!(
        "{:<16}{:<16}{:<w$}Installed\n{:<16}{:<16}{:<w$}false - Run `tool install nodejs 20.1.0`\n{:<16}{:<16}{:<w$}true\n",
        "Name", "Version", "Source", "nodejs", "20.1.0", src, "python", "3.11.2 3.9.6", src
    );
    assert_eq!(out, expected);

    let out = stdout(&mut s.tool(&["current", "python", "--no-header"]));
    assert_eq!(
        out,
        format!("{:<16}{:<16}{:<w$}true\n", "python", "3.11.2 3.9.6", src)
    );
}

#[test]
fn current_exits_as_asdf_does() {
    let s = sandbox_with_python();
    let file = s.write(
        "proj/.tool-versions",
        "python 3.11.2 3.9.6\nnodejs 20.1.0\n",
    );
    // asdf: 1 when the set version is not installed, 126 when none is set.
    fails_with(&mut s.tool(&["current", "nodejs"]), 1);
    std::fs::remove_file(&file).unwrap();
    let out = s.tool(&["current", "python"]).output().unwrap();
    assert_eq!(out.status.code(), Some(126));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("python          ______          ______")
    );
    let err = fails_with(&mut s.tool(&["current", "nope"]), 1);
    assert!(err.contains("No such plugin: nope"), "{err}");
}

#[test]
fn list_marks_current_versions() {
    let s = sandbox_with_python();
    s.install_fake("nodejs", "20.1.0", &["node"]);
    s.write("proj/.tool-versions", "python 3.9.6\n");
    assert_eq!(
        stdout(&mut s.tool(&["list", "python"])),
        "  3.9.6\n  3.11.2\n".replace("  3.9.6", " *3.9.6")
    );
    assert_eq!(
        stdout(&mut s.tool(&["list"])),
        "nodejs\n  20.1.0\npython\n *3.9.6\n  3.11.2\n"
    );
}

#[test]
fn list_filters_by_version_prefix() {
    let s = sandbox_with_python();
    assert_eq!(
        stdout(&mut s.tool(&["list", "python", "3.11"])),
        "  3.11.2\n"
    );
    let out = succeeds(&mut s.tool(&["list", "python", "2."]));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("No compatible versions installed (python 2.)")
    );
}

#[test]
fn where_prints_install_folders() {
    let s = sandbox_with_python();
    let installs = s.data.join("installs/python");
    assert_eq!(
        stdout(&mut s.tool(&["where", "python", "3.9.6"])),
        format!("{}\n", installs.join("3.9.6").display())
    );
    s.write("proj/.tool-versions", "python 3.11.2\n");
    assert_eq!(
        stdout(&mut s.tool(&["where", "python"])),
        format!("{}\n", installs.join("3.11.2").display())
    );
    let err = fails_with(&mut s.tool(&["where", "python", "3.1.0"]), 1);
    assert!(err.contains("Version not installed"), "{err}");
    s.write("proj/.tool-versions", "python system\n");
    let err = fails_with(&mut s.tool(&["where", "python"]), 1);
    assert!(err.contains("System version is selected"), "{err}");
    std::fs::remove_file(s.proj.join(".tool-versions")).unwrap();
    let err = fails_with(&mut s.tool(&["where", "python"]), 1);
    assert!(err.contains("No version is set for python"), "{err}");
}

#[test]
fn which_prints_the_real_program() {
    let s = sandbox_with_python();
    s.write("proj/.tool-versions", "python 3.11.2\n");
    let expected = s.data.join("installs/python/3.11.2/bin/python3.11");
    assert_eq!(
        stdout(&mut s.tool(&["which", "python3.11"])),
        format!("{}\n", expected.display())
    );
    let err = fails_with(&mut s.tool(&["which", "nosuchcmd"]), 1);
    assert!(
        err.contains("unknown command: nosuchcmd. Perhaps you have to reshim?"),
        "{err}"
    );
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let err = fails_with(&mut s.tool(&["which", "python3.11"]), 1);
    assert!(
        err.contains("No python3.11 executable found for python 3.9.6"),
        "{err}"
    );
}

#[test]
fn exec_passes_arguments_through_with_the_exit_code() {
    let s = sandbox_with_python();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let out = stdout(&mut s.tool(&["exec", "python", "-c", "print(1)", "--flag"]));
    assert_eq!(out, "python 3.9.6 python -c print(1) --flag\n");
    crate::harness::write_executable(
        &s.data.join("installs/python/3.9.6/bin/python"),
        "#!/bin/sh\nexit 42\n",
    );
    fails_with(&mut s.tool(&["exec", "python"]), 42);
    fails_with(&mut s.tool(&["exec", "../../bin/sh"]), 1);
}

#[test]
fn env_shows_the_environment_a_command_gets() {
    let s = sandbox_with_python();
    s.write("proj/.tool-versions", "python 3.11.2\n");
    let out = stdout(&mut s.tool(&["env", "python"]));
    let bin = s.data.join("installs/python/3.11.2/bin");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&format!("PATH={}:", bin.display()))),
        "{out}"
    );
    assert!(out.contains("ASDF_INSTALL_VERSION=3.11.2"), "{out}");
    assert!(out.contains("ASDF_INSTALL_TYPE=version"), "{out}");
    let out = stdout(&mut s.tool(&["env", "python", "sh", "-c", "command -v pip"]));
    assert_eq!(out, format!("{}\n", bin.join("pip").display()));
}

#[test]
fn reshim_follows_the_installs_keeping_foreign_files() {
    let s = sandbox_with_python();
    let shims = s.data.join("shims");
    std::fs::write(shims.join("README"), "not a shim").unwrap();
    std::fs::write(s.data.join("installs/python/3.11.2/bin/notes.txt"), "x").unwrap();
    s.install_fake("python", "3.12.0", &["idle3"]);
    s.reshim();
    let mut names: Vec<String> = std::fs::read_dir(&shims)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["README", "idle3", "pip", "python", "python3.11"]);
    let text = std::fs::read_to_string(shims.join("python")).unwrap();
    assert!(
        text.contains("# asdf-plugin: python 3.9.6\n# asdf-plugin: python 3.11.2\n"),
        "{text}"
    );

    std::fs::remove_dir_all(s.data.join("installs/python/3.12.0")).unwrap();
    succeeds(&mut s.tool(&["reshim", "python"]));
    assert!(!shims.join("idle3").exists());
    assert!(shims.join("README").exists());
    let err = fails_with(&mut s.tool(&["reshim", "nope"]), 1);
    assert!(err.contains("No such plugin"), "{err}");
}

#[test]
fn shimversions_lists_the_providers() {
    let s = sandbox_with_python();
    assert_eq!(
        stdout(&mut s.tool(&["shimversions", "pip"])),
        "python 3.9.6\npython 3.11.2\n"
    );
    assert_eq!(
        stdout(&mut s.tool(&["shim-versions", "python3.11"])),
        "python 3.11.2\n"
    );
    fails_with(&mut s.tool(&["shimversions", "nope"]), 126);
}

#[test]
fn uninstall_removes_the_version_with_its_shims() {
    let s = sandbox_with_python();
    succeeds(&mut s.tool(&["uninstall", "python", "3.11.2"]));
    assert!(!s.data.join("installs/python/3.11.2").exists());
    assert!(!s.data.join("shims/python3.11").exists());
    assert_eq!(
        stdout(&mut s.tool(&["shimversions", "python"])),
        "python 3.9.6\n"
    );
    let err = fails_with(&mut s.tool(&["uninstall", "python", "3.11.2"]), 1);
    assert_eq!(err, "No such version\n", "asdf's words");
    fails_with(&mut s.tool(&["uninstall", "python", "../../.."]), 1);
    assert!(s.data.join("installs/python/3.9.6").exists());
}

#[test]
fn settings_show_each_value_with_its_origin() {
    let s = Sandbox::new();
    let rc = s.write(
        ".asdfrc",
        "# mine\nlegacy_version_file = yes\nconcurrency = 3\npre_asdf_install_python = echo hi\n",
    );
    let toml = s.write(
        ".config/tool/config.toml",
        "concurrency = 5\nalways_keep_download = true\n",
    );
    let out = stdout(
        s.tool(&["settings"])
            .env("TOOL_USE_RELEASE_CANDIDATES", "yes"),
    );
    let line = |key: &str| {
        out.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("legacy_version_file").contains("yes"), "{out}");
    assert!(
        line("legacy_version_file").ends_with(&format!("({})", rc.display())),
        "{out}"
    );
    assert!(
        line("concurrency").contains('5')
            && line("concurrency").ends_with(&format!("({})", toml.display())),
        "{out}"
    );
    assert!(line("always_keep_download").contains("yes"), "{out}");
    assert!(
        line("use_release_candidates").ends_with("($TOOL_USE_RELEASE_CANDIDATES)"),
        "{out}"
    );
    assert!(
        line("plugin_repository_url").ends_with("(default)"),
        "{out}"
    );
    assert!(out.contains("pre_asdf_install_python = echo hi"), "{out}");
    let out = stdout(s.tool(&["settings"]).env("ASDF_CONCURRENCY", "7"));
    assert!(
        out.lines().any(|l| l.starts_with("concurrency")
            && l.contains('7')
            && l.ends_with("($ASDF_CONCURRENCY)")),
        "{out}"
    );

    s.write(".config/tool/config.toml", "concurrency = [unclosed\n");
    let err = fails_with(&mut s.tool(&["settings"]), 1);
    assert!(err.contains("config.toml:1:"), "{err}");
}

#[test]
fn info_shows_the_data_dir_with_the_built_in_tools() {
    let s = sandbox_with_python();
    let out = stdout(&mut s.tool(&["info"]));
    assert!(
        out.contains(&format!("ASDF_DATA_DIR={}", s.data.display())),
        "{out}"
    );
    assert!(out.contains("python\t(built-in)"), "{out}");
}

#[test]
fn version_prints_the_package_version() {
    let s = sandbox_with_python();
    let version = format!("tool {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout(&mut s.tool(&["version"])), version);
    assert_eq!(stdout(&mut s.tool(&["--version"])), version);
}

#[test]
fn help_lists_the_commands_with_their_flags() {
    let s = sandbox_with_python();
    assert!(stdout(&mut s.tool(&["help"])).contains("shimversions"));
    assert!(stdout(&mut s.tool(&["help", "set"])).contains("--home"));
}

#[test]
fn unknown_commands_fail_even_under_help() {
    let s = sandbox_with_python();
    fails_with(&mut s.tool(&["help", "nope"]), 1);
    fails_with(&mut s.tool(&["frobnicate"]), 1);
}

#[test]
fn completions_exist_for_each_shell() {
    let s = sandbox_with_python();
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout(&mut s.tool(&["completion", shell]));
        assert!(out.contains("shimversions"), "{shell}");
    }
}

#[test]
fn data_dir_that_cannot_be_written_is_a_clear_error() {
    let s = Sandbox::new();
    std::fs::write(s.home.join("blocker"), "a file").unwrap();
    let data = s.home.join("blocker/data");
    let err = fails_with(s.tool(&["reshim"]).env("ASDF_DATA_DIR", &data), 1);
    assert!(
        err.contains("cannot create the shims folder") && err.contains("blocker/data/shims"),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

/// `current` and `install` agree on which tools are set here: a built-in
/// tool that only a legacy file sets (nothing installed, no plugin) is a
/// row of `current`, as it is a request of `install`.
#[test]
fn current_lists_what_install_would_install() {
    let s = Sandbox::new();
    s.write(".asdfrc", "legacy_version_file = yes\n");
    let file = s.write("proj/.nvmrc", "20.1.0\n");
    let out = stdout(&mut s.tool(&["current", "--no-header"]));
    assert!(
        out.contains(&format!(
            "nodejs          20.1.0          {}",
            file.display()
        )),
        "{out}"
    );
    assert!(
        !out.contains("python"),
        "unset built-ins are no rows: {out}"
    );
    let json = s.tool(&["install", "--json"]).output().unwrap();
    let reports = String::from_utf8_lossy(&json.stdout);
    assert!(reports.contains("\"nodejs\""), "{reports}");
}
