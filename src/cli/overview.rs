//! The overview `help` prints (and plain `tool`, and an unknown command):
//! asdf's layout, so scripts and people used to it find their way: a
//! `version:` line, the commands by section, then each plugin's extension
//! commands under `PLUGIN <name>`.

use std::fmt::Write;

use crate::plugin::Plugin;

/// The commands by section: `(usage, what it does)`.
const SECTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "MANAGE PLUGINS",
        &[
            (
                "plugin add <name> [<git-url>]",
                "Add a plugin, by short name or git URL",
            ),
            (
                "plugin list [--urls] [--refs]",
                "List added plugins, with URLs and refs",
            ),
            (
                "plugin list all",
                "List the plugins of the short-name index",
            ),
            (
                "plugin remove <name>",
                "Remove a plugin and its installed versions",
            ),
            (
                "plugin update <name> [<git-ref>]",
                "Update a plugin to its default branch or a ref",
            ),
            ("plugin update --all", "Update every plugin"),
        ],
    ),
    (
        "MANAGE TOOLS",
        &[
            ("current [<name>]", "Show the versions set here and where"),
            ("help <name> [<version>]", "Show a plugin's documentation"),
            (
                "install [<name> [<version>]]",
                "Install what .tool-versions sets, or one version",
            ),
            (
                "install <name> latest[:<version>]",
                "Install the newest stable (matching) version",
            ),
            (
                "latest <name> [<version>]",
                "Print the newest stable (matching) version",
            ),
            ("latest --all", "Print the newest version of every tool"),
            ("list [<name> [<version>]]", "List installed versions"),
            ("list all <name> [<version>]", "List installable versions"),
            (
                "set [-u|-p] <name> <version>...",
                "Write versions to .tool-versions (-u: home, -p: parent)",
            ),
            ("uninstall <name> <version>", "Remove an installed version"),
            (
                "where <name> [<version>]",
                "Print a version's install folder",
            ),
            ("which <command>", "Print the program a shim runs here"),
        ],
    ),
    (
        "UTILS",
        &[
            ("cmd <name> <command>", "Run a plugin's extension command"),
            (
                "exec <command> [args...]",
                "Run a shimmed command with the version set here",
            ),
            (
                "env <command> [util]",
                "Run a program in a shimmed command's environment",
            ),
            ("info", "Show the OS, shell, data dir and settings"),
            ("version", "Print the version"),
            ("reshim [<name> [<version>]]", "Recreate the shims"),
            (
                "shimversions <command>",
                "List the versions that provide a command",
            ),
            (
                "cache pack|push|build|list",
                "Publish built versions to a bucket, see what it holds",
            ),
        ],
    ),
];

/// The whole overview for `program` (`asdf` or `tool`).
pub fn text(program: &str, plugins: &[Plugin]) -> String {
    let version = match program {
        "asdf" => crate::context::version_line(program),
        _ => env!("CARGO_PKG_VERSION").to_string(),
    };
    let mut out = format!("version: {version}\n\n");
    for (title, commands) in SECTIONS {
        let _ = writeln!(out, "{title}");
        for (usage, what) in *commands {
            let _ = writeln!(out, "{:<40}{what}", format!("{program} {usage}"));
        }
        out.push('\n');
    }
    for plugin in plugins {
        let commands = extension_commands(plugin);
        if commands.is_empty() {
            continue;
        }
        let _ = writeln!(out, "PLUGIN {}", plugin.name);
        for command in commands {
            let line = match command.as_str() {
                "" => format!("  {program} {}", plugin.name),
                c => format!("  {program} {} {c}", plugin.name),
            };
            let _ = writeln!(out, "{line}");
        }
    }
    // asdf closes its overview with this line; scripts may look for it.
    out.push_str("\n\"Late but latest\"\n-- Rajinikanth\n");
    out
}

/// A plugin's extension commands: `lib/commands/command[-a-b][.bash]`
/// → `""` (the default command) or `a-b`, sorted.
fn extension_commands(plugin: &Plugin) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(plugin.dir.join("lib/commands")) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| {
            let name = name.strip_suffix(".bash").unwrap_or(&name).to_string();
            match name.strip_prefix("command") {
                Some("") => Some(String::new()),
                Some(rest) => rest.strip_prefix('-').map(str::to_string),
                None => None,
            }
        })
        .collect();
    out.sort();
    out.dedup();
    out
}
