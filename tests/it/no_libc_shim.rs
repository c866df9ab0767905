//! `tool-shim`, the no-libc shim interpreter: it runs the common case on its
//! own, exactly as `tool-shim-full` (the std shim path) would, and hands
//! every other run over to it untouched.

use std::path::{Path, PathBuf};

use crate::harness::{
    FULL_SHIM_BIN, Sandbox, fails_with, shim_bin, stdout, succeeds, write_executable,
};

/// `command`'s shim as `tool reshim` wrote it, with its shebang naming
/// `interpreter` instead (the tool list kept), at `by/<interpreter>/`.
fn shim_run_by(s: &Sandbox, command: &str, interpreter: &Path) -> PathBuf {
    let text = std::fs::read_to_string(s.data.join("shims").join(command)).unwrap();
    let (first, rest) = text.split_once('\n').unwrap();
    let tools = first.split_once(' ').map_or("", |(_, t)| t);
    let by = s.root.join("by").join(interpreter.file_name().unwrap());
    let shim = by.join(command);
    write_executable(
        &shim,
        &format!("#!{} {tools}\n{rest}", interpreter.display()),
    );
    shim
}

/// python 3.9.6 installed and reshimmed, and a copy of `tool-shim` alone in
/// a folder of its own: the folder, and the python shim started by it.
fn lone_shim(s: &Sandbox) -> (PathBuf, PathBuf) {
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let dir = s.root.join("lone");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(shim_bin(), dir.join("tool-shim")).unwrap();
    let shim = shim_run_by(s, "python", &dir.join("tool-shim"));
    (dir, shim)
}

/// A fake `name` beside the lone `tool-shim` that prints how it was called.
fn recorder(dir: &Path, name: &str) {
    write_executable(
        &dir.join(name),
        "#!/bin/sh\nprintf '%s|' \"$0\" \"$@\"; printf 'X=%s\\n' \"$X\"\n",
    );
}

#[test]
fn the_common_run_needs_nothing_beside_it() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.write("proj/.tool-versions", "nodejs 20.1.0\npython 3.9.6\n");
    let (_, shim) = lone_shim(&s);
    let deep = s.proj.join("a/b/c");
    std::fs::create_dir_all(&deep).unwrap();
    let out = stdout(s.command(&shim).current_dir(&deep).args(["x", "y z"]));
    assert_eq!(out, "python 3.9.6 python x y z\n");
}

#[test]
fn the_builders_sequence_runs_without_the_full_path() {
    // Read the Docs' builder: install, `asdf global`, `asdf reshim`, then
    // the program from deep in the checkout, which has no .tool-versions.
    let s = Sandbox::new();
    let (_, shim) = lone_shim(&s);
    succeeds(&mut s.tool(&["global", "python", "3.9.6"]));
    succeeds(&mut s.tool(&["reshim", "python"]));
    let checkout = s
        .home
        .join("checkouts/readthedocs.org/user_builds/p/checkouts/latest");
    std::fs::create_dir_all(&checkout).unwrap();
    let out = stdout(
        s.command(&shim)
            .current_dir(&checkout)
            .args(["-m", "sphinx"]),
    );
    assert_eq!(out, "python 3.9.6 python -m sphinx\n");
    // From a folder outside home, the home file is read by its own path.
    let outside = s.root.join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    let out = stdout(s.command(&shim).current_dir(&outside));
    assert_eq!(out, "python 3.9.6 python \n");
}

#[test]
fn settings_only_installs_read_leave_the_run_to_it() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.write("proj/.tool-versions", "python 3.9.6\n");
    s.write(
        ".asdfrc",
        "cache.urls = s3://b/p\npre_asdf_install_python = x\n",
    );
    let config = "[cache]\nurls = [\"s3://b/p\"]\n[backends]\npython = [\"cache\"]\n";
    s.write(".config/tool/config.toml", config);
    let (_, shim) = lone_shim(&s);
    let out = stdout(s.command(&shim).env("TOOL_CACHE_TOKEN", "t"));
    assert_eq!(out, "python 3.9.6 python \n");
}

#[test]
fn every_other_run_is_handed_to_tool_shim_full_untouched() {
    type Arrange = fn(&Sandbox);
    let nothing: Arrange = |_| {};
    let cases: [(&str, Arrange); 11] = [
        ("TOOL_LEGACY_VERSION_FILE=yes", nothing),
        ("ASDF_PYTHON_VERSION=3.9.6", nothing),
        ("a plugin of the tool", |s| {
            std::fs::create_dir_all(s.data.join("plugins/python/bin")).unwrap();
        }),
        ("a hook for the command", |s| {
            s.write(".asdfrc", "pre_python_python = echo hi\n");
        }),
        ("a setting shims read", |s| {
            s.write(".asdfrc", "legacy_version_file = yes\n");
        }),
        ("a setting shims read in config.toml", |s| {
            s.write(".config/tool/config.toml", "legacy_version_file = true\n");
        }),
        ("a version not installed", |s| {
            s.write("proj/.tool-versions", "python 3.8.1 3.9.6\n");
        }),
        ("system", |s| {
            s.write("proj/.tool-versions", "python system\n");
        }),
        ("an error to report", |s| {
            s.write("proj/.tool-versions", "python 3.9.6 bad/version\n");
        }),
        ("an unfinished install", |s| {
            s.write("../data/installs/python/.3.9.6.incomplete", "");
        }),
        ("a command not in bin/", |s| {
            std::fs::remove_file(s.data.join("installs/python/3.9.6/bin/python")).unwrap();
        }),
    ];
    for (case, arrange) in cases {
        let s = Sandbox::new();
        s.install_fake("python", "3.9.6", &["python"]);
        s.write("proj/.tool-versions", "python 3.9.6\n");
        let (dir, shim) = lone_shim(&s);
        recorder(&dir, "tool-shim-full");
        arrange(&s);
        let mut cmd = s.command(&shim);
        if let Some((name, value)) = case.split_once('=') {
            cmd.env(name, value);
        }
        let out = stdout(cmd.args(["-c", "x y"]).env("X", "kept"));
        let full = dir.join("tool-shim-full");
        let expected = format!(
            "{}|--tools=python|{}|-c|x y|X=kept\n",
            full.display(),
            shim.display()
        );
        assert_eq!(out, expected, "{case}");
    }
}

