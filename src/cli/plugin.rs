//! `tool plugin add|list|remove|update|test`, plugin extension commands
//! (`tool cmd <plugin> …`, `tool <plugin> …`) and plugin help.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;

use clap::Subcommand;

use crate::context::Context;
use crate::error::{Error, exit};
use crate::plugin::manage::{self, Added};
use crate::plugin::{Plugin, git, index};

#[derive(Subcommand, Debug)]
pub enum PluginCmd {
    /// Add a plugin from its git URL, or by short name from the plugin index
    Add {
        name: String,
        git_url: Option<String>,
    },
    /// List added plugins (`list all`: every plugin in the index)
    List {
        #[arg(value_parser = ["all"])]
        all: Option<String>,
        #[arg(long)]
        urls: bool,
        #[arg(long)]
        refs: bool,
    },
    /// Remove a plugin, its installed versions and their shims
    Remove { name: Option<String> },
    /// Update a plugin to its default branch, or to a git ref
    Update {
        name: Option<String>,
        git_ref: Option<String>,
        #[arg(long, conflicts_with_all = ["name", "git_ref"])]
        all: bool,
    },
    /// Check a plugin from a git URL: callbacks, LICENSE, list-all, an install
    Test(super::plugin_test::TestArgs),
}

pub fn run(ctx: &Context, cmd: PluginCmd) -> anyhow::Result<i32> {
    match cmd {
        PluginCmd::Add { name, git_url } => add(ctx, &name, git_url.as_deref()),
        PluginCmd::List { all: Some(_), .. } => list_all(ctx),
        PluginCmd::List { urls, refs, .. } => list(ctx, urls, refs),
        PluginCmd::Remove { name } => {
            let name = name.ok_or_else(|| Error::Usage("No plugin given".into()))?;
            let plugin = Plugin::load(&ctx.env, &name)?;
            manage::remove(&ctx.env, &ctx.settings, &plugin)?;
            crate::shim::reshim::refresh(&ctx.env)?;
            crate::progress::note(&format!("removed plugin {name}"));
            Ok(exit::OK)
        }
        PluginCmd::Update { all: true, .. } => {
            let mut code = exit::OK;
            for plugin in manage::list(&ctx.env) {
                code = code.max(update(ctx, &plugin, None));
            }
            Ok(code)
        }
        PluginCmd::Update {
            name: Some(name),
            git_ref,
            ..
        } => Ok(update(
            ctx,
            &Plugin::load(&ctx.env, &name)?,
            git_ref.as_deref(),
        )),
        PluginCmd::Update { name: None, .. } => {
            Err(Error::Usage("usage: tool plugin update {<name> [git-ref] | --all}".into()).into())
        }
        PluginCmd::Test(args) => super::plugin_test::run(ctx, args),
    }
}

fn add(ctx: &Context, name: &str, url: Option<&str>) -> anyhow::Result<i32> {
    match manage::add(&ctx.env, &ctx.settings, name, url)? {
        Added::New(plugin) => {
            crate::progress::note(&format!("added plugin {name} ({})", plugin.dir.display()))
        }
        Added::AlreadyThere => eprintln!("Plugin named {name} already added"),
    }
    Ok(exit::OK)
}

fn update(ctx: &Context, plugin: &Plugin, reference: Option<&str>) -> i32 {
    match manage::update(&ctx.env, plugin, reference) {
        Ok(moved_to) => {
            eprintln!("updated {} to ref {moved_to}", plugin.name);
            exit::OK
        }
        Err(e) => {
            eprintln!(
                "failed to update {} due to error: {}",
                plugin.name,
                e.report()
            );
            exit::FAILURE
        }
    }
}

fn list(ctx: &Context, urls: bool, refs: bool) -> anyhow::Result<i32> {
    let lines = manage::listing(&ctx.env, urls, refs);
    if lines.is_empty() {
        eprintln!("No plugins installed");
    }
    for line in lines {
        println!("{line}");
    }
    Ok(exit::OK)
}

