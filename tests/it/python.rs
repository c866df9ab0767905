//! CPython from source: one real compile of 3.11.2 from a file:// mirror
//! (python.org's tarball as Debian carries it), published and installed at
//! another path; and every way a build can fail without leaving anything.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::harness::fakes::{read_record, record_archive};
use crate::harness::gpg::Gpg;
use crate::harness::{
    BIN, Sandbox, fails_with, interrupt, spawn, stdout, succeeds, write_executable,
};

/// The file:// mirror made by `scripts/setup-python-source` (run once).
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup-python-source");
        PathBuf::from(stdout(&mut StdCommand::new(&script)).trim())
    })
}

fn mirror_url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

fn python_tool(s: &Sandbox, data: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.env("ASDF_DATA_DIR", data)
        .env("TOOL_OS", "testos")
        .env("TOOL_PYTHON_MIRROR", mirror_url(mirror()))
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    cmd
}

fn installs_left(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("installs/python"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

fn build_folders_left(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("tmp"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n.starts_with("build-"))
                .collect()
        })
        .unwrap_or_default()
}

/// A pure-Python wheel made on the spot, for `~/.default-python-packages`.
fn tiny_wheel(dir: &Path, name: &str, version: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let wheel = dir.join(format!("{name}-{version}-py3-none-any.whl"));
    let script = r#"
import base64, hashlib, sys, zipfile
name, version = sys.argv[2], sys.argv[3]
info = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": "VALUE = 42\n",
    f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tool-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for name, text in files.items():
        data = text.encode()
        z.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    z.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
"#;
    let mut python = StdCommand::new("python3");
    succeeds(
        python
            .arg("-c")
            .arg(script)
            .arg(&wheel)
            .args([name, version]),
    );
    wheel
}

#[test]
fn a_compiled_cpython_published_to_the_cache_runs_at_another_path() {
    let s = Sandbox::new();
    let wheel = tiny_wheel(&s.root.join("wheels"), "tooltestpkg", "1.0");
    // A pin from the setting, as the service pins pip and setuptools.
    let pin = tiny_wheel(&s.root.join("wheels"), "tooltestpin", "2.0");
    s.write(
        ".default-python-packages",
        &format!("# like the docs image's pins\n{}\n", wheel.display()),
    );
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let built = s.root.join("builder/data");
    let out = stdout(
        python_tool(
            &s,
            &built,
            &["cache", "build", "python", "3.11.2", "--json"],
        )
        .env("TOOL_CACHE_URL", mirror_url(&bucket))
        .env("TOOL_PYTHON_DEFAULT_PACKAGES", &pin)
        // Unoptimised, to keep the suite short; nothing here tests speed.
        .env("PYTHON_CFLAGS", "-O0 -g0")
        .env("ASDF_CONCURRENCY", "2"),
    );
    let reports: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(reports[0]["backend"], "source", "{out}");
    let tried = reports[0]["tried"].as_array().unwrap();
    assert!(
        !tried.iter().any(|t| t["backend"] == "cache"),
        "cache build never reads the cache: {out}"
    );
    assert_eq!(reports.last().unwrap()["outcome"], "pushed", "{out}");
    let root = built.join("installs/python/3.11.2");
    let dynamic = stdout(
        StdCommand::new("readelf")
            .arg("-d")
            .arg(root.join("bin/python3.11")),
    );
    assert!(
        dynamic.contains("[$ORIGIN/../lib]"),
        "RUNPATH is not relative:\n{dynamic}"
    );
    assert!(built.join("tmp/logs/python-3.11.2-build.log").is_file());
    assert!(record_archive(&bucket, "testos-python-3.11.2", "zst").is_file());
    let manifest = read_record(&bucket, "testos-python-3.11.2")["build"].to_string();
    assert!(
        manifest.contains("tooltestpkg==1.0") && manifest.contains("tooltestpin==2.0"),
        "the manifest records what the build installed: {manifest}"
    );

    // Another data dir at another path: a cache hit that runs there.
    let other = s.root.join("another/place/data");
    let report = stdout(
        python_tool(&s, &other, &["install", "python", "3.11.2", "--json"])
            .env("TOOL_CACHE_URL", mirror_url(&bucket)),
    );
    let report: serde_json::Value = serde_json::from_str(report.trim()).unwrap();
    assert_eq!(report["backend"], "cache", "{report}");
    let prefix = other.join("installs/python/3.11.2");
    let python = |code: &str| {
        let mut cmd = StdCommand::new(prefix.join("bin/python"));
        stdout(cmd.args(["-c", code])).trim().to_string()
    };
    assert_eq!(
        python("import ssl, sqlite3, ctypes, sys; print(sys.prefix)"),
        prefix.display().to_string(),
    );
    let pip_out = stdout(StdCommand::new(prefix.join("bin/pip")).arg("--version"));
    assert!(pip_out.contains(&prefix.display().to_string()), "{pip_out}");
    assert_eq!(
        python("import tooltestpkg; print(tooltestpkg.VALUE)"),
        "42",
        "default packages"
    );
    assert_eq!(
        python("import sysconfig; print(sysconfig.get_config_var('prefix'))"),
        prefix.display().to_string()
    );
    // The shim of that data dir runs it too.
    s.write("proj/.tool-versions", "python 3.11.2\n");
    let mut shim = s.command(other.join("shims/python3"));
    shim.env("ASDF_DATA_DIR", &other).arg("--version");
    assert_eq!(stdout(&mut shim).trim(), "Python 3.11.2");
}