#[test]
fn installer_command_lines_are_handed_over() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let (dir, shim) = lone_shim(&s);
    recorder(&dir, "tool-shim-full");
    let out = stdout(s.command(&shim).args(["-m", "pip", "install", "uv"]));
    assert!(
        out.starts_with(&format!("{}|", dir.join("tool-shim-full").display())),
        "{out}"
    );
    let out = stdout(s.command(&shim).args(["-m", "pip", "list"]));
    assert_eq!(
        out, "python 3.9.6 python -m pip list\n",
        "not an install: run"
    );
}

#[test]
fn without_tool_shim_full_the_run_goes_to_tool_dash_dash_shim() {
    let s = Sandbox::new();
    let (dir, shim) = lone_shim(&s);
    recorder(&dir, "tool");
    let out = stdout(s.command(&shim).arg("x"));
    // `tool --shim` reads the tools from the shim itself.
    let expected = format!(
        "{}|--shim|{}|x|X=\n",
        dir.join("tool").display(),
        shim.display()
    );
    assert_eq!(out, expected);
}

#[test]
fn with_neither_beside_it_it_says_where_it_looked() {
    let s = Sandbox::new();
    let (dir, shim) = lone_shim(&s);
    let err = fails_with(&mut s.command(&shim), 126);
    let said = format!(
        "tool-shim: cannot run tool-shim-full or tool in {}: os error 2\n",
        dir.display()
    );
    assert_eq!(err, said);
}

/// `/usr/bin/env` as `command` of `tool` `version`: it prints the
/// environment it was given, in its order.
fn env_printer(s: &Sandbox, tool: &str, version: &str, command: &str) {
    let bin = s.data.join("installs").join(tool).join(version).join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink("/usr/bin/env", bin.join(command)).unwrap();
}

/// What `command`'s program prints when its shim is run by `interpreter`.
fn printed_through(
    s: &Sandbox,
    command: &str,
    interpreter: &Path,
    vars: &[(&str, &str)],
) -> String {
    let shim = shim_run_by(s, command, interpreter);
    stdout(s.command(&shim).envs(vars.iter().copied()))
}

#[test]
fn both_paths_give_the_program_the_same_environment_byte_for_byte() {
    let s = Sandbox::new();
    env_printer(&s, "golang", "1.22.0", "goenv");
    env_printer(&s, "python", "ref-main", "pyenv");
    env_printer(&s, "nodejs", "20.1.0", "nodeenv");
    s.write(
        "proj/.tool-versions",
        "golang 1.22.0\npython ref-main\nnodejs 20.1.0\n",
    );
    s.reshim();
    let cases: [(&str, &[(&str, &str)]); 6] = [
        ("goenv", &[]),
        ("goenv", &[("GOROOT", "/mine")]),
        ("goenv", &[("GOROOT", "")]),
        ("pyenv", &[("ASDF_INSTALL_PATH", "/stale"), ("PATH", "")]),
        (
            "nodeenv",
            &[("TOOL_CACHE_URL", "s3://b/p"), ("NODEJS_ORG_MIRROR", "x")],
        ),
        ("nodeenv", &[("PATH", "/a:/b"), ("Z", "1"), ("A", "2")]),
    ];
    for (command, vars) in cases {
        let fast = printed_through(&s, command, shim_bin(), vars);
        let full = printed_through(&s, command, Path::new(FULL_SHIM_BIN), vars);
        assert_eq!(fast, full, "{command} {vars:?}");
        assert!(fast.contains("ASDF_INSTALL_VERSION="), "{fast}");
    }
}

#[test]
fn a_copy_standing_in_for_the_full_path_does_not_hand_over_to_itself() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.write("proj/.tool-versions", "python system\n");
    let (dir, shim) = lone_shim(&s);
    std::fs::copy(shim_bin(), dir.join("tool-shim-full")).unwrap();
    recorder(&dir, "tool");
    let timeout = std::time::Duration::from_secs(20);
    let out = stdout(s.command(&shim).arg("x").timeout(timeout));
    let expected = format!(
        "{}|--shim|{}|x|X=\n",
        dir.join("tool").display(),
        shim.display()
    );
    assert_eq!(out, expected, "on to `tool --shim`");
    std::fs::copy(shim_bin(), dir.join("tool")).unwrap();
    let err = fails_with(s.command(&shim).timeout(timeout), 126);
    assert!(
        err.starts_with("tool-shim: cannot run tool-shim-full or tool in "),
        "{err}"
    );
}
