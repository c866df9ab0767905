//! Running programs through shims: pass-through of arguments, stdio, exit code
//! and signals, PATH for children, `system`, and asdf's 126 errors.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};

use crate::harness::{
    BIN, Sandbox, fails_with, shim_bin, spawn, stdout, succeeds, write_executable,
};

#[test]
fn shim_passes_through_arguments_stdin_exit_code() {
    let s = Sandbox::new();
    let bin = s.install_fake("python", "3.9.6", &[]).join("bin");
    write_executable(
        &bin.join("python"),
        "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\ncat\nexit 7\n",
    );
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let out = s
        .shim("python", &s.proj)
        .args(["a b", "", "--x=\"q\""])
        .write_stdin("from stdin\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[a b]\n[]\n[--x=\"q\"]\nfrom stdin\n"
    );
}

#[test]
fn shim_execs_in_place_so_signals_reach_the_program() {
    let s = Sandbox::new();
    let bin = s.install_fake("python", "3.9.6", &[]).join("bin");
    write_executable(&bin.join("python"), "#!/bin/sh\necho $$\nexec sleep 30\n");
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let mut child = spawn(
        s.process(s.data.join("shims/python"))
            .env("PATH", "/usr/bin:/bin")
            .stdout(Stdio::piped()),
    );
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(
        line.trim().parse::<u32>().unwrap(),
        child.id(),
        "the shim left a process in between"
    );
    // SIGTERM to the shim's pid reaches the program itself.
    succeeds(StdCommand::new("kill").arg(child.id().to_string()));
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(15));
}

#[test]
fn children_see_the_same_version_on_path() {
    let s = Sandbox::new();
    let bin = s.install_fake("python", "3.11.2", &["pip"]).join("bin");
    write_executable(&bin.join("python"), "#!/bin/sh\nexec pip from-python\n");
    s.reshim();
    s.write("proj/.tool-versions", "python 3.11.2\n");
    assert_eq!(
        stdout(&mut s.shim("python", &s.proj)),
        "python 3.11.2 pip from-python\n"
    );
}

#[test]
fn not_set_is_126_as_in_asdf() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let err = fails_with(&mut s.shim("python", &s.proj), 126);
    assert!(
        err.contains("No version is set for command python"),
        "{err}"
    );
    assert!(
        !err.contains("hint"),
        "a program sees asdf's bare message: {err}"
    );
    let shim = s.data.join("shims/python");
    let screen = s.on_terminal(&shim, &[], &s.proj, &[]);
    assert!(
        screen.contains("tool: No version is set for command python"),
        "{screen}"
    );
    assert!(
        screen.contains("hint: set one with `tool set python 3.9.6`"),
        "{screen}"
    );
}

#[test]
fn not_installed_is_126_as_in_asdf() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let shim = s.data.join("shims/python");
    let file = s.write("proj/.tool-versions", "# x\npython 3.8.1\n");
    let err = fails_with(&mut s.shim("python", &s.proj), 126);
    assert!(
        err.contains(&format!(
            "python 3.8.1 is set by {}:2 but not installed",
            file.display()
        )),
        "{err}"
    );
    let screen = s.on_terminal(&shim, &[], &s.proj, &[]);
    assert!(
        screen.contains("hint: tool install python 3.8.1"),
        "{screen}"
    );
    fails_with(&mut s.tool(&["exec", "python"]), 126);
    fails_with(&mut s.tool(&["which", "python"]), 1);
}

#[test]
fn system_runs_the_program_outside_the_shims() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python", "sh"]);
    s.reshim();
    s.write("proj/.tool-versions", "python system\n");
    // `sh` has a shim, but `system` must find /bin/sh (or /usr/bin/sh) instead.
    let out = stdout(s.shim("sh", &s.proj).args(["-c", "echo system-sh"]));
    assert_eq!(out, "system-sh\n");
    // No python outside the shims: a clear error, not a loop through the shim.
    let err = fails_with(&mut s.shim("python", &s.proj), 126);
    assert!(
        err.contains("No python executable found for python system"),
        "{err}"
    );
}

#[test]
fn shim_never_recurses_through_a_link_to_the_shims_folder() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let link = s.home.join("linked-shims");
    std::os::unix::fs::symlink(s.data.join("shims"), &link).unwrap();
    s.write("proj/.tool-versions", "python system\n");
    let err = fails_with(
        s.shim("python", &s.proj)
            .env("PATH", format!("{}:/usr/bin:/bin", link.display())),
        126,
    );
    assert!(err.contains("No python executable found"), "{err}");
}

#[test]
fn shim_run_by_a_shell_re_enters_tool() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let mut cmd = s.command("sh");
    cmd.arg(s.data.join("shims/python")).arg("via-sh");
    assert_eq!(stdout(&mut cmd), "python 3.9.6 python via-sh\n");
}

#[test]
fn a_running_shim_survives_a_concurrent_reshim() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let mut reshims = Vec::new();
    for i in 0..4 {
        s.install_fake(
            "python",
            &format!("3.10.{i}"),
            &["python", &format!("extra{i}")],
        );
        reshims.push(spawn(s.process(BIN).arg("reshim").stderr(Stdio::piped())));
        let out = stdout(&mut s.shim("python", &s.proj));
        assert_eq!(out, "python 3.9.6 python \n");
    }
    for mut r in reshims {
        succeeds(&mut r);
    }
    let out = stdout(
        s.shim("extra3", &s.proj)
            .env("ASDF_PYTHON_VERSION", "3.10.3"),
    );
    assert_eq!(out, "python 3.10.3 extra3 \n");
}

