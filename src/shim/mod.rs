//! Shims: the small files in `shims/` that route a command to the version set
//! for the current directory. This module owns their format; `reshim` keeps
//! them in sync with what is installed, `find` resolves a command to a real
//! program, and `run` is the fast path a shim executes.
//!
//! A shim is a text file whose shebang names `tool-shim` (installed beside
//! `tool`; a program with no libc that runs the common case and hands every
//! other to `tool-shim-full`, the std shim path of this crate), else
//! `tool-shim-full`, else `tool --shim`, so the kernel starts the fast path
//! with no shell in between. It
//! keeps asdf's `# asdf-plugin: <tool> <version>` lines, and its last line
//! re-enters `tool exec` when it is run by a shell instead (`sh shims/python`).

pub mod arena;
mod exe;
pub mod exec;
pub mod find;
pub mod installers;
pub mod reshim;
pub mod run;

use std::path::{Path, PathBuf};

/// The argument the shebang passes before the shim path.
pub const SHIM_FLAG: &str = "--shim";

/// The file name of the shim interpreter installed beside `tool` (built
/// from `tool-shim/`, its own crate).
pub const SHIM_BINARY: &str = "tool-shim";

/// The std shim path, installed beside `tool`: what `tool-shim` hands over
/// to (`src/bin/tool-shim-full.rs`).
pub const FULL_SHIM_BINARY: &str = "tool-shim-full";

/// The programs a shim names: its shebang interpreter and the `tool` binary
/// its shell fallback line re-enters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launcher {
    pub tool: PathBuf,
    /// `tool-shim` (else `tool-shim-full`) when it sits beside `tool`; else
    /// shims run `tool --shim`.
    pub shim_binary: Option<PathBuf>,
}

impl Launcher {
    /// The launcher for the `tool` binary at `tool`, using the first of
    /// `tool-shim` and `tool-shim-full` beside it that is an executable file.
    pub fn beside(tool: &Path) -> Self {
        let shim_binary = [SHIM_BINARY, FULL_SHIM_BINARY]
            .iter()
            .map(|name| tool.with_file_name(name))
            .find(|candidate| find::is_executable(candidate));
        Launcher {
            tool: tool.to_path_buf(),
            shim_binary,
        }
    }

    /// The launcher for this running `tool` (or for the `tool` beside this
    /// running `tool-shim-full`, when a shim reshims after an installer).
    pub fn current(env: &crate::env::Env) -> crate::error::Result<Self> {
        let exe = exe::current(env)?;
        let is_shim = |n: &std::ffi::OsStr| n == SHIM_BINARY || n == FULL_SHIM_BINARY;
        let tool = match exe.file_name().is_some_and(is_shim) {
            true => exe.with_file_name("tool"),
            false => exe,
        };
        Ok(Launcher::beside(&tool))
    }

    /// The shebang line (without `#!`), or `None` when it cannot be direct.
    /// `tool-shim` is also told the shim's tools (`--tools=a,b`) when the
    /// line has room, so it need not open the shim to read them.
    fn shebang(&self, tools: &[&str]) -> Option<String> {
        let line = match &self.shim_binary {
            Some(bin) => bin.to_string_lossy().into_owned(),
            None => format!("{} {SHIM_FLAG}", self.tool.to_string_lossy()),
        };
        let interpreter = self.shim_binary.as_ref().unwrap_or(&self.tool);
        let spaced = interpreter.to_string_lossy().contains(char::is_whitespace);
        if line.len() + 2 > MAX_SHEBANG || spaced {
            return None;
        }
        let listed = format!("{line} {TOOLS_FLAG}{}", tools.join(","));
        let fits = self.shim_binary.is_some() && !tools.is_empty();
        Some(match fits && listed.len() + 2 <= MAX_SHEBANG {
            true => listed,
            false => line,
        })
    }
}

/// The argument a shim's shebang gives `tool-shim` before the shim's path:
/// the tools the shim runs, in its order, joined by `,` (no tool name has
/// one). The kernel passes the rest of the shebang line as one argument.
pub const TOOLS_FLAG: &str = "--tools=";

/// The tools a shebang's argument lists, when `arg` is one.
pub fn listed_tools(arg: &std::ffi::OsStr) -> Option<Vec<String>> {
    let list = arg.to_str()?.strip_prefix(TOOLS_FLAG)?;
    let tools: Vec<String> = list.split(',').map(str::to_string).collect();
    tools
        .iter()
        .all(|t| crate::tool_name::check(t).is_ok())
        .then_some(tools)
}

/// Each tool of `pairs` once, in their order.
pub fn tools_of(pairs: &[(String, String)]) -> Vec<&str> {
    let mut tools: Vec<&str> = Vec::new();
    for (tool, _) in pairs {
        if !tools.contains(&tool.as_str()) {
            tools.push(tool);
        }
    }
    tools
}

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

/// Far more than any shim `reshim` writes (a line per tool and version).
const MAX_SHIM_LEN: u64 = 1 << 20;

/// Reads a shim's metadata; `None` when the file is missing or not a shim.
pub fn read_metadata(path: &Path) -> Option<Vec<(String, String)>> {
    let file = std::fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    let bytes = crate::fs::read_small(&file, size, MAX_SHIM_LEN).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let pairs = parse_metadata(&text);
    (!pairs.is_empty()).then_some(pairs)
}

