//! Shims: the small files in `shims/` that route a command to the version set
//! for the current directory. This module owns their format; `reshim` keeps
//! them in sync with what is installed, `find` resolves a command to a real
//! program, and `run` is the fast path a shim executes.
//!
//! A shim is a text file whose shebang names the `tool` binary itself, so the
//! kernel starts `tool --shim <shim> args…` with no shell in between. It keeps
//! asdf's `# asdf-plugin: <tool> <version>` lines, and its last line re-enters
//! `tool exec` when it is run by a shell instead (`sh shims/python`).

pub mod find;
pub mod reshim;
pub mod run;

use std::path::Path;

/// The argument the shebang passes before the shim path.
pub const SHIM_FLAG: &str = "--shim";

/// Linux reads at most 127 bytes of a shebang on older kernels; past that
/// (or with spaces in the path) the shim starts through `/bin/sh` instead.
const MAX_SHEBANG: usize = 127;

/// The `(tool, version)` pairs recorded in a shim's text, in file order.
pub fn parse_metadata(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# asdf-plugin: "))
        .filter_map(|rest| {
            let mut words = rest.split_whitespace();
            Some((words.next()?.to_string(), words.next()?.to_string()))
        })
        .collect()
}

/// Reads a shim's metadata; `None` when the file is missing or not a shim.
pub fn read_metadata(path: &Path) -> Option<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).ok()?;
    let pairs = parse_metadata(&text);
    (!pairs.is_empty()).then_some(pairs)
}

/// The text of the shim for `command`, run by the `tool` binary at `exe`.
pub fn render(exe: &Path, command: &str, pairs: &[(String, String)]) -> String {
    let exe_text = exe.to_string_lossy();
    let shebang = format!("#!{exe_text} {SHIM_FLAG}");
    let direct = shebang.len() <= MAX_SHEBANG && !exe_text.contains(char::is_whitespace);
    let mut out = if direct {
        shebang
    } else {
        "#!/bin/sh".to_string()
    };
    out.push('\n');
    for (tool, version) in pairs {
        out.push_str(&format!("# asdf-plugin: {tool} {version}\n"));
    }
    out.push_str(&format!(
        "exec {} exec {} \"$@\" # asdf_allow: ' asdf '\n",
        shell_quote(&exe_text),
        shell_quote(command)
    ));
    out
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_through_the_shim_text() {
        let pairs = vec![
            ("python".to_string(), "3.9.6".to_string()),
            ("python".into(), "3.11.2".into()),
        ];
        let text = render(Path::new("/usr/local/bin/tool"), "python3", &pairs);
        assert!(text.starts_with("#!/usr/local/bin/tool --shim\n"), "{text}");
        assert_eq!(parse_metadata(&text), pairs);
    }

    #[test]
    fn long_or_spaced_paths_fall_back_to_sh() {
        let long = format!("/{}/tool", "x".repeat(200));
        assert!(render(Path::new(&long), "p", &[]).starts_with("#!/bin/sh\n"));
        let text = render(Path::new("/opt/my tools/tool"), "p", &[]);
        assert!(
            text.starts_with("#!/bin/sh\nexec '/opt/my tools/tool' exec 'p' \"$@\""),
            "{text}"
        );
    }
}