fn list_all(ctx: &Context) -> anyhow::Result<i32> {
    let idx = index::sync(&ctx.env, &ctx.settings)?;
    let added: Vec<(String, String)> = manage::list(&ctx.env)
        .into_iter()
        .map(|p| {
            let url = git::remote_url(&p.dir).unwrap_or_default();
            (p.name, url)
        })
        .collect();
    // asdf's columns (a Go tabwriter: cells at least 15 wide, 1 of padding).
    let entries = index::entries(&idx);
    let width = entries
        .iter()
        .map(|(n, _)| n.len() + 1)
        .max()
        .unwrap_or(0)
        .max(15);
    for (name, url) in entries {
        let mark = if added.contains(&(name.clone(), url.clone())) {
            "*"
        } else {
            ""
        };
        println!("{name:<width$}{:<15}{mark}{url}", "");
    }
    Ok(exit::OK)
}

/// The extension script for `words` (longest match of
/// `lib/commands/command-<a>-<b>`, else `command`; each also with the older
/// `.bash` suffix) and the arguments left for it.
fn extension(plugin: &Plugin, words: &[OsString]) -> Option<(PathBuf, Vec<OsString>)> {
    let dir = plugin.dir.join("lib").join("commands");
    for n in (0..=words.len()).rev() {
        let parts: Option<Vec<&str>> = words[..n].iter().map(|w| w.to_str()).collect();
        let Some(parts) = parts else { continue };
        if parts.iter().any(|p| p.contains('/') || p.contains("..")) {
            continue;
        }
        let name = if n == 0 {
            "command".to_string()
        } else {
            format!("command-{}", parts.join("-"))
        };
        // asdf's name first, then the older `.bash` one.
        for file in [name.clone(), format!("{name}.bash")] {
            let path = dir.join(file);
            if path.is_file() {
                return Some((path, words[n..].to_vec()));
            }
        }
    }
    None
}

/// `tool cmd <plugin> [words…]` and the older `tool <plugin> [words…]`.
pub fn run_extension(ctx: &Context, name: &str, words: Vec<OsString>) -> anyhow::Result<i32> {
    let Some(plugin) = Plugin::find(&ctx.env, name) else {
        // asdf's words, then the overview of what there is.
        eprintln!("invalid command provided: {name}\n");
        print!(
            "{}",
            super::overview::text(&ctx.env.program, &manage::list(&ctx.env))
        );
        return Err(Error::Quiet(exit::USAGE).into());
    };
    let (script, args) = extension(&plugin, &words).ok_or_else(|| {
        Error::hinted(
            format!("plugin `{name}` has no such command (lib/commands/command*)"),
            "",
        )
    })?;
    use std::os::unix::fs::PermissionsExt;
    let executable = std::fs::metadata(&script).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
    let mut cmd = if executable {
        std::process::Command::new(&script)
    } else {
        let mut c = std::process::Command::new("bash");
        c.arg(&script);
        c
    };
    // As asdf: the command sees no install variables of the caller's.
    let err = cmd
        .args(args)
        .env("ASDF_CMD_FILE", &script)
        .envs(plugin.script_env())
        .env_remove("ASDF_INSTALL_TYPE")
        .env_remove("ASDF_INSTALL_VERSION")
        .env_remove("ASDF_INSTALL_PATH")
        .exec();
    Err(Error::io("cannot run", &script, err).into())
}

/// `tool help <plugin> [version]`: the plugin's help.* scripts.
pub fn help(ctx: &Context, name: &str, version: Option<&str>) -> anyhow::Result<i32> {
    let plugin = Plugin::load(&ctx.env, name)?;
    if !plugin.has("help.overview") {
        return Err(Error::hinted(format!("No documentation for plugin {name}"), "").into());
    }
    let vars = plugin.help_vars(&ctx.env, version);
    for script in ["help.overview", "help.deps", "help.config", "help.links"] {
        if plugin.has(script) {
            // As asdf: each script's output as it wrote it.
            print!("{}", plugin.capture(script, &[], &vars)?);
        }
    }
    Ok(exit::OK)
}
