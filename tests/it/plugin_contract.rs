//! The asdf plugin contract as the most used plugins rely on it, one small
//! fixture plugin per behaviour (`tests/fixtures/plugins/`): `reentrant`
//! calls asdf from its own scripts, `dispatch` is one script behind linked
//! names, `recorder` writes down what every script was given. Each runs
//! through `tool` linked as `asdf`, with `asdf` on the scripts' PATH.

use std::path::Path;

use crate::harness::asdf::{asdf, path_with_asdf};
use crate::harness::{Sandbox, stdout, succeeds, write_executable};

/// `asdf args…` in `dir`, with `asdf` on PATH and the recorder's log.
fn asdf_in(s: &Sandbox, dir: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = asdf(s, args);
    cmd.current_dir(dir)
        .env("PATH", path_with_asdf(s))
        .env("RECORDER_LOG", s.root.join("recorder.log"));
    cmd
}

fn run_asdf(s: &Sandbox, args: &[&str]) -> String {
    stdout(&mut asdf_in(s, &s.proj, args))
}

/// The shim `name` run in the project folder, `asdf` on PATH.
fn shim(s: &Sandbox, name: &str) -> String {
    let mut cmd = s.shim(name, &s.proj);
    cmd.env("PATH", path_with_asdf(s))
        .env("RECORDER_LOG", s.root.join("recorder.log"));
    stdout(&mut cmd)
}

/// The recorder's lines for `script` (its name as its `$0` gives it).
fn recorded(s: &Sandbox, script: &str) -> Vec<String> {
    let log = std::fs::read_to_string(s.root.join("recorder.log")).unwrap_or_default();
    log.lines()
        .filter(|l| l.split(' ').next() == Some(script))
        .map(str::to_string)
        .collect()
}

/// The `reentrant` plugin added, beside `dummy` 1.0.0 installed and set.
fn reentrant(s: &Sandbox) {
    s.add_plugin("dummy", "dummy");
    s.add_plugin("reentrant", "reentrant");
    run_asdf(s, &["install", "dummy", "1.0.0"]);
    s.write("proj/.tool-versions", "dummy 1.0.0\nreentrant 2.0.0\n");
}

#[test]
fn an_install_may_reshim_its_own_version_under_strict_mode() {
    let s = Sandbox::new();
    reentrant(&s);
    // bin/install ends with `asdf reshim reentrant 2.0.0` and checks the shim.
    run_asdf(&s, &["install", "reentrant", "2.0.0"]);
    assert!(s.data.join("shims/reentrant").is_file());
    assert!(shim(&s, "reentrant").starts_with("reentrant 2.0.0 "));
}

#[test]
fn an_install_may_read_another_tools_version_with_current_no_header() {
    let s = Sandbox::new();
    reentrant(&s);
    run_asdf(&s, &["install", "reentrant", "2.0.0"]);
    // As asdf-elixir: `asdf current --no-header erlang | awk '{print $2}'`.
    assert!(
        shim(&s, "reentrant").starts_with("reentrant 2.0.0 on dummy 1.0.0,"),
        "{}",
        shim(&s, "reentrant")
    );
}

#[test]
fn exec_env_may_ask_asdf_env_for_another_tool() {
    let s = Sandbox::new();
    reentrant(&s);
    run_asdf(&s, &["install", "reentrant", "2.0.0"]);
    let dummy_home = s.data.join("installs/dummy/1.0.0");
    let expected = format!(
        "reentrant 2.0.0 on dummy 1.0.0, dummy home {}\n",
        dummy_home.display()
    );
    assert_eq!(shim(&s, "reentrant"), expected);
    assert_eq!(run_asdf(&s, &["exec", "reentrant"]), expected);
}

#[test]
fn latest_stable_may_list_the_versions_through_asdf() {
    let s = Sandbox::new();
    reentrant(&s);
    // bin/latest-stable: `asdf list all reentrant "$1" | grep -v -- - | tail -n1`.
    assert_eq!(run_asdf(&s, &["latest", "reentrant"]), "2.0.0\n");
    assert_eq!(run_asdf(&s, &["latest", "reentrant", "1"]), "1.1.0\n");
    run_asdf(&s, &["install", "reentrant", "latest"]);
    assert!(
        s.data
            .join("installs/reentrant/2.0.0/bin/reentrant")
            .is_file()
    );
    run_asdf(&s, &["install", "reentrant", "latest:1"]);
    assert!(
        s.data
            .join("installs/reentrant/1.1.0/bin/reentrant")
            .is_file()
    );
}

