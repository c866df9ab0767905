//! Node.js, Go and Rust from their official releases, without plugins: real
//! programs from offline copies of the download servers
//! (`scripts/setup-vendor-dists`), run through the shims; and the faults a
//! mirror can have, each a clear error with nothing installed.

use std::path::{Path, PathBuf};

use crate::harness::{Sandbox, stdout, succeeded, tar_bytes, write_executable};
use crate::servers::HttpServer;

/// The dist trees `scripts/setup-vendor-dists` lays out (the README's test
/// command runs it first).
fn dists() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-assets/vendor");
    assert!(
        dir.join("node/index.json").is_file(),
        "run scripts/setup-vendor-dists first (scripts/test does)"
    );
    dir
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// A small Node.js mirror: `node-v<V>-linux-x64.tar.gz` whose `bin/node`
/// prints its version, `SHASUMS256.txt` beside it; `index.json` listing
/// `listed` (which may name versions without files).
pub fn tiny_node_mirror(root: &Path, versions: &[&str], listed: &[&str]) -> PathBuf {
    let mirror = root.join("node-mirror");
    for v in versions {
        let top = format!("node-v{v}-linux-x64");
        let script = format!("#!/bin/sh\necho node {v}\n");
        let (dir, bin) = (format!("{top}/"), format!("{top}/bin/node"));
        let tar = tar_bytes(&[
            (&dir, tar::EntryType::Directory, "", b""),
            (&bin, tar::EntryType::Regular, "", script.as_bytes()),
        ]);
        let archive = crate::harness::gzip(&tar);
        let folder = mirror.join(format!("v{v}"));
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("{top}.tar.gz")), &archive).unwrap();
        std::fs::write(
            folder.join("SHASUMS256.txt"),
            format!("{}  {top}.tar.gz\n", sha256_hex(&archive)),
        )
        .unwrap();
    }
    let index: Vec<String> = listed
        .iter()
        .map(|v| format!(r#"{{"version":"v{v}","lts":false}}"#))
        .collect();
    std::fs::create_dir_all(&mirror).unwrap();
    std::fs::write(mirror.join("index.json"), format!("[{}]", index.join(","))).unwrap();
    mirror
}

#[test]
fn nodejs_from_an_http_mirror_runs_node_npm_and_default_packages() {
    let s = Sandbox::new();
    let server = HttpServer::start(&dists().join("node"));
    // A default package from a local tarball: npm installs it offline.
    let pkg = s.root.join("pkg/package");
    std::fs::create_dir_all(pkg.join("bin")).unwrap();
    std::fs::write(
        pkg.join("package.json"),
        r#"{"name":"hello-bin","version":"1.0.0","bin":{"hello-bin":"bin/hello.js"}}"#,
    )
    .unwrap();
    write_executable(
        &pkg.join("bin/hello.js"),
        "#!/usr/bin/env node\nconsole.log('hello from a default package')\n",
    );
    let tgz = s.root.join("hello-bin.tgz");
    let packed = std::process::Command::new("tar")
        .args([
            "-czf",
            tgz.to_str().unwrap(),
            "-C",
            s.root.join("pkg").to_str().unwrap(),
            "package",
        ])
        .status()
        .unwrap();
    assert!(packed.success());
    s.write(
        ".default-npm-packages",
        &format!("# tools\n{}\n", tgz.display()),
    );
    let out = s
        .tool(&["install", "nodejs", "20.11.0", "--json"])
        .env_remove("TOOL_NODEJS_MIRROR")
        .env("NODEJS_ORG_MIRROR", &server.url)
        .env("npm_config_registry", "http://127.0.0.1:9/")
        .output()
        .unwrap();
    let json = succeeded(&out);
    assert!(
        json.contains(r#""backend":"upstream""#) && json.contains(r#""ok":true"#),
        "{json}"
    );
    s.write("proj/.tool-versions", "nodejs 20.11.0\n");
    assert_eq!(
        stdout(
            s.shim("node", &s.proj)
                .args(["-e", "console.log(6 * 7, process.version)"])
        ),
        "42 v20.11.0\n"
    );
    assert_eq!(stdout(s.shim("npm", &s.proj).arg("--version")), "10.2.4\n");
    assert_eq!(stdout(s.shim("npx", &s.proj).arg("--version")), "10.2.4\n");
    assert!(s.data.join("shims/corepack").is_file());
    assert_eq!(
        stdout(&mut s.shim("hello-bin", &s.proj)),
        "hello from a default package\n"
    );
}

#[test]
fn golang_installs_and_go_run_works_through_the_shims() {
    let s = Sandbox::new();
    let go = dists().join("go");
    let with_mirror = |cmd: &mut assert_cmd::Command| {
        cmd.env("TOOL_GOLANG_MIRROR", file_url(&go))
            .env("TOOL_GOLANG_RELEASES", file_url(&go.join("releases.json")));
    };
    let mut install = s.tool(&["install", "golang", "1.19.8"]);
    with_mirror(&mut install);
    install.assert().success();
    let hello = s.proj.join("hello");
    std::fs::create_dir_all(&hello).unwrap();
    std::fs::write(hello.join("go.mod"), "module hello\n\ngo 1.19\n").unwrap();
    std::fs::write(
        hello.join("main.go"),
        "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello from go\") }\n",
    )
    .unwrap();
    s.write("proj/.tool-versions", "golang 1.19.8\n");
    let mut run = s.shim("go", &hello);
    run.args(["run", "."])
        .env("GOCACHE", s.root.join("gocache"));
    assert_eq!(stdout(&mut run), "hello from go\n");
    let goroot = stdout(s.shim("go", &hello).args(["env", "GOROOT"]));
    assert_eq!(
        goroot.trim(),
        s.data.join("installs/golang/1.19.8").to_str().unwrap()
    );
    assert!(s.data.join("shims/gofmt").is_file());
    // The release list: pre-releases listed, never `latest`.
    let mut list = s.tool(&["list", "all", "golang"]);
    with_mirror(&mut list);
    assert_eq!(stdout(&mut list), "1.19.8\n1.20rc1\n");
    let mut latest = s.tool(&["latest", "golang"]);
    with_mirror(&mut latest);
    assert_eq!(stdout(&mut latest), "1.19.8\n");
}

#[test]
fn rust_installs_its_toolchain_components_and_cargo_builds() {
    let s = Sandbox::new();
    let rust = dists().join("rust");
    if !rust.join("dist").is_dir() {
        panic!("no Rust dist tree: scripts/setup-vendor-dists builds it on x86_64");
    }
    let out = s
        .tool(&["install", "rust", "1.63.0", "--json"])
        .env_remove("TOOL_RUST_MIRROR")
        .env("RUSTUP_DIST_SERVER", file_url(&rust))
        .output()
        .unwrap();
    let json = succeeded(&out);
    assert!(
        json.contains(r#""components":["rustc","cargo","rust-std-x86_64-unknown-linux-gnu"]"#),
        "{json}"
    );
    let root = s.data.join("installs/rust/1.63.0");
    assert!(
        !root.join("share/doc").exists(),
        "rust-docs is not installed"
    );
    s.write("proj/.tool-versions", "rust 1.63.0\n");
    let krate = s.proj.join("hello-rs");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    std::fs::write(
        krate.join("Cargo.toml"),
        "[package]\nname = \"hello-rs\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        krate.join("src/main.rs"),
        "fn main() { println!(\"hello from rust\"); }\n",
    )
    .unwrap();
    let mut run = s.shim("cargo", &krate);
    run.args(["run", "-q", "--offline"])
        .env("CARGO_HOME", s.root.join("cargo-home"));
    assert_eq!(stdout(&mut run), "hello from rust\n");
    let mut latest = s.tool(&["latest", "rust"]);
    latest.env("TOOL_RUST_MIRROR", file_url(&rust));
    assert_eq!(stdout(&mut latest), "1.63.0\n");
}

/// Runs `tool install nodejs <version>` against `mirror`; returns the exit
/// code and stderr.
fn install_node(s: &Sandbox, mirror: &str, version: &str) -> (i32, String) {
    let out = s
        .tool(&["install", "nodejs", version])
        .env("TOOL_NODEJS_MIRROR", mirror)
        .env("CI", "true")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn nothing_installed(s: &Sandbox) {
    let dir = s.data.join("installs/nodejs");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| !n.ends_with(".lock"))
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(!s.data.join("shims/node").exists());
}

#[test]
fn an_exact_version_needs_no_release_list_and_a_plain_folder_is_a_mirror() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["1.2.3"], &[]);
    std::fs::remove_file(mirror.join("index.json")).unwrap();
    let (code, err) = install_node(&s, &file_url(&mirror), "1.2.3");
    assert_eq!(code, 0, "{err}");
    s.write("proj/.tool-versions", "nodejs 1.2.3\n");
    assert_eq!(stdout(&mut s.shim("node", &s.proj)), "node 1.2.3\n");
}

#[test]
fn mirror_faults_are_clear_errors_that_install_nothing() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["1.0.0", "2.0.0"], &["3.0.0", "2.0.0", "1.0.0"]);
    let url = file_url(&mirror);
    // A version the mirror does not have.
    let (code, err) = install_node(&s, &url, "9.9.9");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("node-v9.9.9-linux-x64.tar.gz"), "{err}");
    nothing_installed(&s);
    // A version the list names but the mirror does not have.
    let (code, err) = install_node(&s, &url, "latest");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("node-v3.0.0"), "{err}");
    nothing_installed(&s);
    // A checksum that does not match.
    let sums = mirror.join("v1.0.0/SHASUMS256.txt");
    let good = std::fs::read_to_string(&sums).unwrap();
    std::fs::write(
        &sums,
        format!("{}  node-v1.0.0-linux-x64.tar.gz\n", "0".repeat(64)),
    )
    .unwrap();
    let (code, err) = install_node(&s, &url, "1.0.0");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("sha256") || err.contains("checksum"), "{err}");
    nothing_installed(&s);
    // No checksum at all: refused, not installed unchecked.
    std::fs::remove_file(&sums).unwrap();
    let (code, err) = install_node(&s, &url, "1.0.0");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("no published sha256"), "{err}");
    nothing_installed(&s);
    // A truncated archive whose checksum file describes the cut file.
    std::fs::write(&sums, good).unwrap();
    let archive = mirror.join("v2.0.0/node-v2.0.0-linux-x64.tar.gz");
    let bytes = std::fs::read(&archive).unwrap();
    let cut = &bytes[..bytes.len() / 2];
    std::fs::write(&archive, cut).unwrap();
    std::fs::write(
        mirror.join("v2.0.0/SHASUMS256.txt"),
        format!("{}  node-v2.0.0-linux-x64.tar.gz\n", sha256_hex(cut)),
    )
    .unwrap();
    let (code, err) = install_node(&s, &url, "2.0.0");
    assert_eq!(code, 1, "{err}");
    nothing_installed(&s);
    // And the good one still installs after all that.
    let (code, err) = install_node(&s, &url, "1.0.0");
    assert_eq!(code, 0, "{err}");
}

