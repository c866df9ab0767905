//! `tool` as a drop-in for asdf, run through an `asdf` link as its users
//! do: versions taken literally, asdf's messages, streams and exit codes,
//! nothing of `tool`'s own unless a person reads a terminal, and the plugin
//! protocol details that asdf's own suite checks.

use crate::harness::asdf::{asdf, run};
use crate::harness::{Sandbox, fails_with, stdout, succeeds, write_executable};

#[test]
fn versions_are_installed_literally() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    // list-all has 0.1.0; `0.1` is its own version, never a prefix.
    let (code, out) = run(&s, &["install", "nodl", "0.1"]);
    assert_eq!(
        (code, out.as_str()),
        (0, ""),
        "asdf prints nothing of its own"
    );
    assert!(s.data.join("installs/nodl/0.1/bin/nodl").is_file());
    assert!(!s.data.join("installs/nodl/0.1.0").exists());
    s.write("proj/.tool-versions", "nodl 0.1\n");
    assert_eq!(
        stdout(&mut asdf(&s, &["which", "nodl"])),
        format!("{}\n", s.data.join("installs/nodl/0.1/bin/nodl").display())
    );
}

#[test]
fn success_is_silent() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    succeeds(&mut asdf(&s, &["install", "nodl", "1.0"]));
    assert_eq!(run(&s, &["uninstall", "nodl", "1.0"]), (0, String::new()));
}

#[test]
fn errors_are_asdfs_bare_words() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    succeeds(&mut asdf(&s, &["install", "nodl", "1.0"]));
    succeeds(&mut asdf(&s, &["uninstall", "nodl", "1.0"]));
    assert_eq!(
        run(&s, &["uninstall", "nodl", "1.0"]),
        (1, "No such version\n".into())
    );
    assert_eq!(
        run(&s, &["where", "nope"]),
        (1, "No such plugin: nope\n".into())
    );
    assert_eq!(
        run(&s, &["where", "nodl", "9.9"]),
        (1, "Version not installed\n".into())
    );
    let (code, out) = run(&s, &["where", "nodl"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "No version is set for nodl; please run `asdf set [options] nodl <version>`\n"
    );
    assert_eq!(
        run(&s, &["which", "sunny"]),
        (
            1,
            "unknown command: sunny. Perhaps you have to reshim?\n".into()
        )
    );
    assert_eq!(
        run(&s, &["plugin", "add", "Ruby"]).1,
        "Ruby is invalid. Name may only contain lowercase letters, numbers, '_', and '-'\n"
    );
}

#[test]
fn exit_codes_are_asdfs() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    succeeds(&mut asdf(&s, &["install", "nodl", "1.0"]));
    let (code, out) = run(&s, &[]);
    assert!(
        code == 0 && out.starts_with("version: ") && out.contains("MANAGE PLUGINS"),
        "{out}"
    );
    assert_eq!(
        run(&s, &["set", "nodl"]),
        (1, "version must be provided as an argument\n".into())
    );
    assert_eq!(
        run(&s, &["set"]),
        (1, "tool and version must be provided as arguments\n".into())
    );
    assert_eq!(
        run(&s, &["set", "-h"]),
        (1, "flag provided but not defined: -h\n".into())
    );
    assert_eq!(
        run(&s, &["exec"]),
        (1, "usage: asdf exec <command>\n".into())
    );
    assert_eq!(run(&s, &["env"]), (1, "usage: asdf env <command>\n".into()));
    assert_eq!(
        run(&s, &["plugin", "remove"]),
        (1, "No plugin given\n".into())
    );
    let (code, out) = run(&s, &["plugin", "test"]);
    assert_eq!(
        (code, out.as_str()),
        (1, "FAILED: please provide a plugin name and url\n")
    );
    // A shim (and exec) with no version set: 126, and what could run.
    let err = fails_with(&mut s.shim("nodl", &s.proj), 126);
    assert!(
        err.starts_with("No version is set for command nodl\n"),
        "{err}"
    );
    let (code, out) = run(&s, &["frobnicate"]);
    assert!(
        code == 1 && out.starts_with("invalid command provided: frobnicate"),
        "{out}"
    );
}

