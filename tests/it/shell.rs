//! The shell integration files in `shims/`: each puts the shims folder first
//! on PATH exactly once and loads completion, in the real shell.

use std::path::Path;

use crate::harness::{BIN, Sandbox, stdout};

fn run_shell(s: &Sandbox, shell: &str, script: &str) -> String {
    let integration = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("shims")
        .join(format!("tool.{shell}"));
    let bin_dir = Path::new(BIN).parent().unwrap();
    let shims = s.data.join("shims");
    let path = format!("/usr/bin:{}:/bin:{}", shims.display(), bin_dir.display());
    let source = if shell == "fish" { "source" } else { "." };
    let mut cmd = s.command(shell);
    cmd.env("PATH", path)
        .arg("-c")
        .arg(format!("{source} {}; {script}", integration.display()));
    stdout(&mut cmd)
}

fn check_path(s: &Sandbox, shell: &str, print_path: &str) {
    let shims = s.data.join("shims").display().to_string();
    let out = run_shell(s, shell, print_path);
    let entries: Vec<&str> = out.trim().split(':').collect();
    assert_eq!(entries[0], shims, "{shell}: {out}");
    assert_eq!(
        entries.iter().filter(|e| **e == shims).count(),
        1,
        "{shell}: {out}"
    );
    assert!(
        entries.contains(&"/usr/bin") && entries.contains(&"/bin"),
        "{shell}: {out}"
    );
}

#[test]
fn bash_integration_puts_shims_first_once_with_completion() {
    let s = Sandbox::new();
    check_path(&s, "bash", "echo \"$PATH\"");
    assert!(run_shell(&s, "bash", "complete -p tool").contains("tool"));
}

#[test]
fn zsh_integration_puts_shims_first_once_with_completion() {
    let s = Sandbox::new();
    check_path(&s, "zsh", "echo \"$PATH\"");
    assert_eq!(run_shell(&s, "zsh", "echo $+functions[_tool]").trim(), "1");
}

#[test]
fn fish_integration_puts_shims_first_once_with_completion() {
    let s = Sandbox::new();
    check_path(&s, "fish", "string join : $PATH");
    assert!(run_shell(&s, "fish", "complete -c tool").contains("shimversions"));
}
