//! The Read the Docs builder, faked: the versions the service installs
//! (`plugins/readthedocs.toml`) and the objects its builder publishes.

use std::path::Path;

use super::{Sandbox, gzip, tar_bytes};

/// The full version the service installs for `tool` `asked`.
pub fn service_version(tool: &str, asked: &str) -> String {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("plugins/readthedocs.toml"),
    )
    .unwrap();
    let table: toml::Table = toml::from_str(&text).unwrap();
    table["tools"][tool][asked].as_str().unwrap().to_string()
}

/// A bucket object as the builder publishes it: `<os>-nodejs-<v>.tar.gz`.
pub fn publish_node(bucket: &Path, os: &str, version: &str) {
    let (top, bin) = (format!("{version}/"), format!("{version}/bin/node"));
    let script = format!("#!/bin/sh\necho builder node {version}\n");
    let tar = tar_bytes(&[
        (&top, tar::EntryType::Directory, "", b""),
        (&bin, tar::EntryType::Regular, "", script.as_bytes()),
    ]);
    std::fs::create_dir_all(bucket).unwrap();
    std::fs::write(
        bucket.join(format!("{os}-nodejs-{version}.tar.gz")),
        gzip(&tar),
    )
    .unwrap();
}

/// A project whose `.readthedocs.yaml` asks for Node.js 20 on
/// ubuntu-22.04, with the builder's object for it in a file bucket: the
/// version, and `tool` reading that file with that bucket as its cache.
pub fn readthedocs_project(s: &Sandbox) -> (String, impl Fn(&[&str]) -> assert_cmd::Command) {
    let version = service_version("nodejs", "20");
    let bucket = s.root.join("bucket");
    publish_node(&bucket, "ubuntu-22.04", &version);
    s.write(
        "proj/.readthedocs.yaml",
        "version: 2\nbuild:\n  os: ubuntu-22.04\n  tools:\n    nodejs: \"20\"\n",
    );
    let tool = move |args: &[&str]| {
        let mut cmd = s.tool(args);
        cmd.env("TOOL_READTHEDOCS_CONFIG", "yes")
            .env("TOOL_CACHE_URL", format!("file://{}", bucket.display()));
        cmd
    };
    (version, tool)
}
