//! The conda Pythons from their installers. No real conda installer can be
//! fetched here, so the tests build one the way conda's constructor builds
//! them: a shell header that takes `-b -f -p PREFIX`, finds the line
//! `@@END_HEADER@@` in itself and extracts the payload appended after it
//! into the prefix, writing the prefix into the files that name it.

use std::path::{Path, PathBuf};

use crate::harness::fakes::{nothing_installed, sha256_hex};
use crate::harness::{Sandbox, fails_with, stdout, succeeds, write_executable};

const VERSION: &str = "miniforge3-26.3.2-3";
const FILE: &str = "Miniforge3-26.3.2-3-Linux-x86_64.sh";
/// conda's placeholder for the install prefix in its packages' files.
const PLACEHOLDER: &str = "/opt/anaconda1anaconda2anaconda3";

/// The header: constructor's options, its refusal to run under another
/// name or to overwrite without `-f`, and its payload extraction.
fn header(extra: &str) -> String {
    format!(
        r#"#!/bin/sh
# NAME:  Miniforge3
# VER:   26.3.2-3
# PLAT:  linux-64
set -eu
unset LD_LIBRARY_PATH LD_PRELOAD LD_AUDIT
case "$0" in *.sh) ;; *) echo "ERROR: run this installer as: bash <name>.sh" >&2; exit 1;; esac
BATCH=0; FORCE=0; PREFIX="$HOME/miniforge3"
while getopts "bfhkp:stu" x; do
  case "$x" in b) BATCH=1;; f) FORCE=1;; p) PREFIX="$OPTARG";; h) echo "usage: $0 [-b] [-f] [-p PREFIX]"; exit 2;; *) ;; esac
done
[ "$BATCH" = 1 ] || {{ echo "Please, press ENTER to continue" ; read -r _; }}
if [ -e "$PREFIX" ] && [ "$FORCE" = 0 ]; then echo "ERROR: File or directory already exists: '$PREFIX'" >&2; exit 1; fi
mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX"; pwd)
echo "PREFIX=$PREFIX"
{extra}
last_line=$(grep -anm 1 '^@@END_HEADER@@' "$0" | sed 's/:.*//')
boundary=$(head -n "$last_line" "$0" | wc -c)
tail -c +"$((boundary + 1))" "$0" | tar -xzf - -C "$PREFIX"
grep -rlI '{PLACEHOLDER}' "$PREFIX" | while read -r f; do sed -i "s|{PLACEHOLDER}|$PREFIX|g" "$f"; done
ln -s "$PREFIX/bin/conda" "$PREFIX/_conda"
echo "installation finished."
exit 0
@@END_HEADER@@
"#
    )
}

/// A whole installer: the header, then the prefix packed by GNU tar.
fn installer(s: &Sandbox, extra: &str) -> Vec<u8> {
    let stage = s.root.join("payload");
    let conda = format!(
        "#!/bin/sh\ncase \"$1\" in\n  --version) echo 'conda 26.3.2' ;;\n  info) echo 'base environment : {PLACEHOLDER}' ;;\nesac\n"
    );
    write_executable(&stage.join("bin/conda"), &conda);
    write_executable(&stage.join("bin/mamba"), &conda);
    write_executable(
        &stage.join("bin/python"),
        "#!/bin/sh\nexec python3 \"$@\"\n",
    );
    std::fs::create_dir_all(stage.join("conda-meta")).unwrap();
    std::fs::write(stage.join("conda-meta/history"), "==> 2026-01-01 <==\n").unwrap();
    let payload = succeeds(
        std::process::Command::new("tar")
            .args(["-czf", "-", "-C"])
            .arg(&stage)
            .arg("."),
    )
    .stdout;
    [header(extra).into_bytes(), payload].concat()
}

/// A mirror holding `installer` under its official file name, and a table
/// of the test's own naming it by its sha256.
fn setup(s: &Sandbox, installer: &[u8]) -> (PathBuf, PathBuf) {
    let mirror = s.root.join("conda-mirror");
    std::fs::create_dir_all(&mirror).unwrap();
    std::fs::write(mirror.join(FILE), installer).unwrap();
    let table = s.write(
        "conda-installers.toml",
        &format!(
            "[installers.\"{VERSION}\"]\n\"Linux-x86_64\" = {{ url = \"https://github.com/conda-forge/miniforge/releases/download/26.3.2-3/{FILE}\", sha256 = \"{}\" }}\n",
            sha256_hex(installer)
        ),
    );
    (mirror, table)
}

