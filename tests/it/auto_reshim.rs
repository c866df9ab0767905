//! Shims that keep themselves current: a program installed or removed
//! through a shim (`pip install`, …) gets or loses its shim with no
//! `reshim`, as Read the Docs' builder expects; exit codes pass through.

use std::path::Path;

use crate::harness::{Sandbox, fails_with, stdout, succeeds};

/// A CPython "install" as a real venv of this machine's python3, with pip.
fn venv_python(s: &Sandbox) -> std::path::PathBuf {
    let dir = s.data.join("installs/python/3.11.7");
    let mut venv = std::process::Command::new("python3");
    venv.args(["-m", "venv"]).arg(&dir);
    succeeds(&mut venv);
    succeeds(&mut s.tool(&["reshim"]));
    s.write("proj/.tool-versions", "python 3.11.7\n");
    dir
}

/// A wheel as pip installs it, whose console script `hello-tool` prints hello.
fn hello_wheel(dir: &Path) -> std::path::PathBuf {
    let wheel = dir.join("hello_tool-1.0-py3-none-any.whl");
    let script = r#"
import sys, zipfile
files = {
  "hello_tool.py": "def main():\n    print('hello from the wheel')\n",
  "hello_tool-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: hello-tool\nVersion: 1.0\n",
  "hello_tool-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  "hello_tool-1.0.dist-info/entry_points.txt": "[console_scripts]\nhello-tool = hello_tool:main\n",
}
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        z.writestr(name, text)
    z.writestr("hello_tool-1.0.dist-info/RECORD", "".join(f"{n},,\n" for n in files) + "hello_tool-1.0.dist-info/RECORD,,\n")
"#;
    let mut make = std::process::Command::new("python3");
    make.args(["-c", script]).arg(&wheel);
    succeeds(&mut make);
    wheel
}

#[test]
fn pip_install_through_a_shim_makes_the_new_programs_shim() {
    let s = Sandbox::new();
    venv_python(&s);
    let wheel = hello_wheel(&s.root);
    let mut pip = s.shim("pip", &s.proj);
    pip.args(["install", "--no-index", "--quiet"]).arg(&wheel);
    succeeds(&mut pip);
    assert_eq!(
        stdout(&mut s.shim("hello-tool", &s.proj)),
        "hello from the wheel\n"
    );
    let mut uninstall = s.shim("pip", &s.proj);
    uninstall.args(["uninstall", "-y", "--quiet", "hello-tool"]);
    succeeds(&mut uninstall);
    assert!(
        !s.data.join("shims/hello-tool").exists(),
        "its shim went with it"
    );
}

#[test]
fn a_failed_install_passes_its_exit_code_and_makes_no_shim() {
    let s = Sandbox::new();
    // An installer that fails after leaving a program behind.
    let bin = s.data.join("installs/python/9.9.9/bin");
    let pip = "#!/bin/sh\nprintf '#!/bin/sh\\n' > \"$(dirname \"$0\")/half-done\"\nchmod +x \"$(dirname \"$0\")/half-done\"\nexit 3\n";
    crate::harness::write_executable(&bin.join("pip"), pip);
    succeeds(&mut s.tool(&["reshim"]));
    s.write("proj/.tool-versions", "python 9.9.9\n");
    let mut install = s.shim("pip", &s.proj);
    install.args(["install", "x"]);
    fails_with(&mut install, 3);
    assert!(bin.join("half-done").exists(), "the fake installer ran");
    assert!(
        !s.data.join("shims/half-done").exists(),
        "no reshim after a failure"
    );
}

#[test]
fn an_installer_killed_by_a_signal_ends_the_shim_by_the_same_signal() {
    use std::os::unix::process::ExitStatusExt;
    let s = Sandbox::new();
    let bin = s.data.join("installs/python/9.9.9/bin");
    crate::harness::write_executable(&bin.join("pip"), "#!/bin/sh\nkill -TERM $$\n");
    succeeds(&mut s.tool(&["reshim"]));
    s.write("proj/.tool-versions", "python 9.9.9\n");
    let out = s
        .shim("pip", &s.proj)
        .args(["install", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.signal(), Some(libc::SIGTERM), "{out:?}");
}

/// An installer behind the shim that writes its pid, then works for a while
/// (a long `pip install`); the shim started in a process group of its own,
/// as a terminal's foreground job. Returns the shim and the installer's pid.
fn long_install(s: &Sandbox) -> (crate::harness::Spawned, i32) {
    use std::os::unix::process::CommandExt;
    let bin = s.data.join("installs/python/9.9.9/bin");
    let pid_file = s.root.join("installer.pid");
    let pip = format!(
        "#!/bin/sh\necho $$ > '{0}.tmp' && mv '{0}.tmp' '{0}'\nexec sleep 30\n",
        pid_file.display()
    );
    crate::harness::write_executable(&bin.join("pip"), &pip);
    succeeds(&mut s.tool(&["reshim"]));
    s.write("proj/.tool-versions", "python 9.9.9\n");
    let mut shim = s.process(s.data.join("shims/pip"));
    shim.args(["install", "x"]).process_group(0);
    let spawned = crate::harness::spawn(&mut shim);
    crate::harness::wait_for(&pid_file);
    let pid = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (spawned, pid)
}

/// Whether `pid` has ended (gone, or a zombie nobody reaped yet).
fn has_ended(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z'),
    }
}

fn signal(pid: i32, signal: i32) {
    // SAFETY: kill(2) on a pid (or group) this test started.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "kill {pid}");
}

#[test]
fn ctrl_c_stops_an_install_run_through_a_shim() {
    use std::os::unix::process::ExitStatusExt;
    let s = Sandbox::new();
    let (mut shim, installer) = long_install(&s);
    // The terminal signals the whole foreground group.
    signal(-(shim.id() as i32), libc::SIGINT);
    let status = shim.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGINT), "{status:?}");
    assert!(has_ended(installer), "the installer still runs");
}

#[test]
fn sigterm_to_the_shim_alone_reaches_the_installer() {
    use std::os::unix::process::ExitStatusExt;
    let s = Sandbox::new();
    let (mut shim, installer) = long_install(&s);
    signal(shim.id() as i32, libc::SIGTERM);
    let status = shim.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert!(has_ended(installer), "the installer still runs");
}

#[test]
fn kill_9_of_the_shim_takes_the_installer_with_it() {
    let s = Sandbox::new();
    let (mut shim, installer) = long_install(&s);
    signal(shim.id() as i32, libc::SIGKILL);
    shim.wait().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !has_ended(installer) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(has_ended(installer), "the installer outlived its shim");
}