#[test]
fn helper_files_find_the_version_in_use_with_asdf_which() {
    let s = Sandbox::new();
    reentrant(&s);
    run_asdf(&s, &["install", "reentrant", "2.0.0"]);
    // As a user's shell sources asdf-java's set-java-home.bash.
    let helper = s.data.join("plugins/reentrant/set-home.bash");
    let script = format!(
        ". '{}' && reentrant_update_home && echo \"$REENTRANT_HOME\"",
        helper.display()
    );
    let mut bash = s.command("bash");
    bash.args(["-c", &script]).env("PATH", path_with_asdf(&s));
    let home = s.data.join("installs/reentrant/2.0.0");
    assert_eq!(stdout(&mut bash), format!("{}\n", home.display()));
}

#[test]
fn scripts_linked_to_one_dispatcher_run_by_their_own_names() {
    let s = Sandbox::new();
    // Every bin/ script is a link to lib/dispatch, which switches on
    // `basename "$0"` and takes the tool from the plugin folder's name.
    s.add_plugin("terraform", "dispatch");
    assert_eq!(
        run_asdf(&s, &["list", "all", "terraform"]),
        "1.0.0\n2.0.0\n"
    );
    run_asdf(&s, &["install", "terraform", "2.0.0"]);
    s.write("proj/.tool-versions", "terraform 2.0.0\n");
    assert_eq!(shim(&s, "terraform"), "terraform 2.0.0\n");
    let removed = run_asdf(&s, &["uninstall", "terraform", "2.0.0"]);
    assert_eq!(removed, "terraform 2.0.0 removed\n");
    assert!(!s.data.join("installs/terraform/2.0.0").exists());
}

#[test]
fn the_plugin_folder_is_named_after_the_tool() {
    let s = Sandbox::new();
    // One plugin repository added under two names, as asdf-hashicorp is.
    s.add_plugin("terraform", "dispatch");
    s.add_plugin("packer", "dispatch");
    run_asdf(&s, &["install", "terraform", "1.0.0"]);
    run_asdf(&s, &["install", "packer", "2.0.0"]);
    s.write("proj/.tool-versions", "terraform 1.0.0\npacker 2.0.0\n");
    assert_eq!(shim(&s, "terraform"), "terraform 1.0.0\n");
    assert_eq!(shim(&s, "packer"), "packer 2.0.0\n");
}

/// The `recorder` plugin added, with `concurrency = 3` in `.asdfrc`.
fn recorder(s: &Sandbox) {
    s.add_plugin("recorder", "recorder");
    s.write(".asdfrc", "concurrency = 3\n");
}

#[test]
fn every_script_gets_the_install_variables() {
    let s = Sandbox::new();
    recorder(&s);
    run_asdf(&s, &["install", "recorder", "1.0.0"]);
    s.write("proj/.tool-versions", "recorder 1.0.0\n");
    shim(&s, "recorder");
    run_asdf(&s, &["help", "recorder", "1.0.0"]);
    run_asdf(&s, &["uninstall", "recorder", "1.0.0"]);
    let (proj, data) = (s.proj.display(), s.data.display());
    let path = format!("{data}/installs/recorder/1.0.0");
    let vars = format!(
        "cwd={proj} ASDF_DATA_DIR={data} ASDF_INSTALL_TYPE=version ASDF_INSTALL_VERSION=1.0.0 ASDF_INSTALL_PATH={path}"
    );
    let download = format!("{data}/downloads/recorder/1.0.0");
    let install = format!("install {vars} ASDF_DOWNLOAD_PATH={download} ASDF_CONCURRENCY=3");
    for (script, expected) in [
        ("install", install),
        ("list-bin-paths", format!("list-bin-paths {vars}")),
        ("help.overview", format!("help.overview {vars}")),
        ("uninstall", format!("uninstall {vars}")),
    ] {
        let lines = recorded(&s, script);
        assert!(!lines.is_empty(), "{script} never ran");
        assert!(
            lines.iter().all(|l| *l == expected),
            "{lines:#?}\n{expected}"
        );
    }
}

