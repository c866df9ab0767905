//! The offline copies of the upstreams' download servers that
//! `scripts/setup-vendor-dists` lays out, and commands pointed at them.

use std::path::{Path, PathBuf};

use super::Sandbox;

/// The dist trees (the README's test command lays them out first).
pub fn dists() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-assets/vendor");
    assert!(
        dir.join("node/index.json").is_file(),
        "run scripts/setup-vendor-dists first (scripts/test does)"
    );
    dir
}

pub fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// `tool args…` with the Go mirror and release list of the offline dists,
/// and the key that signed the mirror's archive trusted.
pub fn go_tool(s: &Sandbox, args: &[&str]) -> assert_cmd::Command {
    let go = dists().join("go");
    let mut cmd = s.tool(args);
    cmd.env("TOOL_GOLANG_MIRROR", file_url(&go))
        .env("TOOL_GOLANG_RELEASES", file_url(&go.join("releases.json")))
        .env("TOOL_UPSTREAM_TRUSTED_KEYS", test_key());
    cmd
}

/// The public half of the key that signed the dists' `SHASUMS256.txt.sig`
/// and Go's `.asc`.
pub fn test_key() -> PathBuf {
    dists().join("test-signing-key.asc")
}

/// `cmd` checking Node.js's `SHASUMS256.txt.sig` (the default the sandbox
/// turns off), with the dists' signing key trusted.
pub fn node_signed(cmd: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    cmd.env_remove("TOOL_NODEJS_VERIFY")
        .env("TOOL_UPSTREAM_TRUSTED_KEYS", test_key())
}

/// The Rust dist tree of the offline dists (x86_64 only).
pub fn rust_dists() -> PathBuf {
    let rust = dists().join("rust");
    if !rust.join("dist").is_dir() {
        panic!("no Rust dist tree: scripts/setup-vendor-dists builds it on x86_64");
    }
    rust
}

/// `tool args…` with the Rust dist server of the offline dists (given as
/// rustup's `RUSTUP_DIST_SERVER`), the key that signed its manifests trusted.
pub fn rust_tool(s: &Sandbox, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.env_remove("TOOL_RUST_MIRROR")
        .env("RUSTUP_DIST_SERVER", file_url(&rust_dists()))
        .env("TOOL_UPSTREAM_TRUSTED_KEYS", test_key());
    cmd
}
