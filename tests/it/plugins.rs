//! `plugin add|list|update|remove|test`, the short-name index, extension
//! commands and plugin help, with real git repositories and shell plugins.

use crate::harness::{Sandbox, commit_all, fails_with, git, stdout, succeeds};

#[test]
fn plugin_add_clones_the_repository_recording_its_url() {
    let s = Sandbox::new();
    let url = s.plugin_repo("dummy");
    succeeds(&mut s.tool(&["plugin", "add", "dummy", &url]));
    let plugin = s.data.join("plugins/dummy");
    assert!(plugin.join("bin/install").is_file());
    assert_eq!(
        std::fs::read_to_string(plugin.join(".added-from"))
            .unwrap()
            .trim(),
        url
    );
}

#[test]
fn plugin_list_names_the_added_plugins() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    s.add_plugin("nodl", "nodownload");
    assert_eq!(stdout(&mut s.tool(&["plugin", "list"])), "dummy\nnodl\n");
    // The older hyphenated form.
    assert_eq!(stdout(&mut s.tool(&["plugin-list"])), "dummy\nnodl\n");
}

#[test]
fn plugin_list_urls_refs_shows_where_each_plugin_comes_from() {
    let s = Sandbox::new();
    let url = s.plugin_repo("dummy");
    s.add_plugin("dummy", "dummy");
    s.add_plugin("nodl", "nodownload");
    let head = git(
        &s.root.join("repos/dummy"),
        &["rev-parse", "--short", "HEAD"],
    );
    let out = stdout(&mut s.tool(&["plugin", "list", "--urls", "--refs"]));
    // asdf 0.14's columns: the name padded to 28, then one space each.
    assert!(
        out.starts_with(&format!("{:<28} {url} main {head}\n", "dummy")),
        "{out}\n(head {head})"
    );
}

