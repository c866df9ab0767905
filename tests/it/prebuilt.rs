//! Prebuilt CPython from python-build-standalone (PBS): a real CPython 3.11.2
//! built as PBS builds it (`--prefix=/install`, DESTDIR, the `#!/bin/sh`
//! trampoline, `PYTHON.json`, gzip under `python/`) by
//! `scripts/setup-python-prebuilt`, served from a local mirror in PBS's
//! release layout and named by a list in uv's `download-metadata.json`
//! format (no real PBS archive can be downloaded here).

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::OnceLock;

use crate::harness::servers::HttpServer;
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

const BUILD: &str = "20990101";
const GNU: &str = "x86_64-unknown-linux-gnu";
const RELEASES: &str = "https://github.com/astral-sh/python-build-standalone/releases/download";

/// The PBS-style archive of the real 3.11.2 build, and its sha256.
fn fixture() -> &'static (PathBuf, String) {
    static FIXTURE: OnceLock<(PathBuf, String)> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup-python-prebuilt");
        let dir = PathBuf::from(stdout(&mut StdCommand::new(&script)).trim());
        let archive = dir.join("install_only.tar.gz");
        let sum = stdout(StdCommand::new("sha256sum").arg(&archive));
        (archive, sum[..64].to_string())
    })
}

/// PBS's name of an archive of 3.11.2.
fn file_name(freethreaded: bool) -> String {
    let ft = if freethreaded { "-freethreaded" } else { "" };
    format!("cpython-3.11.2+{BUILD}-{GNU}{ft}-install_only.tar.gz")
}

/// One entry of uv's list for 3.11.2 with `sha256`, under PBS's release URL.
fn uv_entry(freethreaded: bool, sha256: &str) -> String {
    let variant = if freethreaded {
        "\"freethreaded\""
    } else {
        "null"
    };
    let url = format!(
        "{RELEASES}/{BUILD}/{}",
        file_name(freethreaded).replace('+', "%2B")
    );
    format!(
        r#""cpython-3.11.2{}-linux-x86_64-gnu": {{"name": "cpython",
        "arch": {{"family": "x86_64", "variant": null}}, "os": "linux", "libc": "gnu",
        "major": 3, "minor": 11, "patch": 2, "prerelease": null, "url": "{url}",
        "sha256": "{sha256}", "variant": {variant}, "build": "{BUILD}"}}"#,
        if freethreaded { "+freethreaded" } else { "" }
    )
}

/// A mirror folder in PBS's release layout holding the archive under both
/// names, and a list naming them with `sha256`; (mirror, list).
fn pbs_mirror(s: &Sandbox, sha256: &str) -> (PathBuf, PathBuf) {
    let mirror = s.root.join("pbs-mirror");
    std::fs::create_dir_all(mirror.join(BUILD)).unwrap();
    for ft in [false, true] {
        std::fs::copy(&fixture().0, mirror.join(BUILD).join(file_name(ft))).unwrap();
    }
    let list = s.write(
        "lists/download-metadata.json",
        &format!(
            "{{{},\n{}}}\n",
            uv_entry(false, sha256),
            uv_entry(true, sha256)
        ),
    );
    (mirror, list)
}

/// `tool args…` with PBS's mirror and the list set the way uv users set them.
fn pbs_tool(s: &Sandbox, mirror: &str, list: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.env_remove("TOOL_PYTHON_PREBUILT_MIRROR")
        .env("UV_PYTHON_INSTALL_MIRROR", mirror)
        .env("UV_PYTHON_DOWNLOADS_JSON_URL", list)
        // A miss must not reach a real compile or python.org.
        .env(
            "TOOL_PYTHON_MIRROR",
            format!("file://{}/no-mirror", s.root.display()),
        )
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    cmd
}

fn report(out: &str) -> serde_json::Value {
    serde_json::from_str(out.lines().last().unwrap()).unwrap()
}