/// The text of the shim for `command`, started by `launcher`.
pub fn render(launcher: &Launcher, command: &str, pairs: &[(String, String)]) -> String {
    let shebang = launcher.shebang(&tools_of(pairs));
    let mut out = format!("#!{}\n", shebang.as_deref().unwrap_or("/bin/sh"));
    for (tool, version) in pairs {
        out.push_str(&format!("# asdf-plugin: {tool} {version}\n"));
    }
    out.push_str(&format!(
        "exec {} exec {} \"$@\" # asdf_allow: ' asdf '\n",
        shell_quote(&launcher.tool.to_string_lossy()),
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

    fn only_tool(path: &str) -> Launcher {
        Launcher {
            tool: PathBuf::from(path),
            shim_binary: None,
        }
    }

    #[test]
    fn metadata_round_trips_through_the_shim_text() {
        let pairs = vec![
            ("python".to_string(), "3.9.6".to_string()),
            ("python".into(), "3.11.2".into()),
        ];
        let text = render(&only_tool("/usr/local/bin/tool"), "python3", &pairs);
        assert!(text.starts_with("#!/usr/local/bin/tool --shim\n"), "{text}");
        assert_eq!(parse_metadata(&text), pairs);
    }

    #[test]
    fn the_shim_binary_is_the_interpreter_and_tool_the_fallback() {
        let launcher = Launcher {
            tool: PathBuf::from("/opt/bin/tool"),
            shim_binary: Some(PathBuf::from("/opt/bin/tool-shim")),
        };
        let text = render(&launcher, "p", &[("t".into(), "1".into())]);
        assert_eq!(
            text,
            "#!/opt/bin/tool-shim --tools=t\n# asdf-plugin: t 1\nexec '/opt/bin/tool' exec 'p' \"$@\" # asdf_allow: ' asdf '\n"
        );
    }

    #[test]
    fn the_shebang_lists_the_tools_when_it_has_room() {
        let launcher = |dir: &str| Launcher {
            tool: PathBuf::from(format!("{dir}/tool")),
            shim_binary: Some(PathBuf::from(format!("{dir}/tool-shim"))),
        };
        let pairs = |tools: &[&str]| -> Vec<(String, String)> {
            tools.iter().map(|t| (t.to_string(), "1".into())).collect()
        };
        let text = render(&launcher("/o"), "p", &pairs(&["b", "a", "b"]));
        let first = text.lines().next().unwrap();
        assert_eq!(first, "#!/o/tool-shim --tools=b,a");
        let arg = first.split_once(' ').unwrap().1;
        assert_eq!(
            listed_tools(arg.as_ref()),
            Some(vec!["b".into(), "a".into()])
        );
        // Past the 127 bytes older kernels read, the shim is read instead.
        let dir = format!("/{}", "d".repeat(100));
        let text = render(
            &launcher(&dir),
            "p",
            &pairs(&["python", "nodejs", "golang"]),
        );
        assert_eq!(text.lines().next().unwrap(), format!("#!{dir}/tool-shim"));
        assert_eq!(listed_tools("/x/shims/p".as_ref()), None, "a shim path");
        assert_eq!(
            listed_tools("--tools=a,../b".as_ref()),
            None,
            "not tool names"
        );
    }

    #[test]
    fn beside_finds_only_an_executable_shim_binary() {
        let dir = tempfile::tempdir().unwrap();
        let tool = dir.path().join("tool");
        let executable = |path: &Path| {
            let mut perms = std::fs::metadata(path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(path, perms).unwrap();
        };
        assert_eq!(Launcher::beside(&tool).shim_binary, None);
        let full = dir.path().join(FULL_SHIM_BINARY);
        std::fs::write(&full, "").unwrap();
        assert_eq!(Launcher::beside(&tool).shim_binary, None, "not executable");
        executable(&full);
        assert_eq!(Launcher::beside(&tool).shim_binary, Some(full.clone()));
        let fast = dir.path().join(SHIM_BINARY);
        std::fs::write(&fast, "").unwrap();
        assert_eq!(
            Launcher::beside(&tool).shim_binary,
            Some(full),
            "not executable"
        );
        executable(&fast);
        assert_eq!(
            Launcher::beside(&tool).shim_binary,
            Some(fast),
            "the no-libc one first"
        );
    }

    #[test]
    fn long_or_spaced_paths_fall_back_to_sh() {
        let long = format!("/{}/tool", "x".repeat(200));
        assert!(render(&only_tool(&long), "p", &[]).starts_with("#!/bin/sh\n"));
        let text = render(&only_tool("/opt/my tools/tool"), "p", &[]);
        assert!(
            text.starts_with("#!/bin/sh\nexec '/opt/my tools/tool' exec 'p' \"$@\""),
            "{text}"
        );
        let spaced = Launcher {
            tool: PathBuf::from("/opt/my tools/tool"),
            shim_binary: Some(PathBuf::from("/opt/my tools/tool-shim")),
        };
        assert!(render(&spaced, "p", &[]).starts_with("#!/bin/sh\n"));
    }
}