#[test]
fn help_without_a_version_gives_the_variables_empty() {
    let s = Sandbox::new();
    recorder(&s);
    // asdf 0.16+: set (to nothing), so a script under `set -u` runs.
    assert_eq!(run_asdf(&s, &["help", "recorder"]), "Recorder overview\n");
    let [line] = &recorded(&s, "help.overview")[..] else {
        panic!("{:?}", recorded(&s, "help.overview"))
    };
    assert!(
        line.contains(" ASDF_INSTALL_TYPE= ASDF_INSTALL_VERSION= "),
        "{line}"
    );
}

#[test]
fn latest_stable_always_gets_an_argument() {
    let s = Sandbox::new();
    recorder(&s);
    assert_eq!(run_asdf(&s, &["latest", "recorder"]), "1.1.0\n");
    assert_eq!(run_asdf(&s, &["latest", "recorder", "2"]), "1.1.0\n");
    run_asdf(&s, &["install", "recorder", "latest"]);
    assert!(
        s.data
            .join("installs/recorder/1.1.0/bin/recorder")
            .is_file()
    );
    let queries: Vec<String> = recorded(&s, "latest-stable")
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap().to_string())
        .collect();
    assert_eq!(queries, ["query=", "query=2", "query="]);
}

#[test]
fn exec_env_is_sourced_also_when_it_sets_strict_mode() {
    let s = Sandbox::new();
    recorder(&s);
    run_asdf(&s, &["install", "recorder", "1.0.0"]);
    s.write("proj/.tool-versions", "recorder 1.0.0\n");
    let home = s.data.join("installs/recorder/1.0.0");
    let expected = format!("recorder 1.0.0 home={}\n", home.display());
    assert_eq!(shim(&s, "recorder"), expected);
    assert_eq!(run_asdf(&s, &["exec", "recorder"]), expected);
    assert!(
        run_asdf(&s, &["env", "recorder"]).contains(&format!("RECORDER_HOME={}\n", home.display()))
    );
}

#[test]
fn exec_env_ending_in_a_false_test_still_applies() {
    let s = Sandbox::new();
    recorder(&s);
    run_asdf(&s, &["install", "recorder", "1.0.0"]);
    s.write("proj/.tool-versions", "recorder 1.0.0\n");
    // A common ending: the last `[ … ] && export …` is false, so the
    // sourced file's status is 1; asdf ignores that status.
    let exec_env = "#!/usr/bin/env bash\nexport RECORDER_HOME=set\n[ -n \"${RECORDER_EXTRA:-}\" ] && export RECORDER_MORE=1\n";
    write_executable(&s.data.join("plugins/recorder/bin/exec-env"), exec_env);
    assert_eq!(shim(&s, "recorder"), "recorder 1.0.0 home=set\n");
    assert_eq!(
        run_asdf(&s, &["exec", "recorder"]),
        "recorder 1.0.0 home=set\n"
    );
}

#[test]
fn asdf_data_dir_is_exported_to_every_script() {
    let s = Sandbox::new();
    // No ASDF_DATA_DIR around: the data dir is ~/.asdf, and the scripts
    // are told so (asdf exports it), or `set -u` stops them.
    let data = s.home.join(".asdf");
    let url = s.plugin_repo("recorder");
    let asdf_home = |args: &[&str]| {
        let mut cmd = asdf_in(&s, &s.proj, args);
        let path =
            path_with_asdf(&s).replace(&s.data.display().to_string(), &data.display().to_string());
        cmd.env_remove("ASDF_DATA_DIR").env("PATH", path);
        stdout(&mut cmd)
    };
    asdf_home(&["plugin", "add", "recorder", &url]);
    asdf_home(&["list", "all", "recorder"]);
    asdf_home(&["latest", "recorder"]);
    asdf_home(&["install", "recorder", "1.0.0"]);
    s.write("proj/.tool-versions", "recorder 1.0.0\n");
    asdf_home(&["exec", "recorder"]);
    asdf_home(&["help", "recorder"]);
    asdf_home(&["uninstall", "recorder", "1.0.0"]);
    let log = std::fs::read_to_string(s.root.join("recorder.log")).unwrap();
    let scripts = [
        "list-all",
        "latest-stable",
        "install",
        "list-bin-paths",
        "help.overview",
        "uninstall",
    ];
    for script in scripts {
        let lines = recorded(&s, script);
        assert!(!lines.is_empty(), "{script} never ran:\n{log}");
        let told = format!(" ASDF_DATA_DIR={}", data.display());
        assert!(lines.iter().all(|l| l.contains(&told)), "{log}");
    }
}

