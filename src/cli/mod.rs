//! The command line: clap types and dispatch. Each command lives in its own
//! file, loads the one `Context`, calls into the library and prints; nothing
//! here decides behaviour.

mod cache;
mod cache_admin;
mod cache_trust;
mod current;
mod exec;
mod info;
mod install;
mod latest;
mod list;
mod lock;
mod overview;
mod plugin;
mod plugin_test;
mod reshim;
mod set;
mod uninstall;
mod where_;

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand};

use crate::context::Context;
use crate::error::exit;

#[derive(Parser, Debug)]
#[command(
    name = "tool",
    version,
    about = "A fast, asdf-compatible tool version manager",
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Show the version set for each tool (or one tool) and where it is set
    Current {
        tool: Option<String>,
        /// Leave out the header line
        #[arg(long)]
        no_header: bool,
    },
    /// Set versions in .tool-versions (here; -u in $HOME; -p in the nearest parent file)
    Set(set::SetArgs),
    /// Set versions in ./.tool-versions (asdf's older form)
    Local(set::LegacySetArgs),
    /// Set versions in $HOME/.tool-versions (asdf's older form)
    Global(set::LegacySetArgs),
    /// Install versions: all set in .tool-versions, a tool's set versions, or one version
    Install(install::InstallArgs),
    /// Write the lockfile beside the version file: the exact bytes each tool installs here
    Lock(lock::LockArgs),
    /// List installed versions [tool [prefix]]; `list all <tool> [prefix]`: installable ones
    List {
        #[arg(num_args = 0..=3)]
        args: Vec<String>,
        /// `list all`: one JSON object per version, with the backends that offer it
        #[arg(long)]
        json: bool,
    },
    /// Print the newest stable version [of a tool, under a prefix]; --all: every tool
    Latest {
        tool: Option<String>,
        prefix: Option<String>,
        #[arg(long, conflicts_with_all = ["tool", "prefix"])]
        all: bool,
        /// The version and the backend it would come from, as JSON
        #[arg(long, conflicts_with = "all")]
        json: bool,
    },
    /// Publish installed versions to the binary cache and list what it holds
    Cache {
        #[command(subcommand)]
        cmd: cache::CacheCmd,
    },
    /// Manage asdf plugins
    Plugin {
        #[command(subcommand)]
        cmd: plugin::PluginCmd,
    },
    /// Run a plugin's extension command: cmd <plugin> [command] [args]
    #[command(name = "cmd")]
    Extension {
        plugin: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Print the install folder of the current or given version
    Where {
        tool: String,
        version: Option<String>,
    },
    /// Print the path of the program a shimmed command runs here
    Which { command: String },
    /// Run a shimmed command with the version set here
    Exec {
        command: Option<String>,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Run a program (default `env`) in the environment a shimmed command gets
    Env {
        command: Option<String>,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        util: Vec<OsString>,
    },
    /// Recreate the shims for everything installed
    Reshim {
        tool: Option<String>,
        version: Option<String>,
        /// Ignored, as asdf 0.14 ignores it: asdf-ruby's gem hook passes
        /// each new executable (`reshim ruby 3.3.11 bin/rake`).
        #[arg(hide = true, allow_hyphen_values = true)]
        ignored: Vec<OsString>,
    },
    /// List the tools and versions that provide a shimmed command
    #[command(alias = "shim-versions")]
    Shimversions { command: String },
    /// Remove an installed version
    Uninstall { tool: String, version: String },
    /// Show the OS, the data dir, settings, tools and environment; with a
    /// tool and version: the backend it would be installed by, and from where
    Info {
        tool: Option<String>,
        #[arg(requires = "tool")]
        version: Option<String>,
    },
    /// Show every setting, its effective value and where it came from
    Settings,
    /// Print tool's version
    Version,
    /// Print a shell completion script (bash, zsh or fish)
    Completion { shell: clap_complete::Shell },
    /// Print help for tool, one of its commands, or a plugin [version]
    Help { command: Vec<String> },
    /// `tool <plugin> [command]`: a plugin's extension command (older form)
    #[command(external_subcommand)]
    External(Vec<OsString>),
}

/// asdf's older hyphenated commands, spelled the current way.
fn normalize(mut args: Vec<OsString>) -> Vec<OsString> {
    let replacement: &[&str] = match args.get(1).and_then(|a| a.to_str()) {
        Some("plugin-add") => &["plugin", "add"],
        Some("plugin-list") => &["plugin", "list"],
        Some("plugin-list-all") => &["plugin", "list", "all"],
        Some("plugin-remove") => &["plugin", "remove"],
        Some("plugin-update") => &["plugin", "update"],
        Some("plugin-test") => &["plugin", "test"],
        Some("list-all") => &["list", "all"],
        _ => return args,
    };
    args.splice(1..2, replacement.iter().map(OsString::from));
    args
}

/// Parses `args` and runs the command; returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(normalize(args)) {
        Ok(cli) => cli,
        Err(e) => return parse_error(&e),
    };
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(err) => {
            let hint = crate::error::hint_of(&err);
            let person = crate::progress::Audience::of_stderr().is_person();
            crate::error::print(&format!("{err:#}"), hint, person);
            crate::error::exit_code_of(&err)
        }
    }
}

