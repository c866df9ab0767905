//! `install.sh` from an unpacked release archive: the binaries beside it are
//! installed without cargo, with the flags a build image uses.

use std::path::Path;

use crate::harness::{BIN, FULL_SHIM_BIN, Sandbox, shim_bin, stdout, succeeds};

/// The layout `scripts/build-release --dist` packs, with this build's binaries.
fn unpacked_release(dir: &Path) {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(dir.join("shims")).unwrap();
    for (from, to) in [
        (Path::new(BIN), "tool"),
        (shim_bin(), "tool-shim"),
        (Path::new(FULL_SHIM_BIN), "tool-shim-full"),
        (&repo.join("install.sh"), "install.sh"),
        (&repo.join("shims/tool.bash"), "shims/tool.bash"),
        (&repo.join("shims/tool.zsh"), "shims/tool.zsh"),
        (&repo.join("shims/tool.fish"), "shims/tool.fish"),
    ] {
        std::fs::copy(from, dir.join(to)).unwrap();
    }
}

#[test]
fn install_sh_installs_a_release_without_cargo_with_image_flags() {
    let s = Sandbox::new();
    let release = s.root.join("tool-0.1.0-x86_64-linux");
    unpacked_release(&release);
    let (prefix, data) = (s.root.join("usr-local"), s.root.join("home-docs/.asdf"));
    let said = stdout(
        s.command("bash")
            .arg(release.join("install.sh"))
            .args(["--prefix", prefix.to_str().unwrap()])
            .args(["--data-dir", data.to_str().unwrap(), "--asdf"])
            .env("PATH", "/usr/bin:/bin")
            .env_remove("ASDF_DATA_DIR"),
    );
    assert!(said.contains("installed tool "), "{said}");
    succeeds(
        s.command(prefix.join("bin/asdf"))
            .arg("--version")
            .env_remove("ASDF_DATA_DIR"),
    );
    assert_eq!(
        std::fs::read_link(prefix.join("bin/asdf")).unwrap(),
        Path::new("tool")
    );
    assert!(prefix.join("bin/tool-shim").is_file());
    assert!(prefix.join("bin/tool-shim-full").is_file());
    assert!(prefix.join("share/tool/tool.bash").is_file());
    let entries: Vec<_> = std::fs::read_dir(&data).unwrap().collect();
    assert!(entries.is_empty(), "the data dir is created and left empty");
}

#[test]
fn install_sh_from_a_checkout_stops_at_a_failed_build_with_its_error() {
    let s = Sandbox::new();
    // rustup without a default toolchain: its proxies exist, and fail.
    let bin = s.root.join("rustup-bin");
    let says = "error: rustup could not choose a version of cargo to run";
    for proxy in ["cargo", "rustc"] {
        crate::harness::write_executable(
            &bin.join(proxy),
            &format!("#!/bin/sh\necho '{says}' >&2\nexit 1\n"),
        );
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut install = s.command("bash");
    install
        .arg(repo.join("install.sh"))
        .args(["--prefix", s.root.join("prefix").to_str().unwrap()])
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
    let err = crate::harness::fails_with(&mut install, 1);
    assert!(
        err.contains(says) && err.contains("building tool failed"),
        "{err}"
    );
    assert!(!err.contains("cannot stat"), "{err}");
    assert!(!s.root.join("prefix/bin/tool").exists());
}