#[test]
fn install_folders_exist_before_the_script_and_are_named_by_the_version() {
    let s = Sandbox::new();
    recorder(&s);
    // bin/install does `mkdir "$ASDF_INSTALL_PATH/bin"` (no -p), checks the
    // download folder though the plugin has no bin/download, and names its
    // program's version by `basename "$ASDF_INSTALL_PATH"`.
    run_asdf(&s, &["install", "recorder", "2.0.0"]);
    s.write("proj/.tool-versions", "recorder 2.0.0\n");
    assert!(shim(&s, "recorder").starts_with("recorder 2.0.0 "));
}

#[test]
fn scripts_run_in_the_callers_folder() {
    let s = Sandbox::new();
    recorder(&s);
    let sub = s.proj.join("src/deep");
    std::fs::create_dir_all(&sub).unwrap();
    for args in [
        &["list", "all", "recorder"][..],
        &["latest", "recorder"],
        &["install", "recorder", "1.0.0"],
    ] {
        succeeds(&mut asdf_in(&s, &sub, args));
    }
    let cwd = format!(" cwd={} ", sub.display());
    for script in ["list-all", "latest-stable", "install"] {
        let lines = recorded(&s, script);
        assert!(
            lines.len() == 1 && lines[0].contains(&cwd),
            "{script}: {lines:?}"
        );
    }
}

#[test]
fn an_empty_parse_legacy_file_answer_is_no_version() {
    let s = Sandbox::new();
    recorder(&s);
    s.write(".asdfrc", "legacy_version_file = yes\n");
    run_asdf(&s, &["install", "recorder", "1.1.0"]);
    s.write(".tool-versions", "recorder 1.1.0\n");
    // Only a comment: parse-legacy-file prints nothing, so the search goes
    // on up to ~/.tool-versions.
    s.write("proj/.recorder-version", "# to be decided\n");
    let current = run_asdf(&s, &["current", "--no-header", "recorder"]);
    let words: Vec<&str> = current.split_whitespace().collect();
    let source = s.home.join(".tool-versions");
    assert_eq!(
        words,
        ["recorder", "1.1.0", &source.display().to_string(), "true"]
    );
    assert!(shim(&s, "recorder").starts_with("recorder 1.1.0 "));
}

#[test]
fn list_all_prints_one_version_per_line() {
    let s = Sandbox::new();
    recorder(&s);
    // bin/list-all prints "1.0.0 1.1.0" then "2.0.0" on a line of its own.
    assert_eq!(
        run_asdf(&s, &["list", "all", "recorder"]),
        "1.0.0\n1.1.0\n2.0.0\n"
    );
    assert_eq!(
        run_asdf(&s, &["list", "all", "recorder", "1."]),
        "1.0.0\n1.1.0\n"
    );
}

#[test]
fn list_prints_the_installed_versions_as_direnv_parses_them() {
    let s = Sandbox::new();
    recorder(&s);
    run_asdf(&s, &["install", "recorder", "1.0.0"]);
    run_asdf(&s, &["install", "recorder", "1.1.0"]);
    s.write("proj/.tool-versions", "recorder 1.0.0\n");
    assert_eq!(run_asdf(&s, &["list", "recorder"]), " *1.0.0\n  1.1.0\n");
    // asdf-direnv: the newest installed, whatever is current.
    let mut sh = s.command("sh");
    sh.args(["-c", "asdf list recorder | tail -n1 | sed 's/[ *]//g'"])
        .env("PATH", path_with_asdf(&s));
    assert_eq!(stdout(&mut sh), "1.1.0\n");
}
