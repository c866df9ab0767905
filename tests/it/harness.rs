//! A sandbox per test: its own HOME, data dir and project folder, and a clean
//! environment, so tests never see the developer's settings or each other.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_tool");
pub const SHIM_BIN: &str = env!("CARGO_BIN_EXE_tool-shim");

pub struct Sandbox {
    _root: TempDir,
    pub root: PathBuf,
    pub home: PathBuf,
    pub data: PathBuf,
    /// The project folder, five levels below its `.tool-versions` parent chain root.
    pub proj: PathBuf,
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("tool-it-")
            .tempdir()
            .unwrap();
        let home = root.path().join("home");
        let data = root.path().join("data");
        let proj = home.join("proj");
        std::fs::create_dir_all(&proj).unwrap();
        let dist = root.path().join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        for v in ["1.0.0", "1.1.0", "2.0.0", "2.0.1", "2.1.0-rc1", "main"] {
            std::fs::write(dist.join(format!("dummy-{v}.txt")), format!("release {v}")).unwrap();
        }
        Sandbox {
            root: root.path().to_path_buf(),
            _root: root,
            home,
            data,
            proj,
        }
    }

    /// `tool args…` run in the project folder with a clean environment.
    pub fn tool(&self, args: &[&str]) -> Command {
        self.tool_in(&self.proj, args)
    }

    pub fn tool_in(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        self.clean_env(&mut cmd).current_dir(dir).args(args);
        cmd
    }

    /// Runs a shim by its path (the kernel reads the shebang) in `dir`.
    pub fn shim(&self, name: &str, dir: &Path) -> Command {
        let mut cmd = Command::new(self.data.join("shims").join(name));
        self.clean_env(&mut cmd).current_dir(dir);
        cmd
    }

    pub fn clean_env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.data.join("shims").display()),
            )
            .env("HOME", &self.home)
            .env("ASDF_DATA_DIR", &self.data)
            .env("DUMMY_DIST", self.root.join("dist"))
            // Official release servers stand for the internet: never asked.
            .envs(
                [
                    "TOOL_NODEJS_MIRROR",
                    "TOOL_GOLANG_MIRROR",
                    "TOOL_GOLANG_RELEASES",
                    "TOOL_RUST_MIRROR",
                ]
                .map(|var| (var, format!("file://{}/no-mirror", self.root.display()))),
            )
    }

    /// What a person sees on a terminal (util-linux `script` makes one) while
    /// `program args` runs in `dir` with the sandbox's environment plus `vars`:
    /// `tool`'s own extras, such as hints, show only there.
    pub fn on_terminal(
        &self,
        program: &Path,
        args: &[&str],
        dir: &Path,
        vars: &[(&str, &str)],
    ) -> String {
        let quote = |a: &str| format!("'{}'", a.replace('\'', "'\\''"));
        let line: Vec<String> = std::iter::once(program.to_str().unwrap())
            .chain(args.iter().copied())
            .map(quote)
            .collect();
        let mut cmd = Command::new("script");
        self.clean_env(&mut cmd)
            .envs(vars.iter().copied())
            .env("TERM", "xterm")
            .current_dir(dir)
            .args(["-qec", &line.join(" "), "/dev/null"]);
        let out = cmd.output().expect("util-linux `script` runs");
        String::from_utf8_lossy(&out.stdout).replace("\r\n", "\n")
    }

    /// A git repository made from `tests/fixtures/plugins/<fixture>`, as a
    /// `file://` URL.
    pub fn plugin_repo(&self, fixture: &str) -> String {
        let repo = self.root.join("repos").join(fixture);
        if !repo.exists() {
            let src = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/plugins")
                .join(fixture);
            copy_tree(&src, &repo);
            git(&repo, &["init", "-q", "-b", "main"]);
            commit_all(&repo, "initial");
        }
        format!("file://{}", repo.display())
    }

    /// Adds the fixture plugin under `name` through `tool plugin add`.
    pub fn add_plugin(&self, name: &str, fixture: &str) {
        let url = self.plugin_repo(fixture);
        self.tool(&["plugin", "add", name, &url]).assert().success();
    }

    /// Writes `text` to `rel` below HOME (folders created).
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.home.join(rel)).unwrap()
    }

    /// Creates an installed version directly in the data dir, as asdf's own
    /// tests do: each command prints `<tool> <version> <command> <args>`.
    pub fn install_fake(&self, tool: &str, version: &str, commands: &[&str]) -> PathBuf {
        let root = self.data.join("installs").join(tool).join(version);
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for command in commands {
            let script = format!("#!/bin/sh\necho \"{tool} {version} {command} $*\"\n");
            write_executable(&bin.join(command), &script);
        }
        root
    }

    pub fn reshim(&self) {
        self.tool(&["reshim"]).assert().success();
    }
}

pub fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The stdout of a finished command that must have succeeded (else both
/// streams are shown).
pub fn succeeded(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

pub fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "command failed ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs the command expecting `code`; returns its stderr.
pub fn fails_with(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr: {stderr}\nstdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=tool tests",
            "-c",
            "user.email=tests@example.invalid",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn commit_all(repo: &Path, message: &str) -> String {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
    git(repo, &["rev-parse", "--short", "HEAD"])
}

pub fn copy_tree(src: &Path, dest: &Path) {
    std::fs::create_dir_all(dest).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let target = dest.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Sends `signal` (`INT`, `TERM`…) to a running `tool`, waits, and checks
/// that it stopped as interrupted (exit 130).
pub fn interrupt(child: std::process::Child, signal: &str) -> std::process::Output {
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{signal}: {stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    out
}

/// Name, type, link target and data of one hand-made tar entry.
pub type RawEntry<'a> = (&'a str, tar::EntryType, &'a str, &'a [u8]);

/// A tar stream whose entries are written byte by byte (no path checks,
/// mode 0755), as an attacker would.
pub fn tar_bytes(entries: &[RawEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, link, data) in entries {
        let mut h = tar::Header::new_gnu();
        let gnu = h.as_gnu_mut().unwrap();
        gnu.name[..name.len()].copy_from_slice(name.as_bytes());
        gnu.linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_entry_type(*kind);
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// One gzip member holding `data`.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// `tool install dummy <version>` in the background, writing progress
/// lines as for a CI log; the dummy plugin sleeps `sleep` seconds after
/// writing `started` into the install folder.
pub fn spawn_install(s: &Sandbox, version: &str, sleep: &str) -> std::process::Child {
    let mut cmd = std::process::Command::new(BIN);
    cmd.args(["install", "dummy", version])
        .current_dir(&s.proj)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &s.home)
        .env("ASDF_DATA_DIR", &s.data)
        .env("DUMMY_DIST", s.root.join("dist"))
        .env("DUMMY_SLEEP", sleep)
        .env("DUMMY_COUNTER", s.root.join("counter"))
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.spawn().unwrap()
}

/// Waits (20 s at most) for `path` to appear.
pub fn wait_for(path: &std::path::Path) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !path.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