#[test]
fn unknown_versions_name_the_nearest_known_ones() {
    let s = Sandbox::new();
    let err = fails_with(&mut s.tool(&["install", "python", "3.11.99"]), 1);
    assert!(
        err.contains("3.11.99 is not a CPython release (nearest: 3.11."),
        "{err}"
    );
    assert!(installs_left(&s.data).is_empty());
    let out = stdout(&mut s.tool(&["list", "all", "python", "3.11."]));
    assert!(out.lines().any(|l| l == "3.11.2"), "{out}");
    assert!(stdout(&mut s.tool(&["latest", "python", "2"])).starts_with("2.7."));
}

#[test]
fn a_mirror_that_404s_installs_nothing() {
    let s = Sandbox::new();
    let empty = s.root.join("empty-mirror");
    std::fs::create_dir_all(&empty).unwrap();
    let err = fails_with(
        python_tool(&s, &s.data, &["install", "python", "3.11.2"])
            .env("TOOL_PYTHON_MIRROR", mirror_url(&empty)),
        1,
    );
    assert!(
        err.contains("the source of CPython 3.11.2 was not found")
            && err.contains("3.11.2/Python-3.11.2.tgz"),
        "{err}"
    );
    assert!(installs_left(&s.data).is_empty());
}

/// A name that does not resolve is not retried: one line says what was
/// asked, from where and why (`.invalid` never resolves, RFC 6761).
#[test]
fn a_mirror_whose_name_does_not_resolve_fails_at_once_in_one_line() {
    let s = Sandbox::new();
    let err = fails_with(
        python_tool(&s, &s.data, &["install", "python", "3.11.2"])
            .env("TOOL_PYTHON_MIRROR", "https://mirror.invalid/python")
            .env("TOOL_CACHE_RETRIES", "4"),
        1,
    );
    assert!(
        err.contains("cannot read 3.11.2/Python-3.11.2.t")
            && err.contains("from https://mirror.invalid/python:")
            && err.contains("the host name mirror.invalid does not resolve"),
        "{err}"
    );
    assert!(
        !err.contains("retries") && !err.contains("Generic HTTP error"),
        "{err}"
    );
    assert!(installs_left(&s.data).is_empty());
}

#[test]
fn a_checksum_mismatch_installs_nothing() {
    let s = Sandbox::new();
    let bad = s.root.join("bad-mirror/3.11.2");
    std::fs::create_dir_all(&bad).unwrap();
    let mut data = std::fs::read(mirror().join("3.11.2/Python-3.11.2.tgz")).unwrap();
    data[1000] ^= 0xff;
    std::fs::write(bad.join("Python-3.11.2.tgz"), data).unwrap();
    let err = fails_with(
        python_tool(&s, &s.data, &["install", "python", "3.11.2"])
            .env("TOOL_PYTHON_MIRROR", mirror_url(bad.parent().unwrap())),
        1,
    );
    assert!(
        err.contains("checksum mismatch for Python-3.11.2.tgz"),
        "{err}"
    );
    assert!(
        !s.data
            .join("downloads/python/3.11.2/Python-3.11.2.tgz")
            .exists(),
        "the bad file was kept"
    );
    assert!(installs_left(&s.data).is_empty());
}

