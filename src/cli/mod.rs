//! The command line: clap types and dispatch. Each command lives in its own
//! file and calls into the library; nothing here decides behaviour.

mod current;
mod exec;
mod info;
mod list;
mod reshim;
mod set;
mod uninstall;
mod where_;

use std::ffi::OsString;

use clap::{CommandFactory, Parser, Subcommand};

use crate::config::settings::Settings;
use crate::env::Env;
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
    /// List installed versions (all tools, or one tool filtered by a prefix)
    List {
        tool: Option<String>,
        filter: Option<String>,
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
        command: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Run a program (default `env`) in the environment a shimmed command gets
    Env {
        command: String,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        util: Vec<OsString>,
    },
    /// Recreate the shims for everything installed
    Reshim {
        tool: Option<String>,
        version: Option<String>,
    },
    /// List the tools and versions that provide a shimmed command
    #[command(alias = "shim-versions")]
    Shimversions { command: String },
    /// Remove an installed version
    Uninstall { tool: String, version: String },
    /// Show the OS, the data dir, settings, tools and environment
    Info,
    /// Show every setting, its effective value and where it came from
    Settings,
    /// Print tool's version
    Version,
    /// Print a shell completion script (bash, zsh or fish)
    Completion { shell: clap_complete::Shell },
    /// Print help for tool or one of its commands
    Help { command: Vec<String> },
}

/// Everything a command needs: the environment and the settings.
pub struct Ctx {
    pub env: Env,
    pub settings: Settings,
}

impl Ctx {
    fn load() -> anyhow::Result<Self> {
        let env = Env::from_process()?;
        let settings = Settings::load(&env)?;
        Ok(Ctx { env, settings })
    }

    pub fn legacy(&self) -> bool {
        self.settings.flag("legacy_version_file")
    }
}

/// Parses `args` and runs the command; returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
        }
    };
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("tool: {err:#}");
            crate::error::exit_code_of(&err)
        }
    }
}

fn dispatch(cmd: Cmd) -> anyhow::Result<i32> {
    let ctx = Ctx::load;
    match cmd {
        Cmd::Version => {
            println!("tool {}", env!("CARGO_PKG_VERSION"));
            Ok(exit::OK)
        }
        Cmd::Completion { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "tool", &mut std::io::stdout());
            Ok(exit::OK)
        }
        Cmd::Help { command } => help(&command),
        Cmd::Current { tool, no_header } => current::run(&ctx()?, tool.as_deref(), no_header),
        Cmd::Set(args) => set::run_set(&ctx()?, args),
        Cmd::Local(args) => set::run_legacy(&ctx()?, args, set::Scope::Here),
        Cmd::Global(args) => set::run_legacy(&ctx()?, args, set::Scope::Home),
        Cmd::List { tool, filter } => list::run(&ctx()?, tool.as_deref(), filter.as_deref()),
        Cmd::Where { tool, version } => where_::run_where(&ctx()?, &tool, version.as_deref()),
        Cmd::Which { command } => where_::run_which(&ctx()?, &command),
        Cmd::Exec { command, args } => exec::run_exec(&ctx()?, &command, args),
        Cmd::Env { command, util } => exec::run_env(&ctx()?, &command, util),
        Cmd::Reshim { tool, version } => reshim::run(&ctx()?, tool.as_deref(), version.as_deref()),
        Cmd::Shimversions { command } => reshim::run_shimversions(&ctx()?, &command),
        Cmd::Uninstall { tool, version } => uninstall::run(&ctx()?, &tool, &version),
        Cmd::Info => info::run_info(&ctx()?),
        Cmd::Settings => info::run_settings(&ctx()?),
    }
}

fn help(path: &[String]) -> anyhow::Result<i32> {
    let mut cmd = Cli::command();
    let mut target = &mut cmd;
    for name in path {
        match target.find_subcommand_mut(name) {
            Some(sub) => target = sub,
            None => {
                eprintln!("tool: no command `{name}`; run `tool help` for the list");
                return Ok(exit::USAGE);
            }
        }
    }
    target.print_help()?;
    Ok(exit::OK)
}