/// A sandbox whose `.asdfrc` echoes around `plugin add` and `plugin
/// remove`; and the dummy plugin's repository URL.
fn with_plugin_hooks() -> (Sandbox, String) {
    let s = Sandbox::new();
    let url = s.plugin_repo("dummy");
    s.write(
        ".asdfrc",
        "pre_asdf_plugin_add = echo pre-add $1\npost_asdf_plugin_add_dummy = echo post-add $1\npre_asdf_plugin_remove_dummy = echo pre-remove $1\npost_asdf_plugin_remove = echo post-remove $1\n",
    );
    (s, url)
}

#[test]
fn plugin_hooks_run_around_add_on_stdout() {
    let (s, url) = with_plugin_hooks();
    let said = stdout(&mut asdf(&s, &["plugin", "add", "dummy", &url]));
    assert!(
        said.starts_with("pre-add dummy\n") && said.ends_with("post-add dummy\n"),
        "{said}"
    );
}

#[test]
fn plugin_hooks_run_around_remove_on_stdout() {
    let (s, url) = with_plugin_hooks();
    succeeds(&mut asdf(&s, &["plugin", "add", "dummy", &url]));
    let said = stdout(&mut asdf(&s, &["plugin", "remove", "dummy"]));
    assert!(
        said.starts_with("pre-remove dummy\n") && said.ends_with("post-remove dummy\n"),
        "{said}"
    );
}

#[test]
fn plugin_scripts_without_a_shebang_run_as_in_asdf() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    let plugin = s.data.join("plugins/nodl");
    // No shebang, and an order that is not sorted: kept as the plugin says.
    write_executable(&plugin.join("bin/list-all"), "echo 2.0 1.0\n");
    assert_eq!(
        stdout(&mut asdf(&s, &["list", "all", "nodl"])),
        "2.0\n1.0\n"
    );
}

#[test]
fn extension_commands_run_as_in_asdf() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    let plugin = s.data.join("plugins/nodl");
    write_executable(
        &plugin.join("lib/commands/command"),
        "#!/usr/bin/env bash\necho default $* ${ASDF_INSTALL_VERSION:-unset}\n",
    );
    write_executable(
        &plugin.join("lib/commands/command-foo-bar"),
        "#!/usr/bin/env bash\necho foo-bar $*\n",
    );
    let out = stdout(asdf(&s, &["cmd", "nodl", "x"]).env("ASDF_INSTALL_VERSION", "9"));
    assert_eq!(out, "default x unset\n");
    assert_eq!(
        stdout(&mut asdf(&s, &["cmd", "nodl", "foo", "bar", "y"])),
        "foo-bar y\n"
    );
    let help = stdout(&mut asdf(&s, &["help"]));
    assert!(
        help.contains("PLUGIN nodl\n  asdf nodl\n  asdf nodl foo-bar\n"),
        "{help}"
    );
}

#[test]
fn latest_without_a_compatible_version_fails_as_in_asdf() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    assert_eq!(
        run(&s, &["latest", "dummy", "7"]),
        (1, "No compatible versions available (dummy 7)\n".into())
    );
}

#[test]
fn asdf_concurrency_reaches_the_install_script_as_in_asdf() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    let env_dump = s.data.join("plugins/nodl/bin/install");
    let script = std::fs::read_to_string(&env_dump).unwrap();
    std::fs::write(
        &env_dump,
        script + "echo \"$ASDF_CONCURRENCY\" > \"$ASDF_INSTALL_PATH/concurrency\"\n",
    )
    .unwrap();
    succeeds(asdf(&s, &["install", "nodl", "1.0"]).env("ASDF_CONCURRENCY", "-1"));
    assert_eq!(
        std::fs::read_to_string(s.data.join("installs/nodl/1.0/concurrency")).unwrap(),
        "-1\n"
    );
}

#[test]
fn path_reshims_name_the_path_as_in_asdf() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    let custom = s.root.join("custom");
    write_executable(&custom.join("bin/nodl-custom"), "#!/bin/sh\necho custom\n");
    let path = format!("path:{}", custom.display());
    succeeds(&mut asdf(&s, &["reshim", "nodl", &path]));
    let shim = std::fs::read_to_string(s.data.join("shims/nodl-custom")).unwrap();
    assert!(
        shim.contains(&format!("# asdf-plugin: nodl {path}")),
        "{shim}"
    );
}

#[test]
fn help_for_an_unknown_plugin_fails_as_in_asdf() {
    let s = Sandbox::new();
    assert_eq!(
        run(&s, &["help", "sunny"]),
        (1, "No plugin named sunny\n".into())
    );
}
