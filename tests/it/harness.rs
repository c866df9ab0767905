//! A sandbox per test: its own HOME, data dir and project folder, and a clean
//! environment, so tests never see the developer's settings or each other.

pub mod asdf;
pub mod aws;
pub mod dists;
pub mod fakes;
pub mod gpg;
pub mod readthedocs;
pub mod servers;

use std::ffi::OsStr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_tool");
/// The std shim path (`src/bin/tool-shim-full.rs`).
pub const FULL_SHIM_BIN: &str = env!("CARGO_BIN_EXE_tool-shim-full");

/// `tool-shim`, the no-libc shim interpreter (its own crate, `tool-shim/`),
/// built by `scripts/build-shim` into the folder of `tool` and
/// `tool-shim-full` the first time a test asks, so the shims tests write
/// name it as installed shims do.
pub fn shim_bin() -> &'static Path {
    static BUILT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = Path::new(BIN).parent().unwrap();
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = std::process::Command::new(repo.join("scripts/build-shim"))
            .arg(dir)
            .output()
            .expect("scripts/build-shim runs");
        assert!(
            out.status.success(),
            "scripts/build-shim failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir.join("tool-shim")
    })
}

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
        shim_bin();
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

    /// `program` run in the project folder with the sandbox's environment
    /// and nothing else: shims first on PATH, HOME, the data dir, the dummy
    /// plugin's dist, and the official release servers (which stand for the
    /// internet) pointed at nothing, so they are never asked unless a test
    /// sets a mirror itself. Spawnable; every process a test runs starts here.
    pub fn process(&self, program: impl AsRef<OsStr>) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear()
            .current_dir(&self.proj)
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.data.join("shims").display()),
            )
            .env("HOME", &self.home)
            .env("ASDF_DATA_DIR", &self.data)
            .env("DUMMY_DIST", self.root.join("dist"))
            // Never the real instance metadata service (nor its keys): the
            // tests of it name a stand-in.
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(
                [
                    "TOOL_NODEJS_MIRROR",
                    "TOOL_GOLANG_MIRROR",
                    "TOOL_GOLANG_RELEASES",
                    "TOOL_RUST_MIRROR",
                    "TOOL_PYTHON_PREBUILT_MIRROR",
                ]
                .map(|var| (var, format!("file://{}/no-mirror", self.root.display()))),
            )
            // The Node.js mirrors tests make have no releaser's signature,
            // nor has the CPython source mirror (Debian carries no .asc of
            // 3.11.2): the tests of signatures turn the checks back on.
            .env("TOOL_NODEJS_VERIFY", "checksums")
            .env("TOOL_PYTHON_VERIFY", "checksums");
        cmd
    }

    /// [`Sandbox::process`] for [`stdout`], [`succeeds`] and [`fails_with`].
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        Command::from_std(self.process(program))
    }

    /// `tool args…` run in the project folder with a clean environment.
    pub fn tool(&self, args: &[&str]) -> Command {
        self.tool_in(&self.proj, args)
    }

    pub fn tool_in(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = self.command(BIN);
        cmd.current_dir(dir).args(args);
        cmd
    }

    /// Runs a shim by its path (the kernel reads the shebang) in `dir`.
    pub fn shim(&self, name: &str, dir: &Path) -> Command {
        let mut cmd = self.command(self.data.join("shims").join(name));
        cmd.current_dir(dir);
        cmd
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
        let line = command_line(program.as_os_str(), args.iter().map(OsStr::new));
        let mut cmd = self.process("script");
        cmd.envs(vars.iter().copied())
            .env("TERM", "xterm")
            .current_dir(dir)
            .args(["-qec", &line, "/dev/null"]);
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
        succeeds(&mut self.tool(&["plugin", "add", name, &url]));
    }

    /// The dummy plugin added, then a commit to its repository (adding
    /// `bin/help.links`) that the plugin has not pulled; the repository.
    pub fn dummy_plugin_one_commit_behind(&self) -> PathBuf {
        self.add_plugin("dummy", "dummy");
        let repo = self.root.join("repos/dummy");
        let links = "#!/bin/sh\necho https://example.invalid\n";
        std::fs::write(repo.join("bin/help.links"), links).unwrap();
        commit_all(&repo, "links");
        repo
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
        succeeds(&mut self.tool(&["reshim"]));
    }
}

pub fn write_executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A command the harness runs and can describe when it fails.
pub trait Run {
    fn run(&mut self) -> Output;
    /// The command line (quoted as for a shell) and its folder.
    fn shown(&self) -> (String, Option<&Path>);
}

impl Run for std::process::Command {
    fn run(&mut self) -> Output {
        self.output().expect("the program starts")
    }
    fn shown(&self) -> (String, Option<&Path>) {
        let line = command_line(self.get_program(), self.get_args());
        (line, self.get_current_dir())
    }
}

