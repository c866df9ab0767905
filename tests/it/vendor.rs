//! Node.js, Go and Rust from their official releases, without plugins: real
//! programs from offline copies of the download servers
//! (`scripts/setup-vendor-dists`), run through the shims; and the faults a
//! mirror can have, each a clear error with nothing installed.

use std::path::Path;

use crate::harness::dists::{dists, file_url, go_tool, node_signed, rust_tool};
use crate::harness::fakes::{sha256_hex, tiny_node_mirror};
use crate::harness::servers::HttpServer;
use crate::harness::{
    BIN, Sandbox, fails_with, interrupt, spawn, stdout, succeeds, write_executable,
};

#[test]
fn nodejs_from_an_http_mirror_runs_with_its_default_packages() {
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
    succeeds(std::process::Command::new("tar").args([
        "-czf",
        tgz.to_str().unwrap(),
        "-C",
        s.root.join("pkg").to_str().unwrap(),
        "package",
    ]));
    s.write(
        ".default-npm-packages",
        &format!("# tools\n{}\n", tgz.display()),
    );
    let json = stdout(
        node_signed(&mut s.tool(&["install", "nodejs", "20.11.0", "--json"]))
            .env_remove("TOOL_NODEJS_MIRROR")
            .env("NODEJS_ORG_MIRROR", &server.url)
            .env("npm_config_registry", "http://127.0.0.1:9/"),
    );
    assert!(
        json.contains(r#""backend":"upstream""#) && json.contains(r#""ok":true"#),
        "{json}"
    );
    assert!(json.contains(r#""signed_by":""#), "{json}");
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
fn golang_from_a_mirror_runs_go_through_the_shims() {
    let s = Sandbox::new();
    succeeds(&mut go_tool(&s, &["install", "golang", "1.19.8"]));
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
}

#[test]
fn golang_release_list_shows_prereleases_never_as_latest() {
    let s = Sandbox::new();
    let list = stdout(&mut go_tool(&s, &["list", "all", "golang"]));
    assert_eq!(list, "1.19.8\n1.20rc1\n");
    assert_eq!(stdout(&mut go_tool(&s, &["latest", "golang"])), "1.19.8\n");
}

#[test]
fn rust_installs_the_toolchain_components_cargo_builds_with() {
    let s = Sandbox::new();
    let json = stdout(&mut rust_tool(&s, &["install", "rust", "1.63.0", "--json"]));
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
}

#[test]
fn rust_latest_comes_from_the_mirror() {
    let s = Sandbox::new();
    assert_eq!(stdout(&mut rust_tool(&s, &["latest", "rust"])), "1.63.0\n");
}

/// `tool install nodejs <version>` against `mirror`.
fn install_node(s: &Sandbox, mirror: &str, version: &str) -> assert_cmd::Command {
    let mut cmd = s.tool(&["install", "nodejs", version]);
    cmd.env("TOOL_NODEJS_MIRROR", mirror).env("CI", "true");
    cmd
}

fn nothing_installed(s: &Sandbox) {
    let dir = s.data.join("installs/nodejs");
    let left: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert!(!s.data.join("shims/node").exists());
}

#[test]
fn an_exact_version_installs_from_a_plain_folder_without_a_release_list() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["1.2.3"], &[]);
    std::fs::remove_file(mirror.join("index.json")).unwrap();
    succeeds(&mut install_node(&s, &file_url(&mirror), "1.2.3"));
    s.write("proj/.tool-versions", "nodejs 1.2.3\n");
    assert_eq!(stdout(&mut s.shim("node", &s.proj)), "node 1.2.3\n");
}

#[test]
fn mirror_faults_are_clear_errors_that_install_nothing() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["1.0.0", "2.0.0"], &["3.0.0", "2.0.0", "1.0.0"]);
    let url = file_url(&mirror);
    // A version the mirror does not have.
    let err = fails_with(&mut install_node(&s, &url, "9.9.9"), 1);
    assert!(err.contains("node-v9.9.9-linux-x64.tar.gz"), "{err}");
    nothing_installed(&s);
    // A version the list names but the mirror does not have.
    let err = fails_with(&mut install_node(&s, &url, "latest"), 1);
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
    let err = fails_with(&mut install_node(&s, &url, "1.0.0"), 1);
    assert!(err.contains("sha256") || err.contains("checksum"), "{err}");
    nothing_installed(&s);
    // No checksum at all: refused, not installed unchecked.
    std::fs::remove_file(&sums).unwrap();
    let err = fails_with(&mut install_node(&s, &url, "1.0.0"), 1);
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
    fails_with(&mut install_node(&s, &url, "2.0.0"), 1);
    nothing_installed(&s);
    // And the good one still installs after all that.
    succeeds(&mut install_node(&s, &url, "1.0.0"));
}

