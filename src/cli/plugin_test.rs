//! `tool plugin test <name> <git-url> [--asdf-tool-version V]
//! [--asdf-plugin-gitref REF] [command…]`: adds the plugin into a throwaway
//! data dir, checks its callbacks and LICENSE, installs a version and runs
//! the optional command with it.

use clap::Args;

use crate::context::Context;
use crate::error::exit;
use crate::install::plugin_test::{self, PluginTest};

#[derive(Args, Debug)]
pub struct TestArgs {
    name: Option<String>,
    git_url: Option<String>,
    /// Version to install (default: the latest stable one)
    #[arg(long)]
    asdf_tool_version: Option<String>,
    /// Plugin git ref to test
    #[arg(long)]
    asdf_plugin_gitref: Option<String>,
    /// Command to run with the installed version
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

pub fn run(ctx: &Context, args: TestArgs) -> anyhow::Result<i32> {
    let (Some(name), Some(git_url)) = (args.name.as_deref(), args.git_url.as_deref()) else {
        eprintln!("FAILED: please provide a plugin name and url");
        return Ok(exit::FAILURE);
    };
    let test = PluginTest {
        name,
        git_url,
        version: args.asdf_tool_version.as_deref(),
        gitref: args.asdf_plugin_gitref.as_deref(),
        command: &args.command,
    };
    Ok(plugin_test::run(ctx, &test)?)
}
