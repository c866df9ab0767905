//! `install`, `list all`, `latest` and `uninstall` through real asdf plugins:
//! the crash-safe sequence, concurrency, hooks, and every failure mode.

use crate::harness::{
    BIN, Sandbox, fails_with, interrupt, spawn_install, stdout, succeeds, wait_for,
};

fn with_dummy() -> Sandbox {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    s
}

fn install_dir_entries(s: &Sandbox, tool: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(s.data.join("installs").join(tool))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn install_runs_the_download_then_install_scripts_with_asdfs_environment() {
    let s = with_dummy();
    succeeds(
        &mut s
            .tool(&["install", "dummy", "1.1.0"])
            .env("ASDF_CONCURRENCY", "3"),
    );
    let root = s.data.join("installs/dummy/1.1.0");
    let env = std::fs::read_to_string(root.join("install-env")).unwrap();
    for line in [
        "ASDF_CONCURRENCY=3".to_string(),
        "ASDF_INSTALL_TYPE=version".into(),
        "ASDF_INSTALL_VERSION=1.1.0".into(),
        format!("ASDF_INSTALL_PATH={}", root.display()),
        format!(
            "ASDF_DOWNLOAD_PATH={}",
            s.data.join("downloads/dummy/1.1.0").display()
        ),
        format!(
            "ASDF_PLUGIN_PATH={}",
            s.data.join("plugins/dummy").display()
        ),
    ] {
        assert!(env.lines().any(|l| l == line), "missing {line} in\n{env}");
    }
    assert!(
        !s.data.join("downloads/dummy/1.1.0").exists(),
        "downloads are removed"
    );
    // Shims honour list-bin-paths (bin and tools) and exec-env.
    s.write("proj/.tool-versions", "dummy 1.1.0\n");
    let out = stdout(s.shim("dummy", &s.proj).arg("hi"));
    assert_eq!(out, format!("dummy release 1.1.0: {} hi\n", root.display()));
    assert_eq!(
        stdout(&mut s.shim("dummy-tool", &s.proj)),
        "dummy-tool release 1.1.0\n"
    );
    let out = stdout(&mut s.tool(&["env", "dummy"]));
    assert!(
        out.contains(&format!("DUMMY_HOME={}", root.display())),
        "{out}"
    );

    s.write(".asdfrc", "concurrency = 5\n");
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0", "--keep-download"]));
    let env = std::fs::read_to_string(s.data.join("installs/dummy/1.0.0/install-env")).unwrap();
    assert!(env.contains("ASDF_CONCURRENCY=5"), "{env}");
    assert!(
        s.data
            .join("downloads/dummy/1.0.0/dummy-1.0.0.txt")
            .is_file()
    );
}

#[test]
fn install_latest_picks_the_newest_stable_version_under_a_prefix() {
    let s = with_dummy();
    s.add_plugin("nodl", "nodownload");
    succeeds(&mut s.tool(&["install", "dummy", "latest"]));
    succeeds(&mut s.tool(&["install", "dummy", "latest:1"]));
    succeeds(&mut s.tool(&["install", "nodl", "latest"]));
    assert_eq!(install_dir_entries(&s, "dummy"), ["1.1.0", "2.0.1"]);
    assert_eq!(
        install_dir_entries(&s, "nodl"),
        ["0.1.0"],
        "latest-stable was not used"
    );
}

#[test]
fn install_of_a_ref_tells_the_plugin_it_is_a_ref() {
    let s = with_dummy();
    succeeds(&mut s.tool(&["install", "dummy", "ref:main"]));
    assert_eq!(install_dir_entries(&s, "dummy"), ["ref-main"]);
    let env = std::fs::read_to_string(s.data.join("installs/dummy/ref-main/install-env")).unwrap();
    assert!(
        env.contains("ASDF_INSTALL_TYPE=ref\n") && env.contains("ASDF_INSTALL_VERSION=main\n"),
        "{env}"
    );
}

#[test]
fn install_refuses_a_path_or_system_as_version() {
    let s = with_dummy();
    fails_with(&mut s.tool(&["install", "dummy", "1.0/evil"]), 1);
    fails_with(&mut s.tool(&["install", "dummy", "system"]), 1);
}

#[test]
fn list_all_shows_the_versions_matching_a_prefix() {
    let s = with_dummy();
    assert_eq!(
        stdout(&mut s.tool(&["list", "all", "dummy"])),
        "1.0.0\n1.1.0\n2.0.0\n2.0.1\n2.1.0-rc1\n"
    );
    assert_eq!(
        stdout(&mut s.tool(&["list", "all", "dummy", "2.0"])),
        "2.0.0\n2.0.1\n"
    );
    assert_eq!(
        stdout(&mut s.tool(&["list-all", "dummy", "1."])),
        "1.0.0\n1.1.0\n"
    );
    let err = fails_with(&mut s.tool(&["list", "all", "dummy", "9"]), 1);
    assert!(
        err.contains("No compatible versions available (dummy 9)"),
        "{err}"
    );
}

#[test]
fn list_all_without_a_plugin_asks_the_official_release_list() {
    let s = Sandbox::new();
    // No plugin: the official release list, here a mirror that has none.
    let err = fails_with(&mut s.tool(&["list", "all", "nodejs"]), 1);
    assert!(err.contains("no-mirror/index.json does not exist"), "{err}");
}

#[test]
fn latest_prints_the_newest_stable_version_under_a_prefix() {
    let s = with_dummy();
    s.add_plugin("nodl", "nodownload");
    assert_eq!(stdout(&mut s.tool(&["latest", "dummy"])), "2.0.1\n");
    assert_eq!(stdout(&mut s.tool(&["latest", "dummy", "1"])), "1.1.0\n");
    assert_eq!(stdout(&mut s.tool(&["latest", "nodl"])), "0.1.0\n");
}

#[test]
fn latest_all_tells_whether_each_plugins_latest_is_installed() {
    let s = with_dummy();
    s.add_plugin("nodl", "nodownload");
    succeeds(&mut s.tool(&["install", "dummy", "2.0.1"]));
    assert_eq!(
        stdout(&mut s.tool(&["latest", "--all"])),
        "dummy\t2.0.1\tinstalled\nnodl\t0.1.0\tmissing\n"
    );
}

#[test]
fn install_everything_from_tool_versions_concurrently_with_json() {
    let s = with_dummy();
    s.add_plugin("nodl", "nodownload");
    s.write(".tool-versions", "nodl 0.2.0\n");
    s.write(
        "proj/.tool-versions",
        "# project\ndummy 2.0.0 1.0.0 system\n",
    );
    let out = stdout(&mut s.tool(&["install", "--json"]));
    let reports: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary: Vec<(String, String, String, String)> = reports
        .iter()
        .map(|r| {
            let f = |k: &str| r[k].as_str().unwrap_or("").to_string();
            (f("tool"), f("version"), f("backend"), f("outcome"))
        })
        .collect();
    let row = |t: &str, v: &str, b: &str, o: &str| {
        (t.to_string(), v.to_string(), b.to_string(), o.to_string())
    };
    assert_eq!(
        summary,
        [
            row("dummy", "2.0.0", "plugin", "installed"),
            row("dummy", "1.0.0", "plugin", "installed"),
            row("nodl", "0.2.0", "plugin", "installed")
        ]
    );
    assert!(reports.iter().all(|r| {
        r["path"]
            .as_str()
            .is_some_and(|p| std::path::Path::new(p).is_dir())
    }));
    assert!(reports.iter().all(|r| r["duration_ms"].as_u64().is_some()));
    let out = stdout(&mut s.tool(&["install", "--json"]));
    assert!(
        out.lines()
            .all(|l| l.contains("\"outcome\":\"already-installed\"")),
        "{out}"
    );
    // `install <tool>` installs the versions set for it.
    std::fs::remove_dir_all(s.data.join("installs/dummy/1.0.0")).unwrap();
    succeeds(&mut s.tool(&["install", "dummy"]));
    assert!(s.data.join("installs/dummy/1.0.0/bin/dummy").is_file());
}

#[test]
fn install_without_versions_set_says_so() {
    let s = with_dummy();
    let err = fails_with(&mut s.tool(&["install"]), 1);
    assert!(err.contains("nothing to install"), "{err}");
    let err = fails_with(&mut s.tool(&["install", "dummy"]), 1);
    assert!(err.contains("No versions specified for dummy"), "{err}");
}

#[test]
fn install_of_a_tool_nothing_provides_names_each_backend_tried() {
    let s = with_dummy();
    let err = fails_with(&mut s.tool(&["install", "nope", "1.0"]), 1);
    assert!(err.contains("No such plugin: nope"), "{err}");
    let err = fails_with(&mut s.tool(&["install", "nodejs", "20.1.0"]), 1);
    assert!(
        err.contains("no backend could install nodejs 20.1.0")
            && err.contains("cache: ")
            && err.contains("plugin: no asdf plugin named `nodejs`")
            && err.contains("upstream: file://")
            && err.contains("no v20.1.0/node-v20.1.0-linux-x64.tar.xz"),
        "{err}"
    );
}

#[test]
fn install_of_a_missing_release_leaves_nothing() {
    let s = with_dummy();
    let err = fails_with(&mut s.tool(&["install", "dummy", "9.9.9"]), 1);
    assert!(
        err.contains("bin/download failed with exit code 1")
            && err.contains("no such release: 9.9.9"),
        "{err}"
    );
    assert_eq!(install_dir_entries(&s, "dummy"), Vec::<String>::new());
    assert!(!s.data.join("downloads/dummy/9.9.9").exists());
}

#[test]
fn install_with_an_unknown_backend_is_refused() {
    let s = with_dummy();
    let err = fails_with(
        &mut s.tool(&["install", "dummy", "1.0.0", "--backend", "magic"]),
        1,
    );
    assert!(err.contains("unknown backend `magic`"), "{err}");
    assert_eq!(install_dir_entries(&s, "dummy"), Vec::<String>::new());
}

#[test]
fn failing_or_lying_plugins_leave_nothing_installed() {
    let s = Sandbox::new();
    s.add_plugin("failing", "failing");
    s.add_plugin("liar", "liar");
    let err = fails_with(&mut s.tool(&["install", "failing", "1.0"]), 1);
    assert!(err.contains("bin/install failed with exit code 3"), "{err}");
    assert!(err.contains("compiler exploded at step 3"), "{err}");
    assert_eq!(install_dir_entries(&s, "failing"), Vec::<String>::new());
    let err = fails_with(&mut s.tool(&["install", "liar", "1.0", "--json"]), 1);
    assert!(err.contains("installed nothing"), "{err}");
    assert_eq!(install_dir_entries(&s, "liar"), Vec::<String>::new());
    assert_eq!(stdout(&mut s.tool(&["list", "liar"])), "");

    std::fs::remove_file(s.data.join("plugins/liar/bin/install")).unwrap();
    let err = fails_with(&mut s.tool(&["install", "liar", "1.0"]), 1);
    assert!(err.contains("has no bin/install script"), "{err}");
    let script = s.data.join("plugins/failing/bin/install");
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let err = fails_with(&mut s.tool(&["install", "failing", "1.0"]), 1);
    assert!(
        err.contains("is not executable") && !err.contains("hint"),
        "{err}"
    );
    let screen = s.on_terminal(BIN.as_ref(), &["install", "failing", "1.0"], &s.proj, &[]);
    assert!(screen.contains("hint: chmod +x"), "{screen}");
}

#[test]
fn killed_install_never_looks_installed_until_the_next_install_recovers() {
    let s = with_dummy();
    // The orphaned `sleep` keeps the version locked until it ends: keep it short.
    let mut child = spawn_install(&s, "1.0.0", "2");
    wait_for(&s.data.join("installs/dummy/1.0.0/started"));
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    assert_eq!(stdout(&mut s.tool(&["list", "dummy"])), "");
    let err = fails_with(&mut s.tool(&["where", "dummy", "1.0.0"]), 1);
    assert!(err.contains("Version not installed"), "{err}");
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    assert!(
        !s.data.join("installs/dummy/1.0.0/started").exists(),
        "leftovers were not cleaned"
    );
    assert_eq!(stdout(&mut s.tool(&["list", "dummy"])), "  1.0.0\n");
}

#[test]
fn interrupted_install_cleans_up_exiting_130() {
    let s = with_dummy();
    for signal in ["INT", "TERM"] {
        let child = spawn_install(&s, "1.1.0", "30");
        wait_for(&s.data.join("installs/dummy/1.1.0/started"));
        interrupt(child, signal);
        assert_eq!(
            install_dir_entries(&s, "dummy"),
            Vec::<String>::new(),
            "{signal}"
        );
    }
}

#[test]
fn racing_installs_install_once() {
    let s = with_dummy();
    let mut first = spawn_install(&s, "2.0.0", "1");
    wait_for(&s.data.join("installs/dummy/2.0.0/started"));
    let mut second = spawn_install(&s, "2.0.0", "1");
    succeeds(&mut first);
    let b = succeeds(&mut second);
    let counter = std::fs::read_to_string(s.root.join("counter")).unwrap();
    assert_eq!(
        counter.lines().count(),
        1,
        "the install script ran more than once"
    );
    let waited = String::from_utf8_lossy(&b.stderr);
    assert!(
        waited.contains("waiting for another install") && waited.contains("already installed"),
        "{waited}"
    );
    assert_eq!(install_dir_entries(&s, "dummy"), ["2.0.0"]);
}

#[test]
fn hooks_run_around_each_step_in_asdfs_order() {
    let s = with_dummy();
    let log = s.root.join("hooks.log");
    let l = log.display();
    s.write(
        ".asdfrc",
        &format!(
            "pre_asdf_install_dummy = echo pre-install $1 >> {l}\npost_asdf_install_dummy = echo post-install $1 >> {l}\n\
             pre_asdf_uninstall_dummy = echo pre-uninstall $1 >> {l}\npost_asdf_uninstall_dummy = echo post-uninstall $1 >> {l}\n\
             pre_asdf_reshim_dummy = echo pre-reshim >> {l}\npost_asdf_reshim_dummy = echo post-reshim >> {l}\n\
             pre_dummy_dummy = echo pre-command $@ >> {l}\n"
        ),
    );
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    s.write("proj/.tool-versions", "dummy 1.0.0\n");
    succeeds(&mut s.shim("dummy", &s.proj).args(["a", "b"]));
    succeeds(&mut s.tool(&["reshim", "dummy"]));
    succeeds(
        &mut s
            .tool(&["uninstall", "dummy", "1.0.0"])
            .env("DUMMY_LOG", s.root.join("dummy.log")),
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap(),
        "pre-install 1.0.0\npost-install 1.0.0\npre-command a b\npre-reshim\npost-reshim\npre-uninstall 1.0.0\npost-uninstall 1.0.0\n"
    );
    assert_eq!(
        std::fs::read_to_string(s.root.join("dummy.log")).unwrap(),
        "uninstall 1.0.0\n"
    );
    assert!(!s.data.join("installs/dummy/1.0.0").exists());
}

#[test]
fn a_failing_pre_install_hook_stops_the_install() {
    let s = with_dummy();
    s.write(".asdfrc", "pre_asdf_install_dummy = exit 4\n");
    let err = fails_with(&mut s.tool(&["install", "dummy", "1.1.0"]), 1);
    assert!(err.contains("hook pre_asdf_install_dummy"), "{err}");
    assert_eq!(install_dir_entries(&s, "dummy"), Vec::<String>::new());
}

#[test]
fn legacy_files_through_the_plugin() {
    let s = with_dummy();
    succeeds(&mut s.tool(&["install", "dummy", "2.0.0"]));
    s.write("proj/.dummy-version", "dummy-2.0.0\n");
    fails_with(&mut s.shim("dummy", &s.proj), 126);
    s.write(".asdfrc", "legacy_version_file = yes\n");
    let out = stdout(&mut s.shim("dummy", &s.proj));
    assert!(out.starts_with("dummy release 2.0.0"), "{out}");
}

#[test]
fn exec_path_picks_the_program_to_run() {
    let s = Sandbox::new();
    s.add_plugin("nodl", "nodownload");
    succeeds(&mut s.tool(&["install", "nodl", "0.2.0"]));
    s.write("proj/.tool-versions", "nodl 0.2.0\n");
    assert_eq!(stdout(&mut s.shim("nodl", &s.proj)), "nodl version 0.2.0\n");
    assert_eq!(
        stdout(s.shim("nodl", &s.proj).arg("x").env("NODL_REAL", "1")),
        "nodl-real x\n"
    );
    let out = stdout(s.tool(&["which", "nodl"]).env("NODL_REAL", "1"));
    assert!(
        out.trim_end()
            .ends_with("installs/nodl/0.2.0/libexec/nodl-real"),
        "{out}"
    );
}

#[test]
fn hook_output_goes_to_stdout_but_never_into_json() {
    let s = with_dummy();
    s.write(".asdfrc", "pre_asdf_install_dummy = echo hook says $1\n");
    let out = stdout(&mut s.tool(&["install", "dummy", "1.0.0", "--json"]));
    for line in out.lines() {
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(line);
        assert!(parsed.is_ok(), "not JSON: {line:?} in {out}");
    }
    let out = stdout(&mut s.tool(&["install", "dummy", "1.1.0"]));
    assert!(
        out.contains("hook says 1.1.0\n"),
        "as asdf, on stdout: {out}"
    );
}