#[test]
fn release_lists_are_kept_for_offline_use() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &[], &["20.1.0", "18.2.0"]);
    let list = |ttl: &str| {
        stdout(
            s.tool(&["list", "all", "nodejs"])
                .env("TOOL_NODEJS_MIRROR", file_url(&mirror))
                .env("TOOL_VENDOR_LIST_TTL", ttl),
        )
    };
    assert_eq!(list("3600"), "18.2.0\n20.1.0\n");
    // Fresh: the kept copy is used even though the list changed.
    std::fs::write(
        mirror.join("index.json"),
        r#"[{"version":"v22.0.0","lts":false}]"#,
    )
    .unwrap();
    assert_eq!(list("3600"), "18.2.0\n20.1.0\n");
    // Stale: asked again.
    assert_eq!(list("0"), "22.0.0\n");
    // Unreachable: the last answer, however old.
    std::fs::remove_file(mirror.join("index.json")).unwrap();
    assert_eq!(list("0"), "22.0.0\n");
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
    let json = stdout(
        other
            .tool(&["install", "nodejs", "4.5.6", "--json"])
            .env("TOOL_CACHE_URLS", file_url(&s.data.join("cache")))
            .env("TOOL_NODEJS_MIRROR", "file:///nonexistent"),
    );
    assert!(json.contains(r#""backend":"cache""#), "{json}");
    other.write("proj/.tool-versions", "nodejs 4.5.6\n");
    assert_eq!(stdout(&mut other.shim("node", &other.proj)), "node 4.5.6\n");
}

/// A sandbox with legacy version files on, `lts/iron` in the project's
/// `.nvmrc`, and a Node.js mirror with 20.1.0, 20.3.0 (the newest
/// `lts/iron`) and 18.5.0, which `tool install` run in a folder uses.
fn legacy_node() -> (Sandbox, impl Fn(&Sandbox, &Path)) {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(
        &s.root,
        &["20.1.0", "20.3.0", "18.5.0"],
        &["20.3.0", "20.1.0", "18.5.0"],
    );
    s.write(".asdfrc", "legacy_version_file = yes\n");
    s.write("proj/.nvmrc", "lts/iron\n");
    let install = move |s: &Sandbox, dir: &Path| {
        let mut cmd = s.tool_in(dir, &["install"]);
        succeeds(cmd.env("TOOL_NODEJS_MIRROR", file_url(&mirror)));
    };
    (s, install)
}

#[test]
fn nvmrc_sets_the_version_when_legacy_files_are_on() {
    let (s, install) = legacy_node();
    install(&s, &s.proj);
    assert_eq!(stdout(&mut s.shim("node", &s.proj)), "node 20.3.0\n");
    assert!(!s.data.join("installs/nodejs/20.1.0").exists());
}

#[test]
fn node_version_file_sets_the_version_when_legacy_files_are_on() {
    let (s, install) = legacy_node();
    let old = s.proj.join("old");
    std::fs::create_dir_all(&old).unwrap();
    std::fs::write(old.join(".node-version"), "v18.5.0\n").unwrap();
    install(&s, &old);
    assert_eq!(stdout(&mut s.shim("node", &old)), "node 18.5.0\n");
    assert!(!s.data.join("installs/nodejs/20.1.0").exists());
}

#[test]
fn ctrl_c_mid_download_leaves_nothing_installed() {
    let s = Sandbox::new();
    let mirror = tiny_node_mirror(&s.root, &["5.0.0"], &["5.0.0"]);
    let server = HttpServer::start(&mirror);
    server.faults.lock().unwrap().stall = Some(std::time::Duration::from_secs(30));
    let child = spawn(
        s.process(BIN)
            .args(["install", "nodejs", "5.0.0"])
            .env("PATH", "/usr/bin:/bin")
            .env("TOOL_NODEJS_MIRROR", &server.url)
            .env("CI", "true")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped()),
    );
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
    interrupt(child, "INT");
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
