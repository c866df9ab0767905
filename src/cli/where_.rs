//! `tool where <tool> [version]` and `tool which <command>`: print paths.

use crate::context::Context;
use crate::error::exit;
use crate::install::versions;
use crate::shim::find;

pub fn run_where(ctx: &Context, tool: &str, version: Option<&str>) -> anyhow::Result<i32> {
    let path = versions::where_installed(ctx, tool, version)?;
    println!("{}", path.display());
    Ok(exit::OK)
}

pub fn run_which(ctx: &Context, command: &str) -> anyhow::Result<i32> {
    println!("{}", find::which(ctx, command)?.display());
    Ok(exit::OK)
}