/// Why `backend` passed, as an install's `--json` report says.
fn passed_over(r: &serde_json::Value, backend: &str) -> String {
    let tried = r["tried"].as_array().unwrap();
    let entry = tried.iter().find(|t| t["backend"] == backend);
    entry.map_or_else(String::new, |t| t["reason"].as_str().unwrap().to_string())
}

fn installs_left(data: &Path) -> Vec<String> {
    std::fs::read_dir(data.join("installs/python"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// A C extension as small as one can be, built by pip from its folder.
fn tiny_extension(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("tiny.c"),
        "#include <Python.h>\n\
         static PyObject *answer(PyObject *s, PyObject *a) { return PyLong_FromLong(42); }\n\
         static PyMethodDef m[] = {{\"answer\", answer, METH_NOARGS, 0}, {0}};\n\
         static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, \"tiny\", 0, -1, m};\n\
         PyMODINIT_FUNC PyInit_tiny(void) { return PyModule_Create(&d); }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("setup.py"),
        "from setuptools import setup, Extension\n\
         setup(name='tiny', version='1.0', ext_modules=[Extension('tiny', ['tiny.c'])])\n",
    )
    .unwrap();
    dir.to_path_buf()
}

#[test]
fn a_prebuilt_cpython_installs_from_a_mirror_and_builds_extensions_at_its_path() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    let url = format!("file://{}", mirror.display());
    let out = stdout(&mut pbs_tool(
        &s,
        &url,
        &list,
        &["install", "python", "3.11.2", "--json"],
    ));
    let r = report(&out);
    assert_eq!(r["backend"], "prebuilt", "{out}");
    assert_eq!(
        r["details"]["key"],
        format!("{BUILD}/{}", file_name(false)),
        "{out}"
    );
    let prefix = s.data.join("installs/python/3.11.2");
    let shown = prefix.display().to_string();
    let python = |code: &str| {
        let mut cmd = StdCommand::new(prefix.join("bin/python3"));
        stdout(cmd.args(["-c", code])).trim().to_string()
    };
    assert_eq!(
        python(
            "import sys, sysconfig; print(sys.prefix, sysconfig.get_config_var('prefix'), sysconfig.get_paths()['include'])"
        ),
        format!("{shown} {shown} {shown}/include/python3.11")
    );
    let config = stdout(StdCommand::new(prefix.join("bin/python3-config")).arg("--prefix"));
    assert_eq!(config.trim(), shown);
    let pc = std::fs::read_to_string(prefix.join("lib/pkgconfig/python3.pc")).unwrap();
    assert!(pc.contains(&format!("prefix={shown}\n")), "{pc}");
    // PBS's trampoline: pip runs from wherever it was installed.
    let pip = stdout(StdCommand::new(prefix.join("bin/pip3")).arg("--version"));
    assert!(pip.contains(&shown), "{pip}");
    // A venv, and a C extension built by pip in it against the install's headers.
    let venv = s.root.join("venv");
    succeeds(
        StdCommand::new(prefix.join("bin/python3"))
            .args(["-m", "venv"])
            .arg(&venv),
    );
    let ext = tiny_extension(&s.root.join("tiny"));
    let mut pip = StdCommand::new(venv.join("bin/pip"));
    pip.args([
        "install",
        "--no-index",
        "--no-build-isolation",
        "--no-cache-dir",
    ])
    .arg(&ext)
    .env("PIP_DISABLE_PIP_VERSION_CHECK", "1");
    succeeds(&mut pip);
    let mut run = StdCommand::new(venv.join("bin/python"));
    assert_eq!(
        stdout(run.args(["-c", "import tiny; print(tiny.answer())"])).trim(),
        "42"
    );
    // The shims run it.
    s.write("proj/.tool-versions", "python 3.11.2\n");
    let mut shim = s.command(s.data.join("shims/python3"));
    assert_eq!(stdout(shim.arg("--version")).trim(), "Python 3.11.2");
}

#[test]
fn a_checksum_mismatch_is_refused_and_installs_nothing() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &"0".repeat(64));
    let url = format!("file://{}", mirror.display());
    let err = fails_with(
        &mut pbs_tool(&s, &url, &list, &["install", "python", "3.11.2"]),
        1,
    );
    assert!(
        err.contains(&file_name(false))
            && err.contains(&"0".repeat(64))
            && err.contains(&fixture().1),
        "{err}"
    );
    assert!(
        !err.contains("source backend"),
        "a refusal stops the chain: {err}"
    );
    assert!(installs_left(&s.data).is_empty());
}