impl Run for Command {
    fn run(&mut self) -> Output {
        self.output().expect("the program starts")
    }
    fn shown(&self) -> (String, Option<&Path>) {
        let line = command_line(self.get_program(), self.get_args());
        (line, self.get_current_dir())
    }
}

fn command_line<'a>(program: &'a OsStr, args: impl Iterator<Item = &'a OsStr>) -> String {
    let quote = |a: &OsStr| {
        let a = a.to_string_lossy();
        let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:@+,".contains(c);
        if !a.is_empty() && a.chars().all(plain) {
            a.into_owned()
        } else {
            format!("'{}'", a.replace('\'', "'\\''"))
        }
    };
    let words: Vec<String> = std::iter::once(program).chain(args).map(quote).collect();
    words.join(" ")
}

impl<T: Run + ?Sized> Run for &mut T {
    fn run(&mut self) -> Output {
        (**self).run()
    }
    fn shown(&self) -> (String, Option<&Path>) {
        (**self).shown()
    }
}

/// The command line, its folder, its exit status and both streams.
fn report(cmd: &impl Run, out: &Output) -> String {
    let (line, dir) = cmd.shown();
    let dir = dir.map_or_else(|| std::env::current_dir().unwrap(), Path::to_path_buf);
    format!(
        "command: {line}\nfolder:  {}\nstatus:  {}\n--- stdout\n{}\n--- stderr\n{}",
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    )
}

/// Runs `cmd`, which must succeed: else panics showing the command, its
/// folder and both streams. The one success check of the tests.
pub fn succeeds(cmd: &mut impl Run) -> Output {
    let out = cmd.run();
    assert!(out.status.success(), "{}", report(cmd, &out));
    out
}

/// The stdout of `cmd`, which must succeed ([`succeeds`]).
pub fn stdout(cmd: &mut impl Run) -> String {
    String::from_utf8(succeeds(cmd).stdout).unwrap()
}

/// Runs `cmd` expecting exit `code` and no panic; returns its stderr.
pub fn fails_with(cmd: &mut impl Run, code: i32) -> String {
    let out = cmd.run();
    let shown = report(cmd, &out);
    assert_eq!(out.status.code(), Some(code), "{shown}");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{shown}");
    stderr
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let mut cmd = std::process::Command::new("git");
    cmd.arg("-C").arg(dir).args([
        "-c",
        "user.name=tool tests",
        "-c",
        "user.email=tests@example.invalid",
    ]);
    stdout(cmd.args(args)).trim().to_string()
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
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_symlink() {
            // Kept as a link (a plugin's scripts may be links to one file).
            let to = std::fs::read_link(entry.path()).unwrap();
            std::os::unix::fs::symlink(to, &target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A process running in the background ([`spawn`]), known by its command
/// line and folder for [`succeeds`] and [`fails_with`], which wait for it.
pub struct Spawned {
    child: Option<std::process::Child>,
    line: String,
    dir: Option<PathBuf>,
}

/// Starts `cmd` in the background (its stdio as the caller set it).
pub fn spawn(cmd: &mut std::process::Command) -> Spawned {
    let (line, dir) = cmd.shown();
    let dir = dir.map(Path::to_path_buf);
    let child = cmd.spawn().expect("the program starts");
    Spawned {
        child: Some(child),
        line,
        dir,
    }
}

impl std::ops::Deref for Spawned {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        self.child.as_ref().expect("not waited for yet")
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.child.as_mut().expect("not waited for yet")
    }
}

impl Run for Spawned {
    fn run(&mut self) -> Output {
        let child = self.child.take().expect("waited for once");
        child.wait_with_output().unwrap()
    }
    fn shown(&self) -> (String, Option<&Path>) {
        (self.line.clone(), self.dir.as_deref())
    }
}

/// Sends `signal` (`INT`, `TERM`…) to a running `tool`, waits, and checks
/// that it stopped as interrupted (exit 130); returns its stderr.
pub fn interrupt(mut child: Spawned, signal: &str) -> String {
    let pid = child.id().to_string();
    succeeds(std::process::Command::new("kill").args([&format!("-{signal}"), &pid]));
    let stderr = fails_with(&mut child, 130);
    assert!(stderr.contains("interrupted"), "{signal}: {stderr}");
    stderr
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
pub fn spawn_install(s: &Sandbox, version: &str, sleep: &str) -> Spawned {
    spawn(
        s.process(BIN)
            .args(["install", "dummy", version])
            .env("PATH", "/usr/bin:/bin")
            .env("DUMMY_SLEEP", sleep)
            .env("DUMMY_COUNTER", s.root.join("counter"))
            .env("CI", "true")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped()),
    )
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