/// Help and version exit 0; plain `tool` (or `asdf`) prints help, as asdf;
/// every argument error exits 1, in asdf's words for a program.
fn parse_error(e: &clap::Error) -> i32 {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if matches!(
        e.kind(),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        if print_overview().is_err() {
            let _ = Cli::command().print_help();
        }
        return exit::OK;
    }
    if e.kind() == ErrorKind::DisplayVersion {
        println!(
            "{}",
            crate::context::version_line(&crate::context::program_name())
        );
        return exit::OK;
    }
    if !e.use_stderr() {
        let _ = e.print();
        return exit::OK;
    }
    let person = crate::progress::Audience::of_stderr().is_person();
    match (e.kind(), e.get(ContextKind::InvalidArg)) {
        (ErrorKind::UnknownArgument, Some(ContextValue::String(flag))) if !person => {
            eprintln!("flag provided but not defined: {flag}");
        }
        _ => {
            let _ = e.print();
        }
    }
    exit::USAGE
}

fn dispatch(cmd: Cmd) -> anyhow::Result<i32> {
    let ctx = Context::load;
    match cmd {
        Cmd::Version => {
            println!(
                "{}",
                crate::context::version_line(&crate::context::program_name())
            );
            Ok(exit::OK)
        }
        Cmd::Completion { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "tool", &mut std::io::stdout());
            Ok(exit::OK)
        }
        Cmd::Help { command } => help(&command),
        Cmd::Install(args) => install::run(ctx()?, args),
        Cmd::Lock(args) => lock::run(ctx()?, args),
        Cmd::List { args, json } => list_command(&ctx()?, &args, json),
        Cmd::Latest {
            tool,
            prefix,
            all,
            json,
        } => latest::run_latest(&ctx()?, tool.as_deref(), prefix.as_deref(), all, json),
        Cmd::Plugin { cmd } => plugin::run(&ctx()?, cmd),
        Cmd::Cache { cmd } => cache::run(&ctx()?, cmd),
        Cmd::Extension { plugin: name, args } => plugin::run_extension(&ctx()?, &name, args),
        Cmd::External(mut words) => {
            let name = words.remove(0).to_string_lossy().to_string();
            plugin::run_extension(&ctx()?, &name, words)
        }
        Cmd::Current { tool, no_header } => current::run(&ctx()?, tool.as_deref(), no_header),
        Cmd::Set(args) => set::run_set(&ctx()?, args),
        Cmd::Local(args) => set::run_legacy(&ctx()?, args, set::Scope::Here),
        Cmd::Global(args) => set::run_legacy(&ctx()?, args, set::Scope::Home),
        Cmd::Where { tool, version } => where_::run_where(&ctx()?, &tool, version.as_deref()),
        Cmd::Which { command } => where_::run_which(&ctx()?, &command),
        Cmd::Exec { command, args } => exec::run_exec(&ctx()?, command.as_deref(), args),
        Cmd::Env { command, util } => exec::run_env(&ctx()?, command.as_deref(), util),
        Cmd::Reshim { tool, version, .. } => {
            reshim::run(&ctx()?, tool.as_deref(), version.as_deref())
        }
        Cmd::Shimversions { command } => reshim::run_shimversions(&ctx()?, &command),
        Cmd::Uninstall { tool, version } => uninstall::run(&ctx()?, &tool, &version),
        Cmd::Info { tool, version } => match (tool, version) {
            (Some(tool), Some(version)) => info::run_source(&ctx()?, &tool, &version),
            (Some(_), None) => {
                Err(crate::error::Error::Usage("usage: tool info [<tool> <version>]".into()).into())
            }
            _ => info::run_info(&ctx()?),
        },
        Cmd::Settings => info::run_settings(&ctx()?),
    }
}

fn list_command(ctx: &Context, args: &[String], json: bool) -> anyhow::Result<i32> {
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("all") => match arg(1) {
            Some(tool) => latest::run_list_all(ctx, tool, arg(2), json),
            None => Err(
                crate::error::Error::Usage("usage: tool list all <tool> [prefix]".into()).into(),
            ),
        },
        _ if args.len() > 2 => {
            Err(crate::error::Error::Usage("usage: tool list [tool [prefix]]".into()).into())
        }
        tool => list::run(ctx, tool, arg(1)),
    }
}

/// asdf's overview (see `overview`), for `help` and plain invocations.
fn print_overview() -> anyhow::Result<()> {
    let ctx = Context::load()?;
    let plugins = crate::plugin::manage::list(&ctx.env);
    print!("{}", overview::text(&ctx.env.program, &plugins));
    Ok(())
}

fn help(path: &[String]) -> anyhow::Result<i32> {
    if path.is_empty() {
        print_overview()?;
        return Ok(exit::OK);
    }
    if let Some(first) = path.first()
        && Cli::command().find_subcommand(first).is_none()
        && path.len() <= 2
    {
        let ctx = Context::load()?;
        if crate::plugin::Plugin::find(&ctx.env, first).is_some() {
            return plugin::help(&ctx, first, path.get(1).map(String::as_str));
        }
    }
    let mut cmd = Cli::command();
    let mut target = &mut cmd;
    for name in path {
        match target.find_subcommand_mut(name) {
            Some(sub) => target = sub,
            None => {
                // asdf's words: an unknown name is taken for a plugin.
                eprintln!("No plugin named {name}");
                return Ok(exit::USAGE);
            }
        }
    }
    target.print_help()?;
    Ok(exit::OK)
}