fn conda_tool(
    s: &Sandbox,
    mirror: &Path,
    table: Option<&Path>,
    args: &[&str],
) -> assert_cmd::Command {
    let mut cmd = s.tool(args);
    cmd.env("TOOL_CONDA_MIRROR", format!("file://{}", mirror.display()));
    if let Some(table) = table {
        cmd.env("TOOL_CONDA_INSTALLERS", table);
    }
    cmd
}

#[test]
fn a_conda_python_is_installed_by_its_installer_at_the_final_path() {
    let s = Sandbox::new();
    let (mirror, table) = setup(&s, &installer(&s, ""));
    let out = stdout(&mut conda_tool(
        &s,
        &mirror,
        Some(&table),
        &["install", "python", VERSION, "--json"],
    ));
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["backend"], "installer", "{report}");
    let prefix = s.data.join("installs/python").join(VERSION);
    let info = stdout(std::process::Command::new(prefix.join("bin/conda")).arg("info"));
    assert_eq!(
        info.trim(),
        format!("base environment : {}", prefix.display()),
        "the installer ran at the final path"
    );
    assert!(
        !s.data
            .join("installs/python")
            .join(format!(".{VERSION}.incomplete"))
            .exists()
    );
    s.write("proj/.tool-versions", &format!("python {VERSION}\n"));
    let mut shim = s.shim("mamba", &s.proj);
    assert_eq!(stdout(shim.arg("--version")).trim(), "conda 26.3.2");
    let listed = stdout(&mut s.tool(&["list", "all", "python", "miniforge3-26.3"]));
    assert!(listed.lines().any(|l| l == VERSION), "{listed}");
}

#[test]
fn the_published_checksum_refuses_another_installer() {
    // The shipped table names the real Miniforge's sha256: ours is not it.
    let s = Sandbox::new();
    let (mirror, _) = setup(&s, &installer(&s, ""));
    let err = fails_with(
        &mut conda_tool(&s, &mirror, None, &["install", "python", VERSION]),
        1,
    );
    assert!(
        err.contains(&format!("checksum mismatch for {FILE}")),
        "{err}"
    );
    assert!(
        err.contains("848194851a98903134187fbb4ab50efe87b003e0c0f808f97644b7524a62bf2c"),
        "{err}"
    );
    assert!(
        !s.data
            .join("downloads/python")
            .join(VERSION)
            .join(FILE)
            .exists()
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn an_installer_that_fails_leaves_nothing_installed() {
    let s = Sandbox::new();
    let (mirror, table) = setup(
        &s,
        &installer(&s, "echo 'ERROR: not enough disk space' >&2; exit 1"),
    );
    let err = fails_with(
        &mut conda_tool(&s, &mirror, Some(&table), &["install", "python", VERSION]),
        1,
    );
    assert!(
        err.contains("not enough disk space") && err.contains("install.log"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
    assert!(
        !s.data
            .join("installs/python")
            .join(format!(".{VERSION}.incomplete"))
            .exists()
    );
    let current = fails_with(&mut s.tool_in(&s.proj, &["where", "python", VERSION]), 1);
    assert!(current.contains("not installed"), "{current}");
}

#[test]
fn unknown_conda_versions_name_the_nearest_ones() {
    let s = Sandbox::new();
    let err = fails_with(
        &mut s.tool(&["install", "python", "miniforge3-99.0.0-0"]),
        1,
    );
    assert!(
        err.contains("miniforge3-99.0.0-0 has no installer for Linux-x86_64 (nearest: miniforge3-"),
        "{err}"
    );
    nothing_installed(&s.data, "python");
}

#[test]
fn read_the_docs_conda_entries_install_through_the_installer() {
    let s = Sandbox::new();
    let (mirror, table) = setup(&s, &installer(&s, ""));
    s.write(
        "proj/.readthedocs.yaml",
        "version: 2\nbuild:\n  os: ubuntu-22.04\n  tools:\n    python: miniforge3-26.3\n",
    );
    let out = stdout(
        conda_tool(
            &s,
            &mirror,
            Some(&table),
            &["install", "--config", ".readthedocs.yaml", "--json"],
        )
        .current_dir(&s.proj),
    );
    assert!(
        out.contains(VERSION) && out.contains("\"installer\""),
        "{out}"
    );
    succeeds(
        std::process::Command::new(
            s.data
                .join("installs/python")
                .join(VERSION)
                .join("bin/conda"),
        )
        .arg("--version"),
    );
}
