//! The build service's own cached tarballs, made by GNU tar from
//! `/home/docs/.asdf/installs/<tool>/<version>`: conda Pythons with absolute
//! links into that same prefix (a conda install's `_conda`, `condabin/conda`),
//! which become the equivalent relative links while every other absolute or
//! escaping link is still refused; and Rubies, which `.readthedocs.yaml`'s
//! `ruby` entries install.

use std::path::{Path, PathBuf};

use crate::harness::{Sandbox, fails_with, succeeds};

const VERSION: &str = "miniforge3-25.11.0-1";
const BUILDER_PREFIX: &str = "/home/docs/.asdf/installs/python";

/// `links`: (path in the install, target as the builder's disk had it).
fn service_tarball(s: &Sandbox, links: &[(&str, String)]) -> PathBuf {
    let stage = s.root.join("builder").join(VERSION);
    std::fs::create_dir_all(stage.join("bin")).unwrap();
    std::fs::create_dir_all(stage.join("condabin")).unwrap();
    let conda = stage.join("bin/conda");
    std::fs::write(&conda, "#!/bin/sh\necho \"conda 25.11.0 at $0\"\n").unwrap();
    std::fs::set_permissions(&conda, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for (path, target) in links {
        std::os::unix::fs::symlink(target, stage.join(path)).unwrap();
    }
    tar_into_bucket(s, &stage, &format!("ubuntu-20.04-python-{VERSION}.tar.gz"))
}

/// `stage` as the builder archives it (`tar -czf <name> -C <parent> <version>`)
/// in a new bucket folder, which is returned.
fn tar_into_bucket(s: &Sandbox, stage: &Path, name: &str) -> PathBuf {
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let status = std::process::Command::new("tar")
        .arg("-czf")
        .arg(bucket.join(name))
        .arg("-C")
        .arg(stage.parent().unwrap())
        .arg(stage.file_name().unwrap())
        .status()
        .unwrap();
    assert!(status.success(), "tar failed");
    bucket
}

fn install_from(s: &Sandbox, bucket: &Path) -> assert_cmd::Command {
    let mut cmd = s.tool(&["install", "python", VERSION]);
    cmd.env("TOOL_CACHE_URL", format!("file://{}", bucket.display()));
    cmd.env("TOOL_OS", "ubuntu-20.04");
    cmd
}

#[test]
fn absolute_links_into_the_builders_prefix_become_relative() {
    let s = Sandbox::new();
    let prefix = format!("{BUILDER_PREFIX}/{VERSION}");
    let bucket = service_tarball(
        &s,
        &[
            ("_conda", format!("{prefix}/bin/conda")),
            ("condabin/conda", format!("{prefix}/bin/conda")),
            ("condabin/root", prefix.clone()),
        ],
    );
    succeeds(&mut install_from(&s, &bucket));
    let root = s.data.join("installs/python").join(VERSION);
    let link = |p: &str| std::fs::read_link(root.join(p)).unwrap();
    assert_eq!(link("_conda"), Path::new("bin/conda"));
    assert_eq!(link("condabin/conda"), Path::new("../bin/conda"));
    assert_eq!(link("condabin/root"), Path::new(".."));
    let out = std::process::Command::new(root.join("_conda"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("conda 25.11.0 at {}\n", root.join("_conda").display())
    );
}

#[test]
fn absolute_links_anywhere_else_are_still_refused() {
    let other = format!("{BUILDER_PREFIX}/miniforge3-24.1.0-0/bin/conda");
    let climbing = format!("{BUILDER_PREFIX}/{VERSION}/../../../../../../etc/passwd");
    for target in ["/etc/passwd".to_string(), other, climbing] {
        let s = Sandbox::new();
        let bucket = service_tarball(&s, &[("_conda", target.clone())]);
        let err = fails_with(&mut install_from(&s, &bucket), 1);
        assert!(
            err.contains("points outside the install"),
            "{target}: {err}"
        );
        let root = s.data.join("installs/python").join(VERSION);
        assert!(
            !root.exists(),
            "{target}: a refused archive left an install"
        );
    }
}

/// The five tools of the service's table, each a tarball as the service
/// caches it, installed by one `tool install --config`.
#[test]
fn a_readthedocs_config_installs_all_five_tools_from_the_services_tarballs() {
    let s = Sandbox::new();
    let tools = [
        ("python", "3.12", "3.12.13", "python"),
        ("nodejs", "20", "20.20.2", "node"),
        ("rust", "1.75", "1.75.0", "cargo"),
        ("golang", "1.22", "1.22.12", "go"),
        ("ruby", "3.3", "3.3.11", "ruby"),
    ];
    let mut bucket = PathBuf::new();
    let mut yaml = String::from("version: 2\nbuild:\n  os: ubuntu-24.04\n  tools:\n");
    for (tool, asked, full, program) in tools {
        let stage = s.root.join("builder").join(tool).join(full);
        std::fs::create_dir_all(stage.join("bin")).unwrap();
        let path = stage.join("bin").join(program);
        std::fs::write(&path, format!("#!/bin/sh\necho \"{tool} {full} at $0\"\n")).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        bucket = tar_into_bucket(&s, &stage, &format!("ubuntu-24.04-{tool}-{full}.tar.gz"));
        yaml.push_str(&format!("    {tool}: \"{asked}\"\n"));
    }
    let config = s.write("proj/.readthedocs.yaml", &yaml);
    let mut cmd = s.tool(&["install", "--config", config.to_str().unwrap()]);
    cmd.env("TOOL_CACHE_URL", format!("file://{}", bucket.display()));
    succeeds(&mut cmd);
    for (tool, _, full, program) in tools {
        let installed = s
            .data
            .join("installs")
            .join(tool)
            .join(full)
            .join("bin")
            .join(program);
        let out = std::process::Command::new(&installed).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{tool} {full} at {}\n", installed.display())
        );
    }
}

/// `tar -C dir -czf x.tar.gz ./<version>` names every member `./<version>/…`:
/// it installs exactly as `tar -czf x.tar.gz <version>` does, shim included.
#[test]
fn an_archive_of_dot_slash_version_installs_as_the_plain_one() {
    let s = Sandbox::new();
    let stage = s.root.join("builder").join("3.9.6");
    std::fs::create_dir_all(stage.join("bin")).unwrap();
    let python = stage.join("bin/python");
    std::fs::write(&python, "#!/bin/sh\necho \"python 3.9.6 at $0\"\n").unwrap();
    std::fs::set_permissions(&python, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(stage.join("lib")).unwrap();
    std::fs::write(stage.join("lib/data.txt"), "data\n").unwrap();
    std::fs::hard_link(stage.join("lib/data.txt"), stage.join("lib/same.txt")).unwrap();
    let bucket = s.root.join("bucket");
    std::fs::create_dir_all(&bucket).unwrap();
    let status = std::process::Command::new("tar")
        .arg("-C")
        .arg(stage.parent().unwrap())
        .arg("-czf")
        .arg(bucket.join("ubuntu-20.04-python-3.9.6.tar.gz"))
        .arg("./3.9.6")
        .status()
        .unwrap();
    assert!(status.success(), "tar failed");
    let mut cmd = s.tool(&["install", "python", "3.9.6"]);
    cmd.env("TOOL_CACHE_URL", format!("file://{}", bucket.display()));
    cmd.env("TOOL_OS", "ubuntu-20.04");
    succeeds(&mut cmd);
    let root = s.data.join("installs/python/3.9.6");
    assert!(root.join("bin/python").is_file(), "not installed flat");
    assert!(!root.join("3.9.6").exists(), "installed nested");
    assert_eq!(
        std::fs::read_to_string(root.join("lib/same.txt")).unwrap(),
        "data\n"
    );
    let out = succeeds(
        s.shim("python", &s.root)
            .env("ASDF_PYTHON_VERSION", "3.9.6"),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("python 3.9.6 at {}\n", root.join("bin/python").display())
    );
}
