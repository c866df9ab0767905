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