#[test]
fn missing_build_dependencies_name_the_apt_packages() {
    let s = Sandbox::new();
    let cc = s.root.join("bin/cc-without-lzma");
    write_executable(
        &cc,
        "#!/bin/sh\nif grep -q lzma.h; then exit 1; fi\nexit 0\n",
    );
    let err = fails_with(
        python_tool(&s, &s.data, &["install", "python", "3.11.2"]).env("CC", &cc),
        1,
    );
    assert!(err.contains("liblzma-dev (for lzma)"), "{err}");
    assert!(!err.contains("libssl-dev"), "{err}");
    let vars = [
        ("TOOL_OS", "testos"),
        ("CC", cc.to_str().unwrap()),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
    ];
    let mirror = mirror_url(mirror());
    let vars = [&vars[..], &[("TOOL_PYTHON_MIRROR", mirror.as_str())]].concat();
    let screen = s.on_terminal(
        BIN.as_ref(),
        &["install", "python", "3.11.2"],
        &s.proj,
        &vars,
    );
    assert!(
        screen.contains("hint: sudo apt-get install -y liblzma-dev"),
        "{screen}"
    );
    assert!(installs_left(&s.data).is_empty());
}

/// `tool install python 3.11.2` with a C flag no compiler knows, which
/// makes `configure` fail; returns its stderr.
fn failing_configure(s: &Sandbox) -> String {
    fails_with(
        python_tool(s, &s.data, &["install", "python", "3.11.2"])
            .env("PYTHON_CFLAGS", "-fno-such-flag-for-tool-tests"),
        1,
    )
}

#[test]
fn a_failing_configure_shows_the_tail_of_its_log() {
    let s = Sandbox::new();
    let err = failing_configure(&s);
    assert!(
        err.contains("`configure` failed") && err.contains("python-3.11.2-build.log"),
        "{err}"
    );
    assert!(
        err.contains("no-such-flag-for-tool-tests") || err.contains("C compiler"),
        "no log tail: {err}"
    );
}

#[test]
fn a_failing_configure_leaves_only_the_verified_source() {
    let s = Sandbox::new();
    failing_configure(&s);
    assert!(
        installs_left(&s.data).is_empty(),
        "{:?}",
        installs_left(&s.data)
    );
    assert!(build_folders_left(&s.data).is_empty());
    // The verified source was kept for the next attempt.
    assert!(
        s.data
            .join("downloads/python/3.11.2/Python-3.11.2.tgz")
            .is_file()
    );
}

