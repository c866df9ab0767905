//! Installs on a real pseudo-terminal (util-linux `script`): a redrawn task
//! line instead of plain log lines, plugin output shown in full between
//! redraws, and the cursor left below the finished lines.

use crate::harness::fakes::{OS, fake_python, tool_with};
use crate::harness::{BIN, Sandbox, succeeds};

/// What a terminal shows while `tool install <args>` runs in the project.
fn install_on_a_terminal(s: &Sandbox, args: &str) -> String {
    install_on_a_terminal_with(s, &[], args)
}

fn install_on_a_terminal_with(s: &Sandbox, vars: &[(&str, String)], args: &str) -> String {
    let words: Vec<&str> = std::iter::once("install")
        .chain(args.split_whitespace())
        .collect();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    s.on_terminal(BIN.as_ref(), &words, &s.proj, &vars)
}

const CLEAR_LINE: &str = "\x1b[2K";

#[test]
fn a_single_install_redraws_one_line_ending_below_it() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let screen = install_on_a_terminal(&s, "dummy 1.0.0");
    assert!(screen.contains(CLEAR_LINE), "no redrawn line: {screen:?}");
    let last = screen.rsplit(CLEAR_LINE).next().unwrap();
    assert!(last.contains("dummy 1.0.0"), "{screen:?}");
    assert!(last.contains("installed with plugin in"), "{screen:?}");
    assert!(
        last.ends_with('\n'),
        "the cursor stays on the task line: {screen:?}"
    );
    assert!(s.data.join("installs/dummy/1.0.0/bin/dummy").is_file());
}

#[test]
fn plugin_output_gets_its_own_lines_between_redraws() {
    let s = Sandbox::new();
    s.add_plugin("dummy", "dummy");
    let screen = install_on_a_terminal(&s, "dummy 9.9.9");
    assert!(
        screen.contains(&format!("{CLEAR_LINE}no such release: 9.9.9\n")),
        "the script's line was drawn over: {screen:?}"
    );
    let last_task_line = screen.rsplit(CLEAR_LINE).next().unwrap();
    assert!(last_task_line.contains("failed"), "{screen:?}");
    assert!(
        screen.contains("bin/download failed with exit code 1"),
        "{screen:?}"
    );
}

#[test]
fn a_cache_download_counts_bytes_then_shows_the_result() {
    let s = Sandbox::new();
    let publisher = s.root.join("publisher");
    fake_python(&publisher, "3.11.2");
    std::fs::create_dir_all(s.root.join("bucket")).unwrap();
    let bucket = vec![(
        "TOOL_CACHE_URL",
        format!("file://{}", s.root.join("bucket").display()),
    )];
    succeeds(&mut tool_with(
        &s,
        &publisher,
        &bucket,
        &["cache", "push", "python", "3.11.2"],
    ));
    let mut vars = bucket;
    vars.push(("TOOL_OS", OS.to_string()));
    vars.push(("TOOL_BACKENDS_PYTHON", "cache".to_string()));
    let screen = install_on_a_terminal_with(&s, &vars, "python 3.11.2");
    assert!(screen.contains(" B/"), "no byte counter: {screen:?}");
    let last = screen.rsplit(CLEAR_LINE).next().unwrap();
    assert!(last.contains("installed with cache in"), "{screen:?}");
    assert!(s.data.join("installs/python/3.11.2/bin/python").is_file());
}