#[test]
fn a_version_outside_the_table_moves_on_to_the_source_build() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    let url = format!("file://{}", mirror.display());
    let out = pbs_tool(&s, &url, &list, &["install", "python", "3.7.17", "--json"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let r = report(&String::from_utf8(out).unwrap());
    assert!(
        passed_over(&r, "prebuilt").contains("no prebuilt python 3.7.17"),
        "{r}"
    );
    assert!(
        r["error"].as_str().unwrap().contains("source backend"),
        "{r}"
    );
    // Forced, it says why; left out of the chain, it is never asked.
    let err = fails_with(
        &mut pbs_tool(
            &s,
            &url,
            &list,
            &["install", "python", "3.7.17", "--backend", "prebuilt"],
        ),
        1,
    );
    assert!(err.contains("prebuilt: no prebuilt python 3.7.17"), "{err}");
    let mut cmd = pbs_tool(&s, &url, &list, &["install", "python", "3.11.2", "--json"]);
    cmd.env("TOOL_BACKENDS_PYTHON", "cache source");
    let out = cmd.assert().code(1).get_output().stdout.clone();
    let r = report(&String::from_utf8(out).unwrap());
    assert_eq!(passed_over(&r, "prebuilt"), "", "never asked: {r}");
    assert!(
        r["error"].as_str().unwrap().contains("source backend"),
        "{r}"
    );
}

#[test]
fn a_free_threaded_version_installs_the_freethreaded_archive() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    let url = format!("file://{}", mirror.display());
    let latest = stdout(&mut pbs_tool(
        &s,
        &url,
        &list,
        &["latest", "python", "3.11t"],
    ));
    assert_eq!(latest.trim(), "3.11.2t");
    let out = stdout(&mut pbs_tool(
        &s,
        &url,
        &list,
        &["install", "python", "3.11.2t", "--json"],
    ));
    let r = report(&out);
    assert_eq!(
        r["details"]["key"],
        format!("{BUILD}/{}", file_name(true)),
        "{out}"
    );
    assert!(
        s.data
            .join("installs/python/3.11.2t/bin/python3.11")
            .is_file()
    );
    let listed = stdout(&mut pbs_tool(
        &s,
        &url,
        &list,
        &["list", "all", "python", "3.11.2"],
    ));
    assert!(listed.lines().any(|l| l == "3.11.2t"), "{listed}");
}

#[test]
fn a_lock_names_the_prebuilt_archive_and_a_locked_install_gets_it() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    let url = format!("file://{}", mirror.display());
    s.write("proj/.tool-versions", "python 3.11.2\n");
    succeeds(&mut pbs_tool(&s, &url, &list, &["lock"]));
    let lock = std::fs::read_to_string(s.proj.join(".tool-versions.lock")).unwrap();
    let source = format!("source = \"{url}/{BUILD}/{}\"", file_name(false));
    assert!(
        lock.contains("backend = \"prebuilt\"") && lock.contains(&source),
        "{lock}"
    );
    assert!(
        lock.contains(&format!("sha256 = \"{}\"", fixture().1)),
        "{lock}"
    );
    // The locked install takes the lock's digest, not the list's.
    let (_, wrong) = pbs_mirror(&s, &"0".repeat(64));
    let out = stdout(&mut pbs_tool(
        &s,
        &url,
        &wrong,
        &["install", "--locked", "--json"],
    ));
    assert_eq!(report(&out)["backend"], "prebuilt", "{out}");
    assert!(
        s.data
            .join("installs/python/3.11.2/bin/python3.11")
            .is_file()
    );
}

