//! `tool set [-u|-p]`, and asdf's older `local` and `global`: write versions
//! into a `.tool-versions` file, keeping everything else in it.

use clap::Args;

use crate::context::Context;
use crate::error::{Error, exit};
pub use crate::install::set::{self, Scope};

/// Arguments are checked here, not by clap, so errors are asdf's own words
/// (and, as in asdf, `-h` is not a flag of `set`).
#[derive(Args, Debug)]
#[command(disable_help_flag = true)]
pub struct SetArgs {
    /// Write to $HOME/.tool-versions
    #[arg(short = 'u', long = "home")]
    home: bool,
    /// Write to the nearest existing .tool-versions in this or a parent folder
    #[arg(short = 'p', long = "parent")]
    parent: bool,
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
    tool: Option<String>,
    versions: Vec<String>,
}

#[derive(Args, Debug)]
pub struct LegacySetArgs {
    tool: String,
    #[arg(required = true)]
    versions: Vec<String>,
}

pub fn run_set(ctx: &Context, args: SetArgs) -> anyhow::Result<i32> {
    let usage = |msg: &str| Err(Error::Usage(msg.to_string()).into());
    let Some(tool) = args.tool else {
        return usage("tool and version must be provided as arguments");
    };
    if args.versions.is_empty() {
        return usage("version must be provided as an argument");
    }
    let scope = match (args.home, args.parent) {
        (true, true) => {
            return usage(
                "home and parent flags cannot both be specified; must be one location or the other",
            );
        }
        (true, _) => Scope::Home,
        (_, true) => Scope::Parent,
        _ => Scope::Here,
    };
    set::set(ctx, scope, &tool, &args.versions, false)?;
    Ok(exit::OK)
}

/// `local`/`global`: like `set`, but every plain version must be installed,
/// as asdf's older commands required.
pub fn run_legacy(ctx: &Context, args: LegacySetArgs, scope: Scope) -> anyhow::Result<i32> {
    set::set(ctx, scope, &args.tool, &args.versions, true)?;
    Ok(exit::OK)
}