#[test]
fn an_interrupted_build_leaves_nothing() {
    let s = Sandbox::new();
    let child = spawn(
        s.process(BIN)
            .args(["install", "python", "3.11.2"])
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("TOOL_PYTHON_MIRROR", mirror_url(mirror()))
            .stderr(std::process::Stdio::piped()),
    );
    let log = s.data.join("tmp/logs/python-3.11.2-build.log");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string(&log).is_ok_and(|t| t.contains("checking")) {
        assert!(Instant::now() < deadline, "configure never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    interrupt(child, "INT");
    assert!(
        installs_left(&s.data).is_empty(),
        "{:?}",
        installs_left(&s.data)
    );
    assert!(
        build_folders_left(&s.data).is_empty(),
        "{:?}",
        build_folders_left(&s.data)
    );
    let configure_alive = StdCommand::new("pgrep")
        .args(["-f", &s.data.display().to_string()])
        .output()
        .unwrap();
    assert!(
        configure_alive.stdout.is_empty(),
        "build processes survived"
    );
}

/// A copy of the source mirror (the archive linked), its archive signed by
/// a key made here; `tool install python 3.11.2` from it with the check on.
fn signed_mirror(s: &Sandbox) -> (PathBuf, Gpg) {
    let copy = s.root.join("signed-mirror/3.11.2");
    std::fs::create_dir_all(&copy).unwrap();
    let archive = copy.join("Python-3.11.2.tgz");
    std::fs::hard_link(mirror().join("3.11.2/Python-3.11.2.tgz"), &archive).unwrap();
    let gpg = Gpg::new(s, "mirror").key("A mirror <m@tool.invalid>", None);
    gpg.sign(&archive, &copy.join("Python-3.11.2.tgz.asc"), None);
    (copy.parent().unwrap().to_path_buf(), gpg)
}

fn install_checked(s: &Sandbox, mirror: &Path, keys: Option<&Path>) -> assert_cmd::Command {
    let mut cmd = python_tool(s, &s.data, &["install", "python", "3.11.2"]);
    cmd.env("TOOL_PYTHON_MIRROR", mirror_url(mirror))
        .env_remove("TOOL_PYTHON_VERIFY");
    if let Some(keys) = keys {
        cmd.env("TOOL_UPSTREAM_TRUSTED_KEYS", keys);
    }
    cmd
}

#[test]
fn a_cpython_source_without_its_signature_is_refused() {
    let s = Sandbox::new();
    let (mirror, _gpg) = signed_mirror(&s);
    std::fs::remove_file(mirror.join("3.11.2/Python-3.11.2.tgz.asc")).unwrap();
    let err = fails_with(&mut install_checked(&s, &mirror, None), 1);
    assert!(
        err.contains("expected a signature by the CPython 3.11 release managers' keys (A035C8C19219BA821ECEA86B64E628F8D684696D)")
            && err.contains("found no Python-3.11.2.tgz.asc beside it")
            && err.contains("python.verify = checksums"),
        "{err}"
    );
    assert!(installs_left(&s.data).is_empty());
    assert!(
        !s.data
            .join("downloads/python/3.11.2/Python-3.11.2.tgz")
            .exists(),
        "an unsigned archive was kept"
    );
}

#[test]
fn a_cpython_source_signed_by_a_key_not_its_release_managers_is_refused() {
    let s = Sandbox::new();
    let (mirror, gpg) = signed_mirror(&s);
    let err = fails_with(&mut install_checked(&s, &mirror, None), 1);
    assert!(
        err.contains(&format!("a signature by {}", gpg.fingerprint()))
            && err.contains("which is not one of them"),
        "{err}"
    );
    assert!(installs_left(&s.data).is_empty());
}

#[test]
fn a_cpython_source_signed_by_a_trusted_key_goes_on_to_the_build() {
    let s = Sandbox::new();
    let (mirror, gpg) = signed_mirror(&s);
    let keys = gpg.public(&s.root.join("mirror.asc"));
    // A C flag no compiler knows stops the build at configure, after the
    // signature held.
    let err = fails_with(
        install_checked(&s, &mirror, Some(&keys))
            .env("PYTHON_CFLAGS", "-fno-such-flag-for-tool-tests")
            .env("CI", "true"),
        1,
    );
    assert!(
        err.contains(&format!(
            "Python-3.11.2.tgz signed by {}",
            gpg.fingerprint()
        )) && err.contains("`configure` failed"),
        "{err}"
    );
}

#[test]
fn a_cpython_3_14_source_without_its_sigstore_bundle_is_refused_before_download() {
    // 3.14 on publish Sigstore bundles only; the mirror has the archive
    // (any bytes: it is never read) and no bundle.
    let s = Sandbox::new();
    let dir = s.root.join("mirror-3.14/3.14.4");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("Python-3.14.4.tar.xz"), b"not read").unwrap();
    let mut cmd = python_tool(&s, &s.data, &["install", "python", "3.14.4"]);
    cmd.env("TOOL_PYTHON_MIRROR", mirror_url(dir.parent().unwrap()))
        .env_remove("TOOL_PYTHON_VERIFY");
    let err = fails_with(&mut cmd, 1);
    assert!(
        err.contains(
            "expected a signature by hugo@python.org (via https://github.com/login/oauth), in a Sigstore bundle"
        ) && err.contains("found no Python-3.14.4.tar.xz.sigstore beside it"),
        "{err}"
    );
    assert!(installs_left(&s.data).is_empty());
    assert!(
        !s.data
            .join("downloads/python/3.14.4/Python-3.14.4.tar.xz")
            .exists()
    );
}