#[test]
fn the_prebuilt_mirror_and_list_get_no_credentials() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    std::fs::create_dir_all(mirror.join("bucket")).unwrap();
    std::fs::create_dir_all(mirror.join("lists")).unwrap();
    std::fs::copy(&list, mirror.join("lists/download-metadata.json")).unwrap();
    let server = HttpServer::start(&mirror);
    // The list too, by URL, as uv's UV_PYTHON_DOWNLOADS_JSON_URL may name it.
    let list_url = PathBuf::from(format!("{}lists/download-metadata.json", server.url));
    let mut cmd = pbs_tool(&s, &server.url, &list_url, &["install", "python", "3.11.2"]);
    cmd.env("TOOL_CACHE_URLS", format!("{}bucket/", server.url))
        .env("TOOL_CACHE_TOKEN", "cache-token-123")
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEY")
        .env("AWS_SECRET_ACCESS_KEY", "secret-example-key");
    succeeds(&mut cmd);
    let requests = server.requests.lock().unwrap().clone();
    for asked in [format!("/{BUILD}/cpython-3.11.2"), "/lists/".to_string()] {
        assert!(
            requests.iter().any(|r| r.contains(&asked)),
            "{asked}: {requests:#?}"
        );
    }
    // Asked once for the whole install, as the other release lists are.
    let lists = requests.iter().filter(|r| r.contains("/lists/")).count();
    assert_eq!(lists, 1, "{requests:#?}");
    let sent = server.credentials.lock().unwrap().clone();
    assert!(
        sent.iter().all(|c| c.starts_with("/bucket/")),
        "credentials sent to the mirror: {sent:#?}"
    );
    assert!(!sent.is_empty(), "the bucket got no token: {requests:#?}");
}

