//! The answers where `tool` linked as `asdf` differed from asdf, as real
//! plugins met them (issue 34): `asdf version` in asdf's form, `reshim`
//! with asdf-ruby's extra argument, asdf's message for a version already
//! installed, a failing `parse-legacy-file`, `latest-stable`'s stderr,
//! `plugin list --urls` columns, and no lock files beside the versions.

use crate::harness::asdf::{asdf, run};
use crate::harness::{Sandbox, fails_with, stdout, succeeds, write_executable};

/// `v?MAJOR.MINOR.PATCH` at the start, as asdf-elixir's `latest-stable`
/// reads `asdf version`.
fn semver_prefix(line: &str) -> Option<(u32, u32, u32)> {
    let word = line.split_whitespace().next()?;
    let word = word.strip_prefix('v').unwrap_or(word);
    let mut parts = word.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

#[test]
fn asdf_version_is_an_asdf_016_or_newer_with_tools_version_as_revision() {
    let s = Sandbox::new();
    for args in [&["version"][..], &["--version"]] {
        let out = stdout(&mut asdf(&s, args));
        let version = semver_prefix(&out);
        assert!(
            version.is_some_and(|v| v >= (0, 16, 0)),
            "{args:?}: {out:?} is no asdf 0.16+"
        );
        let revision = format!("(revision tool-{})\n", env!("CARGO_PKG_VERSION"));
        assert!(out.ends_with(&revision), "{out:?}");
    }
    // As `tool`, tool's own.
    let out = stdout(&mut s.tool(&["version"]));
    assert_eq!(out, format!("tool {}\n", env!("CARGO_PKG_VERSION")));
    // `help` shows the same version line as asdf's does.
    let help = stdout(&mut asdf(&s, &["help"]));
    let first = help.lines().next().unwrap_or_default();
    assert!(
        first.strip_prefix("version: ").and_then(semver_prefix) >= Some((0, 16, 0)),
        "{first}"
    );
    // `info`'s ASDF VERSION section is what `version` prints (bug reports).
    let version = stdout(&mut asdf(&s, &["version"]));
    let info = stdout(&mut asdf(&s, &["info"]));
    assert!(
        info.contains(&format!("ASDF VERSION:\n{version}")),
        "{info}"
    );
}

#[test]
fn reshim_ignores_the_executable_asdf_rubys_gem_hook_passes() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    s.install_fake("dummy", "1.0.0", &["dummy", "rake"]);
    let (code, out) = run(&s, &["reshim", "dummy", "1.0.0", "bin/rake"]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(s.data.join("shims/rake").is_file());
}

#[test]
fn installing_an_installed_version_says_so_in_asdfs_words_on_stderr() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    assert_eq!(run(&s, &["install", "nodl", "1.0"]), (0, String::new()));
    let out = succeeds(&mut asdf(&s, &["install", "nodl", "1.0"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "version 1.0 of nodl is already installed\n"
    );
    // The same from a .tool-versions, one line per version.
    s.write("proj/.tool-versions", "nodl 1.0\n");
    assert_eq!(
        run(&s, &["install"]),
        (0, "version 1.0 of nodl is already installed\n".into())
    );
}

/// The nodownload fixture added as `name`, with `files` written over it.
fn plugin_with(s: &Sandbox, name: &str, files: &[(&str, &str)]) {
    s.add_plugin(name, "nodownload");
    let dir = s.data.join("plugins").join(name);
    for (rel, text) in files {
        write_executable(&dir.join(rel), text);
    }
}

#[test]
fn a_failing_parse_legacy_file_sets_no_version_and_a_shim_exits_126() {
    let s = Sandbox::new();
    plugin_with(
        &s,
        "nodl",
        &[
            (
                "bin/list-legacy-filenames",
                "#!/bin/sh\necho .nodl-version\n",
            ),
            (
                "bin/parse-legacy-file",
                "#!/bin/sh\necho \"cannot read $(basename \"$1\")\" >&2\nexit 3\n",
            ),
        ],
    );
    s.write(".asdfrc", "legacy_version_file = yes\n");
    s.install_fake("nodl", "1.0", &["nodl"]);
    s.reshim();
    s.write("proj/.nodl-version", "1.0\n");
    let err = fails_with(&mut asdf(&s, &["exec", "nodl"]), 126);
    assert!(err.contains("cannot read .nodl-version"), "{err}");
    assert!(err.contains("No version is set for command nodl"), "{err}");
    fails_with(&mut s.shim("nodl", &s.proj), 126);
    // A version set further up still counts, as in asdf.
    s.write(".tool-versions", "nodl 1.0\n");
    assert_eq!(stdout(&mut s.shim("nodl", &s.proj)), "nodl 1.0 nodl \n");
}

#[test]
fn a_parse_legacy_file_that_prints_without_end_is_stopped_not_read_whole() {
    let s = Sandbox::new();
    plugin_with(
        &s,
        "nodl",
        &[
            (
                "bin/list-legacy-filenames",
                "#!/bin/sh\necho .nodl-version\n",
            ),
            (
                "bin/parse-legacy-file",
                "#!/bin/sh\nhead -c 3000000 /dev/zero | tr '\\0' x\n",
            ),
        ],
    );
    s.write(".asdfrc", "legacy_version_file = yes\n");
    s.install_fake("nodl", "1.0", &["nodl"]);
    s.reshim();
    s.write("proj/.nodl-version", "1.0\n");
    let out = asdf(&s, &["exec", "nodl"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(err.contains("is longer than 1048576 bytes"), "{err}");
}

#[test]
fn a_program_run_through_exec_env_gets_only_what_the_plugin_exports() {
    let s = Sandbox::new();
    plugin_with(
        &s,
        "nodl",
        &[("bin/exec-env", "export NODL_HOME=\"$ASDF_INSTALL_PATH\"\n")],
    );
    let root = s.install_fake("nodl", "1.0", &[]);
    write_executable(&root.join("bin/nodl"), "#!/bin/sh\nenv\n");
    s.reshim();
    s.write(".tool-versions", "nodl 1.0\n");
    let env = stdout(&mut s.shim("nodl", &s.proj));
    assert!(
        env.contains(&format!("NODL_HOME={}", root.display())),
        "{env}"
    );
    assert!(!env.contains("ASDF_PLUGIN_PATH="), "{env}");
}

#[test]
fn latest_shows_what_latest_stable_says_on_stderr() {
    let s = Sandbox::new();
    plugin_with(
        &s,
        "nodl",
        &[(
            "bin/latest-stable",
            "#!/bin/sh\necho 'asking the release server' >&2\necho 0.1.0\n",
        )],
    );
    let out = succeeds(&mut asdf(&s, &["latest", "nodl"]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0.1.0\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "asking the release server\n"
    );
}

#[test]
fn plugin_list_urls_separates_columns_with_spaces_as_asdf() {
    let s = Sandbox::new();
    let url = s.plugin_repo("nodownload");
    s.add_plugin("nodl", "nodownload");
    s.add_plugin("a-plugin-name-longer-than-28-columns", "nodownload");
    let out = stdout(&mut asdf(&s, &["plugin", "list", "--urls"]));
    assert_eq!(
        out,
        format!(
            "a-plugin-name-longer-than-28-columns {url}\n{:<28} {url}\n",
            "nodl"
        )
    );
    assert_eq!(
        stdout(&mut asdf(&s, &["plugin", "list"])),
        "a-plugin-name-longer-than-28-columns\nnodl\n"
    );
}

#[test]
fn installs_leave_no_lock_files_beside_the_versions() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    succeeds(&mut asdf(&s, &["install", "nodl", "1.0"]));
    succeeds(&mut asdf(&s, &["install", "nodl", "0.9"]));
    succeeds(&mut asdf(&s, &["uninstall", "nodl", "0.9"]));
    // A plugin that lists its tool's folder (dot names included) while
    // installing another version sees no lock there.
    let dir = s.data.join("plugins/nodl/bin");
    let install = std::fs::read_to_string(dir.join("install")).unwrap();
    let listing = "ls -A \"$(dirname \"$ASDF_INSTALL_PATH\")\" >\"$HOME/seen\"\n";
    write_executable(
        &dir.join("install"),
        &install.replacen('\n', &format!("\n{listing}"), 1),
    );
    succeeds(&mut asdf(&s, &["install", "nodl", "1.1"]));
    let seen = s.read("seen");
    assert!(!seen.contains(".lock"), "{seen}");
    let mut left: Vec<String> = std::fs::read_dir(s.data.join("installs/nodl"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["1.0", "1.1"]);
}