#[test]
fn adding_a_plugin_again_says_it_is_already_added() {
    let s = Sandbox::new();
    let url = s.plugin_repo("dummy");
    s.add_plugin("dummy", "dummy");
    let out = succeeds(&mut s.tool(&["plugin", "add", "dummy", &url]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already added"));
}

#[test]
fn plugin_add_refuses_invalid_names() {
    let s = Sandbox::new();
    let url = s.plugin_repo("dummy");
    for name in ["a/b", "..", "../evil", "x y"] {
        let err = fails_with(&mut s.tool(&["plugin", "add", name, &url]), 1);
        assert!(
            err.contains("is invalid. Name may only contain lowercase"),
            "{name}: {err}"
        );
    }
}

#[test]
fn plugin_add_from_an_unreachable_url_leaves_nothing_behind() {
    let s = Sandbox::new();
    let missing = format!("file://{}/no-such-repo", s.root.display());
    let err = fails_with(&mut s.tool(&["plugin", "add", "ghost", &missing]), 1);
    assert!(
        err.contains("cannot add plugin `ghost`") && err.contains("git clone failed"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(s.data.join("plugins"))
        .map(|d| d.count())
        .into_iter()
        .collect();
    assert_eq!(left, [0], "plugins/ must be empty");
    let err = fails_with(&mut s.tool(&["plugin", "remove", "ghost"]), 1);
    assert_eq!(err, "No such plugin: ghost\n");
}

#[test]
fn short_names_come_from_the_index_repository() {
    let s = Sandbox::new();
    let url = s.plugin_repo("dummy");
    let index = s.root.join("index");
    std::fs::create_dir_all(index.join("plugins")).unwrap();
    std::fs::write(index.join("plugins/dummy"), format!("repository = {url}\n")).unwrap();
    std::fs::write(
        index.join("plugins/other"),
        "repository = https://example.invalid/other.git\n",
    )
    .unwrap();
    git(&index, &["init", "-q", "-b", "main"]);
    commit_all(&index, "index");
    let index_url = format!("file://{}", index.display());

    succeeds(
        &mut s
            .tool(&["plugin", "add", "dummy"])
            .env("TOOL_PLUGIN_REPOSITORY_URL", &index_url),
    );
    assert!(s.data.join("plugins/dummy/bin/install").is_file());
    let out = stdout(
        s.tool(&["plugin", "list", "all"])
            .env("TOOL_PLUGIN_REPOSITORY_URL", &index_url),
    );
    // asdf's columns: name and an empty cell, each 15 wide.
    let pad = |name: &str| format!("{name:<30}");
    assert!(out.contains(&format!("{}*{url}", pad("dummy"))), "{out}");
    assert!(
        out.contains(&format!(
            "{}https://example.invalid/other.git",
            pad("other")
        )),
        "{out}"
    );

    let err = fails_with(
        s.tool(&["plugin", "add", "nope"])
            .env("TOOL_PLUGIN_REPOSITORY_URL", &index_url),
        1,
    );
    assert!(err.contains("plugin nope not found in repository"), "{err}");
    s.write(".asdfrc", "disable_plugin_short_name_repository = yes\n");
    let err = fails_with(&mut s.tool(&["plugin", "add", "other"]), 1);
    assert!(
        err.contains("Short-name plugin repository is disabled"),
        "{err}"
    );
}

#[test]
fn plugin_update_pulls_new_commits_telling_the_plugin_both_ids() {
    let s = Sandbox::new();
    let repo = s.dummy_plugin_one_commit_behind();
    let [first_full, second_full] = ["HEAD~1", "HEAD"].map(|r| git(&repo, &["rev-parse", r]));
    let out = succeeds(&mut s.tool(&["plugin", "update", "dummy"]));
    // asdf's words, and full commit ids for the plugin's hook.
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(said, "updated dummy to ref refs/heads/main\n");
    let plugin = s.data.join("plugins/dummy");
    assert!(plugin.join("bin/help.links").is_file());
    assert_eq!(
        std::fs::read_to_string(plugin.join(".updated"))
            .unwrap()
            .trim(),
        format!("{first_full} {second_full}")
    );
}

#[test]
fn plugin_update_to_a_ref_checks_out_that_commit() {
    let s = Sandbox::new();
    let repo = s.dummy_plugin_one_commit_behind();
    let first = git(&repo, &["rev-parse", "--short", "HEAD~1"]);
    succeeds(&mut s.tool(&["plugin", "update", "dummy"]));
    succeeds(&mut s.tool(&["plugin", "update", "dummy", &first]));
    assert!(!s.data.join("plugins/dummy/bin/help.links").exists());
}

#[test]
fn plugin_update_all_brings_a_pinned_plugin_back_to_its_branch() {
    let s = Sandbox::new();
    let repo = s.dummy_plugin_one_commit_behind();
    let first = git(&repo, &["rev-parse", "--short", "HEAD~1"]);
    succeeds(&mut s.tool(&["plugin", "update", "dummy"]));
    succeeds(&mut s.tool(&["plugin", "update", "dummy", &first]));
    succeeds(&mut s.tool(&["plugin", "update", "--all"]));
    assert!(s.data.join("plugins/dummy/bin/help.links").is_file());
}

#[test]
fn plugin_update_needs_a_name_or_all() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    fails_with(&mut s.tool(&["plugin", "update"]), 1);
}

#[test]
fn plugin_remove_takes_its_installs_with_their_shims() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    succeeds(&mut s.tool(&["install", "dummy", "1.0.0"]));
    assert!(s.data.join("shims/dummy").exists());
    let log = s.root.join("dummy.log");
    succeeds(
        &mut s
            .tool(&["plugin", "remove", "dummy"])
            .env("DUMMY_LOG", &log),
    );
    assert!(!s.data.join("plugins/dummy").exists());
    assert!(!s.data.join("installs/dummy").exists());
    assert!(!s.data.join("shims/dummy").exists());
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "remove plugin\n");
}

#[test]
fn plugin_cmd_runs_the_longest_matching_extension_command() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    assert_eq!(
        stdout(&mut s.tool(&["cmd", "dummy"])),
        "dummy default command \n"
    );
    assert_eq!(
        stdout(&mut s.tool(&["cmd", "dummy", "hello", "there"])),
        "hello there\n"
    );
    let out = stdout(&mut s.tool(&["cmd", "dummy", "hello", "world", "x"]));
    assert!(
        out.starts_with("hello world x (") && out.contains("command-hello-world.bash"),
        "{out}"
    );
}

#[test]
fn a_plugin_name_as_a_command_runs_its_extension_commands() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    assert_eq!(
        stdout(&mut s.tool(&["dummy", "hello", "older-form"])),
        "hello older-form\n"
    );
    assert_eq!(
        stdout(&mut s.tool(&["dummy", "other", "a"])),
        "dummy default command other a\n"
    );
    fails_with(&mut s.tool(&["nosuchplugin"]), 1);
}

#[test]
fn help_for_a_plugin_shows_its_overview_for_a_version() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let out = stdout(&mut s.tool(&["help", "dummy"]));
    assert!(
        out.contains("Dummy plugin overview") && out.contains("version none"),
        "{out}"
    );
    assert!(stdout(&mut s.tool(&["help", "dummy", "1.0.0"])).contains("version 1.0.0"));
}

#[test]
fn plugin_test_installs_in_a_scratch_data_dir() {
    let s = Sandbox::new();
    let url = s.plugin_repo("dummy");
    let stdout_text = stdout(&mut s.tool(&[
        "plugin",
        "test",
        "dummy",
        &url,
        "--asdf-tool-version",
        "1.1.0",
        "dummy",
        "--flag",
    ]));
    assert!(
        stdout_text.contains("dummy release 1.1.0:"),
        "{stdout_text}"
    );
    assert!(
        !s.data.join("plugins/dummy").exists(),
        "plugin test must not touch the data dir"
    );

    let liar = s.plugin_repo("liar");
    let err = fails_with(&mut s.tool(&["plugin", "test", "liar", &liar]), 1);
    assert!(
        err.contains("FAILED: LICENSE file must be present"),
        "{err}"
    );
}