#[test]
fn release_lists_are_kept_and_used_offline() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &[], &["20.1.0", "18.2.0"]);
    let list = |ttl: &str| {
        let out = s
            .tool(&["list", "all", "nodejs"])
            .env("TOOL_NODEJS_MIRROR", file_url(&mirror))
            .env("TOOL_VENDOR_LIST_TTL", ttl)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    assert_eq!(list("3600"), (Some(0), "18.2.0\n20.1.0\n".into()));
    // Fresh: the kept copy is used even though the list changed.
    std::fs::write(
        mirror.join("index.json"),
        r#"[{"version":"v22.0.0","lts":false}]"#,
    )
    .unwrap();
    assert_eq!(list("3600").1, "18.2.0\n20.1.0\n");
    // Stale: asked again.
    assert_eq!(list("0").1, "22.0.0\n");
    // Unreachable: the last answer, however old.
    std::fs::remove_file(mirror.join("index.json")).unwrap();
    assert_eq!(list("0"), (Some(0), "22.0.0\n".into()));
}

#[test]
fn node_lts_aliases_resolve_from_the_index() {
    let s = Sandbox::new();
    let mirror = s.root.join("m");
    std::fs::create_dir_all(&mirror).unwrap();
    std::fs::write(
        mirror.join("index.json"),
        r#"[{"version":"v21.1.0","lts":false},{"version":"v20.10.0","lts":"Iron"},{"version":"v20.9.0","lts":"Iron"},{"version":"v18.19.0","lts":"Hydrogen"}]"#,
    )
    .unwrap();
    let latest = |args: &[&str]| {
        let mut cmd = s.tool(args);
        cmd.env("TOOL_NODEJS_MIRROR", file_url(&mirror));
        stdout(&mut cmd)
    };
    assert_eq!(latest(&["latest", "nodejs"]), "21.1.0\n");
    assert_eq!(latest(&["latest", "nodejs", "lts"]), "20.10.0\n");
    assert_eq!(latest(&["latest", "nodejs", "hydrogen"]), "18.19.0\n");
    assert_eq!(latest(&["latest", "nodejs", "20"]), "20.10.0\n");
}