#[test]
fn shims_start_the_shim_binary_beside_tool() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    let text = std::fs::read_to_string(s.data.join("shims/python")).unwrap();
    let shim_bin = std::fs::canonicalize(shim_bin()).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        format!("#!{} --tools=python", shim_bin.display())
    );
    s.write("proj/.tool-versions", "python 3.9.6\n");
    assert_eq!(
        stdout(s.shim("python", &s.proj).arg("x")),
        "python 3.9.6 python x\n"
    );
}

#[test]
fn the_shim_binary_takes_the_tools_from_the_shebang() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["tox"]);
    s.install_fake("nodejs", "20.1.0", &["tox"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\nnodejs 20.1.0\n");
    let shim = s.data.join("shims/tox");
    let text = std::fs::read_to_string(&shim).unwrap();
    let shebang = text.lines().next().unwrap();
    assert!(shebang.ends_with(" --tools=nodejs,python"), "{shebang}");
    // The shebang's list is what runs; the text below it is not read.
    let edited = text.replacen(" --tools=nodejs,python", " --tools=python", 1);
    std::fs::write(&shim, edited).unwrap();
    assert_eq!(stdout(&mut s.shim("tox", &s.proj)), "python 3.9.6 tox \n");
}

#[test]
fn shims_written_without_a_tool_list_still_run() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let shim = s.data.join("shims/python");
    let text = std::fs::read_to_string(&shim).unwrap();
    std::fs::write(&shim, text.replacen(" --tools=python", "", 1)).unwrap();
    assert_eq!(
        stdout(&mut s.shim("python", &s.proj)),
        "python 3.9.6 python \n"
    );
}

/// A copy of a test binary at `dest` (a hard link when the folders allow it).
fn place_binary(src: &Path, dest: &Path) {
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    if std::fs::hard_link(src, dest).is_err() {
        std::fs::copy(src, dest).unwrap();
    }
}

/// A sandbox with python 3.9.6 set, reshimmed by a copy of `tool` alone in
/// a folder of its own; and that copy's path.
fn lone_tool() -> (Sandbox, PathBuf) {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let lone = s.root.join("lone/tool");
    place_binary(Path::new(BIN), &lone);
    succeeds(s.command(&lone).arg("reshim"));
    (s, lone)
}

fn first_line(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().next().unwrap().to_string()
}

#[test]
fn without_the_shim_binary_shims_run_tool() {
    let (s, lone) = lone_tool();
    let shim = s.data.join("shims/python");
    assert_eq!(first_line(&shim), format!("#!{} --shim", lone.display()));
    assert_eq!(
        stdout(&mut s.shim("python", &s.proj)),
        "python 3.9.6 python \n"
    );
}

#[test]
fn shims_switch_to_the_shim_binary_once_it_appears() {
    let (s, lone) = lone_tool();
    place_binary(shim_bin(), &lone.with_file_name("tool-shim"));
    succeeds(s.command(&lone).arg("reshim"));
    assert_eq!(
        first_line(&s.data.join("shims/python")),
        format!(
            "#!{} --tools=python",
            lone.with_file_name("tool-shim").display()
        )
    );
    assert_eq!(
        stdout(&mut s.shim("python", &s.proj)),
        "python 3.9.6 python \n"
    );
}

#[test]
fn the_shim_binary_alone_explains_itself() {
    let s = Sandbox::new();
    let err = fails_with(&mut s.command(shim_bin()), 2);
    assert!(err.contains("usage: tool-shim <shim>"), "{err}");
}

#[test]
fn the_program_gets_the_sigpipe_action_the_shim_was_given() {
    use std::os::unix::process::CommandExt;
    let s = Sandbox::new();
    let bin = s.install_fake("python", "3.9.6", &[]).join("bin");
    // An ignored signal stays ignored through `sh` and `exec`.
    write_executable(
        &bin.join("python"),
        "#!/bin/sh\nexec grep SigIgn /proc/self/status\n",
    );
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let pipe_bit = 1u64 << (libc::SIGPIPE - 1);
    for ignored in [false, true] {
        let mut cmd = s.process(s.data.join("shims/python"));
        // SAFETY: signal() is async-signal-safe; nothing else runs in the child.
        unsafe {
            cmd.pre_exec(move || {
                let action = if ignored {
                    libc::SIG_IGN
                } else {
                    libc::SIG_DFL
                };
                libc::signal(libc::SIGPIPE, action);
                Ok(())
            });
        }
        let out = stdout(&mut cmd);
        let mask = out.trim().trim_start_matches("SigIgn:").trim();
        let mask = u64::from_str_radix(mask, 16).unwrap();
        assert_eq!(
            mask & pipe_bit != 0,
            ignored,
            "parent ignoring: {ignored}: {out}"
        );
    }
}

#[test]
fn a_setting_only_installs_read_does_not_stop_a_shim() {
    let s = Sandbox::new();
    s.install_fake("python", "3.9.6", &["python"]);
    s.reshim();
    s.write("proj/.tool-versions", "python 3.9.6\n");
    let bad = ("TOOL_CACHE_URLS", "ftp://cache.example/");
    let out = stdout(s.shim("python", &s.proj).env(bad.0, bad.1).arg("x"));
    assert_eq!(out, "python 3.9.6 python x\n");
    // Commands still refuse it, naming it.
    let err = fails_with(s.tool(&["current"]).env(bad.0, bad.1), 1);
    assert!(err.contains("cache.urls"), "{err}");
}
