//! `.readthedocs.yaml` as a version source: `build.tools` mapped exactly as
//! Read the Docs maps it (the table in `plugins/readthedocs.toml`), and
//! `build.os` as the cache key's `{os}`, so a laptop installs the very
//! objects the builder published.

use crate::harness::readthedocs::{publish_node, readthedocs_project, service_version};
use crate::harness::{Sandbox, fails_with, stdout, succeeds};

#[test]
fn build_os_picks_the_builders_objects() {
    let s = Sandbox::new();
    let (version, tool) = readthedocs_project(&s);
    let out = stdout(&mut tool(&["install", "--json"]));
    assert!(
        out.contains(r#""backend":"cache""#)
            && out.contains(&format!("ubuntu-22.04-nodejs-{version}")),
        "{out}"
    );
    let mut node = s.shim("node", &s.proj);
    node.env("TOOL_READTHEDOCS_CONFIG", "yes");
    assert_eq!(stdout(&mut node), format!("builder node {version}\n"));
}

#[test]
fn build_tools_set_the_versions() {
    let s = Sandbox::new();
    let (version, tool) = readthedocs_project(&s);
    succeeds(&mut tool(&["install"]));
    let current = stdout(&mut tool(&["current", "nodejs"]));
    assert!(
        current.contains(&version) && current.contains(".readthedocs.yaml"),
        "{current}"
    );
}

#[test]
fn readthedocs_yaml_means_nothing_unless_enabled() {
    let s = Sandbox::new();
    let (version, tool) = readthedocs_project(&s);
    succeeds(&mut tool(&["install"]));
    // Off (the default): the file means nothing, as for asdf (126: no
    // version set).
    let out = s.tool(&["current", "nodejs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(126));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(&version));
}

#[test]
fn install_config_reads_the_file_it_is_given() {
    let s = Sandbox::new();
    let version = service_version("nodejs", "18");
    let bucket = s.root.join("bucket");
    publish_node(&bucket, "ubuntu-24.04", &version);
    let config = s.write(
        "proj/docs/rtd.yaml",
        "version: 2\nbuild:\n  os: ubuntu-24.04\n  tools:\n    nodejs: \"18\"\n",
    );
    succeeds(
        s.tool(&["install", "--config", config.to_str().unwrap()])
            .env("TOOL_CACHE_URL", format!("file://{}", bucket.display())),
    );
    assert!(
        s.data
            .join(format!("installs/nodejs/{version}/bin/node"))
            .is_file()
    );
}

#[test]
fn install_config_refuses_a_version_read_the_docs_does_not_offer_naming_the_line() {
    let s = Sandbox::new();
    let ruby = s.write(
        "proj/ruby.yaml",
        "version: 2\nbuild:\n  os: ubuntu-24.04\n  tools:\n    python: \"3.12\"\n    ruby: \"3.1\"\n",
    );
    let err = fails_with(
        &mut s.tool(&["install", "--config", ruby.to_str().unwrap()]),
        1,
    );
    assert!(
        err.contains("ruby.yaml:6") && err.contains("Expected one of (3.3, 3.4, 4.0, latest)"),
        "{err}"
    );
}

#[test]
fn install_config_reports_invalid_yaml_with_its_file() {
    let s = Sandbox::new();
    let broken = s.write("proj/broken.yaml", "build:\n  tools: [\n");
    let err = fails_with(
        &mut s.tool(&["install", "--config", broken.to_str().unwrap()]),
        1,
    );
    assert!(
        err.contains("broken.yaml:") && err.contains("not valid YAML"),
        "{err}"
    );
}

#[test]
fn current_lists_the_tools_a_build_config_sets_without_any_plugin() {
    let s = Sandbox::new();
    s.write(
        "proj/.readthedocs.yaml",
        "version: 2\nbuild:\n  os: ubuntu-24.04\n  tools:\n    python: \"3.12\"\n    nodejs: \"20\"\n",
    );
    let mut current = s.tool(&["current"]);
    current.env("TOOL_READTHEDOCS_CONFIG", "yes");
    let out = stdout(&mut current);
    for (tool, asked) in [("python", "3.12"), ("nodejs", "20")] {
        let line = out
            .lines()
            .find(|l| l.starts_with(tool))
            .unwrap_or_default();
        assert!(line.contains(&service_version(tool, asked)), "{out}");
    }
}

#[test]
fn a_config_the_service_rejects_stops_before_any_install() {
    let s = Sandbox::new();
    // An unquoted 3.10 is the float 3.1 for the service, which refuses it.
    s.write(
        "proj/.readthedocs.yaml",
        "version: 2\nbuild:\n  os: ubuntu-24.04\n  tools:\n    python: 3.10\n",
    );
    let mut install = s.tool(&["install", "--config", ".readthedocs.yaml"]);
    let err = fails_with(&mut install, 1);
    assert!(
        err.contains(".readthedocs.yaml:5:") && err.contains("got type `float` (`3.1`)"),
        "{err}"
    );
    assert!(!s.data.join("installs").exists(), "nothing was installed");
}

#[test]
fn build_jobs_with_commands_and_unknown_build_keys_are_refused_at_their_line() {
    let s = Sandbox::new();
    let head = "version: 2\nbuild:\n  os: ubuntu-24.04\n  tools:\n    python: \"3.12\"\n";
    let cases = [
        (
            "  commands: [make]\n  jobs:\n    post_install: [x]\n",
            ".readthedocs.yaml:7:",
            "The keys `build.jobs` and `build.commands` can't be used together. (config:build:jobs-and-commands)",
        ),
        (
            "  conda:\n    environment: env.yml\n",
            ".readthedocs.yaml:7:",
            "Invalid configuration key: build.conda.environment.",
        ),
    ];
    for (rest, at, message) in cases {
        s.write("proj/.readthedocs.yaml", &format!("{head}{rest}"));
        let err = fails_with(
            &mut s.tool(&["install", "--config", ".readthedocs.yaml"]),
            1,
        );
        assert!(err.contains(at) && err.contains(message), "{rest}: {err}");
        assert!(!s.data.join("installs").exists(), "nothing was installed");
    }
}

/// `build.os` gives `{os}` only where the `os` setting leaves it open: an
/// `os` in config.toml wins, as `TOOL_OS` does (its key is looked up, the
/// builder's is not).
#[test]
fn an_os_setting_in_config_toml_beats_build_os() {
    let s = Sandbox::new();
    let (version, tool) = readthedocs_project(&s);
    let config = s.write("config.toml", "os = \"laptop-1\"\n");
    let out = tool(&["install", "--json"])
        .env("TOOL_CONFIG_FILE", &config)
        .env("TOOL_BACKENDS_NODEJS", "cache")
        .output()
        .unwrap();
    let reports = String::from_utf8_lossy(&out.stdout);
    assert!(
        reports.contains(&format!("laptop-1-nodejs-{version}"))
            && !reports.contains(r#""outcome":"installed""#),
        "{reports}"
    );
}
