//! What the most used asdf plugins do, written as small plugins of our own:
//! asdf-nodejs reshims from its `bin/install` and wraps `npm` in its own
//! `shims/` folder; asdf-golang's legacy file names follow a variable;
//! asdf's `pre_asdf_download_<plugin>` hook runs before the download.

use crate::harness::asdf::{asdf, path_with_asdf, run};
use crate::harness::{
    Sandbox, interrupt, spawn_install, stdout, succeeds, wait_for, write_executable,
};

/// Adds the `nodownload` fixture as `name`, then gives it `files`
/// (relative to the plugin folder).
fn plugin_with(s: &Sandbox, name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    s.add_plugin(name, "nodownload");
    let dir = s.data.join("plugins").join(name);
    for (rel, text) in files {
        write_executable(&dir.join(rel), text);
    }
    dir
}

#[test]
fn a_plugin_install_that_reshims_its_own_version_succeeds() {
    let s = Sandbox::new();
    // As asdf-nodejs's bin/install ends: the version is not committed yet.
    plugin_with(
        &s,
        "node",
        &[(
            "bin/install",
            "#!/usr/bin/env bash\nset -euo pipefail\nmkdir -p \"$ASDF_INSTALL_PATH/bin\"\nprintf '#!/bin/sh\\necho node-real\\n' > \"$ASDF_INSTALL_PATH/bin/node\"\nchmod +x \"$ASDF_INSTALL_PATH/bin/node\"\nasdf reshim node \"$ASDF_INSTALL_VERSION\"\ntest -x \"$ASDF_DATA_DIR/shims/node\"\n",
        )],
    );
    let mut install = asdf(&s, &["install", "node", "20.11.0"]);
    succeeds(install.env("PATH", path_with_asdf(&s)));
    assert!(s.data.join("installs/node/20.11.0/bin/node").is_file());
    assert!(!s.data.join("installs/node/.20.11.0.incomplete").exists());
    s.write("proj/.tool-versions", "node 20.11.0\n");
    assert_eq!(
        stdout(&mut s.shim("node", &s.proj)),
        "node-real\n",
        "the shim made from inside the install runs the version"
    );
}

#[test]
fn a_reshim_from_outside_an_install_in_progress_is_refused() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let child = spawn_install(&s, "1.0.0", "20");
    wait_for(&s.data.join("installs/dummy/1.0.0/started"));
    // Another process, not a child of the install: the version is not
    // installed yet, whatever its folder holds.
    let (code, out) = run(&s, &["reshim", "dummy", "1.0.0"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("dummy 1.0.0 is not installed"), "{out}");
    interrupt(child, "INT");
    assert!(!s.data.join("installs/dummy/1.0.0").exists());
}

#[test]
fn a_plugin_shims_folder_wraps_the_command_as_in_asdf() {
    let s = Sandbox::new();
    // As asdf-nodejs's shims/npm: runs in place of the version's npm, with
    // no version chosen, and finds the real program itself.
    plugin_with(
        &s,
        "node",
        &[
            (
                "bin/install",
                "#!/usr/bin/env bash\nmkdir -p \"$ASDF_INSTALL_PATH/bin\"\nprintf '#!/bin/sh\\necho npm-real $*\\n' > \"$ASDF_INSTALL_PATH/bin/npm\"\nchmod +x \"$ASDF_INSTALL_PATH/bin/npm\"\n",
            ),
            (
                "shims/npm",
                "#!/usr/bin/env bash\necho \"wrapper version=[$ASDF_INSTALL_VERSION]\"\nexec \"$(asdf where node)/bin/npm\" \"$@\"\n",
            ),
            ("shims/npm-only-wrapper", "#!/bin/sh\necho only\n"),
        ],
    );
    succeeds(&mut asdf(&s, &["install", "node", "1.0"]));
    s.write("proj/.tool-versions", "node 1.0\n");
    let mut npm = s.shim("npm", &s.proj);
    npm.env("PATH", path_with_asdf(&s))
        .args(["install", "-g", "x"]);
    assert_eq!(
        stdout(&mut npm),
        "wrapper version=[]\nnpm-real install -g x\n"
    );
    // Its wrappers get shims like the version's own programs.
    assert_eq!(stdout(&mut s.shim("npm-only-wrapper", &s.proj)), "only\n");
    let which = stdout(&mut asdf(&s, &["which", "npm"]));
    assert_eq!(
        which,
        format!("{}\n", s.data.join("plugins/node/shims/npm").display())
    );
}

#[test]
fn legacy_file_names_follow_the_variables_the_plugin_reads() {
    let s = Sandbox::new();
    // As asdf-golang's list-legacy-filenames.
    plugin_with(
        &s,
        "golang",
        &[
            (
                "bin/list-legacy-filenames",
                "#!/usr/bin/env bash\ncase \"${ASDF_GOLANG_MOD_VERSION_ENABLED:-}\" in\n  false) echo .go-version ;;\n  *) echo .go-version go.mod ;;\nesac\n",
            ),
            (
                "bin/parse-legacy-file",
                "#!/usr/bin/env bash\ncase \"$1\" in\n  *go.mod) sed -n 's/^go //p' \"$1\" ;;\n  *) cat \"$1\" ;;\nesac\n",
            ),
        ],
    );
    s.write(".asdfrc", "legacy_version_file = yes\n");
    s.write("proj/go.mod", "module x\n\ngo 1.21.5\n");
    let current = |enabled: &str| {
        let mut cmd = asdf(&s, &["current", "golang"]);
        cmd.env("ASDF_GOLANG_MOD_VERSION_ENABLED", enabled);
        let out = cmd.output().unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let off = current("false");
    assert!(!off.contains("1.21.5"), "{off}");
    assert!(current("true").contains("1.21.5"), "{}", current("true"));
    // Asked again: the cached answer for `false` is still `false`'s.
    let again = current("false");
    assert!(!again.contains("1.21.5"), "{again}");
    assert!(current("true").contains("1.21.5"));
}

#[test]
fn hooks_around_download_then_install_run_in_asdfs_order() {
    let s = Sandbox::new();
    plugin_with(
        &s,
        "nodl",
        &[(
            "bin/download",
            "#!/usr/bin/env bash\necho download-script\n",
        )],
    );
    s.write(
        ".asdfrc",
        "pre_asdf_download_nodl = echo pre-download $1\npre_asdf_install_nodl = echo pre-install $1\npost_asdf_install_nodl = echo post-install $1\n",
    );
    let (code, out) = run(&s, &["install", "nodl", "1.0"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "pre-download 1.0\ndownload-script\npre-install 1.0\npost-install 1.0\n"
    );
}