#[test]
fn list_all_latest_and_info_say_which_versions_install_prebuilt() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    let url = format!("file://{}", mirror.display());
    let run = |args: &[&str]| stdout(&mut pbs_tool(&s, &url, &list, args));
    let listed = run(&["list", "all", "python", "3.11.2", "--json"]);
    assert!(
        listed.contains(r#"{"version":"3.11.2","backends":["prebuilt","source"]}"#)
            && listed.contains(r#"{"version":"3.11.2t","backends":["prebuilt"]}"#),
        "{listed}"
    );
    let old = run(&["list", "all", "python", "3.7.17", "--json"]);
    assert_eq!(old.trim(), r#"{"version":"3.7.17","backends":["source"]}"#);
    let latest: serde_json::Value =
        serde_json::from_str(&run(&["latest", "python", "3.11t", "--json"])).unwrap();
    assert_eq!(latest["version"], "3.11.2t");
    assert_eq!(latest["backend"], "prebuilt");
    let info = run(&["info", "python", "3.11.2"]);
    assert!(
        info.starts_with("python 3.11.2: backend prebuilt\n")
            && info.contains(&format!("{url}/{BUILD}/{}", file_name(false))),
        "{info}"
    );
    let info = run(&["info", "python", "3.7.17"]);
    assert!(
        info.starts_with("python 3.7.17: backend source\n"),
        "{info}"
    );
}

#[test]
fn cache_build_fills_the_bucket_from_pbs_and_the_build_runs_at_another_path() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    let url = format!("file://{}", mirror.display());
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let bucket_url = format!("file://{}", bucket.display());
    let builder = s.root.join("builder/data");
    let mut build = pbs_tool(
        &s,
        &url,
        &list,
        &["cache", "build", "python", "3.11.2", "--json"],
    );
    build
        .env("ASDF_DATA_DIR", &builder)
        .env("TOOL_OS", "testos")
        .env("TOOL_CACHE_URL", &bucket_url);
    let out = stdout(&mut build);
    let first: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(first["backend"], "prebuilt", "{out}");
    assert_eq!(report(&out)["outcome"], "pushed", "{out}");
    // Elsewhere, from the bucket alone.
    let other = s.root.join("another/place/data");
    let mut install = s.tool(&["install", "python", "3.11.2", "--json"]);
    install
        .env("ASDF_DATA_DIR", &other)
        .env("TOOL_OS", "testos")
        .env("TOOL_CACHE_URL", &bucket_url)
        .env("TOOL_BACKENDS_PYTHON", "cache");
    assert_eq!(report(&stdout(&mut install))["backend"], "cache");
    let prefix = other.join("installs/python/3.11.2");
    let mut python = StdCommand::new(prefix.join("bin/python3"));
    python.args([
        "-c",
        "import sysconfig; print(sysconfig.get_config_var('prefix'))",
    ]);
    assert_eq!(stdout(&mut python).trim(), prefix.display().to_string());
    let config = stdout(StdCommand::new(prefix.join("bin/python3-config")).arg("--prefix"));
    assert_eq!(config.trim(), prefix.display().to_string());
}

#[test]
fn a_python_plugin_the_user_added_comes_before_prebuilt() {
    let s = Sandbox::new();
    let (mirror, list) = pbs_mirror(&s, &fixture().1);
    let url = format!("file://{}", mirror.display());
    s.add_plugin("python", "dummy");
    std::fs::create_dir_all(s.root.join("dist")).unwrap();
    std::fs::write(s.root.join("dist/dummy-3.11.2.txt"), "from the plugin").unwrap();
    let out = stdout(&mut pbs_tool(
        &s,
        &url,
        &list,
        &["install", "python", "3.11.2", "--json"],
    ));
    assert_eq!(report(&out)["backend"], "plugin", "{out}");
    let listed = stdout(&mut pbs_tool(&s, &url, &list, &["list", "all", "python"]));
    assert!(
        listed.lines().any(|l| l == "2.1.0-rc1"),
        "the plugin's versions: {listed}"
    );
    // Without the plugin's release, a version is not passed on: its failure stops the chain.
    let err = fails_with(
        &mut pbs_tool(&s, &url, &list, &["install", "python", "3.11.2t"]),
        1,
    );
    assert!(err.contains("no such release: 3.11.2t"), "{err}");
}

/// A `t` version PBS has no archive of is compiled free-threaded: CPython
/// 3.13.5's own configure says `--disable-gil` reached it (made to stop
/// there by an option it refuses beside it, to keep the suite short).
#[test]
fn a_free_threaded_version_pbs_lacks_is_configured_without_the_gil() {
    let s = Sandbox::new();
    let signed = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-assets/python-signed");
    let _ = fixture(); // its script lays out the 3.13.5 source too
    let mut cmd = s.tool(&["install", "python", "3.13.5t", "--json"]);
    cmd.env("TOOL_PYTHON_MIRROR", format!("file://{}", signed.display()))
        .env("PYTHON_CONFIGURE_OPTS", "--with-trace-refs")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin");
    let out = cmd.assert().code(1).get_output().stdout.clone();
    let r = report(&String::from_utf8(out).unwrap());
    assert!(
        passed_over(&r, "prebuilt").contains("no prebuilt python 3.13.5t"),
        "{r}"
    );
    let error = r["error"].as_str().unwrap();
    assert!(
        error.contains("--disable-gil cannot be used with --with-trace-refs"),
        "{error}"
    );
    assert!(installs_left(&s.data).is_empty());
    let err = fails_with(
        &mut s.tool(&["install", "python", "3.12.1t", "--backend", "source"]),
        1,
    );
    assert!(err.contains("free-threaded from 3.13 on"), "{err}");
}