#[test]
fn cache_build_publishes_what_the_vendor_backend_installed() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["4.5.6"], &["4.5.6"]);
    let mut build = s.tool(&["cache", "build", "nodejs", "4.5.6", "--json"]);
    build.env("TOOL_NODEJS_MIRROR", file_url(&mirror));
    let out = stdout(&mut build);
    assert!(out.contains(r#""backend":"upstream""#), "{out}");
    // Another data dir, and no mirror: installed from the cache.
    let other = Sandbox::new();
    let out = other
        .tool(&["install", "nodejs", "4.5.6", "--json"])
        .env("TOOL_CACHE_URLS", file_url(&s.data.join("cache")))
        .env("TOOL_NODEJS_MIRROR", "file:///nonexistent")
        .output()
        .unwrap();
    let json = String::from_utf8_lossy(&out.stdout);
    assert!(json.contains(r#""backend":"cache""#), "{json}");
    other.write("proj/.tool-versions", "nodejs 4.5.6\n");
    assert_eq!(stdout(&mut other.shim("node", &other.proj)), "node 4.5.6\n");
}

#[test]
fn nvmrc_and_node_version_files_set_versions_when_legacy_files_are_on() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(
        &s.root,
        &["20.1.0", "20.3.0", "18.5.0"],
        &["20.3.0", "20.1.0", "18.5.0"],
    );
    s.write(".asdfrc", "legacy_version_file = yes\n");
    s.write("proj/.nvmrc", "lts/iron\n");
    let install = |dir: &Path| {
        let out = s
            .tool_in(dir, &["install"])
            .env("TOOL_NODEJS_MIRROR", file_url(&mirror))
            .output()
            .unwrap();
        succeeded(&out);
    };
    install(&s.proj);
    assert_eq!(stdout(&mut s.shim("node", &s.proj)), "node 20.3.0\n");
    let old = s.proj.join("old");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join(".node-version"), "v18.5.0\n").unwrap();
    install(&old);
    assert_eq!(stdout(&mut s.shim("node", &old)), "node 18.5.0\n");
    assert!(!s.data.join("installs/nodejs/20.1.0").exists());
}

#[test]
fn ctrl_c_mid_download_leaves_nothing_installed() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["5.0.0"], &["5.0.0"]);
    let server = HttpServer::start(&mirror);
    server.faults.lock().unwrap().stall = Some(std::time::Duration::from_secs(30));
    let mut cmd = std::process::Command::new(crate::harness::BIN);
    cmd.args(["install", "nodejs", "5.0.0"])
        .current_dir(&s.proj)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &s.home)
        .env("ASDF_DATA_DIR", &s.data)
        .env("TOOL_NODEJS_MIRROR", &server.url)
        .env("CI", "true")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !server
        .requests
        .lock()
        .unwrap()
        .iter()
        .any(|r| r.contains(".tar.gz"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the archive was never asked for"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    crate::harness::interrupt(child, "INT");
    nothing_installed(&s);
}

#[test]
fn gos_release_list_is_read_from_a_url_with_a_query_as_go_dev_serves_it() {
    let s = Sandbox::new();
    let root = s.root.join("go-dev");
    std::fs::create_dir_all(root.join("dl")).unwrap();
    std::fs::write(
        root.join("dl/index.json"),
        r#"[{"version":"go1.22.1","stable":true,"files":[]},{"version":"go1.23rc2","stable":false,"files":[]}]"#,
    )
    .unwrap();
    let server = HttpServer::start(&root);
    let url = format!("{}dl/index.json?mode=json&include=all", server.url);
    let mut latest = s.tool(&["latest", "golang"]);
    latest.env("TOOL_GOLANG_RELEASES", &url);
    assert_eq!(stdout(&mut latest), "1.22.1\n");
    let log = server.requests.lock().unwrap().clone();
    assert!(
        log.iter()
            .any(|l| l.contains("/dl/index.json?mode=json&include=all")),
        "{log:?}"
    );
}
